// The installed bin, not the tsx entry the other CLI tests use: after `npm run build` (what
// `npm install` runs as `prepare`), `npx carveout` must start — it once failed with
// "Permission denied" because tsc does not make dist/src/cli/main.js executable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.js';

test('npm run build leaves an executable bin that npx runs', { timeout: 300_000 }, () => {
  const build = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stdout + build.stderr);
  assert.ok(statSync(join(repoRoot, 'dist/src/cli/main.js')).mode & 0o100, 'bin is executable');
  const r = spawnSync('npx', ['--no-install', 'carveout', '--version'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^carveout \d+\.\d+\.\d+/);
});
