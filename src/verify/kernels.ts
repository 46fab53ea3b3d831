// Kernels as data: the Debian kernels the lab boots, how to fetch them (apt-get download +
// dpkg-deb), where they are cached, and what their config says (page size, LPAE, CMA defaults).
import { cacheDir } from '../cache.js';
import { debugPackage, fetchSystemMap, isStubSystemMap } from './debug-symbols.js';
import { configEnabled, configNumber, configPageSize, readKernelConfig as readConfig } from '../kernel/build/config.js';
import { getProfile } from '../kernel/profiles/index.js';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, rmSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';

export type LabArch = 'arm64' | 'arm';

/**
 * How Debian ships each kernel series the lab boots: the version part of the package names
 * (`linux-image-<version>-<flavour>`), the suite that has it when a Debian 12 host lacks it
 * (bullseye for 5.10, bookworm-backports for 6.12, sid for 7.x), and the packaging: `image` is one
 * `linux-image-*` package with `boot/{vmlinuz,config,System.map}-*` (arm64's unsigned variant);
 * `split` (from 7.x) makes `linux-image-*` a metapackage: the image is in
 * `linux-binary-<version>-<flavour>` (`usr/lib/modules/<version>/vmlinuz`), config and System.map
 * in `linux-base-<version>-<flavour>` (same directory).
 */
const debianSeries = {
  '5.10': { packageVersion: '5\\.10\\.0-[0-9]+', suite: 'bullseye', packaging: 'image' },
  '6.1': { packageVersion: '6\\.1\\.0-[0-9]+', suite: 'bookworm', packaging: 'image' },
  '6.12': {
    packageVersion: '6\\.12\\.[0-9]+\\+deb12(\\.[0-9]+)?',
    suite: 'bookworm-backports',
    packaging: 'image',
    // trixie's own build of the series (Debian 13's kernel): the same flavours, another compiler
    also: [{ packageVersion: '6\\.12\\.[0-9]+\\+deb13(\\.[0-9]+)?', suite: 'trixie' }],
  },
  '7.2': { packageVersion: '7\\.2\\.[0-9]+\\+deb14', suite: 'sid', packaging: 'split' },
} as const satisfies Record<
  string,
  { packageVersion: string; suite: string; packaging: 'image' | 'split'; also?: readonly { packageVersion: string; suite: string }[] }
>;

export type LabSeries = keyof typeof debianSeries;

export interface LabKernelDef {
  /** Lab ID: `<series>-<Debian flavour>`. */
  id: string;
  series: LabSeries;
  flavour: string;
  arch: LabArch;
  debArch: 'arm64' | 'armhf';
  /**
   * apt-cache search pattern (anchored regex) for the package holding the image (`linux-image-*`,
   * or `linux-binary-*` in the split packaging); the newest match is used.
   */
  packageRegex: string;
  /** The Debian suite that ships it (enabled by prepareApt when the host lacks it). */
  suite: string;
  /**
   * The series' builds in other suites (6.12: trixie's `+deb13` beside bookworm-backports'
   * `+deb12`): reached by naming a package (`--package`), never the default. `packageSuite`.
   */
  otherBuilds: { packageRegex: string; suite: string }[];
  packaging: 'image' | 'split';
  /** Debian's armmp kernels stop printing right after `MEMBLOCK configuration` when booted with
   *  memblock=debug (seen on 6.1.176 and 6.12.95 under QEMU 7.2): the lab boots them twice. */
  traceNeedsSeparateBoot: boolean;
  /** Whether the lab's default recording includes it. */
  core: boolean;
}

const def = (series: LabSeries, flavour: string, core: boolean): LabKernelDef => {
  const arm64 = /(^|-)arm64(-16k)?$/.test(flavour); // arm64, arm64-16k, rt-arm64, cloud-arm64
  const debian = debianSeries[series];
  const split = debian.packaging === 'split';
  // arm64's image package in the one-package scheme is `-unsigned` (the signed one is a wrapper).
  const pkgFlavour = arm64 && !split ? `${flavour}-unsigned` : flavour;
  const regexOf = (version: string) => `^linux-${split ? 'binary' : 'image'}-${version}-${pkgFlavour.replace(/-/g, '\\-')}$`;
  return {
    id: `${series}-${flavour}`,
    series,
    flavour,
    arch: arm64 ? 'arm64' : 'arm',
    debArch: arm64 ? 'arm64' : 'armhf',
    packageRegex: regexOf(debian.packageVersion),
    suite: debian.suite,
    otherBuilds: ('also' in debian ? debian.also : []).map((b) => ({ packageRegex: regexOf(b.packageVersion), suite: b.suite })),
    packaging: debian.packaging,
    traceNeedsSeparateBoot: !arm64,
    core,
  };
};

export const labKernels: readonly LabKernelDef[] = [
  def('6.1', 'arm64', true),
  def('6.12', 'arm64', true),
  def('6.12', 'arm64-16k', true),
  def('6.1', 'armmp', true),
  def('6.1', 'armmp-lpae', true),
  def('6.12', 'armmp', false),
  def('6.12', 'armmp-lpae', false),
  def('5.10', 'arm64', false),
  def('5.10', 'armmp', false),
  def('5.10', 'armmp-lpae', false),
  def('7.2', 'arm64', false),
  def('7.2', 'arm64-16k', false),
  def('7.2', 'armmp', false),
  def('7.2', 'armmp-lpae', false),
];

export function findKernelDef(id: string): LabKernelDef | undefined {
  return labKernels.find((k) => k.id === id);
}

/** The suite that ships `pkg` as a build of `k` (its own, or another build's: `otherBuilds`), or undefined when it is none. */
export function packageSuite(k: LabKernelDef, pkg: string): string | undefined {
  if (new RegExp(k.packageRegex).test(pkg)) return k.suite;
  return k.otherBuilds.find((b) => new RegExp(b.packageRegex).test(pkg))?.suite;
}

/** What a package of `k` looks like, for a message saying a name is none. */
export function packagePatterns(k: LabKernelDef): string {
  return [k.packageRegex, ...k.otherBuilds.map((b) => `${b.packageRegex} from ${b.suite}`)].join(' or ');
}

/** What `fetch` learned about an unpacked kernel (cached as info.json). */
export interface KernelInfo {
  id: string;
  package: string;
  version: string;
  debArch: string;
  vmlinuz: string;
  config: string;
  systemMap: string;
  /** From boot/config-*. */
  pageSize: number;
  lpae: boolean;
  highmem: boolean;
  cmaSizeMbytes?: number;
  cmaAlignment?: number;
  cmaAreas?: number;
  forceMaxOrder?: number;
  nodesShift?: number;
  numa: boolean;
  randomizeBase: boolean;
  /** Every CONFIG_ line of interest, verbatim. */
  configLines: Record<string, string>;
}

/** `<package> <version>` of a kernel, as its lab records name it. */
export function bootedPackage(k: Pick<KernelInfo, 'package' | 'version'>): string {
  return `${k.package} ${k.version}`;
}

export function kernelDir(id: string): string {
  return join(cacheDir(), 'kernels', id);
}

/** The cached kernel, or undefined when it has not been fetched. */
export function cachedKernel(id: string): KernelInfo | undefined {
  return readInfo(kernelDir(id));
}

/**
 * A cached kernel's info.json, its files found in its own directory: a cache restored elsewhere (a
 * CI cache, a moved CARVEOUT_CACHE) keeps the absolute paths it was written with, which name the
 * old place.
 */
function readInfo(dir: string): KernelInfo | undefined {
  const f = join(dir, 'info.json');
  if (!existsSync(f)) return undefined;
  const k = JSON.parse(readFileSync(f, 'utf8')) as KernelInfo;
  const here = (p: string) => (p ? join(dir, 'boot', basename(p)) : p);
  return { ...k, vmlinuz: here(k.vmlinuz), config: here(k.config), systemMap: here(k.systemMap) };
}

/** The options a KernelInfo keeps verbatim (`configLines`), by name without `CONFIG_`. */
const CONFIG_KEYS =
  /^(ARM64_(4K|16K|64K)_PAGES|ARM_LPAE|HIGHMEM|CMA|CMA_SIZE_MBYTES|CMA_SIZE_PERCENTAGE|CMA_SIZE_SEL_\w+|CMA_ALIGNMENT|CMA_AREAS|ARCH_FORCE_MAX_ORDER|FORCE_MAX_ZONEORDER|NODES_SHIFT|NUMA|RANDOMIZE_BASE|DMA_CMA|DMA_DECLARE_COHERENT|DMA_RESTRICTED_POOL|DMA_GLOBAL_POOL|CRASH_DUMP|KEXEC|VMSPLIT_\w+|PAGE_OFFSET|ZONE_DMA|ZONE_DMA32|SWIOTLB|ARM_PATCH_PHYS_VIRT|AUTO_ZRELADDR|PHYS_OFFSET|ARM64_VA_BITS|ARM64_PA_BITS|ARCH_KEEP_MEMBLOCK|SPARSEMEM_VMEMMAP|OF_RESERVED_MEM|HAVE_MEMBLOCK_PHYS_MAP|MEMORY_HOTPLUG|DEBUG_FS|PHYS_ADDR_T_64BIT|KFENCE|KFENCE_NUM_OBJECTS)$/;

/** What a cached kernel's summary says of its `.config`, read through the one `.config` reader (src/kernel/build/config.ts). */
export function configSummary(
  text: string,
): Pick<
  KernelInfo,
  | 'pageSize'
  | 'lpae'
  | 'highmem'
  | 'cmaSizeMbytes'
  | 'cmaAlignment'
  | 'cmaAreas'
  | 'forceMaxOrder'
  | 'nodesShift'
  | 'numa'
  | 'randomizeBase'
  | 'configLines'
> {
  const { config: c } = readConfig(text, 'config');
  const lines: Record<string, string> = {};
  for (const [name, v] of c.values) if (CONFIG_KEYS.test(name)) lines[`CONFIG_${name}`] = v.value;
  const num = (k: string): number | undefined => {
    const v = configNumber(c, k);
    return v === undefined ? undefined : Number(v);
  };
  const pageSize = configPageSize(c);
  const out: ReturnType<typeof configSummary> = {
    pageSize,
    lpae: configEnabled(c, 'ARM_LPAE'),
    highmem: configEnabled(c, 'HIGHMEM'),
    numa: configEnabled(c, 'NUMA'),
    randomizeBase: configEnabled(c, 'RANDOMIZE_BASE'),
    configLines: lines,
  };
  const set = <K extends keyof typeof out>(k: K, v: (typeof out)[K] | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  set('cmaSizeMbytes', num('CMA_SIZE_MBYTES'));
  set('cmaAlignment', num('CMA_ALIGNMENT'));
  set('cmaAreas', num('CMA_AREAS'));
  // 5.10 calls it CONFIG_FORCE_MAX_ZONEORDER
  set('forceMaxOrder', num('ARCH_FORCE_MAX_ORDER') ?? num('FORCE_MAX_ZONEORDER'));
  set('nodesShift', num('NODES_SHIFT'));
  return out;
}

/** A kernel that is not a lab package — a user's own build (verify --kernel-image) — described as a cached one is. */
export function ownKernelInfo(id: string, files: { image: string; config: string; systemMap: string }, arch: LabArch): KernelInfo {
  const config = readFileSync(files.config, 'utf8');
  const release = /^# Linux\/\S+ (\S+) Kernel Configuration/m.exec(config)?.[1] ?? '';
  return {
    id,
    package: files.image,
    version: release,
    debArch: arch === 'arm64' ? 'arm64' : 'armhf',
    vmlinuz: files.image,
    config: files.config,
    systemMap: files.systemMap,
    ...configSummary(config),
  };
}

// ---------------------------------------------------------------- apt

export interface FetchReport {
  fetched: KernelInfo[];
  notFound: string[];
  errors: string[];
  log: string[];
}

function run(cmd: string, args: string[], opts: { cwd?: string; input?: string } = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    input: opts.input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.error) return { status: 127, stdout: '', stderr: String(r.error.message) };
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

export function haveCommand(cmd: string): boolean {
  return run('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Compare Debian-ish version strings by their numeric runs (enough for kernel ABI names). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/(\d+)/);
  const pb = b.split(/(\d+)/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    if (x === y) continue;
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return 0;
}

const preparedSuites = new Set<string>();
let aptUpdated = false;

/** The apt source files of the host. */
function aptSourceFiles(): string[] {
  const d = '/etc/apt/sources.list.d';
  return ['/etc/apt/sources.list', ...(existsSync(d) ? readdirSync(d).map((f) => join(d, f)) : [])];
}

/** Whether some apt source names `suite` (a whole word: `bookworm` is not `bookworm-backports`). */
function hasSuite(suite: string): boolean {
  return aptSourceFiles().some((f) => {
    try {
      return readFileSync(f, 'utf8').split(/\s+/).includes(suite);
    } catch {
      return false;
    }
  });
}

/**
 * Adds `suite` to apt's sources when the host lacks it (a Debian host only; a `<codename>-backports`
 * suite only on that codename). bookworm-backports is written as .ci/run writes it; the other
 * suites (bullseye, sid) are pinned to priority 1 so that nothing the host installs comes from
 * them: the lab only downloads kernel packages from them by name.
 */
function enableSuite(suite: string, report: FetchReport): boolean {
  if (hasSuite(suite)) return false;
  const osRelease = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '';
  if (!/^ID=debian$/m.test(osRelease)) return false;
  const codename = /^VERSION_CODENAME=(\S+)$/m.exec(osRelease)?.[1];
  const backportsOf = /^(\S+)-backports$/.exec(suite)?.[1];
  if (backportsOf !== undefined && backportsOf !== codename) return false;
  const stanza = `Types: deb\nURIs: http://deb.debian.org/debian\nSuites: ${suite}\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`;
  if (backportsOf !== undefined) writeFileSync('/etc/apt/sources.list.d/backports.sources', stanza);
  else {
    writeFileSync(`/etc/apt/sources.list.d/carveout-${suite}.sources`, stanza);
    mkdirSync('/etc/apt/preferences.d', { recursive: true });
    writeFileSync(`/etc/apt/preferences.d/carveout-${suite}`, `Package: *\nPin: release n=${suite}\nPin-Priority: 1\n`);
  }
  report.log.push(`enabled ${suite}${backportsOf === undefined ? ' (apt pin priority 1)' : ''}`);
  return true;
}

/** dpkg --add-architecture, the suite a kernel comes from, apt-get update (tolerating one failing index). */
export function prepareApt(report: FetchReport, suite: string | undefined, force = false): void {
  if (!force && preparedSuites.has(suite ?? '')) return;
  const first = preparedSuites.size === 0;
  preparedSuites.add(suite ?? '');
  let changed = false;
  if (first) {
    const archs = run('dpkg', ['--print-foreign-architectures']).stdout.split(/\s+/);
    for (const a of ['arm64', 'armhf']) {
      if (!archs.includes(a)) {
        run('dpkg', ['--add-architecture', a]);
        changed = true;
        report.log.push(`dpkg --add-architecture ${a}`);
      }
    }
  }
  if (suite !== undefined && enableSuite(suite, report)) changed = true;
  if (changed || force) {
    aptUpdated = true;
    const u = run('apt-get', ['update']);
    // A mirror syncing one index (seen: armhf security) makes update fail; the rest still works.
    if (u.status !== 0)
      report.log.push(
        `apt-get update exited ${u.status} (going on): ${u.stderr
          .split('\n')
          .filter((l) => /^(E|W):/.test(l))
          .slice(0, 3)
          .join(' | ')}`,
      );
  }
}

/** Every package name matching the kernel's pattern, oldest first (the archive may hold several point releases). */
export function findPackages(k: LabKernelDef): string[] {
  return aptPackages(k.packageRegex);
}

/** The package names apt's indexes have matching `regex` (anchored), oldest version first. */
function aptPackages(regex: string): string[] {
  const r = run('apt-cache', ['search', '--names-only', regex]);
  const names = r.stdout
    .split('\n')
    .map((l) => l.split(' - ')[0]!.trim())
    .filter((n) => n && new RegExp(regex).test(n));
  return names.sort(compareVersions);
}

/**
 * The package of a later series the archive offers in place of `k`'s when it has none of `k`'s
 * (sid moved on, 7.2 to 7.3: the issue's "kernels says the package is gone"), the same flavour and
 * packaging; undefined when it has one of `k`'s, or none of any series (an index apt could not
 * read is not a series gone).
 */
export function successorPackage(k: LabKernelDef): string | undefined {
  if (findPackages(k).length) return undefined;
  const anySeries = k.packageRegex.replace(debianSeries[k.series].packageVersion, ANY_VERSION);
  return aptPackages(anySeries)
    .filter((n) => compareVersions(seriesOf(n), k.series) > 0)
    .at(-1);
}

/** What `kernels fetch` says of a kernel the archive has no package of: gone to a later series, or none at all. */
function missingPackage(k: LabKernelDef): string {
  const later = successorPackage(k);
  return later === undefined
    ? `${k.id} (no package matching ${k.packageRegex} for ${k.debArch})`
    : `${k.id} (gone from ${k.suite}: the archive has ${later} of a later series, which this kernel is not)`;
}

/** A Debian kernel package's version part, any series: 5.10.0-30, 6.12.95+deb12, 7.2.13+deb14. */
const ANY_VERSION = '[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9]+|\\+deb[0-9]+(\\.[0-9]+)?)';
const seriesOf = (pkg: string): string => /-([0-9]+\.[0-9]+)\./.exec(pkg)?.[1] ?? '';

/** Newest package name matching the kernel's pattern, for the kernel's Debian architecture. */
export function findPackage(k: LabKernelDef): string | undefined {
  return findPackages(k).at(-1);
}

function aptDownload(pkg: string, debArch: string, dir: string): string | undefined {
  mkdirSync(dir, { recursive: true });
  const before = new Set(readdirSync(dir));
  const r = run('apt-get', ['download', `${pkg}:${debArch}`], { cwd: dir });
  const base = pkg.replace(/\+/g, '%2b');
  const files = readdirSync(dir).filter((f) => f.endsWith(`_${debArch}.deb`) && (f.startsWith(`${pkg}_`) || f.startsWith(`${base}_`)));
  if (r.status !== 0 && files.every((f) => before.has(f))) return undefined;
  files.sort(compareVersions);
  const f = files[files.length - 1];
  return f ? join(dir, f) : undefined;
}

/** Unpack only the members under `member` of a .deb (a kernel package is hundreds of MB of modules). */
function extractMember(deb: string, dest: string, member: string): boolean {
  mkdirSync(dest, { recursive: true });
  const r = run('sh', ['-c', `dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2" "$3"`, 'sh', deb, dest, member]);
  return r.status === 0;
}

/**
 * The kernel's image, config and System.map from its package(s) into `<tmp>/boot` under the names
 * of the one-package scheme (`vmlinuz-<release>`, `config-<release>`, `System.map-<release>`); the
 * split scheme's linux-base package is downloaded beside linux-binary. Returns an error, or undefined.
 */
function unpackKernel(k: LabKernelDef, pkg: string, deb: string, tmp: string): string | undefined {
  if (k.packaging === 'image') return extractMember(deb, tmp, './boot') ? undefined : `could not unpack ${deb}`;
  const release = pkg.replace(/^linux-binary-/, '');
  const basePkg = `linux-base-${release}`;
  const baseDeb = aptDownload(basePkg, k.debArch, join(cacheDir(), 'debs'));
  if (!baseDeb) return `${basePkg}:${k.debArch} could not be downloaded`;
  const modules = `./usr/lib/modules/${release}`;
  if (!extractMember(deb, tmp, `${modules}/vmlinuz`)) return `could not unpack ${deb}`;
  if (!extractMember(baseDeb, tmp, `${modules}/config`) || !extractMember(baseDeb, tmp, `${modules}/System.map`))
    return `could not unpack ${baseDeb}`;
  mkdirSync(join(tmp, 'boot'));
  for (const f of ['vmlinuz', 'config', 'System.map']) renameSync(join(tmp, modules, f), join(tmp, 'boot', `${f}-${release}`));
  rmSync(join(tmp, 'usr'), { recursive: true });
  return undefined;
}

/** Fetch and unpack kernels (default: the core five). Idempotent: cached kernels are kept. */
export function fetchKernels(ids: string[], opts: { refresh?: boolean } = {}): FetchReport {
  const report: FetchReport = { fetched: [], notFound: [], errors: [], log: [] };
  const defs: LabKernelDef[] = [];
  for (const id of ids) {
    const k = findKernelDef(id);
    if (!k) {
      report.errors.push(`unknown kernel '${id}' (known: ${labKernels.map((x) => x.id).join(', ')})`);
      continue;
    }
    defs.push(k);
  }
  for (const tool of ['apt-get', 'dpkg-deb', 'tar']) {
    if (!haveCommand(tool)) {
      report.errors.push(`'${tool}' not found: kernels are fetched from Debian packages (a Debian or Ubuntu host is needed)`);
      return report;
    }
  }
  for (const k of defs) {
    const cached = cachedKernel(k.id);
    if (cached && !opts.refresh && existsSync(cached.vmlinuz)) {
      realSystemMap(k, cached, report);
      report.fetched.push(cached);
      continue;
    }
    prepareApt(report, k.suite);
    let pkg = findPackage(k);
    if (!pkg && !aptUpdated) {
      prepareApt(report, k.suite, true);
      pkg = findPackage(k);
    }
    if (!pkg) {
      report.notFound.push(missingPackage(k));
      continue;
    }
    const info = fetchPackage(k, pkg, kernelDir(k.id), report);
    if (info) report.fetched.push(info);
  }
  return report;
}

/**
 * Download `pkg` (a package of kernel `k`), unpack its image, config and System.map into `dir`
 * (replacing what is there) and describe it in `dir`/info.json. Problems go to `report`.
 */
function fetchPackage(k: LabKernelDef, pkg: string, dir: string, report: FetchReport): KernelInfo | undefined {
  const deb = aptDownload(pkg, k.debArch, join(cacheDir(), 'debs'));
  if (!deb) {
    report.notFound.push(`${k.id} (${pkg}:${k.debArch} could not be downloaded)`);
    return undefined;
  }
  const tmp = dir + '.tmp';
  rmSync(tmp, { recursive: true, force: true });
  const unpackError = unpackKernel(k, pkg, deb, tmp);
  if (unpackError) {
    report.errors.push(`${k.id}: ${unpackError}`);
    return undefined;
  }
  const boot = join(tmp, 'boot');
  const files = readdirSync(boot);
  const vmlinuz = files.find((f) => f.startsWith('vmlinuz-'));
  const config = files.find((f) => f.startsWith('config-'));
  const map = files.find((f) => f.startsWith('System.map-'));
  if (!vmlinuz || !config) {
    report.errors.push(`${k.id}: ${deb} has no boot/vmlinuz-* or boot/config-*`);
    return undefined;
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, '..'), { recursive: true });
  renameSync(tmp, dir);
  const version = run('dpkg-deb', ['-f', deb, 'Version']).stdout.trim();
  const info: KernelInfo = {
    id: k.id,
    package: pkg,
    version,
    debArch: k.debArch,
    vmlinuz: join(dir, 'boot', vmlinuz),
    config: join(dir, 'boot', config),
    systemMap: map ? join(dir, 'boot', map) : '',
    ...configSummary(readFileSync(join(dir, 'boot', config), 'utf8')),
  };
  realSystemMap(k, info, report);
  writeFileSync(join(dir, 'info.json'), JSON.stringify(info, null, 2) + '\n');
  return info;
}

/**
 * The package's System.map is a stub: the real one replaces it, from the head of the -dbg package
 * (also for a kernel cached before the lab did this).
 */
function realSystemMap(k: LabKernelDef, info: KernelInfo, report: FetchReport): void {
  if (!info.systemMap || !isStubSystemMap(info.systemMap)) return;
  prepareApt(report, packageSuite(k, info.package) ?? k.suite);
  const mapError = fetchSystemMap(debugPackage(info.package), k.debArch, info.systemMap);
  if (mapError) report.log.push(`${k.id}: System.map stays Debian's stub: ${mapError}`);
}

/**
 * Another Debian flavour of a lab kernel's series from the same suite (`rt-arm64` or
 * `cloud-arm64` beside 6.12's `arm64`): its newest package, fetched and unpacked as a lab kernel's
 * (image, config, the real System.map) into `dir`. Such a build is no lab kernel: it is booted and
 * planned as a user's own (`kernels add`, `kernels measure NAME --kernel-image`), a build the
 * model was not fitted to.
 */
export function fetchFlavour(id: string, flavour: string, dir: string, report: FetchReport): KernelInfo | undefined {
  const lab = findKernelDef(id);
  if (!lab) {
    report.errors.push(`unknown kernel '${id}'`);
    return undefined;
  }
  const k = def(lab.series, flavour, false);
  prepareApt(report, k.suite);
  const pkg = findPackage(k);
  if (!pkg) {
    report.notFound.push(missingPackage(k));
    return undefined;
  }
  return fetchPackage(k, pkg, dir, report);
}

/**
 * A given package of a lab kernel (another point release than the newest, e.g. the one records
 * were made on): the cached kernel when it is that package, else its own cache entry under
 * kernels/releases/<package>, fetched when absent.
 */
export function fetchRelease(id: string, pkg: string, report: FetchReport): KernelInfo | undefined {
  const k = findKernelDef(id);
  if (!k) {
    report.errors.push(`unknown kernel '${id}'`);
    return undefined;
  }
  const suite = packageSuite(k, pkg);
  if (suite === undefined) {
    report.errors.push(`${pkg} is not a package of ${id} (${packagePatterns(k)})`);
    return undefined;
  }
  const cached = cachedRelease(id, pkg);
  if (cached) {
    realSystemMap(k, cached, report);
    return cached;
  }
  prepareApt(report, suite);
  return fetchPackage(k, pkg, releaseDir(pkg), report);
}

/**
 * The package a lab kernel's built-in profile describes (the one its records were made on, not
 * necessarily the newest upload), fetched (fetchRelease). Undefined, with the reason in `report`,
 * when there is no built-in profile or the archive has that package at another version.
 */
export function fetchBuiltinRelease(id: string, report: FetchReport): KernelInfo | undefined {
  const p = getProfile(id);
  if (!p) {
    report.errors.push(`${id}: no built-in profile`);
    return undefined;
  }
  const [pkg = '', version = ''] = p.debianPackage.split(' ');
  const k = fetchRelease(id, pkg, report);
  if (k && k.version !== version) {
    report.errors.push(`${id}: the archive has ${pkg} ${k.version}, the built-in profile ${version}`);
    return undefined;
  }
  return k;
}

function releaseDir(pkg: string): string {
  return join(cacheDir(), 'kernels', 'releases', pkg);
}

/** A package of a lab kernel in the cache (the kernel's own entry or kernels/releases/), else undefined. */
export function cachedRelease(id: string, pkg: string): KernelInfo | undefined {
  const current = cachedKernel(id);
  if (current?.package === pkg && existsSync(current.vmlinuz)) return current;
  const k = readInfo(releaseDir(pkg));
  return k?.id === id ? k : undefined;
}

/** Download and unpack busybox-static for a Debian architecture; returns the busybox binary path. */
export function fetchBusybox(debArch: 'arm64' | 'armhf', report: FetchReport): string | undefined {
  const dir = join(cacheDir(), 'busybox', debArch);
  const bin = join(dir, 'bin', 'busybox');
  if (existsSync(bin)) return bin;
  prepareApt(report, undefined);
  const deb = aptDownload('busybox-static', debArch, join(cacheDir(), 'debs'));
  if (!deb) {
    report.notFound.push(`busybox-static:${debArch}`);
    return undefined;
  }
  mkdirSync(dir, { recursive: true });
  const r = run('sh', ['-c', `dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2" ./bin/busybox`, 'sh', deb, dir]);
  if (r.status !== 0 || !existsSync(bin)) {
    report.errors.push(`could not unpack busybox from ${deb}`);
    return undefined;
  }
  return bin;
}
