// Linux 6.12 (Debian bookworm-backports' linux-image-6.12.*): where its code differs from other
// series. Each value cites the 6.12 source that decides it.
import type { KernelSeries } from './types.js';
import paramNames from './params/6.12.json' with { type: 'json' };

export const linux612: KernelSeries = {
  name: '6.12',
  maxOrder: 'largest',
  cmaAlignmentOrder: (pageblockOrder) => pageblockOrder, // include/linux/cma.h CMA_MIN_ALIGNMENT_PAGES
  maxCmaAreas: (configCmaAreas) => configCmaAreas,
  params: {
    swiotlbAreas: true, // kernel/dma/swiotlb.c setup_io_tlb_npages: [nslabs][,nareas][,force|noforce]
    hashdist: 'strtoul', // set_hashdist (simple_strtoul), mm/mm_init.c
    numaFake: true, // drivers/base/arch_numa.c numa_parse_early_param: fake= to numa_emu_cmdline
    reserveMem: true, // mm/memblock.c __setup("reserve_mem=", ...)
    reserveMemErrors: false, // mm/memblock.c reserve_mem returns -EINVAL/-EBUSY/-ENOMEM without a word
    crashkernelRamCheck: true, // kernel/crash_reserve.c parse_crashkernel refuses a size >= system RAM
  },
  printUnknownBootoptions: true,
  rootwaitWithoutRoot: 'gives-up', // init/do_mounts.c prepare_namespace
  paramNames, // init/main.c unknown_bootoption: sysctl_is_alias, then obsolete_checksetup
  ofCpuNodeSkipsFail: true, // drivers/of/base.c of_get_next_cpu_node: __of_device_is_fail
  percpuConfig: { dynamicSizeShift: 'RANDOM_KMALLOC_CACHES', moduleReserve: 'MEM_ALLOC_PROFILING' }, // include/linux/percpu.h
  initramfsAsync: true, // init/initramfs.c populate_rootfs
  printkUsageStats: false,
  pageAlloc: {
    nrKernelPages: 'free-ranges',
    memoryLine: 'page-alloc-init-late',
    freeCheck: 'at-free',
    freeResetsPageType: false,
    throttleEmptyZone: 'with-free-pages',
    integrityBufPool: 'none', // block/bio-integrity.c bio_integrity_init: a kmem_cache, no page pool
    initOnAllocFn: 'kernel_init_pages', // mm/page_alloc.c post_alloc_hook
  }, // mm/mm_init.c calc_nr_kernel_pages, page_alloc_init_late; mm/page_alloc.c free_pages_prepare, is_check_pages_enabled; mm/vmscan.c zone_reclaimable_pages, allow_direct_reclaim
  maxThreadsFrom: 'memblock-estimate', // kernel/fork.c set_max_threads: memblock_estimated_nr_free_pages()
  memblock: {
    mergeWholeArray: false,
    addRangeRoomCheck: 'le',
    resizeBeforeAllowed: 'panic',
    reserve: 'plain',
    physAllocRangeTraced: true,
    physFree: 'memblock_phys_free',
    allocOrPanic: false,
    flagsWarn: { line: 651, exemptNone: false }, // mm/memblock.c memblock_add_range: WARN_ON(flags != rgn->flags)
  },
  rmem: {
    scheme: 'on-save',
    sort: 'heapsort-double-pop',
    cmpNodeOffset: true,
    memreserveBeforeScan: false,
    allocInRangeDirection: true,
    summaryLine: true,
    maxReservedRegions: 64,
    scanPrefix: 'OF: reserved mem: ',
    callers: { reserve: 'fdt_scan_reserved_mem', alloc: 'fdt_scan_reserved_mem' },
    elfcorehdrBeforeScan: true,
    allocation: 'phys-alloc-range',
    failureLevel: 'err',
    allocFailedSize: true,
    nomapBusyNeedsMemory: true,
    regFormat: 'cells',
    tableCalls: 'setup',
    regionLimit: 'total',
    dynamicNodes: 'unchecked', // drivers/of/of_reserved_mem.c fdt_scan_reserved_mem: no bound on dynamic_nodes_cnt
  },
  cma: {
    allocFailedNamesArea: true, // mm/cma.c cma_alloc
    contigSkippedBlock: 'spins', // mm/page_alloc.c __alloc_contig_migrate_range: pfn = cc->migrate_pfn
    reservedOnNode: true,
    highmemFirst: false,
    above4gBottomUp: 'dram-end',
    reportedSize: 'aligned',
    failureLine: 'after-sizing',
    fixedBoundaryCheck: 'before-limit',
    cmdlineLimit: 'min-not-zero',
    numaCma: 'before-default', // kernel/dma/contiguous.c
  },
  arm64: {
    mapMemRoundsInward: false,
    efiMemoryRegions: true, // arch/arm64/include/asm/memory.h INIT_MEMBLOCK_MEMORY_REGIONS
    crashkernel: 'generic',
    crashkernelDeferredByZones: false,
    linearAliasBlocks: true,
    linearMapFitWarning: true,
    sparseInit: 'bootmem-init',
    sparseMemmap: 'buffer',
    vmemmapBasePagesFallback: true,
    vmemmapLayout: 'below-1g', // arch/arm64/include/asm/memory.h VMEMMAP_START, FIXADDR_TOP
    sectionSizeBits: (pageSize) => (pageSize === 65536 ? 29 : 27),
    earlyParams: ['nokaslr'],
    kaslrLinearMap: 'pa-range', // arch/arm64/mm/init.c arm64_memblock_init: range = linear_region_size - BIT(PARange)
    smpInitCpusNosmp: false,
    dmaZone: 'limit',
    reserveStartOffset: 0n, // memblock_reserve(__pa_symbol(_text), _end - _text)
    freesInitPgDir: false,
    sparsememVmemmap: 'selected', // arch/arm64/Kconfig
    rodataFullAlways: false,
    nolva: true,
    initrdReAdd: 'add-clear-nomap',
    pgtable: { extraBefore: 1 },
    unflatten: { deviceNodeSize: 208, propertySize: 104 },
    swiotlb: 'remap-kmalloc-bounce', // arch/arm64/mm/init.c mem_init
    numa: {
      core: 'numa-memblks',
      distanceAlloc: 'none',
      cpumaskBits: 'large-cpumask-bits',
      reservedNid: true,
      nodeDataMessage: 'NODE_DATA(%d) allocated',
    },
    pcpuFreeCallers: { unitTail: 'memblock_free', allocInfo: 'memblock_free', areas: 'memblock_free' },
  },
  arm: {
    cmaRemap: 'static-reg', // of_reserved_mem.c __reserved_mem_reserve_reg → dma_contiguous_early_fixup
    reserveCallers: { initrd: 'reserve_initrd_mem', pgdir: 'arm_memblock_init', pgdirLpae: 'arm_memblock_init' },
    pcpuEmbed: 'inlined',
    memmapAlloc: 'memblock_alloc_try_nid_raw',
    faultSaysAccess: true,
    cmaActivate: 'check-all', // mm/cma.c cma_activate_area
    pfnValid: 'pageblock-overlaps-memory', // arch/arm/mm/init.c
    freeAreaInit: 'bootmem_init',
    zeroPageEarlyAlloc: true,
    mapLowmemKernelCases: true,
    pageblockBits: 4,
    // ArmSeries.unflatten: measured (Debian's 6.12 armmp builds set OF_DYNAMIC: 56 with property's _flags)
    unflatten: { deviceNodeSize: 108, propertySize: 52 },
  },
  pointReleases: [
    {
      // drivers/of/of_reserved_mem.c as in 7.2: reserved_mem[] sized to the regions the scan
      // counted (alloc_reserved_mem_array, from fdt_scan_reserved_mem_reg_nodes), MAX_RESERVED_REGIONS
      // bounds the dynamic ones only, and the scan skips a dynamic node past it
      release: '6.12.103',
      change:
        'of: reserved_mem: Add code to dynamically allocate reserved_mem array; of: reserved_mem: prevent OOB when too many dynamic regions are defined',
      rmem: {
        regionLimit: 'dynamic',
        dynamicNodes: 'checked',
        reservedMemArray: { caller: 'fdt_scan_reserved_mem_reg_nodes', pointers: 4, unscanned: 'max-regions' },
      },
    },
    {
      release: '6.12.117',
      change: '[arm64] mm: fix accidental linear mapping of no-map reserved memory',
      arm64: { mapMemRoundsInward: true },
    },
  ],
};
