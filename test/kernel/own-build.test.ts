// Kernels that are not Debian's, judged by their own boots: small builds for QEMU virt
// (scripts/own-kernel/build.sh) of Linux 6.12 — ARMv7 with VMSPLIT_2G and HIGHMEM, or VMSPLIT_3G without
// (neither has ZONE_DMA, MEMCG, PCI or CRASH_RESERVE, and TEXT_OFFSET is 0x8000), and arm64 with
// 64 KiB pages and VA_BITS 48 (a page size Debian does not ship), 4 KiB pages and VA_BITS 39
// (three levels of tables, as many Android kernels; Debian's have 52), or 16 KiB pages with NUMA
// (NODES_SHIFT 2), MEMORY_HOTREMOVE and no CPUMASK_OFFSTACK — and of 5.10, 6.1 and 7.2 with VA_BITS
// 39 (5.10's without SPARSEMEM_VMEMMAP, which only 5.10 leaves to the config; 6.1's create_idmap
// tables follow from its System.map), and of 5.10 with the NUMA build's config (5.10's allnoconfig
// sets EXPERT, so neither ZONE_DMA nor ZONE_DMA32: no DMA zone, CMA anywhere in memory; no
// RODATA_FULL: block and contiguous linear mappings; and from 6.1), and of 5.10 with kexec (`kexec.config`, 4 KiB
// pages: the crash kernel reserved in arm64_memblock_init anywhere in memory and mapped page by
// page, the rest with 1 GiB blocks where a range covers one; and of 6.1, whose DMA zones make the
// whole linear map page by page with crashkernel=), each booted on four boards by
// scripts/own-kernel/record.ts as the lab boots Debian's kernels, the NUMA builds also on 24 of the lab's generated layouts
// (seed 100, QEMU -numa nodes, CPUs, command-line words, many carve-outs). data/lab/own/NAME.json keeps
// what a user has of such a build, the .config and System.map lines its profile reads, and a lab
// record per board. Each record replays as the lab's do (replay-lib.ts replayCase: the log lines,
// the memblock trace and dump, how the boot ends) with the profile built from those lines alone;
// with the built-in profile of the same arch and page size (Debian's config) instead, every boot
// that lives differs. The CLI judges one console as a user would: `verify board.dts --log dmesg.txt
// --kernel-config .config --system-map System.map`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { excerptFiles, isBuildExcerpt } from '../../src/kernel/build/excerpt.js';
import { buildProfile } from '../../src/kernel/build/profile.js';
import { getProfile } from '../../src/kernel/profiles/index.js';
import type { KernelProfile } from '../../src/kernel/profiles/types.js';
import { decodeRecord, recordBoard, type LabRecord } from '../../src/verify/records.js';
import { verifyLog } from '../../src/verify/log.js';
import type { LabRecordJson } from '../../src/verify/observation.js';
import { bootEnd } from '../../src/verify/observation.js';
import { replayCase } from './replay-lib.js';
import { runCli } from '../helpers/cli.js';

interface OwnBuild {
  name: string;
  built: string;
  profile: KernelProfile;
  records: LabRecord[];
  files: ReturnType<typeof excerptFiles>;
}

const DIR = 'data/lab/own';
const builds: OwnBuild[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => {
    const j = JSON.parse(readFileSync(join(DIR, f), 'utf8')) as { name: string; built: string; build: unknown; records: LabRecordJson[] };
    assert.ok(isBuildExcerpt(j.build), f);
    const files = excerptFiles(j.name, j.build);
    const r = buildProfile(files);
    assert.ok(r.profile, `${f}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
    return { name: j.name, built: j.built, profile: r.profile, files, records: j.records.map((x) => decodeRecord(x)) };
  });

test('own builds: every record replays with the profile read from the build’s .config and System.map, deaths included', () => {
  assert.ok(builds.length >= 2, `${builds.length} own builds stored`);
  const failures: string[] = [];
  let deaths = 0;
  let n = 0;
  for (const b of builds) {
    // a build of its own: none of Debian's assumptions would do (test/kernel/arm-build-config.test.ts)
    if (b.profile.arm) {
      assert.equal(b.profile.arm.pgdirOffset, 0x4000n, b.name);
      assert.equal(b.profile.arm.zoneDma, false, b.name);
    }
    for (const r of b.records) {
      n++;
      const o = replayCase(r, b.profile);
      if (!o.ok) failures.push(`${b.name} ${r.caseId}: ${o.problems.slice(0, 3).join(' || ')}`);
      if (o.died) {
        deaths++;
        if (!o.predicted) failures.push(`${b.name} ${r.caseId}: ${bootEnd(r.observation)}, not predicted`);
      }
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(n >= 170 && deaths >= 16, `${n} records, ${deaths} of them died`);
  assert.ok(
    builds.some((b) => b.profile.pageSize === 65536),
    'an arm64 build with 64 KiB pages (the vmemmap of base pages, no Debian package has it)',
  );
  // 4 KiB pages, VA_BITS 39: three levels, the vmemmap's one PMD table (a PGD entry maps 1 GiB)
  for (const series of ['5.10', '6.1', '6.12', '7.2'])
    assert.ok(
      builds.some((b) => b.profile.version === series && b.profile.arm64?.pageOffset === (1n << 64n) - (1n << 39n)),
      `an arm64 ${series} build with a 39-bit VA`,
    );
  // classic SPARSEMEM (5.10): a memmap array per section, the part for no RAM freed by mem_init
  assert.ok(builds.some((b) => b.profile.arm64 && !b.profile.arm64.sparse.vmemmap));
  // NUMA with at most 4 nodes, 16 KiB pages, MEMORY_HOTREMOVE and no CPUMASK_OFFSTACK (Debian's have
  // it: a cpumask per node from memblock), judged on the lab's generated layouts in QEMU's nodes
  const numa = builds.find((b) => b.profile.numa && b.profile.pageSize === 16384);
  assert.ok(numa, 'an arm64 build with NUMA and 16 KiB pages');
  assert.equal(numa.profile.maxNumNodes, 4);
  assert.equal(numa.profile.arm64!.numa.cpumask, undefined);
  assert.ok(numa.records.filter((r) => (r.case as { numa?: unknown[] }).numa?.length).length >= 10, 'NUMA layouts booted');
  // no ZONE_DMA or ZONE_DMA32: arm64_dma_phys_limit is PHYS_MASK + 1, the default CMA area goes to
  // the top of memory, past 4 GiB where the board has memory there
  const noZones = builds.find((b) => b.profile.arm64 && !b.profile.arm64.zones.dma && !b.profile.arm64.zones.dma32);
  assert.ok(noZones, 'an arm64 build without DMA zones');
  assert.ok(
    noZones.records.some((r) => r.observation.log.some((l) => /^cma: Reserved \d+ MiB at 0x0000000[1-9a-f]/.test(l.text))),
    'a default CMA area above 4 GiB',
  );
  // ... and a crash kernel reserved above 4 GiB by 5.10's arm64_memblock_init (kexec built in)
  assert.ok(
    builds.some(
      (b) =>
        !b.profile.noCrashReserve && b.records.some((r) => r.observation.log.some((l) => /^crashkernel reserved: 0x00000001/.test(l.text))),
    ),
    'a crash kernel above 4 GiB',
  );
  // crashkernel= on a build with kexec and a DMA zone (6.1): crash_mem_map maps the whole linear
  // map page by page, and the crash kernel is reserved below 4 GiB in bootmem_init
  assert.ok(
    builds.some(
      (b) =>
        b.profile.version === '6.1' &&
        !b.profile.noCrashReserve &&
        b.profile.arm64!.zones.dma32 &&
        !b.profile.arm64!.pgtable.pageGranular &&
        b.records.some((r) => r.observation.log.some((l) => /^crashkernel reserved: 0x00000000/.test(l.text))),
    ),
    'a crash kernel with crash_mem_map on 6.1',
  );
  // linear-map entries that differ for a page two ranges share (block and contiguous mappings:
  // no rodata=full): __create_pgd_mapping BUGs from paging_init, on 5.10 and 6.1 (6.12.117+ map_mem
  // leaves the page out)
  for (const series of ['5.10', '6.1'])
    assert.ok(
      builds.some(
        (b) =>
          b.profile.version === series &&
          b.records.some((r) =>
            /kernel BUG at arch\/arm64\/mm\/mmu\.c[\s\S]*__create_pgd_mapping\+0x[\s\S]*paging_init\+0x/.test(r.observation.console ?? ''),
          ),
      ),
      `a ${series} boot that died mapping a page twice`,
    );
});

/** The built-in profile of the same series, arch and page size (Debian's config). */
const debianTwin = (p: KernelProfile): string =>
  p.arch === 'arm' ? '6.12-armmp' : p.pageSize === 65536 ? '6.12-arm64-64k' : p.pageSize === 16384 ? '6.12-arm64-16k' : '6.12-arm64';

test('own builds: planned with the built-in profile of the same arch and page size (Debian’s config), every boot that lives differs', () => {
  for (const b of builds) {
    const twin = debianTwin(b.profile);
    // a boot that dies early (a failed early allocation) may print only what the layout decides
    for (const r of b.records.filter((x) => x.observation.reachedInit))
      assert.equal(replayCase(r, getProfile(twin)!).ok, false, `${b.name} ${r.caseId} agrees as ${twin}`);
  }
});

/**
 * What a user has of an own build's boot, written out: the two build files, the board, its console
 * (`log`), and the CLI flags of the board as QEMU booted it (its RAM, the lab's initrd where QEMU puts it).
 */
function userFiles(b: OwnBuild, r: LabRecord, log: string): { cfg: string; map: string; dts: string; log: string; board: string[] } {
  const tmp = mkdtempSync(join(tmpdir(), 'carveout-own-'));
  const f = { cfg: join(tmp, '.config'), map: join(tmp, 'System.map'), dts: join(tmp, 'board.dts'), log: join(tmp, 'dmesg.txt') };
  writeFileSync(f.cfg, b.files.config.text);
  writeFileSync(f.map, b.files.systemMap.text);
  writeFileSync(f.dts, (r.case as { dts: string }).dts);
  writeFileSync(f.log, log);
  return { ...f, board: ['--platform', 'qemu-virt', '--ram', `${BigInt(r.ram) >> 20n}M`, '--initrd-size', r.initrd!.size] };
}

test('own builds: the CLI, verify board.dts --log FILE --kernel-config .config --system-map System.map', () => {
  const b = builds.find((x) => x.profile.arch === 'arm' && x.records.some((r) => r.observation.reachedInit))!;
  const r = b.records.find((x) => x.observation.reachedInit)!;
  // the init boot's console: the one a user's board prints (the lab's trace boot comes after the marker)
  const { cfg, map, dts, log, board } = userFiles(b, r, (r.observation.console ?? '').split('\n@@carveout:trace-boot\n')[0]!);
  const ok = runCli(['verify', dts, '--log', log, '--kernel-config', cfg, '--system-map', map, ...board]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /agree/);
  const both = runCli(['verify', dts, '--log', log, '--kernel', '6.12-armmp', '--kernel-config', cfg, '--system-map', map, ...board]);
  assert.equal(both.status, 2);
  assert.match(both.stderr, /plans one kernel/);
});

test("own builds: verify --log shows the Memory line and memblock's tables against the plan; a profile with the wrong config shows there", () => {
  // the 64 KiB build's boots planned as Debian's config with 64 KiB pages (6.12-arm64-64k): the
  // reserved-memory lines are the same, memblock's tables are not; from the build's own files the
  // tables agree (its Memory line may still be off: the per-cpu sizes its boots measured are not in
  // the two files, `kernels measure NAME --kernel-image` stores them)
  const b = builds.find((x) => x.profile.pageSize === 65536)!;
  const r = b.records.find((x) => x.observation.reachedInit && x.observation.memblockDump)!;
  const { cfg, map, dts, log, board } = userFiles(b, r, r.observation.console ?? '');
  const own = runCli(['verify', dts, '--log', log, '--kernel-config', cfg, '--system-map', map, ...board]);
  assert.equal(own.status, 0, own.stdout + own.stderr);
  assert.doesNotMatch(own.stdout, /memblock\.(memory|reserved)\[/);
  // the library with the profile its boots measured too: everything agrees, and says so
  const measured = verifyLog(recordBoard(r, 'arm64'), r.observation.console ?? '', { kernel: b.profile });
  assert.equal(measured.exitCode, 0, measured.differences.join('; '));
  assert.ok(
    measured.notes.includes("the 'Memory:' line and memblock's tables (MEMBLOCK configuration) agree with the plan"),
    measured.notes.join('\n'),
  );
  const debian = runCli(['verify', dts, '--log', log, '--kernel', '6.12-arm64-64k', ...board]);
  assert.match(debian.stdout, /not judged, .*Memory line: reserved kernel \d+K, model \d+K/);
  assert.match(debian.stdout, /memblock\.reserved\[\d+\]: kernel \[0x[0-9a-f]+-0x[0-9a-f]+\] flags \d+, model/);
});
