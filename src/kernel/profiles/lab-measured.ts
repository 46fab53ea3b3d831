// The sizes a built-in profile takes from its build's lab boots: data/lab/<id>.build.json holds,
// for the package the profile states, what src/kernel/build/measured.ts read from the records'
// memblock=debug traces, with the boot and lines of each. Nothing measured is typed in a profile.
import { isStoredMeasurement, measuredNames, type MeasuredName, type MeasuredSizes, storedSizes } from '../build/measured.js';
import type { PercpuSizes } from '../arch/arm64/layer.js';

/** The measured sizes of `pkg` in a lab kernel's build facts file (a missing or malformed entry is a bug: it throws). */
function stored(facts: unknown, pkg: string, arch: 'arm64' | 'arm'): { sizes: MeasuredSizes; from: string } {
  const builds = (facts as { kernel?: unknown; builds?: unknown }).builds;
  const kernel = String((facts as { kernel?: unknown }).kernel);
  const entry = Array.isArray(builds) ? (builds as { package?: unknown; measured?: unknown }[]).find((b) => b.package === pkg) : undefined;
  if (!entry || !isStoredMeasurement(entry.measured))
    throw new Error(`data/lab/${kernel}.build.json: no measured sizes of ${pkg} (carveout kernels facts ${kernel})`);
  const sizes = storedSizes(entry.measured);
  const missing = measuredNames[arch].filter((n: MeasuredName) => sizes[n] === undefined);
  if (missing.length) throw new Error(`data/lab/${kernel}.build.json: ${pkg} lacks ${missing.join(', ')}`);
  return { sizes, from: `data/lab/${kernel}.build.json (measured from ${entry.measured.from})` };
}

/** An arm64 build's measured sizes: NODE_DATA, the usemap, the per-cpu bitmaps (the unit is System.map's). */
export function arm64Measured(
  facts: unknown,
  pkg: string,
): { nodeDataSize: bigint; usemapBytesPerSection: bigint; percpu: Omit<PercpuSizes, 'unit'>; from: string } {
  const { sizes, from } = stored(facts, pkg, 'arm64');
  return {
    nodeDataSize: sizes.nodeDataSize!,
    usemapBytesPerSection: sizes.usemapBytesPerSection!,
    percpu: { setup: sizes.percpuSetup!, alloc: sizes.percpuAlloc! },
    from,
  };
}

/** An arm build's measured size: struct static_vm. */
export function armMeasured(facts: unknown, pkg: string): { staticVmSize: bigint; from: string } {
  const { sizes, from } = stored(facts, pkg, 'arm');
  return { staticVmSize: sizes.staticVmSize!, from };
}
