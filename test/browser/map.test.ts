// The map's HTML page and SVG in a real browser: Debian's chromium driven by playwright-core.
// The page must load with every network request refused, show the right details when a range is
// hovered or reached with the keyboard, zoom to an address window, and draw every range; the SVG
// alone must hold every range with its <title>, and its labels must not overlap as the browser
// lays them out. Screenshots go to test-output/browser/ (CI keeps them as artifacts).
//
// Chromium is looked for at /usr/bin/chromium (Debian's `chromium` package; CARVEOUT_CHROMIUM
// overrides). Without it the test is skipped locally and fails under CI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../helpers/cli.js';
import { formatMapHtml } from '../../src/report/map-html.js';
import { formatMapSvg } from '../../src/report/map-svg.js';
import { mapData, type MapData } from '../../src/report/map-model.js';
import { loadBoard } from '../../src/board.js';
import { plan } from '../../src/kernel/plan.js';
import { findKernelSource } from '../helpers/kernel-source.js';
import { manyMap } from '../report/helpers.js';

const chromiumPath = process.env.CARVEOUT_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
const skip = !haveChromium && !process.env.CI ? `no chromium at ${chromiumPath} (apt-get install chromium); runs under CI` : false;
export const outDir = join(repoRoot, 'test-output', 'browser');

const addr = (m: MapData, s: string) => '0x' + BigInt(s).toString(16).padStart(m.digits, '0');

test('map HTML in chromium: no network, details on hover and keyboard, zoom, every range drawn', { skip, timeout: 240_000 }, async () => {
  assert.ok(haveChromium, `CI needs chromium at ${chromiumPath}`);
  const { chromium } = await import('playwright-core');
  mkdirSync(outDir, { recursive: true });
  const maps = [manyMap('6.12-arm64'), manyMap('6.1-arm64')];
  const file = join(outDir, 'many.html');
  writeFileSync(file, formatMapHtml(maps, { title: 'many.dts' }));
  const pageUrl = pathToFileURL(file).href;
  const browser = await chromium.launch({ executablePath: chromiumPath, timeout: 60_000 });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, offline: true });
    const refused: string[] = [];
    await context.route('**/*', (route) => {
      if (route.request().url() === pageUrl) return route.continue();
      refused.push(route.request().url());
      return route.abort();
    });
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    await page.goto(pageUrl);
    assert.deepEqual(
      requests.filter((u) => u !== pageUrl),
      [],
      'the page asks the network for nothing',
    );
    assert.deepEqual(refused, []);

    // Every range with an address is a rectangle in both columns; the others are listed under it.
    for (const [k, m] of maps.entries()) {
      for (const it of m.items) {
        const n = await page.locator(`[data-k="${k}"] svg [data-id="${it.id}"].region`).count();
        assert.equal(n, 1, `kernel ${m.kernel}: ${it.name} drawn once`);
        assert.equal(await page.locator(`[data-k="${k}"] tbody tr[data-id="${it.id}"]`).count(), 1, `${it.name} listed`);
      }
    }

    // Hover: the details of dsp-pool, and its row highlighted.
    const m0 = maps[0]!;
    const dsp = m0.items.find((it) => it.name === 'dsp-pool')!;
    await page.hover(`#k0-${dsp.id}`);
    const field = async (k: number, f: string) => (await page.locator(`#details-${k} dd[data-field="${f}"]`).textContent()) ?? '';
    assert.equal(await field(0, 'path'), '/reserved-memory/dsp-pool');
    assert.equal(await field(0, 'base'), addr(m0, dsp.base!));
    assert.equal(await field(0, 'end'), addr(m0, (BigInt(dsp.end!) - 1n).toString()));
    assert.equal(await field(0, 'size'), '8 MiB');
    assert.equal(await field(0, 'flags'), 'no-map, dynamic');
    assert.equal(await field(0, 'placement'), 'top-down in alloc-ranges[1]');
    assert.equal(await field(0, 'handler'), dsp.handler);
    assert.equal(await field(0, 'result'), '0');
    assert.equal(await field(0, 'consumers'), '/dsp@1000');
    assert.equal(await field(0, 'log'), dsp.log.join('\n'));
    assert.match(await field(0, 'source'), /many\.dts:\d+$/);
    assert.equal(await page.locator(`[data-k="0"] tbody tr[data-id="${dsp.id}"]`).getAttribute('class'), 'hl');
    // The same node in the other kernel's column shows too.
    assert.equal(await field(1, 'path'), '/reserved-memory/dsp-pool');
    await page.screenshot({ path: join(outDir, 'many-hover.png'), fullPage: true });

    // Keyboard: focus a list row, arrow down to the next one: its details show.
    const rows = page.locator('[data-k="0"] tbody tr');
    await rows.nth(0).focus();
    await page.keyboard.press('ArrowDown');
    // (Page code as strings: the project's TypeScript has no DOM types.)
    const focusedId = await page.evaluate<string>('document.activeElement.dataset.id');
    const second = m0.items.find((it) => it.id === focusedId)!;
    assert.equal(second.id, await rows.nth(1).getAttribute('data-id'), 'ArrowDown moves to the next row');
    // The list is in address order.
    const listed = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    const bases = listed.map((id) => m0.items.find((it) => it.id === id)!.base).filter((b) => b !== null);
    assert.deepEqual(
      bases,
      [...bases].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1)),
    );
    assert.equal(await page.locator('#details-0 h3').textContent(), second.name);
    // Tab reaches the ranges in the picture.
    await page.focus(`#k0-${m0.items[0]!.id}`);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate<string>("document.activeElement.getAttribute('class').split(' ')[0]"), 'region');

    // Zoom to [0xa0000000, 0xb0000000): only dsp-pool is drawn in the first column.
    await page.fill('#lo', '0xa0000000');
    await page.fill('#hi', '0xb0000000');
    await page.click('#zoom button[type=submit]');
    assert.equal(await page.locator('#window').textContent(), '0xa0000000 .. 0xb0000000');
    const drawn = await page.locator('[data-k="0"] svg rect.region').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    assert.deepEqual(drawn, [dsp.id]);
    const zoomed = await page.locator(`#k0-${dsp.id}`).boundingBox();
    assert.ok(zoomed && zoomed.width > 200, `zoomed in, dsp-pool is wide (${zoomed?.width})`);
    await page.screenshot({ path: join(outDir, 'many-zoom.png'), fullPage: true });
    // Escape: the whole map again.
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#window').textContent(), 'whole map');
    assert.equal(await page.locator('[data-k="0"] svg rect.region').count(), m0.items.filter((it) => it.base !== null).length);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('map SVG in chromium: every range with its <title>, labels that do not overlap as laid out', { skip, timeout: 120_000 }, async () => {
  assert.ok(haveChromium, `CI needs chromium at ${chromiumPath}`);
  const { chromium } = await import('playwright-core');
  mkdirSync(outDir, { recursive: true });
  const m = manyMap('6.12-arm64');
  const svg = formatMapSvg(m);
  writeFileSync(join(outDir, 'many.svg'), svg);
  const browser = await chromium.launch({ executablePath: chromiumPath, timeout: 60_000 });
  try {
    const page = await browser.newPage({ viewport: { width: 1040, height: 500 } });
    await page.setContent(`<!doctype html><body style="margin:0">${svg}</body>`);
    const parsed = await page.evaluate<{ error: string | null; regions: { id: string; title: string }[] }>(`(() => {
      const doc = new DOMParser().parseFromString(${JSON.stringify(svg)}, 'image/svg+xml');
      const err = doc.querySelector('parsererror');
      return {
        error: err ? err.textContent : null,
        regions: [...doc.querySelectorAll('.region')].map((e) => ({ id: e.getAttribute('data-id'), title: e.querySelector('title')?.textContent ?? '' })),
      };
    })()`);
    assert.equal(parsed.error, null, 'the SVG is well-formed XML');
    for (const it of m.items) {
      const r = parsed.regions.find((x) => x.id === it.id);
      assert.ok(r, `${it.name} is in the SVG`);
      assert.ok(r.title.startsWith(it.name), `${it.name}: <title> ${r.title}`);
      assert.ok(r.title.includes(it.status), `${it.name}: <title> has the status`);
      if (it.base !== null) assert.ok(r.title.includes(addr(m, it.base)), `${it.name}: <title> has the base`);
    }
    const boxes = await page.locator('svg text.label').evaluateAll((els) =>
      els.map((e) => {
        const b = (e as unknown as { getBBox(): { x: number; y: number; width: number; height: number } }).getBBox();
        return { text: e.textContent, x: b.x, y: b.y, w: b.width, h: b.height };
      }),
    );
    assert.ok(boxes.length >= m.items.filter((it) => it.base !== null).length);
    for (const a of boxes)
      for (const b of boxes) {
        if (a === b) continue;
        const apart = a.x + a.w <= b.x + 0.5 || b.x + b.w <= a.x + 0.5 || a.y + a.h <= b.y + 0.5 || b.y + b.h <= a.y + 0.5;
        assert.ok(apart, `labels ${a.text} and ${b.text} overlap`);
      }
    await page.screenshot({ path: join(outDir, 'many-svg.png'), fullPage: true });
  } finally {
    await browser.close();
  }
});

test('map HTML of a large Qualcomm board (sm8550-qrd, 40+ regions): every range drawn and listed, details on hover', {
  skip,
  timeout: 1_800_000,
}, async (t) => {
  assert.ok(haveChromium, `CI needs chromium at ${chromiumPath}`);
  // The kernel's own board file; CI unpacks the 6.12 source for the corpus, locally it may be absent.
  // (Unpacking it here, when this test comes first, takes minutes: hence the long timeout.)
  const src = await findKernelSource('6.12', { install: Boolean(process.env.CI) });
  if (!src) {
    t.skip('no Linux 6.12 source tree (set CARVEOUT_LINUX_SOURCE)');
    return;
  }
  const { chromium } = await import('playwright-core');
  mkdirSync(outDir, { recursive: true });
  const dts = join(src, 'arch/arm64/boot/dts/qcom/sm8550-qrd.dts');
  // The memory node's size is the boot loader's: 8 GiB from 0x80000000, as on the QRD.
  const board = loadBoard(dts, {
    arch: 'arm64',
    includeDirs: [join(src, 'scripts/dtc/include-prefixes')],
    memory: [{ base: 0x80000000n, size: 8n << 30n }],
  });
  const result = plan(board, { kernel: '6.12-arm64' });
  assert.notEqual(result.exitCode, 2, result.diagnostics.map((d) => d.message).join('\n'));
  const m = mapData(result, { physAddrBits: 64, ...(board.tree ? { tree: board.tree } : {}) });
  assert.ok(m.items.filter((it) => it.path !== null).length >= 40, `${m.items.length} ranges`);
  const file = join(outDir, 'sm8550-qrd.html');
  writeFileSync(file, formatMapHtml([m], { title: 'qcom/sm8550-qrd.dts' }));
  const browser = await chromium.launch({ executablePath: chromiumPath, timeout: 60_000 });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(pathToFileURL(file).href);
    const drawn = await page.locator('[data-k="0"] svg .region').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    assert.deepEqual(new Set(drawn), new Set(m.items.map((it) => it.id)), 'every range is drawn');
    const mpss = m.items.find((it) => it.name === 'mpss-region@8a800000')!;
    await page.hover(`#k0-${mpss.id}`);
    assert.equal(await page.locator('#details-0 dd[data-field="path"]').textContent(), '/reserved-memory/mpss-region@8a800000');
    assert.equal(await page.locator('#details-0 dd[data-field="size"]').textContent(), '264 MiB');
    assert.match((await page.locator('#details-0 dd[data-field="source"]').textContent()) ?? '', /sm8550\.dtsi:\d+/);
    await page.screenshot({ path: join(outDir, 'sm8550-qrd.png'), fullPage: false });
  } finally {
    await browser.close();
  }
});
