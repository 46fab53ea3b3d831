// A kernel profile is the resolved configuration of one kernel build, the way a `.config` is what
// Kconfig makes of its defaults: the version layer (../versions/: what the series' code does), the
// arch layer (../arch/*/layer.ts: what the arch fixes and how its numbers follow from the config)
// and the build's own facts (this folder: the Debian config values, and what was measured from the
// lab's boots of that build). define.ts composes them; nothing here is stored twice.
import type { ParamSupport } from '../cmdline.js';
import type { KernelProfileBase } from '../context.js';
import type { LabCheck } from './define.js';
import type { KernelSeries } from '../versions/types.js';
import type { ReservedMemConfig } from '../handlers/index.js';
import type { Diagnostic } from '../../diagnostics.js';

/** A `memblock=debug` caller as `%pS` prints it, without the offset. */
export type Caller = string;

/**
 * The build's config values the model uses (Debian's boot/config-* of the package). Those the
 * arch layer gives Debian's value for (CMA size, NUMA, ...) are optional here.
 */
/** 6.1 create_idmap's mappings, offsets from `_text` (System.map): the idmap text, the KPTI flag. */
export interface Arm64Idmap {
  text: [bigint, bigint];
  /** __idmap_kpti_flag, mapped too with CONFIG_UNMAP_KERNEL_AT_EL0. */
  kptiFlag?: bigint;
  /**
   * With VA_BITS < 48: 1 << VA_BITS_MIN. An image whose physical `_end` lies at or above it needs
   * more bits than the kernel's VA (idmap_t0sz < 64 - VA_BITS_MIN): a table for an extra level.
   */
  extraLevelAt?: bigint;
}

export interface BuildConfig {
  /** PAGE_SIZE: CONFIG_ARM64_{4K,16K,64K}_PAGES; 4 KiB on arm. */
  pageSize: number;
  /** CONFIG_ARCH_FORCE_MAX_ORDER (its meaning is the series': KernelSeries.maxOrder). */
  forceMaxOrder: number;
  /** CONFIG_CMA_AREAS */
  cmaAreas: number;
  /** CONFIG_CMA_SIZE_MBYTES: the default CMA area when `cma=` is absent. */
  cmaSizeMBytes?: number;
  /** CONFIG_CMA_ALIGNMENT */
  cmaAlignment?: number;
  /** CONFIG_NUMA and CONFIG_NODES_SHIFT. */
  numa?: boolean;
  nodesShift?: number;
  /** CONFIG_HUGETLB_PAGE (or 6.12's CONFIG_TRANSPARENT_HUGEPAGE): pageblocks are PMD-sized. */
  hugetlbPage?: boolean;
  /** CONFIG_NR_CPUS: the most possible CPUs (absent when the build's config excerpt does not have it). */
  nrCpus?: number;
  /**
   * CONFIG_DMA_NUMA_CMA with CONFIG_CMA_SIZE_PERNUMA (kernel/dma/contiguous.c, 6.7+): with more
   * than one online node, dma_numa_cma_reserve gives each node a CMA area the default one's size.
   */
  cmaSizePernuma?: boolean;
  /**
   * CONFIG_DMA_PERNUMA_CMA (5.10, 6.1) or CONFIG_DMA_NUMA_CMA (6.5+), with DMA_CMA: `cma_pernuma=`
   * (and 6.5+'s `numa_cma=`) reserve a CMA area per node (the series' cma.numaCma says how).
   */
  dmaNumaCma?: boolean;
  /** CONFIG_NUMA_EMU (mm/numa_emulation.c): `numa=fake=` splits memory into emulated nodes. */
  numaEmu?: boolean;
  /** CONFIG_EFI (arm64's asm/memory.h sizes memblock's static arrays by it). */
  efi?: boolean;
  /** CONFIG_ARM_GIC_V3_ITS (with EFI: room in memblock.reserved for each CPU's LPI tables). */
  gicV3Its?: boolean;
  /**
   * CONFIG_STACKPROTECTOR: a function whose stack canary was overwritten panics on return
   * (kernel/panic.c __stack_chk_fail). A stored excerpt made before the reader read it lacks the line.
   */
  stackProtector?: boolean;
  /**
   * The printk ring buffer (kernel/printk/printk.c), absent without CONFIG_PRINTK:
   * CONFIG_LOG_BUF_SHIFT (the static buffer, 1 << it bytes), CONFIG_LOG_CPU_MAX_BUF_SHIFT (SMP
   * builds: what each possible CPU past the first adds, log_buf_add_cpu) and
   * CONFIG_PRINTK_EXECUTION_CTX (7.2: struct printk_info grows a caller_id2 and a comm[16]).
   */
  printk?: { logBufShift: number; cpuMaxBufShift?: number; executionCtx: boolean };
  /**
   * CONFIG_UBSAN_BOUNDS: an array index past a fixed-size array's end is reported (lib/ubsan.c,
   * once per source location: a call trace whose offsets only the build's code holds) and the access
   * goes ahead. A stored excerpt made before the reader read it lacks the line.
   */
  ubsanBounds?: boolean;
  /**
   * CONFIG_PREEMPT_RT: spinlock_t is an rt_mutex (include/linux/spinlock_types.h: struct
   * rt_mutex_base — a raw_spinlock_t, an rb_root_cached and the owner), which grows the structures
   * holding one (swiotlb's io_tlb_area; pg_data_t is measured).
   */
  preemptRt?: boolean;
  /**
   * No crash kernel reservation built in (neither CONFIG_CRASH_RESERVE, 6.9+, nor CONFIG_KEXEC_CORE,
   * older): the arch's reserve_crashkernel is an empty inline, crashkernel= is not parsed at all.
   */
  noCrashReserve?: boolean;
  /** CONFIG_OF_DYNAMIC: struct property has its `unsigned long _flags` (include/linux/of.h). */
  ofDynamic?: boolean;
}

/**
 * One early allocation of start_kernel after setup_arch (setup_per_cpu_areas and friends), in
 * order. `free` releases an earlier step's block (by index in the list), optionally only the tail
 * of `size` bytes at the end of each `unit`-sized piece of it (`at: 'unit-ends'`). `goal`: the
 * allocation's min_addr (pcpu_fc_alloc's __pa(MAX_DMA_ADDRESS)) as an offset from where the linear
 * map starts in physical memory (arm64: memstart_addr; arm: PHYS_OFFSET); without it, 0.
 * `perCpu`: `size` is one possible CPU's (`possible`: a unit each; one allocation per group of CPUs
 * on one NUMA node, on that node when `nid` is given), one entry of nr_cpu_ids (`nr_cpu_ids`) or
 * one group's (`groups`).
 */
export type LateAlloc =
  | { op: 'alloc'; size: bigint; align: bigint; nid?: number; goal?: bigint; perCpu?: 'possible' | 'nr_cpu_ids' | 'groups'; caller: Caller }
  | { op: 'free'; of: number; at?: 'unit-ends'; unit?: bigint; size?: bigint; caller: Caller };

/**
 * arm64 boot layout, resolved: what setup_arch/arm64_memblock_init/paging_init/bootmem_init
 * allocate, as constants or inputs to formulas of the boot model (arch/arm64/mm/{init,mmu}.c,
 * mm/sparse.c, ...). arch/arm64/layer.ts fills it.
 */
export interface Arm64Layout {
  /** The series' ZONE_DMA rule (Arm64Series.dmaZone). */
  dmaZone: 'bits' | 'limit';
  /** Which of ZONE_DMA and ZONE_DMA32 the build has (Arm64Config.zoneDma, zoneDma32). */
  zones: { dma: boolean; dma32: boolean };
  /** vabits_actual: CONFIG_ARM64_VA_BITS, or VA_BITS_MIN in `vaBitsMin`'s layout. */
  vaBits: number;
  /**
   * A 52-bit build on a CPU without the feature its VA size needs (FEAT_LPA2 with 4K and 16K
   * pages, FEAT_LVA with 64K; src/platform/cpu.ts), or with `arm64.nolva`: the layout with
   * vabits_actual = VA_BITS_MIN (arch/arm64/kernel/pi/map_kernel.c early_map_kernel). Absent
   * when the build's VA size needs no feature.
   */
  vaBitsMin?: { needs: 'lpa2' | 'lva'; layout: Arm64Layout };
  /**
   * _PAGE_OFFSET(vabits_actual): the linear map's virtual base (for fault messages). A 52-bit build
   * running with fewer bits moves memstart_addr down by _PAGE_OFFSET(vabits_actual) -
   * _PAGE_OFFSET(52) instead (arm64_memblock_init), which comes to the same addresses.
   */
  pageOffset: bigint;
  /**
   * arm64_memblock_init's `memstart_addr -= _PAGE_OFFSET(vabits_actual) - _PAGE_OFFSET(52)` for a
   * 52-bit build running with fewer bits (`vaBitsMin`'s layout), else 0.
   */
  memstartDown: bigint;
  /** PHYS_MASK_SHIFT: CONFIG_ARM64_PA_BITS, or 48 with ARM64_LPA2 not enabled; memory above 1 << this is removed. */
  physMaskShift: number;
  /**
   * linear_region_size = PAGE_END - _PAGE_OFFSET(vabits_actual). Seen as the second memblock_remove
   * of arm64_memblock_init.
   */
  linearRegionSize: bigint;
  /** ARM64_MEMSTART_ALIGN */
  memstartAlign: bigint;
  /** Offset of `_text` from the start of RAM where the boot loader put the Image (QEMU: 2 MiB). */
  textOffset: bigint;
  /** Where arm64_memblock_init's kernel reservation starts, from `_text` (Arm64Series). */
  reserveStartOffset: bigint;
  /** Size of that reservation (`_end - _text` or `_end - _stext`). */
  reserveSize: bigint;
  /** `__init_begin - _text`: the linear alias [_text, __init_begin) is mapped with blocks. */
  initBeginOffset: bigint;
  /** `__init_end - _text` (System.map): the init sections end here, .data starts. */
  initEndOffset: bigint;
  /** Page-table model of paging_init. */
  pgtable: {
    /** Shifts of the table levels below the root that are not PTE tables, lowest first: PMD, PUD, (P4D). */
    levelShifts: number[];
    /** The linear map is mapped at page granularity (rodata=full / can_set_direct_map()). */
    pageGranular: boolean;
    /** CONT_PTE_SHIFT and CONT_PMD_SHIFT: the ranges PTE_CONT marks, as address shifts (Arm64Config.contPteShift). */
    contShifts: { pte: number; pmd: number };
    /** The kernel's linear alias may use block mappings (NO_CONT_MAPPINGS only, up to 6.12), or is page-granular like the rest (7.2). */
    aliasBlocks: boolean;
    /** Tables allocated by paging_init beyond the linear map's own (map_kernel, idmap ...). */
    extraBefore: number;
    /** 6.1: `init_pg_dir` freed after map_mem, then idmap tables allocated. */
    initPgDirFree?: { offsetFromText: bigint; size: bigint };
    /** 5.10/6.1 map_kernel: the image's segments (virtual), mapped with tables of their own before map_mem. */
    kernelSegments?: [bigint, bigint][];
    /** 6.1 create_idmap after map_mem (Arm64Series.createIdmap): what it maps, as offsets from `_text`. */
    idmap?: Arm64Idmap;
    caller: Caller;
  };
  /** unflatten_device_tree: sizeof(struct device_node), sizeof(struct property) with this build's config, their alignment. */
  unflatten: { deviceNodeSize: number; propertySize: number; align: number };
  /** NUMA dummy node: pg_data_t size (NODE_DATA) and the series' Arm64Series.numa. */
  numa: {
    nodeDataSize: bigint;
    distanceAlloc: KernelSeries['arm64']['numa']['distanceAlloc'];
    /**
     * CONFIG_CPUMASK_OFFSTACK: each node's cpumask from memblock, of NR_CPUS bits (`nrCpus`) or of
     * nr_cpu_ids (NR_CPUS lowered by nr_cpus=): Arm64Series.numa.cpumaskBits. Absent: in the image.
     */
    cpumask?: { bits: 'nr-cpus' | 'nr-cpu-ids'; nrCpus: number };
    reservedNid: boolean;
    nodeDataMessage: string;
  };
  /** mm/sparse.c with SPARSEMEM_VMEMMAP. */
  sparse: {
    sectionSizeBits: number;
    /** sizeof(struct mem_section *) * NR_SECTION_ROOTS */
    memSectionRootsBytes: bigint;
    /** bytes of one root array (SECTIONS_PER_ROOT * sizeof(struct mem_section)) and sections per root. */
    rootBytes: bigint;
    sectionsPerRoot: number;
    /** usemap bytes per present section (mem_section_usage_size()). */
    usemapBytesPerSection: bigint;
    /** sizeof(struct page) */
    structPageSize: bigint;
    /** PMD_SIZE: the memmap buffer's alignment. */
    pmdSize: bigint;
    /**
     * VMEMMAP_START and FIXADDR_TOP (u64): struct page of pfn N is at vmemmapStart + (N - memstart_addr's
     * pfn) * structPageSize (in `vaBitsMin`'s layout VMEMMAP_START plus the struct pages of the
     * pages memstart_addr moved down by).
     */
    vmemmapStart: bigint;
    fixaddrTop: bigint;
    /**
     * The page tables vmemmap_populate may allocate, root's children first, each level given by the
     * shift of the entry one such table hangs from (one table per distinct `va >> shift`): down to
     * the PMD tables with 4 KiB pages (PMD blocks), to the PTE tables otherwise.
     */
    vmemmapTableShifts: number[];
    /** CONFIG_DEFERRED_STRUCT_PAGE_INIT: the last zone's struct pages past its first section wait for page_alloc_init_late. */
    deferredStructPageInit: boolean;
    /** Arm64Config.memoryHotremove: the usemap is allocated in NODE_DATA's section first ('buffer' series). */
    usemapNearPgdat: boolean;
    /** Arm64Config.sparsememVmemmap: else classic SPARSEMEM, a memmap array per section. */
    vmemmap: boolean;
  };
  /** setup_per_cpu_areas (mm/percpu.c pcpu_embed_first_chunk) and neighbours, before parse_args. */
  lateAllocs: LateAlloc[];
}

/** arm (32-bit) boot layout, resolved: arch/arm/kernel/setup.c, arch/arm/mm/{init,mmu}.c. */
export interface ArmLayout {
  /** Where the decompressed kernel is reserved (KERNEL_START) relative to RAM start, and its size. */
  kernelOffset: bigint;
  kernelSize: bigint;
  /** _etext - _stext: how much of it, from its start, is kernel text. */
  textSize: bigint;
  /** swapper_pg_dir reservation (arm_mm_memblock_reserve), relative to RAM start. */
  pgdirOffset: bigint;
  pgdirSize: bigint;
  /** PAGE_OFFSET (CONFIG_PAGE_OFFSET) and the vmalloc reserve that bounds lowmem. */
  pageOffset: bigint;
  /** CONFIG_HIGHMEM: memory above lowmem is ZONE_HIGHMEM; without it adjust_lowmem_bounds removes it. */
  highmem: boolean;
  /** CONFIG_ZONE_DMA: lowmem is ZONE_DMA (zone 0) up to arm_dma_limit; without it ZONE_NORMAL. */
  zoneDma: boolean;
  /** ArmConfig.pageExt: page_ext_init_flatmem allocates one struct page_ext per page. */
  pageExt: boolean;
  /** VMALLOC_END (arch/arm/include/asm/pgtable.h) and the default vmalloc size. */
  vmallocEnd: bigint;
  vmallocDefault: bigint;
  /** arm_dma_limit on `virt` (no ZONE_DMA restriction: 0xffffffff). */
  dmaLimit: bigint;
  /**
   * paging_init (arch/arm/mm/mmu.c): SECTION_SIZE for map_lowmem's PTE-table decisions;
   * sizeof/alignof(struct static_vm) for iotable_init; whether devicemaps_init's pci_reserve_io
   * reserves a static_vm (vm_reserve_area_early) before kmap_init's tables, and whether the zero
   * page is an early_alloc of its own (arch/arm/mm/mmu.c paging_init).
   */
  pagingInit: { sectionSize: bigint; staticVmSize: bigint; staticVmAlign: bigint; pciReserveIo: boolean; zeroPageEarlyAlloc: boolean };
  /** setup_per_cpu_areas (mm/percpu.c generic: pcpu_embed_first_chunk), before parse_args. */
  lateAllocs: LateAlloc[];
  /** The series' ArmSeries.cmaRemap. */
  cmaRemap: 'cma-areas' | 'static-reg' | 'cma-verified';
  /** sizeof(struct page): FLATMEM's mem_map is one array of them (alloc_node_mem_map). */
  structPageSize: bigint;
  /** unflatten_device_tree: sizeof(struct device_node), sizeof(struct property) with this build's config, their alignment. */
  unflatten: { deviceNodeSize: number; propertySize: number; align: number };
}

export interface KernelProfile extends KernelProfileBase {
  /** The version layer this build runs (`version` is its name). */
  series: KernelSeries;
  /** Debian package this data describes. */
  debianPackage: string;
  /** PAGE_SHIFT = log2(PAGE_SIZE). */
  pageShift: number;
  /** CONFIG_ARCH_FORCE_MAX_ORDER (MAX_ORDER on 6.1, MAX_PAGE_ORDER on 6.12: see series.maxOrder). */
  maxOrder: number;
  /** include/linux/pageblock-flags.h with this config. */
  pageblockOrder: number;
  /** CONFIG_CMA_ALIGNMENT */
  cmaAlignment: number;
  /** SMP_CACHE_BYTES = L1_CACHE_BYTES */
  smpCacheBytes: number;
  /** THREAD_SIZE: bytes of a task's kernel stack (fork_init's max_threads counts them). */
  threadSize: number;
  /** CONFIG_NUMA and MAX_NUMNODES (1 << CONFIG_NODES_SHIFT). */
  numa: boolean;
  maxNumNodes: number;
  /** CONFIG_NR_CPUS (undefined: the build's files do not say; the /cpus nodes are then not capped). */
  nrCpus?: number;
  /** BuildConfig.cmaSizePernuma. */
  cmaSizePernuma?: boolean;
  /** BuildConfig.dmaNumaCma. */
  dmaNumaCma?: boolean;
  /** BuildConfig.numaEmu. */
  numaEmu?: boolean;
  /** BuildConfig.stackProtector. */
  stackProtector?: boolean;
  /** BuildConfig.ubsanBounds. */
  ubsanBounds?: boolean;
  /** BuildConfig.printk. */
  printk?: { logBufShift: number; cpuMaxBufShift?: number; executionCtx: boolean };
  /** BuildConfig.preemptRt. */
  preemptRt?: boolean;
  /** BuildConfig.noCrashReserve. */
  noCrashReserve?: boolean;
  /**
   * mm/memblock.c's static arrays, before memblock_double_array: INIT_MEMBLOCK_REGIONS (128) each,
   * which arm64's asm/memory.h raises: memory to 128 * 8 with CONFIG_EFI (6.1+), reserved to
   * 128 + NR_CPUS + 1 with CONFIG_EFI and CONFIG_ARM_GIC_V3_ITS. Absent: 128 both.
   */
  memblockInitRegions?: { memory: number; reserved: number };
  params: ParamSupport;
  arm64?: Arm64Layout;
  arm?: ArmLayout;
  /** Which RESERVEDMEM_OF_DECLARE entries are built in (absent: Debian's, handlers/index.ts). */
  reservedMemConfig?: ReservedMemConfig;
  /** Where each number came from: sources, config, and the lab records measured. */
  provenance: string;
  /** The lab checks its measurements are verified on (BuildFacts.verifiedOn; all for fitted builds). */
  labChecks: readonly LabCheck[];
  /** What building the profile from a .config and System.map said (../build/): every plan repeats it. */
  buildDiagnostics?: Diagnostic[];
  /** sha256 of the .config and System.map it was built from (../build/store.ts buildFilesSha256), when read from whole files. */
  filesSha256?: string;
}
