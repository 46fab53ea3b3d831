// Differential test against Debian's dtc 1.6.1 (package device-tree-compiler): the fixtures in
// test/fixtures/dts/ and seeded random mutations of them (deleted chars, inserted tokens, copied
// snippets) must get dtc's verdict — the same blob when dtc compiles, a parse error with dtc's
// first message and position when dtc's parser rejects (exit 1), a checks error when dtc's checks
// reject (exit 2). Parse → checks → DTB here runs src/tree/checks.ts and src/fdt/writer.ts too.
// Skips without dtc unless CI is set (test/fdt/dtc-helper.ts installs device-tree-compiler as root).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDts } from '../../src/source/parser.js';
import { CHECK_TABLE, processChecks } from '../../src/tree/checks.js';
import { compileString } from '../../src/compile.js';
import type { Diagnostic } from '../../src/diagnostics.js';
import { generateFixupsTree, generateLocalFixupsTree } from '../../src/tree/fixups.js';
import { writeDtb } from '../../src/fdt/writer.js';
import { ensureDtc } from '../fdt/dtc-helper.js';

const fixtures = join(import.meta.dirname, '../fixtures/dts');
// installs Debian's dtc when missing (as root); under CI a missing dtc fails instead of skipping
const skip = ensureDtc().why ?? false;
const MUTANTS = Number(process.env.PARSER_FUZZ_CASES ?? 120);

interface Verdict {
  kind: 'blob' | 'parse-error' | 'checks-error' | 'crash';
  detail: string;
}

/** Every error line dtc prints (it stops at the first syntax error; semantic ones accumulate). */
function dtcErrors(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => /^(Error|Lexical error): /.test(l))
    .map((l) => l.replace(/^(Error|Lexical error): /, ''));
}

function ourErrors(dir: string, name: string): string[] {
  const r = parseDts(readFileSync(join(dir, name), 'latin1'), name, { includeDirs: [], readFile: (p) => readOrUndefined(join(dir, p)) });
  return r.diagnostics
    .filter((d) => d.severity === 'error')
    .map((e) => `${e.file}:${e.line}.${e.column}-${e.endLine === e.line ? '' : e.endLine + '.'}${e.endColumn} ${e.message}`);
}

function readOrUndefined(p: string): Uint8Array | undefined {
  try {
    return readFileSync(p);
  } catch {
    return undefined;
  }
}

function dtcVerdict(dir: string, name: string): Verdict {
  const r = spawnSync('dtc', ['-I', 'dts', '-O', 'dtb', '-o', 'out.dtb', name], { cwd: dir, encoding: 'latin1', timeout: 20000 });
  if (r.status === 0)
    return {
      kind: 'blob',
      detail: createHash('sha256')
        .update(readFileSync(join(dir, 'out.dtb')))
        .digest('hex'),
    };
  if (r.status === 2) return { kind: 'checks-error', detail: '' };
  if (r.status === 1) {
    const line = r.stderr.split('\n').find((l) => /^(Error|Lexical error|FATAL ERROR): /.test(l)) ?? '';
    return { kind: 'parse-error', detail: line.replace(/^(Error|Lexical error): /, '') };
  }
  return { kind: 'crash', detail: String(r.status ?? r.signal) };
}

function ourVerdict(dir: string, name: string, text: string): Verdict {
  const r = parseDts(text, name, {
    includeDirs: [],
    readFile: (p) => {
      try {
        return readFileSync(join(dir, p));
      } catch {
        return undefined;
      }
    },
  });
  if (!r.tree) {
    const e = r.diagnostics.find((d) => d.severity === 'error');
    if (!e) return { kind: 'parse-error', detail: 'no tree, no error' };
    const end = e.endLine === e.line ? `${e.endColumn}` : `${e.endLine}.${e.endColumn}`;
    return { kind: 'parse-error', detail: e.line ? `${e.file}:${e.line}.${e.column}-${end} ${e.message}` : `FATAL ERROR: ${e.message}` };
  }
  const c = processChecks(r.tree, {});
  if (c.aborted || c.errors) return { kind: 'checks-error', detail: '' };
  if (r.tree.plugin) {
    if (!generateFixupsTree(c.ctx, '__fixups__')) return { kind: 'checks-error', detail: '' };
    generateLocalFixupsTree(c.ctx, '__local_fixups__');
  }
  return { kind: 'blob', detail: createHash('sha256').update(writeDtb(r.tree, {})).digest('hex') };
}

function agrees(ref: Verdict, ours: Verdict): boolean {
  if (ref.kind === 'crash') return true; // dtc 1.6.1 crashed: nothing to compare
  if (ref.kind !== ours.kind) return false;
  if (ref.kind === 'parse-error' && ref.detail.startsWith('FATAL ERROR')) return true; // dtc gives no position
  return ref.detail === ours.detail;
}

const TOKENS = [
  ';',
  '{',
  '}',
  '<',
  '>',
  '[',
  ']',
  '(',
  ')',
  '=',
  ',',
  '/',
  '&',
  ':',
  'a',
  'x:',
  '&x',
  '0x',
  '1',
  '"',
  "'",
  '\\',
  '#',
  '/* c */',
  '// c\n',
  '\n',
  ' ',
  '-',
  '/delete-node/',
  '/bits/',
  '@',
  '/dts-v1/;',
  '/plugin/;',
  '&{/',
  '&{/n}',
  '?',
  '|',
  '!',
  '~',
  '09',
  "'ab'",
  "''",
  '"\\x"',
  '# 3 "other.dtsi"\n',
];

test("fixtures and seeded mutations get dtc 1.6.1's verdict", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-parser-'));
  try {
    const bases = readdirSync(fixtures)
      .filter((f) => f.endsWith('.dts'))
      .sort();
    assert.ok(bases.length >= 3);
    const wrong: string[] = [];
    const check = (label: string, text: string): void => {
      writeFileSync(join(dir, 'case.dts'), text, 'latin1');
      const ref = dtcVerdict(dir, 'case.dts');
      const ours = ourVerdict(dir, 'case.dts', text);
      if (!agrees(ref, ours)) wrong.push(`${label}: dtc ${ref.kind} ${ref.detail} / ours ${ours.kind} ${ours.detail}\n${text}`);
    };
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (const b of bases) {
      const text = readFileSync(join(fixtures, b), 'latin1');
      check(b, text);
      for (let k = 0; k < MUTANTS / bases.length; k++) {
        let s = text;
        for (let m = 1 + rnd(3); m > 0; m--) {
          const p = rnd(s.length + 1);
          const op = rnd(3);
          if (op === 0) s = s.slice(0, p) + s.slice(p + 1 + rnd(3));
          else if (op === 1) s = s.slice(0, p) + TOKENS[rnd(TOKENS.length)] + s.slice(p);
          else {
            const q = rnd(s.length);
            s = s.slice(0, p) + s.slice(q, q + rnd(8)) + s.slice(p);
          }
        }
        check(`${b} mutant ${k}`, s);
      }
    }
    assert.deepEqual(wrong, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("snippets: dtc 1.6.1's verdict and every error it prints, at its positions", { skip }, () => {
  const dir = join(fixtures, 'snippets');
  const wrong: string[] = [];
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.dts'))
    .sort();
  assert.ok(files.length >= 50);
  for (const f of files) {
    const ref = dtcVerdict(dir, f);
    const text = readFileSync(join(dir, f), 'latin1');
    const ours = ourVerdict(dir, f, text);
    if (ref.kind === 'parse-error') {
      const r = spawnSync('dtc', ['-I', 'dts', '-O', 'dtb', '-o', '/dev/null', f], { cwd: dir, encoding: 'latin1' });
      const want = dtcErrors(r.stderr);
      const got = ourErrors(dir, f);
      // dtc stops at its first syntax error; we go on, so compare the prefix dtc printed
      const fatal = r.stderr.includes('FATAL ERROR: Couldn') || r.stderr.includes('FATAL ERROR: Includes');
      if (ours.kind !== 'parse-error' || (!fatal && JSON.stringify(got.slice(0, want.length)) !== JSON.stringify(want))) {
        wrong.push(`${f}: dtc ${JSON.stringify(want)} / ours ${JSON.stringify(got)}`);
      }
    } else if (!agrees(ref, ours)) {
      wrong.push(`${f}: dtc ${ref.kind} / ours ${ours.kind} ${ours.detail}`);
    }
  }
  assert.deepEqual(wrong, []);
});

// ---- structured random programs: merges, deletes and revivals, labels, references, plugins ----

function generateDts(rnd: (n: number) => number): string {
  const pick = <T>(a: T[]): T => a[rnd(a.length)]!;
  // `name` and `p` as both node and property names, `i2c`/`ports` for the bus checks that see
  // deleted children: the checks dtc runs on deleted entries get exercised.
  const names = ['a', 'b', 'name', 'n@1', 'n@2', 'p', 'i2c', 'ports'];
  const props = ['p', 'q', 'name', 's'];
  const labels = ['L1', 'L2', 'L3', 'L4', 'L5'];
  const paths = ['/a', '/b', '/a/b', '/a/c', '/b/n@1', '/c/a/b'];
  const value = (): string => {
    const parts: string[] = [];
    for (let i = 0, n = 1 + rnd(2); i < n; i++) {
      const k = rnd(7);
      if (k === 0) parts.push(`"s${rnd(9)}"`);
      else if (k === 1) parts.push(`<${rnd(5)} ${rnd(99)}>`);
      else if (k === 2) parts.push(`<&${pick(labels)}>`);
      else if (k === 3) parts.push(`&${pick(labels)}`);
      else if (k === 4) parts.push(`&{${pick(paths)}}`);
      else if (k === 5) parts.push(`[${rnd(256).toString(16).padStart(2, '0')}]`);
      else parts.push(`${pick(labels)}: <1>`);
    }
    return parts.join(', ');
  };
  const body = (depth: number): string => {
    let s = '';
    for (let i = 0, n = rnd(4); i < n; i++) {
      const k = rnd(6);
      const lab = rnd(4) === 0 ? `${pick(labels)}: ` : '';
      if (k === 0) s += `/delete-property/ ${pick(props)}; `;
      else if (k <= 2) s += `${lab}${pick(props)} = ${value()}; `;
      else s += `${lab}${pick(props)}; `;
    }
    if (depth < 3) {
      for (let i = 0, n = rnd(4); i < n; i++) {
        const k = rnd(8);
        const lab = rnd(2) === 0 ? `${pick(labels)}: ` : '';
        if (k === 0) s += `/delete-node/ ${pick(names)}; `;
        else if (k === 1) s += `/omit-if-no-ref/ ${lab}${pick(names)} { ${body(depth + 1)}}; `;
        else s += `${lab}${pick(names)} { ${body(depth + 1)}}; `;
      }
    }
    return s;
  };
  const plugin = rnd(5) === 0;
  let s = '/dts-v1/;\n' + (plugin ? '/plugin/;\n' : '');
  s += `/ { ${body(0)} L1: a { b { }; L4: c { a { b { }; }; }; }; L2: b { n@1 { }; }; L3: c { a { L5: b { }; }; }; };\n`;
  for (let i = 0, n = rnd(6); i < n; i++) {
    const t = rnd(7);
    if (t === 0) s += `/ { ${body(0)}};\n`;
    else if (t === 1) s += `&${pick(labels)} { ${body(1)}};\n`;
    else if (t === 2) s += `&{${pick(paths)}} { ${body(1)}};\n`;
    else if (t === 3) s += `${pick(labels)}: &${pick(labels)} { ${body(1)}};\n`;
    else if (t === 4) s += `/delete-node/ &${pick(labels)};\n`;
    else if (t === 5) s += `/delete-node/ &{${pick(paths)}};\n`;
    else s += `/omit-if-no-ref/ &${pick(labels)};\n`;
  }
  return s;
}

/** A check diagnostic as dtc prints it: `file:line.col-col: ERROR (check): message`. */
function dtcCheckLine(d: Diagnostic, outName: string): string {
  let pos = outName;
  if (d.line && d.line !== d.endLine) pos = `${d.file}:${d.line}.${d.column}-${d.endLine}.${d.endColumn}`;
  else if (d.line && d.column !== d.endColumn) pos = `${d.file}:${d.line}.${d.column}-${d.endColumn}`;
  else if (d.line) pos = `${d.file}:${d.line}.${d.column}`;
  return `${pos}: ${d.severity === 'error' ? 'ERROR' : 'Warning'} (${d.code}): ${d.message}`;
}

test("structured random programs build dtc's tree: same blob (-f, every other one -@) and check messages", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-parser-gen-'));
  const out = join(dir, 'out.dtb');
  const checkNames = new Set(CHECK_TABLE.map((c) => c.name));
  try {
    let seed = 2024;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed % n;
    };
    const wrong: string[] = [];
    const cases = Number(process.env.PARSER_GEN_CASES ?? 300);
    for (let k = 0; k < cases; k++) {
      const text = generateDts(rnd);
      const symbols = k % 2 === 1;
      writeFileSync(join(dir, 'g.dts'), text);
      rmSync(out, { force: true });
      const d = spawnSync('dtc', ['-f', ...(symbols ? ['-@'] : []), '-I', 'dts', '-O', 'dtb', '-o', out, 'g.dts'], {
        cwd: dir,
        encoding: 'latin1',
        timeout: 20000,
      });
      if (d.status === 1) {
        const r = parseDts(text, 'g.dts', { includeDirs: [] });
        const first = dtcErrors(d.stderr)[0];
        const e = r.diagnostics.find((x) => x.severity === 'error');
        const ours = e ? `${e.file}:${e.line}.${e.column}-${e.endColumn} ${e.message}` : 'accepted';
        if (r.tree || ours !== first) wrong.push(`case ${k}: dtc "${first}", ours "${ours}"\n${text}`);
        continue;
      }
      if (d.status !== 0 && d.status !== 2) continue;
      const r = compileString(text, { fileName: 'g.dts', preprocess: false, force: true, symbols, outName: out });
      if (!r.dtb) {
        wrong.push(`case ${k}: dtc builds it, we do not: ${r.diagnostics[0]?.message}\n${text}`);
        continue;
      }
      if (Buffer.compare(Buffer.from(r.dtb), readFileSync(out)) !== 0) wrong.push(`case ${k}: blobs differ\n${text}`);
      const theirs = d.stderr.split('\n').filter((l) => / \((\w+)\): /.test(l));
      const mine = r.diagnostics.filter((x) => checkNames.has(x.code)).map((x) => dtcCheckLine(x, out));
      if (mine.join('\n') !== theirs.join('\n'))
        wrong.push(`case ${k}: check messages differ\n${text}\nours: ${mine.join('\n')}\ndtc: ${theirs.join('\n')}`);
    }
    assert.deepEqual(wrong, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- random values: integer expressions on every operator, /bits/ widths, escapes, bytes ----

function generateValues(rnd: (n: number) => number): string {
  const pick = <T>(a: T[]): T => a[rnd(a.length)]!;
  const lits = [
    '0',
    '1',
    '2',
    '3',
    '7',
    '8',
    '15',
    '16',
    '31',
    '32',
    '63',
    '64',
    '65',
    '0xff',
    '0xffffffff',
    '0x100000000',
    '0x7fffffffffffffff',
    '0x8000000000000000',
    '0xffffffffffffffff',
    '077',
    "'a'",
    "'\\n'",
    "'\\377'",
    "'\\x80'",
    '10U',
    '5ULL',
  ];
  const binops = ['+', '-', '*', '/', '%', '<<', '>>', '<', '>', '<=', '>=', '==', '!=', '&', '^', '|', '&&', '||'];
  const expr = (d: number): string => {
    const k = rnd(d > 3 ? 2 : 6);
    if (k === 0) return pick(lits);
    if (k === 1) return pick(['-', '~', '!']) + (rnd(2) ? pick(lits) : '(' + expr(d + 1) + ')');
    if (k === 2) return `${expr(d + 1)} ? ${expr(d + 1)} : ${expr(d + 1)}`;
    if (k === 3) return `(${expr(d + 1)})`;
    return `${expr(d + 1)} ${pick(binops)} ${expr(d + 1)}`;
  };
  const esc = ['\\n', '\\t', '\\\\', '\\"', '\\x41', '\\x4', '\\101', '\\7', '\\0', '\\q', 'abc', ' ', '\\a\\b\\v\\f\\r'];
  let body = '';
  for (let i = 0; i < 6; i++) {
    const t = rnd(5);
    if (t <= 2) body += `p${i} = ${pick(['', '/bits/ 8 ', '/bits/ 16 ', '/bits/ 32 ', '/bits/ 64 '])}<(${expr(0)}) (${expr(0)})>;\n`;
    else if (t === 3) body += `s${i} = "${Array.from({ length: 1 + rnd(4) }, () => pick(esc)).join('')}", "x";\n`;
    else body += `b${i} = [${Array.from({ length: rnd(5) }, () => rnd(256).toString(16).padStart(2, '0')).join(rnd(2) ? ' ' : '')}];\n`;
  }
  return `/dts-v1/;\n/memreserve/ (${expr(1)}) (${expr(1)});\n/ {\n${body}};\n`;
}

test("random values and expressions: dtc's bytes, or every error dtc prints", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-parser-values-'));
  try {
    let seed = 99;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed % n;
    };
    const wrong: string[] = [];
    const cases = Number(process.env.PARSER_VALUE_CASES ?? 200);
    for (let k = 0; k < cases; k++) {
      const text = generateValues(rnd);
      writeFileSync(join(dir, 'v.dts'), text);
      rmSync(join(dir, 'out.dtb'), { force: true });
      const d = spawnSync('dtc', ['-f', '-I', 'dts', '-O', 'dtb', '-o', 'out.dtb', 'v.dts'], {
        cwd: dir,
        encoding: 'latin1',
        timeout: 20000,
      });
      if (d.status === 1) {
        const want = dtcErrors(d.stderr);
        const got = ourErrors(dir, 'v.dts');
        if (JSON.stringify(got) !== JSON.stringify(want))
          wrong.push(`case ${k}: dtc ${JSON.stringify(want)} / ours ${JSON.stringify(got)}\n${text}`);
        continue;
      }
      if (d.status !== 0 && d.status !== 2) continue;
      const r = parseDts(text, 'v.dts', { includeDirs: [] });
      if (!r.tree) {
        wrong.push(`case ${k}: dtc builds it, we reject: ${r.diagnostics[0]?.message}\n${text}`);
        continue;
      }
      processChecks(r.tree, {});
      const ours = createHash('sha256').update(writeDtb(r.tree, {})).digest('hex');
      const ref = createHash('sha256')
        .update(readFileSync(join(dir, 'out.dtb')))
        .digest('hex');
      if (ours !== ref) wrong.push(`case ${k}: blobs differ\n${text}`);
    }
    assert.deepEqual(wrong, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
