// The source line under a diagnostic: UTF-8 as written (not latin1 mojibake), the caret under the
// character at the diagnostic's byte column, a long line clipped around the column, controls
// (a terminal escape in a hostile file) not passed through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag, renderDiagnostic, SHOWN_LINE_CHARS, sourceReader, type Diagnostic } from '../../src/diagnostics.js';
import { runCli } from '../helpers/cli.js';

const at = (line: number, column: number, endColumn = column + 1): Diagnostic =>
  diag('error', 'x', 'msg', { file: 'f.dts', line, column, endLine: line, endColumn });

function render(d: Diagnostic, text: string): string[] {
  return renderDiagnostic(d, () => Buffer.from(text, 'utf8')).split('\n');
}

test('a UTF-8 line is shown as UTF-8, the caret under the character at the byte column', () => {
  // "/* café */ x" — 'é' is two bytes, so x is at byte column 13 but character 12.
  const [, line, caret] = render(at(1, 13), '/* café */ x;\n');
  assert.equal(line, '  /* café */ x;');
  assert.equal(caret, `  ${' '.repeat(11)}^`);
});

test('the underline spans the characters of the byte range', () => {
  // Bytes 5..10 of line 2 are the three 'é's.
  const [, line, caret] = render(at(2, 5, 11), 'a\nab  ééé x\n');
  assert.equal(line, '  ab  ééé x');
  assert.equal(caret, '      ^~~');
});

test('a long line is clipped around the column, … on the cut sides', () => {
  const long = 'x'.repeat(5000) + 'HERE' + 'y'.repeat(5000);
  const [, line, caret] = render(at(1, 5001, 5005), long);
  const shown = line!.slice(2);
  assert.equal(shown.length, SHOWN_LINE_CHARS + 2);
  assert.ok(shown.startsWith('…') && shown.endsWith('…'));
  const i = caret!.indexOf('^');
  assert.equal(line!.slice(i, i + 4), 'HERE');
  assert.equal(caret!.slice(i), '^~~~');
  // Near the start: no leading …
  const [, l2] = render(at(1, 3), long);
  assert.ok(!l2!.slice(2).startsWith('…') && l2!.endsWith('…'));
});

test('control characters are not written to the terminal; CRLF lines lose the CR', () => {
  const [, line] = render(at(1, 1), 'a\x1b[31mred\tb\r\nnext');
  assert.equal(line, '  a?[31mred b');
});

test('the reader reads each file once and shows nothing for stdin or a missing file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-diag-'));
  try {
    const f = join(dir, 'a.dts');
    writeFileSync(f, 'one\ntwo\n');
    const read = sourceReader();
    assert.equal(read(f), read(f));
    assert.equal(read('-'), undefined);
    assert.equal(read(join(dir, 'missing')), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('compile: the source line of an error in a UTF-8 file is printed as UTF-8', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-diag-'));
  try {
    const f = join(dir, 'u.dts');
    writeFileSync(f, '/dts-v1/;\n/ { model = "Ünïcödé"; x = <&nowhere>; };\n');
    const r = runCli(['compile', '-O', 'dtb', '-o', join(dir, 'o.dtb'), f]);
    assert.equal(r.status, 2);
    // The unresolved reference is reported on the node's span: from '{' to the end of the line.
    const line = '/ { model = "Ünïcödé"; x = <&nowhere>; };';
    const m = /\n {2}(.*)\n {2}( *)(\^~*)\n/.exec(r.stderr);
    assert.ok(m, r.stderr);
    assert.equal(m[1], line);
    assert.equal(m[2]!.length, line.indexOf('{'));
    assert.equal(m[2]!.length + m[3]!.length, line.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
