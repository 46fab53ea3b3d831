// Completeness of the recorded lab data (data/lab/*.jsonl.gz): at least 300 generated cases on each
// of the five core kernels, each regenerable from its seed (the generator has not drifted), each
// DTB rebuildable offline to the exact bytes booted, each with a parsed observation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readLabRecordsJson, recordDtb, recordedKernels } from '../../src/verify/records.js';
import { generateCase, caseId, type LabCase } from '../../src/verify/generator.js';
import { labKernels } from '../../src/verify/kernels.js';
import { observationFromJson, parseConsole, printedNothing } from '../../src/verify/observation.js';

const CORE = labKernels.filter((k) => k.core);

for (const k of CORE) {
  test(`recorded lab set for ${k.id} is complete`, () => {
    const recs = readLabRecordsJson(k.id);
    assert.ok(recs.length >= 300, `${k.id}: ${recs.length} records (want >= 300); re-record with scripts/record-lab.sh`);
    const ids = new Set<string>();
    let healthy = 0;
    for (const r of recs) {
      assert.equal(r.kernel, k.id);
      assert.match(r.package, /^linux-image-\S+ \S+$/);
      // Two indexes may draw the same case (one boot serves both); a (seed, index) appears once.
      const key = `${r.seed}:${r.index}:${r.caseId}`;
      assert.ok(!ids.has(key), `duplicate record ${key}`);
      ids.add(key);
      const c = r.case as LabCase;
      if (r.seed !== undefined && r.index !== undefined) {
        const again = generateCase(r.seed, r.index, c.family);
        assert.equal(caseId(again), r.caseId, `${k.id} #${r.index}: generator drifted from the recording`);
      }
      assert.equal(recordDtb(r).length > 0, true);
      const o = observationFromJson(r.observation);
      assert.equal(o.kernel, k.id);
      assert.ok(Array.isArray(o.log) && Array.isArray(o.memblock));
      // Parsed: either the kernel got through memory setup (trace + dump) or the failure is recorded.
      const ok = o.memblock.length > 0 && o.memblockDump !== undefined;
      if (ok) healthy++;
      else assert.ok(o.panicked || o.timedOut, `${k.id} #${r.index}: nothing parsed and no failure recorded`);
      if (o.completed) {
        assert.ok(o.iomem && o.iomem.length > 0, `${k.id} #${r.index}: full boot without iomem`);
        assert.notEqual(o.cmaTotalKiB, undefined);
      }
    }
    assert.ok(healthy >= 300 * 0.9, `${k.id}: only ${healthy} healthy observations`);
    const seed1 = new Set(recs.filter((r) => r.seed === 1).map((r) => r.index));
    for (let i = 0; i < 300; i++) assert.ok(seed1.has(i), `${k.id}: case #${i} of seed 1 missing`);
  });
}

// A boot that printed nothing before the lab's bound (printedNothing) observed nothing; the lab
// leaves it out of the files, so every stored record is a boot the kernel printed something in.
test('every recorded boot printed at least its first kernel line', () => {
  const unseen: string[] = [];
  for (const id of recordedKernels())
    for (const r of readLabRecordsJson(id)) if (printedNothing(observationFromJson(r.observation))) unseen.push(`${id} #${r.index}`);
  assert.deepEqual(unseen, []);
});

test('printedNothing: only a boot stopped by the bound before `Linux version`', () => {
  const silent = { ...parseConsole('5.10-armmp', ''), timedOut: true };
  assert.equal(printedNothing(silent), true);
  const started = { ...parseConsole('5.10-armmp', '[    0.000000] Linux version 5.10.0-32-armmp (x) #1 SMP\n'), timedOut: true };
  assert.equal(printedNothing(started), false);
  // QEMU exiting by itself (panic=-1 reboots, -no-reboot ends QEMU) is an outcome, even without output.
  assert.equal(printedNothing(parseConsole('5.10-armmp', '')), false);
});
