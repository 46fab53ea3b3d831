// verify --cpu: the arm64 core QEMU boots decides what a 52-bit build does (src/platform/cpu.ts).
// Live (CI or CARVEOUT_LAB=1): Debian's 6.12-arm64-16k on a Cortex-A76 (no FEAT_LPA2) runs with
// 47-bit VA and three page-table levels, and the plan agrees line for line, Memory line and
// memblock tables included; on a Cortex-A53 (no 16K granule) it never prints a line, as the plan's
// silent hang in __no_granule_support says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBoard } from '../../src/board.js';
import { plan } from '../../src/kernel/plan.js';
import { verifyBoard } from '../../src/verify/verify.js';
import { qemuAvailable } from '../../src/verify/qemu.js';
import { archiveMovedOn } from '../helpers/own-build.js';
import { liveSkip } from '../helpers/live.js';

const MiB = 1n << 20n;
const BOARD = 'examples/qemu-virt-cma.dts';

test('live: 6.12-arm64-16k on QEMU -cpu cortex-a76 runs 47-bit and agrees with the plan; on cortex-a53 it prints nothing, as planned', {
  skip: liveSkip(),
  timeout: 10 * 60_000,
}, async (t) => {
  const gone = archiveMovedOn('6.12-arm64-16k');
  if (gone) return t.skip(gone);
  assert.equal(qemuAvailable('arm64'), undefined);
  const a76 = await verifyBoard(BOARD, {
    kernel: '6.12-arm64-16k',
    ram: 1024n * MiB,
    cpu: 'cortex-a76',
    timeoutMs: 120_000,
    keepConsole: true,
  });
  assert.deepEqual(
    a76.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.match(a76.observation?.console ?? '', /Linux version 6\.12/);
  assert.ok(a76.observation?.memoryLine && a76.observation.memblockDump, 'the boot printed its Memory line and MEMBLOCK dump');
  assert.deepEqual(a76.differences, []);
  assert.equal(a76.exitCode, 0);

  const planned = plan(loadBoard(BOARD, { platform: 'qemu-virt', arch: 'arm64', ram: 1024n * MiB, cpu: 'cortex-a53' }), {
    kernel: '6.12-arm64-16k',
  });
  assert.equal(planned.boot.function, '__no_granule_support');
  const a53 = await verifyBoard(BOARD, {
    kernel: '6.12-arm64-16k',
    ram: 1024n * MiB,
    cpu: 'cortex-a53',
    timeoutMs: 20_000,
    keepConsole: true,
  });
  assert.doesNotMatch(a53.observation?.console ?? '', /Linux version/);
  assert.ok(a53.diagnostics.some((d) => d.code === 'boot-failed'));
});
