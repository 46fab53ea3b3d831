// Usage errors, for every command: exit 2, the message on stderr, nothing on stdout (a script
// piping `--format json` output must never get a usage text instead).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { profileIds } from '../../src/kernel/profiles/index.js';

const cases: [string[], RegExp][] = [
  [['kernels', '--format', 'xml'], /carveout kernels: unknown format 'xml'/],
  [['kernels', '--format=xml'], /carveout kernels: unknown format 'xml'/],
  [['kernels', '--format'], /carveout kernels: unknown format ''/],
  [['kernels', '--bogus'], /carveout kernels: unknown argument '--bogus'/],
  [['kernels', 'fetch', '--bogus'], /carveout kernels fetch: unknown option '--bogus'/],
  [['compile', '--bogus'], /carveout compile: unknown option '--bogus'/],
  [['decompile', '--bogus'], /carveout decompile: unknown option '--bogus'/],
  [['plan', '--bogus'], /carveout plan: unknown option '--bogus'/],
  [['plan', 'x.dts', '--format', 'xml'], /carveout plan: unknown format 'xml'/],
  [['verify', '--bogus'], /carveout verify: unknown option '--bogus'/],
  [['--bogus'], /carveout: unknown command '--bogus'/],
  [['decompile'], /carveout decompile: no input blob given/],
  [['plan'], /carveout plan: no input file/],
  [['verify'], /carveout verify: no input file/],
];

for (const [args, message] of cases) {
  test(`carveout ${args.join(' ')}: exit 2, usage error on stderr only`, () => {
    const r = runCli(args);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, message);
  });
}

test('kernels --format json and --format=json still list the kernels', () => {
  for (const args of [
    ['kernels', '--format', 'json'],
    ['kernels', '--format=json'],
  ]) {
    const r = runCli(args);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(Array.isArray(JSON.parse(r.stdout).kernels));
  }
});

test("every command's --help names the same kernels for --kernel, and every built-in one", () => {
  const kernelLine = (command: string) => {
    const r = runCli([command, '--help']);
    assert.equal(r.status, 0, `${command}: ${r.stderr}`);
    const line = r.stdout.split('\n').find((l) => l.trimStart().startsWith('--kernel ID'));
    assert.ok(line, `${command} --help has no --kernel line`);
    return line.replace(/^\s*--kernel ID\s+/, '');
  };
  const plan = kernelLine('plan');
  for (const id of profileIds) assert.ok(plan.includes(id), `plan --help lacks ${id}`);
  for (const command of ['check', 'verify', 'map', 'explain', 'diff']) assert.equal(kernelLine(command), plan, command);
});
