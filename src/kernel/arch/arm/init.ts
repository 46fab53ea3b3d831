// arch/arm/mm/init.c arm_memblock_init: the kernel image, the initrd (reserve_initrd_mem),
// swapper_pg_dir, the board's reservations, early_init_fdt_scan_reserved_mem,
// dma_contiguous_reserve(arm_dma_limit) and memblock_dump_all.
import { diag } from '../../../diagnostics.js';
import {
  BootHang,
  BootPanic,
  MiB,
  memblockDumpAll,
  platformReservations,
  structPageAt,
  zonesFromLimits,
  type BootState,
} from '../../boot-state.js';
import { freeUnusedMemmap, hex, MEMBLOCK_ALLOC_ACCESSIBLE, MEMBLOCK_NOMAP, roundDown, roundUp } from '../../memblock.js';
import { earlyInitFdtScanReservedMem } from '../../rmem.js';
import { dmaContiguousReserve } from '../../dma-contiguous.js';
import { dmaContiguousRemapList, dmaMmuRemapReport } from './dma-mapping.js';
import { reserveInitrdMem } from '../../initramfs.js';
import { armMmMemblockReserve } from './mmu.js';
import { calcNrKernelPages } from '../../mm-init.js';
import { largestOrder } from '../../page-alloc.js';
import { faultLoop } from './fault.js';

export function armMemblockInit(st: BootState, lowmemLimit: bigint): void {
  const { ctx, layout } = st;
  const a = ctx.profile.arm!;
  const mb = ctx.memblock;
  const ramBase = layout.memory[0]!.base;
  // AUTO_ZRELADDR: the decompressor runs the kernel at (RAM & 0xf8000000) + TEXT_OFFSET; what it
  // reserves (KERNEL_START) sits at a fixed offset from there on each build (profile)
  const kernelStart = layout.kernelLoad ?? (ramBase & ~0x7ffffffn) + a.kernelOffset;
  mb.reserve(kernelStart, a.kernelSize, 'arm_memblock_init');
  st.result.kernelImage = { base: kernelStart, size: a.kernelSize, caller: 'arm_memblock_init' };
  reserveInitrdMem(st, ctx.profile.series.arm.reserveCallers.initrd);
  armMmMemblockReserve(st);
  platformReservations(st);
  earlyInitFdtScanReservedMem(ctx);
  // high_memory for cma_declare_contiguous_nid: __pa(high_memory - 1) + 1 = arm_lowmem_limit
  dmaContiguousReserve(st, a.dmaLimit, lowmemLimit);
  // dma_contiguous_reserve_area's dma_contiguous_early_fixup (arch/arm/mm/dma-mapping.c) records
  // the default area last, at dma_mmu_remap[n], right after its "cma: Reserved" line
  if (st.result.defaultCma) dmaMmuRemapReport(st, 'dma_contiguous_early_fixup', dmaContiguousRemapList(st).length - 1);
  memblockDumpAll(st);
}

/**
 * bootmem_init's find_limits and zone_sizes_init (arch/arm/mm/init.c), at the end of paging_init:
 * ZONE_DMA (CONFIG_ZONE_DMA) up to arm_dma_limit (all of lowmem without a machine's dma_zone_size),
 * ZONE_NORMAL the rest of lowmem (memblock's current limit, arm_lowmem_limit by then), ZONE_HIGHMEM
 * (CONFIG_HIGHMEM) to the end of DRAM.
 */
export function zoneSizesInit(st: BootState): void {
  const mb = st.ctx.memblock;
  const ps = mb.pageSize;
  const minPfn = (mb.startOfDram() + ps - 1n) / ps;
  const maxLow = mb.currentLimit / ps;
  const a = st.ctx.profile.arm!;
  const dma = a.dmaLimit / ps; // arm_dma_pfn_limit
  st.result.zones = zonesFromLimits(
    minPfn,
    [
      ...(a.zoneDma ? [['DMA', dma < maxLow ? dma : maxLow] as const] : []),
      ['Normal', maxLow],
      ...(a.highmem ? [['HighMem', mb.endOfDram() / ps] as const] : []),
    ],
    ps,
  );
  if (st.ctx.profile.series.arm.freeAreaInit === 'bootmem_init') allocNodeMemMap(st);
}

/**
 * free_area_init → free_area_init_node → alloc_node_mem_map (mm/mm_init.c; 5.10 mm/page_alloc.c):
 * FLATMEM's one array of struct pages for the node, from its first pfn rounded down to
 * MAX_ORDER_NR_PAGES to its last rounded up, allocated top-down below arm_lowmem_limit: right
 * under paging_init's zero page, or (7.2, from mm_core_init_early) under setup_arch's later
 * allocations, the unflattened tree's among them. The global mem_map
 * is node 0's, moved back by the rounding unless its first entry is PHYS_PFN_OFFSET's:
 * pfn_to_page(pfn) = mem_map + (pfn - PHYS_PFN_OFFSET) (include/asm-generic/memory_model.h), also
 * for a pfn the array does not cover.
 */
export function allocNodeMemMap(st: BootState): void {
  const { ctx } = st;
  const p = ctx.profile;
  const mb = ctx.memblock;
  const ps = mb.pageSize;
  const nr = 1n << BigInt(largestOrder(p)); // MAX_ORDER_NR_PAGES
  const nodeStart = (mb.startOfDram() + ps - 1n) / ps;
  const nodeEnd = mb.endOfDram() / ps;
  if (nodeEnd <= nodeStart) return;
  const start = nodeStart - (nodeStart % nr);
  const size = (roundUp(nodeEnd, nr) - start) * p.arm!.structPageSize;
  const map = mb.allocTryNid(
    size,
    BigInt(p.smpCacheBytes),
    0n,
    MEMBLOCK_ALLOC_ACCESSIBLE,
    0,
    'alloc_node_mem_map',
    p.series.arm.memmapAlloc,
  );
  // every series panics when memblock has no room for it (alloc_node_mem_map)
  if (!map) {
    const panic = `Failed to allocate ${size} bytes for node 0 memory map`;
    throw new BootPanic(
      panic,
      [`Kernel panic - not syncing: ${panic}`],
      'alloc_node_mem_map',
      `FLATMEM's mem_map, ${size >> 10n} KiB of struct pages for [${hex(start * ps)}-${hex(roundUp(nodeEnd, nr) * ps)}), finds no free range that large below arm_lowmem_limit (memblock_alloc_node fails): alloc_node_mem_map panics in the idle task`,
    );
  }
  const physPfnOffset = st.layout.memory[0]!.base / ps;
  st.memMap = { base: physPfnOffset === nodeStart ? map + (nodeStart - start) * p.arm!.structPageSize : map };
  // memmap_init_range (mm/mm_init.c) zeroes every struct page through the linear map: a part of
  // mem_map where dma_contiguous_remap left no mapping faults in the idle task. A report that
  // faults again for ever is predicted (memMapFaultLoop); else how the boot ends is the oops
  // path's: one board's 7.2-armmp panicked ("Attempted to kill the idle task!"), its 6.12-armmp's
  // report faulted again in the registers' mem_dump_obj (both booted)
  const hole = st.unmapped?.find((u) => map < u.base + u.size && u.base < map + size);
  if (hole) memMapFaultLoop(st, map, size);
  if (hole)
    st.ctx.diagnostics.push(
      diag(
        'warning',
        'mem-map-unmapped',
        `mem_map [${hex(map)}-${hex(map + size)}) (alloc_node_mem_map, mm/mm_init.c) reaches into [${hex(hole.base)}-${hex(hole.base + hole.size)}), which dma_contiguous_remap (arch/arm/mm/dma-mapping.c) cleared with its PMD and did not map again (it maps back only the CMA area's own pages): memmap_init_range's first write of a struct page there faults in the idle task, and how that oops ends is the run's (die() reports the registers, mem_dump_obj reading the struct pages they point at)`,
      ),
    );
  setupUsemaps(st);
  calcNrKernelPages(st);
}

/**
 * mem_map reaching into what dma_contiguous_remap left unmapped: the first write there faults in
 * the idle task (5.10: memblock_alloc_node zeroes the array; 6.1+ allocate it raw and
 * memmap_init_range writes each struct page, pfns ascending, those of pageblocks pfn_valid accepts:
 * arch/arm/mm/init.c). When that fault's report faults again for ever (faultLoop: show_pte reads the
 * PTE table's struct page there too), the boot hangs printing it; otherwise how the oops ends is
 * the run's, and the plan keeps its warning.
 */
function memMapFaultLoop(st: BootState, map: bigint, size: bigint): void {
  const p = st.ctx.profile;
  const mb = st.ctx.memblock;
  const ps = mb.pageSize;
  const zeroed = p.series.arm.memmapAlloc === 'memblock_alloc_try_nid';
  // the struct pages written, in order: the whole array, or those of the pfns in memory's pageblocks
  const block = 1n << BigInt(p.pageblockOrder);
  const written = zeroed
    ? [{ base: map, end: map + size }]
    : mb.memory.regions.map((r) => {
        const first = roundDown(r.base / ps, block);
        const last = roundUp((r.base + r.size) / ps, block);
        return { base: structPageAt(st, first), end: structPageAt(st, last) };
      });
  let at: bigint | undefined;
  for (const w of written)
    for (const u of st.unmapped ?? []) {
      const s = w.base > u.base ? w.base : u.base;
      const e = w.end < u.base + u.size ? w.end : u.base + u.size;
      if (s < e && (at === undefined || s < at)) at = s;
    }
  if (at === undefined) return;
  const loop = faultLoop(st, at);
  if (!loop) return;
  const fn = zeroed ? 'alloc_node_mem_map' : 'memmap_init_range';
  throw new BootHang(
    fn,
    `mem_map [${hex(map)}-${hex(map + size)}) (alloc_node_mem_map, mm/mm_init.c) reaches into memory dma_contiguous_remap (arch/arm/mm/dma-mapping.c) cleared with its PMD and did not map again: ${zeroed ? "memblock_alloc_node's zeroing" : "memmap_init_range's first write of a struct page"} there, at ${hex(at)}, faults in the idle task; show_pte (arch/arm/mm/fault.c) reads the struct page of that block's PTE table, at ${hex(loop.at)}, which lies in the same unmapped memory, so the report faults again there, and again: the boot gets no further, printing the same fault over and over`,
    'printing the same fault over and over',
    undefined,
    loop.lines,
  );
}

/**
 * free_area_init_core → setup_usemap (mm/mm_init.c; 5.10/6.1 mm/page_alloc.c), per populated zone
 * after mem_map: NR_PAGEBLOCK_BITS per pageblock the zone spans (counted from its pageblock's
 * start), in whole longs, from memblock_alloc_node(size, SMP_CACHE_BYTES, nid).
 */
function setupUsemaps(st: BootState): void {
  const p = st.ctx.profile;
  const mb = st.ctx.memblock;
  const ps = mb.pageSize;
  const perBlock = 1n << BigInt(p.pageblockOrder);
  for (const z of st.result.zones ?? []) {
    const startPfn = z.base / ps;
    const pages = z.size / ps + (startPfn % perBlock);
    const bits = roundUp((roundUp(pages, perBlock) / perBlock) * BigInt(p.series.arm.pageblockBits), 32n); // BITS_PER_LONG
    if (bits) mb.allocTryNid(bits / 8n, BigInt(p.smpCacheBytes), 0n, MEMBLOCK_ALLOC_ACCESSIBLE, 0, 'setup_usemap');
  }
}

/**
 * arm, after paging_init: the virtual address of pfn_to_page(pfn), and whether nothing is mapped
 * there: lowmem is mapped where memblock has memory without NOMAP (map_lowmem), and from
 * high_memory to VMALLOC_START (8 MiB up, aligned: arch/arm/include/asm/pgtable.h) nothing is.
 * Elsewhere (vmalloc space, below PAGE_OFFSET) what is mapped depends on the running kernel:
 * `mapped` is then undefined.
 */
export function structPageVirt(st: BootState, pfn: bigint): { va: bigint; mapped?: boolean } | undefined {
  const a = st.ctx.profile.arm!;
  const mb = st.ctx.memblock;
  if (st.memMap === undefined) return undefined;
  const physOffset = st.layout.memory[0]!.base;
  const u32 = (x: bigint) => x & 0xffffffffn;
  const va = u32(a.pageOffset + structPageAt(st, pfn) - physOffset);
  const highMemory = a.pageOffset + mb.currentLimit - physOffset;
  const VMALLOC_OFFSET = 8n * MiB;
  const vmallocStart = (highMemory + VMALLOC_OFFSET) & ~(VMALLOC_OFFSET - 1n);
  if (va >= highMemory && va < vmallocStart) return { va, mapped: false };
  if (va < a.pageOffset || va >= highMemory) return { va };
  const pa = va - a.pageOffset + physOffset;
  return { va, mapped: mb.memory.regions.some((r) => !(r.flags & MEMBLOCK_NOMAP) && r.base <= pa && pa < r.base + r.size) };
}

/**
 * free_unused_memmap on arm (5.10 arch/arm/mm/init.c from mem_init; 6.1+ mm/memblock.c from
 * memblock_free_all, with HAVE_ARCH_PFN_VALID and no SPARSEMEM_VMEMMAP): FLATMEM's mem_map has a
 * struct page for every pfn of the node, holes included, and the walk rounds ranges out to
 * pageblocks. A hole appears where memory has none: between banks, or where 5.10 removed a no-map
 * region from memory. free_memmap is inlined: memblock=debug names free_unused_memmap.
 */
export function freeUnusedMemmapFlatmem(st: BootState): void {
  const p = st.ctx.profile;
  if (!p.arm || !st.memMap) return;
  const perBlock = 1n << BigInt(p.pageblockOrder);
  freeUnusedMemmap(st.ctx.memblock, {
    startAlign: perBlock,
    endAlign: perBlock,
    structPageSize: p.arm.structPageSize,
    structPage: (pfn) => structPageAt(st, pfn),
    caller: 'free_unused_memmap',
  });
}
