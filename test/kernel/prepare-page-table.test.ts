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
import { regionBoard } from '../helpers/board.js';

const MiB = 1n << 20n;
const PMD = 2n * MiB;
const hex = (x: bigint) => x.toString(16);
const noMapAt = (base: bigint) =>
  regionBoard(`ramoops@${hex(base)} {
			reg = <0x0 0x${hex(base)} 0x0 0x400000>;
			no-map;
		};`);
const run = (f: string, kernel: string) => plan(loadBoard(f, { platform: 'qemu-virt', arch: 'arm', ram: 256n * MiB }), { kernel });
const warned = (p: ReturnType<typeof run>) => p.diagnostics.some((d) => d.code === 'kernel-unmapped-in-paging-init');

test("a first memory region ending inside the PMD that holds the image's end takes that PMD away: warned", () => {
  let checked = 0;
  for (const kernel of ['5.10-armmp', '6.1-armmp-lpae', '7.2-armmp-lpae']) {
    const image = run(noMapAt(0x4c000000n), kernel).early.find((e) => e.name === 'kernel')!;
    const end = image.base + image.size;
    const inLastPmd = (end + MiB - 1n) & ~(MiB - 1n); // the next MiB boundary above the image
    if (inLastPmd % PMD === 0n) continue; // the image ends in the PMD's upper half: no such layout
    assert.ok(warned(run(noMapAt(inLastPmd), kernel)), `${kernel}: region at 0x${hex(inLastPmd)}, image end 0x${hex(end)}`);
    // from the next PMD on, the image keeps its mappings
    const next = (end + PMD - 1n) & ~(PMD - 1n);
    assert.ok(!warned(run(noMapAt(next), kernel)), `${kernel}: region at 0x${hex(next)}`);
    checked++;
  }
  assert.ok(checked >= 2, `${checked} kernels had such a layout`);
});
