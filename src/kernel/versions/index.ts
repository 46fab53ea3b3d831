// The kernel series the model knows, by name. `kernelSeries` is the one place a version string is
// compared: everything else reads the chosen series' fields.
import { linux61 } from './6.1.js';
import { linux612 } from './6.12.js';
import type { KernelSeries } from './types.js';

export type { KernelSeries, CmaBehaviour, Arm64Series, ArmSeries } from './types.js';

export const kernelSeries: readonly KernelSeries[] = [linux61, linux612];

/** The series called `name` (`6.1`, `6.12`); an unknown name is an error, never a fallback. */
export function seriesByName(name: string): KernelSeries {
  const s = kernelSeries.find((x) => x.name === name);
  if (!s) throw new Error(`unknown kernel series '${name}' (known: ${kernelSeries.map((x) => x.name).join(', ')})`);
  return s;
}
