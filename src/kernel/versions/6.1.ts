// Linux 6.1 (Debian bookworm's linux-image-6.1.0-*): where its code differs from other series.
// Each value cites the 6.1 source that decides it.
import type { KernelSeries } from './types.js';
import paramNames from './params/6.1.json' with { type: 'json' };

export const linux61: KernelSeries = {
  name: '6.1',
  maxOrder: 'count',
  cmaAlignmentOrder: (pageblockOrder) => pageblockOrder, // include/linux/cma.h CMA_MIN_ALIGNMENT_PAGES
  maxCmaAreas: (configCmaAreas) => 1 + configCmaAreas,
  params: {
    swiotlbAreas: true, // kernel/dma/swiotlb.c setup_io_tlb_npages: [nslabs][,nareas][,force|noforce]
    hashdist: 'strtoul', // set_hashdist (simple_strtoul), mm/page_alloc.c
    numaFake: false, // drivers/base/arch_numa.c numa_parse_early_param reads off only
    reserveMem: false, // reserve_mem= came with 6.12
    reserveMemErrors: false,
    crashkernelRamCheck: false, // kernel/crash_core.c parse_crashkernel leaves a too-big size to the allocation
  },
  printUnknownBootoptions: true,
  rootwaitWithoutRoot: 'forever', // init/do_mounts.c prepare_namespace
  paramNames, // init/main.c unknown_bootoption: sysctl_is_alias, then obsolete_checksetup
  ofCpuNodeSkipsFail: true, // drivers/of/base.c of_get_next_cpu_node: __of_device_is_fail
  percpuConfig: {}, // include/linux/percpu.h: fixed PERCPU_DYNAMIC_RESERVE and PERCPU_MODULE_RESERVE
  initramfsAsync: true, // init/initramfs.c populate_rootfs
  printkUsageStats: false,
  pageAlloc: {
    nrKernelPages: 'zone-present',
    memoryLine: 'mem-init',
    freeCheck: 'pcp-drain',
    freeResetsPageType: false,
    throttleEmptyZone: 'with-free-pages',
    integrityBufPool: 'none', // block/bio-integrity.c bio_integrity_init: a kmem_cache, no page pool
    initOnAllocFn: 'kernel_init_pages', // mm/page_alloc.c post_alloc_hook
  }, // mm/page_alloc.c free_area_init_core; init/main.c mm_init; mm/page_alloc.c free_pcp_prepare / bulkfree_pcp_prepare; mm/vmscan.c zone_reclaimable_pages, allow_direct_reclaim
  maxThreadsFrom: 'totalram', // kernel/fork.c set_max_threads: totalram_pages()
  memblock: {
    mergeWholeArray: true,
    addRangeRoomCheck: 'lt',
    resizeBeforeAllowed: 'fail',
    reserve: 'plain',
    physAllocRangeTraced: true,
    physFree: 'memblock_phys_free',
    allocOrPanic: false,
    flagsWarn: { line: 637, exemptNone: false }, // mm/memblock.c memblock_add_range: WARN_ON(flags != rgn->flags)
  },
  rmem: {
    scheme: 'after-sort',
    sort: 'heapsort',
    cmpNodeOffset: false,
    memreserveBeforeScan: true,
    allocInRangeDirection: false,
    summaryLine: false,
    maxReservedRegions: 64,
    scanPrefix: 'OF: fdt: ',
    callers: { reserve: '__reserved_mem_reserve_reg', alloc: 'early_init_dt_alloc_reserved_memory_arch' },
    elfcorehdrBeforeScan: false,
    allocation: 'phys-alloc-range',
    failureLevel: 'err',
    allocFailedSize: true,
    nomapBusyNeedsMemory: true,
    regFormat: 'cells',
    tableCalls: 'setup',
    regionLimit: 'total',
    dynamicNodes: 'none',
  },
  cma: {
    allocFailedNamesArea: true, // mm/cma.c cma_alloc
    contigSkippedBlock: 'spins', // mm/page_alloc.c __alloc_contig_migrate_range: pfn = cc->migrate_pfn
    reservedOnNode: false,
    highmemFirst: true,
    above4gBottomUp: 'dram-end',
    reportedSize: 'aligned',
    failureLine: 'after-sizing',
    fixedBoundaryCheck: 'before-limit',
    cmdlineLimit: 'min-not-zero',
    numaCma: 'pernuma-bootmem', // kernel/dma/contiguous.c
  },
  arm64: {
    mapMemRoundsInward: false,
    efiMemoryRegions: true, // arch/arm64/include/asm/memory.h INIT_MEMBLOCK_MEMORY_REGIONS
    crashkernel: 'arm64',
    crashkernelDeferredByZones: true,
    linearAliasBlocks: true,
    linearMapFitWarning: true,
    sparseInit: 'bootmem-init',
    sparseMemmap: 'buffer',
    vmemmapBasePagesFallback: true,
    vmemmapLayout: 'va-bits', // arch/arm64/include/asm/memory.h VMEMMAP_START, FIXADDR_TOP
    sectionSizeBits: (pageSize) => (pageSize === 65536 ? 29 : 27),
    // nokaslr is parsed in arch/arm64/kernel/idreg-override.c only: init/main.c sees it as unknown
    earlyParams: [],
    kaslrLinearMap: 'pa-range', // arch/arm64/mm/init.c arm64_memblock_init: range = linear_region_size - BIT(PARange)
    smpInitCpusNosmp: false,
    dmaZone: 'bits',
    reserveStartOffset: 0x10000n,
    freesInitPgDir: true,
    sparsememVmemmap: 'selected', // arch/arm64/Kconfig
    mapKernel: { textFrom: '_stext' }, // arch/arm64/mm/mmu.c map_kernel
    rodataFullAlways: false,
    nolva: false,
    initrdReAdd: 'add-clear-nomap',
    // map_kernel's tables are counted from the build's segments (mapKernel); the 1 is the linear
    // map's first table under the root (countLinearMapTables)
    pgtable: { extraBefore: 1 },
    createIdmap: true,
    unflatten: { deviceNodeSize: 208, propertySize: 96 },
    swiotlb: 'remap', // arch/arm64/mm/init.c mem_init
    numa: {
      core: 'arch-numa',
      distanceAlloc: 'memblock-alloc',
      cpumaskBits: 'nr-cpu-ids',
      reservedNid: false,
      nodeDataMessage: 'NUMA: NODE_DATA',
    },
    pcpuFreeCallers: { unitTail: 'pcpu_embed_first_chunk', allocInfo: 'pcpu_free_alloc_info', areas: 'pcpu_embed_first_chunk' },
  },
  arm: {
    cmaRemap: 'cma-areas',
    reserveCallers: { initrd: 'reserve_initrd_mem', pgdir: 'arm_memblock_init', pgdirLpae: 'arm_memblock_init' },
    pcpuEmbed: 'inlined',
    memmapAlloc: 'memblock_alloc_try_nid_raw',
    faultSaysAccess: false,
    cmaActivate: 'check-all', // mm/cma.c cma_activate_area
    pfnValid: 'pageblock-overlaps-memory', // arch/arm/mm/init.c
    freeAreaInit: 'bootmem_init',
    zeroPageEarlyAlloc: true,
    mapLowmemKernelCases: true,
    pageblockBits: 4,
    unflatten: { deviceNodeSize: 108, propertySize: 48 }, // ArmSeries.unflatten: measured
  },
};
