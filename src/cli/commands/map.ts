// carveout map board.dts|board.dtb --kernel ID [--kernel ID2] [board flags] [--format text|svg|html] [-o FILE]
// Thin: board flags (board-options.ts) → plan per kernel → map-model.ts → the chosen renderer.
// Exit as plan: 0 all placed, 1 the kernel fails or rejects a region, 2 bad input.
import { basename } from 'node:path';
import { BOARD_FLAGS_HELP } from '../board-options.js';
import { emit, parseCommand, planArgs } from '../plan-boards.js';
import { mapData } from '../../report/map-model.js';
import { formatMapText } from '../../report/map-text.js';
import { formatMapSvg } from '../../report/map-svg.js';
import { formatMapHtml } from '../../report/map-html.js';

const usage = `usage: carveout map board.dts|board.dtb --kernel ID [--kernel ID2] [options]
${BOARD_FLAGS_HELP}
  --format text|svg|html  text: a bar per RAM bank (colour on a terminal); svg: one picture per
                        kernel, one after the other; html: one page, kernels side by side (default text)
  --width N             text columns (default: the terminal's, else 100) or SVG pixels (default 1000)
  -o FILE               write there instead of standard output`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand('map', usage, argv, { '--format': 'value', '-o': 'value', '--output': 'value', '--width': 'value' });
  if (typeof parsed === 'number') return parsed;
  const { args, own, bad } = parsed;
  const format = own.get('--format')?.at(-1) ?? 'text';
  if (format !== 'text' && format !== 'svg' && format !== 'html') return bad(`unknown format '${format}' (text, svg or html)`);
  const outFile = own.get('-o')?.at(-1) ?? own.get('--output')?.at(-1);
  const widthArg = own.get('--width')?.at(-1);
  const width = widthArg === undefined ? undefined : Number(widthArg);
  if (width !== undefined && !(Number.isInteger(width) && width >= 40 && width <= 100_000))
    return bad(`--width ${widthArg}: a whole number from 40`);
  const planned = await planArgs(args, bad);
  if (typeof planned === 'number') return planned;
  const maps = planned.map((p) =>
    mapData(p.result, { physAddrBits: p.profile.physAddrBits, ...(p.board.tree ? { tree: p.board.tree } : {}) }),
  );
  let text: string;
  if (format === 'html') text = formatMapHtml(maps, { title: basename(args.file ?? '') });
  else if (format === 'svg') text = maps.map((m) => formatMapSvg(m, width !== undefined ? { width } : {})).join('');
  else {
    const tty = outFile === undefined && process.stdout.isTTY === true;
    const color = tty && process.env.NO_COLOR === undefined;
    const cols = width ?? (tty ? process.stdout.columns : undefined) ?? 100;
    text = maps.map((m) => formatMapText(m, { width: cols, color })).join('\n');
  }
  if (!emit(text, outFile, 'map')) return 2;
  return planned.some((p) => p.result.exitCode === 1) ? 1 : 0;
}
