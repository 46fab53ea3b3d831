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
import { recordProfile, replayCase } from './replay-lib.js';
import { withEnv } from '../helpers/env.js';

const KERNEL = '6.12-arm64';

test("a cache ladder is the plan's for the build with its files' sha256, and only for it", () => {
  const cache = mkdtempSync(join(tmpdir(), 'carveout-ladder-cache-'));
  withEnv({ CARVEOUT_CACHE: cache }, () => {
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
    // a ladder of a few boots that all died (kernels measure --boots 1 near the boundary): a boot
    // with more memory than any of them is not predicted to die, only warned
    const died = lab.steps.filter((x) => x.end !== 'init' && (x.cpus ?? 1) === 1);
    const top = died.reduce((a, b) => (b.free > a.free ? b : a));
    const dir = join(cache, 'ladders', `mine-${profile.filesSha256!.slice(0, 16)}`);
    const few: OomLadder = {
      package: 'mine',
      sha256: profile.filesSha256!,
      source: join(dir, `${KERNEL}.jsonl.gz`),
      date: '2026-12-06T14:00:00.000Z',
      steps: [top],
    };
    writeFileSync(join(dir, 'ladder.json'), JSON.stringify(few));
    const richer = readLabRecords(KERNEL, ladderDir).find(
      (r) => r.package === pkg && r.observation.reachedInit && !(r.case as { cpus?: number }).cpus,
    )!;
    const lives = plan(recordBoard(richer, 'arm64'), { kernel: profile, bootargs: richer.append });
    assert.equal(lives.boot.outcome, 'ok');
    assert.ok(
      lives.diagnostics.some(
        (d) => d.code === 'out-of-memory-unmeasured' && d.message.includes(`with ${top.free} KiB at most, and it died in`),
      ),
      lives.diagnostics.map((d) => d.message).join('\n'),
    );
    // the built-in profile of the package keeps the lab's own ladder
    assert.equal(ownLadder(getProfile(KERNEL)!)?.package, pkg);
  });
});

test("the replay of a lab record judges with the lab's ladders alone: a ladder in the kernel cache changes nothing", () => {
  // a 32-bit record on a newer upload (6.12.118) whose plan hands the page allocator lowmem alone.
  // Every package the lab booted has a lab ladder now, and the lab's wins over the cache's
  // (ownLadder), so the test sets that package's aside for its duration: a cache ladder of it
  // would then decide the outcome of a user's plan, and must not change the replay
  const kernel = '6.12-armmp';
  const r = readLabRecords(kernel)
    .filter((x) => x.package?.startsWith('linux-image-6.12.118'))
    .find((x) => {
      const pa = plan(recordBoard(x, 'arm'), { kernel: recordProfile(x)!, bootargs: x.append }).pageAllocator;
      return pa !== undefined && !pa.highmem;
    });
  assert.ok(r, 'a 6.12.118 armmp record without highmem');
  const kept = OOM_LADDERS[kernel]!;
  OOM_LADDERS[kernel] = kept.filter((l) => l.package !== r.package);
  try {
    assert.equal(ownLadder(recordProfile(r)!, 'lab'), undefined);
    const before = replayCase(r);
    const cache = mkdtempSync(join(tmpdir(), 'carveout-replay-cache-'));
    withEnv({ CARVEOUT_CACHE: cache }, () => {
      // the cache says this build dies in start_kernel with exactly this boot's free memory
      const pa = plan(recordBoard(r, 'arm'), { kernel: recordProfile(r)!, bootargs: r.append }).pageAllocator!;
      const free = Number(pa.free >> 10n);
      const end = { stage: 'start_kernel' as const, fn: 'mm_init', panic: 'Out of memory', message: '' };
      const ladder: OomLadder = {
        package: r.package!,
        source: 'mine',
        date: '2026-12-05T17:00:00.000Z',
        steps: [{ free, maxThreads: 1000, end }],
      };
      mkdirSync(join(cache, 'ladders', 'mine'), { recursive: true });
      writeFileSync(join(cache, 'ladders', 'mine', 'ladder.json'), JSON.stringify(ladder));
      // a user's plan reads it
      const user = plan(recordBoard(r, 'arm'), { kernel: recordProfile(r)!, bootargs: r.append });
      assert.equal(user.boot.function, 'mm_init', JSON.stringify(user.boot));
      assert.deepEqual(replayCase(r), before);
    });
  } finally {
    OOM_LADDERS[kernel] = kept;
  }
});
