// The version layer: what one kernel series' code does where series differ. One file per series
// (6.1.ts, 6.12.ts) fills this shape; index.ts is the only place that picks one by name. Each
// subsystem of the model declares its own knobs next to its code (MemblockBehaviour in memblock.ts,
// RmemBehaviour in rmem.ts, ParamSupport in cmdline.ts); this file gathers them per series.
import type { ParamSupport } from '../cmdline.js';
import type { MemblockBehaviour } from '../memblock.js';
import type { RmemBehaviour } from '../rmem.js';

/** mm/cma.c as the series writes it. */
export interface CmaBehaviour {
  /** cma_declare_contiguous_nid: 6.12 prints `cma: Reserved %lu MiB at %pa on node %d`, 6.1 has no node. */
  reservedOnNode: boolean;
  /** cma_declare_contiguous_nid: 6.1 tries highmem before the above-4G bottom-up try, 6.12 after. */
  highmemFirst: boolean;
}

/** The series' arch/arm64 code and the generic code it calls on arm64. */
export interface Arm64Series {
  /**
   * Who reserves `crashkernel=`: 6.12's reserve_crashkernel_generic (kernel/crash_reserve.c, via
   * arch_reserve_crashkernel), or 6.1's own reserve_crashkernel in arch/arm64/mm/init.c.
   */
  crashkernel: 'generic' | 'arm64';
  /** early_param()s of the series' arm64 code beyond the arch layer's list. */
  earlyParams: string[];
  /**
   * zone_sizes_init's ZONE_DMA limit (= arm64_dma_phys_limit, the default CMA area's and
   * crashkernel's low ceiling): 6.1 rounds the DT's dma-ranges limit to a bit count
   * (zone_dma_bits = min3(32, fls64(dt), fls64(acpi))), 6.12 keeps the address (zone_dma_limit).
   */
  dmaZone: 'bits' | 'limit';
  /**
   * arm64_memblock_init reserves the kernel from `_text` (6.12) or from `_stext` (6.1), which sits
   * 64 KiB (SEGMENT_ALIGN) past `_text`: the offset of that start from `_text`.
   */
  reserveStartOffset: bigint;
  /**
   * paging_init's page tables beyond the linear map's own: before map_mem (map_kernel & co.) and
   * after it (6.1: create_idmap once init_pg_dir is freed). Fitted: constant over every lab RAM
   * size and layout of the series (data/lab/<series>-arm64*.jsonl.gz, early_pgtable_alloc lines).
   */
  pgtable: { extraBefore: number; extraAfter: number };
  /**
   * sizeof(struct device_node), sizeof(struct property) in the series' include/linux/of.h on
   * arm64, fitted over the lab's DTBs (the early_init_dt_alloc_memory_arch allocation of
   * unflatten_device_tree in data/lab/<series>-arm64*.jsonl.gz).
   */
  unflatten: { deviceNodeSize: number; propertySize: number };
  /**
   * arch_numa_init's dummy node: the distance-table dance (6.1 numa_alloc_distance /
   * numa_free_distance), the cpumask allocation (6.12), whether the regions reserved by then get
   * the node id (6.12 mm/numa_memblks.c numa_clear_kernel_node_hotplug, which stops them merging
   * with later ones), and the format of the NODE_DATA line (without its `[mem ...]` range).
   */
  numa: { distanceAlloc: boolean; cpumaskAlloc: boolean; reservedNid: boolean; nodeDataMessage: string };
  /**
   * `%pS` of the memblock_free calls of pcpu_embed_first_chunk (mm/percpu.c): the unit's unused
   * tail, the alloc info, the areas array. 6.1 inlines memblock_free into its callers.
   */
  pcpuFreeCallers: { unitTail: string; allocInfo: string; areas: string };
}

/** The series' arch/arm code. */
export interface ArmSeries {
  /**
   * Which CMA areas dma_contiguous_remap() re-maps: 6.1 calls dma_contiguous_early_fixup() from
   * rmem_cma_setup (every CMA region that initialised) and for the default area; 6.12 from
   * __reserved_mem_reserve_reg for each static reusable shared-dma-pool `reg` and the default area.
   */
  cmaRemap: 'cma-areas' | 'static-reg';
}

export interface KernelSeries {
  /** The series as kernel ids spell it: `6.1`, `6.12`. */
  name: string;
  /**
   * What CONFIG_ARCH_FORCE_MAX_ORDER means (include/linux/mmzone.h): 6.1's MAX_ORDER is a count
   * (orders 0..MAX_ORDER-1), 6.12's MAX_PAGE_ORDER the largest order.
   */
  maxOrder: 'count' | 'largest';
  /** MAX_CMA_AREAS from CONFIG_CMA_AREAS (include/linux/cma.h). */
  maxCmaAreas(configCmaAreas: number): number;
  /** The command-line options whose existence or checks are the series' (not the arch's). */
  params: Pick<ParamSupport, 'reserveMem' | 'crashkernelRamCheck'>;
  memblock: MemblockBehaviour;
  rmem: RmemBehaviour;
  cma: CmaBehaviour;
  arm64: Arm64Series;
  arm: ArmSeries;
}
