// The UEFI memory map a kernel booted through its EFI stub finds (linux,uefi-mmap-start in
// /chosen) and the configuration tables efi_init reserves: what the firmware says about memory,
// as data. The kernel's side (efi_init → reserve_regions) is src/kernel/efi-init.ts.
import type { Bank } from './layout.js';

/** EFI_MEMORY_DESCRIPTOR.Type, by the kernel's names (include/linux/efi.h). */
export const EFI_MEMORY_TYPES = [
  'EFI_RESERVED_TYPE',
  'EFI_LOADER_CODE',
  'EFI_LOADER_DATA',
  'EFI_BOOT_SERVICES_CODE',
  'EFI_BOOT_SERVICES_DATA',
  'EFI_RUNTIME_SERVICES_CODE',
  'EFI_RUNTIME_SERVICES_DATA',
  'EFI_CONVENTIONAL_MEMORY',
  'EFI_UNUSABLE_MEMORY',
  'EFI_ACPI_RECLAIM_MEMORY',
  'EFI_ACPI_MEMORY_NVS',
  'EFI_MEMORY_MAPPED_IO',
  'EFI_MEMORY_MAPPED_IO_PORT_SPACE',
  'EFI_PAL_CODE',
  'EFI_PERSISTENT_MEMORY',
  'EFI_UNACCEPTED_MEMORY',
] as const;
export type EfiMemoryType = (typeof EFI_MEMORY_TYPES)[number];

/** EFI_MEMORY_DESCRIPTOR.Attribute bits (include/linux/efi.h). */
export const EFI_MEMORY_UC = 0x1n;
export const EFI_MEMORY_WC = 0x2n;
export const EFI_MEMORY_WT = 0x4n;
export const EFI_MEMORY_WB = 0x8n;
export const EFI_MEMORY_SP = 0x40000n;
export const EFI_MEMORY_RUNTIME = 1n << 63n;
/** The attribute names a descriptor may carry in a platform file (the `EFI_MEMORY_` suffixes). */
export const EFI_MEMORY_ATTRIBUTES: Record<string, bigint> = {
  UC: EFI_MEMORY_UC,
  WC: EFI_MEMORY_WC,
  WT: EFI_MEMORY_WT,
  WB: EFI_MEMORY_WB,
  UCE: 0x10n,
  WP: 0x1000n,
  RP: 0x2000n,
  XP: 0x4000n,
  NV: 0x8000n,
  MORE_RELIABLE: 0x10000n,
  RO: 0x20000n,
  SP: EFI_MEMORY_SP,
  CPU_CRYPTO: 0x80000n,
  RUNTIME: EFI_MEMORY_RUNTIME,
};

/** One EFI_MEMORY_DESCRIPTOR: PhysicalStart, NumberOfPages × 4 KiB (EFI_PAGE_SHIFT 12), Attribute. */
export interface EfiMemoryDescriptor {
  type: EfiMemoryType;
  base: bigint;
  size: bigint;
  attribute: bigint;
}

/** What efi_init reads besides the map: where the map lies and the tables it reserves. */
export interface EfiBoot {
  /** The map, in the firmware's order (reserve_regions walks it as given). */
  memoryMap: EfiMemoryDescriptor[];
  /** The map itself (data.phys_map, data.size): efi_init reserves its pages. */
  mapAt?: Bank;
  /** EFI_MEMORY_ATTRIBUTES_TABLE (efi_config_parse_tables → efi_memattr_init reserves it). */
  memattr?: Bank;
  /**
   * LINUX_EFI_MEMRESERVE_TABLE (efi_config_parse_tables): the table at `at` holding room for
   * `capacity` entries (reserved as struct_size(rsv, entry, rsv->size)) and the entries in use.
   */
  memreserve?: { at: bigint; capacity: number; entries: Bank[] };
}

const WB = EFI_MEMORY_WB;
const RT = EFI_MEMORY_RUNTIME;

/**
 * EDK2 ArmVirtQemu (Debian's qemu-efi-aarch64 2022.11) on QEMU virt, as its map reads at every RAM
 * size: runtime services code and data at fixed distances below the top of RAM (the DXE runtime
 * drivers and the variable store, 64 KiB granular on arm64: EFI_ACPI_RUNTIME_PAGE_ALLOCATION_ALIGNMENT),
 * the first at the bottom of the `ARMVIRTQEMU_AARCH64_TOP` area the placement model keeps out of
 * the stub's reach; and two MMIO ranges runtime services keep mapped — the NOR flash at 0x04000000
 * (the variable store, write-combining: it is `memory` to reserve_regions) and the PL031 RTC at
 * 0x09010000 (uncached: not memory).
 */
const ARMVIRTQEMU_RUNTIME: { below: bigint; size: bigint; type: EfiMemoryType }[] = [
  { below: 0x3bc0000n, size: 0x80000n, type: 'EFI_RUNTIME_SERVICES_CODE' },
  { below: 0x3b40000n, size: 0x1c0000n, type: 'EFI_RUNTIME_SERVICES_DATA' },
  { below: 0x3980000n, size: 0xb0000n, type: 'EFI_RUNTIME_SERVICES_CODE' },
  { below: 0x400000n, size: 0x190000n, type: 'EFI_RUNTIME_SERVICES_CODE' },
  { below: 0x270000n, size: 0x250000n, type: 'EFI_RUNTIME_SERVICES_DATA' },
];
const ARMVIRTQEMU_MMIO: EfiMemoryDescriptor[] = [
  { type: 'EFI_MEMORY_MAPPED_IO', base: 0x4000000n, size: 0x4000000n, attribute: RT | EFI_MEMORY_WC },
  { type: 'EFI_MEMORY_MAPPED_IO', base: 0x9010000n, size: 0x1000n, attribute: RT | EFI_MEMORY_UC },
];

/**
 * Where ArmVirtQemu's memory attributes table lies (its runtime images' sections: 21 entries of
 * 48 bytes after a 16-byte header), below the top of RAM: measured on the same build, 8 KiB lower
 * above 1 GiB of RAM.
 */
const ARMVIRTQEMU_MEMATTR = { below: 0x145dfe8n, belowAbove1G: 0x145ffe8n, size: 0x400n };
/**
 * The EFI stub's allocations EDK2's pool puts at fixed places: the memory map (efi_get_memory_map
 * with install_cfg_tbl: an EFI_ACPI_RECLAIM_MEMORY pool, a fresh 64 KiB just below the stub's DTB,
 * the map 0x40 into it) and the MEMRESERVE table (efi_install_memreserve_table: 16 bytes, no
 * entries, 0xf98 into the stub's EFI_LOADER_DATA pool page).
 */
const STUB_MMAP_POOL = 0x10000n;
const STUB_MMAP_OFFSET = 0x40n;
const STUB_MEMRESERVE_OFFSET = 0xf98n;
/** sizeof(EFI_MEMORY_DESCRIPTOR) as EDK2 reports it (DescriptorSize). */
const EDK2_DESC_SIZE = 0x30n;

/**
 * ArmVirtQemu's memory map on arm64 for RAM `memory` (QEMU's one bank), given where the stub put
 * its DTB copy and its pool page (src/platform/uefi.ts efiStubBoot) when that is known. Everything
 * EDK2 and the stub hold in RAM besides the runtime regions and the map's pool (loader and boot
 * services code and data) is usable to reserve_regions, like the conventional memory around it, so
 * it is given as EFI_CONVENTIONAL_MEMORY.
 */
export function armVirtQemuEfiBoot(memory: Bank[], stub: { dtb?: Bank; pool?: bigint }): EfiBoot {
  const top = memory.reduce((t, b) => (b.base + b.size > t ? b.base + b.size : t), 0n);
  const special: EfiMemoryDescriptor[] = ARMVIRTQEMU_RUNTIME.map((r) => ({
    type: r.type,
    base: top - r.below,
    size: r.size,
    attribute: RT | WB,
  }));
  const mapPool = stub.dtb ? stub.dtb.base - STUB_MMAP_POOL : undefined;
  if (mapPool !== undefined) special.push({ type: 'EFI_ACPI_RECLAIM_MEMORY', base: mapPool, size: STUB_MMAP_POOL, attribute: WB });
  special.sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
  const ram: EfiMemoryDescriptor[] = [];
  for (const bank of memory) {
    let at = bank.base;
    const end = bank.base + bank.size;
    for (const s of special) {
      if (s.base + s.size <= bank.base || s.base >= end) continue;
      if (s.base > at) ram.push({ type: 'EFI_CONVENTIONAL_MEMORY', base: at, size: s.base - at, attribute: WB });
      ram.push(s);
      at = s.base + s.size;
    }
    if (end > at) ram.push({ type: 'EFI_CONVENTIONAL_MEMORY', base: at, size: end - at, attribute: WB });
  }
  const memoryMap = [...ram, ...ARMVIRTQEMU_MMIO];
  const out: EfiBoot = {
    memoryMap,
    memattr: {
      base: top - (top - (memory[0]?.base ?? 0n) > 1n << 30n ? ARMVIRTQEMU_MEMATTR.belowAbove1G : ARMVIRTQEMU_MEMATTR.below),
      size: ARMVIRTQEMU_MEMATTR.size,
    },
  };
  if (mapPool !== undefined) out.mapAt = { base: mapPool + STUB_MMAP_OFFSET, size: BigInt(memoryMap.length) * EDK2_DESC_SIZE };
  if (stub.pool !== undefined) out.memreserve = { at: stub.pool + STUB_MEMRESERVE_OFFSET, capacity: 0, entries: [] };
  return out;
}

/** A memory map that says only what RAM there is: each bank conventional, write-back memory. */
export function conventionalEfiBoot(memory: Bank[]): EfiBoot {
  return { memoryMap: memory.map((b) => ({ type: 'EFI_CONVENTIONAL_MEMORY', base: b.base, size: b.size, attribute: WB })) };
}
