// drivers/of/of_numa.c of_numa_init: the NUMA nodes the device tree gives — /cpus nodes' and memory
// nodes' `numa-node-id`, the memory nodes' `reg` ranges, and a `numa-distance-map-v1` node's
// `distance-matrix`. arch-numa.ts (arch_numa_init) decides what the kernel does with them.
import type { BootState } from './boot-state.js';
import { EINVAL } from './errno.js';
import { ofCpuNodes } from './smp.js';
import { cString, isCompatible, prop, readCells, readU32, u32 } from '../tree/query.js';
import { walkNodes, type Node } from '../tree/types.js';

/** What of_numa_init hands arch_numa's numa_add_memblk, node_set and numa_set_distance. */
export interface OfNumaSink {
  /** numa_add_memblk(nid, start, end): 0 or -errno. */
  addMemblk(nid: number, start: bigint, end: bigint): number;
  /** node_set(nid, numa_nodes_parsed). */
  nodeSet(nid: number): void;
  /** numa_set_distance(from, to, distance). */
  setDistance(from: number, to: number, distance: number): void;
}

const LOCAL_DISTANCE = 10;

/**
 * of_property_read_u32: -EINVAL when the property is missing, -ENODATA when it has no value,
 * -EOVERFLOW when it is shorter than a cell.
 */
function readU32Prop(n: Node, name: string): { r: number; v: number } {
  const p = prop(n, name);
  if (!p) return { r: -EINVAL, v: 0 };
  if (p.value.length === 0) return { r: -61, v: 0 }; // -ENODATA
  if (p.value.length < 4) return { r: -75, v: 0 }; // -EOVERFLOW
  return { r: 0, v: readU32(p.value, 0) };
}

/** of_n_addr_cells / of_n_size_cells: the nearest ancestor's #address-cells / #size-cells (OF_ROOT_NODE_*_CELLS_DEFAULT: 1). */
function nCells(n: Node, name: '#address-cells' | '#size-cells'): number {
  for (let p = n.parent; p; p = p.parent) {
    const c = u32(p, name);
    if (c !== undefined) return c;
  }
  return 1;
}

/**
 * of_address_to_resource(np, i) for a memory node: the i-th `reg` entry, or undefined past the
 * last one. Memory nodes sit at the root, where there is no bus to translate through.
 */
function regEntry(n: Node, i: number): { start: bigint; size: bigint } | undefined {
  const reg = prop(n, 'reg');
  const na = nCells(n, '#address-cells');
  const ns = nCells(n, '#size-cells');
  const stride = (na + ns) * 4;
  if (!reg || stride === 0 || (i + 1) * stride > reg.value.length) return undefined;
  return { start: readCells(reg.value, i * stride, na), size: readCells(reg.value, i * stride + na * 4, ns) };
}

/**
 * of_numa_init. `memoryReturnsLast` is 6.12's of_numa_parse_memory_nodes, which returns its last
 * `r`: -EINVAL when no memory node has a `numa-node-id`, or when the last one has none (5.10 and
 * 6.1 return 0, and numa_init then finds no node); `distanceMapSetsNode` is 6.12's node_set(nodea)
 * for each distance-matrix entry.
 */
export function ofNumaInit(
  st: BootState,
  sink: OfNumaSink,
  o: { maxNumNodes: number; memoryReturnsLast: boolean; distanceMapSetsNode: boolean },
): number {
  const { ctx } = st;
  const pr = (level: 'info' | 'warn' | 'err', text: string) => ctx.printk(level, `OF: NUMA: ${text}`, 'of_numa_init');
  // of_numa_parse_cpu_nodes
  for (const { node } of ofCpuNodes(st)) {
    const { r, v } = readU32Prop(node, 'numa-node-id');
    if (r) continue;
    if (v >= o.maxNumNodes) pr('warn', `Node id ${v} exceeds maximum value`);
    else sink.nodeSet(v);
  }
  // of_numa_parse_memory_nodes: for_each_node_by_type(np, "memory"), every node in tree order
  const memory: Node[] = [];
  walkNodes(ctx.tree.root, (n) => {
    if (cString(n, 'device_type') === 'memory') memory.push(n);
  });
  let r = -EINVAL;
  for (const n of memory) {
    const id = readU32Prop(n, 'numa-node-id');
    r = id.r;
    if (r === -EINVAL) continue;
    const nid = id.v;
    if (!r && nid >= o.maxNumNodes) {
      pr('warn', `Node id ${nid} exceeds maximum value`);
      r = -EINVAL;
    }
    let i = 0;
    for (; !r; i++) {
      const e = regEntry(n, i);
      if (!e) break;
      // numa_add_memblk sets the node in numa_nodes_parsed when it succeeds (6.12: of_numa does)
      r = sink.addMemblk(nid, e.start, e.start + e.size);
    }
    if (!i || r) {
      pr('err', 'bad property in memory node');
      return r || -EINVAL;
    }
  }
  if (o.memoryReturnsLast && r) return r;
  // of_numa_parse_distance_map: the first node compatible with numa-distance-map-v1
  let map: Node | undefined;
  walkNodes(ctx.tree.root, (n) => {
    if (!map && isCompatible(n, 'numa-distance-map-v1')) map = n;
  });
  if (!map) return 0;
  pr('info', 'parsing numa-distance-map-v1');
  const matrix = prop(map, 'distance-matrix');
  if (!matrix) {
    pr('err', 'No distance-matrix property in distance-map');
    return -EINVAL;
  }
  // of_property_count_u32_elems: -EINVAL for a length that is not a whole number of cells
  const count = matrix.value.length % 4 ? -EINVAL : matrix.value.length / 4;
  if (count <= 0) {
    pr('err', 'Invalid distance-matrix');
    return -EINVAL;
  }
  for (let i = 0; i + 2 < count; i += 3) {
    const a = readU32(matrix.value, i * 4);
    const b = readU32(matrix.value, i * 4 + 4);
    const d = readU32(matrix.value, i * 4 + 8);
    if ((a === b && d !== LOCAL_DISTANCE) || (a !== b && d <= LOCAL_DISTANCE)) {
      // printed with %d: ids and distances of 2^31 and more come out negative
      const s = (x: number) => x | 0;
      pr('err', `Invalid distance[node${s(a)} -> node${s(b)}] = ${s(d)}`);
      return -EINVAL;
    }
    if (o.distanceMapSetsNode) sink.nodeSet(a);
    sink.setDistance(a, b, d);
    if (b > a) sink.setDistance(b, a, d);
  }
  return 0;
}
