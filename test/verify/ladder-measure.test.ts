// `carveout kernels measure` end to end, in a temp kernel cache: an own build (kernels add, the
// config and System.map of the cached 6.12-arm64 package) measured with a tiny ladder (3 boots
// under QEMU), stored in the cache with its records, and `plan` on a layout of one of those boots
// then predicts from that ladder — before it, the same plan only warns. Runs when CI is set or
// CARVEOUT_LAB=1 (apt-get for the kernel, qemu-system-arm).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLabRecordsJson } from '../../src/verify/records.js';
import type { LabCase } from '../../src/verify/generator.js';
import { nearestStep, OOM_LADDERS, type OomLadder } from '../../src/kernel/oom.js';
import { buildFilesSha256 } from '../../src/kernel/build/store.js';
import { runCli } from '../helpers/cli.js';
import { ownBuildInFreshCache } from '../helpers/own-build.js';
import { caseBoard } from '../helpers/board.js';
import { liveSkip } from '../helpers/live.js';

const KERNEL = '6.12-arm64';

test('kernels measure: a tiny ladder of an own build into a temp cache, and plan predicts from it', {
  skip: liveSkip('fetch a kernel and boot it under QEMU'),
  timeout: 20 * 60_000,
}, async (t) => {
  const { k, cache, env, config, cli } = ownBuildInFreshCache(KERNEL, 'tiny');
  // bad input first: no image, no boots
  assert.equal(cli(['kernels', 'measure', 'tiny']).status, 2);
  assert.equal(cli(['kernels', 'measure', 'tiny', '--kernel-image', k.vmlinuz, '--boots', '0']).status, 2);
  const m = cli(['kernels', 'measure', 'tiny', '--kernel-image', k.vmlinuz, '--boots', '3']);
  assert.equal(m.status, 0, `${m.stdout}\n${m.stderr}`);
  assert.equal(m.stdout.match(/^ {2}boot \d\/3: \d+ KiB free: /gm)?.length, 3, m.stdout);
  // stored in the cache: the ladder (build, files' sha256, date) beside the boots' records
  const dirs = readdirSync(join(cache, 'ladders'));
  assert.equal(dirs.length, 1);
  const dir = join(cache, 'ladders', dirs[0]!);
  const ladder = JSON.parse(readFileSync(join(dir, 'ladder.json'), 'utf8')) as OomLadder;
  assert.equal(ladder.package, 'tiny');
  assert.match(ladder.sha256 ?? '', /^[0-9a-f]{64}$/);
  assert.ok(ladder.date && !Number.isNaN(Date.parse(ladder.date)));
  assert.ok(existsSync(ladder.source));
  assert.match(
    cli(['kernels']).stdout,
    /^out-of-memory ladder \(carveout kernels measure, \d{4}-\d\d-\d\d\): tiny: died with (\d+|\?) KiB free at most/m,
  );
  const records = readLabRecordsJson('tiny', dir);
  assert.equal(records.length, 3);
  assert.ok(ladder.steps.length > 0 && ladder.steps.length <= 3);
  // the plan on the layout of the ladder's lowest boot: the free count that boot had, and its end
  const step = ladder.steps[0]!;
  // the same build in a cache without the ladder: nothing measured to predict from
  const bare = mkdtempSync(join(tmpdir(), 'carveout-unmeasured-'));
  assert.equal(
    runCli(['kernels', 'add', 'tiny', '--kernel-config', config, '--system-map', k.systemMap], { env: { ...env, CARVEOUT_CACHE: bare } })
      .status,
    0,
  );
  type Planned = {
    boot: { outcome: string; function?: string; reason?: string };
    pageAllocator?: { free: string };
    diagnostics: Array<{ code: string }>;
  };
  const planIn = (c: string, r: (typeof records)[number], kernel = ['--kernel', 'tiny']): Planned => {
    const f = caseBoard(r.case as LabCase);
    const args = ['plan', f, '--platform', 'qemu-virt', '--ram', '128M', '--initrd-size', r.initrd!.size, ...kernel];
    const p = runCli([...args, '--bootargs', 'cma=0', '--format', 'json'], { env: { ...env, CARVEOUT_CACHE: c } });
    return JSON.parse(p.stdout) as Planned;
  };
  const at = records.find((r) => BigInt(planIn(cache, r).pageAllocator?.free ?? -1) >> 10n === BigInt(step.free));
  assert.ok(at, `no boot planned with ${step.free} KiB free`);
  const lowest = planIn(cache, at);
  const before = planIn(bare, at);
  assert.equal(before.boot.outcome, 'ok');
  if (step.end !== 'init') assert.ok(before.diagnostics.some((d) => d.code === 'out-of-memory-unmeasured'));
  if (step.end === 'init') assert.deepEqual(lowest.boot, { outcome: 'ok' });
  else {
    assert.equal(lowest.boot.outcome, 'panic');
    assert.equal(lowest.boot.function, step.end.fn);
    assert.match(lowest.boot.reason ?? '', /carveout kernels measure \(\d{4}-\d\d-\d\d\) booted this build \(tiny\)/);
  }
  assert.ok(!lowest.diagnostics.some((d) => d.code === 'out-of-memory-unmeasured'));
  // the package's own files, given by hand: the lab's ladder of that package, when it has one, by their sha256
  const sha256 = buildFilesSha256(readFileSync(k.config, 'utf8'), readFileSync(k.systemMap, 'utf8'));
  const labLadder = (OOM_LADDERS[KERNEL] ?? []).find((l) => l.sha256 === sha256);
  const byFiles = planIn(bare, at, ['--kernel-config', k.config, '--system-map', k.systemMap]);
  if (labLadder) {
    const nearest = nearestStep(labLadder, step.free).step.end;
    assert.equal(byFiles.boot.outcome, nearest === 'init' ? 'ok' : 'panic');
    if (nearest !== 'init') assert.match(byFiles.boot.reason ?? '', /the lab booted this build \(/);
    assert.ok(!byFiles.diagnostics.some((d) => d.code === 'out-of-memory-unmeasured'));
  } else assert.equal(byFiles.boot.outcome, 'ok');
  t.diagnostic(`${m.stdout.trim()}`);
});
