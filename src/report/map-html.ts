// `carveout map --format html`: one self-contained page (no network: a Content-Security-Policy
// that allows nothing but the page's own inline style and script), one column per kernel. Each
// column has the picture (map-svg.ts) and the list of ranges beside it; hovering or focusing a
// range in either highlights it in both (and the same node in the other kernel's column) and shows
// its details: node path, base/end/size, flags, how it was placed, handler and result, consumers,
// the log lines it caused and where its node was written. Zoom takes an address window (or `z` /
// double-click on a range); every range and list row is reachable with Tab, the list with the
// arrow keys, Escape shows the whole map again.
//
// The browser redraws a zoomed window with the same layout and drawing functions as the SVG
// output: their source is put into the page (they are self-contained for that reason).
import type { MapData } from './map-model.js';
import { mapKinds } from './map-model.js';
import { layoutMap } from './map-layout.js';
import { drawMapSvg } from './map-svg.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JSON inside <script>: `<` escaped so no string in it can close the element. */
const scriptJson = (x: unknown): string => JSON.stringify(x).replace(/</g, '\\u003c');

const STYLE = `
:root{--fg:#1d2730;--muted:#5f6b77;--line:#d5dce2;--hl:#ffd400}
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,sans-serif;color:var(--fg);background:#f7f9fa}
header{padding:10px 16px;background:#fff;border-bottom:1px solid var(--line);display:flex;flex-wrap:wrap;gap:12px;align-items:center}
header h1{font-size:17px;margin:0 12px 0 0}
header form{display:flex;gap:6px;align-items:center}
input{font:13px ui-monospace,monospace;width:13em;padding:3px 5px}
button{font:inherit;padding:3px 10px}
.hint{color:var(--muted);font-size:12px}
main{display:grid;gap:16px;padding:16px}
section.kernel{background:#fff;border:1px solid var(--line);border-radius:6px;padding:10px;min-width:0}
section.kernel h2{font-size:15px;margin:0 0 6px}
.picture{overflow-x:auto}
.below{display:flex;flex-wrap:wrap;align-items:flex-start;gap:12px;margin-top:8px}
.list{flex:3 1 420px;overflow-x:auto;max-height:70vh;overflow-y:auto}
table{border-collapse:collapse;width:100%;font:12px ui-monospace,monospace}
th,td{text-align:left;padding:2px 6px;border-bottom:1px solid #eef1f4;white-space:nowrap}
tbody tr{cursor:pointer}
tbody tr.hl,tbody tr:focus{background:#fff4b3;outline:2px solid var(--hl)}
.sw{display:inline-block;width:10px;height:10px;margin-right:5px;vertical-align:-1px}
.details{flex:2 1 300px;border:1px solid var(--line);border-radius:4px;padding:8px;font-size:12.5px;min-height:8em}
.details h3{margin:0 0 6px;font-size:14px}
.details dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:0}
.details dt{color:var(--muted)}
.details dd{margin:0;font-family:ui-monospace,monospace;overflow-wrap:anywhere}
.details pre{margin:0;white-space:pre-wrap;font-size:11.5px}
svg .region.hl{stroke:var(--hl);stroke-width:3}
`;

/** The page's own behaviour (plain browser JavaScript; drawMapSvg and layoutMap are defined before it). */
const SCRIPT = String.raw`
(function () {
  var maps = JSON.parse(document.getElementById('carveout-data').textContent);
  var kinds = JSON.parse(document.getElementById('carveout-kinds').textContent);
  var kindLabel = {};
  kinds.forEach(function (k) { kindLabel[k.kind] = k.label; });
  function item(k, id) { return maps[k].items.find(function (it) { return it.id === id; }); }
  function addr(m, s) { return '0x' + BigInt(s).toString(16).padStart(m.digits, '0'); }
  function el(tag, text) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; }
  function show(k, id) {
    var m = maps[k], it = item(k, id), box = document.getElementById('details-' + k);
    if (!it) return;
    box.textContent = '';
    box.appendChild(el('h3', it.name));
    var dl = el('dl');
    function row(field, label, value) {
      var dt = el('dt', label), dd = el('dd');
      dd.dataset.field = field;
      if (Array.isArray(value)) { var pre = el('pre', value.length ? value.join('\n') : '-'); dd.appendChild(pre); }
      else dd.textContent = value;
      dl.appendChild(dt); dl.appendChild(dd);
    }
    row('path', 'node', it.path || '(early reservation)');
    row('kind', 'kind', kindLabel[it.kind] || it.kind);
    row('base', 'base', it.base === null ? '-' : addr(m, it.base));
    row('end', 'end', it.end === null ? '-' : addr(m, (BigInt(it.end) - 1n).toString()));
    row('size', 'size', it.sizeText);
    row('flags', 'flags', it.flags.length ? it.flags.join(', ') : '-');
    row('status', 'status', it.status);
    row('placement', 'placed', it.placement);
    row('handler', 'handler', it.handler);
    row('result', 'result', it.result === null ? '-' : it.result);
    row('consumers', 'consumers', it.consumers);
    row('log', 'log', it.log);
    row('source', 'source', it.source);
    box.appendChild(dl);
  }
  var current = [];
  function highlight(k, id) {
    current.forEach(function (e) { e.classList.remove('hl'); });
    current = [];
    var it = item(k, id);
    maps.forEach(function (m, j) {
      m.items.forEach(function (o) {
        if (!(j === k ? o.id === id : it && it.path !== null && o.path === it.path)) return;
        document.querySelectorAll('[data-k="' + j + '"] [data-id="' + o.id + '"]').forEach(function (e) { e.classList.add('hl'); current.push(e); });
        show(j, o.id);
      });
    });
  }
  function pick(e) {
    var t = e.target.closest && e.target.closest('[data-id]');
    var sec = t && t.closest('[data-k]');
    if (!t || !sec) return;
    highlight(Number(sec.dataset.k), t.dataset.id);
  }
  document.addEventListener('mouseover', pick);
  document.addEventListener('focusin', pick);
  function draw(lo, hi) {
    maps.forEach(function (m, k) {
      var pic = document.getElementById('picture-' + k);
      var o = { width: Number(pic.dataset.width), idPrefix: 'k' + k + '-' };
      if (lo !== undefined) { o.lo = lo; o.hi = hi; }
      pic.innerHTML = drawMapSvg(m, kinds, o, layoutMap);
    });
    document.getElementById('window').textContent = lo === undefined ? 'whole map' : lo + ' .. ' + hi;
  }
  function parse(s) {
    s = s.trim();
    if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(s)) return undefined;
    return '0x' + BigInt(s).toString(16);
  }
  document.getElementById('zoom').addEventListener('submit', function (e) {
    e.preventDefault();
    var lo = parse(document.getElementById('lo').value), hi = parse(document.getElementById('hi').value);
    if (lo === undefined || hi === undefined || BigInt(hi) <= BigInt(lo)) { document.getElementById('window').textContent = 'give two addresses, from below to'; return; }
    draw(lo, hi);
  });
  function zoomTo(k, id) {
    var it = item(k, id);
    if (!it || it.base === null || it.end === null) return;
    var a = BigInt(it.base), b = BigInt(it.end), pad = (b - a) / 4n + 1n;
    var lo = a > pad ? a - pad : 0n;
    document.getElementById('lo').value = '0x' + lo.toString(16);
    document.getElementById('hi').value = '0x' + (b + pad).toString(16);
    draw('0x' + lo.toString(16), '0x' + (b + pad).toString(16));
  }
  document.getElementById('reset').addEventListener('click', function () { draw(); });
  document.addEventListener('dblclick', function (e) {
    var t = e.target.closest && e.target.closest('[data-id]');
    var sec = t && t.closest('[data-k]');
    if (t && sec) zoomTo(Number(sec.dataset.k), t.dataset.id);
  });
  document.addEventListener('keydown', function (e) {
    var t = document.activeElement;
    if (e.key === 'Escape') { draw(); return; }
    if (!t || !t.dataset || !t.dataset.id || e.target.tagName === 'INPUT') return;
    var sec = t.closest('[data-k]');
    if (!sec) return;
    if (e.key === 'z' || e.key === 'Enter') { zoomTo(Number(sec.dataset.k), t.dataset.id); e.preventDefault(); }
    if (t.tagName === 'TR' && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      var next = e.key === 'ArrowDown' ? t.nextElementSibling : t.previousElementSibling;
      if (next) next.focus();
      e.preventDefault();
    }
  });
})();
`;

export interface HtmlOptions {
  /** Page title (the board file). */
  title?: string;
}

/** One page for one or more maps (one per kernel), side by side. */
export function formatMapHtml(maps: MapData[], opts: HtmlOptions = {}): string {
  const width = maps.length > 1 ? 640 : 1000;
  const kindOf = new Map(mapKinds.map((k) => [k.kind, k]));
  const sections = maps.map((m, k) => {
    // The list in address order, ranges without an address last.
    const key = (it: MapData['items'][number]) => (it.base === null ? 1n << 64n : BigInt(it.base));
    const ordered = [...m.items].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
    const rows = ordered.map((it) => {
      const kind = kindOf.get(it.kind);
      const range = it.base === null ? '-' : '0x' + BigInt(it.base).toString(16).padStart(m.digits, '0');
      return (
        `<tr tabindex="0" data-id="${it.id}"><td><span class="sw" style="background:${kind?.colour ?? '#777'}"></span>${esc(it.name)}</td>` +
        `<td>${range}</td><td>${esc(it.sizeText)}</td><td>${esc(kind?.label ?? it.kind)}</td><td>${esc(it.status)}</td></tr>`
      );
    });
    return (
      `<section class="kernel" data-k="${k}" aria-label="kernel ${esc(m.kernel)}"><h2>kernel ${esc(m.kernel)}</h2>` +
      `<div class="picture" id="picture-${k}" data-width="${width}">${drawMapSvg(m, mapKinds, { width, idPrefix: `k${k}-` }, layoutMap)}</div>` +
      `<div class="below"><div class="list"><table><thead><tr><th>name</th><th>base</th><th>size</th><th>kind</th><th>status</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>` +
      `<aside class="details" id="details-${k}" aria-live="polite">Hover or focus a range to see its details.</aside></div></section>`
    );
  });
  const title = `carveout map${opts.title ? ` — ${opts.title}` : ''}`;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">`,
    `<title>${esc(title)}</title><style>${STYLE}</style></head><body>`,
    `<header><h1>${esc(title)}</h1><form id="zoom"><label>from <input id="lo" placeholder="0x80000000" aria-label="window start address"></label>` +
      `<label>to <input id="hi" placeholder="0x90000000" aria-label="window end address"></label><button type="submit">Zoom</button>` +
      `<button type="button" id="reset">Whole map</button></form><span class="hint">showing <span id="window">whole map</span> · Tab to a range, z or double-click zooms to it, Esc shows all</span></header>`,
    `<main style="grid-template-columns:repeat(${maps.length},minmax(0,1fr))">${sections.join('')}</main>`,
    `<script type="application/json" id="carveout-data">${scriptJson(maps)}</script>`,
    `<script type="application/json" id="carveout-kinds">${scriptJson(mapKinds)}</script>`,
    // Under tsx, esbuild's keepNames wraps named inner functions in __name(fn, "name"): the copied
    // source needs that helper (tsc's output does not call it).
    `<script>var __name = function (f) { return f; };\nconst layoutMap = (${layoutMap.toString()});\nconst drawMapSvg = (${drawMapSvg.toString()});\n${SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
