// `carveout diff`: regions matched by node name (added, removed, moved, resized, now failing),
// log lines added and removed; two boards, two kernels, a plan against a boot log; text and JSON;
// exit 1 when different.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBoard } from '../../src/board.js';
import { plan } from '../../src/kernel/plan.js';
import { diffSides, formatDiffText, sideOfPlan, type DiffSide } from '../../src/report/diff.js';
import { runCli } from '../helpers/cli.js';
import { manyDts } from './helpers.js';

const manyPlan = (kernel: string, file = manyDts) => plan(loadBoard(file, { arch: 'arm64' }), { kernel });

test('regions by name: moved, resized, added, removed, now failing, now placed; the log as a line diff', () => {
  const a: DiffSide = {
    label: 'a',
    regions: [
      { name: 'fw', base: 0x1000n, size: 0x1000n, status: 'ok' },
      { name: 'pool', base: 0x8000n, size: 0x2000n, status: 'ok' },
      { name: 'cma', base: 0x10000n, size: 0x4000n, status: 'ok' },
      { name: 'gone', base: 0x20000n, size: 0x1000n, status: 'ok' },
      { name: 'late', base: null, size: 0x1000n, status: 'failed' },
    ],
    log: ['one', 'two', 'three'],
  };
  const b: DiffSide = {
    label: 'b',
    regions: [
      { name: 'fw', base: 0x1000n, size: 0x1000n, status: 'ok' },
      { name: 'pool', base: 0x9000n, size: 0x3000n, status: 'ok' },
      { name: 'cma', base: 0x10000n, size: 0x4000n, status: 'rejected' },
      { name: 'new', base: 0x30000n, size: 0x1000n, status: 'ok' },
      { name: 'late', base: 0x40000n, size: 0x1000n, status: 'ok' },
    ],
    log: ['one', 'three', 'four'],
  };
  const d = diffSides(a, b);
  assert.deepEqual(
    d.regions.map((r) => [r.name, r.change]),
    [
      ['pool', 'moved, resized'],
      ['cma', 'now failing'],
      ['gone', 'removed'],
      ['late', 'now placed'],
      ['new', 'added'],
    ],
  );
  assert.deepEqual(
    d.log.map((l) => l.op + l.text),
    [' one', '-two', ' three', '+four'],
  );
  assert.equal(d.same, false);
  const t = formatDiffText(d, { physAddrBits: 32 });
  assert.match(t, /^--- a: a\n\+\+\+ b: b\n/);
  assert.match(t, /^! cma {3}now failing: 0x00010000 16 KiB ok → 0x00010000 16 KiB rejected$/m);
  assert.match(t, /^\+ new {3}0x00030000 4 KiB ok$/m);
  assert.match(t, /^@@ -1,3 \+1,3 @@\n one\n-two\n three\n\+four$/m);
  assert.ok(!t.includes('\x1b['));
  assert.ok(formatDiffText(d, { color: true }).includes('\x1b[1;31m! cma'), 'now failing in bold red on a TTY');
  assert.equal(diffSides(a, a).same, true);
});

test('one board on two kernels: same places, 6.12 prints a summary line per region', () => {
  const d = diffSides(sideOfPlan(manyPlan('6.1-arm64'), '6.1'), sideOfPlan(manyPlan('6.12-arm64'), '6.12'));
  assert.deepEqual(d.regions, []);
  const added = d.log.filter((l) => l.op === '+').map((l) => l.text);
  for (const name of ['dsp-pool', 'linux,cma', 'firmware@80000000', 'mailbox@80400000', 'taken@90000000'])
    assert.ok(
      added.some((t) => t.startsWith('OF: reserved mem: 0x') && t.endsWith(` ${name}`)),
      `the 6.12 summary line of ${name} is added`,
    );
  const r = runCli(['diff', manyDts, '--kernel', '6.1-arm64', '--kernel', '6.12-arm64', '--format', 'json']);
  assert.equal(r.status, 1, r.stderr);
  const j = JSON.parse(r.stdout) as { same: boolean; regions: unknown[]; log: { added: string[]; removed: string[] } };
  assert.equal(j.same, false);
  assert.deepEqual(j.log.added, added);
});

test('two boards on one kernel: a resized pool moves, a removed region frees its range, a new one appears', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-diff-'));
  const b = join(dir, 'b.dts');
  const src = readFileSync(manyDts, 'utf8')
    .replace('size = <0x0 0x800000>;', 'size = <0x0 0x1000000>;')
    .replace(/\t\ttaken: taken@90000000 \{[^}]*\};\n/, '')
    .replace('\t\tcma: linux,cma {', '\t\tlog@a0000000 {\n\t\t\treg = <0x0 0xa0000000 0x0 0x100000>;\n\t\t};\n\n\t\tcma: linux,cma {');
  writeFileSync(b, src);
  const d = diffSides(sideOfPlan(manyPlan('6.12-arm64'), 'a'), sideOfPlan(manyPlan('6.12-arm64', b), 'b'));
  const changes = Object.fromEntries(d.regions.map((r) => [r.name, r.change]));
  // Without taken@90000000 the 16 MiB pool fits its first alloc-ranges entry.
  assert.equal(changes['dsp-pool'], 'moved, resized');
  assert.equal(d.regions.find((r) => r.name === 'dsp-pool')!.b!.base, 0x90000000n);
  assert.equal(changes['taken@90000000'], 'removed');
  assert.equal(changes['log@a0000000'], 'added');
  const r = runCli(['diff', manyDts, b, '--kernel', '6.12-arm64']);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout, formatDiffText({ ...d, a: 'many.dts on 6.12-arm64', b: 'b.dts on 6.12-arm64' }));
  const same = runCli(['diff', manyDts, manyDts, '--kernel', '6.12-arm64']);
  assert.equal(same.status, 0, same.stderr);
  assert.match(same.stdout, /no difference\n$/);
});

test('a plan against a boot log: the same lines agree (exit 0); a line the kernel did not print is shown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-diff-'));
  const p = manyPlan('6.12-arm64');
  const console = (lines: string[]) => lines.map((t) => `[    0.000000] ${t}`).join('\n') + '\n';
  const good = join(dir, 'good.log');
  writeFileSync(good, console(p.log.map((l) => l.text)));
  const ok = runCli(['diff', manyDts, '--kernel', '6.12-arm64', '--log', good]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  const bad = join(dir, 'bad.log');
  const dropped = p.log.find((l) => l.text.endsWith(' dsp-pool') && l.text.includes('nomap'))!.text;
  writeFileSync(bad, console(p.log.map((l) => l.text).filter((t) => t !== dropped)));
  const r = runCli(['diff', manyDts, '--kernel', '6.12-arm64', '--log', bad, '--format', 'json']);
  assert.equal(r.status, 1);
  const j = JSON.parse(r.stdout) as { log: { removed: string[]; added: string[] } };
  assert.deepEqual(j.log, { removed: [dropped], added: [] });
});

test('diff usage errors: exit 2, stderr only', () => {
  for (const args of [
    ['diff', manyDts, '--kernel', '6.12-arm64'],
    ['diff', manyDts, manyDts, '--kernel', '6.12-arm64', '--kernel', '6.1-arm64'],
    ['diff', manyDts, '--kernel', '6.12-arm64', '--kernel', '6.1-arm64', '--log', 'x.log'],
    ['diff', manyDts, '--kernel', '6.12-arm64', '--log', join(tmpdir(), 'no-such-carveout.log')],
    ['diff', manyDts, '--kernel', '6.12-arm64', '--kernel', '6.1-arm64', '--format', 'yaml'],
  ]) {
    const r = runCli(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^carveout diff: /);
  }
});
