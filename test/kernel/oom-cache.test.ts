// A ladder measured into the kernel cache (`carveout kernels measure`, <cache>/ladders/) is read by
// the plan for the very build it names — by the sha256 of the build's .config and System.map —
// and for no other: the same layout on an unmeasured build only warns. A replay of lab records
// (plan's `ladders: 'lab'`) reads the lab's ladders alone, whatever the cache holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plan } from '../../src/kernel/plan.js';
import { cachedLadders, OOM_LADDERS, ownLadder, type OomLadder } from '../../src/kernel/oom.js';
import { profileFromFiles } from '../../src/kernel/build/store.js';
import { excerptFiles } from '../../src/kernel/build/excerpt.js';
import { factsOfPackage } from '../../src/verify/build-facts.js';
import { readLabRecords, recordBoard } from '../../src/verify/records.js';
import { ladderDir } from '../../src/verify/memory-ladder.js';
import { getProfile } from '../../src/kernel/profiles/index.js';

const KERNEL = '6.12-arm64';

test("a cache ladder is the plan's for the build with its files' sha256, and only for it", () => {
  const cache = mkdtempSync(join(tmpdir(), 'carveout-ladder-cache-'));
  const saved = process.env.CARVEOUT_CACHE;
  process.env.CARVEOUT_CACHE = cache;
  try {
    // an own build: the files of the built-in profile's package, as its stored facts hold them
    const pkg = getProfile(KERNEL)!.debianPackage;
    const files = excerptFiles('mine', factsOfPackage(KERNEL, pkg)!);
    writeFileSync(join(cache, 'config'), files.config.text);
    writeFileSync(join(cache, 'System.map'), files.systemMap.text);
    const built = profileFromFiles('mine', join(cache, 'config'), join(cache, 'System.map'));
    assert.ok(built.profile?.filesSha256, built.diagnostics.map((d) => d.message).join('; '));
    const profile = built.profile;
    assert.equal(ownLadder(profile), undefined);
    // a lab ladder boot of that package that died in kernel_init
    const lab = OOM_LADDERS[KERNEL]!.find((l) => l.package === pkg)!;
    const rec = readLabRecords(KERNEL, ladderDir).find((r) => r.package === pkg && r.observation.panicked)!;
    const run = () => plan(recordBoard(rec, 'arm64'), { kernel: profile, bootargs: rec.append });
    const before = run();
    assert.equal(before.boot.outcome, 'ok');
    assert.ok(before.diagnostics.some((d) => d.code === 'out-of-memory-unmeasured'));
    // the same steps stored as `kernels measure` stores a ladder, under another build's files first
    const store = (sha256: string) => {
      const dir = join(cache, 'ladders', `mine-${sha256.slice(0, 16)}`);
      mkdirSync(dir, { recursive: true });
      const l: OomLadder = { ...lab, package: 'mine', sha256, source: join(dir, `${KERNEL}.jsonl.gz`), date: '2026-12-05T14:00:00.000Z' };
      writeFileSync(join(dir, 'ladder.json'), JSON.stringify(l));
    };
    store('0'.repeat(64));
    assert.equal(cachedLadders().length, 1);
    assert.equal(run().boot.outcome, 'ok');
    store(profile.filesSha256!);
    assert.equal(ownLadder(profile)?.sha256, profile.filesSha256);
    const after = run();
    assert.equal(after.boot.outcome, 'panic', JSON.stringify(after.boot));
    // a replay of lab records reads the lab's ladders alone: the cache's leaves it as it was
    const labOnly = plan(recordBoard(rec, 'arm64'), { kernel: profile, bootargs: rec.append, ladders: 'lab' });
    assert.deepEqual([labOnly.boot, labOnly.diagnostics.map((d) => d.code)], [before.boot, before.diagnostics.map((d) => d.code)]);
    assert.equal(ownLadder(profile, 'lab'), undefined);
    assert.match(after.boot.reason ?? '', /carveout kernels measure \(2026-12-05\) booted this build \(mine\) with \d+ KiB/);
    assert.ok(!after.diagnostics.some((d) => d.code === 'out-of-memory-unmeasured'));
    // the built-in profile of the package keeps the lab's own ladder
    assert.equal(ownLadder(getProfile(KERNEL)!)?.package, pkg);
  } finally {
    if (saved === undefined) delete process.env.CARVEOUT_CACHE;
    else process.env.CARVEOUT_CACHE = saved;
  }
});
