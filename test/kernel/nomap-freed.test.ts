// arm64: a no-map region whose handler fails after paging_init (6.12's static regions, from
// unflatten_device_tree) only gets memblock_clear_nomap, so memblock_free_all hands the page
// allocator pages the linear map does not cover (src/kernel/arch/arm64/nomap-freed.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../src/kernel/plan.js';
import { loadBoard } from '../../src/board.js';
import { failingNomapPool } from '../helpers/board.js';

const MiB = 1n << 20n;
const failing = (base: number, size: number) => failingNomapPool('pool', base, size);
const unmapped = (kernel: string, f: string, ram: bigint) => {
  const p = plan(loadBoard(f, { platform: 'qemu-virt', arch: 'arm64', ram: ram * MiB }), { kernel });
  assert.ok(
    p.log.some((l) => / compatible matching fail$/.test(l.text)),
    `${kernel}: the handler fails`,
  );
  return p.diagnostics.find((d) => d.code === 'free-pages-unmapped');
};

test('a failed no-map region cleared after paging_init hands the page allocator unmapped pages: warned on 6.12, not where the handler runs before paging_init', () => {
  const small = failing(0x45c00000, 0x400000);
  const w = unmapped('6.12-arm64', small, 512n);
  assert.equal(w?.severity, 'warning');
  assert.match(w.message, /hands \[0x45c00000-0x45ffffff\] to the page allocator, but pool@45c00000 was no-map when paging_init/);
  assert.match(w.message, /movable allocations .* reach them after \d+ KiB/);
  // 5.10 and 6.1 run the handler from arm64_memblock_init: the failed region is mapped like any memory
  assert.equal(unmapped('6.1-arm64', small, 512n), undefined);
  assert.equal(unmapped('5.10-arm64', small, 512n), undefined);
  // 16K pages, 256 MiB: pages from 0x48000000 on are deferred; once page_alloc_init_late frees
  // them, the lowest wholly free order-11 block lies in the pool
  const big = unmapped('6.12-arm64-16k', failing(0x4ba00000, 0x4000000), 256n);
  assert.match(big?.message ?? '', /\[0x4ba00000-0x4f9fffff\].*the lowest wholly free largest-order block is at 0x4c000000, inside them/);
});
