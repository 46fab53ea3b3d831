// Debian linux-image-6.12.95+deb12-arm64-unsigned 6.12.95-1~bpo12+1 (bookworm-backports), 4 KiB pages.
import type { KernelProfile } from './types.js';
import { arm64BootSteps, arm64Params612, GiB, MiB } from './common.js';

export const profile: KernelProfile = {
  id: '6.12-arm64',
  version: '6.12',
  arch: 'arm64',
  debianPackage: 'linux-image-6.12.95+deb12-arm64-unsigned 6.12.95-1~bpo12+1',
  pageSize: 4096,
  pageShift: 12,
  physAddrBits: 64,
  maxOrder: 10, // CONFIG_ARCH_FORCE_MAX_ORDER=10 → MAX_PAGE_ORDER
  maxOrderMeaning: 'largest',
  pageblockOrder: 9, // min(HUGETLB_PAGE_ORDER = PMD_SHIFT - PAGE_SHIFT = 9, MAX_PAGE_ORDER)
  cmaMinAlignmentBytes: 2n * MiB,
  maxCmaAreas: 20, // CONFIG_CMA_AREAS=20
  cmaSizeMBytes: 64,
  cmaAlignment: 8,
  smpCacheBytes: 64,
  numa: true,
  maxNumNodes: 16, // CONFIG_NODES_SHIFT=4
  memblockInitRegions: 128,
  maxReservedRegions: 64,
  params: arm64Params612,
  messages: { cmaReservedOnNode: true },
  cmaHighmemFirst: false,
  bootSteps: arm64BootSteps,
  arm64: {
    dmaZone: 'limit',
    pageOffset: 0xfff0000000000000n, // -(1 << vabits_actual)
    physMaskShift: 52, // CONFIG_ARM64_PA_BITS=52
    // VA_BITS=52 with LPA2 on `-cpu max`: PAGE_END - _PAGE_OFFSET(52) = 2^52 - 2^47
    linearRegionSize: (1n << 52n) - (1n << 47n),
    memstartAlign: GiB,
    textOffset: 2n * MiB,
    reserveStartOffset: 0n, // memblock_reserve(__pa_symbol(_text), _end - _text)
    reserveSize: 0x2b20000n, // lab trace: [0x40200000-0x42d1ffff]
    initBeginOffset: 0x1cf0000n, // free_initmem: memblock_phys_free [0x41ef0000-...] at the end of boot
    pgtable: {
      levelShifts: [21, 30, 39], // 5 levels with 4K + 52-bit VA: PMD, PUD, P4D tables below the PGD
      pageGranular: true, // CONFIG_RODATA_FULL_DEFAULT_ENABLED=y → NO_BLOCK_MAPPINGS
      extraBefore: 1, // one table beyond the linear map (fitted: constant over every lab RAM size/layout)
      extraAfter: 0,
      caller: 'early_pgtable_alloc',
    },
    unflatten: { deviceNodeSize: 208, propertySize: 104, align: 8, extraBytes: 0 },
    numa: { nodeDataSize: 0x3740n, distanceAlloc: false, cpumaskAlloc: true, reservedNid: true, nodeDataMessage: '6.12' },
    sparse: {
      sectionSizeBits: 27,
      memSectionRootsBytes: 2n * MiB, // 2^(52-27) sections / (4096/32 per root) * 8
      rootBytes: 4096n,
      sectionsPerRoot: 128,
      usemapBytesPerSection: 56n,
      structPageSize: 64n,
      pmdSize: 2n * MiB,
      vmemmapTablesFixed: 2,
      vmemmapTableShift: 30,
    },
    lateAllocs: [
      { op: 'alloc', size: 0x1000n, align: 0x1000n, caller: 'pcpu_build_alloc_info' },
      { op: 'alloc', size: 0x1000n, align: 0x40n, caller: 'pcpu_embed_first_chunk' },
      { op: 'alloc', size: 0x22000n, align: 0x1000n, caller: 'pcpu_fc_alloc', nid: 0, fromMemstart: true },
      { op: 'free', of: 2, at: 'end', size: 0n, caller: 'memblock_free' },
      { op: 'alloc', size: 0x8n, align: 0x40n, caller: 'pcpu_setup_first_chunk' },
      { op: 'alloc', size: 0x8n, align: 0x40n, caller: 'pcpu_setup_first_chunk' },
      { op: 'alloc', size: 0x4n, align: 0x40n, caller: 'pcpu_setup_first_chunk' },
      { op: 'alloc', size: 0x8n, align: 0x40n, caller: 'pcpu_setup_first_chunk' },
      { op: 'alloc', size: 0x130n, align: 0x40n, caller: 'pcpu_setup_first_chunk' },
      { op: 'alloc', size: 0xc8n, align: 0x40n, caller: 'pcpu_alloc_first_chunk' },
      { op: 'alloc', size: 0x180n, align: 0x40n, caller: 'pcpu_alloc_first_chunk' },
      { op: 'alloc', size: 0x188n, align: 0x40n, caller: 'pcpu_alloc_first_chunk' },
      { op: 'alloc', size: 0x60n, align: 0x40n, caller: 'pcpu_alloc_first_chunk' },
      { op: 'alloc', size: 0xc8n, align: 0x40n, caller: 'pcpu_alloc_first_chunk' },
      { op: 'alloc', size: 0x400n, align: 0x40n, caller: 'pcpu_alloc_first_chunk' },
      { op: 'alloc', size: 0x408n, align: 0x40n, caller: 'pcpu_alloc_first_chunk' },
      { op: 'alloc', size: 0x100n, align: 0x40n, caller: 'pcpu_alloc_first_chunk' },
      { op: 'free', of: 0, caller: 'memblock_free' },
      { op: 'free', of: 1, caller: 'memblock_free' },
    ],
  },
  provenance: 'kernel 6.12.95 sources; Debian config-6.12.95+deb12-arm64; sizes from lab memblock=debug traces (QEMU virt, -cpu max)',
};
