// `npm run bench`: how fast carveout is, against the tools it replaces. A benchmark, not a test.
//
// 1. Compile: the whole arm64 corpus of Linux 6.12 (every .dts and .dtso under
//    arch/arm64/boot/dts, the kernel's flags — see test/corpus/corpus-lib.ts) compiled in this one
//    process with carveout's compileFile, and in the same run the kernel's `cpp` then `dtc`
//    pipeline over the same file list, one file at a time (one core). Wall time and CPU time
//    (carveout: this process incl. GC threads; pipeline: the children's user+sys from
//    /proc/self/stat) of both, and carveout/pipeline ratios. Target: ≤ 0.5.
// 2. Plan: `loadBoard` + `plan` end-to-end (read DTS with includes, build the tree, plan) on a real
//    board with /reserved-memory from the corpus, and in-process plans per second on the lab's
//    recorded cases.
// 3. Map: drawing a map of 100 ranges as SVG, HTML and text (bench/map.ts; the target is under 50 ms).
// Results go to bench/results/<timestamp>.json; the previous result is printed for comparison.
// `npm run bench` runs the tsc-compiled JavaScript (dist/, what the `carveout` bin runs): under tsx
// every module becomes CommonJS with getter calls for imports, ~20% slower than what ships.
//
// Flags: --files N (first N files only, for a quick look), --no-pipeline, --no-compile, --no-plan, --no-map,
// --no-cache (no include cache shared between files: each compile starts cold, like one dtc run).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { findKernelSource } from '../test/helpers/kernel-source.js';
import {
  cppArgs,
  cppVersion,
  dtcArgs,
  dtcVersion,
  includePrefixes,
  listCorpus,
  loadOurCompiler,
  ourOptions,
  type CorpusFile,
  type OurCompiler,
} from '../test/corpus/corpus-lib.js';
import { loadBoard, type Board } from '../src/board.js';
import { createPreprocessCache } from '../src/index.js';
import { plan, resolveProfile, type PlanResult } from '../src/kernel/plan.js';
import { readLabRecords, recordedKernels } from '../src/verify/records.js';
import { benchMap } from './map.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root: this file runs from bench/ (tsx) or dist/bench/ (compiled, what `npm run bench` uses). */
const repoRoot = ((): string => {
  let d = here;
  while (!existsSync(join(d, 'package.json')) && dirname(d) !== d) d = dirname(d);
  return d;
})();
const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const limit = args.includes('--files') ? Number(args[args.indexOf('--files') + 1]) : undefined;

/** CPU seconds (user+sys) of this process's waited-for children, from /proc/self/stat (cutime+cstime). */
function childCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ", field 3 (state) is index 0, so cutime (16) and cstime (17) are 13 and 14.
  return (Number(fields[13]) + Number(fields[14])) / 100; // USER_HZ is 100 on Linux
}
const selfCpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

function run(cmd: string, argv: string[]): Promise<number> {
  return new Promise((resolve) => {
    const c = spawn(cmd, argv, { stdio: 'ignore' });
    c.on('error', () => resolve(127));
    c.on('close', (code) => resolve(code ?? 128));
  });
}

interface Timing {
  wallSeconds: number;
  cpuSeconds: number;
  files: number;
  failed: number;
}

/**
 * The kernel's two steps per file (scripts/Makefile.dtbs cmd_dtc), strictly one after the other,
 * driven by one `sh` per chunk the way make drives them — not by this (large) node process, whose
 * fork() per child would add its own cost to the pipeline's wall time.
 */
async function timePipeline(src: string, files: CorpusFile[], work: string): Promise<Timing> {
  const tmp = join(work, 'board.dts.tmp');
  const out = join(work, 'board.dtb');
  const q = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;
  const lines = ['failed=0'];
  for (const f of files) {
    lines.push(
      `cpp ${cppArgs(src).map(q).join(' ')} -o ${q(tmp)} ${q(f.abs)} && dtc -q -o ${q(out)} ${dtcArgs(src, f).map(q).join(' ')} ${q(tmp)} || failed=$((failed+1))`,
    );
  }
  lines.push('exit $failed');
  const script = join(work, 'pipeline.sh');
  writeFileSync(script, lines.join('\n') + '\n');
  const cpu0 = childCpuSeconds();
  const t0 = performance.now();
  const failed = await run('sh', [script]);
  return { wallSeconds: (performance.now() - t0) / 1000, cpuSeconds: childCpuSeconds() - cpu0, files: files.length, failed };
}

/** The preprocessor's shared include cache (headers read and tokenised once per process), unless --no-cache. */
function sharedCache(): unknown {
  return flag('--no-cache') ? undefined : createPreprocessCache();
}

async function timeCarveout(c: OurCompiler, src: string, files: CorpusFile[], cache: unknown): Promise<Timing> {
  const cpu0 = selfCpuSeconds();
  const t0 = performance.now();
  let failed = 0;
  for (const f of files) {
    try {
      const r = await c.compileFile(f.abs, ourOptions(src, f, cache));
      if (!r.dtb) failed++;
    } catch {
      failed++;
    }
  }
  return { wallSeconds: (performance.now() - t0) / 1000, cpuSeconds: selfCpuSeconds() - cpu0, files: files.length, failed };
}

// ---- plan -------------------------------------------------------------------------------------
/** A real board with includes, a memory node and /reserved-memory: a 640 MiB dynamic linux,cma
 *  (reusable), static no-map vrings and buffers, a coherent shared-dma-pool, and a region outside
 *  RAM (rsc-table@1fff8000) — 8 regions. */
const planBoard = 'arch/arm64/boot/dts/freescale/imx8ulp-evk.dts';

interface PlanBench {
  board?: { file: string; msPerPlan: number; runs: number; regions?: number };
  lab?: { cases: number; plansPerSecond: number };
  skipped?: string;
}

function benchPlan(src: string): PlanBench {
  const res: PlanBench = {};
  // End to end on the board: preprocess + parse + tree + blob + plan, each run from scratch.
  const abs = join(src, planBoard);
  const once = (): PlanResult => {
    const board = loadBoard(abs, { includeDirs: [dirname(abs), includePrefixes(src)] });
    if (!board.tree) throw new Error(`${planBoard} did not load: ${board.diagnostics.map((d) => d.message).join('; ')}`);
    return plan(board, { kernel: '6.12-arm64' });
  };
  const first = once();
  const t0 = performance.now();
  let runs = 0;
  while (performance.now() - t0 < 3000 || runs < 5) {
    once();
    runs++;
  }
  res.board = { file: planBoard, msPerPlan: (performance.now() - t0) / runs, runs, regions: first.regions.length };
  // Lab cases: the recorded DTBs already loaded as boards (as the lab replay test loads them,
  // test/kernel/replay.test.ts); only plan() is timed.
  // From the repository (records.ts's default is relative to its own file, which is dist/ here).
  const labDir = join(repoRoot, 'data', 'lab');
  const cases: { board: Board; kernel: string; bootargs: string }[] = [];
  for (const k of recordedKernels(labDir)) {
    for (const rec of readLabRecords(k, labDir)) {
      const profile = resolveProfile(rec.kernel);
      if (!profile) continue;
      const board = loadBoard(rec.dtbBytes, {
        platform: 'qemu-virt',
        asBooted: true,
        arch: profile.arch,
        ram: BigInt(rec.ram),
        ...(rec.initrd ? { initrdSize: BigInt(rec.initrd.size) } : {}),
      });
      if (board.tree) cases.push({ board, kernel: rec.kernel, bootargs: rec.append });
    }
  }
  if (cases.length) {
    let n = 0;
    const t1 = performance.now();
    while (performance.now() - t1 < 3000 || n < cases.length) {
      const c = cases[n % cases.length]!;
      plan(c.board, { kernel: c.kernel, bootargs: c.bootargs });
      n++;
    }
    res.lab = { cases: cases.length, plansPerSecond: n / ((performance.now() - t1) / 1000) };
  } else res.skipped = `lab cases: none recorded in ${labDir}`;
  return res;
}

// ---- main ---------------------------------------------------------------------------------------
// biome-ignore lint/suspicious/noExplicitAny: an earlier run's JSON, whose shape changed between bench versions
function previousResult(dir: string): { file: string; data: Record<string, any> } | undefined {
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .reverse();
  for (const file of files) {
    // biome-ignore lint/suspicious/noExplicitAny: as above
    const data = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, any>;
    if (data.ratio) return { file, data };
  }
  return undefined;
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<number> {
  const src = await findKernelSource('6.12');
  if (!src) {
    console.error('bench: no Linux 6.12 source (install linux-source-6.12, see README)');
    return 2;
  }
  let files = listCorpus(src, 'arm64');
  if (limit) files = files.slice(0, limit);
  const load = loadavg()[0]!;
  console.log(
    `bench: ${files.length} arm64 corpus files from ${src}; node ${process.version}, ${cpus().length} cores, load ${load.toFixed(2)}`,
  );
  if (load > 1.5) console.log('bench: note — the machine is busy; wall times are inflated, CPU times are the better guide');

  const { compiler, problem } = await loadOurCompiler();
  const work = await mkdtemp(join(tmpdir(), 'carveout-bench-'));
  const result: Record<string, unknown> = {
    date: new Date().toISOString(),
    commit: gitCommit(),
    runtime: here.includes('/dist/') ? 'tsc-compiled (dist)' : 'tsx',
    node: process.version,
    dtc: dtcVersion(),
    cpp: cppVersion(),
    cores: cpus().length,
    loadavg: load,
    corpus: 'linux 6.12 arch/arm64/boot/dts',
    files: files.length,
    sharedIncludeCache: !flag('--no-cache'),
  };
  try {
    // Warm the page cache (and the JIT) on both sides with a few files, untimed. Then alternate
    // the two sides in chunks of 100 files, so that a change in the machine's load during the run
    // hits both alike (this machine is shared).
    const warm = files.slice(0, 20);
    const runPipeline = !flag('--no-pipeline');
    const runOurs = !flag('--no-compile') && !!compiler;
    if (!flag('--no-compile') && !compiler) {
      result.carveout = { skipped: problem };
      console.log(`carveout  : skipped — ${problem}`);
    }
    const cache = runOurs ? sharedCache() : undefined;
    if (runPipeline) await timePipeline(src, warm, work);
    if (runOurs) await timeCarveout(compiler!, src, warm, cache);
    const zero = (): Timing => ({ wallSeconds: 0, cpuSeconds: 0, files: 0, failed: 0 });
    const add = (a: Timing, b: Timing): void => {
      a.wallSeconds += b.wallSeconds;
      a.cpuSeconds += b.cpuSeconds;
      a.files += b.files;
      a.failed += b.failed;
    };
    const pipeline: Timing | undefined = runPipeline ? zero() : undefined;
    const ours: Timing | undefined = runOurs ? zero() : undefined;
    for (let i = 0, k = 0; i < files.length; i += 100, k++) {
      const chunk = files.slice(i, i + 100);
      const steps = [
        async () => {
          if (pipeline) add(pipeline, await timePipeline(src, chunk, work));
        },
        async () => {
          if (ours) add(ours, await timeCarveout(compiler!, src, chunk, cache));
        },
      ];
      if (k % 2) steps.reverse();
      for (const step of steps) await step();
    }
    if (pipeline) {
      result.pipeline = pipeline;
      console.log(
        `cpp | dtc : ${pipeline.wallSeconds.toFixed(2)} s wall, ${pipeline.cpuSeconds.toFixed(2)} s CPU (${pipeline.failed} rejected)`,
      );
    }
    if (ours) {
      result.carveout = ours;
      console.log(`carveout  : ${ours.wallSeconds.toFixed(2)} s wall, ${ours.cpuSeconds.toFixed(2)} s CPU (${ours.failed} rejected)`);
    }
    if (pipeline && ours && ours.failed > pipeline.failed) {
      result.ratioNote = `no ratio: carveout rejected ${ours.failed} files, the pipeline ${pipeline.failed}`;
      console.log(`ratio: not meaningful — carveout rejected ${ours.failed} of ${files.length} files (the pipeline ${pipeline.failed})`);
    } else if (pipeline && ours) {
      const ratio = { wall: ours.wallSeconds / pipeline.wallSeconds, cpu: ours.cpuSeconds / pipeline.cpuSeconds };
      result.ratio = ratio;
      console.log(
        `ratio carveout / pipeline: ${ratio.wall.toFixed(3)} wall, ${ratio.cpu.toFixed(3)} CPU (target ≤ 0.5) — ${ratio.cpu <= 0.5 ? 'met' : 'NOT met'}`,
      );
    }
    if (!flag('--no-plan')) {
      const p = benchPlan(src);
      result.plan = p;
      if (p.board)
        console.log(
          `plan end-to-end on ${p.board.file}: ${p.board.msPerPlan.toFixed(2)} ms (${p.board.runs} runs, ${p.board.regions ?? '?'} regions)`,
        );
      if (p.lab) console.log(`plan on ${p.lab.cases} lab cases: ${p.lab.plansPerSecond.toFixed(0)} plans/s in-process`);
      if (p.skipped) console.log(`plan: skipped — ${p.skipped}`);
    }
    if (!flag('--no-map')) {
      const mb = benchMap(100);
      result.map = mb;
      console.log(
        `map of ${mb.regions} ranges: SVG ${mb.svgMs.toFixed(2)} ms, HTML ${mb.htmlMs.toFixed(2)} ms (${(mb.htmlBytes / 1024).toFixed(0)} KiB), text ${mb.textMs.toFixed(2)} ms (target < 50 ms)`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const dir = join(repoRoot, 'bench', 'results');
  const prev = previousResult(dir);
  if (prev) {
    const pr = prev.data.ratio as { wall: number; cpu: number } | undefined;
    const nr = result.ratio as { wall: number; cpu: number } | undefined;
    console.log(
      `previous (${prev.file}): ${pr ? `ratio ${pr.wall.toFixed(3)} wall, ${pr.cpu.toFixed(3)} CPU` : 'no ratio'}` +
        (pr && nr ? `; now ${(nr.cpu / pr.cpu).toFixed(2)}× the previous CPU ratio` : ''),
    );
  }
  // Only complete runs are kept, so that "previous" always compares like with like.
  if (!limit && !args.some((a) => a.startsWith('--no-'))) {
    mkdirSync(dir, { recursive: true });
    const out = join(dir, `${(result.date as string).replace(/[:.]/g, '-')}.json`);
    writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
    console.log(`saved ${out.replace(repoRoot + '/', '')}`);
  }
  return 0;
}

main().then(
  (c) => {
    process.exitCode = c;
  },
  (e: unknown) => {
    console.error(e);
    process.exitCode = 70;
  },
);
