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
 * EDK2 ArmVirtQemu as Debian builds it (qemu-efi-aarch64 / qemu-efi-arm 2022.11), measured in the
 * memory maps of the lab's boots at 128 MiB to 4 GiB:
 *  - `pei`: what its PEI phase keeps (a 128 KiB block at 0x44000000 and its memory at the top of
 *    the first 128 MiB);
 *  - `dxe`: how much its DXE phase — runtime services, the firmware's own data, on arm also what it
 *    frees again before the stub's last memory map — takes at the top of the highest range left
 *    free (`armVirtQemuDxeEnd`: the top of RAM from 256 MiB up, below the PEI memory with 128 MiB);
 *  - `runtime`: its runtime services code and data at fixed distances below that end (the DXE
 *    runtime drivers and the variable store; 64 KiB granular on arm64,
 *    EFI_ACPI_RUNTIME_PAGE_ALLOCATION_ALIGNMENT), nomap to the kernel;
 *  - `memattr`: its memory attributes table (its runtime images' sections) below that end;
 *  - where EDK2's pool puts the EFI stub's tables in their pool blocks: the memory map `mapOffset`
 *    into its EFI_ACPI_RECLAIM_MEMORY block, the MEMRESERVE table (efi_install_memreserve_table)
 *    `memreserveOffset` into the stub's EFI_LOADER_DATA pool page;
 *  - `poolOverhead`, `uintn`: EDK2's pool bookkeeping (MdeModulePkg/Core/Dxe/Mem/Pool.c: a request
 *    is aligned to sizeof(UINTN) and grows by POOL_HEAD + POOL_TAIL). When the stub's command line
 *    (efi_convert_cmdline: its bytes + NUL) then fits a 128-byte chunk it shares the bucket with
 *    the MEMRESERVE table, which lies one chunk (0x80) lower — as the arm boots with command lines
 *    up to 97 bytes show (0xb10), against 0xb90 from 104 bytes; the arm64 boots all have longer
 *    command lines than their 87-byte limit (0xf98).
 */
export const ARMVIRTQEMU_FOOTPRINT: Record<
  'arm64' | 'arm',
  {
    pei: Bank[];
    dxe: bigint;
    runtime: { below: bigint; size: bigint; type: EfiMemoryType }[];
    memattr: { below: bigint; belowAbove1G: bigint; size: bigint };
    mapOffset: bigint;
    memreserveOffset: bigint;
    poolOverhead: bigint;
    uintn: bigint;
  }
> = {
  arm64: {
    pei: [
      { base: 0x44000000n, size: 0x20000n },
      { base: 0x47812000n, size: 0x7ee000n },
    ],
    dxe: 0x3bc0000n,
    runtime: [
      { below: 0x3bc0000n, size: 0x80000n, type: 'EFI_RUNTIME_SERVICES_CODE' },
      { below: 0x3b40000n, size: 0x1c0000n, type: 'EFI_RUNTIME_SERVICES_DATA' },
      { below: 0x3980000n, size: 0xb0000n, type: 'EFI_RUNTIME_SERVICES_CODE' },
      { below: 0x400000n, size: 0x190000n, type: 'EFI_RUNTIME_SERVICES_CODE' },
      { below: 0x270000n, size: 0x250000n, type: 'EFI_RUNTIME_SERVICES_DATA' },
    ],
    // 21 entries of 48 bytes after a 16-byte header; 8 KiB lower above 1 GiB of RAM
    memattr: { below: 0x145dfe8n, belowAbove1G: 0x145ffe8n, size: 0x400n },
    mapOffset: 0x40n,
    memreserveOffset: 0xf98n,
    poolOverhead: 40n,
    uintn: 8n,
  },
  arm: {
    pei: [
      { base: 0x44000000n, size: 0x20000n },
      { base: 0x47a80000n, size: 0x580000n },
    ],
    dxe: 0x38b9000n,
    runtime: [
      { below: 0x3e9000n, size: 0x190000n, type: 'EFI_RUNTIME_SERVICES_CODE' },
      { below: 0x259000n, size: 0x258000n, type: 'EFI_RUNTIME_SERVICES_DATA' },
    ],
    memattr: { below: 0x165d570n, belowAbove1G: 0x165d570n, size: 0x370n },
    mapOffset: 0x28n,
    memreserveOffset: 0xb90n,
    poolOverhead: 28n,
    uintn: 4n,
  },
};

/** Where ArmVirtQemu's DXE area ends: the top of the highest part of RAM its PEI phase left free. */
export function armVirtQemuDxeEnd(arch: 'arm64' | 'arm', memory: Bank[]): bigint {
  let end = 0n;
  for (const b of memory) {
    let top = b.base + b.size;
    // a PEI range at the top of a bank moves that bank's free top below it
    for (const p of [...ARMVIRTQEMU_FOOTPRINT[arch].pei].sort((x, y) => (x.base > y.base ? -1 : 1)))
      if (p.base < top && p.base + p.size >= top && p.base >= b.base) top = p.base;
    if (top > end) end = top;
  }
  return end;
}

/**
 * Two MMIO ranges ArmVirtQemu's runtime services keep mapped — the NOR flash at 0x04000000 (the
 * variable store, write-combining: it is `memory` to reserve_regions) and the PL031 RTC at
 * 0x09010000 (uncached: not memory).
 */
const ARMVIRTQEMU_MMIO: EfiMemoryDescriptor[] = [
  { type: 'EFI_MEMORY_MAPPED_IO', base: 0x4000000n, size: 0x4000000n, attribute: RT | EFI_MEMORY_WC },
  { type: 'EFI_MEMORY_MAPPED_IO', base: 0x9010000n, size: 0x1000n, attribute: RT | EFI_MEMORY_UC },
];
/** The 128-byte chunk of EDK2's smallest pool bucket. */
const POOL_CHUNK = 0x80n;
/** sizeof(EFI_MEMORY_DESCRIPTOR) as EDK2 reports it (DescriptorSize). */
const EDK2_DESC_SIZE = 0x30n;

/**
 * ArmVirtQemu's memory map for RAM `memory` (QEMU's one bank), given where the stub's final map
 * and its pool page lie (src/platform/uefi.ts efiStubBoot) and the command line it converted,
 * when known. Everything EDK2 and the stub hold in RAM besides the runtime regions and the map's
 * pool (loader and boot services code and data) is usable to reserve_regions, like the
 * conventional memory around it, so it is given as EFI_CONVENTIONAL_MEMORY.
 */
export function armVirtQemuEfiBoot(
  memory: Bank[],
  stub: { arch?: 'arm64' | 'arm'; mapPool?: Bank; pool?: bigint; cmdline?: string },
): EfiBoot {
  const fw = ARMVIRTQEMU_FOOTPRINT[stub.arch ?? 'arm64'];
  const end = armVirtQemuDxeEnd(stub.arch ?? 'arm64', memory);
  const special: EfiMemoryDescriptor[] = fw.runtime.map((r) => ({
    type: r.type,
    base: end - r.below,
    size: r.size,
    attribute: RT | WB,
  }));
  const mapPool = stub.mapPool;
  if (mapPool) special.push({ type: 'EFI_ACPI_RECLAIM_MEMORY', base: mapPool.base, size: mapPool.size, attribute: WB });
  special.sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
  const ram: EfiMemoryDescriptor[] = [];
  for (const bank of memory) {
    let at = bank.base;
    const bankEnd = bank.base + bank.size;
    for (const s of special) {
      if (s.base + s.size <= bank.base || s.base >= bankEnd) continue;
      if (s.base > at) ram.push({ type: 'EFI_CONVENTIONAL_MEMORY', base: at, size: s.base - at, attribute: WB });
      ram.push(s);
      at = s.base + s.size;
    }
    if (bankEnd > at) ram.push({ type: 'EFI_CONVENTIONAL_MEMORY', base: at, size: bankEnd - at, attribute: WB });
  }
  const memoryMap = [...ram, ...ARMVIRTQEMU_MMIO];
  const out: EfiBoot = {
    memoryMap,
    memattr: {
      base: end - (end - (memory[0]?.base ?? 0n) > 1n << 30n ? fw.memattr.belowAbove1G : fw.memattr.below),
      size: fw.memattr.size,
    },
  };
  if (mapPool) out.mapAt = { base: mapPool.base + fw.mapOffset, size: BigInt(memoryMap.length) * EDK2_DESC_SIZE };
  if (stub.pool !== undefined) {
    const bytes = stub.cmdline === undefined ? undefined : BigInt(new TextEncoder().encode(stub.cmdline).length) + 1n;
    const shares = bytes !== undefined && ((bytes + fw.uintn - 1n) / fw.uintn) * fw.uintn + fw.poolOverhead <= POOL_CHUNK;
    out.memreserve = { at: stub.pool + fw.memreserveOffset - (shares ? POOL_CHUNK : 0n), capacity: 0, entries: [] };
  }
  return out;
}

/** A memory map that says only what RAM there is: each bank conventional, write-back memory. */
export function conventionalEfiBoot(memory: Bank[]): EfiBoot {
  return { memoryMap: memory.map((b) => ({ type: 'EFI_CONVENTIONAL_MEMORY', base: b.base, size: b.size, attribute: WB })) };
}
