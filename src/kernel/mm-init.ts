// mm/mm_init.c (5.10 and 6.1: mm/page_alloc.c): what the page allocator starts with — the page
// counts free_area_init keeps for alloc_large_system_hash, start_kernel's early hash tables
// (vfs_caches_init_early), arm's page_ext (mm/page_ext.c), mem_init's swiotlb buffer
// (kernel/dma/swiotlb.c) and what memblock_free_all (and arm's free_highpages) hands over, with
// the numbers of mem_init_print_info's "Memory:" line.
import { BootPanic, touch, type BootState } from './boot-state.js';
import { hex, MEMBLOCK_ALLOC_ACCESSIBLE, roundUp, roundupPow2 } from './memblock.js';
import { largestOrder } from './page-alloc.js';
import {
  IO_TLB_DEFAULT_SLABS,
  IO_TLB_SEGSIZE,
  IO_TLB_SHIFT,
  swiotlbAdjustNareas,
  swiotlbRoundUpDefaultNslabs,
  type SwiotlbCmdline,
} from './cmdline.js';

/** What the page allocator was given, in pages (BootResult.pageAlloc). */
export interface PageAllocStart {
  /**
   * Lowmem pages memblock_free_all handed to the buddy allocator (its free ranges,
   * PFN_UP..PFN_DOWN, below max_low_pfn): all of them on arm64; on arm what GFP_KERNEL can use.
   */
  freed: bigint;
  /**
   * arm: the highmem pages (max_low_pfn and up) of the same free ranges, handed over by mem_init's
   * free_highpages (arch/arm/mm/init.c, up to 6.12) or by memblock_free_all itself (7.2, whose
   * __free_memory_core clamps to max_low_pfn only without CONFIG_HIGHMEM). 0 on arm64.
   */
  highPages: bigint;
  /**
   * Of those, the pages free when mem_init_print_info runs right after memblock_free_all (5.10,
   * 6.1): with CONFIG_DEFERRED_STRUCT_PAGE_INIT the struct pages from `first_deferred_pfn` on are
   * not initialised yet and memblock_free_pages skips them (they come later, page_alloc_init_late).
   * Highmem pages included (arm: free_highpages runs before the line is printed).
   */
  freedBeforeDeferred: bigint;
  /**
   * The struct pages memblock_free_pages skips, per node: [first_deferred_pfn, the node's end)
   * (pfns; none without deferral).
   */
  deferredPfns?: [bigint, bigint][];
  /** get_num_physpages(): the present pages of every node (memblock.memory, no-map included). */
  physPages: bigint;
  /** totalcma_pages: every CMA area's pages (cma_init_reserved_mem). */
  cmaPages: bigint;
  /**
   * memblock_estimated_nr_free_pages(): PHYS_PFN(memblock_phys_mem_size() less what is reserved,
   * by the series' KernelSeries.maxThreadsFrom) in phys_addr_t arithmetic: on 6.12 reserved ranges
   * outside memory (a static region beyond RAM or beyond mem=) count, and more reserved than
   * memory wraps around.
   */
  estimatedFreePages: bigint;
  pageSize: bigint;
  /**
   * The series' integrityBufPool (7.2): the order its blocks have, and how many blocks of that
   * order GFP_KERNEL's zone has free once the deferred struct pages are freed too (page-alloc.ts
   * highOrderBlocks), before the boot's own allocations take their share.
   */
  highOrder?: { order: number; blocks: number };
}

const pfnUp = (x: bigint, ps: bigint) => (x + ps - 1n) / ps;

/** for_each_mem_pfn_range (PFN_UP(base)..PFN_DOWN(end) of every memory region, no-map included), clipped to [lo, hi) pfns. */
function* memPfnRanges(st: BootState, lo: bigint, hi: bigint, nid?: number): Generator<[bigint, bigint]> {
  const mb = st.ctx.memblock;
  const ps = mb.pageSize;
  for (const r of mb.memory.regions) {
    if (nid !== undefined && mb.nodeOf(r) !== nid) continue;
    const a = pfnUp(r.base, ps);
    const b = (r.base + r.size) / ps;
    if ((b < hi ? b : hi) > (a > lo ? a : lo)) yield [a > lo ? a : lo, b < hi ? b : hi];
  }
}

/** Present pages in [lo, hi) pfns. */
function presentPages(st: BootState, lo: bigint, hi: bigint): bigint {
  let n = 0n;
  for (const [a, b] of memPfnRanges(st, lo, hi)) n += b - a;
  return n;
}

/**
 * free_area_init's nr_kernel_pages and nr_all_pages: the same count on arm64, where no zone is
 * highmem; on arm nr_kernel_pages leaves ZONE_HIGHMEM out. 6.12+ calc_nr_kernel_pages: memblock's
 * free pages at that moment, clamped below the highmem zone for nr_kernel_pages. 5.10/6.1
 * free_area_init_core: per zone its present pages less calc_memmap_size's estimate of their
 * struct pages.
 */
export function calcNrKernelPages(st: BootState): void {
  const mb = st.ctx.memblock;
  const ps = mb.pageSize;
  const zones = st.result.zones ?? [];
  // arch_zone_lowest_possible_pfn[ZONE_HIGHMEM]
  const high = zones.find((z) => z.name === 'HighMem');
  const highLow = high ? high.base / ps : undefined;
  let kernel = 0n;
  let all = 0n;
  if (st.ctx.profile.series.pageAlloc.nrKernelPages === 'free-ranges') {
    for (const [s, e] of mb.freeRanges()) {
      const a = pfnUp(s, ps);
      const b = e / ps;
      if (b <= a) continue;
      all += b - a;
      const clamp = (x: bigint) => (highLow !== undefined && x > highLow ? highLow : x);
      kernel += clamp(b) - clamp(a);
    }
  } else {
    // arm64 is SPARSEMEM (sparse.ts), arm FLATMEM (arch/arm/init.ts alloc_node_mem_map)
    const sparse = st.ctx.profile.arm64?.sparse;
    const structPage = sparse?.structPageSize ?? st.ctx.profile.arm?.structPageSize ?? 32n;
    for (const z of zones) {
      const lo = z.base / ps;
      const spanned = z.size / ps;
      const present = presentPages(st, lo, lo + spanned);
      // calc_memmap_size: with SPARSEMEM a zone with holes counts its present pages only; FLATMEM's
      // mem_map spans the holes too (the lab's 5.10/6.1 armmp boots in three mem= banks: seed 49)
      const pages = sparse && spanned > present + (present >> 4n) ? present : spanned;
      const memmap = pfnUp(pages * structPage, ps);
      const free = present >= memmap ? present - memmap : present;
      all += free;
      if (z.name !== 'HighMem') kernel += free;
      // free_area_init_core: "Charge for highmem memmap if there are enough kernel pages"
      else if (kernel > memmap * 2n) kernel -= memmap;
    }
  }
  st.nrKernelPages = kernel;
  st.nrAllPages = all;
  st.physPages = presentPages(st, 0n, mb.mask / ps + 1n);
}

const log2 = (x: bigint) => BigInt(x.toString(2).length - 1);

/**
 * alloc_large_system_hash with HASH_EARLY | HASH_ZERO: one bucket per 2^scale bytes of
 * nr_kernel_pages (rounded up to a MiB; on 64-bit one more scale step per 4x beyond 64 GiB), a
 * power of two, at most 1/16 of nr_all_pages; memblock_alloc(size, SMP_CACHE_BYTES), halved
 * until it fits, and zeroed where it lands.
 */
function allocLargeSystemHash(st: BootState, name: string, bucketSize: bigint, scale: number, lowLimit: bigint): void {
  const mb = st.ctx.memblock;
  const ps = mb.pageSize;
  const pageShift = log2(ps);
  const pages = st.nrKernelPages ?? 0n;
  let numentries = pages;
  const mbPages = (1n << 20n) / ps;
  numentries = ((numentries + mbPages - 1n) / mbPages) * mbPages;
  let s = BigInt(scale);
  // ADAPT_SCALE_BASE (64 GiB) >> PAGE_SHIFT, ADAPT_SCALE_SHIFT 2 (__BITS_PER_LONG > 32 only)
  if (st.ctx.profile.arch === 'arm64') for (let adapt = (64n << 30n) / ps; adapt < numentries; adapt <<= 2n) s++;
  numentries = s > pageShift ? numentries >> (s - pageShift) : numentries << (pageShift - s);
  if (numentries * bucketSize < ps) numentries = ps / bucketSize;
  numentries = roundupPow2(numentries);
  let max = (((st.nrAllPages ?? pages) * ps) >> 4n) / bucketSize;
  if (max > 0x8000_0000n) max = 0x8000_0000n;
  if (numentries < lowLimit) numentries = lowLimit;
  if (numentries > max) numentries = max;
  let log2qty = log2(numentries);
  for (;;) {
    const size = bucketSize << log2qty;
    const table = mb.alloc(size, BigInt(st.ctx.profile.smpCacheBytes), 'alloc_large_system_hash');
    if (table) {
      // memblock_alloc zeroes the table through the linear map: memory no-map when paging_init
      // built it (a failed no-map region whose NOMAP 6.12+ cleared) faults there (boot-state.ts touch)
      touch(st, table, size, 'alloc_large_system_hash');
      return;
    }
    if (size <= ps || --log2qty === 0n) break;
  }
  const msg = `Failed to allocate ${name} hash table`;
  throw new BootPanic(
    msg,
    [`Kernel panic - not syncing: ${msg}`],
    'alloc_large_system_hash',
    `memblock has no ${hex(ps)} left for the ${name} hash table (start_kernel → vfs_caches_init_early), even halved down to one page`,
  );
}

/**
 * start_kernel → vfs_caches_init_early (fs/dcache.c, fs/inode.c): with one node with memory
 * fixup_hashdist (5.10, 6.1: page_alloc_init) clears hashdist (32-bit: never set), so the dentry
 * and inode hash tables come from memblock, a pointer per bucket (struct hlist_bl_head /
 * hlist_head); with more, dcache_init_early and inode_init_early leave them to vmalloc, later.
 */
export function vfsCachesInitEarly(st: BootState): void {
  const mb = st.ctx.memblock;
  const withMemory = new Set(mb.memory.regions.filter((r) => r.size >= mb.pageSize).map((r) => mb.nodeOf(r)));
  // HASHDIST_DEFAULT: on with CONFIG_NUMA on 64-bit; hashdist= sets it; fixup_hashdist clears it with one node
  if (st.ctx.profile.arch === 'arm64' && st.ctx.profile.numa && withMemory.size > 1 && (st.ctx.cmdline.hashdist ?? true)) return;
  const bucket = st.ctx.profile.arch === 'arm' ? 4n : 8n;
  allocLargeSystemHash(st, 'Dentry cache', bucket, 13, 2n);
  allocLargeSystemHash(st, 'Inode-cache', bucket, 14, 0n);
}

/** IO_TLB_MIN_SLABS (kernel/dma/swiotlb.c): the smallest buffer swiotlb_init halves down to, 1 MiB. */
const IO_TLB_MIN_SLABS = (1n << 20n) >> IO_TLB_SHIFT;

/**
 * sizeof(struct io_tlb_slot) and sizeof(struct io_tlb_area) (kernel/dma/swiotlb.c, 6.1+): a
 * phys_addr_t, a size_t and an int / an unsigned long, an int and a spinlock_t — on arm64, and on
 * arm with LPAE's 64-bit phys_addr_t. spinlock_t is 4 bytes, PREEMPT_RT's rt_mutex_base (a
 * raw_spinlock_t, an rb_root_cached, the owner) 32 on arm64 and 16 on arm.
 */
function ioTlbStructs(profile: { arch: 'arm64' | 'arm'; preemptRt?: boolean }): { slot: bigint; area: bigint } {
  const long = profile.arch === 'arm64' ? 8n : 4n;
  const lock = profile.preemptRt ? (profile.arch === 'arm64' ? 32n : 16n) : 4n;
  const align = lock > 4n ? long : 4n; // the lock's own alignment: its pointers', or an int's
  const head = roundUp(long + 4n, align); // used, index
  return { slot: profile.arch === 'arm64' ? 24n : 16n, area: head + lock };
}

/**
 * mem_init's swiotlb_init (kernel/dma/swiotlb.c): a bounce buffer when memory reaches past what
 * the DMA zone covers — arm64: max_pfn > PFN_DOWN(arm64_dma_phys_limit); arm with LPAE
 * (arch/arm/mm/init.c): max_pfn > arm_dma_pfn_limit — its 64 MiB default; arm64 from 6.5 on
 * (DMA_BOUNCE_UNALIGNED_KMALLOC) always, sized 1 MiB per GiB of memory otherwise
 * (swiotlb_adjust_size). The buffer comes from memblock_alloc_low (below the limit), halved while it
 * does not fit; then its slot array and its areas (one per possible CPU, rounding the slab count up
 * to a power of two: swiotlb_adjust_nareas).
 */
export function swiotlbInit(st: BootState, cpus: number): void {
  const mb = st.ctx.memblock;
  const ps = mb.pageSize;
  const arm = st.ctx.profile.arm;
  if (arm && st.ctx.profile.physAddrBits !== 64) return; // CONFIG_ARM_LPAE only
  const how = st.ctx.profile.series.arm64.swiotlb;
  const limit = arm ? arm.dmaLimit : (st.dmaPhysLimit ?? mb.endOfDram());
  const beyond = mb.endOfDram() / ps > limit / ps;
  const given = st.ctx.cmdline.swiotlb;
  const ulong = arm ? 0xffff_ffffn : (1n << 64n) - 1n;
  const pageAlign = (x: bigint) => ((x + ps - 1n) / ps) * ps;
  const low = arm ? limit : limit - 1n; // ARCH_LOW_ADDRESS_LIMIT
  // the bounce buffer of n slabs: PAGE_ALIGN of an unsigned long's n << IO_TLB_SHIFT
  const tlbBytes = (n: bigint) => pageAlign((n << IO_TLB_SHIFT) & ulong);
  if (how === 'swiotlb-init') {
    // 5.10 mem_init: swiotlb_init(1) when swiotlb=…,force or memory reaches past the DMA zone;
    // io_tlb_nslabs from swiotlb= (1 with noforce), else the default. One try, then
    // io_tlb_list (int) and io_tlb_orig_addr (phys_addr_t).
    if (!beyond && !given?.force) return;
    const nslabs = given?.nslabs || IO_TLB_DEFAULT_SLABS;
    // each memblock_alloc zeroed as it is made, through the linear map
    const bytes = tlbBytes(nslabs);
    const tlb = mb.allocTryNid(bytes, ps, 0n, low, undefined, 'swiotlb_init');
    if (!tlb) return;
    touch(st, tlb, bytes, 'swiotlb_init');
    for (const sz of [pageAlign(nslabs * 4n), pageAlign(nslabs * 8n)])
      touch(st, mb.alloc(sz, ps, 'swiotlb_init_with_tbl'), sz, 'swiotlb_init_with_tbl');
    return;
  }
  // default_nslabs and default_nareas as swiotlb= left them (cmdline.ts)
  const s: SwiotlbCmdline = given ? { ...given } : { nslabs: IO_TLB_DEFAULT_SLABS, nareas: 0n, force: false, noforce: false };
  let swiotlb = beyond;
  if (!beyond && !arm && how === 'remap-kmalloc-bounce') {
    // swiotlb_adjust_size(min(swiotlb_size_or_default(), size)), which leaves a size swiotlb= set alone
    const size = (mb.physMemSize() + 1023n) / 1024n;
    const current = (s.nslabs << IO_TLB_SHIFT) & ulong;
    const want = size < current ? size : current;
    if (s.nslabs === IO_TLB_DEFAULT_SLABS) {
      const aligned = (want + (1n << IO_TLB_SHIFT) - 1n) >> IO_TLB_SHIFT;
      s.nslabs = ((aligned + IO_TLB_SEGSIZE - 1n) / IO_TLB_SEGSIZE) * IO_TLB_SEGSIZE;
      swiotlbRoundUpDefaultNslabs(s);
    }
    swiotlb = true;
  }
  // swiotlb_init_remap: nothing without an addressing limit or force, nothing with noforce
  if ((!swiotlb && !s.force) || s.noforce) return;
  if (!s.nareas) swiotlbAdjustNareas(s, BigInt(cpus > 0 ? cpus : 1));
  let nslabs = s.nslabs;
  let nareas = s.nareas;
  // limit_nareas: no more areas than segments
  const limitAreas = () => {
    if (nslabs < nareas * IO_TLB_SEGSIZE) nareas = nslabs / IO_TLB_SEGSIZE;
  };
  limitAreas();
  let tlb: bigint;
  while (!(tlb = mb.allocTryNid(tlbBytes(nslabs), ps, 0n, low, undefined, 'swiotlb_init_remap'))) {
    if (nslabs <= IO_TLB_MIN_SLABS) return;
    nslabs = (((nslabs >> 1n) + IO_TLB_SEGSIZE - 1n) / IO_TLB_SEGSIZE) * IO_TLB_SEGSIZE;
    limitAreas();
  }
  // swiotlb_memblock_alloc's memblock_alloc(_low) and the two after it zero what they get
  touch(st, tlb, tlbBytes(nslabs), 'swiotlb_init_remap');
  const sizes = ioTlbStructs(st.ctx.profile);
  const slots = pageAlign(nslabs * sizes.slot);
  touch(st, mb.alloc(slots, ps, 'swiotlb_init_remap'), slots, 'swiotlb_init_remap');
  touch(
    st,
    mb.alloc(sizes.area * nareas, BigInt(st.ctx.profile.smpCacheBytes), 'swiotlb_init_remap'),
    sizes.area * nareas,
    'swiotlb_init_remap',
  );
}

/** sizeof(struct page_ext) on 32-bit: its flags word; the page_idle client adds nothing to it. */
const PAGE_EXT_SIZE = 4n;

/**
 * mm_core_init → page_ext_init_flatmem (mm/page_ext.c), on arm builds that need page_ext by
 * default (ArmLayout.pageExt, read from the build's config): one struct page_ext per spanned page of the node, and
 * MAX_ORDER_NR_PAGES more when the node is not aligned to it, from memblock_alloc_try_nid(size,
 * PAGE_SIZE, __pa(MAX_DMA_ADDRESS), MEMBLOCK_ALLOC_ACCESSIBLE, nid) — __pa(0xffffffff) lies past
 * lowmem, so memblock_alloc_try_nid retries from 0.
 */
export function pageExtInitFlatmem(st: BootState): void {
  const p = st.ctx.profile;
  if (!p.arm?.pageExt) return;
  const mb = st.ctx.memblock;
  const ps = mb.pageSize;
  const start = (mb.startOfDram() + ps - 1n) / ps;
  const end = mb.endOfDram() / ps;
  if (end <= start) return;
  const nr = 1n << BigInt(largestOrder(p)); // MAX_ORDER_NR_PAGES
  const pages = end - start + (start % nr || end % nr ? nr : 0n);
  const minAddr = (0xffff_ffffn - p.arm.pageOffset + st.layout.memory[0]!.base) & mb.mask;
  mb.allocTryNid(pages * PAGE_EXT_SIZE, ps, minAddr, MEMBLOCK_ALLOC_ACCESSIBLE, 0, 'page_ext_init_flatmem');
}

/**
 * memblock_free_all's hand-over (free_low_memory_core_early → __free_memory_core per free range)
 * and the counts mem_init_print_info prints. With CONFIG_DEFERRED_STRUCT_PAGE_INIT (read from the
 * build's .config; Debian's arm64 builds have it): memmap_init initialises each node's last zone
 * only up to the first section boundary after PAGES_PER_SECTION of its pages (defer_init), and
 * memblock_free_pages leaves the node's pages from there (first_deferred_pfn) to page_alloc_init_late.
 */
export function pageAllocStart(st: BootState): PageAllocStart {
  const mb = st.ctx.memblock;
  const ps = mb.pageSize;
  const zones = st.result.zones ?? [];
  const last = zones[zones.length - 1];
  // per node: its last zone (the highest with pages of the node) is initialised only so far
  const deferred: [bigint, bigint][] = [];
  const sparse = st.ctx.profile.arm64?.sparse;
  if (last && sparse?.deferredStructPageInit) {
    const perSection = (1n << BigInt(sparse.sectionSizeBits)) / ps;
    const nids = [...new Set(mb.memory.regions.map((r) => mb.nodeOf(r)))];
    for (const nid of nids) {
      const spans = [...memPfnRanges(st, 0n, mb.mask / ps + 1n, nid)];
      if (!spans.length) continue;
      const nodeLo = spans[0]![0];
      const nodeHi = spans[spans.length - 1]![1];
      const zone = [...zones].reverse().find((z) => z.base / ps < nodeHi && nodeLo < (z.base + z.size) / ps);
      if (!zone) continue;
      const lo = zone.base / ps > nodeLo ? zone.base / ps : nodeLo;
      let seen = 0n;
      for (const [a, b] of memPfnRanges(st, lo, nodeHi, nid)) {
        // the first pfn p in [a, b) with seen + (p - a + 1) > perSection and p % perSection == 0
        const need = perSection - seen + a; // p >= need
        let p = need < a ? a : need;
        p = ((p + perSection - 1n) / perSection) * perSection;
        if (p < b) {
          deferred.push([p, nodeHi]);
          break;
        }
        seen += b - a;
      }
    }
  }
  /** The pages of [a, b) (pfns) not deferred. */
  const early = (a: bigint, b: bigint): bigint => {
    let n = b - a;
    for (const [da, db] of deferred) {
      const lo = a > da ? a : da;
      const hi = b < db ? b : db;
      if (hi > lo) n -= hi - lo;
    }
    return n;
  };
  // max_low_pfn: the end of lowmem (arm's find_limits: memblock's current limit)
  const maxLow = st.ctx.profile.arch === 'arm' ? mb.currentLimit / ps : undefined;
  let freed = 0n;
  let before = 0n;
  let high = 0n;
  for (const [s, e] of mb.freeRanges()) {
    const a = pfnUp(s, ps);
    const b = e / ps;
    if (b <= a) continue;
    const lowEnd = maxLow !== undefined && b > maxLow ? maxLow : b;
    if (lowEnd < b) high += b - (a > lowEnd ? a : lowEnd);
    if (lowEnd <= a) continue;
    freed += lowEnd - a;
    before += early(a, lowEnd);
  }
  const cmaPages = (st.ctx.cma.areas ?? []).reduce((x, c) => x + c.size / ps, 0n);
  const physPages = st.physPages;
  if (physPages === undefined) throw new Error('get_num_physpages before free_area_init counted the present pages');
  return {
    freed,
    highPages: high,
    freedBeforeDeferred: before + high,
    ...(deferred.length ? { deferredPfns: deferred } : {}),
    physPages,
    cmaPages,
    estimatedFreePages:
      ((mb.physMemSize() -
        (st.ctx.profile.series.maxThreadsFrom === 'memblock-estimate-kern' ? mb.reservedKernSize() : mb.reservedSize())) &
        mb.mask) /
      ps,
    pageSize: ps,
  };
}
