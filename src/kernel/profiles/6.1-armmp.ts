// Debian linux-image-6.1.0-50-armmp 6.1.176-1 (armhf, ARMv7 multiplatform, no LPAE): 32-bit phys_addr_t.
import type { KernelProfile } from './types.js';
import { armBootSteps, armParams61, MiB } from './common.js';

export const profile: KernelProfile = {
  id: '6.1-armmp',
  version: '6.1',
  arch: 'arm',
  debianPackage: 'linux-image-6.1.0-50-armmp 6.1.176-1',
  pageSize: 4096,
  pageShift: 12,
  physAddrBits: 32,
  maxOrder: 12, // CONFIG_ARCH_FORCE_MAX_ORDER=12 → MAX_ORDER (orders 0..11)
  maxOrderMeaning: 'count',
  pageblockOrder: 11, // no CONFIG_HUGETLB_PAGE: MAX_ORDER - 1
  cmaMinAlignmentBytes: 8n * MiB,
  maxCmaAreas: 8, // 1 + CONFIG_CMA_AREAS(7)
  cmaSizeMBytes: 16,
  cmaAlignment: 8,
  smpCacheBytes: 64, // CONFIG_ARM_L1_CACHE_SHIFT=6
  numa: false,
  maxNumNodes: 1,
  memblockInitRegions: 128,
  maxReservedRegions: 64,
  params: armParams61,
  messages: { cmaReservedOnNode: false },
  cmaHighmemFirst: true,
  bootSteps: armBootSteps,
  arm: {
    kernelOffset: 0x300000n, // lab trace: memblock_reserve [0x40300000-...] arm_memblock_init (KERNEL_START)
    kernelSize: 0x1307588n,
    pgdirOffset: 0x204000n, // swapper_pg_dir = KERNEL_RAM_VADDR - PG_DIR_SIZE, 16 KiB
    pgdirSize: 0x4000n,
    pageOffset: 0xc0000000n, // CONFIG_VMSPLIT_3G
    vmallocEnd: 0xff800000n,
    vmallocDefault: 240n * MiB,
    dmaLimit: 0xffffffffn,
    // vectors (2 pages), the vectors' PTE table, kmap_init's pkmap and fixmap PTE tables, empty_zero_page
    cmaRemap: 'cma-areas',
    pagingInit: {
      sectionSize: 0x100000n,
      staticVmSize: 0x28n,
      staticVmAlign: 4n,
      laterEarlyAllocs: [0x2000n, 0x1000n, 0x1000n, 0x1000n, 0x1000n],
    },
  },
  provenance: 'kernel 6.1.176 sources; Debian config-6.1.0-50-armmp; image placement from lab traces (QEMU virt)',
};
