// A fixed CMA area (cma=SIZE@BASE) in a hole between 32-bit RAM banks (mem=SIZE@START, QEMU virt):
// memblock_reserve accepts it, cma_activate_area writes struct pages memmap_init never made, and
// arm's coherent pool (atomic_pool_init, postcore) then asks the area for 256 KiB: 5.10 fails each
// window with -EBUSY and says so, 6.1+ rescan a skipped pageblock for ever (KernelSeries.cma
// .contigSkippedBlock, src/kernel/arch/arm/dma-mapping.ts). Booted: seed 44 #20c28ac9 of the lab.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../src/kernel/plan.js';
import { loadBoard } from '../../src/board.js';
import { regionBoard } from '../helpers/board.js';

const MiB = 1n << 20n;
const BANKS = 'mem=160M@0x40000000 mem=39M@0x4c800000 mem=3M@0x4f000000';
const run = (kernel: string, bootargs: string, ram = 256n * MiB) =>
  plan(loadBoard(regionBoard(''), { platform: 'qemu-virt', arch: 'arm', ram }), {
    kernel,
    bootargs: `console=ttyAMA0 ${bootargs}`,
  });
const allocFailed = (p: ReturnType<typeof run>) => p.log.filter((l) => l.text.includes('alloc failed')).map((l) => l.text);
const warned = (p: ReturnType<typeof run>) => p.diagnostics.some((d) => d.code === 'cma-area-without-struct-pages');

test('5.10 armmp: the coherent pool cannot have the area, cma_alloc says -EBUSY; the boot goes on', () => {
  const p = run('5.10-armmp', `cma=16M@0x4b000000 ${BANKS}`);
  assert.equal(p.boot.outcome, 'ok');
  assert.deepEqual(allocFailed(p), ['cma: cma_alloc: alloc failed, req-size: 64 pages, ret: -16']);
  // a postcore initcall's line: after start_kernel's
  assert.ok(p.log.findIndex((l) => l.text.includes('alloc failed')) > p.log.findIndex((l) => l.text.startsWith('Kernel command line:')));
  assert.ok(warned(p));
  // coherent_pool= sizes the request (early_coherent_pool, memparse)
  assert.deepEqual(allocFailed(run('5.10-armmp', `cma=16M@0x4b000000 coherent_pool=1M ${BANKS}`)), [
    'cma: cma_alloc: alloc failed, req-size: 256 pages, ret: -16',
  ]);
});

for (const kernel of ['6.1-armmp', '6.12-armmp-lpae', '7.2-armmp']) {
  test(`${kernel}: the same layout hangs in atomic_pool_init, after the bad_page reports`, () => {
    const p = run(kernel, `cma=16M@0x4b000000 ${BANKS}`);
    assert.equal(p.boot.outcome, 'hang');
    assert.equal(p.boot.function, 'atomic_pool_init');
    assert.equal(p.boot.trace, 'init_cma_reserved_pageblock');
    assert.match(p.boot.reason ?? '', /cc->migrate_pfn/);
    assert.deepEqual(allocFailed(p), []);
    assert.ok(warned(p));
  });
}

test('an area in a bank, or one whose first pageblock meets memory, is left alone', () => {
  for (const kernel of ['5.10-armmp', '6.12-armmp']) {
    const inBank = run(kernel, `cma=16M@0x44000000 ${BANKS}`);
    assert.equal(inBank.boot.outcome, 'ok', kernel);
    assert.deepEqual(allocFailed(inBank), [], kernel);
    assert.ok(!warned(inBank), kernel);
  }
  // [0x49000000, 0x4a000000) in the first bank, the rest in the hole: the first window succeeds
  const across = run('6.12-armmp', `cma=32M@0x49000000 ${BANKS}`);
  assert.equal(across.early.find((e) => e.name === 'default CMA')?.base, 0x49000000n);
  assert.equal(across.boot.outcome, 'ok');
  assert.deepEqual(allocFailed(across), []);
  assert.ok(warned(across));
});

test('an area in a hole inside HighMem is warned, its coherent pool not predicted (zeroed struct pages read as ZONE_DMA there)', () => {
  const p = run('6.1-armmp', 'cma=16M@0x88000000 mem=1G@0x40000000 mem=1G@0x90000000', 3n << 30n);
  assert.ok(p.zones.some((z) => z.name === 'HighMem' && z.base <= 0x88000000n && 0x88000000n < z.base + z.size));
  assert.equal(p.boot.outcome, 'ok');
  assert.deepEqual(allocFailed(p), []);
  assert.ok(warned(p));
});

// Seed 57 #17c6fe65: the area starts in a hole below a HighMem bank. cma_activate_area (5.10 to
// 6.12) compares every page's zone with the first page's before it activates anything: the
// hole's zeroed struct pages read as zone 0 (ZONE_DMA), the bank's as HighMem.
const HIGH_BANKS = 'mem=314176K@0x40000000 mem=133376K@0x65cd0000 mem=164224K@0x75fa0000';
const notActivated = (p: ReturnType<typeof run>) => p.log.filter((l) => /could not be activated/.test(l.text)).map((l) => l.text);
test('an area from a hole into a HighMem bank: its zeroed struct pages read as ZONE_DMA, the bank as HighMem', () => {
  for (const kernel of ['5.10-armmp', '6.1-armmp', '6.12-armmp-lpae']) {
    const p = run(kernel, `cma=256M@0x6f000000 ${HIGH_BANKS}`, 1024n * MiB);
    assert.deepEqual(notActivated(p), ['cma: CMA area reserved could not be activated'], kernel);
    // after mem_init's Memory: line (a core initcall)
    assert.ok(p.log.findIndex((l) => /could not be activated/.test(l.text)) > p.log.findIndex((l) => l.text.startsWith('Memory:')), kernel);
    // the area has no pages left: the coherent pool's cma_alloc returns NULL at once, silent
    assert.deepEqual(allocFailed(p), [], kernel);
    assert.equal(p.boot.outcome, 'ok', kernel);
    const w = p.diagnostics.find((d) => d.code === 'cma-area-without-struct-pages')?.message ?? '';
    assert.match(w, /first page in zone DMA and a page of pageblock \d+ in HighMem/, kernel);
  }
  // 7.2 compares zone spans (cma_validate_zones): the area lies in HighMem's
  assert.deepEqual(notActivated(run('7.2-armmp', `cma=256M@0x6f000000 ${HIGH_BANKS}`, 1024n * MiB)), []);
  // in lowmem the hole's pages read as the bank's own zone (ZONE_DMA): activated as before
  for (const kernel of ['5.10-armmp', '6.12-armmp']) assert.deepEqual(notActivated(run(kernel, `cma=32M@0x49000000 ${BANKS}`)), [], kernel);
});
