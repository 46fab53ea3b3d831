// Debian linux-image-6.12.95+deb12-armmp-lpae 6.12.95-1~bpo12+1 (armhf, LPAE). Not one of the lab's
// five core kernels; placement measured from a hand boot's memblock=debug trace (QEMU virt, 1 GiB).
import type { KernelProfile } from './types.js';
import { armBootSteps, armParams612, MiB } from './common.js';
import { profile as p61 } from './6.1-armmp-lpae.js';

export const profile: KernelProfile = {
  ...p61,
  id: '6.12-armmp-lpae',
  version: '6.12',
  debianPackage: 'linux-image-6.12.95+deb12-armmp-lpae 6.12.95-1~bpo12+1',
  maxOrder: 11,
  maxOrderMeaning: 'largest',
  pageblockOrder: 9, // CONFIG_HUGETLB_PAGE: min(HUGETLB_PAGE_ORDER = 21 - 12, MAX_PAGE_ORDER)
  cmaMinAlignmentBytes: 2n * MiB,
  maxCmaAreas: 8,
  params: armParams612,
  messages: { cmaReservedOnNode: true },
  cmaHighmemFirst: false,
  bootSteps: armBootSteps,
  arm: {
    ...p61.arm!,
    cmaRemap: 'static-reg', // of_reserved_mem.c __reserved_mem_reserve_reg → dma_contiguous_early_fixup
    kernelOffset: 0x400000n, // trace: memblock_reserve [0x40400000-0x41a33bcf] arm_memblock_init
    kernelSize: 0x1633bd0n,
  },
  provenance: 'kernel 6.12.95 sources; Debian config-6.12.95+deb12-armmp-lpae; kernel placement from a memblock=debug boot',
};
