// Conformance with dtc's own test inputs (../shared/dtc-tests, see its README): for every
// top-level input in expectations.tsv, compile with carveout at dtc's default flags and *without*
// our C preprocessor (dtc never runs cpp), in that folder, and compare with what Debian's dtc
// 1.6.1 recorded: exit 0 → the same blob (sha256 prefix); non-zero (incl. 134/139 crashes and
// 124 time-outs) → an error diagnostic, no blob, no exception. When Debian's dtc is installed we
// also compare with it live: identical bytes, and identical check messages (dtc's stderr lines
// "file:pos: Warning (check): text" against our diagnostics rendered the same way).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFile } from '../../src/compile.js';
import type { Diagnostic } from '../../src/diagnostics.js';
import { CHECK_TABLE } from '../../src/tree/checks.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const candidates = [process.env.CARVEOUT_DTC_TESTS, join(repo, '..', 'shared', 'dtc-tests'), join(repo, 'test', 'fixtures', 'dtc-tests')];
const dir = candidates.find((d): d is string => !!d && existsSync(join(d, 'expectations.tsv')));

const known = new Map<string, string>();
for (const line of readFileSync(join(here, 'dtc-tests-known.tsv'), 'utf8').split('\n')) {
  if (!line.trim() || line.startsWith('#') || line.startsWith('file\t')) continue;
  const [file, reason] = line.split('\t');
  assert.ok(file && reason?.trim(), `dtc-tests-known.tsv: every entry needs a reason: ${line}`);
  known.set(file, reason);
}

const checkNames = new Set(CHECK_TABLE.map((c) => c.name));

/** srcpos.c srcpos_string, for comparing with dtc's stderr. */
function dtcPos(d: Diagnostic, outName: string): string {
  if (!d.line) return outName;
  if (d.line !== d.endLine) return `${d.file}:${d.line}.${d.column}-${d.endLine}.${d.endColumn}`;
  if (d.column !== d.endColumn) return `${d.file}:${d.line}.${d.column}-${d.endColumn}`;
  return `${d.file}:${d.line}.${d.column}`;
}

const dtcAvailable = spawnSync('dtc', ['--version'], { encoding: 'utf8' }).status === 0;

if (!dir) {
  test('dtc-tests conformance', (t) => {
    if (process.env.CI)
      assert.fail('dtc test inputs not found: set CARVEOUT_DTC_TESTS to the dtc-tests folder (see ../shared/dtc-tests/README.md)');
    t.skip('dtc test inputs not found (../shared/dtc-tests or CARVEOUT_DTC_TESTS)');
  });
} else {
  const rows = readFileSync(join(dir, 'expectations.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'));
  const tmp = mkdtempSync(join(tmpdir(), 'carveout-dtc-tests-'));
  const outName = join(tmp, 'out.dtb');
  const cwd = process.cwd();
  let agree = 0;
  const disagreements: string[] = [];

  for (const [file, exit, sha] of rows) {
    test(`dtc-tests: ${file}`, () => {
      process.chdir(dir);
      let r: ReturnType<typeof compileFile>;
      try {
        r = compileFile(file!, { preprocess: false, outName });
      } finally {
        process.chdir(cwd);
      }
      const ours = r.dtb ? createHash('sha256').update(r.dtb).digest('hex').slice(0, 16) : '-';
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      let why: string | undefined;
      if (exit === '0') {
        if (ours !== sha)
          why = `dtc compiles it (sha ${sha}); ours ${r.dtb ? `sha ${ours}` : 'failed: ' + errors.map((d) => d.message).join('; ')}`;
      } else if (r.dtb || errors.length === 0) {
        why = `dtc rejects it (exit ${exit}); we ${r.dtb ? 'produced a blob' : 'reported no error'}`;
      }
      if (why) disagreements.push(`${file}\t${why}`);
      else agree++;
      const reason = known.get(file!);
      if (reason) {
        assert.ok(why, `${file} is listed in dtc-tests-known.tsv but now agrees with dtc: remove it`);
        return;
      }
      assert.equal(why, undefined, why);

      // (exit 124: dtc 1.6.1 loops until the time-out; not worth 20 s per run.)
      if (!dtcAvailable || exit === '124') return;
      const live = spawnSync('timeout', ['20', 'dtc', '-o', outName, file!], { cwd: dir, encoding: 'latin1' });
      if (live.status === 0 && r.dtb) {
        assert.deepEqual(Buffer.from(r.dtb), readFileSync(outName), 'bytes differ from live dtc');
      }
      // dtc's check messages (not parse errors, whose wording is the parser's own) line for line.
      const theirs = live.stderr.split('\n').filter((l) => / \((\w+)\): /.test(l) && checkNames.has(/ \((\w+)\): /.exec(l)![1]!));
      const mine = r.diagnostics
        .filter((d) => checkNames.has(d.code))
        .map((d) => `${dtcPos(d, outName)}: ${d.severity === 'error' ? 'ERROR' : 'Warning'} (${d.code}): ${d.message}`);
      assert.deepEqual(mine, theirs, 'check messages differ from live dtc');
    });
  }

  test('dtc-tests: agreement count', (t) => {
    rmSync(tmp, { recursive: true, force: true });
    t.diagnostic(`dtc-tests: ${agree}/${rows.length} inputs agree with dtc 1.6.1`);
    for (const d of disagreements) t.diagnostic(`disagrees: ${d}`);
    assert.equal(agree + disagreements.length, rows.length);
  });
}
