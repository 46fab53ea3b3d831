// A lab kernel's package, fetched, as a user's own build in a fresh kernel cache (live tests of
// `carveout kernels measure`): QEMU installed, the package fetched, the lab's initramfs copied in,
// and `kernels add NAME` from the package's config (with a line of its own, so its files are not
// the package's) and System.map.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fetchKernels, findKernelDef, prepareApt, successorPackage, type FetchReport, type KernelInfo } from '../../src/verify/kernels.js';
import { ensureInitramfs } from '../../src/verify/initramfs.js';
import { qemuAvailable } from '../../src/verify/qemu.js';
import { runCli, type CliResult } from './cli.js';

export interface OwnBuild {
  k: KernelInfo;
  initrd: string;
  cache: string;
  env: NodeJS.ProcessEnv;
  /** The package's config with the extra line (kernels add's --kernel-config). */
  config: string;
  cli: (args: string[]) => CliResult;
}

/**
 * Why a live test of lab kernel `kernel` cannot fetch it: the archive offers a later series in its
 * place (sid moved on). Undefined when the package is there, or when apt knows none of any series
 * (the test then fails on the fetch, as it should).
 */
export function archiveMovedOn(kernel: string): string | undefined {
  const def = findKernelDef(kernel);
  assert.ok(def, kernel);
  prepareApt({ fetched: [], notFound: [], errors: [], log: [] }, def.suite);
  const later = successorPackage(def);
  return later && `${kernel} is gone from ${def.suite} (it offers ${later}): data/lab's records stay the judge of its layer`;
}

export function ownBuildInFreshCache(kernel: string, name: string): OwnBuild {
  if (qemuAvailable('arm64'))
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'qemu-system-arm'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  assert.equal(qemuAvailable('arm64'), undefined);
  const rep: FetchReport = fetchKernels([kernel]);
  const k = rep.fetched[0];
  assert.ok(k, `${kernel}: ${[...rep.notFound, ...rep.errors].join('; ')}`);
  const initrd = ensureInitramfs('arm64', rep);
  assert.ok(initrd, [...rep.notFound, ...rep.errors].join('; '));
  const cache = mkdtempSync(join(tmpdir(), `carveout-${name}-`));
  mkdirSync(join(cache, 'initramfs'));
  copyFileSync(initrd, join(cache, 'initramfs', basename(initrd)));
  const env = { ...process.env, CARVEOUT_CACHE: cache };
  const cli = (args: string[]) => runCli(args, { env, timeoutMs: 15 * 60_000 });
  const config = join(cache, 'config');
  writeFileSync(config, `${readFileSync(k.config, 'utf8')}# CONFIG_CARVEOUT_TEST is not set\n`);
  const add = cli(['kernels', 'add', name, '--kernel-config', config, '--system-map', k.systemMap]);
  assert.equal(add.status, 0, add.stderr);
  return { k, initrd, cache, env, config, cli };
}
