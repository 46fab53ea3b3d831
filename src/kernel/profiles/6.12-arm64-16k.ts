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
    memstartAlign: 32n * MiB, // ARM64_MEMSTART_SHIFT = PMD_SHIFT with 16K pages (trace: memstart stays 0x40000000)
    reserveSize: 0x2bc0000n, // lab trace: [0x40200000-0x42dbffff]
    pgtable: { ...base.arm64!.pgtable, levelShifts: [25, 36] },
    numa: { ...base.arm64!.numa, nodeDataSize: 0x3880n },
    sparse: {
      ...base.arm64!.sparse,
      sectionSizeBits: 27,
      memSectionRootsBytes: 512n * 1024n, // 2^25 sections / (16384/32 per root) * 8
      rootBytes: 16384n,
      sectionsPerRoot: 512,
      usemapBytesPerSection: 32n,
      pmdSize: 32n * MiB,
    },
    lateAllocs: [
      { op: 'alloc', size: 0x4000n, align: 0x4000n, caller: 'pcpu_build_alloc_info' },
      { op: 'alloc', size: 0x4000n, align: 0x40n, caller: 'pcpu_embed_first_chunk' },
      { op: 'alloc', size: 0x3c000n, align: 0x4000n, caller: 'pcpu_fc_alloc', nid: 0, fromMemstart: true },
      { op: 'free', of: 2, at: 'end', size: 0n, caller: 'memblock_free' },
      { op: 'alloc', size: 0x8n, align: 0x40n, caller: 'pcpu_setup_first_chunk' },
      { op: 'alloc', size: 0x8n, align: 0x40n, caller: 'pcpu_setup_first_chunk' },
      { op: 'alloc', size: 0x4n, align: 0x40n, caller: 'pcpu_setup_first_chunk' },
      { op: 'alloc', size: 0x8n, align: 0x40n, caller: 'pcpu_setup_first_chunk' },
      { op: 'alloc', size: 0x130n, align: 0x40n, caller: 'pcpu_setup_first_chunk' },
      { op: 'alloc', size: 0xc8n, align: 0x40n, caller: 'pcpu_alloc_first_chunk' },
      { op: 'alloc', size: 0x200n, align: 0x40n, caller: 'pcpu_alloc_first_chunk' },
      { op: 'alloc', size: 0x208n, align: 0x40n, caller: 'pcpu_alloc_first_chunk' },
      { op: 'alloc', size: 0x20n, align: 0x40n, caller: 'pcpu_alloc_first_chunk' },
      { op: 'alloc', size: 0xc8n, align: 0x40n, caller: 'pcpu_alloc_first_chunk' },
      { op: 'alloc', size: 0x600n, align: 0x40n, caller: 'pcpu_alloc_first_chunk' },
      { op: 'alloc', size: 0x608n, align: 0x40n, caller: 'pcpu_alloc_first_chunk' },
      { op: 'alloc', size: 0x60n, align: 0x40n, caller: 'pcpu_alloc_first_chunk' },
      { op: 'free', of: 0, caller: 'memblock_free' },
      { op: 'free', of: 1, caller: 'memblock_free' },
    ],
  },
  provenance: 'kernel 6.12.95 sources; Debian config-6.12.95+deb12-arm64-16k; sizes from lab traces where recorded',
};
