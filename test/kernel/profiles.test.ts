// Kernel profiles: internal consistency (the formulas of include/linux/pageblock-flags.h,
// include/linux/cma.h) and, when the lab's kernel cache is present, agreement with each Debian
// package's boot/config-* (CONFIG_CMA_SIZE_MBYTES, CONFIG_CMA_AREAS, page size, LPAE, max order).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { profiles, getProfile, profileIds } from '../../src/kernel/profiles/index.js';
import { cachedKernel } from '../../src/verify/kernels.js';
import { seriesByName } from '../../src/kernel/versions/index.js';

test('every lab kernel has a profile, plus 6.12-arm64-64k; unknown ids are undefined', () => {
  for (const id of ['6.1-arm64', '6.12-arm64', '6.12-arm64-16k', '6.1-armmp', '6.1-armmp-lpae', '6.12-arm64-64k']) {
    assert.equal(getProfile(id)?.id, id);
  }
  assert.equal(getProfile('4.19-arm64'), undefined);
  assert.equal(getProfile('constructor'), undefined);
  assert.deepEqual(profileIds.sort(), Object.keys(profiles).sort());
  // the version layer: a known name gives its series, an unknown one is an error (no fallback)
  assert.equal(seriesByName('6.12').name, '6.12');
  assert.throws(() => seriesByName('4.19'), /unknown kernel series '4\.19'/);
});

test('derived constants follow the kernel headers', () => {
  for (const p of Object.values(profiles)) {
    assert.equal(1 << p.pageShift, p.pageSize, p.id);
    // pageblock_order never exceeds the largest buddy order (MAX_ORDER - 1 on 6.1, MAX_PAGE_ORDER on 6.12)
    const largest = p.series.maxOrder === 'count' ? p.maxOrder - 1 : p.maxOrder;
    // CMA_MIN_ALIGNMENT_BYTES = PAGE_SIZE * pageblock_nr_pages, never below it (5.10: PAGE_SIZE << max(MAX_ORDER - 1, pageblock_order))
    assert.equal(p.cmaMinAlignmentBytes, BigInt(p.pageSize) << BigInt(p.series.cmaAlignmentOrder(p.pageblockOrder, largest)), p.id);
    assert.ok(p.cmaMinAlignmentBytes >= BigInt(p.pageSize) << BigInt(p.pageblockOrder), p.id);
    assert.ok(p.pageblockOrder <= largest, p.id);
    // the id names the series the profile runs, and the series' values reach the profile
    assert.ok(p.id.startsWith(`${p.series.name}-`), p.id);
    assert.equal(p.version, p.series.name, p.id);
    assert.equal(p.series.rmem.maxReservedRegions, 64);
    assert.equal(p.physAddrBits, p.id.endsWith('-armmp') ? 32 : 64, p.id);
    assert.equal(p.params.reserveMem, p.series.params.reserveMem, p.id);
    assert.equal(p.arch === 'arm64' ? !!p.arm64 : !!p.arm, true, p.id);
  }
  // what each series' code does (include/linux/mmzone.h, include/linux/cma.h, mm/memblock.c)
  for (const [name, maxOrder, cmaAreas, reserveMem] of [
    ['5.10', 'count', 20, false],
    ['6.1', 'count', 20, false],
    ['6.12', 'largest', 19, true],
    ['7.2', 'largest', 19, true],
  ] as const) {
    const s = seriesByName(name);
    assert.equal(s.maxOrder, maxOrder, name);
    assert.equal(s.maxCmaAreas(19), cmaAreas, name);
    assert.equal(s.params.reserveMem, reserveMem, name);
  }
  // arm64 with 4 KiB pages: PMD-sized huge pages → pageblock order 9 (2 MiB)
  assert.equal(getProfile('6.12-arm64')!.cmaMinAlignmentBytes, 2n << 20n);
  assert.equal(getProfile('6.12-arm64-16k')!.cmaMinAlignmentBytes, 32n << 20n);
  assert.equal(getProfile('6.12-arm64-64k')!.cmaMinAlignmentBytes, 512n << 20n);
  // armmp has no HUGETLB_PAGE: pageblock_order = MAX_ORDER - 1 = 11 → 8 MiB
  assert.equal(getProfile('6.1-armmp')!.cmaMinAlignmentBytes, 8n << 20n);
  assert.equal(getProfile('6.1-armmp-lpae')!.cmaMinAlignmentBytes, 2n << 20n);
  // 5.10: PAGE_SIZE << max(MAX_ORDER - 1, pageblock_order): 4 MiB on arm64 4K (MAX_ORDER 11), 8 MiB on armmp (12)
  assert.equal(getProfile('5.10-arm64')!.cmaMinAlignmentBytes, 4n << 20n);
  assert.equal(getProfile('5.10-armmp-lpae')!.cmaMinAlignmentBytes, 8n << 20n);
  assert.equal(getProfile('7.2-arm64')!.cmaMinAlignmentBytes, 2n << 20n);
});

test('profiles agree with the Debian configs of the packages (lab cache)', (t) => {
  let checked = 0;
  const newer: string[] = [];
  for (const id of ['6.1-arm64', '6.12-arm64', '6.12-arm64-16k', '6.1-armmp', '6.1-armmp-lpae', '6.12-armmp', '6.12-armmp-lpae']) {
    const k = cachedKernel(id);
    if (!k) continue;
    const p = getProfile(id)!;
    checked++;
    assert.equal(k.pageSize, p.pageSize, id);
    assert.equal(k.lpae, id.endsWith('-lpae'), id);
    assert.equal(k.cmaSizeMbytes, p.cmaSizeMBytes, id);
    assert.equal(k.cmaAlignment, p.cmaAlignment, id);
    assert.equal(p.series.maxCmaAreas(k.cmaAreas ?? 0), p.maxCmaAreas, id);
    assert.equal(k.forceMaxOrder, p.maxOrder, id);
    assert.equal(k.numa, p.numa, id);
    if (k.nodesShift !== undefined) assert.equal(1 << k.nodesShift, p.maxNumNodes, id);
    // The package itself moves on (a point release replaces the one the profile was measured
    // on); what the model uses is the config values above. A newer build is information only.
    if (!p.debianPackage.startsWith(k.package))
      newer.push(`${id}: profile measured on ${p.debianPackage}, cache has ${k.package} ${k.version}`);
  }
  for (const n of newer) t.diagnostic(n);
  // CI fetches every lab kernel first (.ci/run), so there a missing cache is a failure, not a skip.
  if (!checked && process.env.CI) assert.fail('no kernels in the lab cache under CI: run carveout kernels fetch --all');
  if (!checked) t.skip('no kernels in the lab cache (carveout kernels fetch)');
});

test('the arch layers derive the layout constants the kernel headers give', () => {
  const MiB = 1n << 20n;
  // PAGE_OFFSET, PAGE_END - _PAGE_OFFSET, ARM64_MEMSTART_ALIGN, page-table level shifts below the
  // root, NR_SECTION_ROOTS pointers, PMD_SIZE (arch/arm64/include/asm/{memory,kernel-pgtable,pgtable-hwdef}.h)
  for (const [id, pageOffset, linear, memstart, shifts, roots, pmd] of [
    ['6.1-arm64', 0xffff000000000000n, 1n << 47n, 1n << 30n, [21, 30], 0x20000n, 2n * MiB],
    ['6.12-arm64', 0xfff0000000000000n, (1n << 52n) - (1n << 47n), 1n << 30n, [21, 30, 39], 2n * MiB, 2n * MiB],
    ['6.12-arm64-16k', 0xfff0000000000000n, (1n << 52n) - (1n << 46n), 1n << 30n, [25, 36], 512n * 1024n, 32n * MiB],
    ['6.12-arm64-64k', 0xfff0000000000000n, (1n << 52n) - (1n << 47n), 512n * MiB, [29], 32n * 1024n, 512n * MiB],
  ] as const) {
    const a = getProfile(id)!.arm64!;
    assert.deepEqual(
      [a.pageOffset, a.linearRegionSize, a.memstartAlign, a.pgtable.levelShifts, a.sparse.memSectionRootsBytes, a.sparse.pmdSize],
      [pageOffset, linear, memstart, shifts, roots, pmd],
      id,
    );
  }
  // VMEMMAP_START and FIXADDR_TOP as each series' arch/arm64/include/asm/memory.h computes them, and
  // the table levels vmemmap_populate fills (entry shifts: down to PMD tables with 4K's blocks)
  const U64 = 1n << 64n;
  const GiB = 1024n * MiB;
  for (const [id, start, fixTop, shifts] of [
    // 5.10: -VMEMMAP_SIZE - 2M with VMEMMAP_SIZE = 2^47 >> (PAGE_SHIFT - STRUCT_PAGE_MAX_SHIFT); the fixmap 20 MiB below
    ['5.10-arm64', U64 - (1n << 41n) - 2n * MiB, U64 - (1n << 41n) - 22n * MiB, [39, 30]],
    // 6.1: -(1 << (VA_BITS - VMEMMAP_SHIFT)); FIXADDR_TOP 32 MiB below
    ['6.1-arm64', U64 - (1n << 42n), U64 - (1n << 42n) - 32n * MiB, [39, 30]],
    // 6.12: -1G - VMEMMAP_SIZE, (_PAGE_END(VA_BITS_MIN) - PAGE_OFFSET) >> PAGE_SHIFT struct pages; FIXADDR_TOP -8M
    ['6.12-arm64', U64 - GiB - ((1n << 52n) - (1n << 47n)) / 64n, U64 - 8n * MiB, [48, 39, 30]],
    ['6.12-arm64-16k', U64 - GiB - ((1n << 52n) - (1n << 46n)) / 256n, U64 - 8n * MiB, [47, 36, 25]],
    ['6.12-arm64-64k', U64 - GiB - ((1n << 52n) - (1n << 47n)) / 1024n, U64 - 8n * MiB, [42, 29]],
  ] as const) {
    const sp = getProfile(id)!.arm64!.sparse;
    assert.deepEqual([sp.vmemmapStart, sp.fixaddrTop, sp.vmemmapTableShifts], [start, fixTop, shifts], id);
  }
  // swapper_pg_dir below KERNEL_RAM_VADDR, PG_DIR_SIZE, SECTION_SIZE, alignof(struct static_vm)
  for (const [id, pgdirOffset, pgdirSize, section, staticVmAlign] of [
    ['6.1-armmp', 0x204000n, 0x4000n, MiB, 4n],
    ['6.1-armmp-lpae', 0x203000n, 0x5000n, 2n * MiB, 8n],
  ] as const) {
    const a = getProfile(id)!.arm!;
    assert.deepEqual(
      [a.pgdirOffset, a.pgdirSize, a.pagingInit.sectionSize, a.pagingInit.staticVmAlign],
      [pgdirOffset, pgdirSize, section, staticVmAlign],
      id,
    );
  }
});
