// mm/sparse.c sparse_init (SPARSEMEM_VMEMMAP + SPARSEMEM_EXTREME, as arm64 builds it): the
// mem_section roots, the usemap near NODE_DATA, the memmap buffer (sparse_buffer_init) and the
// vmemmap page tables (mm/sparse-vmemmap.c), sparse_buffer_fini freeing what was not used; 7.2
// has no buffer (Arm64Series.sparseMemmap).
// Sections and roots are counted from the memory regions' address ranges, and the allocations made
// once per root or per section go through memblock's repeated allocation, so a plan costs the
// same for a petabyte as for a gigabyte.
import { touch, type BootState } from './boot-state.js';
import {
  MEMBLOCK_ALLOC_ACCESSIBLE,
  MEMBLOCK_ALLOC_NOLEAKTRACE,
  roundDown,
  roundUp,
  type AllocRun,
  type MemblockRegion,
} from './memblock.js';

/** The present sections (memory_present over every memory region): inclusive ranges of section numbers, in order. */
export function presentSectionRanges(regions: readonly MemblockRegion[], sectionShift: bigint): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  for (const r of regions) {
    const first = r.base >> sectionShift;
    const last = (r.base + r.size - 1n) >> sectionShift;
    const prev = out.at(-1);
    if (prev && first <= prev[1] + 1n) {
      if (last > prev[1]) prev[1] = last;
    } else out.push([first, last]);
  }
  return out;
}

/** The first section of [first, last] that is not present, if any. */
export function firstMissingSection(present: readonly [bigint, bigint][], first: bigint, last: bigint): bigint | undefined {
  let s = first;
  for (const [lo, hi] of present) {
    if (hi < s) continue;
    if (lo > s) break;
    s = hi + 1n;
    if (s > last) return undefined;
  }
  return s <= last ? s : undefined;
}

/** How many sections are present, and how many mem_section roots hold them. */
export function countSections(present: readonly [bigint, bigint][], sectionsPerRoot: bigint): { sections: bigint; roots: bigint } {
  let sections = 0n;
  let roots = 0n;
  let nextRoot = 0n; // the first root not yet counted
  for (const [lo, hi] of present) {
    sections += hi - lo + 1n;
    const firstRoot = lo / sectionsPerRoot > nextRoot ? lo / sectionsPerRoot : nextRoot;
    const lastRoot = hi / sectionsPerRoot;
    if (lastRoot >= firstRoot) roots += lastRoot - firstRoot + 1n;
    if (lastRoot + 1n > nextRoot) nextRoot = lastRoot + 1n;
  }
  return { sections, roots };
}

/**
 * touch() for each block of some runs in the order they were allocated: the first block that
 * overlaps memory paging_init left unmapped is the one the kernel faults on.
 */
function touchRuns(st: BootState, runs: AllocRun[], size: bigint, fn: string): void {
  for (const run of runs) {
    if (!run.first) continue;
    const n = BigInt(run.count);
    const low = run.step < 0n ? run.first - (n - 1n) * size : run.first;
    let hit: bigint | undefined; // the index in the run of the first block that overlaps
    for (const u of st.unmapped ?? []) {
      if (!(low < u.base + u.size && u.base < low + n * size)) continue;
      // upwards: the block holding u.base (or the first); downwards: the one holding u's last byte (or the first)
      const from = run.step < 0n ? u.base + u.size - 1n : u.base;
      let at = (from - low) / size;
      if (from < low) at = 0n;
      if (at > n - 1n) at = n - 1n;
      const idx = run.step < 0n ? n - 1n - at : at;
      if (hit === undefined || idx < hit) hit = idx;
    }
    if (hit !== undefined) touch(st, run.first + hit * run.step, size, fn);
  }
}

export function sparseInit(st: BootState, nd: bigint): void {
  const p = st.ctx.profile;
  const sp = p.arm64!.sparse;
  const mb = st.ctx.memblock;
  const page = BigInt(p.pageSize);
  const memstart = st.memstart!;
  const secShift = BigInt(sp.sectionSizeBits);
  const { sections, roots } = countSections(presentSectionRanges(mb.memory.regions, secShift), BigInt(sp.sectionsPerRoot));
  touch(st, mb.allocOrPanic(sp.memSectionRootsBytes, 64n, 'sparse_init'), sp.memSectionRootsBytes, 'sparse_init');
  touchRuns(
    st,
    mb.allocTryNidRepeat(
      Number(roots),
      sp.rootBytes,
      64n,
      0n,
      MEMBLOCK_ALLOC_ACCESSIBLE,
      0,
      'sparse_index_alloc',
      'memblock_alloc_try_nid',
    ),
    sp.rootBytes,
    'sparse_init',
  );
  const usemap = sp.usemapBytesPerSection * sections;
  const pagesPerSection = 1n << (secShift - BigInt(p.pageShift));
  const sectionMapSize = roundUp(sp.structPageSize * pagesPerSection, sp.pmdSize);
  // the memmap pages a section needs when vmemmap_populate maps base pages (not 4 KiB: no PMD blocks)
  const memmapPages = roundUp(sp.structPageSize * pagesPerSection, page) / page;
  if (p.series.arm64.sparseMemmap === 'memmap-alloc') {
    touch(st, mb.allocTryNid(usemap, 64n, 0n, MEMBLOCK_ALLOC_ACCESSIBLE, 0, 'sparse_init_nid'), usemap, 'sparse_init');
    const memmapAlloc = (count: bigint, size: bigint) =>
      mb.allocTryNidRepeat(
        Number(count),
        size,
        size,
        memstart,
        MEMBLOCK_ALLOC_NOLEAKTRACE,
        0,
        'memmap_alloc',
        'memblock_alloc_try_nid_raw',
      );
    // the vmemmap tables are zeroed through the linear map (vmemmap_alloc_block_zero)
    for (let i = 0; i < sp.vmemmapTablesFixed; i++) touchRuns(st, memmapAlloc(1n, page), page, 'sparse_init');
    // vmemmap_populate: a PMD block per section with 4 KiB pages (vmemmap_populate_hugepages), else base pages
    if (p.pageSize === 4096) memmapAlloc(sections, sectionMapSize);
    else memmapAlloc(sections * memmapPages, page);
    return;
  }
  const goal = roundDown(nd, 1n << secShift);
  touch(st, mb.allocTryNid(usemap, 64n, goal, goal + (1n << secShift), 0, 'sparse_init_nid'), usemap, 'sparse_init');
  const buf = mb.allocTryNid(
    sectionMapSize * sections,
    sectionMapSize,
    memstart,
    MEMBLOCK_ALLOC_ACCESSIBLE,
    0,
    'memmap_alloc',
    'memblock_alloc_exact_nid_raw',
  );
  const early = (size: bigint) =>
    mb.allocTryNid(size, size, memstart, MEMBLOCK_ALLOC_ACCESSIBLE, 0, '__earlyonly_bootmem_alloc', 'memblock_alloc_try_nid_raw');
  const earlyRepeat = (count: bigint, size: bigint) =>
    mb.allocTryNidRepeat(
      Number(count),
      size,
      size,
      memstart,
      MEMBLOCK_ALLOC_ACCESSIBLE,
      0,
      '__earlyonly_bootmem_alloc',
      'memblock_alloc_try_nid_raw',
    );
  // vmemmap page tables are zeroed through the linear map (vmemmap_alloc_block_zero)
  for (let i = 0; i < sp.vmemmapTablesFixed; i++) touch(st, early(page), page, 'sparse_init');
  if (!buf) {
    // No sparse buffer (memmap_alloc failed): vmemmap_alloc_block_buf() falls back to one
    // __earlyonly_bootmem_alloc() per block — PMD blocks with 4 KiB pages, base pages otherwise.
    if (p.pageSize === 4096) earlyRepeat(sections, sectionMapSize);
    else earlyRepeat(sections * memmapPages, page);
  }
  // sparse_buffer_fini: with 4 KiB pages vmemmap_populate() maps PMD blocks carved from the
  // buffer (all of it used); other page sizes populate base pages, and the rest is freed.
  if (buf && p.pageSize !== 4096) {
    const used = sections * memmapPages * page;
    const total = sectionMapSize * sections;
    if (used < total) mb.physFree(buf + used, total - used, 'memblock_free');
  }
}
