// dtc-tests beyond default flags, against Debian's dtc run live (skipped when dtc is not
// installed; CI installs it): -@, -H legacy|both, -A, -s, -W/-E switches, and DTB input
// (-I dtb) — every blob byte-identical, every check message and exit status the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFile, type CompileOptions } from '../../src/compile.js';
import type { Diagnostic } from '../../src/diagnostics.js';
import { CHECK_TABLE, type CheckFlag } from '../../src/tree/checks.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const dir = [process.env.CARVEOUT_DTC_TESTS, join(repo, '..', 'shared', 'dtc-tests'), join(repo, 'test', 'fixtures', 'dtc-tests')].find(
  (d): d is string => !!d && existsSync(join(d, 'expectations.tsv')),
);
const dtcAvailable = spawnSync('dtc', ['--version']).status === 0;
const checkNames = new Set(CHECK_TABLE.map((c) => c.name));

function dtcPos(d: Diagnostic, outName: string): string {
  if (!d.line) return outName;
  if (d.line !== d.endLine) return `${d.file}:${d.line}.${d.column}-${d.endLine}.${d.endColumn}`;
  if (d.column !== d.endColumn) return `${d.file}:${d.line}.${d.column}-${d.endColumn}`;
  return `${d.file}:${d.line}.${d.column}`;
}

if (!dir || !dtcAvailable) {
  test('dtc-tests with flags vs live dtc', (t) => {
    if (process.env.CI)
      assert.fail(!dir ? 'dtc test inputs not found (../shared/dtc-tests)' : 'dtc not installed (apt-get install device-tree-compiler)');
    t.skip(!dir ? 'dtc test inputs not found' : 'Debian dtc not installed');
  });
} else {
  const rows = readFileSync(join(dir, 'expectations.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'));
  const ok0 = rows.filter((r) => r[1] === '0').map((r) => r[0]!);
  const okOr2 = rows.filter((r) => r[1] === '0' || r[1] === '2').map((r) => r[0]!);
  const tmp = mkdtempSync(join(tmpdir(), 'carveout-dtc-flags-'));
  const out = join(tmp, 'out.dtb');

  /** Compile `file` with dtc and with us; return a description of the first difference. */
  function compare(file: string, args: string[], opts: CompileOptions, input = file): string | undefined {
    rmSync(out, { force: true });
    const live = spawnSync('timeout', ['20', 'dtc', ...args, '-o', out, input], { cwd: dir, encoding: 'latin1' });
    const cwd = process.cwd();
    process.chdir(dir!);
    let r: ReturnType<typeof compileFile>;
    try {
      r = compileFile(input, { preprocess: false, outName: out, ...opts });
    } finally {
      process.chdir(cwd);
    }
    if ((live.status === 0) !== !!r.dtb) return `dtc exit ${live.status}, ours ${r.dtb ? 'compiled' : 'failed'}`;
    if (r.dtb && !Buffer.from(r.dtb).equals(readFileSync(out))) return 'bytes differ';
    const theirs = live.stderr.split('\n').filter((l) => / \((\w+)\): /.test(l));
    const mine = r.diagnostics
      .filter((d) => checkNames.has(d.code))
      .map((d) => `${dtcPos(d, out)}: ${d.severity === 'error' ? 'ERROR' : 'Warning'} (${d.code}): ${d.message}`);
    if (theirs.join('\n') !== mine.join('\n'))
      return `messages differ:\n  dtc:  ${theirs.join('\n        ')}\n  ours: ${mine.join('\n        ')}`;
    return undefined;
  }

  const variants: Array<[string, string[], CompileOptions]> = [
    ['-@', ['-@'], { symbols: true }],
    ['-H legacy', ['-H', 'legacy'], { phandleStyle: 'legacy' }],
    ['-@ -H both', ['-@', '-H', 'both'], { symbols: true, phandleStyle: 'both' }],
    ['-A -s', ['-A', '-s'], { autoAliases: true, sort: true }],
    ['-p 64 -R 2 -b 3', ['-p', '64', '-R', '2', '-b', '3'], { padding: 64, reserve: 2, bootCpuid: 3 }],
  ];
  for (const [name, args, opts] of variants) {
    test(`dtc-tests ${name}: identical to live dtc`, () => {
      const bad = ok0.map((f) => [f, compare(f, args, opts)]).filter(([, why]) => why);
      assert.deepEqual(bad, []);
    });
  }

  const switches: string[][] = [
    ['-Ereg_format'],
    ['-Wno-addr_size_cells'],
    ['-Eunit_address_vs_reg', '-Wno-reg_format'],
    ['-Walways_fail'],
    ['-Wunique_unit_address_if_enabled', '-Wno-unique_unit_address'],
    ['-Wnode_name_chars_strict', '-Wproperty_name_chars_strict', '-Wdeprecated_gpio_property'],
    ['-Eno-duplicate_label', '-Eno-phandle_references'],
    ['-Eno-explicit_phandles'],
    ['-Egraph_port'],
    ['-Eno-name_properties'],
    ['-Wno-phandle_references'],
  ];
  test('dtc-tests with -W/-E switches: same messages, same outcome', () => {
    const bad: string[] = [];
    for (const sw of switches) {
      const flags: CheckFlag[] = sw.map((s) => ({ kind: s[1] as 'W' | 'E', name: s.slice(2) }));
      for (const f of okOr2) {
        const why = compare(f, sw, { checkFlags: flags });
        if (why) bad.push(`${f} ${sw.join(' ')}: ${why}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  test('dtc-tests as DTB input (-I dtb, with and without -@): identical to live dtc', () => {
    const bad: string[] = [];
    const blob = join(tmp, 'in.dtb');
    for (const f of ok0) {
      for (const pre of [[], ['-@']]) {
        assert.equal(spawnSync('dtc', [...pre, '-o', blob, f], { cwd: dir }).status, 0);
        for (const [args, opts] of [
          [['-O', 'dtb'], {}],
          [['-O', 'dtb', '-@', '-H', 'both'], { symbols: true, phandleStyle: 'both' as const }],
        ] as const) {
          const why = compare(f, ['-I', 'dtb', ...args], { inputFormat: 'dtb', ...opts }, blob);
          if (why) bad.push(`${f} ${pre.join(' ')} → -I dtb ${args.join(' ')}: ${why}`);
        }
      }
    }
    assert.deepEqual(bad, []);
  });

  test('cleanup', () => rmSync(tmp, { recursive: true, force: true }));
}
