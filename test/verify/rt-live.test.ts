// A build the model was not fitted to, booted live: Debian's newest 6.12 rt-arm64 package
// (PREEMPT_RT), fetched as a user would have it (its config and System.map), stored with `kernels
// add`, measured with `kernels measure NAME --kernel-image` (one boot for the sizes no file states,
// then its out-of-memory ladder), then a lab case with dozens of carve-outs in four NUMA nodes
// booted on it and replayed with the profile built from its files: every line, placement and the
// Memory: line agree. Its console may lose early messages (printk's buffer overflows before the
// RT console thread prints): the comparison goes around the gap. Runs when CI is set or
// CARVEOUT_LAB=1 (network for apt-get, qemu-system-arm).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fetchFlavour, type FetchReport } from '../../src/verify/kernels.js';
import { ensureInitramfs } from '../../src/verify/initramfs.js';
import { qemuAvailable } from '../../src/verify/qemu.js';
import { generateCase } from '../../src/verify/generator.js';
import { bootJob, labDtb } from '../../src/verify/lab.js';
import { decodeRecord } from '../../src/verify/records.js';
import { factsOfPackage } from '../../src/verify/build-facts.js';
import { getProfile } from '../../src/kernel/profiles/index.js';
import { storedKernel } from '../../src/kernel/build/store.js';
import { replayCase } from '../kernel/replay-lib.js';
import { runCli } from '../helpers/cli.js';
import { withEnv } from '../helpers/env.js';
import { liveSkip } from '../helpers/live.js';

test("Debian's 6.12 rt-arm64, a build outside the lab: kernels add, kernels measure, and a lab case replayed with its own profile", {
  skip: liveSkip('fetch a kernel and boot it under QEMU'),
  timeout: 20 * 60_000,
}, async (t) => {
  if (qemuAvailable('arm64'))
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'qemu-system-arm'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  assert.equal(qemuAvailable('arm64'), undefined);
  const work = mkdtempSync(join(tmpdir(), 'carveout-rt-'));
  const rep: FetchReport = { fetched: [], notFound: [], errors: [], log: [] };
  const k = fetchFlavour('6.12-arm64', 'rt-arm64', join(work, 'kernel'), rep);
  assert.ok(k, [...rep.notFound, ...rep.errors, ...rep.log].join('; '));
  const initrd = ensureInitramfs('arm64', rep);
  assert.ok(initrd, [...rep.notFound, ...rep.errors].join('; '));
  // a fresh kernel cache, as a user's: the lab's initramfs in it, nothing measured
  const cache = join(work, 'cache');
  mkdirSync(join(cache, 'initramfs'), { recursive: true });
  copyFileSync(initrd, join(cache, 'initramfs', basename(initrd)));
  const env = { ...process.env, CARVEOUT_CACHE: cache };
  const cli = (args: string[]) => runCli(args, { env, timeoutMs: 15 * 60_000 });
  const add = cli(['kernels', 'add', 'rt', '--kernel-config', k.config, '--system-map', k.systemMap]);
  assert.equal(add.status, 0, add.stderr);
  const m = cli(['kernels', 'measure', 'rt', '--kernel-image', k.vmlinuz, '--boots', '1']);
  assert.equal(m.status, 0, `${m.stdout}\n${m.stderr}`);
  const node = /^ {2}measured: nodeDataSize (0x[0-9a-f]+),/m.exec(m.stdout);
  assert.ok(node, m.stdout);
  // PREEMPT_RT's spinlocks are rt_mutexes: its pg_data_t is not 6.12-arm64's
  const lab = factsOfPackage('6.12-arm64', getProfile('6.12-arm64')!.debianPackage)!.measured!.sizes.find(
    (s) => s.name === 'nodeDataSize',
  )!;
  assert.notEqual(node[1], lab.value);
  await withEnv({ CARVEOUT_CACHE: cache }, async () => {
    const profile = storedKernel('rt')?.profile;
    assert.ok(profile);
    assert.equal(`0x${profile.arm64!.numa.nodeDataSize.toString(16)}`, node[1]);
    const c = generateCase(43, 7, 'arm64', { smp: true, numa: true, params: true, many: true });
    const { record } = await bootJob({ kernel: k, seed: 43, index: 7, case: c }, labDtb(c), { timeoutMs: 120_000 });
    const rec = decodeRecord(record);
    const o = replayCase(rec, profile);
    assert.deepEqual(o.problems, [], `${k.package} ${k.version}`);
    const lost = (rec.observation.gaps ?? []).reduce((n, g) => n + g.messages, 0);
    t.diagnostic(
      `${k.package} ${k.version}: ${m.stdout.match(/^ {2}measured: .*$/m)![0].trim()}; seed 43 #7 agrees (${o.lines} lines, ${o.allocs} placements${lost ? `; the console lost ${lost} early messages, compared around the gap` : ''})`,
    );
  });
});
