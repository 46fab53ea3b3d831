// loadBoard(): the one way a board is loaded — by the CLI (`plan`, `verify`), verifyBoard, the
// bench and library users. A DTS (preprocessed, parsed, checked as the kernel build does), a DTB
// (read as libfdt reads it) or a tree already in hand becomes a Board: the tree the kernel
// unflattens, the blob it is given (its size is what the kernel reserves for itself; a few
// malformed properties make the kernel read past a value in it), the RAM banks and where the
// platform put the kernel, the initrd and the DTB (src/platform/).
import { diag, hasErrors, type Diagnostic } from './diagnostics.js';
import { guessInputFormat, loadDts, type CompileOptions } from './compile.js';
import { readDtb } from './fdt/reader.js';
import { readInputFile, whyUnreadable } from './input.js';
import { writeDtb } from './fdt/writer.js';
import type { Tree } from './tree/types.js';
import { memorySize, platformLayout, type Bank, type BootMethod, type ExtraReservation, type PlatformLayout } from './platform/index.js';
import { mergeBoard, qemuHandoff, qemuKernelBlob, VIRT_DEFAULT_RAM, virtTree, type VirtArch } from './platform/qemu-virt.js';
import { applyPlacements, boardMemory, extraReservations, memoryBanks } from './platform/layout.js';
import { ubootBoot, type UBootOptions } from './platform/u-boot.js';
import { armVirtQemuStubEntry, efiStubBoot, type UefiOptions } from './platform/uefi.js';
import { armVirtQemuEfiBoot, conventionalEfiBoot } from './platform/efi-memmap.js';
import { isBoardFile, loadBoardFile } from './platform/board-file.js';
import { VIRT_RAM_BASE } from './platform/qemu-virt.js';
import { withOverlays } from './overlay/load.js';
import { CPU_NAMES, cpuByName, QEMU_DEFAULT_CPU, qemuCpuModel, treeCpu, type BootCpu } from './platform/cpu.js';
import type { OverlayChange } from './overlay/apply.js';

export interface LoadBoardOptions extends Pick<CompileOptions, 'includeDirs' | 'defines' | 'cache' | 'force' | 'warnings' | 'checkFlags'> {
  /** Name for diagnostics when the input is bytes or a tree. */
  fileName?: string;
  /**
   * `board` (default: the tree's memory nodes and `reserve`), `qemu-virt` (QEMU's virt machine) or
   * `u-boot` (booti/bootz: src/platform/u-boot.ts; its default environment is QEMU virt's U-Boot).
   */
  platform?: string;
  /** `u-boot`: environment overrides and where U-Boot keeps itself. */
  uboot?: UBootOptions;
  /** `uefi`: the firmware's free memory and where it loaded the Image (src/platform/uefi.ts). */
  uefi?: UefiOptions;
  /**
   * The command line the firmware writes into /chosen/bootargs (QEMU's -append, which U-Boot's
   * `qfw load` also copies into its bootargs variable).
   */
  bootargs?: string;
  /** The CPU architecture the platform boots (QEMU's machine and DTB alignment differ); default arm64. */
  arch?: VirtArch;
  /**
   * `qemu-virt`: NUMA nodes of these sizes (QEMU `-numa`, a CPU each; they add up to `ram`), so
   * that QEMU's own tree carries their `numa-node-id`.
   */
  numa?: bigint[];
  /** `qemu-virt`: QEMU's CPU count without NUMA nodes (`-smp`, default one), so that its own tree has as many cpu nodes. */
  smp?: number;
  /**
   * arm64: the boot CPU, a name of src/platform/cpu.ts (`cortex-a53`, `max`); default: QEMU's
   * `max` on qemu-virt and u-boot (and uefi on QEMU), else the tree's boot CPU (Board.cpu).
   */
  cpu?: string;
  /** RAM size: QEMU's `-m`, or one bank at the board's first memory node (size 0 included). */
  ram?: bigint;
  /** RAM banks as the boot loader writes them into /memory (with `boot: 'uefi'`, the UEFI memory map's RAM). */
  memory?: Bank[];
  /** How the kernel is entered: `dt` (default: booti/bootz, QEMU -kernel) or `uefi` (the EFI stub). */
  boot?: BootMethod;
  /**
   * The kernel's _end - _text as the planned kernel's profile knows it (arm64): what U-Boot's booti
   * reserves for the Image when `uboot.imageSize` (the file's own header) is not given.
   */
  kernelImageSize?: bigint;
  /** Where the boot loader put the arm64 Image (`_text`; booti's relocated kernel_addr_r). */
  kernelAt?: bigint;
  /** Where the boot loader put the DTB the kernel gets (its size: the blob's fdt_totalsize). */
  dtbAt?: bigint;
  /** Where the boot loader put the initrd and its size (`/chosen/linux,initrd-start`/`-end`). */
  initrd?: Bank;
  /** Size of the initrd the boot loader loads (placed by the platform's rule; `reserve` `initrd` places it exactly). */
  initrdSize?: bigint;
  /** Early reservations `NAME@ADDR+SIZE` (`kernel`, `initrd`, `dtb` place those; see src/platform/README.md). */
  reserve?: ExtraReservation[];
  /**
   * qemu-virt: the input is already the tree QEMU boots (a lab record's DTB), not a board whose
   * reserved memory is merged into QEMU's own tree.
   */
  asBooted?: boolean;
  /**
   * Overlay files (.dtbo, or .dtso compiled) applied in order as fdtoverlay applies them
   * (src/overlay); a DTS board is then compiled with -@, as the kernel builds a composite's base.
   */
  overlays?: string[];
}

/** Where the platform put things, besides RAM (PlatformLayout without its name and banks). */
export type Placements = Omit<PlatformLayout, 'name' | 'memory'>;

export interface Board {
  /** The input file (or `fileName`, `<dtb>`, `<tree>`). */
  file: string;
  /** The tree the kernel unflattens; undefined when the input could not be loaded (see diagnostics). */
  tree?: Tree;
  /** The DTB the kernel is given (for qemu-virt: QEMU's tree with the board merged in). */
  blob?: Uint8Array;
  /**
   * Where the platform edits the blob's structure on its way to the kernel, the blob as the kernel
   * reads it (qemu-virt direct boot: QEMU's memory nodes turned to FDT_NOP, qemuKernelBlob).
   */
  kernelBlob?: Uint8Array;
  platform: string;
  /** The architecture the platform was laid out for (qemu-virt only). */
  arch?: VirtArch;
  /** How the kernel is entered. */
  boot: BootMethod;
  /** arm64: the CPU the kernel starts on (what a 52-bit build needs of it: src/platform/cpu.ts). */
  cpu?: BootCpu;
  /** RAM banks (memblock_add). */
  memory: Bank[];
  /** What the boot loader or the EFI stub changed in the tree before the kernel read it, in words. */
  edits: string[];
  /** `u-boot`: the lines U-Boot prints while it places the initrd and the DTB (UBootResult.printed). */
  bootloaderOutput?: string[];
  placements: Placements;
  /** The command line the platform passes instead of the tree's /chosen/bootargs (qemu-virt: the board's, on -append). */
  bootargs?: string;
  diagnostics: Diagnostic[];
  /** Every file read (input, includes). */
  files: string[];
  /** What each overlay added or changed (with `overlays`). */
  overlayChanges?: OverlayChange[];
}

type Input = { tree?: Tree; blob?: Uint8Array; diagnostics: Diagnostic[]; files: string[] };

function readInput(input: string | Uint8Array | Tree, o: LoadBoardOptions, file: string): Input {
  if (input instanceof Uint8Array) {
    const r = readDtb(input, file);
    return r.tree ? { tree: r.tree, blob: input, diagnostics: r.diagnostics, files: [] } : { diagnostics: r.diagnostics, files: [] };
  }
  if (typeof input !== 'string') return { tree: input, blob: writeDtb(input), diagnostics: [], files: [] };
  if (guessInputFormat(input) === 'dtb') {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readInputFile(input));
    } catch (e) {
      return {
        diagnostics: [
          diag('error', 'file-not-found', `cannot open '${input}': ${whyUnreadable(e)}`, {
            file: input,
            line: 0,
            column: 0,
            endLine: 0,
            endColumn: 0,
          }),
        ],
        files: [],
      };
    }
    const r = readDtb(bytes, input);
    return r.tree
      ? { tree: r.tree, blob: bytes, diagnostics: r.diagnostics, files: [input] }
      : { diagnostics: r.diagnostics, files: [input] };
  }
  const {
    fileName: _f,
    platform: _p,
    arch: _a,
    ram: _r,
    memory: _m,
    boot: _o,
    initrdSize: _i,
    reserve: _x,
    asBooted: _b,
    uboot: _u,
    kernelImageSize: _k,
    uefi: _e,
    bootargs: _ba,
    overlays,
    ...compile
  } = o;
  const r = loadDts(input, overlays?.length ? { ...compile, symbols: true } : compile);
  // The blob dtc writes for the tree (what the kernel build installs).
  return r.tree
    ? { tree: r.tree, blob: writeDtb(r.tree), diagnostics: r.diagnostics, files: r.files ?? [] }
    : { diagnostics: r.diagnostics, files: r.files ?? [] };
}

/**
 * Load a board from a DTS or DTB file, DTB bytes or a tree, and lay it out on its platform.
 * Never throws for bad input: problems are diagnostics (an error leaves `tree` undefined or the
 * layout incomplete, and `plan()` reports them with exit code 2).
 */
export function loadBoard(input: string | Uint8Array | Tree, given: LoadBoardOptions = {}): Board {
  const file = typeof input === 'string' ? input : (given.fileName ?? (input instanceof Uint8Array ? '<dtb>' : '<tree>'));
  // A platform file: its settings, under what the caller gave explicitly.
  const boardFile = given.platform !== undefined && isBoardFile(given.platform) ? loadBoardFile(given.platform) : undefined;
  if (boardFile && !boardFile.options)
    return {
      file,
      platform: given.platform ?? 'board',
      boot: given.boot ?? 'dt',
      memory: [],
      edits: [],
      placements: { extra: [], chosenAdded: 0 },
      diagnostics: boardFile.diagnostics,
      files: [given.platform ?? ''],
    };
  const { platform: _file, ...explicit } = given;
  // The file's U-Boot settings stay under --uboot-env's variables (one environment, flags last).
  const fileUboot = boardFile?.options?.uboot;
  const uboot =
    fileUboot && explicit.uboot ? { ...fileUboot, ...explicit.uboot, env: { ...fileUboot.env, ...explicit.uboot.env } } : undefined;
  const options: LoadBoardOptions = boardFile?.options ? { ...boardFile.options, ...explicit, ...(uboot ? { uboot } : {}) } : given;
  const platform = options.platform ?? 'board';
  const arch = options.arch ?? 'arm64';
  const read = readInput(input, options, file);
  const applied = options.overlays?.length ? withOverlays(read, options.overlays, file, options) : undefined;
  const r = applied ?? read;
  const board: Board = {
    file,
    platform,
    boot: options.boot ?? 'dt',
    memory: [],
    edits: [],
    placements: { extra: [], chosenAdded: 0 },
    diagnostics: r.diagnostics,
    files: given.platform !== undefined && boardFile ? [...r.files, given.platform] : r.files,
  };
  if (platform === 'qemu-virt') board.arch = arch;
  if (options.numa && (platform !== 'qemu-virt' || options.asBooted)) {
    board.diagnostics.push(
      diag('error', 'bad-numa', `--numa lays out QEMU's virt machine: it goes with --platform qemu-virt (and verify), not '${platform}'`),
    );
    return board;
  }
  if (options.smp !== undefined && (platform !== 'qemu-virt' || options.asBooted || options.numa)) {
    const why = options.numa ? '--numa gives QEMU a CPU per node' : `it goes with --platform qemu-virt (and verify), not '${platform}'`;
    board.diagnostics.push(diag('error', 'bad-smp', `--smp sets QEMU virt's CPU count: ${why}`));
    return board;
  }
  if (applied) board.overlayChanges = applied.changes;
  if (!r.tree || !r.blob || hasErrors(r.diagnostics)) return board;
  if (arch === 'arm' && options.cpu !== undefined) {
    board.diagnostics.push(
      diag('error', 'unknown-cpu', `--cpu names an arm64 core: ${options.cpu} is not one a 32-bit kernel boots on here`),
    );
    return board;
  }
  if (arch === 'arm64') {
    const cpu = bootCpu(platform, options, r.tree);
    if ('severity' in cpu) {
      board.diagnostics.push(cpu);
      return board;
    }
    board.cpu = cpu;
  }
  let tree = r.tree;
  let blob = r.blob;
  let ram = options.ram;
  let bootargs: string | undefined;
  if (platform === 'qemu-virt' && !options.asBooted) {
    // What QEMU boots: its own virt tree for this RAM size with the board's reserved memory merged
    // in. The kernel's early allocations (unflattening the tree) and QEMU's DTB reservation depend
    // on that blob, so the default CMA area and crashkernel= land where the real boot puts them.
    const numa = options.numa;
    const numaRam = numa?.reduce((a, b) => a + b, 0n);
    ram ??= numaRam ?? (memorySize(tree) || VIRT_DEFAULT_RAM);
    if (numaRam !== undefined && numaRam !== ram) {
      board.diagnostics.push(
        diag('error', 'bad-numa', `--numa node sizes add up to 0x${numaRam.toString(16)}, not the RAM size 0x${ram.toString(16)}`),
      );
      return board;
    }
    const base = virtTree(arch, ram, numa, options.smp, board.cpu?.name);
    if (base.tree) {
      const merged = mergeBoard(base.tree, tree);
      tree = merged.tree;
      blob = writeDtb(tree);
      bootargs = merged.bootargs;
      board.diagnostics.push(...merged.notes.map((m) => diag('note', 'qemu-virt-tree', m)));
    } else {
      const why = base.diagnostics.map((d) => d.message).join('; ');
      board.diagnostics.push(
        diag(
          'note',
          'qemu-virt-tree-unavailable',
          `planned on the board tree alone (QEMU's own virt tree is not available: ${why}); early allocations may differ slightly`,
        ),
      );
    }
  }
  if (platform === 'u-boot') {
    layOnUboot(board, tree, blob, options, arch);
    return board;
  }
  if (platform === 'uefi' || board.boot === 'uefi') {
    // Entered through the EFI stub. `--boot uefi` on a board: its own UEFI firmware, not QEMU's
    // EDK2 (the platform file's uefi.armVirtQemu says otherwise); on qemu-virt: EDK2 ArmVirtQemu.
    board.boot = 'uefi';
    const uefi = platform === 'uefi' || platform === 'qemu-virt' ? options.uefi : { armVirtQemu: false, ...options.uefi };
    layOnUefi(
      board,
      tree,
      blob,
      {
        ...options,
        ...(uefi ? { uefi } : {}),
        ...(ram !== undefined ? { ram } : {}),
        ...(options.bootargs === undefined && bootargs !== undefined ? { bootargs } : {}),
      },
      arch,
    );
    return board;
  }
  const { layout, diagnostics } = platformLayout(
    tree,
    {
      platform,
      arch,
      ...(ram !== undefined ? { ram } : {}),
      ...(options.memory ? { memory: options.memory } : {}),
      boot: board.boot,
      ...(options.initrdSize !== undefined ? { initrdSize: options.initrdSize } : {}),
      ...(options.reserve ? { reserve: options.reserve } : {}),
    },
    () => blob.length,
  );
  board.diagnostics.push(...diagnostics);
  const { name: _name, memory, ...placements } = layout;
  board.tree = tree;
  board.blob = blob;
  if (platform === 'qemu-virt') board.kernelBlob = qemuKernelBlob(blob);
  board.memory = memory;
  board.placements = placements;
  if (options.kernelAt !== undefined) board.placements.kernelLoad = options.kernelAt;
  if (options.dtbAt !== undefined) board.placements.dtb = { base: options.dtbAt, size: BigInt(blob.length) };
  if (options.initrd) board.placements.initrd = options.initrd;
  if (bootargs !== undefined) board.bootargs = bootargs;
  return board;
}

/**
 * The boot CPU: `cpu` when given; QEMU's on the platforms that are QEMU's virt machine (qemu-virt,
 * u-boot: Debian's qemu_arm64 U-Boot, uefi: EDK2 ArmVirtQemu unless the board's own firmware),
 * which the lab and `verify` boot with -cpu max; else the tree's boot CPU.
 */
function bootCpu(platform: string, o: LoadBoardOptions, tree: Tree): BootCpu | Diagnostic {
  const onQemu = platform === 'qemu-virt' || platform === 'u-boot' || (platform === 'uefi' && o.uefi?.armVirtQemu !== false);
  if (o.cpu !== undefined) {
    const cpu = cpuByName(o.cpu, 'option');
    if (!cpu) return diag('error', 'unknown-cpu', `unknown CPU '${o.cpu}'`, undefined, `known: ${CPU_NAMES.join(', ')}`);
    if (onQemu && !qemuCpuModel(o.cpu))
      return diag(
        'error',
        'unknown-cpu',
        `QEMU's virt machine cannot boot a ${o.cpu}: QEMU has no model of it`,
        undefined,
        `QEMU models: ${CPU_NAMES.filter((n) => qemuCpuModel(n)).join(', ')}`,
      );
    return cpu;
  }
  return onQemu ? cpuByName(QEMU_DEFAULT_CPU, 'platform')! : treeCpu(tree);
}

/**
 * The `u-boot` platform: RAM as U-Boot's DRAM banks (the tree's memory, --memory or --ram), then
 * booti/bootz (src/platform/u-boot.ts) decides the placements and edits the tree Linux gets.
 * Without fdt_addr_r the DTB is QEMU's hand-over: the blob QEMU grew (load_device_tree) with the
 * command line in /chosen/bootargs, which `qfw load` also puts in U-Boot's bootargs.
 */
function layOnUboot(board: Board, tree: Tree, blob: Uint8Array, o: LoadBoardOptions, arch: VirtArch): void {
  const { memory, diagnostics } = boardMemory(tree, {
    defaultRamBase: VIRT_RAM_BASE,
    ...(o.ram !== undefined ? { ram: o.ram } : {}),
    ...(o.memory ? { memory: o.memory } : {}),
  });
  board.diagnostics.push(...diagnostics);
  const env = o.uboot?.env ?? {};
  const qemu = env.fdt_addr_r === undefined;
  const handed = qemu ? handedOver(board, tree, blob, o, arch) : { tree, blob };
  if (!handed) return;
  const r = ubootBoot({
    arch,
    tree: handed.tree,
    blob: handed.blob,
    memory,
    initrdSize: o.initrd?.size ?? o.initrdSize ?? 0n,
    ...(qemu ? { qemuTotalsize: BigInt(handed.blob.length) } : {}),
    options: {
      ...(o.kernelImageSize !== undefined ? { imageSize: o.kernelImageSize } : {}),
      ...o.uboot,
      env: { ...(qemu && o.bootargs !== undefined ? { bootargs: o.bootargs } : {}), ...env },
    },
  });
  board.diagnostics.push(...r.diagnostics);
  // What the kernel scans: U-Boot's banks in the first memory node, any other memory node as it was.
  board.memory = memoryBanks(r.tree);
  board.tree = r.tree;
  board.blob = writeDtb(r.tree);
  board.edits.push(...r.edits);
  board.bootloaderOutput = r.printed;
  board.placements = {
    extra: extraReservations(o.reserve ?? []),
    chosenAdded: 0,
    dtb: r.dtb,
    ...(r.kernelLoad !== undefined ? { kernelLoad: r.kernelLoad } : {}),
    ...(r.initrd ? { initrd: r.initrd } : {}),
  };
  const layout = { name: 'u-boot', memory: board.memory, ...board.placements };
  applyPlacements(layout, o.reserve ?? []);
  const { name: _n, memory: _m, ...placements } = layout;
  board.placements = placements;
  if (o.kernelAt !== undefined) board.placements.kernelLoad = o.kernelAt;
  if (o.dtbAt !== undefined) board.placements.dtb = { base: o.dtbAt, size: r.dtb.size };
  if (o.initrd) board.placements.initrd = o.initrd;
}

/**
 * What QEMU's virt machine hands to its firmware: the blob QEMU writes at the start of RAM
 * (qemuHandoff) and its tree; undefined, with the error in the board's diagnostics, when QEMU
 * cannot say.
 */
function handedOver(
  board: Board,
  tree: Tree,
  blob: Uint8Array,
  o: LoadBoardOptions,
  arch: VirtArch,
): { tree: Tree; blob: Uint8Array } | undefined {
  const ram = o.ram ?? (memorySize(tree) || VIRT_DEFAULT_RAM);
  const h = qemuHandoff(arch, blob, ram, o.bootargs ?? '');
  const t = h.blob ? readDtb(h.blob, board.file) : undefined;
  if (!h.blob || !t?.tree) {
    board.diagnostics.push(...h.diagnostics, ...(t?.diagnostics ?? []));
    return undefined;
  }
  return { tree: t.tree, blob: h.blob };
}

/**
 * The `uefi` platform: RAM from the UEFI memory map (`memory`, or `ram` at the tree's memory
 * base), then the EFI stub (src/platform/uefi.ts efiStubBoot) edits the tree and, given the
 * firmware's free memory, places the kernel, the initrd and its DTB copy.
 */
function layOnUefi(board: Board, tree: Tree, blob: Uint8Array, o: LoadBoardOptions, arch: VirtArch): void {
  const { memory, diagnostics } = boardMemory(tree, {
    defaultRamBase: VIRT_RAM_BASE,
    boot: 'uefi',
    ...(o.ram !== undefined ? { ram: o.ram } : {}),
    ...(o.memory ? { memory: o.memory } : {}),
  });
  board.diagnostics.push(...diagnostics);
  board.memory = memory;
  const handed = o.uefi?.armVirtQemu === false ? { tree, blob } : handedOver(board, tree, blob, o, arch);
  if (!handed) return;
  // EDK2 ArmVirtQemu's own free memory when it starts the stub (arm64, kernel through fw_cfg).
  const u = o.uefi ?? {};
  const imageSize = arch === 'arm' ? u.kernelFileSize : u.imageSize;
  let entry =
    u.armVirtQemu !== false && !u.free && memory.length && u.kernelFileSize !== undefined && imageSize !== undefined
      ? armVirtQemuStubEntry(arch, memory, u.kernelFileSize, imageSize)
      : undefined;
  if (entry && 'severity' in entry) {
    board.diagnostics.push(entry);
    entry = undefined;
  }
  const r = efiStubBoot({
    arch,
    tree: handed.tree,
    blob: handed.blob,
    initrdSize: o.initrd?.size ?? o.initrdSize ?? 0n,
    ...(o.bootargs !== undefined ? { cmdline: o.bootargs } : {}),
    options: { ...entry, ...u },
  });
  board.diagnostics.push(...r.diagnostics);
  // arm: the kernel model takes PHYS_OFFSET from the first bank (setup_arch, arm_memblock_init)
  if (r.physOffset !== undefined && memory[0] && r.physOffset !== memory[0].base)
    board.diagnostics.push(
      diag(
        'warning',
        'uefi-phys-offset',
        `the EFI stub's kernel base ${'0x' + r.physOffset.toString(16)} is the kernel's PHYS_OFFSET, the plan takes the first RAM bank's ${'0x' + memory[0].base.toString(16)}`,
      ),
    );
  board.tree = r.tree;
  board.blob = writeDtb(r.tree);
  board.edits.push(...r.edits);
  const layout: PlatformLayout = {
    name: 'uefi',
    memory,
    extra: extraReservations(o.reserve ?? []),
    chosenAdded: 0,
    ...(r.dtb ? { dtb: r.dtb } : {}),
    ...(r.kernelLoad !== undefined ? { kernelLoad: r.kernelLoad } : {}),
    ...(r.initrd ? { initrd: r.initrd } : {}),
  };
  // The UEFI memory map efi_init takes RAM from: given, ArmVirtQemu's on arm64, else the RAM banks.
  if (u.efi) layout.efi = u.efi;
  else if (u.armVirtQemu !== false)
    layout.efi = armVirtQemuEfiBoot(memory, {
      arch,
      ...(r.mapPool ? { mapPool: r.mapPool } : {}),
      ...(r.configPool !== undefined ? { pool: r.configPool } : {}),
      ...(o.bootargs !== undefined ? { cmdline: o.bootargs } : {}),
    });
  else layout.efi = conventionalEfiBoot(memory);
  applyPlacements(layout, o.reserve ?? []);
  const { name: _n, memory: _m, ...placements } = layout;
  board.placements = placements;
  if (o.kernelAt !== undefined) board.placements.kernelLoad = o.kernelAt;
  if (o.dtbAt !== undefined) board.placements.dtb = { base: o.dtbAt, size: r.dtbSize };
  if (o.initrd) board.placements.initrd = o.initrd;
}

/** The board's memory and placements as the kernel model takes them. */
export function platformLayoutOf(board: Board): PlatformLayout {
  return { name: board.platform, memory: board.memory, ...board.placements };
}
