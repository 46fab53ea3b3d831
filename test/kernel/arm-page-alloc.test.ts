// 32-bit arm: what memblock_free_all and free_highpages hand the page allocator
// (mm-init.ts pageAllocStart, PlanResult.pageAllocator) against the "Memory:" line of every recorded
// 32-bit boot that printed one, each figure to the KiB: total, cma-reserved, highmem, reserved
// (memblock's allocations up to memblock_free_all, start_kernel's per-cpu first chunk among them:
// mm/percpu.c pcpu_embed_first_chunk, its unit from the static per-cpu size System.map states, its
// bitmaps measured; an unsigned long in KiB, compared modulo 2^32) and, where the series prints the
// line from mem_init (5.10, 6.1), available. replay.test.ts compares the same line per case
// (replay-lib.ts compareMemoryLine); this says how many lines each build has, and that the plan
// gives every figure it should.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../src/kernel/plan.js';
import { recordBoard } from '../../src/verify/records.js';
import { compareMemoryLine, recordProfile, recordsByKernel } from './replay-lib.js';

const LINE = /Memory: (\d+)K\/(\d+)K available .* (\d+)K reserved, (\d+)K cma-reserved, (\d+)K highmem/;

test('arm: the plan\'s page-allocator figures against every recorded "Memory:" line', () => {
  const failures: string[] = [];
  const summary: string[] = [];
  for (const [kernel, records] of recordsByKernel()) {
    const p = records[0] && recordProfile(records[0]);
    if (p?.arch !== 'arm') continue;
    let lines = 0;
    let available = 0;
    for (const r of records) {
      const o = r.observation;
      const text = o.log.find((l) => l.text.startsWith('Memory: '))?.text ?? LINE.exec(o.console ?? '')?.[0];
      const m = text ? LINE.exec(text) : null;
      if (!m) continue;
      lines++;
      const profile = recordProfile(r)!;
      const pl = plan(recordBoard(r, 'arm'), { kernel: profile, bootargs: r.append });
      if (pl.pageAllocator?.highmem === undefined) {
        failures.push(`${kernel} ${r.caseId}: no page-allocator figures`);
        continue;
      }
      const problems: string[] = [];
      const compared = compareMemoryLine(r, pl, problems);
      // the series that print the line from mem_init give available; 6.12+ print it later
      if ((compared === 'all') !== (profile.series.pageAlloc.memoryLine === 'mem-init'))
        failures.push(`${kernel} ${r.caseId}: ${compared} compared on ${profile.series.name}`);
      if (compared === 'all') available++;
      failures.push(...problems.map((x) => `${kernel} ${r.caseId}: ${x}`));
    }
    summary.push(`${kernel}: ${lines} lines, every figure compared${available ? `, available on ${available}` : ' but available'}`);
  }
  process.stdout.write(`# ${summary.join('\n# ')}\n`);
  assert.ok(summary.length >= 8, `32-bit kernels with "Memory:" lines: ${summary.length}`);
  assert.deepEqual(failures, []);
});
