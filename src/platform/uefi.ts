// Booting through UEFI: what the kernel's EFI stub (drivers/firmware/efi/libstub/fdt.c update_fdt)
// does to the DTB before it enters the kernel, and what efi_init (drivers/firmware/efi/efi-init.c)
// then does with memory: the RAM banks come from the UEFI memory map (reserve_regions removes
// what the /memory nodes added), so a board booted this way gives its RAM as the map's banks.
import { getChild, getProp, type Tree } from '../tree/types.js';

/**
 * The /chosen properties update_fdt and update_fdt_memmap set: linux,uefi-system-table,
 * linux,uefi-mmap-start, -mmap-size, -mmap-desc-size, -mmap-desc-ver, linux,uefi-secure-boot,
 * and bootargs from the load options. (kaslr-seed only when the firmware has EFI_RNG_PROTOCOL.)
 */
const EFI_STUB_CHOSEN = [
  'bootargs',
  'linux,uefi-system-table',
  'linux,uefi-mmap-start',
  'linux,uefi-mmap-size',
  'linux,uefi-mmap-desc-size',
  'linux,uefi-mmap-desc-ver',
  'linux,uefi-secure-boot',
];

/** The tree the kernel gets from the EFI stub: the same nodes, no /memreserve/ (update_fdt deletes them all). */
export function efiStubTree(tree: Tree): { tree: Tree; edits: string[] } {
  const edits = ['RAM from the UEFI memory map: the kernel ignores /memory (efi_init → reserve_regions)'];
  if (tree.memreserves.length)
    edits.push(
      `${tree.memreserves.length} /memreserve/ entr${tree.memreserves.length === 1 ? 'y' : 'ies'} deleted by the EFI stub (update_fdt): UEFI's memory map says what is reserved`,
    );
  return { tree: { ...tree, memreserves: [] }, edits };
}

/** /chosen properties the stub adds that the tree lacks (they grow the tree the kernel unflattens). */
export function efiStubChosenAdded(tree: Tree): number {
  const chosen = getChild(tree.root, 'chosen');
  return EFI_STUB_CHOSEN.filter((name) => !chosen || !getProp(chosen, name)).length;
}
