// arm64: free pages without a linear mapping — a no-map region whose handler failed after
// paging_init (drivers/of/of_reserved_mem.c fdt_init_reserved_mem_node, arch/arm64/mm/mmu.c map_mem).
import { diag } from '../../../diagnostics.js';
import type { BootState } from '../../boot-state.js';
import { hex } from '../../memblock.js';
import {
  firstUnmovableClaim,
  fmt,
  intersect,
  lowmemArea,
  movableReach,
  regionsOver,
  type LowmemArea,
  type Range,
} from '../../page-alloc.js';

/**
 * paging_init's map_mem leaves MEMBLOCK_NOMAP memory out of the linear map. When a no-map region's
 * handler runs after it (6.12: the static regions', from unflatten_device_tree's
 * fdt_scan_reserved_mem_reg_nodes) and fails, fdt_init_reserved_mem_node only clears the flag
 * (memblock_clear_nomap): the region was never reserved, so memblock_free_all hands its pages to
 * the page allocator while nothing maps them (st.unmapped is what was NOMAP at paging_init). The
 * page allocator zeroes each page it hands out (init_on_alloc: clear_page through the linear map),
 * so the first allocation that gets one faults, in whichever task made it. Which allocation that
 * is depends on how much the boot has allocated by then: the free lists run lowest address first,
 * and an allocation whose migrate type has no free page left claims the largest free block
 * (__rmqueue_fallback), so a wholly free largest-order block inside those pages is taken at the
 * next such claim (6.12-arm64-16k in the lab: regmap_initcall's inode slab, after
 * page_alloc_init_late had freed the deferred pages there). A warning, saying which comes first.
 */
export function nomapPagesFreed(st: BootState): void {
  if (st.ctx.profile.arch !== 'arm64' || !st.unmapped?.length) return;
  const early = lowmemArea(st);
  const late = lowmemArea(st, true);
  if (!early || !late) return;
  const { ps } = late;
  // memblock_free_all frees whole pages only (__free_memory_core: PFN_UP(start) .. PFN_DOWN(end)),
  // and map_mem maps whole pages around what it maps (__create_pgd_mapping_locked rounds phys down
  // and the end up), so a page only partly no-map is mapped: the pages that matter lie wholly in
  // both, hence rounding inward after the intersection rather than before it (start-kernel.ts
  // freedPages rounds the free ranges alone).
  const freed: Range[] = intersect(
    late.free,
    st.unmapped.map((u) => ({ base: u.base, end: u.base + u.size })),
  )
    .map((r) => ({ base: ((r.base + ps - 1n) / ps) * ps, end: (r.end / ps) * ps }))
    .filter((r) => r.end > r.base);
  if (!freed.length) return;
  const by = regionsOver(st, freed);
  const inFreed = (lm: LowmemArea): string | undefined => {
    const c = firstUnmovableClaim(lm.area, st.ctx.profile.pageblockOrder, {
      startPfn: Number(lm.low.base / ps),
      endPfn: Number(lm.lowEnd / ps),
    });
    const at = c && BigInt(c.pfn) * ps;
    return at !== undefined && freed.some((f) => f.base <= at && at < f.end) ? hex(at) : undefined;
  };
  const first = inFreed(early);
  const next = first ? undefined : inFreed(late);
  const reach = movableReach(late, freed);
  const who = first
    ? `kmem_cache_init's first slab claims the lowest wholly free largest-order block, at ${first}, inside them`
    : next
      ? `once page_alloc_init_late has freed the deferred struct pages (behind the rest), the lowest wholly free largest-order block is at ${next}, inside them: the next allocation that claims a block for its migrate type (__rmqueue_fallback) gets it`
      : reach
        ? `movable allocations (the initramfs's tmpfs pages first) reach them after ${reach.before >> 10n} KiB`
        : 'only allocations that claim the larger blocks below first reach them';
  st.ctx.diagnostics.push(
    diag(
      'warning',
      'free-pages-unmapped',
      `memblock_free_all hands ${fmt(freed)} to the page allocator, but ${by.map((r) => r.name).join(', ') || 'that memory'} was no-map when paging_init built the linear map (map_mem skips NOMAP memory) and its failed handler only cleared the flag (memblock_clear_nomap, drivers/of/of_reserved_mem.c): the first allocation handed one of these pages faults zeroing it (init_on_alloc, clear_page), in whichever task made it (${who})`,
      by[0]?.node.span,
    ),
  );
}
