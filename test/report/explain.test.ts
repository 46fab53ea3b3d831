// `carveout explain`: the kernel's steps for a region in order, with the rule's function and file,
// what blocked each alloc-ranges entry, the handlers, the log; where each property was written;
// and for an address, everything that covers it. Library and CLI, text and JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBoard } from '../../src/board.js';
import { plan } from '../../src/kernel/plan.js';
import { explainAddress, explainRegion, findRegion, formatExplainText, type RegionExplanation } from '../../src/report/explain.js';
import { runCli } from '../helpers/cli.js';
import { manyDts } from './helpers.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const manyPlan = (kernel: string) => plan(loadBoard(manyDts, { arch: 'arm64' }), { kernel });

function explainMany(kernel: string, what: string): RegionExplanation {
  const board = loadBoard(manyDts, { arch: 'arm64' });
  const p = plan(board, { kernel });
  const r = findRegion(p, board.tree, what);
  assert.ok(r, `${what} found`);
  return explainRegion(p, r, { physAddrBits: 64, ...(board.tree ? { tree: board.tree } : {}) });
}

test('a region placed in its second alloc-ranges entry: the first is blocked by a no-map region, then the handlers in table order', () => {
  const x = explainMany('6.12-arm64', 'dsp-pool');
  assert.equal(x.base, '0x00000000af800000');
  const whats = x.steps.map((s) => s.what);
  assert.match(whats[0]!, /^no `reg`, a `size` of 8 MiB/);
  assert.match(whats[1]!, /^alloc-ranges\[0\] 0x0000000090000000\.\.0x0000000090ffffff, top-down, 8 MiB .*nothing free fits \(-ENOMEM\)$/);
  assert.deepEqual(x.steps[1]!.details, [
    'no-map 0x0000000090000000..0x0000000090ffffff (16 MiB): taken@90000000',
    'no free RAM left in this range',
  ]);
  assert.match(whats[2]!, /^alloc-ranges\[1\] .*the highest fit is 0x00000000af800000\.\.0x00000000afffffff$/);
  assert.match(whats[3]!, /rmem_cma_setup \(kernel\/dma\/contiguous\.c\) returned -EINVAL, next entry/);
  assert.match(whats[4]!, /rmem_dma_setup \(kernel\/dma\/coherent\.c\) returned 0: accepted/);
  assert.ok(
    x.steps.every((s) => /\((drivers|kernel|mm)\/[a-z_/]+\.c\)/.test(s.kernel)),
    'every step names its kernel function and file',
  );
  assert.deepEqual(x.consumers, ['/dsp@1000']);
  assert.equal(x.log.length, 3);
  const size = x.properties.find((p) => p.name === 'size')!;
  assert.equal(size.value, '<0x0 0x800000>');
  assert.match(size.at, /many\.dts:41$/);
});

test('a node extended through &label: both places, the property set in the extension, a label as the argument', () => {
  const x = explainMany('6.1-arm64', '&tiny');
  assert.equal(x.path, '/reserved-memory/mailbox@80400000');
  assert.deepEqual(
    x.definedAt.map((d) => d.replace(/.*\//, '')),
    ['many.dts:30', 'many.dts:71'],
  );
  assert.match(x.properties.find((p) => p.name === 'label')!.at, /many\.dts:72$/);
  // Where the kernel image lies is the profile's: when it covers the mailbox, memblock_reserve
  // accepts the overlap and the explanation says what was already there.
  const k = manyPlan('6.1-arm64').early.find((e) => e.name === 'kernel')!;
  const over = k.base < 0x80401000n && k.base + k.size > 0x80400000n;
  const pa = (v: bigint) => '0x' + v.toString(16).padStart(16, '0');
  assert.deepEqual(
    x.steps[0]!.details,
    over ? [`already reserved ${pa(k.base)}..${pa(k.base + k.size - 1n)} (${k.size >> 20n} MiB): kernel`] : [],
  );
});

test('a region that cannot be placed: the free stretches are all smaller than its size', () => {
  const x = explainMany('6.1-arm64', 'huge-pool');
  assert.equal(x.status, 'alloc-failed');
  const step = x.steps[1]!;
  assert.match(step.what, /nothing free fits/);
  assert.ok(
    step.details.some((d) => /free stretches, the largest 0x0000000091000000\.\.0x00000000bfffffff \(752 MiB\)$/.test(d)),
    step.details.join('\n'),
  );
  assert.ok(
    step.details.some((d) => /^reserved .*: kernel$/.test(d)),
    'the kernel image is in the range',
  );
  assert.ok(step.details.includes('no-map 0x0000000080000000..0x00000000801fffff (2 MiB): firmware@80000000'));
  assert.match(formatExplainText(x), /log lines:\n {2}OF: reserved mem: failed to allocate memory for node 'huge-pool': size 2048 MiB\n$/);
});

test('an address: every region and early reservation over it, and its bank', () => {
  const p = manyPlan('6.1-arm64');
  const x = explainAddress(p, 0x80400010n, { physAddrBits: 64 });
  const k = p.early.find((e) => e.name === 'kernel')!;
  assert.deepEqual(
    x.covering.map((c) => c.name),
    ['mailbox@80400000', ...(k.base <= 0x80400010n && k.base + k.size > 0x80400010n ? ['kernel'] : [])],
  );
  assert.deepEqual(
    explainAddress(p, k.base, { physAddrBits: 64 }).covering.map((c) => [c.name, c.what]),
    [['kernel', 'early reservation (arm64_memblock_init)']],
  );
  assert.equal(x.bank, '0x0000000080000000..0x00000000bfffffff (1 GiB)');
  assert.equal(explainAddress(p, 0xc0000000n, { physAddrBits: 64 }).bank, null);
});

test('explain CLI: text equals the library, JSON, an address, unknown node and usage errors exit 2', () => {
  const t = runCli(['explain', manyDts, 'dsp-pool', '--kernel', '6.12-arm64']);
  assert.equal(t.status, 0, t.stderr);
  assert.equal(t.stdout, formatExplainText(explainMany('6.12-arm64', 'dsp-pool')));
  const j = runCli(['explain', '--kernel', '6.12-arm64', manyDts, '/reserved-memory/dsp-pool', '--format', 'json']);
  assert.equal(j.status, 0, j.stderr);
  const parsed = JSON.parse(j.stdout) as RegionExplanation;
  assert.equal(parsed.kind, 'region');
  assert.equal(parsed.steps.length, 5);
  const a = runCli(['explain', manyDts, '0x90000000', '--kernel', '6.12-arm64', '--kernel', '6.1-arm64', '--format', 'json']);
  assert.equal(a.status, 0, a.stderr);
  const both = JSON.parse(a.stdout) as { kind: string; kernel: string; covering: { name: string }[] }[];
  assert.deepEqual(
    both.map((b) => [b.kernel, b.covering.map((c) => c.name)]),
    [
      ['6.12-arm64', ['taken@90000000']],
      ['6.1-arm64', ['taken@90000000']],
    ],
  );
  const unknown = runCli(['explain', manyDts, 'nope', '--kernel', '6.12-arm64']);
  assert.equal(unknown.status, 2);
  assert.equal(unknown.stdout, '');
  assert.match(unknown.stderr, /no \/reserved-memory region 'nope'/);
  for (const args of [
    ['explain', manyDts, '--kernel', '6.12-arm64'],
    ['explain', manyDts, 'dsp-pool'],
    ['explain', manyDts, 'dsp-pool', '--kernel', '6.12-arm64', '--format', 'xml'],
  ]) {
    const r = runCli(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^carveout explain: /);
  }
});

test('a property a board overrides: where it was set last, and each earlier definition it replaced, first to last', () => {
  const dir = mkdtempSync(join(tmpdir(), 'explain-override-'));
  writeFileSync(
    join(dir, 'soc.dtsi'),
    [
      '/ {',
      '\t#address-cells = <2>;',
      '\t#size-cells = <2>;',
      '\tmemory@80000000 { device_type = "memory"; reg = <0x0 0x80000000 0x0 0x40000000>; };',
      '\treserved-memory {',
      '\t\t#address-cells = <2>;',
      '\t\t#size-cells = <2>;',
      '\t\tranges;',
      '\t\tpool: pool {',
      '\t\t\tcompatible = "shared-dma-pool";',
      '\t\t\tsize = <0x0 0x400000>;',
      '\t\t};',
      '\t};',
      '};',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'board.dts'),
    [
      '/dts-v1/;',
      '#include "soc.dtsi"',
      '&pool {',
      '\tsize = <0x0 0x800000>;',
      '};',
      '&pool {',
      '\tsize = <0x0 0x1000000>;',
      '};',
      '',
    ].join('\n'),
  );
  const board = loadBoard(join(dir, 'board.dts'), { arch: 'arm64' });
  const p = plan(board, { kernel: '6.12-arm64' });
  const r = findRegion(p, board.tree, '&pool');
  assert.ok(r);
  const x = explainRegion(p, r, { physAddrBits: 64, ...(board.tree ? { tree: board.tree } : {}) });
  const size = x.properties.find((q) => q.name === 'size')!;
  assert.equal(size.value, '<0x0 0x1000000>');
  assert.match(size.at, /board\.dts:7$/);
  assert.deepEqual(
    size.overrides.map((o) => o.replace(/.*\//, '')),
    ['soc.dtsi:11', 'board.dts:4'],
  );
  assert.deepEqual(x.properties.find((q) => q.name === 'compatible')!.overrides, []);
  assert.match(formatExplainText(x), /size +<0x0 0x1000000> +\S*board\.dts:7 \(overrides \S*soc\.dtsi:11, \S*board\.dts:4\)/);
});
