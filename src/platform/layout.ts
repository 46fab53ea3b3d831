// What holds memory before the kernel scans /reserved-memory, for any platform: the RAM banks,
// where the boot loader put the kernel image, the initrd and the DTB, and other early
// reservations (firmware, boot loader) named with `--reserve NAME@ADDR+SIZE`.
//
// A board described only by its tree ("board"): RAM from the tree's memory nodes, everything else
// from `reserve`. QEMU's virt machine computes its own placements (qemu-virt.ts).
import type { Tree } from '../tree/types.js';
import { getChild, getProp, type Node } from '../tree/types.js';
import { cString, readCells, rootCells } from '../tree/query.js';
import { diag, type Diagnostic } from '../diagnostics.js';
import { parseSize } from '../kernel/cmdline.js';
import type { EfiBoot } from './efi-memmap.js';

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
  /** Booted through the EFI stub: the UEFI memory map and tables efi_init takes RAM and reservations from. */
  efi?: EfiBoot;
}

/** One `reg` entry of a memory node, size 0 included (a size the boot loader fills in). */
export interface MemoryReg {
  /** The memory node (`memory@a0000000`). */
  node: Node;
  base: bigint;
  size: bigint;
}

/**
 * early_init_dt_scan_memory (drivers/of/fdt.c): the root's children whose device_type is
 * "memory" and that are available (no status, or "okay"/"ok": of_fdt_device_is_available), their
 * `linux,usable-memory` in preference to `reg`, decoded with the root's cells as
 * dt_mem_next_cell does. The kernel skips entries of size 0; they are kept here, since their base
 * is where the boot loader writes the size.
 */
export function memoryRegs(tree: Tree): MemoryReg[] {
  const out: MemoryReg[] = [];
  const { addressCells, sizeCells } = rootCells(tree);
  const stride = (addressCells + sizeCells) * 4;
  if (stride === 0) return out;
  for (const n of tree.root.children) {
    if (cString(n, 'device_type') !== 'memory') continue;
    const status = cString(n, 'status');
    if (status !== undefined && status !== 'okay' && status !== 'ok') continue;
    const reg = getProp(n, 'linux,usable-memory') ?? getProp(n, 'reg');
    if (!reg) continue;
    for (let off = 0; off + stride <= reg.value.length; off += stride) {
      const base = readCells(reg.value, off, addressCells);
      const size = readCells(reg.value, off + addressCells * 4, sizeCells);
      out.push({ node: n, base, size });
    }
  }
  return out;
}

/** The RAM banks the tree gives the kernel (memoryRegs without the entries of size 0). */
export function memoryBanks(tree: Tree): Bank[] {
  return memoryRegs(tree)
    .filter((r) => r.size !== 0n)
    .map(({ base, size }) => ({ base, size }));
}

/** Total size of the tree's memory banks (0 when it has none). */
export function memorySize(tree: Tree): bigint {
  return memoryBanks(tree).reduce((a, b) => a + b.size, 0n);
}

/**
 * Parse `BASE+SIZE[,BASE+SIZE…]` (memparse numbers: `0x80000000+2G,0x880000000+6G`): the banks a
 * boot loader writes into /memory, or the usable entries of a UEFI memory map.
 */
export function parseMemory(spec: string): Bank[] | Diagnostic {
  const banks: Bank[] = [];
  const bad = (why: string) =>
    diag(
      'error',
      'bad-memory',
      `--memory expects BASE+SIZE[,BASE+SIZE…], got '${spec}'${why}`,
      undefined,
      'e.g. 0x80000000+2G,0x880000000+6G',
    );
  for (const part of spec.split(',')) {
    const m = /^([^+]+)\+(.+)$/.exec(part.trim());
    const base = m ? parseSize(m[1]!) : undefined;
    const size = m ? parseSize(m[2]!) : undefined;
    if (!m || base === undefined || size === undefined) return bad('');
    if (size === 0n) return bad(`: bank ${part.trim()} has size 0`);
    if (base + size > 1n << 64n) return bad(`: bank ${part.trim()} ends past 2^64`);
    banks.push({ base, size });
  }
  return banks;
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

/** How the kernel is entered: directly with a DTB (`dt`: booti/bootz, QEMU -kernel) or through the EFI stub (`uefi`). */
export type BootMethod = 'dt' | 'uefi';

export interface BoardMemoryOptions {
  /** RAM size: one bank at the base of the tree's first memory node (size 0 included). */
  ram?: bigint;
  /** The banks themselves (what the boot loader writes into /memory; with UEFI, the memory map's RAM). */
  memory?: Bank[];
  boot?: BootMethod;
  /** Where `ram` goes when the tree has no memory node at all. */
  defaultRamBase: bigint;
}

const hex = (x: bigint) => `0x${x.toString(16)}`;

/**
 * The RAM the kernel adds, as the board's boot would give it: `memory` as given, else `ram` at the
 * tree's first memory node, else the tree's own banks. A tree whose memory nodes all have size 0
 * (the boot loader fills them in) or that has none is an error naming the flags that give it.
 * With UEFI the kernel ignores /memory (efi_init → reserve_regions removes what the memory nodes
 * added and adds the UEFI memory map instead): `memory` (or `ram`) stands for that map.
 */
export function boardMemory(tree: Tree, o: BoardMemoryOptions): { memory: Bank[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  if (o.memory?.length) return { memory: o.memory, diagnostics };
  const regs = memoryRegs(tree);
  if (o.ram !== undefined) {
    const first = regs[0];
    if (!first)
      diagnostics.push(
        diag(
          'note',
          'memory-default-base',
          `the tree has no memory node: RAM placed at ${hex(o.defaultRamBase)}`,
          undefined,
          "give the board's RAM with --memory BASE+SIZE[,BASE+SIZE…]",
        ),
      );
    return { memory: [{ base: first?.base ?? o.defaultRamBase, size: o.ram }], diagnostics };
  }
  if (o.boot === 'uefi') {
    diagnostics.push(
      diag(
        'error',
        'no-memory',
        'booted through UEFI, the kernel takes RAM from the UEFI memory map and ignores /memory (efi_init → reserve_regions)',
        undefined,
        "give the memory map's RAM with --memory BASE+SIZE[,BASE+SIZE…] (or --ram SIZE for one bank at the tree's memory base)",
      ),
    );
    return { memory: [], diagnostics };
  }
  const banks = regs.filter((r) => r.size !== 0n).map(({ base, size }) => ({ base, size }));
  if (banks.length) return { memory: banks, diagnostics };
  const first = regs[0];
  diagnostics.push(
    first
      ? diag(
          'error',
          'no-memory',
          `memory node ${first.node.name} has size 0: its size is filled in by the boot loader`,
          first.node.span,
          `give the RAM with --ram SIZE (one bank at ${hex(first.base)}) or --memory BASE+SIZE[,BASE+SIZE…] (the banks the boot loader writes)`,
        )
      : diag(
          'error',
          'no-memory',
          'the tree has no memory node (device_type = "memory")',
          undefined,
          'give the RAM with --memory BASE+SIZE[,BASE+SIZE…] or --ram SIZE',
        ),
  );
  return { memory: [], diagnostics };
}

/**
 * The initrd a tree's /chosen declares, as the kernel reads it (drivers/of/fdt.c
 * early_init_dt_check_for_initrd): `linux,initrd-start` and `linux,initrd-end`, each a number of
 * as many cells as it is long; none when either is missing or start > end (and nothing to reserve
 * when they are equal). A tree a boot loader wrote (U-Boot's, or one dumped from a running board)
 * carries them, and the kernel reserves that range whatever else the board says.
 */
export function chosenInitrd(tree: Tree): Bank | undefined {
  const chosen = getChild(tree.root, 'chosen');
  const start = chosen && getProp(chosen, 'linux,initrd-start');
  const end = chosen && getProp(chosen, 'linux,initrd-end');
  if (!start || !end) return undefined;
  const s = readCells(start.value, 0, Math.floor(start.value.length / 4));
  const e = readCells(end.value, 0, Math.floor(end.value.length / 4));
  return e > s ? { base: s, size: e - s } : undefined;
}

/**
 * A board's own layout: its RAM (boardMemory), an initrd where one is placed or the tree's /chosen
 * declares one, no DTB placement.
 */
export function boardLayout(
  tree: Tree,
  o: BoardMemoryOptions & { initrd?: Bank; reserve?: ExtraReservation[] },
): { layout: PlatformLayout; diagnostics: Diagnostic[] } {
  const { memory, diagnostics } = boardMemory(tree, o);
  const layout: PlatformLayout = { name: 'board', memory, extra: extraReservations(o.reserve ?? []), chosenAdded: 0 };
  const initrd = o.initrd ?? chosenInitrd(tree);
  if (initrd) layout.initrd = initrd;
  applyPlacements(layout, o.reserve ?? []);
  return { layout, diagnostics };
}

/**
 * What the tree itself says is taken before the kernel allocates anything: the /memreserve/
 * entries and the static (`reg`) regions of available /reserved-memory children, decoded with the
 * root's cells (the kernel refuses a /reserved-memory whose cells differ). A boot loader that
 * knows the board keeps the kernel image, the initrd and the DTB out of these.
 */
export function treeReservations(tree: Tree): Bank[] {
  const out: Bank[] = tree.memreserves.filter((m) => m.size > 0n).map((m) => ({ base: m.address, size: m.size }));
  const rmem = getChild(tree.root, 'reserved-memory');
  if (!rmem) return out;
  const { addressCells, sizeCells } = rootCells(tree);
  const stride = (addressCells + sizeCells) * 4;
  if (stride === 0) return out;
  for (const n of rmem.children) {
    const status = cString(n, 'status');
    if (status !== undefined && status !== 'okay' && status !== 'ok') continue;
    const reg = getProp(n, 'reg');
    if (!reg) continue;
    for (let off = 0; off + stride <= reg.value.length; off += stride) {
      const size = readCells(reg.value, off + addressCells * 4, sizeCells);
      if (size) out.push({ base: readCells(reg.value, off, addressCells), size });
    }
  }
  return out;
}

/**
 * The lowest `align`-aligned address at least `offset` into a bank where [addr, addr + size) lies
 * inside that bank and misses every `busy` range; undefined when there is none.
 */
export function firstFreeWindow(memory: Bank[], busy: Bank[], size: bigint, align: bigint, offset = 0n): bigint | undefined {
  const up = (x: bigint) => ((x + align - 1n) / align) * align;
  const banks = [...memory].sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
  for (const b of banks) {
    const end = b.base + b.size;
    let at = up(b.base + offset);
    while (at + size <= end) {
      const hit = busy.find((x) => x.base < at + size && at < x.base + x.size);
      if (!hit) return at;
      at = up(hit.base + hit.size);
    }
  }
  return undefined;
}
