// dtc's -R/-S/-p/-a/-V arguments are C ints (dtc.c: `int n = strtol(optarg, NULL, 0)`): values
// that wrap to negative mean "none", as in dtc, and a blob too big for the header's 32-bit
// totalsize is exit 2 with a clear error — never exit 70 "Invalid typed array length".
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { parseCInt } from '../../src/cli/commands/compile.js';

const dir = mkdtempSync(join(tmpdir(), 'carveout-output-options-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const dts = join(dir, 'x.dts');
writeFileSync(dts, '/dts-v1/;\n/ { };\n');

test('parseCInt keeps the low 32 bits of strtol, as an int does', () => {
  assert.equal(parseCInt('-1'), -1);
  assert.equal(parseCInt('0xffffffff'), -1);
  assert.equal(parseCInt('0x80000000'), -2147483648);
  assert.equal(parseCInt('0x100000011'), 17);
  assert.equal(parseCInt('99999999999999999999999'), -1); // strtol saturates at LONG_MAX
  assert.equal(parseCInt('010'), 8);
});

for (const args of [
  ['-R', '-1'],
  ['-R', '0xffffffff'],
  ['-p', '0xffffffff'],
  ['-S', '0xffffffff'],
]) {
  test(`compile ${args.join(' ')} is no extra space, like dtc 1.6.1`, () => {
    const out = join(dir, `out${args.join('')}.dtb`);
    const r = runCli(['compile', ...args, '-o', out, dts]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(out).length, 72);
  });
}

test('compile -a 0x80000000 is dtc\'s "Invalid argument" usage error', () => {
  const r = runCli(['compile', '-a', '0x80000000', '-o', join(dir, 'a.dtb'), dts]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /Invalid argument "-2147483648" to -a option/);
});

test('compile -R 0x7fffffff (a 32 GiB blob) is exit 2 naming the 32-bit totalsize', () => {
  const r = runCli(['compile', '-R', '0x7fffffff', '-o', join(dir, 'r.dtb'), dts]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /blob would be 34359738424 bytes, more than a DTB's 32-bit totalsize/);
  assert.doesNotMatch(r.stderr, /internal error|RangeError/);
});
