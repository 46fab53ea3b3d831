// carveout verify board.dts|board.dtb --kernel ID [--ram 1G] [--bootargs ".."] [--format text|json]
// Boots the board's reserved memory on a real Debian kernel under QEMU (src/verify/) and compares
// with the plan. Exit 0 agree, 1 differ, 2 bad input or failed boot.
import { readFileSync } from 'node:fs';
import { renderDiagnostic } from '../../diagnostics.js';
import { verifyBoard, renderVerifyText } from '../../verify/verify.js';
import { parseSize } from '../../kernel/cmdline.js';
import { SIZE_HELP } from '../sizes.js';
import { splitOption } from '../args.js';
import { toJsonValue } from '../../verify/observation.js';
import { labKernels } from '../../verify/kernels.js';

const USAGE = `usage: carveout verify board.dts|board.dtb --kernel ID [--ram SIZE] [--bootargs "..."] [--format text|json] [-I DIR] [--timeout SECONDS] [--console]
kernels: ${labKernels.map((k) => k.id).join(', ')}
Boots the board's /reserved-memory, /memreserve/ and /chosen/bootargs inside QEMU's virt machine
(qemu-system-arm package) with memblock=debug, shows what the kernel did and the plan's prediction.
  --ram SIZE   QEMU's -m (default 1G; 64M..16G, at most 3G for the 32-bit kernels)
${SIZE_HELP}
exit: 0 prediction and kernel agree, 1 they differ, 2 bad input or failed boot`;

export async function run(argv: string[]): Promise<number> {
  let file: string | undefined;
  let kernel: string | undefined;
  let ram: bigint | undefined;
  let bootargs: string | undefined;
  let format = 'text';
  let timeout = 60;
  let showConsole = false;
  const includeDirs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const { name: a, inline } = splitOption(argv[i]!);
    const val = (): string | undefined => inline ?? argv[++i];
    if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE + '\n');
      return 0;
    } else if (a === '--kernel' || a === '-k') kernel = val();
    else if (a === '--ram' || a === '-m') {
      const v = val();
      ram = v === undefined ? undefined : parseSize(v);
      if (ram === undefined) {
        process.stderr.write(`carveout verify: bad --ram '${v ?? ''}' (e.g. 512M, 1G, 1073741824)\n`);
        return 2;
      }
    } else if (a === '--bootargs') bootargs = val() ?? '';
    else if (a === '--format' || a === '-f') format = val() ?? '';
    else if (a === '--timeout') timeout = Number(val());
    else if (a === '--console') showConsole = true;
    else if (a === '-I' || a === '--include') {
      const v = val();
      if (v) includeDirs.push(v);
    } else if (a.startsWith('-')) {
      process.stderr.write(`carveout verify: unknown option '${a}'\n${USAGE}\n`);
      return 2;
    } else if (!file) file = a;
    else {
      process.stderr.write(`carveout verify: one input file only\n`);
      return 2;
    }
  }
  if (!file || !kernel) {
    process.stderr.write(`carveout verify: ${!file ? 'no input file' : 'no --kernel'}\n${USAGE}\n`);
    return 2;
  }
  if (format !== 'text' && format !== 'json') {
    process.stderr.write(`carveout verify: --format text|json\n`);
    return 2;
  }
  if (!(timeout > 0)) {
    process.stderr.write(`carveout verify: bad --timeout\n`);
    return 2;
  }
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
