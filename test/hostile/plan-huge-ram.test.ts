// Terabytes and petabytes of RAM: a plan's work does not grow with the RAM size (the page tables
// of the linear map, the vmemmap and the mem_section roots are counted from address ranges, and
// memblock takes runs of identical allocations at once), and a size past the kernel's physical
// address space is an error naming the flag or the memory node. The inputs are the ones the
// million-input fuzz run timed out on (--ram of terabytes, a 2 TiB --initrd-size on qemu-virt, a
// memory node of EiB from a mutated #address-cells), made by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plan } from '../../src/kernel/plan.js';
import { loadBoard } from '../../src/board.js';
import { memblockCalls, type MemblockEvent } from '../../src/kernel/memblock.js';
import { runCli } from '../helpers/cli.js';

const T = 1n << 40n;
const P = 1n << 50n;
const dir = mkdtempSync(join(tmpdir(), 'carveout-huge-ram-'));
const board = (name: string, reg: string) => {
  const f = join(dir, name);
  writeFileSync(
    f,
    `/dts-v1/;\n/ {\n\t#address-cells = <2>; #size-cells = <2>;\n\tmemory@40000000 { device_type = "memory"; reg = <${reg}>; };\n};\n`,
  );
  return f;
};
const dts = board('b.dts', '0x0 0x40000000 0x0 0x40000000');

/** The early_pgtable_alloc calls the kernel makes, and the trace events the plan keeps for them. */
function pageTables(p: ReturnType<typeof plan>): { calls: number; events: number } {
  const evs = p.trace.events.map((e) => e.detail).filter((d) => d.caller === 'early_pgtable_alloc');
  const calls = evs.reduce((n, d) => n + (typeof d.count === 'number' ? d.count : 1), 0);
  return { calls, events: evs.length };
}

test('plan --ram 4T (6.12-arm64): a PTE table per 2 MiB of the linear map, in a handful of trace events', () => {
  const p = plan(loadBoard(dts, { ram: 4n * T }), { kernel: '6.12-arm64', bootargs: '' });
  assert.equal(p.exitCode, 0, JSON.stringify(p.diagnostics));
  assert.equal(p.boot.outcome, 'ok');
  const { calls, events } = pageTables(p);
  // rodata=full maps memory page by page: 4 TiB / 2 MiB PTE tables, plus the few upper-level ones
  assert.ok(calls >= Number((4n * T) >> 21n) && calls < Number((4n * T) >> 21n) + 8192, String(calls));
  assert.ok(events <= 8, `page-table events kept: ${events}`);
  assert.ok(p.trace.events.length < 500, `trace events: ${p.trace.events.length}`);
});

test('plan --ram 1P on 6.12-arm64 (52-bit PA on a core with FEAT_LPA2): completes; memblock=debug still has a line per page-table page', () => {
  const p = plan(loadBoard(dts, { ram: P, cpu: 'max' }), { kernel: '6.12-arm64', bootargs: '' });
  assert.equal(p.exitCode, 0, JSON.stringify(p.diagnostics));
  const { calls } = pageTables(p);
  assert.ok(calls >= Number(P >> 21n), String(calls));
  // each call is one alloc line and one memblock_reserve line of the kernel's memblock=debug
  let allocs = 0;
  let reserves = 0;
  for (const ev of memblockCalls(p.trace.events.map((x) => x.detail as MemblockEvent))) {
    if (!('caller' in ev)) continue;
    if (ev.caller === 'early_pgtable_alloc') allocs++;
    if (allocs > 4096) break; // enough: the expansion is lazy, the count is the point
    if (ev.kind === 'memblock_reserve' && ev.caller === 'memblock_alloc_range_nid') reserves++;
  }
  assert.ok(allocs > 4096 && reserves >= 4095);
});

test('the 64K and 16K arm64 builds and LPAE take hundreds of GiB to TiB alike', () => {
  for (const [kernel, ram] of [
    ['6.12-arm64-64k', 64n * T],
    ['6.12-arm64-16k', 64n * T],
    ['7.2-arm64', 16n * T],
    ['6.12-armmp-lpae', 512n << 30n],
  ] as const) {
    const p = plan(loadBoard(dts, { ram }), { kernel, bootargs: '' });
    if (kernel.endsWith('lpae')) {
      // FLATMEM's mem_map for 512 GiB is 4.5 GiB of struct pages, more than lowmem holds:
      // alloc_node_mem_map panics (mm/mm_init.c), and the plan says so rather than hang or go on
      assert.equal(p.boot.function, 'alloc_node_mem_map', `${kernel}: ${JSON.stringify(p.boot)}`);
      assert.match(p.boot.panic ?? '', /^Failed to allocate 4831838208 bytes for node 0 memory map$/);
    } else assert.equal(p.exitCode, 0, `${kernel}: ${JSON.stringify(p.diagnostics)}`);
    // compacted runs, not a line per block: without a sparse buffer (7.2 has none) vmemmap_populate
    // interleaves each new table with the blocks or pages under it, a step per PMD table (64 GiB
    // of RAM with 4 KiB pages: 256 for 16 TiB) or PTE table (512 MiB of memmap with 64 KiB)
    assert.ok(p.trace.events.length < 2000, `${kernel}: ${p.trace.events.length} trace events`);
  }
});

test('an initrd of 2 TiB placed at 0x48000000 on 1 GiB: the kernel adds the initrd as memory and runs out of page-table pages', () => {
  // a boot loader that places it (`--initrd ADDR+SIZE`); QEMU itself refuses to load it (next test)
  const p = plan(loadBoard(dts, { arch: 'arm64', ram: 1n << 30n, initrd: { base: 0x48000000n, size: 2n * T } }), {
    kernel: '6.12-arm64',
    bootargs: '',
  });
  // arm64_memblock_init memblock_add()s and reserves the initrd inside the linear region: 2 TiB of
  // reserved "memory" whose page tables do not fit in the 1 GiB that is free
  assert.equal(p.boot.outcome, 'panic');
  assert.equal(p.boot.function, 'early_pgtable_alloc');
  assert.equal(p.boot.panic, 'Failed to allocate page table page');
  assert.equal(p.exitCode, 1);
});

test('qemu-virt --initrd-size 2T on 1 GiB: QEMU refuses to load it, the kernel never runs', () => {
  const r = runCli(['plan', dts, '--kernel', '6.12-arm64', '--platform', 'qemu-virt', '--ram', '1G', '--initrd-size', '2T']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /qemu-initrd-too-big|could not load initrd/);
});

for (const [kernel, ram, bits] of [
  ['6.1-arm64', '1P', 48],
  // a tree without /cpus: a core without FEAT_LPA2, PHYS_MASK_SHIFT 48
  ['6.12-arm64', '1P', 48],
  ['6.12-armmp', '4G', 32],
  ['6.12-armmp-lpae', '1P', 40],
] as const) {
  test(`carveout plan --ram ${ram} on ${kernel}: past its ${bits}-bit physical address space, exit 2 naming --ram`, () => {
    const r = runCli(['plan', dts, '--kernel', kernel, '--ram', ram]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`error: RAM \\[0x40000000-0x[0-9a-f]+\\] ends past the ${bits}-bit physical address space of ${kernel}`),
    );
    assert.match(r.stderr, /hint: --ram or --memory: at most 0x[0-9a-f]+ bytes from 0x40000000/);
  });
}

test('a memory node of 4 EiB (a mutated #address-cells/#size-cells): exit 2 at the node', () => {
  const f = board('eib.dts', '0x0 0x40000000 0x400000 0x0');
  const r = runCli(['plan', f, '--kernel', '6.12-arm64', '--cpu', 'max']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /eib\.dts:4:\d+: error: memory node \/memory@40000000: RAM \[0x40000000-0x4000003fffffff\] ends past the 52-bit/);
  const p = plan(loadBoard(f), { kernel: '6.12-arm64' });
  assert.equal(p.boot.outcome, 'not-run');
});

test('an initrd past the physical address space: exit 2 naming --initrd-size', () => {
  const r = runCli(['plan', dts, '--kernel', '6.1-arm64', '--platform', 'qemu-virt', '--initrd-size', '1P']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /error: initrd \[0x48000000-0x[0-9a-f]+\] ends past the 48-bit physical address space of 6\.1-arm64/);
  assert.match(r.stderr, /--initrd-size/);
});

test('RAM past the linear region but inside the PA bits: 6.1+ warn "Memory doesn\'t fit in the linear mapping", 5.10 drops it silently', () => {
  // 48-bit VA: a linear region of 128 TiB; 200 TiB of RAM fits the 48-bit PA space but not the map
  const warning = "Memory doesn't fit in the linear mapping, VA_BITS too small";
  for (const [kernel, warns] of [
    ['6.1-arm64', true],
    ['5.10-arm64', false],
  ] as const) {
    const p = plan(loadBoard(dts, { ram: 200n * T }), { kernel, bootargs: '' });
    assert.equal(p.exitCode, 0, JSON.stringify(p.diagnostics));
    assert.equal(
      p.log.some((l) => l.text === warning),
      warns,
      kernel,
    );
    // arm64_memblock_init's memblock_remove(memstart_addr + linear_region_size, ULLONG_MAX)
    const node = p.log.find((l) => l.text.startsWith('NUMA: Faking a node'))?.text;
    assert.equal(node, 'NUMA: Faking a node at [mem 0x0000000040000000-0x000080003fffffff]', kernel);
  }
});
