// carveout check board.dts|board.dtb [--kernel ID]... [-W<id>] [-Wno-<id>] [-E<id>] [--strict]
//   [--format text|json|sarif] [-o FILE] + the board flags (src/cli/board-options.ts)
// Thin: argv → check() (src/check) → text, JSON or SARIF. Exit 0 clean, 1 an error-level finding
// (or any finding with --strict), 2 bad usage or bad input.
import { renderDiagnostic, sourceReader } from '../../diagnostics.js';
import { check, checkExitCode, getRule, RULES } from '../../check/check.js';
import { formatJson, formatSarif, formatText } from '../../check/format.js';
import type { Level } from '../../check/types.js';
import { BOARD_FLAGS_HELP, loadHandlerFiles, resolveKernels } from '../board-options.js';
import { parseCommand, usageError } from '../plan-boards.js';
import { loadBoard } from '../../board.js';
import { writeOutputFile } from '../output.js';

const usage = `usage: carveout check board.dts|board.dtb [--kernel ID]... [options]
  The binding rules always run; each --kernel adds the kernel rules for that kernel (several at once
  also compare them).
${BOARD_FLAGS_HELP}
  -W<rule>, -W <rule>   report a rule as a warning; -Wno-<rule> turns it off
  -E<rule>, -E <rule>   report a rule as an error; -Eno-<rule> back to a warning
  --strict              every warning is an error (exit 1)
  --format text|json|sarif
  -o FILE               write the report to FILE instead of standard output
rules:
${RULES.map((r) => `  ${r.id.padEnd(26)} ${r.level.padEnd(7)} ${r.help}`).join('\n')}`;

export async function run(argv: string[]): Promise<number> {
  const bad = usageError('check', usage);
  // dtc's -W/-E, attached (-Wno-overlap) or separate (-W overlap), are read before the board flags.
  const levels: Record<string, Level | 'off'> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const m = /^-([WE])(.*)$/.exec(a);
    if (!m) {
      rest.push(a);
      continue;
    }
    const spec = m[2] || argv[++i];
    if (!spec) return bad(`-${m[1]} needs a rule`);
    const off = spec.startsWith('no-');
    const id = off ? spec.slice(3) : spec;
    if (!getRule(id)) return bad(`unknown rule '${id}'`);
    levels[id] = m[1] === 'W' ? (off ? 'off' : 'warning') : off ? 'warning' : 'error';
  }
  const parsed = parseCommand('check', usage, rest, { '--format': 'value', '-o': 'value', '--strict': 'switch' });
  if (typeof parsed === 'number') return parsed;
  const { args, own } = parsed;
  const format = own.get('--format')?.at(-1) ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'sarif') return bad(`unknown format '${format}' (text, json or sarif)`);
  if (!args.file) return bad('no input file');
  const kernels = resolveKernels(args);
  if ('error' in kernels) return bad(kernels.error, !kernels.inFiles);
  const file = args.file;
  const user = await loadHandlerFiles(args.handlerFiles);
  const result = check((arch) => loadBoard(file, { ...args.board, arch }), {
    kernels: kernels.profiles,
    rules: levels,
    strict: own.has('--strict'),
    handlers: user.handlers,
    earlyParams: user.earlyParams,
    ...(args.bootargs !== undefined ? { bootargs: args.bootargs } : {}),
  });
  const readSource = sourceReader();
  for (const d of [...user.diagnostics, ...result.diagnostics]) process.stderr.write(renderDiagnostic(d, readSource) + '\n');
  const code = user.diagnostics.some((d) => d.severity === 'error') ? 2 : checkExitCode(result);
  if (code === 2) return 2;
  const text =
    format === 'json'
      ? formatJson(result.findings)
      : format === 'sarif'
        ? formatSarif(result.findings)
        : formatText(result.findings, readSource);
  const out = own.get('-o')?.at(-1);
  if (out !== undefined) {
    const err = writeOutputFile(out, new TextEncoder().encode(text));
    if (err) {
      process.stderr.write(`carveout check: ${err}\n`);
      return 2;
    }
  } else process.stdout.write(text);
  return code;
}
