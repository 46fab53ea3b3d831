// Input files a hostile user names: a directory, a file too large to read whole. Each is exit 2
// with a diagnostic saying so, never a stack trace (exit 70).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { MAX_INPUT_BYTES } from '../../src/input.js';

function withTmp(f: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-hostile-'));
  try {
    f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('plan of a directory named x.dtb: exit 2, "Is a directory"', () => {
  withTmp((dir) => {
    const x = join(dir, 'x.dtb');
    mkdirSync(x);
    const r = runCli(['plan', x, '--kernel', '6.12-arm64']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr + r.stdout, /Is a directory/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});

test('plan of a DTB over 2 GiB (sparse): exit 2, "too large", without reading it', () => {
  withTmp((dir) => {
    const x = join(dir, 'x.dtb');
    writeFileSync(x, '');
    truncateSync(x, 2 ** 31 + 1);
    const r = runCli(['plan', x, '--kernel', '6.12-arm64'], { timeoutMs: 60_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr + r.stdout, /File too large \(2147483649 bytes; the limit is 256 MiB\)/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});

test('the input bound is 256 MiB', () => {
  assert.equal(MAX_INPUT_BYTES, 256 * 1024 * 1024);
});

function writeDts(dir: string, dts: string): string {
  const f = join(dir, 't.dts');
  writeFileSync(f, dts);
  return f;
}

/** Compile `dts` (written to dir/t.dts) to a DTS on stdout. */
function compileDts(dir: string, dts: string): ReturnType<typeof runCli> {
  return runCli(['compile', '-O', 'dts', writeDts(dir, dts)], { timeoutMs: 60_000 });
}

test('/incbin/("/dev/zero", 0, 16) reads 16 bytes, as dtc does', () => {
  withTmp((dir) => {
    const r = compileDts(dir, '/dts-v1/;\n/ { a = /incbin/("/dev/zero", 0, 16); b = /incbin/("/dev/zero", 8, 4); };\n');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /a = <0x00 0x00 0x00 0x00>;/);
    assert.match(r.stdout, /b = <0x00>;/);
  });
});

test('/incbin/ of a device without a length is exit 2, not an endless read', () => {
  withTmp((dir) => {
    const r = compileDts(dir, '/dts-v1/;\n/ { a = /incbin/("/dev/zero"); };\n');
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /Couldn't open "\/dev\/zero": not a regular file/);
  });
});

test('/incbin/ of a file over 2 GiB with offset and length reads only the slice', () => {
  withTmp((dir) => {
    const big = join(dir, 'big.bin');
    writeFileSync(big, '');
    truncateSync(big, 2 ** 31 + 8);
    const fd = openSync(big, 'r+');
    writeSync(fd, Buffer.from([0x12, 0x34, 0x56, 0x78]), 0, 4, 2 ** 31 + 4);
    closeSync(fd);
    const r = compileDts(dir, `/dts-v1/;\n/ { a = /incbin/("big.bin", 0x80000000, 8); };\n`);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /a = <0x00 0x12345678>;/);
  });
});

test('/incbin/ and /include/ of a directory say "Is a directory"', () => {
  withTmp((dir) => {
    mkdirSync(join(dir, 'sub'));
    for (const line of ['/ { a = /incbin/("sub"); };', '/include/ "sub"']) {
      const r = compileDts(dir, `/dts-v1/;\n${line}\n`);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /Couldn't open "sub": Is a directory/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });
});

test('#include of a directory says "Is a directory"; the search still passes over one, as cpp does', () => {
  withTmp((dir) => {
    mkdirSync(join(dir, 'a', 'sub'), { recursive: true });
    mkdirSync(join(dir, 'b'));
    const r = runCli(['compile', '-O', 'dts', '-i', join(dir, 'a'), writeDts(dir, '#include "sub"\n/dts-v1/;\n/ { };\n')]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /error: sub: Is a directory/);
    writeFileSync(join(dir, 'b', 'sub'), '/ { found; };\n');
    const ok = runCli(['compile', '-O', 'dts', '-i', join(dir, 'a'), '-i', join(dir, 'b'), writeDts(dir, '/dts-v1/;\n#include "sub"\n')]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /found;/);
  });
});

test('#include "/dev/zero", compile, decompile and plan of /dev/zero are exit 2 "File too large", in bounded memory', () => {
  withTmp((dir) => {
    const r = runCli(['compile', '-O', 'dts', writeDts(dir, '#include "/dev/zero"\n')], { timeoutMs: 60_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /\/dev\/zero: File too large \(more than 256 MiB, the limit\)/);
  });
  for (const cmd of [
    ['compile', '-O', 'dts', '/dev/zero'],
    ['compile', '-O', 'dts', '--no-cpp', '/dev/zero'],
    ['decompile', '/dev/zero'],
    ['plan', '/dev/zero', '--kernel', '6.12-arm64'],
  ]) {
    const r = runCli(cmd, { timeoutMs: 60_000 });
    assert.equal(r.status, 2, `${cmd.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /File too large/, cmd.join(' '));
  }
});

test('/incbin/ and /include/ search on past a name that cannot be opened (a symlink loop), as dtc try_open does', () => {
  withTmp((dir) => {
    mkdirSync(join(dir, 'inc'));
    symlinkSync('loop', join(dir, 'loop'));
    writeFileSync(join(dir, 'inc', 'loop'), 'AB');
    const r = runCli(['compile', '-O', 'dts', '-i', join(dir, 'inc'), writeDts(dir, '/dts-v1/;\n/ { a = /incbin/("loop"); };\n')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /a = "AB";|a = \[41 42\];/);
  });
});
