// Sizes no file of a build states, measured from its memblock=debug boots (src/kernel/build/measured.ts):
//  - every lab kernel, every package its records were made on: each size reads the same from every
//    recorded boot of the package that shows it (a size is the build's, so any disagreement is a
//    measurement error), equals what data/lab/<id>.build.json stores for it, the boot it names
//    shows the lines stored with it, and the built-in profile uses its package's stored sizes;
//  - a console log is measured as the lab parses it; a log that lacks a size says so (a warning
//    naming what was looked for), never a throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureBoot, measureBoots, measuredNames, mergeMeasurements, showMeasured, storedSizes } from '../../src/kernel/build/measured.js';
import { measureTarget, readBuildFacts } from '../../src/verify/build-facts.js';
import { getProfile, labBuilds } from '../../src/kernel/profiles/index.js';
import { parseConsole } from '../../src/verify/observation.js';
import { readLabRecords, recordedKernels } from '../../src/verify/records.js';

/** What the profile of a lab build uses for each measured size. */
function used(id: string): Record<string, string> {
  const b = labBuilds.find((x) => x.id === id)!;
  return b.arch === 'arm64'
    ? {
        nodeDataSize: showMeasured(b.build.measured.nodeDataSize),
        usemapBytesPerSection: showMeasured(b.build.measured.usemapBytesPerSection),
        percpuSetup: showMeasured(b.build.percpu.setup),
        percpuAlloc: showMeasured(b.build.percpu.alloc),
      }
    : {
        staticVmSize: showMeasured(b.build.measured.staticVmSize),
        percpuSetup: showMeasured(b.build.percpu.setup),
        percpuAlloc: showMeasured(b.build.percpu.alloc),
      };
}

for (const kernel of recordedKernels().filter((k) => getProfile(k))) {
  test(`measured sizes: ${kernel}'s stored sizes are what every recorded boot of its package shows, and what its profile uses`, (t) => {
    const p = getProfile(kernel)!;
    const facts = readBuildFacts(kernel);
    assert.ok(facts, `data/lab/${kernel}.build.json`);
    const records = readLabRecords(kernel);
    const lines: string[] = [];
    for (const b of facts.builds) {
      const mine = records.filter((r) => r.package === b.package && r.observation.memblock.length);
      const m = measureBoots(
        measureTarget(p),
        mine.map((r) => ({ source: r.caseId, log: r.observation })),
        `data/lab/${kernel}.jsonl.gz`,
      );
      // every boot that shows a size shows the same value
      assert.deepEqual(
        m.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
        [],
        b.package,
      );
      const stored = b.measured ?? { from: '', sizes: [] };
      assert.ok(b.measured || b.package !== p.debianPackage, `${b.package}: no measured sizes stored (carveout kernels facts ${kernel})`);
      // a size is stored from the records when they show it, else from a measurement boot (no case)
      const fromRecords = stored.sizes.filter((x) => x.boot.case !== undefined);
      assert.deepEqual(
        Object.fromEntries(fromRecords.map((x) => [x.name, showMeasured(storedSizes({ from: '', sizes: [x] })[x.name]!)])),
        Object.fromEntries(m.found.map((f) => [f.name, showMeasured(f.value)])),
        `${b.package}: stored vs measured`,
      );
      // the built-in profile's package has every size of the arch; another package's missing ones
      // are the built-in's (buildProfile), reported here
      const missing = measuredNames[p.arch].filter((n) => !stored.sizes.some((x) => x.name === n));
      if (b.package === p.debianPackage) assert.deepEqual(missing, [], `${b.package}: every size of the arch is stored`);
      else if (missing.length) lines.push(`${b.package}: ${missing.join(', ')} not measured (the built-in's)`);
      // the provenance: the boot named shows the stored lines
      for (const x of fromRecords) {
        const r = mine.find((y) => y.caseId === x.boot.case);
        assert.ok(r, `${x.name}: case ${x.boot.case} is not a record of ${b.package}`);
        assert.equal(x.boot.append, r.traceAppend ?? r.append);
        assert.equal(x.boot.ram, r.ram);
        assert.deepEqual(measureBoot(measureTarget(p), r.observation, r.caseId).found.find((f) => f.name === x.name)?.lines, x.lines);
      }
      const booted = stored.sizes.filter((x) => x.boot.case === undefined).map((x) => `${x.name} ${String(x.value)} (a measurement boot)`);
      lines.push(
        `${b.package}: ${[...m.found.map((f) => `${f.name} ${showMeasured(f.value)} (${f.boots}/${mine.length} boots)`), ...booted].join(', ')}`,
      );
    }
    // the built-in profile uses its package's stored sizes
    const own = facts.builds.find((b) => b.package === p.debianPackage);
    assert.ok(own?.measured, p.debianPackage);
    assert.deepEqual(
      used(kernel),
      Object.fromEntries(own.measured.sizes.map((x) => [x.name, showMeasured(storedSizes({ from: '', sizes: [x] })[x.name]!)])),
    );
    t.diagnostic(lines.join('; '));
  });
}

/** A 6.12-arm64 boot's console, cut to the lines the measurement reads. */
const console612 = `[    0.000000] memblock_alloc_try_nid: 43916 bytes align=0x8 nid=-1 from=0x0000000000000000 max_addr=0x0000000000000000 early_init_dt_alloc_memory_arch+0x30/0x68
[    0.000000] memblock_reserve: [0x000000004ff80470-0x000000004ff8affb] memblock_alloc_range_nid+0x12c/0x1c8
[    0.000000] memblock_reserve: [0x000000004ff7cd00-0x000000004ff8043f] memblock_alloc_range_nid+0x12c/0x1c8
[    0.000000] memblock_alloc_try_nid: 4096 bytes align=0x40 nid=0 from=0x0000000000000000 max_addr=0x0000000000000000 sparse_index_alloc+0x68/0x90
[    0.000000] memblock_reserve: [0x000000004fd7bcc0-0x000000004fd7ccbf] memblock_alloc_range_nid+0x12c/0x1c8
[    0.000000] memblock_alloc_try_nid: 112 bytes align=0x40 nid=0 from=0x0000000048000000 max_addr=0x0000000050000000 sparse_init_nid+0xb0/0x608
[    0.000000] memblock_reserve: [0x000000004fd7bc40-0x000000004fd7bcaf] memblock_alloc_range_nid+0x12c/0x1c8
[    0.000000] MEMBLOCK configuration:
[    0.000000]  memory size = 0x0000000010000000 reserved size = 0x0000000007b2f4a1
[    0.000000]  memory.cnt  = 0x1
[    0.000000]  memory[0x0]	[0x0000000040000000-0x000000004fffffff], 0x0000000010000000 bytes on node 0 flags: 0x0
`;

test('measured sizes: a console log is measured as the lab parses it, and says what it lacks', () => {
  const p = getProfile('6.12-arm64')!;
  const r = measureBoot(measureTarget(p), parseConsole('6.12-arm64', console612), 'boot.log');
  assert.equal(r.sizes.nodeDataSize, 0x3740n);
  // 112 bytes for the two 128 MiB sections of 256 MiB
  assert.equal(r.sizes.usemapBytesPerSection, 56n);
  assert.deepEqual(r.found.find((f) => f.name === 'nodeDataSize')?.lines, [
    'memblock_reserve: [0x000000004ff7cd00-0x000000004ff8043f] memblock_alloc_range_nid+0x12c/0x1c8',
  ]);
  // the console stops before setup_per_cpu_areas: the per-cpu sizes are not in it
  assert.deepEqual(
    r.diagnostics.map((d) => [d.severity, d.code, d.file, d.message.split(':')[0]]),
    [
      ['warning', 'not-measured', 'boot.log', 'percpuSetup'],
      ['warning', 'not-measured', 'boot.log', 'percpuAlloc'],
    ],
  );
  // without the MEMBLOCK configuration dump the present sections are not known
  const noDump = measureBoot(measureTarget(p), parseConsole('6.12-arm64', console612.split('MEMBLOCK')[0]!), 'cut.log');
  assert.match(noDump.diagnostics.find((d) => /^usemap/.test(d.message))?.message ?? '', /no MEMBLOCK configuration dump/);
  // an empty log: every size is missing, each said once
  const none = measureBoot(measureTarget(getProfile('6.1-armmp')!), parseConsole('6.1-armmp', ''), 'empty.log');
  assert.deepEqual(none.sizes, {});
  assert.match(none.diagnostics[0]?.message ?? '', /^staticVmSize: no iotable_init allocation/);
  // two boots that read differently are an error naming both
  const a = parseConsole('6.12-arm64', console612);
  const b = parseConsole('6.12-arm64', console612.replace('0x000000004ff8043f', '0x000000004ff8047f'));
  const both = measureBoots(
    measureTarget(p),
    [
      { source: 'a', log: a },
      { source: 'b', log: b },
    ],
    'two',
  );
  const e = both.diagnostics.find((d) => d.code === 'measurements-disagree');
  assert.equal(e?.severity, 'error');
  assert.match(e?.message ?? '', /nodeDataSize: b shows 0x3780, a 0x3740/);
});

test('measured sizes: a boot completes what the records do not show, and the provenance names both', () => {
  const boot = { ram: '0x20000000', append: 'memblock=debug' };
  const records = {
    from: 'the records',
    sizes: [{ name: 'nodeDataSize' as const, value: '0x3740', boot: { ...boot, case: 'c1' }, lines: ['a'] }],
  };
  const booted = {
    from: 'a boot',
    sizes: [
      { name: 'nodeDataSize' as const, value: '0x3780', boot, lines: ['b'] },
      { name: 'usemapBytesPerSection' as const, value: '0x38', boot, lines: ['c'] },
    ],
  };
  const m = mergeMeasurements(records, booted);
  // the records' value stands; the boot adds only what they lack
  assert.deepEqual(storedSizes(m), { nodeDataSize: 0x3740n, usemapBytesPerSection: 0x38n });
  assert.equal(m.from, 'the records; usemapBytesPerSection from a boot');
  assert.equal(mergeMeasurements(undefined, booted), booted);
  assert.equal(mergeMeasurements(records, { from: 'x', sizes: [] }), records);
});

// The per-cpu bitmaps of a 32-bit build come from a measurement boot, not from its records (their
// trace ends at the MEMBLOCK dump): what is stored must still be what its own lines show. Measured
// again from them (percpuSetup's lines, then percpuAlloc's past the unit and the tail they share).
test('measured sizes: every stored per-cpu measurement is what its own lines show', () => {
  const checked: string[] = [];
  for (const kernel of recordedKernels().filter((k) => getProfile(k))) {
    const p = getProfile(kernel)!;
    for (const b of readBuildFacts(kernel)?.builds ?? []) {
      const setup = b.measured?.sizes.find((x) => x.name === 'percpuSetup');
      const alloc = b.measured?.sizes.find((x) => x.name === 'percpuAlloc');
      if (!setup || !alloc) continue;
      const console = [...setup.lines, ...alloc.lines.slice(2)].map((l) => `[    0.000000] ${l}`).join('\n');
      const m = measureBoot(measureTarget(p), parseConsole(kernel, console), `${kernel} ${b.package}`);
      assert.equal(
        showMeasured(m.sizes.percpuSetup ?? []),
        showMeasured(storedSizes({ from: '', sizes: [setup] }).percpuSetup!),
        b.package,
      );
      assert.equal(
        showMeasured(m.sizes.percpuAlloc ?? []),
        showMeasured(storedSizes({ from: '', sizes: [alloc] }).percpuAlloc!),
        b.package,
      );
      checked.push(`${b.package}${setup.boot.case === undefined ? ' (a measurement boot)' : ''}`);
    }
  }
  // every lab build, 32-bit included
  assert.ok(checked.filter((c) => c.includes('armmp')).length >= 8, checked.join('; '));
});
