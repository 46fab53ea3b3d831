// Writing standard output can fail (a full disk, a closed pipe): one line on stderr, no stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.js';

const cli = join(repoRoot, 'src', 'cli', 'main.ts');

test('carveout kernels > /dev/full: write failed: ENOSPC, exit 2, no stack trace', { skip: !existsSync('/dev/full') }, () => {
  const r = spawnSync('sh', ['-c', `"${process.execPath}" --import tsx "${cli}" kernels > /dev/full`], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^carveout: write failed: standard output: ENOSPC\n$/);
});
