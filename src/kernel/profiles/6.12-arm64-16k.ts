// Debian linux-image-6.12.95+deb12-arm64-16k-unsigned 6.12.95-1~bpo12+1, 16 KiB pages, 52-bit VA (4 levels).
import type { KernelProfile } from './types.js';
import { arm64BootSteps, arm64Params612, MiB } from './common.js';
import { profile as base } from './6.12-arm64.js';

export const profile: KernelProfile = {
  ...base,
  id: '6.12-arm64-16k',
  debianPackage: 'linux-image-6.12.95+deb12-arm64-16k-unsigned 6.12.95-1~bpo12+1',
  pageSize: 16384,
  pageShift: 14,
  maxOrder: 11, // CONFIG_ARCH_FORCE_MAX_ORDER=11
  maxOrderMeaning: 'largest',
  pageblockOrder: 11, // min(HUGETLB_PAGE_ORDER = 25 - 14, MAX_PAGE_ORDER)
  cmaMinAlignmentBytes: 32n * MiB,
  params: arm64Params612,
  bootSteps: arm64BootSteps,
  arm64: {
    ...base.arm64!,
    // VA_BITS_MIN = 47 with 16K: PAGE_END - _PAGE_OFFSET(52) = 2^52 - 2^46
    linearRegionSize: (1n << 52n) - (1n << 46n),
    memstartAlign: 1n << 36n, // ARM64_MEMSTART_SHIFT = PUD_SHIFT with 16K pages (CONFIG_PGTABLE_LEVELS=4)
    pgtable: { ...base.arm64!.pgtable, levelShifts: [25, 36] },
    sparse: {
      ...base.arm64!.sparse,
      sectionSizeBits: 27,
      memSectionRootsBytes: 512n * 1024n, // 2^25 sections / (16384/32 per root) * 8
      rootBytes: 16384n,
      sectionsPerRoot: 512,
      usemapBytesPerSection: 16n,
      pmdSize: 32n * MiB,
    },
  },
  provenance: 'kernel 6.12.95 sources; Debian config-6.12.95+deb12-arm64-16k; sizes from lab traces where recorded',
};
