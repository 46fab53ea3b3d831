// Unit tests of the built-in C preprocessor. Expected outputs under test/fixtures/cpp/*.expected
// were produced by GCC 12's `cpp -nostdinc -I include -undef -D__DTS__ -x assembler-with-cpp`
// (the kernel's DTS flags); when `cpp` is installed the last test re-checks them against it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPreprocessCache, preprocess, preprocessText, type PreprocessOptions } from '../../src/source/preprocess.js';
import { mappedWords } from './preprocess-compare.js';
import type { Diagnostic } from '../../src/diagnostics.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'cpp');
const fixtureRead = (p: string): string | undefined => {
  try {
    return readFileSync(join(fixtures, p), 'utf8');
  } catch {
    return undefined;
  }
};

/** Preprocess in-memory files: `files` maps path → text; the main file is 'main.dts'. */
function run(main: string, files: Record<string, string> = {}, opts: Partial<PreprocessOptions> = {}) {
  const all: Record<string, string> = { 'main.dts': main, ...files };
  return preprocess('main.dts', { includeDirs: ['inc'], readFile: (p) => all[p], ...opts });
}
/** The words dtc would see, joined by one space. */
function words(main: string, files: Record<string, string> = {}, opts: Partial<PreprocessOptions> = {}): string {
  return mappedWords(run(main, files, opts).text)
    .map((w) => w.word)
    .join(' ');
}
function diags(main: string, files: Record<string, string> = {}): Diagnostic[] {
  return run(main, files).diagnostics;
}
function only(ds: Diagnostic[], code: string): Diagnostic {
  const m = ds.filter((d) => d.code === code);
  assert.equal(m.length, 1, `expected one ${code}, got ${JSON.stringify(ds)}`);
  return m[0]!;
}

// ---------------------------------------------------------------- fixtures (GCC's own output)

const fixtureNames = readdirSync(fixtures)
  .filter((f) => f.endsWith('.dts'))
  .sort();
for (const f of fixtureNames) {
  test(`fixture ${f} is byte-identical to GCC's output`, () => {
    const r = preprocess(f, { includeDirs: ['include'], readFile: fixtureRead });
    const expected = readFileSync(join(fixtures, f.replace(/\.dts$/, '.expected')), 'utf8');
    assert.equal(r.text, expected);
    assert.equal(r.diagnostics.filter((d) => d.severity === 'error').length, 0);
  });
}

test('fixtures still match the installed GCC cpp (skipped without cpp)', (t) => {
  const v = spawnSync('cpp', ['--version'], { encoding: 'utf8' });
  if (v.status !== 0) {
    t.skip('cpp not installed');
    return;
  }
  for (const f of fixtureNames) {
    const r = spawnSync('cpp', ['-nostdinc', '-I', 'include', '-undef', '-D__DTS__', '-x', 'assembler-with-cpp', f], {
      cwd: fixtures,
      encoding: 'utf8',
    });
    const expected = readFileSync(join(fixtures, f.replace(/\.dts$/, '.expected')), 'utf8');
    // Compare what dtc sees (GCC versions differ in blank-line details only).
    assert.deepEqual(mappedWords(r.stdout), mappedWords(expected), f);
  }
});

// ---------------------------------------------------------------- macros

test('object-like and function-like macros, nested', () => {
  assert.equal(words('#define A 1\n#define B (A + A)\n#define F(x, y) <x y>\nF(A, B);'), '<1 (1 + 1)>;');
});

test('a macro is not expanded inside itself (painted blue), even later', () => {
  assert.equal(words('#define S S + 1\nS'), 'S + 1');
  assert.equal(words('#define f(x) x f\nf(1)(2)'), '1 f(2)');
  assert.equal(words('#define a b\n#define b a\na b'), 'a b');
});

test('# stringifies with GCC spacing and escapes', () => {
  assert.equal(words('#define S(x) #x\nS(  a   "q\\"x"  \'c\' b )'), '"a \\"q\\\\\\"x\\" \'c\' b"');
  assert.equal(words('#define S(x) #x\n#define X(x) S(x)\n#define V 42\nS(V) X(V)'), '"V" "42"');
});

test('## pastes, and a failed paste keeps both tokens (assembler mode, no error)', () => {
  const r = run('#define C(a, b) a ## b\n<C(0x, 1f)> C(foo, -bar) C(x, ) C(, y)');
  assert.equal(
    mappedWords(r.text)
      .map((w) => w.word)
      .join(' '),
    '<0x1f> foo -bar x y',
  );
  assert.deepEqual(r.diagnostics, []);
});

test('variadic macros: __VA_ARGS__, named, GNU comma swallowing', () => {
  assert.equal(words('#define V(...) [__VA_ARGS__]\nV(1, 2) V()'), '[1, 2] []');
  assert.equal(words('#define N(f, a...) {f, ## a}\nN(x) N(x, y)'), '{x} {x, y}');
  assert.equal(words('#define G(f, ...) {f, ## __VA_ARGS__}\nG(x) G(x,) G(x, 1)'), '{x} {x,} {x, 1}');
});

test('function-like macro name without ( is left alone; arguments may span lines', () => {
  assert.equal(words('#define F(x) <x>\nF; F\n(1);'), 'F; <1>;');
  const r = run('#define M(a, b) a b\nx = M(1,\n  2) y;\nz;');
  const w = mappedWords(r.text);
  assert.deepEqual(
    w.map((x) => `${x.word}@${x.line}`),
    ['x@2', '=@2', '1@2', '2@2', 'y;@2', 'z;@4'],
  );
});

test('pp-numbers are greedy: 0x1e+A is one token, A not expanded', () => {
  assert.equal(words('#define A 5\n<0x1e+A 0x1f +A>'), '<0x1e+A 0x1f +5>');
});

test('__FILE__, __LINE__, __COUNTER__, __INCLUDE_LEVEL__', () => {
  assert.equal(
    words('a __FILE__ __LINE__\n#include "x.h"\n__COUNTER__ __COUNTER__', { 'x.h': '__FILE__ __LINE__ __INCLUDE_LEVEL__\n' }),
    'a "main.dts" 1 "x.h" 1 1 0 1',
  );
});

test('-D defines and __DTS__ (can be turned off)', () => {
  assert.equal(words('__DTS__ X Y', {}, { defines: { X: '7', Y: '' } }), '1 7 1');
  assert.equal(words('__DTS__', {}, { dts: false }), '__DTS__');
  assert.equal(words('F(2)', {}, { defines: { 'F(x)': 'x+x' } }), '2 +2');
});

test('#undef and redefinition', () => {
  assert.equal(words('#define A 1\n#undef A\nA'), 'A');
  const d = only(diags('#define A 1\n#define A 2\n'), 'macro-redefined');
  assert.equal(d.severity, 'warning');
  assert.equal(d.line, 2);
  assert.deepEqual(diags('#define A 1\n#define A   1\n'), []);
});

// ---------------------------------------------------------------- conditionals and expressions

test('#if/#ifdef/#ifndef/#elif/#else/#endif and defined', () => {
  const src =
    '#define A 1\n#if A\ny1\n#else\nn1\n#endif\n#ifdef B\nn2\n#elif defined(A) && defined A\ny2\n#else\nn3\n#endif\n#ifndef B\ny3\n#endif\n';
  assert.equal(words(src), 'y1 y2 y3');
});

test('#elif is not evaluated after a taken group; nested groups in skipped code are skipped', () => {
  assert.deepEqual(diags('#if 1\n#elif 1/0\n#endif\n#if 0\n#if 1/0\n#endif\n#endif\n'), []);
});

test('integer expressions have C semantics on 64-bit intmax/uintmax', () => {
  const yes = (e: string): void => assert.equal(words(`#if ${e}\nyes\n#else\nno\n#endif`), 'yes', e);
  yes('-1 < 0');
  yes('!(-1 < 0u)');
  yes('(1 ? -1 : 0u) > 0');
  yes('0xffffffffffffffff == -1');
  yes('(1 << 63) < 0');
  yes('(-1 >> 70) == -1');
  yes('(8 >> -1) == 16');
  yes('-9 / 2 == -4 && -9 % 2 == -1');
  yes("'a' == 97 && '\\377' == -1 && '\\n' == 10");
  yes('010 == 8 && 0x10 == 16 && 0b11 == 3 && 5ULL == 5');
  yes('(2, 3) == 3');
  yes('UNDEFINED == 0');
  yes('!(0 && 1 / 0)');
  yes('1 || 1 % 0');
  yes('~0u == 18446744073709551615u');
});

test('__has_include', () => {
  assert.equal(
    words('#if __has_include(<a.h>) && !__has_include("b.h")\nyes\n#endif\n#ifdef __has_include\nyes2\n#endif', { 'inc/a.h': '' }),
    'yes yes2',
  );
});

// ---------------------------------------------------------------- includes

test('#include "..." searches the includer\'s directory first, <...> only -I dirs', () => {
  const files = { 'd/a.dtsi': '#include "b.dtsi"\n', 'd/b.dtsi': 'from-d\n', 'b.dtsi': 'from-top\n', 'inc/b.dtsi': 'from-inc\n' };
  assert.equal(words('#include "d/a.dtsi"\n#include <b.dtsi>\n#include "b.dtsi"', files), 'from-d from-inc from-top');
});

test('computed includes, and linemarkers map lines back through includes', () => {
  const r = run('#define H <x.h>\n#include H\nafter;\n', { 'inc/x.h': '\n\nin-x;\n' });
  assert.deepEqual(
    mappedWords(r.text).map((w) => `${w.word}@${w.file}:${w.line}`),
    ['in-x;@inc/x.h:3', 'after;@main.dts:3'],
  );
  assert.deepEqual(r.files, ['main.dts', 'inc/x.h']);
});

test('include guards, #pragma once and #line', () => {
  assert.equal(
    words('#include "g.h"\n#include "g.h"\n#include "o.h"\n#include "o.h"\nG', {
      'g.h': '#ifndef G\n#define G 1\ng\n#endif\n',
      'o.h': '#pragma once\no\n',
    }),
    'g o 1',
  );
  const r = run('#line 100 "other.dts"\nx __LINE__ __FILE__\n');
  assert.deepEqual(
    mappedWords(r.text).map((w) => `${w.word}@${w.file}:${w.line}`),
    ['x@other.dts:100', '100@other.dts:100', '"other.dts"@other.dts:100'],
  );
});

test('the cache shares file texts and tokens across runs', () => {
  const cache = createPreprocessCache();
  let reads = 0;
  const files: Record<string, string> = { 'main.dts': '#include "a.h"\nA', 'a.h': '#define A 1\n' };
  const opts = {
    includeDirs: [],
    cache,
    readFile: (p: string) => {
      reads++;
      return files[p];
    },
  };
  assert.equal(
    mappedWords(preprocess('main.dts', opts).text)
      .map((w) => w.word)
      .join(' '),
    '1',
  );
  preprocess('main.dts', opts);
  assert.equal(reads, 2);
  assert.equal(cache.lexed.size, 2);
});

test('a run started inside another (from its readFile, sharing its cache) gives what each gives alone', () => {
  // The outer run is in the middle of expanding HDR (its #include operand) when it reads x.h; the
  // inner run installs the very same parsed #define of HDR from the cache and expands it too.
  const files: Record<string, string> = {
    'defs.h': '#define HDR "x.h"\n',
    'main.dts': '#include "defs.h"\n#include HDR\n',
    'inner.dts': '#include "defs.h"\nHDR\n',
    'x.h': 'x\n',
  };
  const cache = createPreprocessCache();
  let inner: string | undefined;
  const readFile = (p: string): string | undefined => {
    if (p === 'x.h' && inner === undefined) inner = preprocess('inner.dts', { includeDirs: [], readFile, cache }).text;
    return files[p];
  };
  const outer = preprocess('main.dts', { includeDirs: [], readFile, cache }).text;
  const alone = (f: string): string => preprocess(f, { includeDirs: [], readFile: (p) => files[p] }).text;
  assert.equal(inner, alone('inner.dts'));
  assert.match(inner!, /"x\.h"/);
  assert.equal(outer, alone('main.dts'));
});

// ---------------------------------------------------------------- assembler-with-cpp quirks

test('unknown directives such as #address-cells are text; so is # followed by a non-name', () => {
  assert.equal(words('#address-cells = <1>;\n  #size-cells = <0>;\n# x 1\n#\n#(\n'), '#address-cells = <1>; #size-cells = <0>; # x 1 #(');
});

test('comments, continuations and unterminated quotes', () => {
  assert.equal(
    words('a /* x */ b // c\nd/**/e\nf \\\ng\n"s\\\nt"\ndon\'t /* not a comment */\n'),
    'a b d e f g "st" don\'t /* not a comment */',
  );
  assert.equal(words('#define F(x) #x\nF(#address-cells)'), '"#address-cells"');
  assert.equal(words('#define F(x) x #y\nF(1)'), '1 #y');
});

// ---------------------------------------------------------------- diagnostics

test('include-not-found points at the #include line and continues', () => {
  const ds = diags('a\n  #include "nope.h"\n#include <nope2.h>\n');
  assert.equal(ds.length, 2);
  assert.equal(ds[0]!.code, 'include-not-found');
  assert.deepEqual([ds[0]!.file, ds[0]!.line, ds[0]!.column], ['main.dts', 2, 3]);
  assert.match(ds[0]!.message, /nope\.h/);
  assert.equal(ds[1]!.line, 3);
});

test('include-syntax and include-depth', () => {
  only(diags('#include\n'), 'include-syntax');
  only(diags('#include nope\n'), 'include-syntax');
  const d = only(diags('#include "self.h"\n', { 'self.h': '#include "self.h"\n' }), 'include-depth');
  assert.equal(d.file, 'self.h');
});

test('macro-args: wrong count and unterminated list name the macro', () => {
  let d = only(diags('#define F(a, b) a b\n\nx F(1);\n'), 'macro-args');
  assert.match(d.message, /"F" requires 2 arguments, but only 1 given/);
  assert.deepEqual([d.line, d.column], [3, 3]);
  d = only(diags('#define F(a) a\nF(1, 2)\n'), 'macro-args');
  assert.match(d.message, /passed 2 arguments, but takes just 1/);
  d = only(diags('#define F(a) a\nF(1\n'), 'macro-args');
  assert.match(d.message, /unterminated argument list invoking macro "F"/);
  // Inside another macro's expansion the error is reported at the outermost invocation.
  d = only(diags('#define F(a, b) a b\n#define G F(1)\nx G\n'), 'macro-args');
  assert.deepEqual([d.line, d.column], [3, 3]);
  assert.match(d.hint ?? '', /G/);
});

test('unterminated-conditional and stray #else/#elif/#endif', () => {
  const d = only(diags('a\n#ifdef X\nb\n'), 'unterminated-conditional');
  assert.deepEqual([d.line, d.message], [2, 'unterminated #ifdef']);
  only(diags('#include "u.h"\n', { 'u.h': '#if 1\n' }), 'unterminated-conditional');
  assert.deepEqual(
    diags('#endif\n#else\n#elif 1\n#if 1\n#else\n#else\n#endif\n').map((x) => x.message),
    ['#endif without #if', '#else without #if', '#elif without #if', '#else after #else'],
  );
});

test('cpp-error and cpp-warning from #error/#warning; processing continues', () => {
  const r = run('#error no "board"  here\n#warning careful\nafter\n');
  assert.deepEqual(
    r.diagnostics.map((d) => [d.severity, d.code, d.message, d.line]),
    [
      ['error', 'cpp-error', '#error no "board" here', 1],
      ['warning', 'cpp-warning', '#warning careful', 2],
    ],
  );
  assert.equal(
    mappedWords(r.text)
      .map((w) => w.word)
      .join(' '),
    'after',
  );
});

test('cpp-expr: division by zero, malformed expressions, several per run', () => {
  const ds = diags('#if 1 / 0\n#endif\n#if\n#endif\n#if 1 +\n#endif\n#if (1\n#endif\n#if 1 2\n#endif\n#if 1.5\n#endif\n#if "s"\n#endif\n');
  assert.deepEqual(
    ds.map((d) => [d.code, d.line]),
    [
      ['cpp-expr', 1],
      ['cpp-expr', 3],
      ['cpp-expr', 5],
      ['cpp-expr', 7],
      ['cpp-expr', 9],
      ['cpp-expr', 11],
      ['cpp-expr', 13],
    ],
  );
  assert.match(ds[0]!.message, /division by zero/);
  assert.match(ds[5]!.message, /floating constant/);
});

test('cpp-expr inside a macro names the macro', () => {
  const d = only(diags('#define D (1/0)\n#if D\n#endif\n'), 'cpp-expr');
  assert.equal(d.line, 2);
  assert.match(d.hint ?? '', /macro 'D'/);
});

test('#define errors', () => {
  assert.equal(only(diags('#define\n'), 'cpp-define').message, 'no macro name given in #define directive');
  assert.equal(only(diags('#define 3 x\n'), 'cpp-define').message, 'macro names must be identifiers');
  assert.equal(only(diags('#define defined\n'), 'cpp-define').message, '"defined" cannot be used as a macro name');
  assert.match(only(diags('#define F(a, a) a\n'), 'cpp-define').message, /duplicate macro parameter/);
  assert.match(only(diags('#define F(a x\n'), 'cpp-define').message, /expected ',' or '\)'/);
  assert.match(only(diags('#define F ## a\n'), 'cpp-define').message, /'##' cannot appear at either end/);
});

test('unterminated comment', () => {
  const d = only(diags('a\n  /* open\n'), 'cpp-unterminated-comment');
  assert.deepEqual([d.line, d.column], [2, 3]);
});

test('missing main file is a diagnostic, not an exception', () => {
  const r = preprocess('nope.dts', { includeDirs: [], readFile: () => undefined });
  assert.equal(r.diagnostics[0]!.code, 'file-not-found');
});

test('preprocessText works on a string', () => {
  const r = preprocessText('#define X 3\n<X>', 'mem.dts', { includeDirs: [] });
  assert.equal(
    mappedWords(r.text)
      .map((w) => `${w.word}@${w.file}`)
      .join(' '),
    '<3>@mem.dts',
  );
});

test('text is passed through as given: latin1 bytes and any other characters', () => {
  const r = preprocessText('a = "\u00c3\u009c"; /* \u00e9 */ b = "\u4e2d\u6587";\n', 'u.dts', { includeDirs: [] });
  assert.equal(
    mappedWords(r.text)
      .map((w) => w.word)
      .join(' '),
    'a = "\u00c3\u009c"; b = "\u4e2d\u6587";',
  );
});

test('runaway expansion and absurd nesting end with a cpp-limit diagnostic, not a crash', { timeout: 120_000 }, () => {
  let src = '#define D(x) x x\n#define E0 1\n';
  for (let i = 1; i <= 40; i++) src += `#define E${i} E${i - 1} E${i - 1}\n`;
  let d = only(preprocessText(src + 'E40\n', 'x.dts', { includeDirs: [] }).diagnostics, 'cpp-limit');
  assert.equal(d.line, 43);
  const deep = 'D('.repeat(30000) + '1' + ')'.repeat(30000);
  d = only(preprocessText(`#define D(x) x\n${deep}\n`, 'y.dts', { includeDirs: [] }).diagnostics, 'cpp-limit');
  assert.equal(d.file, 'y.dts');
  only(preprocessText(`#if ${'('.repeat(100000)}1${')'.repeat(100000)}\n#endif\n`, 'z.dts', { includeDirs: [] }).diagnostics, 'cpp-limit');
});

test('__VA_OPT__ (expansion checked by the va-opt fixture) and its definition errors', () => {
  assert.equal(words('#define F(a, ...) f(a __VA_OPT__(,) __VA_ARGS__)\nF(1) F(1, 2)'), 'f(1 ) f(1 , 2)');
  assert.equal(only(diags('#define F(...) __VA_OPT__ x\n'), 'cpp-define').message, '__VA_OPT__ must be followed by an open parenthesis');
  assert.equal(only(diags('#define F(...) __VA_OPT__(x\n'), 'cpp-define').message, 'unterminated __VA_OPT__');
  assert.equal(only(diags('#define F(...) __VA_OPT__(__VA_OPT__())\n'), 'cpp-define').message, '__VA_OPT__ may not appear in a __VA_OPT__');
  assert.match(only(diags('#define F(...) __VA_OPT__(## x)\n'), 'cpp-define').message, /'##' cannot appear at either end of __VA_OPT__/);
});
