// A boot's QEMU ends with the process that started it: SIGTERM or SIGHUP to a `verify` or lab
// run must not leave a QEMU (whose kernel may hang for ever) running on, orphaned.
// A stand-in `qemu-system-aarch64` on PATH that sleeps stands for a hung kernel's QEMU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Gone, or a zombie no one has reaped yet (its parent, the test's child, has died). */
function ended(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return / Z /.test(stat.slice(stat.lastIndexOf(')')));
}

for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
  test(`${signal} to a booting process ends its QEMU and removes the boot's files`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carveout-qemu-signal-'));
    const bin = join(dir, 'bin');
    const tmp = join(dir, 'tmp');
    mkdirSync(bin);
    mkdirSync(tmp);
    const pidFile = join(dir, 'qemu.pid');
    writeFileSync(join(bin, 'qemu-system-aarch64'), `#!/bin/sh\necho $$ > '${pidFile}'\nexec sleep 300\n`);
    chmodSync(join(bin, 'qemu-system-aarch64'), 0o755);
    const script = join(dir, 'boot.mts');
    writeFileSync(
      script,
      `import { boot } from ${JSON.stringify(join(repoRoot, 'src/verify/qemu.ts'))};\n` +
        `await boot({ arch: 'arm64', vmlinuz: '/nonexistent', dtb: new Uint8Array(8), ramBytes: 256n << 20n, append: '', timeoutMs: 240000, earlyStop: 'none' });\n` +
        `console.log('boot returned');\n`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: repoRoot,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    let over = false;
    const exited = new Promise<NodeJS.Signals | number | null>((r) =>
      child.on('exit', (code, sig) => {
        over = true;
        r(sig ?? code);
      }),
    );
    let qemuPid = 0;
    for (let i = 0; i < 600 && !qemuPid && !over; i++) {
      await sleep(100);
      if (existsSync(pidFile)) qemuPid = Number(readFileSync(pidFile, 'utf8').trim()) || 0;
    }
    assert.ok(qemuPid > 0, `the stand-in QEMU never started: ${stderr}`);
    const bootDirs = () => readdirSync(tmp).filter((f) => f.startsWith('carveout-boot-'));
    assert.equal(bootDirs().length, 1, "the boot's temporary directory (its DTB)");
    child.kill(signal);
    assert.equal(await exited, signal, 'the process ends by the signal, as it would without a boot under way');
    let gone = false;
    for (let i = 0; i < 50 && !gone; i++) {
      gone = ended(qemuPid);
      if (!gone) await sleep(100);
    }
    if (!gone) process.kill(qemuPid, 'SIGKILL');
    assert.ok(gone, 'QEMU outlived the process that started it');
    assert.deepEqual(bootDirs(), [], "the boot's temporary directory is left behind");
  });
}
