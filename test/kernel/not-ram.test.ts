// 5.10's fdt_init_reserved_mem gives a no-map region whose handler failed back with memblock_add,
// whole, also where there is no RAM. Above RAM that memory raises arm_lowmem_limit
// (adjust_lowmem_bounds runs again after arm_memblock_init), and once paging_init sets memblock's
// limit to it the next memblock_alloc comes from there: zeroing it aborts before the exception
// vectors exist, a silent hang (src/kernel/arch/arm/mmu.ts, boot-state.ts notRam). The lab's
// 5.10-armmp-lpae #91 is such a boot (test/kernel/replay.test.ts); here boards made for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../src/kernel/plan.js';
import { loadBoard } from '../../src/board.js';
import { failingNomapPool, regionBoard } from '../helpers/board.js';

const MiB = 1n << 20n;
const run = (f: string, kernel: string, ram = 128n) =>
  plan(loadBoard(f, { platform: 'qemu-virt', arch: 'arm', ram: ram * MiB }), { kernel });
const failing = (base: number, size: number) => failingNomapPool('vpu', base, size);

test("memory given back above RAM is where paging_init's next memblock_alloc lands on 5.10 arm: the zeroing write hangs the boot", () => {
  for (const kernel of ['5.10-armmp', '5.10-armmp-lpae']) {
    const p = run(failing(0x48000000, 0x1000), kernel);
    assert.equal(p.boot.outcome, 'hang', kernel);
    assert.equal(p.boot.function, 'iotable_init', kernel);
    assert.match(
      p.boot.reason ?? '',
      /at (0x48000fd[08]): memblock_alloc zeroes \[\1-0x48000fff\], which memblock\.memory holds but is not RAM \(RAM: 0x40000000\+0x8000000\)/,
      kernel,
    );
  }
  // the same region inside RAM is memory: given back, nothing dies
  for (const kernel of ['5.10-armmp', '5.10-armmp-lpae']) assert.equal(run(failing(0x47000000, 0x1000), kernel).boot.outcome, 'ok', kernel);
  // later series do not give a failed region back with memblock_add
  for (const kernel of ['6.1-armmp', '6.12-armmp', '7.2-armmp'])
    assert.equal(run(failing(0x48000000, 0x1000), kernel).boot.outcome, 'ok', kernel);
});

test("memory given back above RAM in highmem: highmem's only unmovable pages, so the first vmalloc (sock_init, in init) dies zeroing one", () => {
  // 1 GiB: lowmem ends at the vmalloc area, far below 0x80000000, so no memblock allocation gets there
  const warning = (kernel: string, base: number, ram: bigint) =>
    run(failing(base, 0x40000), kernel, ram).diagnostics.find((d) => d.code === 'free-pages-not-ram');
  for (const kernel of ['5.10-armmp', '5.10-armmp-lpae']) {
    const p = run(failing(0x8f900000, 0x40000), kernel, 1024n);
    // the pageblock holding 0x8f900000 starts in the hole after RAM: MIGRATE_UNMOVABLE, and nothing else in highmem is
    assert.deepEqual(
      { outcome: p.boot.outcome, function: p.boot.function, panic: p.boot.panic },
      { outcome: 'panic', function: 'kernel_init_free_pages', panic: 'Attempted to kill init! exitcode=0x0000000b' },
      kernel,
    );
    assert.match(
      p.boot.reason ?? '',
      /highmem's only unmovable free pages, \[0x8f900000-0x8f93ffff\], lie in pageblocks that start outside memory/,
      kernel,
    );
    const w = warning(kernel, 0x8f900000, 1024n);
    assert.ok(w, kernel);
    assert.match(
      w.message,
      /gets \[0x8f900000-0x8f93ffff\], which memblock\.memory holds but is not RAM.*\[0x8f900000-0x8f93ffff\] lies in a pageblock that starts outside memory/,
      kernel,
    );
    // inside RAM: nothing to warn about, nothing dies
    assert.equal(warning(kernel, 0x7f000000, 1024n), undefined, kernel);
    assert.equal(run(failing(0x7f000000, 0x40000), kernel, 1024n).boot.outcome, 'ok', kernel);
  }
  // a dynamic no-map region, which 5.10 removes from memory, at a (2 MiB, LPAE) pageblock's start
  // (0x7fc00000, top-down) leaves RAM pages on the unmovable lists too, smaller blocks that the first
  // vmallocs take first: no death predicted there (the lab's 5.10-armmp-lpae bd82b89d)
  const both = regionBoard(`vpu@8f900000 {
			compatible = "shared-dma-pool";
			reg = <0x0 0x8f900000 0x0 0x40000>;
			no-map;
			reusable;
		};
		hole {
			size = <0x0 0x1000>;
			alignment = <0x0 0x400000>;
			no-map;
		};`);
  const lpae = run(both, '5.10-armmp-lpae', 1024n);
  assert.equal(lpae.boot.outcome, 'ok');
  assert.ok(lpae.diagnostics.some((d) => d.code === 'free-pages-not-ram'));
  // 8 MiB pageblocks without LPAE: 0x7fc00000's is 0x7f800000's, which starts in memory
  assert.equal(run(both, '5.10-armmp', 1024n).boot.outcome, 'panic');
  // later series do not give a failed region back with memblock_add
  assert.equal(warning('6.1-armmp', 0x8f900000, 1024n), undefined);
  assert.equal(run(failing(0x8f900000, 0x40000), '6.1-armmp', 1024n).boot.outcome, 'ok');
});

test('a failed region inside the initrd takes those pages out of its reservation: memblock_free_all hands them over, warned', () => {
  const board = (base: number) =>
    regionBoard(`dsp@${base.toString(16)} {
			compatible = "shared-dma-pool";
			reg = <0x0 0x${base.toString(16)} 0x0 0x40000>;
			reusable;
		};`);
  // a 256 KiB reusable shared-dma-pool: not CMA-aligned (rmem_cma_setup refuses), reusable (rmem_dma_setup refuses)
  for (const kernel of ['5.10-armmp-lpae', '6.1-armmp', '6.12-arm64']) {
    const arch = kernel.includes('arm64') ? 'arm64' : 'arm';
    const load = (f: string) => loadBoard(f, { platform: 'qemu-virt', arch, ram: 128n * MiB, initrdSize: 0xde000n });
    const at = plan(load(board(0x47000000)), { kernel }).early.find((e) => e.name === 'initrd')!;
    const inside = Number(at.base + 0x70000n);
    const w = plan(load(board(inside)), { kernel }).diagnostics.find((d) => d.code === 'initrd-pages-freed');
    assert.ok(w, `${kernel}: region at 0x${inside.toString(16)} in the initrd at 0x${at.base.toString(16)}`);
    assert.match(w.message, /of the initrd \[0x[0-9a-f]+-0x[0-9a-f]+\]/, kernel);
    // the same region outside the initrd: nothing of it is handed over
    assert.equal(
      plan(load(board(0x47000000)), { kernel }).diagnostics.find((d) => d.code === 'initrd-pages-freed'),
      undefined,
      kernel,
    );
  }
});

test("a failed region over QEMU's device tree blob takes those pages out of its reservation: memblock_free_all hands them over, warned", () => {
  const board = (base: number) =>
    regionBoard(`pool@${base.toString(16)} {
			compatible = "shared-dma-pool";
			reg = <0x0 0x${base.toString(16)} 0x0 0x400000>;
			reusable;
		};`);
  // a 4 MiB reusable shared-dma-pool off the CMA alignment: rmem_cma_setup refuses it (6.12-arm64-16k's lab death, a338c6d3)
  for (const kernel of ['5.10-armmp', '6.1-arm64', '6.12-arm64-16k', '6.1-armmp-lpae']) {
    const arch = kernel.includes('arm64') ? 'arm64' : 'arm';
    const load = (f: string) => loadBoard(f, { platform: 'qemu-virt', arch, ram: 1024n * MiB, initrdSize: 0xf79can });
    const dtb = plan(load(board(0x70000000)), { kernel }).early.find((e) => e.name === 'dtb')!;
    assert.ok(dtb, kernel);
    const over = Number(dtb.base - 0x20000n);
    const w = plan(load(board(over)), { kernel }).diagnostics.find((d) => d.code === 'fdt-pages-freed');
    assert.ok(w, `${kernel}: region at 0x${over.toString(16)} over the blob at 0x${dtb.base.toString(16)}`);
    assert.match(w.message, /of the device tree blob \[0x[0-9a-f]+-0x[0-9a-f]+\] \(pool@[0-9a-f]+'s failed handler/, kernel);
    // the same region away from the blob: nothing of it is handed over
    assert.equal(
      plan(load(board(0x70000000)), { kernel }).diagnostics.find((d) => d.code === 'fdt-pages-freed'),
      undefined,
      kernel,
    );
  }
});
