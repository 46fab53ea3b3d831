// The possible CPUs (src/kernel/smp.ts) as setup_per_cpu_areas sizes the first chunk by them: a
// unit per possible CPU, unit_map and unit_off an entry per id below nr_cpu_ids (mm/percpu.c).
// NR_CPUS is the build's (CONFIG_NR_CPUS, read from the stored config excerpt): Debian's armmp
// caps at 8 (arch/arm/kernel/devtree.c arm_dt_init_cpu_maps), arm64 at 512 on 6.12/7.2; nr_cpus=
// lowers nr_cpu_ids (kernel/smp.c); nosmp leaves arm64 7.2 one CPU (smp_init_cpus), not 6.12.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { loadBoard } from '../../src/board.js';
import { readDtb } from '../../src/fdt/reader.js';
import { writeDtb } from '../../src/fdt/writer.js';
import { plan } from '../../src/kernel/plan.js';
import { getProfile } from '../../src/kernel/profiles/index.js';
import { firstChunkUnit } from '../../src/kernel/profiles/define.js';
import { addChild, cloneNode, deleteProp, setProp, stringsValue, u32Value } from '../../src/tree/edit.js';
import type { Tree } from '../../src/tree/types.js';
import { virtBasePath } from '../../src/verify/records.js';
import { parseMemoryLine } from '../../src/verify/observation.js';

const ram = 512n << 20n;

/** The lab's stored 1-CPU virt tree with cpu@1..n-1 beside cpu@0 (arm64: each with QEMU's enable-method = "psci"). */
function virtWithCpus(arch: 'arm' | 'arm64', n: number, edit?: (i: number, cpu: ReturnType<typeof cloneNode>) => void): Uint8Array {
  const base = readDtb(readFileSync(virtBasePath(arch, ram)), `${arch}-20000000.dtb`).tree!;
  const root = cloneNode(base.root);
  const cpus = root.children.find((c) => c.name === 'cpus')!;
  const cpu0 = cpus.children.find((c) => c.name === 'cpu@0')!;
  if (arch === 'arm64') setProp(cpu0, 'enable-method', stringsValue('psci'));
  for (let i = 1; i < n; i++) {
    const c = cloneNode(cpu0, cpus);
    c.name = `cpu@${i}`;
    c.phandle = 0;
    deleteProp(c, 'phandle');
    setProp(c, 'reg', u32Value(i));
    edit?.(i, c);
    addChild(cpus, c);
  }
  return writeDtb({ ...base, root } as Tree);
}

/** setup_per_cpu_areas' allocation sizes in the plan: from the alloc info (the profile's first late allocation) on. */
function pcpuAllocs(kernel: string, dtb: Uint8Array, bootargs: string) {
  const p = getProfile(kernel)!;
  const r = plan(loadBoard(dtb, { fileName: 'virt.dtb', platform: 'qemu-virt', asBooted: true, arch: p.arch, ram }), {
    kernel: p,
    bootargs,
  });
  const first = (p.arm64 ?? p.arm)!.lateAllocs[0]!;
  const allocs = r.trace.events
    .map((e) => e.detail as { kind: string; caller?: string; size?: bigint })
    .filter((d) => d.kind === 'memblock_alloc_try_nid');
  return { sizes: allocs.slice(allocs.findIndex((d) => d.caller === first.caller)).map((d) => d.size!), diagnostics: r.diagnostics };
}

/** The first chunk's units, unit_map's and unit_off's entries, against the same boot on one CPU. */
function firstChunk(kernel: string, dtb: Uint8Array, bootargs = 'console=ttyAMA0 memblock=debug') {
  const p = getProfile(kernel)!;
  const { sizes, diagnostics } = pcpuAllocs(kernel, dtb, bootargs);
  const one = pcpuAllocs(kernel, virtWithCpus(p.arch, 1), bootargs).sizes;
  // the alloc info, the areas, the units, then pcpu_setup_first_chunk's group_offsets, group_sizes, unit_map, unit_off
  return {
    units: Number(sizes[2]! / firstChunkUnit(p)!),
    unitMap: Number(sizes[5]! / one[5]!),
    unitOff: Number(sizes[6]! / one[6]!),
    diagnostics,
  };
}

test('profiles read CONFIG_NR_CPUS from their config excerpts', () => {
  assert.equal(getProfile('6.12-armmp')!.nrCpus, 8);
  assert.equal(getProfile('5.10-armmp-lpae')!.nrCpus, 8);
  assert.equal(getProfile('6.1-arm64')!.nrCpus, 256);
  assert.equal(getProfile('7.2-arm64')!.nrCpus, 512);
});

test('arm: more /cpus nodes than NR_CPUS are capped at it (arm_dt_init_cpu_maps); nr_cpus= lowers it, maxcpus= does not', () => {
  const ten = virtWithCpus('arm', 10);
  const capped = firstChunk('6.12-armmp', ten);
  assert.deepEqual([capped.units, capped.unitMap, capped.unitOff], [8, 8, 8]);
  assert.ok(capped.diagnostics.some((d) => d.code === 'possible-cpus' && /greater than max cores 8/.test(d.message)));
  const four = firstChunk('6.12-armmp', virtWithCpus('arm', 4));
  assert.deepEqual([four.units, four.unitMap], [4, 4]);
  assert.deepEqual(firstChunk('6.12-armmp', ten, 'console=ttyAMA0 memblock=debug nr_cpus=3').units, 3);
  assert.deepEqual(firstChunk('5.10-armmp', ten, 'console=ttyAMA0 memblock=debug maxcpus=2').units, 8);
  // no boot CPU among the nodes' reg values: only the boot CPU is possible
  const noBoot = virtWithCpus('arm', 3, (i, c) => setProp(c, 'reg', u32Value(0x1000000 + i)));
  assert.equal(firstChunk('7.2-armmp', noBoot).units, 1);
});

test('arm64: the /cpus nodes with an enable-method, below nr_cpu_ids; nosmp leaves 7.2 one CPU (smp_init_cpus), not 6.12', () => {
  const ten = virtWithCpus('arm64', 10);
  assert.equal(firstChunk('7.2-arm64', ten).units, 10);
  assert.equal(firstChunk('7.2-arm64', ten, 'console=ttyAMA0 memblock=debug nr_cpus=3').units, 3);
  assert.equal(firstChunk('7.2-arm64', ten, 'console=ttyAMA0 memblock=debug nosmp').units, 1);
  assert.equal(firstChunk('6.12-arm64', ten, 'console=ttyAMA0 memblock=debug nosmp').units, 10);
  assert.equal(firstChunk('6.12-arm64', ten, 'console=ttyAMA0 memblock=debug maxcpus=0').units, 10);
  // cpu@1 without an enable-method is not possible, but cpu@2 and cpu@3 keep their ids: nr_cpu_ids 4
  const gap = firstChunk(
    '7.2-arm64',
    virtWithCpus('arm64', 4, (i, c) => (i === 1 ? deleteProp(c, 'enable-method') : undefined)),
  );
  assert.deepEqual([gap.units, gap.unitMap, gap.unitOff], [3, 4, 4]);
  // status = "fail": 6.1+ skip the node (of_get_next_cpu_node), 5.10 counts it
  const failed = virtWithCpus('arm64', 4, (i, c) => (i === 3 ? setProp(c, 'status', stringsValue('fail')) : undefined));
  assert.equal(firstChunk('6.1-arm64', failed).units, 3);
  assert.equal(firstChunk('5.10-arm64', failed).units, 4);
});

// Booted (-smp 1, 512 MiB) on the lab's stored virt tree with ten /cpus nodes
// (test/fixtures/kernel/cpu10-virt-512m/): 6.12-armmp WARNs "DT /cpu 9 nodes greater than max
// cores 8, capping them" and allocates 8 units; 7.2-arm64 10, or 1 with nosmp; 6.12-arm64 10 either
// way. Each prints the plan's Memory: figures (the plan without the cap: 160K more reserved on armmp).
test('ten /cpus nodes booted: units and the Memory: line as the kernels printed them', () => {
  const dir = fileURLToPath(new URL('../fixtures/kernel/cpu10-virt-512m/', import.meta.url));
  for (const arch of ['arm', 'arm64'] as const) assert.deepEqual(new Uint8Array(readFileSync(`${dir}${arch}.dtb`)), virtWithCpus(arch, 10));
  for (const [name, kernel] of [
    ['6.12-armmp', '6.12-armmp'],
    ['7.2-arm64', '7.2-arm64'],
    ['7.2-arm64-nosmp', '7.2-arm64'],
    ['6.12-arm64', '6.12-arm64'],
    ['6.12-arm64-nosmp', '6.12-arm64'],
  ] as const) {
    const lines = gunzipSync(readFileSync(`${dir}${name}.console.gz`))
      .toString('utf8')
      .split('\n')
      .map((l) => l.replace(/^\[\s*\d+\.\d+\]\s?/, ''));
    const bootargs = lines.find((l) => l.startsWith('Kernel command line: '))!.slice('Kernel command line: '.length);
    const p = getProfile(kernel)!;
    const r = plan(
      loadBoard(new Uint8Array(readFileSync(`${dir}${p.arch}.dtb`)), {
        fileName: 'virt.dtb',
        platform: 'qemu-virt',
        asBooted: true,
        arch: p.arch,
        ram,
      }),
      {
        kernel: p,
        bootargs,
      },
    );
    const m = parseMemoryLine(lines.find((l) => l.startsWith('Memory: '))!)!;
    const pa = r.pageAllocator!;
    assert.deepEqual([pa.total / 1024n, pa.reserved / 1024n, pa.cmaReserved / 1024n], [m.totalKiB, m.reservedKiB, m.cmaReservedKiB], name);
    // the units the kernel's pcpu_fc_alloc / pcpu_embed_first_chunk line asked for, where its console has the trace
    const unitLine = lines.find(
      (l) =>
        /^memblock_alloc_try_nid: \d+ bytes align=0x[0-9a-f]+ nid=\S+ from=0x0*[1-9a-f]/.test(l) &&
        /pcpu_fc_alloc|pcpu_embed_first_chunk/.test(l),
    );
    if (unitLine)
      assert.equal(
        BigInt(/: (\d+) bytes/.exec(unitLine)![1]!),
        pcpuAllocs(kernel, new Uint8Array(readFileSync(`${dir}${p.arch}.dtb`)), bootargs).sizes[2],
        name,
      );
  }
});
