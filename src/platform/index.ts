// Platforms: where things sit in memory when Linux starts. `board` (the tree alone, plus
// `--reserve`) and `qemu-virt` (QEMU's virt machine, qemu-virt.ts).
import type { Tree } from '../tree/types.js';
import { diag, type Diagnostic } from '../diagnostics.js';
import {
  boardLayout,
  firstFreeWindow,
  memorySize,
  treeReservations,
  type Bank,
  type BootMethod,
  type ExtraReservation,
  type PlatformLayout,
} from './layout.js';
import { qemuInitrdError, VIRT_DEFAULT_RAM, VIRT_RAM_BASE, virtLayout, type VirtArch } from './qemu-virt.js';

export * from './layout.js';
export { efiStubBoot } from './uefi.js';
export type { EfiStubInput, EfiStubResult, UefiOptions } from './uefi.js';
export { isBoardFile, loadBoardFile } from './board-file.js';
export type { BoardFileOptions } from './board-file.js';
export { QEMU_UBOOT, UBOOT_ENV_NAMES, parseUbootEnv, ubootBoot } from './u-boot.js';
export type { UBootBuild, UBootEnv, UBootEnvName, UBootInput, UBootOptions, UBootResult } from './u-boot.js';
export {
  VIRT_RAM_BASE,
  VIRT_DEFAULT_RAM,
  ARM32_MAX_RAM,
  initrdStart,
  machineFor,
  mergeBoard,
  qemuDtbTotalSize,
  virtLayout,
  virtTree,
} from './qemu-virt.js';
export type { MachineSpec, MergeResult, VirtArch, VirtLayoutOptions } from './qemu-virt.js';

export const PLATFORMS = ['board', 'qemu-virt', 'u-boot', 'uefi'] as const;
export type PlatformName = (typeof PLATFORMS)[number];

export interface PlatformOptions {
  /** `board` (default) or `qemu-virt` (`u-boot` boards are laid out by loadBoard). */
  platform?: string;
  arch: VirtArch;
  /** RAM size: QEMU's `-m`, or one bank at the board's first memory node. */
  ram?: bigint;
  /** The RAM banks the boot loader gives (a board's /memory, or the UEFI memory map's RAM). */
  memory?: Bank[];
  /** How the kernel is entered (`uefi`: through the EFI stub, RAM from the memory map). */
  boot?: BootMethod;
  initrdSize?: bigint;
  /** Exact initrd placement (the lab records it). */
  initrd?: Bank;
  /** Size of the DTB file handed to the boot loader (QEMU's -dtb); default: `dtbFileSize()`. */
  dtbFileSize?: number;
  reserve?: ExtraReservation[];
}

/** The platform's memory and placements for a tree (an `unknown-platform` error for other names). */
export function platformLayout(
  tree: Tree,
  o: PlatformOptions,
  dtbFileSize: () => number,
): { layout: PlatformLayout; diagnostics: Diagnostic[] } {
  const platform = o.platform ?? 'board';
  if (platform === 'board')
    return boardLayout(tree, {
      defaultRamBase: VIRT_RAM_BASE,
      ...(o.ram !== undefined ? { ram: o.ram } : {}),
      ...(o.memory ? { memory: o.memory } : {}),
      ...(o.boot ? { boot: o.boot } : {}),
      ...(o.initrd ? { initrd: o.initrd } : {}),
      ...(o.reserve ? { reserve: o.reserve } : {}),
    });
  if (platform === 'qemu-virt') {
    if (o.memory?.length)
      return {
        layout: { name: platform, memory: [], extra: [], chosenAdded: 0 },
        diagnostics: [
          diag('error', 'bad-memory', "QEMU virt's RAM is one bank at 0x40000000 (-m): give its size with --ram, not --memory"),
        ],
      };
    const ram = o.ram ?? memorySize(tree);
    const refused = o.initrd || o.initrdSize === undefined ? undefined : qemuInitrdError(o.arch, ram || VIRT_DEFAULT_RAM, o.initrdSize);
    const layout = virtLayout(tree, {
      arch: o.arch,
      ram,
      dtbFileSize: o.dtbFileSize ?? dtbFileSize(),
      ...(o.initrdSize !== undefined ? { initrdSize: o.initrdSize } : {}),
      ...(o.initrd ? { initrd: o.initrd } : {}),
      ...(o.reserve ? { reserve: o.reserve } : {}),
    });
    return { layout, diagnostics: refused ? [refused] : [] };
  }
  if (platform === 'u-boot')
    return {
      layout: { name: platform, memory: [], extra: [], chosenAdded: 0 },
      diagnostics: [
        diag('error', 'unknown-platform', 'U-Boot edits the tree it boots: lay a board out on u-boot with loadBoard (src/board.ts)'),
      ],
    };
  return {
    layout: { name: platform, memory: [], extra: [], chosenAdded: 0 },
    diagnostics: [diag('error', 'unknown-platform', `unknown platform '${platform}'`, undefined, `known: ${PLATFORMS.join(', ')}`)],
  };
}

/**
 * arm64: where the boot loader put the Image when nobody said (no --kernel-at, no platform
 * placement): the first 2 MiB-aligned address from `offset` into RAM where the image (_text to
 * _end) misses the tree's own reservations and the platform's placements — booting.rst: "The
 * Image must be placed text_offset bytes from a 2MB aligned base address anywhere in usable system
 * RAM", and a boot loader set up for the board keeps it out of the firmware's carve-outs.
 */
export function defaultKernelLoad(tree: Tree, layout: PlatformLayout, image: { span: bigint; offset: bigint }): bigint | undefined {
  const busy = [...treeReservations(tree), ...layout.extra, ...(layout.initrd ? [layout.initrd] : []), ...(layout.dtb ? [layout.dtb] : [])];
  return firstFreeWindow(layout.memory, busy, image.span, 2n * 1024n * 1024n, image.offset);
}
