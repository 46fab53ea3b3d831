// setup_log_buf (kernel/printk/printk.c, src/kernel/printk.ts): `log_buf_len=` (and many possible
// CPUs) replace the static ring buffer with three memblock allocations that stay reserved, before
// vfs_caches_init_early's hash tables. Sizes as booted: 6.12-armmp with log_buf_len=4M took
// 4194304 + 1572864 + 11534336 bytes (prb_desc 12, printk_info 88), 5.10-arm64 with 1M took
// 1048576 + 786432 + 2883584 (24, 88), 7.2-arm64 1048576 + 786432 + 3670016 (printk_info 112
// with CONFIG_PRINTK_EXECUTION_CTX) and printed "log buffer data + meta data: 1048576 + 4456448 =
// 5505024 bytes"; 7.2's default boot printed "131072 + 557056 = 688128" (arm64) and "131072 +
// 507904 = 638976" (armmp).
// The real consoles beside it: QEMU vexpress-a15 (RAM at 0x80000000, a board the lab's virt
// machine is not) booting Debian's 5.10, 6.12.118 and 7.2 armmp with log_buf_len=4M, read by
// `verify --log`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { loadBoard } from '../../src/board.js';
import { plan } from '../../src/kernel/plan.js';
import { verifyLog } from '../../src/verify/log.js';
import { runCli } from '../helpers/cli.js';
import { dtsFile } from '../helpers/board.js';

const here = dirname(fileURLToPath(import.meta.url));
const example = join(here, '..', '..', 'examples', 'qemu-virt-cma.dts');
const fx = join(here, '..', 'verify', 'fixtures');

const logBufAllocs = (kernel: string, bootargs: string, ram = 512n << 20n) => {
  const p = plan(loadBoard(example, { platform: 'qemu-virt', arch: kernel.includes('arm64') ? 'arm64' : 'arm', ram }), {
    kernel,
    bootargs,
  });
  const sizes = p.trace.events
    .map((e) => e.detail as { caller?: string; size?: bigint; kind?: string })
    .filter((d) => d.caller === 'setup_log_buf' && d.kind !== 'memblock_reserve')
    .map((d) => d.size);
  return { sizes, printk: p.log.map((l) => l.text).filter((t) => t.startsWith('printk: ')), p };
};

test('log_buf_len= takes the text, descriptor and info arrays from memblock, sized per build', () => {
  assert.deepEqual(logBufAllocs('6.12-armmp', 'console=ttyAMA0 log_buf_len=4M').sizes, [4194304n, 1572864n, 11534336n]);
  assert.deepEqual(logBufAllocs('5.10-arm64', 'console=ttyAMA0 log_buf_len=1M').sizes, [1048576n, 786432n, 2883584n]);
  const v72 = logBufAllocs('7.2-arm64', 'console=ttyAMA0 log_buf_len=1M');
  assert.deepEqual(v72.sizes, [1048576n, 786432n, 3670016n]);
  assert.deepEqual(v72.printk, ['printk: log buffer data + meta data: 1048576 + 4456448 = 5505024 bytes']);
  // before 7.2: the new length, once
  assert.deepEqual(logBufAllocs('6.1-arm64', 'console=ttyAMA0 log_buf_len=600K').printk, ['printk: log_buf_len: 1048576 bytes']);
});

test('log_buf_len= rounds up to a power of two, keeps the static buffer when not bigger, and 7.2 always prints its usage', () => {
  // 100K rounds up to 128K, the static buffer (CONFIG_LOG_BUF_SHIFT 17): nothing to replace
  assert.deepEqual(logBufAllocs('6.12-arm64', 'console=ttyAMA0 log_buf_len=100K').sizes, []);
  assert.deepEqual(logBufAllocs('6.12-arm64', 'console=ttyAMA0 log_buf_len=129K').sizes[0], 262144n);
  // a later smaller one leaves the earlier bigger one (each is compared with the static length)
  assert.deepEqual(logBufAllocs('6.12-arm64', 'console=ttyAMA0 log_buf_len=2M log_buf_len=64K').sizes[0], 2097152n);
  assert.deepEqual(logBufAllocs('7.2-arm64', 'console=ttyAMA0').printk, [
    'printk: log buffer data + meta data: 131072 + 557056 = 688128 bytes',
  ]);
  assert.deepEqual(logBufAllocs('7.2-armmp', 'console=ttyAMA0').printk, [
    'printk: log buffer data + meta data: 131072 + 507904 = 638976 bytes',
  ]);
  assert.deepEqual(logBufAllocs('6.12-armmp', 'console=ttyAMA0').printk, []);
  // no value: log_buf_len_setup's -EINVAL, a malformed early option
  assert.ok(logBufAllocs('6.12-arm64', 'console=ttyAMA0 log_buf_len').p.log.some((l) => l.text === "Malformed early option 'log_buf_len'"));
});

test('the log buffer counts in the Memory line: reserved grows by what setup_log_buf took', () => {
  const mem = (bootargs: string) => logBufAllocs('6.12-armmp', bootargs).p.pageAllocator!.reserved;
  assert.equal(mem('console=ttyAMA0 log_buf_len=4M') - mem('console=ttyAMA0'), 4194304n + 1572864n + 11534336n);
});

for (const kernel of ['5.10-armmp', '6.12-armmp', '7.2-armmp']) {
  test(`a real console: vexpress-a15 (RAM at 0x80000000) on ${kernel} with log_buf_len=4M agrees line for line, Memory line and memblock tables included`, () => {
    // the DTB QEMU handed the kernel (vexpress-a15-boot.dts with QEMU's /memory and /chosen, its
    // initrd among them), placed after the initrd (hw/arm/boot.c: 4 KiB aligned on arm)
    const dtb = join(fx, 'vexpress-a15-boot.dtb');
    const board = loadBoard(new Uint8Array(readFileSync(dtb)), { fileName: dtb, arch: 'arm', dtbAt: 0x880de000n });
    assert.deepEqual(board.placements.initrd, { base: 0x88000000n, size: 0xdd856n }, 'the initrd /chosen declares');
    const log = gunzipSync(readFileSync(join(fx, `${kernel}-vexpress-a15.log.gz`))).toString('latin1');
    const res = verifyLog(board, log, { kernel });
    assert.equal(res.exitCode, 0, JSON.stringify(res.differences));
    assert.deepEqual(res.differences, []);
    assert.ok(
      res.notes.some((n) => /'Memory:' line and memblock's tables \(MEMBLOCK configuration\) agree/.test(n)),
      res.notes.join('\n'),
    );
    // and from the CLI, the console as captured
    const file = join(mkdtempSync(join(tmpdir(), 'carveout-vexpress-')), 'console.log');
    writeFileSync(file, log);
    const cli = runCli(['verify', dtb, '--kernel', kernel, '--log', file, '--dtb-at', '0x880de000']);
    assert.equal(cli.status, 0, cli.stderr + cli.stdout);
    assert.match(cli.stdout, /prediction and kernel agree/);
  });
}

test('twenty possible CPUs grow the buffer by themselves (log_buf_add_cpu), as Debian 6.12 printed under QEMU virt -smp 20', () => {
  const cpus = Array.from(
    { length: 20 },
    (_, i) => `cpu@${i} { device_type = "cpu"; compatible = "arm,cortex-a53"; reg = <0x0 0x${i.toString(16)}>; enable-method = "psci"; };`,
  ).join('\n');
  const f = dtsFile(
    `/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n psci { compatible = "arm,psci-1.0"; method = "smc"; };\n cpus { #address-cells = <2>; #size-cells = <0>;\n${cpus}\n };\n memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x20000000>; };\n};\n`,
  );
  const p = plan(loadBoard(f, { arch: 'arm64' }), { kernel: '6.12-arm64', bootargs: 'console=ttyAMA0' });
  // (QEMU 7.2 -M virt,gic-version=3 -smp 20, 6.12.118: the same four lines, then "early log buf free")
  assert.deepEqual(
    p.log.map((l) => l.text).filter((t) => t.startsWith('printk: ')),
    [
      'printk: log_buf_len individual max cpu contribution: 4096 bytes',
      'printk: log_buf_len total cpu_extra contributions: 77824 bytes',
      'printk: log_buf_len min size: 131072 bytes',
      'printk: log_buf_len: 262144 bytes',
    ],
  );
  // log_buf_len= decides instead: no CPU lines
  const q = plan(loadBoard(f, { arch: 'arm64' }), { kernel: '6.12-arm64', bootargs: 'console=ttyAMA0 log_buf_len=1M' });
  assert.deepEqual(
    q.log.map((l) => l.text).filter((t) => t.startsWith('printk: ')),
    ['printk: log_buf_len: 1048576 bytes'],
  );
});
