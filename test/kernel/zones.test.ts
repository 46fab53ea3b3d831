// The zones the plan says the kernel sets up (PlanResult.zones: zone_sizes_init → free_area_init)
// against the "Zone ranges:" the real kernels printed, in every lab record whose console kept them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readLabRecords, recordBoard, recordedKernels } from '../../src/verify/records.js';
import { plan, resolveProfile } from '../../src/kernel/plan.js';

test('plan zones match the Zone ranges the lab kernels printed', (t) => {
  let compared = 0;
  for (const kernel of recordedKernels()) {
    for (const r of readLabRecords(kernel)) {
      const lines = (r.observation.console ?? '').split('\n');
      const at = lines.findIndex((l) => l.includes('Zone ranges:'));
      if (at < 0) continue;
      // "  DMA      [mem 0x0000000040000000-0x000000006fffffff]" or "  Normal   empty", up to the next heading
      const want: string[] = [];
      for (const l of lines.slice(at + 1)) {
        const m = /\]\s+(\w+)\s+(?:\[mem (0x[0-9a-f]+)-(0x[0-9a-f]+)\]|empty)/.exec(l);
        if (!m) break;
        if (m[2] && m[3]) want.push(`${m[1]} ${BigInt(m[2]).toString(16)}-${BigInt(m[3]).toString(16)}`);
      }
      assert.ok(want.length > 0, `${kernel} ${r.caseId}: no zone line parsed after Zone ranges:`);
      const p = plan(recordBoard(r, resolveProfile(kernel)!.arch), { kernel, bootargs: r.append });
      const got = p.zones.map((z) => `${z.name} ${z.base.toString(16)}-${(z.base + z.size - 1n).toString(16)}`);
      assert.deepEqual(got, want, `${kernel} ${r.caseId}`);
      compared++;
    }
  }
  if (compared === 0) return t.skip('no recorded console with Zone ranges');
  t.diagnostic(`${compared} recorded boots compared`);
});
