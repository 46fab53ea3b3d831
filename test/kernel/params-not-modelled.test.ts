// Early parameters the kernel takes and the model does not follow are said so (param-not-modelled),
// never silently planned as if absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBoard } from '../../src/board.js';
import { plan } from '../../src/kernel/plan.js';

const board = (arch: 'arm64' | 'arm') => loadBoard('examples/qemu-virt-cma.dts', { platform: 'qemu-virt', arch });
const codes = (kernel: string, bootargs: string) =>
  plan(board(kernel.includes('arm64') ? 'arm64' : 'arm'), { kernel, bootargs }).diagnostics.filter((d) => d.code === 'param-not-modelled');

test('rodata=, hugetlb_cma= (arm64), numa_cma=, cma_pernuma= (NUMA builds) are warned about; a plain command line is not', () => {
  for (const kernel of ['5.10-arm64', '6.12-arm64', '7.2-arm64']) {
    assert.deepEqual(codes(kernel, 'console=ttyAMA0'), [], kernel);
    assert.equal(codes(kernel, 'rodata=off').length, 1, kernel);
    assert.match(codes(kernel, 'hugetlb_cma=2G')[0]!.message, /arm64_hugetlb_cma_reserve/);
    assert.match(codes(kernel, 'cma_pernuma=16M')[0]!.message, /per NUMA node/);
    assert.match(codes(kernel, 'numa_cma=0:16M')[0]!.message, /per NUMA node/);
  }
  // 32-bit arm: no NUMA, no such early params
  assert.deepEqual(codes('6.12-armmp', 'cma_pernuma=16M'), []);
});
