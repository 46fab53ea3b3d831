// `--numa SIZE,...` (plan, check, map, verify): QEMU virt's NUMA nodes. The plan on QEMU's own
// tree for them places NODE_DATA per node; bad values are usage errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { qemuAvailable } from '../../src/verify/qemu.js';

test('plan --platform qemu-virt --numa 512M,512M: a NODE_DATA per node; RAM their sum', { skip: qemuAvailable('arm64') }, () => {
  const r = runCli(['plan', 'examples/qemu-virt-cma.dts', '--kernel', '7.2-arm64', '--platform', 'qemu-virt', '--numa', '512M,512M']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /RAM 1 GiB at 0x0000000040000000/);
  assert.match(r.stdout, /NODE_DATA\(0\) allocated \[mem 0x5/);
  assert.match(r.stdout, /NODE_DATA\(1\) allocated \[mem 0x7/);
  // 7.2's per-node CMA areas, besides the tree's default one
  assert.equal(r.stdout.match(/^ {2}cma: Reserved 64 MiB/gm)?.length, 2);
});

test('--numa: sizes that do not add up to --ram, a platform that is not QEMU virt, a bad size', () => {
  const plan = (...a: string[]) => runCli(['plan', 'examples/qemu-virt-cma.dts', '--kernel', '6.12-arm64', ...a]);
  const sum = plan('--platform', 'qemu-virt', '--ram', '1G', '--numa', '512M,256M');
  assert.equal(sum.status, 2, sum.stderr);
  assert.match(sum.stderr, /add up to 0x30000000, not the RAM size 0x40000000/);
  const board = plan('--numa', '512M,512M');
  assert.equal(board.status, 2);
  assert.match(board.stderr, /--numa lays out QEMU's virt machine/);
  const bad = plan('--platform', 'qemu-virt', '--numa', '512M,lots');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--numa needs node sizes/);
});
