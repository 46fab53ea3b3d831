// Corpus test: every .dts under arch/arm64 and arch/arm of Linux 6.12, through GCC's cpp with the
// kernel's flags and through ours; dtc's lexer must see the same words at the same file:line.
// Opt-in locally (CARVEOUT_CORPUS=1), always on in CI. CARVEOUT_CORPUS_ARCH=arm64 limits the arches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPreprocessCache, preprocess } from '../../src/source/preprocess.js';
import { compareOutputs } from './preprocess-compare.js';
import { locateKernelSource } from '../helpers/kernel-source.js';

const enabled = !!(process.env.CARVEOUT_CORPUS || process.env.CI);

function walk(dir: string, rel: string, out: string[]): string[] {
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const r = `${rel}/${e.name}`;
    if (e.isDirectory()) walk(dir, r, out);
    else if (e.name.endsWith('.dts')) out.push(r);
  }
  return out;
}

function gcc(file: string, cwd: string): Promise<{ text: string; ok: boolean }> {
  return new Promise((resolve) => {
    const p = spawn('cpp', ['-nostdinc', '-I', 'scripts/dtc/include-prefixes', '-undef', '-D__DTS__', '-x', 'assembler-with-cpp', file], {
      cwd,
    });
    const chunks: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => chunks.push(d));
    p.stderr.resume();
    p.on('close', (code) => resolve({ text: Buffer.concat(chunks).toString('latin1'), ok: code === 0 }));
    p.on('error', () => resolve({ text: '', ok: false }));
  });
}

test('preprocessor agrees with GCC cpp on the kernel DTS corpus', { timeout: 30 * 60_000 }, async (t) => {
  if (!enabled) {
    t.skip('set CARVEOUT_CORPUS=1 (or CI) to run the kernel DTS corpus comparison');
    return;
  }
  const src = await locateKernelSource('6.12');
  if (!src.dir) {
    if (process.env.CI) assert.fail(`no Linux 6.12 source: ${src.problem}`);
    t.skip(`no Linux 6.12 source: ${src.problem}`);
    return;
  }
  const dir = src.dir;
  const which = spawn('cpp', ['--version']);
  const haveCpp = await new Promise<boolean>((r) => {
    which.on('error', () => r(false));
    which.on('close', (c) => r(c === 0));
  });
  if (!haveCpp) {
    if (process.env.CI) assert.fail('no cpp (apt-get install cpp)');
    t.skip('GCC cpp not installed');
    return;
  }
  const arches = (process.env.CARVEOUT_CORPUS_ARCH ?? 'arm64,arm').split(',');
  const readFile = (p: string): string | undefined => {
    try {
      return readFileSync(join(dir, p), 'latin1');
    } catch {
      return undefined;
    }
  };
  for (const arch of arches) {
    const files = walk(dir, `arch/${arch}/boot/dts`, []).sort();
    const cache = createPreprocessCache();
    let agree = 0,
      identical = 0,
      ourMs = 0;
    const bad: string[] = [];
    // GCC runs in the background, two at a time, while we preprocess.
    const results: Promise<{ text: string; ok: boolean }>[] = new Array(files.length);
    let next = 0;
    const pump = (): Promise<void> =>
      next < files.length ? ((i) => (results[i] = gcc(files[i]!, dir)).then(pump))(next++) : Promise.resolve();
    const workers = [pump(), pump()];
    for (let i = 0; i < files.length; i++) {
      while (!results[i]) await new Promise((r) => setImmediate(r));
      const t0 = performance.now();
      const ours = preprocess(files[i]!, { includeDirs: ['scripts/dtc/include-prefixes'], readFile, cache });
      ourMs += performance.now() - t0;
      const theirs = await results[i]!;
      const oursFailed = ours.diagnostics.some((d) => d.severity === 'error');
      let diff = compareOutputs(ours.text, theirs.text);
      if (!diff && oursFailed === theirs.ok)
        diff = `cpp ${theirs.ok ? 'succeeded' : 'failed'} but we reported ${oursFailed ? 'errors' : 'none'}`;
      if (diff) bad.push(`${files[i]}: ${diff}`);
      else agree++;
      if (ours.text === theirs.text) identical++;
    }
    await Promise.all(workers);
    t.diagnostic(`${arch}: ${agree}/${files.length} agree with cpp (${identical} byte-identical); ours ${ourMs.toFixed(0)} ms`);
    console.log(`# ${arch}: ${agree}/${files.length} agree with cpp (${identical} byte-identical); ours ${ourMs.toFixed(0)} ms`);
    for (const b of bad.slice(0, 20)) console.log(`#   ${b}`);
    assert.deepEqual(bad, [], `${bad.length} files differ`);
  }
});
