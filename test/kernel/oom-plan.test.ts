// A board that leaves the page allocator too little memory, as a user would plan it (a DTS on
// QEMU virt, not the lab's booted blob): the plan counts what memblock_free_all hands over as the
// lab's boot of the same layout did, and says the boot dies where that boot died.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plan, resolveProfile } from '../../src/kernel/plan.js';
import { loadBoard } from '../../src/board.js';
import { readLabRecords } from '../../src/verify/records.js';
import { ladderDir } from '../../src/verify/memory-ladder.js';
import { runCli } from '../helpers/cli.js';
import type { LabCase } from '../../src/verify/generator.js';

/** 128 MiB on QEMU virt with the lab's 7.2-arm64 squeeze: 0x43200000+0xe00000 and 0x44200000+`b`. */
function squeeze(b: number): string {
  return `/dts-v1/;
/ {
	#address-cells = <2>; #size-cells = <2>;
	reserved-memory {
		#address-cells = <2>; #size-cells = <2>; ranges;
		squeeze@43200000 { reg = <0x0 0x43200000 0x0 0xe00000>; };
		squeeze@44200000 { reg = <0x0 0x44200000 0x0 0x${b.toString(16)}>; };
	};
};
`;
}

const dir = mkdtempSync(join(tmpdir(), 'carveout-oom-'));
const INITRD = 0xf79can; // the lab's initramfs
const opts = { platform: 'qemu-virt', arch: 'arm64', ram: 128n << 20n, initrdSize: INITRD } as const;

test('plan: a layout the lab booted into "System is deadlocked on memory" is predicted so, with the same free count', () => {
  // the ladder boot with these regions (data/lab/ladder/7.2-arm64.jsonl.gz)
  const rec = readLabRecords('7.2-arm64', ladderDir).find((r) => (r.case as LabCase).regions.some((x) => x.reg?.[0]?.[1] === '0x3310000'));
  assert.ok(rec, 'the 7.2-arm64 ladder boot with a 0x3310000 squeeze');
  assert.equal(rec.observation.panicMessage, 'Kernel panic - not syncing: System is deadlocked on memory');
  const f = join(dir, 'deadlock.dts');
  writeFileSync(f, squeeze(0x3310000));
  const p = plan(loadBoard(f, opts), { kernel: '7.2-arm64', bootargs: 'cma=0' });
  assert.equal(p.pageAllocator?.free, 10460n << 10n);
  assert.equal(p.boot.outcome, 'panic');
  assert.equal(p.boot.function, 'out_of_memory');
  assert.equal(p.boot.panic, 'System is deadlocked on memory');
  assert.match(p.boot.reason ?? '', /^out of memory: memblock_free_all hands the page allocator 10460 KiB/);
  assert.equal(p.log.at(-1)?.text, 'Kernel panic - not syncing: System is deadlocked on memory');
  assert.equal(p.exitCode, 1);
});

test('plan: the same board with 11 MiB more reaches /init, as the lab saw', () => {
  const f = join(dir, 'roomy.dts');
  writeFileSync(f, squeeze(0x3310000 - 11 * 0x100000));
  const p = plan(loadBoard(f, opts), { kernel: '7.2-arm64', bootargs: 'cma=0' });
  assert.ok((p.pageAllocator?.free ?? 0n) >> 10n >= 20292n, String(p.pageAllocator?.free));
  assert.deepEqual(p.boot, { outcome: 'ok' });
});

test('carveout plan --format json: pageAllocator and the out-of-memory panic, exit 1', () => {
  const f = join(dir, 'deadlock-cli.dts');
  writeFileSync(f, squeeze(0x3310000));
  const r = runCli([
    'plan',
    f,
    '--platform',
    'qemu-virt',
    '--ram',
    '128M',
    '--initrd-size',
    '0xf79ca',
    '--kernel',
    '7.2-arm64',
    '--bootargs',
    'cma=0',
    '--format',
    'json',
  ]);
  assert.equal(r.status, 1, r.stderr);
  const j = JSON.parse(r.stdout) as { boot: { outcome: string; function?: string }; pageAllocator?: { free: string } };
  assert.deepEqual(
    [j.boot.outcome, j.boot.function, j.pageAllocator?.free],
    ['panic', 'out_of_memory', '0x' + (10460 * 1024).toString(16)],
  );
});

test('plan: a build no ladder was measured on says it cannot tell, instead of keeping quiet', () => {
  const f = join(dir, 'unmeasured.dts');
  writeFileSync(f, squeeze(0x3310000));
  // the next 7.2 upload (or a user's own 7.2 build) has no ladder of its own: the same squeeze
  // leaves it little, and the plan warns instead of reading another build's measurement
  const next = { ...resolveProfile('7.2-arm64')!, debianPackage: 'linux-binary-7.2.14+deb14-arm64 7.2.14-1' };
  const p = plan(loadBoard(f, opts), { kernel: next, bootargs: 'cma=0' });
  assert.equal(p.boot.outcome, 'ok');
  const w = p.diagnostics.find((d) => d.code === 'out-of-memory-unmeasured');
  assert.ok(w, p.diagnostics.map((d) => d.code).join(', '));
  assert.equal(w.severity, 'warning');
  assert.match(
    w.message,
    /only \d+ KiB, and how much the rest of the boot needs was not measured for this build \(linux-binary-7\.2\.14\+deb14-arm64 7\.2\.14-1; the lab measured linux-binary-7\.2\.13/,
  );
  assert.match(w.message, /5\.10-arm64 \(5\.10\.223-1\) died with \d+ KiB, reached \/init with \d+ KiB/);
  // with room to spare, nothing to say
  const roomy = join(dir, 'unmeasured-roomy.dts');
  writeFileSync(roomy, squeeze(0x1000000));
  const q = plan(loadBoard(roomy, opts), { kernel: next, bootargs: 'cma=0' });
  assert.ok(!q.diagnostics.some((d) => d.code === 'out-of-memory-unmeasured'), String(q.pageAllocator?.free));
  // a measured build keeps its prediction, without the warning
  const m = plan(loadBoard(f, opts), { kernel: '7.2-arm64', bootargs: 'cma=0' });
  assert.ok(!m.diagnostics.some((d) => d.code === 'out-of-memory-unmeasured'));
});

/** 256 MiB on QEMU virt and a static region just beyond RAM: reserved all the same, no memory lost. */
function beyondRam(size: number): string {
  return `/dts-v1/;
/ {
	#address-cells = <2>; #size-cells = <2>;
	reserved-memory {
		#address-cells = <2>; #size-cells = <2>; ranges;
		estimate@50000000 { reg = <0x0 0x50000000 0x0 0x${size.toString(16)}>; };
	};
};
`;
}
const roomyOpts = { ...opts, ram: 256n << 20n } as const;

test('plan: a region beyond RAM leaves 6.12 too low a max_threads, and it dies creating cpuhp/0, as the lab saw', () => {
  // the 6.12-arm64 ladder boot with this region (data/lab/ladder, memory-ladder.ts --max-threads 20)
  const rec = readLabRecords('6.12-arm64', ladderDir).find((r) => (r.case as LabCase).regions.some((x) => x.reg?.[0]?.[1] === '0xca00000'));
  assert.ok(rec, 'the 6.12-arm64 ladder boot with a 0xca00000 region beyond RAM');
  assert.match(rec.observation.console ?? '', /pc : cpuhp_threads_init\+/);
  const f = join(dir, 'threads.dts');
  writeFileSync(f, beyondRam(0xca00000));
  const p = plan(loadBoard(f, roomyOpts), { kernel: '6.12-arm64', bootargs: 'cma=0' });
  assert.ok((p.pageAllocator?.free ?? 0n) > 200n << 20n, 'memory to spare');
  assert.equal(p.pageAllocator?.maxThreads, 20);
  assert.deepEqual(
    [p.boot.outcome, p.boot.function, p.boot.panic],
    ['panic', 'cpuhp_threads_init', 'Attempted to kill init! exitcode=0x0000000b'],
  );
  assert.match(
    p.boot.reason ?? '',
    /^fork_init's max_threads is 20 \(memblock's estimate of free memory, memory less all that is reserved, ranges outside memory included: \d+ KiB/,
  );
  assert.deepEqual(
    p.log.slice(-2).map((l) => l.text),
    ['kernel BUG at kernel/cpu.c:1217!', 'Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b'],
  );
  // 7.2 counts only what memblock's own allocations reserved: the region beyond RAM does not lower it
  const q = plan(loadBoard(f, roomyOpts), { kernel: '7.2-arm64', bootargs: 'cma=0' });
  assert.ok((q.pageAllocator?.maxThreads ?? 0) > 1000, String(q.pageAllocator?.maxThreads));
  assert.equal(q.boot.outcome, 'ok');
  // a smaller region: max_threads where the lab's boot reached /init
  const g = join(dir, 'threads-ok.dts');
  writeFileSync(g, beyondRam(0xc000000));
  const r = plan(loadBoard(g, roomyOpts), { kernel: '6.12-arm64', bootargs: 'cma=0' });
  assert.ok((r.pageAllocator?.maxThreads ?? 0) >= 96, String(r.pageAllocator?.maxThreads));
  assert.equal(r.boot.outcome, 'ok');
  assert.ok(!r.diagnostics.some((d) => d.code === 'thread-limit'));
});

test('plan: a max_threads the lab saw hang, or a build not measured, warns (thread-limit)', () => {
  const f = join(dir, 'threads-hang.dts');
  // the 6.12-arm64 ladder boot at max_threads 44 hung
  writeFileSync(f, beyondRam(0xc700000));
  const p = plan(loadBoard(f, roomyOpts), { kernel: '6.12-arm64', bootargs: 'cma=0' });
  assert.equal(p.pageAllocator?.maxThreads, 44);
  assert.equal(p.boot.outcome, 'ok');
  const w = p.diagnostics.find((d) => d.code === 'thread-limit');
  assert.ok(w, p.diagnostics.map((d) => d.code).join(', '));
  assert.match(w.message, /with max_threads 44 and it hung/);
  // the newer 6.12 upload `kernels fetch` measures sizes for has no thread measurements: warned, not judged
  const other = { ...resolveProfile('6.12-arm64')!, debianPackage: 'linux-image-6.12.118+deb12-arm64-unsigned 6.12.118-1~deb12u1' };
  const g = join(dir, 'threads-unmeasured.dts');
  writeFileSync(g, beyondRam(0xca00000));
  const q = plan(loadBoard(g, roomyOpts), { kernel: other, bootargs: 'cma=0' });
  assert.equal(q.boot.outcome, 'ok');
  assert.match(
    q.diagnostics.find((d) => d.code === 'thread-limit')?.message ?? '',
    /this build \(linux-image-6\.12\.118.*\) was not measured with a low max_threads/,
  );
});

test('plan: more CPUs than the thread measurements were booted with: warned (thread-limit), not predicted', () => {
  // the max_threads-20 layout of the one-CPU ladder (cpuhp_threads_init) on QEMU virt with four
  // CPUs: each CPU more starts threads of its own, so the boot still dies, but which thread is
  // refused first the one-CPU boots do not show (lab seed 49 #95781400 died in async_init with 39)
  const smp4 = { ...roomyOpts, smp: 4 };
  const f = join(dir, 'threads-smp4.dts');
  writeFileSync(f, beyondRam(0xca00000));
  const p = plan(loadBoard(f, smp4), { kernel: '6.12-arm64', bootargs: 'cma=0' });
  assert.equal(p.pageAllocator?.maxThreads, 20);
  assert.equal(p.boot.outcome, 'ok', JSON.stringify(p.boot));
  const w = p.diagnostics.filter((d) => d.code === 'thread-limit');
  assert.equal(w.length, 1, w.map((d) => d.message).join('\n'));
  assert.match(
    w[0]!.message,
    /this boot has 4 CPUs: .* with one CPU and max_threads 20, and it died in cpuhp_threads_init .* The boot dies or hangs; which thread is refused first with 4 CPUs was not measured/,
  );
  // one CPU lives with this max_threads, four might not: a warning too
  writeFileSync(f, beyondRam(0xba00000));
  const q = plan(loadBoard(f, smp4), { kernel: '6.12-arm64', bootargs: 'cma=0' });
  const n = q.pageAllocator?.maxThreads ?? 0;
  assert.ok(n > 96 && n < 4 * 48, String(n));
  assert.equal(q.boot.outcome, 'ok');
  assert.match(q.diagnostics.find((d) => d.code === 'thread-limit')?.message ?? '', /with one CPU only: the boot may die or hang/);
  // and with one CPU the same layout is quiet, as the ladder measured
  const r = plan(loadBoard(f, roomyOpts), { kernel: '6.12-arm64', bootargs: 'cma=0' });
  assert.ok(!r.diagnostics.some((d) => d.code === 'thread-limit'));
});

test('plan: no PMD block left for the memmap: 5.10 gives the section up and dies in __bitmap_set, later series map base pages', () => {
  // the first 5.10-arm64 ladder layout (data/lab/ladder/5.10-arm64.jsonl.gz): no free 2 MiB-aligned 2 MiB
  const f = join(dir, 'memmap.dts');
  writeFileSync(
    f,
    squeeze(0x3e00000).replace(
      'squeeze@43200000 { reg = <0x0 0x43200000 0x0 0xe00000>; }',
      'squeeze@41e00000 { reg = <0x0 0x41e00000 0x0 0x2200000>; }',
    ),
  );
  const old = plan(loadBoard(f, opts), { kernel: '5.10-arm64', bootargs: 'cma=0' });
  assert.deepEqual([old.boot.outcome, old.boot.function, old.boot.panic], ['panic', '__bitmap_set', 'Attempted to kill the idle task!']);
  const lines = old.log.map((l) => l.text);
  assert.ok(lines.includes('sparse_init_nid: node[0] memory map backing failed. Some memory will not be available.'), lines.join('\n'));
  assert.ok(lines.includes('Unable to handle kernel NULL pointer dereference at virtual address 0000000000000010'));
  // the lab booted it so: the same oops, the same panic
  const rec = readLabRecords('5.10-arm64', ladderDir).find((r) => (r.case as LabCase).regions.some((x) => x.reg?.[0]?.[1] === '0x3e00000'));
  assert.ok(rec, 'the 5.10-arm64 ladder boot with a 0x3e00000 squeeze');
  assert.match(rec.observation.console ?? '', /memory map backing failed[\s\S]*pc : __bitmap_set/);
  // 2 MiB less squeezed, 5.10 still finds no PMD block; 6.12 and 7.2 map base pages instead
  // (vmemmap_populate_hugepages) and get past sparse_init
  const g = join(dir, 'memmap-pages.dts');
  writeFileSync(g, readFileSync(f, 'utf8').replace('0x3e00000', '0x3c00000'));
  assert.equal(plan(loadBoard(g, opts), { kernel: '5.10-arm64', bootargs: 'cma=0' }).boot.function, '__bitmap_set');
  for (const kernel of ['6.12-arm64', '7.2-arm64']) {
    const p = plan(loadBoard(g, opts), { kernel, bootargs: 'cma=0' });
    assert.ok(p.pageAllocator, kernel);
    assert.ok(!p.log.some((l) => l.text.includes('memory map backing failed')), kernel);
  }
});
