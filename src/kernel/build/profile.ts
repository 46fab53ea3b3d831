// A kernel profile from a build's own `.config` and `System.map` (./read.ts reads them); what no
// file states comes from the build's own measurement when given, else from the lab's measurement
// of the nearest Debian build (../profiles/index.ts labBuilds), and the provenance says which.
import { labBuilds } from '../profiles/index.js';
import type { KernelConfig } from './config.js';
import type { SystemMap } from './system-map.js';
import type { Diagnostic } from '../../diagnostics.js';
import { readBuild, readProfile, type BuiltProfile, type KernelBuildFiles, type OwnMeasurement } from './read.js';

export type { BuiltProfile, KernelBuildFiles, OwnMeasurement } from './read.js';

/** Build a profile from a kernel build's `.config` and `System.map`. */
export function buildProfile(files: KernelBuildFiles): BuiltProfile {
  return readBuild(files, () => labBuilds);
}

/** Build a profile from the two files as read (the reads go through config.ts and system-map.ts only). */
export function profileFromRead(
  id: string,
  cfg: { config: KernelConfig; diagnostics: Diagnostic[] },
  sm: { map: SystemMap; diagnostics: Diagnostic[] },
  own?: OwnMeasurement,
): BuiltProfile {
  return readProfile(id, cfg, sm, own, () => labBuilds);
}
