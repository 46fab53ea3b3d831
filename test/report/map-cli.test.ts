// `carveout map`: each format through the CLI equals the library's rendering of the same plan;
// -o writes the file; usage errors are exit 2 on stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runCli } from '../helpers/cli.js';
import { loadBoard } from '../../src/board.js';
import { plan } from '../../src/kernel/plan.js';
import { loadHandlers } from '../../src/kernel/handler-api.js';
import { mapData } from '../../src/report/map-model.js';
import { formatMapText } from '../../src/report/map-text.js';
import { formatMapSvg } from '../../src/report/map-svg.js';
import { formatMapHtml } from '../../src/report/map-html.js';
import { manyDts, manyMap } from './helpers.js';

const mca = join(repoRoot, 'examples/mca/board.dts');
const mcaHandler = join(repoRoot, 'examples/mca/mca-handler.ts');

test('map --format text|svg on the seed example equals the library, with its handler', async () => {
  const board = loadBoard(mca, { arch: 'arm' });
  const h = await loadHandlers(mcaHandler);
  const m = mapData(plan(board, { kernel: '6.1-armmp', handlers: h.handlers }), {
    physAddrBits: 32,
    ...(board.tree ? { tree: board.tree } : {}),
  });
  const text = runCli(['map', mca, '--kernel', '6.1-armmp', '--handlers', mcaHandler, '--width', '90']);
  assert.equal(text.status, 0, text.stderr);
  assert.equal(text.stdout, formatMapText(m, { width: 90 }));
  assert.ok(!text.stdout.includes('\x1b['), 'no colour when standard output is not a terminal');
  assert.match(text.stdout, /mca@b8000000 +0xb8000000 +0xbbffffff +64 MiB +static, no-map +ok/);
  const svg = runCli(['map', mca, '--kernel', '6.1-armmp', '--handlers', mcaHandler, '--format', 'svg']);
  assert.equal(svg.status, 0, svg.stderr);
  assert.equal(svg.stdout, formatMapSvg(m));
});

test('map --format html -o FILE with two kernels: one page, both columns; a failed region is exit 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-map-'));
  const out = join(dir, 'many.html');
  const r = runCli(['map', manyDts, '--kernel', '6.12-arm64', '--kernel', '6.1-arm64', '--format', 'html', '-o', out]);
  assert.equal(r.status, 1, 'huge-pool cannot be placed');
  assert.equal(r.stdout, '');
  assert.equal(readFileSync(out, 'utf8'), formatMapHtml([manyMap('6.12-arm64'), manyMap('6.1-arm64')], { title: 'many.dts' }));
});

test('map usage errors: exit 2, stderr only', () => {
  for (const args of [
    ['map', manyDts],
    ['map', manyDts, '--kernel', '6.12-arm64', '--format', 'pdf'],
    ['map', manyDts, '--kernel', 'nope'],
    ['map', '--kernel', '6.12-arm64'],
    ['map', manyDts, '--kernel', '6.12-arm64', '--width', '3'],
  ]) {
    const r = runCli(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^carveout map: /);
  }
  const missing = runCli(['map', join(repoRoot, 'no-such.dts'), '--kernel', '6.12-arm64']);
  assert.equal(missing.status, 2);
  assert.equal(missing.stdout, '');
  assert.match(missing.stderr, /no-such\.dts/);
});
