// Every board in examples/ (what the README tells users to run first) compiles with carveout to
// the same bytes as `cpp` + Debian's `dtc`, and the README's first command works through the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { repoRoot, runCli } from '../helpers/cli.js';
import { firstDifference, loadOurCompiler } from './corpus-lib.js';

const examples = join(repoRoot, 'examples');
function walk(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (n.endsWith('.dts')) out.push(p);
  }
  return out;
}
const boards = walk(examples);
const haveTools = spawnSync('cpp', ['--version']).status === 0 && spawnSync('dtc', ['--version']).status === 0;
const skipNoTools = haveTools
  ? false
  : process.env.CI
    ? false
    : 'cpp and dtc (apt-get install cpp device-tree-compiler) are needed as the reference';

/** The reference: the kernel's way (cpp then dtc), with examples/ as the only include dir. */
function reference(file: string): { dtb?: Uint8Array; stderr: string } {
  const pre = spawnSync('cpp', ['-nostdinc', '-undef', '-D__DTS__', '-x', 'assembler-with-cpp', file], { maxBuffer: 64 << 20 });
  if (pre.status !== 0) return { stderr: pre.stderr.toString() };
  const r = spawnSync('dtc', ['-O', 'dtb', '-b', '0', '-i', dirname(file), '-o', '-', '-'], { input: pre.stdout, maxBuffer: 64 << 20 });
  return r.status === 0 ? { dtb: new Uint8Array(r.stdout), stderr: r.stderr.toString() } : { stderr: r.stderr.toString() };
}

test('examples/ has boards', () => {
  assert.ok(
    boards.some((b) => b.endsWith('qemu-virt-cma.dts')),
    'examples/qemu-virt-cma.dts (the README first command) is missing',
  );
});

for (const board of boards) {
  const name = relative(repoRoot, board);
  test(`${name}: carveout's blob is byte-identical to cpp + dtc`, { skip: skipNoTools }, async () => {
    const ref = reference(board);
    assert.ok(ref.dtb, `the reference rejects ${name}:\n${ref.stderr}`);
    assert.equal(ref.stderr.trim(), '', `dtc warns about ${name} — examples should be clean:\n${ref.stderr}`);
    const { compiler, problem } = await loadOurCompiler();
    assert.ok(compiler, problem);
    const ours = await compiler.compileFile(board, { includeDirs: [dirname(board)] });
    assert.ok(
      ours.dtb,
      `carveout rejects ${name}: ${ours.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`).join('; ')}`,
    );
    assert.equal(firstDifference(ref.dtb, ours.dtb), 'identical');
  });
}

test('README first command: carveout compile examples/qemu-virt-cma.dts -o FILE', { skip: skipNoTools }, () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  assert.match(
    readme,
    /npx carveout compile examples\/qemu-virt-cma\.dts -o \S+/,
    'README no longer shows the example command this test checks',
  );
  const out = join(mkdtempSync(join(tmpdir(), 'carveout-ex-')), 'board.dtb');
  const r = runCli(['compile', 'examples/qemu-virt-cma.dts', '-o', out]);
  assert.equal(r.status, 0, `exit ${r.status}\n${r.stderr}`);
  const ref = reference(join(examples, 'qemu-virt-cma.dts'));
  assert.equal(firstDifference(ref.dtb!, new Uint8Array(readFileSync(out))), 'identical');
  // …and its plan part: the blob planned for Linux 6.12 on QEMU's virt machine.
  assert.match(
    readme,
    /npx carveout plan \/tmp\/board\.dtb --kernel 6\.12-arm64 --platform qemu-virt/,
    'README no longer shows the plan command this test checks',
  );
  const p = runCli(['plan', out, '--kernel', '6.12-arm64', '--platform', 'qemu-virt']);
  assert.equal(p.status, 0, `plan exit ${p.status}\n${p.stderr}`);
  assert.match(p.stdout, /linux,cma/);
  assert.match(p.stdout, /firmware@7f000000/);
});
