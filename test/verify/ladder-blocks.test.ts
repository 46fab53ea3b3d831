// measureLadder's fragment boots on a 7.2 build (src/verify/memory-ladder.ts, `kernels measure`):
// after a one-boot memory ladder it bisects how few free 2 MiB blocks bio_integrity_initfn's pool
// lives with, and the ladder it returns carries them as `fragments`, pinned to one block and
// beside the lab's own measurement of the same package. Runs when CI is set or CARVEOUT_LAB=1
// (apt-get for the kernel, qemu-system-arm).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchBuiltinRelease, type FetchReport } from '../../src/verify/kernels.js';
import { qemuAvailable } from '../../src/verify/qemu.js';
import { BLOCKS_BOOTS, measureLadder } from '../../src/verify/memory-ladder.js';
import { resolveProfile } from '../../src/kernel/plan.js';
import { OOM_LADDERS, type LadderStep } from '../../src/kernel/oom.js';

const live = !!process.env.CI || process.env.CARVEOUT_LAB === '1';
const KERNEL = '7.2-arm64';

const bounds = (fs: LadderStep[]) => ({
  died: Math.max(...fs.filter((x) => (x.cpus ?? 1) === 1 && x.end !== 'init').map((x) => x.blocks!)),
  lived: Math.min(...fs.filter((x) => (x.cpus ?? 1) === 1 && x.end === 'init').map((x) => x.blocks!)),
});

test("kernels measure on a 7.2 build: fragment boots pin the free 2 MiB blocks bio_integrity_initfn's pool lives with", {
  skip: live ? false : 'set CARVEOUT_LAB=1 (or CI) to fetch a kernel and boot it under QEMU',
  timeout: 15 * 60_000,
}, async () => {
  if (qemuAvailable('arm64'))
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'qemu-system-arm'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  assert.equal(qemuAvailable('arm64'), undefined);
  const rep: FetchReport = { fetched: [], notFound: [], errors: [], log: [] };
  const k = fetchBuiltinRelease(KERNEL, rep);
  assert.ok(k, `${KERNEL}: ${[...rep.notFound, ...rep.errors].join('; ')}`);
  const profile = resolveProfile(KERNEL)!;
  const dir = mkdtempSync(join(tmpdir(), 'carveout-blocks-'));
  const lines: string[] = [];
  const r = await measureLadder(k, profile, {
    dir,
    source: join(dir, `${KERNEL}.jsonl.gz`),
    budget: { boots: 1 },
    progress: (l) => lines.push(l),
  });
  assert.equal(r.error, undefined);
  const frag = r.ladder?.fragments ?? [];
  assert.ok(frag.length >= 2 && frag.length <= BLOCKS_BOOTS, lines.join('\n'));
  assert.equal(
    lines.filter((l) => /^fragment boot \d: \d+ free 2 MiB blocks, \d+ KiB free: /.test(l)).length,
    frag.length,
    lines.join('\n'),
  );
  const got = bounds(frag);
  assert.equal(got.lived - got.died, 1, `pinned: ${lines.join('\n')}`);
  for (const x of frag.filter((f) => f.end !== 'init')) assert.equal(x.end !== 'init' && x.end.fn, 'bio_integrity_initfn');
  // the lab measured the same package: within a block of it (which blocks are free varies with the layout)
  const lab = bounds(OOM_LADDERS[KERNEL]!.find((l) => l.package === r.ladder!.package)!.fragments!);
  assert.ok(Math.abs(got.lived - lab.lived) <= 1, `measured ${JSON.stringify(got)}, the lab ${JSON.stringify(lab)}`);
});
