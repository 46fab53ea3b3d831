// --overlay on board commands: loadBoard applies the overlays as fdtoverlay does (the blob is
// `carveout apply`'s), the plan sees the overlay's regions, and a note names the overlay that
// added or changed a /reserved-memory node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadBoard } from '../../src/board.js';
import { plan } from '../../src/kernel/plan.js';
import { applyOverlayFiles } from '../../src/overlay/load.js';
import { repoRoot, runCli } from '../helpers/cli.js';

const board = join(repoRoot, 'examples/overlay/board.dts');
const cma = join(repoRoot, 'examples/overlay/cma.dtso');

test('loadBoard overlays: the blob carveout apply writes, the CMA pool planned, a note naming the overlay', () => {
  const b = loadBoard(board, { overlays: [cma] });
  assert.deepEqual(
    b.diagnostics.filter((d) => d.severity !== 'warning'),
    [
      {
        severity: 'note',
        code: 'overlay-change',
        message: `overlay '${cma}' (fragment@0) added /reserved-memory/linux,cma`,
        file: cma,
        line: 0,
        column: 0,
        endLine: 0,
        endColumn: 0,
      },
    ],
  );
  const applied = applyOverlayFiles(board, [cma]);
  assert.ok(b.blob && applied.blob);
  assert.ok(Buffer.from(b.blob).equals(Buffer.from(applied.blob)));
  assert.ok(b.overlayChanges?.some((c) => c.kind === 'node-added' && c.path === '/reserved-memory/linux,cma'));
  const withPool = plan(b, { kernel: '6.12-arm64' });
  const pool = withPool.regions.find((r) => r.path === '/reserved-memory/linux,cma');
  assert.ok(pool, 'the overlay CMA pool is planned');
  assert.equal(pool.size, 0x4000000n);
  assert.equal(pool.base, 0x5c000000n); // top-down in alloc-ranges, below 0x60000000
  const without = plan(loadBoard(board), { kernel: '6.12-arm64' });
  assert.ok(!without.regions.some((r) => r.path === '/reserved-memory/linux,cma'));
});

test('plan --overlay (JSON): the region and the note; an overlay that does not apply is exit 2', () => {
  const r = runCli(['plan', board, '--overlay', cma, '--kernel', '6.12-arm64', '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { regions: { path: string; base: string }[]; diagnostics: { code: string; message: string }[] };
  assert.deepEqual(
    j.regions.map((x) => [x.path, x.base]),
    [
      ['/reserved-memory/linux,cma', '0x5c000000'],
      ['/reserved-memory/firmware@7f000000', '0x7f000000'],
    ],
  );
  assert.ok(j.diagnostics.some((d) => d.code === 'overlay-change' && d.message.endsWith('(fragment@0) added /reserved-memory/linux,cma')));
  // The board as a blob built without -@: the overlay's labels cannot be resolved.
  const bad = runCli(['plan', join(repoRoot, 'examples/overlay/cma.dtso'), '--overlay', cma, '--kernel', '6.12-arm64']);
  assert.equal(bad.status, 2);
  assert.match(
    bad.stderr,
    /label 'reserved_memory' \(used at \/fragment@0:target\) is not in the base's \/__symbols__ \(libfdt: FDT_ERR_NOTFOUND\) \[overlay-label-missing\]/,
  );
});

test('map and check take --overlay too (the shared board flags)', () => {
  const map = runCli(['map', board, '--overlay', cma, '--kernel', '6.12-arm64']);
  assert.equal(map.status, 0, map.stderr);
  assert.match(map.stdout, /^b +linux,cma +0x000000005c000000 +0x000000005fffffff +64 MiB/m);
  assert.match(map.stderr, /overlay '.*cma\.dtso' \(fragment@0\) added \/reserved-memory\/linux,cma/);
  const without = runCli(['map', board, '--kernel', '6.12-arm64']);
  assert.doesNotMatch(without.stdout, /linux,cma/);
  const check = runCli(['check', board, '--overlay', join(repoRoot, 'examples/overlay/missing.dtso'), '--kernel', '6.12-arm64']);
  assert.equal(check.status, 2);
  assert.match(check.stderr, /missing\.dtso/);
});
