// The small typed API the kernel model reads a tree through (the kernel model never sees the
// AST). Every reader follows what the kernel's flat-tree accessors do with the same bytes, so a
// malformed property is read the way Linux reads it rather than "fixed":
//   - fdt_path_offset()/fdt_subnode_offset_namelen() (scripts/dtc/libfdt/fdt_ro.c): a path
//     component without '@' also matches a node whose name is that component plus a unit address;
//   - of_fdt_device_is_available() (drivers/of/fdt.c): no `status`, "ok" or "okay";
//   - of_fdt_is_compatible() (drivers/of/fdt.c): strcasecmp() against each string of `compatible`;
//   - dt_mem_next_cell()/of_read_number() (drivers/of/fdt.c, include/linux/of.h): big-endian cells
//     shifted into a u64, so more than two cells keep only the low 64 bits.
import type { Node, Property, Tree } from './types.js';
import { getProp, MAX_ALIAS_DEPTH, nodePath, walkNodes } from './types.js';

/** OF_ROOT_NODE_ADDR_CELLS_DEFAULT / OF_ROOT_NODE_SIZE_CELLS_DEFAULT (include/linux/of_fdt.h). */
export const ROOT_ADDR_CELLS_DEFAULT = 1;
export const ROOT_SIZE_CELLS_DEFAULT = 1;

export function prop(node: Node, name: string): Property | undefined {
  return getProp(node, name);
}

/** of_get_flat_dt_prop(node, name, NULL) != NULL: the property exists (any length). */
export function flag(node: Node, name: string): boolean {
  return getProp(node, name) !== undefined;
}

/** Length in bytes of a property, or -1 when it is absent. */
export function propLen(node: Node, name: string): number {
  const p = getProp(node, name);
  return p ? p.value.length : -1;
}

/** be32_to_cpup(prop): the first cell, or undefined when the property is absent or shorter than 4. */
export function u32(node: Node, name: string): number | undefined {
  const p = getProp(node, name);
  if (!p || p.value.length < 4) return undefined;
  return readU32(p.value, 0);
}

export function readU32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}

/**
 * of_read_number(cells, n): `n` big-endian cells at byte `offset` folded into a u64 (the kernel
 * keeps the low 64 bits when n > 2). Bytes past the end read as 0 (callers check lengths first,
 * as the kernel does).
 */
export function readCells(bytes: Uint8Array, offset: number, n: number): bigint {
  // Folding cells into a u64 keeps only the last two, so read just those (a hostile
  // `#address-cells` of 0x40000000 must not make us loop).
  let r = 0n;
  for (let i = Math.max(0, n - 2); i < n; i++) {
    const o = offset + 4 * i;
    const cell = o >= 0 && o + 4 <= bytes.length ? BigInt(readU32(bytes, o)) : 0n;
    r = ((r << 32n) | cell) & 0xffff_ffff_ffff_ffffn;
  }
  return r;
}

/** A cursor like dt_mem_next_cell(): each call reads `n` cells and advances. */
export class CellReader {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}
  next(n: number): bigint {
    const v = readCells(this.bytes, this.offset, n);
    this.offset += 4 * n;
    return v;
  }
  get remaining(): number {
    return this.bytes.length - this.offset;
  }
}

/** The strings of a string-list property (NUL separated; a missing final NUL ends the last one). */
export function strings(node: Node, name: string): string[] {
  const p = getProp(node, name);
  if (!p) return [];
  return splitStrings(p.value);
}

export function splitStrings(bytes: Uint8Array): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0) {
      out.push(decodeLatin1(bytes.subarray(start, i)));
      start = i + 1;
    }
  }
  if (start < bytes.length) out.push(decodeLatin1(bytes.subarray(start)));
  return out;
}

/** The first string of a property, as C code reading it with strcmp sees it (up to the first NUL). */
export function cString(node: Node, name: string): string | undefined {
  const p = getProp(node, name);
  if (!p) return undefined;
  const nul = p.value.indexOf(0);
  return decodeLatin1(nul < 0 ? p.value : p.value.subarray(0, nul));
}

function decodeLatin1(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return s;
}

/** of_fdt_device_is_available(): no `status`, or `status` is "ok" / "okay". */
export function isAvailable(node: Node): boolean {
  const s = cString(node, 'status');
  if (s === undefined) return true;
  return s === 'ok' || s === 'okay';
}

/** of_fdt_is_compatible(): 1-based score of the first matching entry (strcasecmp), 0 when none. */
export function compatibleScore(node: Node, compat: string): number {
  const list = strings(node, 'compatible');
  const want = compat.toLowerCase();
  for (let i = 0; i < list.length; i++) if (list[i]!.toLowerCase() === want) return i + 1;
  return 0;
}

export function isCompatible(node: Node, compat: string): boolean {
  return compatibleScore(node, compat) > 0;
}

/** The node name without its unit address (`memory@40000000` → `memory`). */
export function baseName(node: Node): string {
  const at = node.name.indexOf('@');
  return at < 0 ? node.name : node.name.slice(0, at);
}

/**
 * fdt_path_offset(): walk components from the root; a component without '@' matches the first
 * child named exactly that or that plus `@unit` (libfdt's fdt_nodename_eq_). A path that does not
 * start with '/' starts at the node its first component names in /aliases.
 */
export function findNode(tree: Tree, path: string, aliasDepth = 0): Node | undefined {
  let node: Node = tree.root;
  let rest = path;
  if (!path.startsWith('/')) {
    // fdt_path_offset_namelen (libfdt/fdt_ro.c): `alias/rest`, the alias's value read to its NUL
    // from /aliases; a chain of aliases stops after MAX_ALIAS_DEPTH steps.
    const slash = path.indexOf('/');
    const name = slash < 0 ? path : path.slice(0, slash);
    const aliases = findNode(tree, '/aliases');
    const target = aliases && cString(aliases, name);
    if (target === undefined || aliasDepth >= MAX_ALIAS_DEPTH) return undefined;
    const base = findNode(tree, target, aliasDepth + 1);
    if (!base) return undefined;
    node = base;
    rest = slash < 0 ? '' : path.slice(slash);
  }
  for (const comp of rest.split('/').filter((c) => c.length > 0)) {
    const hasAt = comp.includes('@');
    const next = node.children.find((c) => c.name === comp || (!hasAt && c.name.startsWith(comp + '@')));
    if (!next) return undefined;
    node = next;
  }
  return node;
}

/** `#address-cells` / `#size-cells` a node's `reg` is read with: its parent's, dtc/kernel defaults 2/1. */
export function regCells(node: Node): { addressCells: number; sizeCells: number } {
  const parent = node.parent;
  if (!parent) return { addressCells: ROOT_ADDR_CELLS_DEFAULT, sizeCells: ROOT_SIZE_CELLS_DEFAULT };
  return { addressCells: u32(parent, '#address-cells') ?? 2, sizeCells: u32(parent, '#size-cells') ?? 1 };
}

/** early_init_dt_scan_root(): dt_root_addr_cells / dt_root_size_cells, defaulting to 1 and 1. */
export function rootCells(tree: Tree): { addressCells: number; sizeCells: number } {
  return {
    addressCells: u32(tree.root, '#address-cells') ?? ROOT_ADDR_CELLS_DEFAULT,
    sizeCells: u32(tree.root, '#size-cells') ?? ROOT_SIZE_CELLS_DEFAULT,
  };
}

/** The phandle a node carries: `phandle`, else `linux,phandle`, else the tree's assigned one. */
export function phandleOf(node: Node): number {
  const v = u32(node, 'phandle') ?? u32(node, 'linux,phandle');
  if (v !== undefined) return v;
  return node.phandle;
}

/** Every node in FDT (pre-order) order: the order of structure-block offsets. */
export function walk(tree: Tree): Node[] {
  const out: Node[] = [];
  walkNodes(tree.root, (n) => {
    out.push(n);
  });
  return out;
}

export function findByPhandle(tree: Tree, phandle: number): Node | undefined {
  if (phandle === 0 || phandle === 0xffffffff) return undefined;
  return walk(tree).find((n) => phandleOf(n) === phandle);
}

/**
 * Pre-order index of every node: a stand-in for the node's offset in the structure block, which
 * grows in the same order (6.12's __rmem_cmp breaks ties on it).
 */
export function fdtOrder(tree: Tree): Map<Node, number> {
  const m = new Map<Node, number>();
  walk(tree).forEach((n, i) => m.set(n, i));
  return m;
}

export interface MemoryRegionConsumer {
  /** Path of the device node whose `memory-region` points at the region. */
  path: string;
  /** Index in that node's `memory-region` list (of_reserved_mem_device_init_by_idx). */
  index: number;
  /** Matching entry of `memory-region-names`, when present. */
  name?: string;
  available: boolean;
}

/** Nodes referencing `target` through `memory-region` (one phandle per entry, no arguments). */
export function memoryRegionConsumers(tree: Tree, target: Node): MemoryRegionConsumer[] {
  const ph = phandleOf(target);
  if (!ph) return [];
  const out: MemoryRegionConsumer[] = [];
  for (const n of walk(tree)) {
    const p = getProp(n, 'memory-region');
    if (!p) continue;
    const names = strings(n, 'memory-region-names');
    for (let i = 0; 4 * i + 4 <= p.value.length; i++) {
      if (readU32(p.value, 4 * i) !== ph) continue;
      // `carveout,source-path`: the board path of a stub that `--platform qemu-virt` merged into
      // QEMU's tree (src/platform/qemu-virt.ts mergeBoard).
      const c: MemoryRegionConsumer = { path: cString(n, 'carveout,source-path') ?? nodePath(n), index: i, available: isAvailable(n) };
      if (names[i] !== undefined) c.name = names[i];
      out.push(c);
    }
  }
  return out;
}

export { nodePath };
