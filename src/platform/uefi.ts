// Booting through UEFI: what the kernel's EFI stub (drivers/firmware/efi/libstub/fdt.c update_fdt)
// does to the DTB before it enters the kernel, and what efi_init (drivers/firmware/efi/efi-init.c)
// then does with memory: the RAM banks come from the UEFI memory map (reserve_regions removes
// what the /memory nodes added), so a board booted this way gives its RAM as the map's banks.
import { diag, noSpan, type Diagnostic } from '../diagnostics.js';
import { addChild, cloneNode, setProp, stringsValue } from '../tree/edit.js';
import { HDR } from '../fdt/constants.js';
import { cString, readU32, strings } from '../tree/query.js';
import { getChild, newNode, nodePath, walkNodes, type Tree } from '../tree/types.js';
import type { Bank } from './layout.js';
import { ARMVIRTQEMU_FOOTPRINT, armVirtQemuDxeEnd, type EfiBoot } from './efi-memmap.js';
import { blobStrings, stringsAfter, structSize } from './libfdt.js';

/** The tree the kernel gets from the EFI stub: the same nodes, no /memreserve/ (update_fdt deletes them all). */
export function efiStubTree(tree: Tree): { tree: Tree; edits: string[] } {
  const edits = ['RAM from the UEFI memory map: the kernel ignores /memory (efi_init → reserve_regions)'];
  if (tree.memreserves.length)
    edits.push(
      `${tree.memreserves.length} /memreserve/ entr${tree.memreserves.length === 1 ? 'y' : 'ies'} deleted by the EFI stub (update_fdt): UEFI's memory map says what is reserved`,
    );
  return { tree: { ...tree, memreserves: [] }, edits };
}

/**
 * What the firmware holds when it starts the kernel's EFI stub — the model needs it to say where
 * the stub's allocations land (UEFI's AllocatePages with AllocateMaxAddress takes the highest
 * free range that fits, at its top: EDK2 CoreFindFreePagesI).
 */
export interface UefiOptions {
  /** EfiConventionalMemory when the stub starts (the UEFI shell's `memmap`), after the firmware loaded the Image. */
  free?: Bank[];
  /** Where the firmware's PE/COFF loader put the Image (efi_loaded_image_t::image_base, 64 KiB aligned on arm64). */
  imageAt?: bigint;
  /** arm64: _end - _text of the Image (handle_kernel_image's kernel_memsize), for a relocation. */
  imageSize?: bigint;
  /** The firmware has EFI_RNG_PROTOCOL (then, without nokaslr, the stub randomizes the kernel's place). */
  rng?: boolean;
  /**
   * The firmware is EDK2's ArmVirtQemu (QEMU virt's UEFI, the default), which disables the DT
   * nodes of what its runtime services own before it installs the DTB; `false` for other firmware.
   */
  armVirtQemu?: boolean;
  /** ArmVirtQemu: the size of the kernel file QEMU exposes through fw_cfg (-kernel), for its free memory. */
  kernelFileSize?: bigint;
  /**
   * arm: the zImage's TEXT_OFFSET (arch/arm/Makefile textofs-y: 0x8000; 0x208000 with ARCH_MESON,
   * ARCH_QCOM_RESERVE_SMEM or SA1111, as Debian's armmp has), which sets the decompressor's room
   * (handle_kernel_image). Default 0x8000.
   */
  textOffset?: bigint;
  /** The UEFI memory map and tables the kernel gets (default: ArmVirtQemu's on arm64, src/platform/efi-memmap.ts). */
  efi?: EfiBoot;
}

/**
 * The zImage's TEXT_OFFSET from the kernel's .config, as arch/arm/Makefile sets textofs-y (each
 * later line wins): 0x8000, 0x108000 with ARCH_REALTEK, 0x208000 with SA1111,
 * ARCH_QCOM_RESERVE_SMEM or ARCH_MESON, 0x308000 with ARCH_AXXIA.
 */
export function armTextOffset(config: string): bigint {
  const y = (name: string) => new RegExp(`^CONFIG_${name}=y$`, 'm').test(config);
  if (y('ARCH_AXXIA')) return 0x308000n;
  if (y('ARCH_MESON') || y('ARCH_QCOM_RESERVE_SMEM') || y('SA1111')) return 0x208000n;
  if (y('ARCH_REALTEK')) return 0x108000n;
  return 0x8000n;
}

/**
 * Where EDK2 ArmVirtQemu stands when it starts the stub of a kernel given with -kernel (fw_cfg):
 * the free memory and where LoadImage put the image. Its PEI memory and DXE area
 * (`ARMVIRTQEMU_FOOTPRINT`, src/platform/efi-memmap.ts) are held; each allocation takes the highest
 * free range that fits (AllocateAnyPages: EDK2 CoreFindFreePages searches top-down). On arm64
 * QemuKernelLoaderFsDxe keeps the fw_cfg kernel blob (pages of the file size), the boot manager
 * reads the file into a buffer of the same size, LoadImage allocates SizeOfImage +
 * SectionAlignment (64 KiB) and puts image_base at the next 64 KiB, and the buffer is freed before
 * the stub runs: from 512 MiB up all three lie below the DXE area; with 256 MiB the buffer and the
 * Image only fit below the PEI memory, and with 128 MiB the Image does not fit at all (EDK2 stops
 * in its shell, as the lab's boots show). On arm the zImage's PE image is its file (SizeOfImage:
 * arch/arm/boot/compressed/efi-header.S, __pecoff_end - start) plus SectionAlignment (4 KiB),
 * loaded right below the DXE area (the blob and the buffer are part of the measured area there).
 */
export function armVirtQemuStubEntry(
  arch: 'arm64' | 'arm',
  memory: Bank[],
  kernelFileSize: bigint,
  imageSize: bigint,
): { free: Bank[]; imageAt: bigint } | Diagnostic {
  const fw = ARMVIRTQEMU_FOOTPRINT[arch];
  const pages = new EfiPages(memory);
  for (const held of fw.pei) pages.take(held.base, held.size);
  const dxeEnd = armVirtQemuDxeEnd(arch, memory);
  pages.take(dxeEnd - fw.dxe, fw.dxe);
  const file = roundUp(kernelFileSize, EFI_PAGE);
  const any = (1n << 48n) - 1n;
  const noRoom = () =>
    diag(
      'error',
      'uefi-firmware-room',
      `EDK2 ArmVirtQemu: no room to load a ${hex(kernelFileSize)}-byte kernel file (it stops in its shell)`,
    );
  if (arch === 'arm') {
    const image = pages.allocMax(roundUp(imageSize, EFI_PAGE) + EFI_PAGE, any);
    return image === undefined ? noRoom() : { free: pages.free, imageAt: image };
  }
  const blob = pages.allocMax(file, any);
  const buffer = blob === undefined ? undefined : pages.allocMax(file, any);
  const imageLow = buffer === undefined ? undefined : pages.allocMax(roundUp(imageSize, SZ_64K) + SZ_64K, any);
  if (buffer === undefined || imageLow === undefined) return noRoom();
  pages.freePages(buffer, file);
  return { free: pages.free, imageAt: roundUp(imageLow, SZ_64K) };
}

/**
 * EDK2 ArmVirtQemu's changes to QEMU's DTB before it installs it as a configuration table:
 * `status = "disabled"` on the PL031 RTC (ArmVirtPkg/Library/ArmVirtPL031FdtClientLib: the RTC
 * belongs to UEFI runtime services) and on the cfi-flash nodes (ArmVirtPkg/Library/NorFlashQemuLib:
 * the flash holds the variable store).
 */
export function armVirtQemuTree(tree: Tree): { tree: Tree; edits: string[] } {
  const root = cloneNode(tree.root);
  const edits: string[] = [];
  walkNodes(root, (n) => {
    const names = strings(n, 'compatible');
    if ((names.includes('arm,pl031') || names.includes('cfi-flash')) && cString(n, 'status') !== 'disabled') {
      setProp(n, 'status', stringsValue('disabled'));
      edits.push(
        `${nodePath(n)}: status = "disabled" by EDK2 ArmVirtQemu (${names.includes('arm,pl031') ? 'its runtime RTC' : 'its variable store'})`,
      );
    }
  });
  return { tree: { ...tree, root }, edits };
}

export interface EfiStubInput {
  arch: 'arm64' | 'arm';
  tree: Tree;
  /** The blob the firmware installed as its DTB configuration table. */
  blob: Uint8Array;
  /** The command line the stub writes into /chosen/bootargs (the load options). */
  cmdline?: string;
  initrdSize: bigint;
  options?: UefiOptions;
}

export interface EfiStubResult {
  tree: Tree;
  kernelLoad?: bigint;
  initrd?: Bank;
  /** The stub's copy of the DTB: fdt_totalsize after fdt_pack, at `base` when the free memory is known. */
  dtbSize: bigint;
  dtb?: Bank;
  /** arm: where the decompressed kernel's RAM starts (PHYS_OFFSET), the stub's kernel_base. */
  physOffset?: bigint;
  /** The EFI_ACPI_RECLAIM_MEMORY pool block the final memory map lies in. */
  mapPool?: Bank;
  /** The page of EFI_LOADER_DATA pool the stub's configuration tables (initrd, MEMRESERVE) came from. */
  configPool?: bigint;
  edits: string[];
  diagnostics: Diagnostic[];
}

const SZ_64K = 0x10000n;
const SZ_2M = 0x200000n;
const EFI_PAGE = 0x1000n;
const roundUp = (x: bigint, a: bigint) => ((x + a - 1n) / a) * a;
const roundDown = (x: bigint, a: bigint) => x - (x % a);
const hex = (x: bigint) => `0x${x.toString(16)}`;

/** UEFI page allocation over the free ranges: AllocateMaxAddress (highest fit), AllocateAddress, FreePages. */
class EfiPages {
  free: Bank[];
  constructor(free: Bank[]) {
    this.free = free.map((b) => ({ ...b })).sort((a, b) => (a.base < b.base ? -1 : 1));
  }
  /** What is no longer free (allocated by someone else). */
  take(base: bigint, size: bigint): void {
    const out: Bank[] = [];
    for (const f of this.free) {
      const end = f.base + f.size;
      if (end <= base || f.base >= base + size) out.push(f);
      else {
        if (f.base < base) out.push({ base: f.base, size: base - f.base });
        if (end > base + size) out.push({ base: base + size, size: end - base - size });
      }
    }
    this.free = out;
  }
  /** AllocatePages(AllocateMaxAddress): the highest page-aligned [addr, addr + size) at or below `max`. */
  allocMax(size: bigint, max: bigint): bigint | undefined {
    let best: bigint | undefined;
    for (const f of this.free) {
      const end = roundDown(f.base + f.size < max + 1n ? f.base + f.size : max + 1n, EFI_PAGE);
      if (end - f.base >= size && (best === undefined || end - size > best)) best = end - size;
    }
    if (best !== undefined) this.take(best, size);
    return best;
  }
  /** efi_low_alloc_above: the first free descriptor (ascending) holding `size` from its start rounded up to `align`. */
  allocLow(size: bigint, align: bigint): bigint | undefined {
    for (const f of this.free) {
      const start = roundUp(f.base, align);
      if (start + size <= f.base + f.size) {
        this.take(start, size);
        return start;
      }
    }
    return undefined;
  }
  freePages(base: bigint, size: bigint): void {
    if (size <= 0n) return;
    this.free.push({ base, size });
    this.free.sort((a, b) => (a.base < b.base ? -1 : 1));
    const merged: Bank[] = [];
    for (const f of this.free) {
      const last = merged[merged.length - 1];
      if (last && last.base + last.size === f.base) last.size += f.size;
      else merged.push({ ...f });
    }
    this.free = merged;
  }
}

/**
 * drivers/firmware/efi/libstub/mem.c efi_allocate_pages_aligned: size rounded up to
 * EFI_ALLOC_ALIGN, align - 1 pages of slack allocated below `max`, the aligned block kept, the
 * slack on both sides freed again.
 */
function allocAligned(pages: EfiPages, size: bigint, max: bigint, align: bigint, allocAlign: bigint): bigint | undefined {
  const a = align < allocAlign ? allocAlign : align;
  const sz = roundUp(size, allocAlign);
  let slack = a / EFI_PAGE - 1n;
  const allocAddr = pages.allocMax(sz + slack * EFI_PAGE, roundDown(max + 1n, a) - 1n);
  if (allocAddr === undefined) return undefined;
  const addr = roundUp(allocAddr, a);
  if (slack > 0n) {
    const l = (allocAddr % a) / EFI_PAGE;
    if (l) {
      pages.freePages(allocAddr, (slack - l + 1n) * EFI_PAGE);
      slack = l - 1n;
    }
    if (slack) pages.freePages(addr + sz, slack * EFI_PAGE);
  }
  return addr;
}

/**
 * The kernel's EFI stub (Linux 6.1/6.12 drivers/firmware/efi/libstub): where it puts the kernel,
 * the initrd and its copy of the DTB, and the tree it hands over.
 *  - arm64 handle_kernel_image → efi_kaslr_relocate_kernel: with KASLR (no `nokaslr`, firmware
 *    RNG) a random place; otherwise the Image runs where the firmware loaded it when that is
 *    aligned to efi_get_kimg_min_align() (2 MiB with `nokaslr`, else 64 KiB), else it is copied to
 *    efi_allocate_pages_aligned(_end - _text, ULONG_MAX, that alignment): the top of the highest
 *    free range. arm: the decompressor's room is the lowest free 32 MiB + 2 MiB
 *    (efi_low_alloc_above), the kernel at its 2 MiB base + TEXT_OFFSET.
 *  - efi_load_initrd (LINUX_EFI_INITRD_MEDIA_GUID, or initrd=): efi_allocate_pages(size, limit)
 *    — arm64 64 KiB aligned (EFI_ALLOC_ALIGN), arm below round_down(image, 4 MiB) + 512 MiB —
 *    then one page of EFI_LOADER_DATA pool for its configuration table.
 *  - allocate_new_fdt_and_exit_boot: efi_allocate_pages(MAX_FDT_SIZE = 2 MiB), update_fdt
 *    (fdt_open_into, every /memreserve/ deleted, /chosen bootargs and linux,uefi-* properties,
 *    kaslr-seed with KASLR, linux,uefi-secure-boot), fdt_pack: the kernel reserves the packed size.
 */
export function efiStubBoot(input: EfiStubInput): EfiStubResult {
  const { arch, options: o = {} } = input;
  const edits: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const fw = o.armVirtQemu === false ? { tree: input.tree, edits: [] } : armVirtQemuTree(input.tree);
  edits.push(...fw.edits);
  const stub = efiStubTree(fw.tree);
  edits.push(...stub.edits);
  const tree: Tree = { ...stub.tree, root: cloneNode(stub.tree.root) };
  const nokaslr = /(^|\s)nokaslr(\s|$)/.test(input.cmdline ?? '');
  const kaslr = arch === 'arm64' && !nokaslr && o.rng === true;
  // update_fdt
  let chosen = getChild(tree.root, 'chosen');
  if (!chosen) {
    chosen = addChild(tree.root, newNode('chosen', noSpan));
    edits.push('/chosen created by the EFI stub');
  }
  if (input.cmdline) setProp(chosen, 'bootargs', stringsValue(input.cmdline));
  const u64 = new Uint8Array(8);
  const u32 = new Uint8Array(4);
  setProp(chosen, 'linux,uefi-system-table', u64);
  setProp(chosen, 'linux,uefi-mmap-start', u64);
  setProp(chosen, 'linux,uefi-mmap-size', u32);
  setProp(chosen, 'linux,uefi-mmap-desc-size', u32);
  setProp(chosen, 'linux,uefi-mmap-desc-ver', u32);
  if (kaslr) setProp(chosen, 'kaslr-seed', u64);
  setProp(chosen, 'linux,uefi-secure-boot', u32);
  const { strings } = blobStrings(input.blob);
  // fdt_pack: header (40 bytes, 8-aligned), the reserve map's terminating entry, structure, strings.
  // The structure block keeps the FDT_NOP words of the blob it came from.
  const handedStruct = BigInt(readU32(input.blob, HDR.size_dt_struct));
  const dtbSize =
    40n + 16n + handedStruct + structSize(tree) - structSize(input.tree) + BigInt(stringsAfter(strings, input.tree, tree).length);
  edits.push(
    `/chosen: ${input.cmdline ? 'bootargs, ' : ''}linux,uefi-system-table, -mmap-start, -mmap-size, -mmap-desc-size, -mmap-desc-ver${kaslr ? ', kaslr-seed' : ''}, linux,uefi-secure-boot (update_fdt); the stub's packed copy is ${hex(dtbSize)} bytes`,
  );
  const result: EfiStubResult = { tree, dtbSize, edits, diagnostics };
  if (kaslr) {
    diagnostics.push(
      diag(
        'note',
        'uefi-kaslr',
        'the EFI stub places the kernel at a random address (firmware RNG, no nokaslr): the plan keeps the given placement',
      ),
    );
  }
  if (!o.free) {
    edits.push("where the stub put the kernel, the initrd and the DTB needs the firmware's free memory (UefiOptions.free)");
    return result;
  }
  const pages = new EfiPages(o.free);
  const allocAlign = arch === 'arm64' ? SZ_64K : EFI_PAGE;
  // One page of EFI_LOADER_DATA pool, taken first (efi_pe_entry → efi_handle_cmdline →
  // efi_convert_cmdline, before handle_kernel_image): the command line's copy, later the initrd's
  // and efi_install_memreserve_table's configuration tables.
  const pool = pages.allocMax(EFI_PAGE, (1n << 48n) - 1n);
  if (pool !== undefined) result.configPool = pool;
  let imageAddr = o.imageAt;
  if (arch === 'arm64' && !kaslr && o.imageAt !== undefined) {
    const align = nokaslr ? SZ_2M : SZ_64K;
    if (o.imageAt % align === 0n) edits.push(`kernel Image runs where the firmware loaded it, ${hex(o.imageAt)}`);
    else if (o.imageSize !== undefined) {
      const at = allocAligned(pages, o.imageSize, (1n << 48n) - 1n, align, allocAlign);
      if (at === undefined) diagnostics.push(diag('error', 'uefi-relocate', 'EFI stub: "Failed to relocate kernel"'));
      else {
        imageAddr = at;
        edits.push(
          `kernel Image copied from ${hex(o.imageAt)} to ${hex(at)} (${nokaslr ? '2 MiB' : '64 KiB'} aligned, efi_kaslr_relocate_kernel)`,
        );
      }
    }
    if (imageAddr !== undefined) result.kernelLoad = imageAddr;
  }
  if (arch === 'arm') {
    // arm32-stub.c handle_kernel_image: MAX_UNCOMP_KERNEL_SIZE (32 MiB) + EFI_PHYS_ALIGN as low as
    // possible; the kernel's base rounded to EFI_PHYS_ALIGN (max(2 MiB, TEXT_OFFSET to a power of
    // two): arch/arm/include/asm/efi.h), the first TEXT_OFFSET - 5 pages of it may be the firmware's;
    // the decompressor writes the kernel at base + TEXT_OFFSET, so PHYS_OFFSET is that base
    // (arch/arm/kernel/head.S: __pa(_text) - TEXT_OFFSET).
    const textOffset = o.textOffset ?? 0x8000n;
    let align = 1n;
    while (align < textOffset) align <<= 1n;
    if (align < SZ_2M) align = SZ_2M;
    const size = 0x2000000n + align;
    const room = pages.allocLow(size, EFI_PAGE);
    if (room === undefined)
      diagnostics.push(diag('error', 'uefi-relocate', 'EFI stub: "Unable to allocate memory for uncompressed kernel."'));
    else {
      const slack = textOffset - 5n * EFI_PAGE;
      const base = room % align > slack ? roundUp(room, align) : roundDown(room, align);
      const reserve = base + slack;
      if (reserve > room) pages.freePages(room, reserve - room);
      pages.freePages(reserve + 0x2000000n, room + size - reserve - 0x2000000n);
      imageAddr = base + textOffset;
      result.physOffset = base;
      edits.push(
        `the decompressor writes the kernel at ${hex(imageAddr)} (PHYS_OFFSET ${hex(base)}): the lowest free ${hex(size)} bytes (handle_kernel_image, efi_low_alloc_above)`,
      );
    }
  }
  if (input.initrdSize > 0n) {
    const limit =
      arch === 'arm64' ? (1n << 48n) - 1n : imageAddr !== undefined ? roundDown(imageAddr, 4n << 20n) + (512n << 20n) : (1n << 32n) - 1n;
    const at = allocAligned(pages, input.initrdSize, limit, allocAlign, allocAlign);
    if (at === undefined) diagnostics.push(diag('error', 'uefi-initrd', 'EFI stub: no room for the initrd'));
    else {
      result.initrd = { base: at, size: input.initrdSize };
      edits.push(`initrd loaded at ${hex(at)} (LINUX_EFI_INITRD_MEDIA_GUID, efi_allocate_pages)`);
    }
  }
  const fdtAt = allocAligned(pages, SZ_2M, arch === 'arm64' ? (1n << 48n) - 1n : (1n << 32n) - 1n, allocAlign, allocAlign);
  if (fdtAt === undefined) diagnostics.push(diag('error', 'uefi-fdt', 'EFI stub: "Unable to allocate memory for new device tree."'));
  else {
    result.dtb = { base: fdtAt, size: dtbSize };
    edits.push(`DTB copied to ${hex(fdtAt)} (MAX_FDT_SIZE 2 MiB allocated, ${hex(dtbSize)} used)`);
  }
  // allocate_new_fdt_and_exit_boot → efi_get_memory_map(install_cfg_tbl): the final map goes in an
  // EFI_ACPI_RECLAIM_MEMORY pool, a fresh block of the firmware's allocation granule (64 KiB on
  // arm64, a page on arm) at the top of what is free then.
  const mapPool = pages.allocMax(allocAlign, (1n << 48n) - 1n);
  if (mapPool !== undefined) result.mapPool = { base: mapPool, size: allocAlign };
  return result;
}
