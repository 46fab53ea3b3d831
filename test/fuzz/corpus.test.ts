// Every input the fuzzer saved (test/fuzz-corpus/*.json: it threw, hung or killed its worker once)
// must now run to the end without an exception, within the watchdog's time and heap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir, repoRoot } from '../../scripts/fuzz.js';
import { runWatched } from '../../scripts/fuzz-run.js';
import { TARGETS, type FuzzCase, type Target } from '../../scripts/fuzz-lib.js';

const files = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.json'))
  .sort();

test(`the ${files.length} saved fuzz findings run clean`, async () => {
  const cases: FuzzCase[] = files.map((f) => {
    const rec = JSON.parse(readFileSync(join(corpusDir, f), 'utf8')) as { target: Target; options: Record<string, string>; input: string };
    assert.ok(TARGETS.includes(rec.target), `${f}: unknown target ${rec.target}`);
    return { target: rec.target, options: rec.options, input: new Uint8Array(Buffer.from(rec.input, 'base64')) };
  });
  const findings = await runWatched(repoRoot, { cases }, cases.length, { timeoutMs: 30_000, heapMb: 1024 });
  assert.deepEqual(
    findings.map((f) => `${files[f.index]}: ${f.kind}: ${f.message.split('\n')[0]}`),
    [],
  );
});
