// dtc 1.6.1's checks and fix-ups on trees built directly (no parser): phandle assignment order
// and styles, path references, omit-if-no-ref, -W/-E semantics, error short-circuit, dtc crash
// sites turned into diagnostics, and robustness on random trees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { noSpan } from '../../src/diagnostics.js';
import type { Marker, Node, Property, Tree } from '../../src/tree/types.js';
import { CHECK_TABLE, makeCheckTable, applyCheckFlag, processChecks, getNodeByPath } from '../../src/tree/checks.js';
import { generateFixupsTree, generateLabelTree, generateLocalFixupsTree } from '../../src/tree/fixups.js';

const u32 = (...v: number[]): Uint8Array => {
  const b = new Uint8Array(v.length * 4);
  v.forEach((x, i) => new DataView(b.buffer).setUint32(i * 4, x >>> 0));
  return b;
};
const str = (s: string): Uint8Array => new Uint8Array([...Buffer.from(s, 'latin1'), 0]);
const cells = (value: Uint8Array, markers: Marker[] = [{ type: 'type-uint32', offset: 0 }]) => ({ value, markers });
const ref = (label: string, ...extra: number[]) =>
  cells(u32(0xffffffff, ...extra), [
    { type: 'type-uint32', offset: 0 },
    { type: 'ref-phandle', offset: 0, ref: label },
  ]);

type PropSpec = Uint8Array | { value: Uint8Array; markers: Marker[]; labels?: string[] };
interface NodeSpec {
  labels?: string[];
  props?: Record<string, PropSpec>;
  children?: Record<string, NodeSpec>;
  omit?: boolean;
}

function mkNode(name: string, spec: NodeSpec, parent: Node | null): Node {
  const n: Node = { name, props: [], children: [], labels: spec.labels ?? [], parent, phandle: 0, span: noSpan };
  if (spec.omit) n.omitIfNoRef = true;
  for (const [k, v] of Object.entries(spec.props ?? {})) {
    const p: Property =
      v instanceof Uint8Array
        ? { name: k, value: v, markers: [{ type: 'type-uint32', offset: 0 }], labels: [], span: noSpan }
        : { name: k, value: v.value, markers: v.markers, labels: v.labels ?? [], span: noSpan };
    n.props.push(p);
  }
  for (const [k, v] of Object.entries(spec.children ?? {})) n.children.push(mkNode(k, v, n));
  return n;
}
const mkTree = (root: NodeSpec, plugin = false): Tree => ({ plugin, memreserves: [], root: mkNode('', root, null), bootCpuidPhys: 0 });
const node = (t: Tree, path: string): Node => getNodeByPath(t.root, path)!;
const propVal = (n: Node, name: string): Uint8Array | undefined => n.props.find((p) => p.name === name)?.value;
const base = { '#address-cells': u32(1), '#size-cells': u32(1) };

test('the table has dtc 1.6.1 names, order and default levels', () => {
  assert.equal(CHECK_TABLE.length, 88); // dtc 1.6.1's check_table
  assert.equal(CHECK_TABLE[0]!.name, 'duplicate_node_names');
  assert.equal(CHECK_TABLE.at(-1)!.name, 'always_fail');
  const lv = (n: string) => CHECK_TABLE.find((c) => c.name === n)!.level;
  assert.equal(lv('phandle_references'), 'error');
  assert.equal(lv('reg_format'), 'warn');
  assert.equal(lv('unique_unit_address_if_enabled'), 'none');
  assert.equal(lv('deprecated_gpio_property'), 'none');
  // 1.6.1 has no interrupt_map check (added after 1.6.1).
  assert.ok(!CHECK_TABLE.some((c) => c.name === 'interrupt_map'));
});

test('phandles are assigned on demand in reference order, skipping explicit ones', () => {
  const t = mkTree({
    ...base,
    children: {
      a: { labels: ['a'], props: { ref: ref('c') } },
      b: { labels: ['b'], props: { phandle: u32(1) } },
      c: { labels: ['c'] },
      d: { props: { x: ref('a'), y: ref('b'), z: ref('c') } },
    },
  });
  const r = processChecks(t);
  assert.equal(r.errors, false);
  // c is referenced first → 2 (1 is taken by b), then a → 3.
  assert.deepEqual(propVal(node(t, '/d'), 'x'), u32(3));
  assert.deepEqual(propVal(node(t, '/d'), 'y'), u32(1));
  assert.deepEqual(propVal(node(t, '/d'), 'z'), u32(2));
  assert.deepEqual(propVal(node(t, '/c'), 'phandle'), u32(2));
  assert.equal(propVal(node(t, '/c'), 'linux,phandle'), undefined);
  // The phandle property is appended after the node's own properties.
  assert.deepEqual(
    node(t, '/a').props.map((p) => p.name),
    ['ref', 'phandle'],
  );
});

test('-H legacy and both decide which properties are added; linux,phandle is honoured', () => {
  for (const [style, names] of [
    ['legacy', ['linux,phandle']],
    ['both', ['linux,phandle', 'phandle']],
    ['epapr', ['phandle']],
  ] as const) {
    const t = mkTree({ children: { a: { labels: ['a'] }, b: { props: { r: ref('a') } } } });
    processChecks(t, { phandleStyle: style });
    assert.deepEqual(
      node(t, '/a').props.map((p) => p.name),
      names,
    );
  }
  const t = mkTree({ children: { a: { labels: ['a'], props: { 'linux,phandle': u32(7) } }, b: { props: { r: ref('a') } } } });
  processChecks(t);
  assert.deepEqual(propVal(node(t, '/b'), 'r'), u32(7));
  // An explicit phandle is used as is: nothing is added.
  assert.deepEqual(
    node(t, '/a').props.map((p) => p.name),
    ['linux,phandle'],
  );
});

test('a self-referencing phandle property gets a fresh phandle', () => {
  const t = mkTree({ children: { a: { labels: ['a'], props: { phandle: ref('a') } } } });
  const r = processChecks(t);
  assert.equal(r.errors, false);
  assert.deepEqual(
    node(t, '/a').props.map((p) => p.name),
    ['phandle'],
  );
  assert.deepEqual(propVal(node(t, '/a'), 'phandle'), u32(1));
});

test('errors: unknown reference, duplicated/bad phandles, duplicate names and labels', () => {
  const codes = (spec: NodeSpec) =>
    processChecks(mkTree(spec))
      .diagnostics.filter((d) => d.severity === 'error')
      .map((d) => `${d.code}: ${d.message}`);
  assert.deepEqual(codes({ props: { r: ref('nosuch') } }), ['phandle_references: /: Reference to non-existent node or label "nosuch"']);
  assert.deepEqual(codes({ children: { a: { props: { phandle: u32(1) } }, b: { props: { phandle: u32(1) } } } }), [
    'explicit_phandles: /b: duplicated phandle 0x1 (seen before at /a)',
  ]);
  assert.deepEqual(codes({ children: { a: { props: { 'linux,phandle': u32(0xffffffff) } } } }), [
    'explicit_phandles: /a:linux,phandle: bad value (0xffffffff) in linux,phandle property',
  ]);
  assert.deepEqual(codes({ children: { a: { labels: ['x'] }, b: { labels: ['x'] } } }), [
    "duplicate_label: /b: Duplicate label 'x' on /b and /a",
  ]);
  const t = mkTree({});
  t.root.children.push(mkNode('n', {}, t.root), mkNode('n', {}, t.root));
  assert.deepEqual(
    processChecks(t)
      .diagnostics.filter((d) => d.severity === 'error')
      .map((d) => d.message),
    ['/n: Duplicate node name'],
  );
});

test('after the first failing error check, later checks do not run (dtc short-circuit)', () => {
  // duplicate_label fails → phandle_references never runs, so the reference stays unresolved
  // and no warning from later checks appears.
  const t = mkTree({ children: { a: { labels: ['x'], props: { reg: u32(1) } }, b: { labels: ['x'], props: { r: ref('x') } } } });
  const r = processChecks(t);
  assert.equal(r.errors, true);
  assert.deepEqual(
    r.diagnostics.map((d) => d.code),
    ['duplicate_label'],
  );
  assert.deepEqual(propVal(node(t, '/b'), 'r'), u32(0xffffffff));
});

test('path references insert the path and shift later markers', () => {
  const value = u32(0xffffffff);
  const t = mkTree({
    children: {
      target: { labels: ['t'] },
      user: {
        props: {
          p: {
            value,
            markers: [
              { type: 'ref-path', offset: 0, ref: 't' },
              { type: 'type-uint32', offset: 0 },
              { type: 'ref-phandle', offset: 0, ref: 't' },
            ],
          },
        },
      },
    },
  });
  processChecks(t);
  const p = node(t, '/user').props[0]!;
  assert.deepEqual(p.value, new Uint8Array([...str('/target'), 0, 0, 0, 1]));
  assert.deepEqual(
    p.markers.map((m) => m.offset),
    [0, 8, 8],
  );
});

test('/omit-if-no-ref/ drops unreferenced nodes, keeps referenced ones, and -@ keeps labelled ones', () => {
  const spec: NodeSpec = {
    children: {
      used: { labels: ['u'], omit: true },
      unused: { labels: ['n'], omit: true, children: { child: {} } },
      bare: { omit: true },
      user: { props: { r: ref('u') } },
    },
  };
  let t = mkTree(spec);
  processChecks(t);
  assert.deepEqual(
    t.root.children.map((c) => c.name),
    ['used', 'user'],
  );
  t = mkTree(spec);
  processChecks(t, { symbols: true });
  assert.deepEqual(
    t.root.children.map((c) => c.name),
    ['used', 'unused', 'user'],
  );
});

test('-W/-E raise prerequisites and lower dependents; unknown names are reported', () => {
  const table = makeCheckTable();
  const get = (n: string) => table.find((c) => c.name === n)!;
  assert.equal(applyCheckFlag(table, { kind: 'E', name: 'reg_format' }), undefined);
  assert.equal(get('reg_format').error, true);
  assert.equal(get('addr_size_cells').error, true);
  assert.equal(get('address_cells_is_cell').error, true);
  applyCheckFlag(table, { kind: 'W', name: 'no-addr_size_cells' });
  assert.equal(get('addr_size_cells').warn, false);
  assert.equal(get('reg_format').warn, false);
  assert.equal(get('reg_format').error, true);
  assert.match(applyCheckFlag(table, { kind: 'W', name: 'nonsense' })!, /Unrecognized check name "nonsense"/);

  // -E on a warning makes the tree fail.
  const t = () => mkTree({ ...base, children: { 'n@0': { props: { reg: u32(0) } } } });
  assert.equal(processChecks(t()).errors, false);
  const r = processChecks(t(), { checkFlags: [{ kind: 'E', name: 'reg_format' }] });
  assert.equal(r.errors, true);
  assert.match(r.diagnostics.find((d) => d.code === 'reg_format')!.message, /invalid length \(4 bytes\)/);
  assert.equal(r.diagnostics.find((d) => d.code === 'reg_format')!.severity, 'error');
  // -Wno- hides the warning entirely.
  const q = processChecks(mkTree({ children: { 'n@0': {} } }), { checkFlags: [{ kind: 'W', name: 'no-unit_address_vs_reg' }] });
  assert.ok(!q.diagnostics.some((d) => d.code === 'unit_address_vs_reg'));
});

test('dtc 1.6.1 crash sites become dtc-abort errors', () => {
  // graph endpoint directly under the root: dtc 1.6.1 dereferences NULL.
  let r = processChecks(mkTree({ children: { endpoint: {} } }));
  assert.equal(r.aborted, true);
  assert.equal(r.diagnostics.at(-1)!.code, 'dtc-abort');
  // #gpio-cells that is not one cell: assertion in propval_cell.
  r = processChecks(
    mkTree({ children: { g: { labels: ['g'], props: { '#gpio-cells': u32(1, 2) } }, u: { props: { gpios: ref('g', 0) } } } }),
  );
  assert.equal(r.aborted, true);
  // A huge #clock-cells makes dtc 1.6.1 loop forever.
  r = processChecks(
    mkTree({ children: { c: { labels: ['c'], props: { '#clock-cells': u32(0xffffffff) } }, u: { props: { clocks: ref('c', 0) } } } }),
  );
  assert.equal(r.aborted, true);
  assert.match(r.diagnostics.at(-1)!.message, /loops forever/);
});

test('-@ __symbols__ and overlay __fixups__/__local_fixups__', () => {
  const t = mkTree({ children: { a: { labels: ['la'] }, frag: { props: { ext: ref('outside', 5), loc: ref('la') } } } }, true);
  const r = processChecks(t, { symbols: true });
  assert.equal(r.errors, false);
  generateLabelTree(r.ctx, '__symbols__', true);
  assert.ok(generateFixupsTree(r.ctx, '__fixups__'));
  generateLocalFixupsTree(r.ctx, '__local_fixups__');
  assert.deepEqual(
    t.root.children.map((c) => c.name),
    ['a', 'frag', '__symbols__', '__fixups__', '__local_fixups__'],
  );
  assert.deepEqual(propVal(node(t, '/__symbols__'), 'la'), str('/a'));
  assert.deepEqual(propVal(node(t, '/frag'), 'ext'), u32(0xffffffff, 5));
  assert.deepEqual(propVal(node(t, '/__fixups__'), 'outside'), str('/frag:ext:0'));
  assert.deepEqual(propVal(node(t, '/__local_fixups__/frag'), 'loc'), u32(0));
});

// Random small trees with arbitrary values: checks must never throw (only report).
const arbValue = fc.oneof(
  fc.uint8Array({ maxLength: 24 }),
  fc
    .array(fc.oneof(fc.constant(0), fc.constant(1), fc.constant(2), fc.constant(0xffffffff), fc.nat()), { maxLength: 6 })
    .map((v) => u32(...v)),
);
const propNames = [
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
  '#gpio-cells',
  'phandle',
  'linux,phandle',
  'compatible',
  'device_type',
  'status',
  'remote-endpoint',
  'bus-range',
  'name',
  'stdout-path',
  'foo-names',
  'spi-max-frequency',
];
const nodeNames = ['a', 'b@0', 'b@1', 'pci@0', 'i2c', 'spi', 'port', 'ports', 'endpoint', 'chosen', 'aliases', 'x@0x10', 'c@01'];
const arbNode: fc.Arbitrary<NodeSpec> = fc.letrec<{ node: NodeSpec }>((tie) => ({
  node: fc.record({
    props: fc.dictionary(
      fc.constantFrom(...propNames),
      arbValue.map((v) => v as PropSpec),
      { maxKeys: 6 },
    ),
    children: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant({}),
      fc.dictionary(fc.constantFrom(...nodeNames), tie('node'), { maxKeys: 3 }),
    ),
    labels: fc.subarray(['l1', 'l2']),
  }),
})).node;

test('random trees: checks never throw, every problem is a diagnostic', () => {
  fc.assert(
    fc.property(arbNode, fc.boolean(), fc.constantFrom<'legacy' | 'epapr' | 'both'>('legacy', 'epapr', 'both'), (spec, plugin, style) => {
      const t = mkTree(spec, plugin);
      const r = processChecks(t, { phandleStyle: style, symbols: true });
      for (const d of r.diagnostics) assert.ok(d.message.length > 0);
      if (!r.aborted) {
        generateLabelTree(r.ctx, '__symbols__', true);
        generateFixupsTree(r.ctx, '__fixups__');
        generateLocalFixupsTree(r.ctx, '__local_fixups__');
      }
    }),
    { numRuns: 2000 },
  );
});

test('deep trees (the readers allow ~1000 levels) are checked without exhausting the stack', () => {
  const t = mkTree({});
  let n = t.root;
  for (let i = 0; i < 1100; i++) {
    const c = mkNode(`n${i}`, { labels: [`l${i}`] }, n);
    n.children.push(c);
    n = c;
  }
  n.props.push({ name: 'r', value: u32(0xffffffff), markers: [{ type: 'ref-phandle', offset: 0, ref: 'l0' }], labels: [], span: noSpan });
  t.plugin = true;
  const r = processChecks(t, { symbols: true });
  assert.equal(r.errors, false);
  generateLabelTree(r.ctx, '__symbols__', true);
  generateLocalFixupsTree(r.ctx, '__local_fixups__');
  assert.equal(node(t, '/__symbols__').props.length, 1100);
});
