// What map, explain and diff share: plan a board once per `--kernel` (board-options.ts parsed the
// flags), and print the diagnostics on stderr the way plan does.
import { renderDiagnostic, sourceReader, type Diagnostic } from '../diagnostics.js';
import type { Board } from '../board.js';
import { plan, type PlanResult } from '../kernel/plan.js';
import type { KernelProfile } from '../kernel/profiles/types.js';
import { writeOutputFile } from './output.js';
import { loadBoardFor, loadHandlerFiles, parseBoardArgs, resolveKernels, type BoardArgs, type OwnFlags } from './board-options.js';

/**
 * The second word of a command line that takes two (explain's NODE, diff's second board): the one
 * whose removal leaves board arguments that still parse with a file, tried from the end, so a
 * flag's value is never taken for it.
 */
export function takeSecondWord(argv: string[], own: OwnFlags): { word?: string; rest: string[] } {
  for (let i = argv.length - 1; i >= 0; i--) {
    if (argv[i]!.startsWith('-')) continue;
    const rest = argv.filter((_, j) => j !== i);
    const p = parseBoardArgs(rest, own);
    if (p.ok && p.args.file !== undefined) return { word: argv[i]!, rest };
  }
  return { rest: argv };
}

/** A usage error: the message and the usage on stderr, exit 2. */
/** Report bad input (exit 2): with the usage, unless the fault is in an input file's content (`usage` false). */
export type Bad = (msg: string, usage?: boolean) => number;

/** A usage error of `command`: the message and the usage on stderr, exit 2. */
export function usageError(command: string, usage: string): Bad {
  return (msg, withUsage = true) => {
    process.stderr.write(`carveout ${command}: ${msg}\n${withUsage ? `${usage}\n` : ''}`);
    return 2;
  };
}

/**
 * Parse a board command's argv: board flags and `own` flags; `--help` prints `usage` (exit 0), a
 * usage error prints it on stderr (exit 2) — either way the exit code comes back instead.
 */
export function parseCommand(
  command: string,
  usage: string,
  argv: string[],
  own: OwnFlags,
): { args: BoardArgs; own: Map<string, string[]>; bad: Bad } | number {
  const bad = usageError(command, usage);
  const parsed = parseBoardArgs(argv, own);
  if (!parsed.ok) return bad(parsed.error);
  if (parsed.help) {
    process.stdout.write(usage + '\n');
    return 0;
  }
  return { args: parsed.args, own: parsed.own, bad };
}

export interface PlannedBoard {
  profile: KernelProfile;
  board: Board;
  result: PlanResult;
}

/** Plan `args`' board on each kernel, in the order given. */
export async function planBoards(args: BoardArgs, profiles: KernelProfile[]): Promise<PlannedBoard[]> {
  const user = await loadHandlerFiles(args.handlerFiles);
  return profiles.map((profile) => {
    const board = loadBoardFor(args, profile);
    board.diagnostics.unshift(...user.diagnostics);
    const result = plan(board, {
      kernel: profile,
      handlers: user.handlers,
      earlyParams: user.earlyParams,
      ...(args.bootargs !== undefined ? { bootargs: args.bootargs } : {}),
    });
    return { profile, board, result };
  });
}

/** Each diagnostic on stderr with its source line, once (two kernels load the same file). */
export function printDiagnostics(list: Diagnostic[]): void {
  const readSource = sourceReader();
  const seen = new Set<string>();
  for (const d of list) {
    const text = renderDiagnostic(d, readSource);
    if (seen.has(text)) continue;
    seen.add(text);
    process.stderr.write(text + '\n');
  }
}

/** Write `text` to `-o FILE` (write-then-rename) or standard output; false when the file could not be written. */
export function emit(text: string, outFile: string | undefined, command: string): boolean {
  if (outFile === undefined) {
    process.stdout.write(text);
    return true;
  }
  const err = writeOutputFile(outFile, new TextEncoder().encode(text));
  if (err) process.stderr.write(`carveout ${command}: ${err}\n`);
  return err === undefined;
}

/**
 * The board file and `--kernel`s checked, the board planned on each kernel and the diagnostics
 * printed; an exit code (2) instead when the arguments or the board are bad.
 */
export async function planArgs(args: BoardArgs, bad: Bad): Promise<PlannedBoard[] | number> {
  if (!args.file) return bad('no input file');
  if (args.kernels.length === 0) return bad('--kernel is required');
  const kernels = resolveKernels(args);
  if ('error' in kernels) return bad(kernels.error, !kernels.inFiles);
  const planned = await planBoards(args, kernels.profiles);
  printDiagnostics(planned.flatMap((p) => p.result.diagnostics));
  return planned.some((p) => p.result.exitCode === 2) ? 2 : planned;
}
