// What of a build's `.config` and `System.map` its profile is built from: the lines profile.ts
// reads (config.ts/system-map.ts note them), kept at their line numbers. Built again from the
// excerpt, the profile is the one the whole files give; a lab kernel's excerpt is stored beside its
// records, so the profile of the package they were made on is built without that package.
import { readKernelConfig } from './config.js';
import { type BuiltProfile, type KernelBuildFiles, profileFromRead } from './profile.js';
import { readSystemMap } from './system-map.js';
import { storedSizes, type StoredMeasurement } from './measured.js';
import { buildFilesSha256 } from './store.js';

export interface FileExcerpt {
  /** The file's path in its package (or wherever it was read from). */
  file: string;
  /** The package that holds the file. */
  from: string;
  /** `[line number, line]` for each line the profile reads, in file order. */
  lines: Array<[number, string]>;
}

export interface BuildExcerpt {
  /** `<package> <version>`, as a lab record's `package` names it. */
  package: string;
  config: FileExcerpt;
  systemMap: FileExcerpt;
  /** What no file states, measured from boots of the package (./measured.ts), with its provenance. */
  measured?: StoredMeasurement;
  /** sha256 of the whole two files (./store.ts buildFilesSha256): what names the package's build when they are given by hand. */
  sha256?: string;
}

const keep = (text: string, read: Set<number>): Array<[number, string]> => {
  const lines = text.split('\n');
  return [...read].sort((a, b) => a - b).map((n) => [n, lines[n - 1]!.replace(/\r$/, '')]);
};

/**
 * Build the profile from a build's files and keep what it read. `from`: the packages holding the
 * config and the System.map (Debian ships the real System.map in the -dbg package).
 */
export function excerptBuild(
  files: KernelBuildFiles,
  provenance: { package: string; configFrom: string; systemMapFrom: string },
): { excerpt?: BuildExcerpt; built: BuiltProfile } {
  const cfg = readKernelConfig(files.config.text, files.config.file);
  const sm = readSystemMap(files.systemMap.text, files.systemMap.file);
  const configRead = new Set<number>();
  const mapRead = new Set<number>();
  cfg.config.read = configRead;
  sm.map.read = mapRead;
  const built = profileFromRead(files.id, cfg, sm, files.measured);
  if (!built.profile) return { built };
  if (cfg.config.headerLine !== undefined) configRead.add(cfg.config.headerLine);
  return {
    built,
    excerpt: {
      package: provenance.package,
      sha256: buildFilesSha256(files.config.text, files.systemMap.text),
      config: { file: files.config.file, from: provenance.configFrom, lines: keep(files.config.text, configRead) },
      systemMap: { file: files.systemMap.file, from: provenance.systemMapFrom, lines: keep(files.systemMap.text, mapRead) },
    },
  };
}

/** The two files again, each line of the excerpt at its number (the others blank, which both readers skip), with the package's measured sizes. */
export function excerptFiles(id: string, e: BuildExcerpt): KernelBuildFiles {
  const text = (x: FileExcerpt): string => {
    const out: string[] = [];
    for (const [n, l] of x.lines) {
      while (out.length < n - 1) out.push('');
      out.push(l);
    }
    return out.join('\n') + '\n';
  };
  return {
    id,
    config: { file: `${e.config.file} (${e.config.from})`, text: text(e.config) },
    systemMap: { file: `${e.systemMap.file} (${e.systemMap.from})`, text: text(e.systemMap) },
    ...(e.measured ? { measured: { sizes: storedSizes(e.measured), from: e.measured.from } } : {}),
  };
}

export { isBuildExcerpt } from './read.js';
