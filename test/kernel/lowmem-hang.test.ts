// Two more silent deaths in arm's paging_init (src/kernel/arch/arm/mmu.ts), before the exception
// vectors exist: map_lowmem wanting a PTE table in a 2 MiB block whose first half it mapped with a
// section (2-level tables: arm_pte_alloc's BUG_ON), and dma_contiguous_remap leaving the rest of a
// cleared block unmapped, where memblock_alloc then zeroes iotable_init's static_vm. The lab's
// 6.1-armmp #105 (and 5.10/7.2-armmp's) and 6.12/7.2-armmp-lpae #75 are such boots
// (test/kernel/replay.test.ts checks them); here the plan, its JSON and the CLI on boards made for them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../src/kernel/plan.js';
import { loadBoard } from '../../src/board.js';
import { runCli } from '../helpers/cli.js';
import { noMapBoard, regionBoard } from '../helpers/board.js';

const MiB = 1n << 20n;
const armmp = ['5.10-armmp', '6.1-armmp', '6.12-armmp', '7.2-armmp'];
const lpae = ['5.10-armmp-lpae', '6.1-armmp-lpae', '6.12-armmp-lpae', '7.2-armmp-lpae'];
const run = (f: string, ram: bigint, kernel: string, bootargs?: string) =>
  plan(loadBoard(f, { platform: 'qemu-virt', arch: 'arm', ram }), { kernel, ...(bootargs ? { bootargs } : {}) });

test('a no-map region ending a section into a 2 MiB block and the next memory starting unaligned in it hangs armmp in arm_pte_alloc', () => {
  // lab #105: the memory before dsp@5f700000 ends with a 1 MiB section in the first half of the
  // block at 0x5f600000; the memory after it starts at 0x5f747000, in the second half
  const f = noMapBoard('dsp', 0x5f700000n, 0x47000n);
  for (const kernel of armmp) {
    const p = run(f, 512n * MiB, kernel);
    assert.equal(p.boot.outcome, 'hang', kernel);
    assert.equal(p.boot.function, 'arm_pte_alloc', kernel);
    assert.match(p.boot.reason ?? '', /\[0x5f600000-0x5f700000\) with a section.*\[0x5f747000-0x5f800000\)/, kernel);
    assert.ok(!p.log.some((l) => l.text.startsWith('Kernel command line:')), kernel);
  }
  // LPAE's sections are whole 2 MiB blocks, each with its own entry
  for (const kernel of lpae) assert.equal(run(f, 512n * MiB, kernel).boot.outcome, 'ok', kernel);
  // ending the hole on a section boundary, the next memory is section-mapped too
  const even = noMapBoard('dsp', 0x5f700000n, 0x100000n);
  for (const kernel of armmp) assert.equal(run(even, 512n * MiB, kernel).boot.outcome, 'ok', kernel);
});

test("a memory range that is exactly the kernel's sections makes map_lowmem map sections everywhere above: the next unaligned range hangs in arm_pte_alloc", () => {
  // lab 7.2-armmp-lpae #95: 7.2's LPAE image ends in the 2 MiB section below 0x42000000; a no-map
  // region there leaves [0x40000000-0x42000000) as the first range, map_lowmem's cases 1 and 3
  // make its length wrap, and the range after the region starts off a section boundary
  const at = (base: number, size: number) => noMapBoard('fw', BigInt(base), BigInt(size));
  const p = run(at(0x42000000, 0x300000), 128n * MiB, '7.2-armmp-lpae');
  assert.equal(p.boot.outcome, 'hang');
  assert.equal(p.boot.function, 'arm_pte_alloc');
  assert.match(p.boot.reason ?? '', /\[0x40000000-0x42000000\) equal to the kernel's sections.*\[0x42300000-0x42400000\)/);
  // other builds end their image elsewhere: the same region is an ordinary no-map hole there
  for (const kernel of ['6.1-armmp-lpae', '6.12-armmp-lpae', '7.2-armmp'])
    assert.equal(run(at(0x42000000, 0x300000), 128n * MiB, kernel).boot.outcome, 'ok', kernel);
  // the range after a section-aligned hole is mapped with sections only (lab 6.12-armmp #51 boots)
  assert.equal(run(at(0x42000000, 0x400000), 128n * MiB, '7.2-armmp-lpae').boot.outcome, 'ok');
  // 5.10 maps the kernel inside map_lowmem, without those cases
  assert.equal(run(at(0x41800000, 0x300000), 128n * MiB, '5.10-armmp-lpae').boot.outcome, 'ok');
});

test("a no-map region at the start of RAM makes prepare_page_table clear the running kernel: the outcome is the TLB's, as measured", () => {
  // lab #120: the 32 KiB of video@3fff8000 inside RAM are memblock's first region, and the kernel
  // runs on its TLB until map_lowmem maps it again; 7.2-armmp-lpae faults (every measured boot hung:
  // data/lab/ladder, OomLadder.unmapped), the others boot and are warned
  const f = noMapBoard('video', 0x3fff8000n, 0x10000n);
  for (const kernel of [...armmp, ...lpae]) {
    const p = run(f, 1024n * MiB, kernel);
    if (kernel === '7.2-armmp-lpae') {
      assert.deepEqual([p.boot.outcome, p.boot.function], ['hang', 'paging_init'], kernel);
      continue;
    }
    assert.equal(p.boot.outcome, 'ok', kernel);
    const w = p.diagnostics.find((d) => d.code === 'kernel-unmapped-in-paging-init');
    assert.equal(w?.severity, 'warning', kernel);
    assert.match(
      w?.message ?? '',
      /2 boot\(s\) of this build under QEMU virt with the same PMDs cleared \(256 MiB: reached \/init, 1024 MiB: reached \/init\)\)$/,
      kernel,
    );
  }
  // memory that starts with the kernel has no such region
  const plain = noMapBoard('fw', 0x50000000n, 0x100000n);
  assert.ok(!run(plain, 1024n * MiB, '7.2-armmp-lpae').diagnostics.some((d) => d.code === 'kernel-unmapped-in-paging-init'));
});

test('a CMA pool recorded for the remap but not CMA-aligned leaves its block unmapped: iotable_init zeroes its static_vm there and hangs', () => {
  // lab #75: 6.12 (7.2: rmem_cma_fixup) records the 4 KiB dynamic pool for dma_contiguous_remap
  // before rmem_cma_setup refuses it; the remap clears the PMD of 0x6fe00000 and maps back the pool's
  // page only, and the static_vm memblock_alloc places next lies in the rest of that block
  const f = regionBoard('pool {\n\t\t\tcompatible = "shared-dma-pool";\n\t\t\treusable;\n\t\t\tsize = <0x0 0x1000>;\n\t\t};');
  const args = 'cma=8M@0x60000000';
  for (const kernel of ['6.12-armmp-lpae', '7.2-armmp-lpae']) {
    const p = run(f, 768n * MiB, kernel, args);
    assert.equal(p.boot.outcome, 'hang', kernel);
    assert.equal(p.boot.function, 'iotable_init', kernel);
    assert.match(p.boot.reason ?? '', /static_vm at 0x6f[0-9a-f]{6}, .* cleared the PMD over \[0x6fe00000-0x70000000\)/, kernel);
  }
  // 5.10 and 6.1 re-map only the CMA areas that initialised
  for (const kernel of ['5.10-armmp-lpae', '6.1-armmp-lpae']) assert.equal(run(f, 768n * MiB, kernel, args).boot.outcome, 'ok', kernel);
  // without LPAE the pool is 8 MiB aligned: the hole [0x6f801000-0x6fa00000) lies below paging_init's
  // allocations, but mem_map reaches into it, and memmap_init_range's first write there faults
  // (booted: 7.2-armmp panics, 6.12-armmp oopses again inside its oops report): a warning
  for (const kernel of ['6.12-armmp', '7.2-armmp']) {
    const p = run(f, 768n * MiB, kernel, args);
    assert.equal(p.boot.outcome, 'ok', kernel);
    const w = p.diagnostics.find((d) => d.code === 'mem-map-unmapped');
    assert.match(w?.message ?? '', /reaches into \[0x6f801000-0x6fa00000\)/, kernel);
  }
});

test('carveout plan: the map_lowmem hang as an error with its reason, and in the JSON', () => {
  const f = noMapBoard('dsp', 0x5f700000n, 0x47000n);
  const args = ['plan', f, '--kernel', '6.1-armmp', '--platform', 'qemu-virt', '--ram', '512M'];
  const text = runCli(args);
  assert.equal(text.status, 1);
  assert.match(text.stderr, /error: 6\.1-armmp would hang at boot in arm_pte_alloc, printing nothing more \[kernel-hang\]/);
  const j = JSON.parse(runCli([...args, '--format', 'json']).stdout) as { boot: { outcome: string; function: string } };
  assert.deepEqual([j.boot.outcome, j.boot.function], ['hang', 'arm_pte_alloc']);
});
