// `node --import tsx src/verify/firmware-cli.ts --firmware u-boot,uefi --kernels 6.12-arm64,6.12-armmp --cases 60 [--first 0] [--seed 1] [--full-every 5]`
// Boots the lab's generated cases through real firmware (firmware.ts), one QEMU at a time, and
// writes data/lab/<firmware>/<kernel>.jsonl.gz as it goes (cached per case: a re-run boots only
// what is missing). Prints each boot's wall-clock time and the median per kernel at the end.
import { fetchKernels, labKernels, type KernelInfo } from './kernels.js';
import { generateCase } from './generator.js';
import type { LabJob } from './lab.js';
import { labDataDir } from './records.js';
import { qemuAvailable } from './qemu.js';
import { FIRMWARE_KINDS, findFirmware, parseFirmwareConsole, type FirmwareKind } from './firmware.js';
import { runFirmwareJob, writeFirmwareRecords, type FirmwareRecordJson } from './firmware-lab.js';

function arg(name: string, dflt?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : Number.NaN;
};

async function main(): Promise<number> {
  // Several firmwares are interleaved case by case, so a run cut short covers each of them alike.
  const kinds = (arg('firmware') ?? '').split(',').filter(Boolean) as FirmwareKind[];
  if (!kinds.length || kinds.some((k) => !FIRMWARE_KINDS.includes(k))) {
    process.stderr.write(`firmware-lab: --firmware ${FIRMWARE_KINDS.join('|')}[,...]\n`);
    return 2;
  }
  const kernels = (arg('kernels') ?? '6.12-arm64,6.12-armmp').split(',').filter(Boolean);
  const cases = Number(arg('cases', '50'));
  const first = Number(arg('first', '0'));
  const seed = Number(arg('seed', '1'));
  const fullEvery = Number(arg('full-every', '5'));
  const timeoutMs = Number(arg('timeout', '90')) * 1000;
  const out = arg('out', labDataDir)!;
  const rep = fetchKernels(kernels);
  if (rep.errors.length || rep.notFound.length) {
    process.stderr.write(`firmware-lab: ${[...rep.errors, ...rep.notFound].join('; ')}\n`);
    return 2;
  }
  const infos = new Map<string, KernelInfo>(rep.fetched.map((k) => [k.id, k]));
  const jobs: Array<LabJob & { kind: FirmwareKind }> = [];
  for (let i = first; i < first + cases; i++)
    for (const id of kernels)
      for (const kind of kinds) {
        const def = labKernels.find((d) => d.id === id)!;
        jobs.push({ kind, kernel: infos.get(id)!, seed, index: i, case: generateCase(seed, i, def.arch) });
      }
  const byKernel = new Map<string, FirmwareRecordJson[]>();
  const times = new Map<string, number[]>();
  const flush = (): void => {
    for (const recs of byKernel.values()) writeFirmwareRecords(recs[0]!.firmware.kind, recs[0]!.kernel, recs, out);
  };
  let lastFlush = Date.now();
  let n = 0;
  // A firmware that never starts the kernel at some RAM size (EDK2 on 32-bit ARM with 3 GiB, an
  // arm64 Image EDK2 cannot load into 128 MiB) does so every time: two such boots are recorded,
  // the other cases of that size skipped.
  const gaveUp = new Map<string, number>();
  for (const job of jobs) {
    n++;
    const kind = job.kind;
    const sizeKey = `${kind} ${job.kernel.id} ${job.case.ramMiB}`;
    if ((gaveUp.get(sizeKey) ?? 0) >= 2) {
      process.stdout.write(
        `[${n}/${jobs.length}] ${kind} ${job.kernel.id} #${job.index} skipped: ${kind} did not start the kernel with ${job.case.ramMiB} MiB twice\n`,
      );
      continue;
    }
    const def = labKernels.find((d) => d.id === job.kernel.id)!;
    const miss = qemuAvailable(def.arch);
    const fw = findFirmware(kind, def.arch);
    if (miss || !fw.firmware) {
      process.stderr.write(`firmware-lab: ${miss ?? fw.diagnostics.map((d) => `${d.message} (${d.hint ?? ''})`).join('; ')}\n`);
      return 2;
    }
    try {
      const r = await runFirmwareJob(job, fw.firmware, { timeoutMs, dataDir: out, fast: fullEvery > 1 && job.index % fullEvery !== 0 });
      byKernel.set(`${kind} ${job.kernel.id}`, [...(byKernel.get(`${kind} ${job.kernel.id}`) ?? []), r.record]);
      if (r.record.firmware.console.some((lines) => !parseFirmwareConsole(lines.join('\n')).started))
        gaveUp.set(sizeKey, (gaveUp.get(sizeKey) ?? 0) + 1);
      if (!r.cached) {
        const key = `${kind} ${job.kernel.id} ${r.record.traceAppend ? 'full (2 boots)' : (r.record.observation as { earlyStopped?: boolean }).earlyStopped ? 'fast' : 'full'}`;
        times.set(key, [...(times.get(key) ?? []), ...r.bootMs]);
        const o = r.record.observation as { completed?: boolean; earlyStopped?: boolean; timedOut?: boolean; panicked?: boolean };
        const status = o.completed ? 'ok' : o.earlyStopped ? 'ok-fast' : o.timedOut ? 'TIMEOUT' : o.panicked ? 'PANIC' : 'incomplete';
        process.stdout.write(
          `[${n}/${jobs.length}] ${kind} ${job.kernel.id} #${job.index} ${r.record.caseId} ${status} ${r.bootMs.map((t) => (t / 1000).toFixed(1)).join('+')}s\n`,
        );
      }
    } catch (e) {
      process.stdout.write(
        `[${n}/${jobs.length}] ${kind} ${job.kernel.id} #${job.index} ERROR ${e instanceof Error ? e.message : String(e)}\n`,
      );
    }
    if (Date.now() - lastFlush > 60_000) {
      flush();
      lastFlush = Date.now();
    }
  }
  flush();
  for (const [key, ts] of times) process.stdout.write(`${key}: ${ts.length} boots, median ${(median(ts) / 1000).toFixed(1)} s\n`);
  return 0;
}

main().then(
  (c) => {
    process.exitCode = c;
  },
  (e: unknown) => {
    process.stderr.write(`firmware-lab: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 70;
  },
);
