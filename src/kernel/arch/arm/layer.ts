// The arm (32-bit, ARMv7 multiplatform) arch layer: what arch/arm fixes whatever the series,
// Debian's armmp config values shared by both flavours, and how the boot layout follows from a
// build's config (arch/arm/include/asm/{memory,pgtable,pgtable-*level}.h, arch/arm/mm/mmu.c).
import { composeProfile, MiB, percpuAllocs, type ArchDefaults, type BuildFacts, type PercpuSizes } from '../../profiles/define.js';
import type { KernelProfile } from '../../profiles/types.js';
import type { KernelSeries, PcpuCallers } from '../../versions/types.js';
import { allocOrPanicCaller } from '../../memblock.js';

export const armDefaults: ArchDefaults = {
  arch: 'arm',
  debianConfig: { cmaSizeMBytes: 16, cmaAlignment: 8, numa: false, nodesShift: 0 },
  smpCacheBytes: 64, // CONFIG_ARM_L1_CACHE_SHIFT=6
  threadShift: (pageShift) => pageShift + 1, // arch/arm/include/asm/thread_info.h: THREAD_SIZE_ORDER 1 (no KASAN)
  earlyParams: ['mem', 'cma', 'memblock', 'crashkernel', 'vmalloc', 'earlycon', 'coherent_pool'],
  crashkernelHighLow: false,
  measures: 'sizeof(struct static_vm), the per-cpu bitmaps',
};

/** What only a boot of the build shows. */
export interface ArmMeasured {
  /** arm_memblock_init's memblock_reserve of the kernel (KERNEL_START .. _end), from RAM start. */
  kernelOffset: bigint;
  kernelSize: bigint;
  /** _etext - _stext: the kernel text at the start of that reservation. */
  textSize: bigint;
  /**
   * swapper_pg_dir - PAGE_OFFSET (System.map; head.S sets it PG_DIR_SIZE below KERNEL_RAM_VADDR,
   * PAGE_OFFSET + TEXT_OFFSET: 0x8000, or 0x208000 where a platform in the build asks for it,
   * arch/arm/Makefile textofs-y): arm_mm_memblock_reserve's reservation, from RAM start.
   */
  pgdirOffset: bigint;
  /** sizeof(struct static_vm): iotable_init's allocations (the dma_contiguous_remap lines). */
  staticVmSize: bigint;
}

export interface ArmConfig {
  /** CONFIG_ARM_LPAE: 64-bit phys_addr_t, 3-level tables (the -lpae flavour). */
  lpae: boolean;
  /** CONFIG_PAGE_OFFSET: the vmsplit (VMSPLIT_3G 0xc0000000, 2G 0x80000000, 1G 0x40000000, ...). */
  pageOffset: bigint;
  /** CONFIG_HIGHMEM: without it adjust_lowmem_bounds drops the RAM above lowmem. */
  highmem: boolean;
  /** CONFIG_ZONE_DMA: zone_sizes_init's lowmem zone is ZONE_DMA (zone 0), else ZONE_NORMAL. */
  zoneDma: boolean;
  /** struct page's word after _refcount: memcg_data (CONFIG_MEMCG) or, 6.10+, _unused_slab_obj_exts (CONFIG_SLAB_OBJ_EXT). */
  pageMemcgWord: boolean;
  /** CONFIG_PCI: devicemaps_init's pci_reserve_io reserves a static_vm (no NEED_MACH_IO_H on multiplatform). */
  pci: boolean;
  /**
   * page_ext_init_flatmem allocates page_ext (mm/page_ext.c): CONFIG_PAGE_EXTENSION with a client
   * whose need() holds whatever the command line says — on 32-bit CONFIG_PAGE_IDLE_FLAG's
   * (Debian's armmp configs from 6.12 on); page_owner's, page_table_check's and allocation
   * profiling's turn on boot options (read.ts warns).
   */
  pageExt: boolean;
}

export interface ArmBuild extends BuildFacts<ArmConfig, ArmMeasured> {
  percpu: PercpuSizes;
}

/**
 * sizeof(struct page) with 32-bit longs and pointers (include/linux/mm_types.h, 5.10 to 7.2):
 * flags, a five-word union, _mapcount, _refcount, and memcg_data (CONFIG_MEMCG, set in every
 * Debian armmp config; or 6.10+'s _unused_slab_obj_exts with CONFIG_SLAB_OBJ_EXT); no
 * WANT_PAGE_VIRTUAL on arm, no _last_cpupid without NUMA. 36 is what 6.12-armmp-lpae's
 * cma_activate_area oops shows: pfn 0x82400's struct page is 0x951000 bytes (0x42400 pages) after mem_map.
 */
const structPageSize = (memcgWord: boolean) => (memcgWord ? 36n : 32n);

/**
 * What the generic setup_per_cpu_areas' pcpu_fc_alloc asks for as its goal, __pa(MAX_DMA_ADDRESS)
 * (mm/percpu.c): MAX_DMA_ADDRESS is 0xffffffff without a DMA zone size (arch/arm/include/asm/dma.h;
 * virt sets none), PHYS_OFFSET + 0xffffffff - PAGE_OFFSET physical, above lowmem (which ends
 * below the vmalloc area), so memblock retries from 0: the unit lands top-down under the lowmem limit.
 */
const MAX_DMA_ADDRESS = 0xffffffffn;

/** pcpu_embed_first_chunk's callers on arm, by the series' ArmSeries.pcpuEmbed (7.2: memblock_alloc_or_panic() call sites). */
function pcpuCallers(series: KernelSeries): PcpuCallers {
  if (series.arm.pcpuEmbed === 'callbacks')
    return {
      allocInfo: 'memblock_alloc',
      areas: 'memblock_alloc',
      unit: 'pcpu_dfl_fc_alloc',
      unitTail: 'pcpu_dfl_fc_free',
      setup: 'memblock_alloc',
      alloc: 'memblock_alloc',
      freeAllocInfo: 'pcpu_free_alloc_info',
      freeAreas: 'pcpu_embed_first_chunk',
    };
  const embed = 'pcpu_embed_first_chunk';
  return {
    allocInfo: embed,
    areas: embed,
    unit: embed,
    unitTail: embed,
    setup: allocOrPanicCaller(series.memblock, 'pcpu_setup_first_chunk'),
    alloc: allocOrPanicCaller(series.memblock, 'pcpu_alloc_first_chunk'),
    freeAllocInfo: embed,
    freeAreas: embed,
  };
}

/** An arm profile: the series' arm code over this layer, with the build's facts. */
export function armProfile(series: KernelSeries, id: string, debianPackage: string, build: ArmBuild): KernelProfile {
  const m = build.measured;
  const { lpae } = build.config;
  // PG_DIR_SIZE: 16 KiB of first-level table, or (LPAE) a PGD page and 4 PMD pages
  const pgdirSize = lpae ? 0x5000n : 0x4000n;
  const profile = composeProfile(series, armDefaults, id, debianPackage, build, {
    physAddrBits: lpae ? 64 : 32,
    pmdShift: 21,
    // ARCH_SUPPORTS_HUGETLBFS needs ARM_LPAE (arch/arm/Kconfig); Debian enables it there
    hugetlbPage: build.config.hugetlbPage ?? lpae,
    params: { crashkernelImpl: 'arm', earlyParams: [] },
  });
  return {
    ...profile,
    arm: {
      kernelOffset: m.kernelOffset,
      kernelSize: m.kernelSize,
      textSize: m.textSize,
      pgdirOffset: m.pgdirOffset,
      pgdirSize,
      pageOffset: build.config.pageOffset,
      highmem: build.config.highmem,
      zoneDma: build.config.zoneDma,
      pageExt: build.config.pageExt,
      vmallocEnd: 0xff800000n,
      vmallocDefault: 240n * MiB,
      dmaLimit: 0xffffffffn,
      pagingInit: {
        sectionSize: lpae ? 2n * MiB : MiB, // SECTION_SIZE
        staticVmSize: m.staticVmSize,
        staticVmAlign: lpae ? 8n : 4n, // alignof(struct static_vm): its phys_addr_t
        // paging_init's empty_zero_page is an early_alloc up to 6.12 (the series' ArmSeries.zeroPageEarlyAlloc)
        zeroPageEarlyAlloc: series.arm.zeroPageEarlyAlloc,
        // CONFIG_PCI (multiplatform has no NEED_MACH_IO_H): pci_reserve_io's static_vm, the
        // vm_reserve_area_early line of a whole-trace boot
        pciReserveIo: build.config.pci,
      },
      // no NUMA: pcpu_fc_alloc is memblock_alloc_from (NUMA_NO_NODE); atom_size PAGE_SIZE
      lateAllocs: percpuAllocs(pcpuCallers(series), BigInt(profile.pageSize), BigInt(armDefaults.smpCacheBytes), build.percpu, {
        goal: MAX_DMA_ADDRESS - build.config.pageOffset,
      }),
      cmaRemap: series.arm.cmaRemap,
      structPageSize: structPageSize(build.config.pageMemcgWord),
      // 32-bit pointers, 4-byte alignment (__alignof__(struct device_node)); CONFIG_OF_DYNAMIC adds
      // struct property's unsigned long _flags
      unflatten: { ...series.arm.unflatten, propertySize: series.arm.unflatten.propertySize + (build.config.ofDynamic ? 4 : 0), align: 4 },
    },
  };
}
