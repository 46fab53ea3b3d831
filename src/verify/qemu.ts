// QEMU runner: booting a lab kernel on QEMU's virt machine with a wall-clock bound, directly or
// through firmware (firmware.ts) (the machine's layout, its own tree and the board merge are
// src/platform/qemu-virt.ts).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabArch } from './kernels.js';
import { cpuArgs, machineFor } from '../platform/qemu-virt.js';
import type { Firmware } from './firmware.js';

export function qemuAvailable(arch: LabArch): string | undefined {
  const m = machineFor(arch);
  const r = spawnSync('sh', ['-c', `command -v ${m.binary}`]);
  if (r.status === 0) return undefined;
  return `${m.binary} not found: install QEMU with 'apt-get install qemu-system-arm' (Debian/Ubuntu; it provides qemu-system-arm and qemu-system-aarch64)`;
}

export type EarlyStop = 'none' | 'memory-line' | 'after-dump';

export interface BootRequest {
  arch: LabArch;
  vmlinuz: string;
  initrd?: string;
  dtb: Uint8Array;
  ramBytes: bigint;
  append: string;
  timeoutMs: number;
  earlyStop: EarlyStop;
  /** Boot through this firmware (-bios): QEMU then hands the kernel, initrd and command line over
   *  fw_cfg and the DTB at the start of RAM (src/verify/firmware.ts). */
  firmware?: Firmware;
  /** Run QEMU at this nice value (a boot a command makes on the side, e.g. `kernels fetch`'s measurement). */
  niceness?: number;
  /** NUMA nodes of these sizes, a CPU each (platform/qemu-virt.ts cpuArgs); default one CPU, no NUMA. */
  numa?: readonly bigint[];
  /** CPUs without NUMA nodes (-smp); default one. */
  smp?: number;
  /** The arm64 CPU model (a name of src/platform/cpu.ts QEMU models); default `max`. */
  cpu?: string;
}

export interface BootResult {
  console: string;
  durationMs: number;
  timedOut: boolean;
  /** Milliseconds between the console's last output and the end of the run (all of it when
   *  nothing was printed): how long the kernel had been silent when the bound stopped it. */
  quietMs: number;
  earlyStopped: boolean;
  exitCode: number | null;
}

// QEMUs under way, with their temporary directories. A QEMU reads no stdin and has no parent to
// notice: when a signal ends this process (a user's `kill`, a CI job's timeout), a QEMU whose kernel
// hangs would otherwise run on, orphaned, for ever. Ctrl-C reaches the whole process group, QEMU
// included, but SIGTERM to this process alone does not.
const running = new Map<ChildProcess, string>();
const endSignals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function endRunning(signal: NodeJS.Signals): void {
  for (const [p, dir] of running) {
    try {
      p.kill('SIGKILL');
    } catch {
      /* already gone */
    }
    rmSync(dir, { recursive: true, force: true });
  }
  running.clear();
  for (const s of endSignals) process.removeListener(s, endRunning);
  // The signal's own ending (exit status 128 + n), now that no QEMU outlives it.
  process.kill(process.pid, signal);
}

function track(p: ChildProcess, dir: string): void {
  if (running.size === 0) for (const s of endSignals) process.on(s, endRunning);
  running.set(p, dir);
}

function untrack(p: ChildProcess): void {
  running.delete(p);
  if (running.size === 0) for (const s of endSignals) process.removeListener(s, endRunning);
}

/** Boot once. Never rejects for kernel trouble: a hung kernel is a timed-out result. */
export function boot(req: BootRequest): Promise<BootResult> {
  const m = machineFor(req.arch, req.cpu);
  const dir = mkdtempSync(join(tmpdir(), 'carveout-boot-'));
  const dtbPath = join(dir, 'case.dtb');
  writeFileSync(dtbPath, req.dtb);
  const args = [
    '-M',
    [m.machine, ...(req.firmware?.machineOptions ?? [])].join(','),
    '-cpu',
    m.cpu,
    '-m',
    `${req.ramBytes / 1024n / 1024n}M`,
    ...cpuArgs(req.numa, req.smp),
    '-nographic',
    '-no-reboot',
    '-monitor',
    'none',
    '-serial',
    'stdio',
    '-nodefaults',
    '-kernel',
    req.vmlinuz,
    '-dtb',
    dtbPath,
    '-append',
    req.append,
  ];
  if (req.initrd) args.push('-initrd', req.initrd);
  if (req.firmware) args.push('-bios', req.firmware.image);
  const t0 = Date.now();
  return new Promise((resolve) => {
    const p = spawn(m.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    track(p, dir);
    if (req.niceness !== undefined && p.pid !== undefined) setPriority(p.pid, req.niceness);
    let out = '';
    let lastOutput = t0;
    let timedOut = false;
    let earlyStopped = false;
    let done = false;
    let quietTimer: NodeJS.Timeout | undefined;
    let sawDump = false;
    let gaveUp: NodeJS.Timeout | undefined;
    const kill = (): void => {
      try {
        p.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const hard = setTimeout(() => {
      timedOut = true;
      kill();
    }, req.timeoutMs);
    const stopSoon = (ms: number): void => {
      if (quietTimer) clearTimeout(quietTimer);
      quietTimer = setTimeout(() => {
        if (!done) {
          earlyStopped = true;
          kill();
        }
      }, ms);
    };
    p.stdout.on('data', (b: Buffer) => {
      out += b.toString('latin1');
      lastOutput = Date.now();
      // Not an early stop: the kernel never ran (the firmware's console lines say so).
      if (req.firmware?.gaveUp.test(out) && !gaveUp) gaveUp = setTimeout(kill, 500);
      if (req.earlyStop === 'memory-line' && /\n\[[ 0-9.]+\] Memory: \d+K\//.test(out)) stopSoon(100);
      else if (req.earlyStop === 'after-dump') {
        // 32-bit kernels with memblock=debug go quiet after the dump: stop once it has been quiet a
        // while. A loaded host can pause the console inside the dump, so until every reserved row
        // `reserved.cnt` announces has come, only a long silence stops it.
        if (!sawDump && out.includes('MEMBLOCK configuration:')) sawDump = true;
        if (sawDump) stopSoon(dumpComplete(out) ? 800 : 5000);
      }
    });
    p.stderr.on('data', (b: Buffer) => {
      out += b.toString('latin1');
    });
    p.on('error', (e) => {
      out += `\n[carveout: ${e.message}]\n`;
    });
    p.on('close', (code) => {
      done = true;
      untrack(p);
      clearTimeout(hard);
      if (quietTimer) clearTimeout(quietTimer);
      if (gaveUp) clearTimeout(gaveUp);
      rmSync(dir, { recursive: true, force: true });
      // QEMU's own "terminating on signal" chatter is not the kernel's.
      const console = out.replace(/^qemu-system-\w+: terminating on signal.*$/gm, '');
      const end = Date.now();
      resolve({
        console,
        durationMs: end - t0,
        timedOut,
        quietMs: end - lastOutput,
        earlyStopped: earlyStopped && !timedOut,
        exitCode: code,
      });
    });
  });
}

/** Whether a console holds a whole `MEMBLOCK configuration` dump: as many `reserved[…]` rows as its `reserved.cnt` says. */
export function dumpComplete(out: string): boolean {
  const at = out.lastIndexOf('MEMBLOCK configuration:');
  if (at < 0) return false;
  const m = /reserved\.cnt\s*=\s*0x([0-9a-f]+)/.exec(out.slice(at));
  if (!m) return false;
  const rows = out.slice(at + m.index).match(/\breserved\[0x[0-9a-f]+\]/g)?.length ?? 0;
  return rows >= Number.parseInt(m[1]!, 16);
}
