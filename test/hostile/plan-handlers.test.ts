// Hostile --handlers files: what a setup returns, and where the file lives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { plan } from '../../src/kernel/plan.js';
import { loadHandlers } from '../../src/kernel/handler-api.js';
import { loadBoard } from '../../src/board.js';
import { c2, node, virtTree } from '../kernel/rmem-fixtures.js';

const M = 1n << 20n;
const board = () =>
  loadBoard(virtTree([node('mca@70000000', { compatible: 'hisi,mca', reg: c2(0x70000000n, 64n * M) })]), {
    platform: 'qemu-virt',
    asBooted: true,
    arch: 'arm64',
    ram: 1n << 30n,
  });

/** Plan the board with a handler file whose setup body is `body`. */
async function planWith(name: string, body: string) {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-hostile-handlers-'));
  const f = join(dir, `${name}.mjs`);
  writeFileSync(f, `export default { name: '${name}', compatible: 'hisi,mca', setup: ${body} };\n`);
  const h = await loadHandlers(f);
  assert.deepEqual(h.diagnostics, []);
  assert.equal(h.handlers.length, 1);
  return plan(board(), { kernel: '6.12-arm64', bootargs: '', handlers: h.handlers });
}

for (const [name, body, what, label] of [
  ['async-setup', 'async () => 0', /a Promise/, 'a Promise'],
  ['rejecting-setup', 'async () => { throw new Error("late"); }', /a Promise/, 'a rejected Promise'],
  ['void-setup', '() => {}', /returned undefined/, 'undefined'],
  ['string-setup', '() => "0"', /the string "0"/, 'a string'],
] as const) {
  test(`plan: a handler whose setup returns ${label} is an error naming the handler (${name})`, async () => {
    const p = await planWith(name, body);
    const d = p.diagnostics.find((x) => x.code === 'handler-bad-return');
    assert.ok(d, JSON.stringify(p.diagnostics));
    assert.equal(d.severity, 'error');
    assert.match(d.message, new RegExp(`handler '${name}'`));
    assert.match(d.message, what);
    assert.match(d.message, /mca@70000000/);
    assert.equal(p.exitCode, 2);
    const r = p.regions.find((x) => x.name === 'mca@70000000')!;
    assert.equal(r.result, '-EINVAL');
    // Let a rejected Promise settle: it must not surface as an unhandled rejection.
    await new Promise((res) => setImmediate(res));
  });
}

test('plan: a setup returning an int is not flagged', async () => {
  const p = await planWith('fine', '() => -22');
  assert.ok(!p.diagnostics.some((x) => x.code === 'handler-bad-return'));
  assert.equal(p.regions.find((x) => x.name === 'mca@70000000')!.result, '-EINVAL');
});

// The same handler, written the ways a user would, in folders whose package.json says nothing or
// "type": "commonjs": each must load (or the plan must stop), never plan as if it were absent.
const sources: [string, string][] = [
  ['named.ts', "export const mca = { name: 'mca', compatible: 'hisi,mca', setup: (): number => 0 };\n"],
  ['default.ts', "export default [{ name: 'mca', compatible: 'hisi,mca', setup: (): number => 0 }];\n"],
  ['named.js', "export const mca = { name: 'mca', compatible: 'hisi,mca', setup: () => 0 };\n"],
  ['cjs.js', "module.exports = { mca: { name: 'mca', compatible: 'hisi,mca', setup: () => 0 } };\n"],
  ['cjs.cjs', "module.exports = [{ name: 'mca', compatible: 'hisi,mca', setup: () => 0 }];\n"],
];

for (const pkg of [undefined, '{}', '{ "type": "commonjs" }']) {
  for (const [name, text] of sources) {
    test(`loadHandlers: ${name} with ${pkg === undefined ? 'no package.json' : `package.json ${pkg}`} loads or fails loudly`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'carveout-hostile-handlers-'));
      if (pkg !== undefined) writeFileSync(join(dir, 'package.json'), pkg);
      const f = join(dir, name);
      writeFileSync(f, text);
      const h = await loadHandlers(f);
      if (h.handlers.length === 0) {
        // ESM syntax in a .js file that package.json declares CommonJS: Node refuses it, and says so.
        assert.equal(name, 'named.js');
        assert.equal(pkg, '{ "type": "commonjs" }');
        assert.ok(
          h.diagnostics.some((d) => d.severity === 'error' && d.code === 'handlers-load'),
          JSON.stringify(h.diagnostics),
        );
        return;
      }
      assert.deepEqual(h.diagnostics, []);
      assert.deepEqual(
        h.handlers.map((x) => [x.name, x.compatible]),
        [['mca', 'hisi,mca']],
      );
      const p = plan(board(), { kernel: '6.12-arm64', bootargs: '', handlers: h.handlers });
      assert.equal(p.regions.find((x) => x.name === 'mca@70000000')!.status, 'ok');
    });
  }
}

test('carveout plan --handlers: a file that exports no handler stops the plan (exit 2), no silently different plan', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-hostile-handlers-'));
  const f = join(dir, 'empty.ts');
  writeFileSync(f, 'export const notAHandler = 1;\n');
  const dts = join(dir, 'b.dts');
  writeFileSync(
    dts,
    '/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n' +
      '  memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x40000000>; };\n' +
      '  reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;\n' +
      '    mca@70000000 { compatible = "hisi,mca"; reg = <0x0 0x70000000 0x0 0x1000000>; }; };\n};\n',
  );
  const r = runCli(['plan', dts, '--kernel', '6.12-arm64', '--handlers', f]);
  assert.equal(r.status, 2, r.stdout);
  assert.match(r.stderr, /exports no reserved-memory handler/);
  const ok = join(dir, 'cjs.js');
  writeFileSync(ok, "module.exports = { mca: { name: 'mca', compatible: 'hisi,mca', setup: () => 0 } };\n");
  const r2 = runCli(['plan', dts, '--kernel', '6.12-arm64', '--handlers', ok, '--format', 'json']);
  assert.equal(r2.status, 0, r2.stderr);
  const j = JSON.parse(r2.stdout) as { regions: { status: string; handler: string }[] };
  assert.deepEqual(
    j.regions.map((x) => [x.status, x.handler]),
    [['ok', 'hisi,mca']],
  );
});

test('loadHandlers: a .ts handler with a syntax error shows the whole compiler message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-hostile-handlers-'));
  const f = join(dir, 'bad.ts');
  writeFileSync(f, 'export const x = {\n  name: "a",, \n};\n');
  const h = await loadHandlers(f);
  const d = h.diagnostics.find((x) => x.code === 'handlers-load');
  assert.ok(d, JSON.stringify(h.diagnostics));
  assert.equal(d.severity, 'error');
  assert.match(d.message, /bad\.ts:2:\d+: ERROR: Expected identifier but found ","/);
});

test('plan: a handler that loops forever is stopped after the bound with an error naming it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-hostile-handlers-'));
  const f = join(dir, 'loop.mjs');
  writeFileSync(f, "export default { name: 'spin', compatible: 'hisi,mca', setup: () => { for (;;) {} } };\n");
  const h = await loadHandlers(f);
  const t0 = Date.now();
  const p = plan(board(), { kernel: '6.12-arm64', bootargs: '', handlers: h.handlers, handlerTimeLimitMs: 300 });
  assert.ok(Date.now() - t0 < 5000);
  const d = p.diagnostics.find((x) => x.code === 'handler-timeout');
  assert.ok(d, JSON.stringify(p.diagnostics));
  assert.equal(d.severity, 'error');
  assert.match(d.message, /handler 'spin' .* for mca@70000000 did not return within 300 ms/);
  assert.equal(p.exitCode, 2);
});

test('plan: the default bound leaves ordinary user handlers alone', async () => {
  const p = await planWith('quick', '() => 0');
  assert.equal(p.exitCode, 0, JSON.stringify(p.diagnostics));
  assert.equal(p.regions.find((x) => x.name === 'mca@70000000')!.status, 'ok');
});
