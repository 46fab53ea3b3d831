// The boot CPU and what a 52-bit arm64 build does with it (src/platform/cpu.ts, the arm64 layer's
// vaBitsMin, early_map_kernel in src/kernel/arch/arm64/setup.ts). The real consoles that judge it:
// test/verify/raspi3b-console.test.ts (Cortex-A53) and the lab's `cores` cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBoard } from '../../src/board.js';
import { plan, resolveProfile } from '../../src/kernel/plan.js';
import { dtsFile } from '../helpers/board.js';
import { runCli } from '../helpers/cli.js';

/** A board with 1 GiB at 0x40000000 whose boot CPU has `compatible` (none: no /cpus). */
function cpuBoard(compatible?: string): string {
  const cpus =
    compatible === undefined
      ? ''
      : `cpus {
		#address-cells = <1>;
		#size-cells = <0>;
		cpu@0 { device_type = "cpu"; compatible = "${compatible}"; reg = <0>; };
		cpu@1 { device_type = "cpu"; compatible = "arm,cortex-a57"; reg = <1>; };
	};`;
  return dtsFile(`/dts-v1/;
/ {
	#address-cells = <2>;
	#size-cells = <2>;
	${cpus}
	memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x40000000>; };
};
`);
}

test('the arm64 layer lays a 52-bit build out twice: as built, and with VA_BITS_MIN for a CPU without FEAT_LPA2', () => {
  const k4 = resolveProfile('6.12-arm64')!.arm64!;
  assert.equal(k4.vaBits, 52);
  assert.equal(k4.physMaskShift, 52);
  assert.equal(k4.pgtable.levelShifts.length, 3); // PMD, PUD, P4D below the root: 5 levels
  const min4 = k4.vaBitsMin!;
  assert.equal(min4.needs, 'lpa2');
  assert.equal(min4.layout.vaBits, 48);
  assert.equal(min4.layout.physMaskShift, 48);
  assert.deepEqual(min4.layout.pgtable.levelShifts, [21, 30]);
  assert.equal(min4.layout.linearRegionSize, 1n << 47n);
  // NR_SECTION_ROOTS pointers with MAX_PHYSMEM_BITS 48 (32-byte mem_section with PAGE_EXTENSION)
  assert.equal(min4.layout.sparse.memSectionRootsBytes, 131072n);
  assert.equal(k4.sparse.memSectionRootsBytes, 2n * 1024n * 1024n);
  // memstart_addr moved down by _PAGE_OFFSET(48) - _PAGE_OFFSET(52): vmemmap starts that many struct pages up
  assert.equal(min4.layout.sparse.vmemmapStart - k4.sparse.vmemmapStart, (((1n << 52n) - (1n << 48n)) >> 12n) * 64n);
  const k16 = resolveProfile('7.2-arm64-16k')!.arm64!;
  assert.equal(k16.vaBitsMin!.layout.vaBits, 47);
  assert.equal(k16.vaBitsMin!.layout.pgtable.levelShifts.length, 1); // 3 levels
  // 48-bit builds need nothing of the CPU
  assert.equal(resolveProfile('6.1-arm64')!.arm64!.vaBitsMin, undefined);
  assert.equal(resolveProfile('5.10-arm64')!.arm64!.vaBitsMin, undefined);
});

test("the boot CPU comes from the tree's first cpu node, --cpu, or QEMU's max; an unknown core is assumed without FEAT_LPA2, and said", () => {
  const a72 = loadBoard(cpuBoard('arm,cortex-a72'), { arch: 'arm64' });
  assert.deepEqual(a72.cpu, {
    name: 'cortex-a72',
    lpa2: false,
    lva: false,
    tgran16: false,
    from: 'tree',
    compatible: 'arm,cortex-a72',
  });
  const given = loadBoard(cpuBoard('arm,cortex-a72'), { arch: 'arm64', cpu: 'max' });
  assert.deepEqual(given.cpu, { name: 'max', lpa2: true, lva: true, tgran16: true, from: 'option' });
  const odd = loadBoard(cpuBoard('acme,dragon'), { arch: 'arm64' });
  assert.equal(odd.cpu?.from, 'assumed');
  assert.equal(odd.cpu?.lpa2, false);
  const none = loadBoard(cpuBoard(), { arch: 'arm64' });
  assert.equal(none.cpu?.from, 'assumed');
  const p = plan(odd, { kernel: '6.12-arm64' });
  const notes = p.diagnostics.map((d) => d.code);
  assert.ok(notes.includes('cpu-assumed') && notes.includes('va-bits-min'), notes.join(' '));
  assert.match(p.diagnostics.find((d) => d.code === 'cpu-assumed')!.message, /'acme,dragon'/);
  // a 48-bit build asks nothing of the CPU: no note
  assert.ok(!plan(odd, { kernel: '6.1-arm64' }).diagnostics.some((d) => d.code === 'cpu-assumed' || d.code === 'va-bits-min'));
  const bad = loadBoard(cpuBoard('arm,cortex-a72'), { arch: 'arm64', cpu: 'pentium' });
  assert.equal(bad.tree, undefined);
  assert.match(bad.diagnostics.find((d) => d.code === 'unknown-cpu')!.message, /unknown CPU 'pentium'/);
  const noQemu = loadBoard(cpuBoard('arm,cortex-a72'), { arch: 'arm64', platform: 'qemu-virt', cpu: 'cortex-a55' });
  assert.match(noQemu.diagnostics.find((d) => d.code === 'unknown-cpu')!.message, /QEMU has no model/);
});

test('a CPU with FEAT_LPA2 gives a 52-bit build its 52 bits, unless arm64.nolva (before a lone --) hides it', () => {
  const f = cpuBoard('arm,cortex-a57');
  const roots = (bootargs: string, cpu?: string) => {
    const p = plan(loadBoard(f, { arch: 'arm64', ...(cpu ? { cpu } : {}) }), {
      kernel: '6.12-arm64',
      bootargs: `${bootargs} memblock=debug`,
    });
    const e = p.trace.events.find((x) => (x.detail as { caller?: string }).caller === 'sparse_init');
    return {
      size: (e?.detail as { size?: bigint } | undefined)?.size,
      reduced: p.diagnostics.find((d) => d.code === 'va-bits-min')?.message,
    };
  };
  assert.deepEqual(roots('', 'max'), { size: 2n * 1024n * 1024n, reduced: undefined });
  const hidden = roots('arm64.nolva', 'max');
  assert.equal(hidden.size, 131072n);
  assert.match(hidden.reduced!, /runs with 48 \(arm64\.nolva on the command line hides it\)/);
  assert.equal(roots('id_aa64mmfr2.varange=0', 'max').size, 131072n);
  assert.equal(roots('-- arm64.nolva', 'max').size, 2n * 1024n * 1024n);
  const a57 = roots('');
  assert.equal(a57.size, 131072n);
  assert.match(a57.reduced!, /cortex-a57 lacks FEAT_LPA2/);
});

test('--cpu on the command line: a known core plans, an unknown one is a usage error naming the known ones', () => {
  const f = cpuBoard('arm,cortex-a53');
  const ok = runCli(['plan', f, '--kernel', '7.2-arm64', '--cpu', 'max', '--format', 'json']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.ok(!JSON.parse(ok.stdout).diagnostics.some((d: { code: string }) => d.code === 'va-bits-min'));
  const a53 = runCli(['plan', f, '--kernel', '7.2-arm64']);
  assert.match(a53.stderr + a53.stdout, /7\.2-arm64 is built for 52-bit virtual addresses but runs with 48 \(cortex-a53 lacks FEAT_LPA2\)/);
  const bad = runCli(['plan', f, '--kernel', '7.2-arm64', '--cpu', 'cortex-a999']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown CPU 'cortex-a999' \(known: .*cortex-a53/);
});

test('a 16K kernel on a core without the 16K granule never starts: a silent hang in __no_granule_support', () => {
  const f = cpuBoard('arm,cortex-a53');
  for (const kernel of ['6.12-arm64-16k', '7.2-arm64-16k']) {
    const p = plan(loadBoard(f, { arch: 'arm64' }), { kernel, bootargs: 'console=ttyAMA0 earlycon mem=512M cma=16M' });
    assert.equal(p.exitCode, 1);
    assert.equal(p.boot.outcome, 'hang');
    assert.equal(p.boot.function, '__no_granule_support');
    assert.match(p.boot.reason!, /cortex-a53 has no 16K translation granule/);
    assert.deepEqual(p.log, []);
    assert.ok(p.diagnostics.some((d) => d.code === 'kernel-hang' && d.severity === 'error'));
  }
  // the 4K build, and a core with the granule, start
  assert.equal(plan(loadBoard(f, { arch: 'arm64' }), { kernel: '6.12-arm64' }).boot.outcome, 'ok');
  assert.equal(plan(loadBoard(cpuBoard('arm,cortex-a76'), { arch: 'arm64' }), { kernel: '6.12-arm64-16k' }).boot.outcome, 'ok');
  // Armv8.4 and v9.0 cores (QEMU's later models' ID registers): the 16K granule, no FEAT_LPA2
  for (const core of ['neoverse-v1', 'cortex-a710', 'neoverse-n2']) {
    const p = plan(loadBoard(cpuBoard(`arm,${core}`), { arch: 'arm64' }), { kernel: '7.2-arm64-16k' });
    assert.equal(p.boot.outcome, 'ok', core);
    assert.deepEqual(p.loader.cpu, { name: core, from: 'tree', vaBits: 47 });
  }
  // an Armv9.2 core is not in the table: assumed without FEAT_LPA2, and said
  const a720 = plan(loadBoard(cpuBoard('arm,cortex-a720'), { arch: 'arm64' }), { kernel: '7.2-arm64' });
  assert.equal(a720.loader.cpu?.from, 'assumed');
  assert.match(a720.diagnostics.find((d) => d.code === 'cpu-assumed')!.message, /'arm,cortex-a720'/);
  // a core whose 16K granule the table does not know: planned as if it had it, and said
  const a73 = plan(loadBoard(cpuBoard('arm,cortex-a73'), { arch: 'arm64' }), { kernel: '6.12-arm64-16k' });
  assert.equal(a73.boot.outcome, 'ok');
  assert.ok(a73.diagnostics.some((d) => d.code === 'cpu-granule-unknown'));
});

test("RAM past 2^48 is beyond an LPA2 build's reach on a core without LPA2 (PHYS_MASK_SHIFT 48), within it on max", () => {
  const f = dtsFile(`/dts-v1/;
/ {
	#address-cells = <2>;
	#size-cells = <2>;
	cpus {
		#address-cells = <1>;
		#size-cells = <0>;
		cpu@0 { device_type = "cpu"; compatible = "arm,neoverse-n1"; reg = <0>; };
	};
	memory@fffe00000000 { device_type = "memory"; reg = <0xfffe 0x0 0x0 0x40000000>, <0xffff 0xc0000000 0x0 0x80000000>; };
};
`);
  const n1 = plan(loadBoard(f, { arch: 'arm64' }), { kernel: '6.12-arm64' });
  const err = n1.diagnostics.find((d) => d.code === 'beyond-phys-addr');
  assert.match(err?.message ?? '', /ends past the 48-bit physical address space of 6\.12-arm64/);
  assert.equal(err?.line, 10);
  assert.ok(
    !plan(loadBoard(f, { arch: 'arm64', cpu: 'max' }), { kernel: '6.12-arm64' }).diagnostics.some((d) => d.code === 'beyond-phys-addr'),
  );
});

test('carveout check on a core without the 16K granule: a kernel-panic finding for the hang, with no kernel line (nothing is printed)', () => {
  const r = runCli(['check', cpuBoard('arm,cortex-a57'), '--kernel', '7.2-arm64-16k', '--format', 'json']);
  const f = (JSON.parse(r.stdout) as { rule: string; message: string; kernel_line: string | null }[]).find(
    (x) => x.rule === 'kernel-panic',
  );
  assert.match(f?.message ?? '', /would hang in __no_granule_support \(cortex-a57 has no 16K translation granule/);
  assert.equal(f?.kernel_line, null);
});
