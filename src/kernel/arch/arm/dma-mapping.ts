// arch/arm/mm/dma-mapping.c: dma_contiguous_early_fixup records each CMA area for
// dma_contiguous_remap, which paging_init (mmu.ts) maps page by page.
import { BootHang, zoneAt, type BootState } from '../../boot-state.js';
import { memparse } from '../../cmdline.js';
import { hex, MEMBLOCK_NOMAP } from '../../memblock.js';
import { getOrder } from '../../page-alloc.js';
import type { Bank } from '../../../platform/index.js';
import { rmemRegions } from '../../rmem.js';
import { flag, isCompatible } from '../../../tree/query.js';
import type { Node } from '../../../tree/types.js';

/**
 * dma_mmu_remap[] at paging_init time (see ArmLayout.cmaRemap). 6.12 (7.2: the CMA entry's node_fixup, for the regions it verifies): of_reserved_mem calls
 * dma_contiguous_early_fixup() for every shared-dma-pool + reusable region it reserved or
 * allocated — static ones during the scan, then dynamic ones — whatever their handler later says.
 */
export function dmaContiguousRemapList(st: BootState): Bank[] {
  const a = st.ctx.profile.arm!;
  if (a.cmaRemap === 'cma-areas') return (st.ctx.cma.areas ?? []).map((x) => ({ base: x.base, size: x.size }));
  const out: Bank[] = [];
  // of_flat_dt_is_compatible(node, "shared-dma-pool") && the `reusable` flag
  // 7.2 rmem_cma_fixup: only what __rmem_cma_verify_node accepts (mapped, and not a default region `cma=` overrides)
  const verified = (r: { nomap: boolean; node: Node }) =>
    a.cmaRemap !== 'cma-verified' || (!r.nomap && !(st.ctx.cmdline.cma && flag(r.node, 'linux,cma-default')));
  const regions = rmemRegions(st.ctx).filter(
    (r) =>
      isCompatible(r.node, 'shared-dma-pool') &&
      r.reusable &&
      verified(r) &&
      r.base !== null &&
      r.size !== null &&
      !['reserve-failed', 'alloc-failed', 'invalid', 'disabled', 'ignored'].includes(r.status),
  );
  for (const r of regions.filter((x) => !x.dynamic)) {
    out.push({ base: r.base!, size: r.size! });
    for (const e of r.extraRegs) if (e.ok) out.push({ base: e.base, size: e.size });
  }
  for (const r of regions.filter((x) => x.dynamic)) out.push({ base: r.base!, size: r.size! });
  const d = st.result.defaultCma;
  if (d) out.push({ base: d.base, size: d.size });
  return out;
}

/**
 * CONFIG_UBSAN_BOUNDS (lib/ubsan.c) reports an access to dma_mmu_remap[i] past its MAX_CMA_AREAS
 * entries, once per source line (base, then size): `fn` touched entry `i`. The report is the last
 * thing the console shows if the boot then hangs with nothing printed in between (consoleReport).
 */
export function dmaMmuRemapReport(st: BootState, fn: string, i: number): void {
  const p = st.ctx.profile;
  if (i !== p.maxCmaAreas || !p.ubsanBounds) return;
  st.consoleReport = {
    fn,
    what: `UBSAN's array-index-out-of-bounds reports of dma_mmu_remap[${i}] (CONFIG_UBSAN_BOUNDS; arch/arm/mm/dma-mapping.c, the array holds MAX_CMA_AREAS, ${p.maxCmaAreas})`,
    at: st.ctx.log.length,
  };
}

/**
 * The pageblocks of a CMA area as cma_activate_area left them on FLATMEM, where some of the area
 * lies in a hole between memory ranges (mem= banks): `invalid`, pfn_valid refuses them (nothing
 * trusts their struct pages); `unfreed`, init_cma_reserved_pageblock's __free_pages met a page
 * whose struct page memmap_init never initialised and bad_page kept the block; `freed`, in the
 * page allocator as MIGRATE_CMA. Uninitialised struct pages are read as zero, as the lab's boots
 * showed them ("nonzero mapcount", raw words 0): what the memory holds decides that.
 */
export function cmaPageblocks(st: BootState, area: { base: bigint; size: bigint }): ('invalid' | 'unfreed' | 'freed')[] {
  const mb = st.ctx.memblock;
  const blockBytes = mb.pageSize << BigInt(st.ctx.profile.pageblockOrder);
  const perPage = st.ctx.profile.series.arm.pfnValid === 'map-memory';
  const out: ('invalid' | 'unfreed' | 'freed')[] = [];
  for (let b = area.base; b < area.base + area.size; b += blockBytes) {
    const e = b + blockBytes;
    // 5.10: each page by itself; 6.1+: the whole block, valid and initialised, when it meets memory
    const valid = pageblockValid(st, b, e);
    if (perPage) out.push(covered(st, b, e, false) ? 'freed' : valid ? 'unfreed' : 'invalid');
    else out.push(valid ? 'freed' : 'invalid');
  }
  return out;
}

/** Whether memblock.memory (without its NOMAP ranges if `mapOnly`) holds all of [base, end). */
function covered(st: BootState, base: bigint, end: bigint, mapOnly: boolean): boolean {
  let at = base;
  for (const r of st.ctx.memblock.memory.regions) {
    if (mapOnly && r.flags & MEMBLOCK_NOMAP) continue;
    if (r.base <= at && at < r.base + r.size) at = r.base + r.size;
    if (at >= end) return true;
  }
  return false;
}

/**
 * arm's pfn_valid of the pageblock [b, e)'s first page (KernelSeries.arm.pfnValid), which decides
 * whether memmap_init's init_unavailable_range gives the block's pages in a hole a struct page:
 * memblock maps that page (5.10), or the block overlaps memblock.memory (6.1+).
 */
function pageblockValid(st: BootState, b: bigint, e: bigint): boolean {
  const mb = st.ctx.memblock;
  return st.ctx.profile.series.arm.pfnValid === 'map-memory'
    ? covered(st, b, b + mb.pageSize, true)
    : mb.memory.regions.some((r) => r.base < e && b < r.base + r.size);
}

/**
 * The zones cma_activate_area reads from the struct pages of each pageblock of a CMA area on
 * FLATMEM (page_zone: the zone bits of page->flags), in pfn order. memmap_init (mm/mm_init.c,
 * 5.10 mm/page_alloc.c) gives every page of a memory range its zone, and init_unavailable_range
 * gives the pages of a hole the zone of the range after it — only in pageblocks pfn_valid accepts
 * (KernelSeries.arm.pfnValid, of the pageblock's first page); the other pageblocks of a hole keep
 * the zeroed struct pages alloc_node_mem_map got from memblock, whose zone bits read as zone 0,
 * ZONE_DMA with CONFIG_ZONE_DMA (Debian's armmp builds), else ZONE_NORMAL. As cmaPageblocks, that memory is read as
 * booted: zero.
 */
export function cmaPageblockZones(st: BootState, area: { base: bigint; size: bigint }): string[][] {
  const mb = st.ctx.memblock;
  const blockBytes = mb.pageSize << BigInt(st.ctx.profile.pageblockOrder);
  const inMemory = (pa: bigint) => mb.memory.regions.some((r) => r.base <= pa && pa < r.base + r.size);
  // where the zone a page reads can change: memory range and zone edges
  const edges = [
    ...mb.memory.regions.flatMap((r) => [r.base, r.base + r.size]),
    ...(st.result.zones ?? []).flatMap((z) => [z.base, z.base + z.size]),
  ];
  // zeroed zone bits: the first zone the build has
  const zone0 = st.ctx.profile.arm!.zoneDma ? 'DMA' : 'Normal';
  const out: string[][] = [];
  for (let b = area.base; b < area.base + area.size; b += blockBytes) {
    const e = b + blockBytes;
    const valid = pageblockValid(st, b, e);
    const cuts = [b, ...edges.filter((x) => b < x && x < e).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))];
    const zones: string[] = [];
    for (const at of cuts) {
      const z = inMemory(at) || valid ? (zoneAt(st, at)?.name ?? zone0) : zone0;
      if (zones[zones.length - 1] !== z) zones.push(z);
    }
    out.push(zones);
  }
  return out;
}

/**
 * atomic_pool_init (arch/arm/mm/dma-mapping.c, postcore_initcall): with a default CMA area the
 * coherent pool (coherent_pool=, 256 KiB) comes from it, __alloc_from_contiguous →
 * dma_alloc_from_contiguous → cma_alloc, which tries each window of the area aligned to the
 * request's order in turn. Normally the first succeeds. Over pageblocks cma_activate_area could
 * not give to the page allocator (a fixed area in a hole between memory ranges) alloc_contig_range
 * fails: -EBUSY and the next window, or (6.1+) the endless rescan of a skipped block
 * (KernelSeries.cma.contigSkippedBlock) — init hangs in its postcore initcalls.
 */
export function atomicPoolInit(st: BootState): void {
  const { ctx } = st;
  const d = st.result.defaultCma;
  const area = d
    ? (ctx.cma.areas ?? []).find((a) => a.base === d.base && a.size === d.size)
    : (ctx.cma.areas ?? []).find((a) => a.name === ctx.cma.defaultArea);
  // an area cma_activate_area did not activate has no pages: cma_alloc returns NULL at once, silent
  if (!area || st.cmaNotActivated?.has(area.name)) return;
  // from HighMem, zeroed struct pages read as another zone (ZONE_DMA, 0): cma_activate_area's zone
  // checks decide first, which the hole's memory contents do (the plan warns)
  if (zoneAt(st, area.base)?.name === 'HighMem') return;
  const blocks = cmaPageblocks(st, area);
  if (blocks.every((b) => b === 'freed')) return;
  const mb = ctx.memblock;
  const ps = mb.pageSize;
  const arg = [...ctx.cmdline.args].reverse().find((a) => a.param === 'coherent_pool' && a.val !== undefined);
  const size = arg ? memparse(arg.val!).value : 256n * 1024n;
  // __alloc_from_contiguous: size >> PAGE_SHIFT pages, aligned to min(get_order(size),
  // CONFIG_CMA_ALIGNMENT) (dma_alloc_from_contiguous); cma_alloc of none returns NULL quietly
  const count = size / ps;
  if (!count) return;
  const order = BigInt(Math.min(getOrder(size, ps), ctx.profile.cmaAlignment));
  const blockPages = 1n << BigInt(ctx.profile.pageblockOrder);
  const basePfn = area.base / ps;
  const c = ctx.profile.series.cma;
  for (let pfn = ((basePfn + (1n << order) - 1n) >> order) << order; pfn + count <= basePfn + area.size / ps; pfn += 1n << order) {
    const got = blocks.slice(Number((pfn - basePfn) / blockPages), Number((pfn + count - 1n - basePfn) / blockPages) + 1);
    if (got.every((b) => b === 'freed')) return;
    if (c.contigSkippedBlock === 'spins' && got.includes('invalid'))
      throw new BootHang(
        'atomic_pool_init',
        `the coherent pool's cma_alloc from the default CMA area ${area.name} asks for [${hex(pfn * ps)}-${hex((pfn + count) * ps - 1n)}], in a pageblock no memory range reaches (a hole between banks; pfn_valid says no, arch/arm/mm/init.c): isolate_migratepages_range skips it without setting cc->migrate_pfn, and __alloc_contig_migrate_range (mm/page_alloc.c) starts over from there for ever, in init's postcore initcalls`,
        "after cma_activate_area's bad_page reports for the area's pages and what the core initcalls print",
        'init_cma_reserved_pageblock',
      );
  }
  ctx.printk(
    'err',
    `cma: cma_alloc: ${c.allocFailedNamesArea ? `${area.name}: ` : ''}alloc failed, req-size: ${count} pages, ret: -16`,
    'cma_alloc',
  );
}
