// Hostile blobs: every kind of corruption gives a clear error diagnostic (code + byte offset in the
// message), never an exception, in bounded time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { readDtb, type ReadDtbOptions } from '../../src/fdt/reader.js';
import { writeDtb } from '../../src/fdt/writer.js';
import { writeDts } from '../../src/fdt/dts-writer.js';
import { FDT_BEGIN_NODE, FDT_END, FDT_END_NODE, FDT_NOP, FDT_PROP } from '../../src/fdt/constants.js';

/** A structure block written token by token. */
class Struct {
  private parts: number[] = [];
  u32(v: number): this {
    this.parts.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
    return this;
  }
  raw(bytes: number[] | string): this {
    const b = typeof bytes === 'string' ? [...Buffer.from(bytes, 'latin1')] : bytes;
    for (const x of b) this.parts.push(x);
    return this;
  }
  pad(): this {
    while (this.parts.length % 4) this.parts.push(0);
    return this;
  }
  begin(name: string): this {
    return this.u32(FDT_BEGIN_NODE)
      .raw(name + '\0')
      .pad();
  }
  prop(nameoff: number, value: number[] | string = [], len?: number): this {
    const v = typeof value === 'string' ? [...Buffer.from(value, 'latin1')] : value;
    return this.u32(FDT_PROP)
      .u32(len ?? v.length)
      .u32(nameoff)
      .raw(v)
      .pad();
  }
  endNode(): this {
    return this.u32(FDT_END_NODE);
  }
  end(): this {
    return this.u32(FDT_END);
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

interface BlobParts {
  struct: Uint8Array;
  strings?: string | Uint8Array;
  rsv?: [bigint, bigint][];
  version?: number;
}

/** A v17 blob laid out as dtc does: header, reserve map, structure block, strings block. */
function blob(p: BlobParts): Uint8Array {
  const strings = typeof p.strings === 'string' ? Buffer.from(p.strings, 'latin1') : (p.strings ?? new Uint8Array());
  const rsv = p.rsv ?? [];
  const rsvOff = 40;
  const structOff = rsvOff + (rsv.length + 1) * 16;
  const strOff = structOff + p.struct.length;
  const total = strOff + strings.length;
  const b = new Uint8Array(total);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0xd00dfeed);
  v.setUint32(4, total);
  v.setUint32(8, structOff);
  v.setUint32(12, strOff);
  v.setUint32(16, rsvOff);
  v.setUint32(20, p.version ?? 17);
  v.setUint32(24, 16);
  v.setUint32(28, 0);
  v.setUint32(32, strings.length);
  v.setUint32(36, p.struct.length);
  rsv.forEach(([a, s], i) => {
    v.setBigUint64(rsvOff + i * 16, a);
    v.setBigUint64(rsvOff + i * 16 + 8, s);
  });
  b.set(p.struct, structOff);
  b.set(strings, strOff);
  return b;
}

function setU32(b: Uint8Array, off: number, val: number): Uint8Array {
  const c = b.slice();
  new DataView(c.buffer).setUint32(off, val >>> 0);
  return c;
}

/** A small valid blob: / { compatible = "x"; #address-cells = <2>; child@1 { reg = <1>; }; }. */
const STRINGS = 'compatible\0#address-cells\0reg\0';
const good = (): Uint8Array =>
  blob({
    struct: new Struct()
      .begin('')
      .prop(0, 'x\0')
      .prop(11, [0, 0, 0, 2])
      .begin('child@1')
      .prop(26, [0, 0, 0, 1])
      .endNode()
      .endNode()
      .end()
      .bytes(),
    strings: STRINGS,
    rsv: [[0x8000_0000n, 0x1000n]],
  });

/** Read, demand an error with `code` whose message names an offset, and time it. */
/**
 * Growth, not wall-clock: `run(n)` at n and n / 8 (best of three each, after a warm-up). Linear work
 * grows about 8×, quadratic 64×; 32× leaves room for a loaded machine without letting a quadratic
 * walk through. A machine busy with other work can still stall one measurement (a few ms at n / 8
 * against a preemption or a GC), so the pair is measured up to three times: a quadratic walk fails
 * every time, noise does not.
 */
function assertLinear(what: string, n: number, run: (n: number) => void): void {
  const best = (k: number): number => {
    let t = Infinity;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      run(k);
      t = Math.min(t, performance.now() - t0);
    }
    return t;
  };
  run(n / 8);
  const tries: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const small = Math.max(best(n / 8), 0.5);
    const large = best(n);
    if (large / small < 32) return;
    tries.push(`${n / 8} took ${small.toFixed(1)} ms, ${n} took ${large.toFixed(1)} ms`);
  }
  assert.fail(`${what}: ${tries.join('; ')}`);
}

function expectError(b: Uint8Array, code: string, msg?: RegExp, opts?: ReadDtbOptions): void {
  const t0 = performance.now();
  const r = readDtb(b, 'hostile.dtb', opts);
  const ms = performance.now() - t0;
  const errs = r.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(r.tree, undefined, `no tree expected for ${code}`);
  assert.ok(errs.length >= 1, `an error expected for ${code}`);
  const e = errs.find((d) => d.code === code);
  assert.ok(e, `expected ${code}, got ${errs.map((d) => `${d.code}: ${d.message}`).join('; ')}`);
  assert.equal(e.file, 'hostile.dtb');
  assert.match(e.message, /offset|bytes/, 'the message names where');
  if (msg) assert.match(e.message, msg);
  assert.ok(ms < 2000, `${code} took ${ms.toFixed(0)} ms`);
}

test('the valid base blob reads and writes back identically', () => {
  const b = good();
  const r = readDtb(b, 'good.dtb');
  assert.deepEqual(r.diagnostics, []);
  assert.ok(r.tree);
  assert.equal(r.tree.root.children[0]!.name, 'child@1');
  assert.deepEqual(
    r.tree.memreserves.map((m) => [m.address, m.size]),
    [[0x8000_0000n, 0x1000n]],
  );
  assert.deepEqual([...writeDtb(r.tree)], [...b]);
});

test('too short, bad magic, truncated header or body', () => {
  expectError(new Uint8Array(), 'dtb-truncated', /0 bytes/);
  expectError(Uint8Array.from([0xd0, 0x0d, 0xfe]), 'dtb-truncated', /3 bytes/);
  expectError(setU32(good(), 0, 0xedfe0dd0), 'dtb-bad-magic', /0xedfe0dd0 at offset 0x0/);
  expectError(Buffer.from('this is not a device tree blob at all'), 'dtb-bad-magic');
  expectError(good().subarray(0, 20), 'dtb-truncated', /20 bytes/);
  expectError(good().subarray(0, 39), 'dtb-truncated', /version 17 header/);
  const g = good();
  expectError(
    g.subarray(0, g.length - 1),
    'dtb-truncated',
    new RegExp(`totalsize ${g.length} \\(offset 0x4\\) but only ${g.length - 1} bytes`),
  );
});

test('sizes and offsets near 2^32', () => {
  expectError(setU32(good(), 4, 0xffffffff), 'dtb-truncated', /totalsize 4294967295/);
  expectError(setU32(good(), 4, 8), 'dtb-bad-header', /totalsize 8/);
  expectError(setU32(good(), 8, 0xfffffffc), 'dtb-bad-offset', /structure block offset 0xfffffffc/);
  expectError(setU32(good(), 12, 0xfffffff0), 'dtb-bad-offset', /strings block offset 0xfffffff0/);
  expectError(setU32(good(), 16, 0xffffffff), 'dtb-bad-offset', /memory reservation block offset 0xffffffff/);
  expectError(setU32(good(), 32, 0xffffffff), 'dtb-bad-offset', /strings block .* of size 4294967295/);
  expectError(setU32(good(), 36, 0xfffffff0), 'dtb-bad-offset', /structure block .* of size 4294967280/);
  expectError(setU32(good(), 16, 0), 'dtb-bad-offset', /memory reservation block offset 0x0 .*outside/);
});

test('overlapping blocks and misalignment', () => {
  const g = good();
  const v = new DataView(g.buffer);
  const structOff = v.getUint32(8);
  // Strings block moved onto the structure block.
  expectError(
    setU32(g, 12, structOff),
    'dtb-overlap',
    /strings block .* overlaps the structure block|structure block .* overlaps the strings block/,
  );
  // Structure block starting inside the reserve map (entry 0 sits at 0x28..0x38).
  const inRsv = setU32(setU32(g, 8, 0x30), 36, v.getUint32(36));
  expectError(inRsv, 'dtb-overlap', /overlaps the memory reservation block/);
  // Strings block inside the reserve map.
  expectError(
    setU32(g, 12, 0x28),
    'dtb-overlap',
    /strings block \(offsets 0x28-0x45\) overlaps the memory reservation block \(offsets 0x28-0x47\)/,
  );
  expectError(setU32(g, 8, structOff + 2), 'dtb-misaligned', /0x[0-9a-f]+ \(header offset 0x8\) is not 4-byte aligned/);
  // v16 (no size_dt_struct): the structure block's extent is found by walking it.
  const v16 = setU32(setU32(g, 20, 16), 12, structOff + 8);
  expectError(v16, 'dtb-overlap');
});

test('memory reservation block without a terminator', () => {
  // Header + four non-empty entries and nothing else: structure and strings blocks empty, at the end.
  const b = new Uint8Array(40 + 64);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0xd00dfeed);
  v.setUint32(4, b.length);
  v.setUint32(8, b.length);
  v.setUint32(12, b.length);
  v.setUint32(16, 40);
  v.setUint32(20, 17);
  v.setUint32(24, 16);
  for (let i = 0; i < 4; i++) v.setBigUint64(40 + i * 16 + 8, 1n);
  expectError(b, 'dtb-unterminated-rsvmap', /no terminating entry .*entry at offset 0x68/);
});

test('unterminated names, bad name offsets, property lengths that wrap', () => {
  const unterminatedNode = blob({ struct: new Struct().begin('').u32(FDT_BEGIN_NODE).raw('abcdefgh').bytes(), strings: STRINGS });
  expectError(unterminatedNode, 'dtb-unterminated-string', /node name at offset 0x[0-9a-f]+ is not NUL-terminated/);
  const unterminatedProp = blob({ struct: new Struct().begin('').prop(0, 'x\0').endNode().end().bytes(), strings: 'compatible' });
  expectError(unterminatedProp, 'dtb-unterminated-string', /name at strings offset 0x0 .* not NUL-terminated/);
  const badNameoff = blob({ struct: new Struct().begin('').prop(0xfffffff0, 'x\0').endNode().end().bytes(), strings: STRINGS });
  expectError(badNameoff, 'dtb-bad-offset', /name offset 0xfffffff0 is outside the strings block/);
  for (const len of [0xffffffff, 0xfffffff8, 0x80000000, 100]) {
    const b = blob({ struct: new Struct().begin('').prop(0, 'x\0', len).endNode().end().bytes(), strings: STRINGS });
    expectError(b, 'dtb-bad-length', new RegExp(`value of ${len} bytes`));
  }
});

test('bad tokens and broken nesting', () => {
  const s = () => new Struct().begin('').prop(0, 'x\0');
  expectError(blob({ struct: s().u32(0x12345678).bytes(), strings: STRINGS }), 'dtb-bad-token', /invalid token 0x12345678 at offset 0x/);
  expectError(blob({ struct: s().end().bytes(), strings: STRINGS }), 'dtb-bad-structure', /premature FDT_END/);
  expectError(
    blob({ struct: s().endNode().endNode().end().bytes(), strings: STRINGS }),
    'dtb-bad-structure',
    /FDT_END_NODE at offset .* without an open node/,
  );
  expectError(blob({ struct: s().endNode().begin('').endNode().end().bytes(), strings: STRINGS }), 'dtb-bad-structure', /second root node/);
  expectError(blob({ struct: new Struct().prop(0, 'x\0').end().bytes(), strings: STRINGS }), 'dtb-bad-structure', /outside any node/);
  expectError(blob({ struct: new Struct().end().bytes(), strings: STRINGS }), 'dtb-bad-structure', /no root node/);
  expectError(blob({ struct: s().endNode().bytes(), strings: STRINGS }), 'dtb-truncated', /FDT_END token expected/);
  expectError(blob({ struct: s().bytes(), strings: STRINGS }), 'dtb-truncated');
  expectError(blob({ struct: new Struct().bytes(), strings: STRINGS }), 'dtb-truncated');
});

test('versions: unknown ones rejected, newer compatible ones read as 17', () => {
  expectError(setU32(good(), 20, 0), 'dtb-bad-version', /unsupported blob version 0/);
  expectError(setU32(good(), 20, 5), 'dtb-bad-version');
  expectError(setU32(setU32(good(), 20, 18), 24, 18), 'dtb-bad-version', /last_comp_version 18/);
  const r = readDtb(setU32(good(), 20, 18));
  assert.ok(r.tree);
  assert.deepEqual(
    r.diagnostics.map((d) => d.code),
    ['dtb-version'],
  );
});

test('nesting 10,000 deep: a clear error by default, and readable in linear time when allowed', () => {
  const deep = (n: number): Uint8Array => {
    const s = new Struct();
    for (let i = 0; i < n; i++) s.begin(i ? 'n' : '');
    for (let i = 0; i < n; i++) s.endNode();
    return blob({ struct: s.end().bytes(), strings: '' });
  };
  const b = deep(10_000);
  expectError(b, 'dtb-too-deep', /nested more than 1024 levels deep/);
  const r = readDtb(b, 'deep.dtb', { maxDepth: 20_000 });
  assert.ok(r.tree);
  // The writers walk without recursion: no stack overflow.
  assert.deepEqual([...writeDtb(r.tree)], [...b]);
  assert.ok(writeDts(r.tree).length > 10_000);
  // (Not writeDts: its output is quadratic in the depth by nature, one tab per level a line.)
  assertLinear('read + write by depth', 16_000, (n) => writeDtb(readDtb(deep(n), 'deep.dtb', { maxDepth: 20_000 }).tree!));
});

test('linear time on blobs built to be slow: a million NOPs, one long string hit at many offsets', () => {
  const nops = (n: number): Uint8Array => {
    const s = new Struct().begin('');
    for (let i = 0; i < n; i++) s.u32(FDT_NOP);
    return blob({ struct: s.endNode().end().bytes(), strings: '' });
  };
  assert.ok(readDtb(nops(1_000_000)).tree);
  assertLinear('NOPs', 1_000_000, (n) => assert.ok(readDtb(nops(n)).tree));
  // 1 MiB strings block holding a single string; 50,000 properties naming distinct offsets in it
  // (each name is a different suffix of that string).
  const strings = new Uint8Array(1 << 20).fill(0x61);
  strings[strings.length - 1] = 0;
  const props = (n: number): Struct => {
    const p = new Struct().begin('');
    for (let i = 0; i < n; i++) p.prop(i * 7, []);
    return p;
  };
  const p = props(50_000);
  const longNames = blob({ struct: p.endNode().end().bytes(), strings });
  const r2 = readDtb(longNames);
  assert.ok(r2.tree);
  assert.equal(r2.tree.root.props.length, 50_000);
  assert.equal(r2.tree.root.props[1]!.name.length, (1 << 20) - 1 - 7);
  assertLinear('long names', 48_000, (n) => assert.ok(readDtb(blob({ struct: props(n).endNode().end().bytes(), strings })).tree));
  // And the same 1 MiB string with no NUL at all: one clear error.
  strings[strings.length - 1] = 0x61;
  expectError(blob({ struct: p.bytes(), strings }), 'dtb-unterminated-string');
});

test("properties after subnodes: dtc's warning, and the tree keeps properties first", () => {
  const b = blob({ struct: new Struct().begin('').begin('a').endNode().prop(0, 'x\0').endNode().end().bytes(), strings: STRINGS });
  const r = readDtb(b);
  assert.ok(r.tree);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.severity, d.code]),
    [['warning', 'dtb-prop-after-node']],
  );
  assert.match(r.diagnostics[0]!.message, /property "compatible" at offset 0x[0-9a-f]+ follows a subnode of \//);
  assert.equal(r.tree.root.props[0]!.name, 'compatible');
});

test('phandles come from phandle, else linux,phandle', () => {
  const b = blob({
    struct: new Struct()
      .begin('')
      .begin('a')
      .prop(0, [0, 0, 0, 5])
      .endNode()
      .begin('b')
      .prop(6, [0, 0, 0, 6])
      .prop(0, [0, 0, 0, 7])
      .endNode()
      .endNode()
      .end()
      .bytes(),
    strings: 'linux,phandle\0phandle\0',
  });
  const r = readDtb(b);
  assert.ok(r.tree);
  assert.deepEqual(
    r.tree.root.children.map((c) => c.phandle),
    [5, 6],
  );
});

test('a tree deeper than the kernel unflattens gets one warning, not an error', () => {
  const depth = (n: number): Uint8Array => {
    const s = new Struct();
    for (let i = 0; i < n; i++) s.begin(i ? 'n' : '');
    for (let i = 0; i < n; i++) s.endNode();
    return blob({ struct: s.end().bytes(), strings: '' });
  };
  assert.deepEqual(readDtb(depth(63)).diagnostics, []); // deepest node 62 levels below the root
  const r = readDtb(depth(66));
  assert.ok(r.tree);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.severity, d.code]),
    [['warning', 'dtb-kernel-depth']],
  );
  assert.match(r.diagnostics[0]!.message, /nested 63 levels below the root: Linux skips/);
});

test('labels from __symbols__ on request', () => {
  const b = blob({
    struct: new Struct()
      .begin('')
      .begin('uart@1000')
      .endNode()
      .begin('__symbols__')
      .prop(0, '/uart@1000\0')
      .prop(7, '/nowhere\0')
      .endNode()
      .endNode()
      .end()
      .bytes(),
    strings: 'serial0\0ghost\0',
  });
  assert.deepEqual(readDtb(b).tree!.root.children[0]!.labels, []);
  const r = readDtb(b, 'x.dtb', { labelsFromSymbols: true });
  assert.deepEqual(r.tree!.root.children[0]!.labels, ['serial0']);
  assert.match(writeDts(r.tree!), /\tserial0: uart@1000 \{/);
});

test('a blob inside a larger buffer (odd byteOffset) and trailing bytes past totalsize', () => {
  const g = good();
  const host = new Uint8Array(g.length + 13);
  host.set(g, 5);
  host.fill(0xee, 5 + g.length);
  const view = host.subarray(5); // misaligned view with 8 trailing bytes after the blob
  const r = readDtb(view);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual([...writeDtb(r.tree!)], [...g]);
});

test("dtcCompat: dtc's leniencies and its stricter spots", () => {
  const g = good();
  // Strings block inside the reserve map: libfdt-strict rejects, dtc reads it.
  const overlap = setU32(g, 12, 0x28);
  expectError(overlap, 'dtb-overlap');
  assert.ok(!readDtb(overlap, 'x', { dtcCompat: true }).diagnostics.some((d) => d.code === 'dtb-overlap'));
  // last_comp_version from the future: dtc does not look.
  const future = setU32(g, 24, 99);
  expectError(future, 'dtb-bad-version');
  assert.ok(readDtb(future, 'x', { dtcCompat: true }).tree);
  // A NOP before the root node: libfdt skips it, dtc refuses.
  const s = new Struct().u32(FDT_NOP).begin('').endNode().end().bytes();
  assert.ok(readDtb(blob({ struct: s })).tree);
  expectError(blob({ struct: s }), 'dtb-bad-structure', /does not begin with FDT_BEGIN_NODE \(begins with 0x4 at offset/, {
    dtcCompat: true,
  });
  // size_dt_struct too small: libfdt stops there, dtc reads on to totalsize.
  const short = setU32(g, 36, 8);
  expectError(short, 'dtb-truncated');
  assert.ok(readDtb(short, 'x', { dtcCompat: true }).tree);
});
