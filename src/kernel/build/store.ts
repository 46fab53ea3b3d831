// Own builds stored under a name (`carveout kernels add NAME --kernel-config … --system-map …`):
// the two files are copied into the cache (src/cache.ts), <cache>/builds/<NAME>/{config,System.map},
// and `--kernel NAME` builds the profile from them again, so the profile follows the model's code;
// the sizes a measurement boot of the build found (`kernels measure NAME --kernel-image`) are kept
// by the files' sha256 and go into every profile built from them.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cacheDir } from '../../cache.js';
import { diag, type Diagnostic } from '../../diagnostics.js';
import { buildProfile, type BuiltProfile } from './profile.js';
import { isStoredMeasurement, storedSizes, type StoredMeasurement } from './measured.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

function buildsDir(): string {
  return join(cacheDir(), 'builds');
}

/**
 * What names a build by its files: the sha256 of its .config, a NUL, and its System.map. A ladder
 * measured on the build keeps it (src/kernel/oom.ts), so the same two files find that measurement
 * again under any name.
 */
export function buildFilesSha256(config: string, systemMap: string): string {
  return createHash('sha256').update(config).update('\0').update(systemMap).digest('hex');
}

/** Read a build's two files and build its profile (named by their sha256); unreadable files are diagnostics. */
export function profileFromFiles(id: string, configFile: string, systemMapFile: string): BuiltProfile {
  const read = (f: string): string | Diagnostic => {
    try {
      return readFileSync(f, 'utf8');
    } catch (e) {
      const why = e instanceof Error && 'code' in e ? String(e.code) : 'unreadable';
      return diag('error', 'file-unreadable', `cannot read ${f} (${why})`, { file: f, line: 0, column: 0, endLine: 0, endColumn: 0 });
    }
  };
  const config = read(configFile);
  const map = read(systemMapFile);
  if (typeof config !== 'string' || typeof map !== 'string')
    return { diagnostics: [config, map].filter((x): x is Diagnostic => typeof x !== 'string') };
  const sha = buildFilesSha256(config, map);
  const own = ownMeasured(sha);
  const built = buildProfile({
    id,
    config: { file: configFile, text: config },
    systemMap: { file: systemMapFile, text: map },
    ...(own ? { measured: { sizes: storedSizes(own), from: own.from } } : {}),
  });
  return built.profile ? { ...built, profile: { ...built.profile, filesSha256: sha } } : built;
}

/**
 * Where an own build's measurement boot is kept (src/verify/build-facts.ts measureOwnBuild, from
 * `kernels measure NAME --kernel-image`): the kernel cache, by its files' sha256.
 */
export function ownMeasuredPath(filesSha256: string): string {
  return join(cacheDir(), 'kernels', 'measured', `own-${filesSha256}.json`);
}

/** The sizes a boot of the build with these files measured, or undefined (none, or not for these files). */
function ownMeasured(filesSha256: string): StoredMeasurement | undefined {
  return readKeptMeasurement(ownMeasuredPath(filesSha256), { filesSha256 });
}

/**
 * A measurement boot kept in the kernel cache (a lab kernel's upload by `kernels fetch`, an own
 * build by `kernels measure`): the file holds `key` (the package, or the files' sha256) beside the
 * measurement; undefined when absent, for another key, or not a measurement (a file cut short is
 * measured again).
 */
export function readKeptMeasurement(file: string, key: Record<string, string>): StoredMeasurement | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const j = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return Object.entries(key).every(([k, v]) => j[k] === v) && isStoredMeasurement(j.measured) ? j.measured : undefined;
  } catch {
    return undefined;
  }
}

/** Keep a measurement boot in the kernel cache under `key` (readKeptMeasurement). */
export function writeKeptMeasurement(file: string, key: Record<string, string>, measured: StoredMeasurement): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify({ ...key, measured }, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** Store a build under `name` once its profile builds; returns what building it said. */
export function addKernel(name: string, configFile: string, systemMapFile: string, builtinIds: readonly string[]): BuiltProfile {
  if (!NAME.test(name))
    return { diagnostics: [diag('error', 'bad-kernel-name', `kernel name '${name}': use letters, digits, '.', '_', '+', '-'`)] };
  if (builtinIds.includes(name)) return { diagnostics: [diag('error', 'bad-kernel-name', `'${name}' is a built-in kernel`)] };
  const built = profileFromFiles(name, configFile, systemMapFile);
  if (!built.profile) return built;
  const dir = join(buildsDir(), name);
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  copyFileSync(configFile, join(tmp, 'config'));
  copyFileSync(systemMapFile, join(tmp, 'System.map'));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return built;
}

/** The two files of the stored build called `name`, or undefined when there is none. */
export function storedKernelFiles(name: string): { config: string; systemMap: string } | undefined {
  if (!NAME.test(name)) return undefined;
  const dir = join(buildsDir(), name);
  return existsSync(join(dir, 'config')) ? { config: join(dir, 'config'), systemMap: join(dir, 'System.map') } : undefined;
}

/** The stored build called `name`, or undefined when there is none. */
export function storedKernel(name: string): BuiltProfile | undefined {
  const files = storedKernelFiles(name);
  return files && profileFromFiles(name, files.config, files.systemMap);
}

/** Names of the stored builds. */
export function storedKernelNames(): string[] {
  const d = buildsDir();
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .filter((n) => NAME.test(n) && existsSync(join(d, n, 'config')))
    .sort();
}
