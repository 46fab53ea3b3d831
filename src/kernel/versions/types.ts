// The version layer: what one kernel series' code does where series differ. One file per series
// (5.10.ts, 6.1.ts, 6.12.ts, 7.2.ts) fills this shape; index.ts is the only place that picks one by name. Each
// subsystem of the model declares its own knobs next to its code (MemblockBehaviour in memblock.ts,
// RmemBehaviour in rmem.ts, ParamSupport in cmdline.ts); this file gathers them per series.
import type { ParamSupport } from '../cmdline.js';
import type { MemblockBehaviour } from '../memblock.js';
import type { RmemBehaviour } from '../rmem.js';

/** mm/cma.c as the series writes it. */
export interface CmaBehaviour {
  /**
   * cma_alloc's failure line: `cma: cma_alloc: alloc failed, req-size: %zu pages, ret: %d` (5.10),
   * or with the area's name after the function's (6.1+, pr_err_ratelimited).
   */
  allocFailedNamesArea: boolean;
  /**
   * alloc_contig_range over a pageblock whose pfns pfn_valid refuses (no struct pages it trusts):
   * isolate_migratepages_range skips the block (pageblock_pfn_to_page is NULL). 5.10's
   * __alloc_contig_migrate_range goes on from the pfn it returns, past the block, and
   * test_pages_isolated finds no valid page there: -EBUSY, and cma_alloc tries its next window
   * (`busy`). 6.1+ go on from cc->migrate_pfn, which only isolate_migratepages_block sets: a
   * skipped block leaves it behind the range (0 at first), and the loop scans again for ever
   * (`spins`, mm/page_alloc.c).
   */
  contigSkippedBlock: 'busy' | 'spins';
  /** cma_declare_contiguous_nid: 6.12 prints `cma: Reserved %lu MiB at %pa on node %d`, 5.10/6.1/7.2 have no node. */
  reservedOnNode: boolean;
  /** cma_declare_contiguous_nid: 6.1 tries highmem before the above-4G bottom-up try, 6.12 after. */
  highmemFirst: boolean;
  /**
   * The bottom-up try above 4 GiB on a 64-bit phys_addr_t: none (5.10), when memblock_end_of_DRAM()
   * >= 4G + size (6.1, 6.12), when the clamped limit >= 4G + size (7.2 cma_alloc_mem).
   */
  above4gBottomUp: 'none' | 'dram-end' | 'limit';
  /**
   * The size `Reserved`/`Failed to reserve` print: the aligned one (5.10-6.12 print inside
   * cma_declare_contiguous_nid after ALIGN), or the size asked for (7.2's wrapper prints it).
   */
  reportedSize: 'aligned' | 'requested';
  /**
   * Which failures print `Failed to reserve`: those after the area was sized (5.10-6.12, whose
   * early returns for a full cma_areas[] or a zero size print nothing more), or every one (7.2's
   * cma_declare_contiguous_nid prints it for any error __cma_declare_contiguous_nid returns).
   */
  failureLine: 'after-sizing' | 'every-error';
  /**
   * A fixed area across the low/high memory boundary: refused before the limit check, on every
   * arch (5.10-6.12), or by cma_fixed_reserve after it, only with CONFIG_HIGHMEM (7.2).
   */
  fixedBoundaryCheck: 'before-limit' | 'highmem-after-limit';
  /** dma_contiguous_reserve's limit with `cma=…-limit`: min_not_zero(limit, arch limit) (≤6.12), or the cmdline's when set (7.2). */
  cmdlineLimit: 'min-not-zero' | 'cmdline-first';
  /**
   * The per-node CMA areas a build with CONFIG_DMA_PERNUMA_CMA / CONFIG_DMA_NUMA_CMA reserves
   * (kernel/dma/contiguous.c): 5.10 and 6.1's dma_pernuma_cma_reserve, `cma_pernuma=` only, from
   * arm64's bootmem_init right after the NUMA init, "pernuma<nid>" on each online node
   * (`pernuma-bootmem`); 6.12's dma_numa_cma_reserve, first thing in dma_contiguous_reserve,
   * "pernuma<nid>" for `cma_pernuma=` then "numa<nid>" for `numa_cma=` (`before-default`); 7.2's,
   * last thing in it, one "numa<nid>" per node of numa_cma='s size or else cma_pernuma='s, which
   * CONFIG_CMA_SIZE_PERNUMA defaults to the default area's when neither is given (`after-default`).
   */
  numaCma: 'pernuma-bootmem' | 'before-default' | 'after-default';
}

/** How the page allocator's start is counted (mm/mm_init.c; 5.10 and 6.1 mm/page_alloc.c). */
export interface PageAllocBehaviour {
  /**
   * free_area_init's nr_kernel_pages (alloc_large_system_hash sizes its tables by it): each zone's
   * present pages less calc_memmap_size's estimate of their struct pages (5.10, 6.1
   * free_area_init_core), or memblock's free pages when free_area_init runs (6.12+ calc_nr_kernel_pages).
   */
  nrKernelPages: 'zone-present' | 'free-ranges';
  /**
   * When mem_init_print_info prints "Memory: …K/…K available": right after memblock_free_all
   * (5.10, 6.1 init/main.c mm_init; the deferred struct pages are not free yet), or in
   * page_alloc_init_late (6.12+), after the deferred pages and after what start_kernel and
   * kernel_init took from the page allocator before the initcalls.
   */
  memoryLine: 'mem-init' | 'page-alloc-init-late';
  /**
   * When freeing an order-0 page checks its state (free_page_is_bad → bad_page, mm/page_alloc.c):
   * at once, in __free_pages_prepare, since init_on_alloc turns check_pages_enabled on (6.12+,
   * mm/mm_init.c mem_debugging_and_hardening_init); or only when free_pcppages_bulk moves it
   * from the per-cpu list to the free lists (5.10, 6.1 without DEBUG_VM: free_pcp_prepare skips
   * the check, bulkfree_pcp_prepare makes it).
   */
  freeCheck: 'at-free' | 'pcp-drain';
  /**
   * Freeing a page that is still free (the head of a free block): __free_pages_prepare resets
   * its page type before the check (7.2: page_has_type → page_type = UINT_MAX), so nothing is
   * reported; before, PageBuddy's type overlays _mapcount and the check fails on it ("nonzero
   * mapcount", bad_page clears PageBuddy).
   */
  freeResetsPageType: boolean;
  /**
   * When a zone with no pages on its LRU lists (early boot: no page cache yet, no swap) counts in
   * allow_direct_reclaim (mm/vmscan.c), so that throttle_direct_reclaim makes a task that is not a
   * kernel thread (init, running the initcalls) wait for kswapd once the zone's free pages are at
   * or below half its min watermark: never (5.10: zone_reclaimable_pages counts LRU pages only),
   * while it has free pages (6.1, 6.12: zone_reclaimable_pages falls back to NR_FREE_PAGES), or
   * once it has none (7.2: allow_direct_reclaim skips it only while it has free pages).
   */
  throttleEmptyZone: 'never' | 'with-free-pages' | 'without-free-pages';
  /**
   * The page allocations of a boot's initcalls larger than a page that a layout can starve:
   * 7.2's bio_integrity_initfn (block/bio-integrity.c, a subsys_initcall) fills a mempool with
   * BIO_POOL_SIZE (2) GFP_KERNEL blocks of get_order(BLK_INTEGRITY_MAX_SIZE) (SZ_2M:
   * mempool_init_page_pool) and panics "bio: can't create integrity buf pool" without them; a
   * costly order, so no OOM killer, only compaction, which finds nothing movable to move that
   * early. Before 7.2 the pool is a slab cache's (bioset_integrity_create): none.
   */
  integrityBufPool: { elements: number; bytes: bigint } | 'none';
  /**
   * The function init_on_alloc zeroes a new page in (post_alloc_hook, mm/page_alloc.c), where a
   * page that is no RAM faults: kernel_init_free_pages (5.10), kernel_init_pages (6.1, 6.12),
   * clear_highpages_kasan_tagged (7.2).
   */
  initOnAllocFn: string;
}

/** The series' arch/arm64 code and the generic code it calls on arm64. */
export interface Arm64Series {
  /**
   * map_mem (arch/arm64/mm/mmu.c) rounds each memory range it maps inward to whole pages (start up,
   * end down, skipping what is left empty), so a page only partly no-map is left out of the linear
   * map (6.12.117's "mm: fix accidental linear mapping of no-map reserved memory"); before, the
   * mapping rounds outward and maps it.
   */
  mapMemRoundsInward: boolean;
  /**
   * asm/memory.h raises INIT_MEMBLOCK_MEMORY_REGIONS to INIT_MEMBLOCK_REGIONS * 8 with CONFIG_EFI
   * (6.1+; 5.10 raises only the reserved array's).
   */
  efiMemoryRegions: boolean;
  /**
   * Who reserves `crashkernel=`: 6.12's reserve_crashkernel_generic (kernel/crash_reserve.c, via
   * arch_reserve_crashkernel), 6.1's own reserve_crashkernel in arch/arm64/mm/init.c, or 5.10's
   * (memblock_find_in_range below arm64_dma_phys_limit + memblock_reserve; `@base` checked, not allocated).
   */
  crashkernel: 'generic' | 'arm64' | 'arm64-find-in-range';
  /**
   * 5.10 and 6.1 defer their own reserve_crashkernel to bootmem_init only when ZONE_DMA or
   * ZONE_DMA32 is built (6.1 arch/arm64/include/asm/memory.h defer_reserve_crashkernel; 5.10 tests
   * the two options in arch/arm64/mm/init.c): without either it runs at the end of
   * arm64_memblock_init, below arm64_dma_phys_limit's PHYS_MASK + 1. The same test decides map_mem's
   * crash_mem_map, set by any `crashkernel` parameter on a KEXEC_CORE build (arch/arm64/mm/mmu.c):
   * with a zone the whole linear map is mapped page by page, without one the reserved region alone
   * is, after the rest. 6.12+ reserve it in bootmem_init whatever the zones, and map_mem has no
   * crash_mem_map.
   */
  crashkernelDeferredByZones: boolean;
  /**
   * map_mem's linear alias of the kernel may use block mappings (6.12 and before: NO_CONT_MAPPINGS
   * only), or gets the flags of the rest of memory (7.2: NO_BLOCK_MAPPINGS with rodata=full).
   */
  linearAliasBlocks: boolean;
  /**
   * arm64_memblock_init warns "Memory doesn't fit in the linear mapping, VA_BITS too small" before
   * it drops the RAM past the linear region (6.1 and later); 5.10 drops it without a word.
   */
  linearMapFitWarning: boolean;
  /**
   * Where sparse_init() runs: in bootmem_init before the CMA area and crashkernel (up to 6.12), or
   * later, from free_area_init (7.2 mm/mm_init.c), after setup_arch.
   */
  sparseInit: 'bootmem-init' | 'free-area-init';
  /**
   * How sparse_init backs the memmap. 'buffer' (up to 6.12): the usemap in NODE_DATA's section
   * (sparse_early_usemaps_alloc_pgdat_section, CONFIG_MEMORY_HOTREMOVE), every section's memmap
   * carved from one sparse buffer (sparse_buffer_init: memmap_alloc, exact node), the vmemmap tables
   * and fallbacks by __earlyonly_bootmem_alloc. 'memmap-alloc' (7.2 mm/sparse.c sparse_init_nid):
   * the usemap anywhere on the node (sparse_usage_init: memblock_alloc_node), no buffer — each vmemmap
   * table and block is its own memmap_alloc (mm/mm_init.c) below MEMBLOCK_ALLOC_NOLEAKTRACE.
   */
  sparseMemmap: 'buffer' | 'memmap-alloc';
  /**
   * With 4 KiB pages vmemmap_populate backs the memmap with PMD blocks. When memblock has no block
   * for one, 6.1 and later map that PMD's range with base pages instead (arch/arm64/mm/mmu.c, then
   * mm/sparse-vmemmap.c vmemmap_populate_hugepages → vmemmap_populate_basepages: a PTE table and a
   * page per 4 KiB); 5.10 returns -ENOMEM and sparse_init_nid gives the section up.
   */
  vmemmapBasePagesFallback: boolean;
  /**
   * Where the vmemmap and the fixmap sit at the top of the kernel's VA space
   * (arch/arm64/include/asm/memory.h), which decides how many page tables vmemmap_populate
   * allocates: the fixmap's are static (bm_pud, bm_pmd, bm_pte in the image), so a vmemmap range
   * that shares a table with the fixmap allocates none for it.
   * - 'below-pci-io' (5.10): VMEMMAP_START = -VMEMMAP_SIZE - SZ_2M, and below it 2 MiB, PCI I/O
   *   (16 MiB), 2 MiB, then FIXADDR_TOP.
   * - 'va-bits' (6.1): VMEMMAP_START = -(1 << (VA_BITS - VMEMMAP_SHIFT)), FIXADDR_TOP 32 MiB below it.
   * - 'below-1g' (6.12, 7.2): VMEMMAP_END = -SZ_1G, VMEMMAP_START = VMEMMAP_END - VMEMMAP_SIZE,
   *   FIXADDR_TOP = -SZ_8M.
   */
  vmemmapLayout: 'below-pci-io' | 'va-bits' | 'below-1g';
  /** SECTION_SIZE_BITS (arch/arm64/include/asm/sparsemem.h) for a page size: 30 on 5.10; 27, or 29 with 64K pages, from 5.12 on. */
  sectionSizeBits(pageSize: number): number;
  /** early_param()s of the series' arm64 code beyond the arch layer's list. */
  earlyParams: string[];
  /**
   * What a KASLR boot (a kaslr-seed in /chosen, else the CPU's RNDR; no `nokaslr`) moves besides the
   * image's virtual address, which moves in every series (arch/arm64/kernel/kaslr.c on 5.10,
   * pi/kaslr_early.c from 6.1; the image's physical place is the loader's, or the EFI stub's). Up to
   * 6.12 arm64_memblock_init (arch/arm64/mm/init.c) also lowers memstart_addr by a random multiple of
   * ARM64_MEMSTART_ALIGN (memstart_offset_seed) when the linear region is larger than the RAM's span
   * by that much (`memory-span`, 5.10), or than the CPU's physical address range (`pa-range`, 6.1 and
   * 6.12: never on QEMU's -cpu max, whose PARange fills it); 7.2 randomises no linear map (`none`).
   * The linear map's and vmemmap's tables then cover other VA boundaries: a table page more or less.
   */
  kaslrLinearMap: 'memory-span' | 'pa-range' | 'none';
  /**
   * arch/arm64/kernel/smp.c smp_init_cpus: 7.2 marks no secondary CPU possible when setup_max_cpus
   * is 0 (nosmp, maxcpus=0); before, those only kept them from being brought up (smp_prepare_cpus).
   */
  smpInitCpusNosmp: boolean;
  /**
   * zone_sizes_init's ZONE_DMA limit (arm64_dma_phys_limit, the default CMA area's and
   * crashkernel's low ceiling, on a build with ZONE_DMA: Arm64Config.zoneDma): 5.10 and 6.1 round the DT's dma-ranges limit to a bit count
   * (zone_dma_bits = min3(32, fls64(dt), fls64(acpi))), 6.12 keeps the address (zone_dma_limit).
   */
  dmaZone: 'bits' | 'limit';
  /**
   * arm64_memblock_init reserves the kernel from `_text` (6.12) or from `_stext` (6.1), which sits
   * 64 KiB (SEGMENT_ALIGN) past `_text`: the offset of that start from `_text`.
   */
  reserveStartOffset: bigint;
  /** paging_init frees the boot page tables, memblock_phys_free(init_pg_dir, init_pg_end - init_pg_dir) (arch/arm64/mm/mmu.c; gone by 6.12). */
  freesInitPgDir: boolean;
  /**
   * paging_init's map_kernel maps the image's five segments into the new swapper_pg_dir with
   * early_pgtable_alloc's tables (arch/arm64/mm/mmu.c map_kernel_segment, 5.10 and 6.1; from 6.10
   * the image is mapped before start_kernel, without memblock): the text from `_text` (5.10) or
   * `_stext` (6.1). Absent: not in paging_init.
   */
  mapKernel?: { textFrom: '_text' | '_stext' };
  /**
   * CONFIG_SPARSEMEM_VMEMMAP: arch/arm64/Kconfig selects it from 5.12 on ('selected'); 5.10 leaves
   * it to the config ('config': a build may have classic SPARSEMEM).
   */
  sparsememVmemmap: 'selected' | 'config';
  /**
   * rodata_full is on whatever the config (arch/arm64/mm/pageattr.c `rodata_full = true`, 7.x);
   * before, it follows CONFIG_RODATA_FULL_DEFAULT_ENABLED. It makes map_mem map page by page.
   */
  rodataFullAlways: boolean;
  /**
   * `arm64.nolva` on the command line (arch/arm64/kernel/pi/idreg-override.c; 6.12 has it, 6.1 not) hides
   * FEAT_LVA and, with CONFIG_ARM64_LPA2, FEAT_LPA2: a 52-bit build then runs with VA_BITS_MIN.
   */
  nolva: boolean;
  /**
   * How arm64_memblock_init gives the initrd back to memblock before reserving it: 5.10 removes
   * and re-adds the range to clear its MEMBLOCK_ flags (`memblock_remove(base, size)` then
   * `memblock_add`, both traced); 6.1+ adds it and clears MEMBLOCK_NOMAP (`memblock_clear_nomap`,
   * untraced).
   */
  initrdReAdd: 'remove-add' | 'add-clear-nomap';
  /**
   * paging_init's page tables beyond the linear map's own and map_kernel's, before map_mem. Fitted:
   * constant over every lab RAM size and layout of the series and the own builds
   * (data/lab/<series>-arm64*.jsonl.gz and data/lab/own, early_pgtable_alloc lines).
   */
  pgtable: { extraBefore: number };
  /**
   * 6.1 paging_init's create_idmap, once init_pg_dir is freed (arch/arm64/mm/mmu.c): the ID map of
   * __idmap_text_start..__idmap_text_end (and with CONFIG_UNMAP_KERNEL_AT_EL0 of
   * __idmap_kpti_flag) into idmap_pg_dir with early_pgtable_alloc's tables. 5.10 builds the ID map
   * in head.S; 6.12+ maps it into static idmap_ptes/kpti_ptes: no memblock allocation.
   */
  createIdmap?: true;
  /**
   * sizeof(struct device_node), sizeof(struct property) in the series' include/linux/of.h on
   * arm64, fitted over the lab's DTBs (the early_init_dt_alloc_memory_arch allocation of
   * unflatten_device_tree in data/lab/<series>-arm64*.jsonl.gz), without CONFIG_OF_DYNAMIC's
   * `unsigned long _flags` in struct property, which the build adds (BuildConfig.ofDynamic).
   */
  unflatten: { deviceNodeSize: number; propertySize: number };
  /**
   * mem_init's swiotlb_init (kernel/dma/swiotlb.c), only when memory reaches past
   * arm64_dma_phys_limit: 5.10's swiotlb_init + swiotlb_init_with_tbl, 6.1's swiotlb_init_remap
   * (slots and areas); from 6.5 (DMA_BOUNCE_UNALIGNED_KMALLOC) always, 1 MiB per GiB otherwise.
   */
  swiotlb: 'swiotlb-init' | 'remap' | 'remap-kmalloc-bounce';
  /**
   * arch_numa_init's dummy node: the distance-table dance (numa_alloc_distance /
   * numa_free_distance: 6.1 memblock_alloc's the table, 5.10 memblock_find_in_range's it below
   * PFN_PHYS(max_pfn) and memblock_reserve's it; 6.12 has none), the cpumask allocation (6.12), whether the regions reserved by then get
   * the node id (6.12 mm/numa_memblks.c numa_clear_kernel_node_hotplug, which stops them merging
   * with later ones), and the format of the NODE_DATA line (without its `[mem ...]` range; `%d`: the node).
   */
  numa: {
    /**
     * Where numa_init lives and so how it treats the tree's ranges and what it prints:
     * `arm64-numa` (5.10 arch/arm64/mm/numa.c, ranges as %#010Lx), `arch-numa` (6.1
     * drivers/base/arch_numa.c, %pap), both applying each range with memblock_set_node at once and
     * printing NODE_DATA lines under "NUMA: "; `numa-memblks` (6.12+ mm/numa_memblks.c: ranges
     * gathered, cleaned and applied; alloc_node_data in mm/numa.c prints without that prefix).
     */
    core: 'arm64-numa' | 'arch-numa' | 'numa-memblks';
    distanceAlloc: 'none' | 'memblock-alloc' | 'find-in-range';
    /**
     * With CONFIG_CPUMASK_OFFSTACK setup_node_to_cpumask_map's alloc_bootmem_cpumask_var takes
     * cpumask_size() bytes per node from memblock (lib/cpumask.c): whole longs of nr_cpumask_bits,
     * nr_cpu_ids (5.10, 6.1 include/linux/cpumask.h), or of large_cpumask_bits (6.12+: NR_CPUS up to
     * four longs, else nr_cpu_ids) — NR_CPUS at that point unless nr_cpus= lowered it.
     */
    cpumaskBits: 'nr-cpu-ids' | 'large-cpumask-bits';
    reservedNid: boolean;
    nodeDataMessage: string;
  };
  /**
   * `%pS` of the memblock_free calls of pcpu_embed_first_chunk (mm/percpu.c): the unit's unused
   * tail, the alloc info, the areas array. 6.1 inlines memblock_free into its callers.
   */
  pcpuFreeCallers: { unitTail: string; allocInfo: string; areas: string };
}

/**
 * The `%pS` of each memblock call of setup_per_cpu_areas → pcpu_embed_first_chunk (mm/percpu.c), in
 * its order: the alloc info (pcpu_alloc_alloc_info), the areas array, the first chunk's unit
 * (pcpu_fc_alloc) and the free of its unused tail, pcpu_setup_first_chunk's and
 * pcpu_alloc_first_chunk's allocations, then the frees of the alloc info and the areas array.
 */
export interface PcpuCallers {
  allocInfo: string;
  areas: string;
  unit: string;
  unitTail: string;
  setup: string;
  alloc: string;
  freeAllocInfo: string;
  freeAreas: string;
}

/** The series' arch/arm code. */
export interface ArmSeries {
  /**
   * Which CMA areas dma_contiguous_remap() re-maps: 6.1 calls dma_contiguous_early_fixup() from
   * rmem_cma_setup (every CMA region that initialised) and for the default area; 6.12 from
   * __reserved_mem_reserve_reg for each static reusable shared-dma-pool `reg` and the default area.
   */
  cmaRemap: 'cma-areas' | 'static-reg' | 'cma-verified';
  /**
   * The `%pS` callers of the initrd and swapper_pg_dir reservations, the latter with 32-bit and
   * with LPAE's 64-bit phys_addr_t: 6.1+ reserve_initrd_mem (init/initramfs.c); 5.10's
   * arm_initrd_init is inlined into arm_memblock_init. arm_mm_memblock_reserve
   * (arch/arm/mm/mmu.c) ends with its memblock_reserve: up to 6.12 that call goes out of it
   * (inlined or a tail call) and prints arm_memblock_init, except on 5.10, where it stays its own
   * frame. 7.2's memblock_reserve is __memblock_reserve(base, size, nid, flags): four arguments fit
   * r0-r3 with a 32-bit phys_addr_t (a tail call, arm_memblock_init), but not with LPAE's two
   * 64-bit ones (AAPCS puts nid and flags on the stack: no tail call, arm_mm_memblock_reserve).
   */
  reserveCallers: { initrd: string; pgdir: string; pgdirLpae: string };
  /**
   * How the generic setup_per_cpu_areas reaches memblock on arm (mm/percpu.c), as a memblock=debug
   * boot whose console keeps the whole trace (log_buf_len=4M, no earlycon) shows it: `callbacks`,
   * 5.10's pcpu_embed_first_chunk calling the pcpu_dfl_fc_alloc/pcpu_dfl_fc_free it is handed
   * (5.17 dropped them), its memblock_alloc()s printed from the out-of-line memblock_alloc;
   * `inlined`, 6.1+'s pcpu_fc_alloc/pcpu_fc_free and pcpu_build_alloc_info inlined into
   * pcpu_embed_first_chunk.
   */
  pcpuEmbed: 'callbacks' | 'inlined';
  /**
   * alloc_node_mem_map's allocation of FLATMEM's mem_map: 5.10's memblock_alloc_node (zeroed,
   * mm/page_alloc.c), 6.1 and later memmap_alloc's memblock_alloc_try_nid_raw (mm/mm_init.c).
   */
  memmapAlloc: 'memblock_alloc_try_nid' | 'memblock_alloc_try_nid_raw';
  /**
   * Where free_area_init (and so alloc_node_mem_map) runs: from arm's bootmem_init at the end of
   * paging_init (up to 6.12), or from start_kernel's mm_core_init_early right after setup_arch
   * (7.2, mm/mm_init.c), below setup_arch's later allocations.
   */
  freeAreaInit: 'bootmem_init' | 'mm_core_init_early';
  /** paging_init early_alloc()s the zero page (up to 6.12); 7.2's empty_zero_page is static (mm/mm_init.c). */
  zeroPageEarlyAlloc: boolean;
  /**
   * map_lowmem cuts the kernel's sections [kernel_sec_start, kernel_sec_end) out of each memory
   * range by cases, leaving them to map_kernel (5.14 and later; 5.10 maps the kernel inside
   * map_lowmem, split at kernel_x_start/kernel_x_end).
   */
  mapLowmemKernelCases: boolean;
  /**
   * __do_kernel_fault (arch/arm/mm/fault.c) ends its "Unable to handle kernel … at virtual
   * address %08lx" line with " when read/write/execute" (6.2 and later).
   */
  faultSaysAccess: boolean;
  /**
   * mm/cma.c cma_activate_area over pages mem_map does not hold (an area reaching past the end of
   * RAM, FLATMEM): `per-pageblock` (5.10) compares each page's zone with the first page's a
   * pageblock at a time and stops at the first mismatch, "CMA area %s could not be activated", the
   * pageblocks before it activated and nothing given back; `check-all` (6.1, 6.12) checks every
   * page first and frees them all on a mismatch; `zone-spans` (7.2) compares zone spans, reading no
   * struct page.
   */
  cmaActivate: 'per-pageblock' | 'check-all' | 'zone-spans';
  /**
   * arch/arm/mm/init.c pfn_valid: memblock maps the page (memblock_is_map_memory, 5.10), or its
   * pageblock overlaps memblock.memory (6.1+, memblock_overlaps_region). memmap_init gives the
   * pages of a hole between memory ranges a struct page only where pfn_valid says so of their
   * pageblock's first page (init_unavailable_range), and 5.10 only zeroes it (mm_zero_struct_page),
   * which free_pages_prepare rejects (bad_page, "nonzero mapcount").
   */
  pfnValid: 'map-memory' | 'pageblock-overlaps-memory';
  /**
   * NR_PAGEBLOCK_BITS (include/linux/pageblock-flags.h): the bits setup_usemap keeps per pageblock
   * — 4 up to 6.12; 7.2 rounds its five (PB_migrate_isolate with CONFIG_MEMORY_ISOLATION, which
   * CMA selects) up to a power of two, 8.
   */
  pageblockBits: number;
  /**
   * sizeof(struct device_node) and sizeof(struct property) with 32-bit pointers, for
   * unflatten_device_tree's one allocation (drivers/of/fdt.c): measured, the same on armmp and
   * armmp-lpae — the early_init_dt_alloc_memory_arch line of a memblock=debug boot whose trace the
   * console keeps whole (log_buf_len=4M, no earlycon) of the lab's case bf0c7fb56733173a on 128 MiB,
   * against the size its tree gives (unflattenSize, QEMU's three /chosen additions): 5.10 19064 bytes,
   * 6.1 21352, 6.12 and 7.2 23608; within 60-200 and 20-80 bytes one pair fits each. Without
   * CONFIG_OF_DYNAMIC's `_flags` in struct property (Debian sets it from 6.12 on; the build adds it:
   * an own 6.12 build without it allocates 4 bytes less per property).
   */
  unflatten: { deviceNodeSize: number; propertySize: number };
}

export interface KernelSeries {
  /** The series as kernel ids spell it: `5.10`, `6.1`, `6.12`, `7.2`. */
  name: string;
  /**
   * What CONFIG_ARCH_FORCE_MAX_ORDER means (include/linux/mmzone.h): 6.1's MAX_ORDER is a count
   * (orders 0..MAX_ORDER-1), 6.12's MAX_PAGE_ORDER the largest order.
   */
  maxOrder: 'count' | 'largest';
  /**
   * The order of the CMA alignment (CMA_MIN_ALIGNMENT_BYTES = PAGE_SIZE << order): pageblock_order
   * (6.1+, include/linux/cma.h), or max(MAX_ORDER - 1, pageblock_order) (5.10 mm/cma.c, rmem_cma_setup).
   */
  cmaAlignmentOrder(pageblockOrder: number, largestOrder: number): number;
  /** MAX_CMA_AREAS from CONFIG_CMA_AREAS (include/linux/cma.h). */
  maxCmaAreas(configCmaAreas: number): number;
  /** The command-line options whose existence or checks are the series' (not the arch's). */
  params: Pick<ParamSupport, 'reserveMem' | 'reserveMemErrors' | 'crashkernelRamCheck' | 'swiotlbAreas' | 'hashdist' | 'numaFake'>;
  /**
   * init/main.c print_unknown_bootoptions (5.11 and later): `Unknown kernel command line
   * parameters "…", will be passed to user space.` from a memblock_alloc'd buffer; 5.10 passes
   * them on without a word.
   */
  printUnknownBootoptions: boolean;
  /**
   * init/do_mounts.c prepare_namespace with a bare `rootwait`, no root= and no initramfs: 5.10 and
   * 6.1 poll name_to_dev_t("") for ever (`forever`); 6.12+'s wait_for_root takes "" as device
   * number 0 from early_lookup_bdev, so it prints "Waiting for root device ..." and goes on to
   * mount_root's panic (`gives-up`).
   */
  rootwaitWithoutRoot: 'forever' | 'gives-up';
  /**
   * The names the series' sources register boot parameters under, by the System.map symbol each
   * registration leaves (./params/<series>.json, written by scripts/param-names.ts): a build's own
   * `__setup_*` and `__param_*` table entries say which are built in (../build/read.ts).
   */
  paramNames: ParamNames;
  /**
   * drivers/of/base.c of_get_next_cpu_node (for_each_of_cpu_node, which both arches' possible-CPU
   * maps walk): 6.1 and later skip a cpu node whose status is "fail" or "fail-…"
   * (__of_device_is_fail); 5.10 takes every cpu node.
   */
  ofCpuNodeSkipsFail: boolean;
  /**
   * include/linux/percpu.h: the config options that grow the first per-cpu chunk's unit.
   * `dynamicSizeShift` raises PERCPU_DYNAMIC_SIZE_SHIFT from 10 to 12 (13 with LOCKDEP on pages
   * over 4 KiB): 6.12's RANDOM_KMALLOC_CACHES, which 7.2 calls KMALLOC_PARTITION_CACHES; 5.10 and
   * 6.1 have a fixed shift. `moduleReserve` makes PERCPU_MODULE_RESERVE 8 << 13 with MODULES:
   * 6.12's MEM_ALLOC_PROFILING; 5.10, 6.1 and 7.2 keep 8 << 10 whatever the config.
   */
  percpuConfig: { dynamicSizeShift?: string; moduleReserve?: string };
  /**
   * init/initramfs.c populate_rootfs: 5.13 and later unpack the initramfs in an async worker
   * (do_populate_rootfs, async_schedule_domain; initramfs_async=1 by default) that kernel_init
   * waits for (wait_for_initramfs); 5.10 unpacks it in the rootfs_initcall itself, in kernel_init.
   */
  initramfsAsync: boolean;
  /**
   * kernel/printk/printk.c setup_log_buf (start_kernel, before vfs_caches_init_early): 7.2 prints
   * what the log buffer takes, print_log_buf_usage_stats ("log buffer data + meta data: …"), on
   * every boot; earlier series print only `log_buf_len: N bytes`, once log_buf_len= (or many CPUs)
   * made a bigger buffer.
   */
  printkUsageStats: boolean;
  pageAlloc: PageAllocBehaviour;
  /**
   * kernel/fork.c set_max_threads (fork_init, start_kernel after mm_core_init): max_threads from
   * the page allocator's managed pages (`totalram`, 5.10 and 6.1 totalram_pages()) or from
   * memblock_estimated_nr_free_pages(): memblock.memory's size less all of memblock.reserved's,
   * reserved ranges outside memory included (6.12), or less only what memblock's own allocations
   * reserved (`memblock-estimate-kern`, 7.2: memblock_reserved_kern_size, MEMBLOCK_RSRV_KERN
   * regions; a static reserved-memory region does not count).
   */
  maxThreadsFrom: 'totalram' | 'memblock-estimate' | 'memblock-estimate-kern';
  memblock: MemblockBehaviour;
  rmem: RmemBehaviour;
  cma: CmaBehaviour;
  arm64: Arm64Series;
  arm: ArmSeries;
  /**
   * What the series' stable point releases changed in the code modelled, oldest first (index.ts
   * seriesForVersion applies each one a build's release has reached).
   */
  pointReleases?: readonly PointRelease[];
  /** The point releases applied to this series (set by seriesForVersion, for provenance). */
  applied?: readonly PointRelease[];
}

/**
 * A change a stable point release brought into a series (Linux's ChangeLog-<release>, which
 * Debian's linux-source changelog lists commit by commit): from `release` on, these knobs replace
 * the series' own.
 */
export interface PointRelease {
  /** The first release with the change, e.g. `6.12.103`. */
  release: string;
  /** The stable commits, by their titles. */
  change: string;
  rmem?: Partial<RmemBehaviour>;
  arm64?: Partial<Arm64Series>;
}

/** A series' boot-parameter registrations (scripts/param-names.ts reads them from its sources). */
export interface ParamNames {
  /**
   * `__setup_<id>` → the strings registered under that id (include/linux/init.h __setup_param):
   * `__setup("str", fn)` as `str` (`refuses:str` when every return of fn is 0: the word goes on to
   * init all the same), `early_param("str", fn)` as `early:str`; an id two files use may have two.
   */
  setup: Record<string, string[]>;
  /** core_param() names: `kernel_param`s without a module prefix, entries `__param_<name>`. */
  core: string[];
  /** fs/proc/proc_sysctl.c sysctl_aliases[] (6.1+): names unknown_bootoption takes as sysctls. */
  sysctlAliases: string[];
}
