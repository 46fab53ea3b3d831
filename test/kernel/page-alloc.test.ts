// The page allocator's hand-out order after memblock_free_all (src/kernel/page-alloc.ts) and the
// boots it decides: a failed reusable pool that frees the start of the lowest wholly free
// largest-order block out of the kernel image (lab 6.1-armmp 9d240f86: text, ftrace_init;
// 6.1-armmp-lpae 72611b95: bss, a warning: how overwritten data ends a boot is the data's), and a free page dma_contiguous_remap left unmapped among
// the first movable pages the initramfs unpacking takes (lab 6.12-armmp[-lpae] 9a5f2cd2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstUnmovableClaim, movableHandOut, type FreeArea } from '../../src/kernel/page-alloc.js';
import { pfnArea } from '../helpers/free-area.js';
import { plan } from '../../src/kernel/plan.js';
import { loadBoard } from '../../src/board.js';
import { recordBoard } from '../../src/verify/records.js';
import { runCli } from '../helpers/cli.js';
import { regionBoard } from '../helpers/board.js';
import { recordsByKernel, recordProfile } from './replay-lib.js';

const MiB = 1n << 20n;
const K4 = 4096n;
const all = (area: FreeArea, n: number) => [...movableHandOut(area, n)];

test('memblock_free_all leaves each order list lowest first, merged with free buddies; the first unmovable allocation claims the lowest largest-order block', () => {
  // pfns: [1, 4) frees order 0 at 1 and order 1 at 2; [8, 32) frees 8 (order 3) and 16 (order 4)
  const a = pfnArea(
    [
      [1, 4],
      [8, 32],
    ],
    K4,
  );
  assert.deepEqual(a.movable, [[1], [2], [], [8], [16]]);
  assert.deepEqual(firstUnmovableClaim(a, 4, { startPfn: 0, endPfn: 64 }), { pfn: 16, order: 4, claimed: { pfn: 16, order: 4 } });
  // a range that completes a buddy merges with it (__free_one_page), and goes to the list's tail
  const b = pfnArea(
    [
      [16, 24],
      [40, 48],
      [24, 32],
    ],
    K4,
  );
  assert.deepEqual(b.movable, [[], [], [], [40], [16]]);
  // a buddy outside the zone is not merged
  const c = pfnArea([[8, 16]], K4, { startPfn: 8, endPfn: 16 });
  assert.deepEqual(c.movable[3], [8]);
  // pages of an unmovable pageblock are served first: nothing is claimed
  const d = pfnArea([[0, 32]], K4, { startPfn: 0, endPfn: 32 }, (pfn) => pfn >= 16);
  assert.equal(firstUnmovableClaim(d, 4, { startPfn: 0, endPfn: 32 }), undefined);
});

test('movable allocations take the smallest free block first, then the lower halves expand() leaves', () => {
  const a = pfnArea(
    [
      [4, 8],
      [9, 10],
      [16, 32],
    ],
    K4,
  );
  // order 0 at 9 first; then the order-2 block at 4 split: 4, then 5 (order 0), then 6 (order 1: 6, 7)
  assert.deepEqual(all(a, 6), [9, 4, 5, 6, 7, 16]);
  // the lists themselves are left as they were
  assert.deepEqual(all(a, 2), [9, 4]);
});

const pool = (base: number, size: number) =>
  regionBoard(
    `pool@${base.toString(16)} {\n\t\t\tcompatible = "shared-dma-pool";\n\t\t\treusable;\n\t\t\treg = <0x0 0x${base.toString(16)} 0x0 0x${size.toString(16)}>;\n\t\t};`,
  );
const run = (f: string, ram: bigint, kernel: string) =>
  plan(loadBoard(f, { platform: 'qemu-virt', arch: 'arm', ram, initrdSize: 0xdd856n }), { kernel });

test('a failed reusable pool that frees kernel text at the start of the lowest free order-11 block: ftrace_init finds it overwritten, the idle task dies', () => {
  // lab 6.1-armmp 9d240f86: pool@40400000 (not CMA-aligned) takes the image's reservation from
  // 0x40400000 with it; 0x40800000 is text on 5.10 and 6.1 (_etext 0xc0e00000)
  const f = pool(0x40400000, 0x2000000);
  for (const kernel of ['5.10-armmp', '6.1-armmp']) {
    const p = run(f, 256n * MiB, kernel);
    assert.equal(p.boot.outcome, 'panic', kernel);
    assert.equal(p.boot.function, 'ftrace_init', kernel);
    assert.equal(p.boot.panic, 'Attempted to kill the idle task!', kernel);
    assert.match(p.boot.reason ?? '', /\[0x40800000-0x40ffffff\] starts with the kernel image's \[0x40400000-/, kernel);
  }
});

test("the same with the image's data there: the first slab overwrites it, and the plan warns; an image ending below the block is only at risk", () => {
  // lab 6.1-armmp-lpae 72611b95: video@41700000 frees the image's tail; 6.1-lpae's _end is past
  // 0x41800000, so the first slab is zeroed over its bss (that boot fell silent after "Memory:";
  // 5.10-armmp 7955d015, with rodata there, oopses in sched_init: the data decides)
  const f = pool(0x41700000, 0x468000);
  const p = run(f, 256n * MiB, '6.1-armmp-lpae');
  assert.equal(p.boot.outcome, 'ok');
  assert.match(
    p.diagnostics.find((d) => d.code === 'kernel-image-freed')?.message ?? '',
    /\[0x41800000-0x41ffffff\] starts with the kernel image's .*kmem_cache_init's first slab claims that block.*past _etext/,
  );
  // 5.10-lpae's image ends at 0x417f9e4c: the freed part is an order-8 block movable allocations take late (lab: boots)
  const q = run(f, 256n * MiB, '5.10-armmp-lpae');
  assert.equal(q.boot.outcome, 'ok');
  assert.match(
    q.diagnostics.find((d) => d.code === 'kernel-image-freed' && d.severity === 'warning')?.message ?? '',
    /\[0x41700000-0x417f9e4b\] of the running kernel's image.*overwrites the kernel's data there.*movable allocations reach the first of them after \d+ KiB/,
  );
});

test('a free page dma_contiguous_remap left unmapped among the first movable pages: the initramfs unpacking oopses and the boot hangs', (t) => {
  const recs = recordsByKernel();
  if (!recs.size) return t.skip('no lab records');
  const at = (kernel: string, id: string) => {
    const r = recs.get(kernel)!.find((x) => x.caseId === id)!;
    const prof = recordProfile(r)!;
    return plan(recordBoard(r, prof.arch), { kernel: prof, bootargs: r.append });
  };
  for (const kernel of ['6.12-armmp', '6.12-armmp-lpae']) {
    const p = at(kernel, '9a5f2cd2b095a532');
    assert.equal(p.boot.outcome, 'hang', kernel);
    assert.equal(p.boot.function, 'do_populate_rootfs', kernel);
    assert.match(p.boot.reason ?? '', /gets 0x49ae0000/, kernel);
    // not a silent hang: the worker's oops comes first
    assert.match(
      p.diagnostics.find((d) => d.code === 'kernel-hang')?.message ?? '',
      /do_populate_rootfs, after an oops in the worker/,
      kernel,
    );
    // 120b36fa: the hole is in an order-9 block, taken long after the initramfs: a warning only
    const q = at(kernel, '120b36fae8db7974');
    assert.equal(q.boot.outcome, 'ok', kernel);
    assert.ok(
      q.diagnostics.some((d) => d.code === 'free-pages-unmapped' && d.severity === 'warning'),
      kernel,
    );
  }
  // 7d456e2a: 1 GiB, highmem has free pages, so movable allocations do not come from lowmem
  const h = at('6.12-armmp', '7d456e2a8c0ae89a');
  assert.equal(h.boot.outcome, 'ok');
  assert.match(h.diagnostics.find((d) => d.code === 'free-pages-unmapped')?.message ?? '', /served from highmem first/);
});

test('plan CLI: the freed-text death is an error with its function and reason', () => {
  const r = runCli([
    'plan',
    pool(0x40400000, 0x2000000),
    '--kernel',
    '6.1-armmp',
    '--platform',
    'qemu-virt',
    '--ram',
    '256M',
    '--format',
    'json',
  ]);
  const j = JSON.parse(r.stdout) as { boot: { outcome: string; function: string; reason: string } };
  assert.equal(j.boot.outcome, 'panic');
  assert.equal(j.boot.function, 'ftrace_init');
  assert.match(j.boot.reason, /mcount/);
});
