// `carveout compile` end to end through the CLI: dtc's flags, output to file and stdout,
// diagnostics rendered with the source line and a caret, exit 2 on errors.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { parseArgs, parseCNumber } from '../../src/cli/commands/compile.js';
import { isDtb } from '../../src/fdt/reader.js';

const dir = mkdtempSync(join(tmpdir(), 'carveout-compile-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const board = join(dir, 'board.dts');
writeFileSync(
  board,
  `/dts-v1/;
/ {
	#address-cells = <1>;
	#size-cells = <1>;
	uart: serial@1000 {
		reg = <0x1000 0x100>;
	};
	chosen {
		stdout-path = &uart;
		uart-phandle = <&uart>;
	};
};
`,
);
const bad = join(dir, 'bad.dts');
writeFileSync(bad, `/dts-v1/;\n/ {\n\tfoo = <&nosuch>;\n};\n`);
const dtcAvailable = spawnSync('dtc', ['--version']).status === 0;

test('compiles to a file; -O dts and -@ work; byte-identical to dtc when installed', () => {
  const out = join(dir, 'board.dtb');
  const r = runCli(['compile', '--no-cpp', board, '-o', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(isDtb(readFileSync(out)));
  if (dtcAvailable) {
    for (const flags of [[], ['-@'], ['-H', 'both'], ['-p', '64', '-b', '3'], ['-R', '2', '-a', '16']]) {
      const ours = join(dir, 'o.dtb');
      const theirs = join(dir, 't.dtb');
      assert.equal(runCli(['compile', '--no-cpp', ...flags, board, '-o', ours]).status, 0);
      assert.equal(spawnSync('dtc', [...flags, '-o', theirs, board]).status, 0);
      assert.deepEqual(readFileSync(ours), readFileSync(theirs), `flags ${flags.join(' ')}`);
    }
  }
  const dts = runCli(['compile', '--no-cpp', '-@', '-O', 'dts', board]);
  assert.equal(dts.status, 0, dts.stderr);
  assert.match(dts.stdout, /__symbols__ \{\n\t\tuart = "\/serial@1000";/);
  assert.match(dts.stdout, /stdout-path = "\/serial@1000";/);
});

test('-d writes a make dependency line with every file read', () => {
  const inc = join(dir, 'part.dtsi');
  writeFileSync(inc, '/ { part { }; };\n');
  const top = join(dir, 'top.dts');
  writeFileSync(top, '/dts-v1/;\n#include "part.dtsi"\n/include/ "part.dtsi"\n/ { };\n');
  const dep = join(dir, 'top.d');
  const r = runCli(['compile', top, '-o', join(dir, 'top.dtb'), '-d', dep]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(dep, 'utf8'), `${join(dir, 'top.dtb')}: ${top} ${inc}\n`);
});

test('-I dtb input decompiles to DTS on stdout by default', () => {
  const out = join(dir, 'b2.dtb');
  assert.equal(runCli(['compile', '--no-cpp', board, '-o', out]).status, 0);
  const r = runCli(['compile', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\/dts-v1\/;/);
  assert.match(r.stdout, /uart-phandle = <0x01>;/);
});

test('errors exit 2 with file:line:col, the source line and a caret; nothing is written', () => {
  const out = join(dir, 'bad.dtb');
  const r = runCli(['compile', '--no-cpp', bad, '-o', out]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bad\.dts:2:3: error: \/: Reference to non-existent node or label "nosuch" \[phandle_references\]/);
  assert.match(r.stderr, /ERROR: Input tree has errors, aborting \(use -f to force output\)/);
  assert.ok(!existsSync(out));
  // -f forces the output anyway.
  const f = runCli(['compile', '--no-cpp', '-f', bad, '-o', out]);
  assert.equal(f.status, 0, f.stderr);
  assert.match(f.stderr, /Input tree has errors, output forced/);
  assert.ok(existsSync(out));
});

test('warnings are dtc check names; -Wno-, -E and -q', () => {
  const w = join(dir, 'warn.dts');
  writeFileSync(w, `/dts-v1/;\n/ {\n\tnode@1 {\n\t};\n};\n`);
  let r = runCli(['compile', '--no-cpp', w, '-o', join(dir, 'w.dtb')]);
  assert.equal(r.status, 0);
  assert.match(
    r.stderr,
    /warn\.dts:3:\d+: warning: \/node@1: node has a unit name, but no reg or ranges property \[unit_address_vs_reg\]\n\s+node@1 \{\n\s+\^/,
  );
  r = runCli(['compile', '--no-cpp', '-Wno-unit_address_vs_reg', w, '-o', join(dir, 'w.dtb')]);
  assert.equal(r.stderr, '');
  r = runCli(['compile', '--no-cpp', '-q', w, '-o', join(dir, 'w.dtb')]);
  assert.equal(r.stderr, '');
  r = runCli(['compile', '--no-cpp', '-E', 'unit_address_vs_reg', w, '-o', join(dir, 'w.dtb')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /error: \/node@1: node has a unit name/);
  r = runCli(['compile', '--no-cpp', '-W', 'nosuchcheck', w]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /Unrecognized check name "nosuchcheck"/);
});

test('usage errors: -p with -S, bad -H, bad -a, missing input file', () => {
  assert.match(runCli(['compile', '-p', '10', '-S', '100', board]).stderr, /Can't set both -p and -S/);
  assert.match(runCli(['compile', '-H', 'nope', board]).stderr, /Invalid argument "nope" to -H option/);
  assert.match(runCli(['compile', '-a', '3', board]).stderr, /Invalid argument "3" to -a option/);
  const r = runCli(['compile', '--no-cpp', join(dir, 'missing.dts'), '-o', join(dir, 'm.dtb')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /Couldn't open/);
});

test('--list-checks prints the 88 checks of dtc 1.6.1 with levels', () => {
  const r = runCli(['compile', '--list-checks']);
  assert.equal(r.status, 0);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 88);
  assert.match(lines[0]!, /^duplicate_node_names\s+error/);
  assert.ok(lines.some((l) => /^reg_format\s+warning\s+after addr_size_cells$/.test(l)));
  assert.ok(lines.some((l) => /^always_fail\s+off/.test(l)));
});

test('option parsing follows getopt and strtol', () => {
  assert.equal(parseCNumber('0x10'), 16);
  assert.equal(parseCNumber('010'), 8);
  assert.equal(parseCNumber('12abc'), 12);
  const p = parseArgs(['-i', 'a', '-ib', '-Wno-reg_format', '-E', 'x', '-@q', '--out=o.dtb', 'in.dts']);
  assert.ok(typeof p !== 'string');
  assert.deepEqual(p.opts.includeDirs, ['a', 'b']);
  assert.deepEqual(p.opts.checkFlags, [
    { kind: 'W', name: 'no-reg_format' },
    { kind: 'E', name: 'x' },
  ]);
  assert.equal(p.opts.symbols, true);
  assert.equal(p.opts.quiet, 1);
  assert.equal(p.output, 'o.dtb');
  assert.equal(p.input, 'in.dts');
  assert.equal(parseArgs(['a.dts', 'b.dts']), 'missing files');
});
