// The build facts of the packages a lab kernel's records were made on: data/lab/<id>.build.json
// holds, per package, the lines of its `.config` and (real) `System.map` the profile is built from
// (src/kernel/build/excerpt.ts), with where each came from. Written from the package itself (the
// lab's export, `carveout kernels facts`), never typed in; a record's facts are the entry of the
// package it names, so records of two point releases each replay with their own build.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { excerptBuild, excerptFiles, isBuildExcerpt, type BuildExcerpt } from '../kernel/build/excerpt.js';
import { renderDiagnostic } from '../diagnostics.js';
import { buildProfile, type BuiltProfile } from '../kernel/build/profile.js';
import { debugPackage } from './debug-symbols.js';
import { fetchRelease, type FetchReport, type KernelInfo } from './kernels.js';
import { labDataDir, readLabRecordsJson } from './records.js';

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
  if (j.v !== 1 || j.kernel !== kernel || !Array.isArray(j.builds) || !j.builds.every(isBuildExcerpt))
    throw new Error(`${f}: not a build facts file of ${kernel}`);
  return { v: 1, kernel, builds: j.builds };
}

/** The stored facts of the package a record names (`<package> <version>`). */
export function factsOfPackage(kernel: string, pkg: string, dir = labDataDir): BuildExcerpt | undefined {
  return readBuildFacts(kernel, dir)?.builds.find((b) => b.package === pkg);
}

/** The profile of a stored package, built from its excerpt alone. */
export function profileOfFacts(kernel: string, e: BuildExcerpt): BuiltProfile {
  return buildProfile(excerptFiles(kernel, e));
}

/**
 * One line per entry of the lines arrays, so a new point release shows as a readable diff.
 */
function format(f: BuildFactsFile): string {
  const lines = (x: BuildExcerpt['config']) =>
    `{ "file": ${JSON.stringify(x.file)}, "from": ${JSON.stringify(x.from)}, "lines": [\n${x.lines.map((l) => `        ${JSON.stringify(l)}`).join(',\n')}\n      ] }`;
  const builds = f.builds.map(
    (b) =>
      `    {\n      "package": ${JSON.stringify(b.package)},\n      "config": ${lines(b.config)},\n      "systemMap": ${lines(b.systemMap)}\n    }`,
  );
  return `{\n  "v": 1,\n  "kernel": ${JSON.stringify(f.kernel)},\n  "builds": [\n${builds.join(',\n')}\n  ]\n}\n`;
}

/** Store a package's facts beside the kernel's records (replacing that package's entry, keeping the others'). */
export function writeBuildFacts(kernel: string, e: BuildExcerpt, dir = labDataDir): void {
  const old = readBuildFacts(kernel, dir)?.builds ?? [];
  const builds = [...old.filter((b) => b.package !== e.package), e].sort((a, b) =>
    a.package < b.package ? -1 : a.package > b.package ? 1 : 0,
  );
  const f = buildFactsPath(kernel, dir);
  writeFileSync(`${f}.tmp`, format({ v: 1, kernel, builds }));
  renameSync(`${f}.tmp`, f);
}

/**
 * The facts of a fetched package, read from its files in the kernel cache: its config (from the
 * image package, 7.x's linux-base) and its real System.map (from the -dbg package,
 * src/verify/debug-symbols.ts). Diagnostics when the files do not build a profile (Debian's stub
 * System.map among them).
 */
export function packageFacts(k: KernelInfo): { excerpt?: BuildExcerpt; built: BuiltProfile } {
  const read = (f: string): string => (f && existsSync(f) ? readFileSync(f, 'utf8') : '');
  const name = (f: string): string => basename(f);
  const configFrom = k.package.startsWith('linux-binary-') ? k.package.replace(/^linux-binary-/, 'linux-base-') : k.package;
  return excerptBuild(
    { id: k.id, config: { file: name(k.config), text: read(k.config) }, systemMap: { file: name(k.systemMap), text: read(k.systemMap) } },
    { package: `${k.package} ${k.version}`, configFrom, systemMapFrom: debugPackage(k.package) },
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
}

/**
 * Store, beside a lab kernel's records in `dir`, the facts of every package they were made on: each
 * package is fetched (src/verify/kernels.ts fetchRelease: the cached kernel when it is that
 * package) and read. A package the archive no longer has at the recorded version is an error.
 */
export function storeRecordedFacts(kernel: string, dir: string, report: FetchReport): StoredFacts[] {
  const packages = [...new Set(readLabRecordsJson(kernel, dir).map((r) => r.package))].sort();
  return packages.map((pkg): StoredFacts => {
    const [name = '', version = ''] = pkg.split(' ');
    const k = fetchRelease(kernel, name, report);
    if (!k) return { kernel, package: pkg, error: `${name} could not be fetched` };
    if (k.version !== version) return { kernel, package: pkg, error: `the archive has ${name} ${k.version}, the records ${version}` };
    const r = packageFacts(k);
    if (!r.excerpt) return { kernel, package: pkg, error: r.built.diagnostics.map((d) => renderDiagnostic(d)).join('; ') };
    writeBuildFacts(kernel, r.excerpt, dir);
    return { kernel, package: pkg, file: buildFactsPath(kernel, dir), summary: describeFacts(r.built.profile) };
  });
}
