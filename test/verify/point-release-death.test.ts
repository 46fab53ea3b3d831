// One layout, two point releases of one series, two outcomes: seed 45 #8 (1 GiB in NUMA nodes, 60
// carve-outs, a no-map region ending inside a 16 KiB page) booted on Debian's 6.12-arm64-16k at
// 6.12.95 (fixtures/6.12.95-arm64-16k-seed45-8.record.json.gz) reaches /init; at 6.12.118
// (data/lab) it dies in start_kernel. 6.12.117's "mm: fix accidental linear mapping of no-map
// reserved memory" makes arm64's map_mem round each range inward to whole pages, so the rest of
// that page is left out of the linear map, and pcpu_alloc_first_chunk's memblock_alloc, which
// memblock placed there, faults zeroing it. The 6.12 layer applies the point release by the
// build's version (versions/6.12.ts pointReleases), and the same code predicts both boots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readLabRecords, recordBoard } from '../../src/verify/records.js';
import { recordFixture } from '../helpers/record-fixture.js';
import { plan } from '../../src/kernel/plan.js';
import { recordProfile, replayCase } from '../kernel/replay-lib.js';

test('6.12.95 lives, 6.12.118 dies zeroing a per-cpu allocation in a page map_mem left out: both predicted', () => {
  const old = recordFixture('6.12.95-arm64-16k-seed45-8');
  const now = readLabRecords('6.12-arm64-16k').find((r) => r.seed === 45 && r.index === 8);
  assert.ok(now, 'data/lab holds the 6.12.118 boot of seed 45 #8');
  assert.equal(now.caseId, old.caseId);
  assert.match(old.package, / 6\.12\.95-/);
  assert.match(now.package, / 6\.12\.118-/);
  assert.equal(old.observation.reachedInit, true);
  assert.equal(now.observation.panicked, true);
  const planOf = (r: typeof old) => {
    const profile = recordProfile(r)!;
    return { profile, p: plan(recordBoard(r, 'arm64'), { kernel: profile, bootargs: r.append }) };
  };
  const a = planOf(old);
  const b = planOf(now);
  assert.equal(a.profile.series.arm64.mapMemRoundsInward, false);
  assert.equal(b.profile.series.arm64.mapMemRoundsInward, true);
  assert.equal(a.p.boot.outcome, 'ok');
  assert.equal(b.p.boot.outcome, 'panic');
  assert.equal(b.p.boot.function, 'pcpu_alloc_first_chunk');
  assert.match(
    b.p.boot.reason ?? '',
    /\[0x7ff239c0-0x7ff23fc7\].*0x7ff20000\+0x4000 was no-map .*the whole pages a no-map range only partly covers/,
  );
  // the whole replay of each boot: lines, placements, Memory: line, how it ended
  for (const r of [old, now]) {
    const o = replayCase(r, recordProfile(r)!);
    assert.deepEqual(o.problems, [], r.package);
  }
  const died = replayCase(now, b.profile);
  assert.equal(died.died, 'panic');
  assert.equal(died.predicted, true);
});
