// `carveout kernels measure`: bad input is a usage error (exit 2) before anything is fetched or
// booted. The measurement itself: test/verify/ladder-measure.test.ts (live).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

test('kernels measure: bad input exits 2 with the reason', () => {
  const env = { ...process.env, CARVEOUT_CACHE: mkdtempSync(join(tmpdir(), 'carveout-measure-args-')) };
  const cases: Array<[string[], RegExp]> = [
    [[], /an ID \(carveout kernels\) or a NAME/],
    [['nosuch'], /'nosuch' is neither a lab kernel nor a build stored by 'carveout kernels add'/],
    [['6.12-arm64', '--boots', '0'], /--boots 0: a whole number of boots, at least 1/],
    [['6.12-arm64', '--timeout', 'x'], /--timeout x: seconds/],
    [['6.12-arm64', '--smp', '9'], /--smp 9: a CPU count from 1 to 8/],
    [['6.12-arm64', '--smp', '1.5'], /--smp 1.5: a CPU count from 1 to 8/],
    [['6.12-arm64', '--package', 'linux-image-6.1.0-50-arm64-unsigned'], /is not a package of 6\.12-arm64/],
    [['6.12-arm64', '--kernel-image', 'Image'], /6\.12-arm64 is a lab kernel/],
    [['my-bsp', '--lab'], /--package and --lab are for lab kernels/],
    [['6.12-arm64', '--frobnicate'], /unknown option '--frobnicate'/],
    [['6.12-arm64', '--boots'], /--boots needs a value/],
    [['6.12-arm64', '7.2-arm64'], /one ID or NAME/],
    [['6.12-arm64', '--lab=no'], /--lab takes no value/],
  ];
  for (const [args, why] of cases) {
    const r = runCli(['kernels', 'measure', ...args], { env });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, why);
  }
});
