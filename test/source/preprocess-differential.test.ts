// Differential test: random macro definitions and invocations (#, ##, variadics, nesting, calls
// spread over lines) and random #if expressions, through GCC's cpp and ours; dtc must see the same
// words on the same lines. Needs `cpp` (skipped without it unless CI is set).
// CARVEOUT_FUZZ_SEED picks another deterministic seed; CARVEOUT_FUZZ_CASES the number of cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preprocessText } from '../../src/source/preprocess.js';
import { mappedWords } from './preprocess-compare.js';

const haveCpp = spawnSync('cpp', ['--version']).status === 0;
const seed0 = Number(process.env.CARVEOUT_FUZZ_SEED ?? 20241125);
const cases = Number(process.env.CARVEOUT_FUZZ_CASES ?? 300);

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 1) / 0x80000000;
  };
}

function gcc(src: string): { text: string; ok: boolean } {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-cpp-'));
  try {
    writeFileSync(join(dir, 't.dts'), src, 'latin1');
    const r = spawnSync('cpp', ['-nostdinc', '-undef', '-D__DTS__', '-x', 'assembler-with-cpp', 't.dts'], { cwd: dir, encoding: 'latin1' });
    return { text: r.stdout, ok: r.status === 0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Compare one source; returns a description of the first difference, if any. */
function differ(src: string): string | undefined {
  const g = gcc(src);
  const o = preprocessText(src, 't.dts', { includeDirs: [] });
  const oOk = !o.diagnostics.some((d) => d.severity === 'error');
  if (g.ok !== oOk)
    return `cpp ${g.ok ? 'accepts' : 'rejects'} it, we ${oOk ? 'accept' : 'reject'} it: ${JSON.stringify(o.diagnostics.map((d) => d.message))}`;
  if (!g.ok) return undefined; // after an error the output does not matter (dtc never runs)
  const a = mappedWords(o.text),
    b = mappedWords(g.text);
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i],
      y = b[i];
    if (!x || !y || x.word !== y.word || x.line !== y.line) return `word ${i}: ours ${JSON.stringify(x)} cpp ${JSON.stringify(y)}`;
  }
  return undefined;
}

test('random macros expand exactly as GCC expands them', { timeout: 600_000 }, (t) => {
  if (!haveCpp) {
    if (process.env.CI) assert.fail('cpp missing');
    t.skip('GCC cpp not installed');
    return;
  }
  const rnd = rng(seed0);
  const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)]!;
  const names = ['A', 'B', 'C', 'F', 'G', 'H'];
  const body = (params: string[], variadic: boolean): string => {
    const parts: string[] = [];
    const n = Math.floor(rnd() * 6);
    for (let i = 0; i < n; i++) {
      const r = rnd();
      if (r < 0.25 && params.length) parts.push(pick(params));
      else if (r < 0.35 && params.length) parts.push('#' + pick(params));
      else if (r < 0.45 && parts.length) parts.push('##');
      else if (r < 0.6) parts.push(pick(names));
      else if (r < 0.7 && variadic)
        parts.push(
          pick([
            '__VA_ARGS__',
            ', ## __VA_ARGS__',
            '__VA_OPT__(,)',
            '__VA_OPT__(x __VA_ARGS__ (1))',
            '#__VA_OPT__(a  __VA_ARGS__)',
            '__VA_OPT__(a ## __VA_ARGS__)',
            'q ## __VA_OPT__(__VA_ARGS__ 1)',
          ]),
        );
      else parts.push(pick(['(', ')', ',', '1', 'x', '-', '+', '"s"', '<', '>', '#', '0x1', 'e', '.', '&', '@', '__LINE__']));
    }
    return parts
      .join(pick([' ', '']))
      .replace(/^\s*##/, '')
      .replace(/##\s*$/, '');
  };
  const def = (): string => {
    const name = pick(names);
    if (rnd() < 0.3) return `#define ${name} ${body([], false)}`;
    const params = ['a', 'b', 'c'].slice(0, Math.floor(rnd() * 3));
    const variadic = rnd() < 0.3;
    const plist = variadic ? [...params, '...'].join(', ') : params.join(', ');
    return `#define ${name}(${plist}) ${body(variadic ? [...params, '__VA_ARGS__'] : params, variadic)}`;
  };
  const call = (d: number): string => {
    if (d > 2 || rnd() < 0.3) return pick(['1', 'y', '"q"', '', ' ', '-', 'A', 'B', 'C', '#', '##', '<x>', '0x1e+A', '__LINE__']);
    const args: string[] = [];
    const n = Math.floor(rnd() * 4);
    for (let i = 0; i < n; i++) args.push(call(d + 1) + (rnd() < 0.3 ? call(d + 1) : ''));
    return pick(names) + (rnd() < 0.2 ? pick([' ', '\n']) : '') + '(' + args.join(pick([',', ', ', ' ,\n'])) + ')';
  };
  const failures: string[] = [];
  for (let k = 0; k < cases; k++) {
    const defs: string[] = [];
    const uses: string[] = [];
    for (let i = 0; i < 4; i++) defs.push(def());
    for (let i = 0; i < 4; i++) uses.push(call(0) + pick(['', ' ', ';']) + (rnd() < 0.5 ? call(0) : ''));
    // (A line starting with a non-directive `#` inside macro arguments is an error in both; keep
    // the generated uses clear of that corner.)
    const src = defs.join('\n') + '\n' + uses.join('\n').replace(/(^|\n)\s*#/g, '$1 x#') + '\n';
    const d = differ(src);
    if (d) failures.push(`${d}\n${src}`);
  }
  assert.deepEqual(failures.slice(0, 3), [], `${failures.length}/${cases} differ (seed ${seed0})`);
});

test('random #if expressions evaluate exactly as GCC evaluates them', (t) => {
  if (!haveCpp) {
    if (process.env.CI) assert.fail('cpp missing');
    t.skip('GCC cpp not installed');
    return;
  }
  const rnd = rng(seed0 + 1);
  const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)]!;
  const ex = (d: number): string => {
    if (d > 3 || rnd() < 0.3)
      return pick([
        '0',
        '1',
        '2',
        '-1',
        '7u',
        '0x8000000000000000',
        '18446744073709551615u',
        '9223372036854775807',
        '63',
        '64',
        '3',
        "'a'",
        "'\\377'",
        'X',
        'Y',
        'defined X',
        'defined(Z)',
        '0x10ULL',
        '010',
      ]);
    const r = rnd();
    if (r < 0.15) return pick(['-', '~', '!', '+']) + ex(d + 1);
    if (r < 0.25) return `(${ex(d + 1)} ? ${ex(d + 1)} : ${ex(d + 1)})`;
    return `(${ex(d + 1)} ${pick(['+', '-', '*', '/', '%', '<<', '>>', '<', '>', '<=', '>=', '==', '!=', '&', '|', '^', '&&', '||'])} ${ex(d + 1)})`;
  };
  // Division by zero is an error in both; test values on the cases GCC accepts, one #if each.
  let src = '#define X 5\n#define Y (X * 2)\n';
  const exprs: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const e = ex(0);
    exprs.push(e);
    src += `#if ${e}\nT${i}\n#else\nF${i}\n#endif\n`;
  }
  const g = spawnSync('cpp', ['-nostdinc', '-undef', '-x', 'assembler-with-cpp', '-'], { input: src, encoding: 'latin1' });
  const o = preprocessText(src, '<stdin>', { includeDirs: [] });
  const pick2 = (text: string): string[] => text.split('\n').filter((l) => /^[TF]\d+$/.test(l));
  const gw = pick2(g.stdout),
    ow = pick2(o.text);
  assert.equal(ow.length, 1000);
  const diffs = gw.map((w, i) => (w === ow[i] ? '' : `${exprs[i]}: cpp ${w[0]}, ours ${ow[i]?.[0]}`)).filter(Boolean);
  assert.deepEqual(diffs.slice(0, 5), []);
  // Errors (division by zero where actually evaluated) are as many as GCC's. (GCC places one inside
  // a macro at the macro's definition, we at its use with the macro named in the hint.)
  const gErr = [...g.stderr.matchAll(/<stdin>:(\d+):\d+: error/g)].length;
  const oErr = o.diagnostics.filter((d) => d.severity === 'error').length;
  assert.equal(oErr, gErr);
});
