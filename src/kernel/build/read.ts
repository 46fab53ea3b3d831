// Reading a kernel build's `.config` and `System.map` into its profile: what the build decides is
// read from those two files; what no file states (sizeof(pg_data_t), the per-cpu chunk's bitmaps,
// arm's struct static_vm) is the build's own measurement when one is given (./measured.ts: a boot
// of it), else the lab's measurement of the nearest Debian build of the same series, arch and page
// size, and the profile's provenance says which. The lab builds are passed in (./profile.ts gives
// ../profiles/index.ts labBuilds): the built-in profiles are read here too, from their stored
// excerpts (../profiles/lab-measured.ts), with every size measured.
import { diag, type Diagnostic } from '../../diagnostics.js';
import { arm64Profile, type Arm64Build } from '../arch/arm64/layer.js';
import { armProfile, type ArmBuild } from '../arch/arm/layer.js';
import type { LabBuild } from '../profiles/index.js';
import type { BuildConfig, KernelProfile } from '../profiles/types.js';
import type { ReservedMemConfig } from '../handlers/index.js';
import type { BuiltInParams } from '../cmdline.js';
import { kernelSeries, seriesForVersion, type KernelSeries } from '../versions/index.js';
import { configEnabled, configNumber, configPageSize, configSpan, readKernelConfig, type KernelConfig } from './config.js';
import { readSystemMap, symbol, tableEntries, type SystemMap } from './system-map.js';
import { measuredNames, type MeasuredSizes } from './measured.js';
import type { BuildExcerpt, FileExcerpt } from './excerpt.js';
import { hex } from '../memblock.js';

export interface KernelBuildFiles {
  /** Profile id, e.g. the name `kernels add` stores it under. */
  id: string;
  config: { file: string; text: string };
  systemMap: { file: string; text: string };
  /** What no file states, measured from a boot of this build (./measured.ts); else the nearest lab build's. */
  measured?: OwnMeasurement;
}

/** A build's own measured sizes and where they come from. */
export interface OwnMeasurement {
  sizes: MeasuredSizes;
  from: string;
}

export interface BuiltProfile {
  profile?: KernelProfile;
  /** The facts the profile was composed from (what ../profiles/index.ts labBuilds keeps of a lab build). */
  build?: { arch: 'arm64'; build: Arm64Build } | { arch: 'arm'; build: ArmBuild };
  diagnostics: Diagnostic[];
}

/** Reads what a build's files state; collects problems as diagnostics at the line they concern. */
class Reader {
  readonly diagnostics: Diagnostic[] = [];
  constructor(
    readonly config: KernelConfig,
    readonly map: SystemMap,
  ) {}
  error(code: string, message: string, option?: string, hint?: string): void {
    this.diagnostics.push(diag('error', code, message, configSpan(this.config, option), hint));
  }
  warn(code: string, message: string, option?: string): void {
    this.diagnostics.push(diag('warning', code, message, configSpan(this.config, option)));
  }
  /** An int option the model needs; absent is an error unless a default is given. */
  int(name: string, fallback?: number): number {
    const v = configNumber(this.config, name);
    if (v !== undefined) return Number(v);
    if (fallback !== undefined) return fallback;
    this.error('config-missing', `CONFIG_${name} is not set: the model needs its value`, name);
    return 0;
  }
  /** Whether System.map has the symbol. */
  has(name: string): boolean {
    return symbol(this.map, name) !== undefined;
  }
  /** A symbol's address; absent is an error at the System.map. */
  sym(name: string): bigint {
    const s = symbol(this.map, name);
    if (s) return s.address;
    this.diagnostics.push(
      diag('error', 'symbol-missing', `System.map has no '${name}'`, { file: this.map.file, line: 0, column: 0, endLine: 0, endColumn: 0 }),
    );
    return 0n;
  }
}

/**
 * Which RESERVEDMEM_OF_DECLARE entries are linked in, in order: the `__of_table_<name>` symbols of
 * `__reservedmem_of_table`. kernel/dma/contiguous.c declares `cma` (CONFIG_DMA_CMA),
 * kernel/dma/coherent.c and kernel/dma/swiotlb.c both declare `dma` (CONFIG_DMA_DECLARE_COHERENT,
 * CONFIG_DMA_RESTRICTED_POOL): the config tells which `dma` entries those are. Other names are
 * drivers' (a vendor's pool, nvidia,tegra210-emc-table, ...), which the model does not run.
 */
function reservedMemTable(r: Reader): ReservedMemConfig {
  const entries = tableEntries(r.map, '__reservedmem_of_table', '__rmem_of_table_sentinel', '__of_table_');
  const cfg: ReservedMemConfig = {
    dmaCma: configEnabled(r.config, 'DMA_CMA'),
    dmaDeclareCoherent: configEnabled(r.config, 'DMA_DECLARE_COHERENT'),
    dmaRestrictedPool: configEnabled(r.config, 'DMA_RESTRICTED_POOL'),
  };
  if (!entries) {
    r.diagnostics.push(
      diag(
        'error',
        'symbol-missing',
        `System.map has no __reservedmem_of_table/__rmem_of_table_sentinel: it does not say which reserved-memory handlers are built in`,
        { file: r.map.file, line: 0, column: 0, endLine: 0, endColumn: 0 },
      ),
    );
    return cfg;
  }
  const names = entries.map((e) => e.name.slice('__of_table_'.length));
  const count = (n: string) => names.filter((x) => x === n).length;
  const wantDma = Number(cfg.dmaDeclareCoherent) + Number(cfg.dmaRestrictedPool);
  if (count('cma') !== Number(cfg.dmaCma) || count('dma') !== wantDma)
    r.error(
      'config-map-mismatch',
      `System.map's __reservedmem_of_table (${names.join(', ') || 'empty'}) does not match the config's DMA_CMA/DMA_DECLARE_COHERENT/DMA_RESTRICTED_POOL: are they from the same build?`,
      'DMA_CMA',
    );
  for (const e of entries) {
    const n = e.name.slice('__of_table_'.length);
    if (n !== 'cma' && n !== 'dma')
      r.diagnostics.push(
        diag(
          'warning',
          'handler-not-modelled',
          `built-in RESERVEDMEM_OF_DECLARE entry '${e.name}' is not modelled: regions its compatible matches are reported as having no handler`,
          { file: r.map.file, line: e.line, column: 1, endLine: e.line, endColumn: 1 },
        ),
      );
  }
  return cfg;
}

/**
 * Which boot parameters are built in (init/main.c parse_args, unknown_bootoption): the entries of
 * the __setup table (`__setup_<id>`, __setup_start up to __setup_end; include/linux/init.h), each
 * named by the series' sources (KernelSeries.paramNames), and the kernel_param table's core params
 * (`__param_<name>`, __start___param up to __stop___param). An id the sources do not name (a
 * vendor's own __setup) is noted: a word it takes is reported unknown. Without the tables (a lab
 * package's excerpt stored before they were read) the profile has none and knownParams' list stands in.
 */
function builtInParams(r: Reader, series: KernelSeries): BuiltInParams | undefined {
  const table = (start: string, end: string, prefix: string, keep: (id: string) => boolean = () => true) =>
    tableEntries(r.map, start, end, prefix, (x) => keep(x.name.slice(prefix.length)))?.map((x) => x.name.slice(prefix.length));
  const names = series.paramNames;
  const core = new Set(names.core);
  const setupIds = table('__setup_start', '__setup_end', '__setup_');
  const coreIds = table('__start___param', '__stop___param', '__param_', (id) => core.has(id));
  if (!setupIds || !coreIds) {
    r.diagnostics.push(
      diag(
        'note',
        'params-not-read',
        `System.map has no __setup_start/__setup_end or __start___param/__stop___param: which boot parameters are built in is not read; the plan takes a list of common names, so which words the kernel passes to init ("Unknown kernel command line parameters") is not judged`,
        { file: r.map.file, line: 0, column: 0, endLine: 0, endColumn: 0 },
      ),
    );
    return undefined;
  }
  const setup: BuiltInParams['setup'] = [];
  const unnamed: string[] = [];
  for (const id of setupIds) {
    const strs = names.setup[id];
    if (!strs) unnamed.push(id);
    for (const x of strs ?? []) {
      if (x.startsWith('refuses:')) continue; // its handler returns 0 whatever it gets: the word goes on
      setup.push(x.startsWith('early:') ? { str: x.slice(6), early: true } : { str: x, early: false });
    }
  }
  if (unnamed.length)
    r.diagnostics.push(
      diag(
        'note',
        'params-not-named',
        `${unnamed.length} built-in __setup entr${unnamed.length === 1 ? 'y' : 'ies'} the ${series.name} sources do not name (${unnamed
          .slice(0, 8)
          .map((id) => `__setup_${id}`)
          .join(
            ', ',
          )}${unnamed.length > 8 ? ', …' : ''}): a command-line word only ${unnamed.length === 1 ? 'it takes' : 'they take'} is predicted to go to init`,
        { file: r.map.file, line: 0, column: 0, endLine: 0, endColumn: 0 },
      ),
    );
  return { setup, core: coreIds, sysctlAliases: names.sysctlAliases, unnamed };
}

/** The lab build whose measurements stand in for what the files do not state (and the build's own boot does not show). */
function reference(
  r: Reader,
  series: KernelSeries,
  arch: 'arm64' | 'arm',
  pageSize: number,
  lpae: boolean,
  labBuilds: readonly LabBuild[],
): LabBuild | undefined {
  const same = (b: LabBuild) => b.arch === arch && (arch === 'arm64' ? b.pageSize === pageSize : b.lpae === lpae);
  // by name: a point release's series (versions/index.ts) is another object of the same series
  const ofSeries = (b: LabBuild) => b.series.name === series.name;
  const exact = labBuilds.find((b) => ofSeries(b) && same(b));
  if (exact) return exact;
  // else the same series, else the nearest series (kernelSeries is in release order), same page size first
  const at = (x: KernelSeries) => kernelSeries.findIndex((k) => k.name === x.name);
  const age = (b: LabBuild) => Math.abs(at(b.series) - at(series));
  const nearest = (bs: LabBuild[]) => [...bs].sort((a, b) => age(a) - age(b))[0];
  const near =
    labBuilds.find((b) => ofSeries(b) && b.arch === arch) ??
    nearest(labBuilds.filter(same)) ??
    nearest(labBuilds.filter((b) => b.arch === arch));
  if (near)
    r.warn(
      'measured-from-other-build',
      `no lab measurement of a ${series.name} ${arch} build with this page size${arch === 'arm' ? '/LPAE' : ''}: sizes no file states (pg_data_t, per-cpu bitmaps, struct static_vm) are taken from ${near.id}`,
    );
  else r.error('no-reference-build', `no lab build of ${arch} to take the measured sizes from`);
  return near;
}

/**
 * pcpu_build_alloc_info (mm/percpu.c): the first chunk's unit for the static per-cpu size, with
 * atom_size PAGE_SIZE (the generic setup_per_cpu_areas and arm64's both pass it).
 */
function percpuUnit(r: Reader, series: KernelSeries, pageSize: number, bitsPerLong: 32 | 64): bigint {
  const page = BigInt(pageSize);
  const staticSize = r.sym('__per_cpu_end') - r.sym('__per_cpu_start');
  // include/linux/percpu.h: PERCPU_MODULE_RESERVE, PERCPU_DYNAMIC_SIZE_SHIFT, PERCPU_DYNAMIC_RESERVE
  // (28 << shift with BITS_PER_LONG > 32, else 20 << shift), by the options the series' header reads
  const { dynamicSizeShift, moduleReserve } = series.percpuConfig;
  const on = (option: string | undefined) => option !== undefined && configEnabled(r.config, option);
  const reserved = configEnabled(r.config, 'MODULES') ? (on(moduleReserve) ? 8n << 13n : 8n << 10n) : 0n;
  const shift = on(dynamicSizeShift) ? (configEnabled(r.config, 'LOCKDEP') && pageSize !== 4096 ? 13n : 12n) : 10n;
  const dyn = (bitsPerLong > 32 ? 28n : 20n) << shift;
  const pfnAlign = (x: bigint) => (x + page - 1n) & ~(page - 1n);
  const sizeSum = pfnAlign(staticSize + reserved + dyn);
  const minUnit = sizeSum > pfnAlign(32n << 10n) ? sizeSum : pfnAlign(32n << 10n); // PCPU_MIN_UNIT_SIZE
  return pfnAlign(minUnit); // roundup(min_unit_size, atom_size = PAGE_SIZE), one unit per allocation
}

/**
 * arm's unit, from System.map like arm64's. The lab stored the excerpts of some 32-bit packages
 * before the reader read the per-cpu symbols, and those packages were not at hand to read them
 * again: without them, the lab build's unit stands in, and a warning says so.
 */
function armPercpuUnit(r: Reader, series: KernelSeries, pageSize: number, ref: ArmBuild | undefined, refLab: LabBuild | undefined): bigint {
  if (r.has('__per_cpu_start') && r.has('__per_cpu_end')) return percpuUnit(r, series, pageSize, 32);
  if (!ref || !refLab) return percpuUnit(r, series, pageSize, 32); // the missing symbols are errors
  r.warn(
    'symbol-missing',
    `System.map has no __per_cpu_start/__per_cpu_end: the first per-cpu chunk's unit (mm/percpu.c) is ${refLab.id}'s, 0x${ref.percpu.unit.toString(16)} bytes`,
  );
  return ref.percpu.unit;
}

/** The config values every arch reads (profiles/types.ts BuildConfig). */
function buildConfig(r: Reader, series: KernelSeries, pageSize: number): BuildConfig {
  const c = r.config;
  // include/linux/mmzone.h without CONFIG_ARCH_FORCE_MAX_ORDER: MAX_ORDER 11 (a count, 6.1) or
  // MAX_PAGE_ORDER 10 (the largest order, 6.8+): the same buddy sizes either way.
  // (the option was FORCE_MAX_ZONEORDER before 6.1 renamed it, arch/*/Kconfig)
  const forceMaxOrder =
    configNumber(c, 'ARCH_FORCE_MAX_ORDER') !== undefined
      ? r.int('ARCH_FORCE_MAX_ORDER')
      : r.int('FORCE_MAX_ZONEORDER', series.maxOrder === 'count' ? 11 : 10);
  const cma = configEnabled(c, 'CMA');
  const dmaCma = configEnabled(c, 'DMA_CMA');
  if (dmaCma && !configEnabled(c, 'CMA_SIZE_SEL_MBYTES'))
    r.warn(
      'config-not-modelled',
      'the default CMA area is sized by CONFIG_CMA_SIZE_SEL_MBYTES only in the model; this build selects it by percentage of memory',
      'CMA_SIZE_PERCENTAGE',
    );
  if (!configEnabled(c, 'HUGETLB_PAGE') && configEnabled(c, 'TRANSPARENT_HUGEPAGE'))
    r.warn(
      'config-not-modelled',
      'TRANSPARENT_HUGEPAGE without HUGETLB_PAGE: pageblock_order is then PMD-sized on some series and MAX_ORDER-sized on others (include/linux/pageblock-flags.h); modelled as without huge pages',
      'TRANSPARENT_HUGEPAGE',
    );
  return {
    pageSize,
    forceMaxOrder,
    cmaAreas: cma ? r.int('CMA_AREAS') : 0,
    // kernel/dma/contiguous.c: without DMA_CMA there is no default area
    cmaSizeMBytes: dmaCma ? r.int('CMA_SIZE_MBYTES') : 0,
    cmaAlignment: cma ? r.int('CMA_ALIGNMENT') : 0,
    numa: configEnabled(c, 'NUMA'),
    nodesShift: configEnabled(c, 'NUMA') ? r.int('NODES_SHIFT') : 0,
    hugetlbPage: configEnabled(c, 'HUGETLB_PAGE'),
    // the possible CPUs' cap (arch/arm64/kernel/smp.c, arch/arm/kernel/devtree.c); a stored
    // excerpt made before the reader read it lacks the line
    ...(configNumber(c, 'NR_CPUS') !== undefined ? { nrCpus: r.int('NR_CPUS') } : {}),
    ...(dmaCma && configEnabled(c, 'DMA_NUMA_CMA') && configEnabled(c, 'CMA_SIZE_PERNUMA') ? { cmaSizePernuma: true } : {}),
    ...(dmaCma && (configEnabled(c, 'DMA_NUMA_CMA') || configEnabled(c, 'DMA_PERNUMA_CMA')) ? { dmaNumaCma: true } : {}),
    ...(configEnabled(c, 'NUMA_EMU') ? { numaEmu: true } : {}),
    ...(configEnabled(c, 'STACKPROTECTOR') ? { stackProtector: true } : {}),
    ...(configEnabled(c, 'UBSAN_BOUNDS') ? { ubsanBounds: true } : {}),
    ...(configEnabled(c, 'PRINTK')
      ? {
          printk: {
            logBufShift: r.int('LOG_BUF_SHIFT'),
            ...(configEnabled(c, 'SMP') ? { cpuMaxBufShift: r.int('LOG_CPU_MAX_BUF_SHIFT') } : {}),
            executionCtx: configEnabled(c, 'PRINTK_EXECUTION_CTX'),
          },
        }
      : {}),
    ...(configEnabled(c, 'PREEMPT_RT') ? { preemptRt: true } : {}),
    ...(!configEnabled(c, 'CRASH_RESERVE') && !configEnabled(c, 'KEXEC_CORE') ? { noCrashReserve: true } : {}),
    ...(configEnabled(c, 'OF_DYNAMIC') ? { ofDynamic: true } : {}),
    ...(configEnabled(c, 'EFI') ? { efi: true } : {}),
    ...(configEnabled(c, 'ARM_GIC_V3_ITS') ? { gicV3Its: true } : {}),
  };
}

/** Where each measured size comes from: the build's own boot, else the lab build's records. */
function measuredFrom(arch: 'arm64' | 'arm', own: OwnMeasurement | undefined, ref: LabBuild | undefined): string {
  const mine = measuredNames[arch].filter((n) => own?.sizes[n] !== undefined);
  const theirs = measuredNames[arch].filter((n) => own?.sizes[n] === undefined);
  return [
    mine.length ? `${mine.join(', ')} from ${own!.from}` : '',
    theirs.length && ref ? `${theirs.join(', ')} from the lab's measurement of ${ref.id} (data/lab/${ref.id}.build.json)` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** A size the build's own measurement has, else the lab build's (reference() made sure there is one). */
function either<T>(own: T | undefined, ref: T | undefined): T {
  if (own !== undefined) return own;
  if (ref === undefined) throw new Error("a measured size with neither the build's nor a lab build's measurement");
  return ref;
}

function arm64Build(
  r: Reader,
  series: KernelSeries,
  ref: Arm64Build | undefined,
  config: BuildConfig,
  own: OwnMeasurement | undefined,
  refLab: LabBuild | undefined,
): Arm64Build {
  const m = own?.sizes ?? {};
  const text = r.sym('_text');
  const end = r.sym('_end');
  const reserveStart = text + series.arm64.reserveStartOffset;
  // arm64_memblock_init reserves from _text or _stext (the series' reserveStartOffset): check the build agrees
  if (series.arm64.reserveStartOffset !== 0n && r.sym('_stext') !== reserveStart)
    r.warn(
      'layout-differs',
      `_stext is ${hex(r.sym('_stext') - text)} past _text, the ${series.name} layer reserves the kernel from ${hex(series.arm64.reserveStartOffset)} past it`,
    );
  const build: Arm64Build = {
    config: {
      ...config,
      paBits: r.int('ARM64_PA_BITS'),
      vaBits: r.int('ARM64_VA_BITS'),
      pageExtension: configEnabled(r.config, 'PAGE_EXTENSION'),
      rodataFull: series.arm64.rodataFullAlways || configEnabled(r.config, 'RODATA_FULL_DEFAULT_ENABLED'),
      deferredStructPageInit: configEnabled(r.config, 'DEFERRED_STRUCT_PAGE_INIT'),
      memoryHotremove: configEnabled(r.config, 'MEMORY_HOTREMOVE'),
      sparsememVmemmap: series.arm64.sparsememVmemmap === 'selected' || configEnabled(r.config, 'SPARSEMEM_VMEMMAP'),
      cpumaskOffstack: configEnabled(r.config, 'CPUMASK_OFFSTACK'),
      zoneDma: configEnabled(r.config, 'ZONE_DMA'),
      zoneDma32: configEnabled(r.config, 'ZONE_DMA32'),
      contPteShift: r.int('ARM64_CONT_PTE_SHIFT'),
      contPmdShift: r.int('ARM64_CONT_PMD_SHIFT'),
    },
    measured: {
      reserveSize: end - reserveStart,
      initBeginOffset: r.sym('__init_begin') - text,
      initEndOffset: r.sym('__init_end') - text,
      nodeDataSize: either(m.nodeDataSize, ref?.measured.nodeDataSize),
      usemapBytesPerSection: either(m.usemapBytesPerSection, ref?.measured.usemapBytesPerSection),
    },
    percpu: {
      unit: percpuUnit(r, series, config.pageSize, 64),
      setup: either(m.percpuSetup, ref?.percpu.setup),
      alloc: either(m.percpuAlloc, ref?.percpu.alloc),
    },
    measuredFrom: measuredFrom('arm64', own, refLab),
  };
  // 5.10/6.1 map_kernel's segments (arch/arm64/mm/mmu.c), at the image's link-time addresses
  const mk = series.arm64.mapKernel;
  if (mk)
    build.kernelSegments = [
      [r.sym(mk.textFrom), r.sym('_etext')],
      [r.sym('__start_rodata'), r.sym('__inittext_begin')],
      [r.sym('__inittext_begin'), r.sym('__inittext_end')],
      [r.sym('__initdata_begin'), r.sym('__initdata_end')],
      [r.sym('_data'), r.sym('_end')],
    ];
  // 6.1 create_idmap (arch/arm64/mm/mmu.c): the idmap text, and __idmap_kpti_flag with KPTI
  if (series.arm64.createIdmap)
    build.idmap = {
      text: [r.sym('__idmap_text_start') - text, r.sym('__idmap_text_end') - text],
      ...(configEnabled(r.config, 'UNMAP_KERNEL_AT_EL0') ? { kptiFlag: r.sym('__idmap_kpti_flag') - text } : {}),
    };
  // 5.10/6.1 paging_init frees init_pg_dir .. init_pg_end (arch/arm64/mm/mmu.c)
  if (series.arm64.freesInitPgDir) {
    const dir = r.sym('init_pg_dir');
    build.initPgDirFree = { offsetFromText: dir - text, size: r.sym('init_pg_end') - dir };
  }
  return build;
}

function armBuild(
  r: Reader,
  series: KernelSeries,
  ref: ArmBuild | undefined,
  config: BuildConfig,
  lpae: boolean,
  own: OwnMeasurement | undefined,
  refLab: LabBuild | undefined,
): ArmBuild {
  // arm_memblock_init: memblock_reserve(__pa(KERNEL_START), KERNEL_END - KERNEL_START), KERNEL_START
  // = _stext (arch/arm/include/asm/memory.h), __pa = x - PAGE_OFFSET + PHYS_OFFSET
  const pageOffset = configNumber(r.config, 'PAGE_OFFSET');
  if (pageOffset === undefined) r.error('config-missing', 'CONFIG_PAGE_OFFSET is not set (the vmsplit decides it)', 'PAGE_OFFSET');
  const onDemand = ['PAGE_OWNER', 'PAGE_TABLE_CHECK', 'MEM_ALLOC_PROFILING'].find((o) => configEnabled(r.config, o));
  if (onDemand && configEnabled(r.config, 'PAGE_EXTENSION'))
    r.warn(
      'config-not-modelled',
      `CONFIG_${onDemand}: its page_ext client (mm/page_ext.c) is needed or not by boot options; the model allocates page_ext only for PAGE_IDLE_FLAG's`,
      onDemand,
    );
  const stext = r.sym('_stext');
  const po = pageOffset ?? 0n;
  return {
    config: {
      ...config,
      lpae,
      pageOffset: po,
      highmem: configEnabled(r.config, 'HIGHMEM'),
      zoneDma: configEnabled(r.config, 'ZONE_DMA'),
      // SLAB_OBJ_EXT exists from 6.10 on: older configs have no such line
      pageMemcgWord: configEnabled(r.config, 'MEMCG') || configEnabled(r.config, 'SLAB_OBJ_EXT'),
      pci: configEnabled(r.config, 'PCI'),
      // mm/page_ext.c page_ext_ops: page_idle's need() is true on 32-bit
      pageExt: configEnabled(r.config, 'PAGE_EXTENSION') && configEnabled(r.config, 'PAGE_IDLE_FLAG'),
    },
    measured: {
      kernelOffset: stext - po,
      kernelSize: r.sym('_end') - stext,
      textSize: r.sym('_etext') - stext,
      pgdirOffset: r.sym('swapper_pg_dir') - po,
      staticVmSize: either(own?.sizes.staticVmSize, ref?.measured.staticVmSize),
    },
    percpu: {
      unit: armPercpuUnit(r, series, config.pageSize, ref, refLab),
      setup: either(own?.sizes.percpuSetup, ref?.percpu.setup),
      alloc: either(own?.sizes.percpuAlloc, ref?.percpu.alloc),
    },
    measuredFrom: measuredFrom('arm', own, refLab),
  };
}

/** Read a build's two files (text) into its profile; `labBuilds` stand in for the sizes `files.measured` lacks. */
export function readBuild(files: KernelBuildFiles, labBuilds: () => readonly LabBuild[]): BuiltProfile {
  return readProfile(
    files.id,
    readKernelConfig(files.config.text, files.config.file),
    readSystemMap(files.systemMap.text, files.systemMap.file),
    files.measured,
    labBuilds,
  );
}

/** Build a profile from the two files as read (the reads go through config.ts and system-map.ts only). */
export function readProfile(
  id: string,
  cfg: { config: KernelConfig; diagnostics: Diagnostic[] },
  sm: { map: SystemMap; diagnostics: Diagnostic[] },
  own: OwnMeasurement | undefined,
  labBuilds: () => readonly LabBuild[],
  /** What the profile names as its build (default: the two files). */
  describe?: string,
): BuiltProfile {
  const r = new Reader(cfg.config, sm.map);
  r.diagnostics.push(...cfg.diagnostics, ...sm.diagnostics);
  const fail = (): BuiltProfile => ({ diagnostics: r.diagnostics });
  if (r.diagnostics.length) return fail();
  const c = cfg.config;
  if (c.release === undefined) {
    r.diagnostics.push(
      diag('error', 'config-no-version', `no '# Linux/<arch> <release> Kernel Configuration' header: which kernel is this?`, {
        file: c.file,
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 1,
      }),
    );
    return fail();
  }
  const choice = seriesForVersion(c.release);
  if ('error' in choice) {
    r.error('no-version-layer', choice.error);
    return fail();
  }
  const series = choice.series;
  if (!choice.exact)
    r.warn(
      'version-between-layers',
      `Linux ${c.release} has no version layer of its own: it is modelled by the ${series.name} layer (the nearest older)${choice.next ? `, ${choice.next.name} is the next known` : ''}; what changed since ${series.name} in drivers/of/of_reserved_mem.c, mm/memblock.c, mm/cma.c, kernel/dma/contiguous.c, crashkernel= and the arch's early boot (message formats, the order dynamic regions are allocated, which parameters exist, how many regions fit, early allocation sizes) may differ`,
    );
  const arch = c.arch === 'arm64' || configEnabled(c, 'ARM64') ? 'arm64' : c.arch === 'arm' || configEnabled(c, 'ARM') ? 'arm' : undefined;
  if (!arch) {
    r.error('arch-not-modelled', `Linux/${c.arch ?? '?'}: the model boots arm64 and arm kernels`);
    return fail();
  }
  const pageSize = configPageSize(c);
  const lpae = configEnabled(c, 'ARM_LPAE');
  if (configEnabled(c, 'RANDOMIZE_BASE'))
    r.diagnostics.push(
      diag(
        'note',
        'kaslr',
        `RANDOMIZE_BASE is set: the kernel image moves at each boot unless the command line has nokaslr or there is no seed (no /chosen kaslr-seed, no RNDR in the CPU); the plan places it where nokaslr does${arch === 'arm64' ? kaslrLinearMapNote(series.arm64.kaslrLinearMap) : ''}`,
        configSpan(c, 'RANDOMIZE_BASE'),
      ),
    );
  if (!configEnabled(c, 'OF_KOBJ'))
    r.warn(
      'config-not-modelled',
      "OF_KOBJ is not set (no SYSFS): struct device_node has no kobject and struct property no bin_attribute (include/linux/of.h), so unflatten_device_tree's allocation is smaller than the model's",
      'OF_KOBJ',
    );
  const lockDebug = ['DEBUG_SPINLOCK', 'DEBUG_LOCK_ALLOC'].find((o) => configEnabled(c, o));
  if (lockDebug)
    r.warn(
      'config-not-modelled',
      `${lockDebug} grows spinlock_t: swiotlb's per-area structures (kernel/dma/swiotlb.c io_tlb_area) take more than the model's; \`kernels measure\` measures pg_data_t, not those`,
      lockDebug,
    );
  // the lab build is consulted only for what the build's own measurement lacks
  const ownAll = !!own && measuredNames[arch].every((n) => own.sizes[n] !== undefined);
  const ref = ownAll ? undefined : reference(r, series, arch, pageSize, lpae, labBuilds());
  if (!ownAll && !ref) return fail();
  const config = buildConfig(r, series, pageSize);
  const reservedMemConfig = reservedMemTable(r);
  const builtIn = builtInParams(r, series);
  const described = describe ?? `${c.file} and ${sm.map.file} (Linux/${arch} ${c.release})`;
  const build: BuiltProfile['build'] =
    arch === 'arm64'
      ? { arch, build: arm64Build(r, series, ref?.arch === 'arm64' ? ref.build : undefined, config, own, ref) }
      : { arch, build: armBuild(r, series, ref?.arch === 'arm' ? ref.build : undefined, config, lpae, own, ref) };
  const profile =
    build.arch === 'arm64' ? arm64Profile(series, id, described, build.build) : armProfile(series, id, described, build.build);
  if (r.diagnostics.some((d) => d.severity === 'error')) return fail();
  return {
    profile: {
      ...profile,
      params: { ...profile.params, ...(builtIn ? { builtIn } : {}) },
      reservedMemConfig,
      buildDiagnostics: r.diagnostics,
    },
    build,
    diagnostics: r.diagnostics,
  };
}

/**
 * The two files of a stored excerpt as read, each line at its number in the original file (only
 * the excerpt's lines are read: a System.map's hundred thousand others are not made up again).
 */
export function readExcerpt(e: BuildExcerpt): {
  cfg: { config: KernelConfig; diagnostics: Diagnostic[] };
  sm: { map: SystemMap; diagnostics: Diagnostic[] };
} {
  const at = (x: BuildExcerpt['config'], n: number): number => x.lines[n - 1]?.[0] ?? n;
  const cfg = readKernelConfig(e.config.lines.map(([, l]) => l).join('\n'), `${e.config.file} (${e.config.from})`);
  for (const v of cfg.config.values.values()) v.line = at(e.config, v.line);
  if (cfg.config.headerLine !== undefined) cfg.config.headerLine = at(e.config, cfg.config.headerLine);
  const sm = readSystemMap(e.systemMap.lines.map(([, l]) => l).join('\n'), `${e.systemMap.file} (${e.systemMap.from})`);
  for (const s of sm.map.symbols) s.line = at(e.systemMap, s.line);
  for (const [d, x] of [...cfg.diagnostics.map((d) => [d, e.config] as const), ...sm.diagnostics.map((d) => [d, e.systemMap] as const)]) {
    d.line = at(x, d.line);
    d.endLine = at(x, d.endLine);
  }
  return { cfg, sm };
}

/** Whether a value read from JSON is an excerpt (the stored files are data: checked, not trusted). */
export function isBuildExcerpt(x: unknown): x is BuildExcerpt {
  const isFile = (f: unknown): f is FileExcerpt => {
    if (typeof f !== 'object' || f === null) return false;
    const o = f as Record<string, unknown>;
    return (
      typeof o.file === 'string' &&
      typeof o.from === 'string' &&
      Array.isArray(o.lines) &&
      o.lines.every((l) => Array.isArray(l) && l.length === 2 && Number.isInteger(l[0]) && l[0] > 0 && typeof l[1] === 'string')
    );
  };
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return (
    typeof o.package === 'string' &&
    isFile(o.config) &&
    isFile(o.systemMap) &&
    (o.sha256 === undefined || (typeof o.sha256 === 'string' && /^[0-9a-f]{64}$/.test(o.sha256)))
  );
}

/**
 * What a randomised arm64 boot changes in the plan's figures. Only the image's virtual address moves
 * with it (its physical place and size do not), so memblock reserves and allocates the same before
 * memblock_free_all: the Memory: line's reserved figure was the same with and without nokaslr on QEMU
 * virt for 5.10, 6.12 and 7.2-arm64. The linear map's base moves too where the series randomises it
 * (version layer kaslrLinearMap): then its and vmemmap's page tables may take a page more or less.
 */
function kaslrLinearMapNote(linearMap: 'memory-span' | 'pa-range' | 'none'): string {
  const same = "; only its virtual address moves, so memblock reserves the same and the Memory: line's reserved figure is nokaslr's";
  if (linearMap === 'none') return same;
  const when =
    linearMap === 'memory-span'
      ? "the linear region is larger than the RAM's span by ARM64_MEMSTART_ALIGN"
      : "the CPU's physical address range leaves ARM64_MEMSTART_ALIGN of the linear region free (not with QEMU's -cpu max)";
  return `${same}, except that where ${when} arm64_memblock_init (arch/arm64/mm/init.c) also moves the linear map's base by a random multiple of ARM64_MEMSTART_ALIGN: the page tables of the linear map and vmemmap may then take a page more or less than the plan's`;
}
