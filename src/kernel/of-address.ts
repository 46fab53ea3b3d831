// drivers/of/address.c: of_dma_get_max_cpu_address, which zone_sizes_init reads ZONE_DMA's limit from.
import type { Tree } from '../tree/types.js';
import { readCells, readU32 } from '../tree/query.js';

/**
 * of_dma_get_max_cpu_address(NULL) (drivers/of/address.c): the lowest end of any `dma-ranges`
 * in the tree (inclusive), PHYS_ADDR_MAX when there are none. The CPU address of a range is its
 * parent-bus address (translation through further `ranges` is not modelled).
 */
export function ofDmaGetMaxCpuAddress(
  tree: Tree,
  node: Tree['root'],
  parentAddrCells: number,
  _parentSizeCells: number,
  max: bigint,
): bigint {
  let maxCpu = max;
  const cells = (n: Tree['root'], name: string, dflt: number) => {
    const p = n.props.find((x) => x.name === name);
    return p && p.value.length >= 4 ? readU32(p.value, 0) : dflt;
  };
  const na = cells(node, '#address-cells', 2);
  const ns = cells(node, '#size-cells', 1);
  const dr = node.props.find((x) => x.name === 'dma-ranges');
  if (dr?.value.length && node !== tree.root) {
    const stride = (na + parentAddrCells + ns) * 4;
    let cpuEnd = 0n;
    for (let off = 0; stride && off + stride <= dr.value.length; off += stride) {
      const cpu = readCells(dr.value, off + na * 4, parentAddrCells);
      const size = readCells(dr.value, off + (na + parentAddrCells) * 4, ns);
      if (cpu + size > cpuEnd) cpuEnd = cpu + size - 1n;
    }
    if (maxCpu > cpuEnd) maxCpu = cpuEnd;
  }
  for (const c of node.children) {
    const status = c.props.find((x) => x.name === 'status');
    const st = status ? new TextDecoder().decode(status.value).replace(/\0.*$/s, '') : 'okay';
    if (st !== 'okay' && st !== 'ok') continue;
    const sub = ofDmaGetMaxCpuAddress(tree, c, na, ns, max);
    if (maxCpu > sub) maxCpu = sub;
  }
  return maxCpu;
}
