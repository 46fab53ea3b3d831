// Completeness of the recorded lab data (data/lab/*.jsonl.gz): at least 300 generated cases on each
// of the five core kernels, each regenerable from its seed (the generator has not drifted), each
// DTB rebuildable offline to the exact bytes booted, each with a parsed observation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keepsHeldRecord, readLabRecords, readLabRecordsJson, recordBoard, recordDtb, recordedKernels } from '../../src/verify/records.js';
import { plan } from '../../src/kernel/plan.js';
import { recordProfile } from '../kernel/replay-lib.js';
import { generateCase, caseId, type LabCase } from '../../src/verify/generator.js';
import { labKernels } from '../../src/verify/kernels.js';
import {
  bootEnd,
  HANG_QUIET_MS,
  observationFromJson,
  parseConsole,
  parseMemblockEvent,
  printedNothing,
  TRACE_BOOT_MARK,
  type LabRecordJson,
} from '../../src/verify/observation.js';

const CORE = labKernels.filter((k) => k.core);

for (const k of CORE) {
  test(`recorded lab set for ${k.id} is complete`, () => {
    const recs = readLabRecordsJson(k.id);
    assert.ok(recs.length >= 300, `${k.id}: ${recs.length} records (want >= 300); re-record with scripts/record-lab.sh`);
    const ids = new Set<string>();
    let healthy = 0;
    for (const r of recs) {
      assert.equal(r.kernel, k.id);
      assert.match(r.package, /^linux-image-\S+ \S+$/);
      // Two indexes may draw the same case (one boot serves both); a (seed, index) appears once.
      const key = `${r.seed}:${r.index}:${r.caseId}`;
      assert.ok(!ids.has(key), `duplicate record ${key}`);
      ids.add(key);
      const c = r.case as LabCase;
      if (r.seed !== undefined && r.index !== undefined) {
        // a case drawn with the smp dimension and one CPU carries no `cpus`, and is the same case
        // without it; so does one drawn with the numa dimension and no nodes, or the banks one and
        // no banks, or the cores one on QEMU's max
        const again = generateCase(r.seed, r.index, c.family, {
          smp: c.cpus !== undefined,
          numa: c.numa !== undefined,
          params: c.params !== undefined,
          many: c.many !== undefined,
          banks: c.banks !== undefined,
          cores: c.cpu !== undefined || c.nolva !== undefined,
        });
        assert.equal(caseId(again), r.caseId, `${k.id} #${r.index}: generator drifted from the recording`);
      }
      assert.equal(recordDtb(r).length > 0, true);
      const o = observationFromJson(r.observation);
      assert.equal(o.kernel, k.id);
      assert.ok(Array.isArray(o.log) && Array.isArray(o.memblock));
      // Parsed: either the kernel got through memory setup (trace + dump) or the failure is recorded.
      const ok = o.memblock.length > 0 && o.memblockDump !== undefined;
      if (ok) healthy++;
      else assert.ok(o.panicked || o.timedOut, `${k.id} #${r.index}: nothing parsed and no failure recorded`);
      if (o.completed) {
        assert.ok(o.iomem && o.iomem.length > 0, `${k.id} #${r.index}: full boot without iomem`);
        assert.notEqual(o.cmaTotalKiB, undefined);
      }
    }
    assert.ok(healthy >= 300 * 0.9, `${k.id}: only ${healthy} healthy observations`);
    const seed1 = new Set(recs.filter((r) => r.seed === 1).map((r) => r.index));
    for (let i = 0; i < 300; i++) assert.ok(seed1.has(i), `${k.id}: case #${i} of seed 1 missing`);
  });
}

// A boot that printed nothing before the lab's bound (printedNothing) observed nothing; the lab
// leaves it out of the files, so every stored record is a boot the kernel printed something in.
test('every recorded boot printed at least its first kernel line', () => {
  const unseen: string[] = [];
  for (const id of recordedKernels())
    for (const r of readLabRecordsJson(id)) if (printedNothing(observationFromJson(r.observation))) unseen.push(`${id} #${r.index}`);
  assert.deepEqual(unseen, []);
});

test('printedNothing: only a boot stopped by the bound before `Linux version`', () => {
  const silent = { ...parseConsole('5.10-armmp', ''), timedOut: true };
  assert.equal(printedNothing(silent), true);
  const started = { ...parseConsole('5.10-armmp', '[    0.000000] Linux version 5.10.0-32-armmp (x) #1 SMP\n'), timedOut: true };
  assert.equal(printedNothing(started), false);
  // QEMU exiting by itself (panic=-1 reboots, -no-reboot ends QEMU) is an outcome, even without output.
  assert.equal(printedNothing(parseConsole('5.10-armmp', '')), false);
});

test('bootEnd: a hang is a console silent for HANG_QUIET_MS before the bound; a boot still printing is cut off', () => {
  const printed = (tail: string) => parseConsole('7.2-armmp', `[    0.000000] Linux version 7.2.13+deb14-armmp (x) #1 SMP\r\n${tail}`);
  const cma = '[    0.000000] cma: Reserved 128 MiB at 0x77800000\r\n';
  const stopped = (tail: string, more: object) => ({ ...printed(tail), timedOut: true, console: printed(tail).console, ...more });
  assert.equal(bootEnd(stopped(cma, { quietMs: HANG_QUIET_MS })), 'hang');
  assert.equal(bootEnd(stopped(cma, { quietMs: HANG_QUIET_MS - 1 })), 'cut-off');
  // not measured (records made before): stopped inside a line, or a printk time close to the end
  assert.equal(bootEnd(stopped('', { console: `${cma}[    0.000000] memblock_reserve: [0x4f`, durationMs: 60_000 })), 'cut-off');
  assert.equal(bootEnd(stopped('', { console: '[   41.500000] Run /init as init process\r\n', durationMs: 60_000 })), 'cut-off');
  assert.equal(bootEnd(stopped('', { console: cma, durationMs: 60_000 })), 'unmeasured');
  // a 32-bit record: the first boot's console decides, not its trace boot's
  assert.equal(
    bootEnd(stopped('', { console: `${cma}\n${TRACE_BOOT_MARK}\n[    0.000000] memblock_res`, durationMs: 60_000 })),
    'unmeasured',
  );
  // a CPU stuck for good prints soft-lockup reports, so it is never silent for HANG_QUIET_MS
  const lockup = (stuck: number, at: number, after = '') =>
    `${cma}[   ${at}.304670] watchdog: BUG: soft lockup - CPU#0 stuck for ${stuck}s! [init:1]\r\n[   ${at}.324757] Call trace:\r\n[   ${at}.329972]  el0t_64_sync+0x18c/0x190\r\n${after}`;
  assert.equal(bootEnd(stopped('', { console: lockup(44, 48), quietMs: 9_837, durationMs: 60_000 })), 'hang');
  assert.equal(bootEnd(stopped('', { console: lockup(44, 48), durationMs: 60_000 })), 'hang');
  // stuck less than twice HANG_QUIET_MS (one report), or the kernel printed on after the report: still printing
  assert.equal(bootEnd(stopped('', { console: lockup(26, 29), quietMs: 5_764, durationMs: 60_000 })), 'cut-off');
  assert.equal(
    bootEnd(stopped('', { console: lockup(26, 29, '[   54.300000] alg: No test for crc32\r\n'), quietMs: 5_764, durationMs: 60_000 })),
    'cut-off',
  );
  assert.equal(bootEnd({ ...printed(cma), panicked: true, timedOut: true }), 'panic');
  assert.equal(bootEnd({ ...printed(cma), timedOut: true, reachedInit: true, quietMs: 30_000 }), 'ok');
  assert.equal(bootEnd({ ...parseConsole('7.2-armmp', ''), timedOut: true }), 'printed-nothing');
  // QEMU gone before the bound and before /init: the kernel restarted (panic=-1), its panic line garbled
  assert.equal(bootEnd(printed(`${cma} \\ \xa2\xc0\r\n`)), 'panic');
  assert.equal(bootEnd({ ...printed(cma), earlyStopped: true }), 'ok');
  assert.equal(bootEnd({ ...printed(cma), reachedInit: true }), 'ok');
});

test('the console parser keeps the phase lines printed without a prefix', () => {
  const o = parseConsole(
    '7.2-arm64',
    [
      '[    0.000000] efi: UEFI not found.',
      '[    0.000000] Skipping dt linux,cma-default node in favor for "cma=" kernel param.',
      '[    0.000000] OF: reserved mem: OVERLAP DETECTED!',
      '[    0.000000] a@48000000 (0x0000000048000000--0x0000000048400000) overlaps with b@48200000 (0x0000000048200000--0x0000000048600000)',
      '[    0.000000] INITRD: 0x48000000+0x000e7000 is not a memory region - disabling initrd',
      '[    0.000000] INITRD: 0x48000000+0x000e7000 overlaps in-use memory region',
      '[    0.000000]  - disabling initrd',
      '[    0.000000] NUMA: Faking a node at [mem 0x0000000040000000-0x000000004fffffff]',
      '[    0.000000] Zone ranges:',
    ].join('\r\n'),
  );
  assert.deepEqual(
    o.log.map((l) => [l.kind, l.text.slice(0, 24), !!l.continued]),
    [
      ['reserved-memory', 'Skipping dt linux,cma-de', false],
      ['of-reserved-mem', 'OF: reserved mem: OVERLA', false],
      ['of-reserved-mem', 'a@48000000 (0x0000000048', true],
      ['initrd', 'INITRD: 0x48000000+0x000', false],
      ['initrd', 'INITRD: 0x48000000+0x000', false],
      ['initrd', ' - disabling initrd', false],
    ],
  );
  assert.equal(o.unprefixed, true);
});

// Every console the lab keeps (the boots that went wrong) is searched for lines of the
// reserved-memory phase the parser would drop: between the EFI lines (efi_init runs just before
// the arch's memblock init) and the next step's first line, a line that is not a memblock=debug
// trace or dump line, not a line the parser keeps and not part of an oops report must not exist.
test('no stored console has a reserved-memory phase line the parser drops', () => {
  const dropped: string[] = [];
  const warned: string[] = [];
  let warnsCompared = 0;
  const parsed = new Map<string, ReturnType<typeof readLabRecords>>();
  let consoles = 0;
  for (const id of recordedKernels())
    for (const r of readLabRecordsJson(id)) {
      const o = observationFromJson(r.observation);
      if (!o.console) continue;
      consoles++;
      // the WARNs the plan prints for this boot (memblock_add_range's, mm/memblock.c)
      let planned: string[] | undefined;
      const plannedWarns = () => {
        if (!planned) {
          if (!parsed.has(id)) parsed.set(id, readLabRecords(id));
          const rec = parsed.get(id)!.find((x) => x.index === r.index && x.caseId === r.caseId)!;
          const profile = recordProfile(rec)!;
          planned = plan(recordBoard(rec, profile.arch), { kernel: profile, bootargs: rec.append, ladders: 'lab' })
            .log.filter((l) => l.text.startsWith('WARNING: '))
            .map((l) => l.text);
        }
        return planned;
      };
      for (const boot of o.console.split(`\n${TRACE_BOOT_MARK}\n`)) {
        const kept = new Set(parseConsole(id, boot).log.map((l) => l.text));
        const warns: string[] = [];
        let sawPhase = false;
        let inPhase = false;
        // a WARN or BUG report: from its 'cut here' line to its 'end trace' line (a WARN's boot
        // goes on in the phase after it, a BUG's panics)
        let inReport = false;
        const lines = boot.replace(/\r/g, '').split('\n');
        const lastLine = lines.filter((l) => l.trim()).pop();
        for (const raw of lines) {
          const m = /^\[\s*\d+\.\d+\]\s?(.*)$/.exec(raw);
          if (!m) continue;
          const t = m[1]!;
          if (/^-+\[ cut here \]-+$/.test(t)) inReport = true;
          // the symbol's suffix and +offset/size are the build's; the plan prints the function
          if (inReport && inPhase && /^WARNING: /.test(t)) warns.push(t.replace(/(\.\w+\.\d+)?\+0x[0-9a-f]+\/0x[0-9a-f]+$/, ''));
          if (inReport) {
            if (/^---\[ end trace /.test(t)) inReport = false;
            continue;
          }
          if (/^efi: /.test(t)) inPhase = sawPhase = true;
          // the next steps: arm64 bootmem_init (NUMA), free_area_init (Zone ranges), psci, percpu;
          // an oops or panic report ends what the phase printed
          else if (/^(NUMA: |Zone ranges:|psci: |percpu: |Internal error: |Unable to handle |Kernel panic - )/.test(t)) inPhase = false;
          else if (inPhase && !parseMemblockEvent(t) && !/^\s*(memory|reserved|physmem)(\[|\.cnt| size)|^MEMBLOCK configuration:/.test(t)) {
            // a partial last line (QEMU stopped mid-line) is no message
            if (!kept.has(t) && raw !== lastLine) dropped.push(`${id} #${r.index}: ${t}`);
          }
        }
        // a console whose head was cut shows no phase to compare
        if (sawPhase && warns.join('\n') !== plannedWarns().join('\n'))
          warned.push(`${id} #${r.index}: kernel ${JSON.stringify(warns)}, plan ${JSON.stringify(plannedWarns())}`);
        else if (warns.length) warnsCompared += warns.length;
      }
    }
  // 94 kept since the boots the bound had stopped were booted again (most reached /init: no console kept)
  assert.ok(consoles > 80, `${consoles} consoles`);
  assert.deepEqual(dropped, []);
  // WARN reports in the phase are the plan's too: 5.10's fdt_init_reserved_mem gives a failed
  // no-map region back with memblock_add, and memblock_add_range's WARN_ON(flags != rgn->flags)
  // fires where the range meets a NOMAP region above it, in both of its passes (5.10-armmp and
  // -lpae #124: twice each)
  assert.deepEqual(warned, []);
  assert.ok(warnsCompared >= 4, `${warnsCompared} WARN lines compared`);
});

test("an export keeps a full boot over a cache's fast boot of the same case and package, and takes any other", () => {
  const recs = readLabRecordsJson('7.2-armmp');
  const full = recs.find((r) => !(r.observation as { earlyStopped?: boolean }).earlyStopped)!;
  const asFast = (r: LabRecordJson): LabRecordJson => ({ ...r, observation: { ...(r.observation as object), earlyStopped: true } });
  assert.equal(keepsHeldRecord(full, asFast(full)), true, 'a fast boot over a full one');
  assert.equal(keepsHeldRecord(asFast(full), full), false, 'a full boot over a fast one');
  assert.equal(keepsHeldRecord(full, full), false, 'a full boot again');
  assert.equal(keepsHeldRecord(asFast(full), asFast(full)), false, 'a fast boot again');
  assert.equal(keepsHeldRecord(full, { ...asFast(full), package: `${full.package}-next` }), false, 'another package');
  const other = recs.find((r) => r.caseId !== full.caseId)!;
  assert.equal(keepsHeldRecord(full, asFast(other)), false, 'another case drawn at that index');
});
