// 32-bit arm out of memory after memblock_free_all, from the build's measured ladder
// (data/lab/ladder/6.12-armmp.jsonl.gz): the squeeze layout memory-ladder.ts boots, planned with
// all of RAM lowmem (as measured: the plan predicts the death the ladder saw) and with 1 GiB, where
// the same lowmem sits beside highmem the ladder's boots did not have (a warning).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBoard } from '../../src/board.js';
import { plan, resolveProfile } from '../../src/kernel/plan.js';
import { measuredBounds, OOM_LADDERS } from '../../src/kernel/oom.js';
import { fixedAppend, labDtb } from '../../src/verify/lab.js';
import { ladderCase } from '../../src/verify/memory-ladder.js';

const profile = resolveProfile('6.12-armmp')!;
const INITRD = 0xdd856n; // the lab's armhf initramfs

function planned(ramMiB: number, freeKiB: number) {
  const lc = ladderCase(profile, INITRD, freeKiB, ramMiB);
  assert.ok(lc, `a squeeze leaving ${freeKiB} KiB on ${ramMiB} MiB`);
  const board = loadBoard(labDtb(lc.c).dtb, {
    fileName: 'ladder.dtb',
    platform: 'qemu-virt',
    asBooted: true,
    arch: 'arm',
    ram: BigInt(ramMiB) << 20n,
    initrdSize: INITRD,
  });
  // the init boot (32-bit's has no memblock=debug: with earlycon it hangs in early_fixmap_shutdown)
  return plan(board, { kernel: profile, bootargs: `${fixedAppend('arm', false)} ${lc.c.bootargs}` });
}

test('6.12-armmp: lowmem below the measured bound dies where the ladder says; beside highmem it is a warning', () => {
  const ladder = (OOM_LADDERS['6.12-armmp'] ?? []).find((l) => l.package === profile.debianPackage);
  assert.ok(ladder, 'the built-in 6.12-armmp package has a measured ladder');
  // as measured with one CPU, the squeeze's (QEMU's -smp 1)
  const { died = 0, lived = 0 } = measuredBounds(ladder);
  assert.ok(died < lived, `${died} < ${lived}`);

  const low = planned(128, died - 512);
  assert.equal(low.pageAllocator?.highmem, 0n);
  assert.equal(low.boot.outcome, 'panic');
  assert.equal(low.boot.function, 'out_of_memory');
  assert.match(low.boot.reason ?? '', /out of memory: memblock_free_all hands the page allocator \d+ KiB/);

  const ok = planned(128, lived + 512);
  assert.equal(ok.boot.outcome, 'ok');

  const high = planned(1024, died - 512);
  assert.ok((high.pageAllocator?.highmem ?? 0n) > 0n, 'highmem beside the squeezed lowmem');
  assert.ok((high.pageAllocator?.free ?? 0n) >> 10n <= BigInt(died), String(high.pageAllocator?.free));
  assert.equal(high.boot.outcome, 'ok');
  assert.ok(
    high.diagnostics.some((d) => d.code === 'out-of-memory-unmeasured' && /highmem/.test(d.message)),
    high.diagnostics.map((d) => d.code).join(', '),
  );
});
