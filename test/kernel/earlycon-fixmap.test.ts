// 32-bit kernels with an MMIO early console and memblock=debug fall silent in paging_init:
// early_fixmap_shutdown (arch/arm/mm/mmu.c, 5.10 to 7.2) clears the fixmap's PMD and maps the
// earlycon's page again, and the PTE table that takes prints its memblock=debug line through the
// page just unmapped, before the exception vectors exist (src/kernel/arch/arm/mmu.ts). Booted:
// data/lab/own's memblock-debug-256m record (test/kernel/own-build.test.ts replays it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../src/kernel/plan.js';
import { loadBoard } from '../../src/board.js';
import { regionBoard } from '../helpers/board.js';

const run = (kernel: string, bootargs: string, arch: 'arm' | 'arm64' = 'arm') =>
  plan(loadBoard(regionBoard(''), { platform: 'qemu-virt', arch, ram: 256n << 20n }), { kernel, bootargs: `console=ttyAMA0 ${bootargs}` });

test('arm: earlycon and memblock=debug hang in early_fixmap_shutdown, on every series', () => {
  for (const kernel of ['5.10-armmp', '6.1-armmp-lpae', '6.12-armmp', '7.2-armmp-lpae']) {
    for (const con of ['earlycon=pl011,0x9000000', 'earlycon']) {
      const p = run(kernel, `${con} memblock=debug`);
      assert.equal(p.boot.outcome, 'hang', `${kernel} ${con}`);
      assert.equal(p.boot.function, 'early_fixmap_shutdown');
      assert.ok(p.diagnostics.some((d) => d.code === 'kernel-hang'));
    }
  }
});

test('arm: no hang when the line does not reach that console', () => {
  for (const args of [
    'earlycon memblock=debug quiet',
    'earlycon memblock=debug loglevel=6',
    'earlycon=dcc memblock=debug', // a coprocessor, not MMIO
    'earlycon=nosuch,0x9000000 memblock=debug', // no such earlycon driver: no early console
    'earlycon',
    'memblock=debug',
  ])
    assert.equal(run('6.12-armmp', args).boot.outcome, 'ok', args);
  // ignore_loglevel prints it whatever the level
  assert.equal(run('6.12-armmp', 'earlycon memblock=debug quiet ignore_loglevel').boot.outcome, 'hang');
});

test('arm64 has no such window (every lab arm64 boot has earlycon and memblock=debug and reaches /init)', () => {
  assert.equal(run('6.12-arm64', 'earlycon memblock=debug nokaslr', 'arm64').boot.outcome, 'ok');
});
