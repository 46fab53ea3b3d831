// carveout plan board.dts|board.dtb --kernel ID [--bootargs ".."] [--ram SIZE] [--platform qemu-virt]
//   [--initrd-size SIZE] [--reserve NAME@ADDR+SIZE]... [--handlers FILE]... [--format text|json]
// Thin: argv → options → loadBoard + plan (the library) → report. Exit 0/1/2 as PlanResult.exitCode says.
import { renderDiagnostic, sourceReader } from '../../diagnostics.js';
import { plan, type PlanResult } from '../../kernel/plan.js';
import { formatPlanText, type PlanTextOptions } from '../../report/plan-text.js';
import { formatPlanJson } from '../../report/plan-json.js';
import { BOARD_FLAGS_HELP, loadBoardFor, loadHandlerFiles, resolveKernels } from '../board-options.js';
import { parseCommand } from '../plan-boards.js';

const usage = `usage: carveout plan board.dts|board.dtb --kernel ID [options]
${BOARD_FLAGS_HELP}
  --format text|json
  --warnings            show the DTS compiler's warnings (default: their count; the kernel build
                        turns most dtc warnings off)
  --wide                the region table at full width (default on a terminal: fit its width)`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand('plan', usage, argv, { '--format': 'value', '--warnings': 'switch', '--wide': 'switch' });
  if (typeof parsed === 'number') return parsed;
  const { args, own, bad } = parsed;
  const format = own.get('--format')?.at(-1) ?? 'text';
  if (format !== 'text' && format !== 'json') return bad(`unknown format '${format}'`);
  if (!args.file) return bad('no input file');
  const kernels = resolveKernels(args);
  if ('error' in kernels) return bad(kernels.error, !kernels.inFiles);
  if (kernels.profiles.length === 0) return bad('--kernel (or --kernel-config with --system-map) is required');
  if (kernels.profiles.length > 1) return bad('plan takes one kernel');
  const profile = kernels.profiles[0]!;

  const user = await loadHandlerFiles(args.handlerFiles);
  const loaded = loadBoardFor(args, profile);
  // The compiler's warnings about the board file (the kernel build runs dtc with most of them off).
  const compileWarnings = new Set(loaded.diagnostics.filter((d) => d.severity === 'warning'));
  loaded.diagnostics.unshift(...user.diagnostics);
  const result = plan(loaded, {
    kernel: profile,
    handlers: user.handlers,
    earlyParams: user.earlyParams,
    ...(args.bootargs !== undefined ? { bootargs: args.bootargs } : {}),
  });
  const shown = own.has('--warnings') ? result.diagnostics : result.diagnostics.filter((d) => !compileWarnings.has(d));
  const hidden = result.diagnostics.length - shown.length;
  const tty = process.stdout.isTTY === true;
  const text: PlanTextOptions = {
    physAddrBits: profile.physAddrBits,
    ...(tty && !own.has('--wide') && process.stdout.columns ? { width: process.stdout.columns } : {}),
    // NO_COLOR (no-color.org): any value turns colours off
    color: tty && process.env.NO_COLOR === undefined,
  };
  report({ ...result, diagnostics: format === 'json' ? result.diagnostics : shown }, format, text);
  if (format === 'text' && hidden > 0)
    process.stderr.write(`${hidden} compiler warning${hidden === 1 ? '' : 's'} not shown (--warnings shows them)\n`);
  return result.exitCode;
}

function report(result: PlanResult, format: string, text: PlanTextOptions): void {
  const readSource = sourceReader();
  if (format === 'json') {
    process.stdout.write(formatPlanJson(result));
    return;
  }
  // Exit 2: the boot could not be modelled, only the reasons are worth printing.
  if (result.exitCode !== 2) process.stdout.write(formatPlanText(result, text));
  for (const d of result.diagnostics) process.stderr.write(renderDiagnostic(d, readSource) + '\n');
}
