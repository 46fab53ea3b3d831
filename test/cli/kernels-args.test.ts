// The one parser of the kernels subcommands' own flags (src/cli/args.ts parseCommandArgs), and
// `carveout kernels add`'s and `facts`' bad input through it: a usage error (exit 2) naming the problem, the
// first one in argv's order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandArgs } from '../../src/cli/args.js';
import { runCli } from '../helpers/cli.js';

const FLAGS = { '--lab': true, '--boots': 'a value', '--kernel-config': 'a file' } as const;
const ONE = { max: 1, tooMany: 'one ID or NAME' };

test('parseCommandArgs: values spaced or after =, the last one kept, switches, positionals in order', () => {
  const a = parseCommandArgs(['6.12-arm64', '--boots', '4', '--lab', '--kernel-config=c', '--boots=8'], FLAGS, ONE);
  assert.ok(!('error' in a));
  assert.deepEqual(a.positionals, ['6.12-arm64']);
  assert.deepEqual(a.values, { '--boots': '8', '--kernel-config': 'c' });
  assert.deepEqual([...a.switches], ['--lab']);
  // without a bound, any number of positionals
  const b = parseCommandArgs(['x', 'y', 'z'], FLAGS);
  assert.deepEqual('error' in b ? b.error : b.positionals, ['x', 'y', 'z']);
});

test('parseCommandArgs: the first problem in argv order is the error', () => {
  const cases: Array<[string[], string]> = [
    [['--boots'], '--boots needs a value'],
    [['--kernel-config='], '--kernel-config needs a file'],
    [['--frobnicate', 'a', 'b'], "unknown option '--frobnicate'"],
    [['a', 'b', '--frobnicate'], 'one ID or NAME'],
    [['--lab=no'], '--lab takes no value'],
    [['-x'], "unknown option '-x'"],
  ];
  for (const [argv, error] of cases) assert.deepEqual(parseCommandArgs(argv, FLAGS, ONE), { error }, argv.join(' '));
});

test('kernels add: bad input exits 2 with the reason', () => {
  const env = { ...process.env, CARVEOUT_CACHE: mkdtempSync(join(tmpdir(), 'carveout-add-args-')) };
  const cases: Array<[string[], RegExp]> = [
    [[], /NAME, --kernel-config and --system-map are required/],
    [['mine', '--kernel-config', 'c'], /NAME, --kernel-config and --system-map are required/],
    [['mine', '--kernel-config'], /--kernel-config needs a file/],
    [['mine', '--system-map='], /--system-map needs a file/],
    [['mine', 'yours', '--kernel-config', 'c', '--system-map', 'm'], /one NAME/],
    [['mine', '--boots', '3'], /unknown option '--boots'/],
    // files that are not there: the store's diagnostics, still exit 2
    [['mine', '--kernel-config', '/nonexistent/config', '--system-map', '/nonexistent/System.map'], /nonexistent/],
  ];
  for (const [args, why] of cases) {
    const r = runCli(['kernels', 'add', ...args], { env });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, why, args.join(' '));
  }
});

test('kernels facts: bad input exits 2 with the reason', () => {
  const env = { ...process.env, CARVEOUT_CACHE: mkdtempSync(join(tmpdir(), 'carveout-facts-args-')) };
  const cases: Array<[string[], RegExp]> = [
    [['--dir'], /--dir needs a directory/],
    [['6.12-arm64', 'nosuch'], /unknown kernel 'nosuch'/],
    [['--frobnicate'], /unknown option '--frobnicate'/],
    [['--dir', mkdtempSync(join(tmpdir(), 'carveout-facts-empty-'))], /no lab records in /],
  ];
  for (const [args, why] of cases) {
    const r = runCli(['kernels', 'facts', ...args], { env });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, why, args.join(' '));
  }
});
