// carveout diff A.dts B.dts --kernel ID           two boards on one kernel
// carveout diff board.dts --kernel A --kernel B   one board on two kernels
// carveout diff board.dts --kernel ID --log FILE  the plan against a boot log (what the kernel did)
// [board flags] [--format text|json] [-o FILE]. Thin: plans (plan-boards.ts) or a boot log read by
// src/verify → src/report/diff.ts. Exit 0 same, 1 different, 2 bad input.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { BOARD_FLAGS_HELP } from '../board-options.js';
import { emit, parseCommand, planArgs, takeSecondWord } from '../plan-boards.js';
import { diffSides, diffToJson, formatDiffText, sideOfObservation, sideOfPlan, type DiffSide } from '../../report/diff.js';
import { parseConsole } from '../../verify/observation.js';
import { observedRegions } from '../../verify/regions.js';
import { comparableLog } from '../../verify/verify.js';

const usage = `usage: carveout diff A.dts B.dts --kernel ID [options]        two boards, one kernel
       carveout diff board.dts --kernel A --kernel B [options]  one board, two kernels
       carveout diff board.dts --kernel ID --log FILE [options]   the plan against a boot log
${BOARD_FLAGS_HELP}
  --log FILE            a kernel's console output (dmesg, serial log); its reserved-memory lines
                        and regions are compared with the plan's
  --format text|json
  -o FILE               write there instead of standard output
exit: 0 no difference, 1 different, 2 bad input`;

export async function run(argv: string[]): Promise<number> {
  const ownFlags = { '--format': 'value', '-o': 'value', '--log': 'value' } as const;
  const { word: second, rest } = takeSecondWord(argv, ownFlags);
  const parsed = parseCommand('diff', usage, rest, ownFlags);
  if (typeof parsed === 'number') return parsed;
  const { args, own, bad } = parsed;
  const format = own.get('--format')?.at(-1) ?? 'text';
  if (format !== 'text' && format !== 'json') return bad(`unknown format '${format}'`);
  const logFile = own.get('--log')?.at(-1);
  const ways = [second !== undefined, args.kernels.length === 2, logFile !== undefined].filter((x) => x).length;
  if (ways !== 1 || args.kernels.length === 0 || args.kernels.length > 2 || (second !== undefined && args.kernels.length !== 1))
    return bad('give two boards and one --kernel, one board and two --kernel, or one board, one --kernel and --log');
  // the log read before planning: a plan's own notes must not precede a usage error
  let logText: string | undefined;
  if (logFile !== undefined) {
    try {
      logText = readFileSync(logFile, 'utf8');
    } catch (e) {
      process.stderr.write(`carveout diff: cannot read ${logFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
      return 2;
    }
  }
  const planned = await planArgs(args, bad);
  if (typeof planned === 'number') return planned;
  const first = planned[0]!;
  const name = basename(args.file ?? '');
  let a: DiffSide;
  let b: DiffSide;
  if (second !== undefined) {
    const other = await planArgs({ ...args, file: second }, bad);
    if (typeof other === 'number') return other;
    a = sideOfPlan(first.result, `${name} on ${first.profile.id}`);
    b = sideOfPlan(other[0]!.result, `${basename(second)} on ${first.profile.id}`);
  } else if (logFile !== undefined) {
    const text = logText ?? '';
    const obs = parseConsole(first.profile.id, text);
    const plan = sideOfPlan(first.result, `${name} on ${first.profile.id} (plan)`);
    a = { ...plan, log: comparableLog(plan.log) };
    b = sideOfObservation(
      first.board.tree ? observedRegions(obs, first.board.tree) : [],
      comparableLog(obs.log.map((l) => l.text)),
      `${basename(logFile)} (what the kernel did)`,
    );
  } else {
    const second = planned[1]!;
    a = sideOfPlan(first.result, `${name} on ${first.profile.id}`);
    b = sideOfPlan(second.result, `${name} on ${second.profile.id}`);
  }
  const d = diffSides(a, b);
  const outFile = own.get('-o')?.at(-1);
  const color = outFile === undefined && process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
  const text =
    format === 'json'
      ? JSON.stringify(diffToJson(d), null, 2) + '\n'
      : formatDiffText(d, { physAddrBits: first.profile.physAddrBits, color });
  if (!emit(text, outFile, 'diff')) return 2;
  return d.same ? 0 : 1;
}
