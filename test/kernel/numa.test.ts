// arch_numa_init on trees with numa-node-id (test/fixtures/kernel/numa-virt-arm64-512m/: QEMU's
// own virt trees for `-numa` with one node, two, and a memoryless second one, and each arm64 lab
// kernel's console on them up to its "Memory:" line): what of_numa_init makes of the tree,
// `numa=off`, and what goes node by node — NODE_DATA, the memmap, the per-cpu units, 7.2's
// per-node CMA areas, the early hash tables, the Memory: line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadBoard } from '../../src/board.js';
import { plan, type PlanResult } from '../../src/kernel/plan.js';
import { getProfile } from '../../src/kernel/profiles/index.js';
import { consoleLines, kernelAllocs, memoryFigures, modelAllocs } from '../helpers/boot-console.js';

const dir = fileURLToPath(new URL('../fixtures/kernel/numa-virt-arm64-512m/', import.meta.url));
const kernels = ['5.10-arm64', '6.1-arm64', '6.12-arm64', '6.12-arm64-16k', '7.2-arm64', '7.2-arm64-16k'];
const ram = 512n << 20n;
const append = 'console=ttyAMA0 earlycon=pl011,0x9000000 panic=-1 nokaslr memblock=debug';

const consoleOf = (run: string, kernel: string) => consoleLines(`${dir}${run}/${kernel}.console.gz`);

const treeBlob = (name: string) => new Uint8Array(readFileSync(`${dir}${name}.dtb`));

/** The lines arch_numa_init, of_numa_init and the CMA reservations print (NUMA:, OF: NUMA:, NODE_DATA, cma:). */
const numaLines = (lines: string[]) => lines.filter((l) => /^(OF: )?NUMA: |^\s*NODE_DATA|^cma: /.test(l));

const planOn = (dtb: Uint8Array, kernel: string, bootargs = append) =>
  plan(loadBoard(dtb, { fileName: 'numa.dtb', platform: 'qemu-virt', asBooted: true, arch: 'arm64', ram }), {
    kernel: getProfile(kernel)!,
    bootargs,
  });

/** What the plan warns about or finds wrong: nothing, on these trees. */
const warned = (p: PlanResult) => p.diagnostics.filter((d) => d.severity === 'warning' || d.severity === 'error').map((d) => d.code);

/** The run's trees booted as the plan boots them: each run's console against its plan. */
function sameAsKernel(run: string, tree: string, bootargs: string) {
  for (const kernel of kernels) {
    const lines = consoleOf(run, kernel);
    const p = planOn(treeBlob(tree), kernel, bootargs);
    assert.deepEqual(numaLines(p.log.map((l) => l.text)), numaLines(lines), `${kernel}: NUMA lines`);
    const want = kernelAllocs(lines);
    assert.ok(want.length > 20, `${kernel}: ${want.length} allocation lines`);
    assert.deepEqual(modelAllocs(p, want.length), want, kernel);
    const { mine, theirs } = memoryFigures(p, lines);
    assert.deepEqual(mine, theirs, kernel);
    assert.deepEqual(warned(p), [], kernel);
  }
}

test('one NUMA node (QEMU -numa, numa-node-id 0 on the memory and the cpu): no faked node, the same memblock as the dummy one', () => {
  sameAsKernel('numa1', 'numa1', append);
});

test('numa=off on a two-node tree: "NUMA disabled", then the dummy node (5.10 and 6.1 allocate the distance table once)', () => {
  sameAsKernel('numa2-off', 'numa2', `${append} numa=off`);
});

test('hashdist= on two nodes: 0 puts the hash tables back in memblock; "yes" is 0 to simple_strtoul (5.10 to 6.12) and true to 7.2\'s kstrtobool', () => {
  sameAsKernel('numa2-hashdist0', 'numa2', `${append} hashdist=0`);
  sameAsKernel('numa2-hashdist-yes', 'numa2', `${append} hashdist=yes`);
  for (const kernel of ['6.12-arm64', '7.2-arm64']) {
    const dentry = consoleOf('numa2-hashdist-yes', kernel).find((l) => l.startsWith('Dentry cache hash table entries'));
    assert.match(dentry ?? '', kernel === '7.2-arm64' ? /vmalloc/ : /linear/, kernel);
  }
});

test("nr_cpus=1 on two nodes: with CPUMASK_OFFSTACK (Debian 6.12, 7.2) each node's cpumask is nr_cpu_ids bits in whole longs, 8 bytes, not NR_CPUS' 64; 5.10 and 6.1 (no OFFSTACK) allocate none", () => {
  sameAsKernel('numa2-nr-cpus1', 'numa2', `${append} nr_cpus=1`);
  for (const kernel of kernels) {
    // the allocations right after the last NODE_DATA line (setup_node_to_cpumask_map)
    const lines = consoleOf('numa2-nr-cpus1', kernel);
    const at = lines.map((l) => /NODE_DATA\(1\)/.test(l)).lastIndexOf(true);
    const sizes = lines
      .slice(at + 1, at + 5)
      .filter((l) => /^memblock_alloc_try_nid: \d+ bytes align=0x40 nid=-1 .*(alloc_bootmem_cpumask_var|__memblock_alloc_or_panic)/.test(l))
      .map((l) => l.split(' ')[1]);
    assert.deepEqual(sizes, kernel.startsWith('5.10') || kernel.startsWith('6.1-') ? [] : ['8', '8'], kernel);
  }
});

test('two NUMA nodes: NODE_DATA, the memmap and the per-cpu units on each node, the hash tables left to vmalloc', () => {
  sameAsKernel('numa2', 'numa2', append);
});

test('a numa-distance-map-v1 (QEMU -numa dist): parsed and printed; 6.12 and 7.2 allocate the distance table from memblock', () => {
  sameAsKernel('numa2-dist', 'numa2-dist', append);
});

test('of_numa_init fails on a cpu-only configuration: 5.10 and 6.1 find memory on no node and say so, 6.12 and 7.2 fall back without a word', () => {
  // the two-node tree's cpus (numa-node-id 0 and 1) booted without -numa: QEMU's memory node has none
  sameAsKernel('cpu-nodes', 'cpu-nodes', append);
});

test('of_numa_init fails on a memory node on node 16 (past MAX_NUMNODES): "exceeds maximum value", "bad property", a faked node', () => {
  // the one-node tree with /ram@50000000 (device_type memory, numa-node-id 16) added, which QEMU keeps
  sameAsKernel('mem-nid16', 'mem-nid16', append);
});

test('a memoryless node (QEMU -numa node,cpus=1 without memory): its NODE_DATA on node 0, its per-cpu unit too; 7.2 fails its CMA area', () => {
  sameAsKernel('memless', 'memless', append);
});
