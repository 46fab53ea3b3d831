// 6.12 arm64 with 64 KiB pages — derived from the sources only (Debian ships no -64k flavour for
// bookworm-backports, so nothing here was measured): CONFIG_ARM64_64K_PAGES, ARCH_FORCE_MAX_ORDER
// default 13, PGTABLE_LEVELS 3 with 52-bit VA, SECTION_SIZE_BITS 29.
import type { KernelProfile } from './types.js';
import { MiB } from './common.js';
import { profile as base } from './6.12-arm64.js';

export const profile: KernelProfile = {
  ...base,
  id: '6.12-arm64-64k',
  debianPackage: '(none: derived from linux-source-6.12 with Debian arm64 config + CONFIG_ARM64_64K_PAGES)',
  pageSize: 65536,
  pageShift: 16,
  maxOrder: 13, // arch/arm64/Kconfig: default "13" if ARM64_64K_PAGES
  maxOrderMeaning: 'largest',
  pageblockOrder: 13, // min(HUGETLB_PAGE_ORDER = 29 - 16, MAX_PAGE_ORDER)
  cmaMinAlignmentBytes: 512n * MiB,
  arm64: {
    ...base.arm64!,
    linearRegionSize: (1n << 52n) - (1n << 47n),
    memstartAlign: 1n << 29n,
    pgtable: { ...base.arm64!.pgtable, levelShifts: [29, 42] },
    sparse: {
      ...base.arm64!.sparse,
      sectionSizeBits: 29,
      memSectionRootsBytes: 32n * 1024n, // 2^23 sections / (65536/32 per root) * 8
      rootBytes: 65536n,
      sectionsPerRoot: 2048,
      usemapBytesPerSection: 16n,
      pmdSize: 512n * MiB,
    },
  },
  provenance: 'derived from kernel 6.12.95 sources only (not measured)',
};
