// A 10,000-input slice of the fuzzer (npm run fuzz runs a million): the preprocessor, the DTS
// parser and checks, the DTB reader and writers, plan and overlay apply on mutated and generated
// inputs; none may throw, hang or exhaust the worker's heap. A finding is saved under
// test/fuzz-corpus/ (then replayed by corpus.test.ts) and fails this test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzz } from '../../scripts/fuzz.js';

test('fuzz slice: 10,000 inputs of seed 1, no exception, no timeout', async () => {
  const r = await fuzz({ runs: 10_000, seed: 1, timeoutMs: 30_000 });
  assert.deepEqual(
    r.findings.map((f) => `${f.kind} at input ${f.index}: ${f.message.split('\n')[0]} (${f.saved})`),
    [],
  );
});
