// Per-node CMA areas (kernel/dma/contiguous.c): `cma_pernuma=` on builds with
// CONFIG_DMA_PERNUMA_CMA (Debian's 5.10 and 6.1 arm64: dma_pernuma_cma_reserve from bootmem_init),
// `cma_pernuma=` and `numa_cma=` on builds with CONFIG_DMA_NUMA_CMA (7.2: dma_numa_cma_reserve
// after the default area); Debian's 6.12 arm64 has neither, and passes the words to init. The
// figures each test names were printed by the kernels booted under QEMU with `carveout verify`
// (examples/qemu-virt-cma.dts, 1 GiB; `--numa 512M,512M,0`), which agreed with the plan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { plan, type PlanResult } from '../../src/kernel/plan.js';
import { loadBoard } from '../../src/board.js';
import { regionBoard } from '../helpers/board.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const example = `${root}examples/qemu-virt-cma.dts`;
const GiB = 1n << 30n;
const flat = (kernel: string, bootargs: string) =>
  plan(loadBoard(example, { platform: 'qemu-virt', arch: 'arm64', ram: GiB }), { kernel, bootargs: `console=ttyAMA0 ${bootargs}` });
// QEMU's virt tree with two 512 MiB nodes and a memoryless third (-numa … -numa node,cpus=2)
const numaTree = new Uint8Array(readFileSync(`${root}data/lab/virt/arm64-40000000-numa-20000000-20000000-0.dtb`));
const numa = (kernel: string, bootargs: string) =>
  plan(loadBoard(numaTree, { fileName: 'numa.dtb', platform: 'qemu-virt', asBooted: true, arch: 'arm64', ram: GiB }), {
    kernel,
    bootargs: `console=ttyAMA0 ${bootargs}`,
  });
const cmaLines = (p: PlanResult) => p.log.map((l) => l.text).filter((t) => /^cma: /.test(t));

test('cma_pernuma= on one node: a "pernuma0" area on 5.10, 6.1 and 7.2 arm64 where the kernel put it; 6.12 passes it to init', () => {
  for (const kernel of ['5.10-arm64', '6.1-arm64', '7.2-arm64']) {
    const p = flat(kernel, 'cma_pernuma=16M');
    assert.equal(p.boot.outcome, 'ok', kernel);
    // booted: each printed this line first, before the default area's
    assert.equal(cmaLines(p)[0], 'cma: Reserved 16 MiB at 0x000000007e000000', kernel);
    assert.equal(p.pageAllocator?.cmaReserved, 80n << 20n, kernel);
  }
  const p = flat('6.12-arm64', 'cma_pernuma=16M');
  assert.ok(!cmaLines(p).some((t) => t.includes('16 MiB')));
  assert.ok(p.log.some((l) => l.text === 'Unknown kernel command line parameters "cma_pernuma=16M", will be passed to user space.'));
  assert.ok(p.diagnostics.some((d) => d.code === 'param-to-init' && d.message.startsWith("'cma_pernuma=16M'")));
});

test('per-node areas land on their node; a memoryless node fails with the function that asked', () => {
  const node = (base: bigint) => (base < 0x60000000n ? 0 : 1); // node 0: [0x40000000, 0x60000000), node 1 above
  for (const [kernel, fn] of [
    ['6.1-arm64', 'dma_pernuma_cma_reserve'],
    ['7.2-arm64', 'dma_numa_cma_reserve'],
  ] as const) {
    const p = numa(kernel, 'cma_pernuma=8M');
    const reserved = cmaLines(p)
      .map((t) => /^cma: Reserved 8 MiB at 0x([0-9a-f]+)$/.exec(t)?.[1])
      .filter((x) => x !== undefined)
      .map((x) => BigInt(`0x${x}`));
    assert.deepEqual(reserved.map(node), [0, 1], kernel);
    assert.ok(cmaLines(p).includes('cma: Failed to reserve 8 MiB'), kernel);
    assert.ok(cmaLines(p).includes(`cma: ${fn}: reservation failed: err -12, node 2`), kernel);
  }
  // 7.2's numa_cma= by node, each size on its node; a node at or past MAX_NUMNODES ends the list
  const p = numa('7.2-arm64', 'numa_cma=1:16M,0:4M,99:8M,2:8M');
  const sizes = cmaLines(p).filter((t) => /^cma: Reserved (4|16) MiB/.test(t));
  assert.equal(sizes.length, 2);
  assert.ok(!cmaLines(p).some((t) => /node 2/.test(t)));
  // too big for its node: the kernel's message and err -ENOMEM
  const big = numa('7.2-arm64', 'numa_cma=1:2000M');
  assert.ok(cmaLines(big).includes('cma: dma_numa_cma_reserve: reservation failed: err -12, node 1'));
});

test('cma_pernuma given bare: early_cma_pernuma reads the missing value through NULL, and the boot dies in the idle task', () => {
  for (const kernel of ['5.10-arm64', '6.1-arm64', '7.2-arm64']) {
    const p = plan(loadBoard(regionBoard(''), { platform: 'qemu-virt', arch: 'arm64', ram: GiB }), { kernel, bootargs: 'cma_pernuma' });
    assert.equal(p.boot.outcome, 'panic', kernel);
    assert.equal(p.boot.function, 'early_cma_pernuma', kernel);
    assert.equal(p.boot.panic, 'Attempted to kill the idle task!', kernel);
  }
  // a build without it: only a word for init
  const p = plan(loadBoard(regionBoard(''), { platform: 'qemu-virt', arch: 'arm64', ram: GiB }), {
    kernel: '6.12-arm64',
    bootargs: 'cma_pernuma',
  });
  assert.equal(p.boot.outcome, 'ok');
});
