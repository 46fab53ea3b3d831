// Reference `dtc` (Debian's device-tree-compiler, 1.6.1 on bookworm) for the fdt tests: find it,
// install it when missing and we are root, or tell the test to skip (unless CI is set, where a
// missing dtc is a failure).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.js';

/** dtc's test inputs: shared/ sits beside the repository (locally and in CI). */
export const dtcTestsDir = join(repoRoot, '..', 'shared', 'dtc-tests');

let cached: { path?: string; why?: string } | undefined;

function version(): string | undefined {
  const r = spawnSync('dtc', ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return r.stdout.trim();
}

/**
 * Path-resolved `dtc`, installing Debian's package if missing, and the dtc test inputs. `why` says
 * why the tests must skip otherwise (never under CI: there a missing piece throws).
 */
export function ensureDtc(): { path?: string; why?: string } {
  if (cached) return cached;
  if (!existsSync(join(dtcTestsDir, 'expectations.tsv'))) {
    const why = `dtc's test inputs are missing (${dtcTestsDir})`;
    if (process.env.CI) throw new Error(why);
    cached = { why };
    return cached;
  }
  let v = version();
  if (!v && process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v apt-get']).status === 0) {
    let r = spawnSync('apt-get', ['install', '-y', '-q', 'device-tree-compiler'], { stdio: 'ignore', timeout: 600_000 });
    if (r.status !== 0) {
      spawnSync('apt-get', ['update', '-q'], { stdio: 'ignore', timeout: 600_000 });
      r = spawnSync('apt-get', ['install', '-y', '-q', 'device-tree-compiler'], { stdio: 'ignore', timeout: 600_000 });
    }
    v = version();
  }
  if (!v) {
    const why = 'dtc (Debian device-tree-compiler) is not installed and could not be installed';
    if (process.env.CI) throw new Error(why);
    cached = { why };
  } else {
    if (!/1\.6\.1/.test(v)) process.stderr.write(`note: reference ${v} is not dtc 1.6.1; byte comparisons assume 1.6.1\n`);
    cached = { path: 'dtc' };
  }
  return cached;
}

export interface DtcRun {
  status: number;
  stdout: Buffer;
  stderr: string;
}

export function dtc(args: string[], opts: { cwd?: string; input?: Uint8Array | string } = {}): DtcRun {
  const r = spawnSync('dtc', args, { cwd: opts.cwd, input: opts.input, maxBuffer: 256 * 1024 * 1024, timeout: 60_000 });
  return { status: r.status ?? -1, stdout: r.stdout ?? Buffer.alloc(0), stderr: r.stderr?.toString() ?? '' };
}

/** The dtc test inputs Debian's dtc compiles at default flags (expectations.tsv exit 0). */
export function compilableInputs(): string[] {
  const tsv = join(dtcTestsDir, 'expectations.tsv');
  if (!existsSync(tsv)) return [];
  return readFileSync(tsv, 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'))
    .filter((c) => c.length >= 2 && c[1] === '0')
    .map((c) => c[0]!);
}

export interface RefBlob {
  input: string;
  dtb: Buffer;
}

/** Compile every compilable dtc test input with dtc (in the test-inputs folder, as the table was made). */
export function referenceBlobs(): RefBlob[] {
  const out: RefBlob[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'carveout-fdt-'));
  for (const input of compilableInputs()) {
    const o = join(dir, input.replace(/\W/g, '_') + '.dtb');
    const r = dtc(['-q', '-I', 'dts', '-O', 'dtb', '-o', o, input], { cwd: dtcTestsDir });
    if (r.status === 0) out.push({ input, dtb: readFileSync(o) });
  }
  return out;
}
