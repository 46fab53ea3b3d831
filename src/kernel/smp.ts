// The possible CPUs, which size the per-cpu first chunk (mm/percpu.c: a unit per possible CPU,
// unit_map/unit_off with nr_cpu_ids entries) and swiotlb's areas: the DT's /cpus nodes as the arch
// reads them (arm64 smp_init_cpus, arch/arm64/kernel/smp.c; arm arm_dt_init_cpu_maps,
// arch/arm/kernel/devtree.c), capped by nr_cpu_ids — NR_CPUS from the build's .config, or less
// with nr_cpus= (kernel/smp.c) — then setup_nr_cpu_ids: the highest possible CPU plus one.
import type { BootState } from './boot-state.js';
import { getOption, parameq } from './cmdline.js';
import type { Node } from '../tree/types.js';
import { cString, prop, readCells, u32 } from '../tree/query.js';
import { smpInitCpus } from './arch/arm64/smp.js';
import { armDtInitCpuMaps } from './arch/arm/devtree.js';

/** A /cpus node as for_each_of_cpu_node yields it, with its hardware id (of_get_cpu_hwid, thread 0). */
export interface CpuNode {
  node: Node;
  /** The `reg` cells read with the parent's #address-cells; undefined when missing or short (the kernel's ~0). */
  hwid?: bigint;
}

export interface PossibleCpus {
  /** Logical ids of the possible CPUs, 0 (the boot CPU) first. */
  possible: number[];
  /** setup_nr_cpu_ids: the highest possible CPU plus one. */
  nrCpuIds: number;
  /** What the kernel warns about, or what the model could not know. */
  notes: string[];
  /** arm64: each possible CPU's /cpus node (of_node_to_nid gives its NUMA node). */
  dtNodes?: Map<number, Node>;
}

/** The early parameters of kernel/smp.c as the command line sets them, over NR_CPUS. */
export interface SmpParams {
  /** nr_cpu_ids before setup_nr_cpu_ids: NR_CPUS, lowered by nr_cpus= (undefined: NR_CPUS not known). */
  nrCpuIds?: number;
  /** setup_max_cpus: NR_CPUS, maxcpus=, 0 with nosmp. */
  setupMaxCpus?: number;
}

/**
 * kernel/smp.c's early params, in command-line order: nr_cpus= lowers nr_cpu_ids (1 <= N <
 * nr_cpu_ids), maxcpus= sets setup_max_cpus, nosmp zeroes it.
 */
export function smpParams(st: BootState): SmpParams {
  const nrCpus = st.ctx.profile.nrCpus;
  const p: SmpParams = nrCpus === undefined ? {} : { nrCpuIds: nrCpus, setupMaxCpus: nrCpus };
  for (const { param, val } of st.ctx.cmdline.args) {
    if (parameq(param, 'nr_cpus')) {
      const n = getOption(val);
      if (n !== undefined && n > 0 && n < (p.nrCpuIds ?? Number.POSITIVE_INFINITY)) p.nrCpuIds = n;
    } else if (parameq(param, 'maxcpus')) {
      const n = getOption(val);
      // setup_max_cpus is unsigned: a negative value is a large one
      if (n !== undefined) p.setupMaxCpus = n < 0 ? Number.POSITIVE_INFINITY : n;
    } else if (parameq(param, 'nosmp')) p.setupMaxCpus = 0;
  }
  return p;
}

/**
 * for_each_of_cpu_node (drivers/of/base.c of_get_next_cpu_node): the children of /cpus named
 * `cpu` (before any unit address) or of device_type "cpu"; 6.1+ skip those whose status is
 * "fail" or "fail-…" (__of_device_is_fail), others whatever their status.
 */
export function ofCpuNodes(st: BootState): CpuNode[] {
  const cpus = st.ctx.tree.root.children.find((n) => n.name === 'cpus');
  if (!cpus) return [];
  const ac = cellsOf(cpus);
  const out: CpuNode[] = [];
  for (const n of cpus.children) {
    const status = cString(n, 'status');
    if (st.ctx.profile.series.ofCpuNodeSkipsFail && status !== undefined && (status === 'fail' || status.startsWith('fail-'))) continue;
    if (n.name.split('@')[0] !== 'cpu' && cString(n, 'device_type') !== 'cpu') continue;
    const reg = prop(n, 'reg');
    out.push({ node: n, ...(ac && reg && reg.value.length >= ac * 4 ? { hwid: readCells(reg.value, 0, ac) } : {}) });
  }
  return out;
}

/** of_n_addr_cells: the nearest ancestor's #address-cells (this is the parent of the cpu nodes), default 1. */
function cellsOf(parent: Node): number {
  for (let n: Node | null = parent; n; n = n.parent) {
    const cells = u32(n, '#address-cells');
    if (cells !== undefined) return cells;
  }
  return 1;
}

/**
 * The possible CPUs of the boot. The boot CPU's MPIDR is taken to be the first cpu node's `reg`
 * (QEMU virt's cpu@0 has the boot CPU's, 0): the DT cannot say which CPU boots.
 */
export function possibleCpus(st: BootState): PossibleCpus {
  const nodes = ofCpuNodes(st);
  const params = smpParams(st);
  const notes: string[] = [];
  if (st.ctx.profile.nrCpus === undefined && nodes.length > 1)
    notes.push("the build's config does not say CONFIG_NR_CPUS: the /cpus nodes are not capped by it");
  const r: { possible: number[]; notes: string[]; dtNodes?: Map<number, Node> } =
    st.ctx.profile.arch === 'arm64' ? smpInitCpus(st, nodes, params) : armDtInitCpuMaps(nodes, params);
  notes.push(...r.notes);
  const possible = r.possible.length ? r.possible : [0];
  return { possible, nrCpuIds: Math.max(...possible) + 1, notes, ...(r.dtNodes ? { dtNodes: r.dtNodes } : {}) };
}
