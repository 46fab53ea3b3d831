// Live slice of the firmware lab: `carveout verify --platform u-boot` and `--boot uefi` boot the
// example board on a real Debian kernel through Debian's U-Boot and EDK2 under QEMU, and the
// result is a judged boot (the kernel's reserved-memory lines against the plan), not a failed one.
// Runs when CI is set or CARVEOUT_LAB=1 (network for apt-get, qemu-system-arm, the firmware packages).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { findFirmware, type FirmwareKind } from '../../src/verify/firmware.js';
import { qemuAvailable } from '../../src/verify/qemu.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { liveSkip } from '../helpers/live.js';

const PACKAGES: Record<FirmwareKind, string> = { 'u-boot': 'u-boot-qemu', uefi: 'qemu-efi-aarch64' };

for (const [kind, flags] of [
  ['u-boot', ['--platform', 'u-boot']],
  ['uefi', ['--boot', 'uefi']],
] as const) {
  test(`live: verify ${flags.join(' ')} boots 6.12-arm64 through ${kind} and judges it`, {
    skip: liveSkip('boot real kernels through real firmware under QEMU'),
    timeout: 15 * 60_000,
  }, () => {
    const missing = [
      ...(qemuAvailable('arm64') ? ['qemu-system-arm'] : []),
      ...(findFirmware(kind, 'arm64').firmware ? [] : [PACKAGES[kind]]),
    ];
    if (missing.length)
      spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    const fw = findFirmware(kind, 'arm64').firmware;
    assert.ok(fw, `${kind} firmware still missing after apt-get install ${PACKAGES[kind]}`);
    const r = runCli(
      ['verify', join(repoRoot, 'examples', 'qemu-virt-cma.dts'), '--kernel', '6.12-arm64', '--ram', '1G', ...flags, '--format', 'json'],
      { timeoutMs: 12 * 60_000 },
    );
    assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}\n${r.stdout.slice(0, 2000)}`);
    const j = JSON.parse(r.stdout) as {
      notes: string[];
      observation: { log: { text: string }[]; memblock: unknown[]; linuxVersion?: string };
      prediction?: unknown;
      differences: string[];
    };
    assert.ok(
      j.notes.some((n) => n.startsWith(`booted through ${fw.package}`)),
      JSON.stringify(j.notes),
    );
    if (kind === 'u-boot')
      assert.ok(
        j.notes.some((n) => n.startsWith('U-Boot: kernel loaded at 0x40400000, initrd ')),
        JSON.stringify(j.notes),
      );
    assert.match(j.observation.linuxVersion ?? '', /^Linux version 6\.12\./);
    assert.ok(j.observation.memblock.length > 0, 'no memblock=debug trace');
    assert.ok(
      j.observation.log.some((l) => l.text.startsWith('cma: Reserved') || l.text.startsWith('Reserved memory: created CMA memory pool')),
      JSON.stringify(j.observation.log),
    );
    assert.ok(j.prediction, `no prediction: ${JSON.stringify(j.notes)}`);
    process.stdout.write(
      `# ${kind}: ${j.differences.length ? `differences: ${j.differences.join('; ')}` : 'prediction and kernel agree'}\n`,
    );
  });
}
