// drivers/tty/serial/earlycon.c: whether the command line starts an early console, and which.
// `earlycon=NAME,...` names a driver of __earlycon_table (EARLYCON_DECLARE); bare `earlycon` takes
// /chosen/stdout-path (early_init_dt_scan_chosen_stdout: a path or an alias, options after ':')
// and the first OF_EARLYCON_DECLARE whose compatible the node has. A UART's earlycon maps its
// registers once (earlycon_map: set_fixmap_io(FIX_EARLYCON_MEM_BASE)) and every console write
// goes through that fixmap page.
import type { Tree } from '../tree/types.js';
import { cString, findNode, isCompatible } from '../tree/query.js';
import type { CmdlineArg } from './cmdline.js';

/**
 * EARLYCON_DECLARE names in Linux 6.12 (drivers/tty/serial, drivers/tty/hvc) whose console writes
 * go to MMIO registers mapped through the fixmap; dcc (a coprocessor), smh (semihosting), sbi,
 * xenboot (calls) and efifb (a framebuffer mapped per write) do not, and are left out.
 */
const MMIO_EARLYCONS = new Set(
  (
    'ar3700_uart arc_uart artpec8 atmel_serial bcm2835aux bcm63xx_uart cdns early_gf_tty ec_imx21 ec_imx6q ' +
    'esp32s3acm esp32s3uart esp32uart exynos4210 gs101 hscif juart jz4740_uart jz4750_uart jz4770_uart ' +
    'jz4775_uart jz4780_uart lantiq linflex liteuart lpuart lpuart32 meson mlb_usio mps2 msm_serial ' +
    'msm_serial_dm mtk8250 ns16550 ns16550a omap8250 omapserial owl palmchip pl011 qcom_geni qdf2400_e44 ' +
    'rda s3c6400 s5l s5pv210 sci scif scifa scifb sifive sprd_serial stm32 sunplus_uart uart uart8250 ' +
    'uartlite uartlite_a uartlite_b uniphier x1000_uart'
  ).split(' '),
);

/** OF_EARLYCON_DECLARE compatibles in Linux 6.12 (all MMIO UARTs). */
const OF_EARLYCONS = (
  'actions,owl-uart altr,juart-1.0 altr,uart-1.0 amlogic,meson-ao-uart amlogic,meson-s4-uart apple,s5l-uart ' +
  'arm,mps2-uart arm,pl011 arm,sbsa-uart atmel,at91rm9200-usart atmel,at91sam9260-usart axis,artpec8-uart ' +
  'brcm,bcm2835-aux-uart brcm,bcm6345-uart cdns,uart-r1p12 cdns,uart-r1p8 esp,esp32-uart esp,esp32s3-acm ' +
  'esp,esp32s3-uart fsl,imx21-uart fsl,imx6q-uart fsl,imx7ulp-lpuart fsl,imx8qxp-lpuart fsl,imx8ulp-lpuart ' +
  'fsl,imxrt1050-lpuart fsl,ls1021a-lpuart fsl,ls1028a-lpuart fsl,s32v234-linflexuart fsl,vf610-lpuart ' +
  'google,goldfish-tty google,gs101-uart ingenic,jz4740-uart ingenic,jz4750-uart ingenic,jz4770-uart ' +
  'ingenic,jz4775-uart ingenic,jz4780-uart ingenic,x1000-uart intel,lgm-asc intel,xscale-uart lantiq,asc ' +
  'litex,liteuart marvell,armada-3700-uart mediatek,mt6577-uart mrvl,mmp-uart mrvl,pxa-uart ns16550 ns16550a ' +
  'nvidia,tegra20-uart qcom,geni-debug-uart qcom,msm-uart qcom,msm-uartdm ralink,rt2880-uart rda,8810pl-uart ' +
  'renesas,hscif renesas,sci renesas,scif renesas,scif-r7s9210 renesas,scif-r9a07g044 renesas,scif-r9a09g057 ' +
  'renesas,scifa renesas,scifb samsung,exynos4210-uart samsung,s3c6400-uart samsung,s5pv210-uart ' +
  'sifive,fu540-c000-uart sifive,uart0 snps,arc-uart snps,dw-apb-uart socionext,milbeaut-usio-uart ' +
  'socionext,uniphier-uart sprd,sc9836-uart st,stm32-uart st,stm32f7-uart st,stm32h7-uart sunplus,sp7021-uart ' +
  'ti,am654-uart ti,omap2-uart ti,omap3-uart ti,omap4-uart xlnx,opb-uartlite-1.00.b xlnx,xps-uartlite-1.00.a ' +
  'xlnx,xuartps xlnx,zynqmp-uart'
).split(' ');

/** The MMIO early console the command line starts (the last `earlycon` wins, as param_setup_earlycon runs for each), if any. */
export function mmioEarlycon(args: readonly CmdlineArg[], tree: Tree): { name: string } | undefined {
  const arg = [...args].reverse().find((a) => a.param === 'earlycon');
  if (!arg) return undefined;
  if (arg.val !== undefined && arg.val !== '') {
    const name = arg.val.split(',')[0]!;
    return MMIO_EARLYCONS.has(name) ? { name } : undefined;
  }
  // bare earlycon: /chosen/stdout-path (or linux,stdout-path), a path or an alias, up to ':'
  const chosen = findNode(tree, '/chosen');
  const path = chosen && (cString(chosen, 'stdout-path') ?? cString(chosen, 'linux,stdout-path'));
  if (!path) return undefined;
  const node = findNode(tree, path.split(':')[0]!);
  const compat = node && OF_EARLYCONS.find((c) => isCompatible(node, c));
  return compat ? { name: compat } : undefined;
}

/**
 * Whether a KERN_INFO line reaches the consoles: console_loglevel (CONFIG_CONSOLE_LOGLEVEL_DEFAULT
 * 7; `debug` 10, `quiet` 4, `loglevel=N`, early params taken in order) above 6, or
 * `ignore_loglevel` (kernel/printk/printk.c, init/main.c).
 */
export function consoleShowsInfo(args: readonly CmdlineArg[]): boolean {
  let level = 7;
  let ignore = false;
  for (const a of args) {
    if (a.param === 'debug') level = 10;
    else if (a.param === 'quiet') level = 4;
    else if (a.param === 'loglevel' && a.val !== undefined && /^\d+$/.test(a.val)) level = Number(a.val);
    else if (a.param === 'ignore_loglevel') ignore = true;
  }
  return ignore || level > 6;
}
