// The flags every board command takes (plan, verify, and the commands that look at a plan): one
// parser, so a flag added here — a new way to give memory, a kernel build, an overlay — reaches
// every command at once. A command names its own flags (`own`) and reads them from the result;
// everything else is a board flag or the board file.
import { splitOption } from './args.js';
import { memparse, parseSize, type EarlyParam } from '../kernel/cmdline.js';
import { loadHandlers, type ReservedMemHandler } from '../kernel/handler-api.js';
import { loadBoard, type Board, type LoadBoardOptions } from '../board.js';
import { isBoardFile, parseMemory, parseReserve, parseUbootEnv } from '../platform/index.js';
import { VIRT_MAX_SMP } from '../platform/qemu-virt.js';
import { CPU_NAMES } from '../platform/cpu.js';
import { resolveProfile } from '../kernel/plan.js';
import type { KernelProfile } from '../kernel/profiles/types.js';
import { profileIds } from '../kernel/profiles/index.js';
import { SIZE_HELP } from './sizes.js';
import { renderDiagnostic, type Diagnostic } from '../diagnostics.js';
import { profileFromFiles } from '../kernel/build/store.js';

/** What the board flags say; `board` is what loadBoard takes (minus the arch, set from the kernel). */
export interface BoardArgs {
  file?: string;
  /** Every `--kernel` given, in order. */
  kernels: string[];
  /** `--kernel-config FILE --system-map FILE`: the user's own build, a kernel beside the `--kernel`s. */
  kernelConfig?: string;
  systemMap?: string;
  bootargs?: string;
  board: LoadBoardOptions;
  handlerFiles: string[];
}

/** A command's own flag: `value` takes an argument (`--format json`, `--format=json`), `switch` does not. */
export type OwnFlags = Record<string, 'value' | 'switch'>;

export type ParsedArgs = { ok: true; args: BoardArgs; own: Map<string, string[]>; help: boolean } | { ok: false; error: string };

/** The board flags' lines for a command's `--help`. */
export const BOARD_FLAGS_HELP = `  --kernel ID           ${profileIds.join(', ')}, or a name stored by 'carveout kernels add'
  --kernel-config FILE --system-map FILE
                        your own kernel build: its .config and System.map (version, page size, CMA,
                        image extent, built-in reserved-memory handlers are read from them)
  --bootargs "..."      kernel command line (default: the tree's /chosen/bootargs)
  --ram SIZE            RAM size (64M, 0x4000000, 1G): one bank at the tree's first memory node
  --memory BASE+SIZE[,BASE+SIZE...]   the RAM banks the boot loader writes into /memory
                        (0x80000000+2G,0x880000000+6G); with --boot uefi, the UEFI memory map's RAM
  --kernel-at ADDR      where the boot loader put the arm64 Image (booti: kernel_addr_r, 2 MiB aligned)
  --dtb-at ADDR         where the boot loader put the DTB (fdt_addr_r, or where it relocated it)
  --initrd ADDR+SIZE    where the boot loader put the initrd (linux,initrd-start/-end)
  --boot dt|uefi        how the kernel is entered: with a DTB (booti/bootz, default) or through its
                        EFI stub (RAM from the UEFI memory map, /memory ignored, /memreserve/ deleted)
  --platform qemu-virt  model QEMU's virt board: the board's reserved memory merged into QEMU's own
                        tree, kernel, initrd and DTB placed as QEMU places them (default: the board alone)
  --numa SIZE,SIZE...   with --platform qemu-virt (and verify): QEMU's NUMA nodes of these sizes, a CPU
                        each (-numa; 0 is a memoryless node); they add up to --ram
  --smp N               with --platform qemu-virt (and verify): QEMU's CPU count, 1 to 8 (default 1)
  --cpu NAME            the arm64 core the kernel boots on (${CPU_NAMES.join(', ')}): a 52-bit
                        build (6.12/7.2 arm64, arm64-16k) runs with 48/47-bit VA without FEAT_LPA2
                        (default: QEMU's max on QEMU platforms, else the tree's /cpus compatible)
  --platform u-boot     booted by U-Boot's booti/bootz: kernel at kernel_addr_r, initrd and DTB kept or
                        copied top-down below initrd_high/fdt_high, U-Boot's fixups applied to the tree
                        (default environment: QEMU virt's U-Boot 2023.01)
  --platform uefi       booted by UEFI firmware (default EDK2 ArmVirtQemu) through the kernel's EFI stub:
                        RAM from --memory/--ram, the firmware's and the stub's DT edits, the stub's
                        packed DTB copy (placements need the firmware's free memory: a platform file)
  --platform FILE.json  the board's own placement file (RAM, boot method, load addresses, firmware
                        carve-outs, U-Boot environment: docs/boards.md); flags given too override it
  --uboot-env NAME=VALUE   a U-Boot variable for --platform u-boot (kernel_addr_r, ramdisk_addr_r,
                        fdt_addr_r, fdt_high, initrd_high, bootm_low, bootm_size, bootm_mapsize,
                        bootargs; repeatable)
  --initrd-size SIZE    initrd size for --platform qemu-virt or u-boot (the file loaded)
  --reserve NAME@ADDR+SIZE   an early reservation made before the kernel scans the tree (repeatable);
                        NAME kernel, initrd or dtb places those instead
  --handlers FILE       reserved-memory handlers and early parameters (.ts/.js): declareReservedMem()
                        entries are tried after the kernel's own, declareEarlyParam() ones run as
                        board code's early_param (repeatable)
  --overlay FILE        apply an overlay (.dtbo, or .dtso compiled) to the board first, as fdtoverlay
                        does (repeatable, in order); a .dts board is then compiled with -@
  -I DIR                include directory for DTS input (repeatable)
${SIZE_HELP}`;

/**
 * Read argv: board flags into `args`, the command's own flags into `own` (each occurrence's value,
 * `''` for a switch). The first problem is the error (a usage error: exit 2).
 */
export function parseBoardArgs(argv: string[], ownFlags: OwnFlags = {}): ParsedArgs {
  const args: BoardArgs = { kernels: [], board: {}, handlerFiles: [] };
  const own = new Map<string, string[]>();
  let help = false;
  const includeDirs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const { name, inline } = splitOption(a);
    const value = (): string | undefined => (inline !== undefined ? inline : argv[++i]);
    const kind = ownFlags[name];
    if (kind) {
      if (kind === 'switch') {
        if (inline !== undefined) return { ok: false, error: `${name} takes no value` };
        own.set(name, [...(own.get(name) ?? []), '']);
        continue;
      }
      const v = value();
      if (v === undefined) return { ok: false, error: `${name} needs a value` };
      own.set(name, [...(own.get(name) ?? []), v]);
      continue;
    }
    switch (name) {
      case '-h':
      case '--help':
        help = true;
        break;
      case '--kernel': {
        const v = value();
        if (!v) return { ok: false, error: '--kernel needs a kernel ID' };
        args.kernels.push(v);
        break;
      }
      case '--kernel-config':
      case '--system-map': {
        const v = value();
        if (!v) return { ok: false, error: `${name} needs a file` };
        if (name === '--kernel-config') args.kernelConfig = v;
        else args.systemMap = v;
        break;
      }
      case '--bootargs': {
        const v = value();
        if (v === undefined) return { ok: false, error: '--bootargs needs a value' };
        args.bootargs = v;
        break;
      }
      case '--ram':
      case '--initrd-size': {
        const t = value()?.trim() ?? '';
        const n = parseSize(t);
        // memparse read all of it, parseSize refused: the value wraps past 64 bits.
        if (n === undefined && /^[0-9]/.test(t) && memparse(t).end === t.length)
          return { ok: false, error: `${name} ${t}: too large (sizes stop below 16E, 2^64 bytes)` };
        if (n === undefined) return { ok: false, error: `${name} needs a size like 64M, 0x4000000 or 1048576` };
        if (name === '--ram' && n === 0n) return { ok: false, error: '--ram 0: a board needs some RAM' };
        if (name === '--ram') args.board.ram = n;
        else args.board.initrdSize = n;
        break;
      }
      case '--numa': {
        const parts = (value() ?? '').split(',').map((x) => parseSize(x.trim()));
        if (!parts.length || parts.some((x) => x === undefined))
          return { ok: false, error: '--numa needs node sizes like 512M,512M (0 for a node without memory)' };
        if (parts.length > 16) return { ok: false, error: `--numa: ${parts.length} nodes, QEMU's virt and the kernels take at most 16` };
        args.board.numa = parts as bigint[];
        break;
      }
      case '--cpu': {
        const v = value() ?? '';
        if (!CPU_NAMES.includes(v)) return { ok: false, error: `unknown CPU '${v}' (known: ${CPU_NAMES.join(', ')})` };
        args.board.cpu = v;
        break;
      }
      case '--smp': {
        const t = (value() ?? '').trim();
        const n = /^[0-9]+$/.test(t) ? Number(t) : Number.NaN;
        if (!(n >= 1 && n <= VIRT_MAX_SMP))
          return { ok: false, error: `--smp needs a CPU count from 1 to ${VIRT_MAX_SMP} (QEMU virt with its GICv2), got '${t}'` };
        args.board.smp = n;
        break;
      }
      case '--memory': {
        const m = parseMemory(value() ?? '');
        if (!Array.isArray(m)) return { ok: false, error: m.message };
        args.board.memory = [...(args.board.memory ?? []), ...m];
        break;
      }
      case '--kernel-at':
      case '--dtb-at': {
        const t = value()?.trim() ?? '';
        const n = parseSize(t);
        if (n === undefined) return { ok: false, error: `${name} needs an address like 0x80200000` };
        if (name === '--kernel-at') args.board.kernelAt = n;
        else args.board.dtbAt = n;
        break;
      }
      case '--initrd': {
        const m = parseMemory(value() ?? '');
        if (!Array.isArray(m) || m.length !== 1) return { ok: false, error: '--initrd expects ADDR+SIZE (e.g. 0x88000000+16M)' };
        args.board.initrd = m[0]!;
        break;
      }
      case '--boot': {
        const v = value();
        if (v !== 'dt' && v !== 'uefi') return { ok: false, error: `unknown boot method '${v ?? ''}' (known: dt, uefi)` };
        args.board.boot = v;
        break;
      }
      case '--platform': {
        const v = value();
        if (v !== 'qemu-virt' && v !== 'u-boot' && v !== 'uefi' && !(v !== undefined && isBoardFile(v)))
          return { ok: false, error: `unknown platform '${v ?? ''}' (known: qemu-virt, u-boot, uefi, or a platform file FILE.json)` };
        args.board.platform = v;
        break;
      }
      case '--uboot-env': {
        const e = parseUbootEnv(value() ?? '');
        if ('severity' in e) return { ok: false, error: e.message };
        args.board.uboot = { ...args.board.uboot, env: { ...args.board.uboot?.env, [e.name]: e.value } };
        break;
      }
      case '--reserve': {
        const r = parseReserve(value() ?? '');
        if ('severity' in r) return { ok: false, error: r.message };
        args.board.reserve = [...(args.board.reserve ?? []), r];
        break;
      }
      case '--overlay': {
        const v = value();
        if (!v) return { ok: false, error: '--overlay needs a file' };
        args.board.overlays = [...(args.board.overlays ?? []), v];
        break;
      }
      case '--handlers': {
        const v = value();
        if (!v) return { ok: false, error: '--handlers needs a file' };
        args.handlerFiles.push(v);
        break;
      }
      case '-I':
      case '--include': {
        const v = value();
        if (!v) return { ok: false, error: `${name} needs a directory` };
        includeDirs.push(v);
        break;
      }
      default:
        if (a.startsWith('-') && a !== '-') return { ok: false, error: `unknown option '${a}'` };
        if (args.file !== undefined) return { ok: false, error: 'only one input file' };
        args.file = a;
    }
  }
  if (includeDirs.length) args.board.includeDirs = includeDirs;
  if ((args.kernelConfig === undefined) !== (args.systemMap === undefined))
    return { ok: false, error: '--kernel-config and --system-map go together (a build is read from both)' };
  return { ok: true, args, own, help };
}

/**
 * The kernels named by `--kernel`, resolved, then the build of `--kernel-config/--system-map`; an
 * unknown one, or a build whose files do not make a profile, is the error (its diagnostics rendered).
 */
/** The kernels the arguments name; `inFiles`: the error is in --kernel-config/--system-map's content (no usage to show). */
export function resolveKernels(args: BoardArgs): { profiles: KernelProfile[] } | { error: string; inFiles?: boolean } {
  const profiles: KernelProfile[] = [];
  for (const k of args.kernels) {
    const p = resolveProfile(k);
    if (!p) return { error: `unknown kernel '${k}' (known: ${profileIds.join(', ')}, or a name stored by 'carveout kernels add')` };
    profiles.push(p);
  }
  if (args.kernelConfig !== undefined && args.systemMap !== undefined) {
    const built = profileFromFiles('own-build', args.kernelConfig, args.systemMap);
    if (!built.profile) return { error: built.diagnostics.map((d) => renderDiagnostic(d)).join('\n'), inFiles: true };
    profiles.push(built.profile);
  }
  return { profiles };
}

/** User handlers and early parameters from every `--handlers` file. */
export interface LoadedHandlers {
  handlers: ReservedMemHandler[];
  earlyParams: EarlyParam[];
  diagnostics: Diagnostic[];
}

export async function loadHandlerFiles(files: string[]): Promise<LoadedHandlers> {
  const out: LoadedHandlers = { handlers: [], earlyParams: [], diagnostics: [] };
  for (const f of files) {
    const r = await loadHandlers(f);
    out.handlers.push(...r.handlers);
    out.earlyParams.push(...r.earlyParams);
    out.diagnostics.push(...r.diagnostics);
  }
  return out;
}

/** The board for one kernel (its arch decides QEMU's machine and the DTB alignment). */
export function loadBoardFor(args: BoardArgs, profile: KernelProfile): Board {
  const a64 = profile.arm64;
  return loadBoard(args.file ?? '', {
    ...args.board,
    arch: profile.arch,
    ...(a64 ? { kernelImageSize: a64.reserveStartOffset + a64.reserveSize } : {}),
  });
}
