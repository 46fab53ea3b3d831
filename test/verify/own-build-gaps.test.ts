// A build outside the lab, judged offline on one of its real boots: Debian's 6.12 rt-arm64
// (PREEMPT_RT), its profile built from the lines of its config and System.map the reader reads
// (fixtures/6.12-rt-arm64.build.json) and the sizes its measurement boot found (`kernels measure
// NAME --kernel-image`: its pg_data_t is larger than 6.12-arm64's), and a lab case booted on it
// (seed 43 #7: 3 GiB in four NUMA nodes, 61 carve-outs; fixtures/6.12-rt-arm64-gaps.record.json.gz)
// whose console lost 2417 messages: the RT build's console prints from a thread that starts late,
// and memblock=debug's early lines overflow printk's buffer first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { excerptFiles, isBuildExcerpt, type BuildExcerpt } from '../../src/kernel/build/excerpt.js';
import { buildProfile } from '../../src/kernel/build/profile.js';
import { recordBoard } from '../../src/verify/records.js';
import { recordFixture } from '../helpers/record-fixture.js';
import { readDtb } from '../../src/fdt/reader.js';
import { plan } from '../../src/kernel/plan.js';
import { observedRegions } from '../../src/verify/regions.js';
import { compareWithPlan, predictionOf } from '../../src/verify/verify.js';
import { replayCase } from '../kernel/replay-lib.js';

const fx = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

test('a PREEMPT_RT build outside the lab: its own measured sizes and a console that lost messages, compared around the gap', () => {
  const e = JSON.parse(readFileSync(join(fx, '6.12-rt-arm64.build.json'), 'utf8')) as BuildExcerpt;
  assert.ok(isBuildExcerpt(e) && e.measured);
  // excerptFiles gives the two files with the measured sizes the excerpt keeps
  const { measured, ...files } = excerptFiles('rt', e);
  assert.ok(measured);
  const own = buildProfile({ ...files, measured });
  assert.ok(own.profile, own.diagnostics.map((d) => d.message).join('; '));
  const rec = recordFixture('6.12-rt-arm64-gaps');
  const gaps = rec.observation.gaps ?? [];
  assert.equal(gaps.length, 1);
  assert.ok(gaps[0]!.messages > 0 && gaps[0]!.log === 0, 'lost before the console printed anything');
  // the whole comparison of the lab's replay: lines (around the gap), placements, the Memory: line
  const o = replayCase(rec, own.profile);
  assert.deepEqual(o.problems, []);
  // the kernel's NODE_DATA lines are the plan's with the build's own pg_data_t; with 6.12-arm64's
  // (the build not measured) each node's would start 0x200 bytes higher
  const nodeData = (lines: string[]) => lines.filter((t) => /^NODE_DATA\(\d\) allocated/.test(t));
  const kernel = nodeData((rec.observation.console ?? '').split('\n').map((l) => l.replace(/^\[\s*\d+\.\d+\]\s?/, '').trimEnd()));
  assert.equal(kernel.length, 4);
  const planned = (profile: NonNullable<typeof own.profile>) =>
    nodeData(plan(recordBoard(rec, 'arm64'), { kernel: profile, bootargs: rec.append }).log.map((l) => l.text));
  assert.deepEqual(planned(own.profile), kernel);
  const labSized = buildProfile(files).profile!;
  assert.notEqual(labSized.arm64!.numa.nodeDataSize, own.profile.arm64!.numa.nodeDataSize);
  assert.notDeepEqual(planned(labSized), kernel);
  // verify's comparison: no difference around the gap; read as if nothing was lost, the first line differs
  const p = plan(recordBoard(rec, 'arm64'), { kernel: own.profile, bootargs: rec.append });
  const tree = readDtb(rec.dtbBytes, 'case.dtb').tree!;
  const regions = observedRegions(rec.observation, tree);
  assert.deepEqual(compareWithPlan(regions, predictionOf(p), rec.observation), []);
  const { gaps: _lost, ...whole } = rec.observation;
  assert.match(compareWithPlan(regions, predictionOf(p), whole)[0] ?? '', /^log line 1: observed "[^"]+", predicted "[^"]+"$/);
});
