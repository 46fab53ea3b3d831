// A 32-bit build's .config decides its memory layout beyond what Debian's armmp builds share
// (src/kernel/build/read.ts armBuild, src/kernel/arch/arm/): the vmsplit (CONFIG_PAGE_OFFSET) moves
// the end of lowmem (adjust_lowmem_bounds: vmalloc_min = VMALLOC_END - 240 MiB - VMALLOC_OFFSET),
// a build without CONFIG_HIGHMEM drops the RAM above lowmem ("Ignoring RAM at"), one without
// CONFIG_ZONE_DMA has lowmem in ZONE_NORMAL, one without CONFIG_MEMCG a 32-byte struct page, and
// swapper_pg_dir is where System.map says (TEXT_OFFSET 0x8000 without a platform that asks for
// 0x208000). Each build here is Debian 6.12-armmp's stored config and System.map lines, changed
// as a user's own build would have them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildProfile } from '../../src/kernel/build/profile.js';
import { excerptFiles, isBuildExcerpt } from '../../src/kernel/build/excerpt.js';
import { getProfile } from '../../src/kernel/profiles/index.js';
import type { KernelProfile } from '../../src/kernel/profiles/types.js';
import { plan } from '../../src/kernel/plan.js';
import { loadBoard } from '../../src/board.js';
import { regionBoard } from '../helpers/board.js';

const MiB = 1n << 20n;
const hex = (x: bigint) => `0x${x.toString(16)}`;
const split = (p: KernelProfile) => p.arm!;

/** Debian 6.12-armmp's built-in package's two files (the lines its profile reads), changed by `edit`. */
function ownBuild(edit: { config?: (text: string) => string; map?: (text: string) => string }): KernelProfile {
  const facts = JSON.parse(readFileSync('data/lab/6.12-armmp.build.json', 'utf8')) as { builds: unknown[] };
  const pkg = getProfile('6.12-armmp')!.debianPackage;
  const entry = facts.builds.find((b) => isBuildExcerpt(b) && b.package === pkg);
  assert.ok(isBuildExcerpt(entry));
  const files = excerptFiles('own', entry);
  const r = buildProfile({
    ...files,
    config: { ...files.config, text: (edit.config ?? ((x) => x))(files.config.text) },
    systemMap: { ...files.systemMap, text: (edit.map ?? ((x) => x))(files.systemMap.text) },
  });
  assert.ok(r.profile, r.diagnostics.map((d) => d.message).join('\n'));
  return r.profile;
}

/** Every System.map address moved by `by` (a vmsplit moves the whole image with PAGE_OFFSET). */
const moveMap = (by: bigint) => (text: string) =>
  text.replace(/^([0-9a-f]{8}) /gm, (_m, a: string) => `${(BigInt(`0x${a}`) + by).toString(16).padStart(8, '0')} `);
const drop = (option: string) => (text: string) => text.replace(new RegExp(`^CONFIG_${option}=y$`, 'm'), `# CONFIG_${option} is not set`);

const run = (kernel: KernelProfile, ram: bigint, bootargs = '') =>
  plan(loadBoard(regionBoard(''), { platform: 'qemu-virt', arch: 'arm', ram }), { kernel, bootargs: `console=ttyAMA0 ${bootargs}` });
const cmaLine = (p: ReturnType<typeof run>) => p.log.find((l) => l.text.startsWith('cma: Reserved'))?.text;

test('arm build: the stored Debian lines give the built-in profile back', () => {
  const own = ownBuild({});
  const builtin = getProfile('6.12-armmp')!;
  assert.deepEqual(own.arm, builtin.arm);
  assert.equal(cmaLine(run(own, 2048n * MiB)), cmaLine(run(builtin, 2048n * MiB)));
});

test('arm build: VMSPLIT_2G ends lowmem at PHYS_OFFSET + 1792 MiB: the zones and where memblock allocates move', () => {
  const split3g = ownBuild({});
  const split2g = ownBuild({
    config: (t) => t.replace('CONFIG_PAGE_OFFSET=0xC0000000', 'CONFIG_PAGE_OFFSET=0x80000000'),
    map: moveMap(-0x40000000n),
  });
  assert.equal(split2g.arm!.pageOffset, 0x80000000n);
  // the image and swapper_pg_dir sit as far into RAM as before: System.map moved with PAGE_OFFSET
  assert.equal(split2g.arm!.kernelOffset, split3g.arm!.kernelOffset);
  assert.equal(split2g.arm!.pgdirOffset, 0x204000n);
  // 2 GiB from 0x40000000: vmalloc_min is 0xf0000000 virtual, PHYS_OFFSET + 0x30000000 on 3G,
  // + 0x70000000 on 2G
  const zones = (p: ReturnType<typeof run>) => p.zones.map((z) => `${z.name} ${hex(z.base)}+${hex(z.size)}`);
  const limit = (p: ReturnType<typeof run>) =>
    p.trace.events.filter((e) => e.kind === 'note' && String(e.detail.text).startsWith('memblock.current_limit')).at(-1)?.detail.text;
  const p3 = run(split3g, 2048n * MiB);
  const p2 = run(split2g, 2048n * MiB);
  assert.deepEqual(zones(p3), ['DMA 0x40000000+0x30000000', 'HighMem 0x70000000+0x50000000']);
  assert.deepEqual(zones(p2), ['DMA 0x40000000+0x70000000', 'HighMem 0xb0000000+0x10000000']);
  assert.equal(limit(p3), 'memblock.current_limit = 0x70000000');
  assert.equal(limit(p2), 'memblock.current_limit = 0xb0000000');
  // the default CMA area is tried in highmem first on both (cma_declare_contiguous_nid)
  assert.equal(cmaLine(p2), 'cma: Reserved 16 MiB at 0xbf000000 on node -1');
});

test('arm build: without HIGHMEM the RAM above lowmem is ignored, and said so', () => {
  const p = run(ownBuild({ config: drop('HIGHMEM') }), 2048n * MiB);
  const lines = p.log.map((l) => l.text);
  const at = lines.indexOf('Ignoring RAM at 0x70000000-0xc0000000');
  assert.ok(at >= 0, lines.slice(0, 20).join('\n'));
  assert.equal(lines[at + 1], 'Consider using a HIGHMEM enabled kernel.');
  // adjust_lowmem_bounds runs before arm_memblock_init: no highmem to try first, the area lands under lowmem's end
  assert.equal(cmaLine(p), 'cma: Reserved 16 MiB at 0x6f000000 on node -1');
  assert.equal(p.boot.outcome, 'ok');
  const removed = p.trace.events.filter((e) => e.kind === 'memblock_remove' && e.detail.caller === 'adjust_lowmem_bounds');
  assert.deepEqual(
    removed.map((e) => [e.detail.base, e.detail.size]),
    [[0x70000000n, 0x50000000n]],
  );
  assert.deepEqual(
    p.zones.map((z) => z.name),
    ['DMA'],
  );
  // RAM that fits lowmem is kept whole, and nothing is said
  assert.ok(!run(ownBuild({ config: drop('HIGHMEM') }), 512n * MiB).log.some((l) => l.text.startsWith('Ignoring RAM')));
});

test('arm build: TEXT_OFFSET, ZONE_DMA and MEMCG are read, not assumed', () => {
  // a build of ARCH_VIRT alone: TEXT_OFFSET 0x8000, swapper_pg_dir at PAGE_OFFSET + 0x4000
  const own = ownBuild({
    config: (t) => drop('MEMCG')(drop('ZONE_DMA')(drop('PCI')(t))),
    map: (t) => t.replace(/^c0204000 A swapper_pg_dir$/m, 'c0004000 A swapper_pg_dir'),
  });
  const a = own.arm!;
  assert.equal(a.pgdirOffset, 0x4000n);
  assert.equal(a.zoneDma, false);
  assert.equal(a.structPageSize, 32n);
  assert.equal(a.pagingInit.pciReserveIo, false);
  const builtin = getProfile('6.12-armmp')!.arm!;
  assert.deepEqual(
    [builtin.pgdirOffset, builtin.zoneDma, builtin.structPageSize, builtin.pagingInit.pciReserveIo],
    [0x204000n, true, 36n, true],
  );
  // arm_mm_memblock_reserve (arm_memblock_init) reserves swapper_pg_dir there; lowmem is ZONE_NORMAL, zone 0 of this build
  const p = run(own, 1024n * MiB);
  const reserves = p.trace.events.filter((e) => e.kind === 'memblock_reserve' && e.detail.caller === 'arm_memblock_init');
  assert.deepEqual(
    reserves.map((e) => [e.detail.base, e.detail.size]),
    [
      [0x40300000n, split(own).kernelSize],
      [0x40004000n, 0x4000n],
    ],
  );
  assert.deepEqual(
    p.zones.map((z) => z.name),
    ['Normal', 'HighMem'],
  );
});

test('a build without CRASH_RESERVE (or KEXEC_CORE) reserves nothing for crashkernel=: its reserve_crashkernel is empty', () => {
  const crash = (p: ReturnType<typeof run>) =>
    p.log.filter((l) => /crashkernel/.test(l.text) && !l.text.startsWith('Kernel command line:')).map((l) => l.text);
  const withIt = run(ownBuild({}), 1024n * MiB, 'crashkernel=64M');
  assert.equal(crash(withIt).length, 1, crash(withIt).join('\n'));
  assert.match(crash(withIt)[0]!, /^Reserving 64MB of memory at \d+MB for crashkernel/);
  const own = ownBuild({ config: drop('CRASH_RESERVE') });
  assert.equal(own.noCrashReserve, true);
  const without = run(own, 1024n * MiB, 'crashkernel=64M');
  assert.deepEqual(crash(without), []);
  assert.ok(withIt.early.some((e) => e.source === 'crashkernel='));
  assert.ok(!without.early.some((e) => e.source === 'crashkernel='));
});
