// Property-based test (fast-check, fixed seed): mutate real DTBs — bit flips, byte and word writes,
// header field edits, truncation, deletion, duplication, splices from other blobs — 100,000 times.
// The reader must never throw, never hang, report errors only as diagnostics, and whatever tree it
// accepts must write and read back cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { readDtb } from '../../src/fdt/reader.js';
import { writeDtb } from '../../src/fdt/writer.js';
import { writeDts } from '../../src/fdt/dts-writer.js';
import { repoRoot } from '../helpers/cli.js';

const fixtureDir = join(repoRoot, 'test/fixtures/dtb');
const bases = readdirSync(fixtureDir)
  .filter((f) => /\.dtbo?$/.test(f))
  .sort()
  .map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(fixtureDir, f))) }));

const RUNS = Number(process.env.CARVEOUT_FUZZ_RUNS ?? 100_000);
const SEED = 0x0fd7_c0de;

// Values that matter to a DTB reader: tokens, small lengths, alignment edges, 2^31, 2^32 - k.
const u32 = fc.oneof(
  fc.constantFrom(0, 1, 2, 3, 4, 8, 9, 16, 17, 0x28, 0x7fffffff, 0x80000000, 0xfffffff0, 0xfffffffc, 0xffffffff, 0xd00dfeed),
  fc.nat({ max: 0x4000 }),
  fc.integer({ min: 0, max: 0xffffffff }),
);

type Op =
  | { k: 'flip'; pos: number; bit: number }
  | { k: 'byte'; pos: number; val: number }
  | { k: 'word'; pos: number; val: number }
  | { k: 'header'; field: number; val: number }
  | { k: 'truncate'; len: number }
  | { k: 'delete'; pos: number; len: number }
  | { k: 'dup'; pos: number; len: number; to: number }
  | { k: 'splice'; src: number; from: number; len: number; to: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ k: fc.constant('flip' as const), pos: fc.nat(), bit: fc.nat({ max: 7 }) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('byte' as const), pos: fc.nat(), val: fc.nat({ max: 255 }) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('word' as const), pos: fc.nat(), val: u32 }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('header' as const), field: fc.nat({ max: 9 }), val: u32 }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('truncate' as const), len: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('delete' as const), pos: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('dup' as const), pos: fc.nat(), len: fc.integer({ min: 1, max: 256 }), to: fc.nat() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('splice' as const),
      src: fc.nat(),
      from: fc.nat(),
      len: fc.integer({ min: 1, max: 256 }),
      to: fc.nat(),
    }),
  },
);

function insert(b: Uint8Array, at: number, piece: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length + piece.length);
  out.set(b.subarray(0, at));
  out.set(piece, at);
  out.set(b.subarray(at), at + piece.length);
  return out;
}

function apply(base: Uint8Array, ops: Op[]): Uint8Array {
  let b: Uint8Array = base.slice();
  for (const o of ops) {
    const n = b.length;
    switch (o.k) {
      case 'flip':
        if (n) b[o.pos % n]! ^= 1 << o.bit;
        break;
      case 'byte':
        if (n) b[o.pos % n] = o.val;
        break;
      case 'word': {
        // Aligned, so it lands on tokens, lengths and name offsets.
        if (n >= 4) new DataView(b.buffer, b.byteOffset).setUint32((o.pos % (n - 3)) & ~3, o.val);
        break;
      }
      case 'header':
        if (n >= 4 * o.field + 4) new DataView(b.buffer, b.byteOffset).setUint32(4 * o.field, o.val);
        break;
      case 'truncate':
        b = b.slice(0, n ? o.len % n : 0);
        break;
      case 'delete': {
        if (!n) break;
        const at = o.pos % n;
        b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + o.len)]);
        break;
      }
      case 'dup': {
        if (!n) break;
        const at = o.pos % n;
        b = insert(b, o.to % (n + 1), b.slice(at, at + o.len));
        break;
      }
      case 'splice': {
        const src = bases[o.src % bases.length]!.bytes;
        const at = o.from % src.length;
        b = insert(b, o.to % (n + 1), src.slice(at, at + o.len));
        break;
      }
    }
  }
  return b;
}

test('the fixtures are valid blobs', () => {
  assert.ok(bases.length >= 4);
  for (const { name, bytes } of bases) {
    const r = readDtb(bytes, name);
    assert.ok(r.tree, `${name}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
  }
});

test(`fast-check: ${RUNS} mutated real DTBs — no exception, no hang, accepted trees round-trip`, () => {
  let accepted = 0;
  let rejected = 0;
  let maxMs = 0;
  const codes = new Map<string, number>();
  const t0 = performance.now();
  fc.assert(
    fc.property(fc.nat({ max: bases.length - 1 }), fc.array(op, { minLength: 1, maxLength: 4 }), (which, ops) => {
      const blob = apply(bases[which]!.bytes, ops);
      const s = performance.now();
      const r = readDtb(blob, 'fuzz.dtb');
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      for (const d of r.diagnostics) {
        if (d.code === 'dtb-internal') throw new Error(`reader bug: ${d.message}`);
        if (!d.message || d.file !== 'fuzz.dtb') throw new Error(`malformed diagnostic ${JSON.stringify(d)}`);
      }
      if (r.tree) {
        if (errors.length) throw new Error('a tree came back together with errors');
        accepted++;
        const w = writeDtb(r.tree);
        const r2 = readDtb(w, 'fuzz.dtb');
        if (!r2.tree || r2.diagnostics.some((d) => d.severity === 'error'))
          throw new Error(`rewritten blob does not read back: ${r2.diagnostics.map((d) => d.message).join('; ')}`);
        if (Buffer.compare(Buffer.from(writeDtb(r2.tree)), Buffer.from(w)) !== 0) throw new Error('write → read → write is not stable');
        writeDts(r.tree);
      } else {
        if (!errors.length) throw new Error('no tree and no error');
        rejected++;
        for (const e of errors) codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
      }
      const ms = performance.now() - s;
      if (ms > maxMs) maxMs = ms;
      if (ms > 2000) throw new Error(`one blob took ${ms.toFixed(0)} ms`);
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  );
  const secs = (performance.now() - t0) / 1000;
  process.stdout.write(
    `# fuzz: ${RUNS} runs in ${secs.toFixed(1)} s (seed ${SEED}); accepted ${accepted}, rejected ${rejected}; slowest ${maxMs.toFixed(1)} ms\n`,
  );
  process.stdout.write(
    `# fuzz error codes: ${[...codes]
      .sort((a, b) => b[1] - a[1])
      .map(([c, n]) => `${c} ${n}`)
      .join(', ')}\n`,
  );
  assert.ok(accepted > RUNS / 50, 'mutations should not all be rejected (they would test only the header)');
  assert.ok(rejected > RUNS / 10, 'mutations should mostly corrupt something');
});

// Names dtc's lexer can spell (dtc-lexer.l PROPNODECHAR); a blob may hold others.
const spellable = (name: string): boolean => /^[a-zA-Z0-9,._+*#?@-]+$/.test(name);
function allSpellable(root: import('../../src/tree/types.js').Node): boolean {
  if (root.name !== '') return false;
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    for (const p of n.props) if (!spellable(p.name)) return false;
    for (const c of n.children) {
      if (!spellable(c.name)) return false;
      stack.push(c);
    }
  }
  return true;
}

test('fast-check: decompiled mutated blobs compile back (carveout) to the same bytes', async (t) => {
  let compiler: typeof import('../../src/compile.js');
  try {
    compiler = await import('../../src/compile.js');
  } catch {
    return t.skip('src/compile.ts does not load yet');
  }
  const runs = Math.max(1, Math.round(RUNS / 20));
  let checked = 0;
  fc.assert(
    fc.property(fc.nat({ max: bases.length - 1 }), fc.array(op, { minLength: 1, maxLength: 3 }), (which, ops) => {
      const r = readDtb(apply(bases[which]!.bytes, ops), 'fuzz.dtb');
      if (!r.tree || !allSpellable(r.tree.root)) return;
      checked++;
      const want = writeDtb(r.tree);
      const text = writeDts(r.tree);
      const c = compiler.compileString(text, {
        fileName: 'fuzz.dts',
        preprocess: false,
        force: true,
        quiet: 3,
        bootCpuid: r.tree.bootCpuidPhys,
      });
      if (!c.dtb)
        throw new Error(
          `decompiled text does not compile: ${c.diagnostics
            .filter((d) => d.severity === 'error')
            .map((d) => d.message)
            .join('; ')}\n${text}`,
        );
      if (Buffer.compare(Buffer.from(c.dtb), Buffer.from(want)) !== 0) throw new Error(`round trip changed the blob\n${text}`);
    }),
    { numRuns: runs, seed: SEED + 1, endOnFailure: true },
  );
  process.stdout.write(`# fuzz round trip: ${checked} accepted mutated trees of ${runs} runs decompiled and recompiled identically\n`);
  assert.ok(checked > runs / 20);
});

// Differential: the same mutated blobs through Debian's dtc (`-I dtb -O dtb -f`) and through
// readDtb in dtc-compatible mode: the same verdict every time (unless dtc crashes or hangs), and
// the same bytes whenever both accept.
test('differential against dtc -I dtb (dtcCompat): same verdict, same bytes', async (t) => {
  const { ensureDtc, dtc } = await import('./dtc-helper.js');
  const have = ensureDtc();
  if (have.why) return t.skip(have.why);
  const runs = Math.max(1, Math.round(RUNS / 100));
  const tally = new Map<string, number>();
  fc.assert(
    fc.property(fc.nat({ max: bases.length - 1 }), fc.array(op, { minLength: 1, maxLength: 3 }), (which, ops) => {
      const blob = apply(bases[which]!.bytes, ops);
      const ours = readDtb(blob, 'fuzz.dtb', { dtcCompat: true });
      const ref = dtc(['-q', '-f', '-I', 'dtb', '-O', 'dtb', '-'], { input: blob });
      let kind: string;
      if (ref.status !== 0 && ref.status !== 1) kind = 'dtc crashed or hung';
      else if (ref.status === 0 && ours.tree) {
        if (Buffer.compare(Buffer.from(writeDtb(ours.tree)), ref.stdout) !== 0)
          throw new Error("both accept, but our blob differs from dtc's");
        kind = 'both accept, same bytes';
      } else if (ref.status !== 0 && !ours.tree) kind = 'both reject';
      else if (ref.status === 0) throw new Error(`dtc accepts, we reject: ${ours.diagnostics.map((d) => d.message).join('; ')}`);
      else throw new Error(`dtc rejects (${ref.stderr.split('\n')[0]}), we accept`);
      tally.set(kind, (tally.get(kind) ?? 0) + 1);
    }),
    { numRuns: runs, seed: SEED + 2, endOnFailure: true },
  );
  process.stdout.write(
    `# differential vs dtc (${runs} runs): ${[...tally]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}\n`,
  );
  assert.ok((tally.get('both accept, same bytes') ?? 0) > runs / 20);
});
