// Differential fuzzing against Debian's dtc 1.6.1 (skipped when dtc is not installed; CI has
// it): random device trees built from the property and node names the checks care about
// (buses, interrupts, phandle+args providers, graph, aliases, /chosen, omit-if-no-ref, overlays),
// then merged, deleted and omitted through later top-level blocks,
// must give the same verdict, the same blob and the same check messages, with and without -@.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { compileString } from '../../src/compile.js';
import type { Diagnostic } from '../../src/diagnostics.js';
import { CHECK_TABLE } from '../../src/tree/checks.js';

const dtcAvailable = spawnSync('dtc', ['--version']).status === 0;
const checkNames = new Set(CHECK_TABLE.map((c) => c.name));

const LABELS = ['a', 'b', 'c'];
const PROPS = [
  'reg',
  'ranges',
  'dma-ranges',
  '#address-cells',
  '#size-cells',
  '#interrupt-cells',
  'interrupts',
  'interrupt-parent',
  'interrupt-controller',
  'interrupt-map',
  'clocks',
  '#clock-cells',
  'gpios',
  'foo-gpios',
  '#gpio-cells',
  'phandle',
  'linux,phandle',
  'compatible',
  'device_type',
  'status',
  'remote-endpoint',
  'bus-range',
  'stdout-path',
  'bootargs',
  'clock-names',
  'spi-max-frequency',
  'resets',
  '#reset-cells',
  'interrupts-extended',
  'model',
  'label',
  'msi-parent',
  '#msi-cells',
  'spi-slave',
  'gpio-hog',
  'x',
];
const NODES = [
  'n',
  'n@0',
  'n@1',
  'n@10',
  'pci@0',
  'pcie@1',
  'i2c@2',
  'i2c',
  'spi@3',
  'spi',
  'port',
  'port@0',
  'port@1',
  'ports',
  'endpoint',
  'endpoint@0',
  'chosen',
  'aliases',
  'x@0x10',
  'c@01',
  'bus@4',
  'gpio@5',
  'intc@6',
  'i2c-bus',
  'memory@0',
];

const arbValue = fc.oneof(
  fc.constant(''),
  fc.constantFrom('disabled', 'okay', 'pci', 'simple-bus', '/n', '/n@0', 'x').map((s) => ` = "${s}"`),
  fc.constantFrom('foo', 'bar').map((s) => ` = "simple-bus", "${s}"`),
  fc
    .tuple(fc.constantFrom(...LABELS), fc.array(fc.nat(3), { maxLength: 2 }))
    .map(([l, a]) => ` = <&${l}${a.map((x) => ' ' + x).join('')}>`),
  fc.array(fc.constantFrom('0', '1', '2', '3', '0x10', '0xffffffff'), { minLength: 1, maxLength: 3 }).map((a) => ` = <${a.join(' ')}>`),
  fc.constantFrom(...LABELS).map((l) => ` = &${l}`),
);
interface GenNode {
  props: Array<[string, string]>;
  children: Array<{ name: string; label: boolean; omit: boolean; node: GenNode }>;
}
const arbNode: fc.Arbitrary<GenNode> = fc.letrec<{ node: GenNode }>((tie) => ({
  node: fc.record({
    props: fc.uniqueArray(fc.tuple(fc.constantFrom(...PROPS), arbValue), { maxLength: 5, selector: (p) => p[0] }),
    children: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant<GenNode['children']>([]),
      fc.uniqueArray(
        fc.record({ name: fc.constantFrom(...NODES), label: fc.boolean(), omit: fc.nat(9).map((x) => x < 2), node: tie('node') }),
        {
          maxLength: 3,
          selector: (c) => c.name,
        },
      ),
    ),
  }),
})).node;

function render(n: GenNode, used: Set<string>, labelIdx: { i: number }): string {
  let s = '';
  for (const [p, v] of n.props) s += `${p}${v};\n`;
  for (const c of n.children) {
    let lab = '';
    if (c.label && labelIdx.i < LABELS.length) {
      const l = LABELS[labelIdx.i++]!;
      used.add(l);
      lab = `${l}: `;
    }
    s += `${c.omit ? '/omit-if-no-ref/ ' : ''}${lab}${c.name} {\n${render(c.node, used, labelIdx)}};\n`;
  }
  return s;
}

/** Later top-level blocks: merges by label, deletes, omit-if-no-ref by reference. */
const arbExtra = fc.array(
  fc.oneof(
    fc.tuple(fc.constantFrom(...LABELS), arbNode).map(([l, n]) => ({ kind: 'merge' as const, l, n })),
    fc.constantFrom(...LABELS).map((l) => ({ kind: 'delete-ref' as const, l })),
    fc.tuple(fc.constantFrom(...NODES), arbNode).map(([name, n]) => ({ kind: 'delete-name' as const, name, n })),
    fc.constantFrom(...LABELS).map((l) => ({ kind: 'omit-ref' as const, l })),
    fc.tuple(fc.constantFrom(...LABELS), fc.constantFrom(...PROPS)).map(([l, p]) => ({ kind: 'delete-prop' as const, l, p })),
  ),
  { maxLength: 3 },
);
type Extra = typeof arbExtra extends fc.Arbitrary<Array<infer E>> ? E : never;

function renderExtra(e: Extra, used: Set<string>, labelIdx: { i: number }): string {
  // References to labels that were never defined are parse errors in dtc; keep them rare.
  const ok = (l: string): boolean => used.has(l);
  switch (e.kind) {
    case 'merge':
      return ok(e.l) ? `&${e.l} {\n${render(e.n, used, labelIdx)}};\n` : '';
    case 'delete-ref':
      return ok(e.l) ? `/delete-node/ &${e.l};\n` : '';
    case 'delete-name':
      return `/ {\n/delete-node/ ${e.name};\n${render(e.n, used, labelIdx)}};\n`;
    case 'omit-ref':
      return ok(e.l) ? `/omit-if-no-ref/ &${e.l};\n` : '';
    case 'delete-prop':
      return ok(e.l) ? `&${e.l} { /delete-property/ ${e.p}; };\n` : '';
  }
}

function dtcPos(d: Diagnostic, out: string): string {
  if (!d.line) return out;
  if (d.line !== d.endLine) return `${d.file}:${d.line}.${d.column}-${d.endLine}.${d.endColumn}`;
  if (d.column !== d.endColumn) return `${d.file}:${d.line}.${d.column}-${d.endColumn}`;
  return `${d.file}:${d.line}.${d.column}`;
}

test('random trees: same verdict, bytes and check messages as dtc 1.6.1', (t) => {
  if (!dtcAvailable) {
    if (process.env.CI) assert.fail('dtc not installed (apt-get install device-tree-compiler)');
    t.skip('Debian dtc not installed');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'carveout-dtc-fuzz-'));
  const src = join(dir, 'f.dts');
  const out = join(dir, 'f.dtb');
  try {
    fc.assert(
      fc.property(arbNode, arbExtra, fc.boolean(), fc.boolean(), (root, extra, plugin, symbols) => {
        const used = new Set<string>();
        const labelIdx = { i: 0 };
        let text = `/dts-v1/;\n${plugin ? '/plugin/;\n' : ''}/ {\n${render(root, used, labelIdx)}};\n`;
        for (const e of extra) text += renderExtra(e, used, labelIdx);
        writeFileSync(src, text);
        rmSync(out, { force: true });
        const args = symbols ? ['-@'] : [];
        const live = spawnSync('timeout', ['10', 'dtc', ...args, '-o', out, src], { encoding: 'latin1' });
        const r = compileString(text, { fileName: src, preprocess: false, outName: out, symbols });
        if (live.status === 134 || live.status === 139 || live.status === 124) {
          // dtc 1.6.1 crashed or hung: we must reject with a diagnostic.
          assert.equal(r.dtb, undefined);
          assert.ok(r.diagnostics.some((d) => d.severity === 'error'));
          return;
        }
        assert.equal(!!r.dtb, live.status === 0, `verdict differs (dtc exit ${live.status})\n${text}`);
        if (r.dtb) assert.ok(Buffer.from(r.dtb).equals(readFileSync(out)), `bytes differ\n${text}`);
        const theirs = live.stderr.split('\n').filter((l) => / \((\w+)\): /.test(l));
        const mine = r.diagnostics
          .filter((d) => checkNames.has(d.code))
          .map((d) => `${dtcPos(d, out)}: ${d.severity === 'error' ? 'ERROR' : 'Warning'} (${d.code}): ${d.message}`);
        assert.deepEqual(mine, theirs, text);
      }),
      // A fixed seed keeps CI reproducible; set CARVEOUT_DTC_FUZZ_SEED / _RUNS to explore further.
      { numRuns: Number(process.env.CARVEOUT_DTC_FUZZ_RUNS ?? 300), seed: Number(process.env.CARVEOUT_DTC_FUZZ_SEED ?? 20261125) },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
