// FLATMEM's mem_map spans the holes between memory banks, and free_area_init_core (5.10, 6.1)
// charges a zone for it by its spanned pages (calc_memmap_size's present-pages estimate is
// SPARSEMEM's), and charges HighMem's mem_map to nr_kernel_pages when there are enough of them:
// nr_kernel_pages sizes the dentry and inode hash tables (alloc_large_system_hash). Two boots of
// the lab's seed 49 #afefcdd1 (three mem= banks, 2 GiB): the model had counted the present pages
// only, doubled both tables and reserved 192 KiB more than the kernel in the Memory: line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../src/kernel/plan.js';
import { recordBoard } from '../../src/verify/records.js';
import { recordFixture } from '../helpers/record-fixture.js';
import { recordProfile, replayCase } from './replay-lib.js';

test('FLATMEM banks with holes: nr_kernel_pages counts mem_map over the holes, the hash tables and the Memory: line as booted', () => {
  for (const name of ['6.1-armmp-seed49-banks', '5.10-armmp-lpae-seed49-banks']) {
    const r = recordFixture(name);
    assert.match(r.append, /mem=262M@0x40000000 mem=834M@0x70c00000 mem=218M@0xb2600000/);
    const out = replayCase(r);
    assert.ok(out.ok, `${name}: ${out.problems.join('; ')}`);
    assert.ok(out.memoryLine, `${name}: the Memory: line was compared`);
    const profile = recordProfile(r)!;
    const p = plan(recordBoard(r, profile.arch), { kernel: profile, bootargs: r.append, ladders: 'lab' });
    const hashes = p.trace.events
      .map((e) => e.detail as { caller?: string; size?: bigint })
      .filter((d) => d.caller === 'alloc_large_system_hash')
      .map((d) => d.size);
    assert.deepEqual(hashes, [0x20000n, 0x10000n], name);
  }
});
