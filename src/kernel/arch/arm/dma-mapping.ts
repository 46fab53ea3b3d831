// arch/arm/mm/dma-mapping.c: dma_contiguous_early_fixup records each CMA area for
// dma_contiguous_remap, which paging_init (mmu.ts) maps page by page.
import type { BootState } from '../../boot-state.js';
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
