// drivers/base/arch_numa.c arch_numa_init → numa_init with the dummy node (no NUMA in the tree),
// setup_node_data (6.12: alloc_node_data, mm/numa.c) and the node-to-cpumask map.
import { touch, type BootState } from './boot-state.js';
import { MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE, formatPa, roundDown } from './memblock.js';

/** Returns NODE_DATA(0)'s physical address (0 if the allocation failed), which sparse_init aims at. */
export function archNumaInit(st: BootState): bigint {
  const { ctx } = st;
  const p = ctx.profile;
  const a = p.arm64!;
  const mb = ctx.memblock;
  const page = BigInt(p.pageSize);
  const start = mb.startOfDram();
  const end = mb.endOfDram();
  if (a.numa.distanceAlloc !== 'none') {
    // numa_init: numa_alloc_distance(), numa_free_distance() on the dummy fallback, again
    const allocDistance = () => {
      if (a.numa.distanceAlloc === 'memblock-alloc')
        return mb.allocTryNid(256n, page, 0n, MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE, 'numa_init');
      // 5.10 arch/arm64/mm/numa.c: memblock_find_in_range(0, PFN_PHYS(max_pfn), size, PAGE_SIZE) + memblock_reserve
      const at = mb.findInRange(0n, roundDown(end, page), 256n, page);
      if (at) mb.reserve(at, 256n, 'numa_init');
      return at;
    };
    const d = allocDistance();
    if (d) mb.physFree(d, 256n, 'numa_free_distance');
    allocDistance();
  }
  ctx.printk('info', `NUMA: Faking a node at [mem ${formatPa(start, 64)}-${formatPa(end - 1n, 64)}]`, 'numa_init');
  mb.setNode(0n, mb.physAddrMax, mb.memory, 0);
  if (a.numa.reservedNid) mb.setNode(start, end - start, mb.reserved, 0);
  const nd = mb.physAllocTryNid(a.numa.nodeDataSize, BigInt(p.smpCacheBytes), 0);
  if (nd) {
    const range = `[mem 0x${nd.toString(16).padStart(8, '0')}-0x${(nd + a.numa.nodeDataSize - 1n).toString(16).padStart(8, '0')}]`;
    ctx.printk('info', `${a.numa.nodeDataMessage} ${range}`, 'setup_node_data');
  }
  touch(st, nd, a.numa.nodeDataSize, 'numa_init'); // memset(NODE_DATA(nid), 0, ...)
  if (a.numa.cpumaskAlloc) touch(st, mb.allocOrPanic(64n, 64n, 'alloc_bootmem_cpumask_var'), 64n, 'numa_init');
  return nd;
}
