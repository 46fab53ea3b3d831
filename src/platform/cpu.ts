// The boot CPU: what an arm64 kernel build asks of the core it runs on before it lays memory out.
// A build with 52-bit virtual addresses (Debian's 6.12 and 7.2 arm64 and arm64-16k: VA_BITS 52 with
// ARM64_LPA2) uses them only on a core with FEAT_LPA2 (4K and 16K pages) or FEAT_LVA (64K pages),
// and otherwise runs with VA_BITS_MIN (arch/arm64/kernel/pi/map_kernel.c early_map_kernel): one
// page-table level fewer, PHYS_MASK_SHIFT 48, a smaller mem_section root array, a memstart_addr
// moved down (arch/arm64/mm/init.c arm64_memblock_init). Armv8.0 to v9.0 cores have neither
// feature (FEAT_LPA2 is Armv8.7's); QEMU's `-cpu max` has both.
import type { Tree } from '../tree/types.js';
import { cString, findNode } from '../tree/query.js';

export interface BootCpu {
  /** The core (`cortex-a72`) or QEMU's model (`max`, `max,lpa2=off`). */
  name: string;
  /** FEAT_LPA2: 52-bit addresses with 4K and 16K pages (ID_AA64MMFR0_EL1.TGran4/TGran16). */
  lpa2: boolean;
  /** FEAT_LVA: 52-bit virtual addresses with 64K pages (ID_AA64MMFR2_EL1.VARange). */
  lva: boolean;
  /**
   * Whether it has the 16K translation granule (ID_AA64MMFR0_EL1.TGran16; every Armv8 core has 4K
   * and 64K), where known: a 16K-page kernel never starts without it. Absent: not known.
   */
  tgran16?: boolean;
  /**
   * Where the plan took it from: `--cpu`, the platform's (QEMU's `-cpu`), the tree's boot CPU
   * `compatible`, or `assumed` (a core the table does not know, or none in the tree: without
   * either feature, as every Armv8.0 to v9.0 core).
   */
  from: 'option' | 'platform' | 'tree' | 'assumed';
  /** The boot CPU's compatible, when read from the tree. */
  compatible?: string;
}

interface KnownCpu {
  lpa2: boolean;
  lva: boolean;
  /** Has the 16K granule (TGran16; every Armv8 core has 4K and 64K): known for QEMU's models and v8.2 on. */
  g16?: boolean;
  /** QEMU 7.2 models it under this -cpu name (qemu-system-aarch64 -cpu help). */
  qemu?: string;
}

/**
 * Cores by the name `--cpu` takes, the tail of their `compatible` (`arm,cortex-a72`;
 * Documentation/devicetree/bindings/arm/cpus.yaml). Armv8.0 to v9.0 designs: neither FEAT_LPA2
 * nor FEAT_LVA (their TRMs' ID_AA64MMFR0_EL1 and ID_AA64MMFR2_EL1; QEMU's models agree). The
 * Armv8.4 and v9.0 entries are read from the ID registers of QEMU's later models (target/arm/tcg/
 * cpu64.c: Neoverse V1, Cortex-A710 and Neoverse N2 have TGran16 1, TGran4 0, VARange 0), which
 * QEMU 7.2 does not have: no `qemu` name. Armv9.2 cores (A520, A720, X4) are left out: whether
 * they have FEAT_LPA2 is not settled here, so a tree naming one gets the `cpu-assumed` note.
 */
const CORES: Record<string, KnownCpu> = {
  'cortex-a35': { lpa2: false, lva: false, g16: true, qemu: 'cortex-a35' },
  'cortex-a53': { lpa2: false, lva: false, g16: false, qemu: 'cortex-a53' },
  'cortex-a55': { lpa2: false, lva: false, g16: true },
  'cortex-a57': { lpa2: false, lva: false, g16: false, qemu: 'cortex-a57' },
  'cortex-a72': { lpa2: false, lva: false, g16: false, qemu: 'cortex-a72' },
  'cortex-a73': { lpa2: false, lva: false },
  'cortex-a75': { lpa2: false, lva: false, g16: true },
  'cortex-a76': { lpa2: false, lva: false, g16: true, qemu: 'cortex-a76' },
  'cortex-a77': { lpa2: false, lva: false, g16: true },
  'cortex-a78': { lpa2: false, lva: false, g16: true },
  'cortex-x1': { lpa2: false, lva: false, g16: true },
  'cortex-a710': { lpa2: false, lva: false, g16: true },
  'neoverse-n1': { lpa2: false, lva: false, g16: true, qemu: 'neoverse-n1' },
  'neoverse-n2': { lpa2: false, lva: false, g16: true },
  'neoverse-v1': { lpa2: false, lva: false, g16: true },
  a64fx: { lpa2: false, lva: false, g16: false, qemu: 'a64fx' },
  // QEMU's `max` (target/arm/cpu64.c aarch64_max_initfn: FEAT_LPA2, FEAT_LVA), and with its lpa2
  // property off (the granule fields say 4K and 16K without 52-bit addresses; VARange stays)
  max: { lpa2: true, lva: true, g16: true, qemu: 'max,pauth-impdef=on' },
  'max,lpa2=off': { lpa2: false, lva: true, g16: true, qemu: 'max,pauth-impdef=on,lpa2=off' },
};

export const CPU_NAMES = Object.keys(CORES);

/** The CPU QEMU's virt machine boots when nobody says (src/platform/qemu-virt.ts machineFor). */
export const QEMU_DEFAULT_CPU = 'max';

/** A `--cpu` name, or undefined when the table does not know it. */
export function cpuByName(name: string, from: BootCpu['from']): BootCpu | undefined {
  const k = CORES[name];
  if (!k) return undefined;
  return { name, lpa2: k.lpa2, lva: k.lva, ...(k.g16 !== undefined ? { tgran16: k.g16 } : {}), from };
}

/** QEMU's -cpu argument for a name of the table, when QEMU models that core. */
export function qemuCpuModel(name: string): string | undefined {
  return CORES[name]?.qemu;
}

/**
 * The boot CPU a tree describes: the first `device_type = "cpu"` child of /cpus (the boot loader
 * starts the kernel on it, as every board in the kernel's tree numbers it), known by the first
 * entry of its `compatible` (`arm,cortex-a53`).
 */
export function treeCpu(tree: Tree): BootCpu {
  const cpus = findNode(tree, '/cpus');
  const first = cpus?.children.find((n) => cString(n, 'device_type') === 'cpu');
  const compatible = first ? cString(first, 'compatible') : undefined;
  const core = compatible?.replace(/^arm,/, '');
  const known = core !== undefined && core !== 'max' && !core.includes(',') ? cpuByName(core, 'tree') : undefined;
  if (known) return { ...known, ...(compatible ? { compatible } : {}) };
  return { name: compatible ?? 'unknown', lpa2: false, lva: false, from: 'assumed', ...(compatible ? { compatible } : {}) };
}
