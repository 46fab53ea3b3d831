// kernel/dma/contiguous.c: dma_contiguous_reserve, the default CMA area from `cma=` or
// CONFIG_CMA_SIZE_MBYTES, declared through cma_declare_contiguous_nid (cma.ts).
import { MiB, type BootState } from './boot-state.js';
import { cmaDeclareContiguous } from './cma.js';

/**
 * `cma=size[@base][-limit]` or the build's size; skipped when a `linux,cma-default` region already
 * set dma_contiguous_default_area. `highmemStart`: see cma.ts.
 */
export function dmaContiguousReserve(st: BootState, limit: bigint, highmemStart?: bigint): void {
  const { ctx } = st;
  const p = ctx.profile;
  if (p.series.cma.numaCma === 'before-default') dmaNumaCmaReserve(st);
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
  if (p.series.cma.numaCma === 'after-default') dmaNumaCmaReserve(st);
}

/** The online nodes: arch_numa_init's (a faked node 0 without NUMA in the tree; node 0 without CONFIG_NUMA). */
const onlineNodes = (st: BootState): number[] => st.numa?.nodes.map((n) => n.nid) ?? [0];

/** One per-node area: cma_declare_contiguous_nid(0, size, 0, 0, 0, false, name, …, nid), and the warning when it fails. */
function declareOnNode(st: BootState, size: bigint, name: string, nid: number, fn: string): void {
  const { ctx } = st;
  // -ENOSPC with every slot taken, else (base 0, no limit) -ENOMEM: no room on the node
  const err = ctx.cma.areaCount === ctx.profile.maxCmaAreas ? -28 : -12;
  if (!cmaDeclareContiguous(st, 0n, size, 0n, false, name, undefined, nid))
    ctx.printk('warn', `cma: ${fn}: reservation failed: err ${err}, node ${nid}`, fn);
}

/**
 * 5.10 and 6.1's dma_pernuma_cma_reserve (CONFIG_DMA_PERNUMA_CMA), which arm64's bootmem_init calls
 * right after the NUMA init, before sparse_init: with `cma_pernuma=`, a CMA area "pernuma<nid>"
 * of that size on each online node.
 */
export function dmaPernumaCmaReserve(st: BootState): void {
  const { ctx } = st;
  if (!ctx.profile.dmaNumaCma || ctx.profile.series.cma.numaCma !== 'pernuma-bootmem') return;
  const size = ctx.cmdline.cmaPernuma;
  if (!size) return;
  for (const nid of onlineNodes(st)) declareOnNode(st, size, `pernuma${nid}`, nid, 'dma_pernuma_cma_reserve');
}

/**
 * dma_numa_cma_reserve (CONFIG_DMA_NUMA_CMA) over every possible node, all online here. 6.12,
 * before the default area: "pernuma<nid>" of `cma_pernuma=`'s size, then "numa<nid>" of the
 * node's `numa_cma=` size. 7.2, after it: one "numa<nid>" of the node's `numa_cma=` size, else
 * `cma_pernuma=`'s; with CONFIG_CMA_SIZE_PERNUMA, neither given, a default area and more than one
 * online node, the default area's size.
 */
function dmaNumaCmaReserve(st: BootState): void {
  const { ctx } = st;
  const p = ctx.profile;
  if (!p.dmaNumaCma) return;
  const nodes = onlineNodes(st);
  const c = ctx.cmdline;
  const fn = 'dma_numa_cma_reserve';
  if (p.series.cma.numaCma === 'before-default') {
    for (const nid of nodes) {
      if (c.cmaPernuma) declareOnNode(st, c.cmaPernuma, `pernuma${nid}`, nid, fn);
      const size = c.numaCmaSize?.get(nid);
      if (size) declareOnNode(st, size, `numa${nid}`, nid, fn);
    }
    return;
  }
  let pernuma = c.cmaPernuma ?? 0n;
  if (p.cmaSizePernuma && !c.numaCmaConfigured && ctx.cma.defaultArea !== undefined && nodes.length > 1)
    pernuma = ctx.cma.areas?.find((a) => a.name === ctx.cma.defaultArea)?.size ?? 0n;
  for (const nid of nodes) {
    const size = c.numaCmaSize?.get(nid) || pernuma;
    if (size) declareOnNode(st, size, `numa${nid}`, nid, fn);
  }
}
