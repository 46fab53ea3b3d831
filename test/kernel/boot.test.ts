// Boot-sequence rules read in the kernel sources, on small synthetic boards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseDts } from '../../src/source/parser.js';
import { bootLaidOut } from './boot-lab-helpers.js';
import type { Tree } from '../../src/tree/types.js';
import { countLinearMapTables } from '../../src/kernel/arch/arm64/mmu.js';
import { unflattenSize } from '../../src/kernel/of-fdt.js';
import { getProfile } from '../../src/kernel/profiles/index.js';
import { parseReserve, qemuDtbTotalSize, platformLayout, type ExtraReservation } from '../../src/platform/index.js';

const M = 1n << 20n;
const G = 1n << 30n;

function board(memReg: string, extra = '', cells = 2): ReturnType<typeof parseDts>['tree'] {
  const text = `/dts-v1/;
/ {
  #address-cells = <${cells}>; #size-cells = <${cells}>;
  chosen { };
  memory@40000000 { device_type = "memory"; reg = <${memReg}>; };
  ${extra}
};`;
  const r = parseDts(text, 'board.dts', { includeDirs: [] });
  assert.ok(r.tree, JSON.stringify(r.diagnostics));
  return r.tree;
}

function boot(kernel: string, o: { tree?: Tree; bootargs?: string; reserve?: ExtraReservation[] } = {}) {
  const tree = o.tree ?? board('0x0 0x40000000 0x0 0x40000000')!;
  return bootLaidOut(
    tree,
    getProfile(kernel)!,
    o.reserve ? { reserve: o.reserve } : {},
    o.bootargs !== undefined ? { bootargs: o.bootargs } : {},
  );
}

const cmaLine = (r: ReturnType<typeof boot>) => r.log.map((l) => l.text).filter((t) => t.startsWith('cma:'));

test('linear map tables: page granular 1 GiB needs 512 PTE tables plus one per upper level', () => {
  const mem = [{ base: 0x40000000n, size: G }];
  const none = { base: 0x40200000n, size: 0n };
  assert.equal(countLinearMapTables(mem, none, 0x40000000n, [21, 30, 39], { pageGranular: true }), 512 + 1 + 1);
  // the kernel alias gets 2 MiB blocks: 14 full blocks spare their PTE tables, the partial one does not
  const alias = { base: 0x40200000n, size: 0x1cf0000n };
  const rest = [
    { base: 0x40000000n, size: 0x200000n },
    { base: 0x40200000n + 0x1cf0000n, size: 0x80000000n - 0x41ef0000n },
  ];
  assert.equal(countLinearMapTables(rest, alias, 0x40000000n, [21, 30, 39, 48], { pageGranular: true }), 498 + 3);
  // 2 GiB crossing a 1 GiB boundary needs two PMD tables
  assert.equal(
    countLinearMapTables([{ base: 0x40000000n, size: 2n * G }], none, 0x40000000n, [21, 30, 39], { pageGranular: true }),
    1024 + 2 + 1,
  );
});

test('unflatten size: device_node + name per node, property per prop, a "name" property per node', () => {
  const t = board('0x0 0x40000000 0x0 0x40000000')!;
  // nodes: /, chosen, memory@40000000 ; props: 2 + 0 + 2
  const sz = { deviceNodeSize: 200, propertySize: 56, align: 8 };
  const expect =
    // root: node(200 + 1) → 208, 2 props, name prop (56 + 1)
    208 +
    2 * 56 +
    64 +
    // chosen: node 200 + 7 → 208, name prop 56 + 7 → 64
    208 +
    64 +
    // memory@40000000: 200 + 16 → 216, 2 props, name prop 56 + 7
    216 +
    2 * 56 +
    63;
  // __unflatten_device_tree: ALIGN(size, 4) + 4 for the end marker
  assert.equal(unflattenSize(t, sz), ((expect + 3) & ~3) + 4);
  assert.equal(unflattenSize(t, sz, 3), ((expect + 3 * 56 + 3) & ~3) + 4);
});

test('default CMA on arm64: top-down below the 4 GiB DMA limit, after the early allocations', () => {
  const r = boot('6.12-arm64');
  assert.ok(r.defaultCma);
  assert.equal(r.defaultCma!.size, 64n * M);
  assert.equal(r.defaultCma!.base % (2n * M), 0n);
  assert.ok(r.defaultCma!.base + r.defaultCma!.size <= 0x80000000n - 16n * M, 'below the memmap');
  assert.deepEqual(cmaLine(r), [`cma: Reserved 64 MiB at 0x${r.defaultCma!.base.toString(16).padStart(16, '0')} on node -1`]);
  // 6.1 prints no node
  assert.match(cmaLine(boot('6.1-arm64'))[0]!, /^cma: Reserved 64 MiB at 0x[0-9a-f]{16}$/);
});

test('cma=size@base: fixed placement exactly there; misaligned base is refused', () => {
  let r = boot('6.12-arm64', { bootargs: 'cma=32M@0x50000000' });
  assert.deepEqual(r.defaultCma, { base: 0x50000000n, size: 32n * M });
  assert.deepEqual(cmaLine(r), ['cma: Reserved 32 MiB at 0x0000000050000000 on node -1']);
  r = boot('6.12-arm64', { bootargs: 'cma=32M@0x50100000' });
  assert.equal(r.defaultCma, null);
  assert.deepEqual(cmaLine(r), [
    'cma: Region at 0x0000000050100000 must be aligned to 0x0000000000200000 bytes',
    'cma: Failed to reserve 32 MiB on node -1',
  ]);
  // a window (base-limit) is a range, not a fixed base
  r = boot('6.12-arm64', { bootargs: 'cma=16M@0x50000000-0x60000000' });
  assert.deepEqual(r.defaultCma, { base: 0x5f000000n, size: 16n * M });
  // cma=0: no default area
  assert.equal(boot('6.1-arm64', { bootargs: 'cma=0' }).defaultCma, null);
});

test('cma bigger than memory fails with the kernel message', () => {
  const r = boot('6.1-arm64', { bootargs: 'cma=2G' });
  assert.equal(r.defaultCma, null);
  assert.deepEqual(cmaLine(r), ['cma: Failed to reserve 2048 MiB']);
});

test('a linux,cma-default region replaces the default area', () => {
  const tree = board(
    '0x0 0x40000000 0x0 0x40000000',
    `reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
       linux,cma { compatible = "shared-dma-pool"; reusable; size = <0x0 0x1000000>; linux,cma-default; }; };`,
  );
  const r = boot('6.12-arm64', { tree });
  assert.equal(r.defaultCma, null);
  assert.ok(!cmaLine(r).some((l) => /Reserved 64 MiB/.test(l)));
});

test('mem= on arm64 caps memory (memblock_mem_limit_remove_map) and the CMA follows', () => {
  const r = boot('6.12-arm64', { bootargs: 'mem=256M' });
  assert.equal(r.ctx.memblock.endOfDram(), 0x50000000n);
  assert.ok(r.defaultCma!.base + r.defaultCma!.size <= 0x50000000n);
  assert.ok(r.log.some((l) => l.text === 'Memory limited to 256MB'));
});

test('crashkernel on arm64: low by default, high with ,high plus 128 MiB low (6.12)', () => {
  const big = board('0x0 0x40000000 0x1 0x00000000'); // 4 GiB: 0x40000000..0x140000000
  let r = boot('6.12-arm64', { tree: big, bootargs: 'crashkernel=256M' });
  assert.ok(r.crashkernel && r.crashkernel.base + r.crashkernel.size <= 1n << 32n);
  r = boot('6.12-arm64', { tree: big, bootargs: 'crashkernel=256M,high' });
  assert.ok(r.crashkernel && r.crashkernel.base >= 1n << 32n, 'above 4 GiB');
  assert.equal(r.crashkernel!.low?.size, 128n * M);
  assert.ok(r.log.some((l) => /^crashkernel low memory reserved: 0x[0-9a-f]{8} - 0x[0-9a-f]{8} \(128 MB\)$/.test(l.text)));
  // 6.1 has no default low size for ,high
  r = boot('6.1-arm64', { tree: big, bootargs: 'crashkernel=256M,high' });
  assert.ok(r.crashkernel && r.crashkernel.base >= 1n << 32n);
  assert.equal(r.crashkernel!.low, undefined);
  // fixed base
  r = boot('6.12-arm64', { bootargs: 'crashkernel=64M@0x60000000' });
  assert.deepEqual(r.crashkernel, { base: 0x60000000n, size: 64n * M });
  r = boot('6.12-arm64', { bootargs: 'crashkernel=64M@0x40200000' }); // the kernel is there
  assert.equal(r.crashkernel, null);
  assert.ok(r.log.some((l) => l.text === 'crashkernel reservation failed - memory is in use.'));
});

test('crashkernel on arm: 128 MiB aligned in lowmem, its own message', () => {
  const r = boot('6.1-armmp', { tree: board('0x40000000 0x40000000', '', 1), bootargs: 'crashkernel=64M' });
  assert.ok(r.crashkernel);
  assert.equal(r.crashkernel!.base % (128n * M), 0n);
  assert.ok(r.crashkernel!.base + r.crashkernel!.size <= 0x70000000n, 'lowmem');
  assert.ok(
    r.log.some((l) => l.text === `Reserving 64MB of memory at ${r.crashkernel!.base >> 20n}MB for crashkernel (System RAM: 768MB)`),
  );
});

test('arm: the default CMA goes to highmem first (6.1), lowmem when highmem is full', () => {
  const r = boot('6.1-armmp', { tree: board('0x40000000 0x40000000', '', 1) });
  assert.deepEqual(r.defaultCma, { base: 0x7f000000n, size: 16n * M });
  const small = boot('6.1-armmp', { tree: board('0x40000000 0x10000000', '', 1) }); // 256 MiB: all lowmem
  assert.ok(small.defaultCma && small.defaultCma.base + small.defaultCma.size <= 0x50000000n);
  // vmalloc= moves the lowmem limit
  const v = boot('6.1-armmp', { tree: board('0x40000000 0x40000000', '', 1), bootargs: 'vmalloc=512M' });
  assert.equal(v.ctx.memblock.currentLimit, 0x40000000n + (0xff800000n - 512n * M - 8n * M - 0xc0000000n));
});

test('reserve_mem= (6.12): top-down allocations after start_kernel setup; duplicate names refused', () => {
  const r = boot('6.12-arm64', { bootargs: 'reserve_mem=4M:2M:oops reserve_mem=1M:4K:oops reserve_mem=1M:4K:trace' });
  assert.deepEqual(
    r.reserveMem.map((x) => [x.name, x.size]),
    [
      ['oops', 4n * M],
      ['trace', M],
    ],
  );
  assert.equal(r.reserveMem[0]!.base % (2n * M), 0n);
  const u = boot('6.1-arm64', { bootargs: 'reserve_mem=4M:2M:oops' });
  assert.deepEqual(u.reserveMem, []);
  assert.ok(u.log.some((l) => l.text === 'Unknown kernel command line parameters "reserve_mem=4M:2M:oops", will be passed to user space.'));
});

test('reserve_mem= refusals: 7.2 says why (mm/memblock.c pr_err), 6.12 refuses the same entries silently', () => {
  // in reserve_mem()'s order: a malformed one, a name used twice, one too big for RAM, then a ninth entry
  const args = [
    'reserve_mem=1M:4K:',
    'reserve_mem=1M:4K:a',
    'reserve_mem=1M:4K:a',
    'reserve_mem=64G:4K:big',
    ...['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((n) => `reserve_mem=64K:4K:${n}`),
  ].join(' ');
  const refusals = (kernel: string) => {
    const r = boot(kernel, { bootargs: args });
    return { kept: r.reserveMem.map((x) => x.name), lines: r.log.map((l) => l.text).filter((t) => t.startsWith('reserve_mem:')) };
  };
  const v72 = refusals('7.2-arm64');
  assert.deepEqual(v72.kept, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  assert.deepEqual(v72.lines, [
    'reserve_mem: empty or malformed parameter',
    'reserve_mem: name "a" was already used',
    'reserve_mem: memblock allocation failed',
    'reserve_mem: no more room for reserved memory',
  ]);
  const v612 = refusals('6.12-arm64');
  assert.deepEqual(v612.kept, v72.kept);
  assert.deepEqual(v612.lines, []);
});

test('5.10 passes unknown parameters on without print_unknown_bootoptions: no line, no buffer', () => {
  const unknown = (kernel: string) => {
    const r = boot(kernel, { bootargs: 'reserve_mem=4M:2M:oops' });
    const line = r.log.some((l) => l.text.startsWith('Unknown kernel command line parameters'));
    // print_unknown_bootoptions frees its buffer (memblock_free(void *) → memblock_phys_free on 6.1)
    const buffer = r.ctx.memblock.events.some((e) => 'caller' in e && e.caller === 'start_kernel' && /free$/.test(e.kind));
    return [line, buffer];
  };
  assert.deepEqual(unknown('5.10-arm64'), [false, false]);
  assert.deepEqual(unknown('6.1-arm64'), [true, true]);
  // init/main.c is the same on arm: the buffer's free can double memblock.reserved (seed 54 #6c2420db)
  assert.deepEqual(unknown('5.10-armmp'), [false, false]);
  assert.deepEqual(unknown('6.1-armmp'), [true, true]);
});

test('qemu-virt layout: initrd at RAM/2 capped at 128 MiB, DTB after it (2 MiB / 4 KiB aligned), QEMU-grown DTB', () => {
  const t = board('0x0 0x40000000 0x0 0x40000000')!;
  let { layout } = platformLayout(t, { platform: 'qemu-virt', arch: 'arm64', ram: 256n * M, initrdSize: 0x100001n }, () => 7000);
  assert.deepEqual(layout.initrd, { base: 0x48000000n, size: 0x100001n });
  assert.deepEqual(layout.dtb, { base: 0x48200000n, size: qemuDtbTotalSize(7000) });
  assert.equal(qemuDtbTotalSize(7000), 34000n);
  ({ layout } = platformLayout(t, { platform: 'qemu-virt', arch: 'arm', ram: 2n * G, initrdSize: 0x1000n }, () => 7000));
  assert.deepEqual(layout.initrd, { base: 0x48000000n, size: 0x1000n });
  assert.equal(layout.dtb!.base, 0x48001000n);
  const d = platformLayout(t, { platform: 'nope', arch: 'arm' }, () => 0).diagnostics;
  assert.equal(d[0]?.code, 'unknown-platform');
});

test('--reserve NAME@ADDR+SIZE is parsed with memparse and reserved before reserved-memory', () => {
  assert.deepEqual(parseReserve('tz@0x7e000000+32M'), { name: 'tz', base: 0x7e000000n, size: 32n * M });
  assert.equal((parseReserve('tz@0x7e000000') as { code: string }).code, 'bad-reserve');
  assert.equal((parseReserve('tz@0x7e000000+32MB') as { code: string }).code, 'bad-reserve');
  const r = boot('6.12-arm64', { reserve: [{ name: 'tz', base: 0x7e000000n, size: 32n * M }] });
  assert.ok(r.ctx.memblock.isReserved(0x7e000000n));
  assert.ok(r.defaultCma!.base + r.defaultCma!.size <= 0x7e000000n);
});

test('a board tree without memory and without --ram is a diagnostic, not a crash', () => {
  const r = parseDts('/dts-v1/; / { #address-cells = <1>; #size-cells = <1>; };', 'x.dts', { includeDirs: [] });
  const res = bootLaidOut(r.tree!, getProfile('6.1-armmp')!, {}, { handlers: [] });
  assert.equal(res.diagnostics[0]?.code, 'no-memory');
});

test('dma-ranges bound ZONE_DMA and so the default CMA area: 6.12 keeps the address, 6.1 rounds to bits', () => {
  // RAM 0..2 GiB; a bus whose DMA reaches only the first 960 MiB (like bcm2711)
  const text = `/dts-v1/;
/ {
  #address-cells = <2>; #size-cells = <1>;
  chosen { };
  memory@0 { device_type = "memory"; reg = <0x0 0x0 0x80000000>; };
  soc { compatible = "simple-bus"; #address-cells = <1>; #size-cells = <1>;
        ranges = <0x7e000000 0x0 0xfe000000 0x01800000>;
        dma-ranges = <0xc0000000 0x0 0x0 0x3c000000>; };
  disabled-bus { #address-cells = <1>; #size-cells = <1>; status = "disabled";
        dma-ranges = <0x0 0x0 0x0 0x1000000>; };
};`;
  const tree = parseDts(text, 'rpi.dts', { includeDirs: [] }).tree!;
  const r612 = boot('6.12-arm64', { tree });
  assert.ok(r612.defaultCma!.base + r612.defaultCma!.size <= 0x3c000000n, '6.12: below 0x3c000000');
  assert.ok(r612.defaultCma!.base + r612.defaultCma!.size > 0x3c000000n - 64n * M - 4n * M);
  const r61 = boot('6.1-arm64', { tree });
  // fls64(0x3bffffff) = 30 bits → 1 GiB
  assert.ok(r61.defaultCma!.base + r61.defaultCma!.size <= 0x40000000n);
  assert.ok(r61.defaultCma!.base + r61.defaultCma!.size > 0x3c000000n, '6.1: above 6.12 limit');
});

test('--reserve kernel@/initrd@/dtb@ place the boot loader blobs of a real board', () => {
  const r = boot('6.12-arm64', {
    reserve: [
      { name: 'kernel', base: 0x40480000n, size: 0n },
      { name: 'initrd', base: 0x46000000n, size: 0x200000n },
      { name: 'dtb', base: 0x45f00000n, size: 0x10000n },
    ],
  });
  const reserves = r.ctx.memblock.events.filter((e) => e.kind === 'memblock_reserve').map((e) => (e as { base: bigint }).base);
  assert.ok(reserves.includes(0x40480000n), 'kernel image from _text');
  assert.ok(reserves.includes(0x46000000n), 'initrd');
  assert.ok(reserves.includes(0x45f00000n), 'dtb');
  assert.deepEqual(r.layout.extra, []);
});

test("a kdump kernel's /chosen/linux,usable-memory-range caps memory (memblock_cap_memory_range)", () => {
  const tree = parseDts(
    `/dts-v1/; / { #address-cells = <2>; #size-cells = <2>;
      chosen { linux,usable-memory-range = <0x0 0x60000000 0x0 0x10000000>; };
      memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x40000000>; }; };`,
    'kdump.dts',
    { includeDirs: [] },
  ).tree!;
  const r = boot('6.12-arm64', { tree, reserve: [{ name: 'kernel', base: 0x60000000n, size: 0n }] });
  assert.equal(r.ctx.memblock.startOfDram(), 0x60000000n);
  assert.equal(r.ctx.memblock.endOfDram(), 0x70000000n);
  assert.ok(r.defaultCma!.base >= 0x60000000n && r.defaultCma!.base + r.defaultCma!.size <= 0x70000000n);
});

test('any command line, RAM size and kernel: the boot model never throws', () => {
  const words = [
    'cma=',
    'mem=',
    'reserve_mem=',
    'crashkernel=',
    'vmalloc=',
    'memblock=debug',
    'nokaslr',
    '"',
    '@',
    '-',
    ':',
    ',high',
    ',low',
    '0x',
    'M',
    'G',
    'K',
    '16',
    '0',
    '1',
    '4096',
    ' ',
  ];
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...words), { maxLength: 14 }),
      fc.constantFrom(16n, 64n, 128n, 200n, 1024n, 3072n, 4096n),
      fc.constantFrom('6.1-arm64', '6.12-arm64', '6.12-arm64-16k', '6.12-arm64-64k', '6.1-armmp', '6.1-armmp-lpae'),
      (ws, ramMiB, kernel) => {
        const p = getProfile(kernel)!;
        if (p.arch === 'arm' && ramMiB > 3072n) return;
        const platform = { platform: 'qemu-virt', ram: ramMiB << 20n, initrdSize: 0x100000n };
        const r = bootLaidOut(board('0x0 0x40000000 0x0 0x40000000')!, p, platform, { bootargs: ws.join('') });
        assert.ok(Array.isArray(r.log));
      },
    ),
    { numRuns: 150 },
  );
});

test('6.12: a no-map region whose handler fails is unmapped yet freed for allocation — writing there oopses', () => {
  const tree = board(
    '0x0 0x40000000 0x0 0x10000000',
    `reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
       tee@4fff8000 { compatible = "shared-dma-pool"; reg = <0x0 0x4fff8000 0x0 0x8000>; no-map; reusable; }; };`,
  );
  const r = boot('6.12-arm64', { tree });
  assert.equal(r.panic, 'Attempted to kill the idle task!');
  // the first zeroed allocation after the handler cleared NOMAP (here the unflattened tree) lands there
  assert.ok(r.log.some((l) => /^Unable to handle kernel paging request at virtual address fff000000fff[89a-f][0-9a-f]{3}$/.test(l.text)));
  assert.equal(r.defaultCma, undefined, 'the boot never reaches dma_contiguous_reserve');
  // 6.1 keeps the region reserved (it frees nothing of a no-map region), so the boot goes on
  const r61 = boot('6.1-arm64', { tree });
  assert.equal(r61.panic, undefined);
  assert.ok(r61.defaultCma);
});
