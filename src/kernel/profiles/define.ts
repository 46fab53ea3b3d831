// Composing a profile: the build's config and measurements, over its arch layer's defaults, run
// by its series' rules. Everything that follows from other values is computed here, once.
import type { ParamSupport } from '../cmdline.js';
import type { KernelSeries, PcpuCallers } from '../versions/types.js';
import type { BuildConfig, KernelProfile, LateAlloc } from './types.js';
import { INIT_MEMBLOCK_REGIONS } from '../memblock.js';

export const MiB = 1n << 20n;
export const GiB = 1n << 30n;

/** What the lab's boot-model test (test/kernel/boot-lab.test.ts) compares with a recorded boot. */
export type LabCheck = 'default-cma' | 'early-reservations' | 'reserve-mem' | 'full-trace' | 'memblock-dump';
export const allLabChecks: readonly LabCheck[] = ['default-cma', 'early-reservations', 'reserve-mem', 'full-trace', 'memblock-dump'];

/** What every build file states, whatever its arch (the id and Debian package are passed beside it). */
export interface BuildFacts<Config, Measured> {
  config: BuildConfig & Config;
  /** What a boot of the build shows: measured from its lab records, data/lab/<id>.jsonl.gz. */
  measured: Measured;
  /** Where `measured` comes from when that is not (only) the build's own lab records. */
  measuredFrom?: string;
  /**
   * The lab checks `measured` was fitted and verified on (default: all). A build whose sizes are
   * not all fitted yet names what they do reproduce; the others are reported, not asserted.
   */
  verifiedOn?: readonly LabCheck[];
}

/** What an arch layer contributes to every profile of that arch. */
export interface ArchDefaults {
  arch: 'arm64' | 'arm';
  /** Debian's values of the config options all its builds of this arch share. */
  debianConfig: Required<Pick<BuildConfig, 'cmaSizeMBytes' | 'cmaAlignment' | 'numa' | 'nodesShift'>>;
  /** L1_CACHE_BYTES (SMP_CACHE_BYTES). */
  smpCacheBytes: number;
  /** THREAD_SHIFT (a task's kernel stack is 1 << THREAD_SHIFT bytes) for PAGE_SHIFT. */
  threadShift(pageShift: number): number;
  /** early_param()s of the arch and the generic code that touch memory layout. */
  earlyParams: string[];
  /** crashkernel=…,high / ,low exist on this arch. */
  crashkernelHighLow: boolean;
  /** What the arch's builds measure from a `memblock=debug` boot, no file stating it (for the provenance line). */
  measures: string;
}

/** log2 of a power of two. */
/**
 * arm64's asm/memory.h: with CONFIG_EFI, INIT_MEMBLOCK_MEMORY_REGIONS is INIT_MEMBLOCK_REGIONS * 8
 * (6.1+, `efiMemoryRegions`: no-map memory splits it), and with CONFIG_EFI and
 * CONFIG_ARM_GIC_V3_ITS INIT_MEMBLOCK_RESERVED_REGIONS is INIT_MEMBLOCK_REGIONS + NR_CPUS + 1 (the
 * LPI tables kexec keeps reserved). A build whose stored lines lack NR_CPUS keeps 128.
 */
function arm64MemblockInitRegions(
  c: { efi?: boolean; gicV3Its?: boolean; nrCpus?: number },
  efiMemoryRegions: boolean,
): { memory: number; reserved: number } {
  return {
    memory: c.efi && efiMemoryRegions ? INIT_MEMBLOCK_REGIONS * 8 : INIT_MEMBLOCK_REGIONS,
    reserved: c.efi && c.gicV3Its && c.nrCpus !== undefined ? INIT_MEMBLOCK_REGIONS + c.nrCpus + 1 : INIT_MEMBLOCK_REGIONS,
  };
}

export function log2(x: number): number {
  return 31 - Math.clz32(x);
}

/**
 * The fields every profile has, derived: PAGE_SHIFT, pageblock_order (include/linux/pageblock-flags.h:
 * PMD-sized with huge pages, else the largest buddy order), CMA_MIN_ALIGNMENT_BYTES = PAGE_SIZE <<
 * pageblock_order (include/linux/cma.h; 5.10: the larger of it and MAX_ORDER - 1), MAX_CMA_AREAS by the series' rule, MAX_NUMNODES.
 */
export function composeProfile(
  series: KernelSeries,
  arch: ArchDefaults,
  id: string,
  debianPackage: string,
  build: BuildFacts<object, object>,
  o: { physAddrBits: 32 | 64; pmdShift: number; hugetlbPage: boolean; params: Pick<ParamSupport, 'crashkernelImpl' | 'earlyParams'> },
): Omit<KernelProfile, 'arm64' | 'arm'> {
  const c = { ...arch.debianConfig, ...build.config };
  const pageShift = log2(c.pageSize);
  const largestOrder = series.maxOrder === 'count' ? c.forceMaxOrder - 1 : c.forceMaxOrder;
  const pageblockOrder = o.hugetlbPage ? Math.min(o.pmdShift - pageShift, largestOrder) : largestOrder;
  return {
    id,
    version: series.name,
    series,
    arch: arch.arch,
    debianPackage,
    pageSize: c.pageSize,
    pageShift,
    physAddrBits: o.physAddrBits,
    maxOrder: c.forceMaxOrder,
    pageblockOrder,
    cmaMinAlignmentBytes: BigInt(c.pageSize) << BigInt(series.cmaAlignmentOrder(pageblockOrder, largestOrder)),
    maxCmaAreas: series.maxCmaAreas(c.cmaAreas),
    cmaSizeMBytes: c.cmaSizeMBytes,
    cmaAlignment: c.cmaAlignment,
    smpCacheBytes: arch.smpCacheBytes,
    threadSize: 1 << arch.threadShift(pageShift),
    numa: c.numa,
    maxNumNodes: 1 << c.nodesShift,
    ...(c.nrCpus !== undefined ? { nrCpus: c.nrCpus } : {}),
    ...(c.cmaSizePernuma ? { cmaSizePernuma: true } : {}),
    ...(c.dmaNumaCma ? { dmaNumaCma: true } : {}),
    ...(c.stackProtector ? { stackProtector: true } : {}),
    ...(c.ubsanBounds ? { ubsanBounds: true } : {}),
    ...(c.printk ? { printk: c.printk } : {}),
    ...(c.preemptRt ? { preemptRt: true } : {}),
    ...(c.noCrashReserve ? { noCrashReserve: true } : {}),
    ...(arch.arch === 'arm64' ? { memblockInitRegions: arm64MemblockInitRegions(c, series.arm64.efiMemoryRegions) } : {}),
    ...(c.numaEmu ? { numaEmu: true } : {}),
    params: {
      ...series.params,
      crashkernelHighLow: arch.crashkernelHighLow,
      crashkernelImpl: o.params.crashkernelImpl,
      earlyParams: [...arch.earlyParams, ...o.params.earlyParams],
    },
    labChecks: build.verifiedOn ?? allLabChecks,
    provenance:
      `kernel ${series.name} sources${series.applied?.length ? ` with ${series.applied.map((x) => `${x.release}'s ${x.change}`).join('; ')}` : ''}; the config and System.map of ${debianPackage}; what no file states (${arch.measures}) measured: ` +
      (build.measuredFrom ?? `data/lab/${id}.jsonl.gz (memblock=debug boots on QEMU virt)`),
  };
}

/**
 * mm/percpu.c: the first chunk's unit (pcpu_build_alloc_info, from the static per-cpu size
 * System.map states), then the sizes pcpu_setup_first_chunk and pcpu_alloc_first_chunk allocate
 * (measured: their structs' sizes are the build's).
 */
export interface PercpuSizes {
  unit: bigint;
  setup: bigint[];
  alloc: bigint[];
}

/**
 * pcpu_embed_first_chunk's memblock traffic (mm/percpu.c), in order: the alloc info (a page
 * while the cpu_map fits), the areas array (PFN_ALIGN of one pointer per group), the group's
 * units from pcpu_fc_alloc (`unit`: its node and goal; one unit per possible CPU, atom_size being
 * PAGE_SIZE) and the free of each unit's unused tail (none where the unit is the page-aligned
 * size_sum), pcpu_setup_first_chunk's allocations (group_offsets and group_sizes with an entry per
 * group, then unit_map and unit_off with nr_cpu_ids entries each: the measurement, of a one-CPU
 * boot, is one entry) and pcpu_alloc_first_chunk's (per chunk, not per CPU), then the frees of the
 * alloc info and the areas. One group on arm (no cpu_distance_fn); on arm64 a group per NUMA node
 * with CPUs (pcpu_cpu_distance: the CPUs of one node are LOCAL_DISTANCE apart).
 */
export function percpuAllocs(
  c: PcpuCallers,
  page: bigint,
  cache: bigint,
  m: PercpuSizes,
  unit: { nid?: number; goal: bigint },
): LateAlloc[] {
  return [
    { op: 'alloc', size: page, align: page, caller: c.allocInfo },
    { op: 'alloc', size: page, align: cache, caller: c.areas },
    {
      op: 'alloc',
      size: m.unit,
      align: page,
      caller: c.unit,
      ...(unit.nid !== undefined ? { nid: unit.nid } : {}),
      goal: unit.goal,
      perCpu: 'possible',
    },
    { op: 'free', of: 2, at: 'unit-ends', unit: m.unit, size: 0n, caller: c.unitTail },
    ...m.setup.map(
      (size, i): LateAlloc => ({
        op: 'alloc',
        size,
        align: cache,
        caller: c.setup,
        ...(i === 0 || i === 1 ? { perCpu: 'groups' } : i === 2 || i === 3 ? { perCpu: 'nr_cpu_ids' } : {}),
      }),
    ),
    ...m.alloc.map((size): LateAlloc => ({ op: 'alloc', size, align: cache, caller: c.alloc })),
    { op: 'free', of: 0, caller: c.freeAllocInfo },
    { op: 'free', of: 1, caller: c.freeAreas },
  ];
}

/** The first chunk's unit in a profile's late allocations: pcpu_fc_alloc's, the one with a goal. */
export function firstChunkUnit(p: Pick<KernelProfile, 'arm64' | 'arm'>): bigint | undefined {
  const a = (p.arm64 ?? p.arm)?.lateAllocs.find((x) => x.op === 'alloc' && x.goal !== undefined);
  return a?.op === 'alloc' ? a.size : undefined;
}
