// A board whose static regions overflow memblock's reserved array before memblock_allow_resize():
// 6.12 panics ("memblock: cannot resize reserved array", mm/memblock.c memblock_double_array).
// plan must say so as an error, exit 1, and report the panic in the JSON's `boot`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plan } from '../../src/kernel/plan.js';
import { loadBoard } from '../../src/board.js';
import { runCli } from '../helpers/cli.js';

/** 1 GiB of RAM and `n` static 4 KiB regions, 64 KiB apart. */
function manyRegions(n: number): string {
  const regions: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = (0x48000000 + i * 0x10000).toString(16);
    regions.push(`\t\tr${i}@${a} { reg = <0x0 0x${a} 0x0 0x1000>; };`);
  }
  return `/dts-v1/;
/ {
	#address-cells = <2>; #size-cells = <2>;
	memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x40000000>; };
	reserved-memory {
		#address-cells = <2>; #size-cells = <2>; ranges;
${regions.join('\n')}
	};
};
`;
}

const dir = mkdtempSync(join(tmpdir(), 'carveout-plan-panic-'));
const dts = join(dir, 'many.dts');
writeFileSync(dts, manyRegions(1000));

test('plan: a predicted kernel panic is an error diagnostic, exit 1, boot outcome panic', () => {
  const p = plan(loadBoard(dts), { kernel: '6.12-arm64', bootargs: '' });
  assert.ok(p.log.some((l) => l.text === 'Kernel panic - not syncing: memblock: cannot resize reserved array'));
  assert.equal(p.boot.outcome, 'panic');
  assert.equal(p.boot.panic, 'memblock: cannot resize reserved array');
  assert.equal(p.boot.function, 'memblock_double_array');
  assert.match(p.boot.reason ?? '', /memblock_allow_resize/);
  const d = p.diagnostics.find((x) => x.code === 'kernel-panic');
  assert.ok(d, JSON.stringify(p.diagnostics));
  assert.equal(d.severity, 'error');
  assert.match(d.message, /cannot resize reserved array/);
  assert.equal(p.exitCode, 1);
});

test('plan: a board that boots reports boot outcome ok', () => {
  const small = join(dir, 'few.dts');
  writeFileSync(small, manyRegions(4));
  const p = plan(loadBoard(small), { kernel: '6.12-arm64', bootargs: '' });
  assert.deepEqual(p.boot, { outcome: 'ok' });
  assert.equal(p.exitCode, 0, JSON.stringify(p.diagnostics));
});

test('carveout plan --format json: the panic in `boot` and in the diagnostics, exit 1', () => {
  const r = runCli(['plan', dts, '--kernel', '6.12-arm64', '--bootargs', '', '--format', 'json']);
  assert.equal(r.status, 1, r.stderr);
  const j = JSON.parse(r.stdout) as { boot: { outcome: string; panic?: string }; diagnostics: { code: string; severity: string }[] };
  assert.equal(j.boot.outcome, 'panic');
  assert.equal(j.boot.panic, 'memblock: cannot resize reserved array');
  assert.ok(j.diagnostics.some((x) => x.code === 'kernel-panic' && x.severity === 'error'));
});
