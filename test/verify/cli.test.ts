// `carveout kernels` and `carveout verify` error paths that need no QEMU boot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'carveout-verify-cli-'));
const dts = join(dir, 'board.dts');
writeFileSync(
  dts,
  '/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;\n  fw@50000000 { reg = <0 0x50000000 0 0x100000>; no-map; }; }; };\n',
);

test('kernels lists every lab kernel', () => {
  const r = runCli(['kernels'], { env: { ...process.env, CARVEOUT_CACHE: join(dir, 'cache') } });
  assert.equal(r.status, 0, r.stderr);
  for (const id of ['6.1-arm64', '6.12-arm64', '6.12-arm64-16k', '6.1-armmp', '6.1-armmp-lpae'])
    assert.match(r.stdout, new RegExp(`^  ${id.replace(/\./g, '\\.')} `, 'm'));
  assert.match(r.stdout, /not fetched/);
  const j = runCli(['kernels', '--format', 'json'], { env: { ...process.env, CARVEOUT_CACHE: join(dir, 'cache') } });
  assert.equal(JSON.parse(j.stdout).kernels.length >= 5, true);
});

test('kernels fetch without the package (gone from the archive, or no apt here): the built-in profile still plans', () => {
  // no apt-get on PATH stands for a package the archive no longer has: nothing fetched
  const r = runCli(['kernels', 'fetch', '7.2-arm64'], {
    env: { ...process.env, CARVEOUT_CACHE: join(dir, 'cache-gone'), PATH: join(dir, 'no-tools') },
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /'apt-get' not found/);
  assert.match(
    r.stderr,
    /note: 7\.2-arm64: plan, check and map use the built-in profile of linux-binary-7\.2\.\S+ \S+, whose recorded boots \(data\/lab\/7\.2-arm64\.jsonl\.gz\) judge it; verify needs the package/,
  );
  const l = runCli(['kernels'], { env: { ...process.env, CARVEOUT_CACHE: join(dir, 'cache-gone') } });
  assert.match(l.stdout, /^ {2}7\.2-arm64 +arm64 +not fetched \(built-in profile: linux-binary-7\.2\./m);
});

test('kernels fetch rejects unknown IDs', () => {
  const r = runCli(['kernels', 'fetch', '5.10-sparc'], { env: { ...process.env, CARVEOUT_CACHE: join(dir, 'cache') } });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown kernel '5\.10-sparc'/);
});

test('verify: usage errors exit 2 with a message, not a stack trace', () => {
  for (const args of [
    ['verify'],
    ['verify', dts],
    ['verify', dts, '--kernel', 'nope'],
    ['verify', join(dir, 'missing.dts'), '--kernel', '6.12-arm64'],
    ['verify', dts, '--kernel', '6.1-armmp', '--ram', '4G'],
    ['verify', dts, '--kernel', '6.12-arm64', '--ram', 'lots'],
  ]) {
    const r = runCli(args, { env: { ...process.env, CARVEOUT_CACHE: join(dir, 'cache') } });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, args.join(' '));
    assert.ok(r.stderr.length > 0, args.join(' '));
  }
});

test('verify: missing QEMU is a clear error naming the package', () => {
  const empty = join(dir, 'emptybin');
  mkdirSync(empty, { recursive: true });
  const r = runCli(['verify', dts, '--kernel', '6.12-arm64'], { env: { ...process.env, PATH: empty, CARVEOUT_CACHE: join(dir, 'cache') } });
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /qemu-system-aarch64 not found.*apt-get install qemu-system-arm/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});
