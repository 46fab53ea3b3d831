// npm run fuzz -- --runs N --seed S [--timeout-ms T] [--heap-mb M]
// Generates N inputs from seed S (scripts/fuzz-lib.ts), runs them in a watched worker
// (scripts/fuzz-run.ts) and saves every input that threw or hung under test/fuzz-corpus/, where
// test/fuzz/corpus.test.ts replays it. Prints runs/s, peak RSS and the seed; exit 1 on a finding.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSeeds, makeCase } from './fuzz-lib.js';
import { runWatched, type Finding } from './fuzz-run.js';

export const repoRoot = join(fileURLToPath(import.meta.url), '..', '..');
export const corpusDir = join(repoRoot, 'test', 'fuzz-corpus');

export interface FuzzReport {
  seed: number;
  runs: number;
  wallMs: number;
  /** Peak resident set of the whole process (workers included), KiB. */
  maxRssKb: number;
  findings: (Finding & { saved?: string })[];
}

export async function fuzz(o: {
  runs: number;
  seed: number;
  timeoutMs?: number;
  heapMb?: number;
  save?: boolean;
  log?: (s: string) => void;
}): Promise<FuzzReport> {
  const t0 = Date.now();
  let lastLog = t0;
  const findings = await runWatched(repoRoot, { seed: o.seed }, o.runs, {
    timeoutMs: o.timeoutMs ?? 10_000,
    heapMb: o.heapMb ?? 1024,
    onProgress: (done) => {
      if (o.log && Date.now() - lastLog > 30_000) {
        lastLog = Date.now();
        const s = (Date.now() - t0) / 1000;
        o.log(`fuzz: ${done} of ${o.runs} (${Math.round(done / s)} runs/s, RSS ${Math.round(process.memoryUsage().rss / 1048576)} MiB)`);
      }
    },
  });
  const out: FuzzReport['findings'] = [];
  if (findings.length) {
    const seeds = loadSeeds(repoRoot);
    for (const f of findings) {
      const c = makeCase(seeds, o.seed, f.index);
      const rec = {
        target: c.target,
        options: c.options,
        input: Buffer.from(c.input).toString('base64'),
        found: f.kind,
        message: f.message.split('\n').slice(0, 6).join('\n'),
        seed: o.seed,
        index: f.index,
      };
      let saved: string | undefined;
      if (o.save !== false) {
        mkdirSync(corpusDir, { recursive: true });
        const hash = createHash('sha256').update(c.target).update(JSON.stringify(c.options)).update(c.input).digest('hex').slice(0, 12);
        saved = join(corpusDir, `${c.target}-${hash}.json`);
        writeFileSync(saved, JSON.stringify(rec, null, 1) + '\n');
      }
      out.push({ ...f, saved });
    }
  }
  return { seed: o.seed, runs: o.runs, wallMs: Date.now() - t0, maxRssKb: process.resourceUsage().maxRSS, findings: out };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const runs = Number(arg('--runs') ?? 10_000);
  const seed = Number(arg('--seed') ?? Date.now() & 0x7fffffff);
  const timeoutMs = Number(arg('--timeout-ms') ?? 10_000);
  const heapMb = Number(arg('--heap-mb') ?? 1024);
  if (!Number.isInteger(runs) || runs < 0 || !Number.isInteger(seed) || !(timeoutMs > 0) || !(heapMb > 0)) {
    process.stderr.write('usage: npm run fuzz -- [--runs N] [--seed S] [--timeout-ms T] [--heap-mb M]\n');
    process.exit(2);
  }
  const r = await fuzz({ runs, seed, timeoutMs, heapMb, log: (s) => process.stderr.write(s + '\n') });
  const secs = r.wallMs / 1000;
  process.stdout.write(
    `fuzz: seed ${r.seed}, ${r.runs} runs in ${secs.toFixed(1)} s (${Math.round(r.runs / secs)} runs/s), peak RSS ${Math.round(r.maxRssKb / 1024)} MiB, ` +
      `${r.findings.filter((f) => f.kind === 'exception').length} uncaught exceptions, ${r.findings.filter((f) => f.kind === 'timeout').length} timeouts, ` +
      `${r.findings.filter((f) => f.kind === 'worker-died').length} dead workers\n`,
  );
  for (const f of r.findings)
    process.stdout.write(`  ${f.kind} at input ${f.index}: ${f.message.split('\n')[0]}${f.saved ? ` → ${f.saved}` : ''}\n`);
  process.exit(r.findings.length ? 1 : 0);
}
