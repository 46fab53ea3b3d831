// Runs fuzz cases in a worker thread under a watchdog: the worker reports which input it is on
// through shared memory; an input that runs longer than the timeout, or a worker that dies (out of
// memory), is stopped and the worker restarted after it. Used by scripts/fuzz.ts (generated inputs)
// and test/fuzz/ (the saved ones).
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { loadSeeds, makeCase, runCase, type FuzzCase, type Seeds } from './fuzz-lib.js';

export interface Finding {
  kind: 'exception' | 'timeout' | 'worker-died';
  index: number;
  message: string;
}

/** What the worker runs: inputs [from, to) of a seed, or a list of saved cases. */
type Job = { root: string; seed: number; from: number; to: number } | { root: string; cases: FuzzCase[]; from: number; to: number };

/** How long a worker may take to load the library and the seeds before the harness gives up. */
const START_LIMIT_MS = 300_000;

export interface RunOptions {
  timeoutMs: number;
  /** Heap of the worker, MiB (a runaway allocation is a finding, not the machine's memory). */
  heapMb: number;
  onProgress?: (done: number) => void;
}

/**
 * Run inputs [0, count) — generated from `seed`, or `cases` — and return what went wrong. `caseAt`
 * regenerates the input a timeout or a dead worker was on, so it can be saved.
 */
export async function runWatched(
  root: string,
  src: { seed: number } | { cases: FuzzCase[] },
  count: number,
  o: RunOptions,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  let from = 0;
  while (from < count) {
    const progress = new Int32Array(new SharedArrayBuffer(8));
    progress[0] = from;
    const job: Job = { root, from, to: count, ...src };
    // The worker loads this file through tsx's loader, registered in the worker itself (a loader
    // given to the main thread with --import does not reach worker threads on Node 20).
    const tsx = import.meta.resolve('tsx/esm/api');
    const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); })`;
    const worker = new Worker(boot, {
      eval: true,
      workerData: { job, progress },
      resourceLimits: { maxOldGenerationSizeMb: o.heapMb },
      stdout: true,
      stderr: true,
    });
    // Anything the library prints is not a finding: drained, not shown.
    worker.stdout.resume();
    worker.stderr.resume();
    const end = await new Promise<{ next: number }>((resolve, reject) => {
      let last = -1;
      let since = Date.now();
      let settled = false;
      const settle = (next: number, f?: Finding): void => {
        if (settled) return;
        settled = true;
        clearInterval(timer);
        if (f) findings.push(f);
        resolve({ next });
      };
      const timer = setInterval(() => {
        // The clock starts at the worker's first input: loading the library through tsx takes
        // more than the timeout on a busy machine, and that is no input's time.
        if (Atomics.load(progress, 1) === 0) {
          if (Date.now() - since > START_LIMIT_MS) {
            settled = true;
            clearInterval(timer);
            void worker.terminate();
            reject(new Error(`fuzz worker did not start within ${START_LIMIT_MS / 1000} s`));
          }
          return;
        }
        const at = Atomics.load(progress, 0);
        o.onProgress?.(at);
        if (at !== last) {
          last = at;
          since = Date.now();
        } else if (Date.now() - since > o.timeoutMs) {
          void worker.terminate();
          settle(at + 1, { kind: 'timeout', index: at, message: `no answer after ${o.timeoutMs} ms` });
        }
      }, 100);
      worker.on('message', (m: { index: number; message: string }) =>
        findings.push({ kind: 'exception', index: m.index, message: m.message }),
      );
      worker.on('error', (e) => {
        const message = e instanceof Error ? e.message : String(e);
        // Died before its first input: the harness is broken, not carveout.
        if (Atomics.load(progress, 1) === 0) throw new Error(`fuzz worker did not start: ${message}`);
        const at = Atomics.load(progress, 0);
        settle(at + 1, { kind: 'worker-died', index: at, message });
      });
      worker.on('exit', () => settle(count));
    });
    from = end.next;
  }
  return findings;
}

function workerMain(): void {
  const { job, progress } = workerData as { job: Job; progress: Int32Array };
  const seeds: Seeds = loadSeeds(job.root);
  Atomics.store(progress, 1, 1);
  for (let i = job.from; i < job.to; i++) {
    Atomics.store(progress, 0, i);
    const c = 'cases' in job ? job.cases[i]! : makeCase(seeds, job.seed, i);
    try {
      runCase(seeds, c);
    } catch (e) {
      parentPort!.postMessage({ index: i, message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  }
}

if (!isMainThread && (workerData as { job?: Job } | null)?.job) workerMain();
