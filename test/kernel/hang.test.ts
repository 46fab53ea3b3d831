// A modelled hang: arm's dma_contiguous_remap maps a CMA area over one it already mapped, and
// vm_area_add_early's BUG_ON traps before the exception vectors exist (src/kernel/arch/arm/mmu.ts).
// So does a remap whose PMD clearing misses a block map_lowmem mapped with a section (arm_pte_alloc's
// BUG_ON). The lab's 6.12-armmp[-lpae] #89, #99 and 6.12/7.2-armmp[-lpae] #55 are such boots
// (test/kernel/replay.test.ts checks them), and so does one that clears the PMDs of the kernel
// image (#13, #28); here the plan, its JSON and the CLI on boards made for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../src/kernel/plan.js';
import { loadBoard } from '../../src/board.js';
import { runCli } from '../helpers/cli.js';
import { poolBoard } from '../helpers/board.js';

/** One dynamic region of `size` bytes, aligned to `align`. */
const board = (size: number, align: number) => poolBoard('tee', `size = <0x0 ${size}>;\n\t\t\talignment = <0x0 ${align}>;`);

const ram = 512n << 20n;

test('a CMA region refused after its remap was recorded hangs 6.12 and 7.2 armmp in vm_area_add_early', () => {
  // 1 MiB is below CMA_MIN_ALIGNMENT_BYTES (8 MiB on these builds): rmem_cma_setup refuses it and it is freed, but
  // 6.12's of_reserved_mem (7.2's rmem_cma_fixup) had already recorded it for dma_contiguous_remap;
  // the default CMA area is then placed over it
  const f = board(0x100000, 0x100000);
  for (const kernel of ['6.12-armmp', '6.12-armmp-lpae', '7.2-armmp', '7.2-armmp-lpae']) {
    const p = plan(loadBoard(f, { platform: 'qemu-virt', arch: 'arm', ram }), { kernel });
    assert.equal(p.boot.outcome, 'hang', kernel);
    assert.equal(p.boot.function, 'vm_area_add_early', kernel);
    assert.match(p.boot.reason ?? '', /dma_contiguous_remap .* over \[0x[0-9a-f]+-0x[0-9a-f]+\)/, kernel);
    // nothing is printed after arm_memblock_init's last line: the CMA area
    assert.match(p.log[p.log.length - 1]!.text, /^cma: Reserved \d+ MiB at 0x/, kernel);
    assert.ok(!p.log.some((l) => l.text.startsWith('Kernel command line:')), kernel);
    assert.ok(
      p.diagnostics.some((d) => d.code === 'kernel-hang' && d.severity === 'error'),
      kernel,
    );
    assert.equal(p.exitCode, 1, kernel);
  }
  // 5.10 and 6.1 record only the CMA areas that initialised: nothing overlaps
  for (const kernel of ['5.10-armmp', '6.1-armmp'])
    assert.equal(plan(loadBoard(f, { platform: 'qemu-virt', arch: 'arm', ram }), { kernel }).boot.outcome, 'ok', kernel);
  // a region CMA accepts is an area of its own, apart from the default one
  const aligned = plan(loadBoard(board(0x800000, 0x800000), { platform: 'qemu-virt', arch: 'arm', ram }), { kernel: '6.12-armmp' });
  assert.equal(aligned.boot.outcome, 'ok');
});

test('a static CMA region whose remap misses a section-mapped block hangs 6.12 and 7.2 armmp in arm_pte_alloc', () => {
  // dma_contiguous_remap clears PMDs from 0x4ff00000 in 2 MiB steps: 0x4fe00000 only, while the
  // area ends in the block at 0x50000000, still a map_lowmem section (lab #55: the same from 0x3ffe0000)
  const f = poolBoard('pool@4ff00000', 'reg = <0x0 0x4ff00000 0x0 0x200000>;');
  for (const kernel of ['6.12-armmp', '6.12-armmp-lpae', '7.2-armmp', '7.2-armmp-lpae']) {
    const p = plan(loadBoard(f, { platform: 'qemu-virt', arch: 'arm', ram: 1n << 30n }), { kernel });
    assert.equal(p.boot.outcome, 'hang', kernel);
    assert.equal(p.boot.function, 'arm_pte_alloc', kernel);
    assert.match(p.boot.reason ?? '', /never cleared the block at 0x50000000/, kernel);
  }
  // 6.1 re-maps only the CMA areas that initialised, and this one is not CMA-aligned
  assert.equal(plan(loadBoard(f, { platform: 'qemu-virt', arch: 'arm', ram: 1n << 30n }), { kernel: '6.1-armmp' }).boot.outcome, 'ok');
  // from a 2 MiB-aligned start every block is cleared first
  const aligned = poolBoard('pool@4fe00000', 'reg = <0x0 0x4fe00000 0x0 0x300000>;');
  assert.equal(
    plan(loadBoard(aligned, { platform: 'qemu-virt', arch: 'arm', ram: 1n << 30n }), { kernel: '6.12-armmp' }).boot.outcome,
    'ok',
  );
});

test('a CMA region over the kernel image hangs armmp in dma_contiguous_remap', () => {
  // lab #13 (pool@40400000, 32 MiB): the re-map clears the PMDs the kernel runs from
  const f = poolBoard('pool@40400000', 'reg = <0x0 0x40400000 0x0 0x2000000>;');
  for (const kernel of ['6.12-armmp', '6.12-armmp-lpae', '7.2-armmp']) {
    const p = plan(loadBoard(f, { platform: 'qemu-virt', arch: 'arm', ram: 256n << 20n }), { kernel });
    assert.equal(p.boot.outcome, 'hang', kernel);
    assert.equal(p.boot.function, 'dma_contiguous_remap', kernel);
    assert.match(p.boot.reason ?? '', /maps the kernel image \[0x40/, kernel);
  }
  // the same region away from the kernel is an ordinary CMA area
  const away = poolBoard('pool@4c000000', 'reg = <0x0 0x4c000000 0x0 0x2000000>;');
  assert.equal(
    plan(loadBoard(away, { platform: 'qemu-virt', arch: 'arm', ram: 256n << 20n }), { kernel: '6.12-armmp' }).boot.outcome,
    'ok',
  );
});

test('carveout plan: the hang in the JSON and as an error with the reason', () => {
  const f = board(0x100000, 0x100000);
  const args = ['plan', f, '--kernel', '6.12-armmp', '--platform', 'qemu-virt', '--ram', '512M'];
  const text = runCli(args);
  assert.equal(text.status, 1);
  assert.match(text.stderr, /error: 6\.12-armmp would hang at boot in vm_area_add_early, printing nothing more \[kernel-hang\]/);
  const j = JSON.parse(runCli([...args, '--format', 'json']).stdout) as { boot: { outcome: string; function: string } };
  assert.deepEqual([j.boot.outcome, j.boot.function], ['hang', 'vm_area_add_early']);
});
