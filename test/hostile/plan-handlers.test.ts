// Hostile --handlers files: what a setup returns, and where the file lives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
