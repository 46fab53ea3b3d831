// carveout check's three formats and exit codes, through the CLI: dtc-shaped text with the source
// line and caret, dt-validate-style JSON, and SARIF 2.1.0 validated against the OASIS schema
// (test/fixtures/sarif, see its NOTICE.md) with ajv.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { runCli } from '../helpers/cli.js';
import { compileFile } from '../../src/compile.js';
import { RULES } from '../../src/check/check.js';

const dir = mkdtempSync(join(tmpdir(), 'carveout-check-fmt-'));
const include = join(dir, 'soc.dtsi');
writeFileSync(
  include,
  `/ {
	#address-cells = <2>;
	#size-cells = <2>;
	memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x40000000>; };
	reserved-memory {
		#address-cells = <2>;
		#size-cells = <2>;
		ranges;
		pool: pool {
			compatible = "shared-dma-pool";
			reusable;
			size = <0x0 0x400000>;
		};
	};
};
`,
);
const dts = join(dir, 'board.dts');
writeFileSync(
  dts,
  `/dts-v1/;
/include/ "soc.dtsi"
&pool {
	size = <0x0 0x80000000>;
};
`,
);
const clean = join(dir, 'clean.dts');
writeFileSync(
  clean,
  `/dts-v1/;
/ {
	#address-cells = <2>;
	#size-cells = <2>;
	memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x40000000>; };
};
`,
);

const schema = JSON.parse(readFileSync(new URL('../fixtures/sarif/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as object;
const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
addFormats.default(ajv);
const validateSarif = ajv.compile(schema);

test('text: FILE:L.C-C: Error (rule): /path:prop: message, the source line, a caret, the kernel line', () => {
  const r = runCli(['check', dts, '--kernel', '6.12-arm64', '--bootargs', '']);
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stdout.split('\n');
  const i = lines.findIndex((l) => l.includes('Error (alloc-failed)'));
  assert.ok(i >= 0, r.stdout);
  assert.match(lines[i]!, /board\.dts:4\.2-26: Error \(alloc-failed\): \/reserved-memory\/pool:size: cannot allocate 0x80000000/);
  assert.equal(lines[i + 1], '   size = <0x0 0x80000000>;');
  assert.match(lines[i + 2]!, /^ {3}\^~+$/);
  assert.match(r.stdout, /kernel: OF: reserved mem: failed to allocate memory for node 'pool': size 2048 MiB/);
  // The size board.dts overrode: the .dtsi's value is also shown.
  assert.match(r.stdout, /Error \(alloc-failed\)[^\n]*\n(.*\n)*? {2}also defined at .*soc\.dtsi:12:/);
  // A node merged from two files: the warning on the node names the other definition.
  assert.match(r.stdout, /soc\.dtsi:9\.\d+-\d+\.\d+: Warning \(region-unreferenced\)[^\n]*\n(.*\n)*? {2}also defined at .*board\.dts:3:/);
});

test('json: dt-validate field names plus rule and level', () => {
  const r = runCli(['check', dts, '--kernel', '6.12-arm64', '--bootargs', '', '--format', 'json']);
  assert.equal(r.status, 1, r.stderr);
  const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
  const a = rows.find((x) => x.rule === 'alloc-failed')!;
  for (const k of ['file', 'line', 'column', 'node', 'nodename', 'compatible', 'property_path', 'message', 'rule', 'level'])
    assert.ok(k in a, k);
  assert.equal(a.node, '/reserved-memory/pool');
  assert.equal(a.nodename, 'pool');
  assert.deepEqual(a.compatible, ['shared-dma-pool']);
  assert.equal(a.property_path, 'size');
  assert.equal(a.level, 'error');
  assert.equal(a.line, 4);
  assert.match(String(a.file), /board\.dts$/);
});

test('sarif: valid SARIF 2.1.0 (OASIS schema, ajv), rules with help, fingerprints, related locations', () => {
  const r = runCli(['check', dts, '--kernel', '6.12-arm64', '--kernel', '6.12-arm64-64k', '--bootargs', '', '--format', 'sarif']);
  assert.equal(r.status, 1, r.stderr);
  const log = JSON.parse(r.stdout) as {
    version: string;
    runs: { tool: { driver: { rules: { id: string; help: { text: string } }[] } }; results: Record<string, unknown>[] }[];
  };
  assert.ok(validateSarif(log), JSON.stringify(validateSarif.errors?.slice(0, 5)));
  assert.equal(log.version, '2.1.0');
  const run = log.runs[0]!;
  assert.deepEqual(
    run.tool.driver.rules.map((x) => x.id),
    RULES.map((x) => x.id),
  );
  assert.ok(run.tool.driver.rules.every((x) => x.help.text.length > 20));
  const res = run.results;
  assert.ok(res.every((x) => typeof (x.partialFingerprints as Record<string, string>)['carveoutFinding/v1'] === 'string'));
  const fps = res.map((x) => (x.partialFingerprints as Record<string, string>)['carveoutFinding/v1']);
  assert.equal(new Set(fps).size, fps.length, 'one fingerprint per finding');
  const alloc = res.find((x) => x.ruleId === 'alloc-failed') as {
    relatedLocations?: { physicalLocation: { region: { startLine: number } } }[];
  };
  assert.equal(alloc.relatedLocations?.[0]?.physicalLocation.region.startLine, 12, 'the overridden size in soc.dtsi');
});

test('sarif from a DTB: no source lines, located by node path; still valid', () => {
  const c = compileFile(dts);
  assert.ok(c.dtb);
  const dtb = join(dir, 'board.dtb');
  writeFileSync(dtb, c.dtb);
  const r = runCli(['check', dtb, '--kernel', '6.12-arm64', '--bootargs', '', '--format', 'sarif']);
  assert.equal(r.status, 1, r.stderr);
  const log = JSON.parse(r.stdout) as {
    runs: {
      results: {
        ruleId: string;
        locations: { physicalLocation: { region?: unknown }; logicalLocations: { fullyQualifiedName: string }[] }[];
      }[];
    }[];
  };
  assert.ok(validateSarif(log), JSON.stringify(validateSarif.errors?.slice(0, 5)));
  const a = log.runs[0]!.results.find((x) => x.ruleId === 'alloc-failed')!;
  assert.equal(a.locations[0]!.physicalLocation.region, undefined);
  assert.equal(a.locations[0]!.logicalLocations[0]!.fullyQualifiedName, '/reserved-memory/pool:size');
});

test('exit codes: 0 clean, 1 errors (or warnings with --strict), 2 bad input; -o writes the report', () => {
  const ok = runCli(['check', clean, '--kernel', '6.12-arm64', '--bootargs', '']);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /0 error\(s\), 0 warning\(s\)/);
  // Only a warning (unreferenced pool) once the size fits: exit 0, 1 with --strict or -E.
  const warnOnly = join(dir, 'warn.dts');
  writeFileSync(warnOnly, readFileSync(dts, 'utf8').replace('0x80000000', '0x400000'));
  assert.equal(runCli(['check', warnOnly, '--kernel', '6.12-arm64', '--bootargs', '']).status, 0);
  assert.equal(runCli(['check', warnOnly, '--kernel', '6.12-arm64', '--bootargs', '', '--strict']).status, 1);
  assert.equal(runCli(['check', warnOnly, '--bootargs', '', '-E', 'region-unreferenced']).status, 1);
  assert.equal(runCli(['check', warnOnly, '--bootargs', '', '-Wno-region-unreferenced', '--strict']).status, 0);
  const bad = runCli(['check', join(dir, 'missing.dts'), '--kernel', '6.12-arm64']);
  assert.equal(bad.status, 2);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /missing\.dts/);
  const syntax = join(dir, 'syntax.dts');
  writeFileSync(syntax, '/dts-v1/;\n/ { a = <1 ; };\n');
  const s = runCli(['check', syntax]);
  assert.equal(s.status, 2);
  assert.match(s.stderr, /syntax\.dts:2:/);
  assert.equal(runCli(['check', clean, '-Wno-such-rule']).status, 2);
  assert.equal(runCli(['check', clean, '--kernel', '9.9-none']).status, 2);
  assert.equal(runCli(['check', clean, '--format', 'xml']).status, 2);
  const out = join(dir, 'report.sarif');
  const w = runCli(['check', dts, '--kernel', '6.12-arm64', '--bootargs', '', '--format', 'sarif', '-o', out]);
  assert.equal(w.status, 1);
  assert.equal(w.stdout, '');
  assert.ok(validateSarif(JSON.parse(readFileSync(out, 'utf8'))));
});
