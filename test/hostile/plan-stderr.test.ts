// `carveout plan` text mode: the report on stdout, diagnostics on stderr (so `plan ... > report.txt`
// keeps warnings visible and the report clean); --format json keeps them in the JSON on stdout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'carveout-plan-stderr-'));
const dts = join(dir, 'b.dts');
// A region that starts below RAM and reaches into it: plan warns (region-straddles-ram-start).
writeFileSync(
  dts,
  '/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n' +
    '  memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x40000000>; };\n' +
    '  reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;\n' +
    '    buf@3ff00000 { reg = <0x0 0x3ff00000 0x0 0x200000>; }; };\n};\n',
);

test('carveout plan (text): diagnostics on stderr, the report on stdout', () => {
  const r = runCli(['plan', dts, '--kernel', '6.12-arm64', '--bootargs', '']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /buf@3ff00000/);
  assert.match(r.stdout, /predicted log:/);
  assert.doesNotMatch(r.stdout, /warning|diagnostics:/);
  assert.match(r.stderr, /warning: .*starts below RAM.*\[region-straddles-ram-start\]/);
});

test('carveout plan --format json: the diagnostics stay in the JSON on stdout', () => {
  const r = runCli(['plan', dts, '--kernel', '6.12-arm64', '--bootargs', '', '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  const j = JSON.parse(r.stdout) as { diagnostics: { severity: string }[] };
  assert.ok(j.diagnostics.some((d) => d.severity === 'warning'));
});
