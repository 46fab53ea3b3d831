// Early params whose handler reads a bare parameter's value through NULL (cmdline.ts earlyFault,
// boot-state.ts earlyParamFault): the boot dies inside parse_early_param. What each kernel did,
// booted under QEMU with `verify --bootargs`: arm64 oopses in the idle task ("Attempted to kill the
// idle task!", setup_io_tlb_npages in the call trace), 32-bit arm falls silent before paging_init.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBoard } from '../../src/board.js';
import { plan } from '../../src/kernel/plan.js';

const board = (arch: 'arm64' | 'arm') => loadBoard('examples/qemu-virt-cma.dts', { platform: 'qemu-virt', arch });
const run = (kernel: string, bootargs: string) => plan(board(kernel.includes('arm64') ? 'arm64' : 'arm'), { kernel, bootargs });

test('bare swiotlb: arm64 oopses in setup_io_tlb_npages and panics in the idle task, every series', () => {
  for (const kernel of ['5.10-arm64', '6.1-arm64', '6.12-arm64', '6.12-arm64-16k', '7.2-arm64']) {
    const p = run(kernel, 'console=ttyAMA0 swiotlb');
    assert.deepEqual(
      { outcome: p.boot.outcome, function: p.boot.function, panic: p.boot.panic },
      { outcome: 'panic', function: 'setup_io_tlb_npages', panic: 'Attempted to kill the idle task!' },
      kernel,
    );
    assert.equal(p.log.at(-1)?.text, 'Kernel panic - not syncing: Attempted to kill the idle task!');
    // nothing of the memory phase: the kernel never gets there
    assert.ok(!p.log.some((l) => /^(OF: reserved mem|Reserved memory|cma): /.test(l.text)), kernel);
    assert.equal(p.diagnostics.find((d) => d.code === 'kernel-panic')?.severity, 'error');
    // with a value it is the option it always was
    assert.equal(run(kernel, 'swiotlb=force').boot.outcome, 'ok', kernel);
  }
});

test('bare swiotlb, mem and vmalloc on 32-bit arm: the abort comes before the exception vectors exist, a silent hang', () => {
  for (const kernel of ['5.10-armmp', '6.1-armmp-lpae', '6.12-armmp', '7.2-armmp-lpae']) {
    for (const [param, fn] of [
      ['swiotlb', 'setup_io_tlb_npages'],
      ['mem', 'early_mem'],
      ['vmalloc', 'early_vmalloc'],
    ]) {
      const p = run(kernel, `console=ttyAMA0 ${param}`);
      assert.equal(p.boot.outcome, 'hang', `${kernel} ${param}`);
      assert.equal(p.boot.function, fn, `${kernel} ${param}`);
    }
    assert.equal(run(kernel, 'mem=512M').boot.outcome, 'ok', kernel);
  }
  // early_mem removes every bank before it reads the value: memblock=debug printed that removal
  // (6.1-armmp: 'memblock_remove: [0x40000000-0x5fffffff] early_mem+0x6c/0xe4', then silence)
  const removed = run('6.1-armmp', 'memblock=debug mem').trace.events.map((e) => e.detail as { kind: string; caller: string });
  assert.deepEqual(
    removed.map((d) => `${d.kind} ${d.caller}`),
    ['memblock_remove early_mem'],
  );
});

test("arm64's early_mem checks for no value: bare mem is -EINVAL there, 'Malformed early option', and the boot goes on", () => {
  const p = run('6.12-arm64', 'mem');
  assert.equal(p.boot.outcome, 'ok');
  assert.ok(p.log.some((l) => l.text === "Malformed early option 'mem'"));
});

test('the params after the one that faults are never parsed: an earlier malformed option is printed, a later one is not', () => {
  const p = run('7.2-arm64', 'numa swiotlb mem');
  assert.deepEqual(
    p.log.filter((l) => /^Malformed early option/.test(l.text)).map((l) => l.text),
    ["Malformed early option 'numa'"],
  );
});
