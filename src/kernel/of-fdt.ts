// drivers/of/fdt.c: what the flat-tree code does with memory before and while the tree is
// unflattened — early_init_dt_add_memory_arch, early_init_dt_check_for_usable_mem_range,
// early_init_dt_scan_chosen's bootargs, and the size unflatten_device_tree allocates.
import { walkNodes, type Node, type Tree } from '../tree/types.js';
import { roundUp, type Memblock } from './memblock.js';
import type { Bank } from '../platform/index.js';
import { touch, type BootContext, type BootState } from './boot-state.js';
import { fdtScanReservedMemRegNodes } from './rmem.js';
import type { Arm64Layout } from './profiles/types.js';
import { baseName, CellReader, cString, findNode, flag, prop, rootCells } from '../tree/query.js';

/**
 * __unflatten_device_tree's dry run (drivers/of/fdt.c populate_node/populate_properties): bytes of
 * struct device_node + full name per node, struct property per property, a synthesized "name"
 * property per node without one, each aligned; then ALIGN(size, 4) plus 4 for the end marker.
 * A non-empty /chosen/rng-seed is not there any more: early_init_dt_scan_chosen (drivers/of/fdt.c,
 * every series) hands it to add_bootloader_randomness and fdt_nop_property()s it before
 * unflatten_device_tree runs (QEMU's own virt tree carries one: `-M virt,dumpdtb=`).
 */
export function unflattenSize(tree: Tree, sizes: Arm64Layout['unflatten'], extraChosenProps = 0): number {
  let mem = 0;
  const al = (x: number) => Math.ceil(x / sizes.align) * sizes.align;
  // fdt_path_offset(fdt, "/chosen"), else "/chosen@0" (findNode matches libfdt's unit-address rule)
  const chosen = findNode(tree, '/chosen') ?? findNode(tree, '/chosen@0');
  const seed = chosen && prop(chosen, 'rng-seed');
  const nopped = seed && seed.value.length > 0 ? 1 : 0;
  walkNodes(tree.root, (n) => {
    const isRoot = n === tree.root;
    mem = al(mem) + sizes.deviceNodeSize + n.name.length + 1;
    let props = n.props.length;
    if (n.name === 'chosen' && n.parent === tree.root) props += extraChosenProps;
    if (n === chosen) props -= nopped;
    for (let i = 0; i < props; i++) mem = al(mem) + sizes.propertySize;
    if (!flag(n, 'name')) {
      // name without unit address, plus NUL
      const base = isRoot ? '' : baseName(n);
      mem = al(mem) + sizes.propertySize + base.length + 1;
    }
  });
  // size = ALIGN(size, 4); dt_alloc(size + 4, ...): the end marker
  return ((mem + 3) & ~3) + 4;
}

export function chosenBootargs(tree: Tree): string | undefined {
  const chosen = findNode(tree, '/chosen');
  return chosen ? cString(chosen, 'bootargs') : undefined;
}

/**
 * early_init_dt_check_for_usable_mem_range (drivers/of/fdt.c, after the memory nodes): a kdump
 * kernel's /chosen/linux,usable-memory-range caps memory to its first range
 * (memblock_cap_memory_range) and adds the second back.
 */
export function checkForUsableMemRange(ctx: BootContext): void {
  const chosen = findNode(ctx.tree, '/chosen');
  const p = chosen && prop(chosen, 'linux,usable-memory-range');
  if (!p) return;
  const { addressCells: ac, sizeCells: sc } = rootCells(ctx.tree);
  // the kernel compares the byte length with the cell count (sic)
  if (p.value.length % (ac + sc)) return;
  // MAX_USABLE_RANGES = 2; dt_mem_next_cell() per cell (a partial last entry is left out)
  const cells = new CellReader(p.value);
  const rgn: Bank[] = [];
  while (rgn.length < 2 && cells.remaining >= (ac + sc) * 4) rgn.push({ base: cells.next(ac), size: cells.next(sc) });
  if (!rgn.length) return;
  ctx.memblock.capMemoryRange(rgn[0]!.base, rgn[0]!.size);
  if (rgn[1]?.size) ctx.memblock.add(rgn[1].base, rgn[1].size, 'early_init_dt_check_for_usable_mem_range');
}

/**
 * early_init_dt_add_memory_arch (drivers/of/fdt.c): page-align, then memblock_add. Given
 * `below` — MIN_MEMBLOCK_ADDR (__pa(PAGE_OFFSET), PHYS_OFFSET on arm; 0 on arm64) and printk —
 * a block that ends below it is ignored and one that starts below it is cut there, as the kernel
 * does (the lab's arm boots through UEFI print it for the NOR flash the map calls memory).
 */
export function earlyInitDtAddMemoryArch(mb: Memblock, b: Bank, below?: { minAddr: bigint; printk: (text: string) => void }): void {
  const page = mb.pageSize;
  let base = b.base;
  let size = b.size;
  if (base & (page - 1n)) {
    size -= page - (base & (page - 1n));
    base = roundUp(base, page);
  }
  size &= ~(page - 1n);
  if (size <= 0n) return;
  if (below && base + size < below.minAddr) {
    below.printk(`OF: fdt: Ignoring memory block 0x${base.toString(16)} - 0x${(base + size).toString(16)}`);
    return;
  }
  if (below && base < below.minAddr) {
    below.printk(`OF: fdt: Ignoring memory range 0x${base.toString(16)} - 0x${below.minAddr.toString(16)}`);
    size -= below.minAddr - base;
    base = below.minAddr;
  }
  mb.add(base, size, 'early_init_dt_add_memory_arch');
}

/**
 * early_init_dt_scan_nodes' memory part: the memory nodes (early_init_dt_scan_memory →
 * early_init_dt_add_memory_arch), then a kdump kernel's usable-memory-range.
 */
export function earlyInitDtScanMemory(ctx: BootContext, memory: Bank[]): void {
  for (const b of memory) earlyInitDtAddMemoryArch(ctx.memblock, b);
  checkForUsableMemRange(ctx);
}

/**
 * unflatten_device_tree: 6.12 saves the static reserved-memory regions first
 * (fdt_scan_reserved_mem_reg_nodes); then __unflatten_device_tree allocates the live tree with
 * early_init_dt_alloc_memory_arch, sized by the build's struct device_node and struct property (the arch layer's unflatten).
 */
export function unflattenDeviceTree(st: BootState): void {
  const { ctx, layout } = st;
  const mb = ctx.memblock;
  fdtScanReservedMemRegNodes(ctx);
  const sizes = ctx.profile.arm64?.unflatten ?? ctx.profile.arm?.unflatten;
  if (!sizes) return;
  // the boot loader may add /chosen properties to the blob it hands over (QEMU's arm_load_dtb)
  const unfSize = BigInt(unflattenSize(ctx.tree, sizes, layout.chosenAdded));
  touch(st, mb.allocOrPanic(unfSize, BigInt(sizes.align), 'early_init_dt_alloc_memory_arch'), unfSize, 'early_init_dt_alloc_memory_arch');
  // of_alias_scan(early_init_dt_alloc_memory_arch): one struct alias_prop per /aliases entry
  const ptr = ctx.profile.arch === 'arm64' ? 8 : 4;
  for (const size of aliasPropSizes(ctx.tree, ptr)) {
    const ap = BigInt(size);
    touch(st, mb.allocOrPanic(ap, BigInt(ptr), 'early_init_dt_alloc_memory_arch'), ap, 'early_init_dt_alloc_memory_arch');
  }
}

/**
 * of_find_node_opts_by_path (drivers/of/base.c) on the live tree: `/` is the root; a path not
 * starting with '/' starts at the node an /aliases property of that name (up to the first '/' or
 * ':') points to; each component, up to '/' or ':', must equal a child's full name, unit address
 * included (__of_find_node_by_path: unlike libfdt, `serial` does not match `serial@ff000000`).
 */
function ofFindNodeByPath(tree: Tree, path: string, depth = 0): Node | undefined {
  if (path === '/') return tree.root;
  let node: Node | undefined = tree.root;
  let rest = path;
  if (!path.startsWith('/')) {
    const end = path.search(/[/:]/);
    const name = end < 0 ? path : path.slice(0, end);
    const aliases = ofFindNodeByPath(tree, '/aliases');
    const target = aliases?.props.find((pp) => pp.name === name);
    const value = target && aliases ? cString(aliases, target.name) : undefined;
    // a chain of aliases is followed as the kernel would, one lookup per step (bounded here: the
    // kernel recurses for ever on a cycle)
    if (value === undefined || depth > 8) return undefined;
    node = ofFindNodeByPath(tree, value, depth + 1);
    rest = end < 0 ? '' : path.slice(end);
  }
  while (node && rest.startsWith('/')) {
    rest = rest.slice(1);
    const len = rest.search(/[/:]/) < 0 ? rest.length : rest.search(/[/:]/);
    if (len === 0) return undefined;
    const comp = rest.slice(0, len);
    const parent: Node = node;
    node = parent.children.find((c) => c.name === comp);
    rest = rest.slice(len);
  }
  return node;
}

/**
 * of_alias_scan (drivers/of/base.c): for each /aliases property but `name`, `phandle` and
 * `linux,phandle` whose value is the path of a node, and whose name ends in a decimal id that fits
 * an int, dt_alloc(sizeof(struct alias_prop) + strlen(stem) + 1, __alignof__(struct alias_prop)):
 * struct alias_prop (drivers/of/of_private.h) is a list_head, two pointers and an int — 40 bytes on
 * arm64, 20 on arm. The sizes, in the order the properties come.
 */
export function aliasPropSizes(tree: Tree, ptr: 4 | 8): number[] {
  const aliases = ofFindNodeByPath(tree, '/aliases');
  if (!aliases) return [];
  const aliasProp = Math.ceil((4 * ptr + 4) / ptr) * ptr;
  const sizes: number[] = [];
  for (const pp of aliases.props) {
    if (pp.name === 'name' || pp.name === 'phandle' || pp.name === 'linux,phandle') continue;
    const path = cString(aliases, pp.name);
    if (path === undefined || !ofFindNodeByPath(tree, path)) continue;
    const id = /\d*$/.exec(pp.name)![0];
    // kstrtoint: at least one digit, and the value an int
    if (!id.length || Number(id) > 0x7fffffff) continue;
    sizes.push(aliasProp + pp.name.length - id.length + 1);
  }
  return sizes;
}
