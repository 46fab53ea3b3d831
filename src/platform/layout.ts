// What holds memory before the kernel scans /reserved-memory, for any platform: the RAM banks,
// where the boot loader put the kernel image, the initrd and the DTB, and other early
// reservations (firmware, boot loader) named with `--reserve NAME@ADDR+SIZE`.
//
// A board described only by its tree ("board"): RAM from the tree's memory nodes, everything else
// from `reserve`. QEMU's virt machine computes its own placements (qemu-virt.ts).
import type { Tree } from '../tree/types.js';
import { getProp } from '../tree/types.js';
import { cString, readCells, rootCells } from '../tree/query.js';
import { diag, type Diagnostic } from '../diagnostics.js';
import { parseSize } from '../kernel/cmdline.js';

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
  /** `board` or the platform's name (`qemu-virt`). */
  name: string;
  /** Memory banks the DT describes (memblock_add in early_init_dt_add_memory_arch). */
  memory: Bank[];
  /** arm64: where the Image's `_text` was loaded; arm: KERNEL_START of the decompressed kernel (undefined: the profile's offset from RAM). */
  kernelLoad?: bigint;
  initrd?: Bank;
  /** Where the DTB blob lies and its fdt_totalsize (undefined when the platform does not say). */
  dtb?: Bank;
  extra: ExtraReservation[];
  /** Properties the boot loader adds to /chosen that the blob lacks (they grow the tree the kernel unflattens). */
  chosenAdded: number;
}

/** Memory nodes of the tree (device_type = "memory"), reg decoded with the root's cells. */
export function memoryBanks(tree: Tree): Bank[] {
  const out: Bank[] = [];
  const { addressCells, sizeCells } = rootCells(tree);
  const stride = (addressCells + sizeCells) * 4;
  if (stride === 0) return out;
  for (const n of tree.root.children) {
    if (cString(n, 'device_type') !== 'memory') continue;
    const reg = getProp(n, 'reg');
    if (!reg) continue;
    for (let off = 0; off + stride <= reg.value.length; off += stride) {
      const base = readCells(reg.value, off, addressCells);
      const size = readCells(reg.value, off + addressCells * 4, sizeCells);
      if (size) out.push({ base, size });
    }
  }
  return out;
}

/** Total size of the tree's memory banks (0 when it has none). */
export function memorySize(tree: Tree): bigint {
  return memoryBanks(tree).reduce((a, b) => a + b.size, 0n);
}

/** Parse `NAME@ADDR+SIZE` (address and size as memparse reads them: `tfa@0x40000000+2M`). */
export function parseReserve(spec: string): ExtraReservation | Diagnostic {
  const m = /^([^@]+)@([^+]+)\+(.+)$/.exec(spec.trim());
  const base = m ? parseSize(m[2]!) : undefined;
  const size = m ? parseSize(m[3]!) : undefined;
  if (!m || base === undefined || size === undefined)
    return diag('error', 'bad-reserve', `--reserve expects NAME@ADDR+SIZE, got '${spec}'`, undefined, 'e.g. tfa@0x40000000+2M');
  // phys_addr_t is at most 64 bits: a reservation ending past 2^64 names no memory.
  if (base + size > 1n << 64n)
    return diag(
      'error',
      'bad-reserve',
      `--reserve '${spec}' ends past the 64-bit address space (0x${base.toString(16)} + 0x${size.toString(16)} > 2^64)`,
    );
  return { name: m[1]!, base, size };
}

/**
 * `reserve` names with a meaning: `kernel` is where the boot loader put the arm64 Image (`_text`),
 * `initrd` and `dtb`/`fdt` place those blobs; any other name is a plain early reservation.
 */
const PLACEMENT_NAMES = new Set(['kernel', 'initrd', 'dtb', 'fdt']);

/** Plain early reservations of `reserve` (those that are not placements). */
export function extraReservations(reserve: ExtraReservation[]): ExtraReservation[] {
  return reserve.filter((x) => !PLACEMENT_NAMES.has(x.name));
}

/** Placements given by name in `reserve` override the platform's own. */
export function applyPlacements(layout: PlatformLayout, reserve: ExtraReservation[]): void {
  for (const x of reserve) {
    if (x.name === 'kernel') layout.kernelLoad = x.base;
    else if (x.name === 'initrd') layout.initrd = { base: x.base, size: x.size };
    else if (x.name === 'dtb' || x.name === 'fdt') layout.dtb = { base: x.base, size: x.size };
  }
}

/**
 * A board's own layout: its memory nodes (one bank of `ram` bytes at the first bank's base when
 * `ram` is given; at `defaultRamBase` when the tree has no memory node, as boards that leave
 * /memory to the boot loader do), an initrd only where one is placed, no DTB placement.
 */
export function boardLayout(
  tree: Tree,
  o: { ram?: bigint; initrd?: Bank; reserve?: ExtraReservation[]; defaultRamBase: bigint },
): { layout: PlatformLayout; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  let memory = memoryBanks(tree);
  if (o.ram !== undefined) memory = [{ base: memory[0]?.base ?? o.defaultRamBase, size: o.ram }];
  if (!memory.length) diagnostics.push(diag('error', 'no-memory', 'the tree has no memory node and no --ram was given'));
  const layout: PlatformLayout = { name: 'board', memory, extra: extraReservations(o.reserve ?? []), chosenAdded: 0 };
  if (o.initrd) layout.initrd = o.initrd;
  applyPlacements(layout, o.reserve ?? []);
  return { layout, diagnostics };
}
