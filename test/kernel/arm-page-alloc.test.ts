// 32-bit arm: what memblock_free_all and free_highpages hand the page allocator
// (mm-init.ts pageAllocStart, PlanResult.pageAllocator) against the "Memory:" line of every recorded
// 32-bit boot that printed one, each figure to the KiB: total, cma-reserved, highmem, reserved
// (memblock's allocations up to memblock_free_all, start_kernel's per-cpu first chunk among them:
// mm/percpu.c pcpu_embed_first_chunk, its unit from the static per-cpu size System.map states, its
// bitmaps measured; an unsigned long in KiB, compared modulo 2^32) and, where the series prints the
// line from mem_init (5.10, 6.1), available. replay.test.ts compares the same line per case
// (replay-lib.ts compareMemoryLine); this says how many lines each build has, and that the plan
// gives every figure it should.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../src/kernel/plan.js';
import { recordBoard, virtBasePath } from '../../src/verify/records.js';
import { compareMemoryLine, recordProfile, recordsByKernel } from './replay-lib.js';
import { readFileSync } from 'node:fs';
import { readDtb } from '../../src/fdt/reader.js';
import { addChild, cloneNode, setProp, u32Value } from '../../src/tree/edit.js';
import { writeDtb } from '../../src/fdt/writer.js';
import { loadBoard } from '../../src/board.js';
import { getProfile } from '../../src/kernel/profiles/index.js';
import { firstChunkUnit } from '../../src/kernel/profiles/define.js';

const LINE = /Memory: (\d+)K\/(\d+)K available .* (\d+)K reserved, (\d+)K cma-reserved, (\d+)K highmem/;

test('arm: the plan\'s page-allocator figures against every recorded "Memory:" line', () => {
  const failures: string[] = [];
  const summary: string[] = [];
  for (const [kernel, records] of recordsByKernel()) {
    const p = records[0] && recordProfile(records[0]);
    if (p?.arch !== 'arm') continue;
    let lines = 0;
    let available = 0;
    for (const r of records) {
      const o = r.observation;
      const text = o.log.find((l) => l.text.startsWith('Memory: '))?.text ?? LINE.exec(o.console ?? '')?.[0];
      const m = text ? LINE.exec(text) : null;
      if (!m) continue;
      lines++;
      const profile = recordProfile(r)!;
      const pl = plan(recordBoard(r, 'arm'), { kernel: profile, bootargs: r.append });
      if (pl.pageAllocator?.highmem === undefined) {
        failures.push(`${kernel} ${r.caseId}: no page-allocator figures`);
        continue;
      }
      const problems: string[] = [];
      const compared = compareMemoryLine(r, pl, problems, 'arm');
      // the series that print the line from mem_init give available; 6.12+ print it later
      if ((compared === 'all') !== (profile.series.pageAlloc.memoryLine === 'mem-init'))
        failures.push(`${kernel} ${r.caseId}: ${compared} compared on ${profile.series.name}`);
      if (compared === 'all') available++;
      failures.push(...problems.map((x) => `${kernel} ${r.caseId}: ${x}`));
    }
    summary.push(`${kernel}: ${lines} lines, every figure compared${available ? `, available on ${available}` : ' but available'}`);
  }
  process.stdout.write(`# ${summary.join('\n# ')}\n`);
  assert.ok(summary.length >= 8, `32-bit kernels with "Memory:" lines: ${summary.length}`);
  assert.deepEqual(failures, []);
});

// setup_per_cpu_areas on a board with more than one CPU (mm/percpu.c pcpu_embed_first_chunk):
// pcpu_fc_alloc takes one unit per possible CPU (the /cpus nodes), the tail of each unit is freed
// at that unit's end, and pcpu_setup_first_chunk's unit_map and unit_off have nr_cpu_ids entries;
// pcpu_alloc_first_chunk's bitmaps are per chunk. So booted on QEMU virt's own 4-CPU tree (-smp 4,
// 512 MiB, its tree written compact as the lab's are) 6.1-armmp printed "Memory: 482112K/524288K
// available (… 25792K reserved, 16384K cma-reserved, 0K highmem)", 6.12-armmp 28540K reserved,
// 5.10-armmp-lpae 481096K available and 26808K reserved, as their plans say.
test('arm: with four CPUs the per-cpu first chunk has four units, and unit_map/unit_off four entries', () => {
  const ram = 512n << 20n;
  // QEMU's 1-CPU virt tree as the lab stored it (data/lab/virt), and the same with cpu@1..3
  const base = readDtb(readFileSync(virtBasePath('arm', ram)), 'arm-20000000.dtb').tree!;
  const root = cloneNode(base.root);
  const cpus = root.children.find((n) => n.name === 'cpus')!;
  const cpu0 = cpus.children.find((n) => n.name.startsWith('cpu@'))!;
  for (let i = 1; i < 4; i++) {
    const c = cloneNode(cpu0, cpus);
    c.name = `cpu@${i}`;
    c.phandle = 0;
    c.props = c.props.filter((x) => x.name !== 'phandle');
    setProp(c, 'reg', u32Value(i));
    addChild(cpus, c);
  }
  const dtb = writeDtb({ ...base, root });
  const board = (cpuTree: Uint8Array) =>
    loadBoard(cpuTree, { fileName: 'virt.dtb', platform: 'qemu-virt', asBooted: true, arch: 'arm', ram, initrdSize: 0x100000n });
  const p = getProfile('6.12-armmp')!;
  const unit = firstChunkUnit(p)!;
  const pcpu = (tree: Uint8Array) =>
    plan(board(tree), { kernel: p, bootargs: 'console=ttyAMA0 memblock=debug' })
      .trace.events.map((e) => e.detail as { kind: string; caller?: string; size?: bigint; base?: bigint })
      .filter((d) => /^pcpu_/.test(d.caller ?? ''));
  const one = pcpu(writeDtb(base));
  const four = pcpu(dtb);
  const allocs = (ev: typeof one) => ev.filter((d) => d.kind === 'memblock_alloc_try_nid').map((d) => d.size);
  const frees = (ev: typeof one) => ev.filter((d) => d.kind === 'memblock_phys_free').length;
  // the unit, then unit_map and unit_off (the third and fourth of pcpu_setup_first_chunk's)
  assert.equal(allocs(one)[2], unit);
  assert.equal(allocs(four)[2], 4n * unit);
  assert.deepEqual(
    allocs(four).slice(5, 7),
    allocs(one)
      .slice(5, 7)
      .map((x) => 4n * x!),
  );
  assert.deepEqual(allocs(four).slice(7), allocs(one).slice(7));
  // a tail free per unit, then the alloc info's and the areas'
  assert.equal(frees(one), 3);
  assert.equal(frees(four), 6);
});
