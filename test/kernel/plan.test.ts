// plan() end to end (profile + boot sequence + of_reserved_mem + handlers) and `carveout plan`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plan } from '../../src/kernel/plan.js';
import { declareReservedMem } from '../../src/kernel/handler-api.js';
import { parseSize } from '../../src/kernel/cmdline.js';
import { loadBoard } from '../../src/board.js';
import type { Tree } from '../../src/tree/types.js';
import { runCli } from '../helpers/cli.js';
import { c2, node, virtTree } from './rmem-fixtures.js';

const M = 1n << 20n;

/** A virt-like fixture tree as QEMU would boot it (no merge into QEMU's own tree). */
const virtBoard = (t: Tree, ram: bigint, arch: 'arm64' | 'arm' = 'arm64') =>
  loadBoard(t, { platform: 'qemu-virt', asBooted: true, arch, ram });

test('parseSize reads sizes like memparse', () => {
  assert.equal(parseSize('64M'), 64n * M);
  assert.equal(parseSize('0x4000000'), 64n * M);
  assert.equal(parseSize('1048576'), M);
  assert.equal(parseSize('1g'), 1n << 30n);
  assert.equal(parseSize('010'), 8n);
  assert.equal(parseSize('12Q'), undefined);
  assert.equal(parseSize(''), undefined);
});

test('plan: qemu-virt 6.12 arm64 places a dynamic CMA pool at the top of RAM and says so', () => {
  const t = virtTree([node('pool', { compatible: 'shared-dma-pool', reusable: true, size: c2(8n * M), alignment: c2(4n * M) })]);
  const p = plan(virtBoard(t, 1n << 30n), { kernel: '6.12-arm64', bootargs: '' });
  assert.equal(p.exitCode, 0, JSON.stringify(p.diagnostics));
  const r = p.regions.find((x) => x.name === 'pool')!;
  assert.equal(r.base, 0x7f800000n);
  assert.equal(r.handler, 'shared-dma-pool');
  assert.equal(r.result, '0');
  assert.ok(p.log.some((l) => l.text === 'OF: reserved mem: 0x000000007f800000..0x000000007fffffff (8192 KiB) map reusable pool'));
});

test('plan: exit 1 when the kernel rejects a region, 2 for an unknown kernel', () => {
  const t = virtTree([
    node('bad@48000000', { compatible: 'shared-dma-pool', reusable: true, 'no-map': true, reg: c2(0x48000000n, 4n * M) }),
  ]);
  const p = plan(virtBoard(t, 1n << 30n), { kernel: '6.1-arm64', bootargs: '' });
  assert.equal(p.regions[0]!.status, 'rejected');
  assert.equal(p.exitCode, 1);
  assert.equal(plan(loadBoard(t), { kernel: '5.10-arm64' }).exitCode, 2);
});

test('plan: user handlers run after the built-in table', () => {
  let got: [bigint, bigint] | undefined;
  const h = declareReservedMem('mca', 'hisi,mca', (rmem) => {
    got = [rmem.base, rmem.size];
    return 0;
  });
  const t = virtTree([node('mca@70000000', { compatible: 'hisi,mca', reg: c2(0x70000000n, 64n * M), 'no-map': true })]);
  const p = plan(virtBoard(t, 1n << 30n), { kernel: '6.12-arm64', bootargs: '', handlers: [h] });
  assert.deepEqual(got, [0x70000000n, 64n * M]);
  assert.equal(p.regions[0]!.status, 'ok');
  assert.ok(p.log.some((l) => l.text === 'OF: reserved mem: initialized node mca@70000000, compatible id hisi,mca'));
});

test('carveout plan: the MCA example with its handler file (text and JSON)', () => {
  const args = ['plan', 'examples/mca/board.dts', '--kernel', '6.1-armmp', '--handlers', 'examples/mca/mca-handler.ts'];
  const r = runCli(args);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /mca@b8000000\s+\/reserved-memory\/mca@b8000000\s+0xb8000000\s+0xbbffffff\s+64 MiB\s+nomap/);
  assert.match(r.stdout, /mca: reserved 64 MiB at 0xb8000000/);
  assert.match(r.stdout, /OF: reserved mem: initialized node mca@b8000000, compatible id hisi,mca/);
  assert.match(r.stdout, /\/mca memory-region\[0\] → mca@b8000000: 0\n\s+mca: \/mca uses 0xb8000000/);
  const j = runCli([...args, '--format', 'json']);
  assert.equal(j.status, 0, j.stderr);
  const out = JSON.parse(j.stdout) as { kernel: string; regions: Record<string, unknown>[]; log: string[] };
  assert.equal(out.kernel, '6.1-armmp');
  const mca = out.regions.find((x) => x.name === 'mca@b8000000')!;
  assert.equal(mca.base, '0xb8000000');
  assert.equal(mca.size, '0x4000000');
  assert.equal(mca.handler, 'hisi,mca');
  assert.deepEqual(mca.consumers, ['/mca']);
  assert.ok(out.log.includes('OF: reserved mem: initialized node mca@b8000000, compatible id hisi,mca'));
});

test('carveout plan: bad input exits 2 with a diagnostic', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-plan-'));
  const f = join(dir, 'broken.dts');
  writeFileSync(f, '/dts-v1/;\n/ { foo = <1 2;\n};\n');
  const r = runCli(['plan', f, '--kernel', '6.12-arm64']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /broken\.dts:\d+:\d+: error/);
  assert.equal(runCli(['plan', f]).status, 2, '--kernel is required');
  assert.equal(runCli(['plan', f, '--kernel', '6.12-arm64', '--reserve', 'nonsense']).status, 2);
});

test('plan: a user handler that throws is a diagnostic (exit 2), not a crash or a kernel line', () => {
  const h = declareReservedMem('boom', 'hisi,mca', () => {
    throw new Error('oops');
  });
  const t = virtTree([node('mca@70000000', { compatible: 'hisi,mca', reg: c2(0x70000000n, 64n * M) })]);
  const p = plan(virtBoard(t, 1n << 30n), { kernel: '6.12-arm64', bootargs: '', handlers: [h] });
  assert.equal(p.exitCode, 2);
  assert.ok(p.diagnostics.some((d) => d.code === 'handler-threw' && /oops/.test(d.message)));
  assert.ok(p.log.some((l) => l.text === 'OF: reserved mem: node mca@70000000 compatible matching fail'));
  assert.ok(!p.log.some((l) => /oops/.test(l.text)));
});

test('carveout plan --handlers accepts a plain .mjs module exporting { compatible, setup }', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-handlers-'));
  const f = join(dir, 'h.mjs');
  writeFileSync(
    f,
    // biome-ignore lint/suspicious/noTemplateCurlyInString:: the handler module's own template literal
    "export const vendor = { name: 'vendor', compatible: 'vendor,carveout', setup: (rmem, k) => { k.pr_info(`vendor: ${k.pa(rmem.base)}`); return 0; } };\n",
  );
  const dts = join(dir, 'b.dts');
  writeFileSync(
    dts,
    '/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; };\n reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;\n  v@50000000 { compatible = "vendor,carveout"; reg = <0 0x50000000 0 0x100000>; }; }; };\n',
  );
  const r = runCli(['plan', dts, '--kernel', '6.12-arm64', '--handlers', f, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { log: string[]; regions: { handler: string }[] };
  assert.ok(out.log.includes('vendor: 0x0000000050000000'));
  assert.equal(out.regions[0]!.handler, 'vendor,carveout');
  const missing = runCli(['plan', dts, '--kernel', '6.12-arm64', '--handlers', join(dir, 'nope.ts')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /not found/);
});

// Booted by hand on 6.1-armmp (qemu-system-arm virt, 1 GiB, no initrd): 32-bit phys_addr_t
// truncates a reg above 4 GiB (onto QEMU's DTB, so the no-map reservation fails), a size of 4 GiB
// becomes 0, and coherent pools need no-map on ARM.
test('plan: 6.1-armmp truncates 64-bit cells and refuses coherent pools without no-map', () => {
  const t = virtTree([
    node('c1', { compatible: 'shared-dma-pool', size: c2(M) }),
    node('hi@148000000', { compatible: 'shared-dma-pool', 'no-map': true, reg: c2(0x148000000n, M) }),
    node('big', { size: c2(1n << 32n) }),
  ]);
  const p = plan(virtBoard(t, 1n << 30n, 'arm'), {
    kernel: '6.1-armmp',
    bootargs: 'console=ttyAMA0 earlycon=pl011,0x9000000 panic=-1',
  });
  assert.deepEqual(
    p.log.map((l) => l.text).filter((x) => /^(OF: |Reserved memory|cma:)/.test(x)),
    [
      "OF: fdt: Reserved memory: failed to reserve memory for node 'hi@148000000': base 0x48000000, size 1 MiB",
      'Reserved memory: regions without no-map are not yet supported',
      'OF: reserved mem: node c1 compatible matching fail',
      'Reserved memory: created DMA memory pool at 0x48000000, size 1 MiB',
      'OF: reserved mem: initialized node hi@148000000, compatible id shared-dma-pool',
      'cma: Reserved 16 MiB at 0x7f000000',
    ],
  );
  assert.equal(p.regions.find((r) => r.name === 'hi@148000000')!.base, 0x48000000n);
  assert.equal(p.exitCode, 1);
});

// Real boot (carveout verify, 6.1-armmp, 3 GiB): the default CMA area lands at 0xfe800000 when the
// board is merged into QEMU's own tree, which --platform qemu-virt does when QEMU is installed.
test('carveout plan --platform qemu-virt plans the tree QEMU boots', () => {
  const r = runCli([
    'plan',
    'examples/mca/board.dts',
    '--kernel',
    '6.1-armmp',
    '--platform',
    'qemu-virt',
    '--ram',
    '3G',
    '--handlers',
    'examples/mca/mca-handler.ts',
  ]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /\/mca memory-region\[0\] → mca@b8000000: 0/);
  if (/QEMU's own virt tree is not available/.test(r.stderr)) return; // no QEMU here: board tree only
  assert.match(r.stdout, /cma: Reserved 16 MiB at 0xfe800000/);
});

test('plan: a static region straddling the start of RAM gets a crash warning (lab observation)', () => {
  const t = virtTree([node('low@3f800000', { reg: c2(0x3f800000n, 16n * M) }), node('ok@48000000', { reg: c2(0x48000000n, M) })]);
  const p = plan(virtBoard(t, 1n << 30n), { kernel: '6.12-arm64', bootargs: '' });
  const w = p.diagnostics.filter((d) => d.code === 'region-straddles-ram-start');
  assert.equal(w.length, 1);
  assert.match(w[0]!.message, /low@3f800000/);
  assert.equal(w[0]!.severity, 'warning');
});
