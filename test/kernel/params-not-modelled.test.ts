// Early parameters the kernel takes and the model does not follow are said so (param-not-modelled),
// never silently planned as if absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBoard } from '../../src/board.js';
import { plan } from '../../src/kernel/plan.js';
import { getProfile } from '../../src/kernel/profiles/index.js';

const board = (arch: 'arm64' | 'arm') => loadBoard('examples/qemu-virt-cma.dts', { platform: 'qemu-virt', arch });
const codes = (kernel: string, bootargs: string) =>
  plan(board(kernel.includes('arm64') ? 'arm64' : 'arm'), { kernel, bootargs }).diagnostics.filter((d) => d.code === 'param-not-modelled');

test('rodata=, hugetlb_cma= (arm64) are warned about; a plain command line is not, nor the per-node CMA areas, which are placed (numa-cma.test)', () => {
  for (const kernel of ['5.10-arm64', '6.12-arm64', '7.2-arm64']) {
    assert.deepEqual(codes(kernel, 'console=ttyAMA0'), [], kernel);
    assert.equal(codes(kernel, 'rodata=off').length, 1, kernel);
    assert.match(codes(kernel, 'hugetlb_cma=2G')[0]!.message, /arm64_hugetlb_cma_reserve/);
    assert.deepEqual(codes(kernel, 'cma_pernuma=16M numa_cma=0:16M'), [], kernel);
  }
});

test('numa: no value is -EINVAL on every series; fake= is -EINVAL on 6.12 and 7.2 without CONFIG_NUMA_EMU, taken by 5.10 and 6.1 (as booted)', () => {
  const malformed = (kernel: string, bootargs: string) =>
    plan(board('arm64'), { kernel, bootargs }).log.filter((l) => l.text === "Malformed early option 'numa'").length;
  // what each kernel printed under QEMU (verify --console, this stop): bare numa on 5.10, 6.1 and
  // 7.2; numa=fake=2 on 6.1 (nothing), 6.12 and 7.2
  for (const kernel of ['5.10-arm64', '6.1-arm64', '6.12-arm64', '7.2-arm64']) {
    assert.equal(malformed(kernel, 'numa'), 1, kernel);
    assert.equal(malformed(kernel, 'numa=fake=2'), kernel.startsWith('6.12') || kernel.startsWith('7.2') ? 1 : 0, kernel);
    assert.equal(malformed(kernel, 'numa=off'), 0, kernel);
  }
  // a build with CONFIG_NUMA_EMU takes fake= and emulates nodes, which the plan does not follow
  const emu = { ...getProfile('7.2-arm64')!, numaEmu: true };
  const p = plan(board('arm64'), { kernel: emu, bootargs: 'numa=fake=2' });
  assert.equal(p.log.filter((l) => l.text === "Malformed early option 'numa'").length, 0);
  assert.match(p.diagnostics.find((d) => d.code === 'param-not-modelled')?.message ?? '', /CONFIG_NUMA_EMU/);
  // 32-bit arm has no NUMA: numa= is unknown there, passed to init
  assert.equal(malformed('6.12-armmp', 'numa'), 0);
});
