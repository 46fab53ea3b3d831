// `npm run lab -- --kernels 6.1-arm64,6.12-arm64 --cases 300 --seed 1 [--jobs 2] [--early-stop none|memory-line]`
// (`--help` lists every option).
// Boots generated cases on each kernel (both cores in parallel), caches each observation keyed by
// kernel + case hash (a re-run costs nothing), and writes data/lab/<kernel>.jsonl.gz as it goes.
import { bootedPackage, labKernels, fetchBuiltinRelease, fetchKernels, fetchRelease, type KernelInfo } from './kernels.js';
import { generateCase } from './generator.js';
import { bootsAgainAlone, runJob, cachedRecord, labDtb, type LabJob } from './lab.js';
import { keepsHeldRecord, readLabRecordsJson, writeLabRecordsJson, labDataDir } from './records.js';
import { qemuAvailable } from './qemu.js';
import { pool } from './pool.js';
import { packageFacts, writeBuildFacts } from './build-facts.js';
import {
  bootEnd,
  observationFromJson,
  printedNothing,
  relinkResults,
  toJsonValue,
  type LabRecordJson,
  type Observation,
} from './observation.js';
import type { EarlyStop } from './qemu.js';

function arg(name: string, dflt?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

const usage = `usage: npm run lab -- [options]
  --kernels ID,ID    lab kernels to boot (default: the core ones; \`carveout kernels\` lists them)
  --cases N          cases per kernel (default 300), generated from --seed (default 1)
  --first I          first case index (default 0); the files keep every cached case below it
  --jobs N           QEMUs in parallel (default 2)
  --full-every N     every Nth case boots to /init, the others stop once reserved memory is printed (default 1: all)
  --timeout S        seconds before a boot is stopped (default 40; a 32-bit fast boot 25)
  --early-stop none|memory-line|after-dump   how a full arm64 boot stops (default none)
  --out DIR          where the records and QEMU's virt trees go (default data/lab)
  --package NAME     boot this Debian package of the kernel instead of the newest upload (one kernel), or
                     'builtin': the package its built-in profile describes (the one most records were made
                     on, so its build facts and out-of-memory ladder apply); fetched into kernels/releases/
  --smp              generated cases also vary the CPU count QEMU boots (1, 2, 4 or 8; generator.ts)
  --numa             generated arm64 cases also vary QEMU's NUMA nodes (none, or 2 to 4, a CPU each)
  --params           generated cases also add command-line words (arm64's cma_pernuma=/numa_cma=, flags,
                     typos, core params: what the kernel passes to init)
  --many             generated cases also add 10 to 150 small carve-outs (MAX_RESERVED_REGIONS, memblock's
                     arrays, the CMA area table)
  --banks            generated 32-bit cases also split RAM in two or three banks with holes (mem=SIZE@START)
  --cores            generated arm64 cases also vary the CPU QEMU boots (max, Cortex-A76, Neoverse N1, max
                     without LPA2, max with arm64.nolva: the VA size a 52-bit build runs with)
  --no-write         boot and cache only; --export-only: write the files from the cache, boot nothing
  --no-again         with --jobs > 1, do not boot again alone (one QEMU, a 150 s bound at least) the boots
                     the bound stopped beside other QEMUs (lab.ts bootsAgainAlone), as the lab does by default
`;

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(usage);
    return 0;
  }
  const kernels = (
    arg('kernels') ??
    labKernels
      .filter((k) => k.core)
      .map((k) => k.id)
      .join(',')
  )
    .split(',')
    .filter(Boolean);
  const cases = Number(arg('cases', '300'));
  const first = Number(arg('first', '0'));
  const seed = Number(arg('seed', '1'));
  const jobs = Number(arg('jobs', '2'));
  const earlyStop = (arg('early-stop', 'none') ?? 'none') as EarlyStop;
  const out = arg('out', labDataDir)!;
  const noWrite = process.argv.includes('--no-write');
  const exportOnly = process.argv.includes('--export-only');
  const noAgain = process.argv.includes('--no-again');
  const gen = {
    smp: process.argv.includes('--smp'),
    numa: process.argv.includes('--numa'),
    params: process.argv.includes('--params'),
    many: process.argv.includes('--many'),
    banks: process.argv.includes('--banks'),
    cores: process.argv.includes('--cores'),
  };
  // Every Nth case boots fully to /init (iomem, debugfs memblock, CmaTotal); the others stop as
  // soon as reserved memory is settled (--full-every 1: all full).
  const fullEvery = Number(arg('full-every', '1'));
  const timeoutArg = arg('timeout');
  const timeoutMs = timeoutArg === undefined ? undefined : Number(timeoutArg) * 1000;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) {
    process.stderr.write(`lab: --timeout wants seconds, got ${timeoutArg}\n`);
    return 2;
  }
  for (const a of ['arm64', 'arm'] as const) {
    const miss = qemuAvailable(a);
    if (miss) {
      process.stderr.write(`lab: ${miss}\n`);
      return 2;
    }
  }
  const rep = fetchKernels(kernels);
  for (const l of rep.log) process.stderr.write(`lab: ${l}\n`);
  if (rep.notFound.length) process.stderr.write(`lab: not found: ${rep.notFound.join(', ')}\n`);
  if (rep.errors.length) {
    process.stderr.write(`lab: ${rep.errors.join('\n')}\n`);
    return 2;
  }
  const infos = new Map<string, KernelInfo>(rep.fetched.map((k) => [k.id, k]));
  const pkgArg = arg('package');
  if (pkgArg !== undefined) {
    if (pkgArg !== 'builtin' && kernels.length !== 1) {
      process.stderr.write(`lab: --package ${pkgArg} names one kernel's package: give one --kernels ID\n`);
      return 2;
    }
    for (const id of kernels) {
      const k = pkgArg === 'builtin' ? fetchBuiltinRelease(id, rep) : fetchRelease(id, pkgArg, rep);
      if (!k) {
        process.stderr.write(`lab: ${id}: package ${pkgArg} not fetched: ${[...rep.notFound, ...rep.errors].join('; ')}\n`);
        return 2;
      }
      infos.set(id, k);
    }
  }
  for (const k of infos.values())
    process.stderr.write(`lab: ${k.id}: ${k.package} ${k.version} (page ${k.pageSize}, lpae ${k.lpae}, CMA ${k.cmaSizeMbytes} MiB)\n`);
  // Interleave kernels so a partial run covers all of them.
  const queue: LabJob[] = [];
  for (let i = first; i < first + cases; i++) {
    for (const id of kernels) {
      const k = infos.get(id);
      if (!k) continue;
      const def = labKernels.find((d) => d.id === id)!;
      queue.push({ kernel: k, seed, index: i, case: generateCase(seed, i, def.arch, gen) });
    }
  }
  if (exportOnly) queue.length = 0;
  const total = queue.length;
  let done = 0;
  let booted = 0;
  let cachedN = 0;
  let bootSeconds = 0;
  let failed = 0;
  const t0 = Date.now();
  const exportAll = (): void => {
    if (noWrite) return;
    for (const id of kernels) {
      const k = infos.get(id);
      if (!k) continue;
      const def = labKernels.find((d) => d.id === id)!;
      // What the file holds stays unless this run has a record for the same seed and index: a
      // partial run, or one on a machine with an empty cache, must not drop earlier recordings.
      const recs = new Map<string, LabRecordJson>(readLabRecordsJson(id, out).map((r) => [`${r.seed}:${r.index}`, r]));
      for (let i = 0; i < first + cases; i++) {
        const c = generateCase(seed, i, def.arch, gen);
        const r = cachedRecord(k, c, labDtb(c, out).sha256);
        if (!r) continue;
        // Older cache entries may pair a failed alloc with an unrelated reserve: relink.
        const o = observationFromJson(r.observation);
        r.observation = toJsonValue({ ...o, memblock: relinkResults(o.memblock) });
        const held = recs.get(`${seed}:${i}`);
        if (held && keepsHeldRecord(held, r)) continue;
        // Two indexes can draw the same case (e.g. no /reserved-memory at all): one boot serves both.
        recs.set(`${seed}:${i}`, { ...r, seed, index: i });
      }
      // A boot that printed nothing before the bound observed nothing: it stays out of the file
      // (a later run with a longer --timeout boots it again).
      let unseen = 0;
      for (const [key, r] of recs) {
        if (!printedNothing(observationFromJson(r.observation))) continue;
        recs.delete(key);
        unseen++;
      }
      if (unseen) process.stderr.write(`lab: ${id}: ${unseen} case(s) printed nothing before the bound, not recorded\n`);
      if (recs.size) writeLabRecordsJson(id, [...recs.values()], out);
      // beside the records: the build facts of the package booted (src/verify/build-facts.ts), once some record is of it
      if (![...recs.values()].some((r) => r.package === bootedPackage(k))) continue;
      const f = packageFacts(k);
      if (f.excerpt) writeBuildFacts(id, f.excerpt, out);
      else
        process.stderr.write(
          `lab: ${id}: ${k.package}'s build facts not stored: ${f.built.diagnostics.map((d) => d.message).join('; ')}\n`,
        );
    }
  };
  let lastExport = Date.now();
  // how a boot is run: beside other QEMUs, or again alone with a bound of at least 150 s (slow
  // beside another QEMU is not stuck)
  const runOptions = (job: LabJob, again: boolean) => ({
    earlyStop,
    timeoutMs: again ? Math.max(timeoutMs ?? 0, 150_000) : timeoutMs,
    dataDir: out,
    fast: fullEvery > 1 && job.index % fullEvery !== 0,
    ...(again ? { again: true } : {}),
  });
  // how it ended, as the progress line says it: observation.ts bootEnd says which boots died (a
  // hang is a console silent before the bound, a cut-off a boot the bound stopped while it was
  // still printing); a fast boot that printed its reserved memory is done
  const jobStatus = (o: Observation): { status: string; done: boolean } => {
    const fastOk = o.earlyStopped && o.log.length > 0;
    const end = bootEnd(o);
    return {
      status: o.completed ? 'ok' : fastOk ? 'ok-fast' : end === 'ok' ? 'incomplete' : end.toUpperCase(),
      done: o.completed || fastOk,
    };
  };
  // boots the bound stopped beside other QEMUs, booted again alone once the pool is done
  const again: LabJob[] = [];
  const boot = async (job: LabJob, alone: boolean): Promise<void> => {
    const tj = Date.now();
    // the pool's count of cases done so far, this one included
    const progress = () => {
      if (!alone) done++;
      return alone ? '[again alone]' : `[${done}/${total}]`;
    };
    try {
      const r = await runJob(job, runOptions(job, alone));
      const label = progress();
      if (r.cached) cachedN++;
      else {
        booted += r.boots;
        bootSeconds += (Date.now() - tj) / 1000;
        const o = observationFromJson(r.record.observation);
        const { status, done: ok } = jobStatus(o);
        if (!alone && !ok) failed++;
        if (alone && ok) failed--;
        if (!alone && jobs > 1 && !noAgain && bootsAgainAlone(o)) again.push(job);
        const mins = (Date.now() - t0) / 60000;
        const rate = alone ? '' : `  (${(booted / mins).toFixed(1)} boots/min, ${((done - cachedN) / mins).toFixed(1)} cases/min)`;
        process.stdout.write(
          `${label} ${job.kernel.id} #${job.index} ${r.record.caseId} ${status} ${((Date.now() - tj) / 1000).toFixed(1)}s${rate}\n`,
        );
      }
    } catch (e) {
      if (!alone) failed++;
      process.stdout.write(`${progress()} ${job.kernel.id} #${job.index} ERROR ${e instanceof Error ? e.message : String(e)}\n`);
    }
    if (Date.now() - lastExport > 120_000) {
      lastExport = Date.now();
      exportAll();
    }
  };
  await pool(queue, jobs, (job) => boot(job, false));
  for (const job of again) await boot(job, true);
  exportAll();
  const mins = (Date.now() - t0) / 60000;
  process.stdout.write(
    `lab: ${done} cases (${cachedN} cached, ${booted} boots, ${failed} not completed) in ${mins.toFixed(1)} min; ` +
      `${booted ? (bootSeconds / booted).toFixed(1) : '-'} s per boot per worker, ${(booted / Math.max(mins, 1e-9)).toFixed(1)} boots/min with ${jobs} in parallel\n`,
  );
  return 0;
}

main().then(
  (c) => {
    process.exitCode = c;
  },
  (e: unknown) => {
    process.stderr.write(`lab: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 70;
  },
);
