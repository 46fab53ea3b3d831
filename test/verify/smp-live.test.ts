// verify --smp 4: QEMU virt with four CPUs booted by a 32-bit kernel (the arm64 kernels' 4-CPU
// allocations are judged offline by test/kernel/virt-smp4.test.ts): the kernel brings up all four,
// and the plan's regions, log lines and Memory: line agree with it. Runs when CI is set or
// CARVEOUT_LAB=1 (it fetches the kernel and needs qemu-system-arm, which .ci/run installs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyBoard } from '../../src/verify/verify.js';
import { qemuAvailable } from '../../src/verify/qemu.js';
import { liveSkip } from '../helpers/live.js';

const MiB = 1n << 20n;

test('verify --smp 4 on 6.12-armmp: four CPUs up, the plan agrees', {
  skip: liveSkip(),
  timeout: 10 * 60_000,
}, async () => {
  assert.equal(qemuAvailable('arm'), undefined);
  const r = await verifyBoard('examples/qemu-virt-cma.dts', {
    kernel: '6.12-armmp',
    smp: 4,
    ram: 512n * MiB,
    timeoutMs: 120_000,
    keepConsole: true,
  });
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.match(r.observation?.console ?? '', /SMP: Total of 4 processors activated/);
  assert.ok(r.observation?.memoryLine, 'the kernel printed its Memory: line');
  assert.deepEqual(r.differences, []);
  assert.equal(r.exitCode, 0);
});
