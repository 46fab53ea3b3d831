// Parser units: one construct per test, the live tree as dtc 1.6.1's grammar actions build it
// (before checks and fix-ups), and error positions as dtc prints them (file:line.col-endcol).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDts, parseDtsFile, type ParseOptions } from '../../src/source/parser.js';
import { childrenWithDeleted, hasLabelList, propsWithDeleted, type Node, type Property, type Tree } from '../../src/tree/types.js';
import type { Diagnostic } from '../../src/diagnostics.js';
import { getNodeByLabel, getNodeByPath, getNodeByRef } from '../../src/tree/build.js';

function opts(files: Record<string, string | Uint8Array> = {}): ParseOptions {
  return {
    includeDirs: ['inc'],
    readFile: (p) => {
      const f = files[p];
      if (f === undefined) return undefined;
      return typeof f === 'string' ? Buffer.from(f, 'latin1') : f;
    },
  };
}

function parse(text: string, files: Record<string, string | Uint8Array> = {}): Tree {
  const r = parseDts(text, 't.dts', opts(files));
  assert.deepEqual(r.diagnostics.map(where), []);
  assert.ok(r.tree);
  return r.tree;
}

function errors(text: string, files: Record<string, string | Uint8Array> = {}): string[] {
  const r = parseDts(text, 't.dts', opts(files));
  assert.equal(r.tree, undefined);
  return r.diagnostics.map(where);
}

/** dtc's srcpos_string() form plus the message. */
function where(d: Diagnostic): string {
  const end = d.endLine === d.line ? `${d.endColumn}` : `${d.endLine}.${d.endColumn}`;
  return `${d.file}:${d.line}.${d.column}-${end} ${d.message}`;
}

function node(t: Tree, path: string): Node {
  const n = getNodeByPath(t.root, path);
  assert.ok(n, `no node ${path}`);
  return n;
}
function prop(n: Node, name: string): Property {
  const p = n.props.find((x) => x.name === name);
  assert.ok(p, `no property ${name}`);
  return p;
}
const hex = (p: Property): string => Buffer.from(p.value).toString('hex');
const marks = (p: Property): string => p.markers.map((m) => `${m.type}@${m.offset}${m.ref !== undefined ? ':' + m.ref : ''}`).join(' ');

test('headers, root and memreserves with labels', () => {
  const t = parse('/dts-v1/;\n/dts-v1/;\na: b: /memreserve/ 0x1000 (0x100 * 2);\n/memreserve/ 1 2;\n/ { };');
  assert.equal(t.plugin, false);
  assert.deepEqual(
    t.memreserves.map((m) => [m.address, m.size, m.labels]),
    [
      [0x1000n, 0x200n, ['a', 'b']],
      [1n, 2n, []],
    ],
  );
  assert.equal(t.root.name, '');
  assert.deepEqual([t.root.span.line, t.root.span.column, t.root.span.endColumn], [5, 3, 7]);
  assert.deepEqual(errors('/dts-v1/;\n/dts-v1/;\n/plugin/;\n/ { };'), ["t.dts:2.1-3.10 Header flags don't match earlier ones"]);
  assert.deepEqual(errors('/ { };'), ['t.dts:1.1-2 syntax error']);
});

test('values: strings, cells, bytes, refs with dtc markers', () => {
  const t = parse('/dts-v1/;\n/ { p = "ab", <1 0x2>, [0a0B], &n, <&n 3>, &{/node}; e; n: node { }; };');
  const p = prop(t.root, 'p');
  assert.equal(hex(p), '616200' + '0000000100000002' + '0a0b' + 'ffffffff00000003');
  assert.equal(
    marks(p),
    'type-string@0 type-uint32@3 type-uint8@11 type-string@13:n ref-path@13:n type-uint32@13 ref-phandle@13:n type-string@21:/node ref-path@21:/node',
  );
  assert.equal(prop(t.root, 'e').value.length, 0);
  assert.equal(prop(t.root, 'e').markers.length, 0);
});

test('labels inside values, on properties and nodes, in dtc list order', () => {
  const t = parse('/dts-v1/;\n/ { x: y: p = s1: "s" s2:, <c1: 1 c2:> s3:, [b1: 00 b2:]; a: b: n { }; };\n&a { }; c: &b { };');
  assert.deepEqual(node(t, '/n').labels, ['c', 'a', 'b']);
  const p = prop(t.root, 'p');
  assert.deepEqual(p.labels, ['x', 'y']);
  assert.equal(
    marks(p),
    'label@0:s1 type-string@0 label@2:s2 type-uint32@2 label@2:c1 label@6:c2 label@6:s3 type-uint8@6 label@6:b1 label@7:b2',
  );
});

test('/bits/ arrays, ranges and references', () => {
  const t = parse("/dts-v1/;\n/ { p8 = /bits/ 8 <1 0xff (-1) 'a'>; p16 = /bits/ 16 <0x1234 (-2)>; p64 = /bits/ 64 <0x100000000 (~0)>; };");
  assert.equal(hex(prop(t.root, 'p8')), '01ffff61');
  assert.equal(marks(prop(t.root, 'p8')), 'type-uint8@0');
  assert.equal(hex(prop(t.root, 'p16')), '1234fffe');
  assert.equal(hex(prop(t.root, 'p64')), '0000000100000000ffffffffffffffff');
  assert.equal(marks(prop(t.root, 'p64')), 'type-uint64@0');
  assert.deepEqual(errors('/dts-v1/;\n/ { a = <0x100000000>;\n b = /bits/ 8 <256 &a>;\n c = /bits/ 7 <1>; };'), [
    't.dts:2.10-21 Value out of range for 32-bit array element',
    't.dts:3.16-19 Value out of range for 8-bit array element',
    't.dts:3.20-22 References are only allowed in arrays with 32-bit elements.',
    't.dts:4.13-14 Array elements must be 8, 16, 32 or 64-bits',
  ]);
});

test('integer expressions: precedence, unsigned 64-bit wrap, division by zero', () => {
  const cells = (e: string): string => hex(prop(parse(`/dts-v1/;\n/ { p = /bits/ 64 <(${e})>; };`).root, 'p'));
  const v = (e: string): bigint => BigInt('0x' + cells(e));
  assert.equal(v('1 + 2 * 3'), 7n);
  assert.equal(v('(1 + 2) * 3'), 9n);
  assert.equal(v('0 - 1'), 0xffffffffffffffffn);
  assert.equal(v('-1 / 2'), 0x7fffffffffffffffn); // unsigned division
  assert.equal(v('-1 > 1'), 1n); // unsigned comparison
  assert.equal(v('1 << 63 << 1'), 0n);
  assert.equal(v('1 << 64'), 0n);
  assert.equal(v('256 >> 4 >> 1'), 8n);
  assert.equal(v('1 ? 2 : 3'), 2n);
  assert.equal(v('0 ? 2 : 0 ? 3 : 4'), 4n);
  assert.equal(v('1 || 0 && 0'), 1n);
  assert.equal(v('6 & 3 | 8 ^ 1'), 11n);
  assert.equal(v('1 < 2 == 1'), 1n);
  assert.equal(v('!0 + ~0'), 0n);
  assert.equal(v('7 % 4 * 2'), 6n);
  assert.equal(v("'a' + 1"), 98n);
  // both arms are evaluated, as bison reduces them before the ternary
  assert.deepEqual(errors('/dts-v1/;\n/ {\n\tp = < (1 ? 2 : 3/0) (5 % (1-1)) >;\n};'), [
    't.dts:3.17-20 Division by zero',
    't.dts:3.23-32 Division by zero',
  ]);
});

test('re-opened nodes merge; properties are replaced in place; duplicates in one block stay', () => {
  const t = parse('/dts-v1/;\n/ { a = <1>; b = <2>; n { x; }; };\n/ { a = <3>; c; n { y; }; m { }; };\n/ { d; d; k { }; k { }; };');
  // inside a merge a second `d` or `k` collides with the first and merges into it
  assert.deepEqual(
    t.root.props.map((p) => p.name),
    ['a', 'b', 'c', 'd'],
  );
  assert.equal(hex(prop(t.root, 'a')), '00000003');
  assert.equal(prop(t.root, 'a').span.line, 3);
  assert.deepEqual(
    t.root.children.map((c) => c.name),
    ['n', 'm', 'k'],
  );
  // within one definition dtc keeps both (the checks report duplicate_node_names)
  const t2 = parse('/dts-v1/;\n/ { d; d; k { }; k { }; };');
  assert.deepEqual(
    t2.root.props.map((p) => p.name),
    ['d', 'd'],
  );
  assert.deepEqual(
    t2.root.children.map((c) => c.name),
    ['k', 'k'],
  );
  assert.deepEqual(
    node(t, '/n').props.map((p) => p.name),
    ['x', 'y'],
  );
  assert.deepEqual(
    t.root.extraSpans?.map((s) => s.line),
    [3, 4],
  );
});

test('deletes: by name, by reference, and revival in place', () => {
  const t = parse(
    '/dts-v1/;\n/ { a = <1>; b; l1: n1 { x; }; n2 { }; l3: n3 { }; };\n' +
      '/ { /delete-property/ a; /delete-node/ n1; };\n/delete-node/ &l3;\n' +
      '/ { a = <2>; n1 { y; }; };',
  );
  // dtc keeps deleted entries and revives them at their old place
  assert.deepEqual(
    t.root.props.map((p) => p.name),
    ['a', 'b'],
  );
  assert.deepEqual(
    t.root.children.map((c) => c.name),
    ['n1', 'n2'],
  );
  const n1 = node(t, '/n1');
  assert.deepEqual(
    n1.props.map((p) => p.name),
    ['y'],
  );
  assert.deepEqual(n1.labels, []); // deleted labels stay deleted
  assert.equal(getNodeByLabel(t.root, 'l3'), undefined);
  // a /delete-node/ placeholder in a new node is revived at its position by a later definition
  const t2 = parse('/dts-v1/;\n/ { /delete-node/ foo; bar { }; };\n/ { foo { }; };');
  assert.deepEqual(
    t2.root.children.map((c) => c.name),
    ['foo', 'bar'],
  );
  assert.deepEqual(errors('/dts-v1/;\n/ { };\n/delete-node/ &nope;'), ['t.dts:3.15-20 Label or path nope not found']);
});

test('&label and &{/path} at top level merge into the target; unknown ones are errors', () => {
  const t = parse('/dts-v1/;\n/ { s: soc { u: uart@1 { }; }; };\n&u { a; };\n&{/soc/uart@1} { b; };\nl: &{/soc} { c; };');
  assert.deepEqual(
    node(t, '/soc/uart@1').props.map((p) => p.name),
    ['a', 'b'],
  );
  assert.deepEqual(node(t, '/soc').labels, ['l', 's']);
  assert.equal(getNodeByRef(t.root, 'u'), node(t, '/soc/uart@1'));
  assert.equal(getNodeByRef(t.root, '/soc/uart@1'), node(t, '/soc/uart@1'));
  assert.equal(getNodeByRef(t.root, '/'), t.root);
  assert.deepEqual(errors('/dts-v1/;\n/ { };\n&nosuch {\n};\nx: &{/a} { };'), [
    't.dts:3.1-8 Label or path nosuch not found',
    't.dts:5.4-9 Label or path /a not found',
  ]);
  // a reference as the very first node is only valid in a plugin (error at the node body)
  assert.deepEqual(errors('/dts-v1/;\n&x { };'), ['t.dts:2.4-8 Label or path x not found']);
});

test('/plugin/: &ref { } becomes fragment@N with target or target-path', () => {
  const t = parse('/dts-v1/;\n/plugin/;\n&foo { a = <1>; };\n/ { x: n { }; };\n&x { b; };\n&{/n} { c; };\n&bar { };');
  assert.equal(t.plugin, true);
  assert.deepEqual(
    t.root.children.map((c) => c.name),
    ['fragment@0', 'n', 'fragment@1', 'fragment@2'],
  );
  const f0 = node(t, '/fragment@0');
  assert.equal(hex(prop(f0, 'target')), 'ffffffff');
  assert.equal(marks(prop(f0, 'target')), 'ref-phandle@0:foo');
  assert.deepEqual(
    node(t, '/fragment@0/__overlay__').props.map((p) => p.name),
    ['a'],
  );
  // a local label is merged locally, a path always becomes a fragment
  assert.deepEqual(
    node(t, '/n').props.map((p) => p.name),
    ['b'],
  );
  const f1 = node(t, '/fragment@1');
  assert.equal(Buffer.from(prop(f1, 'target-path').value).toString('latin1'), '/n\0');
  assert.equal(marks(prop(f1, 'target-path')), 'type-string@0:/n');
});

test('/omit-if-no-ref/ on a node definition and by reference', () => {
  const t = parse('/dts-v1/;\n/ { /omit-if-no-ref/ a: n1 { }; l: /omit-if-no-ref/ n2 { }; n3 { }; m: n4 { }; };\n/omit-if-no-ref/ &m;');
  assert.equal(node(t, '/n1').omitIfNoRef, true);
  assert.equal(node(t, '/n2').omitIfNoRef, true);
  assert.equal(node(t, '/n3').omitIfNoRef, undefined);
  assert.equal(node(t, '/n4').omitIfNoRef, true);
  assert.deepEqual(errors('/dts-v1/;\n/ { /omit-if-no-ref/ p = <1>; };'), ['t.dts:2.24-25 syntax error']);
});

test('/incbin/ searches the including directory then includeDirs; offset and length', () => {
  const bin = Uint8Array.from([1, 2, 3, 4, 5, 6]);
  const r = parseDts(
    '/dts-v1/;\n/ { a = /incbin/("b.bin"); b = /incbin/("b.bin", 2, 3); c = "x", /incbin/("b.bin", 10, 2); };',
    'dir/t.dts',
    opts({ 'inc/b.bin': bin }),
  );
  assert.equal(r.diagnostics.length, 0);
  const t = r.tree!;
  assert.equal(hex(prop(t.root, 'a')), '010203040506');
  assert.equal(hex(prop(t.root, 'b')), '030405');
  assert.equal(hex(prop(t.root, 'c')), '7800');
  assert.deepEqual(r.files, ['dir/t.dts', 'inc/b.bin', 'inc/b.bin', 'inc/b.bin']);
  assert.deepEqual(errors('/dts-v1/;\n/ { a = /incbin/("nope.bin"); };'), [
    't.dts:2.18-28 Couldn\'t open "nope.bin": No such file or directory',
  ]);
});

test('/include/ and linemarkers map positions back to the original files', () => {
  const r = parseDts(
    '/dts-v1/;\n/include/ "x.dtsi"\n/ { b = <1>; };',
    'dir/t.dts',
    opts({ 'dir/x.dtsi': '/ {\n  a = <1 2 0x100000000>;\n};' }),
  );
  assert.deepEqual(r.diagnostics.map(where), ['dir/x.dtsi:2.12-23 Value out of range for 32-bit array element']);
  const pp = '# 1 "board.dts"\n/dts-v1/;\n# 1 "soc.dtsi" 1\n/ {\n\tp = <X>;\n};\n# 3 "board.dts" 2\n/ { q = <Y>; };\n';
  assert.deepEqual(parseDts(pp, 'board.dts.tmp', opts()).diagnostics.map(where), [
    'soc.dtsi:2.7-8 syntax error',
    'board.dts:3.10-11 syntax error',
  ]);
  assert.deepEqual(errors('/dts-v1/;\n/include/ "none.dtsi"\n/ { };'), [
    't.dts:2.1-22 Couldn\'t open "none.dtsi": No such file or directory',
  ]);
});

test('properties must precede subnodes', () => {
  assert.deepEqual(errors('/dts-v1/;\n\n/ {\n\tnode1 {\n\t};\n\tl: prop;\n\tnode2 {\n\t};\n};'), [
    't.dts:6.2-10 Properties must precede subnodes',
  ]);
});

test('syntax errors: dtc position, then recovery reports later ones too', () => {
  const e = errors('/dts-v1/;\n/ {\n\ta = <1 2;\n\tb = <GPIO 3>;\n\tc = "ok";\n\tn { d = ; };\n};\n/ { e = <(1 +)>; };');
  assert.deepEqual(e, [
    't.dts:3.10-11 syntax error',
    't.dts:4.7-8 syntax error',
    't.dts:6.10-11 syntax error',
    't.dts:8.14-15 syntax error',
  ]);
  // missing "};" at the end: dtc reports at the last lexeme (here the final newline)
  assert.deepEqual(errors('/dts-v1/;\n/ {\n\ta;\n'), ['t.dts:3.4-4.1 syntax error']);
});

test('guess_boot_cpuid from the first /cpus child', () => {
  assert.equal(parse('/dts-v1/;\n/ { cpus { cpu@3 { reg = <3>; }; cpu@0 { reg = <0>; }; }; };').bootCpuidPhys, 3);
  assert.equal(parse('/dts-v1/;\n/ { cpus { cpu@3 { reg = <0 3>; }; }; };').bootCpuidPhys, 0);
  // dtc takes cpus->children raw: a deleted first child has no (live) reg → 0; revived, its new one
  const del = '/dts-v1/;\n/ { cpus { cpu@3 { reg = <3>; }; cpu@7 { reg = <7>; }; }; };\n/ { cpus { /delete-node/ cpu@3; }; };';
  assert.equal(parse(del).bootCpuidPhys, 0);
  assert.equal(parse(`${del}\n/ { cpus { cpu@3 { reg = <5>; }; }; };`).bootCpuidPhys, 5);
});

test('parseDtsFile reads the file and decodes bytes one-to-one', () => {
  const r = parseDtsFile('f.dts', opts({ 'f.dts': Uint8Array.from(Buffer.from('/dts-v1/;\n/ { s = "\xe9"; };', 'latin1')) }));
  assert.equal(hex(prop(r.tree!.root, 's')), 'e900');
  const missing = parseDtsFile('nope.dts', opts());
  assert.equal(missing.tree, undefined);
  assert.equal(missing.diagnostics[0]!.code, 'file-not-found');
});

test('deleted labels stay in the full label list for -@ (dtc keeps them in node->labels)', () => {
  const t = parse('/dts-v1/;\n/ { a: b: n { }; };\n/delete-node/ &a;\n/ { n { c: d { }; }; };\n/ { n { /delete-node/ d; }; };');
  assert.deepEqual(node(t, '/n').labels, []);
  assert.deepEqual(node(t, '/n').withdel?.labels, ['a', 'b']);
  assert.equal(hasLabelList(node(t, '/n')), true);
  assert.equal(t.root.withdel, undefined);
  assert.equal(hasLabelList(t.root), false);
});

test('hostile nesting ends in a diagnostic, never an exception', () => {
  const deep = '/dts-v1/;\n/ {' + 'a {'.repeat(5000) + '};'.repeat(5000) + '};';
  assert.deepEqual(
    errors(deep).map((e) => e.replace(/:.*? /, ' ')),
    ["t.dts nodes nested more than 1000 deep: carveout's limit"],
  );
  for (const expr of [
    '('.repeat(20000) + '1' + ')'.repeat(20000),
    '-'.repeat(20000) + '1',
    '1?'.repeat(20000) + '1' + ':1'.repeat(20000),
  ]) {
    const e = errors(`/dts-v1/;\n/ { p = <(${expr})>; };`);
    assert.equal(e.length, 1);
    assert.match(e[0]!, /carveout's limit$/);
  }
  // a file including itself stops at dtc's MAX_SRCFILE_DEPTH
  assert.deepEqual(errors('/dts-v1/;\n/include/ "t.dts"\n/ { };', { 't.dts': '/include/ "t.dts"\n' }), [
    't.dts:1.1-18 Includes nested too deeply',
  ]);
  // nesting dtc accepts and we accept
  parse('/dts-v1/;\n/ { p = <' + '('.repeat(200) + '1' + ')'.repeat(200) + '>;' + 'a {'.repeat(900) + '};'.repeat(900) + ' };');
});

test('random input never throws (fast-check)', async () => {
  const fc = await import('fast-check');
  const piece = fc.constantFrom(
    '/dts-v1/;',
    '/plugin/;',
    '/ {',
    '};',
    '{',
    '}',
    ';',
    '=',
    '<',
    '>',
    '[',
    ']',
    '(',
    ')',
    ',',
    ':',
    '&',
    '&a',
    '&{/a}',
    'a:',
    'a',
    'b@1',
    '#x',
    '0x1f',
    '12',
    '09',
    "'c'",
    "'\\x4'",
    '"s\\n"',
    '"',
    "'",
    '/bits/ 8',
    '/delete-node/',
    '/delete-property/',
    '/omit-if-no-ref/',
    '/memreserve/',
    '/incbin/("f")',
    '/include/ "f"',
    '# 1 "x.dtsi"\n',
    '\n',
    ' ',
    '/*',
    '*/',
    '//',
    '+',
    '-',
    '*',
    '/',
    '%',
    '?',
    '<<',
    '>>',
    '&&',
    '||',
    '!',
    '~',
    '==',
    '\0',
    '\xff',
    '\u0100',
  );
  fc.assert(
    fc.property(fc.array(fc.oneof(piece, fc.string({ maxLength: 3 })), { maxLength: 60 }), (parts) => {
      const text = parts.join('');
      const r = parseDts(text, 'f.dts', opts({ f: '/ { x; };', 'inc/f': Uint8Array.of(1, 2) }));
      // a tree only without errors; errors always carry a code and a message
      if (r.tree) assert.ok(!r.diagnostics.some((d) => d.severity === 'error'));
      for (const d of r.diagnostics) assert.ok(d.code && d.message);
    }),
    { numRuns: 3000, seed: 42 },
  );
  // and arbitrary bytes after a valid header
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const r = parseDts('/dts-v1/;\n/ {' + Buffer.from(bytes).toString('latin1'), 'f.dts', opts());
      if (r.tree) assert.ok(!r.diagnostics.some((d) => d.severity === 'error'));
    }),
    { numRuns: 2000, seed: 7 },
  );
});

test('syntax errors in cells carry advice for unexpanded macros and bare negatives', () => {
  const r = parseDts('/dts-v1/;\n/ { a = <GIC_SPI 1>; b = <-1>; };', 't.dts', opts());
  assert.deepEqual(r.diagnostics.map(where), ['t.dts:2.10-11 syntax error', 't.dts:2.27-28 syntax error']);
  assert.match(r.diagnostics[0]!.hint!, /macro the C preprocessor did not expand/);
  assert.match(r.diagnostics[1]!.hint!, /write \(-1\)/);
});

test('a missing semicolon at the end of a line is pointed out', () => {
  const r = parseDts('/dts-v1/;\n/ {\n\ta = <1>\n\tb;\n};', 't.dts', opts());
  assert.deepEqual(r.diagnostics.map(where), ['t.dts:4.2-3 syntax error']);
  assert.match(r.diagnostics[0]!.hint!, /Missing ';' at the end of line 3\?/);
});

test("deleted children stay visible by name for checks that read dtc's raw list", () => {
  const t = parse('/dts-v1/;\n/ { i2c { a@1 { }; b@2 { }; }; m { /delete-node/ x; y { }; }; };\n/ { i2c { /delete-node/ a@1; }; };');
  assert.deepEqual(
    node(t, '/i2c').children.map((c) => c.name),
    ['b@2'],
  );
  const all = childrenWithDeleted(node(t, '/i2c'));
  assert.deepEqual(
    all.map((c) => [c.name, c.deleted ?? false, `${c.span.line}.${c.span.column}`, c.extraSpans?.length ?? 0]),
    [
      ['a@1', true, '2.15', 0],
      ['b@2', false, '2.24', 0],
    ],
  );
  assert.equal(all[1], node(t, '/i2c/b@2')); // the live entries are the live nodes
  // a /delete-node/ placeholder in a new node is a deleted child too
  assert.deepEqual(
    childrenWithDeleted(node(t, '/m')).map((c) => c.name),
    ['x', 'y'],
  );
  assert.equal(t.root.withdel, undefined);
  assert.equal(childrenWithDeleted(t.root), t.root.children);
});

test('a revived /delete-node/ placeholder is marked: dtc left its parent pointer NULL', () => {
  const t = parse('/dts-v1/;\n/ { x { }; };\n/ { x { n { /delete-node/ c; }; n { L3: c { p; }; }; }; };');
  const c = node(t, '/x/n/c');
  assert.equal(c.parent, node(t, '/x/n')); // our tree stays navigable
  assert.equal(c.dtcNullParent, true);
  assert.equal(node(t, '/x/n').dtcNullParent, undefined);
  // a node re-opened normally keeps its parent in dtc too
  assert.equal(node(parse('/dts-v1/;\n/ { n { c { }; }; };\n/ { n { c { p; }; }; };'), '/n/c').dtcNullParent, undefined);
});

test('deleted properties stay visible with their last value (dtc keeps them in node->proplist)', () => {
  const t = parse(
    '/dts-v1/;\n/ { n { name = "x"; a = <1>; b; }; m { /delete-property/ q; r; }; };\n/ { n { /delete-property/ name; /delete-property/ b; }; };',
  );
  const n = node(t, '/n');
  assert.deepEqual(
    n.props.map((p) => p.name),
    ['a'],
  );
  assert.deepEqual(
    propsWithDeleted(n).map((p) => [p.name, Buffer.from(p.value).toString('latin1'), p.deleted ?? false]),
    [
      ['name', 'x\0', true],
      ['a', '\0\0\0\x01', false],
      ['b', '', true],
    ],
  );
  // a bare /delete-property/ in a node's first block is a full-list entry too, with no value
  assert.deepEqual(
    propsWithDeleted(node(t, '/m')).map((p) => [p.name, p.value.length, p.deleted ?? false]),
    [
      ['q', 0, true],
      ['r', 0, false],
    ],
  );
  assert.equal(t.root.withdel, undefined);
  // revived by a later definition: live again, in its old place
  const r = parse('/dts-v1/;\n/ { n { a = <1>; }; };\n/ { n { /delete-property/ a; }; };\n/ { n { a = <2>; }; };');
  assert.equal(node(r, '/n').withdel, undefined);
});

test('a deleted "name" property is still checked, as dtc\'s check_name_properties walks the raw list', async () => {
  const { compileString } = await import('../../src/compile.js');
  const r = compileString('/dts-v1/;\n/ { n { name = "x"; }; };\n/ { n { /delete-property/ name; }; };', {
    fileName: 't.dts',
    preprocess: false,
  });
  // dtc 1.6.1: t.dts:2.7-23: ERROR (name_properties): /n: "name" property is incorrect ("x" instead of base node name), exit 2
  assert.equal(r.dtb, undefined);
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}.${d.column} ${d.message}`),
    ['2.7 /n: "name" property is incorrect ("x" instead of base node name)'],
  );
  // a correct deleted name is harmless
  assert.ok(
    compileString('/dts-v1/;\n/ { n { name = "n"; }; };\n/ { n { /delete-property/ name; }; };', { fileName: 't.dts', preprocess: false })
      .dtb,
  );
});
