// The library pipeline (src/compile.ts): preprocessing, options, loadDts, DTB input, and that no
// input — however hostile — makes it throw.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { compileFile, compileString, loadDts } from '../../src/compile.js';
import { getNodeByPath } from '../../src/tree/checks.js';

const dir = mkdtempSync(join(tmpdir(), 'carveout-compile-'));
after(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'inc', 'dt-bindings'), { recursive: true });
writeFileSync(join(dir, 'inc', 'dt-bindings', 'irq.h'), '#define IRQ_TYPE_LEVEL_HIGH 4\n#define GIC_SPI 0\n');
writeFileSync(
  join(dir, 'soc.dtsi'),
  `/ {\n\t#address-cells = <2>;\n\t#size-cells = <2>;\n\tgic: intc@8000000 {\n\t\tcompatible = "arm,gic-v3";\n\t\treg = <0 0x8000000 0 0x10000>;\n\t\tinterrupt-controller;\n\t\t#interrupt-cells = <3>;\n\t\t#address-cells = <0>;\n\t};\n};\n`,
);
const board = join(dir, 'board.dts');
writeFileSync(
  board,
  `/dts-v1/;
#include <dt-bindings/irq.h>
#include "soc.dtsi"
#define MEM_BASE 0x40000000
/ {
	interrupt-parent = <&gic>;
	memory@40000000 {
		device_type = "memory";
		reg = <0 MEM_BASE 0 (256 * 1024 * 1024)>;
	};
	reserved-memory {
		#address-cells = <2>;
		#size-cells = <2>;
		ranges;
		cma: linux,cma {
			compatible = "shared-dma-pool";
			reusable;
			size = <0 0x4000000>;
			linux,cma-default;
		};
	};
	dev@9000000 {
		reg = <0 0x9000000 0 0x1000>;
		interrupts = <GIC_SPI 1 IRQ_TYPE_LEVEL_HIGH>;
		memory-region = <&cma>;
	};
};
`,
);
const dtcAvailable = spawnSync('dtc', ['--version']).status === 0;

test('DTS with #include/#define compiles through our preprocessor; same bytes as cpp | dtc', () => {
  const r = compileFile(board, { includeDirs: [join(dir, 'inc')] });
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.ok(r.dtb);
  const dev = getNodeByPath(r.tree!.root, '/dev@9000000')!;
  assert.deepEqual([...dev.props.find((p) => p.name === 'interrupts')!.value], [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 4]);
  const cpp = spawnSync('cpp', [
    '-nostdinc',
    '-undef',
    '-D__DTS__',
    '-x',
    'assembler-with-cpp',
    '-I',
    join(dir, 'inc'),
    board,
    '-o',
    join(dir, 'board.tmp'),
  ]);
  if (dtcAvailable && cpp.status === 0) {
    assert.equal(spawnSync('dtc', ['-o', join(dir, 'ref.dtb'), join(dir, 'board.tmp')]).status, 0);
    assert.deepEqual(Buffer.from(r.dtb), readFileSync(join(dir, 'ref.dtb')));
  }
});

test('a missing header is an error diagnostic pointing at the #include', () => {
  const r = compileFile(board, { includeDirs: [] });
  assert.equal(r.dtb, undefined);
  assert.equal(r.failed, 'input');
  const e = r.diagnostics.find((d) => d.severity === 'error')!;
  assert.equal(e.file, board);
  assert.equal(e.line, 2);
});

test('loadDts resolves phandles and keeps -@ symbols; refuses trees dtc refuses', () => {
  const t = loadDts(board, { includeDirs: [join(dir, 'inc')], symbols: true });
  assert.ok(t.tree);
  const dev = getNodeByPath(t.tree.root, '/dev@9000000')!;
  const cma = getNodeByPath(t.tree.root, '/reserved-memory/linux,cma')!;
  assert.equal(cma.phandle, 2); // gic is referenced first (interrupt-parent)
  assert.deepEqual([...dev.props.find((p) => p.name === 'memory-region')!.value], [0, 0, 0, 2]);
  assert.ok(getNodeByPath(t.tree.root, '/__symbols__'));
  const bad = loadDts(board, {
    includeDirs: [join(dir, 'inc')],
    preprocess: true,
    defines: {},
    checkFlags: [{ kind: 'E', name: 'always_fail' }],
  });
  assert.equal(bad.tree, undefined);
  assert.ok(bad.diagnostics.some((d) => d.code === 'always_fail' && d.severity === 'error'));
});

test('compileString, -s, -A and DTB input round trip match dtc', () => {
  const src = `/dts-v1/;\n/ {\n\tzz: z { b = <1>; a = "x"; };\n\taa: a { p = <&zz>; };\n};\n`;
  for (const [flags, opts] of [
    [[], {}],
    [['-s'], { sort: true }],
    [['-A'], { autoAliases: true }],
    [['-H', 'legacy'], { phandleStyle: 'legacy' as const }],
  ] as const) {
    const r = compileString(src, { fileName: 'x.dts', preprocess: false, ...opts });
    assert.ok(r.dtb, JSON.stringify(r.diagnostics));
    if (dtcAvailable) {
      const f = join(dir, 'x.dts');
      writeFileSync(f, src);
      assert.equal(spawnSync('dtc', [...flags, '-o', join(dir, 'x.dtb'), f]).status, 0);
      assert.deepEqual(Buffer.from(r.dtb), readFileSync(join(dir, 'x.dtb')), flags.join(' '));
    }
    // DTB → DTB reproduces the blob.
    const again = compileString(Buffer.from(r.dtb).toString('latin1'), { inputFormat: 'dtb' });
    assert.deepEqual(again.dtb, r.dtb);
  }
});

test('hostile DTBs through the whole pipeline: diagnostics, never an exception', () => {
  const r = compileFile(board, { includeDirs: [join(dir, 'inc')], symbols: true });
  const blob = Buffer.from(r.dtb!);
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(blob.length - 1), fc.nat(255)), { minLength: 1, maxLength: 8 }),
      fc.boolean(),
      (edits, truncate) => {
        const b = Buffer.from(blob);
        for (const [i, v] of edits) b[i] = v;
        const input = truncate ? b.subarray(0, edits[0]![0]) : b;
        const out = compileString(input.toString('latin1'), { inputFormat: 'dtb', outputFormat: edits.length % 2 ? 'dts' : 'dtb' });
        if (!out.dtb && out.dts === undefined) assert.ok(out.diagnostics.some((d) => d.severity === 'error'));
      },
    ),
    { numRuns: 3000 },
  );
});

test('kernelWarnings starts from the kernel build switches; loadDts uses them by default', () => {
  const src = `/dts-v1/;\n/ {\n\tfoo@1 { };\n};\n`;
  const f = join(dir, 'kw.dts');
  writeFileSync(f, src);
  const codes = (ds: { code: string }[]) => ds.map((d) => d.code);
  assert.deepEqual(codes(compileFile(f, { preprocess: false }).diagnostics), ['unit_address_vs_reg']);
  assert.deepEqual(codes(compileFile(f, { preprocess: false, kernelWarnings: true }).diagnostics), []);
  assert.deepEqual(codes(loadDts(f, { preprocess: false }).diagnostics), []);
  assert.deepEqual(codes(loadDts(f, { preprocess: false, kernelWarnings: false }).diagnostics), ['unit_address_vs_reg']);
});
