// The shape of a kernel profile: everything that differs between the kernels we model
// (version × arch × page size × Debian build) as plain data. Code reads these fields instead of
// testing versions. Values come from the kernel sources (cited per field) and from Debian's
// boot/config-* of the exact package; build-dependent sizes (image size, struct sizes, the percpu
// chunk) were measured from real boots' `memblock=debug` traces (data/lab, src/verify).
import type { KernelProfileBase } from '../context.js';

/** A `memblock=debug` caller as `%pS` prints it, without the offset. */
export type Caller = string;

/** Which boot-time command-line options the kernel knows, and how they behave. */
export interface ParamSupport {
  /** `reserve_mem=` (mm/memblock.c, 6.12 only; a `__setup`, so it runs after setup_arch). */
  reserveMem: boolean;
  /** crashkernel=…,high / ,low on this arch (arm64: 6.1 and 6.12; arm: no). */
  crashkernelHighLow: boolean;
  /** 6.12's parse_crashkernel refuses a size >= system RAM (kernel/crash_reserve.c); 6.1's does not. */
  crashkernelRamCheck: boolean;
  /** crashkernel reservation implementation: 6.12 `reserve_crashkernel_generic`, 6.1 arm64's own. */
  crashkernelImpl: 'generic' | 'arm64-6.1' | 'arm';
  /** Names of early_param()s built into this kernel that matter for memory layout. */
  earlyParams: string[];
}

/**
 * arm64 boot layout: what setup_arch/arm64_memblock_init/paging_init/bootmem_init allocate, as
 * constants or inputs to formulas in boot.ts (arch/arm64/mm/{init,mmu}.c, mm/sparse.c, ...).
 */
export interface Arm64Layout {
  /**
   * zone_sizes_init's ZONE_DMA limit (= arm64_dma_phys_limit, the default CMA area's and
   * crashkernel's low ceiling): 6.1 rounds the DT's dma-ranges limit to a bit count
   * (zone_dma_bits = min3(32, fls64(dt), fls64(acpi))), 6.12 keeps the address (zone_dma_limit).
   */
  dmaZone: 'bits' | 'limit';
  /** PAGE_OFFSET with the VA size we boot with: the linear map's virtual base (for fault messages). */
  pageOffset: bigint;
  /** PHYS_MASK_SHIFT (CONFIG_ARM64_PA_BITS): memory above 1 << this is removed. */
  physMaskShift: number;
  /**
   * linear_region_size = PAGE_END - _PAGE_OFFSET(vabits_actual) with the CPU we boot on (QEMU
   * `-cpu max` has LPA2/52-bit VA). Seen as the second memblock_remove of arm64_memblock_init.
   */
  linearRegionSize: bigint;
  /** ARM64_MEMSTART_ALIGN */
  memstartAlign: bigint;
  /** Offset of `_text` from the start of RAM where the boot loader put the Image (QEMU: 2 MiB). */
  textOffset: bigint;
  /** What arm64_memblock_init reserves for the kernel: from `_text` (6.12) or `_stext` (6.1). */
  reserveStartOffset: bigint;
  /** Size of that reservation (`_end - _text` or `_end - _stext`). */
  reserveSize: bigint;
  /** `__init_begin - _text`: the linear alias [_text, __init_begin) is mapped with blocks. */
  initBeginOffset: bigint;
  /** Page-table model of paging_init (see boot.ts `countLinearMapTables`). */
  pgtable: {
    /** Shifts of the table levels below the root, lowest first: PMD, PUD, (P4D). */
    levelShifts: number[];
    /** The linear map is mapped at page granularity (rodata=full / can_set_direct_map()). */
    pageGranular: boolean;
    /** Tables allocated by paging_init beyond the linear map's own (map_kernel, idmap ...). */
    extraBefore: number;
    /** 6.1: `init_pg_dir` freed after map_mem, then idmap tables allocated. */
    initPgDirFree?: { offsetFromText: bigint; size: bigint };
    extraAfter: number;
    caller: Caller;
  };
  /** unflatten_device_tree: sizeof(struct device_node), sizeof(struct property) on this build. */
  /**
   * unflatten_device_tree: sizeof(struct device_node), sizeof(struct property) on this build
   * (fitted over the lab's DTBs: 6.12 208/104, 6.1 208/96), and any constant extra (none needed).
   */
  unflatten: { deviceNodeSize: number; propertySize: number; align: number; extraBytes: number };
  /** NUMA dummy node: pg_data_t size (NODE_DATA), distance-table dance (6.1). */
  /**
   * NUMA dummy node: pg_data_t size (NODE_DATA), the distance-table dance (6.1), the cpumask
   * allocation (6.12), and whether the reserved regions existing then get the node id (6.12
   * mm/numa_memblks.c numa_clear_kernel_node_hotplug), which stops them merging with later ones.
   */
  numa: { nodeDataSize: bigint; distanceAlloc: boolean; cpumaskAlloc: boolean; reservedNid: boolean; nodeDataMessage: '6.1' | '6.12' };
  /** mm/sparse.c with SPARSEMEM_VMEMMAP. */
  sparse: {
    sectionSizeBits: number;
    /** sizeof(struct mem_section *) * NR_SECTION_ROOTS */
    memSectionRootsBytes: bigint;
    /** bytes of one root array (SECTIONS_PER_ROOT * sizeof(struct mem_section)) and sections per root. */
    rootBytes: bigint;
    sectionsPerRoot: number;
    /** usemap bytes per present section (usemap_size()). */
    usemapBytesPerSection: bigint;
    /** sizeof(struct page) */
    structPageSize: bigint;
    /** PMD_SIZE: the memmap buffer's alignment. */
    pmdSize: bigint;
    /** vmemmap page tables per 1 << vmemmapTableShift bytes of memmap (and a fixed count). */
    vmemmapTablesFixed: number;
    vmemmapTableShift: number;
  };
  /** setup_per_cpu_areas (mm/percpu.c pcpu_embed_first_chunk) and neighbours, before parse_args. */
  lateAllocs: LateAlloc[];
}

/**
 * One early allocation of start_kernel after setup_arch (setup_per_cpu_areas and friends), in
 * order. `free` releases an earlier step's block (by index in the list), optionally only its tail
 * from `at: 'end'` (size given). Sizes are this build's (static per-cpu size, bitmap sizes for one
 * CPU), measured from the lab's memblock=debug traces.
 */
export type LateAlloc =
  | { op: 'alloc'; size: bigint; align: bigint; nid?: number; fromMemstart?: boolean; caller: Caller }
  | { op: 'free'; of: number; at?: 'end'; size?: bigint; caller: Caller };

/** arm (32-bit) boot layout: arch/arm/kernel/setup.c, arch/arm/mm/{init,mmu}.c. */
export interface ArmLayout {
  /** Where the decompressed kernel is reserved (KERNEL_START) relative to RAM start, and its size. */
  kernelOffset: bigint;
  kernelSize: bigint;
  /** swapper_pg_dir reservation (arm_mm_memblock_reserve), relative to RAM start. */
  pgdirOffset: bigint;
  pgdirSize: bigint;
  /** PAGE_OFFSET (CONFIG_PAGE_OFFSET) and the vmalloc reserve that bounds lowmem. */
  pageOffset: bigint;
  /** VMALLOC_END (arch/arm/include/asm/pgtable.h: 0xff800000) and default vmalloc size (240 MiB). */
  vmallocEnd: bigint;
  vmallocDefault: bigint;
  /** arm_dma_limit on `virt` (no ZONE_DMA restriction: 0xffffffff). */
  dmaLimit: bigint;
  /**
   * paging_init (arch/arm/mm/mmu.c): SECTION_SIZE (1 MiB classic, 2 MiB LPAE) for map_lowmem's
   * PTE-table decisions; sizeof/alignof(struct static_vm) for iotable_init (measured: the
   * dma_contiguous_remap lines of the lab traces); then devicemaps_init/kmap_init/zero page
   * early_alloc()s in order (from the source: the memblock=debug console stops printing there).
   */
  pagingInit: { sectionSize: bigint; staticVmSize: bigint; staticVmAlign: bigint; laterEarlyAllocs: bigint[] };
  /**
   * Which CMA areas dma_contiguous_remap() re-maps: 6.1 calls dma_contiguous_early_fixup() from
   * rmem_cma_setup (every CMA region that initialised) and for the default area; 6.12 from
   * __reserved_mem_reserve_reg for each static reusable shared-dma-pool `reg` and the default area.
   */
  cmaRemap: 'cma-areas' | 'static-reg';
}

export interface KernelProfile extends KernelProfileBase {
  /** Debian package this data describes. */
  debianPackage: string;
  pageShift: number;
  /** CONFIG_ARCH_FORCE_MAX_ORDER. 6.1 calls it MAX_ORDER (orders 0..MAX_ORDER-1); 6.12 MAX_PAGE_ORDER (orders 0..MAX_PAGE_ORDER). */
  maxOrder: number;
  maxOrderMeaning: 'count' | 'largest';
  /** include/linux/pageblock-flags.h with this config. */
  pageblockOrder: number;
  /** CMA_MIN_ALIGNMENT_BYTES = PAGE_SIZE << pageblock_order (include/linux/cma.h). */
  cmaMinAlignmentBytes: bigint;
  /** MAX_CMA_AREAS: 6.1 = 1 + CONFIG_CMA_AREAS, 6.12 = CONFIG_CMA_AREAS. */
  maxCmaAreas: number;
  /** CONFIG_CMA_SIZE_MBYTES (default CMA when no `cma=`). */
  cmaSizeMBytes: number;
  /** CONFIG_CMA_ALIGNMENT */
  cmaAlignment: number;
  /** SMP_CACHE_BYTES = L1_CACHE_BYTES */
  smpCacheBytes: number;
  /** CONFIG_NUMA and MAX_NUMNODES (1 << CONFIG_NODES_SHIFT). */
  numa: boolean;
  maxNumNodes: number;
  /** INIT_MEMBLOCK_{MEMORY,RESERVED}_REGIONS */
  memblockInitRegions: number;
  /** MAX_RESERVED_REGIONS (drivers/of) */
  maxReservedRegions: number;
  params: ParamSupport;
  /** Message formats that differ. */
  messages: {
    /** mm/cma.c: 6.12 `cma: Reserved %lu MiB at %pa on node %d`, 6.1 without the node. */
    cmaReservedOnNode: boolean;
  };
  /** mm/cma.c cma_declare_contiguous_nid: 6.1 tries highmem before the above-4G bottom-up try, 6.12 after. */
  cmaHighmemFirst: boolean;
  /** The order of the boot steps (function names), for `explain`. */
  bootSteps: string[];
  arm64?: Arm64Layout;
  arm?: ArmLayout;
  /** Free text: where each number came from. */
  provenance: string;
}
