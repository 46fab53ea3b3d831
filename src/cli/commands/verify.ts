// carveout verify board.dts|board.dtb --kernel ID [--ram 1G] [--bootargs ".."] [--format text|json]
// carveout verify board.dts|board.dtb --log dmesg.txt|- [board flags] [--kernel ID]
// Boots the board's reserved memory on a real Debian kernel under QEMU (src/verify/) — or reads the
// board's own boot log — and compares with the plan. Exit 0 agree, 1 differ, 2 bad input or failed boot.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { renderDiagnostic, sourceReader } from '../../diagnostics.js';
import { verifyBoard, renderVerifyText, comparableLog } from '../../verify/verify.js';
import { diffSides, diffToJson, formatDiffText, sideOfObservation, sideOfPrediction, type DiffResult } from '../../report/diff.js';
import { parseSize } from '../../kernel/cmdline.js';
import { SIZE_HELP } from '../sizes.js';
import { toJsonValue } from '../../verify/observation.js';
import { labKernels } from '../../verify/kernels.js';
import { BOARD_FLAGS_HELP, loadBoardFor, resolveKernels, type BoardArgs } from '../board-options.js';
import { parseCommand, type Bad } from '../plan-boards.js';
import { profileForRelease, verifyLog } from '../../verify/log.js';
import { resolveProfile } from '../../kernel/plan.js';
import { loadBoard } from '../../board.js';
import type { VerifyOptions, VerifyResult } from '../../verify/verify.js';

const USAGE = `usage: carveout verify board.dts|board.dtb --kernel ID [--ram SIZE] [--platform u-boot | --boot uefi] [--bootargs "..."] [--format text|json] [-I DIR] [--timeout SECONDS] [--console]
kernels: ${labKernels.map((k) => k.id).join(', ')}
Boots the board's /reserved-memory, /memreserve/ and /chosen/bootargs inside QEMU's virt machine
(qemu-system-arm package) with memblock=debug, shows what the kernel did and the plan's prediction.
  --ram SIZE          QEMU's -m (default 1G; 64M..16G, at most 3G for the 32-bit kernels)
  --platform u-boot   boot through Debian's U-Boot for QEMU (u-boot-qemu): it loads the kernel,
                      initrd and DTB (qfw, booti/bootz) and the plan is made for the u-boot platform
  --boot uefi         boot through EDK2 (qemu-efi-aarch64 / qemu-efi-arm) and the kernel's EFI stub
                      (--platform uefi says the same)
  --kernel-image Image --kernel-config .config --system-map System.map
                      boot your own kernel (in place of --kernel; QEMU virt must be in its build),
                      planned with the profile built from its config and System.map
${SIZE_HELP}

carveout verify board.dts --log dmesg.txt|- [--memory BASE+SIZE,... | --ram SIZE] [--kernel ID] [board flags]
Reads a boot log captured on the board (dmesg, a serial console; with or without timestamps and
memblock=debug; plain or gzipped) instead of booting: the kernel build and command line come from the log's
'Linux version' and 'Kernel command line:' lines (--kernel and --bootargs override; a --kernel the
log contradicts is reported), the board is planned with the board flags (plan's), and compared.
${BOARD_FLAGS_HELP}
exit: 0 prediction and kernel agree, 1 they differ, 2 bad input or failed boot`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand('verify', USAGE, argv, {
    '--format': 'value',
    '-f': 'value',
    '--timeout': 'value',
    '--console': 'switch',
    '-k': 'value',
    '-m': 'value',
    '--log': 'value',
    '--kernel-image': 'value',
  });
  if (typeof parsed === 'number') return parsed;
  const { args, own, bad } = parsed;
  const last = (...names: string[]): string | undefined => names.flatMap((n) => own.get(n) ?? []).at(-1);
  const logFile = last('--log');
  if (logFile !== undefined) return verifyWithLog(logFile, args, last('--format', '-f') ?? 'text', bad);
  // QEMU (or the firmware in front of the kernel: --platform u-boot, --boot uefi) places the
  // kernel, the initrd and the DTB itself, and the kernel runs only its own handlers.
  const platform = args.board.platform;
  if (platform !== undefined && platform !== 'qemu-virt' && platform !== 'u-boot' && platform !== 'uefi')
    return bad(`--platform ${platform}: verify boots QEMU virt directly (qemu-virt), through U-Boot (u-boot) or EDK2 (uefi)`);
  const firmware = args.board.boot === 'uefi' || platform === 'uefi' ? 'uefi' : platform === 'u-boot' ? 'u-boot' : undefined;
  if (args.board.boot === 'uefi' && platform === 'u-boot')
    return bad('--boot uefi boots through EDK2, --platform u-boot through U-Boot: one of them');
  if (args.board.uboot) return bad("--uboot-env: the lab's U-Boot boots with its default environment (it goes with --log)");
  if (args.board.reserve) return bad('--reserve: QEMU places the kernel, initrd and DTB itself');
  const placed = args.board.kernelAt !== undefined || args.board.dtbAt !== undefined || args.board.initrd !== undefined;
  if (placed) return bad('--kernel-at, --dtb-at, --initrd: QEMU places the kernel, initrd and DTB itself (they go with --log)');
  if (args.board.memory)
    return bad("--memory: QEMU virt's RAM is one bank at 0x40000000, give its size with --ram (--memory goes with --log)");
  if (args.board.initrdSize !== undefined) return bad('--initrd-size: the lab boots its own initrd');
  if (args.handlerFiles.length) return bad('--handlers: a real kernel runs only its own handlers');
  // your own kernel: its image booted, planned with the profile its config and System.map build
  const image = last('--kernel-image');
  let ownBuild: VerifyOptions['own'];
  if (image !== undefined) {
    if (args.kernelConfig === undefined || args.systemMap === undefined)
      return bad('--kernel-image goes with --kernel-config and --system-map (the plan is built from them)');
    if (args.kernels.length || own.has('-k')) return bad('--kernel-image boots your build: no --kernel beside it');
    const built = resolveKernels(args);
    if ('error' in built) return bad(built.error, !built.inFiles);
    ownBuild = { image, config: args.kernelConfig, systemMap: args.systemMap, profile: built.profiles.at(-1)! };
  }
  const kernel = ownBuild ? ownBuild.profile.id : (last('-k') ?? args.kernels.at(-1));
  let ram = args.board.ram;
  const m = last('-m');
  if (m !== undefined) {
    ram = parseSize(m);
    if (ram === undefined) return bad(`bad --ram '${m}' (e.g. 512M, 1G, 1073741824)`);
  }
  const format = last('--format', '-f') ?? 'text';
  const timeout = Number(last('--timeout') ?? 60);
  const showConsole = own.has('--console');
  const file = args.file;
  const includeDirs = args.board.includeDirs ?? [];
  const bootargs = args.bootargs;
  if (!file || !kernel) return bad(!file ? 'no input file' : 'no --kernel');
  if (format !== 'text' && format !== 'json') return bad('--format text|json');
  if (!(timeout > 0)) return bad('bad --timeout');
  const opts: Parameters<typeof verifyBoard>[1] = { kernel, timeoutMs: timeout * 1000, includeDirs, keepConsole: showConsole };
  if (ram !== undefined) opts.ram = ram;
  if (ownBuild) opts.own = ownBuild;
  if (firmware) opts.firmware = firmware;
  if (bootargs !== undefined) opts.bootargs = bootargs;
  if (args.board.numa) {
    if (firmware) return bad('--numa boots QEMU virt directly: not through U-Boot or EDK2');
    opts.numa = args.board.numa;
  }
  if (args.board.smp !== undefined) {
    if (firmware) return bad('--smp boots QEMU virt directly: not through U-Boot or EDK2');
    if (args.board.numa) return bad('--smp and --numa: --numa gives QEMU a CPU per node');
    opts.smp = args.board.smp;
  }
  if (args.board.cpu !== undefined) opts.cpu = args.board.cpu;
  const r = await verifyBoard(file, opts);
  output(file, r, format, showConsole);
  return r.exitCode;
}

/** The most a `--log` file may unpack to. */
const LOG_MAX_BYTES = 256 << 20;

/** `--log`: the board's own boot log is the judge (src/verify/log.ts); no QEMU. */
async function verifyWithLog(logFile: string, args: BoardArgs, format: string, bad: Bad): Promise<number> {
  if (!args.file) return bad('no input file');
  if (format !== 'text' && format !== 'json') return bad('--format text|json');
  if (args.handlerFiles.length) return bad('--handlers: a real kernel runs only its own handlers');
  if (args.kernels.length > 1) return bad('verify --log takes one --kernel');
  let text: string;
  try {
    const bytes = logFile === '-' ? readFileSync(0) : readFileSync(logFile);
    // a console kept gzipped (a CI artefact, a lab fixture) reads as itself; a bomb stops at 256 MiB
    text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes, { maxOutputLength: LOG_MAX_BYTES }) : bytes).toString('utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') return bad(`the log '${logFile}' unpacks to more than ${LOG_MAX_BYTES >> 20} MiB`);
    if (code?.startsWith('Z_')) return bad(`the log '${logFile}' is not a whole gzip file (${code})`);
    return bad(`cannot read the log '${logFile}': ${code ?? String(e)}`);
  }
  const kernels = resolveKernels(args);
  if ('error' in kernels) return bad(kernels.error, !kernels.inFiles);
  if (kernels.profiles.length > 1) return bad('verify --log plans one kernel: --kernel ID or --kernel-config/--system-map');
  // The board's arch is the kernel's: --kernel's, else the one the log's 'Linux version' names.
  const release = /Linux version (\S+)/.exec(text)?.[1];
  const fromLog = release ? profileForRelease(release) : undefined;
  const profile = kernels.profiles[0] ?? (fromLog ? resolveProfile(fromLog) : undefined);
  const board = profile ? loadBoardFor(args, profile) : loadBoard(args.file, args.board);
  const r = verifyLog(board, text, {
    logName: logFile === '-' ? '<stdin>' : logFile,
    // --kernel ID, or the build --kernel-config/--system-map describe
    ...(kernels.profiles[0] ? { kernel: args.kernels[0] ?? kernels.profiles[0] } : {}),
    ...(args.bootargs !== undefined ? { bootargs: args.bootargs } : {}),
  });
  output(args.file, r, format, false);
  return r.exitCode;
}

function output(file: string, r: VerifyResult, format: string, showConsole: boolean): void {
  const read = sourceReader();
  if (format === 'json') {
    const { kernel: k, observation, ...rest } = r;
    const obs = observation && !showConsole ? { ...observation, console: undefined } : observation;
    process.stdout.write(
      JSON.stringify(
        toJsonValue({
          ...rest,
          kernel: k ? { id: k.id, package: k.package, version: k.version } : undefined,
          observation: obs,
          diff: diffOrUndefined(r),
        }),
        null,
        2,
      ) + '\n',
    );
  } else {
    for (const d of r.diagnostics) process.stderr.write(renderDiagnostic(d, read) + '\n');
    if (r.observation) process.stdout.write(renderVerifyText(file, r));
    const d = verifyDiff(r);
    if (d) {
      const color = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
      process.stdout.write('\nplan against the kernel, regions matched by node:\n' + formatDiffText(d, { color }));
    }
    if (showConsole && r.observation?.console) process.stdout.write('\nconsole:\n' + r.observation.console + '\n');
  }
}

/**
 * The prediction and what the kernel did through `carveout diff`'s view: regions matched by node
 * name (added, removed, moved, resized, now failing), the reserved-memory log as a line diff.
 */
function verifyDiff(r: VerifyResult): DiffResult | undefined {
  if (!r.prediction || !r.observation) return undefined;
  const what = r.log ? r.log.name : (r.kernel?.id ?? 'the kernel');
  return diffSides(
    sideOfPrediction(r.prediction.regions, comparableLog(r.prediction.log), `plan${r.log?.profile ? ` (${r.log.profile})` : ''}`),
    sideOfObservation(r.regions, comparableLog(r.observation.log.map((l) => l.text)), `${what} (what the kernel did)`),
  );
}

function diffOrUndefined(r: VerifyResult): unknown {
  const d = verifyDiff(r);
  return d ? diffToJson(d) : undefined;
}
