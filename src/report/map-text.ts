// `carveout map` in the terminal: one bar per RAM bank (and one for ranges outside RAM), laid out
// by map-layout.ts at the terminal's width, each range drawn with its key letter (a 4 KiB region
// still gets a cell), long free stretches collapsed to `~~~`; addresses under the bar, then the
// key table, the ranges that have no address, and the legend. Colours by kind only when asked
// (the CLI asks on a TTY).
import type { MapData, MapItem } from './map-model.js';
import { mapKinds } from './map-model.js';
import { layoutMap } from './map-layout.js';

export interface TextOptions {
  /** Columns available (default 100). */
  width?: number;
  /** ANSI colours. */
  color?: boolean;
}

const KEYS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `#rrggbb` as a 24-bit ANSI background with white or black text, whichever reads. */
function paint(hex: string, s: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  const fg = r * 0.3 + g * 0.59 + b * 0.11 > 140 ? '30' : '97';
  return `\x1b[${fg};48;2;${r};${g};${b}m${s}\x1b[0m`;
}

export function formatMapText(map: MapData, opts: TextOptions = {}): string {
  const cols = Math.max(40, opts.width ?? 100);
  const color = opts.color ?? false;
  const colourOf = new Map(mapKinds.map((k) => [k.kind, k.colour]));
  const labelOf = new Map(mapKinds.map((k) => [k.kind, k.label]));
  const addr = (s: string): string => '0x' + BigInt(s).toString(16).padStart(map.digits, '0');
  const last = (s: string): string => addr((BigInt(s) - 1n).toString());
  const placed = map.items
    .filter((it) => it.base !== null && it.end !== null && BigInt(it.end) > BigInt(it.base))
    .sort((a, b) => (BigInt(a.base!) < BigInt(b.base!) ? -1 : BigInt(a.base!) > BigInt(b.base!) ? 1 : 0));
  const unplaced = map.items.filter((it) => !placed.includes(it));
  // Keys and the table in address order, the ranges without an address last.
  const ordered = [...placed, ...unplaced];
  const key = new Map<string, string>();
  ordered.forEach((it, i) => key.set(it.id, KEYS[i] ?? '*'));
  const byId = new Map(map.items.map((it) => [it.id, it]));
  const out: string[] = [`kernel ${map.kernel}`];
  const barW = cols - 4;
  // A bar per bank; ranges outside every bank get one of their own.
  const windows: { title: string; lo: string; hi: string; banks: MapData['banks'] }[] = map.banks.map((b) => ({
    title: `RAM ${addr(b.base)}..${last(b.end)} (${b.sizeText})`,
    lo: b.base,
    hi: b.end,
    banks: [b],
  }));
  const inBank = (it: MapItem): boolean => map.banks.some((b) => BigInt(it.base!) < BigInt(b.end) && BigInt(it.end!) > BigInt(b.base));
  const outside = placed.filter((it) => !inBank(it));
  if (outside.length) {
    const lo = outside.reduce((a, it) => (BigInt(it.base!) < a ? BigInt(it.base!) : a), BigInt(outside[0]!.base!));
    const hi = outside.reduce((a, it) => (BigInt(it.end!) > a ? BigInt(it.end!) : a), 0n);
    windows.push({ title: 'outside RAM', lo: '0x' + lo.toString(16), hi: '0x' + hi.toString(16), banks: [] });
  }
  let collapsed = false;
  for (const w of windows) {
    const lay = layoutMap({ banks: w.banks, items: outside.length && !w.banks.length ? outside : placed }, barW, {
      gap: 3,
      min: 1,
      lo: w.lo,
      hi: w.hi,
    });
    const lanes: string[][] = Array.from({ length: lay.lanes }, () => Array.from({ length: barW }, () => ' '));
    const cell = (x: number): number => Math.max(0, Math.min(barW - 1, Math.floor(x)));
    for (const s of lay.segments) {
      const ch = s.kind === 'gap' ? '~' : s.kind === 'hole' ? ' ' : '.';
      if (s.kind === 'gap') collapsed = true;
      for (const lane of lanes) for (let x = cell(s.x0); x < Math.min(barW, Math.ceil(s.x1)); x++) lane[x] = ch;
    }
    // Large ranges first, so a small one drawn later keeps at least its one cell.
    const items = [...lay.items].sort((a, b) => b.x1 - b.x0 - (a.x1 - a.x0));
    const ownerOf: (string | undefined)[][] = lanes.map((l) => l.map(() => undefined));
    for (const li of items) {
      const a = cell(li.x0);
      const b = Math.max(a + 1, Math.min(barW, Math.round(li.x1)));
      for (let x = a; x < b; x++) {
        lanes[li.lane]![x] = key.get(li.id)!;
        ownerOf[li.lane]![x] = li.id;
      }
    }
    out.push('', w.title);
    for (let l = 0; l < lanes.length; l++) {
      const row = lanes[l]!;
      let text = '';
      // One colour escape per run of cells of the same range.
      for (let x = 0; x < row.length; ) {
        const id = ownerOf[l]![x];
        let y = x + 1;
        while (y < row.length && ownerOf[l]![y] === id) y++;
        const run = row.slice(x, y).join('');
        text += color && id ? paint(colourOf.get(byId.get(id)!.kind)!, run) : run;
        x = y;
      }
      out.push(`  |${text}|`);
    }
    // Addresses under the bar at segment edges, where they fit.
    const axis = Array.from({ length: cols }, () => ' ');
    let free = 0;
    // Where a collapsed gap starts is where the range before it ends: the address after the gap says more.
    const edges = lay.segments.filter((s, i) => i === 0 || (s.kind !== 'gap' && s.kind !== 'hole')).map((s) => ({ x: s.x0, a: s.lo }));
    const lastSeg = lay.segments.at(-1);
    if (lastSeg) edges.push({ x: lastSeg.x1, a: lastSeg.hi });
    for (const e of edges) {
      const label = `^${addr(e.a)}`;
      const x = Math.min(cols - label.length, Math.max(0, Math.round(e.x) + 2));
      if (x < free) continue;
      for (let i = 0; i < label.length; i++) axis[x + i] = label[i]!;
      free = x + label.length + 2;
    }
    out.push(axis.join('').trimEnd());
  }
  if (collapsed) out.push('', '  ~ free RAM, not to scale   . free RAM');
  const head = ['KEY', 'NAME', 'BASE', 'END', 'SIZE', 'KIND', 'STATUS'];
  const rows = ordered.map((it) => [
    key.get(it.id)!,
    it.name,
    it.base === null ? '-' : addr(it.base),
    it.end === null || it.base === null || it.end === it.base ? '-' : last(it.end),
    it.sizeText,
    labelOf.get(it.kind) ?? it.kind,
    it.status,
  ]);
  const wd = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[], kind?: string): string =>
    cells
      .map((c, i) => {
        const padded = i === cells.length - 1 ? c : c.padEnd(wd[i]!);
        return i === 0 && color && kind ? paint(colourOf.get(kind as MapItem['kind'])!, padded) : padded;
      })
      .join('  ')
      .trimEnd();
  out.push('', line(head));
  ordered.forEach((it, i) => out.push(line(rows[i]!, it.kind)));
  if (unplaced.length) {
    out.push('', 'not placed:');
    for (const it of unplaced) out.push(`  ${key.get(it.id)}  ${it.name}: ${it.status}${it.placement !== '-' ? ` (${it.placement})` : ''}`);
  }
  if (color) {
    const present = mapKinds.filter((k) => map.items.some((it) => it.kind === k.kind));
    out.push('', present.map((k) => `${paint(k.colour, '  ')} ${k.label}`).join('  '));
  }
  return out.join('\n') + '\n';
}
