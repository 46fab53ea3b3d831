// arm's kmap_init (arch/arm/mm/mmu.c, end of paging_init) wants a PTE table at PKMAP_BASE,
// PAGE_OFFSET - PMD_SIZE: the linear address of the 2 MiB just below PHYS_OFFSET. 5.10's
// fdt_init_reserved_mem gives a failed no-map region back with memblock_add, the part below RAM
// too, and map_lowmem maps that memory with sections, so arm_pte_alloc's BUG_ON(pmd_bad) oopses
// (src/kernel/arch/arm/mmu.ts). The lab's 5.10-armmp #13 and #263 are such boots
// (test/kernel/replay.test.ts checks them); here the plan on boards made for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../src/kernel/plan.js';
import { loadBoard } from '../../src/board.js';
import { regionBoard } from '../helpers/board.js';

const MiB = 1n << 20n;
const run = (f: string, kernel: string) => plan(loadBoard(f, { platform: 'qemu-virt', arch: 'arm', ram: 256n * MiB }), { kernel });
// a reusable no-map shared-dma-pool: rmem_cma_setup and rmem_dma_setup both refuse it
const failing = (base: number) =>
  regionBoard(`ipc@${base.toString(16)} {
			compatible = "shared-dma-pool";
			reg = <0x0 0x${base.toString(16)} 0x0 0x2000000>;
			no-map;
			reusable;
		};`);

test("memory given back below PHYS_OFFSET is section-mapped at PKMAP_BASE: 5.10's kmap_init BUGs in arm_pte_alloc", () => {
  for (const kernel of ['5.10-armmp', '5.10-armmp-lpae']) {
    const p = run(failing(0x3f000000), kernel);
    assert.equal(p.boot.outcome, 'panic', kernel);
    assert.equal(p.boot.function, 'arm_pte_alloc', kernel);
    assert.equal(p.boot.panic, 'Attempted to kill the idle task!', kernel);
    assert.match(p.boot.reason ?? '', /\[0x3fe00000-0x(3ff00000|40000000)\) with a section.*PKMAP_BASE/, kernel);
    assert.ok(
      p.log.some((l) => l.text === 'Internal error: Oops - BUG: 0 [#1] SMP ARM'),
      kernel,
    );
  }
  // later series clear the no-map flag instead (memblock_clear_nomap): no memory below RAM
  for (const kernel of ['6.1-armmp', '6.12-armmp', '7.2-armmp'])
    assert.notEqual(run(failing(0x3f000000), kernel).boot.function, 'arm_pte_alloc', kernel);
});

test('memory whose linear address is below TASK_SIZE is not mapped by create_mapping: no section at PKMAP_BASE', () => {
  // 0x3e000000's linear address 0xbe000000 lies below TASK_SIZE (PAGE_OFFSET - 16 MiB): create_mapping
  // refuses map_lowmem's whole piece under the kernel ('BUG: not creating mapping ... in user region')
  for (const kernel of ['5.10-armmp', '5.10-armmp-lpae'])
    assert.notEqual(run(failing(0x3e000000), kernel).boot.function, 'arm_pte_alloc', kernel);
});
