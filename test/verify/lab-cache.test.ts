// The lab's boot cache is keyed by the kernel package booted: a record cached for one point release
// is never taken for another (an export of 6.12.95 records must not pick up a 6.12.118 boot), and
// records cached before the package was in the key stay readable for the package they name. The
// firmware lab keys its records by the firmware package too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedRecord, LAB_VERSION } from '../../src/verify/lab.js';
import { cachedFirmwareRecord } from '../../src/verify/firmware-lab.js';
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

test('firmware lab cache: a record is taken only for the firmware and kernel packages it was booted on', () => {
  const saved = process.env.CARVEOUT_CACHE;
  process.env.CARVEOUT_CACHE = mkdtempSync(join(tmpdir(), 'carveout-fwcache-'));
  try {
    const c = generateCase(1, 0, 'arm64');
    const sha = 'cd'.repeat(32);
    const k = { id: '6.12-arm64', package: 'linux-image-6.12.118+deb12-arm64-unsigned', version: '6.12.118-1~deb12u1' };
    const k2 = { ...k, package: 'linux-image-6.12.130+deb12-arm64-unsigned', version: '6.12.130-1~deb12u1' };
    const uboot = { kind: 'u-boot' as const, package: 'u-boot-qemu 2023.01+dfsg-2+deb12u3' };
    const uboot2 = { ...uboot, package: 'u-boot-qemu 2025.01-3' };
    const record = (fw: typeof uboot, kernel: typeof k, seed: number) =>
      JSON.stringify({ package: bootedPackage(kernel), seed, firmware: { kind: fw.kind, package: fw.package } });
    const fwDir = join(process.env.CARVEOUT_CACHE, 'lab', `v${LAB_VERSION}-i${INITRAMFS_VERSION}`, 'u-boot', '6.12-arm64');
    mkdirSync(fwDir, { recursive: true });
    // the layout before: no packages in the path, both inside the record
    writeFileSync(join(fwDir, `${caseId(c)}-${sha.slice(0, 16)}.json`), record(uboot, k, 1));
    assert.equal(cachedFirmwareRecord(uboot, k, c, sha)?.seed, 1);
    assert.equal(cachedFirmwareRecord(uboot2, k, c, sha), undefined, 'a boot through another U-Boot upload');
    assert.equal(cachedFirmwareRecord(uboot, k2, c, sha), undefined, 'a boot of another kernel upload');
    // the layout now: <firmware>/<kernel>/<firmware package>/<kernel package>/
    const dir = join(fwDir, uboot2.package.replace(' ', '_'), `${k2.package}_${k2.version}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${caseId(c)}-${sha.slice(0, 16)}.fast.json`), record(uboot2, k2, 2));
    assert.equal(cachedFirmwareRecord(uboot2, k2, c, sha)?.seed, 2);
    assert.equal(cachedFirmwareRecord(uboot2, k2, c, sha, true), undefined, 'a fast boot is not a full one');
    assert.equal(cachedFirmwareRecord(uboot, k, c, sha)?.seed, 1);
  } finally {
    if (saved === undefined) delete process.env.CARVEOUT_CACHE;
    else process.env.CARVEOUT_CACHE = saved;
  }
});
