// A point release the lab has no records of, measured live: `carveout kernels fetch <id>` fetches
// the archive's newest upload and, its sizes no file states being unknown, boots it once under
// QEMU with memblock=debug (src/verify/build-facts.ts measurePackage); the profile built from its
// own config and System.map then takes every size from that boot (its provenance says so), and a
// generated case booted on it agrees with that profile. Two QEMU boots. Versions are never named
// here: what was fetched is read, and the kernel is the first lab kernel whose newest upload is
// neither its recorded package nor one the lab measured (data/lab/<id>.build.json): which one
// that is moves with Debian's uploads and the lab's measurements. Runs when CI is set or
// CARVEOUT_LAB=1 (network for apt-get, qemu-system-arm).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { bootedPackage, cachedKernel, findKernelDef, type KernelInfo } from '../../src/verify/kernels.js';
import { factsOfPackage, measuredCachePath, measuredOfPackage, profileForPackage } from '../../src/verify/build-facts.js';
import { measuredNames, showMeasured, storedSizes } from '../../src/kernel/build/measured.js';
import { getProfile } from '../../src/kernel/profiles/index.js';
import { generateCase } from '../../src/verify/generator.js';
import { bootJob, labDtb } from '../../src/verify/lab.js';
import { decodeRecord } from '../../src/verify/records.js';
import { replayCase } from '../kernel/replay-lib.js';
import { runCli } from '../helpers/cli.js';
import { liveSkip } from '../helpers/live.js';

/** The lab kernels tried, in order: those whose series Debian still uploads to first. */
const CANDIDATES = ['6.12-arm64', '6.1-arm64', '6.12-arm64-16k', '6.12-armmp', '6.1-armmp', '6.12-armmp-lpae', '6.1-armmp-lpae'];

test('kernels fetch measures a point release the lab has no records of, and its profile uses what the boot showed', {
  skip: liveSkip('fetch a kernel and boot it under QEMU'),
  timeout: 20 * 60_000,
}, async (t) => {
  let k: KernelInfo | undefined;
  const seen: string[] = [];
  for (const id of CANDIDATES) {
    const first = runCli(['kernels', 'fetch', id], { timeoutMs: 15 * 60_000 });
    const got = cachedKernel(id);
    assert.ok(got, `${id} not fetched: ${first.stderr}`);
    const pkg = bootedPackage(got);
    if (pkg === getProfile(id)!.debianPackage) seen.push(`${id}: ${pkg} is the recorded package`);
    else if (factsOfPackage(id, pkg)?.measured) seen.push(`${id}: the lab measured ${pkg}`);
    else {
      k = got;
      break;
    }
  }
  if (!k) {
    t.skip(`no lab kernel's newest upload is unmeasured (${seen.join('; ')})`);
    return;
  }
  const KERNEL = k.id;
  const arch = k.debArch === 'arm64' ? 'arm64' : 'arm';
  // measured again from nothing: the cached measurement of an earlier run is removed first
  rmSync(measuredCachePath(k), { force: true });
  const r = runCli(['kernels', 'fetch', KERNEL], { timeoutMs: 15 * 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`measured: ${KERNEL} ${k.package.replace(/[.+]/g, '\\$&')} `));
  assert.ok(existsSync(measuredCachePath(k)));
  const measured = measuredOfPackage(k);
  assert.ok(measured);
  const sizes = storedSizes(measured);
  assert.deepEqual(
    measuredNames[arch].filter((n) => sizes[n] === undefined),
    [],
    'the boot shows every size',
  );
  for (const s of measured.sizes) assert.ok(s.boot.append.includes('memblock=debug') && s.lines.length, s.name);
  const own = profileForPackage(k);
  assert.ok(own.profile, own.note);
  assert.match(own.profile.provenance, new RegExp(`from a memblock=debug boot of ${bootedPackage(k).replace(/[.+~]/g, '\\$&')}`));
  if (arch === 'arm64') assert.equal(own.profile.arm64!.numa.nodeDataSize, sizes.nodeDataSize);
  else assert.equal(own.profile.arm!.pagingInit.staticVmSize, sizes.staticVmSize);
  // a second fetch boots nothing: the package's sizes are known
  const again = runCli(['kernels', 'fetch', KERNEL], { timeoutMs: 15 * 60_000 });
  assert.doesNotMatch(again.stderr, /^measured:/m);
  // a generated case on the package agrees with the profile its measurement completes
  const def = findKernelDef(KERNEL)!;
  const c = generateCase(1, 0, def.arch);
  const { record } = await bootJob({ kernel: k, seed: 1, index: 0, case: c }, labDtb(c), { fast: true, timeoutMs: 120_000 });
  const o = replayCase(decodeRecord(record), own.profile);
  assert.ok(o.ok, `${bootedPackage(k)} case #0: ${o.problems.join(' ; ')}`);
  const lab = getProfile(KERNEL)!;
  const summary = [
    `${bootedPackage(k)} measured: ${measured.sizes.map((s) => `${s.name} ${showMeasured(storedSizes({ from: '', sizes: [s] })[s.name]!)}`).join(', ')}`,
    lab.arm64
      ? `the recorded ${lab.debianPackage}: nodeDataSize ${showMeasured(lab.arm64.numa.nodeDataSize)}, usemapBytesPerSection ${showMeasured(lab.arm64.sparse.usemapBytesPerSection)}`
      : `the recorded ${lab.debianPackage}: staticVmSize ${showMeasured(lab.arm!.pagingInit.staticVmSize)}`,
    `case #0 (${c.bootargs || 'no bootargs'}) agrees`,
  ];
  t.diagnostic(summary.join('\n'));
  process.stdout.write(`# measured release\n# ${summary.join('\n# ')}\n`);
});
