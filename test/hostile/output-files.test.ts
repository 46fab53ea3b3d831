// compile/decompile -o never destroy the file they replace: the new bytes go to a temporary file
// renamed into place, and a failed write names its errno ("write failed: EFBIG", "ENOSPC").
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'carveout-output-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const dts = join(dir, 'x.dts');
writeFileSync(dts, '/dts-v1/;\n/ { };\n');

test('compile -S 0xffffffff / -a 0x80000000 -o an existing file: the file is kept or replaced whole', () => {
  const old = join(dir, 'old.dtb');
  writeFileSync(old, 'old contents');
  const a = runCli(['compile', '-a', '0x80000000', '-o', old, dts]);
  assert.equal(a.status, 2);
  assert.equal(readFileSync(old, 'latin1'), 'old contents');
  const s = runCli(['compile', '-S', '0xffffffff', '-o', old, dts]);
  assert.equal(s.status, 0, s.stderr);
  assert.equal(readFileSync(old).length, 72);
});

test('a write that fails part way (EFBIG under ulimit -f) leaves the old file whole and no temporary', () => {
  const sub = mkdtempSync(join(dir, 'efbig-'));
  const old = join(sub, 'old.dtb');
  writeFileSync(old, 'old contents');
  chmodSync(old, 0o640);
  // ulimit -f counts 1 KiB blocks; Node ignores SIGXFSZ, so write(2) fails with EFBIG.
  const r = spawnSync(
    'bash',
    ['-c', 'ulimit -f 64 && exec "$0" --import tsx src/cli/main.ts "$@"', process.execPath, 'compile', '-p', '200000', '-o', old, dts],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /carveout compile: write failed: EFBIG: file too large/);
  assert.equal(readFileSync(old, 'latin1'), 'old contents');
  assert.deepEqual(readdirSync(sub), ['old.dtb']);
  // A successful replacement keeps the old file's permissions.
  assert.equal(runCli(['compile', '-o', old, dts]).status, 0);
  assert.equal(statSync(old).mode & 0o777, 0o640);
  assert.equal(readFileSync(old).length, 72);
});

test('write to /dev/full says "write failed: ENOSPC" (a device is written in place, not renamed over)', () => {
  const c = runCli(['compile', '-o', '/dev/full', dts]);
  assert.equal(c.status, 2);
  assert.match(c.stderr, /carveout compile: write failed: \/dev\/full: ENOSPC: no space left on device/);
  const blob = join(dir, 'x.dtb');
  assert.equal(runCli(['compile', '-o', blob, dts]).status, 0);
  const d = runCli(['decompile', blob, '-o', '/dev/full']);
  assert.equal(d.status, 2);
  assert.match(d.stderr, /carveout decompile: write failed: \/dev\/full: ENOSPC/);
  assert.ok(statSync('/dev/full').isCharacterDevice());
});

test('an output in a missing folder is exit 2 naming the path and ENOENT', () => {
  const out = join(dir, 'no-such-dir', 'x.dtb');
  const c = runCli(['compile', '-o', out, dts]);
  assert.equal(c.status, 2);
  assert.match(c.stderr, /Couldn't open .*no-such-dir\/x\.dtb: ENOENT: no such file or directory/);
  const d = runCli(['compile', '-d', out, '-o', join(dir, 'y.dtb'), dts]);
  assert.equal(d.status, 2);
  assert.match(d.stderr, /dependency file: Couldn't open .*no-such-dir\/x\.dtb: ENOENT/);
});
