// mm/cma.c: cma_declare_contiguous_nid, which places a CMA area in memblock (fixed or allocated,
// high memory first where the version does) and hands it to cma_init_reserved_mem (rmem.ts).
import { MiB, type BootState } from './boot-state.js';
import { formatPa, NUMA_NO_NODE, roundUp } from './memblock.js';
import { cmaInitReservedMem } from './rmem.js';

const SZ_4G = 1n << 32n;

/**
 * `highmemStart` is __pa(high_memory - 1) + 1: arm_lowmem_limit on arm, the end of DRAM (the
 * default) on arm64; `nid` the node the area must be on. Returns the area, or null after printing
 * why it failed.
 */
export function cmaDeclareContiguous(
  st: BootState,
  base: bigint,
  size: bigint,
  limit: bigint,
  fixed: boolean,
  name: string,
  highmemStart = st.ctx.memblock.endOfDram(),
  nid = NUMA_NO_NODE,
): { base: bigint; size: bigint } | null {
  const { ctx } = st;
  const p = ctx.profile;
  const mb = ctx.memblock;
  const memblockEnd = mb.endOfDram();
  const pa = (x: bigint) => formatPa(x, p.physAddrBits);
  const c = p.series.cma;
  const node = c.reservedOnNode ? ` on node ${nid}` : '';
  const requested = size;
  // the size the lines print: after ALIGN, or the one asked for (7.2's wrapper prints it)
  const shown = (aligned: bigint) => (c.reportedSize === 'requested' ? requested : aligned) / MiB;
  const fail = (sz: bigint) => {
    ctx.printk('err', `cma: Failed to reserve ${shown(sz)} MiB${node}`, 'cma_declare_contiguous_nid');
    return null;
  };
  const early = () => (c.failureLine === 'every-error' ? fail(size) : null);
  if (ctx.cma.areaCount === p.maxCmaAreas) {
    ctx.printk('err', 'cma: Not enough slots for CMA reserved regions!', 'cma_declare_contiguous_nid');
    return early();
  }
  if (!size) return early();
  const alignment = p.cmaMinAlignmentBytes;
  if (fixed && base & (alignment - 1n)) {
    ctx.printk('err', `cma: Region at ${pa(base)} must be aligned to ${pa(alignment)} bytes`, 'cma_declare_contiguous_nid');
    return fail(size);
  }
  base = roundUp(base, alignment);
  size = roundUp(size, alignment);
  limit &= ~(alignment - 1n);
  if (!base) fixed = false;
  const acrossHighmem = () => {
    if (!(fixed && base < highmemStart && base + size > highmemStart)) return false;
    ctx.printk('err', `cma: Region at ${pa(base)} defined on low/high memory boundary (${pa(highmemStart)})`, 'cma_declare_contiguous_nid');
    return true;
  };
  if (c.fixedBoundaryCheck === 'before-limit' && acrossHighmem()) return fail(size);
  if (limit === 0n || limit > memblockEnd) limit = memblockEnd;
  if (base + size > limit) {
    ctx.printk('err', `cma: Size (${pa(size)}) of region at ${pa(base)} exceeds limit (${pa(limit)})`, 'cma_declare_contiguous_nid');
    return fail(size);
  }
  if (fixed) {
    // 7.2 cma_fixed_reserve: the boundary check only with CONFIG_HIGHMEM (arm; arm64 has none)
    if (c.fixedBoundaryCheck === 'highmem-after-limit' && p.arch === 'arm' && acrossHighmem()) return fail(size);
    if (mb.isRegionReserved(base, size) || mb.reserve(base, size, 'cma_declare_contiguous_nid') < 0) return fail(size);
  } else {
    let addr = 0n;
    const tryHighmem = () => {
      if (!addr && base < highmemStart && limit > highmemStart) {
        addr = mb.allocRangeNid(size, alignment, highmemStart, limit, nid, true);
        limit = highmemStart;
      }
    };
    if (c.highmemFirst) tryHighmem();
    const above4g = c.above4gBottomUp === 'limit' ? limit : memblockEnd;
    if (!addr && c.above4gBottomUp !== 'none' && p.physAddrBits === 64 && !mb.bottomUp && above4g >= SZ_4G + size) {
      mb.setBottomUp(true);
      addr = mb.allocRangeNid(size, alignment, SZ_4G, limit, nid, true);
      mb.setBottomUp(false);
    }
    if (!c.highmemFirst) tryHighmem();
    if (!addr) {
      addr = mb.allocRangeNid(size, alignment, base, limit, nid, true);
      if (!addr) return fail(size);
    }
    base = addr;
  }
  const ret = cmaInitReservedMem(ctx, base, size, name);
  if (ret) {
    mb.physFree(base, size, 'cma_declare_contiguous_nid');
    return fail(size);
  }
  ctx.printk('info', `cma: Reserved ${shown(size)} MiB at ${pa(base)}${node}`, 'cma_declare_contiguous_nid');
  return { base, size };
}
