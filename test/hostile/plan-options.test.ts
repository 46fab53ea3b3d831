// Sizes on plan's command line that name no RAM or wrap past 64 bits: a usage error (exit 2),
// never a different size (memparse wraps `16E` to 0 as the kernel's unsigned long long does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memparse, parseSize } from '../../src/kernel/cmdline.js';
import { parseReserve } from '../../src/platform/index.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'carveout-plan-options-'));
const dts = join(dir, 'b.dts');
writeFileSync(
  dts,
  '/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n' +
    '  memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x40000000>; };\n};\n',
);

test('parseSize refuses what memparse would wrap past 64 bits; memparse itself still wraps', () => {
  assert.equal(memparse('16E').value, 0n);
  assert.equal(parseSize('16E'), undefined);
  assert.equal(parseSize('17e'), undefined);
  assert.equal(parseSize('0x10000000000000000'), undefined);
  assert.equal(parseSize('18446744073709551616'), undefined);
  assert.equal(parseSize('15E'), 15n << 60n);
  assert.equal(parseSize('0xffffffffffffffff'), (1n << 64n) - 1n);
  assert.equal(parseSize('017777777777777777777K'), undefined);
  assert.equal(parseSize('010'), 8n);
  assert.equal(parseSize('0'), 0n);
});

test('parseReserve refuses a reservation ending past 2^64', () => {
  const r = parseReserve('x@0xffffffffffffffff+16M');
  assert.ok('severity' in r && r.severity === 'error' && /past the 64-bit address space/.test(r.message));
  assert.deepEqual(parseReserve('x@0xffffffffffff0000+64K'), { name: 'x', base: 0xffffffffffff0000n, size: 0x10000n });
});

for (const [args, why] of [
  [['--ram', '0'], /--ram 0: a board needs some RAM/],
  [['--ram=16E'], /--ram 16E: too large/],
  [['--ram', '0x10000000000000000'], /too large/],
  [['--reserve', 'x@0xffffffffffffffff+16M'], /ends past the 64-bit address space/],
] as const) {
  test(`carveout plan ${args.join(' ')}: exit 2 with a clear error`, () => {
    const r = runCli(['plan', dts, '--kernel', '6.12-arm64', ...args]);
    assert.equal(r.status, 2, r.stdout);
    assert.match(r.stderr, why);
    assert.equal(r.stdout, '');
  });
}
