// Each CPU beyond the first needs memory after memblock_free_all (its idle task, per-cpu kthreads
// and workers, per-cpu slabs and chunks), which no file states: the lab measures a build's
// out-of-memory ladder with one CPU and with several (kernels measure --smp), and the plan reads
// the steps of the boot's CPU count, else the one-CPU steps less what the CPUs beyond the first
// need (oom.ts readLadder), else says it cannot tell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundaryShift, ladderBoundary, OOM_LADDERS, readLadder, type LadderStep, type OomLadder } from '../../src/kernel/oom.js';
import { plan } from '../../src/kernel/plan.js';
import { caseDtb, readLabRecords, recordBoard } from '../../src/verify/records.js';
import { loadBoard } from '../../src/board.js';
import { ladderCase, ladderDir } from '../../src/verify/memory-ladder.js';
import { fixedAppend, labDtb } from '../../src/verify/lab.js';
import { resolveProfile } from '../../src/kernel/plan.js';

const INITRD_ARMHF = 0xdd856n; // the lab's armhf initramfs
import { recordProfile } from './replay-lib.js';
import type { LabCase } from '../../src/verify/generator.js';

const died = (free: number, cpus?: number): LadderStep => ({
  free,
  maxThreads: 1000,
  end: { stage: 'kernel_init', fn: 'out_of_memory', panic: 'System is deadlocked on memory', message: '' },
  ...(cpus ? { cpus } : {}),
});
const lived = (free: number, cpus?: number): LadderStep => ({ free, maxThreads: 1000, end: 'init', ...(cpus ? { cpus } : {}) });
const ladder: OomLadder = {
  package: 'linux-image-test 1',
  source: 'synthetic',
  steps: [died(8000), died(10000), lived(11000), died(12800, 4), lived(13400, 4)],
};

const rounded = (x: { kib: number; beyond: number } | undefined) => x && { kib: Math.round(x.kib), beyond: Math.round(x.beyond) };

test('oom: the boundary per CPU count, and what each CPU beyond the first needs', () => {
  assert.equal(ladderBoundary(ladder, 1), 10500);
  assert.equal(ladderBoundary(ladder, 4), 13100);
  assert.equal(ladderBoundary(ladder, 2), undefined);
  assert.equal(boundaryShift({ steps: ladder.steps.filter((x) => !x.cpus) }, 2), undefined);
  // between the measured counts linear, past the largest along its last segment, that part said
  assert.deepEqual(rounded(boundaryShift(ladder, 2)), { kib: 867, beyond: 0 });
  assert.deepEqual(rounded(boundaryShift(ladder, 4)), { kib: 2600, beyond: 0 });
  assert.deepEqual(rounded(boundaryShift(ladder, 8)), { kib: 6067, beyond: 3467 });
  const withEight: OomLadder = { ...ladder, steps: [...ladder.steps, died(15000, 8), lived(15600, 8)] };
  assert.deepEqual(rounded(boundaryShift(withEight, 6)), { kib: 3700, beyond: 0 });
});

test('oom: a boot reads its own CPU count’s steps, else the one-CPU steps less what its other CPUs need', () => {
  // four CPUs, among the four-CPU steps
  assert.equal(readLadder(ladder, 13000, 4).step.free, 12800);
  assert.equal(readLadder(ladder, 13000, 4).scaled, undefined);
  // two CPUs: 11200 KiB is as much as 10333 with one, nearest the death at 10000
  const two = readLadder(ladder, 11200, 2);
  assert.equal(two.step.free, 10000);
  assert.equal(two.scaled?.free, 10333);
  assert.equal(readLadder(ladder, 12000, 2).step.end, 'init');
  // four CPUs far from their own steps: scaled as well
  assert.equal(readLadder(ladder, 9000, 4).scaled?.free, 6400);
  assert.equal(readLadder(ladder, 9000, 4).step.free, 8000);
  // one CPU: as before
  assert.equal(readLadder(ladder, 10900, 1).step.free, 11000);
  // a ladder measured with one CPU only: read as is, and said so
  const oneOnly = { ...ladder, steps: ladder.steps.filter((x) => !x.cpus) };
  assert.equal(readLadder(oneOnly, 11400, 2).unscaled, true);
  assert.equal(readLadder(oneOnly, 11400, 2).step.free, 11000);
});

test('oom: every lab ladder measured with four CPUs needs more than with one', () => {
  const seen: string[] = [];
  for (const [id, ls] of Object.entries(OOM_LADDERS))
    for (const l of ls) {
      if (!l.steps.some((x) => x.cpus === 4)) continue;
      const need = boundaryShift(l, 4);
      assert.ok(need && need.kib > 0 && need.beyond === 0, `${id} ${l.package}: ${JSON.stringify(need)}`);
      seen.push(`${id}: ${Math.round(need.kib)} KiB more with 4 CPUs`);
    }
  assert.ok(seen.length >= 14, seen.join('\n'));
});

test('plan: a four-CPU ladder boot that died with more memory than one CPU needs is predicted dead; with one CPU, the same layout lives', () => {
  let compared = 0;
  for (const [id, ls] of Object.entries(OOM_LADDERS)) {
    const recs = readLabRecords(id, ladderDir);
    for (const l of ls) {
      const one = ladderBoundary(l, 1);
      if (one === undefined) continue;
      // the four-CPU death with the most memory, above the one-CPU boundary
      const deaths = recs
        .filter((x) => x.package === l.package && (x.case as LabCase).cpus === 4 && x.observation.panicked && !x.observation.reachedInit)
        .map((r) => {
          const prof = recordProfile(r)!;
          const p = plan(recordBoard(r, prof.arch), { kernel: prof, bootargs: r.append, ladders: 'lab' });
          return { r, prof, p, free: Number(BigInt(p.pageAllocator?.free ?? 0n) >> 10n) };
        })
        .filter((x) => x.free > one + 512)
        .sort((a, b) => b.free - a.free);
      const top = deaths[0];
      if (!top) continue;
      const { r, prof, p: p4, free } = top;
      assert.notEqual(p4.boot.outcome, 'ok', `${id} ${r.caseId}: ${free} KiB with 4 CPUs`);
      assert.match(p4.boot.reason ?? '', /and 4 CPUs/);
      const { cpus: _cpus, ...c1 } = r.case as LabCase;
      const b1 = loadBoard(caseDtb(c1), {
        fileName: 'one.dtb',
        platform: 'qemu-virt',
        asBooted: true,
        arch: prof.arch,
        ram: BigInt(r.ram),
        initrdSize: BigInt(r.initrd!.size),
      });
      const p1 = plan(b1, { kernel: prof, bootargs: r.append, ladders: 'lab' });
      assert.ok(Number(BigInt(p1.pageAllocator!.free) >> 10n) > free, 'one CPU leaves more');
      assert.deepEqual(p1.boot, { outcome: 'ok' }, `${id} ${r.caseId}: one CPU`);
      compared++;
    }
  }
  assert.ok(compared >= 10, `${compared} ladders compared`);
});

test('plan: 4-CPU ladder boots that hung with far too little memory (5.10-arm64, 6.1-arm64) are planned with the may-hang warning', () => {
  for (const kernel of ['5.10-arm64', '6.1-arm64']) {
    const hung = readLabRecords(kernel, ladderDir).filter(
      (r) => (r.case as LabCase).cpus === 4 && r.observation.timedOut && !r.observation.reachedInit,
    );
    assert.ok(hung.length, `${kernel}: a hung 4-CPU ladder boot`);
    for (const r of hung) {
      const prof = recordProfile(r)!;
      const p = plan(recordBoard(r, prof.arch), { kernel: prof, bootargs: r.append, ladders: 'lab' });
      assert.equal(p.boot.outcome, 'panic', `${kernel} ${r.caseId}`);
      const w = p.diagnostics.find((d) => d.code === 'out-of-memory-may-hang');
      // 6.1 warns of its throttle_direct_reclaim race already; 5.10 has none, and says why it may hang here
      assert.match(w?.message ?? '', kernel === '5.10-arm64' ? /read off the one-CPU steps/ : /./, `${kernel} ${r.caseId}`);
    }
  }
});

test('plan: more CPUs than the build was measured with, near the extrapolated boundary: not known, said so; far from it, predicted', () => {
  const profile = resolveProfile('7.2-armmp')!;
  const l = OOM_LADDERS['7.2-armmp']!.find((x) => x.package === profile.debianPackage)!;
  assert.ok(!l.steps.some((x) => (x.cpus ?? 1) > 4), '7.2-armmp measured with 1 and 4 CPUs');
  const one = ladderBoundary(l, 1)!;
  const shift = boundaryShift(l, 8)!;
  assert.ok(shift.beyond > 0);
  const planned = (free: number) => {
    const lc = ladderCase(profile, INITRD_ARMHF, free, 128, undefined, 0, 8)!;
    const board = loadBoard(labDtb(lc.c).dtb, {
      fileName: 'ladder.dtb',
      platform: 'qemu-virt',
      asBooted: true,
      arch: 'arm',
      ram: 128n << 20n,
      initrdSize: INITRD_ARMHF,
    });
    return plan(board, { kernel: profile, bootargs: `${fixedAppend('arm', false)} ${lc.c.bootargs}`, ladders: 'lab' });
  };
  const near = planned(Math.round(one + shift.kib));
  assert.equal(near.boot.outcome, 'ok');
  assert.match(
    near.diagnostics.find((d) => d.code === 'out-of-memory-unmeasured')?.message ?? '',
    /with 1 and 4 CPUs, and carried on to 8/,
  );
  const far = planned(Math.round(one + shift.kib - shift.beyond - 2048));
  assert.equal(far.boot.outcome, 'panic');
  assert.match(far.boot.reason ?? '', /with 8 CPUs, as much as \d+ KiB with one/);
});
