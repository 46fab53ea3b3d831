import { touch, type BootState, type NumaNode } from './boot-state.js';
import { diag } from '../diagnostics.js';
import { parameq } from './cmdline.js';
import { MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE, formatPa, roundDown } from './memblock.js';
import { ofNumaInit } from './of-numa.js';
import { smpParams } from './smp.js';

const LOCAL_DISTANCE = 10;

/** A numa_memblk: [start, end) of node nid. */
interface Memblk {
  nid: number;
  start: bigint;
  end: bigint;
}

/** `%#010Lx`. */
const x010 = (v: bigint) => '0x' + v.toString(16).padStart(8, '0');

/**
 * numa_parse_early_param: a `numa=` value starting with "off" sets numa_off, and nothing clears it.
 * `fake=` on a build with CONFIG_NUMA_EMU splits memory into emulated nodes, which is not followed.
 */
function numaOff(st: BootState): boolean {
  let off = false;
  let fake = false;
  for (const { param, val } of st.ctx.cmdline.args) {
    if (parameq(param, 'numa') && val?.startsWith('off')) off = true;
    if (parameq(param, 'numa') && val?.startsWith('fake=')) fake = true;
  }
  const p = st.ctx.profile;
  if (fake && p.numaEmu && p.params.numaFake)
    st.ctx.diagnostics.push(
      diag(
        'warning',
        'param-not-modelled',
        'numa=fake= on a build with CONFIG_NUMA_EMU splits memory into emulated NUMA nodes (mm/numa_emulation.c numa_emulation): carveout does not follow them, so NODE_DATA, the memmap, the per-cpu groups and what memblock places after arch_numa_init may differ',
      ),
    );
  return off;
}

/**
 * numa_set_distance's refusals (pr_warn_once): a node beyond the table, a distance that is not a
 * u8 or a node's distance to itself that is not LOCAL_DISTANCE.
 */
function distanceProblem(from: number, to: number, distance: number, cnt: number): string | undefined {
  if (from >= cnt || to >= cnt) return `Warning: node ids are out of bound, from=${from | 0} to=${to | 0} distance=${distance | 0}`;
  if (distance > 255 || (from === to && distance !== LOCAL_DISTANCE))
    return `Warning: invalid distance parameter, from=${from} to=${to} distance=${distance | 0}`;
  return undefined;
}

/**
 * What of_numa_init's configuration comes to: 'none' when numa_init fails (the kernel goes on to
 * the dummy node), otherwise the nodes numa_register_nodes sets up.
 */
type OfResult = { kind: 'none' } | { kind: 'nodes'; nodes: number[]; memblks?: Memblk[] };

/** 5.10 and 6.1: numa_init(of_numa_init), numa_add_memblk applying each range with memblock_set_node. */
function ofNumaArchNuma(st: BootState, allocDistance: () => bigint, freeDistance: (d: bigint) => void): OfResult {
  const { ctx } = st;
  const p = ctx.profile;
  const mb = ctx.memblock;
  const parsed = new Set<number>();
  const d = allocDistance();
  const fail = (): OfResult => {
    if (d) freeDistance(d);
    return { kind: 'none' };
  };
  // the table has nr_node_ids (MAX_NUMNODES until setup_nr_node_ids) rows
  const cnt = p.maxNumNodes;
  let warnedDistance = false;
  const r = ofNumaInit(
    st,
    {
      addMemblk(nid, start, end) {
        const e = mb.setNode(start, end - start, mb.memory, nid);
        if (e) {
          ctx.printk(
            'err',
            `NUMA: memblock [0x${start.toString(16)} - 0x${(end - 1n).toString(16)}] failed to add on node ${nid}`,
            'numa_add_memblk',
          );
          return -e;
        }
        parsed.add(nid);
        return 0;
      },
      nodeSet: (nid) => parsed.add(nid),
      setDistance(from, to, distance) {
        const w = warnedDistance ? undefined : distanceProblem(from, to, distance, cnt);
        if (!w) return;
        warnedDistance = true;
        ctx.printk('warn', `NUMA: ${w}`, 'numa_set_distance');
      },
    },
    { maxNumNodes: p.maxNumNodes, memoryReturnsLast: false, distanceMapSetsNode: false },
  );
  if (r < 0) return fail();
  if (!parsed.size) {
    ctx.printk('info', 'NUMA: No NUMA configuration found', 'numa_init');
    return fail();
  }
  // numa_register_nodes: every memory region must be on a node
  for (const m of mb.memory.regions) {
    if (mb.nodeOf(m) === NUMA_NO_NODE || mb.nodeOf(m) >= p.maxNumNodes) {
      const end = m.base + m.size - 1n;
      const range =
        p.series.arm64.numa.core === 'arm64-numa' ? `${x010(m.base)}-${x010(end)}` : `${formatPa(m.base, 64)}-${formatPa(end, 64)}`;
      ctx.printk('warn', `NUMA: Warning: invalid memblk node ${mb.nodeOf(m)} [mem ${range}]`, 'numa_register_nodes');
      return fail();
    }
  }
  return { kind: 'nodes', nodes: [...parsed].sort((a, b) => a - b) };
}

/**
 * 6.12 and 7.2: numa_init(of_numa_init) through numa_memblks_init — the ranges gathered in
 * numa_meminfo, cleaned up (numa_cleanup_meminfo) and applied (numa_register_meminfo), then
 * memblock_validate_numa_coverage; a failure frees the distance table a distance-map allocated.
 */
function ofNumaMemblks(st: BootState): OfResult {
  const { ctx } = st;
  const p = ctx.profile;
  const mb = ctx.memblock;
  const parsed = new Set<number>();
  const mi: Memblk[] = [];
  let table: { at: bigint; size: bigint; cnt: number } | undefined;
  let tableFailed = false;
  let warnedDistance = false;
  const fail = (): OfResult => {
    if (table) mb.physFree(table.at, table.size, 'numa_reset_distance');
    return { kind: 'none' };
  };
  const r = ofNumaInit(
    st,
    {
      addMemblk(nid, start, end) {
        // numa_add_memblk_to: zero-length ranges ignored, invalid ones whined about and ignored
        if (start === end) {
          parsed.add(nid);
          return 0;
        }
        if (start > end || nid < 0 || nid >= p.maxNumNodes) {
          ctx.printk('warn', `Warning: invalid memblk node ${nid} [mem ${x010(start)}-${x010(end - 1n)}]`, 'numa_add_memblk');
          parsed.add(nid);
          return 0;
        }
        mi.push({ nid, start, end });
        parsed.add(nid);
        return 0;
      },
      nodeSet: (nid) => parsed.add(nid),
      setDistance(from, to, distance) {
        // numa_alloc_distance on the first call: a table as large as the nodes known so far
        if (!table && !tableFailed) {
          const cnt = Math.max(...parsed, ...mi.map((b) => b.nid)) + 1;
          const size = BigInt(cnt * cnt);
          const at = mb.allocTryNid(size, mb.pageSize, 0n, MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE, 'numa_set_distance');
          if (at) table = { at, size, cnt };
          else {
            tableFailed = true;
            ctx.printk('warn', "Warning: can't allocate distance table!", 'numa_alloc_distance');
          }
        }
        const w = !table || warnedDistance ? undefined : distanceProblem(from, to, distance, table.cnt);
        if (!w) return;
        warnedDistance = true;
        ctx.printk('warn', w, 'numa_set_distance'); // mm/numa_memblks.c has no pr_fmt
      },
    },
    { maxNumNodes: p.maxNumNodes, memoryReturnsLast: true, distanceMapSetsNode: true },
  );
  if (r < 0) return fail();
  // numa_cleanup_meminfo: trim to DRAM, drop ranges with no memory, merge a node's ranges
  const low = mb.startOfDram();
  const high = mb.endOfDram();
  const overlapsMemory = (b: Memblk) => mb.memory.regions.some((m) => m.base < b.end && b.start < m.base + m.size);
  for (let i = 0; i < mi.length; i++) {
    const b = mi[i]!;
    if (!overlapsMemory(b)) {
      mi.splice(i--, 1);
      continue;
    }
    if (b.start < low) b.start = low;
    if (b.end > high) b.end = high;
    if (b.start >= b.end) mi.splice(i--, 1);
  }
  for (let i = 0; i < mi.length; i++) {
    const bi = mi[i]!;
    for (let j = i + 1; j < mi.length; j++) {
      const bj = mi[j]!;
      if (bi.end > bj.start && bi.start < bj.end) {
        if (bi.nid !== bj.nid) {
          ctx.printk(
            'err',
            `node ${bi.nid} [mem ${x010(bi.start)}-${x010(bi.end - 1n)}] overlaps with node ${bj.nid} [mem ${x010(bj.start)}-${x010(bj.end - 1n)}]`,
            'numa_cleanup_meminfo',
          );
          return fail();
        }
        ctx.printk(
          'warn',
          `Warning: node ${bi.nid} [mem ${x010(bi.start)}-${x010(bi.end - 1n)}] overlaps with itself [mem ${x010(bj.start)}-${x010(bj.end - 1n)}]`,
          'numa_cleanup_meminfo',
        );
      }
      if (bi.nid !== bj.nid) continue;
      const start = bi.start < bj.start ? bi.start : bj.start;
      const end = bi.end > bj.end ? bi.end : bj.end;
      if (mi.some((bk) => bk.nid !== bi.nid && start < bk.end && end > bk.start)) continue;
      ctx.printk(
        'info',
        `NUMA: Node ${bi.nid} [mem ${x010(bi.start)}-${x010(bi.end - 1n)}] + [mem ${x010(bj.start)}-${x010(bj.end - 1n)}] -> [mem ${x010(start)}-${x010(end - 1n)}]`,
        'numa_cleanup_meminfo',
      );
      bi.start = start;
      bi.end = end;
      mi.splice(j--, 1);
    }
  }
  // numa_register_meminfo: node_possible_map is the parsed nodes and the ranges' (each range's node
  // is parsed too); empty, it fails (WARN_ON, -EINVAL) before numa_init could say "No NUMA
  // configuration found"
  if (!parsed.size) return fail();
  // memblock_validate_numa_coverage(0): the pages of memory no range covers (numa_memblks_init
  // first set every region to NUMA_NO_NODE)
  const ps = mb.pageSize;
  let uncovered = 0n;
  for (const m of mb.memory.regions) {
    const cuts = [m.base, m.base + m.size];
    for (const b of mi) for (const c of [b.start, b.end]) if (c > m.base && c < m.base + m.size) cuts.push(c);
    cuts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (let k = 0; k + 1 < cuts.length; k++) {
      const [s, e] = [cuts[k]!, cuts[k + 1]!];
      if (s === e || mi.some((b) => b.start <= s && e <= b.end)) continue;
      const first = (s + ps - 1n) / ps;
      const last = e / ps;
      if (last > first) uncovered += last - first;
    }
  }
  if (uncovered > 0n) {
    const total = mb.memory.regions.reduce((a, m) => a + m.size, 0n);
    ctx.printk(
      'err',
      `NUMA: no nodes coverage for ${(uncovered * ps) >> 20n}MB of ${total >> 20n}MB RAM`,
      'memblock_validate_numa_coverage',
    );
    return fail();
  }
  return { kind: 'nodes', nodes: [...parsed].sort((a, b) => a - b), memblks: mi };
}

/** early_pfn_to_nid: the node of the memory region holding `pa` (0 when none does). */
function nodeOfAddress(st: BootState, pa: bigint): number {
  const m = st.ctx.memblock.memory.regions.find((r) => r.base <= pa && pa < r.base + r.size);
  return m && m.nid >= 0 && m.nid < st.ctx.profile.maxNumNodes ? m.nid : 0;
}

/**
 * arch_numa_init for the NUMA nodes the kernel takes from the tree (numa_register_nodes). Returns
 * the nodes, each with its NODE_DATA, ascending.
 */
export function archNumaInit(st: BootState): NumaNode[] {
  const { ctx } = st;
  const p = ctx.profile;
  // without CONFIG_NUMA arch_numa_init is an empty inline (include/asm-generic/numa.h): no line, no
  // allocation; NODE_DATA(0) is the static contig_page_data, in the image's bss (its end, for the
  // section sparse_init_nid's usemap goal rounds it to), and every region is node 0's
  if (!p.numa) {
    const k = st.result.kernelImage;
    ctx.memblock.setNode(0n, ctx.memblock.physAddrMax, ctx.memblock.memory, 0);
    return [{ nid: 0, nodeData: k ? k.base + k.size - 1n : 0n }];
  }
  const a = p.arm64!;
  const mb = ctx.memblock;
  const page = BigInt(p.pageSize);
  const start = mb.startOfDram();
  const end = mb.endOfDram();
  // numa_alloc_distance / numa_free_distance (5.10 and 6.1: numa_init allocates the table first):
  // nr_node_ids² bytes, nr_node_ids still MAX_NUMNODES (1 << CONFIG_NODES_SHIFT) then
  const table = BigInt(p.maxNumNodes * p.maxNumNodes);
  const allocDistance = (): bigint => {
    if (a.numa.distanceAlloc === 'memblock-alloc')
      return mb.allocTryNid(table, page, 0n, MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE, 'numa_init');
    // 5.10 arch/arm64/mm/numa.c: memblock_find_in_range(0, PFN_PHYS(max_pfn), size, PAGE_SIZE) + memblock_reserve
    const at = mb.findInRange(0n, roundDown(end, page), table, page);
    if (at) mb.reserve(at, table, 'numa_init');
    return at;
  };
  const freeDistance = (d: bigint) => mb.physFree(d, table, 'numa_free_distance');
  const off = numaOff(st);
  let of: OfResult = { kind: 'none' };
  const core = p.series.arm64.numa.core;
  if (!off) of = core === 'numa-memblks' ? ofNumaMemblks(st) : ofNumaArchNuma(st, allocDistance, freeDistance);
  if (of.kind !== 'nodes') {
    // numa_init(dummy_numa_init): 5.10 and 6.1 allocate the distance table again, and keep it
    if (a.numa.distanceAlloc !== 'none') allocDistance();
    if (off) ctx.printk('info', 'NUMA: NUMA disabled', 'dummy_numa_init');
    ctx.printk('info', `NUMA: Faking a node at [mem ${formatPa(start, 64)}-${formatPa(end - 1n, 64)}]`, 'numa_init');
  }
  const nodes = of.kind === 'nodes' ? of.nodes : [0];
  if (nodes.length === 1 && nodes[0] === 0) {
    // The dummy node's range, or the tree's ranges of node 0, which cover all of memory: every
    // memory region on node 0, and (6.12 numa_clear_kernel_node_hotplug) the reserved regions
    // within [start of DRAM, end of DRAM).
    mb.setNode(0n, mb.physAddrMax, mb.memory, 0);
    if (a.numa.reservedNid) mb.setNode(start, end - start, mb.reserved, 0);
  } else if (of.kind === 'nodes' && of.memblks) {
    // 6.12 numa_memblks_init: every region on no node; numa_register_meminfo: memory on the
    // ranges' nodes; numa_clear_kernel_node_hotplug: the reserved regions too, split at the ranges.
    // (5.10 and 6.1: numa_add_memblk set the memory's nodes while the tree was read.)
    mb.setNode(0n, mb.physAddrMax, mb.memory, NUMA_NO_NODE);
    mb.setNode(0n, mb.physAddrMax, mb.reserved, NUMA_NO_NODE);
    for (const b of of.memblks) mb.setNode(b.start, b.end - b.start, mb.memory, b.nid);
    for (const b of of.memblks) mb.setNode(b.start, b.end - b.start, mb.reserved, b.nid);
  }
  // numa_register_nodes → setup_node_data, each node in turn, on its own memory if it can
  const out: NumaNode[] = [];
  for (const nid of nodes) {
    if (!mb.memory.regions.some((m) => mb.nodeOf(m) === nid && m.size >= mb.pageSize))
      ctx.printk('info', `NUMA: Initmem setup node ${nid} [<memory-less node>]`, 'setup_node_data');
    const nd = mb.physAllocTryNid(a.numa.nodeDataSize, BigInt(p.smpCacheBytes), nid);
    if (nd) {
      const range = `[mem ${x010(nd)}-${x010(nd + a.numa.nodeDataSize - 1n)}]`;
      ctx.printk('info', `${a.numa.nodeDataMessage.replace('%d', String(nid))} ${range}`, 'setup_node_data');
      const tnid = nodeOfAddress(st, nd);
      if (tnid !== nid)
        ctx.printk('info', `${core === 'numa-memblks' ? '    ' : 'NUMA: '}NODE_DATA(${nid}) on node ${tnid}`, 'setup_node_data');
    }
    touch(st, nd, a.numa.nodeDataSize, 'numa_init'); // memset(NODE_DATA(nid), 0, ...)
    out.push({ nid, nodeData: nd });
  }
  // setup_node_to_cpumask_map: a cpumask per node id below nr_node_ids, with CPUMASK_OFFSTACK
  // from memblock (alloc_bootmem_cpumask_var: memblock_alloc(cpumask_size(), SMP_CACHE_BYTES))
  const cm = a.numa.cpumask;
  if (cm) {
    const bits = cm.bits === 'nr-cpus' ? cm.nrCpus : (smpParams(st).nrCpuIds ?? cm.nrCpus);
    const size = BigInt(Math.ceil(bits / 64) * 8);
    for (let i = 0; i <= Math.max(...nodes); i++)
      touch(st, mb.allocOrPanic(size, BigInt(p.smpCacheBytes), 'alloc_bootmem_cpumask_var'), size, 'numa_init');
  }
  st.numa = { nodes: out, fromTree: of.kind === 'nodes', off };
  return out;
}
