// arch/arm/mm/init.c arm_memblock_init: the kernel image, the initrd (reserve_initrd_mem),
// swapper_pg_dir, the board's reservations, early_init_fdt_scan_reserved_mem,
// dma_contiguous_reserve(arm_dma_limit) and memblock_dump_all.
import { memblockDumpAll, platformReservations, type BootState } from '../../boot-state.js';
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
