// `carveout map --format svg`: one standalone SVG of a map (map-model.ts). The address axis is
// laid out by map-layout.ts (RAM to scale, holes and long free stretches collapsed); each range is
// a rectangle coloured by kind with a <title> for hover, names sit above the bar in rows so no two
// overlap, addresses below it, the ranges without an address and the legend underneath.
//
// drawMapSvg is self-contained (no imports, no module state; the layout comes in as an argument)
// because map-html.ts ships its source to the browser to redraw a zoomed window.
import type { MapData, MapKind } from './map-model.js';
import { mapKinds } from './map-model.js';
import { layoutMap, type Layout, type LayoutOptions } from './map-layout.js';

export interface SvgOptions {
  /** Picture width in pixels (default 1000). */
  width?: number;
  /** Address window `[lo, hi)` (`0x…`) to draw; default everything. */
  lo?: string;
  hi?: string;
  /** Prefix for element ids, so two maps can share one page. */
  idPrefix?: string;
}

export function drawMapSvg(
  map: MapData,
  kinds: { kind: MapKind; label: string; colour: string }[],
  opts: SvgOptions,
  layout: (m: MapData, width: number, o: LayoutOptions) => Layout,
): string {
  const W = opts.width ?? 1000;
  const pad = 12;
  const inner = W - 2 * pad;
  const charW = 6.7;
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const addr = (s: string): string => '0x' + BigInt(s).toString(16).padStart(map.digits, '0');
  const size = (lo: string, hi: string): string => {
    const n = BigInt(hi) - BigInt(lo);
    const units: [bigint, string][] = [
      [1n << 30n, 'GiB'],
      [1n << 20n, 'MiB'],
      [1n << 10n, 'KiB'],
    ];
    for (const [u, name] of units) if (n >= u) return `${(Number(n) / Number(u)).toFixed(n % u === 0n ? 0 : 1)} ${name}`;
    return `${n} B`;
  };
  const colour: Record<string, string> = {};
  const kindLabel: Record<string, string> = {};
  for (const k of kinds) {
    colour[k.kind] = k.colour;
    kindLabel[k.kind] = k.label;
  }
  const lay = layout(map, inner, {
    gap: 36,
    min: 3,
    ...(opts.lo !== undefined ? { lo: opts.lo } : {}),
    ...(opts.hi !== undefined ? { hi: opts.hi } : {}),
  });
  const byId: Record<string, MapData['items'][number]> = {};
  for (const it of map.items) byId[it.id] = it;
  const pre = opts.idPrefix ?? '';
  const titleOf = (it: MapData['items'][number]): string =>
    `${it.name}${it.path ? ` (${it.path})` : ''}\n${it.base === null ? 'no address' : `${addr(it.base)}..${addr((BigInt(it.end ?? it.base) - 1n).toString())}`} ${it.sizeText}\n${kindLabel[it.kind] ?? it.kind}, ${it.status}${it.placement !== '-' ? `, ${it.placement}` : ''}`;

  // Names above the bar: each in the first row where it does not touch the previous name.
  const rowEnds: number[] = [];
  const labels = lay.items.map((li) => {
    const it = byId[li.id]!;
    const text = it.name;
    const w = text.length * charW;
    const mid = pad + (li.x0 + li.x1) / 2;
    const x = Math.max(pad, Math.min(W - pad - w, mid - w / 2));
    let row = rowEnds.findIndex((end) => end + 6 <= x);
    if (row < 0) {
      row = rowEnds.length;
      rowEnds.push(x + w);
    } else rowEnds[row] = x + w;
    return { id: li.id, text, x, row, mid };
  });
  const rowH = 14;
  const top = 30;
  const barY = top + rowEnds.length * rowH + 10;
  const laneH = 26;
  const barH = lay.lanes * laneH;
  const out: string[] = [];
  const body: string[] = [];
  const ram =
    map.banks.length === 1
      ? ` · RAM ${map.banks[0]!.sizeText} at ${addr(map.banks[0]!.base)}`
      : map.banks.length
        ? ` · RAM in ${map.banks.length} banks`
        : '';
  body.push(`<text x="${pad}" y="18" class="title">kernel ${esc(map.kernel)}${ram}</text>`);
  // The axis: RAM, collapsed gaps and holes.
  for (const s of lay.segments) {
    const x = pad + s.x0;
    const w = Math.max(0, s.x1 - s.x0);
    if (s.kind === 'gap' || s.kind === 'hole') {
      const what = s.kind === 'gap' ? `free RAM, ${size(s.lo, s.hi)} (not to scale)` : `no RAM, ${size(s.lo, s.hi)} (not to scale)`;
      body.push(
        `<g class="gap ${s.kind}"><title>${esc(`${addr(s.lo)}..${addr((BigInt(s.hi) - 1n).toString())}: ${what}`)}</title>` +
          `<rect x="${x.toFixed(1)}" y="${barY}" width="${w.toFixed(1)}" height="${barH}" fill="${s.kind === 'gap' ? '#eef1f4' : '#ffffff'}" stroke="#9aa5b1" stroke-dasharray="3 3"/>` +
          `<path d="M${(x + w / 2 - 5).toFixed(1)} ${barY - 3} l4 ${barH / 2 + 3} l-4 ${barH / 2 + 3} M${(x + w / 2 + 1).toFixed(1)} ${barY - 3} l4 ${barH / 2 + 3} l-4 ${barH / 2 + 3}" stroke="#5f6b77" fill="none"/></g>`,
      );
    } else body.push(`<rect x="${x.toFixed(1)}" y="${barY}" width="${w.toFixed(1)}" height="${barH}" fill="#e3e8ec"/>`);
  }
  // The ranges, with a leader line from each name down to its range.
  for (const l of labels) {
    const ly = top + l.row * rowH + 10;
    body.push(
      `<text x="${l.x.toFixed(1)}" y="${ly}" class="label" data-id="${l.id}">${esc(l.text)}</text>` +
        `<line x1="${l.mid.toFixed(1)}" y1="${ly + 3}" x2="${l.mid.toFixed(1)}" y2="${barY}" stroke="#9aa5b1" stroke-width="0.6"/>`,
    );
  }
  for (const li of lay.items) {
    const it = byId[li.id]!;
    const fill = colour[it.kind] ?? '#777777';
    body.push(
      `<rect class="region kind-${it.kind}" id="${pre}${li.id}" data-id="${li.id}" tabindex="0" role="img" aria-label="${esc(titleOf(it).replace(/\n/g, ', '))}" ` +
        `x="${(pad + li.x0).toFixed(1)}" y="${barY + li.lane * laneH + 1}" width="${(li.x1 - li.x0).toFixed(1)}" height="${laneH - 2}" fill="${fill}"` +
        `${it.kind === 'failed' ? ' stroke="#e0302a" stroke-width="2"' : ' stroke="#ffffff" stroke-width="0.5"'}><title>${esc(titleOf(it))}</title></rect>`,
    );
  }
  // Addresses under the bar at segment edges, skipping one that would touch its neighbour.
  const axisY = barY + barH + 14;
  let lastEnd = -Infinity;
  const edges: { x: number; a: string }[] = [];
  for (const s of lay.segments) edges.push({ x: pad + s.x0, a: s.lo });
  const lastSeg = lay.segments[lay.segments.length - 1];
  if (lastSeg) edges.push({ x: pad + lastSeg.x1, a: lastSeg.hi });
  const tickW = (map.digits + 2) * charW * 0.85;
  for (const e of edges) {
    const x = Math.max(pad, Math.min(W - pad - tickW, e.x - tickW / 2));
    if (x < lastEnd + 8) continue;
    lastEnd = x + tickW;
    body.push(
      `<line x1="${e.x.toFixed(1)}" y1="${barY + barH}" x2="${e.x.toFixed(1)}" y2="${barY + barH + 4}" stroke="#5f6b77"/>` +
        `<text x="${x.toFixed(1)}" y="${axisY}" class="tick">${addr(e.a)}</text>`,
    );
  }
  // Ranges without an address, then the legend.
  let y = axisY + 22;
  const unplaced = map.items.filter((it) => it.base === null || it.end === null || BigInt(it.end) === BigInt(it.base));
  if (unplaced.length) {
    body.push(`<text x="${pad}" y="${y}" class="head">not placed</text>`);
    for (const it of unplaced) {
      y += 16;
      body.push(
        `<g class="region kind-${it.kind}" id="${pre}${it.id}" data-id="${it.id}" tabindex="0" role="img" aria-label="${esc(titleOf(it).replace(/\n/g, ', '))}"><title>${esc(titleOf(it))}</title>` +
          `<rect x="${pad}" y="${y - 10}" width="12" height="12" fill="${colour[it.kind] ?? '#777777'}"/>` +
          `<text x="${pad + 18}" y="${y}" class="label">${esc(`${it.name}: ${it.status}${it.placement !== '-' ? ` (${it.placement})` : ''}`)}</text></g>`,
      );
    }
    y += 12;
  }
  y += 14;
  let lx = pad;
  const present = kinds.filter((k) => map.items.some((it) => it.kind === k.kind));
  for (const k of present) {
    const w = 18 + k.label.length * charW + 16;
    if (lx + w > W - pad) {
      lx = pad;
      y += 18;
    }
    body.push(
      `<rect x="${lx}" y="${y - 10}" width="12" height="12" fill="${k.colour}"/><text x="${lx + 18}" y="${y}" class="legend">${esc(k.label)}</text>`,
    );
    lx += w;
  }
  const H = y + 12;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" class="carveout-map" data-kernel="${esc(map.kernel)}">`,
    `<style>text{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:11px;fill:#1d2730}.title{font-size:13px;font-weight:bold}.head{font-weight:bold}.tick{font-size:9.5px;fill:#44505c}.region{cursor:pointer}.region:focus,.region.hl{outline:none;stroke:#ffd400;stroke-width:3}</style>`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
  );
  return out.join('\n') + '\n';
}

/** The SVG of one map. */
export function formatMapSvg(map: MapData, opts: SvgOptions = {}): string {
  return drawMapSvg(map, mapKinds, opts, layoutMap);
}
