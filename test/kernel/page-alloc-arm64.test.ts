// The first page the buddy allocator hands out when no whole pageblock is free (src/kernel/page-alloc.ts
// firstUnmovableClaim): arm64's 16K pages have 32 MiB pageblocks (pageblock_order = MAX_PAGE_ORDER
// = 11), so at 128 MiB the largest free block is smaller than one; its pageblock is claimed and
// the smallest free block in it goes first. Lab 7.2-arm64-16k 3cbc61ec: the failed pool@42e00000
// frees the image's data and bss, [0x42e00000, _end), and kmem_cache_init's first slabs zero them
// (traced under QEMU: clear_page of 0x42e08000 in create_kmalloc_caches; then the kernel goes
// silent after its SLUB: line): the plan warns (kernel-image-freed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstUnmovableClaim } from '../../src/kernel/page-alloc.js';
import { pfnArea } from '../helpers/free-area.js';
import { plan } from '../../src/kernel/plan.js';
import { loadBoard } from '../../src/board.js';
import { recordBoard } from '../../src/verify/records.js';
import { regionBoard } from '../helpers/board.js';
import { recordsByKernel, recordProfile } from './replay-lib.js';

const K16 = 16384n;

test('a largest free block smaller than a pageblock: its pageblock is claimed and its smallest free block comes first', () => {
  // pageblocks of 16 pages; free: order 1 at 2, order 3 at 8 (pageblock 0), order 2 at 20, order 3 at 40
  const a = pfnArea(
    [
      [2, 4],
      [8, 16],
      [20, 24],
      [40, 48],
    ],
    K16,
  );
  assert.deepEqual(firstUnmovableClaim(a, 4, { startPfn: 0, endPfn: 64 }), { pfn: 2, order: 1, claimed: { pfn: 8, order: 3 } });
  // a whole pageblock: its first page, whatever smaller blocks lie elsewhere
  assert.deepEqual(firstUnmovableClaim(a, 3, { startPfn: 0, endPfn: 64 }), { pfn: 8, order: 3, claimed: { pfn: 8, order: 3 } });
  // a pageblock reaching below the zone is not moved: the block itself is taken
  assert.deepEqual(firstUnmovableClaim(a, 4, { startPfn: 2, endPfn: 64 }), { pfn: 8, order: 3, claimed: { pfn: 8, order: 3 } });
});

const pool = (nodes: string) => regionBoard(nodes);
const reusable = (base: number, size: number) =>
  `pool@${base.toString(16)} {\n\t\t\tcompatible = "shared-dma-pool";\n\t\t\treusable;\n\t\t\treg = <0x0 0x${base.toString(16)} 0x0 0x${size.toString(16)}>;\n\t\t};`;
const run = (f: string, ramMiB: bigint) =>
  plan(loadBoard(f, { platform: 'qemu-virt', arch: 'arm64', ram: ramMiB << 20n, initrdSize: 0xf79can }), { kernel: '7.2-arm64-16k' });

const firstSlab = (p: ReturnType<typeof run>) =>
  p.diagnostics.find((d) => d.code === 'kernel-image-freed' && d.message.includes("kmem_cache_init's first slab"));

test("7.2-arm64-16k: a failed pool over the image's data at 128 MiB: the first slab takes it; at 256 MiB a whole pageblock goes first", () => {
  // 16 MiB not aligned to CMA's 32 MiB: rmem_cma_setup fails and fdt_init_reserved_mem_node frees it,
  // and with it [0x42e00000, _end) of the image. Both boards were booted (carveout verify): 128 MiB
  // hangs, 256 MiB reaches /init. How a boot whose data the first slab zeroes ends depends on that
  // data (below): a warning, not a predicted outcome.
  const f = pool(reusable(0x42e00000, 0x1000000));
  const p = run(f, 128n);
  assert.equal(p.boot.outcome, 'ok');
  const w = firstSlab(p);
  assert.equal(w?.severity, 'warning');
  assert.match(
    w?.message ?? '',
    /order-10 block, 0x43000000, is smaller than a pageblock: its pageblock \[0x42000000-0x43ffffff\] is claimed/,
  );
  assert.match(w?.message ?? '', /order-7 \[0x42e00000-0x42ffffff\], comes first, inside the kernel image's \[0x42e00000-0x4319ffff\]/);
  const q = run(f, 256n);
  assert.equal(q.boot.outcome, 'ok');
  assert.equal(firstSlab(q), undefined);
  // the pages are still freed: the generic warning says so
  assert.ok(q.diagnostics.some((d) => d.code === 'kernel-image-freed'));
});

test('the smallest block goes first even when the largest one is not the image', () => {
  // only 16 KiB of the image's data freed (an order-0 block at 0x42e00000); 16 KiB cuts every 8 MiB
  // above the initrd leave the largest free block, order 9 at 0x43800000, in the image's pageblock.
  // Booted: 0x42e00000 is the first page handed out (it held acpi_fan_driver; zeroed, the boot
  // oopses in acpi_fan_driver_init and panics, where the lab's 3cbc61ec went silent).
  const cuts: string[] = [];
  for (let a = 0x44800000; a < 0x48000000; a += 0x800000)
    cuts.push(`cut@${a.toString(16)} {\n\t\t\treg = <0x0 0x${a.toString(16)} 0x0 0x4000>;\n\t\t};`);
  const p = run(pool([reusable(0x42e00000, 0x4000), ...cuts].join('\n\t\t')), 128n);
  assert.match(firstSlab(p)?.message ?? '', /order-9 block, 0x43800000, .* order-0 \[0x42e00000-0x42e03fff\], comes first/);
});

test('lab: the three recorded arm64 boots that froze after their image was freed are the ones whose first slab takes it', (t) => {
  const recs = recordsByKernel();
  if (!recs.size) return t.skip('no lab records');
  const hit: string[] = [];
  for (const [kernel, records] of recs) {
    if (!kernel.includes('arm64')) continue;
    for (const r of records) {
      const prof = recordProfile(r)!;
      const p = plan(recordBoard(r, prof.arch), { kernel: prof, bootargs: r.append });
      if (firstSlab(p)) hit.push(`${kernel} ${r.caseId}`);
    }
  }
  assert.deepEqual(hit.sort(), ['5.10-arm64 03552f587bd94196', '5.10-arm64 cca06429423a4943', '7.2-arm64-16k 3cbc61ec91214d33']);
});

test('deferred struct pages are not on the free lists yet: at 1 GiB the first slab still comes from the first 128 MiB', () => {
  // 7.2-arm64, 4K pages: defer_init leaves the DMA zone's pages past the first section boundary after
  // 128 MiB to page_alloc_init_late, so memblock_free_all frees only [0x40000000, 0x48000000) now.
  // With the rest of that reserved, the freed piece of the image's data is all there is: the first
  // slab takes it, while the order-10 blocks above 0x48000000 are not free yet. Booted (carveout
  // verify, 1 GiB): oopses right after RCU's setup lines and hangs.
  const f = regionBoard(
    [
      'fill@40000000 {\n\t\t\treg = <0x0 0x40000000 0x0 0x200000>;\n\t\t};',
      'pool@42e00000 {\n\t\t\tcompatible = "shared-dma-pool";\n\t\t\treusable;\n\t\t\treg = <0x0 0x42e00000 0x0 0x1fc000>;\n\t\t};',
      'fill@43100000 {\n\t\t\treg = <0x0 0x43100000 0x0 0x4f00000>;\n\t\t};',
    ].join('\n\t\t'),
  );
  const p = plan(loadBoard(f, { platform: 'qemu-virt', arch: 'arm64', ram: 1n << 30n }), { kernel: '7.2-arm64' });
  assert.match(
    firstSlab(p)?.message ?? '',
    /pageblock \[0x42e00000-0x42ffffff\] is claimed and its smallest free block, order-2 \[0x42ff8000-0x42ffbfff\], comes first/,
  );
});
