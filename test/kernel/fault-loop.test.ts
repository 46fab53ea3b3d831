// arm: mem_map reaching into what dma_contiguous_remap left unmapped, when the fault's own report
// faults again for ever (show_pte reading the PTE table's struct page there): a hang the plan
// predicts with the lines the kernel repeats, judged on the lab's boots of seed 47's #ee97c377
// (6.12 and 7.2, armmp and armmp-lpae).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plan } from '../../src/kernel/plan.js';
import { readLabRecords, recordBoard, type LabRecord } from '../../src/verify/records.js';
import { TRACE_BOOT_MARK } from '../../src/verify/observation.js';
import { recordProfile, replayCase } from './replay-lib.js';
import { runCli } from '../helpers/cli.js';
import { regionBoard } from '../helpers/board.js';
import { loadBoard } from '../../src/board.js';

const CASE = 'ee97c377d5bc7a98';
const record = (kernel: string): LabRecord => {
  const r = readLabRecords(kernel).find((x) => x.caseId === CASE);
  assert.ok(r, `${kernel} ${CASE} in data/lab`);
  return r;
};
const planOf = (r: LabRecord) => {
  const profile = recordProfile(r)!;
  return plan(recordBoard(r, profile.arch), { kernel: profile, bootargs: r.append, ladders: 'lab' });
};

test('6.12 and 7.2 armmp(-lpae): the report of the fault in mem_map faults again on the PTE table’s struct page, over and over', () => {
  const twoLevel = '[ef828fb8] *pgd=6fffe801';
  const lpae = '[ef828fb8] *pgd=80000040207003, *pmd=6fffe003';
  const pgd = { '6.12-armmp': twoLevel, '6.12-armmp-lpae': lpae, '7.2-armmp': twoLevel, '7.2-armmp-lpae': lpae };
  for (const [kernel, walk] of Object.entries(pgd)) {
    const r = record(kernel);
    const p = planOf(r);
    assert.equal(p.boot.outcome, 'hang', kernel);
    assert.equal(p.boot.function, 'memmap_init_range', kernel);
    assert.deepEqual(
      p.boot.loop,
      ['8<--- cut here ---', 'Unable to handle kernel paging request at virtual address ef828fb8 when read', walk],
      kernel,
    );
    // the plan's log ends in the loop's first turn
    assert.deepEqual(
      p.log.slice(-3).map((l) => l.text),
      p.boot.loop,
      kernel,
    );
    assert.ok(!p.diagnostics.some((d) => d.code === 'mem-map-unmapped'), kernel);
    const out = replayCase(r);
    assert.ok(out.ok, `${kernel}: ${out.problems.join('; ')}`);
    assert.deepEqual([out.died, out.predicted], ['hang', true], kernel);
    // the replay judges the lines: the same console looping on another address is a miss
    const [boot1, rest] = r.observation.console!.split(`\n${TRACE_BOOT_MARK}\n`);
    const other = {
      ...r,
      observation: { ...r.observation, console: `${boot1!.replaceAll('ef828fb8', 'ef828fb0')}\n${TRACE_BOOT_MARK}\n${rest}` },
    };
    const miss = replayCase(other);
    assert.ok(
      miss.problems.some((x) => x.startsWith('boot: plan says it hangs printing')),
      `${kernel}: ${miss.problems.join('; ')}`,
    );
  }
});

test('a report that gets through to die() ends as the run decides: a warning', () => {
  // mem_map's first struct pages in the hole, the PTE table's struct page mapped: show_pte walks on,
  // and die() reports the registers (mem_dump_obj reads what they point at)
  const f = regionBoard('pool {\n\t\t\tcompatible = "shared-dma-pool";\n\t\t\treusable;\n\t\t\tsize = <0x0 0x1000>;\n\t\t};');
  for (const kernel of ['6.12-armmp', '7.2-armmp']) {
    const p = plan(loadBoard(f, { platform: 'qemu-virt', arch: 'arm', ram: 768n << 20n }), { kernel, bootargs: 'cma=8M@0x60000000' });
    assert.equal(p.boot.outcome, 'ok', kernel);
    assert.match(p.diagnostics.find((d) => d.code === 'mem-map-unmapped')?.message ?? '', /how that oops ends is the run's/, kernel);
  }
});

test('carveout plan: the fault loop as an error, and the lines in the JSON', () => {
  const r = record('6.12-armmp');
  const dir = mkdtempSync(join(tmpdir(), 'carveout-loop-'));
  const dtb = join(dir, 'case.dtb');
  writeFileSync(dtb, r.dtbBytes);
  const args = ['plan', dtb, '--kernel', '6.12-armmp', '--platform', 'qemu-virt', '--ram', r.ram, '--bootargs', r.append];
  if (r.initrd) args.push('--initrd-size', r.initrd.size);
  const text = runCli(args);
  assert.equal(text.status, 1);
  assert.match(
    text.stderr,
    /error: 6\.12-armmp would hang at boot in memmap_init_range, printing the same fault over and over \[kernel-hang\]/,
  );
  const j = JSON.parse(runCli([...args, '--format', 'json']).stdout) as { boot: { outcome: string; loop: string[] } };
  assert.equal(j.boot.outcome, 'hang');
  assert.equal(j.boot.loop[1], 'Unable to handle kernel paging request at virtual address ef828fb8 when read');
});
