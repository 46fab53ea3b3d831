// A UTF-8 byte order mark and `#line 0`, compared with GCC's cpp and dtc: cpp drops a BOM at the
// start of every file it reads (libcpp _cpp_convert_input), dtc alone does not; after `#line 0`
// dtc prints its errors at line 0 with their column ("f.dts:0.9-10"), cpp prints only the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preprocess } from '../../src/source/preprocess.js';
import { compileString } from '../../src/compile.js';
import { runCli } from '../helpers/cli.js';

const haveTools = spawnSync('cpp', ['--version']).status === 0 && spawnSync('dtc', ['--version']).status === 0;
const skip = !haveTools && !process.env.CI ? 'cpp or dtc not installed' : false;
const BOM = '\xef\xbb\xbf';

function withFiles(files: Record<string, string>, f: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-bom-'));
  try {
    for (const [n, t] of Object.entries(files)) writeFileSync(join(dir, n), t, 'latin1');
    f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cpp = (dir: string, file: string): string =>
  spawnSync('cpp', ['-nostdinc', '-undef', '-x', 'assembler-with-cpp', file], { cwd: dir, encoding: 'latin1' }).stdout;

test('a BOM at the start of the DTS and of an #include file: the text cpp writes, and the blob', { skip }, () => {
  withFiles({ 'b.dts': `${BOM}/dts-v1/;\n#include "b.h"\n/ { x = <V>; };\n`, 'b.h': `${BOM}#define V 2\n` }, (dir) => {
    const ours = preprocess(join(dir, 'b.dts'), { includeDirs: [] });
    assert.deepEqual(ours.diagnostics, []);
    assert.equal(ours.text.replaceAll(dir + '/', ''), cpp(dir, 'b.dts'));
    const r = runCli(['compile', '-O', 'dts', join(dir, 'b.dts')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /x = <0x02>;/);
  });
});

test('a BOM where only dtc reads (no preprocessor): a syntax error at 1:1, as dtc says', { skip }, () => {
  const src = `${BOM}/dts-v1/;\n/ { };\n`;
  const r = compileString(src, { fileName: 'b.dts', preprocess: false });
  assert.equal(r.failed, 'input');
  const d = r.diagnostics.find((x) => x.severity === 'error')!;
  assert.equal(d.code, 'syntax');
  assert.deepEqual([d.line, d.column], [1, 1]);
  withFiles({ 'b.dts': src }, (dir) => {
    const ref = spawnSync('dtc', ['-O', 'dts', 'b.dts'], { cwd: dir, encoding: 'latin1' });
    assert.notEqual(ref.status, 0);
    assert.match(ref.stderr, /b\.dts:1\.1-2 syntax error/);
  });
});

test('#line 0: cpp text, a cpp warning without position, a dtc error at 0:column', { skip }, () => {
  const src = '/dts-v1/;\n#line 0\n#warning hi\n/ { x = <__LINE__>; y = __LINE__; };\n';
  withFiles({ 'l.dts': src }, (dir) => {
    const ours = preprocess(join(dir, 'l.dts'), { includeDirs: [] });
    assert.equal(ours.text.replaceAll(dir + '/', ''), cpp(dir, 'l.dts'));
    const r = runCli(['compile', '-O', 'dts', join(dir, 'l.dts')]);
    r.stderr = r.stderr.replaceAll(dir + '/', '');
    assert.equal(r.status, 2);
    // cpp: "l.dts: warning: #warning hi"; dtc on cpp's output: "l.dts:1.18-19 syntax error"
    // (#line 0 then the #warning line: the node is on line 1).
    assert.match(r.stderr, /^l\.dts: warning: #warning hi \[cpp-warning\]$/m);
    const g = spawnSync('sh', ['-c', 'cpp -nostdinc -undef -x assembler-with-cpp l.dts | dtc -O dts -o /dev/null -'], {
      cwd: dir,
      encoding: 'latin1',
    });
    const m = /l\.dts:(\d+)\.(\d+)-\d+ syntax error/.exec(g.stderr);
    assert.ok(m, g.stderr);
    assert.match(r.stderr, new RegExp(`^l\\.dts:${m[1]}:${m[2]}: error: syntax error \\[syntax\\]$`, 'm'));
  });
  // The error on line 0 itself keeps its column, as dtc's "l.dts:0.9-10".
  withFiles({ 'z.dts': '/dts-v1/;\n#line 0\n/ { x = 0; };\n' }, (dir) => {
    const r = runCli(['compile', '-O', 'dts', join(dir, 'z.dts')]);
    r.stderr = r.stderr.replaceAll(dir + '/', '');
    const g = spawnSync('sh', ['-c', 'cpp -nostdinc -undef -x assembler-with-cpp z.dts | dtc -O dts -o /dev/null -'], {
      cwd: dir,
      encoding: 'latin1',
    });
    assert.match(g.stderr, /z\.dts:0\.9-10 syntax error/);
    assert.match(r.stderr, /^z\.dts:0:9: error: syntax error \[syntax\]$/m);
  });
});
