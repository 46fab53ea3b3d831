// `carveout kernels measure` on an own 7.2 build, end to end in a temp kernel cache: after a
// one-boot memory ladder it bisects how few free 2 MiB blocks bio_integrity_initfn's pool lives
// with (memory-ladder.ts fragment boots), prints and stores them (ladder.json `fragments`, pinned
// to one block, beside the lab's measurement of the same package), and `plan` on a board split to
// fewer blocks then predicts the panic from that measurement. Runs when CI is set or
// CARVEOUT_LAB=1 (apt-get for the kernel, qemu-system-arm).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BLOCKS_BOOTS, blocksCase } from '../../src/verify/memory-ladder.js';
import { resolveProfile } from '../../src/kernel/plan.js';
import { OOM_LADDERS, type LadderStep, type OomLadder } from '../../src/kernel/oom.js';
import { archiveMovedOn, ownBuildInFreshCache } from '../helpers/own-build.js';
import { caseBoard } from '../helpers/board.js';
import { liveSkip } from '../helpers/live.js';

const KERNEL = '7.2-arm64';

const bounds = (fs: LadderStep[]) => ({
  died: Math.max(...fs.filter((x) => (x.cpus ?? 1) === 1 && x.end !== 'init').map((x) => x.blocks!)),
  lived: Math.min(...fs.filter((x) => (x.cpus ?? 1) === 1 && x.end === 'init').map((x) => x.blocks!)),
});

test("kernels measure on an own 7.2 build: fragment boots pin the free 2 MiB blocks bio_integrity_initfn's pool lives with, and plan predicts from them", {
  skip: liveSkip('fetch a kernel and boot it under QEMU'),
  timeout: 20 * 60_000,
}, async (t) => {
  const gone = archiveMovedOn(KERNEL);
  if (gone) return t.skip(gone);
  const { k, initrd, cache, cli } = ownBuildInFreshCache(KERNEL, 'frag72');
  const m = cli(['kernels', 'measure', 'frag72', '--kernel-image', k.vmlinuz, '--boots', '1']);
  assert.equal(m.status, 0, `${m.stdout}\n${m.stderr}`);
  const lines = m.stdout.match(/^ {2}fragment boot \d: \d+ free 2 MiB blocks, \d+ KiB free: .*$/gm) ?? [];
  assert.ok(lines.length >= 2 && lines.length <= BLOCKS_BOOTS, m.stdout);
  const dirs = readdirSync(join(cache, 'ladders'));
  const ladder = JSON.parse(readFileSync(join(cache, 'ladders', dirs[0]!, 'ladder.json'), 'utf8')) as OomLadder;
  const frag = ladder.fragments ?? [];
  assert.equal(frag.length, lines.length);
  const got = bounds(frag);
  assert.equal(got.lived - got.died, 1, `pinned: ${m.stdout}`);
  assert.match(
    m.stdout,
    new RegExp(
      `^frag72: ${frag.length} fragment boots: died with ${got.died} free 2 MiB blocks at most, reached /init with ${got.lived} at least$`,
      'm',
    ),
  );
  for (const x of frag) if (x.end !== 'init') assert.equal(x.end.fn, 'bio_integrity_initfn');
  // kernels lists the cache's ladder with those bounds
  assert.match(
    cli(['kernels']).stdout,
    new RegExp(
      `^out-of-memory ladder \\(carveout kernels measure, \\d{4}-\\d\\d-\\d\\d\\): frag72: .*; died with ${got.died} free 2 MiB blocks at most, reached /init with ${got.lived} at least$`,
      'm',
    ),
  );
  // the lab measured the same package: within a block of it (which blocks are free varies with the layout)
  const lab = bounds(OOM_LADDERS[KERNEL]!.find((l) => l.fragments)!.fragments!);
  assert.ok(Math.abs(got.lived - lab.lived) <= 1, `measured ${JSON.stringify(got)}, the lab ${JSON.stringify(lab)}`);
  // a board split to the most blocks a measured boot died with: plan predicts the panic from the measurement
  const initrdSize = statSync(initrd).size;
  const lc = blocksCase(resolveProfile(KERNEL)!, BigInt(initrdSize), got.died);
  assert.ok(lc);
  const f = caseBoard(lc.c);
  const p = cli([
    'plan',
    f,
    '--kernel',
    'frag72',
    '--platform',
    'qemu-virt',
    '--ram',
    '128M',
    '--initrd-size',
    `${initrdSize}`,
    '--bootargs',
    'cma=0',
    '--format',
    'json',
  ]);
  const out = JSON.parse(p.stdout) as {
    boot: { outcome: string; function?: string; reason?: string };
    pageAllocator: { highOrder?: { blocks: number } };
  };
  assert.ok((out.pageAllocator.highOrder?.blocks ?? Infinity) <= got.died, p.stdout.slice(0, 400));
  assert.equal(out.boot.outcome, 'panic');
  assert.equal(out.boot.function, 'bio_integrity_initfn');
  assert.match(out.boot.reason ?? '', /carveout kernels measure \(\d{4}-\d\d-\d\d\) booted this build \(frag72\)/);
  t.diagnostic(m.stdout.trim());
});
