// arch/arm/mm/init.c arm_memblock_init: the kernel image, the initrd (reserve_initrd_mem),
// swapper_pg_dir, the board's reservations, early_init_fdt_scan_reserved_mem,
// dma_contiguous_reserve(arm_dma_limit) and memblock_dump_all.
import { memblockDumpAll, platformReservations, zonesFromLimits, type BootState } from '../../boot-state.js';
import { earlyInitFdtScanReservedMem } from '../../rmem.js';
import { dmaContiguousReserve } from '../../dma-contiguous.js';
import { reserveInitrdMem } from '../../initramfs.js';
import { armMmMemblockReserve } from './mmu.js';

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
  memblockDumpAll(st);
}

/**
 * bootmem_init's find_limits and zone_sizes_init (arch/arm/mm/init.c), at the end of paging_init:
 * ZONE_DMA up to arm_dma_limit (all of lowmem without a machine's dma_zone_size), ZONE_NORMAL the
 * rest of lowmem (memblock's current limit, arm_lowmem_limit by then), ZONE_HIGHMEM to the end of
 * DRAM.
 */
export function zoneSizesInit(st: BootState): void {
  const mb = st.ctx.memblock;
  const ps = mb.pageSize;
  const minPfn = (mb.startOfDram() + ps - 1n) / ps;
  const maxLow = mb.currentLimit / ps;
  const dma = st.ctx.profile.arm!.dmaLimit / ps; // arm_dma_pfn_limit
  st.result.zones = zonesFromLimits(
    minPfn,
    [
      ['DMA', dma < maxLow ? dma : maxLow],
      ['Normal', maxLow],
      ['HighMem', mb.endOfDram() / ps],
    ],
    ps,
  );
}
