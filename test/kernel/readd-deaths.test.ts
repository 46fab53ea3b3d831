// 5.10's fdt_init_reserved_mem gives a no-map region whose handler failed back with memblock_add,
// whole (drivers/of/of_reserved_mem.c; 6.1 on only frees it): memory that is not RAM, or lies below
// memstart_addr, joins memblock.memory, and arm64 dies of it. The lab's 5.10-arm64 boots that died
// so are replayed in test/kernel/replay.test.ts; here the plan on boards made for each way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../src/kernel/plan.js';
import { loadBoard } from '../../src/board.js';
import { poolBoard } from '../helpers/board.js';

/** A board with one no-map reusable shared-dma-pool at `reg`: rmem_cma_setup refuses no-map, rmem_dma_setup reusable. */
const failingNoMap = (reg: string) => poolBoard('tee', `reg = <${reg}>;\n\t\t\tno-map;`);

const virt = { platform: 'qemu-virt', arch: 'arm64', ram: 512n << 20n } as const;
const boot = (f: string, kernel: string) => plan(loadBoard(f, virt), { kernel }).boot;

test('5.10: a failed no-map region beyond RAM is memory to memblock: the first page table lands there', () => {
  const f = failingNoMap('0x0 0x7f000000 0x0 0x100000');
  const b = boot(f, '5.10-arm64');
  assert.equal(b.outcome, 'panic');
  assert.equal(b.function, 'early_pgtable_alloc');
  assert.equal(b.panic, 'Attempted to kill the idle task!');
  assert.match(b.reason ?? '', /\[0x7f0ff000-0x7f0fffff\].*not RAM/);
  for (const kernel of ['6.1-arm64', '6.12-arm64', '7.2-arm64']) assert.equal(boot(f, kernel).outcome, 'ok', kernel);
});

test('5.10: a failed no-map region below RAM, reaching into it, faults in __create_pgd_mapping', () => {
  // the lab's bf3bc125ded3be73: 5.10 re-adds [0x3f000000, 0x41000000), and map_mem's first range
  // runs from below PAGE_OFFSET past memstart_addr; later series leave it out of memory
  const f = failingNoMap('0x0 0x3f000000 0x0 0x2000000');
  const b = boot(f, '5.10-arm64');
  assert.equal(b.outcome, 'panic');
  assert.equal(b.function, '__create_pgd_mapping');
  assert.match(b.reason ?? '', /memory \[0x3f000000-0x[0-9a-f]+\] starts below memstart_addr 0x40000000/);
  for (const kernel of ['6.1-arm64', '6.12-arm64', '7.2-arm64']) assert.equal(boot(f, kernel).outcome, 'ok', kernel);
});

test('5.10: a failed no-map region below RAM starting inside a pageblock faults at the first slab page', () => {
  // the lab's 7f95056779c98117: the part below RAM, [0x3feab000, 0x40000000), is mapped on its own
  // (the part in RAM stays NOMAP) and its pages are the only unmovable free ones
  const b = boot(failingNoMap('0x0 0x3feab000 0x0 0x2a9000'), '5.10-arm64');
  assert.equal(b.outcome, 'panic');
  assert.equal(b.function, 'kmem_cache_init');
  assert.match(b.reason ?? '', /free memory \[0x3feab000-0x3fffffff\] lies below memstart_addr/);
  // starting at a pageblock boundary, those pages are movable ones, handed out later by no caller
  // the layout decides: a warning, not a prediction
  const p = plan(loadBoard(failingNoMap('0x0 0x3f000000 0x0 0x200000'), virt), { kernel: '5.10-arm64' });
  assert.equal(p.boot.outcome, 'ok');
  assert.ok(p.diagnostics.some((d) => d.code === 'memory-below-linear-map' && d.severity === 'warning' && /0x3f000000/.test(d.message)));
});
