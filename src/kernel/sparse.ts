// mm/sparse.c sparse_init (SPARSEMEM_VMEMMAP + SPARSEMEM_EXTREME, as arm64 builds it): the
// mem_section roots, the usemap near NODE_DATA, the memmap buffer (sparse_buffer_init) and the
// vmemmap page tables (mm/sparse-vmemmap.c), sparse_buffer_fini freeing what was not used; 7.2
// has no buffer (Arm64Series.sparseMemmap).
// Sections and roots are counted from the memory regions' address ranges, and the allocations made
// once per root or per section go through memblock's repeated allocation, so a plan costs the
// same for a petabyte as for a gigabyte.
import { BootPanic, touch, type BootState, type NumaNode } from './boot-state.js';
import {
  freeUnusedMemmap,
  hex,
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

/**
 * memblocks_present over every memory region, in address order, as sparse_init goes through them:
 * a section belongs to the node of the first region that reaches it (memory_present encodes the
 * nid only into a section not yet present), and sparse_init calls sparse_init_nid for each run of
 * present sections on one node; sparse_index_init allocates each mem_section root on the node of
 * the region that first reaches it.
 */
export function sectionNodes(
  regions: readonly MemblockRegion[],
  sectionShift: bigint,
  sectionsPerRoot: bigint,
): { runs: { nid: number; sections: bigint; ranges: [bigint, bigint][] }[]; roots: { nid: number; count: bigint }[] } {
  const runs: { nid: number; sections: bigint; ranges: [bigint, bigint][] }[] = [];
  const roots: { nid: number; count: bigint }[] = [];
  let lastSection = -1n;
  let lastRoot = -1n;
  for (const r of regions) {
    let first = r.base >> sectionShift;
    const last = (r.base + r.size - 1n) >> sectionShift;
    if (first <= lastSection) first = lastSection + 1n;
    if (last < first) continue;
    const run = runs.at(-1);
    if (run && run.nid === r.nid) {
      run.sections += last - first + 1n;
      const prev = run.ranges.at(-1)!;
      if (prev[1] + 1n === first) prev[1] = last;
      else run.ranges.push([first, last]);
    } else runs.push({ nid: r.nid, sections: last - first + 1n, ranges: [[first, last]] });
    lastSection = last;
    let firstRoot = first / sectionsPerRoot;
    const lastR = last / sectionsPerRoot;
    if (firstRoot <= lastRoot) firstRoot = lastRoot + 1n;
    if (lastR >= firstRoot) {
      const rr = roots.at(-1);
      if (rr && rr.nid === r.nid) rr.count += lastR - firstRoot + 1n;
      else roots.push({ nid: r.nid, count: lastR - firstRoot + 1n });
      lastRoot = lastR;
    }
  }
  return { runs, roots };
}

/** sparse_init: the mem_section roots, then sparse_init_nid for each node's run of sections. */
export function sparseInit(st: BootState, nodes: readonly NumaNode[]): void {
  const p = st.ctx.profile;
  const sp = p.arm64!.sparse;
  const mb = st.ctx.memblock;
  const secShift = BigInt(sp.sectionSizeBits);
  // without CONFIG_NUMA every region reads as node 0 (memblock_get_region_node)
  const regions = mb.memory.regions.map((r) => ({ ...r, nid: mb.nodeOf(r) }));
  const { runs, roots } = sectionNodes(regions, secShift, BigInt(sp.sectionsPerRoot));
  touch(st, mb.allocOrPanic(sp.memSectionRootsBytes, 64n, 'sparse_init'), sp.memSectionRootsBytes, 'sparse_init');
  for (const root of roots)
    touchRuns(
      st,
      mb.allocTryNidRepeat(
        Number(root.count),
        sp.rootBytes,
        64n,
        0n,
        MEMBLOCK_ALLOC_ACCESSIBLE,
        root.nid,
        'sparse_index_alloc',
        'memblock_alloc_try_nid',
      ),
      sp.rootBytes,
      'sparse_init',
    );
  let before = 0n;
  const tables = new VmemmapTables({
    vmemmapStart: sp.vmemmapStart,
    fixaddrTop: sp.fixaddrTop,
    tableShifts: sp.vmemmapTableShifts,
    structPageSize: sp.structPageSize,
    pagesPerSection: 1n << BigInt(sp.sectionSizeBits - p.pageShift),
    memstartPfn: st.memstart! >> BigInt(p.pageShift),
  });
  // the units vmemmap_populate maps: PMD blocks with 4 KiB pages, base pages otherwise
  const unit = p.pageSize === 4096 ? sp.pmdSize : BigInt(p.pageSize);
  for (const run of runs) {
    const nd = nodes.find((n) => n.nid === run.nid)?.nodeData ?? 0n;
    sparseInitNid(st, run.nid, nd, run.ranges, run.sections, before, sp.vmemmap ? tables.steps(run.ranges, unit) : []);
    before += run.sections;
  }
}

/** Where the memmap of a section lies in the vmemmap, and the tables above it (Arm64Layout.sparse). */
export interface VmemmapGeometry {
  vmemmapStart: bigint;
  fixaddrTop: bigint;
  tableShifts: readonly number[];
  structPageSize: bigint;
  /** PAGES_PER_SECTION */
  pagesPerSection: bigint;
  /** memstart_addr >> PAGE_SHIFT: vmemmap = VMEMMAP_START - this, in struct pages */
  memstartPfn: bigint;
}

/** One step of vmemmap_populate: `tables` new page tables, then `units` memmap blocks or pages under them. */
export interface VmemmapStep {
  tables: bigint;
  units: bigint;
}

/**
 * The page tables vmemmap_populate allocates (mm/sparse-vmemmap.c vmemmap_{pgd,p4d,pud,pmd}_populate:
 * a table where the entry above it is none) for the memmap of some present sections, counted by
 * ranges. Sections come in address order, so at each level the entries already populated are those
 * up to the last one counted, and the fixmap's, whose tables are static.
 */
export class VmemmapTables {
  private readonly last: (bigint | undefined)[] = [];
  constructor(private readonly g: VmemmapGeometry) {}

  /**
   * vmemmap_populate's order for the memmap of these sections in `unit`s (a PMD block, or a base
   * page): each unit's missing tables come just before it, top level first (arm64 vmemmap_populate
   * walks pgd, p4d, pud before each PMD block; vmemmap_populate_basepages down to the PTE table
   * before each page). A node's memmap that starts under the fixmap's static tables needs none until
   * it leaves them (5.10: VMEMMAP_START is 2 MiB above the fixmap's 1 GiB, the first block shares
   * its PMD table and the next ones need a PUD and a PMD table).
   */
  steps(ranges: readonly [bigint, bigint][], unit: bigint): VmemmapStep[] {
    const { g } = this;
    const mask = (1n << 64n) - 1n;
    const shifts = g.tableShifts.map(BigInt);
    const fixmap = shifts.map((s) => ((g.fixaddrTop - 1n) & mask) >> s);
    const out: VmemmapStep[] = [];
    for (const [lo, hi] of ranges) {
      // pfn_to_page: vmemmap + pfn, vmemmap = VMEMMAP_START - memstart_addr's pfn; no wrap past 2^64 here
      const start = (g.vmemmapStart + (lo * g.pagesPerSection - g.memstartPfn) * g.structPageSize) & mask;
      const end = start + (hi + 1n - lo) * g.pagesPerSection * g.structPageSize;
      // where some level's entry changes: the range's start and every table boundary inside it
      const at = new Set<bigint>([start]);
      for (const s of shifts) for (let b = ((start >> s) + 1n) << s; b < end; b += 1n << s) at.add(b);
      const points = [...at].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      points.forEach((b, k) => {
        let tables = 0n;
        shifts.forEach((s, level) => {
          const entry = b >> s;
          const last = this.last[level];
          if (last !== undefined && entry <= last) return;
          this.last[level] = entry;
          if (entry !== fixmap[level]) tables++;
        });
        const units = ((points[k + 1] ?? end) - b) / unit;
        const prev = out.at(-1);
        if (prev && tables === 0n) prev.units += units;
        else out.push({ tables, units });
      });
    }
    return out;
  }
}

/**
 * sparse_init_nid for `sections` present sections of node `nid` (`before` present sections came
 * earlier): the usemap near the node's NODE_DATA, the memmap buffer and the vmemmap, with the
 * new page tables its memmap needs, each before the first block or page under it (`steps`).
 */
function sparseInitNid(
  st: BootState,
  nid: number,
  nd: bigint,
  ranges: [bigint, bigint][],
  sections: bigint,
  before: bigint,
  steps: readonly VmemmapStep[],
): void {
  const p = st.ctx.profile;
  const sp = p.arm64!.sparse;
  const mb = st.ctx.memblock;
  const page = BigInt(p.pageSize);
  // __pa(MAX_DMA_ADDRESS): PHYS_OFFSET, the min_addr of memmap_alloc and the vmemmap's blocks
  const dmaGoal = st.physOffset!;
  const secShift = BigInt(sp.sectionSizeBits);
  const usemap = sp.usemapBytesPerSection * sections;
  const pagesPerSection = 1n << (secShift - BigInt(p.pageShift));
  // section_map_size(): PMD-aligned with SPARSEMEM_VMEMMAP, else the array's pages
  const sectionMapSize = roundUp(sp.structPageSize * pagesPerSection, sp.vmemmap ? sp.pmdSize : page);
  // the memmap pages a section needs when vmemmap_populate maps base pages (not 4 KiB: no PMD blocks)
  const memmapPages = roundUp(sp.structPageSize * pagesPerSection, page) / page;
  const blocksPerSection = sectionMapSize / sp.pmdSize;
  const memmapFailed = 'memory map backing failed. Some memory will not be available.';
  /** sparse_init_nid gives up at present section `n` of this node (0 first): the boot dies. */
  const failAt = (what: string, n: bigint, why: (at: bigint) => string): never => {
    const at = firstSectionFrom(mb.memory.regions, secShift, before + n);
    return backingFailed(st, what, at, why(at), nid);
  };
  const noBlock = (size: bigint) => (at: bigint) =>
    `no free ${hex(size)} block (at ${hex(size)} alignment) for the memmap of the section at ${hex(at)}`;
  /**
   * vmemmap_populate for every present section in `steps`: each step's new tables, then its PMD
   * blocks (4 KiB pages; a 1 GiB section's memmap is eight of them) or base pages, through `alloc`.
   * sparse_init_nid gives up at the first section it cannot back.
   */
  const populate = (alloc: (count: bigint, size: bigint) => AllocRun[]): void => {
    const perSection = p.pageSize === 4096 ? blocksPerSection : memmapPages;
    let units = 0n;
    for (const [k, step] of steps.entries()) {
      vmemmapTables(alloc, step.tables, units / perSection);
      if (p.pageSize !== 4096) {
        backed(alloc(step.units, page), page, memmapPages, units);
        units += step.units;
        continue;
      }
      const got = done(alloc(step.units, sp.pmdSize));
      units += got;
      if (got === step.units) continue;
      if (!p.series.arm64.vmemmapBasePagesFallback) return failAt(memmapFailed, units / blocksPerSection, noBlock(sp.pmdSize));
      // The PMD ranges left without a block (memblock has none for the first, so none for those
      // after it): each gets a PTE table and a page per 4 KiB of its memmap. The later steps'
      // tables and failed block calls come first here, not each before its range's pages;
      // memblock ends the same.
      vmemmapTables(
        alloc,
        steps.slice(k + 1).reduce((n, x) => n + x.tables, 0n),
        units / blocksPerSection,
      );
      const perPmd = 1n + sp.pmdSize / page;
      const blocks = sections * blocksPerSection;
      return backed(alloc((blocks - units) * perPmd, page), page, perPmd * blocksPerSection, units * perPmd);
    }
  };
  /** The blocks allocated before the first failure. */
  const done = (runs: AllocRun[]): bigint => {
    let got = 0n;
    for (const r of runs) {
      if (!r.first) break;
      got += BigInt(r.count);
    }
    return got;
  };
  /** The boot dies at the section of the first block `runs` could not allocate (`before` blocks came earlier). */
  const backed = (runs: AllocRun[], size: bigint, perSection: bigint, before: bigint): void => {
    if (runs.some((r) => !r.first)) failAt(memmapFailed, (before + done(runs)) / perSection, noBlock(size));
  };
  /** `n` new vmemmap page tables for the memmap of present section `at` on, zeroed through the linear map (vmemmap_alloc_block_zero). */
  const vmemmapTables = (alloc: (count: bigint, size: bigint) => AllocRun[], n: bigint, at: bigint): void => {
    if (n === 0n) return;
    const runs = alloc(n, page);
    if (runs.some((r) => !r.first)) failAt(memmapFailed, at, () => `no ${hex(page)} page for a vmemmap table`);
    touchRuns(st, runs, page, 'sparse_init');
  };
  if (p.series.arm64.sparseMemmap === 'memmap-alloc') {
    const usage = mb.allocTryNid(usemap, 64n, 0n, MEMBLOCK_ALLOC_ACCESSIBLE, nid, 'sparse_init_nid');
    if (!usage) failAt('usemap allocation failed', 0n, () => `no ${usemap} bytes for the usemap`);
    touch(st, usage, usemap, 'sparse_init');
    const memmapAlloc = (count: bigint, size: bigint) =>
      mb.allocTryNidRepeat(
        Number(count),
        size,
        size,
        dmaGoal,
        MEMBLOCK_ALLOC_NOLEAKTRACE,
        nid,
        'memmap_alloc',
        'memblock_alloc_try_nid_raw',
      );
    populate(memmapAlloc);
    return;
  }
  // sparse_early_usemaps_alloc_pgdat_section: with CONFIG_MEMORY_HOTREMOVE in NODE_DATA's section,
  // else (or when that section has no room: `goto again` without the limit) anywhere on the node
  const goal = sp.usemapNearPgdat ? roundDown(nd, 1n << secShift) : 0n;
  const near = sp.usemapNearPgdat ? mb.allocTryNid(usemap, 64n, goal, goal + (1n << secShift), nid, 'sparse_init_nid') : undefined;
  const usage = near ?? mb.allocTryNid(usemap, 64n, goal, MEMBLOCK_ALLOC_ACCESSIBLE, nid, 'sparse_init_nid');
  if (!usage) failAt('usemap allocation failed', 0n, () => `no ${usemap} bytes for the usemap`);
  touch(st, usage, usemap, 'sparse_init');
  const buf = mb.allocTryNid(
    sectionMapSize * sections,
    sectionMapSize,
    dmaGoal,
    MEMBLOCK_ALLOC_ACCESSIBLE,
    nid,
    'memmap_alloc',
    'memblock_alloc_exact_nid_raw',
  );
  const earlyRepeat = (count: bigint, size: bigint) =>
    mb.allocTryNidRepeat(
      Number(count),
      size,
      size,
      dmaGoal,
      MEMBLOCK_ALLOC_ACCESSIBLE,
      nid,
      '__earlyonly_bootmem_alloc',
      'memblock_alloc_try_nid_raw',
    );
  if (!sp.vmemmap) {
    // classic SPARSEMEM: __populate_section_memmap takes each section's array from the buffer,
    // else memblock_alloc_try_nid_raw's of its own
    const runs = buf
      ? [{ first: buf, step: sectionMapSize, count: Number(sections) }]
      : mb.allocTryNidRepeat(
          Number(sections),
          sectionMapSize,
          page,
          dmaGoal,
          MEMBLOCK_ALLOC_ACCESSIBLE,
          nid,
          '__populate_section_memmap',
          'memblock_alloc_try_nid_raw',
        );
    backed(runs, sectionMapSize, 1n, 0n);
    (st.sectionMemmaps ??= []).push({ ranges, runs });
    return;
  }
  // No sparse buffer (memmap_alloc failed): vmemmap_alloc_block_buf() falls back to one
  // __earlyonly_bootmem_alloc() per block, between the tables. From the buffer, the blocks leave
  // no trace and only the tables are memblock's.
  if (!buf) populate(earlyRepeat);
  else
    vmemmapTables(
      earlyRepeat,
      steps.reduce((n, x) => n + x.tables, 0n),
      0n,
    );
  // sparse_buffer_fini: with 4 KiB pages vmemmap_populate() maps PMD blocks carved from the
  // buffer (all of it used); other page sizes populate base pages, and the rest is freed.
  if (buf && p.pageSize !== 4096) {
    const used = sections * memmapPages * page;
    const total = sectionMapSize * sections;
    if (used < total) mb.physFree(buf + used, total - used, 'memblock_free');
  }
}

/** The address of the first memory in the `n`th present section (0 first). */
function firstSectionFrom(regions: readonly MemblockRegion[], secShift: bigint, n: bigint): bigint {
  let left = n;
  for (const [lo, hi] of presentSectionRanges(regions, secShift)) {
    if (left <= hi - lo) {
      const start = (lo + left) << secShift;
      const r = regions.find((x) => x.base + x.size > start);
      return r && r.base > start ? r.base : start;
    }
    left -= hi - lo + 1n;
  }
  return regions[0]?.base ?? 0n;
}

/**
 * mm/sparse.c sparse_init_nid: when the usemap or a section's memmap cannot be allocated it prints
 * why, marks that section and every one after it not present, and goes on — without a usemap for
 * them. free_area_init's subsection_map_init (7.2: sparse_init_subsection_map) then sets bits in
 * `ms->usage->subsection_map` of the first such section with memory, through a NULL usage: the idle
 * task faults in __bitmap_set. The address is the bitmap's offset in struct mem_section_usage
 * (after its rcu_head: 16 bytes, as the lab's 5.10.223 and 7.2.13 oopses show) plus the word of
 * the memory's first subsection (SUBSECTION_SHIFT 21) in the section.
 */
function backingFailed(st: BootState, what: string, at: bigint, why: string, nid: number): never {
  const sp = st.ctx.profile.arm64!.sparse;
  const secStart = (at >> BigInt(sp.sectionSizeBits)) << BigInt(sp.sectionSizeBits);
  const va = 16n + 8n * (((at - secStart) >> 21n) / 64n);
  st.ctx.printk('err', `sparse_init_nid: node[${nid}] ${what}`, 'sparse_init_nid');
  throw new BootPanic(
    'Attempted to kill the idle task!',
    [
      `Unable to handle kernel NULL pointer dereference at virtual address ${va.toString(16).padStart(16, '0')}`,
      'Kernel panic - not syncing: Attempted to kill the idle task!',
    ],
    '__bitmap_set',
    `sparse_init_nid finds ${why}: the section is left without its usemap, and subsection_map_init writes through it (mm/sparse.c)`,
  );
}

/**
 * arm64 free_unused_memmap (5.10 arch/arm64/mm/init.c, from mem_init before memblock_free_all,
 * without SPARSEMEM_VMEMMAP): the memmap arrays' pages that describe holes go back to memblock —
 * between memory ranges (for_each_mem_pfn_range; a range's end rounded up to MAX_ORDER_NR_PAGES,
 * a hole not reaching past the end of its section), and from the last range's end to the end of
 * its section (free_memmap: the whole pages between pfn_to_page(start - 1) + 1 and
 * pfn_to_page(end - 1) + 1).
 */
export function freeUnusedMemmapSparse(st: BootState): void {
  const maps = st.sectionMemmaps;
  const p = st.ctx.profile;
  if (!maps || !p.arm64) return;
  const sp = p.arm64.sparse;
  const perSection = 1n << BigInt(sp.sectionSizeBits - p.pageShift);
  /** pfn's struct page: the k-th present section's array is the k-th of its node's runs of arrays. */
  const structPage = (pfn: bigint): bigint | undefined => {
    const section = pfn / perSection;
    for (const m of maps) {
      let k = 0n;
      for (const [lo, hi] of m.ranges) {
        if (section >= lo && section <= hi) {
          const base = nthBlock(m.runs, k + section - lo);
          return base === undefined ? undefined : base + (pfn - section * perSection) * sp.structPageSize;
        }
        k += hi - lo + 1n;
      }
    }
    return undefined;
  };
  freeUnusedMemmap(st.ctx.memblock, {
    startAlign: 1n,
    // MAX_ORDER_NR_PAGES: 1 << (MAX_ORDER - 1), MAX_ORDER a count in 5.10
    endAlign: 1n << BigInt(p.series.maxOrder === 'count' ? p.maxOrder - 1 : p.maxOrder),
    sectionPages: perSection,
    structPageSize: sp.structPageSize,
    structPage,
    caller: 'free_memmap',
  });
}

/** The k-th block of a list of allocation runs, in call order (undefined past their end or for a failed call). */
function nthBlock(runs: readonly AllocRun[], k: bigint): bigint | undefined {
  let left = k;
  for (const r of runs) {
    if (left < BigInt(r.count)) return r.first ? r.first + left * r.step : undefined;
    left -= BigInt(r.count);
  }
  return undefined;
}
