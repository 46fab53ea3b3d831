// arch/arm64/kernel/setup.c setup_arch, as far as memory goes: setup_machine_fdt (memory nodes,
// the blob reserved by fixmap_remap_fdt), parse_early_param, efi_init (booted through UEFI),
// arm64_memblock_init, paging_init,
// unflatten_device_tree, bootmem_init, request_standard_resources.
import type { BootState } from '../../boot-state.js';
import { earlyInitDtScanMemory, unflattenDeviceTree } from '../../of-fdt.js';
import { efiInit } from '../../efi-init.js';
import { arm64MemblockInit, bootmemInit } from './init.js';
import { sparseInit } from '../../sparse.js';
import { pagingInit } from './mmu.js';
import { calcNrKernelPages } from '../../mm-init.js';

export function setupArch(st: BootState): void {
  const { ctx, layout } = st;
  const mb = ctx.memblock;
  // setup_machine_fdt: memory nodes, then fixmap_remap_fdt() reserves the blob
  earlyInitDtScanMemory(ctx, layout.memory);
  if (layout.dtb) mb.reserve(layout.dtb.base, layout.dtb.size, 'fixmap_remap_fdt');
  // parse_early_param: memblock=debug starts printing from here
  st.setTraceStart(mb.events.length);
  if (layout.efi) efiInit(ctx, layout.efi, 0n); // MIN_MEMBLOCK_ADDR 0 (arch/arm64/include/asm/memory.h)
  arm64MemblockInit(st);
  pagingInit(st);
  unflattenDeviceTree(st);
  const nodes = bootmemInit(st);
  // request_standard_resources: one struct resource (64 bytes) per memory region
  mb.allocOrPanic(BigInt(mb.memory.regions.length) * 64n, 64n, 'setup_arch');
  // 7.2: start_kernel → mm_core_init_early → free_area_init → sparse_init
  if (ctx.profile.series.arm64.sparseInit === 'free-area-init') {
    sparseInit(st, nodes);
    calcNrKernelPages(st);
  }
}
