// What the allocator records for `explain` (rmem.ts PlacementStep, LogLine.regions): data only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBoard } from '../../src/board.js';
import { plan } from '../../src/kernel/plan.js';
import { manyDts } from './helpers.js';

test('each alloc-ranges entry tried is recorded with what memblock had reserved there', () => {
  const r = plan(loadBoard(manyDts, { arch: 'arm64' }), { kernel: '6.12-arm64' });
  const dsp = r.regions.find((x) => x.name === 'dsp-pool')!;
  assert.equal(dsp.steps.length, 2);
  const [first, second] = dsp.steps;
  assert.equal(first!.kind, 'alloc');
  assert.equal(first!.range, 0);
  assert.equal(first!.start, 0x90000000n);
  assert.equal(first!.end, 0x91000000n);
  assert.equal(first!.ret, -12, 'ENOMEM: the first range is all taken');
  // taken@90000000 (no-map) fills it: memblock's memory there is MEMBLOCK_NOMAP, which the allocator skips.
  assert.deepEqual(first!.reserved, []);
  assert.deepEqual(
    first!.memory.map((x) => [x.base, x.size, x.flags]),
    [[0x90000000n, 0x1000000n, 0x4]],
  );
  assert.equal(second!.range, 1);
  assert.equal(second!.found, 0xaf800000n);
  assert.equal(second!.ret, 0);
  assert.equal(second!.direction, 'top-down');
  assert.equal(second!.alignFrom, 'SMP_CACHE_BYTES');
  const cma = r.regions.find((x) => x.name === 'linux,cma')!;
  assert.equal(cma.steps[0]!.alignFrom, 'CMA_MIN_ALIGNMENT_BYTES');
  assert.equal(cma.steps[0]!.range, undefined);
  const fw = r.regions.find((x) => x.name === 'firmware@80000000')!;
  assert.deepEqual(
    fw.steps.map((s) => [s.kind, s.start, s.end, s.ret]),
    [['nomap', 0x80000000n, 0x80200000n, 0]],
  );
  // Every line of the reserved-memory code names the region it was handling.
  const failed = r.log.find((l) => l.text.includes("failed to allocate memory for node 'huge-pool'"))!;
  assert.deepEqual(failed.regions, ['/reserved-memory/huge-pool']);
});

test('recording changes nothing: the 6.1 plan of the same board still places and logs as before', () => {
  const r = plan(loadBoard(manyDts, { arch: 'arm64' }), { kernel: '6.1-arm64' });
  const dsp = r.regions.find((x) => x.name === 'dsp-pool')!;
  assert.equal(dsp.placement, 'top-down in alloc-ranges[1]');
  assert.ok(dsp.steps.every((s) => s.caller === 'early_init_dt_alloc_reserved_memory_arch'));
});
