// memblock unit tests: each case follows a rule read in mm/memblock.c (5.10 / 6.1 / 6.12 / 7.2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  Memblock,
  MEMBLOCK_NOMAP,
  MEMBLOCK_RSRV_KERN,
  MEMBLOCK_ALLOC_ACCESSIBLE,
  NUMA_NO_NODE,
  MemblockPanic,
  formatMemblockEvent,
  roundUp,
  roundDown,
  freeUnusedMemmap,
} from '../../src/kernel/memblock.js';
import { seriesByName } from '../../src/kernel/versions/index.js';

const M = 1n << 20n;
const G = 1n << 30n;

function mb(version = '6.12', bits: 32 | 64 = 64, pageSize = 4096): Memblock {
  return new Memblock({ physAddrBits: bits, pageSize, behaviour: seriesByName(version).memblock });
}
const regs = (m: Memblock, t: 'memory' | 'reserved') => m[t].regions.map((r) => [r.base, r.size, r.flags] as const);

test('memblock_add_range merges adjacent and overlapping regions, keeps gaps', () => {
  const m = mb();
  m.add(0x40000000n, 256n * M);
  m.add(0x40000000n + 256n * M, 256n * M); // adjacent: merged
  assert.deepEqual(regs(m, 'memory'), [[0x40000000n, 512n * M, 0]]);
  m.reserve(0x41000000n, M);
  m.reserve(0x41100000n, M); // adjacent
  m.reserve(0x40f80000n, M); // overlaps the first from below
  assert.deepEqual(regs(m, 'reserved'), [[0x40f80000n, 0x41200000n - 0x40f80000n, 0]]);
  m.reserve(0x42000000n, M); // gap: separate
  assert.equal(m.reserved.regions.length, 2);
  m.reserve(0x40000000n, 0x43000000n - 0x40000000n); // covers everything: one region
  assert.deepEqual(regs(m, 'reserved'), [[0x40000000n, 0x3000000n, 0]]);
  assert.equal(m.reservedSize(), 0x3000000n);
});

test('memblock_add_range with size 0 does nothing', () => {
  const m = mb();
  assert.equal(m.reserve(0x1000n, 0n), 0);
  assert.equal(m.reserved.regions.length, 0);
});

test('memblock_remove splits a region (memblock_isolate_range)', () => {
  const m = mb();
  m.add(0x40000000n, G);
  m.remove(0x50000000n, 16n * M);
  assert.deepEqual(regs(m, 'memory'), [
    [0x40000000n, 0x10000000n, 0],
    [0x51000000n, 0x40000000n + G - 0x51000000n, 0],
  ]);
  assert.equal(m.physMemSize(), G - 16n * M);
});

test('memblock_mark_nomap splits memory and nomap memory is not free', () => {
  const m = mb();
  m.add(0x40000000n, 512n * M);
  m.markNomap(0x5f000000n, 16n * M); // the top 16 MiB
  assert.deepEqual(regs(m, 'memory'), [
    [0x40000000n, 0x1f000000n, 0],
    [0x5f000000n, 16n * M, MEMBLOCK_NOMAP],
  ]);
  // top-down allocation must not land in the nomap part (should_skip_region)
  const a = m.physAlloc(M, M);
  assert.equal(a, 0x5f000000n - M);
  // marking the neighbour nomap merges the flags-equal regions again
  m.markNomap(0x5e000000n, 16n * M);
  assert.deepEqual(regs(m, 'memory').at(-1), [0x5e000000n, 32n * M, MEMBLOCK_NOMAP]);
  m.clearNomap(0x5e000000n, 32n * M);
  assert.deepEqual(regs(m, 'memory'), [[0x40000000n, 512n * M, 0]]);
});

test('top-down find: highest fit, aligned down, skipping reserved', () => {
  const m = mb();
  m.add(0x40000000n, 256n * M);
  m.reserve(0x4f000000n, 16n * M); // top 16 MiB taken
  const a = m.physAllocRange(0x1000n, 0x200000n, 0n, MEMBLOCK_ALLOC_ACCESSIBLE, 'test');
  assert.equal(a, 0x4f000000n - 0x200000n);
  // alloc reserved it (and merged with the existing neighbour? no: 2 MiB block ends 0x4ee01000)
  assert.ok(m.isReserved(a));
  // next 4 KiB goes right below the top of the free range above a (a+0x1000 .. 0x4f000000)
  const b = m.physAlloc(0x1000n, 0x1000n);
  assert.equal(b, 0x4f000000n - 0x1000n);
});

test('bottom-up find: lowest fit, aligned up, never the first page', () => {
  const m = mb();
  m.add(0n, 64n * M);
  m.setBottomUp(true);
  assert.equal(m.findInRange(0n, MEMBLOCK_ALLOC_ACCESSIBLE, 0x1000n, 0x1000n), 0x1000n); // page 0 avoided
  m.reserve(0x1000n, 0x3000n);
  assert.equal(m.findInRange(0n, MEMBLOCK_ALLOC_ACCESSIBLE, 0x1000n, 0x10000n), 0x10000n);
  assert.equal(m.findInRange(0x20001n, MEMBLOCK_ALLOC_ACCESSIBLE, 0x1000n, 0x1000n), 0x21000n);
});

test('find honours the range and memblock.current_limit for ACCESSIBLE', () => {
  const m = mb();
  m.add(0x40000000n, G);
  m.setCurrentLimit(0x60000000n);
  assert.equal(m.findInRange(0n, MEMBLOCK_ALLOC_ACCESSIBLE, M, M), 0x60000000n - M);
  // explicit end above the limit is not capped by memblock_phys_alloc_range
  assert.equal(m.physAllocRange(M, M, 0n, 0x70000000n), 0x70000000n - M);
  // memblock_alloc_try_nid caps max_addr at current_limit (memblock_alloc_internal)
  assert.equal(m.allocTryNid(M, M, 0n, 0x70000000n), 0x60000000n - M);
  // nothing fits: 0
  assert.equal(m.physAllocRange(2n * G, M, 0n, MEMBLOCK_ALLOC_ACCESSIBLE), 0n);
  // min_addr dropped when it cannot be satisfied (memblock_alloc_internal retry)
  assert.equal(m.allocTryNid(M, M, 0x7f000000n, 0x60000000n), 0x60000000n - 2n * M);
});

test('top-down rejects a free range smaller than size (this_end < size) and misaligned candidates', () => {
  const m = mb();
  m.add(0x40000000n, 16n * M);
  m.reserve(0x40000000n, 0x100000n);
  m.reserve(0x40200000n, 14n * M); // free: [0x40100000, 0x40200000)
  assert.equal(m.findInRange(0n, 0n, 0x100000n, 0x200000n), 0n); // 1 MiB fits but not at 2 MiB alignment
  assert.equal(m.findInRange(0n, 0n, 0x100001n, 0x1000n), 0n); // too big
  assert.equal(m.findInRange(0n, 0n, 0x100000n, 0x100000n), 0x40100000n);
});

test('memblock_mem_limit_remove_map (arm64 mem=) truncates memory and reserved', () => {
  const m = mb();
  m.add(0x40000000n, G);
  m.reserve(0x40200000n, 32n * M);
  m.reserve(0x7f000000n, M);
  m.memLimitRemoveMap(512n * M);
  assert.deepEqual(regs(m, 'memory'), [[0x40000000n, 512n * M, 0]]);
  assert.deepEqual(regs(m, 'reserved'), [[0x40200000n, 32n * M, 0]]);
  m.memLimitRemoveMap(4n * G); // more than there is: nothing happens
  assert.equal(m.physMemSize(), 512n * M);
});

test('memblock_cap_memory_range keeps NOMAP regions outside the range', () => {
  const m = mb();
  m.add(0x40000000n, G);
  m.markNomap(0x70000000n, 16n * M);
  m.capMemoryRange(0x40000000n, 256n * M);
  assert.deepEqual(regs(m, 'memory'), [
    [0x40000000n, 256n * M, 0],
    [0x70000000n, 16n * M, MEMBLOCK_NOMAP],
  ]);
});

test('32-bit phys_addr_t: sizes are capped at the top of the address space', () => {
  const m = mb('6.1', 32);
  m.add(0x40000000n, 0xc0000000n);
  m.reserve(0xfff00000n, 0x200000n); // would cross 4 GiB: capped (memblock_cap_size)
  assert.deepEqual(regs(m, 'reserved'), [[0xfff00000n, 0xfffffn, 0]]);
  assert.equal(formatMemblockEvent(m.events.at(-1)!, 32), 'memblock_reserve: [0xfff00000-0x000fffff] ?');
});

test('trace events format like memblock=debug lines', () => {
  const m = mb();
  m.add(0x40000000n, G, 'early_init_dt_add_memory_arch');
  m.physAllocRange(0x1000n, 0x1000n, 0n, 0n, 'early_pgtable_alloc');
  const lines = m.events.map((e) => formatMemblockEvent(e, 64));
  assert.deepEqual(lines, [
    'memblock_add: [0x0000000040000000-0x000000007fffffff] early_init_dt_add_memory_arch',
    'memblock_phys_alloc_range: 4096 bytes align=0x1000 from=0x0000000000000000 max_addr=0x0000000000000000 early_pgtable_alloc',
    'memblock_reserve: [0x000000007ffff000-0x000000007fffffff] memblock_alloc_range_nid',
  ]);
});

test('7.2: every reserve is __memblock_reserve with nid and flags; allocations are MEMBLOCK_RSRV_KERN on the node searched', () => {
  const numaMb = (version: string) => {
    const m = new Memblock({ physAddrBits: 64, pageSize: 4096, behaviour: seriesByName(version).memblock, numa: true, maxNumNodes: 4 });
    m.add(0x40000000n, G, 'early_init_dt_add_memory_arch');
    m.setNode(0x40000000n, G, m.memory, 0);
    m.reserve(0x7ffff000n, 0x1000n, 'arm64_memblock_init');
    m.physAllocRange(0x1000n, 0x1000n, 0n, MEMBLOCK_ALLOC_ACCESSIBLE, 'early_pgtable_alloc'); // NUMA_NO_NODE
    m.allocTryNid(0x1000n, 0x1000n, 0n, MEMBLOCK_ALLOC_ACCESSIBLE, 0, 'alloc_node_data'); // node 0
    return m;
  };
  const m = numaMb('7.2');
  assert.deepEqual(
    m.events.map((e) => formatMemblockEvent(e, 64)),
    [
      'memblock_add: [0x0000000040000000-0x000000007fffffff] early_init_dt_add_memory_arch',
      '__memblock_reserve: [0x000000007ffff000-0x000000007fffffff] nid=-1 flags=0 arm64_memblock_init',
      'memblock_phys_alloc_range: 4096 bytes align=0x1000 from=0x0000000000000000 max_addr=0x0000000000000000 early_pgtable_alloc',
      '__memblock_reserve: [0x000000007fffe000-0x000000007fffefff] nid=-1 flags=20 memblock_alloc_range_nid',
      'memblock_alloc_try_nid: 4096 bytes align=0x1000 nid=0 from=0x0000000000000000 max_addr=0x0000000000000000 alloc_node_data',
      '__memblock_reserve: [0x000000007fffd000-0x000000007fffdfff] nid=0 flags=20 memblock_alloc_range_nid',
    ],
  );
  // adjacent, but of other flags or nodes: three regions (memblock_merge_regions), the last on node 0
  assert.deepEqual(regs(m, 'reserved'), [
    [0x7fffd000n, 0x1000n, MEMBLOCK_RSRV_KERN],
    [0x7fffe000n, 0x1000n, MEMBLOCK_RSRV_KERN],
    [0x7ffff000n, 0x1000n, 0],
  ]);
  assert.deepEqual(
    m.reserved.regions.map((r) => r.nid),
    [0, NUMA_NO_NODE, NUMA_NO_NODE],
  );
  assert.match(m.dump().find((l) => l.includes('reserved[0x0]'))!, /bytes on node 0 flags: 0x20$/);
  // up to 6.12 the same calls are plain memblock_reserves on MAX_NUMNODES: one region
  assert.deepEqual(regs(numaMb('6.12'), 'reserved'), [[0x7fffd000n, 0x3000n, 0]]);
});

test('5.10: memblock_phys_alloc_range prints no line, freeing prints memblock_free', () => {
  const m = mb('5.10');
  m.add(0x40000000n, G, 'early_init_dt_add_memory_arch');
  const at = m.physAllocRange(0x1000n, 0x1000n, 0n, MEMBLOCK_ALLOC_ACCESSIBLE, 'early_pgtable_alloc');
  assert.equal(at, 0x7ffff000n);
  m.physFree(at, 0x1000n, 'paging_init');
  assert.deepEqual(
    m.events.map((e) => formatMemblockEvent(e, 64)).filter((l) => l !== undefined),
    [
      'memblock_add: [0x0000000040000000-0x000000007fffffff] early_init_dt_add_memory_arch',
      'memblock_reserve: [0x000000007ffff000-0x000000007fffffff] memblock_alloc_range_nid',
      'memblock_free: [0x000000007ffff000-0x000000007fffffff] paging_init',
    ],
  );
  assert.deepEqual(regs(m, 'reserved'), []);
});

test('array doubling: 6.12 panics before memblock_allow_resize, 6.1 fails with -ENOMEM', () => {
  for (const version of ['6.1', '6.12']) {
    const m = new Memblock({
      physAddrBits: 64,
      pageSize: 4096,
      behaviour: seriesByName(version).memblock,
      initRegions: { memory: 4, reserved: 4 },
    });
    m.add(0x40000000n, G);
    let err: unknown;
    let rc = 0;
    try {
      for (let i = 0n; i < 8n; i++) rc = rc || m.reserve(0x40000000n + i * 2n * M, M);
    } catch (e) {
      err = e;
    }
    if (m.behaviour.resizeBeforeAllowed === 'panic') assert.ok(err instanceof MemblockPanic);
    else assert.equal(rc, -12);
  }
  // after allow_resize the array doubles by allocating from memblock itself
  const m = new Memblock({
    physAddrBits: 64,
    pageSize: 4096,
    behaviour: seriesByName('6.12').memblock,
    initRegions: { memory: 4, reserved: 4 },
  });
  m.add(0x40000000n, G);
  m.allowResize();
  for (let i = 0n; i < 8n; i++) assert.equal(m.reserve(0x40000000n + i * 2n * M, M), 0);
  assert.ok(m.events.some((e) => e.kind === 'memblock_double_array'));
  assert.ok(m.reserved.max >= 8);
});

test("memblock_add_range's flags WARN fires once per pass: 5.10 always counts first, later series only when the array is short", () => {
  // memory [0x40000000, +1M) and a NOMAP [0x40200000, +1M); memblock_add over both: the NOMAP
  // region separates the new range's lower part and its flags differ (WARN_ON(flags != rgn->flags))
  const warnsOf = (version: string, initRegions?: number) => {
    const at: string[] = [];
    const m = new Memblock({
      physAddrBits: 64,
      pageSize: 4096,
      behaviour: seriesByName(version).memblock,
      warn: (w) => at.push(w),
      ...(initRegions === undefined ? {} : { initRegions: { memory: initRegions, reserved: initRegions } }),
    });
    m.add(0x40000000n, M);
    m.add(0x40200000n, M);
    m.markNomap(0x40200000n, M);
    assert.deepEqual(at, []);
    m.add(0x40000000n, 4n * M);
    assert.deepEqual(regs(m, 'memory'), [
      [0x40000000n, 2n * M, 0],
      [0x40200000n, M, MEMBLOCK_NOMAP],
      [0x40300000n, M, 0],
    ]);
    return at;
  };
  assert.deepEqual(warnsOf('5.10'), ['mm/memblock.c:621 memblock_add_range', 'mm/memblock.c:621 memblock_add_range']);
  assert.deepEqual(warnsOf('6.1'), ['mm/memblock.c:637 memblock_add_range']);
  // two regions: cnt * 2 + 1 = 5 is not below max 4, so 6.1 counts first too
  assert.deepEqual(warnsOf('6.1', 4), ['mm/memblock.c:637 memblock_add_range', 'mm/memblock.c:637 memblock_add_range']);
  assert.deepEqual(warnsOf('6.12', 5), ['mm/memblock.c:651 memblock_add_range']);
  assert.deepEqual(warnsOf('6.12', 4), ['mm/memblock.c:651 memblock_add_range', 'mm/memblock.c:651 memblock_add_range']);
  assert.deepEqual(warnsOf('7.2'), []); // MEMBLOCK_NONE is exempt
});

test('round_up / round_down are the kernel bit tricks', () => {
  assert.equal(roundUp(0x1001n, 0x1000n), 0x2000n);
  assert.equal(roundUp(0x1000n, 0x1000n), 0x1000n);
  assert.equal(roundDown(0x1fffn, 0x1000n), 0x1000n);
});

// Property: after any sequence of reserve/free/add/remove the arrays stay sorted, disjoint and
// minimal, and cover exactly the set a naive page-bitmap model says.
test('region arrays stay minimal and equal to a naive set model', () => {
  const P = 0x1000n;
  const op = fc.record({
    kind: fc.constantFrom('add', 'remove', 'reserve', 'free', 'nomap'),
    start: fc.integer({ min: 0, max: 63 }),
    len: fc.integer({ min: 0, max: 16 }),
  });
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const m = mb();
      const mem = new Map<number, number>(); // page -> flags
      const res = new Set<number>();
      for (const o of ops) {
        const base = BigInt(o.start) * P;
        const size = BigInt(o.len) * P;
        const pages = Array.from({ length: o.len }, (_, i) => o.start + i);
        if (o.kind === 'add') {
          m.add(base, size);
          for (const p of pages) if (!mem.has(p)) mem.set(p, 0);
        } else if (o.kind === 'remove') {
          m.remove(base, size);
          for (const p of pages) mem.delete(p);
        } else if (o.kind === 'reserve') {
          m.reserve(base, size);
          for (const p of pages) res.add(p);
        } else if (o.kind === 'free') {
          m.physFree(base, size);
          for (const p of pages) res.delete(p);
        } else {
          m.markNomap(base, size);
          for (const p of pages) if (mem.has(p)) mem.set(p, MEMBLOCK_NOMAP);
        }
      }
      for (const [t, model] of [
        ['memory', (p: number) => mem.get(p)],
        ['reserved', (p: number) => (res.has(p) ? 0 : undefined)],
      ] as const) {
        const rs = m[t].regions;
        for (let i = 0; i + 1 < rs.length; i++) {
          const a = rs[i]!;
          const b = rs[i + 1]!;
          assert.ok(a.base + a.size <= b.base, 'sorted and disjoint');
          assert.ok(!(a.base + a.size === b.base && a.flags === b.flags), 'minimal');
        }
        for (let p = 0; p < 80; p++) {
          const addr = BigInt(p) * P;
          const r = rs.find((x) => x.base <= addr && addr < x.base + x.size);
          assert.equal(r?.flags, model(p), `${t} page ${p}`);
        }
      }
      // free ranges, forward and reverse, agree with each other and with the model
      const fwd = [...m.freeRanges()].map(([s, e]) => `${s}-${e}`);
      const rev = [...m.freeRangesReverse()].map(([s, e]) => `${s}-${e}`).reverse();
      assert.deepEqual(rev, fwd);
      for (let p = 0; p < 80; p++) {
        const addr = BigInt(p) * P;
        const free = [...m.freeRanges()].some(([s, e]) => s <= addr && addr < e);
        assert.equal(free, mem.get(p) === 0 && !res.has(p), `free page ${p}`);
      }
    }),
    { numRuns: 300 },
  );
});

// Property: top-down allocation returns the highest aligned fit; bottom-up the lowest.
test('find_in_range returns the extreme aligned fit (against brute force)', () => {
  const P = 0x1000n;
  fc.assert(
    fc.property(
      fc.array(fc.record({ start: fc.integer({ min: 0, max: 60 }), len: fc.integer({ min: 1, max: 8 }) }), { maxLength: 8 }),
      fc.integer({ min: 1, max: 6 }),
      fc.constantFrom(1, 2, 4, 8),
      fc.boolean(),
      (resv, len, alignPages, bottomUp) => {
        const m = mb();
        m.add(0n, 64n * P);
        for (const r of resv) m.reserve(BigInt(r.start) * P, BigInt(r.len) * P);
        m.setBottomUp(bottomUp);
        const size = BigInt(len) * P;
        const align = BigInt(alignPages) * P;
        const got = m.findInRange(0n, 0n, size, align);
        const fits: bigint[] = [];
        for (let c = roundUp(P, align); c + size <= 64n * P; c += align) {
          if (c % align) continue;
          if (!m.isRegionReserved(c, size)) fits.push(c);
        }
        const want = fits.length ? (bottomUp ? fits[0]! : fits[fits.length - 1]!) : 0n;
        assert.equal(got, want);
      },
    ),
    { numRuns: 300 },
  );
});

test('free_unused_memmap frees the whole memmap pages of holes between ranges, and with SPARSEMEM up to the last section end', () => {
  // a flat memmap of 64-byte struct pages at 0x80000000 for pfns from 0x40000 (RAM at 1 GiB)
  const structPage = (pfn: bigint) => 0x80000000n + (pfn - 0x40000n) * 64n;
  const walk = (m: Memblock, sectionPages?: bigint) => {
    freeUnusedMemmap(m, {
      startAlign: 1024n, // pageblock_nr_pages (4 MiB)
      endAlign: 1024n,
      ...(sectionPages !== undefined ? { sectionPages } : {}),
      structPageSize: 64n,
      structPage,
      caller: 'free_memmap',
    });
    // what free_memmap gave back: the holes in the memmap's reservation
    const gaps: [bigint, bigint][] = [];
    let at = 0x80000000n;
    for (const r of m.reserved.regions) {
      if (r.base > at) gaps.push([at, r.base - at]);
      at = r.base + r.size;
    }
    if (at < 0x81000000n) gaps.push([at, 0x81000000n - at]);
    return gaps;
  };
  const reserved = (m: Memblock) => {
    m.reserve(0x80000000n, 16n * M); // the memmap, allocated before
    return m;
  };
  const board = () => {
    const m = mb();
    m.add(0x40000000n, 64n * M); // pfns 0x40000-0x44000
    m.add(0x50000000n + 12n * 4096n, 32n * M); // a bank 48 KiB into its pageblock: rounded down to 0x50000000
    m.add(0x60000000n, 4096n - 1n); // no whole page: for_each_mem_pfn_range skips it
    return reserved(m);
  };
  // hole [0x44000, 0x50000) pfns: struct pages [0x80100000, 0x80400000) — whole pages, all freed
  assert.deepEqual(walk(board()), [[0x80100000n, 0x300000n]]);
  // SPARSEMEM with 256 MiB sections (0x10000 pages): the hole stops at 0x50000 anyway; the tail
  // from the last range's end rounded up to its pageblock, 0x52400, to its section's end 0x60000 goes too
  assert.deepEqual(walk(board(), 0x10000n), [
    [0x80100000n, 0x300000n],
    [0x80490000n, 0x370000n],
  ]);
  // a hole spanning a whole section: with SPARSEMEM only up to the end of the first range's section
  const wide = mb();
  wide.add(0x40000000n, 64n * M);
  wide.add(0x80000000n, 64n * M);
  reserved(wide);
  assert.deepEqual(walk(wide, 0x10000n), [[0x80100000n, 0x300000n]]);
  assert.deepEqual(walk(reserved(mb())), []); // no memory, nothing freed
});
