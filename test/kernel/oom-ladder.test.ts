// The measured out-of-memory ladders (data/lab/ladder/ladders.json) against the lab boots they were
// read from (data/lab/ladder/<kernel>.jsonl.gz, src/verify/memory-ladder.ts), and those boots
// replayed through plan() like every other lab record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nearestStep, OOM_LADDERS, type LadderStep, type OomLadder } from '../../src/kernel/oom.js';
import { ladderDir, measuredLadders } from '../../src/verify/memory-ladder.js';
import { readLabRecords, recordedKernels } from '../../src/verify/records.js';
import { replayCase } from './replay-lib.js';

test('ladders.json is what the ladder records show', () => {
  const measured = measuredLadders();
  assert.ok(Object.keys(measured).length > 0, 'no ladder records under data/lab/ladder');
  assert.deepEqual(OOM_LADDERS, measured);
});

const endText = (e: LadderStep['end']) => (e === 'init' ? 'init' : `${e.fn}: ${e.panic}`);

test('every ladder boot replays: log, trace, "Memory:" line and how it ended', (t) => {
  const failures: string[] = [];
  const summary: string[] = [];
  for (const kernel of recordedKernels(ladderDir)) {
    const records = readLabRecords(kernel, ladderDir);
    for (const r of records) {
      const out = replayCase(r);
      if (!out.ok) failures.push(`${kernel} #${r.index}: ${out.problems.join(' ; ')}`);
    }
    // How well the nearest other measurement predicts each boot (each boot left out in turn): a
    // figure for the ladder's spacing, not a pass mark. One ladder per package booted.
    for (const ladder of OOM_LADDERS[kernel] ?? []) {
      let agree = 0;
      const steps = ladder.steps;
      for (let i = 0; i < steps.length; i++) {
        const rest: OomLadder = { ...ladder, steps: steps.filter((_, k) => k !== i) };
        if (rest.steps.length && endText(nearestStep(rest, steps[i]!.free).step.end) === endText(steps[i]!.end)) agree++;
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
