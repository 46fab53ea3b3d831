// Real firmware in front of the lab kernels: Debian's U-Boot for QEMU (u-boot-qemu) and EDK2
// (qemu-efi-aarch64, qemu-efi-arm), read from the installed packages.
//
// The boot is the lab's QEMU run plus `-bios IMAGE`: with firmware, QEMU's virt machine
// (hw/arm/boot.c arm_load_kernel → arm_setup_firmware_boot) loads neither the kernel nor the
// initrd itself; it exposes -kernel, -initrd and -append through fw_cfg and writes the -dtb blob at
// the start of RAM for the firmware to pick up.
//  - U-Boot (qemu_arm64 / qemu_arm, 2023.01): its default environment autoboots `distro_bootcmd`,
//    whose first target `bootcmd_qfw` runs `qfw load $kernel_addr_r $ramdisk_addr_r` (cmd/qfw.c:
//    also sets `bootargs` from fw_cfg's command line) then `booti`, or `bootz` on 32-bit, with the
//    initrd and `$fdtcontroladdr` (U-Boot's own relocated copy of the blob QEMU gave it). U-Boot
//    then places the DTB and the initrd as its environment says (image_setup_libfdt,
//    boot_ramdisk_high, boot_relocate_fdt) and fixes up /memory and /chosen.
//  - EDK2 (ArmVirtQemu): QemuKernelLoaderFsDxe serves the kernel and initrd from fw_cfg, the boot
//    manager starts the kernel's EFI stub with the command line, the stub loads the initrd through
//    LINUX_EFI_INITRD_MEDIA_GUID and takes the DTB from the configuration table — which EDK2
//    installs only when QEMU offers no ACPI tables (`acpi=off`). `efi=debug` makes Linux print
//    the UEFI memory map (drivers/firmware/efi/efi-init.c reserve_regions), which is what the
//    kernel's RAM comes from.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { diag, type Diagnostic } from '../diagnostics.js';
import type { LabArch } from './kernels.js';

export const FIRMWARE_KINDS = ['u-boot', 'uefi'] as const;
export type FirmwareKind = (typeof FIRMWARE_KINDS)[number];

/** A firmware image found on this machine. */
export interface Firmware {
  kind: FirmwareKind;
  arch: LabArch;
  /** The image QEMU loads with -bios. */
  image: string;
  /** Debian package and version that installed it (`u-boot-qemu 2023.01+dfsg-2+deb12u3`). */
  package: string;
  /** QEMU -M options the firmware needs on top of the machine's own. */
  machineOptions: string[];
  /** Kernel command-line words the lab adds for this firmware. */
  append: string[];
  /** The firmware gave up on the kernel: U-Boot at its prompt after every boot target failed,
   *  EDK2 in its shell or in an exception handler (the boot is stopped there). */
  gaveUp: RegExp;
}

interface ImageSpec {
  package: string;
  /** Candidates, first found wins. */
  paths: string[];
}

function imageSpec(kind: FirmwareKind, arch: LabArch): ImageSpec {
  if (kind === 'u-boot')
    return {
      package: 'u-boot-qemu',
      paths: [arch === 'arm64' ? '/usr/lib/u-boot/qemu_arm64/u-boot.bin' : '/usr/lib/u-boot/qemu_arm/u-boot.bin'],
    };
  return arch === 'arm64'
    ? { package: 'qemu-efi-aarch64', paths: ['/usr/share/qemu-efi-aarch64/QEMU_EFI.fd', '/usr/share/AAVMF/AAVMF_CODE.fd'] }
    : { package: 'qemu-efi-arm', paths: ['/usr/share/AAVMF/AAVMF32_CODE.fd'] };
}

/** The installed version of a Debian package (dpkg-query), or undefined. */
function debVersion(pkg: string): string | undefined {
  // dpkg-query's ${Version} field (a plain string, not a template)
  const r = spawnSync('dpkg-query', ['-W', '-f', '$' + '{Version}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

/** The firmware image for a kind and architecture, or an error naming the package to install. */
export function findFirmware(kind: FirmwareKind, arch: LabArch): { firmware?: Firmware; diagnostics: Diagnostic[] } {
  const spec = imageSpec(kind, arch);
  const image = spec.paths.find((p) => existsSync(p));
  if (!image)
    return {
      diagnostics: [
        diag(
          'error',
          'firmware-missing',
          `${kind} firmware for ${arch} not found (${spec.paths.join(' or ')})`,
          undefined,
          `install it with 'apt-get install ${spec.package}'`,
        ),
      ],
    };
  return {
    firmware: {
      kind,
      arch,
      image,
      package: `${spec.package} ${debVersion(spec.package) ?? 'unknown'}`,
      // acpi=off for both: EDK2 installs our DTB only without ACPI tables, and with firmware and
      // ACPI QEMU swaps virt's pl061 GPIO for an ACPI GED (hw/arm/virt.c machvirt_init), so the
      // direct-boot tree we pass would describe a device that is not there (the kernel then takes
      // a synchronous external abort in amba_read_periphid).
      machineOptions: ['acpi=off'],
      append: kind === 'uefi' ? ['efi=debug'] : [],
      gaveUp: kind === 'uefi' ? /^(UEFI Interactive Shell|Synchronous Exception at|Shell> )/m : /^=> /m,
    },
    diagnostics: [],
  };
}

/** What the firmware printed about where it put things, read from its part of the console. */
export interface FirmwareConsole {
  /** The firmware's own lines (everything before the kernel's first printk line). */
  lines: string[];
  /** U-Boot `qfw load`: where it loaded the kernel and the initrd, and their sizes. */
  qfwKernel?: { base: bigint; size: bigint };
  qfwInitrd?: { base: bigint; size: bigint };
  /** U-Boot: the blob booti/bootz was given (`## Flattened Device Tree blob at X`). */
  fdtGiven?: bigint;
  /** U-Boot: where the initrd went (`Loading Ramdisk to X, end Y`: relocated by boot_ramdisk_high). */
  ramdisk?: { base: bigint; end: bigint };
  /** U-Boot: where the DTB went (`Loading Device Tree to X, end Y` or `Using Device Tree in place at X, end Y`). */
  dtb?: { base: bigint; end: bigint; inPlace: boolean };
  /** The kernel was started (U-Boot `Starting kernel ...`, EFI stub `Exiting boot services`). */
  started: boolean;
  /** The kernel's own lines about the firmware, without timestamps: `efi: …` (with efi=debug the
   *  UEFI memory map as reserve_regions walks it), `OF: fdt: Ignoring memory …`, and every
   *  `MEMBLOCK configuration` table (through UEFI the first one, printed by reserve_regions, shows
   *  what the EFI stub reserved before the kernel's memblock=debug trace starts: the DTB). */
  kernelLines: string[];
}

const H = '(?:0x)?([0-9a-fA-F]+)';

/** Parse the firmware's part of a console capture (U-Boot's and the EFI stub's messages). */
export function parseFirmwareConsole(consoleText: string): FirmwareConsole {
  const all = consoleText.replace(/\r/g, '').split('\n');
  const first = all.findIndex((l) => /^\[\s*\d+\.\d+\] /.test(l));
  // EDK2 clears the screen with ANSI sequences (ESC [ … letter): keep the text only.
  const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;=]*[A-Za-z]`, 'g');
  const lines = (first < 0 ? all : all.slice(0, first)).map((l) => l.replace(ansi, '').trimEnd()).filter((l) => l);
  const kernelLines = (first < 0 ? [] : all.slice(first))
    .map((l) => /^\[\s*\d+\.\d+\] (.*)$/.exec(l)?.[1]?.trimEnd())
    .filter(
      (t): t is string =>
        t !== undefined && /^(efi: |OF: fdt: Ignoring memory|MEMBLOCK configuration:|\s*(memory|reserved)(\[| size|\.cnt))/.test(t),
    );
  const out: FirmwareConsole = { lines, started: false, kernelLines };
  const big = (s: string): bigint => BigInt('0x' + s);
  for (const l of lines) {
    let m = new RegExp(`^loading kernel to address ${H} size ${H} initrd ${H} size ${H}`).exec(l);
    if (m) {
      out.qfwKernel = { base: big(m[1]!), size: big(m[2]!) };
      out.qfwInitrd = { base: big(m[3]!), size: big(m[4]!) };
      continue;
    }
    m = new RegExp(`^## Flattened Device Tree blob at ${H}`).exec(l);
    if (m) {
      out.fdtGiven = big(m[1]!);
      continue;
    }
    m = new RegExp(`^\\s*Loading Ramdisk to ${H}, end ${H}`).exec(l);
    if (m) {
      out.ramdisk = { base: big(m[1]!), end: big(m[2]!) };
      continue;
    }
    m = new RegExp(`^\\s*(Loading Device Tree to|Using Device Tree in place at) ${H}, end ${H}`).exec(l);
    if (m) {
      out.dtb = { base: big(m[2]!), end: big(m[3]!), inPlace: m[1]!.startsWith('Using') };
      continue;
    }
    if (/^Starting kernel \.\.\.|^EFI stub: Exiting boot services/.test(l)) out.started = true;
  }
  return out;
}

/**
 * What U-Boot printed while it placed the initrd and the DTB (boot_ramdisk_high,
 * boot_fdt_add_mem_rsv_regions, boot_relocate_fdt, their failures): the lines the u-boot model
 * predicts (Board.bootloaderOutput), in order.
 */
export function ubootPlacingLines(consoleLines: string[]): string[] {
  return consoleLines.filter((l) =>
    /^( {3}Loading Ramdisk to |ERROR: |Failed using fdt_high|ramdisk - allocation|device tree - allocation|FDT creation failed| {3}Loading Device Tree to | {3}Using Device Tree in place at | {3}Reserved memory region for spin-table)/.test(
      l,
    ),
  );
}
