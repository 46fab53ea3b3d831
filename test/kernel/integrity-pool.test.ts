// 7.2's bio_integrity_initfn wants two free 2 MiB blocks (block/bio-integrity.c): a board whose
// small carve-outs split the others dies there with plenty of memory free. Planned as a user would
// (a DTS on QEMU virt, `carveout plan`), against the lab's fragment boots (memory-ladder.ts --blocks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan, resolveProfile } from '../../src/kernel/plan.js';
import { loadBoard } from '../../src/board.js';
import { blocksCase } from '../../src/verify/memory-ladder.js';
import { OOM_LADDERS } from '../../src/kernel/oom.js';
import { runCli } from '../helpers/cli.js';
import { caseBoard } from '../helpers/board.js';

const INITRD = 0xf79can; // the lab's initramfs
const MiB = 1n << 20n;

/** The lab's fragment layout for `blocks` free blocks on `id` with `cpus` CPUs, as a board (booted with cma=0). */
function splitBoard(id: string, blocks: number, cpus: number): { file: string; regions: number } {
  const lc = blocksCase(resolveProfile(id)!, INITRD, blocks, cpus);
  assert.ok(lc, `${id}: a layout with ${blocks} free 2 MiB blocks`);
  return { file: caseBoard(lc.c), regions: lc.c.regions.length };
}

const planOf = (file: string, id: string, cpus: number) =>
  plan(loadBoard(file, { platform: 'qemu-virt', arch: 'arm64', ram: 128n * MiB, initrdSize: INITRD, smp: cpus }), {
    kernel: resolveProfile(id)!,
    bootargs: 'cma=0',
    ladders: 'lab',
  });

test('7.2-arm64, 4 CPUs: 6 free 2 MiB blocks and 70 MiB free die in bio_integrity_initfn, as the lab measured; 12 blocks live', () => {
  const few = splitBoard('7.2-arm64', 6, 4);
  const p = planOf(few.file, '7.2-arm64', 4);
  assert.ok(p.pageAllocator && p.pageAllocator.free > 70n * MiB, `plenty free: ${p.pageAllocator?.free}`);
  assert.deepEqual(p.pageAllocator.highOrder, { order: 9, blocks: 6 });
  assert.equal(p.boot.outcome, 'panic');
  assert.equal(p.boot.function, 'bio_integrity_initfn');
  assert.equal(p.boot.panic, "bio: can't create integrity buf pool");
  assert.match(p.boot.reason ?? '', /too few free 2 MiB blocks: memblock_free_all leaves GFP_KERNEL 6 free blocks of 2 MiB \(order 9\)/);
  assert.equal(p.log.at(-1)?.text, "Kernel panic - not syncing: bio: can't create integrity buf pool");
  // the measurement it stands on: a fragment boot of this build that died with as many blocks or more
  const frag = OOM_LADDERS['7.2-arm64']![0]!.fragments ?? [];
  assert.ok(frag.some((x) => x.end !== 'init' && x.end.fn === 'bio_integrity_initfn' && (x.cpus ?? 1) <= 4 && x.blocks! >= 6));

  const many = splitBoard('7.2-arm64', 12, 4);
  const q = planOf(many.file, '7.2-arm64', 4);
  assert.equal(q.boot.outcome, 'ok');
  assert.ok(!q.diagnostics.some((d) => d.code === 'high-order-blocks-near-boundary'));
  assert.ok(many.regions < few.regions);
});

test('the same split layout on 6.12 (a slab-backed pool) and on 16K pages (not measured: a warning only)', () => {
  const few = splitBoard('7.2-arm64', 6, 4);
  const p = planOf(few.file, '6.12-arm64', 4);
  assert.equal(p.pageAllocator?.highOrder, undefined);
  assert.equal(p.boot.outcome, 'ok');
  // 16K pages: the count of free 2 MiB blocks is not what decides (oom.ts integrityBufPool); the lab keeps no fragment ladder
  assert.equal(OOM_LADDERS['7.2-arm64-16k']![0]!.fragments, undefined);
  const k = planOf(few.file, '7.2-arm64-16k', 4);
  assert.ok(k.pageAllocator?.highOrder && k.pageAllocator.highOrder.order === 7);
  assert.equal(k.boot.outcome, 'ok');
  const w = k.diagnostics.find((d) => d.code === 'high-order-blocks-near-boundary');
  assert.ok(w, 'warned');
  assert.match(w.message, /not measured on this build/);
});

test('carveout plan prints the death and exits 1; --format json carries the block count', () => {
  const few = splitBoard('7.2-armmp-lpae', 3, 4);
  const args = [
    'plan',
    few.file,
    '--kernel',
    '7.2-armmp-lpae',
    '--platform',
    'qemu-virt',
    '--ram',
    '128M',
    '--smp',
    '4',
    '--initrd-size',
    `${INITRD}`,
  ];
  const text = runCli(args);
  assert.equal(text.status, 1, text.stderr);
  assert.match(text.stdout, /bio: can't create integrity buf pool/);
  const out = JSON.parse(runCli([...args, '--format', 'json']).stdout);
  assert.deepEqual(out.pageAllocator.highOrder, { order: 9, blocks: 3 });
  assert.deepEqual({ outcome: out.boot.outcome, function: out.boot.function }, { outcome: 'panic', function: 'bio_integrity_initfn' });
});

test('NUMA: blocks the one-node boots lived with are not enough to say so on two nodes (a warning)', () => {
  // each node's allocations claim blocks of their own node and the pool's request falls back node
  // by node: lab seed 50 #9c47d33b (7.2-arm64, two 64 MiB nodes) died there with 10 blocks
  const many = splitBoard('7.2-arm64', 12, 4);
  const one = planOf(many.file, '7.2-arm64', 4);
  assert.ok(!one.diagnostics.some((d) => d.code === 'high-order-blocks-near-boundary'));
  const two = plan(
    loadBoard(many.file, { platform: 'qemu-virt', arch: 'arm64', ram: 128n * MiB, initrdSize: INITRD, numa: [64n * MiB, 64n * MiB] }),
    { kernel: resolveProfile('7.2-arm64')!, bootargs: 'cma=0', ladders: 'lab' },
  );
  assert.equal(two.boot.outcome, 'ok');
  const w = two.diagnostics.find((d) => d.code === 'high-order-blocks-near-boundary');
  assert.ok(w, two.diagnostics.map((d) => d.code).join(', '));
  assert.match(w.message, /died there with up to \d+ on one node; this boot has 2 NUMA nodes/);
});
