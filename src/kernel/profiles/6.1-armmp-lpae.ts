// Debian linux-image-6.1.0-50-armmp-lpae 6.1.176-1 (armhf, LPAE): 64-bit phys_addr_t, 3-level tables.
import type { KernelProfile } from './types.js';
import { armBootSteps, armParams61, MiB } from './common.js';
import { profile as armmp } from './6.1-armmp.js';

export const profile: KernelProfile = {
  ...armmp,
  id: '6.1-armmp-lpae',
  debianPackage: 'linux-image-6.1.0-50-armmp-lpae 6.1.176-1',
  physAddrBits: 64,
  pageblockOrder: 9, // CONFIG_HUGETLB_PAGE: min(HUGETLB_PAGE_ORDER = 21 - 12, MAX_ORDER - 1)
  cmaMinAlignmentBytes: 2n * MiB,
  params: armParams61,
  bootSteps: armBootSteps,
  arm: {
    ...armmp.arm!,
    kernelOffset: 0x400000n, // lab trace: memblock_reserve [0x40400000-0x4180d287] arm_memblock_init
    kernelSize: 0x140d288n,
    pgdirOffset: 0x203000n, // LPAE: PGD page + 4 PMD pages below the kernel (PG_DIR_SIZE 0x5000)
    pgdirSize: 0x5000n,
    pagingInit: {
      sectionSize: 0x200000n,
      staticVmSize: 0x30n,
      staticVmAlign: 8n,
      laterEarlyAllocs: [0x2000n, 0x1000n, 0x1000n, 0x1000n, 0x1000n],
    },
  },
  provenance: 'kernel 6.1.176 sources; Debian config-6.1.0-50-armmp-lpae; image placement from lab traces',
};
