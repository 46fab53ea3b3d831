// kernel/dma/contiguous.c: dma_contiguous_reserve, the default CMA area from `cma=` or
// CONFIG_CMA_SIZE_MBYTES, declared through cma_declare_contiguous_nid (cma.ts).
import { MiB, type BootState } from './boot-state.js';
import { cmaDeclareContiguous } from './cma.js';
import { parameq } from './cmdline.js';
import { diag } from '../diagnostics.js';

/**
 * `cma=size[@base][-limit]` or the build's size; skipped when a `linux,cma-default` region already
 * set dma_contiguous_default_area. `highmemStart`: see cma.ts.
 */
export function dmaContiguousReserve(st: BootState, limit: bigint, highmemStart?: bigint): void {
  const { ctx } = st;
  const p = ctx.profile;
  let size: bigint;
  let base = 0n;
  let selLimit = limit;
  let fixed = false;
  const c = ctx.cmdline.cma;
  if (c) {
    size = c.size;
    base = c.base;
    if (p.series.cma.cmdlineLimit === 'cmdline-first')
      selLimit = c.limit || limit; // limit_cmdline ?: limit
    else selLimit = c.limit && limit ? (c.limit < limit ? c.limit : limit) : c.limit || limit; // min_not_zero
    if (((c.base + c.size) & ((1n << 64n) - 1n)) === c.limit) fixed = true;
  } else size = BigInt(p.cmaSizeMBytes) * MiB;
  if (!size || ctx.cma.defaultArea !== undefined) st.result.defaultCma = null;
  else {
    const got = cmaDeclareContiguous(st, base, size, selLimit, fixed, 'reserved', highmemStart);
    st.result.defaultCma = got;
    if (!got) return;
    ctx.cma.defaultArea = 'reserved'; // dma_contiguous_default_area
  }
  dmaNumaCmaReserve(st);
}

/**
 * dma_numa_cma_reserve (CONFIG_DMA_NUMA_CMA): with CONFIG_CMA_SIZE_PERNUMA, more than one online
 * node and a default area (from the tree or declared above), each node gets a CMA area "numa<nid>"
 * of the default area's size, on that node (cma_declare_contiguous_nid, no limit). numa_cma= and
 * cma_pernuma= are not modelled: arch-numa.ts warns of them.
 */
function dmaNumaCmaReserve(st: BootState): void {
  const { ctx } = st;
  const asked = ctx.cmdline.args.find((a) => a.val !== undefined && (parameq(a.param, 'numa_cma') || parameq(a.param, 'cma_pernuma')));
  if (asked && ctx.profile.numa)
    ctx.diagnostics.push(
      diag(
        'warning',
        'param-not-modelled',
        `${asked.param}= reserves a CMA area per NUMA node where the build has CONFIG_DMA_NUMA_CMA (5.10, 6.1: CONFIG_DMA_PERNUMA_CMA, cma_pernuma= only): carveout does not place those areas, so what memblock places after dma_contiguous_reserve may differ`,
      ),
    );
  const nodes = st.numa?.nodes ?? [];
  if (!ctx.profile.cmaSizePernuma || nodes.length < 2 || ctx.cma.defaultArea === undefined) return;
  const size = ctx.cma.areas?.find((a) => a.name === ctx.cma.defaultArea)?.size;
  if (!size) return;
  for (const { nid } of nodes) {
    // -ENOSPC with every slot taken, else (base 0, no limit) -ENOMEM: no room on the node
    const err = ctx.cma.areaCount === ctx.profile.maxCmaAreas ? -28 : -12;
    if (!cmaDeclareContiguous(st, 0n, size, 0n, false, `numa${nid}`, undefined, nid))
      ctx.printk('warn', `cma: dma_numa_cma_reserve: reservation failed: err ${err}, node ${nid}`, 'dma_numa_cma_reserve');
  }
}
