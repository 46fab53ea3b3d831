// arm64: a no-map region whose handler fails after paging_init (6.12's static regions, from
// unflatten_device_tree) only gets memblock_clear_nomap, so memblock_free_all hands the page
// allocator pages the linear map does not cover (src/kernel/arch/arm64/nomap-freed.ts). The lab's
// 6.12-arm64-16k fdcb7730 and 7e81d987 died of it (test/kernel/replay.test.ts OPEN_DEATHS).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../src/kernel/plan.js';
import { loadBoard } from '../../src/board.js';
import { recordBoard } from '../../src/verify/records.js';
import { failingNomapPool } from '../helpers/board.js';
import { recordsByKernel, recordProfile } from './replay-lib.js';

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

test("the lab's 6.12-arm64-16k deaths: the page the kernel faulted on is the one the warning names", (t) => {
  const recs = recordsByKernel().get('6.12-arm64-16k');
  if (!recs) return t.skip('no lab records');
  const at = (id: string) => {
    const r = recs.find((x) => x.caseId === id && !x.observation.earlyStopped);
    assert.ok(r, `${id}: booted in full`);
    const prof = recordProfile(r)!;
    const p = plan(recordBoard(r, prof.arch), { kernel: prof, bootargs: r.append });
    const w = p.diagnostics.find((d) => d.code === 'free-pages-unmapped')?.message ?? '';
    // the linear map's address of a physical one (PAGE_OFFSET + pa - memstart_addr; RAM starts at 0x40000000)
    const va = (pa: bigint) => (prof.arm64!.pageOffset + pa - 0x40000000n).toString(16).padStart(16, '0');
    return { r, p, w, va, console: r.observation.console ?? '' };
  };
  // fdcb7730: regmap_initcall's inode slab claims the block at 0x4c000000 and faults zeroing it
  const a = at('fdcb773067517a67');
  assert.equal(a.p.boot.outcome, 'ok');
  const claim = /largest-order block is at (0x[0-9a-f]+), inside them/.exec(a.w)?.[1];
  assert.equal(claim, '0x4c000000');
  assert.ok(a.console.includes(`Unable to handle kernel paging request at virtual address ${a.va(BigInt(claim))}`));
  assert.match(a.console, /pc : clear_page\+/);
  // 7e81d987: the initramfs unpacking's shmem page at 0x40000000, the failed region's first page in RAM
  const b = at('7e81d987a076aff3');
  assert.match(b.w, /hands \[0x40000000-0x401fffff\] to the page allocator.*movable allocations .* reach them after \d+ KiB/);
  assert.ok(b.console.includes(`Unable to handle kernel paging request at virtual address ${b.va(0x40000000n)}`));
  assert.match(b.console, /do_populate_rootfs\+/);
});

test("6.12-arm64 bb89d27a: start_kernel's inode hash table lands in a failed no-map region cleared after paging_init, and zeroing it faults in the idle task", (t) => {
  const r = recordsByKernel()
    .get('6.12-arm64')
    ?.find((x) => x.caseId.startsWith('bb89d27a'));
  if (!r) return t.skip('no lab record');
  const prof = recordProfile(r)!;
  const p = plan(recordBoard(r, prof.arch), { kernel: prof, bootargs: r.append });
  // vpu@7f4c0000 (static, no-map, reusable: rmem_cma_setup refuses no-map) fails after paging_init;
  // memblock_clear_nomap opens it to memblock, whose next allocations come from the top of RAM
  assert.equal(p.boot.outcome, 'panic');
  assert.equal(p.boot.function, 'alloc_large_system_hash');
  assert.equal(p.boot.panic, 'Attempted to kill the idle task!');
  const m = /it zeroes \[(0x[0-9a-f]+)-0x[0-9a-f]+\] through the linear map, but (0x[0-9a-f]+)\+(0x[0-9a-f]+) was no-map/.exec(
    p.boot.reason ?? '',
  );
  assert.ok(m, p.boot.reason);
  // the first byte it writes that nothing maps is where the kernel faulted
  const [table, hole, holeSize] = [BigInt(m[1]!), BigInt(m[2]!), BigInt(m[3]!)];
  assert.ok(table < hole + holeSize);
  const first = table > hole ? table : hole;
  const va = (prof.arm64!.pageOffset + first - 0x40000000n).toString(16).padStart(16, '0');
  const con = r.observation.console ?? '';
  assert.ok(con.includes(`Unable to handle kernel paging request at virtual address ${va}`), va);
  assert.match(con, /alloc_large_system_hash\+0x[0-9a-f]+\/0x[0-9a-f]+\r?\n.*inode_init_early/);
});
