// Finds an unpacked Linux source tree for tests and the benchmark (kernel DTS corpus, dt-bindings
// headers, scripts/dtc/include-prefixes), installing Debian's `linux-source-<version>` if needed.
//
// Order: $CARVEOUT_LINUX_SOURCE (an explicit tree), /usr/src/linux-source-<v> (what the Debian
// package's tarball unpacks to), the cache $XDG_CACHE_HOME/carveout/linux-source-<v>
// (default ~/.cache/carveout), else `apt-get install linux-source-<v>` and unpack only the parts
// the DTS corpus needs into that cache. Linux 6.12 is in bookworm-backports on Debian 12: .ci/run
// enables it; this helper enables it too when it has to install and the suite is missing.
import { cacheDir } from '../../src/cache.js';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** carveout's cache directory: $XDG_CACHE_HOME/carveout, default ~/.cache/carveout. */
export { cacheDir };

/**
 * The parts of the tree the DTS corpus needs. arch/riscv is there because
 * arch/arm/boot/dts/allwinner/sun8i-t113s.dtsi includes <riscv/allwinner/…> through
 * include-prefixes; include/dt-bindings/input/linux-event-codes.h is a symlink to
 * include/uapi/linux/input-event-codes.h; the Makefiles carry the kernel's dtc flags
 * (scripts/Makefile.dtbs, 6.12; Makefile.lib in older kernels).
 */
export const corpusParts = [
  'Makefile',
  'arch/arm/boot/dts',
  'arch/arm64/boot/dts',
  'arch/riscv/boot/dts',
  'include/dt-bindings',
  'include/uapi/linux/input-event-codes.h',
  'scripts/dtc/include-prefixes',
  'scripts/Makefile.dtbs',
  'scripts/Makefile.lib',
];
/** The cache marker records what was unpacked: a tree unpacked with another list is redone. */
const marker = '.carveout-complete';
const markerText = `${JSON.stringify(corpusParts)}\n`;
const complete = (dir: string): boolean => {
  try {
    return readFileSync(join(dir, marker), 'utf8') === markerText;
  } catch {
    return false;
  }
};

/** A tree is usable when the DTS directories and include-prefixes are there. */
function usable(dir: string): boolean {
  return (
    existsSync(join(dir, 'arch/arm64/boot/dts')) &&
    existsSync(join(dir, 'arch/arm/boot/dts')) &&
    existsSync(join(dir, 'scripts/dtc/include-prefixes/dt-bindings')) &&
    existsSync(join(dir, 'include/dt-bindings'))
  );
}

export interface KernelSourceResult {
  dir?: string;
  problem?: string;
}

const found = new Map<string, Promise<KernelSourceResult>>();

/** Like findKernelSource, but says why when it finds nothing (for skip messages). */
export function locateKernelSource(version = '6.12', opts: { install?: boolean } = {}): Promise<KernelSourceResult> {
  const key = `${version}:${opts.install !== false}`;
  let p = found.get(key);
  if (!p) {
    p = Promise.resolve().then(() => locate(version, opts.install !== false));
    found.set(key, p);
  }
  return p;
}

/** An unpacked Linux source tree of `version` (e.g. '6.12'), or undefined when none can be had. */
export async function findKernelSource(version = '6.12', opts: { install?: boolean } = {}): Promise<string | undefined> {
  return (await locateKernelSource(version, opts)).dir;
}

function locate(version: string, install: boolean): KernelSourceResult {
  const explicit = process.env.CARVEOUT_LINUX_SOURCE;
  if (explicit) {
    return usable(explicit)
      ? { dir: explicit }
      : { problem: `CARVEOUT_LINUX_SOURCE=${explicit} has no arch/arm64/boot/dts or include-prefixes` };
  }
  const system = `/usr/src/linux-source-${version}`;
  if (usable(system)) return { dir: system };
  const cached = join(cacheDir(), `linux-source-${version}`);
  if (usable(cached) && complete(cached)) return { dir: cached };

  const tarball = `/usr/src/linux-source-${version}.tar.xz`;
  if (!existsSync(tarball)) {
    if (!install) return { problem: `no ${system}, no ${cached} and no ${tarball} (install Debian's linux-source-${version})` };
    const why = aptInstall(`linux-source-${version}`);
    if (!existsSync(tarball)) return { problem: `could not install linux-source-${version}: ${why}` };
  }
  return unpack(tarball, version, cached);
}

function run(cmd: string, args: string[], timeoutMs: number): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/** apt-get install with one retry after `apt-get update` (which may partly fail on a syncing mirror). */
function aptInstall(pkg: string): string {
  if (process.getuid?.() !== 0) return 'not root, cannot apt-get install';
  let r = run('apt-get', ['install', '-y', '--no-install-recommends', pkg], 30 * 60_000);
  if (r.ok) return '';
  enableBookwormBackports();
  run('apt-get', ['update'], 10 * 60_000);
  r = run('apt-get', ['install', '-y', '--no-install-recommends', pkg], 30 * 60_000);
  return r.ok ? '' : r.out.trim().split('\n').slice(-3).join(' | ');
}

/** Debian 12 ships Linux 6.12 only in bookworm-backports (same stanza as .ci/run writes). */
function enableBookwormBackports(): void {
  const file = '/etc/apt/sources.list.d/backports.sources';
  try {
    if (existsSync(file) || !readFileSync('/etc/os-release', 'utf8').includes('bookworm')) return;
    writeFileSync(
      file,
      'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\n' +
        'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n',
    );
  } catch {
    /* not fatal: the install below reports the failure */
  }
}

/** Unpacks only corpusParts from the tarball into the cache; atomic (temp dir + rename). */
function unpack(tarball: string, version: string, dest: string): KernelSourceResult {
  const prefix = `linux-source-${version}`;
  const tmp = `${dest}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  // Members absent in some versions (scripts/Makefile.dtbs is new in 6.12) make tar exit 2 after
  // extracting the rest, so judge by the result rather than the exit status.
  const r = run('tar', ['-xJf', tarball, '-C', tmp, '--strip-components=1', ...corpusParts.map((p) => `${prefix}/${p}`)], 20 * 60_000);
  if (!usable(tmp)) {
    rmSync(tmp, { recursive: true, force: true });
    return { problem: `unpacking ${tarball} failed: ${r.out.trim().split('\n').slice(-3).join(' | ')}` };
  }
  writeFileSync(join(tmp, marker), markerText);
  try {
    if (usable(dest) && complete(dest)) throw new Error('already there');
    rmSync(dest, { recursive: true, force: true });
    renameSync(tmp, dest);
  } catch {
    // Another process won the race: use its copy.
    rmSync(tmp, { recursive: true, force: true });
  }
  return usable(dest) ? { dir: dest } : { problem: `could not place the unpacked tree at ${dest}` };
}
