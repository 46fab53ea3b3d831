// Two point releases of one series, live: the newest package of a lab kernel the archive has and
// another one the archive offers too (a package the records were made on when apt can get it, else
// the next older upload). The kernel is the first of SERIES whose archive offers two: a suite whose
// index apt cannot read today (a mirror mid-sync) hides its uploads, and the test then takes the
// next series rather than a package apt cannot download. Each is fetched (image, config, real System.map), its profile built from its own two
// files, and a slice of generated cases booted under QEMU on it (one QEMU at a time) and replayed
// with that profile by the same code: every case agrees. Versions are never named here: what was
// fetched is read. Runs when CI is set or CARVEOUT_LAB=1 (network for apt-get, qemu-system-arm).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { bootedPackage, fetchKernels, fetchRelease, findKernelDef, findPackages, type FetchReport } from '../../src/verify/kernels.js';
import { qemuAvailable } from '../../src/verify/qemu.js';
import { generateCase } from '../../src/verify/generator.js';
import { bootJob, labDtb } from '../../src/verify/lab.js';
import { decodeRecord } from '../../src/verify/records.js';
import { describeFacts, factsChanged, packageFacts, readBuildFacts } from '../../src/verify/build-facts.js';
import type { KernelProfile } from '../../src/kernel/profiles/types.js';
import { replayCase } from '../kernel/replay-lib.js';
import { profileFromFiles } from '../../src/kernel/build/store.js';
import { verifyBoard } from '../../src/verify/verify.js';
import { liveSkip } from '../helpers/live.js';

const KERNEL = '6.12-arm64';
/** The series tried in turn for two point releases the archive offers (arm64, one QEMU). */
const SERIES = [KERNEL, '6.1-arm64', '5.10-arm64', '7.2-arm64'];
const INDEXES = [0, 1, 2, 3];

test('two point releases of one series: each replays a live slice with the profile built from its own files', {
  skip: liveSkip('fetch two releases and boot them under QEMU'),
  timeout: 40 * 60_000,
}, async (t) => {
  if (qemuAvailable('arm64')) {
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'qemu-system-arm'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
  assert.equal(qemuAvailable('arm64'), undefined);
  // the first series the archive offers two packages of (findPackages: what apt can download)
  const offered = SERIES.map((id) => ({ id, packages: findPackages(findKernelDef(id)!) }));
  const pick = offered.find((o) => o.packages.length >= 2);
  assert.ok(
    pick,
    `no lab series has two packages in the archive: ${offered.map((o) => `${o.id}: ${o.packages.join(', ') || 'none'}`).join('; ')}`,
  );
  const kernel = pick.id;
  const def = findKernelDef(kernel)!;
  const rep: FetchReport = fetchKernels([kernel]);
  const newest = rep.fetched[0];
  assert.ok(newest, `${kernel}: ${[...rep.notFound, ...rep.errors].join('; ')}`);
  // the other release: one the records were made on, else the newest older upload in the archive
  const older = pick.packages.slice().reverse();
  const recorded = (readBuildFacts(kernel)?.builds ?? []).map((b) => b.package.split(' ')[0]!).filter((p) => older.includes(p));
  const otherName = [...recorded, ...older].find((p) => p !== newest.package);
  assert.ok(otherName, `the archive has one ${kernel} package only (${older.join(', ')})`);
  const other = fetchRelease(kernel, otherName, rep);
  assert.ok(other, `${otherName}: ${[...rep.notFound, ...rep.errors].join('; ')}`);
  assert.notEqual(bootedPackage(other), bootedPackage(newest));
  const summary: string[] = [];
  const profiles: KernelProfile[] = [];
  for (const k of [newest, other]) {
    const facts = packageFacts(k);
    assert.ok(facts.built.profile, `${bootedPackage(k)}: ${facts.built.diagnostics.map((d) => d.message).join('; ')}`);
    profiles.push(facts.built.profile);
    summary.push(`${bootedPackage(k)}: ${describeFacts(facts.built.profile)}`);
    for (const index of INDEXES) {
      const c = generateCase(1, index, def.arch);
      const { record } = await bootJob({ kernel: k, seed: 1, index, case: c }, labDtb(c), { fast: true, timeoutMs: 120_000 });
      const rec = decodeRecord(record);
      const o = replayCase(rec, facts.built.profile);
      assert.ok(o.ok, `${bootedPackage(k)} case #${index}: ${o.problems.join(' ; ')}`);
      const seconds = (rec.observation.durationMs ?? 0) / 1000;
      summary.push(`  case #${index} (${c.bootargs || 'no bootargs'}): agrees (boot ${seconds.toFixed(1)} s)`);
    }
  }
  const changed = factsChanged(profiles[1]!, profiles[0]!);
  summary.push(`what the newer package's files change: ${changed.length ? changed.join(', ') : 'nothing the model reads'}`);
  t.diagnostic(summary.join('\n'));
  process.stdout.write(`# point releases\n# ${summary.join('\n# ')}\n`);
});

test("verify --kernel-image: a build booted as the user's own, planned from its config and System.map alone", {
  skip: liveSkip('boot a kernel under QEMU'),
  timeout: 20 * 60_000,
}, async () => {
  const rep = fetchKernels([KERNEL]);
  const k = rep.fetched[0];
  assert.ok(k, `${KERNEL}: ${[...rep.notFound, ...rep.errors].join('; ')}`);
  const built = profileFromFiles('own-build', k.config, k.systemMap);
  assert.ok(built.profile, built.diagnostics.map((d) => d.message).join('; '));
  const r = await verifyBoard('examples/qemu-virt-cma.dts', {
    kernel: 'own-build',
    own: { image: k.vmlinuz, config: k.config, systemMap: k.systemMap, profile: built.profile },
    ram: 1n << 30n,
    fetch: false,
  });
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.kernel?.vmlinuz, k.vmlinuz);
  assert.deepEqual(r.differences, []);
  assert.equal(r.exitCode, 0);
});
