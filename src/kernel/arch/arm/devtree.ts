// arch/arm/kernel/devtree.c arm_dt_init_cpu_maps: which of the DT's cpu nodes become possible CPUs.
import type { CpuNode, SmpParams } from '../../smp.js';

/** MPIDR_HWID_BITMASK (arch/arm/include/asm/cputype.h): Aff2..Aff0. */
const MPIDR_HWID_BITMASK = 0xffffffn;

/**
 * Logical ids in node order from 1, the boot CPU's node taking 0; a node without a usable `reg`,
 * with bits above MPIDR[23:0] or repeating one gives up the whole map (only the boot CPU is
 * possible), as does a map without the boot CPU; past nr_cpu_ids the kernel WARNs and caps the
 * map there (NR_CPUS, or nr_cpus=). Those 0..cpuidx-1 are possible; no enable-method is needed.
 */
export function armDtInitCpuMaps(nodes: CpuNode[], p: SmpParams): { possible: number[]; notes: string[] } {
  const boot = nodes[0]?.hwid;
  const nrCpuIds = p.nrCpuIds ?? Number.POSITIVE_INFINITY;
  const map: (bigint | undefined)[] = [];
  let cpuidx = 1;
  let bootValid = false;
  const notes: string[] = [];
  for (const n of nodes) {
    // of_get_cpu_hwid's ~0 read as a u32 has bits above MPIDR[23:0] too
    const hwid = n.hwid === undefined ? 0xffffffffn : n.hwid & 0xffffffffn;
    if (hwid & ~MPIDR_HWID_BITMASK) return { possible: [0], notes };
    if (map.slice(0, cpuidx).includes(hwid))
      return { possible: [0], notes: ['arm_dt_init_cpu_maps: Duplicate /cpu reg properties in the DT (WARN)'] };
    let i: number;
    if (hwid === boot) {
      i = 0;
      bootValid = true;
    } else i = cpuidx++;
    if (cpuidx > nrCpuIds) {
      notes.push(`DT /cpu ${cpuidx} nodes greater than max cores ${nrCpuIds}, capping them (arm_dt_init_cpu_maps WARN)`);
      cpuidx = nrCpuIds;
      break;
    }
    map[i] = hwid;
  }
  if (!bootValid)
    return {
      possible: [0],
      notes: nodes.length ? [...notes, 'DT missing boot CPU MPIDR[23:0], fall back to default cpu_logical_map'] : notes,
    };
  return { possible: Array.from({ length: cpuidx }, (_, i) => i), notes };
}
