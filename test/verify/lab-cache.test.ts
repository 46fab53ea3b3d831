// The lab's boot cache is keyed by the kernel package booted: a record cached for one point release
// is never taken for another (an export of 6.12.95 records must not pick up a 6.12.118 boot), and
// records cached before the package was in the key stay readable for the package they name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedRecord, LAB_VERSION } from '../../src/verify/lab.js';
import { bootedPackage } from '../../src/verify/kernels.js';
import { INITRAMFS_VERSION } from '../../src/verify/initramfs.js';
import { caseId, generateCase } from '../../src/verify/generator.js';

test('lab cache: a record is taken only for the package it was booted on', () => {
  const saved = process.env.CARVEOUT_CACHE;
  process.env.CARVEOUT_CACHE = mkdtempSync(join(tmpdir(), 'carveout-labcache-'));
  try {
    const c = generateCase(1, 0, 'arm64');
    const sha = 'ab'.repeat(32);
    const old = { id: '6.12-arm64', package: 'linux-image-6.12.95+deb12-arm64-unsigned', version: '6.12.95-1~bpo12+1' };
    const now = { id: '6.12-arm64', package: 'linux-image-6.12.118+deb12-arm64-unsigned', version: '6.12.118-1~deb12u1' };
    const kernelDir = join(process.env.CARVEOUT_CACHE, 'lab', `v${LAB_VERSION}-i${INITRAMFS_VERSION}`, '6.12-arm64');
    mkdirSync(kernelDir, { recursive: true });
    // the layout before: no package in the path, the package inside the record
    writeFileSync(join(kernelDir, `${caseId(c)}-${sha.slice(0, 16)}.json`), JSON.stringify({ package: bootedPackage(old), seed: 1 }));
    assert.equal(cachedRecord(old, c, sha)?.package, bootedPackage(old));
    assert.equal(cachedRecord(now, c, sha), undefined, 'a 6.12.95 boot is not a 6.12.118 record');
    // the layout now: <kernel>/<package>_<version>/
    const dir = join(kernelDir, `${now.package}_${now.version}`);
    mkdirSync(dir);
    writeFileSync(join(dir, `${caseId(c)}-${sha.slice(0, 16)}.fast.json`), JSON.stringify({ package: bootedPackage(now), seed: 2 }));
    assert.equal(cachedRecord(now, c, sha)?.package, bootedPackage(now));
    assert.equal(cachedRecord(now, c, sha, true), undefined, 'a fast boot is not a full one');
    assert.equal(cachedRecord(old, c, sha)?.package, bootedPackage(old));
    assert.deepEqual(readdirSync(kernelDir).sort(), [`${caseId(c)}-${sha.slice(0, 16)}.json`, `${now.package}_${now.version}`]);
  } finally {
    if (saved === undefined) delete process.env.CARVEOUT_CACHE;
    else process.env.CARVEOUT_CACHE = saved;
  }
});
