// Trees nested thousands of levels deep and inputs that fail a check on every one of thousands of
// nodes: compile and decompile work as dtc does, up to documented bounds (MAX_TREE_DEPTH,
// MAX_DIAGNOSTICS), and past them stop with a diagnostic, exit 2 — never a stack overflow (exit 70).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { compileString } from '../../src/compile.js';
import { appendDiagnostics, diag, hasErrors, MAX_DIAGNOSTICS, pushDiagnostic, type Diagnostic } from '../../src/diagnostics.js';
import { writeDtb } from '../../src/fdt/writer.js';
import { MAX_TREE_DEPTH, newNode, type Tree } from '../../src/tree/types.js';
import { noSpan } from '../../src/diagnostics.js';

const haveDtc = spawnSync('dtc', ['--version']).status === 0;
const noDtc = !haveDtc && !process.env.CI ? 'dtc not installed' : false;

function withTmp(f: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-deep-'));
  try {
    f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A blob whose root has one chain of `levels - 1` nodes below it (`levels` levels in all). */
function chainBlob(levels: number): Uint8Array {
  const root = newNode('', noSpan);
  let n = root;
  for (let i = 1; i < levels; i++) {
    const c = newNode(`n${i}`, noSpan, n);
    n.children.push(c);
    n = c;
  }
  const tree: Tree = { plugin: false, memreserves: [], root, bootCpuidPhys: 0 };
  return writeDtb(tree);
}

function dtc(args: string[]): { status: number; stdout: Buffer; stderr: string } {
  const r = spawnSync('dtc', args, { maxBuffer: 512 * 1024 * 1024 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() };
}

test('decompile of a blob 6,000 levels deep (was a stack overflow at ~5,000): the DTS dtc writes', { skip: noDtc }, () => {
  withTmp((dir) => {
    const f = join(dir, 'deep.dtb');
    writeFileSync(f, chainBlob(6000));
    const r = runCli(['decompile', f]);
    assert.equal(r.status, 0, r.stderr.slice(0, 2000));
    assert.doesNotMatch(r.stderr, /Maximum call stack|\n\s+at /);
    const ref = dtc(['-I', 'dtb', '-O', 'dts', f]);
    assert.equal(ref.status, 0, ref.stderr);
    assert.equal(r.stdout, ref.stdout.toString('latin1'));
  });
});

test(`compile -I dtb -O dtb at the bound (${MAX_TREE_DEPTH} levels) is dtc's blob; one level more is exit 2`, { skip: noDtc }, () => {
  withTmp((dir) => {
    const f = join(dir, 'deep.dtb');
    writeFileSync(f, chainBlob(MAX_TREE_DEPTH));
    const out = join(dir, 'out.dtb');
    const r = runCli(['compile', '-I', 'dtb', '-O', 'dtb', '-o', out, f]);
    assert.equal(r.status, 0, r.stderr.slice(0, 2000));
    const ref = dtc(['-I', 'dtb', '-O', 'dtb', f]);
    assert.equal(ref.status, 0, ref.stderr);
    assert.deepEqual(readFileSync(out), ref.stdout);

    writeFileSync(f, chainBlob(MAX_TREE_DEPTH + 1));
    const over = runCli(['decompile', f]);
    assert.equal(over.status, 2, over.stderr.slice(0, 2000));
    assert.match(over.stderr, new RegExp(`nested more than ${MAX_TREE_DEPTH} levels deep \\[dtb-too-deep\\]`));
    assert.doesNotMatch(over.stderr, /\n\s+at /);
  });
});

/** `blocks` `&label { ... }` blocks, each nesting 990 levels below the previous block's deepest node. */
function mergedChainDts(blocks: number): string {
  let s = '/dts-v1/;\n/ { l0: a0 { }; };\n';
  for (let b = 0; b < blocks; b++) {
    s += `&l${b} {`;
    for (let i = 0; i < 989; i++) s += ` x${i} {`;
    s += ` l${b + 1}: y { };`;
    for (let i = 0; i < 989; i++) s += ' };';
    s += ' };\n';
  }
  return s;
}

test('DTS: &label blocks nested inside each other to 8,900 levels compile to dtc blob; past the bound exit 2', { skip: noDtc }, () => {
  withTmp((dir) => {
    const f = join(dir, 'deep.dts');
    writeFileSync(f, mergedChainDts(9));
    const out = join(dir, 'out.dtb');
    const r = runCli(['compile', '-O', 'dtb', '-o', out, f]);
    assert.equal(r.status, 0, r.stderr.slice(0, 2000));
    const ref = dtc(['-O', 'dtb', f]);
    assert.equal(ref.status, 0, ref.stderr);
    assert.deepEqual(readFileSync(out), ref.stdout);

    const over = compileString(mergedChainDts(11), { fileName: 'deep.dts' });
    assert.equal(over.failed, 'input');
    const d = over.diagnostics.find((x) => x.code === 'nesting-too-deep');
    assert.ok(d, JSON.stringify(over.diagnostics.slice(0, 3)));
    assert.match(d.message, new RegExp(`more than ${MAX_TREE_DEPTH} levels deep`));
    assert.equal(d.file, 'deep.dts');
    assert.ok(d.line > 1);
  });
});

/** 50 buses of 1,000 nodes with `reg` and no #address-cells: each fails several checks. */
function noisyDts(): string {
  let s = '/dts-v1/;\n/ {\n';
  for (let a = 0; a < 50; a++) {
    s += `b${a} {\n`;
    for (let b = 0; b < 1000; b++) s += `c${b}@${b.toString(16)} { reg = <${b}>; };\n`;
    s += '};\n';
  }
  return s + '};\n';
}

test('150,000 check warnings (was exit 70 in finishTree): the blob dtc writes, the first MAX_DIAGNOSTICS shown and a count of the rest', {
  skip: noDtc,
}, () => {
  withTmp((dir) => {
    const f = join(dir, 'noisy.dts');
    writeFileSync(f, noisyDts());
    const out = join(dir, 'out.dtb');
    const r = runCli(['compile', '-O', 'dtb', '-o', out, f]);
    assert.equal(r.status, 0, r.stderr.slice(-2000));
    const ref = dtc(['-O', 'dtb', f]);
    assert.equal(ref.status, 0);
    assert.deepEqual(readFileSync(out), ref.stdout);
    // dtc prints every warning: count them and compare with what we kept plus what we counted.
    const dtcWarnings = ref.stderr.split('\n').filter((l) => l.includes('Warning')).length;
    const shown = r.stderr.split('\n').filter((l) => /: warning: .*\[(?!too-many)/.test(l)).length;
    assert.equal(shown, MAX_DIAGNOSTICS);
    const m = /: warning: (\d+) more diagnostics not shown \((\d+) warnings\); at most 10000 are kept \[too-many-diagnostics\]/.exec(
      r.stderr,
    );
    assert.ok(m, r.stderr.slice(-500));
    assert.equal(shown + Number(m[1]), dtcWarnings);
  });
});

test('an error past the diagnostics cap still fails (the summary is an error), and merging capped lists keeps the counts', () => {
  const list: Diagnostic[] = [];
  for (let i = 0; i < MAX_DIAGNOSTICS + 5; i++) pushDiagnostic(list, diag('warning', 'w', `w${i}`));
  assert.equal(list.length, MAX_DIAGNOSTICS + 1);
  assert.equal(hasErrors(list), false);
  pushDiagnostic(list, diag('error', 'e', 'the one error'));
  assert.equal(hasErrors(list), true);
  const summary = list.at(-1)!;
  assert.equal(summary.code, 'too-many-diagnostics');
  assert.equal(summary.message, '6 more diagnostics not shown (1 error, 5 warnings); at most 10000 are kept');
  // A stage's capped list appended to the run's: the counts carry over, nothing past the cap is kept.
  const run: Diagnostic[] = [diag('note', 'n', 'first')];
  appendDiagnostics(run, list);
  assert.equal(run.length, MAX_DIAGNOSTICS + 1);
  assert.equal(run.at(-1)!.message, '7 more diagnostics not shown (1 error, 6 warnings); at most 10000 are kept');
  assert.equal(run.at(-1)!.severity, 'error');
});
