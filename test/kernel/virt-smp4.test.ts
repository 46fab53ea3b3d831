// QEMU virt's own 4-CPU tree (`-M virt,dumpdtb=`, -smp 4, 512 MiB) booted with -smp 4 by each
// arm64 lab kernel (test/fixtures/kernel/smp4-virt-arm64-512m/: the tree and each console up to
// its "Memory:" line). QEMU's dumped tree carries /chosen/rng-seed and kaslr-seed, which the lab's
// stored trees (data/lab/virt) lack: early_init_dt_scan_chosen (drivers/of/fdt.c) nops the
// rng-seed before unflatten_device_tree sizes the live tree, so that tree has one struct property
// fewer than the blob — a page of "reserved" on 7.2-arm64 and 6.12-arm64 when it is counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadBoard } from '../../src/board.js';
import { readDtb } from '../../src/fdt/reader.js';
import { writeDtb } from '../../src/fdt/writer.js';
import { plan } from '../../src/kernel/plan.js';
import { getProfile } from '../../src/kernel/profiles/index.js';
import { unflattenSize } from '../../src/kernel/of-fdt.js';
import { addChild, cloneNode, setProp, stringsValue, u32Value } from '../../src/tree/edit.js';
import { walkNodes, type Node, type Tree } from '../../src/tree/types.js';
import { virtBasePath } from '../../src/verify/records.js';
import { consoleLines, kernelAllocs, memoryFigures, modelAllocs } from '../helpers/boot-console.js';

const dir = fileURLToPath(new URL('../fixtures/kernel/smp4-virt-arm64-512m/', import.meta.url));
const kernels = ['5.10-arm64', '6.1-arm64', '6.12-arm64', '6.12-arm64-16k', '7.2-arm64', '7.2-arm64-16k'];
const ram = 512n << 20n;
const append = 'console=ttyAMA0 earlycon=pl011,0x9000000 panic=-1 nokaslr memblock=debug';

const consoleOf = (kernel: string) => consoleLines(`${dir}${kernel}.console.gz`);

const planOn = (dtb: Uint8Array, kernel: string) =>
  plan(loadBoard(dtb, { fileName: 'virt.dtb', platform: 'qemu-virt', asBooted: true, arch: 'arm64', ram }), {
    kernel: getProfile(kernel)!,
    bootargs: append,
  });

test('QEMU virt 4-CPU tree, -smp 4: each arm64 kernel allocates what its console shows, and prints the plan Memory: figures', () => {
  const dtb = new Uint8Array(readFileSync(`${dir}virt.dtb`));
  for (const kernel of kernels) {
    const lines = consoleOf(kernel);
    const want = kernelAllocs(lines);
    assert.ok(want.length > 20, `${kernel}: ${want.length} allocation lines`);
    const p = planOn(dtb, kernel);
    assert.deepEqual(modelAllocs(p, want.length), want, kernel);
    const { mine, theirs } = memoryFigures(p, lines);
    assert.deepEqual(mine, theirs, kernel);
  }
});

/**
 * `cpus/cpu@0` and `cpu-map/…/core0` copied as QEMU's virt writes CPUs 1..n-1 (hw/arm/virt.c
 * fdt_add_cpu_nodes), each CPU with the `enable-method = "psci"` QEMU writes only when -smp > 1.
 */
function withCpus(base: Tree, n: number): Tree {
  const root = cloneNode(base.root);
  const cpus = root.children.find((c) => c.name === 'cpus')!;
  const cpu0 = cpus.children.find((c) => c.name === 'cpu@0')!;
  const find = (node: Node, name: string) => node.children.find((c) => c.name === name)!;
  const cluster = find(find(find(cpus, 'cpu-map'), 'socket0'), 'cluster0');
  const core0 = find(cluster, 'core0');
  setProp(cpu0, 'enable-method', stringsValue('psci'));
  let phandle = 0;
  walkNodes(root, (x) => {
    phandle = Math.max(phandle, x.phandle);
  });
  for (let i = 1; i < n; i++) {
    const cpu = cloneNode(cpu0, cpus);
    cpu.name = `cpu@${i}`;
    cpu.phandle = ++phandle;
    setProp(cpu, 'phandle', u32Value(phandle));
    setProp(cpu, 'reg', u32Value(i));
    addChild(cpus, cpu);
    const core = cloneNode(core0, cluster);
    core.name = `core${i}`;
    setProp(core, 'cpu', u32Value(phandle));
    addChild(cluster, core);
  }
  return { ...base, root };
}

test('unflatten_device_tree: /chosen/rng-seed is nopped first, an empty one is not (stored virt tree, four CPUs)', () => {
  const base = readDtb(readFileSync(virtBasePath('arm64', ram)), 'arm64-20000000.dtb').tree!;
  const four = withCpus(base, 4);
  const chosen = four.root.children.find((c) => c.name === 'chosen')!;
  // what `-M virt,dumpdtb=` adds to /chosen (hw/arm/virt.c create_randomness): 32 and 8 bytes
  setProp(chosen, 'rng-seed', new Uint8Array(32).fill(0xa5));
  setProp(chosen, 'kaslr-seed', new Uint8Array(8).fill(0x5a));
  // the stored tree made QEMU's 4-CPU tree allocates what 7.2-arm64 did booted on QEMU's own
  const want = kernelAllocs(consoleOf('7.2-arm64'));
  const p = planOn(writeDtb(four), '7.2-arm64');
  assert.deepEqual(modelAllocs(p, want.length), want);
  const { mine, theirs } = memoryFigures(p, consoleOf('7.2-arm64'));
  assert.deepEqual(mine, theirs);
  // l > 0: an empty rng-seed stays in the tree and is unflattened like any property
  const sizes = { ...getProfile('7.2-arm64')!.arm64!.unflatten };
  const seeded = unflattenSize(four, sizes);
  setProp(chosen, 'rng-seed', new Uint8Array(0));
  assert.equal(unflattenSize(four, sizes), seeded + sizes.propertySize);
});
