// plan's text for a board engineer: the probe section says what drivers really get, the region
// table fits a terminal (columns dropped by priority, --wide for all), colours only when asked
// (a TTY), the compiler's warnings only with --warnings, and what the boot loader changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBoard } from '../../src/board.js';
import { plan } from '../../src/kernel/plan.js';
import { formatPlanText } from '../../src/report/plan-text.js';
import { runCli } from '../helpers/cli.js';

const ESC = '\u001b';

const dir = mkdtempSync(join(tmpdir(), 'carveout-out-'));
const file = join(dir, 'board.dts');
writeFileSync(
  file,
  `/dts-v1/;
/memreserve/ 0x7f000000 0x1000;
/ { #address-cells = <2>; #size-cells = <2>;
  memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; };
  reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
    pool: pool@50000000 { compatible = "shared-dma-pool"; reg = <0 0x50000000 0 0x400000>; no-map; };
    fw: fw@60000000 { reg = <0 0x60000000 0 0x100000>; no-map; };
    off: off@61000000 { reg = <0 0x61000000 0 0x100000>; status = "disabled"; };
    clash: clash { size = <0 0x80000000>; no-map; };
  };
  dev@1 { memory-region = <&pool>; };
  rproc@2 { memory-region = <&fw &clash>; };
  dsp@3 { memory-region = <&off>; };
  intc { interrupt-controller; #interrupt-cells = <1>; };
};
`,
);

test('when drivers probe: device_init results, lookup-only regions, lost and disabled regions, each said once', () => {
  const r = plan(loadBoard(file), { kernel: '6.12-arm64' });
  const text = formatPlanText(r);
  // only the region with a device_init hook gets a return value
  assert.match(text, /of_reserved_mem_device_init_by_idx[^\n]*\n {2}\/dev@1 memory-region\[0\] → pool@50000000: 0\n/);
  assert.match(text, /regions without device_init[^\n]*\n[^\n]*-EINVAL:\n {2}\/rproc@2 → fw@60000000 \[0\]\n/);
  assert.doesNotMatch(text, /fw@60000000: -EINVAL/);
  assert.match(text, /did not keep[^\n]*\n {2}\/rproc@2 memory-region\[1\] → clash: -EINVAL/);
  assert.match(text, /disabled regions[^\n]*\n {2}\/dsp@3 memory-region\[0\] → off@61000000\n/);
  assert.deepEqual(
    r.attach.map((a) => [a.region, a.deviceInit]),
    [
      ['pool@50000000', true],
      ['fw@60000000', false],
      ['off@61000000', false],
      ['clash', false],
    ],
  );
});

test('the table fits the width by dropping NODE, HANDLER, END… first; colours only when asked', () => {
  const r = plan(loadBoard(file), { kernel: '6.12-arm64' });
  const full = formatPlanText(r);
  const header = (t: string) => t.split('\n').find((l) => l.startsWith('NAME'))!;
  assert.deepEqual(header(full).split(/\s+/), [
    'NAME',
    'NODE',
    'BASE',
    'END',
    'SIZE',
    'MAP',
    'REUSABLE',
    'PLACED',
    'STATUS',
    'HANDLER',
    'CONSUMERS',
  ]);
  const narrow = formatPlanText(r, { width: 80 });
  assert.deepEqual(header(narrow).split(/\s+/), ['NAME', 'BASE', 'SIZE', 'MAP', 'STATUS', 'CONSUMERS']);
  const table = narrow.split('\n').filter((l) => /^(NAME|pool|fw|off|clash)/.test(l));
  for (const l of table) assert.ok(l.length <= 80, `${l.length}: ${l}`);
  assert.match(narrow, /\(NODE, END, REUSABLE, PLACED, HANDLER not shown to fit 80 columns: --wide shows them\)/);
  assert.ok(header(formatPlanText(r, { width: 140 })).includes('PLACED'), 'a wider terminal keeps more');
  assert.ok(!(full + narrow).includes(ESC));
  const coloured = formatPlanText(r, { color: true });
  assert.ok(coloured.includes(`${ESC}[31malloc-failed${ESC}[0m`));
  assert.ok(coloured.includes(`${ESC}[32mok${ESC}[0m`));
  // colouring keeps the columns aligned: strip it and get the plain table back
  assert.equal(
    coloured
      .split(ESC)
      .map((part, i) => (i === 0 ? part : part.replace(/^\[[0-9]*m/, '')))
      .join(''),
    full,
  );
});

test('CLI: compiler warnings are a count unless --warnings; no colour and full width into a pipe', () => {
  const quiet = runCli(['plan', file, '--kernel', '6.12-arm64']);
  assert.equal(quiet.status, 1, quiet.stderr);
  assert.doesNotMatch(quiet.stderr, /warning: .*interrupt_provider/);
  const m = /^(\d+) compiler warnings? not shown \(--warnings shows them\)$/m.exec(quiet.stderr);
  assert.ok(m, quiet.stderr);
  const loud = runCli(['plan', file, '--kernel', '6.12-arm64', '--warnings']);
  const shown = loud.stderr.split('\n').filter((l) => /: warning: /.test(l) && !/region-straddles/.test(l));
  assert.ok(shown.length >= 1);
  assert.equal(shown.length, Number(m[1]));
  assert.doesNotMatch(loud.stderr, /not shown/);
  assert.equal(quiet.stdout, loud.stdout);
  assert.ok(!quiet.stdout.includes(ESC));
  assert.match(quiet.stdout, /^NAME +NODE +BASE/m);
  // JSON keeps every diagnostic
  const json = JSON.parse(runCli(['plan', file, '--kernel', '6.12-arm64', '--format', 'json']).stdout);
  assert.ok(json.diagnostics.some((d: { severity: string }) => d.severity === 'warning'));
});

test('what the boot loader changed is listed before the table', () => {
  const r = plan(loadBoard(file, { boot: 'uefi', memory: [{ base: 0x40000000n, size: 1n << 30n }] }), { kernel: '6.12-arm64' });
  const text = formatPlanText(r);
  assert.match(
    text,
    /^kernel 6\.12-arm64, RAM 1 GiB at 0x0000000040000000, on an unknown core \(48-bit VA\), booted through UEFI\n\nbefore the kernel starts:\n {2}kernel Image at 0x0000000040200000: the first free [^\n]*\n {2}RAM from the UEFI memory map/,
  );
  assert.match(text, /1 \/memreserve\/ entry deleted by the EFI stub/);
  assert.deepEqual(r.loader, {
    platform: 'board',
    boot: 'uefi',
    edits: r.loader.edits,
    kernel: { base: 0x40200000n, placed: 'first-free' },
    // a tree without /cpus: a core without FEAT_LPA2 assumed (cpu-assumed note)
    cpu: { name: 'unknown', from: 'assumed', vaBits: 48 },
  });
  assert.deepEqual(r.loader.edits.slice(0, 2), [
    'RAM from the UEFI memory map: the kernel ignores /memory (efi_init → reserve_regions)',
    "1 /memreserve/ entry deleted by the EFI stub (update_fdt): UEFI's memory map says what is reserved",
  ]);
  assert.ok(r.loader.edits.some((e) => /^\/chosen: linux,uefi-system-table, .* the stub's packed copy is 0x[0-9a-f]+ bytes$/.test(e)));
});

test("arm64 Image: first free 2 MiB-aligned RAM after the start, around the tree's carve-outs; --reserve kernel@ places it", () => {
  const carve = join(dir, 'carve.dts');
  writeFileSync(
    carve,
    `/dts-v1/;
/memreserve/ 0x80600000 0x1000;
/ { #address-cells = <2>; #size-cells = <2>;
  memory@80000000 { device_type = "memory"; reg = <0 0x80000000 0 0x40000000>; };
  reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
    hyp@80000000 { reg = <0 0x80000000 0 0x600000>; no-map; };
    off@81000000 { reg = <0 0x81000000 0 0x100000>; status = "disabled"; };
  };
};
`,
  );
  const r = plan(loadBoard(carve), { kernel: '6.12-arm64' });
  assert.equal(r.exitCode, 0, JSON.stringify(r.diagnostics));
  // RAM + 2 MiB is inside hyp; 0x80600000 holds the /memreserve/ page; a disabled region takes nothing
  assert.deepEqual(r.loader.kernel, { base: 0x80800000n, placed: 'first-free' });
  assert.equal(r.regions.find((x) => x.name === 'hyp@80000000')?.status, 'no-handler');
  const at = plan(loadBoard(carve, { reserve: [{ name: 'kernel', base: 0x90000000n, size: 0n }] }), { kernel: '6.12-arm64' });
  assert.deepEqual(at.loader.kernel, { base: 0x90000000n, placed: 'platform' });
  assert.ok(at.early.some((e) => e.name === 'kernel' && e.base === 0x90000000n));
  const flags = runCli([
    'plan',
    carve,
    '--kernel',
    '6.12-arm64',
    '--kernel-at',
    '0x90000000',
    '--dtb-at',
    '0x88000000',
    '--initrd',
    '0x89000000+16M',
    '--format',
    'json',
  ]);
  assert.equal(flags.status, 0, flags.stderr);
  const j = JSON.parse(flags.stdout);
  assert.deepEqual(j.loader.kernel, { base: '0x90000000', placed: 'platform' });
  assert.deepEqual(
    j.early
      .filter((e: { name: string }) => e.name === 'initrd' || e.name === 'dtb')
      .map((e: { name: string; base: string }) => [e.name, e.base]),
    [
      ['initrd', '0x89000000'],
      ['dtb', '0x88000000'],
    ],
  );
  // arm (zImage decompressing to PHYS_OFFSET + TEXT_OFFSET): no arm64 Image placement
  assert.equal(plan(loadBoard(carve, { arch: 'arm' }), { kernel: '6.12-armmp' }).loader.kernel, undefined);
});
