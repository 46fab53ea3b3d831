// The build facts of the packages a lab kernel's records were made on: data/lab/<id>.build.json
// holds, per package, the lines of its `.config` and (real) `System.map` the profile is built from
// (src/kernel/build/excerpt.ts), with where each came from. Written from the package itself (the
// lab's export, `carveout kernels facts`), never typed in; a record's facts are the entry of the
// package it names, so records of two point releases each replay with their own build.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { cacheDir } from '../cache.js';
import { writeDtb } from '../fdt/writer.js';
import { virtTree } from '../platform/qemu-virt.js';
import { observe } from './lab.js';
import { excerptBuild, excerptFiles, isBuildExcerpt, type BuildExcerpt } from '../kernel/build/excerpt.js';
import { renderDiagnostic } from '../diagnostics.js';
import { buildProfile, type BuiltProfile } from '../kernel/build/profile.js';
import { ownMeasuredPath, readKeptMeasurement, writeKeptMeasurement } from '../kernel/build/store.js';
import { debugPackage } from './debug-symbols.js';
import { debianReservedMemConfig, type ReservedMemConfig } from '../kernel/handlers/index.js';
import { getProfile } from '../kernel/profiles/index.js';
import { firstChunkUnit } from '../kernel/profiles/define.js';
import type { KernelProfile } from '../kernel/profiles/types.js';
import { bootedPackage, fetchRelease, type FetchReport, type KernelInfo } from './kernels.js';
import { labDataDir, readLabRecords, readLabRecordsJson, type LabRecord } from './records.js';
import {
  isStoredMeasurement,
  measureBoot,
  measureBoots,
  measuredNames,
  mergeMeasurements,
  type MeasuredName,
  storedMeasurement,
  storedSizes,
  type MeasureTarget,
  type StoredMeasurement,
} from '../kernel/build/measured.js';
import { diag, type Diagnostic } from '../diagnostics.js';
import { boot as qemuBoot, qemuAvailable } from './qemu.js';
import { parseConsole, type Observation } from './observation.js';

export interface BuildFactsFile {
  v: 1;
  kernel: string;
  /** One per package, sorted by `package`. */
  builds: BuildExcerpt[];
}

export function buildFactsPath(kernel: string, dir = labDataDir): string {
  return join(dir, `${kernel}.build.json`);
}

/** The stored facts of a lab kernel, or undefined when there are none (a malformed file throws: it is ours). */
export function readBuildFacts(kernel: string, dir = labDataDir): BuildFactsFile | undefined {
  const f = buildFactsPath(kernel, dir);
  if (!existsSync(f)) return undefined;
  const j = JSON.parse(readFileSync(f, 'utf8')) as Partial<BuildFactsFile>;
  const valid = (b: unknown) => isBuildExcerpt(b) && (b.measured === undefined || isStoredMeasurement(b.measured));
  if (j.v !== 1 || j.kernel !== kernel || !Array.isArray(j.builds) || !j.builds.every(valid))
    throw new Error(`${f}: not a build facts file of ${kernel}`);
  return { v: 1, kernel, builds: j.builds };
}

/** The stored facts of the package a record names (`<package> <version>`). */
export function factsOfPackage(kernel: string, pkg: string, dir = labDataDir): BuildExcerpt | undefined {
  return readBuildFacts(kernel, dir)?.builds.find((b) => b.package === pkg);
}

/** The profile of a stored package, built from its excerpt alone; it describes that package (and its files' sha256, when stored). */
export function profileOfFacts(kernel: string, e: BuildExcerpt): BuiltProfile {
  return ofPackage(buildProfile(excerptFiles(kernel, e)), e.package, e.sha256);
}

/** A built profile as the profile of Debian package `pkg` (`<package> <version>`), as measurements of that package name it. */
function ofPackage(built: BuiltProfile, pkg: string, filesSha256?: string): BuiltProfile {
  return built.profile ? { ...built, profile: { ...built.profile, debianPackage: pkg, ...(filesSha256 ? { filesSha256 } : {}) } } : built;
}

const profileCache = new Map<string, KernelProfile | undefined>();

/**
 * The profile of one package of a lab kernel, as its records name it (`<package> <version>`): the
 * built-in one when it states that package, else the one built from the package's stored facts
 * (data/lab/<id>.build.json); undefined when neither exists.
 */
export function profileOfPackage(kernel: string, pkg: string): KernelProfile | undefined {
  const builtin = getProfile(kernel);
  if (!builtin || builtin.debianPackage === pkg) return builtin;
  const key = `${kernel} ${pkg}`;
  if (!profileCache.has(key)) {
    const facts = factsOfPackage(kernel, pkg);
    profileCache.set(key, facts ? profileOfFacts(kernel, facts).profile : undefined);
  }
  return profileCache.get(key);
}

/**
 * One line per entry of the lines arrays, so a new point release shows as a readable diff.
 */
function format(f: BuildFactsFile): string {
  const lines = (x: BuildExcerpt['config']) =>
    `{ "file": ${JSON.stringify(x.file)}, "from": ${JSON.stringify(x.from)}, "lines": [\n${x.lines.map((l) => `        ${JSON.stringify(l)}`).join(',\n')}\n      ] }`;
  const measured = (m: StoredMeasurement) => {
    const size = (x: StoredMeasurement['sizes'][number]) =>
      `        { "name": ${JSON.stringify(x.name)}, "value": ${JSON.stringify(x.value)}, "boot": ${JSON.stringify(x.boot)}, "lines": [\n${x.lines.map((l) => `          ${JSON.stringify(l)}`).join(',\n')}\n        ] }`;
    return `{ "from": ${JSON.stringify(m.from)}, "sizes": [\n${m.sizes.map(size).join(',\n')}\n      ] }`;
  };
  const builds = f.builds.map(
    (b) =>
      `    {\n      "package": ${JSON.stringify(b.package)},${b.sha256 ? `\n      "sha256": ${JSON.stringify(b.sha256)},` : ''}\n      "config": ${lines(b.config)},\n      "systemMap": ${lines(b.systemMap)}${b.measured ? `,\n      "measured": ${measured(b.measured)}` : ''}\n    }`,
  );
  return `{\n  "v": 1,\n  "kernel": ${JSON.stringify(f.kernel)},\n  "builds": [\n${builds.join(',\n')}\n  ]\n}\n`;
}

/** What the measurement needs of a lab kernel's build: its arch, page size and section size. */
export function measureTarget(p: KernelProfile): MeasureTarget {
  return {
    arch: p.arch,
    pageSize: p.pageSize,
    physAddrBits: p.physAddrBits,
    ...(p.arm64 ? { sectionSizeBits: p.arm64.sparse.sectionSizeBits } : {}),
  };
}

/**
 * The sizes no file states, measured from every recorded boot of one package of a lab kernel
 * (src/kernel/build/measured.ts): each from the first record that shows it, checked against all
 * the others. Diagnostics: a size no record shows (a warning), records that disagree (an error).
 */
export function measureRecords(kernel: string, pkg: string, dir = labDataDir): { measured?: StoredMeasurement; diagnostics: Diagnostic[] } {
  const records = readLabRecords(kernel, dir).filter((r) => r.package === pkg);
  const p = getProfile(kernel);
  if (!p) return { diagnostics: [] };
  return measureTraces(records, measureTarget(p), `data/lab/${kernel}.jsonl.gz`, pkg);
}

/**
 * The same for any build's records (an own build's, scripts/own-kernel/record.ts): `file` names
 * where they are stored, `what` the build.
 */
export function measureTraces(
  records: readonly Pick<LabRecord, 'caseId' | 'ram' | 'append' | 'traceAppend' | 'observation'>[],
  target: MeasureTarget,
  file: string,
  what: string,
): { measured?: StoredMeasurement; diagnostics: Diagnostic[] } {
  const traced = records.filter((r) => r.observation.memblock.length);
  if (!traced.length) return { diagnostics: [] };
  const m = measureBoots(
    target,
    traced.map((r) => ({ source: r.caseId, log: r.observation })),
    file,
  );
  if (!m.found.length) return { diagnostics: m.diagnostics };
  const byCase = new Map(traced.map((r) => [r.caseId, r]));
  const measured = storedMeasurement(`${file}, the memblock=debug boots of ${what}`, m.found, (c) => {
    const r = byCase.get(c)!;
    return { case: c, ram: r.ram, append: r.traceAppend ?? r.append };
  });
  return { measured, diagnostics: m.diagnostics };
}

/**
 * Store a package's facts beside the kernel's records (replacing that package's entry, keeping the
 * others'); what no file states is measured from the package's records there (what they do not
 * show taken from the package's measurement boot, when the cache keeps one), unless the excerpt
 * brings its own measurement.
 */
export function writeBuildFacts(kernel: string, e: BuildExcerpt, dir = labDataDir): Diagnostic[] {
  const old = readBuildFacts(kernel, dir)?.builds ?? [];
  const m = e.measured ? { measured: e.measured, diagnostics: [] } : measureRecords(kernel, e.package, dir);
  // what the records do not show, the package's measurement boot may: kept in the kernel cache, or
  // (a cache on another machine) stored beside the records already, which are not given up
  const [name = '', version = ''] = e.package.split(' ');
  const kept = e.measured
    ? undefined
    : (cachedMeasurement({ package: name, version }) ?? old.find((b) => b.package === e.package)?.measured);
  const measured = kept ? mergeMeasurements(m.measured, kept) : m.measured;
  if (measured) e = { ...e, measured };
  const builds = [...old.filter((b) => b.package !== e.package), e].sort((a, b) =>
    a.package < b.package ? -1 : a.package > b.package ? 1 : 0,
  );
  const f = buildFactsPath(kernel, dir);
  writeFileSync(`${f}.tmp`, format({ v: 1, kernel, builds }));
  renameSync(`${f}.tmp`, f);
  return m.diagnostics;
}

/**
 * The facts of a fetched package, read from its files in the kernel cache: its config (from the
 * image package, 7.x's linux-base) and its real System.map (from the -dbg package,
 * src/verify/debug-symbols.ts). Diagnostics when the files do not build a profile (Debian's stub
 * System.map among them).
 */
export function packageFacts(k: KernelInfo, measured?: StoredMeasurement): { excerpt?: BuildExcerpt; built: BuiltProfile } {
  const read = (f: string): string => (f && existsSync(f) ? readFileSync(f, 'utf8') : '');
  const name = (f: string): string => basename(f);
  const configFrom = k.package.startsWith('linux-binary-') ? k.package.replace(/^linux-binary-/, 'linux-base-') : k.package;
  const config = read(k.config);
  const map = read(k.systemMap);
  const r = excerptBuild(
    {
      id: k.id,
      config: { file: name(k.config), text: config },
      systemMap: { file: name(k.systemMap), text: map },
      ...(measured ? { measured: { sizes: storedSizes(measured), from: measured.from } } : {}),
    },
    { package: bootedPackage(k), configFrom, systemMapFrom: debugPackage(k.package) },
  );
  const built = ofPackage(r.built, bootedPackage(k), r.excerpt?.sha256);
  return r.excerpt ? { built, excerpt: measured ? { ...r.excerpt, measured } : r.excerpt } : { built };
}

/** Where a package's measurement boot is kept: the kernel cache, by package and version. */
export function measuredCachePath(k: Pick<KernelInfo, 'package' | 'version'>): string {
  return join(cacheDir(), 'kernels', 'measured', `${k.package}_${k.version}.json`);
}

/**
 * A package's measured sizes: the lab's, from its records (data/lab/<id>.build.json), else those
 * of its measurement boot (`kernels fetch`, in the kernel cache), else undefined.
 */
export function measuredOfPackage(k: KernelInfo, dir = labDataDir): StoredMeasurement | undefined {
  return factsOfPackage(k.id, bootedPackage(k), dir)?.measured ?? cachedMeasurement(k);
}

/** The package's measurement boot kept in the kernel cache, or undefined. */
function cachedMeasurement(k: Pick<KernelInfo, 'package' | 'version'>): StoredMeasurement | undefined {
  return readKeptMeasurement(measuredCachePath(k), { package: bootedPackage(k) });
}

/** The sizes of the arch a measurement lacks. */
function lacking(k: KernelInfo, m: StoredMeasurement | undefined): MeasuredName[] {
  const arch = k.debArch === 'arm64' ? 'arm64' : 'arm';
  return measuredNames[arch].filter((n) => !m?.sizes.some((x) => x.name === n));
}

/** The package's measurement boot: the one kept in the cache, else a new one (measurePackage); no QEMU is a note. */
async function bootMeasurement(
  k: KernelInfo,
): Promise<{ measured?: StoredMeasurement; file?: string; booted: boolean; diagnostics: Diagnostic[] }> {
  const kept = cachedMeasurement(k);
  // a boot kept from before the arch measured what it lacks is made again
  if (kept && !lacking(k, kept).length) return { measured: kept, file: measuredCachePath(k), booted: false, diagnostics: [] };
  const missing = qemuAvailable(k.debArch === 'arm64' ? 'arm64' : 'arm');
  if (missing)
    return { booted: false, diagnostics: [diag('note', 'not-measured', `${bootedPackage(k)}: no measurement boot (${missing})`)] };
  return { ...(await measurePackage(k)), booted: true };
}

/**
 * What `kernels fetch` does for a fetched package: nothing when its sizes are measured already
 * (the built-in profile's package, a recorded one, or an earlier measurement boot), else one
 * measurement boot (measurePackage). A missing QEMU is a note, not an error: the profile keeps the
 * lab build's sizes.
 */
export async function ensureMeasured(
  k: KernelInfo,
): Promise<{ measured?: StoredMeasurement; file?: string; booted: boolean; diagnostics: Diagnostic[] }> {
  const recorded = factsOfPackage(k.id, bootedPackage(k))?.measured;
  if (recorded && !lacking(k, recorded).length) return { measured: recorded, booted: false, diagnostics: [] };
  return bootMeasurement(k);
}

/** A 32-bit measurement boot's command line: the lab's, without earlycon, with a log buffer that keeps the whole trace. */
export const WHOLE_TRACE_APPEND = 'console=ttyAMA0 panic=-1 memblock=debug log_buf_len=4M';

/** RAM of a measurement boot: all of it lowmem on 32-bit, so the default CMA area is remapped by iotable_init. */
const MEASURE_RAM = 512n << 20n;

/** A 32-bit measurement boot (WHOLE_TRACE_APPEND), stopped after the "Memory:" line, as the lab parses it. */
async function wholeTraceBoot(k: KernelInfo, dtb: Uint8Array): Promise<{ observation: Observation; append: string; traceAppend?: string }> {
  const append = WHOLE_TRACE_APPEND;
  const b = await qemuBoot({
    arch: 'arm',
    vmlinuz: k.vmlinuz,
    dtb,
    ramBytes: MEASURE_RAM,
    append,
    timeoutMs: 90_000,
    earlyStop: 'memory-line',
    niceness: 10,
  });
  return { observation: parseConsole(k.id, b.console), append };
}

/**
 * One measurement boot of a build under QEMU virt (QEMU's own tree, no reserved memory of a case's,
 * memblock=debug, at nice 10), stopped once memory setup has been printed: the sizes its trace
 * shows (src/kernel/build/measured.ts), with where they come from. `p`: the build's profile (arch,
 * page size, section size). Diagnostics: a size the boot does not show.
 */
async function measurementBoot(
  k: KernelInfo,
  p: KernelProfile,
  what: string,
): Promise<{ measured?: StoredMeasurement; diagnostics: Diagnostic[] }> {
  const base = virtTree(p.arch, MEASURE_RAM);
  if (!base.tree) return { diagnostics: base.diagnostics };
  const dtb = writeDtb(base.tree);
  // 32-bit: with earlycon Debian's armmp kernels print nothing after the MEMBLOCK table under
  // memblock=debug, and the per-cpu setup comes after it; without earlycon the console prints the
  // log buffer once it registers, and a 4 MiB one (log_buf_len=4M) keeps the whole trace up to the
  // "Memory:" line
  const res = p.arch === 'arm' ? await wholeTraceBoot(k, dtb) : await observe(k, dtb, MEASURE_RAM, '', { fast: true, niceness: 10 });
  const source = `a memblock=debug boot of ${what} under QEMU virt (${MEASURE_RAM >> 20n} MiB)`;
  const m = measureBoot(measureTarget(p), res.observation, source);
  if (!m.found.length) return { diagnostics: m.diagnostics };
  const boot = { ram: `0x${MEASURE_RAM.toString(16)}`, append: res.traceAppend ?? res.append };
  const measured = storedMeasurement(
    source,
    m.found.map((f) => ({ ...f, source, boots: 1 })),
    () => boot,
  );
  return { measured, diagnostics: m.diagnostics };
}

/**
 * One measurement boot of a package of a lab kernel (measurementBoot), stored in the kernel cache
 * beside the package (measuredCachePath), so the profile built from the package's files uses it.
 */
export async function measurePackage(k: KernelInfo): Promise<{ measured?: StoredMeasurement; file?: string; diagnostics: Diagnostic[] }> {
  const p = getProfile(k.id);
  if (!p) throw new Error(`${k.id}: not a lab kernel`);
  const pkg = bootedPackage(k);
  const r = await measurementBoot(k, p, pkg);
  if (!r.measured) return r;
  const file = measuredCachePath(k);
  writeKeptMeasurement(file, { package: pkg }, r.measured);
  return { ...r, file };
}

/**
 * One measurement boot of a user's own build (`kernels measure NAME --kernel-image`), `p` its
 * profile from its two files: stored in the kernel cache under those files' sha256
 * (src/kernel/build/store.ts ownMeasuredPath), where every profile built from the same two files
 * finds it, under any name. Without it an own build's sizes are the nearest lab build's, and a
 * build whose config changes the structures they measure (PREEMPT_RT's spinlocks in pg_data_t)
 * differs from them.
 */
export async function measureOwnBuild(
  k: KernelInfo,
  p: KernelProfile,
  label: string,
): Promise<{ measured?: StoredMeasurement; file?: string; diagnostics: Diagnostic[] }> {
  if (!p.filesSha256) throw new Error(`${label}: a profile without its files' sha256`);
  const r = await measurementBoot(k, p, `${label} (${basename(k.vmlinuz)})`);
  if (!r.measured) return r;
  const file = ownMeasuredPath(p.filesSha256);
  writeKeptMeasurement(file, { filesSha256: p.filesSha256 }, r.measured);
  return { ...r, file };
}

/** The RESERVEDMEM_OF_DECLARE handlers a build has, by the names of their source files' pools. */
function describeHandlers(h: ReservedMemConfig): string {
  return (
    [h.dmaCma && 'cma', h.dmaDeclareCoherent && 'dma-coherent', h.dmaRestrictedPool && 'restricted-dma'].filter(Boolean).join('+') || 'none'
  );
}

/** What the facts say, in one line: the image, __init_begin, the handlers, CMA. */
export function describeFacts(p: BuiltProfile['profile']): string {
  if (!p) return 'no profile';
  const hex = (x: bigint) => `0x${x.toString(16)}`;
  const image = p.arm64
    ? `image ${hex(p.arm64.reserveSize)}, __init_begin +${hex(p.arm64.initBeginOffset)}`
    : p.arm
      ? `image ${hex(p.arm.kernelSize)} at +${hex(p.arm.kernelOffset)}`
      : '';
  const h = p.reservedMemConfig;
  const handlers = h
    ? [h.dmaCma && 'cma', h.dmaDeclareCoherent && 'dma-coherent', h.dmaRestrictedPool && 'restricted-dma'].filter(Boolean).join('+')
    : '?';
  return `${image}, handlers ${handlers}, CMA ${p.cmaSizeMBytes} MiB, page ${p.pageSize / 1024}K`;
}

export interface StoredFacts {
  kernel: string;
  package: string;
  file?: string;
  summary?: string;
  error?: string;
  /** What the records do not show or show differently (src/kernel/build/measured.ts). */
  warnings?: string[];
}

/**
 * Store, beside a lab kernel's records in `dir`, the facts of every package they were made on: each
 * package is fetched (src/verify/kernels.ts fetchRelease: the cached kernel when it is that
 * package) and read. A package the archive no longer has at the recorded version is an error.
 */
export async function storeRecordedFacts(kernel: string, dir: string, report: FetchReport): Promise<StoredFacts[]> {
  const packages = [...new Set(readLabRecordsJson(kernel, dir).map((r) => r.package))].sort();
  const out: StoredFacts[] = [];
  for (const pkg of packages) out.push(await storePackageFacts(kernel, pkg, dir, report));
  return out;
}

/**
 * One recorded package's facts: its files' lines, and the sizes no file states measured from its
 * records, completed by a measurement boot when the records do not show them all.
 */
async function storePackageFacts(kernel: string, pkg: string, dir: string, report: FetchReport): Promise<StoredFacts> {
  const [name = '', version = ''] = pkg.split(' ');
  const k = fetchRelease(kernel, name, report);
  if (!k) return { kernel, package: pkg, error: `${name} could not be fetched` };
  if (k.version !== version) return { kernel, package: pkg, error: `the archive has ${name} ${k.version}, the records ${version}` };
  const r = packageFacts(k);
  if (!r.excerpt) return { kernel, package: pkg, error: r.built.diagnostics.map((d) => renderDiagnostic(d)).join('; ') };
  const fromRecords = measureRecords(kernel, pkg, dir);
  let measured = fromRecords.measured;
  const diagnostics = [...fromRecords.diagnostics];
  if (lacking(k, measured).length) {
    const b = await bootMeasurement(k);
    diagnostics.push(...b.diagnostics);
    if (b.measured) measured = mergeMeasurements(measured, b.measured);
  }
  const warnings = [...diagnostics, ...writeBuildFacts(kernel, { ...r.excerpt, ...(measured ? { measured } : {}) }, dir)].map((d) =>
    renderDiagnostic(d),
  );
  const sizes = measured ? `; measured ${measured.sizes.map((x) => `${x.name} ${x.value}`).join(', ')}` : '';
  return {
    kernel,
    package: pkg,
    file: buildFactsPath(kernel, dir),
    summary: describeFacts(r.built.profile) + sizes,
    ...(warnings.length ? { warnings } : {}),
  };
}

/** What a build's files state that differs between two profiles, as `what old -> new`. */
export function factsChanged(from: KernelProfile, to: KernelProfile): string[] {
  const hex = (x: bigint | undefined) => (x === undefined ? '-' : `0x${x.toString(16)}`);
  // pcpu_setup_first_chunk's and pcpu_alloc_first_chunk's, after the two pages and the unit of pcpu_embed_first_chunk
  const bitmaps = (p: KernelProfile) => {
    const late = (p.arm64 ?? p.arm)?.lateAllocs;
    return late
      ? late
          .filter((a) => a.op === 'alloc')
          .slice(3)
          .map((a) => hex(a.size))
          .join(',')
      : '-';
  };
  // a built-in profile without a table has Debian's (handlers/index.ts builtinHandlers)
  const handlers = (p: KernelProfile) => describeHandlers(p.reservedMemConfig ?? debianReservedMemConfig);
  const rows: Array<[string, string, string]> = [
    ['image', hex(from.arm64?.reserveSize ?? from.arm?.kernelSize), hex(to.arm64?.reserveSize ?? to.arm?.kernelSize)],
    ['image offset', hex(from.arm?.kernelOffset), hex(to.arm?.kernelOffset)],
    ['__init_begin', hex(from.arm64?.initBeginOffset), hex(to.arm64?.initBeginOffset)],
    ['per-cpu unit', hex(firstChunkUnit(from)), hex(firstChunkUnit(to))],
    ['NODE_DATA', hex(from.arm64?.numa.nodeDataSize), hex(to.arm64?.numa.nodeDataSize)],
    ['usemap per section', hex(from.arm64?.sparse.usemapBytesPerSection), hex(to.arm64?.sparse.usemapBytesPerSection)],
    ['per-cpu bitmaps', bitmaps(from), bitmaps(to)],
    ['struct static_vm', hex(from.arm?.pagingInit.staticVmSize), hex(to.arm?.pagingInit.staticVmSize)],
    ['CMA MiB', String(from.cmaSizeMBytes), String(to.cmaSizeMBytes)],
    ['CMA alignment', String(from.cmaAlignment), String(to.cmaAlignment)],
    ['CMA areas', String(from.maxCmaAreas), String(to.maxCmaAreas)],
    ['MAX_ORDER', String(from.maxOrder), String(to.maxOrder)],
    ['pageblock order', String(from.pageblockOrder), String(to.pageblockOrder)],
    ['nodes', String(from.maxNumNodes), String(to.maxNumNodes)],
    ['handlers', handlers(from), handlers(to)],
  ];
  return rows.filter(([, a, b]) => a !== b).map(([what, a, b]) => `${what} ${a} -> ${b}`);
}

/**
 * The profile of the package of a lab kernel at hand (`verify` boots it, `kernels fetch` fetched
 * it): the built-in profile when it states that package, else the one built from the package's own
 * config and System.map — another point release has its own image extent, __init_begin, per-cpu
 * unit, handlers and config, while what no file states stays the built-in's lab measurement. The
 * note says which was taken and what the package's files change.
 */
export function profileForPackage(k: KernelInfo): { profile?: KernelProfile; note?: string } {
  const builtin = getProfile(k.id);
  const pkg = bootedPackage(k);
  if (builtin?.debianPackage === pkg) return { profile: builtin };
  const measured = measuredOfPackage(k);
  const facts = packageFacts(k, measured);
  const built = facts.built.profile;
  const measuredOn = builtin ? `the built-in profile is ${builtin.debianPackage}'s` : 'there is no built-in profile';
  if (!built)
    return {
      ...(builtin ? { profile: builtin } : {}),
      note: `${k.id}: ${pkg}'s config and System.map build no profile (${facts.built.diagnostics[0]?.message ?? '?'}); ${measuredOn}`,
    };
  const changed = builtin ? factsChanged(builtin, built) : [];
  return {
    profile: built,
    note:
      `${k.id}: ${pkg} is read from its own config and System.map (${measuredOn}: ${changed.length ? changed.join(', ') : 'the same facts'}); ` +
      (measured
        ? `sizes no file states: ${built.provenance.replace(/^.*? measured: /, '')}`
        : `sizes no file states stay that build's lab measurement (carveout kernels fetch ${k.id} measures them with one boot)`),
  };
}
