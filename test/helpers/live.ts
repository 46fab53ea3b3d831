// Live tests boot real kernels under QEMU: with CI set or CARVEOUT_LAB=1 (.ci/run installs QEMU;
// the tests fetch the kernels they boot).
export const live = !!process.env.CI || process.env.CARVEOUT_LAB === '1';

/** node:test's `skip` for a live test: false when live, else what setting CARVEOUT_LAB=1 would do. */
export function liveSkip(does = 'boot real kernels under QEMU'): false | string {
  return live ? false : `set CARVEOUT_LAB=1 (or CI) to ${does}`;
}
