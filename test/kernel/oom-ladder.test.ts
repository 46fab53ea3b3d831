// The measured out-of-memory ladders (data/lab/ladder/ladders.json) against the lab boots they were
// read from (data/lab/ladder/<kernel>.jsonl.gz, src/verify/memory-ladder.ts), and those boots
// replayed through plan() like every other lab record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OOM_LADDERS, readLadder, type LadderStep, type OomLadder } from '../../src/kernel/oom.js';
import { ladderDir, measuredLadders } from '../../src/verify/memory-ladder.js';
import { readLabRecords, recordBoard, recordedKernels, type LabRecord } from '../../src/verify/records.js';
import { plan } from '../../src/kernel/plan.js';
import { recordProfile, replayCase, type CaseOutcome } from './replay-lib.js';

test('ladders.json is what the ladder records show', () => {
  const measured = measuredLadders();
  assert.ok(Object.keys(measured).length > 0, 'no ladder records under data/lab/ladder');
  assert.deepEqual(OOM_LADDERS, measured);
});

const endText = (e: LadderStep['end']) => (e === 'init' ? 'init' : `${e.fn}: ${e.panic}`);

/**
 * The plan's warnings that a boot may hang silently rather than die as predicted or reach /init:
 * out-of-memory-may-hang (init waits in throttle_direct_reclaim while a kernel thread would reach
 * out_of_memory: the run-time race oom.ts throttledInit names) and thread-limit (copy_process
 * refuses the kernel's own threads: a wait that never ends, e.g. a crypto self-test's; the
 * --max-threads boots measured such hangs, oom.ts threadLimit).
 */
const HANG_WARNINGS = ['out-of-memory-may-hang', 'thread-limit'];

/**
 * A ladder boot that hung (the bound stopped it after HANG_QUIET_MS of silence: observation.ts
 * bootEnd) is a measurement only where the plan for that boot warns it may hang: there the
 * replay's "the kernel hung" where it predicts the out-of-memory panic is that race, not a
 * disagreement. Anywhere else a hang is a failure, even where the plan predicts /init (replayCase
 * judges no outcome then). A hang the plan itself predicts is replayCase's to judge. The problems
 * left, and the warning that made a hang acceptable.
 */
function judgeHang(r: LabRecord, out: CaseOutcome): { problems: string[]; warned?: string } {
  // a hang the plan predicts (replayCase judged where it stops) needs no warning
  if (out.died !== 'hang' || out.predicted) return { problems: out.problems };
  const profile = recordProfile(r)!;
  const p = plan(recordBoard(r, profile.arch), { kernel: profile, bootargs: r.append, ladders: 'lab' });
  const codes = new Set(p.diagnostics.map((d) => d.code));
  const warned = HANG_WARNINGS.find((w) => codes.has(w));
  if (!warned)
    return { problems: [...out.problems, `the boot hung; the plan (${p.boot.outcome}) warns no hang (${HANG_WARNINGS.join(', ')})`] };
  // the race: the panic predicted, the hang warned of
  const race = codes.has('out-of-memory-may-hang') && p.boot.outcome === 'panic';
  return { problems: out.problems.filter((x) => !(race && /^boot: plan predicts panic in \S+, the kernel hung$/.test(x))), warned };
}

/** The record as if the bound had stopped it after a minute of silence. */
const asHung = (r: LabRecord): LabRecord => ({
  ...r,
  observation: { ...r.observation, reachedInit: false, panicked: false, panicMessage: undefined, timedOut: true, quietMs: 60_000 },
});

test('a hung ladder boot is accepted where the plan warns out-of-memory-may-hang, and rejected where it warns no hang', () => {
  const records = readLabRecords('6.12-arm64', ladderDir);
  const warns = (r: LabRecord, code: string) => {
    const profile = recordProfile(r)!;
    return plan(recordBoard(r, profile.arch), { kernel: profile, bootargs: r.append, ladders: 'lab' }).diagnostics.some(
      (d) => d.code === code,
    );
  };
  // a boot the plan predicts dies of out of memory in the initcalls, with the race warned of
  const race = records.find((r) => r.observation.panicked && warns(r, 'out-of-memory-may-hang'));
  assert.ok(race, 'a 6.12-arm64 ladder boot planned with out-of-memory-may-hang');
  const raced = judgeHang(race, replayCase(asHung(race)));
  assert.deepEqual([raced.problems, raced.warned], [[], 'out-of-memory-may-hang']);
  // a boot that reached /init and whose plan warns of nothing: hung, it is a failure
  const quiet = records.find((r) => r.observation.reachedInit && !HANG_WARNINGS.some((w) => warns(r, w)));
  assert.ok(quiet, 'a 6.12-arm64 ladder boot that reached /init, planned without a hang warning');
  const out = replayCase(asHung(quiet));
  assert.equal(out.died, 'hang');
  assert.deepEqual(out.problems, []);
  assert.match(judgeHang(quiet, out).problems.join(';'), /the boot hung; the plan \(ok\) warns no hang/);
});

test('every ladder boot replays: log, trace, "Memory:" line and how it ended; a hang only where the plan warns of one', (t) => {
  const failures: string[] = [];
  const summary: string[] = [];
  for (const kernel of recordedKernels(ladderDir)) {
    const records = readLabRecords(kernel, ladderDir);
    const hung = new Map<string, number>();
    for (const r of records) {
      const { problems, warned } = judgeHang(r, replayCase(r));
      if (warned) hung.set(warned, (hung.get(warned) ?? 0) + 1);
      if (problems.length) failures.push(`${kernel} #${r.index}: ${problems.join(' ; ')}`);
    }
    if (hung.size) summary.push(`${kernel}: hung boots the plan warned of: ${[...hung].map(([w, n]) => `${n} (${w})`).join(', ')}`);
    // How well the nearest other measurement predicts each boot (each boot left out in turn): a
    // figure for the ladder's spacing, not a pass mark. One ladder per package booted.
    for (const ladder of OOM_LADDERS[kernel] ?? []) {
      let agree = 0;
      const steps = ladder.steps;
      for (let i = 0; i < steps.length; i++) {
        const rest: OomLadder = { ...ladder, steps: steps.filter((_, k) => k !== i) };
        if (rest.steps.length && endText(readLadder(rest, steps[i]!.free, steps[i]!.cpus ?? 1).step.end) === endText(steps[i]!.end))
          agree++;
      }
      const n = records.filter((r) => r.package === ladder.package);
      summary.push(
        `${kernel} ${ladder.package}: ${n.filter((r) => !failures.some((f) => f.startsWith(`${kernel} #${r.index}:`))).length}/${n.length} ladder boots replay; each left out, the nearest other measurement names its end in ${agree}/${steps.length}`,
      );
    }
  }
  t.diagnostic(summary.join('\n'));
  process.stdout.write(`# ${summary.join('\n# ')}\n`);
  assert.deepEqual(failures, []);
});
