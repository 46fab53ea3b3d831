// The order in which the buddy allocator hands out the pages memblock_free_all gave it
// (mm/mm_init.c, mm/page_alloc.c), and the boots that order decides: memory the kernel still uses
// or cannot reach that a failed reserved region left free.
//
// - memblock_free_all → free_low_memory_core_early → __free_memory_core hands each free range
//   [PFN_UP(start), min(PFN_DOWN(end), max_low_pfn)) to __free_pages_memory, which frees it lowest
//   first in the largest naturally aligned blocks (order min(largest order, __ffs(pfn)), shrunk to
//   fit). __free_pages_core frees with FPI_TO_TAIL: __free_one_page merges each block with a free
//   buddy and adds the result at the tail of its order's list, so every list runs lowest address
//   first.
// - memmap_init_range marks each pageblock MIGRATE_MOVABLE at its first pfn when that pfn is memory;
//   a pageblock whose first pfn is not memory keeps 0, MIGRATE_UNMOVABLE.
// - An unmovable (or reclaimable) allocation takes __rmqueue_smallest from its own lists; when they
//   are empty, __rmqueue_fallback (7.2: __rmqueue_claim) looks from the largest order down and
//   claims the first block of the first order that has one (get_page_from_free_area: the list's
//   head), with its whole pageblock. The first one after memblock_free_all — kmem_cache_init's
//   first slab — therefore gets the lowest wholly free largest-order block, and its first page;
//   when that block is smaller than a pageblock (arm64 16K pages: 32 MiB pageblocks), the smallest
//   free block of its pageblock (firstUnmovableClaim).
// - With CONFIG_DEFERRED_STRUCT_PAGE_INIT (arm64) memblock_free_pages skips the struct pages from
//   first_deferred_pfn on: those are freed later, by page_alloc_init_late.
// - A movable allocation (the tmpfs page cache populate_rootfs fills from the initramfs, user pages)
//   takes __rmqueue_smallest: the head of the smallest order that has a block; expand() puts the
//   upper halves at the heads of the lower orders. Small free fragments go first, whole blocks last.
//   GFP_HIGHUSER_MOVABLE asks ZONE_HIGHMEM first: lowmem serves it only when highmem has nothing.
// - CONFIG_INIT_ON_ALLOC_DEFAULT_ON (Debian's configs) zeroes every page handed out
//   (post_alloc_hook → kernel_init_pages): a page with no linear mapping faults right there, in
//   get_page_from_freelist; a page of the kernel image is overwritten.
import { diag } from '../diagnostics.js';
import { BootHang, BootPanic, type BootState } from './boot-state.js';
import { hex } from './memblock.js';
import { rmemRegions, type RmemRegion } from './rmem.js';
import { subtract } from './arch/arm64/mmu.js';
import type { Bank } from '../platform/index.js';
import type { KernelProfile } from './profiles/types.js';

/** A zone's free lists as memblock_free_all leaves them: per order, head first, by migratetype. */
export interface FreeArea {
  largestOrder: number;
  movable: number[][];
  unmovable: number[][];
}

/**
 * The free lists of the zone [startPfn, endPfn) after memblock_free_all frees `ranges` (byte
 * ranges, for_each_free_mem_range order). `movableBlock(pfn)` says whether the pageblock holding
 * pfn was marked MIGRATE_MOVABLE.
 */
export function freeArea(
  ranges: Iterable<readonly [bigint, bigint]>,
  zone: { startPfn: number; endPfn: number },
  pageSize: bigint,
  largestOrder: number,
  movableBlock: (pfn: number) => boolean,
): FreeArea {
  const area: FreeArea = {
    largestOrder,
    movable: Array.from({ length: largestOrder + 1 }, () => []),
    unmovable: Array.from({ length: largestOrder + 1 }, () => []),
  };
  const freeOrder = new Map<number, number>(); // head pfn of each free block → its order
  const list = (pfn: number, order: number) => (movableBlock(pfn) ? area.movable : area.unmovable)[order]!;
  const free = (pfn: number, order: number) => {
    // __free_one_page: merge while the buddy is a free block of the same order in the zone
    while (order < largestOrder) {
      const buddy = pfn ^ (1 << order);
      if (buddy < zone.startPfn || buddy >= zone.endPfn || freeOrder.get(buddy) !== order) break;
      const l = list(buddy, order);
      l.splice(l.indexOf(buddy), 1);
      freeOrder.delete(buddy);
      pfn = Math.min(pfn, buddy);
      order++;
    }
    freeOrder.set(pfn, order);
    list(pfn, order).push(pfn); // FPI_TO_TAIL
  };
  for (const [start, end] of ranges) {
    let s = Math.max(Number((start + pageSize - 1n) / pageSize), zone.startPfn);
    const e = Math.min(Number(end / pageSize), zone.endPfn);
    while (s < e) {
      // __free_pages_memory: min(largest order, __ffs(pfn)), shrunk until it fits
      let order = s === 0 ? largestOrder : Math.min(largestOrder, 31 - Math.clz32(s & -s));
      while (s + (1 << order) > e) order--;
      free(s, order);
      s += 1 << order;
    }
  }
  return area;
}

/**
 * The block the first unmovable allocation takes its page from: none while unmovable lists hold
 * pages (they are served first). Otherwise __rmqueue_fallback (7.2: __rmqueue_claim) takes the
 * head of the largest order that has a movable block (`claimed`). A block of at least pageblock
 * order becomes unmovable whole and its first page is handed out. A smaller one (no whole
 * pageblock is free, e.g. 16K pages' 32 MiB pageblocks at 128 MiB) has its pageblock claimed
 * (steal_suitable_fallback, 7.2 try_to_claim_block: at boot no page of it is movable-in-use, so
 * free and alike pages fill it): move_freepages_block moves the pageblock's free blocks to the
 * unmovable lists, lowest first, and __rmqueue_smallest hands out the smallest of them first. A
 * pageblock reaching outside the zone is not moved (prep_move_freepages_block): the block itself
 * is taken. (In ZONE_NORMAL above a populated lower zone, alloc_flags_nofragment's ALLOC_NOFRAGMENT
 * lets the first pass claim whole pageblocks only and tries the lower zone next: not followed.)
 */
export function firstUnmovableClaim(
  area: FreeArea,
  pageblockOrder: number,
  zone: { startPfn: number; endPfn: number },
): { pfn: number; order: number; claimed: { pfn: number; order: number } } | undefined {
  if (area.unmovable.some((l) => l.length)) return undefined;
  for (let order = area.largestOrder; order >= 0; order--) {
    const pfn = area.movable[order]![0];
    if (pfn === undefined) continue;
    const claimed = { pfn, order };
    const first = pfn - (pfn % (1 << pageblockOrder));
    const end = first + (1 << pageblockOrder);
    if (order >= pageblockOrder || first < zone.startPfn || end > zone.endPfn) return { pfn, order, claimed };
    for (let o = 0; o <= order; o++) {
      const head = area.movable[o]!.find((x) => x >= first && x < end);
      if (head !== undefined) return { pfn: head, order: o, claimed };
    }
  }
  return undefined;
}

/** The pfns the first `count` single-page movable allocations get, in order (__rmqueue_smallest + expand). */
export function* movableHandOut(area: FreeArea, count: number): Generator<number> {
  const lists = area.movable.map((l) => [...l]);
  for (let n = 0; n < count; n++) {
    let order = lists.findIndex((l) => l.length > 0);
    if (order < 0) return;
    const pfn = lists[order]!.shift()!;
    while (order > 0) {
      order--;
      lists[order]!.unshift(pfn + (1 << order));
    }
    yield pfn;
  }
}

export type Range = { base: bigint; end: bigint };

/** The parts of `a` inside `b`. */
export function intersect(a: Range[], b: Range[]): Range[] {
  const out: Range[] = [];
  for (const x of a)
    for (const y of b) {
      const base = x.base > y.base ? x.base : y.base;
      const end = x.end < y.end ? x.end : y.end;
      if (end > base) out.push({ base, end });
    }
  return out;
}

/** The reserved-memory regions (rmem.ts) that overlap any of `rs`: whose failed handler freed them. */
export function regionsOver(st: BootState, rs: Range[]): RmemRegion[] {
  return rmemRegions(st.ctx).filter(
    ({ base, size }) => base !== null && size !== null && rs.some((f) => base < f.end && base + size > f.base),
  );
}

/** `[0x…-0x…], …`, each range's first and last byte. */
export const fmt = (rs: Range[]) => rs.map((r) => `[${hex(r.base)}-${hex(r.end - 1n)}]`).join(', ');

/**
 * Unpacking the initramfs faults on a page it was handed (`why`): in the async worker, and
 * kernel_init waits for the initramfs for ever (6.1+, do_populate_rootfs), or in kernel_init
 * itself, which kills init (5.10, populate_rootfs) — init/initramfs.c.
 */
export function unpackFaults(st: BootState, why: string): never {
  if (st.ctx.profile.series.initramfsAsync)
    throw new BootHang(
      'do_populate_rootfs',
      `${why} in the async worker that unpacks it, and kernel_init waits for the initramfs for ever`,
      'after an oops in the worker and what the other initcalls print meanwhile',
    );
  throw new BootPanic(
    'Attempted to kill init! exitcode=0x0000000b',
    ['Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b'],
    'populate_rootfs',
    `${why} in kernel_init`,
  );
}

/**
 * The part of the running kernel's image (arm64_memblock_init's or arm_memblock_init's
 * reservation) that the boot still uses after memblock_free_all. arm: all of it. arm64: from
 * __init_begin on — the init sections (until free_initmem), .data with init_thread_union (the boot
 * CPU's and idle task's stack) and init_task, .bss — less init_pg_dir, which 5.10's and 6.1's
 * paging_init free themselves; its text and rodata are not followed.
 */
export function liveImage(st: BootState): Range[] {
  const img = st.result.kernelImage;
  if (!img) return [];
  const a = st.ctx.profile.arm64;
  if (!a) return [{ base: img.base, end: img.base + img.size }];
  const text = img.base - a.reserveStartOffset;
  const pgd = a.pgtable.initPgDirFree;
  const from: Bank = { base: text + a.initBeginOffset, size: img.base + img.size - (text + a.initBeginOffset) };
  const live = pgd ? subtract([from], { base: text + pgd.offsetFromText, size: pgd.size }) : [from];
  return live.map((b) => ({ base: b.base, end: b.base + b.size }));
}

/**
 * Whether the pageblock holding `addr` is MIGRATE_MOVABLE when memblock_free_all frees into it:
 * memmap_init marks a pageblock movable only when its first page lies in a memory range; one that
 * starts in a hole keeps migratetype 0, MIGRATE_UNMOVABLE.
 */
export function pageblockMovable(st: BootState, addr: bigint): boolean {
  const block = st.ctx.memblock.pageSize << BigInt(st.ctx.profile.pageblockOrder);
  const first = addr - (addr % block);
  return st.ctx.memblock.memory.regions.some((m) => m.base <= first && first < m.base + m.size);
}

/** The largest order a free block has: MAX_PAGE_ORDER, or MAX_ORDER - 1 where the series counts orders (versions' maxOrder). */
export function largestOrder(p: KernelProfile): number {
  return p.series.maxOrder === 'count' ? p.maxOrder - 1 : p.maxOrder;
}

/** Lowmem's free lists after memblock_free_all (GFP_KERNEL's zone), and whether highmem has free pages. */
export interface LowmemArea {
  free: Range[];
  area: FreeArea;
  ps: bigint;
  low: { base: bigint; size: bigint };
  lowEnd: bigint;
  highFree: boolean;
}

/** [r.base, r.end) less [w.base, w.end): none, one or two ranges. */
function cutOut(r: { base: bigint; end: bigint }, w: { base: bigint; end: bigint }): { base: bigint; end: bigint }[] {
  if (w.end <= r.base || r.end <= w.base) return [r];
  return [
    { base: r.base, end: w.base },
    { base: w.end, end: r.end },
  ].filter((x) => x.end > x.base);
}

/**
 * Lowmem's free lists as memblock_free_all leaves them, or with `late` as the initcalls find them:
 * the deferred struct pages page_alloc_init_late freed added behind (arm64). What the allocations
 * in between took is not followed.
 */
export function lowmemArea(st: BootState, late = false): LowmemArea | undefined {
  const p = st.ctx.profile;
  const mb = st.ctx.memblock;
  const ps = mb.pageSize;
  // memblock_free_pages skips deferred struct pages (first_deferred_pfn on): page_alloc_init_late
  // frees them later (deferred_init_memmap → deferred_free_pages, __free_pages_core: FPI_TO_TAIL,
  // so behind what memblock_free_all left on each list), before the initcalls run
  const windows = (st.result.pageAlloc?.deferredPfns ?? []).map(([a, b]) => ({ base: a * ps, end: b * ps }));
  const ranges = [...mb.freeRanges()].map(([base, end]) => ({ base, end }));
  const early = windows.reduce((rs, w) => rs.flatMap((r) => cutOut(r, w)), ranges);
  const rest = late
    ? windows.flatMap((w) => ranges.map((r) => ({ base: r.base > w.base ? r.base : w.base, end: r.end < w.end ? r.end : w.end })))
    : [];
  const free = [...early, ...rest.filter((r) => r.end > r.base)];
  const zones = st.result.zones ?? [];
  // GFP_KERNEL's zone: the highest below ZONE_HIGHMEM (lowmem ends at memblock's current limit)
  const low = zones.filter((z) => z.name !== 'HighMem').pop();
  if (!low) return undefined;
  const lowEnd = low.base + low.size;
  const area = freeArea(
    free.map((r) => [r.base, r.end] as const),
    { startPfn: Number(low.base / ps), endPfn: Number(lowEnd / ps) },
    ps,
    largestOrder(p),
    (pfn) => pageblockMovable(st, BigInt(pfn) * ps),
  );
  const highFree = free.some((r) => r.end > lowEnd && (r.end - (r.base > lowEnd ? r.base : lowEnd)) / ps > 0n);
  return { free, area, ps, low, lowEnd, highFree };
}

/** get_order(bytes) (include/asm-generic/getorder.h): the smallest order whose block holds `bytes`. */
export function getOrder(bytes: bigint, pageSize: bigint): number {
  let order = 0;
  while (pageSize << BigInt(order) < bytes) order++;
  return order;
}

/**
 * How many blocks of `order` GFP_KERNEL's zone has free as the initcalls find it (lowmemArea, the
 * deferred pages freed too): each free block of that order or larger counts as the blocks of
 * `order` it splits into. CMA areas are not among them (memblock keeps them reserved until
 * cma_init_reserved_areas gives them MIGRATE_CMA, which a GFP_KERNEL allocation cannot use).
 * Before the initcalls, start_kernel's and kernel_init's own unmovable and reclaimable
 * allocations claim blocks too: __rmqueue_fallback (7.2 __rmqueue_claim) takes the largest free
 * block each time their own lists run dry, so they consume the large blocks first, whatever small
 * blocks lie beside them; how many, no file states (oom.ts reads the build's measurement).
 */
export function highOrderBlocks(st: BootState, order: number): number | undefined {
  const lm = lowmemArea(st, true);
  if (!lm) return undefined;
  let blocks = 0;
  for (const lists of [lm.area.movable, lm.area.unmovable])
    lists.forEach((l, o) => {
      if (o >= order) blocks += l.length * 2 ** (o - order);
    });
  return blocks;
}

/**
 * The first page of `rs` that single-page movable allocations from lowmem reach (movableHandOut),
 * and how many bytes they were handed before it; undefined when none does.
 */
export function movableReach(lm: LowmemArea, rs: Range[]): { page: bigint; before: bigint } | undefined {
  let n = 0n;
  for (const pfn of movableHandOut(lm.area, Number(lm.lowEnd / lm.ps))) {
    const page = BigInt(pfn) * lm.ps;
    if (rs.some((r) => r.base <= page && page < r.end)) return { page, before: n * lm.ps };
    n++;
  }
  return undefined;
}

/**
 * What memblock_free_all gives the page allocator that it must not hand out: pages of the running
 * kernel's image (a failed reserved region's memblock_phys_free took the image's reservation with
 * it) and, on arm, pages dma_contiguous_remap left without a linear mapping. The lowmem zone's
 * free lists decide when the first of them is handed out:
 *  - the first page of the block the first unmovable allocation claims (kmem_cache_init's first
 *    slab, before ftrace_init): kernel text there dies at ftrace_init; data there breaks the boot
 *    in a way the data decides (an oops wherever it is read next, or silence): a warning;
 *  - an unmapped page among the movable pages populate_rootfs takes while unpacking the initramfs
 *    into tmpfs (at least the initrd's own size of file data): the unpacking dies there;
 *  - otherwise a later allocation gets it: a warning says so.
 * Called after memblock_free_all (`stage` 'kmem_cache_init') and again at rootfs_initcall
 * ('populate_rootfs'); returns what it found when the first slab lands on the kernel's data (the
 * caller's kernel-image-freed warning says it).
 */
export function pagesHandedOut(st: BootState, stage: 'kmem_cache_init' | 'populate_rootfs'): string | undefined {
  const { ctx } = st;
  const p = ctx.profile;
  const img = st.result.kernelImage;
  const lm = lowmemArea(st);
  if (!lm) return undefined;
  const { free, area, ps, low, lowEnd } = lm;
  const image = intersect(free, liveImage(st));
  const unmapped = intersect(
    free,
    (st.unmapped ?? []).map((u) => ({ base: u.base, end: u.base + u.size })),
  );
  if (!image.length && !unmapped.length) return undefined;
  const at = (rs: Range[], pfn: number) => rs.find((r) => r.base <= BigInt(pfn) * ps && BigInt(pfn) * ps < r.end);
  const claim = firstUnmovableClaim(area, p.pageblockOrder, { startPfn: Number(low.base / ps), endPfn: Number(lowEnd / ps) });
  const claimed = claim && at(image, claim.pfn);
  if (stage === 'kmem_cache_init' && claim && claimed && img) {
    const addr = BigInt(claim.pfn) * ps;
    const blockEnd = addr + (ps << BigInt(claim.order));
    const c = claim.claimed;
    const claimedAt = BigInt(c.pfn) * ps;
    const pageblock = ps << BigInt(p.pageblockOrder);
    const block = claimedAt - (claimedAt % pageblock);
    const taken =
      c.pfn === claim.pfn
        ? `the lowest wholly free order-${claim.order} block [${hex(addr)}-${hex(blockEnd - 1n)}] starts with the kernel image's ${fmt([claimed])}`
        : `the lowest free order-${c.order} block, ${hex(claimedAt)}, is smaller than a pageblock: its pageblock [${hex(block)}-${hex(block + pageblock - 1n)}] is claimed and its smallest free block, order-${claim.order} [${hex(addr)}-${hex(blockEnd - 1n)}], comes first, inside the kernel image's ${fmt([claimed])}`;
    const slab =
      c.pfn === claim.pfn
        ? "kmem_cache_init's first slab claims that block (__rmqueue_fallback takes the largest order's first block) and is zeroed and written over it"
        : "kmem_cache_init's first slab (__rmqueue_smallest in the claimed pageblock) is zeroed and written over it";
    const what = `${taken}, which memblock_free_all gave the page allocator (a failed reserved region's memblock_phys_free took the image's reservation with it): ${slab}`;
    if (addr < img.base + (p.arm?.textSize ?? 0n))
      throw new BootPanic(
        'Attempted to kill the idle task!',
        ['Kernel panic - not syncing: Attempted to kill the idle task!'],
        'ftrace_init',
        `${what}; it is kernel text, so ftrace_init finds the mcount call sites there changed (ftrace_bug), and the idle task oopses when it next runs the overwritten code`,
      );
    // past _etext: rodata, init, data or bss — which code trips over it, and how, depends on what it held
    return `${what}; it is the kernel's data (past _etext), so the boot breaks from start_kernel on, in a way that depends on what that data held: an oops in whatever code reads it next, or silence`;
  }
  const { highFree } = lm;
  const initrd = st.layout.initrd?.size ?? 0n;
  if (stage === 'populate_rootfs' && unmapped.length && !highFree && initrd > 0n && st.initrdDropped === undefined) {
    let n = 0;
    for (const pfn of movableHandOut(area, Number((initrd + ps - 1n) / ps))) {
      if (at(unmapped, pfn)) {
        const addr = BigInt(pfn) * ps;
        const why = `the page allocator gets ${fmt(unmapped)} from memblock_free_all, but dma_contiguous_remap (arch/arm/mm/dma-mapping.c) cleared its PMD and mapped back only the pool's own pages; unpacking the initramfs into tmpfs takes movable pages smallest block first, and after ${(BigInt(n) * ps) >> 10n} KiB it gets ${hex(addr)}: zeroing it (init_on_alloc, get_page_from_freelist) faults`;
        unpackFaults(st, why);
      }
      n++;
    }
  }
  if (stage !== 'populate_rootfs') return undefined;
  // how far into the movable order the first such page comes (all of lowmem's free pages at most)
  const reach = (rs: Range[]): string => {
    if (highFree) return 'movable allocations are served from highmem first, while it has free pages';
    const r = movableReach(lm, rs);
    if (r) return `movable allocations reach the first of them after ${r.before >> 10n} KiB`;
    return 'only unmovable allocations reach them, once they have claimed the larger blocks below';
  };
  if (unmapped.length)
    ctx.diagnostics.push(
      diag(
        'warning',
        'free-pages-unmapped',
        `the page allocator gets ${fmt(unmapped)} from memblock_free_all, but dma_contiguous_remap (arch/arm/mm/dma-mapping.c) cleared its PMD and mapped back only the pool's own pages: the first allocation handed one of these pages faults zeroing it, whichever it is (${reach(unmapped)})`,
      ),
    );
  if (image.length && !claimed)
    ctx.diagnostics.push(
      diag(
        'warning',
        'kernel-image-freed',
        `memblock_free_all gives the page allocator ${fmt(image)} of the running kernel's image (a failed reserved region's memblock_phys_free took the image's reservation with it): the allocation first handed one of these pages overwrites the kernel's ${image.some((r) => r.base < (img ? img.base + (p.arm?.textSize ?? 0n) : 0n)) ? 'code' : 'data'} there (not kmem_cache_init's first slab: they do not start the lowest wholly free largest-order block; ${reach(image)})`,
      ),
    );
  return undefined;
}
