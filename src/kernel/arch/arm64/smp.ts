// arch/arm64/kernel/smp.c smp_init_cpus: which of the DT's cpu nodes become possible CPUs.
import type { BootState } from '../../boot-state.js';
import type { CpuNode, SmpParams } from '../../smp.js';
import { cString, prop } from '../../../tree/query.js';
import type { Node } from '../../../tree/types.js';

/** MPIDR_HWID_BITMASK (arch/arm64/include/asm/cputype.h): Aff3 and Aff2..Aff0. */
const MPIDR_HWID_BITMASK = 0xff00ffffffn;

/**
 * of_parse_and_init_cpus, then smp_init_cpus: logical ids in node order from 1 (the boot CPU's
 * node keeps 0 and takes no id; a node with a bad or duplicate `reg`, or past NR_CPUS, uses one up
 * all the same), none beyond the boot CPU without a node for it; 7.2 marks none with nosmp or
 * maxcpus=0; then for ids below nr_cpu_ids, smp_cpu_setup: possible when init_cpu_ops finds the
 * node's enable-method ("psci", or "spin-table" with an 8-byte cpu-release-addr:
 * arch/arm64/kernel/cpu_ops.c, psci.c, smp_spin_table.c).
 */
export function smpInitCpus(
  st: BootState,
  nodes: CpuNode[],
  p: SmpParams,
): { possible: number[]; notes: string[]; dtNodes: Map<number, Node> } {
  const nrCpus = st.ctx.profile.nrCpus ?? Number.POSITIVE_INFINITY;
  const boot = nodes[0]?.hwid;
  const map = new Map<number, CpuNode>();
  let cpuCount = 1;
  let bootValid = false;
  // each possible CPU's node; the boot CPU's is the first with its MPIDR (early_map_cpu_to_node(0, …))
  const dtNodes = new Map<number, Node>();
  for (const n of nodes) {
    const hwid = n.hwid;
    if (hwid === undefined || hwid & ~MPIDR_HWID_BITMASK) {
      cpuCount++;
      continue;
    }
    // is_mpidr_duplicate: the ids given so far, below NR_CPUS
    if ([...map].some(([i, m]) => i < cpuCount && i < nrCpus && m.hwid === hwid)) {
      cpuCount++;
      continue;
    }
    if (hwid === boot) {
      if (bootValid) cpuCount++;
      else dtNodes.set(0, n.node);
      bootValid = true;
      continue;
    }
    if (cpuCount < nrCpus) map.set(cpuCount, n);
    cpuCount++;
  }
  // (a tree without cpu nodes, as a board fragment often is, is one CPU without a word here)
  if (!bootValid)
    return { possible: [0], notes: nodes.length ? ['smp_init_cpus: missing boot CPU MPIDR, not enabling secondaries'] : [], dtNodes };
  if (st.ctx.profile.series.arm64.smpInitCpusNosmp && p.setupMaxCpus === 0) return { possible: [0], notes: [], dtNodes };
  const nrCpuIds = p.nrCpuIds ?? Number.POSITIVE_INFINITY;
  const notes =
    cpuCount > nrCpuIds ? [`Number of cores (${cpuCount}) exceeds configured maximum of ${nrCpuIds} - clipping (smp_init_cpus)`] : [];
  const possible = [0];
  for (const [i, n] of [...map].sort(([a], [b]) => a - b)) {
    if (i >= nrCpuIds) break;
    const method = cString(n.node, 'enable-method');
    const release = prop(n.node, 'cpu-release-addr');
    if (method === 'psci' || (method === 'spin-table' && release && release.value.length >= 8)) {
      possible.push(i);
      dtNodes.set(i, n.node);
    }
  }
  return { possible, notes, dtNodes };
}
