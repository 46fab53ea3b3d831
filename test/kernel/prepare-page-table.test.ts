// arm's prepare_page_table (arch/arm/mm/mmu.c) clears kernel-space PMDs from
// pmd_off_k(__phys_to_virt(end)), end being where memblock.memory.regions[0] ends: the whole
// 2 MiB PMD holding `end` goes. A first region that ends just above the image, inside the PMD
// holding the image's end, takes the image's last PMD away until paging_init maps it again
// (src/kernel/arch/arm/mmu.ts warns kernel-unmapped-in-paging-init; the lab's 7.2-armmp-lpae #106
// hung so, test/kernel/replay.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../src/kernel/plan.js';
import { loadBoard } from '../../src/board.js';
import { noMapBoard } from '../helpers/board.js';
import { OOM_LADDERS } from '../../src/kernel/oom.js';

const MiB = 1n << 20n;
const PMD = 2n * MiB;
const hex = (x: bigint) => x.toString(16);
const noMapAt = (base: bigint) => noMapBoard('ramoops', base, 0x400000n);
const run = (f: string, kernel: string) => plan(loadBoard(f, { platform: 'qemu-virt', arch: 'arm', ram: 256n * MiB }), { kernel });
// warned, or (a build whose measured boots all hung so: OomLadder.unmapped) predicted to hang in paging_init
const warned = (p: ReturnType<typeof run>) =>
  p.diagnostics.some((d) => d.code === 'kernel-unmapped-in-paging-init') ||
  (p.boot.outcome === 'hang' && p.boot.function === 'paging_init');

test("a first memory region ending inside the PMD that holds the image's end takes that PMD away: warned", () => {
  let checked = 0;
  for (const kernel of ['5.10-armmp', '6.1-armmp-lpae', '7.2-armmp-lpae']) {
    const image = run(noMapAt(0x4c000000n), kernel).early.find((e) => e.name === 'kernel')!;
    const end = image.base + image.size;
    const inLastPmd = (end + MiB - 1n) & ~(MiB - 1n); // the next MiB boundary above the image
    if (inLastPmd % PMD === 0n) continue; // the image ends in the PMD's upper half: no such layout
    const p = run(noMapAt(inLastPmd), kernel);
    assert.ok(warned(p), `${kernel}: region at 0x${hex(inLastPmd)}, image end 0x${hex(end)}`);
    assert.equal(p.kernelUnmappedFrom, end & ~(PMD - 1n), kernel);
    // from the next PMD on, the image keeps its mappings
    const next = (end + PMD - 1n) & ~(PMD - 1n);
    const q = run(noMapAt(next), kernel);
    assert.ok(!warned(q), `${kernel}: region at 0x${hex(next)}`);
    assert.equal(q.kernelUnmappedFrom, undefined, kernel);
    checked++;
  }
  assert.ok(checked >= 2, `${checked} kernels had such a layout`);
});

// What the CPU runs on while the image is unmapped is measured per build under QEMU virt
// (memory-ladder.ts --unmapped, OomLadder.unmapped): 7.2-armmp-lpae hung on every such boot the lab
// made, 7.2-armmp reached /init on them.
const straddle = noMapBoard('ipc', 0x3fff8000n, 0x10000n);

test('a build whose measured boots all hung with the image unmapped: QEMU virt hangs in paging_init, a board is warned', () => {
  const unmapped = (kernel: string) => OOM_LADDERS[kernel]?.flatMap((l) => l.unmapped ?? []) ?? [];
  const lpae = unmapped('7.2-armmp-lpae').filter((x) => x.from === 0x200000);
  assert.ok(lpae.length >= 2 && lpae.every((x) => x.end === 'hang'), JSON.stringify(lpae));
  const p = run(straddle, '7.2-armmp-lpae');
  assert.equal(p.kernelUnmappedFrom, 0x40200000n);
  assert.equal(p.boot.outcome, 'hang');
  assert.equal(p.boot.function, 'paging_init');
  assert.match(p.boot.reason ?? '', /measured, \d+ boot\(s\) of this build under QEMU virt with the same PMDs cleared \(256 MiB: hung, /);
  // the same tree on a board: its CPU's TLB was not measured
  const b = plan(loadBoard(straddle, { platform: 'board', arch: 'arm', memory: [{ base: 0x40000000n, size: 256n * MiB }] }), {
    kernel: '7.2-armmp-lpae',
  });
  assert.equal(b.boot.outcome, 'ok');
  const w = b.diagnostics.find((d) => d.code === 'kernel-unmapped-in-paging-init');
  assert.match(w?.message ?? '', /hung.*; a board's CPU and TLB may differ\)$/);
  // 7.2-armmp's measured boots reached /init: warned with them
  const armmp = unmapped('7.2-armmp').filter((x) => x.from === 0x200000);
  assert.ok(armmp.length >= 2 && armmp.every((x) => x.end === 'init'), JSON.stringify(armmp));
  const q = run(straddle, '7.2-armmp');
  assert.equal(q.boot.outcome, 'ok');
  assert.match(q.diagnostics.find((d) => d.code === 'kernel-unmapped-in-paging-init')?.message ?? '', /256 MiB: reached \/init/);
});
