// Running out of memory in the initcalls: the out-of-memory killer's panic when a kernel thread
// runs short first, a silent hang when init's own allocation does and throttle_direct_reclaim
// (mm/vmscan.c) waits for a kswapd that does not exist yet. The plan predicts the panic the
// build's ladder measured and warns that it may be the hang, on the series whose
// allow_direct_reclaim counts a zone with no LRU pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../src/kernel/plan.js';
import { readLabRecords, recordBoard } from '../../src/verify/records.js';
import { ladderDir } from '../../src/verify/memory-ladder.js';
import { ownLadder, readLadder } from '../../src/kernel/oom.js';
import type { LabCase } from '../../src/verify/generator.js';
import { recordProfile } from './replay-lib.js';
import type { LabRecord } from '../../src/verify/records.js';

function planned(r: LabRecord) {
  const profile = recordProfile(r);
  assert.ok(profile, `${r.kernel}: a profile for ${r.package}`);
  return plan(recordBoard(r, profile.arch), { kernel: profile, bootargs: r.append, ladders: 'lab' });
}

// the throttle_direct_reclaim race; a boot with several CPUs read off scaled one-CPU steps warns of a hang for its own reason (oom-cpus.test.ts)
const mayHang = (p: ReturnType<typeof plan>) =>
  p.diagnostics.find((d) => d.code === 'out-of-memory-may-hang' && /throttle_direct_reclaim/.test(d.message));

test('6.12-arm64-16k 82e0c7c5: out of memory in kernel_init, and a warning that init may hang in throttle_direct_reclaim instead', () => {
  const r = readLabRecords('6.12-arm64-16k').find((x) => x.caseId === '82e0c7c5d3cbf4f5');
  assert.ok(r, 'the record');
  const p = planned(r);
  assert.equal(p.boot.outcome, 'panic');
  assert.equal(p.boot.function, 'out_of_memory');
  const w = mayHang(p);
  assert.ok(w, p.diagnostics.map((d) => d.code).join(', '));
  assert.equal(w.severity, 'warning');
  assert.match(w.message, /throttle_direct_reclaim/);
  assert.match(w.message, /still has free pages, at most half its min watermark/);
});

test('out-of-memory-may-hang: on 6.1+ ladder deaths in kernel_init only; never on 5.10, never where the boot lives or dies in start_kernel', () => {
  const seen = new Map<string, number>();
  for (const kernel of ['5.10-arm64', '6.1-arm64', '6.12-arm64', '7.2-arm64']) {
    for (const r of readLabRecords(kernel, ladderDir)) {
      const p = planned(r);
      const w = mayHang(p);
      // the ladder step the plan reads this boot's end off: a death in kernel_init
      const free = Number((p.pageAllocator?.free ?? 0n) >> 10n);
      const end = readLadder(ownLadder(recordProfile(r)!, 'lab')!, free, (r.case as LabCase).cpus ?? 1).step.end;
      const inInit =
        p.boot.outcome === 'panic' && /^out of memory:/.test(p.boot.reason ?? '') && end !== 'init' && end.stage === 'kernel_init';
      if (kernel === '5.10-arm64' || !inInit)
        assert.equal(w, undefined, `${kernel} ${r.caseId}: ${p.boot.outcome} ${p.boot.function ?? ''}`);
      else assert.ok(w, `${kernel} ${r.caseId}`);
      if (w) seen.set(kernel, (seen.get(kernel) ?? 0) + 1);
      if (w && kernel === '7.2-arm64') assert.match(w.message, /has no free page left/);
    }
  }
  assert.ok((seen.get('6.12-arm64') ?? 0) > 0 && (seen.get('7.2-arm64') ?? 0) > 0, JSON.stringify([...seen]));
});
