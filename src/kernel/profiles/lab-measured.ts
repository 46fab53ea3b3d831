// A built-in profile is its Debian package's build, read like any other (../build/read.ts): from
// the lines of its `.config` and `System.map` stored in data/lab/<id>.build.json, and the sizes no
// file states measured from the package's recorded memblock=debug boots, stored beside them
// (../build/measured.ts). Nothing of the build is typed in.
import { isStoredMeasurement, storedSizes } from '../build/measured.js';
import { isBuildExcerpt, readExcerpt, readProfile } from '../build/read.js';
import type { LabBuild } from './index.js';
import type { KernelProfile } from './types.js';

/**
 * The built-in profile `id` of package `pkg` from its kernel's build facts file (imported JSON). A
 * missing, malformed or incomplete entry is a bug of ours: it throws.
 */
export function labProfile(facts: unknown, id: string, pkg: string): { profile: KernelProfile; lab: LabBuild } {
  const file = `data/lab/${id}.build.json`;
  const builds = (facts as { builds?: unknown }).builds;
  const entry = Array.isArray(builds) ? (builds as unknown[]).find((b) => isBuildExcerpt(b) && b.package === pkg) : undefined;
  if (!isBuildExcerpt(entry) || !isStoredMeasurement(entry.measured))
    throw new Error(`${file}: no facts or no measured sizes of ${pkg} (carveout kernels facts ${id})`);
  const { cfg, sm } = readExcerpt(entry);
  const own = { sizes: storedSizes(entry.measured), from: `${file} (${entry.measured.from})` };
  // every size is the package's own: no lab build stands in
  const r = readProfile(id, cfg, sm, own, () => [], pkg);
  if (!r.profile || !r.build)
    throw new Error(`${file}: ${pkg} builds no profile: ${r.diagnostics.map((d) => `${d.file}:${d.line}: ${d.message}`).join('; ')}`);
  // what the files say that the model does not run (RANDOMIZE_BASE under nokaslr, ...) is for a user's build
  const { buildDiagnostics: _notes, ...profile } = r.profile;
  const p = r.profile;
  const lab: LabBuild =
    r.build.arch === 'arm64'
      ? { id, series: p.series, pageSize: p.pageSize, lpae: false, arch: 'arm64', build: r.build.build }
      : { id, series: p.series, pageSize: p.pageSize, lpae: r.build.build.config.lpae, arch: 'arm', build: r.build.build };
  return { profile, lab };
}
