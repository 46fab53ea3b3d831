// carveout verify board.dts|board.dtb --kernel ID [--ram 1G] [--bootargs ".."] [--format text|json]
// Boots the board's reserved memory on a real Debian kernel under QEMU (src/verify/) and compares
// with the plan. Exit 0 agree, 1 differ, 2 bad input or failed boot.
import { readFileSync } from 'node:fs';
import { renderDiagnostic } from '../../diagnostics.js';
import { verifyBoard, renderVerifyText } from '../../verify/verify.js';
import { parseSize } from '../../kernel/cmdline.js';
import { SIZE_HELP } from '../sizes.js';
import { toJsonValue } from '../../verify/observation.js';
import { labKernels } from '../../verify/kernels.js';
import { parseBoardArgs } from '../board-options.js';

const USAGE = `usage: carveout verify board.dts|board.dtb --kernel ID [--ram SIZE] [--bootargs "..."] [--format text|json] [-I DIR] [--timeout SECONDS] [--console]
kernels: ${labKernels.map((k) => k.id).join(', ')}
Boots the board's /reserved-memory, /memreserve/ and /chosen/bootargs inside QEMU's virt machine
(qemu-system-arm package) with memblock=debug, shows what the kernel did and the plan's prediction.
  --ram SIZE   QEMU's -m (default 1G; 64M..16G, at most 3G for the 32-bit kernels)
${SIZE_HELP}
exit: 0 prediction and kernel agree, 1 they differ, 2 bad input or failed boot`;

export async function run(argv: string[]): Promise<number> {
  const bad = (msg: string): number => {
    process.stderr.write(`carveout verify: ${msg}\n${USAGE}\n`);
    return 2;
  };
  const parsed = parseBoardArgs(argv, {
    '--format': 'value',
    '-f': 'value',
    '--timeout': 'value',
    '--console': 'switch',
    '-k': 'value',
    '-m': 'value',
  });
  if (!parsed.ok) return bad(parsed.error);
  if (parsed.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const { args, own } = parsed;
  const last = (...names: string[]): string | undefined => names.flatMap((n) => own.get(n) ?? []).at(-1);
  // QEMU places the kernel, the initrd and the DTB itself, and runs only the kernel's own handlers.
  if (args.board.platform !== undefined && args.board.platform !== 'qemu-virt') return bad('verify boots QEMU virt only');
  if (args.board.reserve) return bad('--reserve: QEMU places the kernel, initrd and DTB itself');
  if (args.board.initrdSize !== undefined) return bad('--initrd-size: the lab boots its own initrd');
  if (args.handlerFiles.length) return bad('--handlers: a real kernel runs only its own handlers');
  const kernel = last('-k') ?? args.kernels.at(-1);
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
  if (bootargs !== undefined) opts.bootargs = bootargs;
  const r = await verifyBoard(file, opts);
  const read = (f: string): string | undefined => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      return undefined;
    }
  };
  if (format === 'json') {
    const { kernel: k, observation, ...rest } = r;
    const obs = observation && !showConsole ? { ...observation, console: undefined } : observation;
    process.stdout.write(
      JSON.stringify(
        toJsonValue({ ...rest, kernel: k ? { id: k.id, package: k.package, version: k.version } : undefined, observation: obs }),
        null,
        2,
      ) + '\n',
    );
  } else {
    for (const d of r.diagnostics) process.stderr.write(renderDiagnostic(d, read) + '\n');
    if (r.observation) process.stdout.write(renderVerifyText(file, r));
    if (showConsole && r.observation?.console) process.stdout.write('\nconsole:\n' + r.observation.console + '\n');
  }
  return r.exitCode;
}
