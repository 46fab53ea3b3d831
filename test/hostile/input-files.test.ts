// Input files a hostile user names: a directory, a file too large to read whole. Each is exit 2
// with a diagnostic saying so, never a stack trace (exit 70).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { MAX_INPUT_BYTES } from '../../src/input.js';

function withTmp(f: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-hostile-'));
  try {
    f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('plan of a directory named x.dtb: exit 2, "Is a directory"', () => {
  withTmp((dir) => {
    const x = join(dir, 'x.dtb');
    mkdirSync(x);
    const r = runCli(['plan', x, '--kernel', '6.12-arm64']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr + r.stdout, /Is a directory/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});

test('plan of a DTB over 2 GiB (sparse): exit 2, "too large", without reading it', () => {
  withTmp((dir) => {
    const x = join(dir, 'x.dtb');
    writeFileSync(x, '');
    truncateSync(x, 2 ** 31 + 1);
    const r = runCli(['plan', x, '--kernel', '6.12-arm64'], { timeoutMs: 60_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr + r.stdout, /too large.*256 MiB/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});

test('the input bound is 256 MiB', () => {
  assert.equal(MAX_INPUT_BYTES, 256 * 1024 * 1024);
});
