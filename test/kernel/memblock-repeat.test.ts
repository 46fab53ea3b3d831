// memblock's repeated allocations (physAllocRangeRepeat, allocTryNidRepeat) against the same calls
// made one by one: same tables, same trace line for line, same blocks — on random layouts with
// holes, NOMAP memory, nodes, a current limit, top-down and bottom-up, arrays close to full (so
// the calls double them, or fail on 6.1 before memblock_allow_resize), and allocations that fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  Memblock,
  MEMBLOCK_ALLOC_ACCESSIBLE,
  MEMBLOCK_ALLOC_NOLEAKTRACE,
  memblockCalls,
  memblockTraceLines,
  formatMemblockEvent,
  type AllocRun,
} from '../../src/kernel/memblock.js';
import { seriesByName } from '../../src/kernel/versions/index.js';

const PAGE = 4096n;

interface Layout {
  version: '5.10' | '6.1' | '6.12' | '7.2';
  bits: 32 | 64;
  banks: { base: bigint; size: bigint; nid: number; nomap: boolean }[];
  reserves: { base: bigint; size: bigint }[];
  bottomUp: boolean;
  limit: bigint | undefined;
  canResize: boolean;
  initRegions: number;
}

function build(l: Layout): Memblock {
  const m = new Memblock({
    physAddrBits: l.bits,
    pageSize: 4096,
    behaviour: seriesByName(l.version).memblock,
    numa: true,
    maxNumNodes: 4,
    initRegions: { memory: l.initRegions, reserved: l.initRegions },
  });
  for (const b of l.banks) {
    m.add(b.base, b.size);
    m.setNode(b.base, b.size, m.memory, b.nid);
    if (b.nomap) m.markNomap(b.base, b.size);
  }
  for (const r of l.reserves) m.reserve(r.base, r.size);
  m.setBottomUp(l.bottomUp);
  if (l.limit !== undefined) m.setCurrentLimit(l.limit);
  if (l.canResize) m.allowResize();
  return m;
}

const pages = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).map((n) => BigInt(n) * PAGE);

const layout: fc.Arbitrary<Layout> = fc.record({
  version: fc.constantFrom('5.10' as const, '6.1' as const, '6.12' as const, '7.2' as const),
  bits: fc.constantFrom(32 as const, 64 as const),
  banks: fc.array(fc.record({ base: pages(0, 4096), size: pages(1, 2048), nid: fc.integer({ min: 0, max: 1 }), nomap: fc.boolean() }), {
    minLength: 1,
    maxLength: 5,
  }),
  reserves: fc.array(fc.record({ base: pages(0, 6000), size: pages(1, 64) }), { maxLength: 12 }),
  bottomUp: fc.boolean(),
  limit: fc.option(pages(1, 6000), { nil: undefined }),
  canResize: fc.boolean(),
  initRegions: fc.integer({ min: 4, max: 16 }),
});

/** Runs in call order, from the results of single calls. */
function runsOf(results: bigint[], size: bigint, bottomUp: boolean): AllocRun[] {
  const out: AllocRun[] = [];
  for (const r of results) {
    const last = out.at(-1);
    const step = bottomUp ? size : -size;
    if (last && r && last.first && last.first + BigInt(last.count) * step === r) last.count++;
    else if (last && !r && !last.first) last.count++;
    else out.push({ first: r, count: 1, step: r ? step : 0n });
  }
  return out;
}

function same(one: Memblock, many: Memblock, what: string): void {
  assert.deepEqual(many.tables(), one.tables(), `${what}: tables`);
  assert.equal(many.reservedSize(), one.reservedSize());
  assert.equal(many.reserved.max, one.reserved.max);
  const bits = one.bits;
  const lines = (m: Memblock) => m.events.map((e) => formatMemblockEvent(e, bits)).filter((x) => x !== undefined);
  assert.deepEqual([...memblockTraceLines(many.events, bits)], lines(one), `${what}: trace lines`);
  // every call's own event, results included
  assert.deepEqual([...memblockCalls(many.events)], one.events, `${what}: events`);
}

/**
 * Build the layout twice, make the calls one by one on one copy (`single` returns each result;
 * false stops) and at once on the other, and compare everything.
 */
function compare(
  l: Layout,
  size: bigint,
  what: string,
  single: (m: Memblock) => bigint | false,
  repeat: (m: Memblock) => AllocRun[],
): void {
  let one: Memblock;
  let many: Memblock;
  try {
    one = build(l);
    many = build(l);
  } catch {
    return; // a layout the arrays cannot hold: nothing to compare
  }
  const results: bigint[] = [];
  let oneErr: unknown;
  let manyErr: unknown;
  try {
    for (let r = single(one); r !== false; r = single(one)) results.push(r);
  } catch (e) {
    oneErr = e;
  }
  let runs: AllocRun[] = [];
  try {
    runs = repeat(many);
  } catch (e) {
    manyErr = e;
  }
  assert.equal(String(manyErr), String(oneErr));
  same(one, many, what);
  if (!oneErr) assert.deepEqual(joinRuns(runs), runsOf(results, size, l.bottomUp));
}

test('physAllocRangeRepeat = the same memblock_phys_alloc_range calls one by one (stopping at the first failure)', () => {
  fc.assert(
    fc.property(
      layout,
      fc.integer({ min: 0, max: 3000 }),
      fc.constantFrom(1n, 2n, 3n),
      fc.constantFrom(1n, 2n, 4n),
      (l, count, sizePages, alignPages) => {
        const size = sizePages * PAGE;
        const align = alignPages * PAGE;
        let calls = 0;
        let failed = false;
        compare(
          l,
          size,
          'phys_alloc_range',
          (m) => {
            if (calls++ === count || failed) return false;
            const r = m.physAllocRange(size, align, 0n, MEMBLOCK_ALLOC_NOLEAKTRACE, 'early_pgtable_alloc');
            failed = !r;
            return r;
          },
          (m) => m.physAllocRangeRepeat(count, size, align, 0n, MEMBLOCK_ALLOC_NOLEAKTRACE, 'early_pgtable_alloc'),
        );
      },
    ),
    { numRuns: 400, seed: 14 },
  );
});

test('allocTryNidRepeat = the same memblock_alloc_try_nid calls one by one (failures included)', () => {
  fc.assert(
    fc.property(
      layout,
      fc.integer({ min: 0, max: 3000 }),
      fc.constantFrom(1n, 2n, 16n),
      fc.constantFrom(0n, 64n, PAGE, 2n * PAGE),
      pages(0, 3000),
      fc.constantFrom(-1, 0, 1),
      fc.constantFrom('memblock_alloc_try_nid' as const, 'memblock_alloc_try_nid_raw' as const, 'memblock_alloc_exact_nid_raw' as const),
      (l, count, sizePages, align, minAddr, nid, variant) => {
        const size = sizePages * PAGE;
        let calls = 0;
        compare(
          l,
          size,
          variant,
          (m) => calls++ < count && m.allocTryNid(size, align, minAddr, MEMBLOCK_ALLOC_ACCESSIBLE, nid, 'sparse', variant),
          (m) => m.allocTryNidRepeat(count, size, align, minAddr, MEMBLOCK_ALLOC_ACCESSIBLE, nid, 'sparse', variant),
        );
      },
    ),
    { numRuns: 400, seed: 1414 },
  );
});

/** Runs that continue one another (a new free range that starts right where the last one ended) as one. */
function joinRuns(runs: AllocRun[]): AllocRun[] {
  const out: AllocRun[] = [];
  for (const r of runs) {
    const last = out.at(-1);
    if (last?.first && r.first && r.step === last.step && last.first + BigInt(last.count) * last.step === r.first) last.count += r.count;
    else if (last && !last.first && !r.first) last.count += r.count;
    else out.push({ ...r });
  }
  return out;
}

test('a terabyte of page tables is a handful of events, each line still printed', () => {
  const m = new Memblock({ physAddrBits: 64, pageSize: 4096, behaviour: seriesByName('6.12').memblock });
  m.add(0x40000000n, 1n << 40n);
  m.reserve(0x40200000n, 0x2000000n);
  const count = 1 << 19; // one PTE table per 2 MiB of 1 TiB
  const runs = m.physAllocRangeRepeat(count, PAGE, PAGE, 0n, MEMBLOCK_ALLOC_NOLEAKTRACE, 'early_pgtable_alloc');
  assert.deepEqual(runs, [{ first: 0x40000000n + (1n << 40n) - PAGE, count, step: -PAGE }]);
  assert.equal(m.events.length, 4); // add, reserve, and the run's alloc + its spanning reserve
  assert.deepEqual(
    m.reserved.regions.map((r) => [r.base, r.size]),
    [
      [0x40200000n, 0x2000000n],
      [0x40000000n + (1n << 40n) - BigInt(count) * PAGE, BigInt(count) * PAGE],
    ],
  );
  let n = 0;
  for (const _ of memblockTraceLines(m.events, 64)) n++;
  assert.equal(n, 2 + 2 * count);
});
