// drivers/firmware/efi/efi-init.c efi_init, as far as memory goes: booted through its EFI stub, the
// kernel takes RAM from the UEFI memory map, not from /memory (setup_arch calls it after
// parse_early_param, before arm64_memblock_init).
import type { BootContext } from './boot-state.js';
import { checkForUsableMemRange, earlyInitDtAddMemoryArch } from './of-fdt.js';
import { roundDown, roundUp } from './memblock.js';
import {
  EFI_MEMORY_SP,
  EFI_MEMORY_WB,
  EFI_MEMORY_WC,
  EFI_MEMORY_WT,
  type EfiBoot,
  type EfiMemoryDescriptor,
} from '../platform/efi-memmap.js';

/** is_memory: the range can be mapped cacheable or write-combining. */
function isMemory(md: EfiMemoryDescriptor): boolean {
  return (md.attribute & (EFI_MEMORY_WB | EFI_MEMORY_WT | EFI_MEMORY_WC)) !== 0n;
}

/** is_usable_memory: free for Linux after ExitBootServices, if it can be mapped write-back. */
function isUsableMemory(md: EfiMemoryDescriptor): boolean {
  switch (md.type) {
    case 'EFI_LOADER_CODE':
    case 'EFI_LOADER_DATA':
    case 'EFI_ACPI_RECLAIM_MEMORY':
    case 'EFI_BOOT_SERVICES_CODE':
    case 'EFI_BOOT_SERVICES_DATA':
    case 'EFI_CONVENTIONAL_MEMORY':
    case 'EFI_PERSISTENT_MEMORY':
      return (md.attribute & EFI_MEMORY_WB) !== 0n;
    default:
      return false;
  }
}

/**
 * efi_init with the stub's map and tables:
 *  - uefi_init → efi_config_parse_tables: efi_memattr_init reserves the memory attributes table,
 *    then the LINUX_EFI_MEMRESERVE table and each of its entries are reserved;
 *  - reserve_regions: memblock_remove(0, PHYS_ADDR_MAX) drops what the /memory nodes added; each
 *    descriptor that is_memory (WB/WT/WC) is memblock_add()ed (early_init_dt_add_memory_arch,
 *    after memrange_efi_to_native widened it to kernel pages), marked nomap unless
 *    is_usable_memory, and reserved when it is ACPI reclaim memory; EFI_MEMORY_SP ranges are left
 *    out (efi_soft_reserve_enabled: CONFIG_EFI_SOFT_RESERVE, not `efi=nosoftreserve`); memory
 *    below `minMemblockAddr` (the arch's MIN_MEMBLOCK_ADDR) is ignored;
 *  - early_init_dt_check_for_usable_mem_range again, on the new memory;
 *  - memblock_reserve of the pages holding the map itself.
 * memblock_mark_nomap is not traced by memblock=debug; the rest is, in this order.
 */
export function efiInit(ctx: BootContext, efi: EfiBoot, minMemblockAddr: bigint): void {
  const mb = ctx.memblock;
  // parse_efi_cmdline: `efi=nosoftreserve` (parse_option_str: one of its comma-separated words)
  const softReserve = !ctx.cmdline.args.some((a) => a.param === 'efi' && (a.val ?? '').split(',').includes('nosoftreserve'));
  const page = mb.pageSize;
  if (efi.memattr) mb.reserve(efi.memattr.base, efi.memattr.size, 'efi_memattr_init');
  if (efi.memreserve) {
    const rsv = efi.memreserve;
    // struct linux_efi_memreserve: int size, atomic_t count, phys_addr_t next, then entries of two
    // phys_addr_t (a 32-bit phys_addr_t: 12 + 8 each; 64-bit: 16 + 16 each)
    const phys = ctx.profile.physAddrBits === 32 ? 4n : 8n;
    mb.reserve(rsv.at, (phys === 4n ? 12n : 16n) + 2n * phys * BigInt(rsv.capacity), 'efi_config_parse_tables');
    for (const e of rsv.entries) mb.reserve(e.base, e.size, 'efi_config_parse_tables');
  }
  // reserve_regions
  mb.remove(0n, mb.mask, 'reserve_regions');
  for (const md of efi.memoryMap) {
    // memrange_efi_to_native: whole kernel pages around the 4 KiB EFI pages
    const base = roundDown(md.base, page);
    const size = roundUp(md.base + md.size, page) - base;
    if (!isMemory(md)) continue;
    if (softReserve && (md.attribute & EFI_MEMORY_SP) !== 0n) continue;
    earlyInitDtAddMemoryArch(
      mb,
      { base, size },
      { minAddr: minMemblockAddr, printk: (text) => ctx.printk('warn', text, 'early_init_dt_add_memory_arch') },
    );
    if (!isUsableMemory(md)) mb.markNomap(base, size);
    if (md.type === 'EFI_ACPI_RECLAIM_MEMORY') mb.reserve(base, size, 'reserve_regions');
  }
  checkForUsableMemRange(ctx);
  if (efi.mapAt) {
    const start = roundDown(efi.mapAt.base, page);
    mb.reserve(start, roundUp(efi.mapAt.size + (efi.mapAt.base - start), page), 'efi_init');
  }
}
