// Platforms: what holds memory before the kernel scans /reserved-memory — RAM banks, the kernel
// image, the initrd, the DTB itself, firmware/bootloader areas.
//
// `qemu-virt` follows QEMU 7.2 hw/arm/virt.c and hw/arm/boot.c (as seen in the lab's traces):
//  - RAM at 0x40000000 (VIRT_MEM), `-m` bytes;
//  - arm64 Image at RAM + 2 MiB (text_offset 0 in the Image header → QEMU's 2 MiB default);
//  - initrd at RAM + min(RAM / 2, 128 MiB) (arm_setup_direct_kernel_boot);
//  - DTB right after the initrd, aligned to 2 MiB on arm64 and 4 KiB on arm (arm_load_dtb);
//  - the DTB blob QEMU passes is the -dtb file re-opened with room to grow:
//    load_device_tree() sizes it (file + 10000) * 2 and fdt_open_into() makes that fdt_totalsize,
//    which is what the kernel reserves.
// Other boards: RAM from the tree's memory nodes, everything else from `--reserve NAME@ADDR+SIZE`.
import type { Tree } from '../tree/types.js';
import { findNode, readCells, regCells, rootCells, walk, cString } from '../tree/query.js';
import type { Diagnostic } from '../diagnostics.js';
import { diag } from '../diagnostics.js';
import { memparse } from './cmdline.js';

export const QEMU_VIRT_RAM_BASE = 0x4000_0000n;
const MiB = 1n << 20n;

export interface Bank {
  base: bigint;
  size: bigint;
}

export interface ExtraReservation {
  name: string;
  base: bigint;
  size: bigint;
}

export interface PlatformLayout {
  name: string;
  /** Memory banks the DT describes (memblock_add in early_init_dt_add_memory_arch). */
  memory: Bank[];
  /** arm64: where the Image's `_text` was loaded; arm: KERNEL_START of the decompressed kernel (undefined: the profile's offset from RAM). */
  kernelLoad?: bigint;
  initrd?: Bank;
  /** Where the DTB blob lies and its fdt_totalsize (undefined when the platform does not say). */
  dtb?: Bank;
  extra: ExtraReservation[];
}

export interface PlatformOptions {
  platform?: string;
  arch: 'arm64' | 'arm';
  ram?: bigint;
  initrdSize?: bigint;
  /** Exact initrd placement (the lab records it). */
  initrd?: Bank;
  /** Size of the DTB file handed to the boot loader (QEMU's -dtb); default: estimated from the tree. */
  dtbFileSize?: number;
  reserve?: ExtraReservation[];
}

/** QEMU's load_device_tree(): the blob grows to (size + 10000) * 2. */
export function qemuDtbTotalSize(fileSize: number): bigint {
  return BigInt((fileSize + 10000) * 2);
}

/** Memory nodes of the tree (device_type = "memory"), reg decoded with the root's cells. */
export function treeMemory(tree: Tree): Bank[] {
  const out: Bank[] = [];
  const { addressCells, sizeCells } = rootCells(tree);
  for (const n of tree.root.children) {
    if (cString(n, 'device_type') !== 'memory') continue;
    const reg = n.props.find((p) => p.name === 'reg');
    if (!reg) continue;
    const stride = (addressCells + sizeCells) * 4;
    if (stride === 0) continue;
    for (let off = 0; off + stride <= reg.value.length; off += stride) {
      const base = readCells(reg.value, off, addressCells);
      const size = readCells(reg.value, off + addressCells * 4, sizeCells);
      if (size) out.push({ base, size });
    }
  }
  void regCells;
  void walk;
  void findNode;
  return out;
}

/** Parse `NAME@ADDR+SIZE` (sizes and addresses as memparse reads them). */
export function parseReserveSpec(spec: string): ExtraReservation | Diagnostic {
  const m = /^([^@]+)@([^+]+)\+(.+)$/.exec(spec.trim());
  const bad = () => diag('error', 'bad-reserve', `--reserve expects NAME@ADDR+SIZE, got '${spec}'`);
  if (!m) return bad();
  const a = memparse(m[2]!);
  const s = memparse(m[3]!);
  if (a.end !== m[2]!.length || s.end !== m[3]!.length || s.end === 0 || a.end === 0) return bad();
  return { name: m[1]!, base: a.value, size: s.value };
}

/**
 * `--reserve` names with a meaning: `kernel` is where the boot loader put the arm64 Image
 * (`_text`), `initrd` and `dtb`/`fdt` place those blobs; any other name is a plain reservation.
 */
const SPECIAL = new Set(['kernel', 'initrd', 'dtb', 'fdt']);

export function platformLayout(
  tree: Tree,
  o: PlatformOptions,
  estimateDtbSize: () => number,
): { layout: PlatformLayout; diagnostics: Diagnostic[] } {
  const r = platformLayoutInner(tree, o, estimateDtbSize);
  for (const x of o.reserve ?? []) {
    if (x.name === 'kernel') r.layout.kernelLoad = x.base;
    else if (x.name === 'initrd') r.layout.initrd = { base: x.base, size: x.size };
    else if (x.name === 'dtb' || x.name === 'fdt') r.layout.dtb = { base: x.base, size: x.size };
  }
  return r;
}

function platformLayoutInner(
  tree: Tree,
  o: PlatformOptions,
  estimateDtbSize: () => number,
): { layout: PlatformLayout; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const extra = (o.reserve ?? []).filter((x) => !SPECIAL.has(x.name));
  if (o.platform === undefined || o.platform === 'none' || o.platform === 'board') {
    let memory = treeMemory(tree);
    if (o.ram !== undefined) {
      const base = memory[0]?.base ?? QEMU_VIRT_RAM_BASE;
      memory = [{ base, size: o.ram }];
    }
    if (!memory.length) diagnostics.push(diag('error', 'no-memory', 'the tree has no memory node and no --ram was given'));
    const layout: PlatformLayout = { name: 'board', memory, extra };
    if (o.initrd) layout.initrd = o.initrd;
    return { layout, diagnostics };
  }
  if (o.platform !== 'qemu-virt') {
    diagnostics.push(diag('error', 'unknown-platform', `unknown platform '${o.platform}'`, undefined, 'known: qemu-virt'));
    return { layout: { name: o.platform, memory: [], extra }, diagnostics };
  }
  const ram = o.ram ?? treeMemory(tree).reduce((a, b) => a + b.size, 0n) ?? 0n;
  const ramSize = ram || 128n * MiB; // QEMU's default -m
  const memory = [{ base: QEMU_VIRT_RAM_BASE, size: ramSize }];
  const layout: PlatformLayout = { name: 'qemu-virt', memory, extra };
  // arm_setup_direct_kernel_boot: initrd at loader_start + MIN(ram_size / 2, 128 MiB), page aligned
  const half = ramSize / 2n;
  const initrdStart = o.initrd?.base ?? QEMU_VIRT_RAM_BASE + (half < 128n * MiB ? half : 128n * MiB);
  const initrdSize = o.initrd?.size ?? o.initrdSize ?? 0n;
  if (initrdSize > 0n) layout.initrd = { base: initrdStart, size: initrdSize };
  // arm_load_dtb: after the initrd, 2 MiB aligned (AArch64) or 4 KiB (AArch32)
  const align = o.arch === 'arm64' ? 2n * MiB : 4096n;
  const dtbStart = ((initrdStart + initrdSize + align - 1n) / align) * align;
  const fileSize = o.dtbFileSize ?? estimateDtbSize();
  layout.dtb = { base: dtbStart, size: qemuDtbTotalSize(fileSize) };
  if (o.arch === 'arm64') layout.kernelLoad = QEMU_VIRT_RAM_BASE + 2n * MiB;
  return { layout, diagnostics };
}
