// `--smp N` (plan, check, map, verify): QEMU virt's CPU count. The plan on QEMU's own tree for N
// CPUs reserves a per-cpu unit for each (pcpu_embed_first_chunk) and sizes the blob QEMU writes
// with N cpu nodes; bad values are usage errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { qemuAvailable } from '../../src/verify/qemu.js';

const planJson = (...a: string[]) => {
  const r = runCli(['plan', 'examples/qemu-virt-cma.dts', '--platform', 'qemu-virt', '--ram', '512M', '--format', 'json', ...a]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { early: { name: string; size: string }[]; pageAllocator: { reserved: string } };
};

for (const kernel of ['6.12-arm64', '6.1-armmp']) {
  test(`plan --platform qemu-virt --smp 4 on ${kernel}: a bigger blob and more reserved than one CPU`, {
    skip: qemuAvailable(kernel.includes('arm64') ? 'arm64' : 'arm'),
  }, () => {
    const one = planJson('--kernel', kernel);
    const four = planJson('--kernel', kernel, '--smp', '4');
    const dtb = (p: typeof one) => BigInt(p.early.find((e) => e.name === 'dtb')!.size);
    assert.ok(dtb(four) > dtb(one), `blob ${dtb(four)} vs ${dtb(one)}`);
    // three more per-cpu units (and the per-cpu bookkeeping beside them)
    assert.ok(BigInt(four.pageAllocator.reserved) > BigInt(one.pageAllocator.reserved));
    assert.deepEqual(planJson('--kernel', kernel, '--smp', '1'), one);
  });
}

test('--smp: out of range, not a number, beside --numa, a platform that is not QEMU virt', () => {
  const plan = (...a: string[]) => runCli(['plan', 'examples/qemu-virt-cma.dts', '--kernel', '6.12-arm64', ...a]);
  for (const v of ['0', '9', 'x', '2.5']) {
    const r = plan('--platform', 'qemu-virt', '--smp', v);
    assert.equal(r.status, 2, v);
    assert.match(r.stderr, /--smp needs a CPU count from 1 to 8/);
  }
  const numa = plan('--platform', 'qemu-virt', '--ram', '1G', '--numa', '512M,512M', '--smp', '2');
  assert.equal(numa.status, 2);
  assert.match(numa.stderr, /--numa gives QEMU a CPU per node/);
  const board = plan('--smp', '2');
  assert.equal(board.status, 2);
  assert.match(board.stderr, /--smp sets QEMU virt's CPU count: it goes with --platform qemu-virt/);
  const verify = runCli(['verify', 'examples/qemu-virt-cma.dts', '--kernel', '6.12-arm64', '--numa', '512M,512M', '--smp', '2']);
  assert.equal(verify.status, 2);
  assert.match(verify.stderr, /--smp and --numa/);
});
