// Debian linux-image-6.1.0-50-arm64-unsigned 6.1.176-1 (bookworm), 4 KiB pages, 48-bit VA.
import type { KernelProfile } from './types.js';
import { arm64BootSteps, arm64Params61, GiB, MiB } from './common.js';

export const profile: KernelProfile = {
  id: '6.1-arm64',
  version: '6.1',
  arch: 'arm64',
  debianPackage: 'linux-image-6.1.0-50-arm64-unsigned 6.1.176-1',
  pageSize: 4096,
  pageShift: 12,
  physAddrBits: 64,
  maxOrder: 11, // CONFIG_ARCH_FORCE_MAX_ORDER=11 → MAX_ORDER (orders 0..10)
  maxOrderMeaning: 'count',
  pageblockOrder: 9, // min(HUGETLB_PAGE_ORDER = 9, MAX_ORDER - 1)
  cmaMinAlignmentBytes: 2n * MiB, // 6.1.176: CMA_MIN_ALIGNMENT_BYTES = PAGE_SIZE * pageblock_nr_pages
  maxCmaAreas: 20, // 1 + CONFIG_CMA_AREAS(19)
  cmaSizeMBytes: 64,
  cmaAlignment: 8,
  smpCacheBytes: 64,
  numa: true,
  maxNumNodes: 16,
  memblockInitRegions: 128,
  maxReservedRegions: 64,
  params: arm64Params61,
  messages: { cmaReservedOnNode: false },
  cmaHighmemFirst: true,
  bootSteps: arm64BootSteps,
  arm64: {
    dmaZone: 'bits',
    pageOffset: 0xffff000000000000n, // -(1 << vabits_actual)
    physMaskShift: 48,
    linearRegionSize: 1n << 47n, // VA_BITS=48: PAGE_END - PAGE_OFFSET
    memstartAlign: GiB,
    textOffset: 2n * MiB,
    reserveStartOffset: 0x10000n, // 6.1 reserves from _stext = _text + 64 KiB
    reserveSize: 0x2000000n, // lab trace: [0x40210000-0x4220ffff]
    initBeginOffset: 0x1610000n, // calibrated: 11 full 2 MiB blocks of linear alias
    pgtable: {
      levelShifts: [21, 30], // 4 levels: PMD, PUD tables below the PGD
      pageGranular: true,
      extraBefore: 9, // paging_init's map_kernel() (+1 as on 6.12; fitted over every lab RAM size/layout)
      initPgDirFree: { offsetFromText: 0x200b000n, size: 0x5000n }, // memblock_phys_free(init_pg_dir..init_pg_end)
      extraAfter: 4, // create_idmap()
      caller: 'early_pgtable_alloc',
    },
    unflatten: { deviceNodeSize: 208, propertySize: 96, align: 8, extraBytes: 0 },
    numa: { nodeDataSize: 0x2c80n, distanceAlloc: true, cpumaskAlloc: false, reservedNid: false, nodeDataMessage: '6.1' },
    sparse: {
      sectionSizeBits: 27,
      memSectionRootsBytes: 0x20000n, // 2^(48-27) / 128 * 8
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
      { op: 'alloc', size: 0x1f000n, align: 0x1000n, caller: 'pcpu_fc_alloc', nid: 0, fromMemstart: true },
      { op: 'free', of: 2, at: 'end', size: 0n, caller: 'pcpu_embed_first_chunk' },
      { op: 'alloc', size: 0x8n, align: 0x40n, caller: 'pcpu_setup_first_chunk' },
      { op: 'alloc', size: 0x8n, align: 0x40n, caller: 'pcpu_setup_first_chunk' },
      { op: 'alloc', size: 0x4n, align: 0x40n, caller: 'pcpu_setup_first_chunk' },
      { op: 'alloc', size: 0x8n, align: 0x40n, caller: 'pcpu_setup_first_chunk' },
      { op: 'alloc', size: 0x120n, align: 0x40n, caller: 'pcpu_setup_first_chunk' },
      { op: 'alloc', size: 0x90n, align: 0x40n, caller: 'pcpu_alloc_first_chunk' },
      { op: 'alloc', size: 0x180n, align: 0x40n, caller: 'pcpu_alloc_first_chunk' },
      { op: 'alloc', size: 0x188n, align: 0x40n, caller: 'pcpu_alloc_first_chunk' },
      { op: 'alloc', size: 0x60n, align: 0x40n, caller: 'pcpu_alloc_first_chunk' },
      { op: 'alloc', size: 0x90n, align: 0x40n, caller: 'pcpu_alloc_first_chunk' },
      { op: 'alloc', size: 0x400n, align: 0x40n, caller: 'pcpu_alloc_first_chunk' },
      { op: 'alloc', size: 0x408n, align: 0x40n, caller: 'pcpu_alloc_first_chunk' },
      { op: 'alloc', size: 0x100n, align: 0x40n, caller: 'pcpu_alloc_first_chunk' },
      { op: 'free', of: 0, caller: 'pcpu_free_alloc_info' },
      { op: 'free', of: 1, caller: 'pcpu_embed_first_chunk' },
    ],
  },
  provenance: 'kernel 6.1.176 sources; Debian config-6.1.0-50-arm64; sizes from lab memblock=debug traces (QEMU virt, -cpu max)',
};
