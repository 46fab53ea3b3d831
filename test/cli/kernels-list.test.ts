// `carveout kernels` says, per lab kernel, whether the package plan uses (the cached one, else the
// built-in profile's) has an out-of-memory ladder: the lab's, one `kernels measure` put in the
// kernel cache, or none — the uploads still to measure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OOM_LADDERS, type OomLadder } from '../../src/kernel/oom.js';
import { getProfile } from '../../src/kernel/profiles/index.js';
import { runCli } from '../helpers/cli.js';

const KERNEL = '6.12-armmp';
// an upload the lab has no ladder of, as if `kernels fetch` had cached it
const PKG = 'linux-image-6.12.999+deb12-armmp';
const VERSION = '6.12.999-1';

test("kernels: each kernel's package with the lab's ladder, one in the cache, or none", () => {
  const cache = mkdtempSync(join(tmpdir(), 'carveout-kernels-list-'));
  const env = { ...process.env, CARVEOUT_CACHE: cache };
  const rows = () =>
    (JSON.parse(runCli(['kernels', '--format', 'json'], { env }).stdout) as { kernels: { id: string; ladder?: string }[] }).kernels;
  // nothing fetched: the built-in profiles' packages, each with the lab's ladder where ladders.json has it
  for (const r of rows()) {
    const lab = (OOM_LADDERS[r.id] ?? []).some((l) => l.package === getProfile(r.id)!.debianPackage);
    assert.equal(r.ladder, lab ? 'lab' : undefined, r.id);
  }
  const dir = join(cache, 'kernels', KERNEL);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'info.json'), JSON.stringify({ id: KERNEL, package: PKG, version: VERSION, debArch: 'armhf', pageSize: 4096 }));
  assert.equal(rows().find((r) => r.id === KERNEL)?.ladder, undefined);
  const text = runCli(['kernels'], { env }).stdout;
  assert.match(
    text,
    new RegExp(
      `^ {2}${KERNEL.replace('.', '\\.')} .*no out-of-memory ladder: 'kernels measure ${KERNEL.replace('.', '\\.')}' measures it`,
      'm',
    ),
  );
  // measured into the cache, as `kernels measure` stores it
  const ladder: OomLadder = { ...OOM_LADDERS[KERNEL]![0]!, package: `${PKG} ${VERSION}`, date: '2026-12-05T17:00:00.000Z' };
  mkdirSync(join(cache, 'ladders', 'x'), { recursive: true });
  writeFileSync(join(cache, 'ladders', 'x', 'ladder.json'), JSON.stringify(ladder));
  assert.equal(rows().find((r) => r.id === KERNEL)?.ladder, 'cache');
  assert.match(runCli(['kernels'], { env }).stdout, /out-of-memory ladder: measured into the cache/);
});
