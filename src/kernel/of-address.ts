// drivers/of/address.c: of_dma_get_max_cpu_address, which zone_sizes_init reads ZONE_DMA's limit from.
import type { Tree } from '../tree/types.js';
import { isAvailable, prop, readCells, u32 } from '../tree/query.js';

/**
 * of_dma_get_max_cpu_address(NULL) (drivers/of/address.c): the lowest end of any `dma-ranges`
 * in the tree (inclusive), PHYS_ADDR_MAX when there are none. The CPU address of a range is its
 * parent-bus address (translation through further `ranges` is not modelled).
 */
export function ofDmaGetMaxCpuAddress(tree: Tree, node: Tree['root'], parentAddrCells: number, max: bigint): bigint {
  let maxCpu = max;
  // The kernel recurses into each available child; the lowest end does not depend on the order,
  // so a work list of (node, its parent's #address-cells) does, without using the JS stack.
  const todo: [Tree['root'], number][] = [[node, parentAddrCells]];
  for (let w = todo.pop(); w; w = todo.pop()) {
    const [n, pna] = w;
    const na = u32(n, '#address-cells') ?? 2;
    const cpuEnd = n === tree.root ? undefined : dmaRangesCpuEnd(n, pna);
    if (cpuEnd !== undefined && maxCpu > cpuEnd) maxCpu = cpuEnd;
    for (const c of n.children) if (isAvailable(c)) todo.push([c, na]); // for_each_available_child_of_node
  }
  return maxCpu;
}

/**
 * The highest CPU address (inclusive) a node's non-empty `dma-ranges` reaches, read with the
 * parent bus's `pna` address cells (of_dma_get_max_cpu_address's per-node step); undefined when it
 * has none.
 */
export function dmaRangesCpuEnd(n: Tree['root'], pna: number): bigint | undefined {
  const dr = prop(n, 'dma-ranges');
  if (!dr?.value.length) return undefined;
  const na = u32(n, '#address-cells') ?? 2;
  const ns = u32(n, '#size-cells') ?? 1;
  const stride = (na + pna + ns) * 4;
  let cpuEnd = 0n;
  for (let off = 0; stride && off + stride <= dr.value.length; off += stride) {
    const cpu = readCells(dr.value, off + na * 4, pna);
    const size = readCells(dr.value, off + (na + pna) * 4, ns);
    if (cpu + size > cpuEnd) cpuEnd = cpu + size - 1n;
  }
  return cpuEnd;
}
