// The arm64 linear map's page-table count and sparse_init's present sections are counted from
// address ranges; here they are checked against the plain per-block and per-section walk on
// random small layouts (a reference written from arch/arm64/mm/mmu.c __create_pgd_mapping and
// mm/sparse.c memory_present: one table per index a range touches at each level). The vmemmap's
// new page tables likewise, against a walk of every section's memmap, page by page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { countIdmapTables, countKernelTables, countLinearMapTables, remappedPage } from '../../src/kernel/arch/arm64/mmu.js';
import { countSections, firstMissingSection, presentSectionRanges, VmemmapTables } from '../../src/kernel/sparse.js';
import type { Bank } from '../../src/platform/index.js';

const K = 4096n;

function walkTables(
  mapped: Bank[],
  alias: Bank,
  memstart: bigint,
  shifts: number[],
  pageGranular: boolean,
  aliasBlocks: boolean,
  rootShift: number,
  pudBlockShift?: number,
): number {
  const [pteShift, ...upper] = shifts as [number, ...number[]];
  // an entry at the 1 GiB level a mapped bank covers whole is a block: no table under it
  const block = (i: bigint, sh: number) =>
    sh === pudBlockShift &&
    (memstart & ((1n << BigInt(sh)) - 1n)) === 0n &&
    mapped.some((b) => b.base <= (i << BigInt(sh)) + memstart && ((i + 1n) << BigInt(sh)) + memstart <= b.base + b.size);
  const blk = 1n << BigInt(pteShift);
  const pte = new Set<bigint>();
  const up = upper.map(() => new Set<bigint>());
  const roots = new Set<bigint>();
  const touch = (b: Bank, need: (i: bigint) => boolean) => {
    if (b.size <= 0n) return;
    const s = b.base - memstart;
    const e = s + b.size;
    for (let i = s >> BigInt(pteShift); i <= (e - 1n) >> BigInt(pteShift); i++) if (need(i)) pte.add(i);
    upper.forEach((sh, k) => {
      for (let i = s >> BigInt(sh); i <= (e - 1n) >> BigInt(sh); i++) if (!block(i, sh)) up[k]!.add(i);
    });
    for (let i = s >> BigInt(rootShift); i <= (e - 1n) >> BigInt(rootShift); i++) if (!block(i, rootShift)) roots.add(i);
  };
  const full = (b: Bank, i: bigint) => i * blk + memstart >= b.base && i * blk + memstart + blk <= b.base + b.size;
  for (const b of mapped) touch(b, (i) => pageGranular || !full(b, i));
  touch(alias, (i) => !aliasBlocks || !full(alias, i) || pte.has(i));
  // a table under the root per root entry touched, but the first (paging_init's extras)
  return pte.size + up.reduce((n, s) => n + s.size, 0) + Math.max(0, roots.size - 1);
}

const bank = fc
  .record({ base: fc.integer({ min: 0, max: 4000 }), size: fc.integer({ min: 0, max: 3000 }) })
  .map(({ base, size }): Bank => ({ base: BigInt(base) * K, size: BigInt(size) * K }));

/** Banks in 512-byte units for the table count: against the scaled-down shifts below, 4 KiB units
 *  made the per-index reference walk visit millions of blocks per case (minutes per run). */
const smallBank = fc
  .record({ base: fc.integer({ min: 0, max: 4000 }), size: fc.integer({ min: 0, max: 3000 }) })
  .map(({ base, size }): Bank => ({ base: BigInt(base) * 512n, size: BigInt(size) * 512n }));

test('countLinearMapTables = one table per index touched, level by level', () => {
  fc.assert(
    fc.property(
      fc.array(smallBank, { maxLength: 6 }),
      smallBank,
      fc.boolean(),
      fc.boolean(),
      fc.constantFrom([21, 30, 39, 48], [21, 30, 39], [25, 36, 47], [29, 42]),
      fc.constantFrom(0n, 1000n * 512n),
      fc.boolean(),
      (banks, alias, pageGranular, aliasBlocks, levels, memstart, pudBlocks) => {
        // small shifts too, so that ranges cross many blocks: 4 KiB-page shifts scaled down; banks
        // below memstart (the 5.10 re-add) reach another root entry
        const small = levels.map((s) => s - 18);
        const root = small.pop()!;
        // 1 GiB blocks (the level above the PMD: under the root, or the root with three levels)
        const pud = pudBlocks ? (small[1] ?? root) : undefined;
        // banks are disjoint in memory (memblock's regions): only then is a covered entry no one else's
        const disjoint = banks.filter((b, i) => !banks.some((c, j) => j < i && c.base < b.base + b.size && b.base < c.base + c.size));
        assert.equal(
          countLinearMapTables(disjoint, alias, memstart, small, { pageGranular, aliasBlocks, rootShift: root, pudBlockShift: pud }),
          walkTables(disjoint, alias, memstart, small, pageGranular, aliasBlocks, root, pud),
        );
      },
    ),
    { numRuns: 500, seed: 3 },
  );
});

test('present sections, their mem_section roots and the first missing section = the per-section walk', () => {
  fc.assert(
    fc.property(fc.array(bank, { maxLength: 6 }), fc.integer({ min: 12, max: 22 }), bank, (banks, shift, area) => {
      // memblock's regions: sorted, not overlapping
      const regions = banks
        .filter((b) => b.size > 0n)
        .sort((a, b) => (a.base < b.base ? -1 : 1))
        .filter((b, i, all) => i === 0 || all[i - 1]!.base + all[i - 1]!.size <= b.base)
        .map((b) => ({ ...b, flags: 0, nid: 0 }));
      const sh = BigInt(shift);
      const present = new Set<bigint>();
      for (const r of regions) for (let s = r.base >> sh; s <= (r.base + r.size - 1n) >> sh; s++) present.add(s);
      const ranges = presentSectionRanges(regions, sh);
      const roots = new Set([...present].map((s) => s / 3n));
      assert.deepEqual(countSections(ranges, 3n), { sections: BigInt(present.size), roots: BigInt(roots.size) });
      if (area.size === 0n) return;
      const first = area.base >> sh;
      const last = (area.base + area.size - 1n) >> sh;
      let want: bigint | undefined;
      for (let s = first; s <= last; s++)
        if (!present.has(s)) {
          want = s;
          break;
        }
      assert.equal(firstMissingSection(ranges, first, last), want);
    }),
    { numRuns: 500, seed: 4 },
  );
});

test('vmemmap page tables = one per entry the memmap touches at each level, none where the fixmap has one', () => {
  const U64 = 1n << 64n;
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.bigInt({ min: 0n, max: 300n }), fc.bigInt({ min: 0n, max: 40n })), { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 1, max: 3 }),
      fc.bigInt({ min: 1n, max: 64n }),
      fc.bigInt({ min: 0n, max: 40n }),
      fc.boolean(),
      (runs, split, perSection, fixGap, fixBelow) => {
        // sections in address order, as node runs: gaps between the ranges, `split` nodes
        const ranges: [bigint, bigint][] = [];
        let s = 0n;
        for (const [gap, len] of runs) {
          const lo = s + gap;
          ranges.push([lo, lo + len]);
          s = lo + len + 1n;
        }
        const page = 64n; // small tables: 64-byte memmap pages, 8 entries a table
        const g = {
          vmemmapStart: U64 - (1n << 40n),
          tableShifts: [15, 12, 9],
          structPageSize: 8n,
          pagesPerSection: perSection,
          memstartPfn: 0n,
          // the fixmap just below the vmemmap (5.10, 6.1) or somewhere above it (6.12)
          fixaddrTop: fixBelow ? U64 - (1n << 40n) - fixGap * page : U64 - (1n << 40n) + fixGap * 512n * page,
        };
        const t = new VmemmapTables(g);
        const per = Math.ceil(ranges.length / split);
        let got = 0n;
        for (let i = 0; i < ranges.length; i += per) for (const s of t.steps(ranges.slice(i, i + per), 1n)) got += s.tables;
        const seen = g.tableShifts.map(() => new Set<bigint>());
        for (const [lo, hi] of ranges)
          for (let b = (g.vmemmapStart + lo * perSection * 8n) % U64; b < (g.vmemmapStart + (hi + 1n) * perSection * 8n) % U64; b += 8n)
            g.tableShifts.forEach((sh, l) => seen[l]!.add(b >> BigInt(sh)));
        let want = 0n;
        g.tableShifts.forEach((sh, l) => {
          want += BigInt(seen[l]!.size) - (seen[l]!.has((g.fixaddrTop - 1n) >> BigInt(sh)) ? 1n : 0n);
        });
        assert.equal(got, want);
      },
    ),
    { numRuns: 300, seed: 5 },
  );
});

test("vmemmap_populate's order: a node's tables just before the first block under them (5.10: the first block shares the fixmap's)", () => {
  // 5.10 arm64, 4 KiB pages, VA_BITS 48 (arch/arm64/include/asm/memory.h): VMEMMAP_START is 2 MiB
  // below the 512 GiB boundary, FIXADDR_TOP 20 MiB under it in the same 1 GiB; memstart_addr
  // 0x40000000, so section 1's memmap (16 MiB, eight PMD blocks) starts at VMEMMAP_START. The lab's
  // traces (seed 39 #7, seed 55 #3, seed 59 #5; no sparse buffer) show the block, then a PUD and a
  // PMD table, then seven blocks.
  const U64 = 1n << 64n;
  const MiB = 1n << 20n;
  const vmemmapStart = U64 - (2n << 40n) - 2n * MiB;
  const g = {
    vmemmapStart,
    fixaddrTop: vmemmapStart - 20n * MiB,
    tableShifts: [39, 30],
    structPageSize: 64n,
    pagesPerSection: 1n << 18n,
    memstartPfn: 0x40000n,
  };
  assert.deepEqual(new VmemmapTables(g).steps([[1n, 1n]], 2n * MiB), [
    { tables: 0n, units: 1n },
    { tables: 2n, units: 7n },
  ]);
  // a second node's sections further up: their memmap lies under the tables already made
  const t = new VmemmapTables(g);
  t.steps([[1n, 1n]], 2n * MiB);
  assert.deepEqual(t.steps([[2n, 3n]], 2n * MiB), [{ tables: 0n, units: 16n }]);
  // with the fixmap elsewhere the first block needs its own PUD and PMD tables too
  assert.deepEqual(new VmemmapTables({ ...g, fixaddrTop: U64 - 8n * MiB }).steps([[1n, 1n]], 2n * MiB), [
    { tables: 2n, units: 1n },
    { tables: 2n, units: 7n },
  ]);
});

test("map_kernel's tables (5.10/6.1 paging_init): a table per entry the segments touch, a PTE table per block a boundary cuts", () => {
  // System.map's segments of three builds: _text or _stext .. _etext, __start_rodata ..
  // __inittext_begin, .. __inittext_end, __initdata_begin .. __initdata_end, _data .. _end
  const seg = (base: bigint, ends: bigint[]): [bigint, bigint][] => {
    const [t, et, ro, it, ite, id, ide, d, e] = ends.map((x) => base + x);
    return [
      [t!, et!],
      [ro!, it!],
      [it!, ite!],
      [id!, ide!],
      [d!, e!],
    ];
  };
  // Debian 5.10.223 arm64 (4 levels, VA 48): from _text, which is 2 MiB aligned; boundaries cut
  // four blocks; one PUD and one PMD table: 6 (the lab's boots: 6 + map_mem's one more)
  const debian510 = seg(0xffff800010000000n, [
    0n,
    0xb80000n,
    0xb80000n,
    0x1280000n,
    0x1320000n,
    0x1320000n,
    0x17d0000n,
    0x17d0000n,
    0x1ad0000n,
  ]);
  assert.equal(countKernelTables(debian510, [21, 30], 39), 6n);
  // Debian 6.1.192 arm64: from _stext (64 KiB in: its first block is cut too): 7
  const debian61 = seg(0xffff800008000000n, [
    0x10000n,
    0xd00000n,
    0xd00000n,
    0x1660000n,
    0x1740000n,
    0x1740000n,
    0x1cb0000n,
    0x1cb0000n,
    0x2010000n,
  ]);
  assert.equal(countKernelTables(debian61, [21, 30], 39), 7n);
  // an own 5.10 build with VA_BITS 39 (3 levels): the image in two blocks, the first whole text: 2
  const own510 = seg(0xffffffc010000000n, [0n, 0x220000n, 0x220000n, 0x2a0000n, 0x2d0000n, 0x2d0000n, 0x2f0000n, 0x2f0000n, 0x3c0000n]);
  assert.equal(countKernelTables(own510, [21], 30), 2n);
  // hostile: a segment a petabyte long costs nothing more to count
  assert.equal(countKernelTables([[0n, 1n << 50n]], [21, 30], 39), (1n << 20n) + (1n << 11n));
});

test('6.1 create_idmap: a table per entry its idmap text and KPTI flag touch, an extra level when the image lies above VA_BITS_MIN bits', () => {
  // Debian 6.1.192 arm64 (4 levels, VA 48), loaded 2 MiB into RAM at 1 GiB: the idmap text
  // [_text+0xcfd000, +0x930) and __idmap_kpti_flag at _text+0x1cce5d4 lie in two PMD blocks of one
  // PUD entry: a PUD table, a PMD table, two PTE tables (the lab's boots: 4 after map_mem)
  const text = 0x40200000n;
  const debian = { text: [0xcfd000n, 0xcfd930n] as [bigint, bigint], kptiFlag: 0x1cce5d4n };
  const debianEnd = text + 0x2010000n;
  assert.equal(countIdmapTables(debian, text, debianEnd, [21, 30], 39), 4n);
  // without CONFIG_UNMAP_KERNEL_AT_EL0 the flag is not mapped: 3
  assert.equal(countIdmapTables({ text: debian.text }, text, debianEnd, [21, 30], 39), 3n);
  // VA_BITS 39 (3 levels): a PMD table and a PTE table; with the flag in another block one PTE table more
  const va39 = { text: [0x2c1000n, 0x2c1800n] as [bigint, bigint], extraLevelAt: 1n << 39n };
  const end = (at: bigint) => at + 0x3c0000n; // _end
  assert.equal(countIdmapTables(va39, text, end(text), [21], 30), 2n);
  assert.equal(countIdmapTables({ ...va39, kptiFlag: 0x2f0000n }, text, end(text), [21], 30), 2n); // same block
  assert.equal(countIdmapTables({ ...va39, kptiFlag: 0x4a0000n }, text, end(text), [21], 30), 3n); // the next block
  // the image loaded above 512 GiB: idmap_t0sz < 64 - VA_BITS_MIN, a table for the extra level first
  assert.equal(countIdmapTables(va39, (1n << 39n) + 0x200000n, end((1n << 39n) + 0x200000n), [21], 30), 3n);
  assert.equal(countIdmapTables(va39, (1n << 39n) - 0x200000n, end((1n << 39n) - 0x200000n), [21], 30), 3n); // _end past it: also
});

test('map_mem: two ranges that share a page (a no-map hole smaller than a page) clash when their entries for it differ', () => {
  const range = (base: bigint, end: bigint): Bank => ({ base, size: end - base });
  // 16 KiB pages: 32 MiB PMDs, 2 MiB of contiguous PTEs (CONT_PTE_SHIFT 7), 1 GiB of contiguous PMDs
  const p16 = { levelShifts: [25, 36], contShifts: { pte: 21, pmd: 30 } };
  const at = 0x40000000n;
  // a 4 KiB hole at 0x81bfd000: the first range maps [0x81a00000, 0x81c00000) whole (contiguous
  // PTEs), the second starts at the shared page 0x81bfc000 (a plain PTE): the BUG of the 5.10 build
  const c = remappedPage([range(at, 0x81bfd000n), range(0x81bfe000n, 0xc0000000n)], at, 16384n, p16);
  assert.deepEqual(c && { index: c.index, page: c.page, first: c.first, second: c.second }, {
    index: 1,
    page: 0x81bfc000n,
    first: 'a contiguous PTE',
    second: 'a PTE',
  });
  // the same hole in the middle of a contiguous range: a plain PTE both times, written twice alike
  assert.equal(remappedPage([range(at, 0x81bf9000n), range(0x81bfa000n, 0xc0000000n)], at, 16384n, p16), undefined);
  // a hole on a page boundary: no page shared
  assert.equal(remappedPage([range(at, 0x81bfc000n), range(0x81c00000n, 0xc0000000n)], at, 16384n, p16), undefined);
  // 4 KiB pages: the first range covers its last 2 MiB PMD whole (a section), the second maps the
  // page after the hole with a PTE table under that section
  const p4 = { levelShifts: [21, 30], contShifts: { pte: 16, pmd: 25 }, pudBlockShift: 30 };
  const s = remappedPage([range(at, 0x401ff800n), range(0x401ffc00n, 0x80000000n)], at, 4096n, p4);
  assert.deepEqual(s && [s.first, s.second], ['a PMD section', 'a PTE']);
  // ranges mapped page by page anyway (a crash kernel region) are not compared
  assert.equal(remappedPage([range(at, 0x401ff800n), { ...range(0x401ffc00n, 0x80000000n), pageByPage: true }], at, 4096n, p4), undefined);
});
