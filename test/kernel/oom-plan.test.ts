// A board that leaves the page allocator too little memory, as a user would plan it (a DTS on
// QEMU virt, not the lab's booted blob): the plan counts what memblock_free_all hands over as the
// lab's boot of the same layout did, and says the boot dies where that boot died.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plan } from '../../src/kernel/plan.js';
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
  assert.ok((p.pageAllocator?.free ?? 0n) >> 10n >= 21444n, String(p.pageAllocator?.free));
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
  // 5.10-arm64 has no ladder: the same squeeze leaves it little, and the plan warns
  const p = plan(loadBoard(f, opts), { kernel: '5.10-arm64', bootargs: 'cma=0' });
  assert.equal(p.boot.outcome, 'ok');
  const w = p.diagnostics.find((d) => d.code === 'out-of-memory-unmeasured');
  assert.ok(w, p.diagnostics.map((d) => d.code).join(', '));
  assert.equal(w.severity, 'warning');
  assert.match(w.message, /only \d+ KiB, and how much the rest of the boot needs was not measured for this build \(linux-image-5\.10/);
  assert.match(w.message, /7\.2-arm64 died with \d+ KiB, reached \/init with \d+ KiB/);
  // with room to spare, nothing to say
  const roomy = join(dir, 'unmeasured-roomy.dts');
  writeFileSync(roomy, squeeze(0x1000000));
  const q = plan(loadBoard(roomy, opts), { kernel: '5.10-arm64', bootargs: 'cma=0' });
  assert.ok(!q.diagnostics.some((d) => d.code === 'out-of-memory-unmeasured'), String(q.pageAllocator?.free));
  // a measured build keeps its prediction, without the warning
  const m = plan(loadBoard(f, opts), { kernel: '7.2-arm64', bootargs: 'cma=0' });
  assert.ok(!m.diagnostics.some((d) => d.code === 'out-of-memory-unmeasured'));
});
