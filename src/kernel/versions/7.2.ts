// Linux 7.2 (Debian sid's linux-binary-7.2.*): where its code differs from other series. Each
// value cites the 7.2 source that decides it.
import type { KernelSeries } from './types.js';
import paramNames from './params/7.2.json' with { type: 'json' };

export const linux72: KernelSeries = {
  name: '7.2',
  maxOrder: 'largest', // include/linux/mmzone.h MAX_PAGE_ORDER
  cmaAlignmentOrder: (pageblockOrder) => pageblockOrder, // include/linux/cma.h CMA_MIN_ALIGNMENT_PAGES
  maxCmaAreas: (configCmaAreas) => configCmaAreas, // include/linux/cma.h
  params: {
    swiotlbAreas: true, // kernel/dma/swiotlb.c setup_io_tlb_npages: [nslabs][,nareas][,force|noforce]
    hashdist: 'kstrtobool', // set_hashdist (kstrtobool), mm/mm_init.c
    numaFake: true, // drivers/base/arch_numa.c numa_parse_early_param: fake= to numa_emu_cmdline
    reserveMem: true, // mm/memblock.c __setup("reserve_mem=", ...)
    reserveMemErrors: true, // mm/memblock.c reserve_mem: pr_err before each -EBUSY/-EINVAL/-ENOMEM
    crashkernelRamCheck: true, // kernel/crash_reserve.c parse_crashkernel refuses a size >= system RAM
  },
  printUnknownBootoptions: true,
  rootwaitWithoutRoot: 'gives-up', // init/do_mounts.c prepare_namespace
  paramNames, // init/main.c unknown_bootoption: sysctl_is_alias, then obsolete_checksetup
  ofCpuNodeSkipsFail: true, // drivers/of/base.c of_get_next_cpu_node: __of_device_is_fail
  percpuConfig: { dynamicSizeShift: 'KMALLOC_PARTITION_CACHES' }, // include/linux/percpu.h: PERCPU_MODULE_RESERVE is 8 << 10 again
  initramfsAsync: true, // init/initramfs.c populate_rootfs
  printkUsageStats: true,
  pageAlloc: {
    nrKernelPages: 'free-ranges',
    memoryLine: 'page-alloc-init-late',
    freeCheck: 'at-free',
    freeResetsPageType: true,
    throttleEmptyZone: 'without-free-pages',
    integrityBufPool: { elements: 2, bytes: 2n << 20n }, // block/bio-integrity.c bio_integrity_initfn: BIO_POOL_SIZE blocks of get_order(BLK_INTEGRITY_MAX_SIZE)
    initOnAllocFn: 'clear_highpages_kasan_tagged', // mm/page_alloc.c post_alloc_hook
  }, // mm/mm_init.c calc_nr_kernel_pages, page_alloc_init_late; mm/page_alloc.c __free_pages_prepare, is_check_pages_enabled; mm/vmscan.c zone_reclaimable_pages, allow_direct_reclaim
  maxThreadsFrom: 'memblock-estimate-kern', // kernel/fork.c set_max_threads: memblock_estimated_nr_free_pages(), mm/memblock.c memblock_reserved_kern_size
  memblock: {
    mergeWholeArray: false,
    addRangeRoomCheck: 'le',
    resizeBeforeAllowed: 'panic',
    // mm/memblock.c __memblock_reserve(base, size, nid, flags); include/linux/memblock.h
    // memblock_reserve / memblock_reserve_kern; memblock_alloc_range_nid reserves MEMBLOCK_RSRV_KERN on nid
    reserve: 'kern',
    physAllocRangeTraced: true,
    physFree: 'memblock_phys_free',
    allocOrPanic: true, // mm/memblock.c __memblock_alloc_or_panic; include/linux/memblock.h memblock_alloc_or_panic
    flagsWarn: { line: 671, exemptNone: true }, // mm/memblock.c memblock_add_range: WARN_ON(flags != MEMBLOCK_NONE && flags != rgn->flags)
  },
  rmem: {
    scheme: 'on-save', // drivers/of/of_reserved_mem.c: dynamic regions initialised in fdt_scan_reserved_mem
    sort: 'heapsort-double-pop', // lib/sort.c
    cmpNodeOffset: false, // __rmem_cmp: base, then size, no fdt_node
    memreserveBeforeScan: false, // drivers/of/fdt.c early_init_fdt_scan_reserved_mem: elfcorehdr, scan, /memreserve/
    allocInRangeDirection: true, // __reserved_mem_alloc_in_range
    summaryLine: true, // fdt_init_reserved_mem_node
    maxReservedRegions: 64,
    scanPrefix: 'OF: reserved mem: ',
    callers: { reserve: 'fdt_scan_reserved_mem', alloc: 'fdt_scan_reserved_mem' },
    reservedMemArray: { caller: 'fdt_scan_reserved_mem_late', pointers: 3, unscanned: 'none' },
    elfcorehdrBeforeScan: true,
    allocation: 'phys-alloc-range',
    failureLevel: 'err',
    allocFailedSize: true,
    nomapBusyNeedsMemory: true,
    regFormat: 'entries', // of_flat_dt_get_addr_size_prop / of_flat_dt_read_addr_size
    tableCalls: 'ops', // struct reserved_mem_ops: node_validate, node_fixup, node_init
    regionLimit: 'dynamic', // dynamic_nodes[MAX_RESERVED_REGIONS]; alloc_reserved_mem_array
    dynamicNodes: 'checked',
  },
  // mm/cma.c: cma_declare_contiguous_nid prints the size asked for and no node; cma_alloc_mem tries
  // bottom-up above 4G when the limit allows, then highmem; cma_fixed_reserve checks the boundary
  cma: {
    allocFailedNamesArea: true, // mm/cma.c cma_alloc
    contigSkippedBlock: 'spins', // mm/page_alloc.c __alloc_contig_migrate_range: pfn = cc->migrate_pfn
    reservedOnNode: false,
    highmemFirst: false,
    above4gBottomUp: 'limit',
    reportedSize: 'requested',
    failureLine: 'every-error', // mm/cma.c cma_declare_contiguous_nid
    fixedBoundaryCheck: 'highmem-after-limit',
    cmdlineLimit: 'cmdline-first',
    numaCma: 'after-default', // kernel/dma/contiguous.c
  },
  arm64: {
    mapMemRoundsInward: false,
    efiMemoryRegions: true, // arch/arm64/include/asm/memory.h INIT_MEMBLOCK_MEMORY_REGIONS
    crashkernel: 'generic',
    crashkernelDeferredByZones: false,
    linearAliasBlocks: false,
    linearMapFitWarning: true,
    sparseInit: 'free-area-init',
    sparseMemmap: 'memmap-alloc', // mm/sparse.c sparse_usage_init; mm/sparse-vmemmap.c __earlyonly_bootmem_alloc → memmap_alloc
    vmemmapBasePagesFallback: true,
    vmemmapLayout: 'below-1g', // arch/arm64/include/asm/memory.h VMEMMAP_START, FIXADDR_TOP
    sectionSizeBits: (pageSize) => (pageSize === 65536 ? 29 : 27),
    earlyParams: ['nokaslr'],
    kaslrLinearMap: 'none', // arch/arm64/mm/init.c: memstart_offset_seed is gone
    smpInitCpusNosmp: true, // arch/arm64/kernel/smp.c smp_init_cpus: if (!setup_max_cpus) return;
    dmaZone: 'limit',
    reserveStartOffset: 0n, // memblock_reserve(__pa_symbol(_text), _end - _text)
    freesInitPgDir: false,
    sparsememVmemmap: 'selected', // arch/arm64/Kconfig
    rodataFullAlways: true,
    nolva: true,
    initrdReAdd: 'add-clear-nomap',
    pgtable: { extraBefore: 1 },
    // struct property grew by 8 bytes (its embedded struct bin_attribute): unflatten_device_tree's
    // allocation is 8 bytes more per property than 6.12's on every recorded 7.2-arm64 boot
    unflatten: { deviceNodeSize: 208, propertySize: 104 }, // Debian's 7.2 arm64 builds set OF_DYNAMIC: 112
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
    cmaRemap: 'cma-verified', // rmem_cma_fixup (static and dynamic regions __rmem_cma_verify_node accepts) and the default area
    // arch/arm/mm/mmu.c arm_mm_memblock_reserve → include/linux/memblock.h memblock_reserve → __memblock_reserve
    reserveCallers: { initrd: 'reserve_initrd_mem', pgdir: 'arm_memblock_init', pgdirLpae: 'arm_mm_memblock_reserve' },
    pcpuEmbed: 'inlined',
    memmapAlloc: 'memblock_alloc_try_nid_raw',
    faultSaysAccess: true,
    cmaActivate: 'zone-spans', // mm/cma.c cma_activate_area
    pfnValid: 'pageblock-overlaps-memory', // arch/arm/mm/init.c
    freeAreaInit: 'mm_core_init_early',
    zeroPageEarlyAlloc: false,
    mapLowmemKernelCases: true,
    pageblockBits: 8,
    // ArmSeries.unflatten: measured (Debian's 7.2 armmp builds set OF_DYNAMIC: 56 with property's _flags)
    unflatten: { deviceNodeSize: 108, propertySize: 52 },
  },
};
