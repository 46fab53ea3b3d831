// Debian linux-image-6.12.95+deb12-armmp 6.12.95-1~bpo12+1 (armhf, no LPAE). Not one of the lab's
// five core kernels; placement measured from a hand boot's memblock=debug trace (QEMU virt, 1 GiB).
import type { KernelProfile } from './types.js';
import { armBootSteps, armParams612, MiB } from './common.js';
import { profile as p61 } from './6.1-armmp.js';

export const profile: KernelProfile = {
  ...p61,
  id: '6.12-armmp',
  version: '6.12',
  debianPackage: 'linux-image-6.12.95+deb12-armmp 6.12.95-1~bpo12+1',
  maxOrder: 11, // CONFIG_ARCH_FORCE_MAX_ORDER=11 → MAX_PAGE_ORDER
  maxOrderMeaning: 'largest',
  pageblockOrder: 11, // neither HUGETLB_PAGE nor TRANSPARENT_HUGEPAGE: MAX_PAGE_ORDER
  cmaMinAlignmentBytes: 8n * MiB,
  maxCmaAreas: 8, // CONFIG_CMA_AREAS=8
  params: armParams612,
  messages: { cmaReservedOnNode: true },
  cmaHighmemFirst: false,
  bootSteps: armBootSteps,
  arm: {
    ...p61.arm!,
    cmaRemap: 'static-reg', // of_reserved_mem.c __reserved_mem_reserve_reg → dma_contiguous_early_fixup
    kernelOffset: 0x300000n, // trace: memblock_reserve [0x40300000-0x4182d74f] arm_memblock_init
    kernelSize: 0x152d750n,
    // sizeof(struct static_vm) grew to 0x2c on 6.12 (lab traces: iotable_init)
    pagingInit: { ...p61.arm!.pagingInit, staticVmSize: 0x2cn },
  },
  provenance: 'kernel 6.12.95 sources; Debian config-6.12.95+deb12-armmp; kernel placement from a memblock=debug boot',
};
