// init/main.c start_kernel after setup_arch: setup_command_line, setup_per_cpu_areas and the
// allocations next to it (this build's sequence, profile data), the `Kernel command line:` line,
// then parse_args: __setup handlers (6.12 reserve_mem=, mm/memblock.c) and print_unknown_bootoptions
// (on arm64: its buffer is allocated and freed; arm's is not followed). Past the memory phase, only
// what the layout decides is followed: the boots it kills (laterBoot).
import { kernelFaultLine } from './arch/arm/fault.js';
import { prop, readU32 } from '../tree/query.js';
import { diag } from '../diagnostics.js';
import { BootHang, BootPanic, notRamWhy, touch, zoneAt, type BootState } from './boot-state.js';
import { MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE, hex } from './memblock.js';
import { rmemRegions } from './rmem.js';
import { firstMissingSection, freeUnusedMemmapSparse, presentSectionRanges } from './sparse.js';
import { subtract } from './arch/arm64/mmu.js';
import { allocNodeMemMap, freeUnusedMemmapFlatmem, structPageVirt } from './arch/arm/init.js';
import { atomicPoolInit, cmaPageblocks, cmaPageblockZones } from './arch/arm/dma-mapping.js';
import { pageAllocStart, pageExtInitFlatmem, swiotlbInit, vfsCachesInitEarly } from './mm-init.js';
import { integrityBufPool, outOfMemory, threadLimit } from './oom.js';
import { nomapPagesFreed } from './arch/arm64/nomap-freed.js';
import { possibleCpus, type PossibleCpus } from './smp.js';
import { setupLogBuf } from './printk.js';
import {
  fmt,
  freeArea,
  intersect,
  liveImage,
  lowmemArea,
  movableReach,
  pageblockMovable,
  pagesHandedOut,
  getOrder,
  highOrderBlocks,
  largestOrder,
  regionsOver,
  unpackFaults,
  type Range,
} from './page-alloc.js';

export function startKernel(st: BootState): void {
  const { ctx } = st;
  // mm_core_init_early → free_area_init (7.2; before, arm's paging_init ran it)
  if (ctx.profile.arch === 'arm' && ctx.profile.series.arm.freeAreaInit === 'mm_core_init_early') allocNodeMemMap(st);
  setupBootConfig(st);
  setupCommandLine(st);
  setupPerCpuAreas(st);
  ctx.printk('notice', `Kernel command line: ${ctx.cmdline.raw}`, 'start_kernel');
  // parse_args → unknown_bootoption / __setup
  reserveMemSetup(st);
  printUnknownBootoptions(st);
  paramsToInit(st);
  setupLogBuf(st, cpusOf(st).possible.length);
  vfsCachesInitEarly(st);
  // mm_core_init (6.1: mm_init) → page_ext_init_flatmem
  pageExtInitFlatmem(st);
  laterBoot(st);
}

/**
 * setup_boot_config (init/main.c), right after setup_arch: with or without CONFIG_BOOT_CONFIG,
 * get_boot_config_from_initrd memcmp()s the initrd's last 12 bytes (initrd_end - 12, through the
 * linear map reserve_initrd_mem's initrd_start/initrd_end point into) against the bootconfig magic.
 * On arm an initrd whose tail lies in a block dma_contiguous_remap cleared and did not map again
 * (it maps back only the area's own pages) faults there, in the idle task.
 */
function setupBootConfig(st: BootState): void {
  const { ctx } = st;
  const a = ctx.profile.arm;
  const initrd = st.layout.initrd;
  // BOOTCONFIG_MAGIC_LEN + 8: a shorter initrd is not read
  if (!a || !initrd || initrd.size < 20n || st.initrdDropped !== undefined) return;
  const at = initrd.base + initrd.size - 12n;
  const hole = st.unmapped?.find((u) => u.base <= at && at < u.base + u.size);
  if (!hole) return;
  throw new BootPanic(
    'Attempted to kill the idle task!',
    [
      kernelFaultLine(st, a.pageOffset + at - st.layout.memory[0]!.base, 'read'),
      'Kernel panic - not syncing: Attempted to kill the idle task!',
    ],
    'start_kernel',
    `setup_boot_config's get_boot_config_from_initrd (init/main.c) reads the initrd's last 12 bytes at ${hex(at)} for the bootconfig magic, but [${hex(hole.base)}-${hex(hole.base + hole.size - 1n)}] has no linear mapping: dma_contiguous_remap (arch/arm/mm/dma-mapping.c) cleared its PMD and mapped back only the area's own pages`,
  );
}

/** The possible CPUs and nr_cpu_ids (smp.ts), made once; what the kernel warns of there is a note. */
function cpusOf(st: BootState): PossibleCpus {
  if (!st.cpus) {
    st.cpus = possibleCpus(st);
    for (const n of st.cpus.notes) st.ctx.diagnostics.push(diag('note', 'possible-cpus', n));
  }
  return st.cpus;
}

/**
 * From memblock handing memory to the page allocator on, what the layout still decides, in boot
 * order: mem_init → memblock_free_all (mm/memblock.c), kmem_cache_init, running out of memory or
 * of threads (oom.ts, by the build's measurement), the core_initcall cma_init_reserved_areas (mm/cma.c), then
 * kernel_init → prepare_namespace (init/do_mounts.c) when there is no initramfs.
 * Each throws where the boot dies.
 */
function laterBoot(st: BootState): void {
  // mm_core_init → mem_init (arch/arm64/mm/init.c, arch/arm/mm/init.c; 7.2 arm: arch_mm_preinit):
  // the swiotlb buffer, then memblock_free_all
  swiotlbInit(st, cpusOf(st).possible.length);
  memblockFreeAll(st);
  // 7.2's bio_integrity_initfn pool: how many free blocks of its order memblock_free_all leaves
  const pool = st.ctx.profile.series.pageAlloc.integrityBufPool;
  if (pool !== 'none' && st.result.pageAlloc) {
    const order = getOrder(pool.bytes, st.ctx.memblock.pageSize);
    const blocks = highOrderBlocks(st, order);
    if (blocks !== undefined) st.result.pageAlloc.highOrder = { order, blocks };
  }
  // which pages the page allocator hands out first (page-alloc.ts): GFP_KERNEL's zone; the live
  // image memblock_free_all gave away, and whether kmem_cache_init's first slab lands on it
  const slab = pagesHandedOut(st, 'kmem_cache_init');
  if (st.ctx.profile.arch === 'arm64') kernelImageFreed(st, slab);
  else if (slab) st.ctx.diagnostics.push(diag('warning', 'kernel-image-freed', slab));
  kmemCacheInit(st);
  // too little memory for the rest of start_kernel, too low a max_threads for smp_init's cpuhp/0,
  // too little memory for kernel_init, too low a max_threads for the initcalls' threads: the
  // build's measurements say where it ends. 6.12+ ladder boots that die of memory in kernel_init
  // print page_alloc_init_late's "Memory:" line, which follows smp_init; with both too little
  // memory and too few threads, the lab's 6.12-arm64 ladder boots ran out of memory first.
  // the CPUs the boot brings up (each needs memory after memblock_free_all: oom.ts boundaryShift)
  const cpus = cpusOf(st).possible.length;
  outOfMemory(st, 'start_kernel', cpus);
  threadLimit(st, 'smp_init', cpus);
  outOfMemory(st, 'kernel_init', cpus);
  threadLimit(st, 'initcalls', cpus);
  cmaInitReservedAreas(st);
  // core_initcall sock_init: the first vmalloc from highmem
  firstHighmemVmalloc(st);
  // postcore_initcall: arm's coherent pool, from the default CMA area
  if (st.ctx.profile.arch === 'arm') atomicPoolInit(st);
  // subsys_initcall: 7.2's bio_integrity_initfn wants two free 2 MiB blocks
  integrityBufPool(st, cpus);
  if (st.ctx.profile.arch === 'arm') pagesHandedOut(st, 'populate_rootfs');
  else {
    textAliasFreed(st);
    nomapPagesFreed(st);
  }
  prepareNamespace(st);
}

/**
 * memblock_free_all → free_low_memory_core_early hands every free memblock range to the page
 * allocator through __free_memory_core, whose PFN_UP(start) is computed in phys_addr_t. With a
 * 32-bit phys_addr_t (arm without LPAE) a free range that starts inside the last page below 4 GiB
 * — RAM reaching 4 GiB, a region allocated top-down ending just under it — wraps to pfn 0: the
 * pages from pfn 0 to max_low_pfn are freed, those below RAM with no struct page among them.
 * bad_page reports the first one (pfn 1 on 6.1 and 6.12, data/lab) and faults reading its
 * pageblock flags; mem_init runs in the idle task.
 */
function memblockFreeAll(st: BootState): void {
  const mb = st.ctx.memblock;
  const page = mb.pageSize;
  // arm: mem_map's pages for the holes in memory go back first (5.10 mem_init, 6.1+ memblock_free_all)
  if (st.ctx.profile.arch === 'arm') freeUnusedMemmapFlatmem(st);
  else if (!st.ctx.profile.arm64!.sparse.vmemmap) freeUnusedMemmapSparse(st);
  st.result.pageAlloc = pageAllocStart(st);
  freePagesNotRam(st);
  initrdPagesFreed(st);
  fdtPagesFreed(st);
  for (const [start] of mb.freeRanges()) {
    // PFN_UP(x) = (x + PAGE_SIZE - 1) >> PAGE_SHIFT, wrapping like phys_addr_t
    if (((start + page - 1n) & mb.mask) >= start) continue;
    const r = rmemRegions(st.ctx).find((x) => x.base !== null && x.size !== null && x.base + x.size === start);
    const before = r ? `${r.name} [${hex(r.base!)}-${hex(start - 1n)}]` : 'the reservation below it';
    throw new BootPanic(
      'Attempted to kill the idle task!',
      ['BUG: Bad page state in process swapper  pfn:00001', 'Kernel panic - not syncing: Attempted to kill the idle task!'],
      'memblock_free_all',
      `${before} ends at ${hex(start)}, inside the last page below 4 GiB: __free_memory_core's PFN_UP(${hex(start)}) for the free memory after it overflows the 32-bit phys_addr_t to pfn 0, so the pages from pfn 0 (below RAM, without struct pages) up to max_low_pfn are freed`,
    );
  }
}

/**
 * The initrd's pages among what memblock_free_all hands to the page allocator: a reserved region
 * inside the initrd whose handler failed is freed with memblock_free / memblock_phys_free
 * (drivers/of/of_reserved_mem.c), which takes that part out of the initrd's own reservation
 * (arm_memblock_init / arm64_memblock_init reserve it). The page allocator may hand those pages
 * out before populate_rootfs has unpacked the initramfs from them, and free_initrd_mem frees them
 * a second time after it, while new owners may hold them: what breaks then (the unpacking reads
 * overwritten data; a page freed twice corrupts the free lists, "list_add corruption" when it is
 * freed again) depends on which allocations got them: a warning.
 */
function initrdPagesFreed(st: BootState): void {
  const rd = st.layout.initrd;
  if (!rd?.size || st.initrdDropped !== undefined) return;
  const hit = freedWithin(st, [{ base: rd.base, end: rd.base + rd.size }]);
  if (!hit.length) return;
  st.ctx.diagnostics.push(
    diag(
      'warning',
      'initrd-pages-freed',
      `memblock_free_all hands the page allocator ${fmt(hit)} of the initrd [${hex(rd.base)}-${hex(rd.base + rd.size - 1n)}] (a failed reserved region's free took that part of the initrd's reservation with it), before populate_rootfs unpacks the initramfs from it: the allocations that get those pages overwrite it, and free_initrd_mem frees them a second time afterwards, while their new owners may hold them (a corrupted free list, "list_add corruption", when they are freed again)`,
    ),
  );
}

/**
 * The device tree blob's pages among what memblock_free_all hands the page allocator: a reserved
 * region over the blob whose handler failed is freed with memblock_free / memblock_phys_free
 * (drivers/of/of_reserved_mem.c), which takes that part of the blob's own reservation with it
 * (arm64 setup_machine_fdt after fixmap_remap_fdt, arm early_init_fdt_reserve_self). The kernel
 * reads the blob again after that: of_fdt_raw_init (drivers/of/fdt.c, a late_initcall) takes
 * crc32_be over fdt_totalsize(initial_boot_params) before it publishes /sys/firmware/fdt. Once an
 * allocation has overwritten the header, that size is whatever the new owner wrote: on arm64
 * initial_boot_params is the fixmap mapping of the blob alone, so the crc32 faults past its end
 * (6.12-arm64-16k in the lab: crc32_be from of_fdt_raw_init in init, "Attempted to kill init!");
 * otherwise it prints "CRC check failed" or reads past the blob. Whether the pages have been
 * overwritten by then is the run's: a warning.
 */
function fdtPagesFreed(st: BootState): void {
  const dtb = st.layout.dtb;
  if (!dtb?.size) return;
  const hit = freedWithin(st, [{ base: dtb.base, end: dtb.base + dtb.size }]);
  if (!hit.length) return;
  const by = regionsOver(st, hit);
  st.ctx.diagnostics.push(
    diag(
      'warning',
      'fdt-pages-freed',
      `memblock_free_all hands the page allocator ${fmt(hit)} of the device tree blob [${hex(dtb.base)}-${hex(dtb.base + dtb.size - 1n)}] (${by.length ? `${by.map((r) => r.name).join(', ')}'s failed handler` : "a failed reserved region's free"} took that part of the blob's reservation with it), but the kernel reads the blob again at late_initcall: of_fdt_raw_init takes crc32_be over fdt_totalsize(initial_boot_params); if an allocation has overwritten the header by then, that size is garbage and the crc32 may read past the blob (on arm64 past its fixmap mapping: a fault in init, "Attempted to kill init!")`,
      by[0]?.node.span,
    ),
  );
}

/**
 * Free pages that are no memory at all: 5.10's fdt_init_reserved_mem gives a failed no-map region
 * back whole with memblock_add (drivers/of/of_reserved_mem.c), also where there is no RAM, and
 * memblock_free_all (arm's highmem: mem_init's free_highpages) hands those pages to the page
 * allocator like any other. Where no memblock allocation reached them first (a lowmem block above
 * RAM is, arch/arm/mm/mmu.c pagingInit), the allocation that first gets one dies zeroing it
 * (init_on_alloc: kernel_init_free_pages; an external abort) in whichever task made it. Part of
 * them may lie in a pageblock that starts outside memory: memmap_init marks only pageblocks that
 * start in a memory range MIGRATE_MOVABLE, so that part goes to the unmovable lists, which the
 * zone's first unmovable allocations (vmalloc's pages) take smallest block first. Which allocation
 * and task that is, the run decides: a warning; where the first vmalloc from highmem must get such
 * a page, firstHighmemVmalloc predicts init's death.
 */
function freePagesNotRam(st: BootState): void {
  // the whole free pages (in ascending order) that no RAM bank touches
  const ps = st.ctx.memblock.pageSize;
  let off = freedPages(st).map((r) => ({ base: r.base, size: r.end - r.base }));
  for (const b of st.layout.memory) off = subtract(off, b);
  const ranges = off
    .map((b) => ({ base: ((b.base + ps - 1n) / ps) * ps, end: ((b.base + b.size) / ps) * ps }))
    .filter((r) => r.end > r.base);
  if (!ranges.length) return;
  const block = ps << BigInt(st.ctx.profile.pageblockOrder);
  const unmovable = ranges.flatMap((r) => {
    if (pageblockMovable(st, r.base)) return [];
    const end = r.base - (r.base % block) + block;
    return [{ base: r.base, end: end < r.end ? end : r.end }];
  });
  st.ctx.diagnostics.push(
    diag(
      'warning',
      'free-pages-not-ram',
      `the page allocator gets ${fmt(ranges)}, ${notRamWhy(st)}: the allocation that first gets one of these pages dies zeroing it (init_on_alloc, an external abort), in whichever task made it${unmovable.length ? `; ${fmt(unmovable)} lies in a pageblock that starts outside memory, which memmap_init leaves MIGRATE_UNMOVABLE, so the zone's first unmovable allocations (vmalloc's pages) take it, smallest block first` : ''}`,
    ),
  );
}

/**
 * arm: the first unmovable allocation from highmem after memblock_free_all — vmalloc's pages
 * (__vmalloc_area_node adds __GFP_HIGHMEM), first in sock_init's ptp_classifier_init
 * (bpf_prog_alloc, a core_initcall run by init). free_highpages frees highmem page by page while
 * the zone still has its boot pageset (mm_init runs before setup_per_cpu_pageset: no per-cpu
 * list), straight into the buddy lists, each merged block at its list's head. The allocation takes
 * the smallest block of highmem's unmovable lists, which hold only the free pages of pageblocks
 * that start outside memory (freePagesNotRam); with none, __rmqueue_fallback claims the head of
 * the largest order's movable list, the last block of that order free_highpages completed (the
 * highest). When what it takes is no RAM (5.10's failed no-map region given back beyond RAM's end),
 * zeroing it (init_on_alloc) takes an external abort, and init dies. The lab's 5.10-armmp boots of
 * such layouts died so, 5.10-armmp-lpae's in 3 of 4: the fourth's first such allocation was a
 * crypto self-test's (cryptomgr_test), whose oops the boot waits on silently.
 */
function firstHighmemVmalloc(st: BootState): void {
  const p = st.ctx.profile;
  if (p.arch !== 'arm') return;
  const lm = lowmemArea(st);
  if (!lm) return;
  const ps = st.ctx.memblock.pageSize;
  const high = freedPages(st)
    .filter((r) => r.end > lm.lowEnd)
    .map((r) => [r.base > lm.lowEnd ? r.base : lm.lowEnd, r.end] as const);
  if (!high.length) return;
  const zone = { startPfn: Number(lm.lowEnd / ps), endPfn: Number(high[high.length - 1]![1] / ps) };
  const area = freeArea(high, zone, ps, largestOrder(p), (pfn) => pageblockMovable(st, BigInt(pfn) * ps));
  const blocks = (lists: number[][]) =>
    lists.flatMap((l, o) => l.map((pfn) => ({ base: BigInt(pfn) * ps, end: BigInt(pfn + 2 ** o) * ps })));
  const ram = (r: Range) => st.layout.memory.some((b) => r.base < b.base + b.size && b.base < r.end);
  const unmovable = blocks(area.unmovable);
  let taken: Range[];
  let how: string;
  if (unmovable.length) {
    // whichever comes first: all must be no RAM
    if (unmovable.some(ram)) return;
    taken = unmovable;
    how = `highmem's only unmovable free pages, ${fmt(unmovable)}, lie in pageblocks that start outside memory, which memmap_init leaves MIGRATE_UNMOVABLE, and are no RAM`;
  } else {
    let order = area.movable.length - 1;
    while (order >= 0 && !area.movable[order]!.length) order--;
    if (order < 0) return;
    const pfn = Math.max(...area.movable[order]!);
    const head = { base: BigInt(pfn) * ps, end: BigInt(pfn + 2 ** order) * ps };
    if (ram(head)) return;
    taken = [head];
    how = `highmem has no unmovable free pages, so __rmqueue_fallback claims the largest free block, order ${order}, at its list's head: ${fmt(taken)}, the last one free_highpages completed, which is no RAM`;
  }
  const over = regionsOver(st, taken);
  throw new BootPanic(
    'Attempted to kill init! exitcode=0x0000000b',
    ['Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b'],
    p.series.pageAlloc.initOnAllocFn,
    `${how} (${over.length ? `${over.map((r) => r.name).join(', ')}: ` : ''}${notRamWhy(st)}): the first vmalloc (sock_init's bpf_prog_alloc, in init) gets ${taken.length > 1 ? 'one of them' : 'it'}, and zeroing it (init_on_alloc, ${p.series.pageAlloc.initOnAllocFn}) takes an external abort; a crypto self-test's thread may make that allocation first (an oops there, and the boot waits for it silently)`,
    // the region given back there
    over[0]?.node.span,
  );
}

/**
 * arm64: pages of the running kernel among what memblock_free_all hands to the page allocator. A
 * region over the image whose handler fails is freed with memblock_free (5.10) or
 * memblock_phys_free (drivers/of/of_reserved_mem.c fdt_init_reserved_mem / _node), which also
 * un-reserves that part of arm64_memblock_init's reservation of the image. From __init_begin on
 * the image holds what the boot runs with: the init sections (until free_initmem), then .data —
 * init_thread_union, the boot CPU's stack that the idle task keeps, and init_task — and .bss
 * (paging_init's own free of init_pg_dir aside); a free range gives the allocator only the whole
 * pages inside it. The allocation that gets such a page zeroes it
 * (init_on_alloc) or fills it: 5.10-arm64 in the lab handed the whole init stack to a slab page in
 * rest_init's first kernel_thread, and the function running on it returned to a zeroed frame.
 * Which allocation that is depends on the page allocator's order: the first slab when it claims
 * them (`slab`, page-alloc.ts pagesHandedOut), else the movable allocations that reach them
 * first (freedToPageCache): a warning, since how overwritten data fails is the data's.
 */
function kernelImageFreed(st: BootState, slab: string | undefined): void {
  const a = st.ctx.profile.arm64;
  const image = st.result.kernelImage;
  if (!a || !image) return;
  const text = image.base - a.reserveStartOffset;
  const from = text + a.initBeginOffset;
  const freed = freedWithin(st, liveImage(st));
  if (!freed.length) return;
  const over = regionsOver(st, freed);
  const by = over.length
    ? `${over.map((r) => r.name).join(', ')} (freed when its handler failed, drivers/of/of_reserved_mem.c)`
    : 'a region given back';
  st.ctx.diagnostics.push(
    diag(
      'warning',
      'kernel-image-freed',
      `memblock_free_all hands ${fmt(freed)} of the running kernel image to the page allocator (${imageParts(freed, from, text + a.initEndOffset)}): ${slab ?? freedToPageCache(st, freed, text + a.initEndOffset)}`,
      over[0]?.node.span,
      `${by} took that part of the kernel's own reservation with it`,
    ),
  );
}

/** What memblock_free_all hands the page allocator: whole pages only (__free_memory_core: PFN_UP(start) .. PFN_DOWN(end)), none empty. */
function freedPages(st: BootState): Range[] {
  const page = st.ctx.memblock.pageSize;
  return [...st.ctx.memblock.freeRanges()]
    .map(([s, e]) => ({ base: ((s + page - 1n) / page) * page, end: (e / page) * page }))
    .filter((r) => r.end > r.base);
}

/** The parts of `within` memblock_free_all hands the page allocator (freedPages). */
function freedWithin(st: BootState, within: Range[]): Range[] {
  return intersect(freedPages(st), within);
}

/**
 * arm64: a failed region that frees part of the kernel image below __init_begin (its text and
 * rodata) gives the page allocator pages whose linear alias smp_cpus_done made read-only
 * (mark_linear_text_alias_ro, arch/arm64/mm/mmu.c). The first movable allocations are the tmpfs
 * pages the initramfs is unpacked into (populate_rootfs, init/initramfs.c): when one of those
 * pages comes within the initrd's size, zeroing it (clear_page, init_on_alloc) faults on the
 * read-only alias — in the async worker, and kernel_init waits for the initramfs for ever (6.1+),
 * or in kernel_init itself (5.10).
 */
function textAliasFreed(st: BootState): void {
  const a = st.ctx.profile.arm64;
  const image = st.result.kernelImage;
  if (!a || !image) return;
  const initrd = st.initrdDropped === undefined ? (st.layout.initrd?.size ?? 0n) : 0n;
  const text = image.base - a.reserveStartOffset;
  const freed = freedWithin(st, [{ base: image.base, end: text + a.initBeginOffset }]);
  if (!freed.length) return;
  const lm = lowmemArea(st, true);
  const reach = lm && !lm.highFree ? movableReach(lm, freed) : undefined;
  // The unpacking is the first movable allocation to reach them only when they are not the very
  // first movable pages: some movable allocation comes before it (7.2-arm64 #03552f58 of the lab's
  // seed 47, its freed text at the head of the movable lists, fell silent in smp_cpus_done, before
  // the initcalls; every unpacking the lab saw fault reached them after 64 KiB or more).
  if (!reach || reach.before >= initrd || reach.before === 0n) {
    // Not the unpacking: whichever allocation gets them first. Before smp_cpus_done the alias is
    // writable, and zeroing such a page (init_on_alloc) overwrites the running code: 3242c392 in
    // the lab's seed 34 died so in ftrace_init's pages, clear_page zeroed under itself (5.10,
    // 6.12, 7.2) or hung (6.1); after it, the write faults on the read-only alias.
    st.ctx.diagnostics.push(
      diag(
        'warning',
        'kernel-image-freed',
        `memblock_free_all hands ${fmt(freed)} of the kernel's text and rodata (below __init_begin ${hex(text + a.initBeginOffset)}) to the page allocator: until smp_cpus_done makes their linear alias read-only (mark_linear_text_alias_ro), the allocation that gets one of these pages zeroes it (init_on_alloc) and overwrites the running kernel's code (an oops where that code next runs: the early slabs' pages or ftrace_init's, when they come there); after it, the write faults on the read-only alias. Which allocation that is, is the page allocator's order (${reach ? (reach.before ? `movable allocations reach them after ${reach.before >> 10n} KiB` : 'they are the first movable pages it hands out, to whichever movable allocation comes first') : 'movable allocations do not reach them first'})`,
        regionsOver(st, freed)[0]?.node.span,
      ),
    );
    return;
  }
  const why = `memblock_free_all hands ${fmt(freed)} of the kernel's text and rodata (below __init_begin ${hex(text + a.initBeginOffset)}) to the page allocator, whose linear alias smp_cpus_done made read-only (mark_linear_text_alias_ro); unpacking the initramfs into tmpfs takes movable pages smallest block first and gets ${hex(reach.page)} after ${reach.before >> 10n} KiB, less than the initrd's ${initrd >> 10n} KiB: zeroing it (clear_page) faults on the read-only alias`;
  unpackFaults(st, why);
}

/** Which parts of the image's live tail the freed pages hold: init memory, .data and .bss past __init_end. */
function imageParts(freed: Range[], initBegin: bigint, initEnd: bigint): string {
  const init = freed.some((f) => f.base < initEnd && f.end > initBegin);
  const data = freed.some((f) => f.end > initEnd);
  const parts = [
    ...(init
      ? [`init sections, [__init_begin ${hex(initBegin)}, __init_end ${hex(initEnd)}), which the initcalls still run and read`]
      : []),
    ...(data ? [`past __init_end ${hex(initEnd)}: .data with the init stack and init_task, and .bss`] : []),
  ];
  return parts.join('; ');
}

/**
 * arm64: who gets the freed image pages when the first slab does not. Movable allocations take
 * the smallest free blocks first (page-alloc.ts movableHandOut, with the deferred struct pages
 * page_alloc_init_late freed behind the rest), and the first ones after boot are the tmpfs pages
 * populate_rootfs (init/initramfs.c) fills with the initramfs's files. A file page there
 * overwrites what the kernel keeps in that page: init code and data the initcalls still run and
 * read (until free_initmem), .data, .bss. free_initmem (arch/arm64/mm/init.c) then frees the
 * init pages with free_reserved_area: poisoned, count set to 1 and dropped to 0
 * (free_reserved_page), so a file page among them stays in its file's page cache with no
 * reference; the page cache lookup retries folio_try_get on it for ever (filemap_get_entry,
 * filemap_get_read_batch), so the first read of that file page spins, in exec when it is /init's
 * or its interpreter's. The page allocator reports it as it frees it, or when the per-cpu list
 * drains it (series pageAlloc.freeCheck). A freed init page the page cache does not reach is still
 * free at free_initmem and is freed a second time: only the head of a free block can fail the
 * check, on its buddy type, unless the series resets that type first (pageAlloc.freeResetsPageType).
 * Which file page it is, and whether anything reads it, is the initramfs's content: a warning.
 */
function freedToPageCache(st: BootState, freed: Range[], initEnd: bigint): string {
  const lm = lowmemArea(st, true);
  const reach = lm && !lm.highFree ? movableReach(lm, freed) : undefined;
  if (!reach)
    return 'whatever gets those pages overwrites what the kernel still uses, and the boot is likely to die then (which allocation that is, is not followed)';
  const kib = (n: bigint) => `${n >> 10n} KiB`;
  const initrd = st.initrdDropped === undefined ? st.layout.initrd?.size : undefined;
  const pfn = (reach.page / st.ctx.memblock.pageSize).toString(16).padStart(5, '0');
  const check =
    st.ctx.profile.series.pageAlloc.freeCheck === 'at-free'
      ? `free_pages_prepare reports it at once ("BUG: Bad page state in process swapper/0  pfn:${pfn}", page still charged to cgroup)`
      : `it goes to the per-cpu list unchecked and is reported ("BUG: Bad page state in process swapper/0  pfn:${pfn}", page still charged to cgroup) only if free_pcppages_bulk drains it there`;
  const movable = `movable allocations take free pages smallest block first and reach ${hex(reach.page)} after ${kib(reach.before)}`;
  const inInit = reach.page < initEnd;
  if (initrd !== undefined && reach.before < initrd)
    return `${movable}, less than the initrd's ${kib(initrd)}: unpacking the initramfs into tmpfs (populate_rootfs) puts file data there, over what the kernel keeps in that page (${inInit ? 'init code and data the initcalls still use' : '.data or .bss'}: an oops where it is next used)${inInit ? `; that init memory, if the boot gets that far, is freed again by free_initmem while the file holds it: ${check}, and the page stays in the file's page cache with no reference, so the first read of that file page retries the page cache lookup for ever (a hang; in exec when it is /init's or its interpreter's)` : ''}`;
  const { pageAlloc } = st.ctx.profile.series;
  const twice = pageAlloc.freeResetsPageType
    ? "nothing reports it (__free_pages_prepare resets a free block's buddy type before its check)"
    : `the first page of each free block there fails the check on its buddy type ("BUG: Bad page state", nonzero mapcount) ${pageAlloc.freeCheck === 'at-free' ? 'at once' : 'if the per-cpu list drains it'}, the other pages pass`;
  const more = `${movable}${initrd !== undefined ? `, more than the initrd's ${kib(initrd)}` : ''}`;
  return inInit
    ? `${more}: when the initramfs's files fill less than that, that init memory is still free when free_initmem frees it a second time: ${twice}, and the free lists hold those pages twice`
    : `${more}: .data or .bss there is overwritten by whatever allocation takes the page later`;
}

/**
 * arm64: memory below memstart_addr (5.10's fdt_init_reserved_mem gives a failed no-map region
 * below RAM back with memblock_add, drivers/of/of_reserved_mem.c) has linear addresses below
 * PAGE_OFFSET, which no table translates. memblock_free_all hands its free pages to the buddy
 * allocator. When memory starts inside a pageblock, memmap_init_zone never marks that pageblock
 * MIGRATE_MOVABLE (it does so at pageblock-aligned pfns, mm/page_alloc.c): its pages are the
 * only free unmovable ones, so kmem_cache_init's first slab page (mm/slub.c) is one of them, is
 * zeroed through its address and faults in the idle task. In a movable pageblock they are handed
 * out later, to no caller the layout decides: a warning says so.
 */
function kmemCacheInit(st: BootState): void {
  const memstart = st.memstart;
  const mb = st.ctx.memblock;
  const low = mb.memory.regions[0]?.base;
  if (memstart === undefined || low === undefined) return;
  const block = mb.pageSize << BigInt(st.ctx.profile.pageblockOrder);
  const blockEnd = low - (low % block) + block;
  for (const [start, end] of mb.freeRanges()) {
    if (start >= memstart) return;
    if (low % block === 0n || start >= blockEnd) {
      st.ctx.diagnostics.push(
        diag(
          'warning',
          'memory-below-linear-map',
          `free memory from ${hex(start)} lies below memstart_addr ${hex(memstart)}: its pages have no linear address, and the boot dies when the page allocator first hands one out (which allocation that is, is not followed)`,
        ),
      );
      return;
    }
    const top = end < memstart ? end : memstart;
    throw new BootPanic(
      'Attempted to kill the idle task!',
      ['Unable to handle kernel paging request in clear_page', 'Kernel panic - not syncing: Attempted to kill the idle task!'],
      'kmem_cache_init',
      `the free memory [${hex(start)}-${hex(top - 1n)}] lies below memstart_addr ${hex(memstart)}, so its linear addresses are below PAGE_OFFSET (arch/arm64/include/asm/memory.h __phys_to_virt): the buddy allocator gets it from memblock_free_all, and zeroing the first slab page from it faults`,
    );
  }
}

/**
 * cma_activate_area (mm/cma.c) reads page_zone(pfn_to_page(pfn)) for every page of each area, in
 * the order the areas were declared. With SPARSEMEM_VMEMMAP (arm64) struct pages exist only for
 * sections that have memory (mm/sparse-vmemmap.c): an area reaching into a section without memory
 * (below the start of RAM, above its end) faults there; it runs from kernel_init, so the dying task
 * is init. An area whose pages lie in two zones (alloc_contig_range needs one) is given back to the
 * page allocator instead: "CMA area %s could not be activated".
 */
function cmaInitReservedAreas(st: BootState): void {
  const sparse = st.ctx.profile.arm64?.sparse;
  const shift = sparse ? BigInt(sparse.sectionSizeBits) : 0n;
  const present = sparse ? presentSectionRanges(st.ctx.memblock.memory.regions, shift) : [];
  const zones = st.result.zones ?? [];
  for (const a of st.ctx.cma.areas ?? []) {
    const end = a.base + a.size;
    // (5.10 stops at the first page past mem_map that does not read as the first page's zone)
    if (st.ctx.profile.arch === 'arm' && flatmemStructPages(st, a)) continue;
    const s = sparse ? firstMissingSection(present, a.base >> shift, (end - 1n) >> shift) : undefined;
    const missing = s === undefined ? undefined : s << shift < a.base ? a.base : s << shift;
    // the first page in another zone than the area's first page (pages outside every zone, beyond
    // the end of RAM, are not compared against anything here)
    const z = zoneAt(st, a.base);
    const other = z && zones.find((x) => x !== z && x.base < end && a.base < x.base + x.size)?.base;
    if (missing !== undefined && (other === undefined || missing <= other))
      throw new BootPanic(
        'Attempted to kill init! exitcode=0x0000000b',
        [
          `Unable to handle kernel paging request in cma_init_reserved_areas: struct page of ${hex(missing)}`,
          'Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b',
        ],
        'cma_init_reserved_areas',
        `CMA area ${a.name} [${hex(a.base)}-${hex(end - 1n)}] reaches ${hex(missing)}, in a memory section without memory: it has no struct pages (vmemmap) for cma_activate_area to read`,
      );
    if (other !== undefined) cmaNotActivated(st, a.name);
  }
}

/** cma_activate_area gave up on the area: its error line, and count 0 for the allocations after. */
function cmaNotActivated(st: BootState, name: string): void {
  st.ctx.printk('err', `cma: CMA area ${name} could not be activated`, 'cma_activate_area');
  (st.cmaNotActivated ??= new Set()).add(name);
}

/**
 * arm (FLATMEM): cma_activate_area's first read is the flags of the area's first struct page,
 * pfn_to_page(base_pfn) = mem_map + (base_pfn - PHYS_PFN_OFFSET) even where mem_map has no entry
 * (only a WARN_ON_ONCE(!pfn_valid) before it; 7.2 checks zone spans, then
 * init_cma_reserved_pageblock clears the same page's PG_reserved). An area the memblock_reserve
 * of a static region accepted beyond the end of RAM has its struct pages past mem_map's end:
 * where that address is not mapped (the gap from high_memory to VMALLOC_START, a lowmem hole)
 * the read faults in kernel_init. Where it is mapped, the kernel reads whatever lies there (the
 * early allocations above mem_map, other memory) as struct pages: what follows depends on that
 * memory's contents, and the plan warns. Returns whether it predicted 5.10's "could not be
 * activated" (KernelSeries.arm.cmaActivate).
 */
function flatmemStructPages(st: BootState, a: { name: string; base: bigint; size: bigint }): boolean {
  const { ctx } = st;
  const ps = ctx.memblock.pageSize;
  const first = a.base / ps;
  const last = (a.base + a.size - 1n) / ps;
  const ramStart = (ctx.memblock.startOfDram() + ps - 1n) / ps;
  const ramEnd = ctx.memblock.endOfDram() / ps;
  if (first >= ramStart && last < ramEnd) {
    const blocks = cmaPageblocks(st, a);
    if (blocks.every((b) => b === 'freed')) return false;
    const bad = blocks.filter((b) => b !== 'freed').length;
    const where = `CMA area ${a.name} [${hex(a.base)}-${hex(a.base + a.size - 1n)}] reaches into a hole between memory ranges (${bad} of its ${blocks.length} pageblocks): memmap_init never initialised those struct pages (pfn_valid says no, arch/arm/mm/init.c) and free_unused_memmap gave the part of mem_map that holds them back to the page allocator`;
    // Before activating anything, 5.10 to 6.12 compare each page's zone with the first page's: the
    // hole's zeroed struct pages read as ZONE_DMA, its memory's as their zone (7.2 compares spans)
    const mode = ctx.profile.series.arm.cmaActivate;
    const zones = cmaPageblockZones(st, a);
    const z0 = zones[0]?.[0];
    const stop = mode === 'zone-spans' ? -1 : zones.findIndex((zs) => zs.some((z) => z !== z0));
    if (stop >= 0) {
      cmaNotActivated(st, a.name);
      const other = zones[stop]!.find((z) => z !== z0)!;
      // 5.10 activated the pageblocks before the one that differs; 6.1 and 6.12 hand every page
      // of the area to the page allocator with free_reserved_page
      const handed = mode === 'per-pageblock' ? blocks.slice(0, stop) : blocks;
      if (handed.every((b) => b === 'freed')) return true;
      ctx.diagnostics.push(
        diag(
          'warning',
          'cma-area-without-struct-pages',
          `${where}: those read as zeroed, and cma_activate_area (mm/cma.c) finds the area's first page in zone ${z0} and a page of pageblock ${stop} in ${other}, so the area 'could not be activated'; ${mode === 'per-pageblock' ? `the ${stop} pageblocks before it were already handed to __free_pages` : 'every page of it is handed to the page allocator (free_reserved_page)'}, the hole's among them: bad_page reports them, and whatever has been allocated there meanwhile is overwritten. What follows depends on that memory's contents`,
        ),
      );
      return true;
    }
    ctx.diagnostics.push(
      diag(
        'warning',
        'cma-area-without-struct-pages',
        `${where}, yet cma_activate_area (mm/cma.c) writes them and hands them to __free_pages: bad_page reports them, and whatever has been allocated there meanwhile is overwritten. What follows depends on that memory's contents; read as zero (as booted), the blocks stay out of the page allocator and the first allocation from the area fails${ctx.profile.series.cma.contigSkippedBlock === 'spins' ? ' or never returns' : ''}`,
      ),
    );
    return false;
  }
  const page = structPageVirt(st, first);
  if (!page) return false;
  const va = page.va.toString(16).padStart(8, '0');
  if (page.mapped === false) {
    throw new BootPanic(
      'Attempted to kill init! exitcode=0x0000000b',
      [kernelFaultLine(st, page.va, 'read'), 'Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b'],
      'cma_init_reserved_areas',
      `CMA area ${a.name} [${hex(a.base)}-${hex(a.base + a.size - 1n)}] lies outside RAM, so mem_map (FLATMEM, mm/mm_init.c alloc_node_mem_map) has no struct pages for it: cma_activate_area (mm/cma.c) reads pfn ${hex(first)}'s at 0x${va}, past mem_map's end, where nothing is mapped`,
    );
  }
  // 5.10 compares every page's zone (page->flags' top bits) with the first page's, a pageblock at a
  // time. From a first page in HighMem, the first word there that does not read as ZONE_HIGHMEM
  // (zeroed memory reads as ZONE_NORMAL) stops it: the pageblocks in RAM are already activated,
  // the rest is left alone.
  const firstZone = zoneAt(st, a.base);
  const stops = ctx.profile.series.arm.cmaActivate === 'per-pageblock' && firstZone?.name === 'HighMem' && first >= ramStart;
  if (stops) cmaNotActivated(st, a.name);
  ctx.diagnostics.push(
    diag(
      'warning',
      'cma-area-without-struct-pages',
      `CMA area ${a.name} [${hex(a.base)}-${hex(a.base + a.size - 1n)}] reaches outside RAM, where mem_map has no struct pages: cma_activate_area reads ${stops ? '' : 'and writes '}the memory at 0x${va} and after as if it held them, and what happens then depends on that memory's contents${stops ? " (predicted: its first word whose top bits do not say ZONE_HIGHMEM, the area's first page's zone, stops the activation, as zeroed memory does: 'could not be activated', the pageblocks in RAM already handed to the page allocator)" : ''}`,
    ),
  );
  return stops;
}

/**
 * Without an initramfs (reserve_initrd_mem dropped it) and without root=, kernel_init has no /init
 * and mount_root finds no device (ROOT_DEV 0): init/do_mounts.c panics.
 */
function prepareNamespace(st: BootState): void {
  if (st.initrdDropped === undefined || /(^|\s)root=/.test(st.ctx.cmdline.raw)) return;
  // a bare rootwait (rootwait_setup: root_wait = 1, 6.12+ -1) waits for that device first, polling
  // every 5 ms for ever: no device is named, none is ever found (5.10/6.1 prepare_namespace's loop,
  // 6.12+ wait_for_root, whose timeout only rootwait=<ms> sets)
  if (st.ctx.cmdline.args.some((a) => a.param === 'rootwait' && a.val === undefined)) {
    st.ctx.printk('info', 'Waiting for root device ...', 'prepare_namespace');
    if (st.ctx.profile.series.rootwaitWithoutRoot === 'forever')
      throw new BootHang(
        'prepare_namespace',
        `the initrd ${st.initrdDropped} (reserve_initrd_mem dropped it), so there is no /init; the command line names no root= device and asks rootwait: prepare_namespace polls name_to_dev_t("") for ever (init/do_mounts.c)`,
      );
  }
  throw new BootPanic(
    'VFS: Unable to mount root fs on unknown-block(0,0)',
    [
      'VFS: Cannot open root device "" or unknown-block(0,0): error -6',
      'Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)',
    ],
    'prepare_namespace',
    `the initrd ${st.initrdDropped} (reserve_initrd_mem dropped it), so there is no /init, and the command line names no root= device`,
  );
}

/** setup_command_line: saved_command_line and static_command_line. */
function setupCommandLine(st: BootState): void {
  const mb = st.ctx.memblock;
  const len = BigInt(new TextEncoder().encode(st.ctx.cmdline.raw).length + 1);
  // memblock_alloc zeroes what it returns (memblock_alloc_try_nid's memset), through the linear map
  for (let i = 0; i < 2; i++) touch(st, mb.allocOrPanic(len, 64n, 'start_kernel'), len, 'start_kernel');
}

/**
 * setup_per_cpu_areas and neighbours: this build's sequence of allocations and frees (profile
 * data). A goal is where the linear map starts in physical memory plus the profile's offset:
 * arm64's memstart_addr, arm's PHYS_OFFSET (the start of RAM; arch/arm/include/asm/memory.h
 * __virt_to_phys). Below memblock's current limit (arm: lowmem), top-down, so on arm a goal above
 * lowmem is retried from 0 (mm/memblock.c memblock_alloc_internal).
 */
function setupPerCpuAreas(st: BootState): void {
  const mb = st.ctx.memblock;
  const { profile } = st.ctx;
  const linearStart = profile.arm64 ? (st.physOffset ?? 0n) : (st.layout.memory[0]?.base ?? 0n);
  // a unit per possible CPU (pcpu_build_alloc_info with atom_size PAGE_SIZE: one unit per
  // allocation), unit_map and unit_off an entry per id below nr_cpu_ids
  const { possible, nrCpuIds } = cpusOf(st);
  const groups = pcpuGroups(st);
  const per = { possible: BigInt(possible.length), nr_cpu_ids: BigInt(nrCpuIds), groups: BigInt(groups.length) };
  const done: { base: bigint; size: bigint }[][] = [];
  for (const s of profile.arm64?.lateAllocs ?? profile.arm?.lateAllocs ?? []) {
    if (s.op === 'alloc') {
      // pcpu_embed_first_chunk: the units of each group in one pcpu_fc_alloc, on the group's node
      const calls =
        s.perCpu === 'possible'
          ? groups.map((g) => ({ size: s.size * BigInt(g.cpus), nid: s.nid === undefined ? NUMA_NO_NODE : g.nid }))
          : [{ size: s.perCpu ? s.size * per[s.perCpu] : s.size, nid: s.nid ?? NUMA_NO_NODE }];
      // each zeroed as it is allocated (memblock_alloc_try_nid), in its caller's frame
      done.push(
        calls.map(({ size, nid }) => {
          const base = mb.allocTryNid(
            size,
            s.align,
            s.goal === undefined ? 0n : linearStart + s.goal,
            MEMBLOCK_ALLOC_ACCESSIBLE,
            nid,
            s.caller,
          );
          touch(st, base, size, s.caller);
          return { base, size };
        }),
      );
    } else {
      const blocks = done[s.of] ?? [];
      done.push([]);
      for (const { base: b, size: sz } of blocks) {
        if (!b) continue;
        const tail = s.size ?? 0n;
        if (s.at === 'unit-ends' && s.unit)
          for (let end = b + s.unit; end <= b + sz; end += s.unit) mb.physFree(end - tail, tail, s.caller);
        else mb.physFree(b, sz, s.caller);
      }
    }
  }
}

/**
 * pcpu_build_alloc_info's groups: a possible CPU joins the first group whose CPUs are all
 * LOCAL_DISTANCE from it (arm64 pcpu_cpu_distance: node_distance of early_cpu_to_node), so the
 * CPUs of one node share a group, in the order of their first CPU. Each CPU's node: of_node_to_nid
 * of its /cpus node (its `numa-node-id`, or an ancestor's) when it names a node arch_numa_init set
 * up from the tree, else 0 (early_map_cpu_to_node; with numa=off or the dummy node, always 0).
 */
function pcpuGroups(st: BootState): { nid: number; cpus: number }[] {
  const { possible, dtNodes } = cpusOf(st);
  const numa = st.numa;
  const nidOf = (cpu: number): number => {
    if (!numa?.fromTree || numa.off) return 0;
    for (let n = dtNodes?.get(cpu); n; n = n.parent ?? undefined) {
      const v = prop(n, 'numa-node-id');
      if (!v) continue;
      const nid = v.value.length >= 4 ? readU32(v.value, 0) : -1;
      return numa.nodes.some((x) => x.nid === nid) ? nid : 0;
    }
    return 0;
  };
  const groups: { nid: number; cpus: number }[] = [];
  for (const cpu of possible) {
    const nid = nidOf(cpu);
    const g = groups.find((x) => x.nid === nid);
    if (g) g.cpus++;
    else groups.push({ nid, cpus: 1 });
  }
  return groups;
}

/**
 * Words of the command line no parameter of the build takes (cmdline.ts knownToBuild): the kernel
 * does nothing with them but pass them to init (argv, or envp for `a=b`), a typo's usual fate.
 * Said only where the profile read the build's own __setup table (params.builtIn); the nearest
 * name it has (at most two edits away) is the hint.
 */
function paramsToInit(st: BootState): void {
  const { ctx } = st;
  const b = ctx.profile.params.builtIn;
  if (!b) return;
  const names = [...new Set([...b.setup.map((x) => x.str.replace(/=$/, '')), ...b.core, ...b.sysctlAliases])];
  for (const word of ctx.cmdline.unknown) {
    const name = word.split('=')[0]!;
    if (ctx.profile.arch === 'arm64' && ARM64_READS_ITSELF.has(name)) continue;
    let best: { n: string; d: number } | undefined;
    for (const n of names) {
      if (n.length < 3 || Math.abs(n.length - name.length) > 2) continue;
      const d = editDistance(name, n);
      if (d <= 2 && (!best || d < best.d)) best = { n, d };
    }
    ctx.diagnostics.push(
      diag(
        'warning',
        'param-to-init',
        `'${word}' is no boot parameter of this build (no __setup, early_param or core param of its System.map takes it): the kernel passes it to init's ${word.includes('=') ? 'environment' : 'arguments'} and does nothing with it`,
        undefined,
        best ? `did you mean '${best.n}'?` : undefined,
      ),
    );
  }
}

/**
 * Words arm64 reads from the command line itself before start_kernel, which init/main.c then passes
 * on as unknown all the same: nokaslr (5.10 arch/arm64/kernel/kaslr.c, from the DT's bootargs;
 * 6.1 arch/arm64/kernel/idreg-override.c; 6.12+ also an early_param).
 */
const ARM64_READS_ITSELF = new Set(['nokaslr']);

/** Levenshtein distance, '-' and '_' alike (parameq). */
function editDistance(a: string, b: string): number {
  const x = a.replace(/-/g, '_');
  const y = b.replace(/-/g, '_');
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1)));
    prev = cur;
  }
  return prev[y.length]!;
}

const UNKNOWN_PARAMS = 'Unknown kernel command line parameters "';

/** print_unknown_bootoptions' line (init/main.c): the words the kernel passes to init. */
export function isUnknownParamsLine(text: string): boolean {
  return text.startsWith(UNKNOWN_PARAMS);
}

/**
 * print_unknown_bootoptions (init/main.c): builds " a b=c" in a memblock_alloc'd buffer
 * (1 + Σ(1 + strlen)), prints it without the first space, frees the buffer.
 */
function printUnknownBootoptions(st: BootState): void {
  const { ctx } = st;
  const u = ctx.cmdline.unknown;
  if (!u.length || !ctx.profile.series.printUnknownBootoptions) return;
  const len = BigInt(1 + u.reduce((a, x) => a + 1 + new TextEncoder().encode(x).length, 0));
  const buf = ctx.memblock.alloc(len, BigInt(ctx.profile.smpCacheBytes), 'start_kernel');
  touch(st, buf, len, 'start_kernel');
  ctx.printk('notice', `${UNKNOWN_PARAMS}${u.join(' ')}", will be passed to user space.`, 'print_unknown_bootoptions');
  if (buf) ctx.memblock.physFree(buf, len, 'start_kernel');
}

/**
 * reserve_mem= (mm/memblock.c 6.12): memblock_phys_alloc(size, align) per entry, at most 8, unique
 * names, checked in reserve_mem()'s order (room first, then the syntax, the name, the allocation);
 * 7.2 prints why it refuses one (profile.params.reserveMemErrors), 6.12 returns without a word.
 */
function reserveMemSetup(st: BootState): void {
  const { ctx } = st;
  const mb = ctx.memblock;
  const refuse = (text: string): void => {
    if (ctx.profile.params.reserveMemErrors) ctx.printk('err', `reserve_mem: ${text}`, 'reserve_mem');
  };
  for (const r of ctx.cmdline.reserveMem) {
    if (st.result.reserveMem.length >= 8) {
      refuse('no more room for reserved memory'); // RESERVE_MEM_MAX_ENTRIES: -EBUSY
      continue;
    }
    if ('malformed' in r) {
      refuse('empty or malformed parameter'); // err_param: -EINVAL
      continue;
    }
    if (st.result.reserveMem.some((x) => x.name === r.name)) {
      refuse(`name "${r.name}" was already used`); // -EBUSY
      continue;
    }
    const start = mb.physAlloc(r.size, r.align, 'reserve_mem');
    if (!start) {
      refuse('memblock allocation failed'); // -ENOMEM
      continue;
    }
    st.result.reserveMem.push({ name: r.name, base: start, size: r.size });
  }
}
