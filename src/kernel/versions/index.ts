// The kernel series the model knows, by name. This file is the one place a version string is
// compared: everything else reads the chosen series' fields.
import { linux510 } from './5.10.js';
import { linux61 } from './6.1.js';
import { linux612 } from './6.12.js';
import { linux72 } from './7.2.js';
import type { KernelSeries } from './types.js';

export type { KernelSeries, CmaBehaviour, Arm64Series, ArmSeries } from './types.js';

export const kernelSeries: readonly KernelSeries[] = [linux510, linux61, linux612, linux72];

/** The series called `name` (`5.10`, `6.1`, `6.12`, `7.2`); an unknown name is an error, never a fallback. */
export function seriesByName(name: string): KernelSeries {
  const s = kernelSeries.find((x) => x.name === name);
  if (!s) throw new Error(`unknown kernel series '${name}' (known: ${kernelSeries.map((x) => x.name).join(', ')})`);
  return s;
}

/** `6.12.95` → [6, 12, 95]; undefined unless it starts with major.minor. */
function versionNumbers(v: string): number[] | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

function compareNumbers(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** Which version layer runs a kernel of release `version` (a `.config` header's `6.12.95`). */
export type SeriesChoice =
  | { series: KernelSeries; exact: true }
  /** Between two layers (or past the newest): the nearest older layer, and the next one known, if any. */
  | { series: KernelSeries; exact: false; next?: KernelSeries }
  | { error: string };

/**
 * The layer of `version`: its own series when known, else the nearest older one (the caller says
 * so). Older than every layer, or not a version at all, is an error: there is nothing to run it by.
 */
export function seriesForVersion(version: string): SeriesChoice {
  const v = versionNumbers(version);
  if (!v) return { error: `'${version}' is not a kernel release (major.minor[.patch])` };
  const byAge = kernelSeries.map((s) => ({ s, n: versionNumbers(s.name)! })).sort((a, b) => compareNumbers(a.n, b.n));
  const own = byAge.find((x) => x.n[0] === v[0] && x.n[1] === v[1]);
  if (own) return { series: atRelease(own.s, v), exact: true };
  const older = byAge.filter((x) => compareNumbers(x.n, v) < 0);
  const base = older[older.length - 1];
  if (!base) return { error: `Linux ${version} is older than every version layer (${kernelSeries.map((s) => s.name).join(', ')})` };
  const next = byAge.find((x) => compareNumbers(x.n, v) > 0);
  return next ? { series: base.s, exact: false, next: next.s } : { series: base.s, exact: false };
}

/**
 * The series as a release of it runs: each of its point releases (KernelSeries.pointReleases)
 * that `v` has reached replaces the knobs it names. The series itself when none applies.
 */
function atRelease(series: KernelSeries, v: number[]): KernelSeries {
  const applied = (series.pointReleases ?? []).filter((p) => compareNumbers(versionNumbers(p.release)!, v) <= 0);
  if (!applied.length) return series;
  const s: KernelSeries = { ...series, rmem: { ...series.rmem }, arm64: { ...series.arm64 }, applied };
  for (const p of applied) {
    Object.assign(s.rmem, p.rmem);
    Object.assign(s.arm64, p.arm64);
  }
  return s;
}
