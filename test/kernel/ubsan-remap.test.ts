// 7.2's armmp builds have CONFIG_UBSAN_BOUNDS: when more CMA areas were fixed up for remapping than
// dma_mmu_remap[] holds (MAX_CMA_AREAS), dma_contiguous_remap's reads of the entry past its end are
// reported (arch/arm/mm/dma-mapping.c, a call trace through dma_contiguous_remap) before the boot
// hangs in vm_area_add_early, so the console ends in that report. The lab's seed-39 #9
// (7.2-armmp-lpae 096e4b29) is such a boot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan, resolveProfile } from '../../src/kernel/plan.js';
import { recordBoard, readLabRecords } from '../../src/verify/records.js';
import { recordProfile } from './replay-lib.js';

const record = readLabRecords('7.2-armmp-lpae').find((r) => r.caseId === '096e4b29a6133566');

test('7.2-armmp-lpae: the hang after dma_mmu_remap[8] is read names the UBSAN report the console ends in', (t) => {
  if (!record) return t.skip('the lab record 096e4b29 is not in data/lab');
  const profile = recordProfile(record)!;
  assert.equal(profile.ubsanBounds, true, "the build's config has CONFIG_UBSAN_BOUNDS=y");
  const board = recordBoard(record, 'arm');
  const p = plan(board, { kernel: profile, bootargs: record.append, ladders: 'lab' });
  assert.equal(p.boot.outcome, 'hang');
  assert.equal(p.boot.function, 'vm_area_add_early');
  assert.equal(p.boot.trace, 'dma_contiguous_remap');
  const d = p.diagnostics.find((x) => x.code === 'kernel-hang')!;
  assert.match(d.message, /printing nothing more after UBSAN's array-index-out-of-bounds reports of dma_mmu_remap\[8\]/);
  // the same build without the sanitizer hangs there in silence, after the plan's last line
  const bare = plan(board, { kernel: { ...profile, ubsanBounds: false }, bootargs: record.append, ladders: 'lab' });
  assert.equal(bare.boot.outcome, 'hang');
  assert.equal(bare.boot.trace, undefined);
  assert.match(bare.diagnostics.find((x) => x.code === 'kernel-hang')!.message, /printing nothing more$/);
});

test('CONFIG_UBSAN_BOUNDS is read from the config: 7.2 builds have it, 6.12 ones do not', () => {
  for (const id of ['7.2-arm64', '7.2-arm64-16k', '7.2-armmp', '7.2-armmp-lpae']) assert.equal(resolveProfile(id)!.ubsanBounds, true, id);
  for (const id of ['6.12-arm64', '6.12-armmp']) assert.equal(resolveProfile(id)!.ubsanBounds, undefined, id);
});
