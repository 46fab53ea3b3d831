// Booting one case on one kernel and recording what happened (the lab's unit of work), with a
// per-(kernel, case, DTB) cache so that a re-run costs nothing.
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { caseDtb, caseNuma, labDataDir, virtBasePath } from './records.js';
import { cacheDir } from '../cache.js';
import { type KernelInfo, bootedPackage, findKernelDef, type FetchReport, type LabArch } from './kernels.js';
import { ensureInitramfs, INITRAMFS_VERSION } from './initramfs.js';
import { boot, type EarlyStop, type BootResult } from './qemu.js';
import type { Firmware } from './firmware.js';
import { initrdStart, virtTree } from '../platform/qemu-virt.js';
import { writeDtb } from '../fdt/writer.js';
import { caseId, type LabCase } from './generator.js';
import {
  cutMarker,
  parseConsole,
  toJsonValue,
  compactTrace,
  bootEnd,
  observationFromJson,
  printedNothing,
  TRACE_BOOT_MARK,
  type LabRecordJson,
  type Observation,
} from './observation.js';

/** Bump when anything that changes what a boot shows changes (command line, initramfs, QEMU args). */
export const LAB_VERSION = 1;

/** The lab's fixed command line. `nokaslr` (arm64) keeps boots reproducible: QEMU's `max` CPU has
 *  RNDR, which arm64 uses for a KASLR seed when /chosen/kaslr-seed is absent. */
export function fixedAppend(arch: 'arm64' | 'arm', memblockDebug: boolean): string {
  const a = ['console=ttyAMA0', 'earlycon=pl011,0x9000000', 'panic=-1'];
  if (arch === 'arm64') a.push('nokaslr');
  if (memblockDebug) a.push('memblock=debug');
  return a.join(' ');
}

export interface RunOptions {
  /** For arm64: how to stop (default 'none' = run /init to poweroff). */
  earlyStop?: EarlyStop;
  timeoutMs?: number;
  /** Keep the whole console in the observation (default: only when the boot went wrong). */
  keepConsole?: boolean;
  /** Fast mode (lab recording): one memblock=debug boot stopped as soon as everything about
   *  reserved memory has been printed — after the `Memory:` line on arm64, after the
   *  `MEMBLOCK configuration` dump on 32-bit — so no /init sections (iomem, debugfs, CmaTotal). */
  fast?: boolean;
  /** Where data/lab lives (the virt base trees are saved there for offline DTB rebuilds). */
  dataDir?: string;
  /** Boot through real firmware (U-Boot, EDK2) instead of QEMU's direct kernel boot; its
   *  command-line words follow the lab's fixed ones. */
  firmware?: Firmware;
  /** Run QEMU at this nice value. */
  niceness?: number;
  /** NUMA nodes of these sizes, a CPU each (`verify --numa`; the blob must be QEMU's tree for them). */
  numa?: readonly bigint[];
  /** CPUs without NUMA nodes (`verify --smp`, a lab case's `cpus`; the blob must be QEMU's tree for them). */
  smp?: number;
  /** The arm64 CPU (`verify --cpu`, a lab case's `cpu`: a name of src/platform/cpu.ts; the blob must be QEMU's tree for it). */
  cpu?: string;
}

/** Keep QEMU's virt tree for this arch, RAM and CPU count or NUMA nodes in the data folder: the lab
 *  builds every case's DTB from the saved file, as records.ts rebuilds it offline. */
function saveVirtBase(arch: LabArch, ram: bigint, dir: string, cpus = 1, numa?: readonly bigint[], cpu?: string): void {
  const f = virtBasePath(arch, ram, dir, cpus, numa, cpu);
  if (existsSync(f)) return;
  mkdirSync(join(dir, 'virt'), { recursive: true });
  const base = virtTree(arch, ram, numa, cpus, cpu);
  if (!base.tree) throw new Error(base.diagnostics.map((d) => d.message).join('\n'));
  writeFileSync(f, writeDtb(base.tree));
}

export interface BootedCase {
  observation: Observation;
  append: string;
  traceAppend?: string;
  initrdSize: number;
  boots: BootResult[];
}

/** Boot a DTB on a kernel and observe (two boots on 32-bit kernels, see LabKernelDef). */
export async function observe(
  k: KernelInfo,
  dtb: Uint8Array,
  ramBytes: bigint,
  caseArgs: string,
  opts: RunOptions = {},
): Promise<BootedCase> {
  // a user's own kernel (verify --kernel-image) boots as Debian's of its arch do: 32-bit twice
  const arch: LabArch = k.debArch === 'arm64' ? 'arm64' : 'arm';
  const def = findKernelDef(k.id) ?? { arch, traceNeedsSeparateBoot: arch === 'arm' };
  const report: FetchReport = { fetched: [], notFound: [], errors: [], log: [] };
  const initrd = ensureInitramfs(k.debArch as 'arm64' | 'armhf', report);
  if (!initrd) throw new Error(`no initramfs for ${k.debArch}: ${[...report.notFound, ...report.errors].join('; ')}`);
  const initrdSize = readFileSync(initrd).length;
  const join2 = (a: string, b: string): string => (b ? `${a} ${b}` : a);
  const fixed = (memblockDebug: boolean): string => [fixedAppend(def.arch, memblockDebug), ...(opts.firmware?.append ?? [])].join(' ');
  const timeoutMs = opts.timeoutMs ?? 40_000;
  // A 32-bit memblock=debug boot stops after the dump, well before /init: a shorter default bound.
  const traceTimeoutMs = opts.timeoutMs ?? 25_000;
  const boots: BootResult[] = [];
  // Every boot of a case: the same kernel, initramfs, blob and RAM; only the command line and when to stop differ.
  const bootWith = (append: string, timeoutMs: number, earlyStop: EarlyStop): Promise<BootResult> =>
    boot({
      arch: def.arch,
      vmlinuz: k.vmlinuz,
      initrd,
      dtb,
      ramBytes,
      append,
      timeoutMs,
      earlyStop,
      ...(opts.firmware ? { firmware: opts.firmware } : {}),
      ...(opts.niceness !== undefined ? { niceness: opts.niceness } : {}),
      ...(opts.numa ? { numa: opts.numa } : {}),
      ...(opts.smp ? { smp: opts.smp } : {}),
      ...(opts.cpu ? { cpu: opts.cpu } : {}),
    });
  if (!def.traceNeedsSeparateBoot || opts.fast) {
    const append = join2(fixed(true), caseArgs);
    const earlyStop: EarlyStop = opts.fast ? (def.traceNeedsSeparateBoot ? 'after-dump' : 'memory-line') : (opts.earlyStop ?? 'none');
    const b = await bootWith(append, def.traceNeedsSeparateBoot ? traceTimeoutMs : timeoutMs, earlyStop);
    boots.push(b);
    const o = finish(parseConsole(k.id, b.console), b, opts);
    return { observation: o, append, initrdSize, boots };
  }
  // 32-bit: the init boot without memblock=debug, then the trace boot with it.
  const append = join2(fixed(false), caseArgs);
  const traceAppend = join2(fixed(true), caseArgs);
  const b1 = await bootWith(append, timeoutMs, opts.earlyStop ?? 'none');
  const b2 = await bootWith(traceAppend, traceTimeoutMs, 'after-dump');
  boots.push(b1, b2);
  const o = finish(parseConsole(k.id, b1.console), b1, opts);
  const t = parseConsole(k.id, b2.console);
  o.memblock = t.memblock;
  if (t.memblockDump) o.memblockDump = t.memblockDump;
  o.traceFromSeparateBoot = true;
  if (opts.keepConsole || !o.completed)
    o.console = (o.console ?? '') + `\n${TRACE_BOOT_MARK}\n` + trimConsole(b2.console, opts.keepConsole);
  return { observation: o, append, traceAppend, initrdSize, boots };
}

/**
 * A console as a record keeps it: its last 80 lines, and the 40 lines either side of the first
 * panic line when those come earlier (with several CPUs, each CPU the panic stops prints its own
 * stack dump after the panic's call trace, which the last lines alone then miss).
 */
export function trimConsole(c: string, keep?: boolean): string {
  if (keep) return c;
  const lines = c.split('\n');
  if (lines.length <= 80) return c;
  const tail = lines.length - 80;
  const p = lines.findIndex((l) => /Kernel panic - not syncing/.test(l));
  if (p < 0 || p >= tail) return [cutMarker(tail), ...lines.slice(-80)].join('\n');
  const from = Math.max(0, p - 40);
  const to = Math.min(p + 41, tail);
  return [
    ...(from ? [cutMarker(from)] : []),
    ...lines.slice(from, to),
    ...(to < tail ? [cutMarker(tail - to)] : []),
    ...lines.slice(-80),
  ].join('\n');
}

function finish(o: Observation, b: BootResult, opts: RunOptions): Observation {
  o.timedOut = b.timedOut;
  if (b.timedOut) o.quietMs = b.quietMs;
  o.earlyStopped = b.earlyStopped;
  o.durationMs = b.durationMs;
  if (opts.keepConsole || !(o.completed || (b.earlyStopped && o.log.length))) o.console = trimConsole(b.console, opts.keepConsole);
  return o;
}

export interface LabJob {
  kernel: KernelInfo;
  seed: number;
  index: number;
  case: LabCase;
}

/** A record is keyed by what was booted: the kernel's package and version (Debian's `<name>_<version>`),
 *  the case and the DTB (a writer change re-boots the cases whose blob it changes). */
function cachePath(k: Pick<KernelInfo, 'id' | 'package' | 'version'>, id: string, dtbSha256: string, fast = false): string {
  return join(kernelCacheDir(k.id), `${k.package}_${k.version}`, `${id}-${dtbSha256.slice(0, 16)}${fast ? '.fast' : ''}.json`);
}

function kernelCacheDir(kernel: string): string {
  return join(cacheDir(), 'lab', `v${LAB_VERSION}-i${INITRAMFS_VERSION}`, kernel);
}

/** Where records were cached before the package was part of the key: each names its package
 *  inside, so one is taken only for the package it was booted on. */
function unversionedCachePath(kernel: string, id: string, dtbSha256: string, fast = false): string {
  return join(kernelCacheDir(kernel), `${id}-${dtbSha256.slice(0, 16)}${fast ? '.fast' : ''}.json`);
}

/** The cached record of a case booted on this package of the kernel with this DTB: a full one when
 *  there is, else a fast one (unless `fullOnly`). */
export function cachedRecord(
  k: Pick<KernelInfo, 'id' | 'package' | 'version'>,
  c: LabCase,
  dtbSha256: string,
  fullOnly = false,
): LabRecordJson | undefined {
  const id = caseId(c);
  for (const fast of fullOnly ? [false] : [false, true]) {
    for (const f of [cachePath(k, id, dtbSha256, fast), unversionedCachePath(k.id, id, dtbSha256, fast)]) {
      if (!existsSync(f)) continue;
      const r = JSON.parse(readFileSync(f, 'utf8')) as LabRecordJson;
      if (r.package === bootedPackage(k)) return r;
    }
  }
  return undefined;
}

/** The DTB the lab boots for a case (QEMU's virt tree saved in `dir` first), and its sha256. */
export function labDtb(c: LabCase, dir = labDataDir): { dtb: Uint8Array; sha256: string } {
  saveVirtBase(c.family, BigInt(c.ramMiB) << 20n, dir, c.cpus, caseNuma(c), c.cpu);
  const dtb = caseDtb(c, dir);
  return { dtb, sha256: createHash('sha256').update(dtb).digest('hex') };
}

/** The record of a booted job, its trace compacted; `initrd`: where the initrd lay, when known. */
export function labRecord(job: LabJob, res: BootedCase, dtbSha256: string, initrd?: LabRecordJson['initrd']): LabRecordJson {
  res.observation.memblock = compactTrace(res.observation.memblock);
  const record: LabRecordJson = {
    v: 1,
    kernel: job.kernel.id,
    package: bootedPackage(job.kernel),
    caseId: caseId(job.case),
    seed: job.seed,
    index: job.index,
    case: job.case,
    ram: '0x' + (BigInt(job.case.ramMiB) << 20n).toString(16),
    bootargs: job.case.bootargs,
    append: res.append,
    dtbSha256,
    ...(initrd ? { initrd } : {}),
    observation: toJsonValue(res.observation),
  };
  if (res.traceAppend) record.traceAppend = res.traceAppend;
  return record;
}

/**
 * Whether a boot the bound stopped should be booted again alone: QEMUs beside each other on a small
 * host (two, of 4 or 8 vCPUs each, on 2 cores) make a slow boot look hung or cut it off — seeds 40,
 * 56 and 61 (14 of its 144 boots) reached /init booted alone — while a panic is the kernel's own.
 */
export function bootsAgainAlone(o: Observation): boolean {
  return o.timedOut && bootEnd(o) !== 'panic';
}

/**
 * Run one lab job, or return its cached record (a cached boot that printed nothing is booted
 * again); `again`: boot it even when cached (bootsAgainAlone), the new record replacing the old.
 */
export async function runJob(
  job: LabJob,
  opts: RunOptions & { again?: boolean } = {},
): Promise<{ record: LabRecordJson; cached: boolean; boots: number }> {
  const id = caseId(job.case);
  const { dtb, sha256 } = labDtb(job.case, opts.dataDir);
  const f = cachePath(job.kernel, id, sha256, !!opts.fast);
  const hit = opts.again ? undefined : cachedRecord(job.kernel, job.case, sha256, !opts.fast);
  if (hit && !printedNothing(observationFromJson(hit.observation))) return { record: hit, cached: true, boots: 0 };
  const { record, boots } = await bootJob(job, { dtb, sha256 }, opts);
  mkdirSync(join(f, '..'), { recursive: true });
  writeFileSync(f + '.tmp', JSON.stringify(record));
  renameSync(f + '.tmp', f);
  return { record, cached: false, boots };
}

/** Boot a lab job (its DTB from labDtb) and make its record; nothing is cached. */
export async function bootJob(
  job: LabJob,
  blob: { dtb: Uint8Array; sha256: string },
  opts: RunOptions = {},
): Promise<{ record: LabRecordJson; boots: number }> {
  const ram = BigInt(job.case.ramMiB) << 20n;
  const numa = caseNuma(job.case);
  const res = await observe(job.kernel, blob.dtb, ram, job.case.bootargs, {
    ...opts,
    ...(job.case.cpus ? { smp: job.case.cpus } : {}),
    ...(job.case.cpu ? { cpu: job.case.cpu } : {}),
    ...(numa ? { numa } : {}),
  });
  const initrd = { start: '0x' + initrdStart(ram).toString(16), size: '0x' + res.initrdSize.toString(16) };
  return { record: labRecord(job, res, blob.sha256, initrd), boots: res.boots.length };
}
