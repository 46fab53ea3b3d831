// memblock's static arrays (mm/memblock.c INIT_MEMBLOCK_REGIONS, 128 each) cannot grow before
// memblock_allow_resize() (paging_init): a board with 200 static 8 KiB carve-outs, a third of them
// no-map (each splits memblock.memory), fills them during the reserved-memory scan. arm64's
// asm/memory.h makes them larger with CONFIG_EFI (memory: 128 * 8 on 6.1+) and CONFIG_EFI +
// CONFIG_ARM_GIC_V3_ITS (reserved: 128 + NR_CPUS + 1), read from the build's config. Booted with
// `carveout verify` (1 GiB, QEMU virt): every arm64 build reached /init (memory.cnt 0x85 and
// reserved.cnt 0x8d on 6.12, past 128); 6.12 and 7.2 armmp panicked `memblock: cannot resize
// reserved array`, as planned (5.10 and 6.1 armmp died in early_alloc, as verify's plan of the booted
// tree said).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan, resolveProfile } from '../../src/kernel/plan.js';
import { loadBoard } from '../../src/board.js';
import { fileURLToPath } from 'node:url';

const GiB = 1n << 30n;
// the board booted (test/fixtures/kernel/dense-carveouts.dts): 200 regions 1 MiB apart from
// 0x48000000, each at some page of its MiB, every third one no-map
const dense = fileURLToPath(new URL('../fixtures/kernel/dense-carveouts.dts', import.meta.url));
// with the lab's initramfs (its size per arch), as verify booted it
const run = (kernel: string) => {
  const k = resolveProfile(kernel)!;
  return plan(loadBoard(dense, { platform: 'qemu-virt', arch: k.arch, ram: GiB, initrdSize: k.arch === 'arm' ? 0xdd856n : 0xf79can }), {
    kernel: k,
    bootargs: 'console=ttyAMA0',
  });
};

test("arm64's EFI builds have room for 200 carve-outs before paging_init; armmp's 128-entry arrays do not", () => {
  assert.deepEqual(resolveProfile('6.12-arm64')!.memblockInitRegions, { memory: 1024, reserved: 128 + 512 + 1 });
  assert.deepEqual(resolveProfile('5.10-arm64')!.memblockInitRegions, { memory: 128, reserved: 128 + 256 + 1 });
  assert.equal(resolveProfile('6.12-armmp')!.memblockInitRegions, undefined);
  for (const kernel of ['5.10-arm64', '6.1-arm64', '6.12-arm64', '6.12-arm64-16k', '7.2-arm64']) {
    const p = run(kernel);
    assert.equal(p.boot.outcome, 'ok', `${kernel}: ${p.boot.reason ?? ''}`);
  }
  for (const kernel of ['6.12-armmp', '7.2-armmp']) {
    const p = run(kernel);
    assert.deepEqual(
      [p.boot.outcome, p.boot.function, p.boot.panic],
      ['panic', 'memblock_double_array', 'memblock: cannot resize reserved array'],
      kernel,
    );
  }
});
