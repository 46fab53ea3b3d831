// Where the lab's records are: data/lab at the package's root, the same whether records.ts runs
// from src/verify (tsx) or from tsc's dist/src/verify.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDataDir, packageRoot, recordedKernels } from '../../src/verify/records.js';
import { repoRoot } from '../helpers/cli.js';

test('labDataDir is the repository data/lab, where the records are', () => {
  assert.equal(labDataDir, join(repoRoot, 'data', 'lab'));
  assert.ok(recordedKernels().includes('6.12-arm64'));
});

test('packageRoot: the nearest carveout package.json above, from src/verify and from dist/src/verify', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'carveout-root-'));
  try {
    const root = join(tmp, 'pkg');
    const src = join(root, 'src', 'verify');
    const dist = join(root, 'dist', 'src', 'verify');
    mkdirSync(src, { recursive: true });
    mkdirSync(dist, { recursive: true });
    assert.throws(() => packageRoot(dist), /no carveout package\.json at or above/);
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'carveout', version: '0.0.0' }));
    // a package.json of another name on the way up is not the root
    writeFileSync(join(root, 'dist', 'package.json'), JSON.stringify({ name: 'carveout-dist' }));
    assert.equal(packageRoot(src), root);
    assert.equal(packageRoot(dist), root);
    assert.equal(packageRoot(root), root);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
