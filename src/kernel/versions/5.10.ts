// Linux 5.10 (Debian bullseye's linux-image-5.10.0-*): where its code differs from other series.
// Each value cites the 5.10 source that decides it.
import type { KernelSeries } from './types.js';
import paramNames from './params/5.10.json' with { type: 'json' };

export const linux510: KernelSeries = {
  name: '5.10',
  maxOrder: 'count', // include/linux/mmzone.h MAX_ORDER = CONFIG_FORCE_MAX_ORDER (a count)
  // mm/cma.c, kernel/dma/contiguous.c rmem_cma_setup, drivers/of/of_reserved_mem.c: PAGE_SIZE << max(MAX_ORDER - 1, pageblock_order)
  cmaAlignmentOrder: (pageblockOrder, largestOrder) => Math.max(largestOrder, pageblockOrder),
  maxCmaAreas: (configCmaAreas) => 1 + configCmaAreas, // include/linux/cma.h
  params: {
    swiotlbAreas: false, // kernel/dma/swiotlb.c setup_io_tlb_npages: [nslabs][,force|noforce]
    hashdist: 'strtoul', // set_hashdist (simple_strtoul), mm/page_alloc.c
    numaFake: false, // arch/arm64/mm/numa.c numa_parse_early_param reads off only
    reserveMem: false, // reserve_mem= came with 6.12
    reserveMemErrors: false,
    crashkernelRamCheck: false, // kernel/crash_core.c parse_crashkernel leaves a too-big size to the allocation
  },
  printUnknownBootoptions: false, // init/main.c has no print_unknown_bootoptions
  rootwaitWithoutRoot: 'forever', // init/do_mounts.c prepare_namespace
  // init/main.c unknown_bootoption has no sysctl_is_alias (6.0): the aliases go to init like any word
  paramNames: { ...paramNames, sysctlAliases: [] },
  ofCpuNodeSkipsFail: false, // drivers/of/base.c of_get_next_cpu_node: no status check
  percpuConfig: {}, // include/linux/percpu.h: fixed PERCPU_DYNAMIC_RESERVE and PERCPU_MODULE_RESERVE
  initramfsAsync: false, // init/initramfs.c populate_rootfs
  printkUsageStats: false,
  pageAlloc: {
    nrKernelPages: 'zone-present',
    memoryLine: 'mem-init',
    freeCheck: 'pcp-drain',
    freeResetsPageType: false,
    throttleEmptyZone: 'never',
    integrityBufPool: 'none', // block/bio-integrity.c bio_integrity_init: a kmem_cache, no page pool
    initOnAllocFn: 'kernel_init_free_pages', // mm/page_alloc.c post_alloc_hook
  }, // mm/page_alloc.c free_area_init_core; init/main.c mm_init; mm/page_alloc.c free_pcp_prepare / bulkfree_pcp_prepare; mm/vmscan.c zone_reclaimable_pages, allow_direct_reclaim
  maxThreadsFrom: 'totalram', // kernel/fork.c set_max_threads: totalram_pages()
  // mm/memblock.c: memblock_merge_regions walks the whole array; memblock_add_range always counts
  // before inserting (no first-pass room test); memblock_double_array fails before memblock_allow_resize
  memblock: {
    mergeWholeArray: true,
    addRangeRoomCheck: 'none', // memblock_add_range: `bool insert = false;`, then `repeat:`
    resizeBeforeAllowed: 'fail',
    reserve: 'plain', // memblock_reserve: memblock_add_range(&memblock.reserved, base, size, MAX_NUMNODES, 0)
    physAllocRangeTraced: false, // memblock_phys_alloc_range calls memblock_alloc_range_nid without a memblock_dbg
    physFree: 'memblock_free', // memblock_free(phys_addr_t base, phys_addr_t size) prints its own __func__
    allocOrPanic: false,
    flagsWarn: { line: 621, exemptNone: false }, // mm/memblock.c memblock_add_range: WARN_ON(flags != rgn->flags)
  },
  rmem: {
    scheme: 'after-sort', // drivers/of/of_reserved_mem.c fdt_init_reserved_mem
    sort: 'heapsort', // lib/sort.c (the same as 6.1's)
    cmpNodeOffset: false,
    memreserveBeforeScan: true, // drivers/of/fdt.c early_init_fdt_scan_reserved_mem
    allocInRangeDirection: false,
    summaryLine: false,
    maxReservedRegions: 64,
    scanPrefix: 'OF: fdt: ', // the scan and __reserved_mem_reserve_reg are in drivers/of/fdt.c
    callers: { reserve: '__fdt_scan_reserved_mem', alloc: 'early_init_dt_alloc_reserved_memory_arch' },
    elfcorehdrBeforeScan: false, // arm64's reserve_elfcorehdr runs after the scan
    allocation: 'find-in-range', // early_init_dt_alloc_reserved_memory_arch: memblock_find_in_range + memblock_reserve/remove
    failureLevel: 'info', // pr_info("... failed to reserve memory ...") / pr_info("failed to allocate memory for node '%s'\n")
    allocFailedSize: false,
    nomapBusyNeedsMemory: false, // early_init_dt_reserve_memory_arch: memblock_is_region_reserved only
    regFormat: 'cells',
    tableCalls: 'setup',
    regionLimit: 'total',
    dynamicNodes: 'none',
  },
  // mm/cma.c cma_declare_contiguous_nid: no node in the lines, highmem first, no bottom-up try above 4G
  cma: {
    allocFailedNamesArea: false, // mm/cma.c cma_alloc
    contigSkippedBlock: 'busy', // mm/page_alloc.c __alloc_contig_migrate_range: pfn = isolate_migratepages_range()
    reservedOnNode: false,
    highmemFirst: true,
    above4gBottomUp: 'none',
    reportedSize: 'aligned',
    failureLine: 'after-sizing',
    fixedBoundaryCheck: 'before-limit',
    cmdlineLimit: 'min-not-zero',
    numaCma: 'pernuma-bootmem', // kernel/dma/contiguous.c
  },
  arm64: {
    mapMemRoundsInward: false,
    efiMemoryRegions: false, // arch/arm64/include/asm/memory.h INIT_MEMBLOCK_MEMORY_REGIONS
    crashkernel: 'arm64-find-in-range', // arch/arm64/mm/init.c reserve_crashkernel
    crashkernelDeferredByZones: true,
    linearAliasBlocks: true,
    linearMapFitWarning: false,
    sparseInit: 'bootmem-init',
    sparseMemmap: 'buffer',
    vmemmapBasePagesFallback: false,
    vmemmapLayout: 'below-pci-io', // arch/arm64/include/asm/memory.h VMEMMAP_START, FIXADDR_TOP
    sectionSizeBits: () => 30,
    // nokaslr is read from the DT's bootargs by arch/arm64/kernel/kaslr.c only: init/main.c sees it as unknown
    earlyParams: [],
    kaslrLinearMap: 'memory-span', // arch/arm64/mm/init.c arm64_memblock_init: range = linear_region_size - the RAM's span
    smpInitCpusNosmp: false,
    dmaZone: 'bits', // zone_sizes_init: zone_dma_bits = min3(32, fls64(dt), fls64(acpi))
    reserveStartOffset: 0n, // arm64_memblock_init: memblock_reserve(__pa_symbol(_text), _end - _text)
    freesInitPgDir: true,
    sparsememVmemmap: 'config', // arch/arm64/Kconfig
    mapKernel: { textFrom: '_text' }, // arch/arm64/mm/mmu.c map_kernel
    rodataFullAlways: false,
    nolva: false,
    initrdReAdd: 'remove-add', // memblock_remove + memblock_add (arch/arm64/mm/init.c)
    // paging_init: map_kernel, map_mem, then memblock_free(init_pg_dir) — no create_idmap after it (6.1+)
    // map_kernel's tables are counted from the build's segments (mapKernel); the 1 is the linear
    // map's first table under the root (countLinearMapTables)
    pgtable: { extraBefore: 1 },
    unflatten: { deviceNodeSize: 168, propertySize: 88 }, // fitted on data/lab/5.10-arm64.jsonl.gz
    swiotlb: 'swiotlb-init', // arch/arm64/mm/init.c mem_init
    numa: {
      core: 'arm64-numa',
      distanceAlloc: 'find-in-range',
      cpumaskBits: 'nr-cpu-ids',
      reservedNid: false,
      nodeDataMessage: 'NUMA: NODE_DATA',
    },
    pcpuFreeCallers: { unitTail: 'pcpu_fc_free', allocInfo: 'pcpu_free_alloc_info', areas: 'pcpu_embed_first_chunk' },
  },
  arm: {
    cmaRemap: 'cma-areas', // rmem_cma_setup and dma_contiguous_reserve_area call dma_contiguous_early_fixup
    reserveCallers: { initrd: 'arm_memblock_init', pgdir: 'arm_mm_memblock_reserve', pgdirLpae: 'arm_mm_memblock_reserve' },
    pcpuEmbed: 'callbacks',
    memmapAlloc: 'memblock_alloc_try_nid',
    faultSaysAccess: false,
    cmaActivate: 'per-pageblock', // mm/cma.c cma_activate_area
    pfnValid: 'map-memory', // arch/arm/mm/init.c
    freeAreaInit: 'bootmem_init',
    zeroPageEarlyAlloc: true,
    mapLowmemKernelCases: false,
    pageblockBits: 4,
    unflatten: { deviceNodeSize: 88, propertySize: 44 }, // ArmSeries.unflatten: measured
  },
};
