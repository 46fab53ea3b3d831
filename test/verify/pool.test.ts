// pool: at most n jobs in flight, results in the items' order (lab-cli, the own-build recorder, the corpus).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pool } from '../../src/verify/pool.js';

test('pool runs every item with at most n in flight and keeps the items’ order', async () => {
  let inFlight = 0;
  let most = 0;
  const delays = [30, 5, 20, 1, 10, 2, 15];
  const out = await pool(delays, 3, async (d, i) => {
    inFlight++;
    most = Math.max(most, inFlight);
    await new Promise((r) => setTimeout(r, d));
    inFlight--;
    return `${i}:${d}`;
  });
  assert.deepEqual(
    out,
    delays.map((d, i) => `${i}:${d}`),
  );
  assert.equal(most, 3);
  assert.deepEqual(await pool([], 2, async () => 1), []);
  assert.deepEqual(await pool([7], 0, async (x) => x * 2), [14]); // n below 1: one at a time
});
