// U-Boot's booti (arm64) and bootz (arm): where the kernel, the initrd and the DTB end up and what
// U-Boot writes into the tree before it jumps to Linux. From U-Boot 2023.01 (Debian's
// u-boot-qemu, which boots QEMU's virt board in the lab):
//  - cmd/booti.c booti_start + arch/arm/lib/image.c booti_setup: the Image runs at
//    ALIGN(kernel_addr_r - text_offset, 2 MiB) + text_offset (flags bit 3: anywhere in RAM);
//    cmd/bootz.c: a zImage runs where it was loaded, and its decompressor
//    (arch/arm/boot/compressed/head.S, fdt_check_mem_start.c) puts the kernel at
//    (pc & 0xf8000000) + TEXT_OFFSET, or at the lowest RAM rounded up to 2 MiB when that is not RAM;
//  - boot/bootm.c boot_start_lmb: U-Boot's allocator (lib/lmb.c) knows one region,
//    [bootm_low, bootm_low + bootm_size), with its own top of RAM reserved: arch_lmb_reserve
//    (stack - 16 KiB up to ram_top) and efi_lmb_reserve (the EFI map's U-Boot region from
//    start_addr_sp - CONFIG_STACK_SIZE, and the EFI pages it allocated below that);
//  - boot/image-board.c boot_ramdisk_high: initrd_high all ones (as a C `ulong`: 64 bits on
//    arm64) keeps the initrd at ramdisk_addr_r, any other value copies it top-down below that
//    address (lmb_alloc_base, 4 KiB aligned), unset below bootm_mapsize + bootm_low;
//  - boot/image-fdt.c image_setup_linux: the DTB's /memreserve/ and /reserved-memory `reg`
//    regions become lmb reservations, then boot_relocate_fdt: of_len = fdt_totalsize +
//    CONFIG_SYS_FDT_PAD (0x3000); fdt_high all ones keeps it in place, another value copies it
//    top-down below that address, unset below the bank's bootm_mapsize;
//  - image_setup_libfdt: fdt_chosen (`bootargs` from the environment, `u-boot,version`),
//    arch_fixup_fdt → fdt_fixup_memory_banks (the first `memory` node's `reg` := U-Boot's DRAM
//    banks) and, when the build has them, spin_table_update_dt and psci_update_dt, then
//    optee_copy_fdt_nodes (archAndOpteeFixups), fdt_shrink_to_minimum (fdt_totalsize := the used size + 5 reserve entries, to the
//    next 4 KiB boundary of the blob's address) + FDT_RAMDISK_OVERHEAD (0x80) with an initrd, then
//    fdt_initrd: a /memreserve/ entry for the initrd and /chosen linux,initrd-start/-end.
// The kernel reserves that fdt_totalsize for the DTB and the initrd twice (/memreserve/ and its
// own initrd reservation).
import { Buffer } from 'node:buffer';
import { diag, noSpan, type Diagnostic } from '../diagnostics.js';
import { HDR } from '../fdt/constants.js';
import { parseSize } from '../kernel/cmdline.js';
import { cString, findNode, readCells, readU32, rootCells, u32 } from '../tree/query.js';
import { getChild, getProp, newNode, type Node, type Tree } from '../tree/types.js';
import { addChild, cellsValue, cloneNode, setProp, u32Value } from '../tree/edit.js';
import type { Bank } from './layout.js';
import { blobStrings, stringsAfter, structSize } from './libfdt.js';

const MiB = 1n << 20n;
const PAGE = 0x1000n;
const hex = (x: bigint) => `0x${x.toString(16)}`;
const alignDown = (x: bigint, a: bigint) => x - (x % a);
const alignUp = (x: bigint, a: bigint) => alignDown(x + a - 1n, a);

/** The environment variables the model reads (U-Boot's names); values as U-Boot parses them (hex). */
export const UBOOT_ENV_NAMES = [
  'kernel_addr_r',
  'ramdisk_addr_r',
  'fdt_addr_r',
  'fdt_high',
  'initrd_high',
  'bootm_low',
  'bootm_size',
  'bootm_mapsize',
  'bootargs',
] as const;
export type UBootEnvName = (typeof UBOOT_ENV_NAMES)[number];
export type UBootEnv = Partial<Record<UBootEnvName, string>>;

/**
 * Where a U-Boot build keeps itself at the top of RAM (board_f.c's reserve_* chain), as
 * `bdinfo` shows it: the control DTB copy ends `aboveFdt` bytes below ram_top (TLB, U-Boot's
 * code and BSS, malloc + environment, bd_info, global_data), the stack starts `spBelowFdt` below
 * the copy, and `efiPages` EFI pages were allocated below start_addr_sp - CONFIG_STACK_SIZE
 * before the boot command ran.
 */
export interface UBootBuild {
  version: string;
  aboveFdt: bigint;
  spBelowFdt: bigint;
  stackSize: bigint;
  efiPages: bigint;
}

/**
 * Debian's u-boot-qemu 2023.01+dfsg-2+deb12u3 (qemu_arm64, qemu_arm): include/configs/qemu-arm.h's
 * environment, CONFIG_STACK_SIZE 16 MiB, and the footprint its `bdinfo` reports (relocaddr,
 * new_fdt, sp start, lmb reserved[0]) on QEMU virt — the same at every RAM size and DTB size.
 */
export const QEMU_UBOOT: Record<
  'arm64' | 'arm',
  { env: Required<Pick<UBootEnv, 'kernel_addr_r' | 'ramdisk_addr_r' | 'fdt_high' | 'initrd_high'>>; build: UBootBuild }
> = {
  arm64: {
    env: { kernel_addr_r: '0x40400000', ramdisk_addr_r: '0x44000000', fdt_high: '0xffffffff', initrd_high: '0xffffffff' },
    build: { version: '2023.01+dfsg-2+deb12u3', aboveFdt: 0x1149250n, spBelowFdt: 16n, stackSize: 16n * MiB, efiPages: 4n },
  },
  arm: {
    env: { kernel_addr_r: '0x40400000', ramdisk_addr_r: '0x44000000', fdt_high: '0xffffffff', initrd_high: '0xffffffff' },
    build: { version: '2023.01+dfsg-2+deb12u3', aboveFdt: 0x1108150n, spBelowFdt: 32n, stackSize: 16n * MiB, efiPages: 4n },
  },
};

export interface UBootOptions {
  /** Environment overrides (kernel_addr_r, ramdisk_addr_r, fdt_addr_r, fdt_high, initrd_high, bootm_*, bootargs). */
  env?: UBootEnv;
  /**
   * The lowest address U-Boot keeps for itself when the boot command runs (bdinfo's first lmb
   * `reserved` region); default: from the build's footprint below the top of the first bank.
   */
  reservedBase?: bigint;
  /**
   * What booti/bootz reserve for the kernel at its entry: the arm64 Image header's image_size
   * (_end - _text), a zImage's end - start (its file size); `kernelImageSize` reads it from the
   * file. Without it the kernel is not reserved in U-Boot's lmb and a /reserved-memory region
   * overlapping it is taken as reserved.
   */
  imageSize?: bigint;
  /**
   * CONFIG_LMB_MAX_REGIONS of the build (default 8, Debian's qemu builds): boards with many
   * /reserved-memory regions set it higher (e.g. configs/dragonboard845c_defconfig); with too few,
   * the DTB copy finds no free region and U-Boot panics.
   */
  lmbMaxRegions?: number;
  /**
   * CONFIG_ARMV8_SPIN_TABLE (arm64): where spin_table_reserve_begin..end lie in the relocated
   * U-Boot (what it prints as "Reserved memory region for spin-table"); the release address is the
   * last 8 bytes (arch/arm/cpu/armv8/spin_table_v8.S).
   */
  spinTable?: Bank;
  /** U-Boot as the PSCI provider (CONFIG_ARMV7_NONSEC + ARMV7_PSCI, or CONFIG_ARMV8_PSCI). */
  psci?: UBootPsci;
  /** The OP-TEE nodes of U-Boot's own (control) DT, copied by optee_copy_fdt_nodes. */
  optee?: UBootOptee;
}

export interface UBootPsci {
  /** CONFIG_ARMV7_PSCI_0_1 / _0_2 / _1_0 (ARMV8_PSCI: 1.0). */
  version: '0.1' | '0.2' | '1.0';
  /** __secure_start..__secure_end when the secure code stays in RAM (no CONFIG_ARMV7/ARMV8_SECURE_BASE): a /memreserve/. */
  secure?: Bank;
}

export interface UBootOptee {
  /** /firmware/optee's `compatible` and `method` in U-Boot's control DT. */
  compatible: string;
  method: string;
  /** Its /reserved-memory children (name with unit address, reg); those named optee* are copied, no-map. */
  reserved: { name: string; base: bigint; size: bigint }[];
}

export interface UBootInput {
  arch: 'arm64' | 'arm';
  /** The tree U-Boot boots with and its blob (what is at fdt_addr_r, or U-Boot's control DTB). */
  tree: Tree;
  blob: Uint8Array;
  /** U-Boot's DRAM banks (gd->bd->bi_dram). */
  memory: Bank[];
  /** Size of the initrd loaded at ramdisk_addr_r (0: none). */
  initrdSize: bigint;
  /**
   * QEMU virt handed the DTB over (-bios): the control DTB is the blob QEMU grew to this
   * fdt_totalsize, and the boot command (qemu-arm.h's bootcmd_qfw) passes $fdtcontroladdr.
   */
  qemuTotalsize?: bigint;
  options?: UBootOptions;
}

export interface UBootResult {
  /** The tree as Linux gets it (U-Boot's fixups applied). */
  tree: Tree;
  /** arm64: where the Image's _text runs (arm: the decompressor's rule, the kernel model's own). */
  kernelLoad?: bigint;
  initrd?: Bank;
  /** Where the DTB lies and the fdt_totalsize the kernel reads. */
  dtb: Bank;
  edits: string[];
  /** What U-Boot prints about the initrd, the DTB's reserved regions and the DTB, as it prints it. */
  printed: string[];
  diagnostics: Diagnostic[];
}

/** U-Boot's hextoul / simple_strtoull(…, 16): hex with or without 0x, up to the first non-digit. */
function envHex(v: string | undefined): bigint | undefined {
  if (v === undefined) return undefined;
  const m = /^\s*(?:0[xX])?([0-9a-fA-F]+)/.exec(v);
  return m ? BigInt(`0x${m[1]}`) : 0n;
}

/** lib/lmb.c's enum lmb_flags. */
const LMB_NONE = 0;
const LMB_NOMAP = 4;
/** CONFIG_LMB_MAX_REGIONS (lib/Kconfig default; qemu_arm64/qemu_arm keep it): regions per list. */
export const LMB_MAX_REGIONS = 8;

interface LmbRegion {
  base: bigint;
  size: bigint;
  flags: number;
}

/**
 * lib/lmb.c (U-Boot 2023.01): sorted region lists of at most LMB_MAX_REGIONS, as
 * lmb_add_region_flags keeps them. A new region is compared with the regions in address order:
 * the same region is a success (an error with other flags), the first adjacent one with the same
 * flags absorbs it (stop there — regions further up are never checked for overlap), an adjacent
 * one with other flags stops the scan and the region is inserted, and an overlapping one before
 * that fails it (-1, "reserving fdt memory region failed"). A full list fails too.
 */
class Lmb {
  readonly memory: LmbRegion[] = [];
  readonly reserved: LmbRegion[] = [];
  /** phys_addr_t's all ones: 64 bits on arm64, 32 on qemu_arm (no CONFIG_PHYS_64BIT). */
  readonly mask: bigint;
  constructor(
    physBits: number,
    readonly max: number,
  ) {
    this.mask = (1n << BigInt(physBits)) - 1n;
  }
  private wrap(x: bigint): bigint {
    return x & this.mask;
  }

  /** lmb_add_region_flags: >= 0 on success. */
  private addRegion(rgn: LmbRegion[], base0: bigint, size0: bigint, flags: number): number {
    const wrap = (x: bigint) => this.wrap(x);
    const base = wrap(base0);
    const size = wrap(size0);
    if (rgn.length === 0) {
      rgn.push({ base, size, flags });
      return 0;
    }
    let coalesced = 0;
    let i = 0;
    for (; i < rgn.length; i++) {
      const r = rgn[i]!;
      if (r.base === base && r.size === size) return flags === r.flags ? 0 : -1;
      // lmb_addrs_adjacent, then lmb_addrs_overlap (ends computed in phys_addr_t).
      if (r.base === wrap(base + size)) {
        if (flags !== r.flags) break;
        r.base = wrap(r.base - size);
        r.size += size;
        coalesced++;
        break;
      }
      if (base === wrap(r.base + r.size)) {
        if (flags !== r.flags) break;
        r.size += size;
        coalesced++;
        break;
      }
      if (base <= wrap(r.base + r.size - 1n) && r.base <= wrap(base + size - 1n)) return -1;
    }
    const next = rgn[i + 1];
    if (i < rgn.length - 1 && next && rgn[i]!.base + rgn[i]!.size === next.base && rgn[i]!.flags === next.flags) {
      rgn[i]!.size += next.size;
      rgn.splice(i + 1, 1);
      coalesced++;
    }
    if (coalesced) return coalesced;
    if (rgn.length >= this.max) return -1;
    const at = rgn.findIndex((r) => base < r.base);
    rgn.splice(at < 0 ? rgn.length : at, 0, { base, size, flags });
    return 0;
  }

  add(base: bigint, size: bigint): number {
    return this.addRegion(this.memory, base, size, LMB_NONE);
  }

  reserve(base: bigint, size: bigint, flags = LMB_NONE): number {
    return this.addRegion(this.reserved, base, size, flags);
  }

  /** lmb_overlaps_region: the first reserved region (in address order) overlapping [base, base + size). */
  private overlaps(base: bigint, size: bigint): LmbRegion | undefined {
    return this.reserved.find((r) => base <= this.wrap(r.base + r.size - 1n) && r.base <= this.wrap(base + size - 1n));
  }

  /** __lmb_alloc_base: top-down below maxAddr (undefined: LMB_ALLOC_ANYWHERE), `align` aligned; 0 when it fails. */
  allocBase(size: bigint, align: bigint, maxAddr?: bigint): bigint {
    const down = (x: bigint) => this.wrap(x) & ~(align - 1n);
    for (let i = this.memory.length - 1; i >= 0; i--) {
      const { base: lmbbase, size: lmbsize } = this.memory[i]!;
      if (lmbsize < size) continue;
      let base: bigint;
      if (maxAddr === undefined) base = down(lmbbase + lmbsize - size);
      else if (lmbbase < maxAddr) {
        base = this.wrap(lmbbase + lmbsize);
        if (base < lmbbase) base = this.mask;
        base = down((base < maxAddr ? base : maxAddr) - size);
      } else continue;
      while (base && lmbbase <= base) {
        const hit = this.overlaps(base, size);
        if (!hit) return this.reserve(base, size) < 0 ? 0n : base;
        if (hit.base < size) break;
        base = down(hit.base - size);
      }
    }
    return 0n;
  }
}

/** fdt_subnode_offset(fdt, 0, name): the first child called `name` or `name@…`. */
function subnode(root: Node, name: string): Node | undefined {
  return root.children.find((c) => c.name === name || c.name.startsWith(`${name}@`));
}

function cstr(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(`${s}\0`, 'latin1'));
}

/**
 * Boot `tree` through U-Boot's booti/bootz: placements, the tree Linux gets and the list of
 * U-Boot's changes. Follows the functions named at the top of this file.
 */
export function ubootBoot(input: UBootInput): UBootResult {
  const { arch } = input;
  const defaults = QEMU_UBOOT[arch];
  const env: UBootEnv = { ...defaults.env, ...input.options?.env };
  const build = defaults.build;
  const diagnostics: Diagnostic[] = [];
  const edits: string[] = [];
  const ulongMax = arch === 'arm64' ? (1n << 64n) - 1n : (1n << 32n) - 1n;
  const bank0 = input.memory[0];
  const tree: Tree = { ...input.tree, root: cloneNode(input.tree.root), memreserves: [...input.tree.memreserves] };
  const totalsize0 = input.qemuTotalsize ?? BigInt(readU32(input.blob, HDR.totalsize));
  if (!bank0) return { tree, dtb: { base: 0n, size: totalsize0 }, edits, printed: [], diagnostics };
  // gd->ram_top: the end of the first bank (fdtdec_setup_mem_size_base); a 32-bit U-Boot's wraps at 4 GiB.
  let ramTop = bank0.base + bank0.size;
  if (ramTop > ulongMax + 1n) {
    // board_get_usable_ram_top: a ram_top that wrapped in 32 bits "will wrap back to top of
    // 32-bit space when reservations are made" — U-Boot counts down from 4 GiB.
    edits.push(`U-Boot's 32-bit ram_top wraps (the bank ends at ${hex(ramTop)}): its own area counts down from 4 GiB`);
    ramTop = ulongMax + 1n;
  }

  // Where the DTB is when the boot command runs: fdt_addr_r, else $fdtcontroladdr — U-Boot's
  // copy of the DTB QEMU handed over (board_f.c reserve_fdt: ALIGN(fdt_totalsize, 32)).
  const fdtAddrR = envHex(env.fdt_addr_r);
  const controlFdt = ramTop - build.aboveFdt - alignUp(totalsize0, 32n);
  const fdtAt = fdtAddrR ?? controlFdt;
  const sp = controlFdt - build.spBelowFdt;
  const reservedBase = input.options?.reservedBase ?? alignDown(sp - build.stackSize, PAGE) - build.efiPages * PAGE;

  // boot_start_lmb → lmb_init_and_reserve_range: one memory region, [bootm_low, bootm_low + bootm_size),
  // then what U-Boot keeps for itself. bdinfo's lmb dump shows two regions that both end at ram_top:
  // arch_lmb_reserve_generic's (the stack pointer - 16 KiB up; the stack in use is a few hundred
  // bytes below `sp start`, inside the other region) and efi_lmb_reserve's (the EFI map's
  // non-conventional pages, from reservedBase up), the latter built from adjacent pieces that
  // lmb_add_region_flags coalesces without checking the first for overlap.
  const bootmLow = envHex(env.bootm_low) ?? bank0.base;
  const bootmSize = envHex(env.bootm_size) ?? ramTop - bootmLow;
  const bootmMapsize = envHex(env.bootm_mapsize) ?? bootmSize;
  const lmb = new Lmb(arch === 'arm64' ? 64 : 32, input.options?.lmbMaxRegions ?? LMB_MAX_REGIONS);
  lmb.add(bootmLow, bootmSize);
  const spRegion = sp - 0x4000n > reservedBase ? sp - 0x4000n : reservedBase;
  const own = [
    { base: reservedBase, size: ramTop - reservedBase, flags: LMB_NONE },
    { base: spRegion, size: ramTop - spRegion, flags: LMB_NONE },
  ];
  lmb.reserved.push(...own);
  const printed: string[] = [];
  const ptr = (x: bigint) => x.toString(16).padStart(arch === 'arm64' ? 16 : 8, '0');
  // lmb_alloc_base (lmb_alloc: below 0, anywhere) and the message it prints when nothing fits.
  const allocBase = (size: bigint, high: bigint): bigint => {
    const at = lmb.allocBase(size, PAGE, high || undefined);
    if (!at) printed.push(`ERROR: Failed to allocate 0x${size.toString(16)} bytes below 0x${high.toString(16)}.`);
    return at;
  };
  // U-Boot prints `msg` and does not start the kernel: booti/bootz return (do_bootm_states), or
  // boot_prep_linux panics when image_setup_linux fails ("FDT creation failed!", then a reset).
  const failed = (msg: string, code: string, panics = false): UBootResult => {
    printed.push(...(panics ? `${msg}FDT creation failed!` : msg).split('\n'));
    const then = panics ? 'U-Boot panics ("FDT creation failed!") and resets' : 'booti/bootz return without starting the kernel';
    diagnostics.push(diag('error', code, `U-Boot: "${msg.trim().split('\n')[0]}": ${then}`));
    return { tree, dtb: { base: fdtAt, size: totalsize0 }, edits, printed, diagnostics };
  };

  // The kernel: booti_start / bootz_start reserve it (lmb_reserve(ep, image size)).
  let kernelLoad: bigint | undefined;
  const kernelAddr = envHex(env.kernel_addr_r) ?? 0n;
  const kernelSize = input.options?.imageSize;
  if (arch === 'arm64') {
    // booti_setup: text_offset is 0 and flags bit 3 is set in every Image since Linux 3.17/4.6
    // (arch/arm64/kernel/head.S), so ALIGN(kernel_addr_r, 2 MiB).
    kernelLoad = alignUp(kernelAddr, 2n * MiB);
    if (kernelLoad !== kernelAddr)
      edits.push(`booti: Image moved from kernel_addr_r ${hex(kernelAddr)} to ${hex(kernelLoad)} (2 MiB aligned)`);
  } else {
    // The zImage runs at kernel_addr_r; its decompressor picks PHYS_OFFSET (fdt_check_mem_start).
    const masked = kernelAddr & 0xf800_0000n;
    const inRam = input.memory.some((b) => masked >= b.base && masked < b.base + b.size);
    const lowest = input.memory.reduce((a, b) => (b.base < a ? b.base : a), bank0.base);
    const physOffset = inRam ? masked : alignUp(lowest, 2n * MiB);
    if (physOffset !== lowest)
      diagnostics.push(
        diag(
          'warning',
          'u-boot-phys-offset',
          `bootz: the zImage at ${hex(kernelAddr)} makes the decompressor run the kernel at PHYS_OFFSET ${hex(physOffset)}, not at the first bank ${hex(lowest)}; the plan assumes RAM's base (load the zImage in the first 128 MiB of RAM)`,
        ),
      );
  }
  const ep = kernelLoad ?? kernelAddr;
  if (kernelSize !== undefined) lmb.reserve(ep, kernelSize & 0xffff_ffffn);

  // bootm_find_images: the initrd and the DTB as loaded must not overlap the kernel.
  const rdData = envHex(env.ramdisk_addr_r) ?? 0n;
  const fdtAddrR0 = envHex(env.fdt_addr_r);
  if (kernelSize !== undefined) {
    const end = ep + kernelSize;
    const os = `(OS=${hex(ep)}..${hex(end)})`;
    const rdEnd = rdData + input.initrdSize;
    if (
      input.initrdSize > 0n &&
      rdData &&
      ((rdData >= ep && rdData < end) || (rdEnd > ep && rdEnd <= end) || (rdData < ep && rdEnd >= end))
    )
      return failed(`ERROR: RD image overlaps OS image ${os}`, 'u-boot-rd-overlap');
    const ftEnd = fdtAt + totalsize0;
    if (fdtAddrR0 !== undefined && ((fdtAt >= ep && fdtAt < end) || (ftEnd >= ep && ftEnd < end)))
      return failed(`ERROR: FDT image overlaps OS image ${os}`, 'u-boot-fdt-overlap');
  }

  // The initrd (boot_ramdisk_high).
  let initrd: Bank | undefined;
  if (input.initrdSize > 0n) {
    const high = env.initrd_high !== undefined ? envHex(env.initrd_high)! : bootmMapsize + bootmLow;
    if (high === ulongMax) {
      initrd = { base: rdData, size: input.initrdSize };
      lmb.reserve(rdData, input.initrdSize);
    } else {
      const at = allocBase(input.initrdSize, high);
      if (!at) return failed('ramdisk - allocation error', 'u-boot-ramdisk');
      initrd = { base: at, size: input.initrdSize };
      printed.push(
        `   Loading Ramdisk to ${at.toString(16).padStart(8, '0')}, end ${(at + input.initrdSize).toString(16).padStart(8, '0')} ... OK`,
      );
      edits.push(`initrd copied from ramdisk_addr_r ${hex(rdData)} to ${hex(at)} (initrd_high ${env.initrd_high ?? 'unset'})`);
    }
  }

  // image_setup_linux → boot_fdt_add_mem_rsv_regions: the DTB's /memreserve/ entries, then the
  // `reg` of every enabled /reserved-memory child (LMB_NOMAP with no-map). What lmb refuses
  // (overlapping the kernel, the initrd, U-Boot or an earlier region; a full list) U-Boot only
  // reports, and it may then put the DTB there.
  const refused: { region: Bank; name: string }[] = [];
  const rsv = [
    ...input.tree.memreserves.map((m) => ({ base: m.address, size: m.size, flags: LMB_NONE, name: `/memreserve/ ${hex(m.address)}` })),
    // fdt_get_resource reads into fdt_addr_t: phys_addr_t, 32 bits on the 32-bit build.
    ...reservedRegs(input.tree).map((r) => ({
      ...r,
      base: r.base & ulongMax,
      size: r.size & ulongMax,
      flags: r.nomap ? LMB_NOMAP : LMB_NONE,
    })),
  ];
  for (const r of rsv) {
    if (lmb.reserve(r.base, r.size, r.flags) >= 0) continue;
    printed.push(
      `ERROR: reserving fdt memory region failed (addr=${r.base.toString(16)} size=${r.size.toString(16)} flags=${r.flags.toString(16)})`,
    );
    refused.push({ region: { base: r.base, size: r.size }, name: r.name });
  }
  // boot_relocate_fdt.
  const ofLen = totalsize0 + 0x3000n;
  let dtbBase = fdtAt;
  if (env.fdt_high !== undefined && envHex(env.fdt_high) === ulongMax) {
    lmb.reserve(fdtAt, ofLen);
    printed.push(`   Using Device Tree in place at ${ptr(fdtAt)}, end ${ptr(fdtAt + ofLen - 1n)}`);
  } else {
    let at = 0n;
    if (env.fdt_high !== undefined) {
      at = allocBase(ofLen, envHex(env.fdt_high)!);
      if (!at && envHex(env.fdt_high)) return failed('Failed using fdt_high value for Device Tree', 'u-boot-fdt', true);
    } else {
      // Each DRAM bank from bootm_low, at most bootm_mapsize of them in all.
      let mapsize = bootmMapsize;
      for (const bank of input.memory) {
        if (bank.base + bank.size < bootmLow) continue;
        const usable = bank.size < mapsize ? bank.size : mapsize;
        at = allocBase(ofLen, bank.base + usable);
        if (at) break;
        mapsize -= usable - (bank.base > bootmLow ? bank.base : bootmLow);
        if (!mapsize) break;
      }
    }
    if (!at) return failed('device tree - allocation error\n', 'u-boot-fdt', true);
    dtbBase = at;
    printed.push(`   Loading Device Tree to ${ptr(at)}, end ${ptr(at + ofLen - 1n)} ... OK`);
  }
  edits.push(
    dtbBase === fdtAt
      ? `DTB used in place at ${hex(fdtAt)} (fdt_high ${env.fdt_high})`
      : `DTB copied from ${fdtAddrR !== undefined ? 'fdt_addr_r' : '$fdtcontroladdr'} ${hex(fdtAt)} to ${hex(dtbBase)} (fdt_high ${env.fdt_high ?? 'unset'})`,
  );
  for (const { region, name } of refused) {
    edits.push(
      `U-Boot could not reserve ${name} (${hex(region.base)}+${hex(region.size)}) in its lmb: "ERROR: reserving fdt memory region failed"`,
    );
    const inside = (what: string, b: Bank | undefined) => {
      if (b && b.base < region.base + region.size && region.base < b.base + b.size)
        diagnostics.push(
          diag(
            'warning',
            'u-boot-in-reserved',
            `U-Boot put the ${what} at ${hex(b.base)}+${hex(b.size)}, inside ${name} (${hex(region.base)}+${hex(region.size)}): U-Boot's lmb had refused that region, so nothing kept the ${what} out of it; whatever owns the region can overwrite the ${what}`,
          ),
        );
    };
    inside('initrd', initrd);
    inside('DTB', { base: dtbBase, size: ofLen });
  }
  // image_setup_libfdt's edits; the blob grows by what they add to the structure and strings blocks.
  // fdt_find_or_add_subnode / fdt_add_subnode put a new node right after its parent's properties:
  // it becomes the first child.
  let chosen = getChild(tree.root, 'chosen');
  if (!chosen) {
    chosen = addChild(tree.root, newNode('chosen', noSpan), 0);
    edits.push('/chosen created');
  }
  if (env.bootargs !== undefined) {
    setProp(chosen, 'bootargs', cstr(env.bootargs));
    edits.push(`/chosen/bootargs = "${env.bootargs}" (U-Boot's bootargs)`);
  }
  setProp(chosen, 'u-boot,version', cstr(build.version));
  edits.push(`/chosen/u-boot,version = "${build.version}"`);
  // arch_fixup_fdt → fdt_fixup_memory_banks: the first `memory` node (created when missing).
  let memNode = subnode(tree.root, 'memory');
  if (!memNode) {
    memNode = addChild(tree.root, newNode('memory', noSpan), 0);
    edits.push('/memory created');
  }
  const { addressCells, sizeCells } = rootCells(tree);
  setProp(memNode, 'device_type', cstr('memory'));
  const banks = input.memory.filter((b) => b.size > 0n);
  const reg = banks.flatMap((b) => [cellsValue([b.base], addressCells === 2 ? 2 : 1), cellsValue([b.size], sizeCells === 2 ? 2 : 1)]);
  setProp(memNode, 'reg', new Uint8Array(Buffer.concat(reg)));
  edits.push(
    `${memNode.name}: reg := U-Boot's DRAM banks ${banks.map((b) => `${hex(b.base)}+${hex(b.size)}`).join(', ')} (fdt_fixup_memory_banks)`,
  );
  const fixed = archAndOpteeFixups(tree, arch, input.options ?? {});
  edits.push(...fixed.edits);
  printed.push(...fixed.printed);
  if (fixed.error) return failed(fixed.error, 'u-boot-fixup', true);
  // What image_setup_libfdt reserves after lmb was asked (boot_fdt_add_mem_rsv_regions ran on the
  // tree before it): nothing kept the initrd and the DTB out of it.
  for (const r of fixed.added)
    for (const [what, b] of [
      ['initrd', initrd],
      ['DTB', { base: dtbBase, size: ofLen }],
    ] as const)
      if (b && b.base < r.base + r.size && r.base < b.base + b.size)
        diagnostics.push(
          diag(
            'warning',
            'u-boot-in-reserved',
            `U-Boot put the ${what} at ${hex(b.base)}+${hex(b.size)}, inside ${r.name} (${hex(r.base)}+${hex(r.size)}), which it adds to the tree only afterwards (image_setup_libfdt): the kernel reserves both, whatever owns the region can overwrite the ${what}`,
          ),
        );
  const { used: used0, strings } = blobStrings(input.blob);
  // The structure and strings blocks grew by the edits, the reservation block by 16 bytes per /memreserve/ added.
  const used =
    used0 +
    structSize(tree) -
    structSize(input.tree) +
    BigInt(stringsAfter(strings, input.tree, tree).length - strings.length) +
    16n * BigInt(tree.memreserves.length - input.tree.memreserves.length);
  // fdt_shrink_to_minimum + FDT_RAMDISK_OVERHEAD.
  const off = dtbBase & 0xfffn;
  let totalsize = alignUp(used + 5n * 16n + off, PAGE) - off;
  if (initrd) totalsize += 0x80n;
  // fdt_initrd.
  if (initrd) {
    const i = tree.memreserves.findIndex((m) => m.address === initrd.base);
    if (i >= 0) tree.memreserves.splice(i, 1);
    tree.memreserves.push({ address: initrd.base, size: initrd.size, labels: [], span: noSpan });
    const cells = addressCells === 2 ? 2 : 1;
    setProp(chosen, 'linux,initrd-start', cellsValue([initrd.base], cells));
    setProp(chosen, 'linux,initrd-end', cellsValue([initrd.base + initrd.size], cells));
    edits.push(
      `/memreserve/ ${hex(initrd.base)} ${hex(initrd.size)} and /chosen/linux,initrd-start/-end added for the initrd (fdt_initrd)`,
    );
  }
  edits.push(`fdt_totalsize ${hex(totalsize)} (fdt_shrink_to_minimum)`);
  return {
    tree,
    ...(kernelLoad !== undefined ? { kernelLoad } : {}),
    ...(initrd ? { initrd } : {}),
    dtb: { base: dtbBase, size: totalsize },
    edits,
    printed,
    diagnostics,
  };
}

interface Fixups {
  edits: string[];
  printed: string[];
  /** Regions the kernel will reserve that U-Boot adds now: /memreserve/ entries and /reserved-memory nodes. */
  added: { name: string; base: bigint; size: bigint }[];
  /** What U-Boot prints when a fixup fails (image_setup_linux fails: boot_prep_linux panics). */
  error?: string;
}

const ARCH_FIXUP_FAILED = 'ERROR: arch-specific fdt fixup failed\n - must RESET the board to recover.\n\n';

/**
 * The rest of arch_fixup_fdt (arch/arm/lib/bootm-fdt.c): spin_table_update_dt
 * (arch/arm/cpu/armv8/spin_table.c), psci_update_dt (arch/arm/cpu/armv8/cpu-dt.c,
 * arch/arm/cpu/armv7/virt-dt.c → fdt_psci in arch/arm/lib/psci-dt.c); then image_setup_libfdt's
 * optee_copy_fdt_nodes (lib/optee/optee.c → fdtdec_add_reserved_memory in lib/fdtdec.c). Each only
 * when the U-Boot build has it (the options).
 */
function archAndOpteeFixups(tree: Tree, arch: 'arm64' | 'arm', o: UBootOptions): Fixups {
  const out: Fixups = { edits: [], printed: [], added: [] };
  const cpusOf = () => {
    const cpus = findNode(tree, '/cpus');
    return { cpus, list: cpus ? cpus.children.filter((c) => cString(c, 'device_type') === 'cpu') : [] };
  };
  const memreserve = (what: string, r: Bank) => {
    tree.memreserves.push({ address: r.base, size: r.size, labels: [], span: noSpan });
    out.added.push({ name: `the ${what} /memreserve/`, ...r });
    out.edits.push(`/memreserve/ ${hex(r.base)} ${hex(r.size)} added for the ${what}`);
  };
  if (o.spinTable && arch === 'arm64') {
    const { cpus, list } = cpusOf();
    if (!cpus) return { ...out, error: ARCH_FIXUP_FAILED }; // -ENODEV
    if (list.every((c) => cString(c, 'enable-method') === 'spin-table')) {
      const release = o.spinTable.base + o.spinTable.size - 8n;
      for (const c of list) setProp(c, 'cpu-release-addr', cellsValue([release], 2));
      out.edits.push(`cpu-release-addr = ${hex(release)} in ${list.length} cpu node(s) (spin_table_update_dt)`);
      memreserve('spin-table', o.spinTable);
      out.printed.push(
        `   Reserved memory region for spin-table: addr=${o.spinTable.base.toString(16)} size=${o.spinTable.size.toString(16)}`,
      );
    } else out.edits.push('spin-table: not every cpu node has enable-method = "spin-table", U-Boot leaves them (spin_table_update_dt)');
  }
  if (o.psci) {
    // armv7: the secure code's /memreserve/ first, then fdt_psci, whose failure fails the fixup;
    // armv8: fdt_psci (its result ignored), then the /memreserve/.
    if (arch === 'arm' && o.psci.secure) memreserve('PSCI secure code', o.psci.secure);
    const ok = fdtPsci(tree, o.psci.version, out);
    if (!ok && arch === 'arm') return { ...out, error: ARCH_FIXUP_FAILED };
    if (arch === 'arm64' && o.psci.secure) memreserve('PSCI secure code', o.psci.secure);
  }
  if (o.optee) {
    const error = opteeCopyFdtNodes(tree, o.optee, out);
    if (error)
      return { ...out, error: `ERROR: transfer of optee nodes to new fdt failed: ${error}\n - must RESET the board to recover.\n\n` };
  }
  return out;
}

/** fdt_psci: every cpu's enable-method, the /psci node (created as the root's first child). */
function fdtPsci(tree: Tree, version: UBootPsci['version'], out: Fixups): boolean {
  const cpus = findNode(tree, '/cpus');
  if (!cpus) {
    out.printed.push("couldn't find /cpus");
    return false;
  }
  let n = 0;
  for (const c of cpus.children) {
    const t = getProp(c, 'device_type');
    if (!t || t.value.length < 4 || cString(c, 'device_type') !== 'cpu') continue;
    setProp(c, 'enable-method', cstr('psci'));
    n++;
  }
  let psci = findNode(tree, '/psci');
  if (!psci) {
    psci = addChild(tree.root, newNode('psci', noSpan), 0);
    out.edits.push('/psci created');
  }
  const append = (s: string) => {
    const old = getProp(psci, 'compatible')?.value ?? new Uint8Array();
    setProp(psci, 'compatible', new Uint8Array(Buffer.concat([old, cstr(s)])));
  };
  if (version === '1.0') setProp(psci, 'compatible', cstr('arm,psci-1.0'));
  if (version !== '0.1') append('arm,psci-0.2');
  else {
    append('arm,psci');
    // ARM_PSCI_FN(n) = 0x95c1ba5e + n (arch/arm/include/asm/psci.h)
    for (const [name, k] of [
      ['cpu_suspend', 0],
      ['cpu_off', 1],
      ['cpu_on', 2],
      ['migrate', 3],
    ] as const)
      setProp(psci, name, u32Value(0x95c1ba5e + k));
  }
  setProp(psci, 'method', cstr('smc'));
  setProp(psci, 'status', cstr('okay'));
  out.edits.push(`enable-method = "psci" in ${n} cpu node(s), /psci: PSCI ${version}, method "smc" (fdt_psci)`);
  return true;
}

/**
 * optee_copy_fdt_nodes: unless the tree has /firmware/optee already, /firmware/optee with the
 * control DT's compatible and method, and each control-DT /reserved-memory child named optee*
 * as a no-map node NAME@ADDR (fdtdec_add_reserved_memory: /reserved-memory created with the root's
 * cells, a node with the same reg reused). Returns libfdt's error name when it fails.
 */
function opteeCopyFdtNodes(tree: Tree, optee: UBootOptee, out: Fixups): string | undefined {
  if (findNode(tree, '/firmware/optee')) {
    out.edits.push('OP-TEE: /firmware/optee is in the tree already, U-Boot copies nothing (optee_copy_fdt_nodes)');
    return undefined;
  }
  let fw = findNode(tree, '/firmware');
  if (!fw) fw = addChild(tree.root, newNode('firmware', noSpan), 0);
  const node = addChild(fw, newNode('optee', noSpan), 0);
  setProp(node, 'compatible', cstr(optee.compatible));
  setProp(node, 'method', cstr(optee.method));
  out.edits.push(
    `/firmware/optee added (compatible "${optee.compatible}", method "${optee.method}") from U-Boot's DT (optee_copy_fdt_nodes)`,
  );
  for (const r of optee.reserved) {
    if (!r.name.startsWith('optee')) continue;
    const basename = r.name.split('@')[0]!;
    let rm = findNode(tree, '/reserved-memory');
    if (!rm) {
      const { addressCells, sizeCells } = rootCells(tree);
      rm = addChild(tree.root, newNode('reserved-memory', noSpan), 0);
      setProp(rm, 'ranges', new Uint8Array());
      setProp(rm, '#size-cells', u32Value(sizeCells));
      setProp(rm, '#address-cells', u32Value(addressCells));
      out.edits.push('/reserved-memory created (fdtdec_init_reserved_memory)');
    }
    const na = u32(rm, '#address-cells') ?? 2;
    const ns = u32(rm, '#size-cells') ?? 1;
    if (na < 1 || na > 2 || ns < 1 || ns > 2) return 'FDT_ERR_BADNCELLS';
    const same = rm.children.some((c) => {
      const reg = getProp(c, 'reg');
      return (
        reg !== undefined &&
        reg.value.length >= (na + ns) * 4 &&
        readCells(reg.value, 0, na) === r.base &&
        readCells(reg.value, na * 4, ns) === r.size
      );
    });
    if (same) {
      out.edits.push(`OP-TEE: ${r.name}: /reserved-memory has a node with that reg, kept (fdtdec_add_reserved_memory)`);
      continue;
    }
    const upper = r.base >> 32n;
    if (upper > 0n && na === 1) return 'FDT_ERR_BADVALUE';
    const name = `${basename}@${upper > 0n ? `${upper.toString(16)},${(r.base & 0xffff_ffffn).toString(16)}` : r.base.toString(16)}`;
    const c = addChild(rm, newNode(name, noSpan), 0);
    setProp(c, 'no-map', new Uint8Array());
    setProp(c, 'reg', new Uint8Array(Buffer.concat([cellsValue([r.base], na), cellsValue([r.size], ns)])));
    out.added.push({ name: `/reserved-memory/${name}`, base: r.base, size: r.size });
    out.edits.push(`/reserved-memory/${name} added, no-map, ${hex(r.base)}+${hex(r.size)} (OP-TEE, optee_copy_fdt_nodes)`);
  }
  return undefined;
}

/**
 * boot_fdt_add_mem_rsv_regions: the first `reg` entry of every enabled /reserved-memory child,
 * decoded with /reserved-memory's own cells (fdt_get_resource), and whether it is no-map.
 */
function reservedRegs(tree: Tree): (Bank & { nomap: boolean; name: string })[] {
  const rm = getChild(tree.root, 'reserved-memory');
  if (!rm) return [];
  const cell = (n: Node, name: string, d: number) => {
    const p = getProp(n, name);
    return p && p.value.length === 4 ? readU32(p.value, 0) : d;
  };
  const ac = cell(rm, '#address-cells', 2);
  const sc = cell(rm, '#size-cells', 1);
  const out: (Bank & { nomap: boolean; name: string })[] = [];
  for (const n of rm.children) {
    const status = cString(n, 'status');
    if (status !== undefined && status !== 'okay' && status !== 'ok') continue;
    const reg = getProp(n, 'reg');
    if (!reg || reg.value.length < (ac + sc) * 4) continue;
    out.push({
      base: readCells(reg.value, 0, ac),
      size: readCells(reg.value, ac * 4, sc),
      nomap: getProp(n, 'no-map') !== undefined,
      name: `/reserved-memory/${n.name}`,
    });
  }
  return out;
}

/**
 * What booti/bootz reserve for a kernel file (UBootOptions.imageSize): an arm64 Image's header
 * image_size (arch/arm/lib/image.c booti_setup: 16 MiB when the field is 0), a zImage's
 * zi_end - zi_start (arch/arm/lib/zimage.c bootz_setup); undefined when the magic is not there.
 */
export function kernelImageSize(arch: 'arm64' | 'arm', file: Uint8Array): bigint | undefined {
  const b = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (arch === 'arm64') {
    if (b.length < 64 || b.readUInt32LE(56) !== 0x644d5241) return undefined;
    const size = b.readBigUInt64LE(16);
    return size === 0n ? 16n * MiB : size;
  }
  if (b.length < 48 || b.readUInt32LE(36) !== 0x016f2818) return undefined;
  return BigInt((b.readUInt32LE(44) - b.readUInt32LE(40)) >>> 0);
}

/** `NAME=VALUE` of --uboot-env (a U-Boot variable the model reads). */
export function parseUbootEnv(spec: string): { name: UBootEnvName; value: string } | Diagnostic {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(spec);
  const name = m?.[1];
  const known = (n: string | undefined): n is UBootEnvName => UBOOT_ENV_NAMES.some((k) => k === n);
  if (!m || !known(name))
    return diag('error', 'bad-uboot-env', `--uboot-env expects NAME=VALUE with NAME one of ${UBOOT_ENV_NAMES.join(', ')}, got '${spec}'`);
  if (name !== 'bootargs' && parseSize(`0x${m[2]!.replace(/^0[xX]/, '')}`) === undefined)
    return diag('error', 'bad-uboot-env', `--uboot-env ${name}: '${m[2]}' is not a hex number (U-Boot reads these as hex)`);
  return { name, value: m[2]! };
}
