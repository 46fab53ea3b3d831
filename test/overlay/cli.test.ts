// `carveout apply`: the example board + overlay give the kernel build's bytes (cpp + dtc, then
// fdtoverlay), blobs in work too, and failures are one diagnostic with exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runCli } from '../helpers/cli.js';
import { fdtoverlay, missingTools } from './fdtoverlay.js';

const skip = missingTools() ?? (spawnSync('cpp', ['--version']).status !== 0 ? 'cpp is not installed' : false);
const board = join(repoRoot, 'examples/overlay/board.dts');
const cma = join(repoRoot, 'examples/overlay/cma.dtso');

/** scripts/Makefile.dtbs: cpp, then dtc (-@ for a base overlays are applied onto). */
function kernelDtc(file: string, symbols: boolean): Uint8Array {
  const pre = spawnSync('cpp', ['-nostdinc', '-undef', '-D__DTS__', '-x', 'assembler-with-cpp', file], { maxBuffer: 64 << 20 });
  assert.equal(pre.status, 0, pre.stderr.toString());
  const r = spawnSync('dtc', ['-q', ...(symbols ? ['-@'] : []), '-O', 'dtb', '-b', '0', '-o', '-', '-'], {
    input: pre.stdout,
    maxBuffer: 64 << 20,
  });
  assert.equal(r.status, 0, r.stderr.toString());
  return new Uint8Array(r.stdout);
}

test('apply board.dts cma.dtso = cpp + dtc -@ + fdtoverlay', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-apply-'));
  const out = join(dir, 'out.dtb');
  const r = runCli(['apply', board, cma, '-o', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  const ref = fdtoverlay(kernelDtc(board, true), [kernelDtc(cma, false)]);
  assert.ok(ref.blob, ref.stderr);
  assert.ok(readFileSync(out).equals(Buffer.from(ref.blob)));
});

test('apply on blobs, -v lists what the overlay did', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-apply-'));
  writeFileSync(join(dir, 'base.dtb'), kernelDtc(board, true));
  writeFileSync(join(dir, 'cma.dtbo'), kernelDtc(cma, false));
  const r = runCli(['apply', join(dir, 'base.dtb'), join(dir, 'cma.dtbo'), '-o', join(dir, 'out.dtb'), '-v']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stderr.split('\n');
  assert.ok(lines.includes(`${dir}/cma.dtbo: fragment@0: node-added /reserved-memory/linux,cma`), r.stderr);
  assert.ok(lines.includes(`${dir}/cma.dtbo: fragment@1: property-added /pl011@9000000:status`), r.stderr);
  const ref = fdtoverlay(kernelDtc(board, true), [kernelDtc(cma, false)]);
  assert.ok(readFileSync(join(dir, 'out.dtb')).equals(Buffer.from(ref.blob!)));
});

test('a base built without -@: one diagnostic naming the overlay and the label, exit 2, no output', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-apply-'));
  writeFileSync(join(dir, 'base.dtb'), kernelDtc(board, false));
  writeFileSync(join(dir, 'cma.dtbo'), kernelDtc(cma, false));
  const r = runCli(['apply', join(dir, 'base.dtb'), join(dir, 'cma.dtbo'), '-o', join(dir, 'out.dtb')]);
  assert.equal(r.status, 2);
  assert.equal(
    r.stderr,
    `${dir}/cma.dtbo: error: overlay '${dir}/cma.dtbo' refers to the base's label 'reserved_memory' but the base has no /__symbols__ node: compile the base with -@ (libfdt: FDT_ERR_NOTFOUND) [overlay-no-symbols]\n`,
  );
  assert.equal(spawnSync('test', ['-e', join(dir, 'out.dtb')]).status, 1);
});

test('usage errors: exit 2 on stderr, nothing on stdout', () => {
  for (const args of [
    ['apply'],
    ['apply', 'a.dtb'],
    ['apply', 'a.dtb', 'b.dtbo'],
    ['apply', 'a.dtb', 'b.dtbo', '-o'],
    ['apply', '--bogus'],
  ]) {
    const r = runCli(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^carveout apply: .*\nusage: carveout apply/);
  }
});

test('an overlay source that does not apply: the diagnostic points at the reference in the .dtso', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-apply-'));
  const ov = join(dir, 'bad.dtso');
  writeFileSync(ov, '/dts-v1/;\n/plugin/;\n&{/reserved-memory} {\n  pool = <1 &camera>;\n};\n');
  const r = runCli(['apply', board, ov, '-o', join(dir, 'out.dtb')]);
  assert.equal(r.status, 2);
  assert.equal(
    r.stderr,
    `${ov}:4:13: error: overlay '${ov}': label 'camera' (used at /fragment@0/__overlay__:pool) is not in the base's /__symbols__ (libfdt: FDT_ERR_NOTFOUND) [overlay-label-missing]\n` +
      '    pool = <1 &camera>;\n' +
      '              ^~~~~~~\n',
  );
});
