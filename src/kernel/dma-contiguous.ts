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
  if (!size || ctx.cma.defaultArea !== undefined) {
    st.result.defaultCma = null;
    return;
  }
  const got = cmaDeclareContiguous(st, base, size, selLimit, fixed, 'reserved', highmemStart);
  st.result.defaultCma = got;
  if (got) ctx.cma.defaultArea = 'reserved'; // dma_contiguous_default_area
}
