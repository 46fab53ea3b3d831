// arch/arm64/mm/mmu.c: paging_init — map_mem() builds the linear map from early_pgtable_alloc()
// pages (how many: countLinearMapTables), the init_pg_dir is freed, memblock may resize from then on.
import { BootPanic, writeRam, type BootState } from '../../boot-state.js';
import { hex, MEMBLOCK_ALLOC_NOLEAKTRACE, MEMBLOCK_NOMAP, roundDown, roundUp, type AllocRun } from '../../memblock.js';
import type { Bank } from '../../../platform/index.js';
import { deferCrashkernel, kernelText } from './init.js';
import type { Arm64Idmap } from '../../profiles/types.js';
import { parameq } from '../../cmdline.js';

/**
 * Page-table pages the linear map needs (arch/arm64/mm/mmu.c map_mem → __create_pgd_mapping): one
 * per table index a mapped range touches at each level — a PTE table per PMD block mapped page by
 * page, a PMD table per PUD entry, and so on. Counted as unions of index ranges, so the cost does
 * not grow with the amount of RAM.
 */
export function countLinearMapTables(
  mapped: MappedBank[],
  kernelAlias: Bank,
  memstart: bigint,
  levelShifts: number[],
  o: {
    /** The whole linear map page by page (rodata=full, crash_mem_map). */
    pageGranular: boolean;
    /** The kernel alias may use PMD sections (Arm64Layout.pgtable.aliasBlocks); default yes. */
    aliasBlocks?: boolean;
    /** The root's entry shift: a table under it per entry touched, the first among the constant extras. */
    rootShift?: number;
    /** 1 GiB blocks are allowed (4 KiB pages, not page by page): the level they sit at. */
    pudBlockShift?: number;
  },
): number {
  const { pageGranular, aliasBlocks = true, rootShift, pudBlockShift } = o;
  const [pteShift, ...upper] = levelShifts as [number, ...number[]];
  /** The table indices [first, last] a bank touches at a level. */
  const span = (b: Bank, shift: number): Span => [(b.base - memstart) >> BigInt(shift), (b.base + b.size - 1n - memstart) >> BigInt(shift)];
  /** The PMD blocks a bank covers only in part (mapped with PTEs even where blocks are allowed). */
  const partial = (b: Bank): Span[] => {
    const [first, last] = span(b, pteShift);
    const [wFirst, wEnd] = wholeBlocks(b.base, b.base + b.size, memstart, pteShift);
    const full = (i: bigint) => wFirst <= i && i < wEnd;
    const out: Span[] = [];
    if (!full(first)) out.push([first, first]);
    if (last !== first && !full(last)) out.push([last, last]);
    return out;
  };
  const banks = [...mapped, kernelAlias].filter((b) => b.size > 0n);
  // memory without the kernel alias, at page granularity (or blocks where aligned when allowed)
  const pte = mapped.filter((b) => b.size > 0n).flatMap((b) => (pageGranular || b.pageByPage ? [span(b, pteShift)] : partial(b)));
  // the kernel alias [_text, __init_begin): NO_CONT_MAPPINGS only, so aligned 2 MiB blocks are
  // sections (up to 6.12) unless memory around them already has a PTE table there; 7.2 maps it
  // with the flags of the rest of memory
  if (kernelAlias.size > 0n) pte.push(...(aliasBlocks ? partial(kernelAlias) : [span(kernelAlias, pteShift)]));
  // 4 KiB pages with blocks allowed (`pudBlockShift`: 1 GiB): alloc_init_pud maps a range a bank
  // covers whole with a block (use_1G_block, 6.1+ pud_sect_supported; virtual and physical ends
  // aligned, as memstart_addr is to a PUD), and no PMD table goes under that entry
  let covered = 0n;
  if (pudBlockShift !== undefined)
    for (const b of mapped.filter((x) => x.size > 0n && !x.pageByPage)) {
      const [first, end] = wholeBlocks(b.base, b.base + b.size, memstart, pudBlockShift);
      if (end > first) covered += end - first;
    }
  const less = (sh: number) => (sh === pudBlockShift ? covered : 0n);
  const total = upper.reduce((n, sh) => n + unionSize(banks.map((b) => span(b, sh))) - less(sh), unionSize(pte));
  // The tables right under the root (root entries index by `rootShift`): one per root entry the map
  // touches, the first of them among paging_init's constant extras. Memory added below
  // memstart_addr after arm64_memblock_init fixed it (5.10's fdt_init_reserved_mem gives a failed
  // no-map region back with memblock_add) wraps to the top of the address space
  // (__phys_to_virt): another root entry, another table.
  const roots = rootShift === undefined ? 0n : unionSize(banks.map((b) => span(b, rootShift))) - less(rootShift);
  return Number(total + (roots > 1n ? roots - 1n : 0n));
}

/**
 * The indices [first, end) of the `shift`-sized blocks of the linear map that lie whole inside
 * [base, end): counted from memstart_addr (negative below it), as __create_pgd_mapping's
 * pmd_addr_end and the like cut virtual addresses. None when memstart_addr is not aligned to the
 * block: its physical ends would not be (a block needs both aligned).
 */
function wholeBlocks(base: bigint, end: bigint, memstart: bigint, shift: number): [bigint, bigint] {
  if (memstart & ((1n << BigInt(shift)) - 1n)) return [0n, 0n];
  return [-((memstart - base) >> BigInt(shift)), (end - memstart) >> BigInt(shift)];
}

/** A range map_mem maps, page by page whatever the linear map's granularity when `pageByPage`. */
export type MappedBank = Bank & { pageByPage?: boolean };

/** An inclusive range of table indices. */
type Span = [bigint, bigint];

/** How many indices a set of ranges covers. */
function unionSize(spans: Span[]): bigint {
  let n = 0n;
  let next: bigint | undefined; // the first index not yet counted (indices below memstart_addr are negative)
  for (const [a, b] of [...spans].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))) {
    const from = next === undefined || a > next ? a : next;
    if (b >= from) n += b - from + 1n;
    if (next === undefined || b + 1n > next) next = b + 1n;
  }
  return n;
}

/**
 * map_kernel's tables (5.10/6.1 arch/arm64/mm/mmu.c map_kernel_segment → __create_pgd_mapping into
 * the new swapper_pg_dir): below the root, a table per entry the segments touch at each level,
 * and a PTE table for each PMD block a segment does not cover whole (a segment boundary inside it:
 * the image is placed PMD-aligned, so virtual and physical blocks line up). `levelShifts`: the
 * non-PTE levels below the root, lowest first (PMD, PUD, ...); `rootShift`: the root's entry shift.
 */
export function countKernelTables(segments: readonly [bigint, bigint][], levelShifts: readonly number[], rootShift: number): bigint {
  const pmd = BigInt(levelShifts[0]!);
  const mask = (1n << pmd) - 1n;
  // only a segment's first and last block can be partial (the blocks between are covered whole)
  const ptes = new Set<bigint>();
  const live = segments.filter(([s, e]) => e > s);
  for (const [s, e] of live) {
    if (s & mask) ptes.add(s >> pmd);
    if (e & mask) ptes.add((e - 1n) >> pmd);
  }
  // the entries touched at each level above, counted as a union of index ranges (System.map is the user's)
  return [...levelShifts.slice(1), rootShift]
    .map(BigInt)
    .reduce((n, sh) => n + unionSize(live.map(([s, e]): Span => [s >> sh, (e - 1n) >> sh])), BigInt(ptes.size));
}

/** Subtract `cut` from a list of ranges. */
export function subtract(ranges: Bank[], cut: Bank): Bank[] {
  const out: Bank[] = [];
  const ce = cut.base + cut.size;
  for (const r of ranges) {
    const re = r.base + r.size;
    if (ce <= r.base || re <= cut.base) {
      out.push(r);
      continue;
    }
    if (r.base < cut.base) out.push({ base: r.base, size: cut.base - r.base });
    if (ce < re) out.push({ base: ce, size: re - ce });
  }
  return out;
}

export function pagingInit(st: BootState): void {
  const mb = st.ctx.memblock;
  const a = st.ctx.profile.arm64!;
  const page = BigInt(st.ctx.profile.pageSize);
  const text = kernelText(st);
  const memstart = st.memstart!;
  const pg = a.pgtable;
  // early_pgtable_alloc: memblock_phys_alloc_range(PAGE_SIZE, PAGE_SIZE, 0, MEMBLOCK_ALLOC_NOLEAKTRACE)
  // for each table, and panic() when there is none
  const pgAlloc = (count: number) => {
    const runs = mb.physAllocRangeRepeat(count, page, page, 0n, MEMBLOCK_ALLOC_NOLEAKTRACE, pg.caller);
    // each table page is zeroed as it is allocated (early_pgtable_alloc's memset)
    for (const r of runs) if (r.first) writeRun(st, r, page, 'early_pgtable_alloc');
    if (runs.at(-1)?.first === 0n)
      throw new BootPanic(
        'Failed to allocate page table page',
        ['Kernel panic - not syncing: Failed to allocate page table page'],
        pg.caller,
        "no free page below memblock.current_limit for the linear map's page tables (arch/arm64/mm/mmu.c early_pgtable_alloc)",
      );
  };
  const rootShift = pg.levelShifts.at(-1)! + st.ctx.profile.pageShift - 3;
  if (pg.kernelSegments) pgAlloc(Number(countKernelTables(pg.kernelSegments, pg.levelShifts, rootShift)));
  pgAlloc(pg.extraBefore);
  // map_mem's linear alias [kernel_start, __init_begin): kernel_start is the symbol
  // arm64_memblock_init reserves from (6.1 _stext, 6.12 _text; arch/arm64/mm/mmu.c)
  const kernelStart = text + a.reserveStartOffset;
  const alias: Bank = { base: kernelStart, size: text + a.initBeginOffset - kernelStart };
  // map_mem rounds each range inward to whole pages where the series does (mapMemRoundsInward):
  // a page only partly no-map is then left unmapped with the no-map part
  const inward = st.ctx.profile.series.arm64.mapMemRoundsInward;
  const pages = (base: bigint, end: bigint): Bank => ({ base, size: end > base ? end - base : 0n });
  st.unmapped = mb.memory.regions
    .filter((r) => r.flags & MEMBLOCK_NOMAP)
    .map((r) => (inward ? pages(roundDown(r.base, page), roundUp(r.base + r.size, page)) : { base: r.base, size: r.size }));
  let mapped: MappedBank[] = mb.memory.regions.filter((r) => !(r.flags & MEMBLOCK_NOMAP)).map((r) => ({ base: r.base, size: r.size }));
  mapped = subtract(mapped, alias);
  if (inward) mapped = mapped.map((b) => pages(roundUp(b.base, page), roundDown(b.base + b.size, page))).filter((b) => b.size > 0n);
  mapBelowPageOffset(mapped, memstart);
  // 5.10/6.1 crash_mem_map (Arm64Series.crashkernelDeferredByZones): a `crashkernel` parameter on a
  // build with kexec maps the linear map page by page when a DMA zone defers the reservation;
  // without one the reserved region is left out (memblock_mark_nomap) and mapped page by page after
  let pageGranular = pg.pageGranular;
  const crash = st.result.crashkernel;
  if (
    st.ctx.profile.series.arm64.crashkernelDeferredByZones &&
    !st.ctx.profile.noCrashReserve &&
    st.ctx.cmdline.args.some((x) => parameq(x.param, 'crashkernel'))
  ) {
    if (deferCrashkernel(st)) pageGranular = true;
    else if (crash) mapped = [...subtract(mapped, crash), { base: crash.base, size: crash.size, pageByPage: true }];
  }
  // 1 GiB blocks where a range covers one whole: 4 KiB pages without page-by-page mapping
  const pudBlockShift = !pageGranular && page === 4096n ? pg.levelShifts[0]! + 9 : undefined;
  if (!inward && !pageGranular) {
    const clash = remappedPage(mapped, memstart, page, { ...pg, pudBlockShift });
    if (clash) {
      // the tables the ranges before the second one took, then the BUG
      const before = mapped.slice(0, clash.index);
      pgAlloc(countLinearMapTables(before, { base: 0n, size: 0n }, memstart, pg.levelShifts, { pageGranular, rootShift, pudBlockShift }));
      throw new BootPanic(
        'Attempted to kill the idle task!',
        ['kernel BUG in __create_pgd_mapping (arch/arm64/mm/mmu.c)', 'Kernel panic - not syncing: Attempted to kill the idle task!'],
        '__create_pgd_mapping',
        `memory ranges [${hex(clash.a.base)}-${hex(clash.a.base + clash.a.size - 1n)}] and [${hex(clash.b.base)}-${hex(clash.b.base + clash.b.size - 1n)}] share the page at ${hex(clash.page)} (what lies between them is no-map and smaller than a page): map_mem maps each range out to whole pages, so the page is mapped twice, first as ${clash.first}, then as ${clash.second}; a live entry may change only in its permissions, and __create_pgd_mapping BUGs (arch/arm64/mm/mmu.c pgattr_change_is_safe, or a section where a table is wanted). With rodata=full (CONFIG_RODATA_FULL_DEFAULT_ENABLED) both would be plain PTEs`,
      );
    }
  }
  const n = countLinearMapTables(mapped, alias, memstart, pg.levelShifts, {
    pageGranular,
    aliasBlocks: pg.aliasBlocks,
    rootShift,
    pudBlockShift,
  });
  pgAlloc(n);
  if (pg.initPgDirFree) mb.physFree(text + pg.initPgDirFree.offsetFromText, pg.initPgDirFree.size, 'paging_init');
  mb.allowResize();
  // __pa_symbol(_end): the image's reservation ends there
  if (pg.idmap) pgAlloc(Number(countIdmapTables(pg.idmap, text, text + a.reserveStartOffset + a.reserveSize, pg.levelShifts, rootShift)));
}

/**
 * Two ranges map_mem maps one after the other that share a page (a no-map region smaller than a
 * page between them), when the entries their mappings give that page differ (linearEntry): the
 * second write BUGs. map_mem maps memblock's ranges in order, each rounded out to whole pages by
 * __create_pgd_mapping (`phys &= PAGE_MASK`, `PAGE_ALIGN(virt + size)`); the kernel's alias is
 * mapped after them, on page boundaries.
 */
export function remappedPage(
  mapped: readonly MappedBank[],
  memstart: bigint,
  page: bigint,
  pg: { levelShifts: number[]; contShifts: { pte: number; pmd: number }; pudBlockShift?: number },
): { index: number; a: Bank; b: Bank; page: bigint; first: string; second: string } | undefined {
  for (let i = 1; i < mapped.length; i++) {
    const a = mapped[i - 1]!;
    const b = mapped[i]!;
    if (a.pageByPage || b.pageByPage || a.size === 0n || b.size === 0n) continue;
    const p = roundDown(b.base, page);
    if (roundUp(a.base + a.size, page) <= p) continue;
    const first = linearEntry(p, roundDown(a.base, page), roundUp(a.base + a.size, page), memstart, pg);
    const second = linearEntry(p, p, roundUp(b.base + b.size, page), memstart, pg);
    if (first !== second) return { index: i, a, b, page: p, first, second };
  }
  return undefined;
}

/**
 * The entry __create_pgd_mapping writes for page `p` while mapping [r0, r1) with blocks and
 * contiguous ranges allowed (arch/arm64/mm/mmu.c alloc_init_pud, alloc_init_cont_pmd, init_pmd,
 * alloc_init_cont_pte): a 1 GiB block (`pudBlockShift`, 4K pages only: use_1G_block / pud_sect_supported), a PMD
 * section, or a PTE, each with PTE_CONT where the contiguous range around it is mapped whole. A
 * level's range counts when its virtual (linear: pa - memstart_addr + PAGE_OFFSET) and physical
 * ends are both aligned.
 */
function linearEntry(
  p: bigint,
  r0: bigint,
  r1: bigint,
  memstart: bigint,
  pg: { levelShifts: number[]; contShifts: { pte: number; pmd: number }; pudBlockShift?: number },
): string {
  const whole = (shift: number): boolean => {
    const [first, end] = wholeBlocks(r0, r1, memstart, shift);
    const i = (p - memstart) >> BigInt(shift);
    return first <= i && i < end;
  };
  const pmdShift = pg.levelShifts[0]!;
  if (pg.pudBlockShift !== undefined && whole(pg.pudBlockShift)) return 'a 1 GiB block';
  if (whole(pmdShift)) return whole(pg.contShifts.pmd) ? 'a contiguous PMD section' : 'a PMD section';
  return whole(pg.contShifts.pte) ? 'a contiguous PTE' : 'a PTE';
}

/**
 * 6.1 create_idmap's tables (arch/arm64/mm/mmu.c): __create_pgd_mapping of the idmap text at its
 * physical address, and with KPTI of __idmap_kpti_flag's 4 bytes, into the empty idmap_pg_dir —
 * counted as map_kernel's are (countKernelTables); first, when the image ends (`end`, physical)
 * above what VA_BITS_MIN bits address, a table for the extra level (idmap_t0sz < 64 - VA_BITS_MIN).
 */
export function countIdmapTables(idmap: Arm64Idmap, text: bigint, end: bigint, levelShifts: readonly number[], rootShift: number): bigint {
  const ranges: [bigint, bigint][] = [[text + idmap.text[0], text + idmap.text[1]]];
  if (idmap.kptiFlag !== undefined) ranges.push([text + idmap.kptiFlag, text + idmap.kptiFlag + 4n]);
  const extra = idmap.extraLevelAt !== undefined && end >= idmap.extraLevelAt ? 1n : 0n;
  return extra + countKernelTables(ranges, levelShifts, rootShift);
}

/** writeRam for each page of a run of allocations, in the order they were made. */
function writeRun(st: BootState, r: AllocRun, page: bigint, fn: string): void {
  const last = r.first + BigInt(r.count - 1) * r.step;
  const [lo, hi] = last < r.first ? [last, r.first] : [r.first, last];
  if (st.layout.memory.some((b) => b.base <= lo && hi + page <= b.base + b.size)) return;
  for (let k = 0; k < r.count; k++) writeRam(st, r.first + BigInt(k) * r.step, page, fn);
}

/**
 * map_mem maps each memory range at __phys_to_virt: memory below memstart_addr (5.10's
 * fdt_init_reserved_mem gives a failed no-map region below RAM back with memblock_add) lies below
 * PAGE_OFFSET, in the last entry of the top-level table. A range that goes on past memstart_addr
 * makes __create_pgd_mapping step past that last entry into the page after the fixmap'd table,
 * which is not mapped: a paging request fault in the idle task. A range wholly below it is mapped
 * without a fault (its pages fault later, start-kernel.ts).
 */
function mapBelowPageOffset(mapped: Bank[], memstart: bigint): void {
  const r = mapped.find((b) => b.base < memstart && memstart < b.base + b.size);
  if (!r) return;
  throw new BootPanic(
    'Attempted to kill the idle task!',
    ['Unable to handle kernel paging request in __create_pgd_mapping', 'Kernel panic - not syncing: Attempted to kill the idle task!'],
    '__create_pgd_mapping',
    `memory [0x${r.base.toString(16)}-0x${(r.base + r.size - 1n).toString(16)}] starts below memstart_addr 0x${memstart.toString(16)} and reaches past it: map_mem maps it from below PAGE_OFFSET, and __create_pgd_mapping walks past the last entry of the top-level table (arch/arm64/mm/mmu.c); memory below the start of RAM comes from a failed no-map region given back with memblock_add (drivers/of/of_reserved_mem.c fdt_init_reserved_mem)`,
  );
}
