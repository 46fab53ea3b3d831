// arm64: image pages a failed region freed that the first slab does not take go to the movable
// allocations, the initramfs's tmpfs pages first (src/kernel/start-kernel.ts freedToPageCache). The
// warning says after how many KiB they reach the first freed page, and, within the initrd's size,
// what free_initmem does to a file page there: the report the series prints (pageAlloc.freeCheck)
// and the page left in the page cache with no reference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../src/kernel/plan.js';
import { loadBoard } from '../../src/board.js';
import { recordBoard, readLabRecords } from '../../src/verify/records.js';
import { regionBoard } from '../helpers/board.js';
import { recordProfile } from './replay-lib.js';

const MiB = 1n << 20n;
const pool = (at: string, size: string) =>
  regionBoard(`pool@${at} { compatible = "shared-dma-pool"; reusable; reg = <0x0 0x${at} 0x0 ${size}>; };`);
const warning = (board: string, kernel: string, initrdSize: bigint) =>
  plan(loadBoard(board, { platform: 'qemu-virt', arch: 'arm64', ram: 768n * MiB, initrdSize }), { kernel }).diagnostics.find(
    (d) => d.code === 'kernel-image-freed',
  )?.message ?? '';
const reach = (message: string) => {
  const m = / reach 0x[0-9a-f]+ after (\d+) KiB/.exec(message);
  assert.ok(m, message);
  return Number(m[1]);
};

test('7.2-arm64 f51c6152: the freed init page is the first movable page, file data within the initrd', () => {
  const r = readLabRecords('7.2-arm64').find((x) => x.caseId === 'f51c615263a5e4c7');
  assert.ok(r, 'recorded');
  const prof = recordProfile(r)!;
  const p = plan(recordBoard(r, prof.arch), { kernel: prof, bootargs: r.append });
  const w = p.diagnostics.find((d) => d.code === 'kernel-image-freed')?.message ?? '';
  // a lone 4 KiB block: movable allocations take the smallest free block first
  assert.match(w, /reach 0x42800000 after 0 KiB, less than the initrd's 990 KiB: unpacking the initramfs/);
  // 7.2 checks the page as free_initmem frees it: the kernel's own line, pfn in %05lx
  assert.match(w, /free_pages_prepare reports it at once \("BUG: Bad page state in process swapper\/0 {2}pfn:42800"/);
  assert.match(w, /no reference, so the first read of that file page retries the page cache lookup for ever/);
  assert.equal(p.boot.outcome, 'ok'); // which file page it is, and whether it is read, is the initramfs's
});

test('5.10 and 6.1 check a freed order-0 page only when the per-cpu list drains it', () => {
  // inside each build's init sections ([__init_begin, __init_end) from System.map)
  assert.match(warning(pool('41800000', '0x1000'), '5.10-arm64', 0xf79can), /only if free_pcppages_bulk drains it there/);
  assert.match(warning(pool('41c00000', '0x1000'), '6.1-arm64', 0xf79can), /pfn:41c00", page still charged to cgroup\) only if/);
  assert.match(warning(pool('42800000', '0x1000'), '6.12-arm64', 0xf79can), /reports it at once/);
});

test('a larger freed block comes after the smaller free blocks, and past the initrd the page is still free at free_initmem', () => {
  // order 0, 7, 8 blocks at 0x42800000 (7.2-arm64's init text and data); each later in the movable order
  const small = warning(pool('42800000', '0x1000'), '7.2-arm64', 4n * MiB);
  const mid = warning(pool('42800000', '0x80000'), '7.2-arm64', 4n * MiB);
  const big = warning(pool('42800000', '0x100000'), '7.2-arm64', 4n * MiB);
  assert.equal(reach(small), 0);
  assert.ok(reach(mid) > reach(small) && reach(big) > reach(mid), `${reach(small)} < ${reach(mid)} < ${reach(big)}`);
  // the same block against initrds of whole MiB (the free blocks around them alike): one the
  // movable allocations before it outgrow, one they do not
  const within = warning(pool('42800000', '0x100000'), '7.2-arm64', 2n * MiB);
  const past = warning(pool('42800000', '0x100000'), '7.2-arm64', 1n * MiB);
  assert.equal(reach(within), reach(past));
  assert.ok(reach(past) > 1024 && reach(within) < 2048, `${reach(past)} KiB`);
  assert.match(within, /less than the initrd's 2048 KiB/);
  assert.match(past, /more than the initrd's 1024 KiB/);
  assert.match(past, /still free when free_initmem frees it a second time: nothing reports it/);
  // 6.12 checks the free block's first page at once and finds its buddy type
  const twice = warning(pool('42700000', '0x100000'), '6.12-arm64', 1n * MiB);
  assert.match(twice, /more than the initrd's/);
  assert.match(twice, /fails the check on its buddy type \("BUG: Bad page state", nonzero mapcount\) at once/);
});
