// The uefi platform model alone against the lab's real EDK2 boots (data/lab/uefi): nothing read
// from the boot but what a user knows before it — RAM, the command line, the initrd's size and the
// kernel file's facts. EDK2 ArmVirtQemu's free memory at the stub's start, the stub's placements,
// the UEFI memory map and efi_init's reservations are the model's (src/platform/uefi.ts,
// src/platform/efi-memmap.ts, src/kernel/efi-init.ts); judged is the kernel's reserved-memory log
// and dynamic placements (test/kernel/replay-lib.ts), on arm64 and on arm. Where EDK2 never
// started the kernel, the model must say so too, or the boot is one it cannot judge (listed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBoard } from '../../src/board.js';
import { resolveProfile } from '../../src/kernel/plan.js';
import { readFirmwareRecordsJson } from '../../src/verify/firmware-lab.js';
import { parseFirmwareConsole } from '../../src/verify/firmware.js';
import { decodeRecord } from '../../src/verify/records.js';
import { replayCase } from '../kernel/replay-lib.js';
import { UEFI_KERNEL_FILES } from './uefi-kernel-files.js';

/** Boots the model alone agrees with, per kernel (summed and checked against the ≥100 target below). */
const agreed: Record<string, number> = {};

for (const kernel of ['6.12-arm64', '6.12-armmp']) {
  test(`uefi model alone (EDK2 ArmVirtQemu footprint, its UEFI memory map, efi_init) against the ${kernel} EDK2 boots`, (t) => {
    const profile = resolveProfile(kernel);
    assert.ok(profile);
    const recs = readFirmwareRecordsJson('uefi', kernel);
    if (!recs.length) return t.skip(`data/lab/uefi has no ${kernel} records`);
    let ok = 0;
    let judged = 0;
    const unjudged: string[] = [];
    const misses: string[] = [];
    for (const j of recs) {
      const r = decodeRecord(j);
      const o = r.observation;
      const started = j.firmware.console.every((lines) => parseFirmwareConsole(lines.join('\n')).started);
      const facts = UEFI_KERNEL_FILES[j.package ?? ''];
      assert.ok(facts, `no kernel-file facts for ${j.package}`);
      // EDK2 starts the stub with the command line QEMU got plus `initrd=initrd`
      const bootargs = o.commandLine ?? `${r.traceAppend ?? r.append} initrd=initrd`;
      const board = loadBoard(r.dtbBytes, {
        fileName: `uefi/${kernel}/${r.caseId}.dtb`,
        platform: 'uefi',
        asBooted: true,
        arch: profile.arch,
        ram: BigInt(r.ram),
        bootargs,
        ...(r.initrd ? { initrdSize: BigInt(r.initrd.size) } : {}),
        uefi: facts,
      });
      const err = board.diagnostics.find((d) => d.severity === 'error');
      const what = `#${j.index} ${r.caseId} ram=${BigInt(r.ram) >> 20n}M ${r.bootargs}`;
      if (!started) {
        // EDK2 gave up (arm64 128 MiB: no room for the Image): the model must find no room either;
        // a boot that hung for another reason (arm 3 GiB) is not the placement model's to predict.
        if (err?.code !== 'uefi-firmware-room') unjudged.push(`${what}: EDK2 never started the kernel`);
        else ok++, judged++;
        continue;
      }
      if (err) {
        misses.push(`${what}: the model finds no room: ${err.message}`);
        continue;
      }
      judged++;
      const out = replayCase(r, profile, { board, bootargs });
      if (out.ok) ok++;
      else misses.push(`${what}: ${out.problems.join(' ; ')}`);
    }
    agreed[kernel] = ok;
    const summary = `uefi model alone, ${kernel}: ${ok}/${judged} boots agree (rmem; EDK2 giving up included)${unjudged.length ? `; not judged: ${unjudged.join(', ')}` : ''}`;
    t.diagnostic(summary);
    process.stdout.write(`# ${summary}\n`);
    if (misses.length) process.stdout.write(`# ${misses.slice(0, 20).join('\n# ')}\n`);
    assert.ok(judged > 0, 'no boot the model could place');
    assert.deepEqual(misses, []);
  });
}

test('uefi model alone: at least 100 real EDK2 boots agree, on an arm64 and an arm kernel', () => {
  const arm64 = agreed['6.12-arm64'] ?? 0;
  const arm = agreed['6.12-armmp'] ?? 0;
  assert.ok(arm64 > 0 && arm > 0, `arm64 ${arm64}, arm ${arm}`);
  assert.ok(arm64 + arm >= 100, `only ${arm64 + arm} boots agree (arm64 ${arm64}, arm ${arm})`);
});
