// of_reserved_mem model: per-version behaviour from drivers/of/of_reserved_mem.c and drivers/of/fdt.c.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { earlyInitFdtScanReservedMem, fdtScanReservedMemRegNodes, rmemRegions, type RmemHost } from '../../src/kernel/rmem.js';
import { builtinHandlers } from '../../src/kernel/handlers/index.js';
import { EINVAL } from '../../src/kernel/errno.js';
import { declareReservedMem } from '../../src/kernel/handler-api.js';
import { bareHost, c2, node, texts, virtTree } from './rmem-fixtures.js';
import { writeDtb } from '../../src/fdt/writer.js';

const M = 1n << 20n;

function boot(h: RmemHost): RmemHost {
  earlyInitFdtScanReservedMem(h);
  fdtScanReservedMemRegNodes(h);
  return h;
}

// The lab's hand-written sample (data/lab/sample-6.12-arm64): a static no-map region on top of the
// initrd and a dynamic CMA pool; the 6.12 kernel printed exactly these lines in this order.
test('6.12: dynamic handlers run at scan time, static ones later; failed nomap still gets a summary', () => {
  const t = virtTree([
    node('st@48000000', { reg: c2(0x48000000n, 1n * M), 'no-map': true }),
    node('dyn', { compatible: 'shared-dma-pool', reusable: true, size: c2(8n * M), alignment: c2(4n * M) }),
  ]);
  const h = boot(
    bareHost(t, '6.12-arm64', {
      reserve: [
        [0x48000000n, 0xfe000n],
        [0x40200000n, 0x2b20000n],
      ],
    }),
  );
  assert.deepEqual(texts(h), [
    "OF: reserved mem: Reserved memory: failed to reserve memory for node 'st@48000000': base 0x0000000048000000, size 1 MiB",
    'Reserved memory: created CMA memory pool at 0x000000007f800000, size 8 MiB',
    'OF: reserved mem: initialized node dyn, compatible id shared-dma-pool',
    'OF: reserved mem: 0x000000007f800000..0x000000007fffffff (8192 KiB) map reusable dyn',
    'OF: reserved mem: 0x0000000048000000..0x00000000480fffff (1024 KiB) nomap non-reusable st@48000000',
  ]);
  const regs = rmemRegions(h);
  assert.equal(regs.find((r) => r.name === 'dyn')!.status, 'ok');
  assert.equal(regs.find((r) => r.name === 'st@48000000')!.status, 'reserve-failed');
  assert.equal(h.cma.areaCount, 1);
});

// data/lab/sample-6.1-armmp: 32-bit %pa, 8 MiB CMA alignment (pageblock order 11), no summary lines.
test('6.1 armmp: CMA alignment raised to the pageblock size, 8-digit %pa, no summary', () => {
  const t = virtTree([
    node('st@50000000', { reg: c2(0x50000000n, 1n * M), 'no-map': true }),
    node('dyn', { compatible: 'shared-dma-pool', reusable: true, size: c2(8n * M), alignment: c2(4n * M) }),
  ]);
  const h = boot(
    bareHost(t, '6.1-armmp', {
      reserve: [
        [0x40300000n, 0x1307588n],
        [0x48000000n, 0xdd000n],
      ],
    }),
  );
  assert.deepEqual(texts(h), [
    'Reserved memory: created CMA memory pool at 0x7f800000, size 8 MiB',
    'OF: reserved mem: initialized node dyn, compatible id shared-dma-pool',
  ]);
  const alloc = h.memblock.events.find((e) => e.kind === 'memblock_phys_alloc_range');
  assert.ok(alloc && alloc.kind === 'memblock_phys_alloc_range');
  assert.equal(alloc.align, 8n * M);
  assert.equal(alloc.maxAddr, 0xffffffffn);
});

test('root checks: cells must equal the root and ranges must exist (message per version, twice on 6.12)', () => {
  for (const [k, lines] of [
    ['6.1-arm64', ['OF: fdt: Reserved memory: unsupported node format, ignoring']],
    [
      '6.12-arm64',
      [
        'OF: reserved mem: Reserved memory: unsupported node format, ignoring',
        'OF: reserved mem: Reserved memory: unsupported node format, ignoring',
      ],
    ],
  ] as const) {
    const t = virtTree([node('a@48000000', { reg: c2(0x48000000n, M) })]);
    t.root.children[0]!.props = t.root.children[0]!.props.filter((p) => p.name !== 'ranges');
    const h = boot(bareHost(t, k));
    assert.deepEqual(texts(h), lines);
    assert.equal(h.memblock.isRegionReserved(0x48000000n, M), false);
  }
});

test('invalid reg length, disabled status, several reg entries', () => {
  const kids = () => [
    node('bad@1', { reg: [0, 0x48000000, 0] }),
    node('off@2', { reg: c2(0x49000000n, M), status: 'disabled' }),
    node('two@3', { reg: c2(0x4a000000n, M, 0x4b000000n, M) }),
  ];
  const h61 = boot(bareHost(virtTree(kids()), '6.1-arm64'));
  assert.deepEqual(texts(h61), ["OF: fdt: Reserved memory: invalid reg property in 'bad@1', skipping node."]);
  assert.ok(h61.memblock.isRegionReserved(0x4b000000n, M), '6.1 reserves every reg entry');
  assert.ok(!h61.memblock.isRegionReserved(0x49000000n, M));
  const h612 = boot(bareHost(virtTree(kids()), '6.12-arm64'));
  assert.deepEqual(texts(h612), [
    "OF: reserved mem: Reserved memory: invalid reg property in 'bad@1', skipping node.",
    "OF: reserved mem: Reserved memory: invalid reg property in 'bad@1', skipping node.",
    "OF: reserved mem: fdt_scan_reserved_mem_reg_nodes() ignores 1 regions in node 'two@3'",
    'OF: reserved mem: 0x000000004a000000..0x000000004a0fffff (1024 KiB) map non-reusable two@3',
  ]);
  const regs = rmemRegions(h612);
  assert.equal(regs.find((r) => r.name === 'bad@1')!.status, 'invalid');
  assert.equal(regs.find((r) => r.name === 'off@2')!.status, 'disabled');
  assert.equal(regs.find((r) => r.name === 'two@3')!.extraRegs.length, 1);
});

test('overlap detection prints after sorting by base then size', () => {
  const t = virtTree([node('b@48100000', { reg: c2(0x48100000n, 2n * M) }), node('a@48000000', { reg: c2(0x48000000n, 2n * M) })]);
  const h = boot(bareHost(t, '6.1-arm64'));
  assert.deepEqual(texts(h), [
    'OF: reserved mem: OVERLAP DETECTED!',
    'a@48000000 (0x0000000048000000--0x0000000048200000) overlaps with b@48100000 (0x0000000048100000--0x0000000048300000)',
  ]);
});

test('dynamic regions: failure message, sizes in MiB truncate, alloc-ranges fall through in order', () => {
  const t = virtTree([
    node('huge', { size: c2(0x80000000n) }),
    node('ranged', { size: c2(0x180000n), 'alloc-ranges': c2(0x30000000n, 0x1000000n, 0x50000000n, 0x1000000n) }),
  ]);
  const h = boot(bareHost(t, '6.12-arm64'));
  assert.deepEqual(texts(h), [
    "OF: reserved mem: failed to allocate memory for node 'huge': size 2048 MiB",
    'OF: reserved mem: 0x0000000050e80000..0x0000000050ffffff (1536 KiB) map non-reusable ranged',
  ]);
  const r = rmemRegions(h).find((x) => x.name === 'ranged')!;
  assert.equal(r.placement, 'top-down in alloc-ranges[1]');
  assert.equal(r.status, 'no-handler');
});

test('6.12 alloc-ranges starting at an existing dynamic region go bottom-up (6.1 stays top-down)', () => {
  const kids = () => [
    node('first', { size: c2(M), 'alloc-ranges': c2(0x50000000n, 0x1000000n) }),
    node('second', { size: c2(M), 'alloc-ranges': c2(0x50f00000n, 0x800000n) }),
  ];
  const r612 = rmemRegions(boot(bareHost(virtTree(kids()), '6.12-arm64')));
  assert.equal(r612.find((r) => r.name === 'first')!.base, 0x50f00000n);
  assert.equal(r612.find((r) => r.name === 'second')!.base, 0x51000000n);
  assert.match(r612.find((r) => r.name === 'second')!.placement, /^bottom-up/);
  const r61 = rmemRegions(boot(bareHost(virtTree(kids()), '6.1-arm64')));
  assert.equal(r61.find((r) => r.name === 'second')!.base, 0x51600000n);
});

test('shared-dma-pool: CMA wants reusable and no no-map; coherent pools need no-map on 32-bit ARM only', () => {
  const kids = () => [
    node('coh@48000000', { compatible: 'shared-dma-pool', reg: c2(0x48000000n, 4n * M) }),
    node('cma@49000000', { compatible: 'shared-dma-pool', reusable: true, reg: c2(0x49100000n, 4n * M) }),
  ];
  const h64 = boot(bareHost(virtTree(kids()), '6.1-arm64'));
  assert.deepEqual(texts(h64), [
    'Reserved memory: created DMA memory pool at 0x0000000048000000, size 4 MiB',
    'OF: reserved mem: initialized node coh@48000000, compatible id shared-dma-pool',
    'Reserved memory: incorrect alignment of CMA region',
    'OF: reserved mem: node cma@49000000 compatible matching fail',
  ]);
  assert.equal(h64.memblock.isRegionReserved(0x49100000n, 4n * M), false, 'rejected region is freed');
  const h32 = boot(bareHost(virtTree(kids()), '6.1-armmp'));
  assert.ok(texts(h32).includes('Reserved memory: regions without no-map are not yet supported'));
  assert.equal(rmemRegions(h32).find((r) => r.name === 'coh@48000000')!.status, 'rejected');
});

test('linux,cma-default with cma= on the command line is bypassed', () => {
  const t = virtTree([node('linux,cma', { compatible: 'shared-dma-pool', reusable: true, size: c2(16n * M), 'linux,cma-default': true })]);
  const h = boot(bareHost(t, '6.12-arm64', { cmaCmdline: 32n * M }));
  assert.deepEqual(texts(h), [
    'Reserved memory: bypass linux,cma node, using cmdline CMA params instead',
    'OF: reserved mem: node linux,cma compatible matching fail',
  ]);
  const h2 = boot(
    bareHost(
      virtTree([node('linux,cma', { compatible: 'shared-dma-pool', reusable: true, size: c2(16n * M), 'linux,cma-default': true })]),
      '6.12-arm64',
    ),
  );
  assert.equal(h2.cma.defaultArea, 'linux,cma');
});

test('user handlers come after the built-in table; first setup returning 0 wins', () => {
  const seen: bigint[] = [];
  const fails = declareReservedMem('nope', 'hisi,mca', () => -EINVAL);
  const mca = declareReservedMem('mca', 'hisi,mca', (rmem, k) => {
    seen.push(rmem.base, rmem.size);
    k.pr_info(`mca: ${k.pa(rmem.base)} ${k.mib(rmem.size)} MiB`);
    return 0;
  });
  const t = virtTree([node('mca@b8000000', { compatible: 'hisi,mca', reg: c2(0x78000000n, 64n * M), 'no-map': true })]);
  const h = boot(bareHost(t, '6.1-arm64', { handlers: [...builtinHandlers(), fails, mca] }));
  assert.deepEqual(seen, [0x78000000n, 64n * M]);
  assert.deepEqual(texts(h), ['mca: 0x0000000078000000 64 MiB', 'OF: reserved mem: initialized node mca@b8000000, compatible id hisi,mca']);
  const r = rmemRegions(h)[0]!;
  assert.deepEqual(
    r.attempts.map((a) => a.ret),
    [-EINVAL, 0],
  );
  assert.equal(r.status, 'ok');
});

test('MAX_RESERVED_REGIONS: the 65th region is refused', () => {
  const kids = Array.from({ length: 66 }, (_, i) => node(`r@${i}`, { reg: c2(0x48000000n + BigInt(i) * M, M) }));
  const h = boot(bareHost(virtTree(kids), '6.12-arm64'));
  assert.equal(texts(h).filter((l) => l === 'OF: reserved mem: not enough space for all defined regions.').length, 2);
  assert.equal(rmemRegions(h).filter((r) => r.status === 'no-space').length, 2);
});

test('6.1: a zero-sized reg with a size property is allocated dynamically; /memreserve/ before the scan', () => {
  const t = virtTree([node('z@0', { reg: c2(0n, 0n), size: c2(M) })]);
  t.memreserves.push({ address: 0x7ff00000n, size: M, labels: [], span: t.root.span });
  const h = boot(bareHost(t, '6.1-arm64'));
  const r = rmemRegions(h)[0]!;
  assert.equal(r.base, 0x7fe00000n);
  assert.ok(r.dynamic);
  assert.deepEqual(texts(h), ["OF: fdt: Reserved memory: failed to reserve memory for node 'z@0': base 0x0000000000000000, size 0 MiB"]);
});

// Booted by hand (QEMU virt, 1 GiB, memblock=debug): 2 overlapping static regions and 5 dynamic
// ones. 6.1 allocates the dynamic ones in lib/sort.c's order for equal keys (d5 first); 6.12 in
// node order, and d5's alloc-range starting inside d4 makes it bottom-up.
test('real boots: 6.1 dynamic order follows the heapsort; 6.12 picks bottom-up next to d4', () => {
  const kids = () => [
    node('s1@48000000', { reg: c2(0x48000000n, 2n * M) }),
    node('s2@48100000', { reg: c2(0x48100000n, 2n * M) }),
    node('d1', { size: c2(M) }),
    node('d2', { compatible: 'shared-dma-pool', size: c2(2n * M) }),
    node('d3', { size: c2(3n * M) }),
    node('d4', { size: c2(4n * M), 'alloc-ranges': c2(0x50000000n, 0x1000000n) }),
    node('d5', { size: c2(M), 'alloc-ranges': c2(0x50f00000n, 0x800000n) }),
  ];
  const allocs = (h: RmemHost) =>
    h.memblock.events.flatMap((e) => (e.kind === 'memblock_phys_alloc_range' ? [`${e.size}@${e.from.toString(16)}`] : []));
  const h61 = boot(bareHost(virtTree(kids()), '6.1-arm64'));
  assert.deepEqual(allocs(h61), ['1048576@50f00000', '1048576@0', '2097152@0', '3145728@0', '4194304@50000000']);
  assert.deepEqual(texts(h61), [
    'OF: reserved mem: OVERLAP DETECTED!',
    's1@48000000 (0x0000000048000000--0x0000000048200000) overlaps with s2@48100000 (0x0000000048100000--0x0000000048300000)',
    'Reserved memory: created DMA memory pool at 0x000000007fd00000, size 2 MiB',
    'OF: reserved mem: initialized node d2, compatible id shared-dma-pool',
  ]);
  const h612 = boot(bareHost(virtTree(kids()), '6.12-arm64'));
  assert.deepEqual(texts(h612), [
    'OF: reserved mem: 0x000000007ff00000..0x000000007fffffff (1024 KiB) map non-reusable d1',
    'Reserved memory: created DMA memory pool at 0x000000007fd00000, size 2 MiB',
    'OF: reserved mem: initialized node d2, compatible id shared-dma-pool',
    'OF: reserved mem: 0x000000007fd00000..0x000000007fefffff (2048 KiB) map non-reusable d2',
    'OF: reserved mem: 0x000000007fa00000..0x000000007fcfffff (3072 KiB) map non-reusable d3',
    'OF: reserved mem: 0x0000000050c00000..0x0000000050ffffff (4096 KiB) map non-reusable d4',
    'OF: reserved mem: 0x0000000051000000..0x00000000510fffff (1024 KiB) map non-reusable d5',
    'OF: reserved mem: 0x0000000048000000..0x00000000481fffff (2048 KiB) map non-reusable s1@48000000',
    'OF: reserved mem: 0x0000000048100000..0x00000000482fffff (2048 KiB) map non-reusable s2@48100000',
    'OF: reserved mem: OVERLAP DETECTED!',
    's1@48000000 (0x0000000048000000--0x0000000048200000) overlaps with s2@48100000 (0x0000000048100000--0x0000000048300000)',
  ]);
});

// Booted by hand on 6.12-arm64: an empty `reg` passes the length check in
// fdt_scan_reserved_mem_reg_nodes(), which then reads the next structure-block words (FDT_END_NODE,
// FDT_BEGIN_NODE, the sibling's name) as base and size.
test('6.12: an empty reg makes the second pass read past the property, like the kernel', () => {
  const t = virtTree([node('a@0', { compatible: 'vendor,x', reg: true }), node('b', { size: c2(M) })]);
  const h = boot({ ...bareHost(t, '6.12-arm64'), blob: writeDtb(t) });
  assert.deepEqual(texts(h), [
    'OF: reserved mem: 0x000000007ff00000..0x000000007fffffff (1024 KiB) map non-reusable b',
    'OF: reserved mem: 0x0000000200000001..0x6200000200000003 (6896136929411072 KiB) map non-reusable a@0',
  ]);
});

// Booted by hand (QEMU virt, 1 GiB): a misaligned static CMA region, a linux,cma-default pool, a
// no-map coherent pool, a restricted-dma-pool (no handler in Debian's config), and a compatible in
// other case with a non-power-of-two alignment.
test('real boots: CMA/coherent/restricted handlers, case-insensitive compatible, odd alignment', () => {
  const kids = () => [
    node('cmaA@48000000', { compatible: 'shared-dma-pool', reusable: true, reg: c2(0x48000000n, 0x300000n) }),
    node('cmaB', { compatible: 'shared-dma-pool', reusable: true, 'linux,cma-default': true, size: c2(4n * M) }),
    node('coh', { compatible: 'shared-dma-pool', 'no-map': true, size: c2(M) }),
    node('rdp', { compatible: 'restricted-dma-pool', size: c2(M) }),
    node('odd', { compatible: 'Shared-DMA-Pool', size: c2(0x2800n), alignment: c2(0x1234n) }),
  ];
  const h61 = boot(bareHost(virtTree(kids()), '6.1-arm64'));
  assert.deepEqual(texts(h61), [
    'Reserved memory: created CMA memory pool at 0x000000007fc00000, size 4 MiB',
    'OF: reserved mem: initialized node cmaB, compatible id shared-dma-pool',
    'Reserved memory: created DMA memory pool at 0x000000007fb00000, size 1 MiB',
    'OF: reserved mem: initialized node coh, compatible id shared-dma-pool',
    'Reserved memory: created DMA memory pool at 0x000000007f9fc800, size 0 MiB',
    'OF: reserved mem: initialized node odd, compatible id shared-dma-pool',
    'Reserved memory: incorrect alignment of CMA region',
    'OF: reserved mem: node cmaA@48000000 compatible matching fail',
  ]);
  assert.equal(h61.cma.defaultArea, 'cmaB');
  const h612 = boot(bareHost(virtTree(kids()), '6.12-arm64'));
  assert.deepEqual(texts(h612), [
    'Reserved memory: created CMA memory pool at 0x000000007fc00000, size 4 MiB',
    'OF: reserved mem: initialized node cmaB, compatible id shared-dma-pool',
    'OF: reserved mem: 0x000000007fc00000..0x000000007fffffff (4096 KiB) map reusable cmaB',
    'Reserved memory: created DMA memory pool at 0x000000007fb00000, size 1 MiB',
    'OF: reserved mem: initialized node coh, compatible id shared-dma-pool',
    'OF: reserved mem: 0x000000007fb00000..0x000000007fbfffff (1024 KiB) nomap non-reusable coh',
    'OF: reserved mem: 0x000000007fa00000..0x000000007fafffff (1024 KiB) map non-reusable rdp',
    'Reserved memory: created DMA memory pool at 0x000000007f9fc800, size 0 MiB',
    'OF: reserved mem: initialized node odd, compatible id shared-dma-pool',
    'OF: reserved mem: 0x000000007f9fc800..0x000000007f9fefff (10 KiB) map non-reusable odd',
    'Reserved memory: incorrect alignment of CMA region',
    'OF: reserved mem: node cmaA@48000000 compatible matching fail',
  ]);
});

// Booted by hand: /chosen/linux,elfcorehdr on top of a static region. 6.1 reserves statics first
// and then finds the elfcorehdr overlapped; 6.12 reserves the elfcorehdr before the scan.
test('real boots: fdt_reserve_elfcorehdr before (6.12) or after (6.1) the static regions', () => {
  const mk = () => {
    const t = virtTree([node('st@7ff00000', { reg: c2(0x7ff00000n, M) }), node('d', { size: c2(M) })]);
    t.root.children.unshift(node('chosen', { 'linux,elfcorehdr': c2(0x7ff00000n, 0x10000n) }));
    t.root.children[0]!.parent = t.root;
    return t;
  };
  assert.deepEqual(texts(boot(bareHost(mk(), '6.1-arm64'))), ['OF: fdt: elfcorehdr is overlapped']);
  assert.deepEqual(texts(boot(bareHost(mk(), '6.12-arm64'))), [
    'OF: fdt: Reserving 64 KiB of memory at 0x7ff00000 for elfcorehdr',
    'OF: reserved mem: 0x000000007fe00000..0x000000007fefffff (1024 KiB) map non-reusable d',
    'OF: reserved mem: 0x000000007ff00000..0x000000007fffffff (1024 KiB) map non-reusable st@7ff00000',
  ]);
});

// Booted by hand: 66 static regions and one dynamic one. 6.1 saves the dynamic one last, so it is
// dropped with the two extra statics (3 messages, no allocation); 6.12 allocates and saves it first,
// then 63 statics fit.
test('real boots: MAX_RESERVED_REGIONS with 66 static regions and one dynamic', () => {
  const kids = () => [
    ...Array.from({ length: 66 }, (_, i) =>
      node(`r${i}@${(0x48000000 + i * 0x10000).toString(16)}`, { reg: c2(0x48000000n + BigInt(i) * 0x10000n, 0x10000n) }),
    ),
    node('dd', { size: c2(M) }),
  ];
  const full = 'OF: reserved mem: not enough space for all defined regions.';
  const h61 = boot(bareHost(virtTree(kids()), '6.1-arm64'));
  assert.deepEqual(texts(h61), [full, full, full]);
  assert.equal(h61.memblock.events.filter((e) => e.kind === 'memblock_phys_alloc_range').length, 0);
  const h612 = boot(bareHost(virtTree(kids()), '6.12-arm64'));
  const l = texts(h612);
  assert.equal(l[0], 'OF: reserved mem: 0x000000007ff00000..0x000000007fffffff (1024 KiB) map non-reusable dd');
  assert.equal(l.filter((x) => x === full).length, 3);
  assert.equal(l.filter((x) => / map non-reusable r\d+@/.test(x)).length, 63);
});
