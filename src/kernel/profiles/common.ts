// Pieces shared by several profiles (kept as data; each profile spells out its own numbers).
import type { ParamSupport } from './types.js';

export const MiB = 1n << 20n;
export const GiB = 1n << 30n;

/** early_param()s that touch memory layout, per arch and version (grep early_param in the sources). */
export const arm64Params61: ParamSupport = {
  reserveMem: false,
  crashkernelHighLow: true,
  crashkernelRamCheck: false,
  crashkernelImpl: 'arm64-6.1',
  earlyParams: ['mem', 'cma', 'memblock', 'crashkernel', 'nokaslr', 'earlycon', 'kasan', 'hugetlb_cma', 'numa', 'rodata'],
};

export const arm64Params612: ParamSupport = {
  reserveMem: true,
  crashkernelHighLow: true,
  crashkernelRamCheck: true,
  crashkernelImpl: 'generic',
  earlyParams: ['mem', 'cma', 'memblock', 'crashkernel', 'nokaslr', 'earlycon', 'kasan', 'hugetlb_cma', 'numa', 'rodata'],
};

export const armParams61: ParamSupport = {
  reserveMem: false,
  crashkernelHighLow: false,
  crashkernelRamCheck: false,
  crashkernelImpl: 'arm',
  earlyParams: ['mem', 'cma', 'memblock', 'crashkernel', 'vmalloc', 'earlycon', 'coherent_pool'],
};

export const armParams612: ParamSupport = {
  ...armParams61,
  reserveMem: true,
  crashkernelRamCheck: true,
};

/** arm64 setup_arch → ... → bootmem_init, in order (arch/arm64/kernel/setup.c, mm/init.c). */
export const arm64BootSteps = [
  'setup_machine_fdt', // memory nodes → memblock_add; the FDT reserves itself
  'parse_early_param',
  'arm64_memblock_init', // linear-map clip, mem=, initrd, kernel image, reserved-memory scan
  'paging_init', // linear map page tables (early_pgtable_alloc)
  'unflatten_device_tree',
  'bootmem_init', // NUMA node data, sparse_init (memmap), dma_contiguous_reserve, crashkernel
  'setup_per_cpu_areas',
  'parse_args', // __setup handlers, 6.12 reserve_mem=
];

/** arm setup_arch → arm_memblock_init → paging_init (arch/arm/kernel/setup.c, mm/init.c). */
export const armBootSteps = [
  'setup_machine_fdt',
  'parse_early_param',
  'adjust_lowmem_bounds',
  'arm_memblock_init', // kernel, initrd, swapper_pg_dir, reserved-memory, dma_contiguous_reserve
  'paging_init',
  'unflatten_device_tree',
  'setup_per_cpu_areas',
  'parse_args',
];
