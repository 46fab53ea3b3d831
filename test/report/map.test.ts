// The map's data, layout and its text and SVG renderings, on a board with one range of every kind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapKinds, type MapData } from '../../src/report/map-model.js';
import { layoutMap } from '../../src/report/map-layout.js';
import { formatMapText } from '../../src/report/map-text.js';
import { formatMapSvg } from '../../src/report/map-svg.js';
import { formatMapHtml } from '../../src/report/map-html.js';
import { manyMap } from './helpers.js';

const item = (m: MapData, name: string) => {
  const it = m.items.find((x) => x.name === name);
  assert.ok(it, `${name} is on the map`);
  return it;
};

test('every region and early reservation is on the map with its kind, range, handler and log lines', () => {
  const m = manyMap();
  assert.equal(item(m, 'firmware@80000000').kind, 'nomap');
  assert.equal(item(m, 'mailbox@80400000').kind, 'static');
  assert.equal(item(m, 'mailbox@80400000').sizeText, '4 KiB');
  const dsp = item(m, 'dsp-pool');
  assert.equal(dsp.kind, 'dynamic');
  assert.equal(dsp.base, '0xaf800000');
  assert.equal(dsp.end, '0xb0000000');
  assert.equal(dsp.placement, 'top-down in alloc-ranges[1]');
  assert.deepEqual(dsp.consumers, ['/dsp@1000']);
  assert.equal(dsp.handler, 'shared-dma-pool: cma → -EINVAL; shared-dma-pool: dma → 0');
  assert.deepEqual(dsp.log, [
    'Reserved memory: created DMA memory pool at 0x00000000af800000, size 8 MiB',
    'OF: reserved mem: initialized node dsp-pool, compatible id shared-dma-pool',
    'OF: reserved mem: 0x00000000af800000..0x00000000afffffff (8192 KiB) nomap non-reusable dsp-pool',
  ]);
  assert.equal(item(m, 'linux,cma').kind, 'cma');
  const huge = item(m, 'huge-pool');
  assert.equal(huge.kind, 'failed');
  assert.equal(huge.base, null);
  assert.deepEqual(huge.log, ["OF: reserved mem: failed to allocate memory for node 'huge-pool': size 2048 MiB"]);
  assert.equal(item(m, 'disabled@88000000').kind, 'unplaced');
  assert.equal(item(m, 'kernel').kind, 'kernel');
  // The node of mailbox@80400000 is written at line 30 and extended by &tiny { } at line 71.
  assert.deepEqual(
    item(m, 'mailbox@80400000').source.map((s) => s.replace(/.*\//, '')),
    ['many.dts:30', 'many.dts:71'],
  );
  assert.equal(m.banks.length, 2);
});

test('the layout keeps a 4 KiB region visible, fills the width, collapses long free stretches and holes', () => {
  const m = manyMap();
  const width = 800;
  const lay = layoutMap(m, width, { gap: 30, min: 3 });
  const total = lay.segments.reduce((a, s) => a + (s.x1 - s.x0), 0);
  assert.ok(Math.abs(total - width) < 1e-6, `segments fill the width (${total})`);
  for (let i = 1; i < lay.segments.length; i++) assert.equal(lay.segments[i]!.lo, lay.segments[i - 1]!.hi, 'segments are contiguous');
  const mailbox = lay.items.find((x) => x.id === item(m, 'mailbox@80400000').id)!;
  assert.ok(mailbox.x1 - mailbox.x0 >= 3 - 1e-9, 'the 4 KiB region is at least the minimum width');
  assert.ok(
    lay.segments.some((s) => s.kind === 'hole'),
    'the hole between the banks is collapsed',
  );
  // Ranges that do not overlap in memory do not overlap on the same lane.
  for (const a of lay.items)
    for (const b of lay.items)
      if (a !== b && a.lane === b.lane)
        assert.ok(a.x1 <= b.x0 + 1e-6 || b.x1 <= a.x0 + 1e-6 || a.x0 === b.x0, `${a.id} and ${b.id} overlap`);
  // Addresses grow left to right.
  const xs = lay.items.map((li) => li.x0);
  assert.deepEqual(
    xs,
    [...xs].sort((a, b) => a - b),
  );
  // A window shows only what is inside it.
  const win = layoutMap(m, width, { gap: 30, min: 3, lo: '0xa0000000', hi: '0xb0000000' });
  assert.deepEqual(
    win.items.map((li) => li.id),
    [item(m, 'dsp-pool').id],
  );
});

test('text: one bar per bank, a key per range, the picture fits the width, colour only when asked', () => {
  const m = manyMap();
  for (const width of [60, 100, 160]) {
    const t = formatMapText(m, { width });
    const picture = t.slice(0, t.indexOf('\nKEY'));
    for (const line of picture.split('\n')) assert.ok(line.length <= width, `line fits ${width}: ${line}`);
    assert.ok(!t.includes('\x1b['), 'no escapes without colour');
    const bars = t.split('\n').filter((l) => /^ {2}\|.*\|$/.test(l));
    assert.equal((t.match(/^RAM 0x/gm) ?? []).length, 2, 'a bar per RAM bank');
    // A second lane in the first bank when the kernel image (placed by the profile) covers the mailbox.
    const k = m.items.find((it) => it.kind === 'kernel')!;
    const over = BigInt(k.base!) < 0x80401000n && BigInt(k.end!) > 0x80400000n;
    assert.equal(bars.length, over ? 3 : 2);
    // Every placed range's key is drawn in a bar; the ones without an address are listed apart.
    const rows = t.split('\n').filter((l) => /^[a-zA-Z0-9] {4}/.test(l));
    for (const it of m.items) {
      const row = rows.find((r) => r.split(/ {2,}/)[1] === it.name);
      assert.ok(row, `${it.name} has a row`);
      const key = row[0]!;
      if (it.base !== null)
        assert.ok(
          bars.some((b) => b.includes(key)),
          `${it.name} (${key}) is drawn at width ${width}`,
        );
    }
    assert.match(t, /not placed:\n {2}\S {2}huge-pool: alloc-failed \(allocation failed\)/);
  }
  const c = formatMapText(m, { width: 100, color: true });
  assert.ok(c.includes('\x1b[97;48;2;179;54;43m'), 'the no-map colour is used on a TTY');
});

test('SVG: a rectangle with a <title> for every range, labels that do not overlap, a legend of the kinds shown', () => {
  const m = manyMap();
  const svg = formatMapSvg(m, { width: 900 });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  for (const it of m.items) {
    const el = new RegExp(`<(rect|g) class="region kind-${it.kind}" id="${it.id}" data-id="${it.id}"[^>]*>(<title>([^<]*)</title>)?`).exec(
      svg,
    );
    assert.ok(el, `${it.name} is drawn`);
    const title = el[3] ?? /<title>([^<]*)<\/title>/.exec(svg.slice(el.index))![1]!;
    assert.ok(title.startsWith(it.name), `${it.name}: title ${title}`);
    if (it.base !== null)
      assert.ok(title.includes(`0x${BigInt(it.base).toString(16).padStart(16, '0')}`), `${it.name}: title has its base`);
  }
  // Labels: same row never overlaps (6.7 px per character at 11 px monospace).
  const labels = [...svg.matchAll(/<text x="([\d.]+)" y="(\d+)" class="label" data-id="[^"]+">([^<]*)<\/text>/g)].map((x) => ({
    x: Number(x[1]),
    y: Number(x[2]),
    w: x[3]!.length * 6.7,
  }));
  assert.ok(labels.length >= 6);
  for (const a of labels)
    for (const b of labels) if (a !== b && a.y === b.y) assert.ok(a.x + a.w <= b.x || b.x + b.w <= a.x, 'labels on one row do not overlap');
  for (const k of mapKinds)
    assert.equal(
      svg.includes(`>${k.label}</text>`),
      m.items.some((it) => it.kind === k.kind),
      `legend: ${k.label}`,
    );
});

test('HTML: one file, no network, the data of each kernel and the drawing code inside', () => {
  const html = formatMapHtml([manyMap('6.12-arm64'), manyMap('6.1-arm64')], { title: 'many.dts' });
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, 'nothing loaded from elsewhere');
  assert.equal((html.match(/<section class="kernel"/g) ?? []).length, 2);
  assert.match(html, /const layoutMap = \(function layoutMap/);
  assert.equal((html.match(/<\/script>/g) ?? []).length, 3, 'the data, the kinds and the code: no string in the data closes a script');
});
