// arch/arm64/kernel/setup.c setup_arch, as far as memory goes: setup_machine_fdt (memory nodes,
// the blob reserved by fixmap_remap_fdt), parse_early_param, efi_init (booted through UEFI),
// arm64_memblock_init, paging_init,
// unflatten_device_tree, bootmem_init, request_standard_resources.
import { earlyParamFault, touch, type BootState } from '../../boot-state.js';
import { earlyInitDtScanMemory, unflattenDeviceTree } from '../../of-fdt.js';
import { efiInit } from '../../efi-init.js';
import { arm64MemblockInit, bootmemInit } from './init.js';
import { sparseInit } from '../../sparse.js';
import { pagingInit } from './mmu.js';
import { calcNrKernelPages } from '../../mm-init.js';
import { parameq } from '../../cmdline.js';
import { diag } from '../../../diagnostics.js';

/**
 * arm64 early parameters whose effect on memory the model does not follow, and what they change.
 * (Their lines are not "unknown": the kernel takes them.)
 */
const NOT_MODELLED: Record<string, string> = {
  rodata:
    "rodata= sets rodata_full (arch/arm64: parse_rodata, 6.6+ arch_parse_debug_rodata), which decides whether map_mem maps the linear map with pages or blocks: the page tables paging_init allocates, and so every memblock placement after it and the Memory: line, are the build's default's",
  hugetlb_cma:
    "hugetlb_cma= makes arm64_hugetlb_cma_reserve declare CMA areas for gigantic pages (mm/hugetlb.c hugetlb_cma_reserve, aligned to the gigantic page size, per node): carveout does not place them, so what memblock places after bootmem_init's NUMA setup may differ",
};

export function setupArch(st: BootState): void {
  const { ctx, layout } = st;
  const mb = ctx.memblock;
  // setup_machine_fdt: memory nodes, then fixmap_remap_fdt() reserves the blob
  earlyInitDtScanMemory(ctx, layout.memory);
  if (layout.dtb) mb.reserve(layout.dtb.base, layout.dtb.size, 'fixmap_remap_fdt');
  // parse_early_param: memblock=debug starts printing from here
  st.setTraceStart(mb.events.length);
  earlyParamFault(st);
  if (layout.efi) efiInit(ctx, layout.efi, 0n); // MIN_MEMBLOCK_ADDR 0 (arch/arm64/include/asm/memory.h)
  for (const { param, val } of ctx.cmdline.args)
    for (const [name, why] of Object.entries(NOT_MODELLED))
      if (parameq(param, name) && val !== undefined) ctx.diagnostics.push(diag('warning', 'param-not-modelled', why));
  arm64MemblockInit(st);
  pagingInit(st);
  unflattenDeviceTree(st);
  const nodes = bootmemInit(st);
  // request_standard_resources: one struct resource (64 bytes) per memory region
  const res = BigInt(mb.memory.regions.length) * 64n;
  touch(st, mb.allocOrPanic(res, 64n, 'setup_arch'), res, 'setup_arch');
  // 7.2: start_kernel → mm_core_init_early → free_area_init → sparse_init
  if (ctx.profile.series.arm64.sparseInit === 'free-area-init') {
    sparseInit(st, nodes);
    calcNrKernelPages(st);
  }
}
