// arm (FLATMEM): a CMA area outside RAM has no struct pages in mem_map, and cma_activate_area
// reads them anyway (src/kernel/start-kernel.ts flatmemStructPages, src/kernel/arch/arm/init.ts
// allocNodeMemMap). The lab's 6.12-armmp-lpae #48 is such a boot (test/kernel/replay.test.ts checks
// it); here the plan, its JSON and the CLI on boards made for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../src/kernel/plan.js';
import { loadBoard } from '../../src/board.js';
import { runCli } from '../helpers/cli.js';
import { poolBoard } from '../helpers/board.js';

const GiB = 1n << 30n;
/** A reusable shared-dma-pool 64 MiB long at 0x82400000: past the end of 1 GiB of RAM at 0x40000000. */
const beyond = () => poolBoard('fw@82400000', 'reg = <0x0 0x82400000 0x0 0x4000000>;');

test('a CMA area beyond the end of RAM faults in cma_init_reserved_areas where mem_map is followed by nothing mapped', () => {
  const f = beyond();
  for (const kernel of ['6.1-armmp-lpae', '6.12-armmp-lpae', '7.2-armmp-lpae']) {
    const p = plan(loadBoard(f, { platform: 'qemu-virt', arch: 'arm', ram: GiB }), { kernel });
    assert.equal(p.boot.outcome, 'panic', kernel);
    assert.equal(p.boot.function, 'cma_init_reserved_areas', kernel);
    assert.equal(p.boot.panic, 'Attempted to kill init! exitcode=0x0000000b', kernel);
    // lowmem ends at 0x70000000 (high_memory 0xf0000000); mem_map (0x40000 pages of 36 bytes) lies
    // just below it, so pfn 0x82400's struct page is in the unmapped gap before VMALLOC_START
    const va = BigInt(/reads pfn 0x82400's at (0x[0-9a-f]{8})/.exec(p.boot.reason ?? '')?.[1] ?? '0');
    assert.ok(va >= 0xf0000000n && va < 0xf0800000n, `${kernel}: ${p.boot.reason}`);
    assert.match(p.boot.reason ?? '', /mem_map .* has no struct pages for it/, kernel);
    // the kernel's line, mem_map's place known to the byte (up to 6.12 under paging_init's last
    // allocation, 7.2 under setup_arch's, the unflattened tree's); 6.2 and later say what the access
    // was (arch/arm/mm/fault.c __do_kernel_fault)
    const fault = p.log.find((l) => l.text.startsWith('Unable to handle kernel paging request'))?.text;
    const line = `Unable to handle kernel paging request at virtual address ${va.toString(16)}`;
    assert.equal(fault, kernel === '6.1-armmp-lpae' ? line : `${line} when read`, kernel);
    assert.ok(
      p.diagnostics.some((d) => d.code === 'kernel-panic' && d.severity === 'error'),
      kernel,
    );
  }
  // the same pool inside RAM (2 GiB) is an ordinary CMA area, in HighMem
  assert.equal(plan(loadBoard(f, { platform: 'qemu-virt', arch: 'arm', ram: 2n * GiB }), { kernel: '6.12-armmp-lpae' }).boot.outcome, 'ok');
  // without LPAE the pool is not CMA-aligned (pageblocks of 8 MiB on 6.12): rmem_cma_setup refuses it
  for (const kernel of ['6.1-armmp', '6.12-armmp', '7.2-armmp'])
    assert.equal(plan(loadBoard(f, { platform: 'qemu-virt', arch: 'arm', ram: GiB }), { kernel }).boot.outcome, 'ok', kernel);
});

test('where what follows mem_map is mapped, the plan warns instead: the outcome depends on that memory', () => {
  // 256 MiB: lowmem is all of RAM; the default CMA area (cma=48M) takes its top, mem_map lies below
  // it, and the pool's struct pages fall inside the CMA area's memory (lab case 0a566641, which
  // reaches /init on every arm kernel)
  const f = poolBoard('secmon@59800000', 'reg = <0x0 0x59800000 0x0 0x1000000>;');
  for (const kernel of ['5.10-armmp', '6.1-armmp', '6.12-armmp-lpae', '7.2-armmp-lpae']) {
    const p = plan(loadBoard(f, { platform: 'qemu-virt', arch: 'arm', ram: 256n << 20n }), { kernel, bootargs: 'cma=48M' });
    assert.equal(p.boot.outcome, 'ok', kernel);
    const w = p.diagnostics.find((d) => d.code === 'cma-area-without-struct-pages');
    assert.equal(w?.severity, 'warning', kernel);
    assert.match(w?.message ?? '', /secmon@59800000 .* reaches outside RAM/, kernel);
  }
});

test('carveout plan: the CMA fault in the JSON and as an error with the reason', () => {
  const args = ['plan', beyond(), '--kernel', '6.12-armmp-lpae', '--platform', 'qemu-virt', '--ram', '1G'];
  const text = runCli(args);
  assert.equal(text.status, 1);
  assert.match(text.stderr, /error: 6\.12-armmp-lpae would panic at boot in cma_init_reserved_areas/);
  const j = JSON.parse(runCli([...args, '--format', 'json']).stdout) as { boot: { outcome: string; function: string } };
  assert.deepEqual([j.boot.outcome, j.boot.function], ['panic', 'cma_init_reserved_areas']);
});
