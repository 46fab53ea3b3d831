// carveout explain board.dts|board.dtb NODE|ADDRESS --kernel ID [--kernel ID2] [board flags] [--format text|json]
// Thin: board flags → plan per kernel → src/report/explain.ts. NODE is a path, a node name or a
// label (&cma); ADDRESS is hex or decimal. Exit 0, or 2 when the board or the NODE is unknown.
import { BOARD_FLAGS_HELP } from '../board-options.js';
import { emit, parseCommand, planArgs, takeSecondWord } from '../plan-boards.js';
import {
  explainAddress,
  explainRegion,
  findRegion,
  formatExplainJson,
  formatExplainText,
  parseAddress,
  type Explanation,
} from '../../report/explain.js';

const usage = `usage: carveout explain board.dts|board.dtb NODE|ADDRESS --kernel ID [options]
  NODE                  /reserved-memory/name, a node name, or a label (&cma)
  ADDRESS               a physical address (0x9f000000): every region and early reservation over it
${BOARD_FLAGS_HELP}
  --format text|json
  -o FILE               write there instead of standard output`;

export async function run(argv: string[]): Promise<number> {
  const ownFlags = { '--format': 'value', '-o': 'value' } as const;
  const { word: what, rest } = takeSecondWord(argv, ownFlags);
  const parsed = parseCommand('explain', usage, rest, ownFlags);
  if (typeof parsed === 'number') return parsed;
  const { args, own, bad } = parsed;
  const format = own.get('--format')?.at(-1) ?? 'text';
  if (format !== 'text' && format !== 'json') return bad(`unknown format '${format}'`);
  // usage first: a plan's own notes must not precede a usage error
  if (what === undefined) return bad('which region? give a NODE or an ADDRESS');
  const planned = await planArgs(args, bad);
  if (typeof planned === 'number') return planned;
  const address = parseAddress(what);
  const out: Explanation[] = [];
  for (const p of planned) {
    const o = { physAddrBits: p.profile.physAddrBits, ...(p.board.tree ? { tree: p.board.tree } : {}) };
    if (address !== undefined) {
      out.push(explainAddress(p.result, address, o));
      continue;
    }
    const r = findRegion(p.result, p.board.tree, what);
    if (!r) {
      process.stderr.write(
        `carveout explain: no /reserved-memory region '${what}' (regions: ${p.result.regions.map((x) => x.name).join(', ') || 'none'})\n`,
      );
      return 2;
    }
    out.push(explainRegion(p.result, r, o));
  }
  const text = format === 'json' ? formatExplainJson(out) : out.map(formatExplainText).join('\n');
  return emit(text, own.get('-o')?.at(-1), 'explain') ? 0 : 2;
}
