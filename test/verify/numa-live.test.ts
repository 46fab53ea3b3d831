// verify --numa: QEMU virt with two NUMA nodes booted by 7.2-arm64, whose per-node CMA areas
// (CONFIG_DMA_NUMA_CMA + CMA_SIZE_PERNUMA) land below each node's memmap and NODE_DATA: the plan's
// `cma:` lines and regions agree with the kernel's. Runs when CI is set or CARVEOUT_LAB=1 (it
// fetches the kernel and needs qemu-system-arm, which .ci/run installs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyBoard } from '../../src/verify/verify.js';
import { qemuAvailable } from '../../src/verify/qemu.js';
import { archiveMovedOn } from '../helpers/own-build.js';
import { liveSkip } from '../helpers/live.js';

const MiB = 1n << 20n;
const KERNEL = '7.2-arm64';

test('verify --numa 512M,512M on 7.2-arm64: a CMA area per node where the plan puts it', {
  skip: liveSkip(),
  timeout: 10 * 60_000,
}, async (t) => {
  const gone = archiveMovedOn(KERNEL);
  if (gone) return t.skip(gone);
  assert.equal(qemuAvailable('arm64'), undefined);
  const r = await verifyBoard('examples/qemu-virt-cma.dts', { kernel: KERNEL, numa: [512n * MiB, 512n * MiB], timeoutMs: 120_000 });
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.equal(r.ram, 1024n * MiB);
  const cma = (r.observation?.log ?? []).map((l) => l.text).filter((t) => t.startsWith('cma: Reserved'));
  // the tree's linux,cma is the default area; each node gets one more of its size
  assert.equal(cma.length, 2, cma.join('\n'));
  assert.equal(r.observation?.cmaTotalKiB, 3n * 65536n);
  assert.deepEqual(r.differences, []);
  assert.equal(r.exitCode, 0);
});
