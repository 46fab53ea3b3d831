// Profiles built from a kernel build's .config and System.map (src/kernel/build/):
//  - a build stating Debian 6.12-arm64's values gives that built-in profile (nothing typed twice);
//  - a release between version layers runs on the nearest older one with a warning, an older one is
//    an error; bad lines are diagnostics at their line; built-in reserved-memory handlers are read
//    from __reservedmem_of_table;
//  - `kernels add` + `plan --kernel NAME` and `plan --kernel-config … --system-map …` give the same plan;
//  - an excerpt of the two files (the lines the profile reads) builds the same profile;
//  - every lab kernel: the profile built from the stored lines of each package its records were
//    made on (data/lab/<id>.build.json) equals the built-in one for the built-in's package and
//    replays every record made on that package, 100%; where the package is cached, the stored
//    lines are what it states.
import type { LabCase } from '../../src/verify/generator.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildProfile } from '../../src/kernel/build/profile.js';
import { excerptBuild, excerptFiles, isBuildExcerpt } from '../../src/kernel/build/excerpt.js';
import {
  factsChanged,
  factsOfPackage,
  measuredCachePath,
  measuredOfPackage,
  packageFacts,
  profileForPackage,
  profileOfFacts,
  readBuildFacts,
  writeBuildFacts,
} from '../../src/verify/build-facts.js';
import { readSystemMap } from '../../src/kernel/build/system-map.js';
import { getProfile, labBuilds } from '../../src/kernel/profiles/index.js';
import { firstChunkUnit } from '../../src/kernel/profiles/define.js';
import { isPcpuUnit } from '../../src/kernel/build/measured.js';
import type { KernelProfile } from '../../src/kernel/profiles/types.js';
import { cachedRelease, type KernelInfo } from '../../src/verify/kernels.js';
import { readLabRecords, recordedKernels } from '../../src/verify/records.js';
import { replayCase } from './replay-lib.js';
import { runCli } from '../helpers/cli.js';
import { plan } from '../../src/kernel/plan.js';
import { knownToBuild } from '../../src/kernel/cmdline.js';
import { loadBoard } from '../../src/board.js';
import { regionBoard } from '../helpers/board.js';
import { withEnv } from '../helpers/env.js';

/** A .config as Kconfig writes it, for Debian's 6.12 arm64 values unless overridden. */
function config(release: string, over: Record<string, string | null> = {}): string {
  const v: Record<string, string | null> = {
    ARM64: 'y',
    ARM64_4K_PAGES: 'y',
    ARM64_VA_BITS: '52',
    ARM64_PA_BITS: '52',
    ARCH_FORCE_MAX_ORDER: '10',
    MODULES: 'y',
    NUMA: 'y',
    NODES_SHIFT: '4',
    HUGETLB_PAGE: 'y',
    CMA: 'y',
    CMA_AREAS: '20',
    DMA_CMA: 'y',
    CMA_SIZE_MBYTES: '64',
    CMA_SIZE_SEL_MBYTES: 'y',
    CMA_ALIGNMENT: '8',
    DMA_DECLARE_COHERENT: 'y',
    CRASH_RESERVE: 'y',
    PAGE_EXTENSION: 'y',
    RODATA_FULL_DEFAULT_ENABLED: 'y',
    DEFERRED_STRUCT_PAGE_INIT: 'y',
    MEMORY_HOTREMOVE: 'y',
    SPARSEMEM_VMEMMAP: 'y',
    NR_CPUS: '512',
    STACKPROTECTOR: 'y',
    EFI: 'y',
    ARM_GIC_V3_ITS: 'y',
    OF_KOBJ: 'y',
    UNMAP_KERNEL_AT_EL0: 'y',
    CPUMASK_OFFSTACK: 'y',
    ZONE_DMA: 'y',
    ZONE_DMA32: 'y',
    ARM64_CONT_PTE_SHIFT: '4',
    ARM64_CONT_PMD_SHIFT: '4',
    PRINTK: 'y',
    SMP: 'y',
    LOG_BUF_SHIFT: '17',
    LOG_CPU_MAX_BUF_SHIFT: '12',
    ...over,
  };
  const lines = Object.entries(v).map(([k, x]) => (x === null ? `# CONFIG_${k} is not set` : `CONFIG_${k}=${x}`));
  return `#\n# Automatically generated file; DO NOT EDIT.\n# Linux/arm64 ${release} Kernel Configuration\n#\n${lines.join('\n')}\n`;
}

/**
 * A System.map with Debian 6.12-arm64's extent, per-cpu size and reserved-memory table; `params`
 * adds a __setup table (`__setup_<id>` entries) and a kernel_param table (`__param_<name>`).
 */
function systemMap(table = ['cma', 'dma'], params?: { setup: string[]; param: string[] }): string {
  const base = 0xffff800080000000n;
  const at = (off: bigint, type: string, name: string) => `${(base + off).toString(16).padStart(16, '0')} ${type} ${name}`;
  const rows = [
    at(0n, 'T', '_text'),
    at(0x10000n, 'T', '_stext'),
    // map_kernel's segments (5.10, 6.1)
    at(0xd00000n, 'D', '_etext'),
    at(0xd00000n, 'D', '__start_rodata'),
    at(0x1cf0000n, 'T', '__inittext_begin'),
    at(0x1d80000n, 'T', '__inittext_end'),
    at(0x1d80000n, 'D', '__initdata_begin'),
    at(0x2400000n, 'D', '__initdata_end'),
    at(0x2400000n, 'D', '_data'),
    // 6.1's create_idmap
    at(0xcf0000n, 'T', '__idmap_text_start'),
    at(0xcf0930n, 'T', '__idmap_text_end'),
    at(0x2450000n, 'D', '__idmap_kpti_flag'),
    at(0x1cf0000n, 'T', '__init_begin'),
    at(0x1f00000n, 'D', '__reservedmem_of_table'),
    ...table.map((n, i) => at(0x1f00000n + BigInt(i) * 0xc8n, 'd', `__of_table_${n}`)),
    at(0x1f00000n + BigInt(table.length) * 0xc8n, 'd', '__rmem_of_table_sentinel'),
    at(0x1f40000n, 'D', '__per_cpu_start'),
    at(0x1f58c58n, 'D', '__per_cpu_end'),
    ...(params
      ? [
          at(0x1e00000n, 'R', '__start___param'),
          ...params.param.map((n, i) => at(0x1e00000n + BigInt(i) * 0x28n, 'r', `__param_${n}`)),
          at(0x1e00000n + BigInt(params.param.length) * 0x28n, 'R', '__stop___param'),
          at(0x2600000n, 'D', '__setup_start'),
          ...params.setup.map((id, i) => at(0x2600000n + BigInt(i) * 0x18n, 'd', `__setup_${id}`)),
          at(0x2600000n + BigInt(params.setup.length) * 0x18n, 'D', '__setup_end'),
        ]
      : []),
    at(0x2660000n, 'D', '__init_end'),
    at(0x2b09000n, 'B', 'init_pg_dir'),
    at(0x2b17000n, 'B', 'init_pg_end'),
    at(0x2b20000n, 'B', '_end'),
  ];
  return rows.join('\n') + '\n';
}

const build = (cfg: string, map = systemMap()) =>
  buildProfile({ id: 'own', config: { file: 'test.config', text: cfg }, systemMap: { file: 'test.map', text: map } });

/** The profile minus what names its origin. */
function facts(p: KernelProfile): object {
  const {
    id: _id,
    debianPackage: _d,
    provenance: _p,
    labChecks: _l,
    buildDiagnostics: _b,
    reservedMemConfig: _r,
    filesSha256: _f,
    ...rest
  } = p;
  // the built-in profile read its __setup table from the package's System.map; the maps here have none
  const { builtIn: _bi, ...params } = rest.params;
  return { ...rest, params };
}

test('build: Debian 6.12-arm64 values give the built-in 6.12-arm64 profile', () => {
  const r = build(config('6.12.95'));
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity !== 'note'),
    [],
  );
  assert.ok(r.profile);
  assert.deepEqual(facts(r.profile), facts(getProfile('6.12-arm64')!));
  assert.deepEqual(r.profile.reservedMemConfig, { dmaCma: true, dmaDeclareCoherent: true, dmaRestrictedPool: false });
  assert.match(r.profile.provenance, /test\.config and test\.map/);
  assert.match(r.profile.provenance, /from the lab's measurement of 6\.12-arm64 \(data\/lab\/6\.12-arm64\.build\.json\)/);
});

test('build: what the config decides is read from it', () => {
  const p = build(
    config('6.12.95', { ARM64_4K_PAGES: null, ARM64_16K_PAGES: 'y', ARCH_FORCE_MAX_ORDER: '11', CMA_SIZE_MBYTES: '128', NUMA: null }),
  ).profile!;
  assert.equal(p.pageSize, 16384);
  assert.equal(p.maxOrder, 11);
  assert.equal(p.pageblockOrder, 11); // PMD 32 MiB = order 11 with 16 KiB pages
  assert.equal(p.cmaSizeMBytes, 128);
  assert.equal(p.numa, false);
  // the printk ring buffer: its shifts, 7.2's bigger printk_info, none without CONFIG_PRINTK
  assert.deepEqual(p.printk, { logBufShift: 17, cpuMaxBufShift: 12, executionCtx: false });
  assert.deepEqual(build(config('6.12.95', { LOG_BUF_SHIFT: '14', SMP: null, PRINTK_EXECUTION_CTX: 'y' })).profile!.printk, {
    logBufShift: 14,
    executionCtx: true,
  });
  assert.equal(build(config('6.12.95', { PRINTK: null })).profile!.printk, undefined);
  assert.equal(p.maxNumNodes, 1);
  // the image's extent is the System.map's, the measured pg_data_t the 16K lab build's
  assert.equal(p.arm64!.reserveSize, 0x2b20000n);
  assert.equal(p.arm64!.numa.nodeDataSize, getProfile('6.12-arm64-16k')!.arm64!.numa.nodeDataSize);
  // the 6.8+ meaning of ARCH_FORCE_MAX_ORDER (the largest order) vs 6.1's (a count)
  const old = build(config('6.1.176', { ARCH_FORCE_MAX_ORDER: '11', ARM64_VA_BITS: '48', ARM64_PA_BITS: '48' }), systemMap()).profile;
  assert.equal(old?.pageblockOrder, 9);
  assert.equal(getProfile('6.1-arm64')!.maxOrder, 11);
  // 6.1's create_idmap maps the idmap text, and the KPTI flag only with UNMAP_KERNEL_AT_EL0
  assert.deepEqual(old?.arm64?.pgtable.idmap, { text: [0xcf0000n, 0xcf0930n], kptiFlag: 0x2450000n });
  // its extra-level test reads _end where the image's reservation ends (arm64_memblock_init's _end)
  assert.equal(old!.arm64!.reserveStartOffset + old!.arm64!.reserveSize, 0x2b20000n);
  const noKpti = build(config('6.1.176', { UNMAP_KERNEL_AT_EL0: null, ARM64_VA_BITS: '39', ARM64_PA_BITS: '48' }), systemMap()).profile;
  assert.deepEqual(noKpti?.arm64?.pgtable.idmap, { text: [0xcf0000n, 0xcf0930n], extraLevelAt: 1n << 39n });
  assert.equal(p.arm64!.pgtable.idmap, undefined); // 6.12 maps it into static tables
  // CPUMASK_OFFSTACK: numa_init's cpumasks from memblock, NR_CPUS 512 > 4 longs: nr_cpu_ids bits
  assert.deepEqual(p.arm64!.numa.cpumask, { bits: 'nr-cpu-ids', nrCpus: 512 });
  const few = build(config('6.12.95', { NR_CPUS: '8' })).profile!;
  assert.deepEqual(few.arm64!.numa.cpumask, { bits: 'nr-cpus', nrCpus: 8 });
  assert.equal(build(config('6.12.95', { CPUMASK_OFFSTACK: null })).profile!.arm64!.numa.cpumask, undefined);
  assert.deepEqual(old?.arm64?.numa.cpumask, { bits: 'nr-cpu-ids', nrCpus: 512 }); // 6.1: nr_cpumask_bits
  // the DMA zones (ZONE_DMA and ZONE_DMA32 are EXPERT options) and PTE_CONT's ranges
  assert.deepEqual(p.arm64!.zones, { dma: true, dma32: true });
  assert.deepEqual(build(config('6.12.95', { ZONE_DMA: null, ZONE_DMA32: null })).profile!.arm64!.zones, { dma: false, dma32: false });
  assert.deepEqual(p.arm64!.pgtable.contShifts, { pte: 18, pmd: 29 }); // 16 PTEs of 16 KiB, 16 PMDs of 32 MiB
  const noCont = build(config('6.12.95', { ARM64_CONT_PTE_SHIFT: null }));
  assert.equal(noCont.profile, undefined);
  assert.match(noCont.diagnostics.map((d) => d.message).join('\n'), /CONFIG_ARM64_CONT_PTE_SHIFT is not set/);
  // before 6.1 the option was FORCE_MAX_ZONEORDER
  const renamed = build(
    config('6.1.176', { ARCH_FORCE_MAX_ORDER: null, FORCE_MAX_ZONEORDER: '12', ARM64_VA_BITS: '48', ARM64_PA_BITS: '48' }),
  );
  assert.equal(renamed.profile?.maxOrder, 12);
  // a build without PAGE_EXTENSION, RODATA_FULL_DEFAULT_ENABLED, DEFERRED_STRUCT_PAGE_INIT and
  // MEMORY_HOTREMOVE: 16-byte struct mem_section (twice the sections per root), block mappings, no
  // deferred pages, the usemap anywhere on the node
  const lean = build(
    config('6.12.95', { PAGE_EXTENSION: null, RODATA_FULL_DEFAULT_ENABLED: null, DEFERRED_STRUCT_PAGE_INIT: null, MEMORY_HOTREMOVE: null }),
  ).profile!.arm64!;
  const debian = build(config('6.12.95')).profile!.arm64!;
  assert.equal(lean.sparse.sectionsPerRoot, 2 * debian.sparse.sectionsPerRoot);
  assert.equal(lean.sparse.memSectionRootsBytes * 2n, debian.sparse.memSectionRootsBytes);
  assert.deepEqual([lean.pgtable.pageGranular, debian.pgtable.pageGranular], [false, true]);
  assert.deepEqual([lean.sparse.deferredStructPageInit, debian.sparse.deferredStructPageInit], [false, true]);
  assert.deepEqual([lean.sparse.usemapNearPgdat, debian.sparse.usemapNearPgdat], [false, true]);
  // 7.x sets rodata_full whatever the config (arch/arm64/mm/pageattr.c)
  const v72 = build(config('7.2.13', { RODATA_FULL_DEFAULT_ENABLED: null })).profile!.arm64!;
  assert.equal(v72.pgtable.pageGranular, true);
});

test('build: a release between version layers runs on the nearest older one, and says so', () => {
  const r = build(config('6.14.3'));
  assert.equal(r.profile?.series.name, '6.12');
  const w = r.diagnostics.find((d) => d.code === 'version-between-layers');
  assert.ok(w, 'a warning names the layer');
  assert.equal(w.severity, 'warning');
  assert.match(w.message, /6\.14\.3.*6\.12 layer/);
  assert.match(w.message, /of_reserved_mem/);
  assert.equal(w.line, 3, 'at the header line');
  const old = build(config('4.19.0'));
  assert.equal(old.profile, undefined);
  assert.equal(old.diagnostics[0]?.code, 'no-version-layer');
  assert.equal(old.diagnostics[0]?.severity, 'error');
  const none = build(config('6.12.95').replace(/^# Linux.*$/m, '#'));
  assert.equal(none.diagnostics[0]?.code, 'config-no-version');
});

test('build: bad lines are errors at their line and column', () => {
  const r = build(config('6.12.95') + 'garbage here\n');
  assert.equal(r.profile, undefined);
  const d = r.diagnostics.find((x) => x.code === 'config-syntax');
  assert.equal(d?.line, config('6.12.95').split('\n').length);
  assert.equal(d?.column, 1);
  const m = readSystemMap('ffff0000 T _text\nnot a symbol line\n', 'x.map');
  assert.deepEqual(
    m.diagnostics.map((x) => [x.file, x.line, x.code]),
    [['x.map', 2, 'system-map-syntax']],
  );
  // nm's line for a symbol without a name (an arm build's local label) is no symbol, and no error
  const unnamed = readSystemMap('802c3e7c T _raw_write_lock_irqsave\n802c3eb0 t \n802c3eb4 T __lock_text_end\n', 'x.map');
  assert.deepEqual(unnamed.diagnostics, []);
  assert.deepEqual(
    unnamed.map.symbols.map((s) => s.name),
    ['_raw_write_lock_irqsave', '__lock_text_end'],
  );
  // Debian's image packages ship a stub in place of System.map
  const stub = build(config('6.12.95'), 'ffffffffffffffff B The real System.map is in the linux-image-<version>-dbg package\n');
  assert.equal(stub.diagnostics[0]?.code, 'system-map-syntax');
  const missing = build(config('6.12.95'), systemMap().replace(/^.* __init_begin\n/m, ''));
  assert.ok(missing.diagnostics.some((x) => x.code === 'symbol-missing' && /__init_begin/.test(x.message)));
});

test('build: built-in reserved-memory handlers come from __reservedmem_of_table', () => {
  const vendor = build(config('6.12.95'), systemMap(['cma', 'dma', 'vendor_pool']));
  assert.ok(vendor.profile);
  const w = vendor.diagnostics.find((d) => d.code === 'handler-not-modelled');
  assert.match(w?.message ?? '', /__of_table_vendor_pool/);
  assert.equal(w?.file, 'test.map');
  const restricted = build(config('6.12.95', { DMA_RESTRICTED_POOL: 'y' }), systemMap(['cma', 'dma', 'dma']));
  assert.deepEqual(restricted.profile?.reservedMemConfig, { dmaCma: true, dmaDeclareCoherent: true, dmaRestrictedPool: true });
  const mismatch = build(config('6.12.95', { DMA_RESTRICTED_POOL: 'y' }));
  assert.equal(mismatch.profile, undefined);
  assert.ok(mismatch.diagnostics.some((d) => d.code === 'config-map-mismatch'));
});

test('build: the boot parameters built in come from the __setup and kernel_param tables; a word none takes goes to init', () => {
  // 6.12's sources name __setup_console_setup "console=", __setup_rootwait_setup "rootwait",
  // __setup_early_mem early_param("mem"), __setup_clk_ignore_unused_setup "clk_ignore_unused",
  // core_param(panic, …) __param_panic; a vendor's own __setup the sources do not name
  const map = systemMap(['cma', 'dma'], {
    setup: ['console_setup', 'rootwait_setup', 'early_mem', 'clk_ignore_unused_setup', 'vendor_fastboot'],
    param: ['panic', 'mode'],
  });
  const own = build(config('6.12.95'), map);
  assert.ok(own.profile?.params.builtIn);
  assert.match(
    own.diagnostics.find((d) => d.code === 'params-not-named')?.message ?? '',
    /1 built-in __setup entry the 6\.12 sources do not name \(__setup_vendor_fastboot\)/,
  );
  const board = loadBoard(regionBoard(''), { platform: 'qemu-virt', arch: 'arm64', ram: 1n << 30n });
  const unknown = (bootargs: string) =>
    plan(board, { kernel: own.profile!, bootargs }).log.find((l) => /^Unknown kernel command line parameters/.test(l.text))?.text;
  // console= takes a value (its string ends in '='); rootwait and clk_ignore_unused are whole words;
  // an early_param matches its name alone or before '='; panic is a core param; dotted words are
  // module parameters, never passed on; hung_task_panic is one of 6.12's sysctl aliases
  assert.equal(
    unknown('console=ttyAMA0 rootwait clk_ignore_unused panic=5 memx foo.bar=1 hung_task_panic=1 console mode=3 fastboot'),
    'Unknown kernel command line parameters "memx console fastboot mode=3", will be passed to user space.',
  );
  assert.equal(unknown('console=ttyAMA0 rootwait'), undefined);
  // "ro" is a flag (__setup("ro", readonly) refuses anything after it): "rootwiat" goes to init,
  // and the plan says so, with the nearest name the build has
  const typo = plan(board, { kernel: own.profile!, bootargs: 'rootwiat cma=64M' });
  const w = typo.diagnostics.filter((d) => d.code === 'param-to-init');
  assert.equal(w.length, 1);
  assert.match(w[0]!.message, /^'rootwiat' is no boot parameter of this build .* init's arguments/);
  assert.equal(w[0]!.hint, "did you mean 'rootwait'?");
  // without the tables (an excerpt stored before they were read): a note, and the list of common names
  const none = build(config('6.12.95'));
  assert.equal(none.profile?.params.builtIn, undefined);
  assert.ok(none.diagnostics.some((d) => d.code === 'params-not-read'));
  // each lab kernel's stored excerpt has them: 'clk_ignore_unused' stays with the kernel on every one
  for (const id of ['5.10-armmp', '6.1-arm64', '6.12-armmp-lpae', '7.2-arm64-16k']) {
    const p = getProfile(id)!;
    assert.ok(p.params.builtIn, id);
    assert.ok(
      p.params.builtIn.setup.some((x) => x.str === 'clk_ignore_unused'),
      id,
    );
    assert.deepEqual(p.params.builtIn.unnamed, [], id);
  }
  // drivers/clk/imx registers "earlyprintk" with a handler that returns 0 whatever it gets: booted,
  // 6.1-armmp printed it among the unknown parameters, and the plan does too
  const armmp = getProfile('6.1-armmp')!.params.builtIn!;
  assert.equal(knownToBuild(armmp, 'earlyprintk', undefined), false);
  assert.equal(knownToBuild(armmp, 'earlycon', 'pl011,0x9000000'), true);
});

test('build: kernels add NAME, then --kernel NAME plans as --kernel-config/--system-map does', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-build-'));
  const cfg = join(dir, '.config');
  const map = join(dir, 'System.map');
  writeFileSync(cfg, config('6.12.95'));
  writeFileSync(map, systemMap());
  const env = { ...process.env, CARVEOUT_CACHE: join(dir, 'cache') };
  const add = runCli(['kernels', 'add', 'mine', '--kernel-config', cfg, '--system-map', map], { env });
  assert.equal(add.status, 0, add.stderr);
  assert.match(add.stdout, /mine: Linux 6\.12 layer, arm64, page 4K/);
  const board = ['examples/qemu-virt-cma.dts', '--platform', 'qemu-virt', '--ram', '1G', '--format', 'json'];
  const byName = runCli(['plan', ...board, '--kernel', 'mine'], { env });
  const byFiles = runCli(['plan', ...board, '--kernel-config', cfg, '--system-map', map], { env });
  const builtin = runCli(['plan', ...board, '--kernel', '6.12-arm64'], { env });
  assert.equal(byName.status, 0, byName.stderr);
  const regions = (s: string) => JSON.stringify((JSON.parse(s) as { regions: unknown; early: unknown; log: unknown }).regions);
  assert.equal(regions(byName.stdout), regions(byFiles.stdout));
  assert.equal(regions(byName.stdout), regions(builtin.stdout));
  const list = runCli(['kernels', '--format', 'json'], { env });
  assert.deepEqual((JSON.parse(list.stdout) as { builds: string[] }).builds, ['mine']);
  // a bad build is exit 2 with the diagnostic at its line
  writeFileSync(cfg, config('6.12.95') + 'oops\n');
  const bad = runCli(['plan', ...board, '--kernel-config', cfg, '--system-map', map], { env });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /\.config:\d+:1: error: not a \.config line/);
  // the fault is in the file, not in the command: no usage text buries it
  assert.doesNotMatch(bad.stderr, /usage:/);
  const half = runCli(['plan', ...board, '--kernel-config', cfg], { env });
  assert.equal(half.status, 2);
  assert.match(half.stderr, /go together/);
});

// include/linux/percpu.h by series: PERCPU_DYNAMIC_SIZE_SHIFT 12 with 6.12's RANDOM_KMALLOC_CACHES,
// 7.2's KMALLOC_PARTITION_CACHES; PERCPU_MODULE_RESERVE 8 << 13 with 6.12's MEM_ALLOC_PROFILING only.
test("build: the per-cpu unit follows the options the series' percpu.h reads (7.2 KMALLOC_PARTITION_CACHES)", () => {
  const page = 4096n;
  const staticSize = 0x1f58c58n - 0x1f40000n; // systemMap()'s __per_cpu_end - __per_cpu_start
  // pcpu_build_alloc_info: PFN_ALIGN(static + PERCPU_MODULE_RESERVE + 28 << PERCPU_DYNAMIC_SIZE_SHIFT)
  const want = (moduleReserve: bigint, shift: bigint) => ((staticSize + moduleReserve + (28n << shift) + page - 1n) / page) * page;
  const unit = (release: string, over: Record<string, string>) => {
    const r = build(config(release, over));
    assert.ok(r.profile, r.diagnostics.map((d) => d.message).join('; '));
    return firstChunkUnit(r.profile)!;
  };
  for (const release of ['6.12.95', '7.2.13']) assert.equal(unit(release, {}), want(8n << 10n, 10n), release);
  assert.equal(unit('6.12.95', { RANDOM_KMALLOC_CACHES: 'y' }), want(8n << 10n, 12n));
  assert.equal(unit('6.12.95', { KMALLOC_PARTITION_CACHES: 'y' }), want(8n << 10n, 10n));
  assert.equal(unit('6.12.95', { MEM_ALLOC_PROFILING: 'y' }), want(8n << 13n, 10n));
  assert.equal(unit('7.2.13', { KMALLOC_PARTITION_CACHES: 'y' }), want(8n << 10n, 12n));
  assert.equal(unit('7.2.13', { RANDOM_KMALLOC_CACHES: 'y' }), want(8n << 10n, 10n));
  assert.equal(unit('7.2.13', { MEM_ALLOC_PROFILING: 'y' }), want(8n << 10n, 10n));
  assert.equal(unit('6.1.176', { RANDOM_KMALLOC_CACHES: 'y', MEM_ALLOC_PROFILING: 'y' }), want(8n << 10n, 10n));
  // LOCKDEP with pages over 4 KiB: shift 13 (16 KiB pages here)
  const big = 16384n;
  assert.equal(
    unit('7.2.13', { KMALLOC_PARTITION_CACHES: 'y', LOCKDEP: 'y', ARM64_4K_PAGES: 'n', ARM64_16K_PAGES: 'y' }),
    ((staticSize + (8n << 10n) + (28n << 13n) + big - 1n) / big) * big,
  );
  // the excerpt of a 7.2 build keeps its option's line, not 6.12's
  const files = (over: Record<string, string>) => ({
    id: 'own',
    config: { file: 'test.config', text: config('7.2.13', over) },
    systemMap: { file: 'test.map', text: systemMap() },
  });
  const kept = (over: Record<string, string>) =>
    excerptBuild(files(over), { package: 'pkg 1.0', configFrom: 'pkg', systemMapFrom: 'pkg-dbg' }).excerpt!.config.lines.map(([, l]) => l);
  assert.ok(kept({ KMALLOC_PARTITION_CACHES: 'y' }).includes('CONFIG_KMALLOC_PARTITION_CACHES=y'));
  assert.ok(!kept({ RANDOM_KMALLOC_CACHES: 'y' }).includes('CONFIG_RANDOM_KMALLOC_CACHES=y'));
});

test('build: RANDOMIZE_BASE gives a note saying what a randomised boot changes: the linear map where the series randomises it', () => {
  const note = (release: string, over: Record<string, string> = { RANDOMIZE_BASE: 'y' }) => {
    const r = build(config(release, over));
    assert.ok(r.profile, r.diagnostics.map((d) => d.message).join('; '));
    return r.diagnostics.find((d) => d.code === 'kaslr');
  };
  assert.equal(note('7.2.13', {}), undefined);
  const v72 = note('7.2.13')!;
  assert.equal(v72.severity, 'note');
  assert.match(v72.message, /reserved figure is nokaslr's$/);
  assert.doesNotMatch(v72.message, /memstart|linear map/);
  // 6.1/6.12 randomise memstart_addr against the CPU's PA range, 5.10 against the RAM's span
  assert.match(note('6.12.95')!.message, /physical address range .*arm64_memblock_init .*a page more or less/);
  assert.match(note('6.1.176')!.message, /physical address range/);
  assert.match(note('5.10.223')!.message, /RAM's span .*a page more or less/);
});

test('build: an excerpt keeps the lines the profile reads, at their numbers, and builds the same profile', () => {
  const cfg = config('6.12.95', { SOMETHING_ELSE: 'y' });
  const map = systemMap() + 'ffff800090000000 T unrelated_symbol\n';
  const files = { id: 'own', config: { file: 'test.config', text: cfg }, systemMap: { file: 'test.map', text: map } };
  const { excerpt, built } = excerptBuild(files, { package: 'pkg 1.0', configFrom: 'pkg', systemMapFrom: 'pkg-dbg' });
  assert.ok(excerpt && built.profile);
  const kept = excerpt.config.lines.map(([, l]) => l);
  assert.ok(kept.includes('# Linux/arm64 6.12.95 Kernel Configuration'));
  assert.ok(kept.includes('CONFIG_CMA_SIZE_MBYTES=64'));
  assert.ok(!kept.includes('CONFIG_SOMETHING_ELSE=y'), 'a line the profile does not read is not kept');
  assert.ok(!excerpt.systemMap.lines.some(([, l]) => l.endsWith('unrelated_symbol')));
  // 6.12 reserves the image from _text and frees no init_pg_dir: _stext and init_pg_* are not read
  assert.deepEqual(
    excerpt.systemMap.lines.map(([, l]) => l.split(' ')[2]),
    [
      '_text',
      '__init_begin',
      '__reservedmem_of_table',
      '__of_table_cma',
      '__of_table_dma',
      '__rmem_of_table_sentinel',
      '__per_cpu_start',
      '__per_cpu_end',
      '__init_end',
      '_end',
    ],
  );
  for (const [n, l] of excerpt.config.lines) assert.equal(cfg.split('\n')[n - 1], l, `line ${n} is the file's`);
  const again = buildProfile(excerptFiles('own', excerpt));
  assert.ok(again.profile);
  assert.deepEqual(facts(again.profile), facts(built.profile));
  assert.deepEqual(again.profile.reservedMemConfig, built.profile.reservedMemConfig);
  assert.match(again.profile.provenance, /test\.config \(pkg\)/);
  // a file that is not one is refused
  assert.equal(isBuildExcerpt({ ...excerpt, config: { ...excerpt.config, lines: [[0, 'x']] } }), false);
  assert.equal(isBuildExcerpt(excerpt), true);
});

test('build: the facts file keeps one entry per package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-facts-'));
  const files = { id: 'own', config: { file: 'c', text: config('6.12.95') }, systemMap: { file: 'm', text: systemMap() } };
  const a = excerptBuild(files, { package: 'linux-image-a 1', configFrom: 'a', systemMapFrom: 'a-dbg' }).excerpt!;
  const b = excerptBuild(
    { ...files, config: { file: 'c', text: config('6.12.118', { CMA_SIZE_MBYTES: '32' }) } },
    { package: 'linux-image-b 2', configFrom: 'b', systemMapFrom: 'b-dbg' },
  ).excerpt!;
  writeBuildFacts('k', b, dir);
  writeBuildFacts('k', a, dir);
  writeBuildFacts('k', a, dir);
  const f = readBuildFacts('k', dir)!;
  assert.deepEqual(
    f.builds.map((x) => x.package),
    ['linux-image-a 1', 'linux-image-b 2'],
  );
  assert.equal(profileOfFacts('k', factsOfPackage('k', 'linux-image-b 2', dir)!).profile?.cmaSizeMBytes, 32);
  assert.equal(factsOfPackage('k', 'linux-image-c 3', dir), undefined);
  writeFileSync(join(dir, 'bad.build.json'), '{"v":1,"kernel":"bad","builds":[{"package":1}]}');
  assert.throws(() => readBuildFacts('bad', dir), /not a build facts file/);
});

test("build: writing a package's facts again from records that do not show every size keeps the sizes stored for it", () => {
  // the lab writes a kernel's facts after each sample: on a machine whose kernel cache never held
  // the package's measurement boot, the per-cpu sizes it measured stay as data/lab stored them
  const dir = mkdtempSync(join(tmpdir(), 'carveout-facts-'));
  const files = { id: 'own', config: { file: 'c', text: config('6.12.95') }, systemMap: { file: 'm', text: systemMap() } };
  const e = excerptBuild(files, { package: 'linux-image-a 1', configFrom: 'a', systemMapFrom: 'a-dbg' }).excerpt!;
  const boot = { ram: '0x20000000', append: 'console=ttyAMA0 memblock=debug' };
  const measured = {
    from: 'data/lab/k.jsonl.gz, the memblock=debug boots of linux-image-a 1; percpuSetup from a memblock=debug boot of linux-image-a 1 under QEMU virt (512 MiB)',
    sizes: [
      { name: 'staticVmSize' as const, value: '0x2c', boot, lines: ['memblock_alloc_try_nid: 44 bytes align=0x4'] },
      { name: 'percpuSetup' as const, value: ['0x4', '0x90'], boot, lines: ['memblock_alloc_try_nid: 4 bytes align=0x40'] },
    ],
  };
  writeBuildFacts('k', { ...e, measured }, dir);
  writeBuildFacts('k', e, dir);
  const kept = factsOfPackage('k', 'linux-image-a 1', dir)!.measured!;
  assert.deepEqual(
    kept.sizes.map((x) => x.name),
    ['staticVmSize', 'percpuSetup'],
  );
  // where each came from, said once
  assert.equal(kept.from.match(/percpuSetup from/g)?.length, 1, kept.from);
});

test("build: every lab kernel, from its packages' stored config and System.map lines alone, replays its records 100%", (t) => {
  const summary: string[] = [];
  for (const kernel of recordedKernels()) {
    const records = readLabRecords(kernel);
    if (!labBuilds.some((b) => b.id === kernel)) {
      summary.push(`${kernel}: skipped (not in labBuilds: what its files do not state is not measured yet)`);
      continue;
    }
    const stored = readBuildFacts(kernel);
    assert.ok(stored, `${kernel}: no data/lab/${kernel}.build.json (carveout kernels facts ${kernel})`);
    const builtin = getProfile(kernel)!;
    const byPackage = new Map<string, KernelProfile>();
    for (const e of stored.builds) {
      const r = profileOfFacts(kernel, e);
      assert.ok(r.profile, `${kernel} ${e.package}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
      byPackage.set(e.package, r.profile);
      // what the built-in profile types in is what its package's files state
      if (e.package === builtin.debianPackage)
        assert.deepEqual(facts(r.profile), facts(builtin), `${kernel}: built-in profile differs from ${e.package}'s files`);
      // the stored lines are what our reader takes from the package, when the package is at hand
      const info = cachedRelease(kernel, e.package.split(' ')[0]!);
      if (info && `${info.package} ${info.version}` === e.package) {
        const now = packageFacts(info);
        const { measured: _measured, sha256, ...files } = e;
        const { sha256: nowSha256, ...nowFiles } = now.excerpt ?? {};
        if (now.excerpt) assert.deepEqual(nowFiles, files, `${kernel}: data/lab/${kernel}.build.json is not what ${e.package} states`);
        // the files' sha256, where stored (a package measured by kernels measure --lab), is theirs
        if (sha256) assert.equal(nowSha256, sha256, `${kernel}: ${e.package}'s files are not the ones their sha256 names`);
      }
    }
    assert.ok(
      byPackage.has(builtin.debianPackage),
      `${kernel}: no stored facts of ${builtin.debianPackage}, the built-in profile's package`,
    );
    const bad: string[] = [];
    const counts = new Map<string, number>();
    let imageSeen = 0;
    let unitSeen = 0;
    for (const rec of records) {
      const p = byPackage.get(rec.package);
      assert.ok(p, `${kernel} ${rec.caseId}: recorded on ${rec.package}, which has no stored facts`);
      counts.set(rec.package, (counts.get(rec.package) ?? 0) + 1);
      const o = replayCase(rec, p);
      // a death the plan foresees only in part (replay.test.ts OPEN_DEATHS) fails the same way with
      // the built-in profile: what is checked here is that the files plan it as the built-in one does
      if (!o.ok && o.problems.join(' ; ') !== replayCase(rec).problems.join(' ; ')) bad.push(`${o.caseId}: ${o.problems.join(' ; ')}`);
      // what System.map states is what each boot of the package did: the image memblock_reserve()d
      // by arm64_memblock_init / arm_memblock_init, the first per-cpu chunk's unit pcpu_fc_alloc asked for
      const ev = rec.observation.memblock;
      const image = p.arm64?.reserveSize ?? p.arm?.kernelSize;
      if (ev.length) {
        assert.ok(
          ev.some((e) => e.op === 'reserve' && /^arm(64)?_memblock_init\+/.test(e.caller) && e.size === image),
          `${kernel} ${rec.caseId}: no reservation of the image's 0x${image?.toString(16)} bytes in the trace`,
        );
        imageSeen++;
      }
      const unit = firstChunkUnit(p);
      const chunk = ev.find((e) => e.op === 'alloc' && isPcpuUnit(e));
      // a NUMA case's groups are per node (its allocation lines are compared by the replay above)
      if (chunk && !(rec.case as LabCase).numa) {
        // one group of all the CPUs (no NUMA), a unit each (atom_size PAGE_SIZE: no rounding of the group)
        const cpus = BigInt((rec.case as LabCase).cpus ?? 1);
        assert.equal(chunk.size, unit === undefined ? undefined : unit * cpus, `${kernel} ${rec.caseId}: pcpu_fc_alloc`);
        unitSeen++;
      }
    }
    summary.push(`${kernel}: the image's size in ${imageSeen} traces, the per-cpu unit in ${unitSeen}, as System.map states`);
    for (const [pkg, n] of counts) summary.push(`${kernel}: ${n} cases recorded on ${pkg}, replayed with the profile built from its facts`);
    summary.push(`${kernel}: ${records.length - bad.length}/${records.length} agree`);
    assert.deepEqual(bad.slice(0, 5), [], kernel);
  }
  t.diagnostic(summary.join('\n'));
  process.stdout.write(`# built profiles\n# ${summary.join('\n# ')}\n`);
});

test('build: another point release than the built-in profile states is planned with its own files, and says what they change', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-release-'));
  const cfg = join(dir, 'config-6.12.118+deb12-arm64');
  const map = join(dir, 'System.map-6.12.118+deb12-arm64');
  writeFileSync(cfg, config('6.12.118'));
  writeFileSync(map, systemMap().replace(/^\S+ B _end$/m, 'ffff800082b30000 B _end'));
  const builtin = getProfile('6.12-arm64')!;
  const [name = '', version = ''] = builtin.debianPackage.split(' ');
  const info = { ...cachedInfo(cfg, map), id: '6.12-arm64', package: name.replace('6.12.95', '6.12.118'), version: '6.12.118-1~deb12u1' };
  const newer = profileForPackage(info);
  assert.equal(newer.profile?.arm64?.reserveSize, 0x2b30000n);
  assert.match(newer.note ?? '', /read from its own config and System\.map .*image 0x2b20000 -> 0x2b30000/);
  assert.deepEqual(factsChanged(builtin, newer.profile!), ['image 0x2b20000 -> 0x2b30000']);
  // the package the built-in states: the built-in, nothing to say
  assert.deepEqual(profileForPackage({ ...info, package: name, version }), { profile: builtin });
  // Debian's stub System.map: the built-in, and why
  writeFileSync(map, 'ffffffffffffffff B The real System.map is in the linux-image-<version>-dbg package\n');
  const stub = profileForPackage(info);
  assert.equal(stub.profile, builtin);
  assert.match(stub.note ?? '', /build no profile/);
});

test("build: a point release's own measurement boot, kept in the kernel cache, gives its profile the sizes no file states", () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-measured-'));
  const cfg = join(dir, 'config-6.12.200+deb12-arm64');
  const map = join(dir, 'System.map-6.12.200+deb12-arm64');
  writeFileSync(cfg, config('6.12.200'));
  writeFileSync(map, systemMap());
  // an upload the lab has no facts of (6.12.118's are stored: its ladder boots were measured on it)
  const builtin = getProfile('6.12-arm64')!;
  const [name = ''] = builtin.debianPackage.split(' ');
  const info = { ...cachedInfo(cfg, map), id: '6.12-arm64', package: name.replace('6.12.95', '6.12.200'), version: '6.12.200-1~deb12u1' };
  withEnv({ CARVEOUT_CACHE: join(dir, 'cache') }, () => {
    // nothing measured: the lab build's sizes, and the note says how to measure them
    assert.equal(measuredOfPackage(info), undefined);
    const before = profileForPackage(info);
    assert.equal(before.profile?.arm64?.numa.nodeDataSize, builtin.arm64!.numa.nodeDataSize);
    assert.match(before.note ?? '', /kernels fetch 6\.12-arm64 measures them/);
    // a measurement boot of the package (as measurePackage stores it) whose pg_data_t grew
    const lab = readBuildFacts('6.12-arm64')!.builds.find((b) => b.package === builtin.debianPackage)!.measured!;
    const boot = { ram: '0x20000000', append: 'console=ttyAMA0 memblock=debug' };
    const measured = {
      from: 'a memblock=debug boot of the package',
      sizes: lab.sizes.map((x) => ({ ...x, boot, ...(x.name === 'nodeDataSize' ? { value: '0x3780' } : {}) })),
    };
    const f = measuredCachePath(info);
    mkdirSync(dirname(f), { recursive: true });
    writeFileSync(f, JSON.stringify({ package: `${info.package} ${info.version}`, measured }));
    assert.deepEqual(measuredOfPackage(info), measured);
    const after = profileForPackage(info);
    assert.equal(after.profile?.arm64?.numa.nodeDataSize, 0x3780n);
    assert.deepEqual(factsChanged(builtin, after.profile!), ['NODE_DATA 0x3740 -> 0x3780']);
    assert.match(
      after.note ?? '',
      /sizes no file states: nodeDataSize, usemapBytesPerSection, percpuSetup, percpuAlloc from a memblock=debug boot of the package/,
    );
    assert.match(after.profile!.provenance, /from a memblock=debug boot of the package$/);
    // a measurement of another version of the package is not this one's
    writeFileSync(f, JSON.stringify({ package: `${info.package} 6.12.117-1`, measured }));
    assert.equal(measuredOfPackage(info), undefined);
    // a boot that shows only some sizes: those are the package's, the rest the lab build's, and the provenance says which
    const some = { ...measured, sizes: measured.sizes.filter((x) => x.name === 'nodeDataSize') };
    const partial = packageFacts(info, some).built.profile!;
    assert.equal(partial.arm64!.numa.nodeDataSize, 0x3780n);
    assert.equal(partial.arm64!.sparse.usemapBytesPerSection, builtin.arm64!.sparse.usemapBytesPerSection);
    assert.match(
      partial.provenance,
      /nodeDataSize from a memblock=debug boot of the package; usemapBytesPerSection, percpuSetup, percpuAlloc from the lab's measurement of 6\.12-arm64 \(data\/lab\/6\.12-arm64\.build\.json\)$/,
    );
  });
});

/** A cached kernel's description for two files (what `kernels fetch` writes as info.json). */
function cachedInfo(cfg: string, map: string): KernelInfo {
  return {
    id: '',
    package: '',
    version: '',
    debArch: 'arm64',
    vmlinuz: '',
    config: cfg,
    systemMap: map,
    pageSize: 4096,
    lpae: false,
    highmem: false,
    numa: true,
    randomizeBase: false,
    configLines: {},
  };
}

test('build: kernels facts refuses what it cannot do (exit 2), kernels lists the package each built-in profile states', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-facts-cli-'));
  const env = { ...process.env, CARVEOUT_CACHE: join(dir, 'cache') };
  const empty = runCli(['kernels', 'facts', '--dir', dir], { env });
  assert.equal(empty.status, 2);
  assert.match(empty.stderr, /no lab records in/);
  const unknown = runCli(['kernels', 'facts', 'no-such-kernel'], { env });
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown kernel 'no-such-kernel'/);
  const list = runCli(['kernels', '--format', 'json'], { env });
  const rows = (JSON.parse(list.stdout) as { kernels: Array<{ id: string; profilePackage?: string }> }).kernels;
  assert.equal(rows.find((r) => r.id === '6.12-arm64')?.profilePackage, getProfile('6.12-arm64')!.debianPackage);
});

test('build: verify --kernel-image wants the build its plan is made from, and no --kernel beside it (exit 2)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-own-image-'));
  const cfg = join(dir, '.config');
  const map = join(dir, 'System.map');
  writeFileSync(cfg, config('6.12.95'));
  writeFileSync(map, systemMap());
  const board = ['examples/qemu-virt-cma.dts', '--ram', '1G'];
  const alone = runCli(['verify', ...board, '--kernel-image', join(dir, 'Image')]);
  assert.equal(alone.status, 2);
  assert.match(alone.stderr, /--kernel-image goes with --kernel-config and --system-map/);
  const both = runCli([
    'verify',
    ...board,
    '--kernel-image',
    join(dir, 'Image'),
    '--kernel-config',
    cfg,
    '--system-map',
    map,
    '--kernel',
    '6.12-arm64',
  ]);
  assert.equal(both.status, 2);
  assert.match(both.stderr, /no --kernel beside it/);
  writeFileSync(cfg, config('6.12.95') + 'oops\n');
  const bad = runCli(['verify', ...board, '--kernel-image', join(dir, 'Image'), '--kernel-config', cfg, '--system-map', map]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /\.config:\d+:1: error: not a \.config line/);
  // the fault is in the file, not in the command: no usage text buries it
  assert.doesNotMatch(bad.stderr, /usage:/);
});

test('build: without CONFIG_NUMA arch_numa_init is empty: no fake node, no NODE_DATA or cpumask allocation', () => {
  const numa = build(config('6.12.95')).profile!;
  const flat = build(config('6.12.95', { NUMA: null, NODES_SHIFT: null })).profile!;
  assert.equal(flat.numa, false);
  const board = loadBoard(regionBoard(''), { platform: 'qemu-virt', arch: 'arm64', ram: 1n << 30n });
  const run = (p: KernelProfile) => plan(board, { kernel: p, bootargs: 'console=ttyAMA0 nokaslr' });
  const lines = (p: KernelProfile) => run(p).log.map((l) => l.text);
  const cpumask = (p: KernelProfile) => run(p).trace.events.filter((e) => e.detail.caller === 'alloc_bootmem_cpumask_var').length;
  assert.ok(lines(numa).some((l) => l.startsWith('NUMA: Faking a node')));
  assert.ok(!lines(flat).some((l) => l.startsWith('NUMA:') || l.startsWith('NODE_DATA')));
  assert.equal(cpumask(numa), 1);
  assert.equal(cpumask(flat), 0);
});

test('build: without ZONE_DMA and ZONE_DMA32 (5.10): CMA and the crash kernel anywhere in memory, the crash kernel reserved in arm64_memblock_init; crash_mem_map', () => {
  // 5.10 as allnoconfig leaves it (EXPERT: no DMA zones), with kexec and without rodata=full
  const cfg = (over: Record<string, string | null>) =>
    build(
      config('5.10.223', {
        ARCH_FORCE_MAX_ORDER: null,
        FORCE_MAX_ZONEORDER: '11',
        ARM64_VA_BITS: '48',
        ARM64_PA_BITS: '48',
        CRASH_RESERVE: null,
        KEXEC_CORE: 'y',
        RODATA_FULL_DEFAULT_ENABLED: null,
        ...over,
      }),
    ).profile!;
  const zones = cfg({});
  const none = cfg({ ZONE_DMA: null, ZONE_DMA32: null });
  assert.deepEqual(none.arm64!.zones, { dma: false, dma32: false });
  const board = loadBoard(regionBoard(''), { platform: 'qemu-virt', arch: 'arm64', ram: 6n << 30n });
  const run = (p: KernelProfile, extra = '') => plan(board, { kernel: p, bootargs: `console=ttyAMA0 nokaslr ${extra}` });
  const cmaAt = (p: KernelProfile) =>
    BigInt(
      /^cma: Reserved \d+ MiB at (0x[0-9a-f]+)/.exec(
        run(p)
          .log.map((l) => l.text)
          .find((l) => l.startsWith('cma: Reserved'))!,
      )![1]!,
    );
  // arm64_dma_phys_limit: the DMA zone's end (4 GiB), else PHYS_MASK + 1 — the top of memory
  assert.ok(cmaAt(zones) < 1n << 32n);
  assert.ok(cmaAt(none) > 1n << 32n);
  assert.deepEqual(
    run(none).zones.map((z) => z.name),
    ['Normal'],
  );
  // reserve_crashkernel: in bootmem_init after the zones, or at the end of arm64_memblock_init (before paging_init's tables)
  const order = (p: KernelProfile) => {
    const ev = run(p, 'crashkernel=256M').trace.events;
    return ev.findIndex((e) => e.detail.caller === 'reserve_crashkernel') < ev.findIndex((e) => e.detail.caller === 'early_pgtable_alloc');
  };
  assert.equal(order(none), true);
  assert.equal(order(zones), false);
  // map_mem's crash_mem_map: any crashkernel parameter maps the linear map page by page with a DMA
  // zone; without one only the reserved region is mapped page by page
  const tables = (p: KernelProfile, extra = '') =>
    run(p, extra)
      .trace.events.filter((e) => e.detail.caller === 'early_pgtable_alloc')
      .reduce((n, e) => n + Number(e.detail.count ?? 1), 0);
  assert.ok(tables(zones, 'crashkernel=256M') > tables(zones) + 1000, 'the whole linear map with PTEs');
  const crashOnly = tables(none, 'crashkernel=256M') - tables(none);
  assert.ok(crashOnly > 0 && crashOnly <= 128 + 2, `${crashOnly} tables for 256 MiB page by page`);
});
