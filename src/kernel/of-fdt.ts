// drivers/of/fdt.c: what the flat-tree code does with memory before and while the tree is
// unflattened — early_init_dt_add_memory_arch, early_init_dt_check_for_usable_mem_range,
// early_init_dt_scan_chosen's bootargs, and the size unflatten_device_tree allocates.
import { walkNodes, type Tree } from '../tree/types.js';
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
}
