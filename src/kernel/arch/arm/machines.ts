// arm's machine descriptors (DT_MACHINE_START, arch/arm/mach-*/): setup_machine_fdt picks the one
// whose dt_compat best matches the root node's compatible (of_flat_dt_match_machine), and some of
// them map devices early from devicemaps_init (mdesc->map_io → iotable_init), which takes memory:
// a struct static_vm per iotable_init call's entries and a PTE table for each 2 MiB of virtual
// space a page-sized mapping lands in. The Generic DT machine and those not listed here map
// nothing (debug_ll_io_init maps only with CONFIG_DEBUG_LL, which Debian's armmp builds lack).
import type { Tree } from '../../../tree/types.js';
import { findNode, strings } from '../../../tree/query.js';

/** One map_desc of a machine's map_io: where it maps, and how much. */
export interface MachineIoDesc {
  /** Physical base (the kernel reads some from the CPU, as i.MX6's SCU from CBAR). */
  phys: bigint;
  virtual: bigint;
  length: bigint;
}

interface ArmMachine {
  /** The descriptor's name (DT_MACHINE_START's second argument) and where it is. */
  name: string;
  source: string;
  /** Its dt_compat list. */
  compat: string[];
  /** What map_io maps, one iotable_init call per list. */
  mapIo: MachineIoDesc[][];
}

/**
 * IMX_IO_P2V (arch/arm/mach-imx/hardware.h): the fixed virtual address i.MX maps a device's
 * physical one to.
 */
const imxIoP2V = (x: bigint): bigint =>
  ((x & 0x80000000n) >> 7n) | (0xf4000000n + ((x & 0x50000000n) >> 6n) + ((x & 0x0b000000n) >> 4n) + (x & 0x000fffffn));

/** i.MX6 Quad/DualLite's Cortex-A9 MPCore private region (the SCU) is at 0x00a00000: CBAR reads it. */
const IMX6_SCU = 0x00a00000n;

const MACHINES: ArmMachine[] = [
  {
    name: 'Freescale i.MX6 Quad/DualLite (Device Tree)',
    source: 'arch/arm/mach-imx/mach-imx6q.c imx6q_map_io → imx_scu_map_io (platsmp.c)',
    compat: ['fsl,imx6dl', 'fsl,imx6q', 'fsl,imx6qp'],
    mapIo: [[{ phys: IMX6_SCU, virtual: imxIoP2V(IMX6_SCU), length: 0x1000n }]],
  },
];

/**
 * The listed machine setup_machine_fdt would pick for the tree: of_flat_dt_match scores a
 * dt_compat entry by the position of the first root compatible string it equals, and the best
 * (lowest) score wins; a tree no listed machine matches gets the Generic DT one (undefined here).
 */
export function armMachine(tree: Tree): ArmMachine | undefined {
  const root = findNode(tree, '/');
  const compatible = root ? strings(root, 'compatible') : [];
  let best: { m: ArmMachine; score: number } | undefined;
  for (const m of MACHINES) {
    const score = compatible.findIndex((c) => m.compat.includes(c));
    if (score >= 0 && (!best || score < best.score)) best = { m, score };
  }
  return best?.m;
}
