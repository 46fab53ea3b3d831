// The arm64 arch layer: what arch/arm64 fixes whatever the series, Debian's arm64 config values
// shared by every flavour, and how the boot layout follows from a build's config
// (arch/arm64/include/asm/{pgtable-hwdef,memory,sparsemem,kernel-pgtable}.h, arch/arm64/mm/init.c).
import { composeProfile, log2, MiB, percpuAllocs, type ArchDefaults, type BuildFacts, type PercpuSizes } from '../../profiles/define.js';
import type { Arm64Idmap, Arm64Layout, KernelProfile } from '../../profiles/types.js';
import type { KernelSeries, PcpuCallers } from '../../versions/types.js';
import { allocOrPanicCaller } from '../../memblock.js';

export const arm64Defaults: ArchDefaults = {
  arch: 'arm64',
  debianConfig: { cmaSizeMBytes: 64, cmaAlignment: 8, numa: true, nodesShift: 4 },
  smpCacheBytes: 64, // L1_CACHE_SHIFT = 6 (arch/arm64/include/asm/cache.h)
  // arch/arm64/include/asm/memory.h: MIN_THREAD_SHIFT = 14 (no KASAN in Debian's builds), raised
  // to PAGE_SHIFT with CONFIG_VMAP_STACK (Debian: y) on 16K and 64K pages
  threadShift: (pageShift) => Math.max(14, pageShift),
  earlyParams: ['mem', 'cma', 'memblock', 'crashkernel', 'earlycon', 'kasan', 'hugetlb_cma', 'numa', 'rodata'],
  crashkernelHighLow: true,
  measures: 'sizeof(pg_data_t), mem_section_usage_size(), the per-cpu bitmaps',
};

/** The arm64 config values the layout follows from. */
export interface Arm64Config {
  /** CONFIG_ARM64_PA_BITS = PHYS_MASK_SHIFT */
  paBits: number;
  /** CONFIG_ARM64_VA_BITS; QEMU's `-cpu max` has LPA2, so vabits_actual is the same. */
  vaBits: number;
  /** CONFIG_PAGE_EXTENSION: struct mem_section carries page_ext and a pad (32 bytes, else 16). */
  pageExtension: boolean;
  /**
   * rodata_full (CONFIG_RODATA_FULL_DEFAULT_ENABLED, or always: KernelSeries.arm64.rodataFullAlways):
   * map_mem maps the linear map with NO_BLOCK_MAPPINGS (arch/arm64/mm/pageattr.c
   * can_set_direct_map); without it, block mappings. `rodata=` on the command line is not followed.
   */
  rodataFull: boolean;
  /**
   * CONFIG_DEFERRED_STRUCT_PAGE_INIT: memblock_free_all leaves the last zone's pages past the
   * first section to page_alloc_init_late (mm/mm_init.c defer_init).
   */
  deferredStructPageInit: boolean;
  /**
   * CONFIG_MEMORY_HOTREMOVE: up to 6.12 sparse_init_nid's usemap goes in the section that holds
   * NODE_DATA (mm/sparse.c sparse_early_usemaps_alloc_pgdat_section), else anywhere on the node.
   */
  memoryHotremove: boolean;
  /**
   * CONFIG_SPARSEMEM_VMEMMAP: arm64 selects it from 5.12 on; 5.10 leaves it to the config (Debian:
   * y), and without it each present section's memmap is a plain array (mm/sparse.c) whose unused
   * part mem_init frees (arch/arm64/mm/init.c free_unused_memmap).
   */
  sparsememVmemmap: boolean;
  /** CONFIG_CPUMASK_OFFSTACK: cpumask_var_t is allocated (numa_init's per-node cpumasks from memblock). */
  cpumaskOffstack: boolean;
  /**
   * CONFIG_ZONE_DMA and CONFIG_ZONE_DMA32 (arch/arm64/Kconfig: default y, but `if EXPERT`, so
   * allnoconfig-based builds have neither): which zones zone_sizes_init makes, and so
   * arm64_dma_phys_limit — ZONE_DMA's end, else ZONE_DMA32's, else PHYS_MASK + 1 (arch/arm64/mm/init.c).
   */
  zoneDma: boolean;
  zoneDma32: boolean;
  /**
   * CONFIG_ARM64_CONT_PTE_SHIFT and CONFIG_ARM64_CONT_PMD_SHIFT: how many PTEs and PMDs
   * (log2) make a contiguous range PTE_CONT maps (arch/arm64/include/asm/pgtable-hwdef.h).
   */
  contPteShift: number;
  contPmdShift: number;
}

/** What only a boot of the build shows (a `memblock=debug` trace has all of it). */
export interface Arm64Measured {
  /** `_end - _text` (or `- _stext`): arm64_memblock_init's memblock_reserve of the kernel. */
  reserveSize: bigint;
  /** `__init_begin - _text`: free_initmem's memblock_phys_free at the end of boot. */
  initBeginOffset: bigint;
  /** `__init_end - _text`: where the init sections free_initmem frees end (.data follows). */
  initEndOffset: bigint;
  /** sizeof(pg_data_t): the NODE_DATA allocation. */
  nodeDataSize: bigint;
  /** mem_section_usage_size(): sparse_init's usemap allocation per present section. */
  usemapBytesPerSection: bigint;
}

export interface Arm64Build extends BuildFacts<Arm64Config, Arm64Measured> {
  percpu: PercpuSizes;
  /** 6.1 paging_init's memblock_phys_free(init_pg_dir, init_pg_end - init_pg_dir), measured. */
  initPgDirFree?: { offsetFromText: bigint; size: bigint };
  /** 5.10/6.1 map_kernel's segments (virtual, as System.map states them), KernelSeries.arm64.mapKernel. */
  kernelSegments?: [bigint, bigint][];
  /** 6.1 create_idmap's mappings (KernelSeries.arm64.createIdmap), from System.map and the config. */
  idmap?: Arm64Idmap;
}

/** sizeof(struct mem_section) (include/linux/mmzone.h): page_ext and a pad with CONFIG_PAGE_EXTENSION. */
const memSectionBytes = (pageExtension: boolean): number => (pageExtension ? 32 : 16);

const U64 = 1n << 64n;

/** VMEMMAP_START and FIXADDR_TOP as u64 (arch/arm64/include/asm/memory.h; Arm64Series.vmemmapLayout). */
function vmemmapLayout(
  layout: KernelSeries['arm64']['vmemmapLayout'],
  pageShift: number,
  vaBits: number,
  vaBitsMin: number,
): { vmemmapStart: bigint; fixaddrTop: bigint } {
  // VMEMMAP_SIZE: a 64-byte struct page (STRUCT_PAGE_MAX_SHIFT 6) for every page of
  // _PAGE_END(VA_BITS_MIN) - PAGE_OFFSET, the linear region
  const range = (1n << BigInt(vaBits)) - (1n << BigInt(vaBitsMin - 1));
  const size = (range >> BigInt(pageShift)) * 64n;
  if (layout === 'below-pci-io') {
    const vmemmapStart = U64 - size - 2n * MiB;
    return { vmemmapStart, fixaddrTop: vmemmapStart - 2n * MiB - 16n * MiB - 2n * MiB };
  }
  if (layout === 'va-bits') {
    const vmemmapStart = U64 - (1n << BigInt(vaBits - (pageShift - 6)));
    return { vmemmapStart, fixaddrTop: vmemmapStart - 32n * MiB };
  }
  return { vmemmapStart: U64 - 1024n * MiB - size, fixaddrTop: U64 - 8n * MiB };
}

/** pcpu_embed_first_chunk's callers on arm64 (mm/percpu.c; 7.2: memblock_alloc_or_panic() call sites). */
function pcpuCallers(series: KernelSeries): PcpuCallers {
  const f = series.arm64.pcpuFreeCallers;
  return {
    allocInfo: 'pcpu_build_alloc_info',
    areas: 'pcpu_embed_first_chunk',
    unit: 'pcpu_fc_alloc',
    unitTail: f.unitTail,
    setup: allocOrPanicCaller(series.memblock, 'pcpu_setup_first_chunk'),
    alloc: allocOrPanicCaller(series.memblock, 'pcpu_alloc_first_chunk'),
    freeAllocInfo: f.allocInfo,
    freeAreas: f.areas,
  };
}

/** An arm64 profile: the series' arm64 code over this layer, with the build's facts. */
export function arm64Profile(series: KernelSeries, id: string, debianPackage: string, build: Arm64Build): KernelProfile {
  const { pageSize, vaBits } = build.config;
  const pageShift = log2(pageSize);
  const min = vaBitsMin(pageSize, vaBits);
  const full = arm64Layout(series, build, vaBits);
  // early_map_kernel: VA_BITS_MIN on a CPU without FEAT_LVA (64K pages) or FEAT_LPA2 (ARM64_LPA2,
  // which every 4K/16K 52-bit build has)
  const layout: Arm64Layout =
    vaBits > min ? { ...full, vaBitsMin: { needs: pageShift === 16 ? 'lva' : 'lpa2', layout: arm64Layout(series, build, min) } } : full;
  const profile = composeProfile(series, arm64Defaults, id, debianPackage, build, {
    physAddrBits: 64,
    pmdShift: levelShift(pageShift, 2),
    hugetlbPage: build.config.hugetlbPage ?? true,
    params: { crashkernelImpl: series.arm64.crashkernel, earlyParams: series.arm64.earlyParams },
  });
  return { ...profile, arm64: layout };
}

/** ARM64_HW_PGTABLE_LEVEL_SHIFT(n) (arch/arm64/include/asm/pgtable-hwdef.h): 2 is the PMD level, 1 the PUD, 0 the P4D. */
const levelShift = (pageShift: number, n: number): number => (pageShift - 3) * (4 - n) + 3;

/** VA_BITS_MIN (arch/arm64/include/asm/memory.h): 47 with 16K pages and 52-bit VA, else 48, or VA_BITS when smaller. */
const vaBitsMin = (pageSize: number, vaBits: number): number => (vaBits > 48 ? (pageSize === 16384 ? 47 : 48) : vaBits);

/** The boot layout with `vaActual` (vabits_actual) bits of virtual address. */
function arm64Layout(series: KernelSeries, build: Arm64Build, vaActual: number): Arm64Layout {
  const { pageSize, paBits, vaBits } = build.config;
  const m = build.measured;
  const s = series.arm64;
  const pageShift = log2(pageSize);
  // ARM64_HW_PGTABLE_LEVELS(va_bits): the levels in use (early_map_kernel's root_level)
  const shift = (n: number) => levelShift(pageShift, n);
  const levels = Math.floor((vaActual - 4) / (pageShift - 3));
  const pmdShift = shift(2);
  const sectionSizeBits = s.sectionSizeBits(pageSize);
  // ARM64_MEMSTART_SHIFT: PUD_SHIFT (4K), CONT_PMD_SHIFT (16K: 32 PMDs), PMD_SHIFT (64K); at least a section
  const memstartShift = pageSize === 4096 ? shift(1) : pageSize === 16384 ? pmdShift + 5 : pmdShift;
  const min = vaBitsMin(pageSize, vaBits);
  // PHYS_MASK_SHIFT: 48 when an ARM64_LPA2 build (4K/16K with 52 bits) runs without LPA2 (pgtable-prot.h)
  const physMaskShift = vaActual < vaBits && pageShift !== 16 ? 48 : paBits;
  // arm64_memblock_init: a 52-bit build's memstart_addr -= _PAGE_OFFSET(vabits_actual) - _PAGE_OFFSET(52),
  // so vmemmap (VMEMMAP_START - memstart_addr's pfn) starts that many struct pages further up
  const memstartShift52 = vaActual < vaBits ? (1n << BigInt(vaBits)) - (1n << BigInt(vaActual)) : 0n;
  const sectionsPerRoot = pageSize / memSectionBytes(build.config.pageExtension);
  const page = BigInt(pageSize);
  const cache = BigInt(arm64Defaults.smpCacheBytes);
  const vmemmap = vmemmapLayout(s.vmemmapLayout, pageShift, vaBits, min);
  return {
    vaBits: vaActual,
    dmaZone: s.dmaZone,
    zones: { dma: build.config.zoneDma, dma32: build.config.zoneDma32 },
    pageOffset: (1n << 64n) - (1n << BigInt(vaActual)), // _PAGE_OFFSET(vabits_actual)
    physMaskShift,
    memstartDown: memstartShift52,
    linearRegionSize: (1n << BigInt(vaActual)) - (1n << BigInt(min - 1)), // PAGE_END - _PAGE_OFFSET(vabits_actual)
    memstartAlign: 1n << BigInt(Math.max(memstartShift, sectionSizeBits)),
    textOffset: 2n * MiB, // QEMU loads the Image 2 MiB into RAM (hw/arm/boot.c)
    reserveStartOffset: s.reserveStartOffset,
    reserveSize: m.reserveSize,
    initBeginOffset: m.initBeginOffset,
    initEndOffset: m.initEndOffset,
    pgtable: {
      // the non-PTE levels below the root: PMD, PUD, (P4D)
      levelShifts: [2, 1, 0].slice(0, levels - 2).map(shift),
      pageGranular: build.config.rodataFull,
      // CONT_PTE_SHIFT, CONT_PMD_SHIFT (pgtable-hwdef.h)
      contShifts: { pte: build.config.contPteShift + pageShift, pmd: build.config.contPmdShift + pmdShift },
      aliasBlocks: s.linearAliasBlocks,
      extraBefore: s.pgtable.extraBefore,
      ...(build.initPgDirFree ? { initPgDirFree: build.initPgDirFree } : {}),
      ...(build.kernelSegments ? { kernelSegments: build.kernelSegments } : {}),
      ...(build.idmap ? { idmap: { ...build.idmap, ...(vaBits < 48 ? { extraLevelAt: 1n << BigInt(min) } : {}) } } : {}),
      caller: 'early_pgtable_alloc',
    },
    // CONFIG_OF_DYNAMIC adds struct property's unsigned long _flags
    unflatten: { ...s.unflatten, propertySize: s.unflatten.propertySize + (build.config.ofDynamic ? 8 : 0), align: 8 },
    numa: {
      nodeDataSize: m.nodeDataSize,
      distanceAlloc: s.numa.distanceAlloc,
      ...(build.config.cpumaskOffstack && build.config.nrCpus !== undefined
        ? {
            cpumask: {
              bits: s.numa.cpumaskBits === 'large-cpumask-bits' && build.config.nrCpus <= 4 * 64 ? 'nr-cpus' : 'nr-cpu-ids',
              nrCpus: build.config.nrCpus,
            },
          }
        : {}),
      reservedNid: s.numa.reservedNid,
      nodeDataMessage: s.numa.nodeDataMessage,
    },
    sparse: {
      sectionSizeBits,
      // NR_SECTION_ROOTS pointers: (1 << (MAX_PHYSMEM_BITS - SECTION_SIZE_BITS)) / SECTIONS_PER_ROOT
      memSectionRootsBytes: ((1n << BigInt(physMaskShift - sectionSizeBits)) / BigInt(sectionsPerRoot)) * 8n,
      rootBytes: page,
      sectionsPerRoot,
      usemapBytesPerSection: m.usemapBytesPerSection,
      structPageSize: 64n,
      pmdSize: 1n << BigInt(pmdShift),
      vmemmapStart: vmemmap.vmemmapStart + (memstartShift52 >> BigInt(pageShift)) * 64n,
      fixaddrTop: vmemmap.fixaddrTop,
      // tables at levels 5 - levels .. 3 (PTE) or 2 (PMD, 4K blocks), one per entry of the level above
      vmemmapTableShifts: Array.from({ length: (pageSize === 4096 ? 2 : 3) - (4 - levels) }, (_, k) => shift(4 - levels + k)),
      deferredStructPageInit: build.config.deferredStructPageInit,
      usemapNearPgdat: build.config.memoryHotremove,
      vmemmap: build.config.sparsememVmemmap,
    },
    // pcpu_fc_alloc on node 0 (the dummy node), from __pa(MAX_DMA_ADDRESS): memstart_addr, as traced
    lateAllocs: percpuAllocs(pcpuCallers(series), page, cache, build.percpu, { nid: 0, goal: 0n }),
  };
}
