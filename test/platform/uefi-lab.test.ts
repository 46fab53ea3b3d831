// The uefi platform model alone against the lab's real EDK2 boots (data/lab/uefi): nothing read
// from the boot but what a user knows before it — RAM, the command line, the initrd's size and the
// kernel file's facts. EDK2 ArmVirtQemu's free memory at the stub's start, the stub's placements,
// the UEFI memory map and efi_init's reservations are the model's (src/platform/uefi.ts,
// src/platform/efi-memmap.ts, src/kernel/efi-init.ts); judged is the kernel's reserved-memory log
// and dynamic placements (test/kernel/replay-lib.ts). test/verify/firmware.test.ts replays the
// same boots with the stub's placements and the map given as the boot printed them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBoard } from '../../src/board.js';
import { resolveProfile } from '../../src/kernel/plan.js';
import { readFirmwareRecordsJson } from '../../src/verify/firmware-lab.js';
import { parseFirmwareConsole } from '../../src/verify/firmware.js';
import { decodeRecord } from '../../src/verify/records.js';
import { replayCase } from '../kernel/replay-lib.js';

/**
 * The kernel files the lab's EDK2 boots loaded (QEMU -kernel → fw_cfg), by Debian package and
 * version: the vmlinuz size and _end - _text (System.map) — what armVirtQemuStubEntry needs.
 */
const KERNEL_FILES: Record<string, { kernelFileSize: bigint; imageSize: bigint }> = {
  'linux-image-6.12.118+deb12-arm64-unsigned 6.12.118-1~deb12u1': { kernelFileSize: 44282368n, imageSize: 0x2b40000n },
};

test('uefi model alone (EDK2 ArmVirtQemu footprint, its UEFI memory map, efi_init) against the 6.12-arm64 EDK2 boots', (t) => {
  const kernel = '6.12-arm64';
  const profile = resolveProfile(kernel);
  assert.ok(profile);
  const recs = readFirmwareRecordsJson('uefi', kernel);
  if (!recs.length) return t.skip('data/lab/uefi has no 6.12-arm64 records');
  let ok = 0;
  let judged = 0;
  const noRoom: string[] = [];
  const misses: string[] = [];
  for (const j of recs) {
    const r = decodeRecord(j);
    const o = r.observation;
    if (!j.firmware.console.every((lines) => parseFirmwareConsole(lines.join('\n')).started)) continue;
    const facts = KERNEL_FILES[j.package ?? ''];
    assert.ok(facts, `no kernel-file facts for ${j.package}`);
    // EDK2 starts the stub with the command line QEMU got plus `initrd=initrd`
    const bootargs = o.commandLine ?? `${r.traceAppend ?? r.append} initrd=initrd`;
    const board = loadBoard(r.dtbBytes, {
      fileName: `uefi/${kernel}/${r.caseId}.dtb`,
      platform: 'uefi',
      asBooted: true,
      arch: 'arm64',
      ram: BigInt(r.ram),
      bootargs,
      ...(r.initrd ? { initrdSize: BigInt(r.initrd.size) } : {}),
      uefi: facts,
    });
    const err = board.diagnostics.find((d) => d.severity === 'error');
    if (err) {
      // ArmVirtQemu's layout with little RAM is not the one measured (the model finds no room)
      noRoom.push(`${BigInt(r.ram) >> 20n}M: ${err.message}`);
      continue;
    }
    judged++;
    const out = replayCase(r, profile, { board, bootargs });
    if (out.ok) ok++;
    else misses.push(`#${j.index} ${r.caseId} ram=${BigInt(r.ram) >> 20n}M ${r.bootargs}: ${out.problems.join(' ; ')}`);
  }
  const summary = `uefi model alone, ${kernel}: rmem ${ok}/${judged} boots agree${noRoom.length ? `; ${noRoom.length} more the model cannot place (${noRoom.join(', ')})` : ''}`;
  t.diagnostic(summary);
  process.stdout.write(`# ${summary}\n`);
  // Where the model places the stub's allocations, the kernel's reserved memory must follow.
  assert.ok(judged > 0, 'no boot the model could place');
  assert.deepEqual(misses, []);
});
