// The early-parameter example (examples/early-param) and board code's reserve hook.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { parseDtsFile } from '../../src/source/parser.js';
import { getProfile } from '../../src/kernel/profiles/index.js';
import { bootLaidOut } from './boot-lab-helpers.js';
import mca, { mcaRegion } from '../../examples/early-param/mca-early.js';

const dts = fileURLToPath(new URL('../../examples/early-param/board.dts', import.meta.url));

function run(kernel: string, bootargs?: string) {
  const { tree, diagnostics } = parseDtsFile(dts, { includeDirs: [] });
  assert.ok(tree, JSON.stringify(diagnostics));
  return bootLaidOut(tree, getProfile(kernel)!, {}, { earlyParams: [mca], ...(bootargs !== undefined ? { bootargs } : {}) });
}

test('mca_mem=64M on 6.1-armmp: reserved top-down below the lowmem limit, before CMA', () => {
  const r = run('6.1-armmp');
  assert.deepEqual(r.handoffs, [{ driver: 'mca', base: 0x6c000000n, size: 64n << 20n }]);
  assert.deepEqual([mcaRegion.base, mcaRegion.size], [0x6c000000n, 64n << 20n]);
  assert.ok(r.log.some((l) => l.text === 'mca: reserved 64 MiB at 0x6c000000'));
  assert.deepEqual(r.defaultCma, { base: 0x7f000000n, size: 16n << 20n });
  // the reservation happened before the reserved-memory scan: it is in memblock, merged or not
  assert.ok(r.ctx.memblock.isReserved(0x6c000000n) && r.ctx.memblock.isReserved(0x6fffffffn));
  // and the trace shows it between the kernel's own reservations and the CMA allocation
  const kinds = r.ctx.memblock.events.map((e) => ('caller' in e ? e.caller : e.kind));
  assert.ok(kinds.indexOf('early_param') < kinds.lastIndexOf('memblock_alloc_range_nid'));
});

test('mca_mem on arm64 lands at the top of RAM, pushing the default CMA area down', () => {
  const r = run('6.12-arm64');
  assert.equal(r.handoffs.length, 1);
  assert.equal(r.handoffs[0]!.base, 0x7c000000n);
  assert.ok(r.defaultCma && r.defaultCma.base + r.defaultCma.size <= 0x7c000000n);
});

test('bad values: Malformed early option, and a failed reservation', () => {
  let r = run('6.1-armmp', 'mca_mem');
  assert.equal(r.handoffs.length, 0);
  assert.ok(r.log.some((l) => l.text === "Malformed early option 'mca_mem'"));
  r = run('6.1-armmp', 'mca_mem=1G');
  assert.equal(r.handoffs.length, 0);
  assert.ok(r.log.some((l) => l.text === 'mca: cannot reserve 1024 MiB'));
});
