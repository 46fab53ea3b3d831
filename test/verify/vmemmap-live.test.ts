// The vmemmap's page tables follow from where the memmap lies in the kernel's VA space
// (src/kernel/sparse.ts VmemmapTables): with 16 KiB pages one PTE table maps 32 MiB of memmap,
// 8 GiB of RAM, so a 12 GiB board takes two PTE tables and a PMD table, a 4 GiB one a PTE table
// and a PMD table (with 64 KiB pages the vmemmap shares the fixmap's static PMD table: the own
// build's records, test/kernel/own-build.test.ts). The plan says so offline; live (CI or CARVEOUT_LAB=1), Debian's 6.12-arm64-16k booted with 12 GiB under
// QEMU agrees, its trace, Memory line and memblock tables compared by verify.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBoard } from '../../src/board.js';
import { plan } from '../../src/kernel/plan.js';
import { verifyBoard } from '../../src/verify/verify.js';
import { qemuAvailable } from '../../src/verify/qemu.js';
import { archiveMovedOn } from '../helpers/own-build.js';
import { liveSkip } from '../helpers/live.js';

const GiB = 1n << 30n;
const BOARD = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'qemu-virt-12g-cma.dts');

/**
 * The vmemmap's tables the plan allocates: with the memmap in sparse_init's buffer (memmap_alloc got
 * it), every page-sized __earlyonly_bootmem_alloc of sparse_init is a table.
 */
const tables = (kernel: string, ram: bigint): number => {
  const p = plan(loadBoard(BOARD, { platform: 'qemu-virt', arch: 'arm64', ram }), { kernel });
  const d = p.trace.events.map((e) => e.detail as { caller?: string; result?: bigint | null; count?: number });
  assert.ok(
    d.some((x) => x.caller === 'memmap_alloc' && typeof x.result === 'bigint'),
    `${kernel} ${ram >> 30n} GiB: the memmap in the sparse buffer`,
  );
  return d.filter((x) => x.caller === '__earlyonly_bootmem_alloc').reduce((a, x) => a + (x.count ?? 1), 0);
};

test('vmemmap tables: two PTE tables and a PMD table for 12 GiB with 16 KiB pages, one and one for 4 GiB', () => {
  assert.equal(tables('6.12-arm64-16k', 12n * GiB), 3);
  assert.equal(tables('6.12-arm64-16k', 4n * GiB), 2);
  assert.equal(tables('6.12-arm64', 12n * GiB), 2);
});

test('live: Debian 6.12-arm64-16k with 12 GiB takes the vmemmap tables the plan predicts; verify agrees, Memory line and tables included', {
  skip: liveSkip(),
  timeout: 10 * 60_000,
}, async (t) => {
  const gone = archiveMovedOn('6.12-arm64-16k');
  if (gone) return t.skip(gone);
  assert.equal(qemuAvailable('arm64'), undefined);
  const r = await verifyBoard(BOARD, { kernel: '6.12-arm64-16k', ram: 12n * GiB, timeoutMs: 120_000 });
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const o = r.observation!;
  const early = o.memblock.filter((e) => e.caller.startsWith('__earlyonly_bootmem_alloc'));
  assert.equal(
    early.reduce((a, e) => a + (e.count ?? 1), 0),
    3,
    'the kernel traced three vmemmap tables',
  );
  assert.ok(o.memoryLine && o.memblockDump, 'the boot printed its Memory line and MEMBLOCK dump');
  assert.deepEqual(r.differences, []);
  assert.equal(r.exitCode, 0);
});
