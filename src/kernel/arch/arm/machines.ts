// arm's machine descriptors (DT_MACHINE_START, arch/arm/mach-*/): setup_machine_fdt picks the one
// whose dt_compat best matches the root node's compatible (of_flat_dt_match_machine), and some of
// them map devices early from devicemaps_init (mdesc->map_io → iotable_init), which takes memory:
// a struct static_vm per iotable_init call's entries and a PTE table for each 2 MiB of virtual
// space a page-sized mapping lands in. The Generic DT machine and those not listed here map
// nothing (debug_ll_io_init maps only with CONFIG_DEBUG_LL, which Debian's armmp builds lack);
// the others whose map_io maps are listed by name, and a plan for one of them carries a note.
import type { Tree } from '../../../tree/types.js';
import { strings } from '../../../tree/query.js';

/** One map_desc of a machine's map_io: the virtual range it maps (what takes PTE tables). */
export interface MachineIoDesc {
  virtual: bigint;
  length: bigint;
}

interface ArmMachine {
  /** The descriptor's name (DT_MACHINE_START's second argument) and where it is. */
  name: string;
  source: string;
  /** Its dt_compat list. */
  compat: string[];
  /** What map_io maps, one iotable_init call per list; absent: it maps early, not modelled. */
  mapIo?: MachineIoDesc[][];
}

/**
 * IMX_IO_P2V (arch/arm/mach-imx/hardware.h): the fixed virtual address i.MX maps a device's
 * physical one to.
 */
const imxIoP2V = (x: bigint): bigint =>
  ((x & 0x80000000n) >> 7n) | (0xf4000000n + ((x & 0x50000000n) >> 6n) + ((x & 0x0b000000n) >> 4n) + (x & 0x000fffffn));

/** i.MX6 Quad/DualLite's Cortex-A9 MPCore private region (the SCU) is at 0x00a00000: CBAR reads it. */
const IMX6_SCU = 0x00a00000n;

/**
 * Linux 6.12's other DT machines whose map_io maps more than debug_ll_io_init (arch/arm/mach-…:
 * DT_MACHINE_START with .map_io and .dt_compat), not modelled: the plan says so.
 */
const UNMODELLED: [name: string, source: string, compat: string[]][] = [
  ['Cirrus Logic CLPS711X (Device Tree Support)', 'arch/arm/mach-clps711x/board-dt.c clps711x_map_io', ['cirrus,ep7209']],
  [
    'Generic DA850/OMAP-L138/AM18x',
    'arch/arm/mach-davinci/da8xx-dt.c da850_init',
    ['enbw,cmc', 'ti,da850-lcdk', 'ti,da850-evm', 'ti,da850'],
  ],
  [
    'Samsung Exynos (Flattened Device Tree)',
    'arch/arm/mach-exynos/exynos.c exynos_init_io',
    [
      'samsung,exynos3',
      'samsung,exynos3250',
      'samsung,exynos4',
      'samsung,exynos4210',
      'samsung,exynos4212',
      'samsung,exynos4412',
      'samsung,exynos5',
      'samsung,exynos5250',
      'samsung,exynos5260',
      'samsung,exynos5420',
    ],
  ],
  ['Gemini (Device Tree)', 'arch/arm/mach-gemini/board-dt.c gemini_map_io', ['cortina,gemini']],
  ['Hisilicon Hi3620 (Flattened Device Tree)', 'arch/arm/mach-hisi/hisilicon.c hi3620_map_io', ['hisilicon,hi3620-hi4511']],
  ['Freescale i.MX27 (Device Tree Support)', 'arch/arm/mach-imx/mach-imx27.c mx27_map_io', ['fsl,imx27']],
  ['Freescale i.MX31 (Device Tree Support)', 'arch/arm/mach-imx/mach-imx31.c mx31_map_io', ['fsl,imx31']],
  ['Freescale i.MX35 (Device Tree Support)', 'arch/arm/mach-imx/mach-imx35.c mx35_map_io', ['fsl,imx35']],
  [
    'LPC32XX SoC (Flattened Device Tree)',
    'arch/arm/mach-lpc32xx/phy3250.c lpc32xx_map_io',
    ['nxp,lpc3220', 'nxp,lpc3230', 'nxp,lpc3240', 'nxp,lpc3250'],
  ],
  ['Marvell PXA168 (Device Tree Support)', 'arch/arm/mach-mmp/mmp-dt.c mmp_map_io', ['mrvl,pxa168-aspenite']],
  ['Marvell PXA910 (Device Tree Support)', 'arch/arm/mach-mmp/mmp-dt.c mmp_map_io', ['mrvl,pxa910-dkb']],
  ['Marvell MMP2 (Device Tree Support)', 'arch/arm/mach-mmp/mmp2-dt.c mmp2_map_io', ['mrvl,mmp2']],
  ['Marvell MMP3', 'arch/arm/mach-mmp/mmp3.c mmp2_map_io', ['marvell,mmp3']],
  ['Nomadik STn8815', 'arch/arm/mach-nomadik/cpu-8815.c cpu8815_map_io', ['st,nomadik-nhk-15', 'calaosystems,usb-s8815']],
  ['Generic OMAP2420 (Flattened Device Tree)', 'arch/arm/mach-omap2/board-generic.c omap242x_map_io', ['ti,omap2420']],
  ['Generic OMAP2430 (Flattened Device Tree)', 'arch/arm/mach-omap2/board-generic.c omap243x_map_io', ['ti,omap2430']],
  ['Nokia RX-51 board', 'arch/arm/mach-omap2/board-generic.c omap3_map_io', ['nokia,omap3-n900']],
  ['Generic OMAP3 (Flattened Device Tree)', 'arch/arm/mach-omap2/board-generic.c omap3_map_io', ['ti,omap3430', 'ti,omap3']],
  ['Generic OMAP36xx (Flattened Device Tree)', 'arch/arm/mach-omap2/board-generic.c omap3_map_io', ['ti,omap3630', 'ti,omap36xx']],
  [
    'Generic OMAP3-GP (Flattened Device Tree)',
    'arch/arm/mach-omap2/board-generic.c omap3_map_io',
    ['ti,omap3-beagle', 'timll,omap3-devkit8000'],
  ],
  ['Generic AM3517 (Flattened Device Tree)', 'arch/arm/mach-omap2/board-generic.c omap3_map_io', ['ti,am3517']],
  ['Generic ti814x (Flattened Device Tree)', 'arch/arm/mach-omap2/board-generic.c ti81xx_map_io', ['ti,dm8148', 'ti,dm814']],
  ['Generic ti816x (Flattened Device Tree)', 'arch/arm/mach-omap2/board-generic.c ti81xx_map_io', ['ti,dm8168', 'ti,dm816']],
  ['Generic AM33XX (Flattened Device Tree)', 'arch/arm/mach-omap2/board-generic.c am33xx_map_io', ['ti,am33xx']],
  ['Generic OMAP4 (Flattened Device Tree)', 'arch/arm/mach-omap2/board-generic.c omap4_map_io', ['ti,omap4460', 'ti,omap4430', 'ti,omap4']],
  ['Generic OMAP5 (Flattened Device Tree)', 'arch/arm/mach-omap2/board-generic.c omap5_map_io', ['ti,omap5432', 'ti,omap5430', 'ti,omap5']],
  ['Generic AM43 (Flattened Device Tree)', 'arch/arm/mach-omap2/board-generic.c am33xx_map_io', ['ti,am4372', 'ti,am43']],
  [
    'Generic DRA74X (Flattened Device Tree)',
    'arch/arm/mach-omap2/board-generic.c dra7xx_map_io',
    ['ti,dra762', 'ti,am5728', 'ti,am5726', 'ti,dra742', 'ti,dra7'],
  ],
  [
    'Generic DRA72X (Flattened Device Tree)',
    'arch/arm/mach-omap2/board-generic.c dra7xx_map_io',
    ['ti,am5718', 'ti,am5716', 'ti,dra722', 'ti,dra718'],
  ],
  ['Marvell Orion5x (Flattened Device Tree)', 'arch/arm/mach-orion5x/board-dt.c orion5x_map_io', ['marvell,orion5x']],
  ['Marvell PXA25x (Device Tree Support)', 'arch/arm/mach-pxa/pxa-dt.c pxa25x_map_io', ['marvell,pxa250']],
  ['Marvell PXA27x (Device Tree Support)', 'arch/arm/mach-pxa/pxa-dt.c pxa27x_map_io', ['marvell,pxa270']],
  [
    'Marvell PXA3xx (Device Tree Support)',
    'arch/arm/mach-pxa/pxa-dt.c pxa3xx_map_io',
    ['marvell,pxa300', 'marvell,pxa310', 'marvell,pxa320'],
  ],
  [
    'Samsung S3C64xx (Flattened Device Tree)',
    'arch/arm/mach-s3c/mach-s3c64xx-dt.c s3c64xx_dt_map_io',
    ['samsung,s3c6400', 'samsung,s3c6410'],
  ],
  ['Samsung S5PC110/S5PV210-based board', 'arch/arm/mach-s5pv210/s5pv210.c s5pv210_dt_map_io', ['samsung,s5pc110', 'samsung,s5pv210']],
  ['ST SPEAr1310 SoC with Flattened Device Tree', 'arch/arm/mach-spear/spear1310.c spear1310_map_io', ['st,spear1310', 'st,spear1310-evb']],
  ['ST SPEAr1340 SoC with Flattened Device Tree', 'arch/arm/mach-spear/spear1340.c spear13xx_map_io', ['st,spear1340', 'st,spear1340-evb']],
  ['ST SPEAr300 SoC with Flattened Device Tree', 'arch/arm/mach-spear/spear300.c spear300_map_io', ['st,spear300', 'st,spear300-evb']],
  ['ST SPEAr310 SoC with Flattened Device Tree', 'arch/arm/mach-spear/spear310.c spear310_map_io', ['st,spear310', 'st,spear310-evb']],
  [
    'ST SPEAr320 SoC with Flattened Device Tree',
    'arch/arm/mach-spear/spear320.c spear320_map_io',
    ['st,spear320', 'st,spear320-evb', 'st,spear320-hmi'],
  ],
  ['ST SPEAr600 (Flattened Device Tree)', 'arch/arm/mach-spear/spear6xx.c spear6xx_map_io', ['st,spear600']],
  [
    'NVIDIA Tegra SoC (Flattened Device Tree)',
    'arch/arm/mach-tegra/tegra.c tegra_map_common_io',
    ['nvidia,tegra124', 'nvidia,tegra114', 'nvidia,tegra30', 'nvidia,tegra20'],
  ],
  ['ARM Integrator/AP (Device Tree)', 'arch/arm/mach-versatile/integrator_ap.c ap_map_io', ['arm,integrator-ap']],
  ['ARM Integrator/CP (Device Tree)', 'arch/arm/mach-versatile/integrator_cp.c intcp_map_io', ['arm,integrator-cp']],
  ['ARM-Versatile (Device Tree Support)', 'arch/arm/mach-versatile/versatile.c versatile_map_io', ['arm,versatile-ab', 'arm,versatile-pb']],
  [
    'VIA/Wondermedia SoC (Device Tree Support)',
    'arch/arm/mach-vt8500/vt8500.c vt8500_map_io',
    ['via,vt8500', 'wm,wm8650', 'wm,wm8505', 'wm,wm8750', 'wm,wm8850'],
  ],
  ['Xilinx Zynq Platform', 'arch/arm/mach-zynq/common.c zynq_map_io', ['xlnx,zynq-7000']],
];

const MACHINES: ArmMachine[] = [
  {
    name: 'Freescale i.MX6 Quad/DualLite (Device Tree)',
    source: 'arch/arm/mach-imx/mach-imx6q.c imx6q_map_io → imx_scu_map_io (platsmp.c)',
    compat: ['fsl,imx6dl', 'fsl,imx6q', 'fsl,imx6qp'],
    mapIo: [[{ virtual: imxIoP2V(IMX6_SCU), length: 0x1000n }]],
  },
  ...UNMODELLED.map(([name, source, compat]) => ({ name, source, compat })),
];

/**
 * The listed machine setup_machine_fdt would pick for the tree: of_flat_dt_match scores a
 * dt_compat entry by the position of the first root compatible string it equals, and the best
 * (lowest) score wins; a tree no listed machine matches gets the Generic DT one (undefined here).
 */
export function armMachine(tree: Tree): ArmMachine | undefined {
  const compatible = strings(tree.root, 'compatible');
  let best: { m: ArmMachine; score: number } | undefined;
  for (const m of MACHINES) {
    const score = compatible.findIndex((c) => m.compat.includes(c));
    if (score >= 0 && (!best || score < best.score)) best = { m, score };
  }
  return best?.m;
}
