// 6.1+'s map_lowmem (arch/arm/mm/mmu.c) leaves the kernel's sections to map_kernel: a memory range
// from kernel_sec_start that ends inside them (a no-map region just past the image, in its last
// section) has its start moved to kernel_sec_end, past its end, and create_mapping's length wraps.
// Off a section boundary alloc_init_pte then writes PTEs round the address space: the boot dies in
// silence (the lab's 6.1-armmp-lpae fba8c8ec and 7.2-armmp-lpae 5e840204 hung so). On a boundary
// (the range exactly the kernel's sections) it is sections all round, and the boot goes on
// (6.12-armmp fba8c8ec reached /init). 5.10's map_lowmem maps the kernel with the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../src/kernel/plan.js';
import { loadBoard } from '../../src/board.js';
import { noMapBoard } from '../helpers/board.js';

const MiB = 1n << 20n;
const hex = (x: bigint) => x.toString(16);
const noMap = (base: bigint) => noMapBoard('unmap', base, 0x10000n);
const run = (f: string, kernel: string) => plan(loadBoard(f, { platform: 'qemu-virt', arch: 'arm', ram: 256n * MiB }), { kernel });

test("map_lowmem: a first range ending inside the kernel's last section wraps; off a section boundary the boot dies", () => {
  for (const [kernel, section] of [
    ['6.1-armmp', MiB],
    ['6.1-armmp-lpae', 2n * MiB],
    ['7.2-armmp', MiB],
    ['7.2-armmp-lpae', 2n * MiB],
  ] as const) {
    const image = run(noMap(0x4c000000n), kernel).early.find((e) => e.name === 'kernel')!;
    const end = image.base + image.size;
    const secEnd = 0x40000000n + ((end - 0x40000000n + section - 1n) / section) * section;
    const inside = (end + 0xffffn) & ~0xffffn; // the first 64 KiB boundary past the image
    assert.ok(inside < secEnd, `${kernel}: image end 0x${hex(end)}, kernel_sec_end 0x${hex(secEnd)}`);
    const p = run(noMap(inside), kernel);
    assert.equal(p.boot.outcome, 'hang', kernel);
    assert.equal(p.boot.function, 'alloc_init_pte', kernel);
    assert.match(p.boot.reason ?? '', new RegExp(`ending inside the kernel's sections, before kernel_sec_end 0x${hex(secEnd)}`));
    // the range exactly the kernel's sections: sections all round, no such death
    assert.notEqual(run(noMap(secEnd), kernel).boot.function, 'alloc_init_pte', kernel);
  }
  // 5.10 maps the kernel's sections with the rest of the range: nothing wraps
  const image = run(noMap(0x4c000000n), '5.10-armmp').early.find((e) => e.name === 'kernel')!;
  const p = run(noMap((image.base + image.size + 0xffffn) & ~0xffffn), '5.10-armmp');
  assert.notEqual(p.boot.function, 'alloc_init_pte');
});
