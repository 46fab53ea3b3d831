// 32-bit arm: what memblock_free_all and free_highpages hand the page allocator
// (mm-init.ts pageAllocStart, PlanResult.pageAllocator) against the "Memory:" line of every recorded
// 32-bit boot that printed one. total, cma-reserved and highmem are the line's own figures; the
// plan's reserved figure follows memblock's allocations up to memblock_free_all except one whose
// size is the build's: the per-cpu first chunk (mm/percpu.c pcpu_embed_first_chunk, one unit per
// CPU: the static per-cpu size System.map states, plus 8 KiB reserved and 20 KiB dynamic, in pages;
// the lab's 32-bit profiles do not read it). So the kernel reserves that unit more on every boot of
// a build, and a page of its small allocations at most, whatever the RAM, the lowmem/highmem split,
// the tree, the hash tables, page_ext, the LPAE swiotlb buffer or the holes whose mem_map
// free_unused_memmap gives back. (The line's reserved figure is an unsigned long in KiB: compared
// modulo 2^32.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../src/kernel/plan.js';
import { recordBoard } from '../../src/verify/records.js';
import { recordProfile, recordsByKernel } from './replay-lib.js';

const LINE = /Memory: (\d+)K\/(\d+)K available .* (\d+)K reserved, (\d+)K cma-reserved, (\d+)K highmem/;

test('arm: the plan\'s page-allocator figures against every recorded "Memory:" line', () => {
  const failures: string[] = [];
  const summary: string[] = [];
  for (const [kernel, records] of recordsByKernel()) {
    if (!kernel.includes('armmp')) continue;
    const extra: number[] = [];
    for (const r of records) {
      const o = r.observation;
      const text = o.log.find((l) => l.text.startsWith('Memory: '))?.text ?? LINE.exec(o.console ?? '')?.[0];
      const m = text ? LINE.exec(text) : null;
      if (!m) continue;
      const pa = plan(recordBoard(r, 'arm'), { kernel: recordProfile(r)!, bootargs: r.append }).pageAllocator;
      if (pa?.highmem === undefined) {
        failures.push(`${kernel} ${r.caseId}: no page-allocator figures`);
        continue;
      }
      const k = (x: bigint) => Number(x >> 10n);
      const [total, reserved, cma, high] = [m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number];
      if (k(pa.total) !== total || k(pa.cmaReserved) !== cma || k(pa.highmem) !== high)
        failures.push(
          `${kernel} ${r.caseId}: total/cma/highmem kernel ${total}/${cma}/${high}K, plan ${k(pa.total)}/${k(pa.cmaReserved)}/${k(pa.highmem)}K`,
        );
      extra.push(((reserved - k(pa.reserved) + 2 ** 31) % 2 ** 32) - 2 ** 31);
    }
    if (!extra.length) continue;
    // what the kernel reserved beyond the plan: the same on every boot of the build
    const sorted = [...extra].sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1]!;
    const off = extra.filter((x) => Math.abs(x - median) > 4);
    summary.push(
      `${kernel}: ${extra.length} lines, the kernel reserves ${sorted[0]}..${sorted[sorted.length - 1]} KiB more (median ${median}; ${off.length} off by more than a page)`,
    );
    if (median < 32 || median > 128)
      failures.push(`${kernel}: the kernel reserves ${median} KiB more than the plan (the per-cpu unit: 32..128 KiB)`);
    if (off.length)
      failures.push(`${kernel}: ${off.length} of ${extra.length} boots differ from the median by more than a page: ${off.join(', ')}`);
  }
  process.stdout.write(`# ${summary.join('\n# ')}\n`);
  assert.ok(summary.length >= 8, `32-bit kernels with "Memory:" lines: ${summary.length}`);
  assert.deepEqual(failures, []);
});
