// applyOverlays against Debian's fdtoverlay: the same bytes for every case here, and for each
// error case the exact diagnostic plus the same libfdt error fdtoverlay reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyOverlays } from '../../src/overlay/apply.js';
import { compileString } from '../../src/compile.js';
import { readDtb } from '../../src/fdt/reader.js';
import { dtcCompile, fdtoverlay, missingTools } from './fdtoverlay.js';

const skip = missingTools();

const BASE = `/dts-v1/;
/ {
  #address-cells = <2>; #size-cells = <2>;
  aliases { serial0 = &uart0; };
  soc { #address-cells = <2>; #size-cells = <2>;
    uart0: serial@1000 { compatible = "ns16550"; reg = <0 0x1000 0 0x100>; status = "disabled"; };
    intc: interrupt-controller@2000 { interrupt-controller; #interrupt-cells = <1>; reg = <0 0x2000 0 0x100>; };
    nophandle: bus@3000 { reg = <0 0x3000 0 0x100>; };
  };
  reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges; };
  memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; };
};
`;

const CMA = `/dts-v1/;
/plugin/;
&{/reserved-memory} {
  linux,cma { compatible = "shared-dma-pool"; reusable; size = <0 0x4000000>; alignment = <0 0x400000>; linux,cma-default; };
};
`;

const MIXED = `/dts-v1/;
/plugin/;
&uart0 { status = "okay"; new-prop = <1 2>; interrupt-parent = <&intc>;
  dev: child@0 { reg = <0>; compatible = "x"; other = <&dev>; }; };
/ { fragment@5 { target-path = "serial0"; __overlay__ { foo = "bar"; }; }; };
&{/} { top { ref = <&dev &uart0>; }; };
`;

interface Case {
  name: string;
  base: string;
  baseSymbols?: boolean;
  overlays: string[];
}

const same: Case[] = [
  { name: 'a CMA pool under /reserved-memory (target-path)', base: BASE, overlays: [CMA] },
  { name: 'overrides, new nodes, references both ways, an alias as target-path', base: BASE, overlays: [MIXED] },
  {
    name: 'two overlays in order, the second using a label of the first',
    base: BASE,
    overlays: [MIXED, `/dts-v1/;\n/plugin/;\n&dev { again = <&dev>; status = "fail"; };\n`],
  },
  {
    name: 'a base without -@ gets the overlay symbols in a new /__symbols__',
    base: BASE,
    baseSymbols: false,
    overlays: [`/dts-v1/;\n/plugin/;\n&{/soc} { l: n@1 { reg = <0 1 0 1>; self = <&l>; }; };\n`],
  },
  {
    name: 'names matched without unit address, as libfdt matches them',
    base: BASE,
    overlays: [`/dts-v1/;\n/plugin/;\n&{/soc/serial} { x = <1>; };\n&{/soc} { serial { y = <2>; }; };\n`],
  },
  {
    name: 'a longer value grows in place; a shorter one leaves its old bytes in the padding',
    base: BASE,
    overlays: [`/dts-v1/;\n/plugin/;\n&uart0 { compatible = "a-much-longer-compatible-string", "x"; status = "ok"; };\n`],
  },
];

for (const c of same) {
  test(`same bytes as fdtoverlay: ${c.name}`, { skip }, () => {
    const base = dtcCompile(c.base, c.baseSymbols ?? true)!;
    const ovs = c.overlays.map((o) => dtcCompile(o)!);
    const ref = fdtoverlay(base, ovs);
    assert.ok(ref.blob, ref.stderr);
    const ours = applyOverlays(
      base,
      ovs.map((blob, i) => ({ name: `ov${i}.dtbo`, blob })),
    );
    assert.deepEqual(ours.diagnostics, []);
    assert.ok(ours.blob);
    assert.ok(Buffer.from(ours.blob).equals(Buffer.from(ref.blob)), 'blobs differ');
  });
}

test('trees in, the same bytes as blobs in: a base and overlay compiled by carveout', { skip }, () => {
  const base = compileString(BASE, { symbols: true, preprocess: false });
  const ov = compileString(MIXED, { symbols: true, preprocess: false });
  assert.ok(base.tree && ov.tree && base.dtb && ov.dtb);
  const fromTrees = applyOverlays(base.tree, [{ name: 'mixed.dtso', tree: ov.tree }]);
  const ref = fdtoverlay(base.dtb, [ov.dtb]);
  assert.ok(fromTrees.blob && ref.blob);
  assert.ok(Buffer.from(fromTrees.blob).equals(Buffer.from(ref.blob)));
  // The result tree is the blob read back; the caller's trees are untouched.
  assert.deepEqual(fromTrees.tree, readDtb(fromTrees.blob, '<base>').tree);
  assert.ok(!base.tree.root.children.some((n) => n.name === 'top'));
});

test('changes say which overlay and fragment added or changed what', () => {
  const base = compileString(BASE, { symbols: true, preprocess: false }).dtb!;
  const ov = compileString(CMA, { symbols: true, preprocess: false }).dtb!;
  const r = applyOverlays(base, [{ name: 'cma.dtbo', blob: ov }]);
  assert.deepEqual(
    r.changes.filter((c) => c.kind === 'node-added'),
    [{ overlay: 'cma.dtbo', fragment: 'fragment@0', kind: 'node-added', path: '/reserved-memory/linux,cma' }],
  );
  assert.deepEqual(
    r.changes.filter((c) => c.path === '/reserved-memory/linux,cma').map((c) => c.property ?? ''),
    ['', 'compatible', 'reusable', 'size', 'alignment', 'linux,cma-default'],
  );
});

interface ErrorCase {
  name: string;
  base: string;
  baseSymbols?: boolean;
  overlay: string;
  /** Overlay source is a plain tree (hand-written fixups), compiled without /plugin/. */
  code: string;
  message: string;
  /** fdtoverlay's error name, or 'hangs' when it never returns. */
  libfdt: string;
}

const errors: ErrorCase[] = [
  {
    name: 'base built without -@',
    base: BASE,
    baseSymbols: false,
    overlay: `/dts-v1/;\n/plugin/;\n&uart0 { status = "okay"; };\n`,
    code: 'overlay-no-symbols',
    message:
      "overlay 'ov0.dtbo' refers to the base's label 'uart0' but the base has no /__symbols__ node: compile the base with -@ (libfdt: FDT_ERR_NOTFOUND)",
    libfdt: 'FDT_ERR_NOTFOUND',
  },
  {
    name: 'label not in the base __symbols__',
    base: BASE,
    overlay: `/dts-v1/;\n/plugin/;\n&uart9 { status = "okay"; };\n`,
    code: 'overlay-label-missing',
    message: "overlay 'ov0.dtbo': label 'uart9' (used at /fragment@0:target) is not in the base's /__symbols__ (libfdt: FDT_ERR_NOTFOUND)",
    libfdt: 'FDT_ERR_NOTFOUND',
  },
  {
    name: 'target-path missing',
    base: BASE,
    overlay: `/dts-v1/;\n/plugin/;\n&{/soc/nothing@0} { status = "okay"; };\n`,
    code: 'overlay-target-missing',
    message: "overlay 'ov0.dtbo': fragment@0: target-path '/soc/nothing@0' is not a node of the base (libfdt: FDT_ERR_NOTFOUND)",
    libfdt: 'FDT_ERR_NOTFOUND',
  },
  {
    name: 'target-path through an alias that does not exist',
    base: BASE,
    overlay: `/dts-v1/;\n/ { fragment@0 { target-path = "serial7"; __overlay__ { x; }; }; };\n`,
    code: 'overlay-target-missing',
    message: "overlay 'ov0.dtbo': fragment@0: target-path 'serial7' is not a node of the base (libfdt: FDT_ERR_BADPATH)",
    libfdt: 'FDT_ERR_BADPATH',
  },
  {
    name: 'fragment without target',
    base: BASE,
    overlay: `/dts-v1/;\n/ { fragment@0 { __overlay__ { x; }; }; };\n`,
    code: 'overlay-no-target',
    message: "overlay 'ov0.dtbo': fragment@0 has an __overlay__ node but neither 'target' nor 'target-path' (libfdt: FDT_ERR_BADOVERLAY)",
    libfdt: 'FDT_ERR_BADOVERLAY',
  },
  {
    name: 'target phandle no node has',
    base: BASE,
    overlay: `/dts-v1/;\n/ { fragment@0 { target = <0x77>; __overlay__ { x; }; }; };\n`,
    code: 'overlay-target-missing',
    message: "overlay 'ov0.dtbo': fragment@0: target phandle 0x77 is no node of the base (libfdt: FDT_ERR_NOTFOUND)",
    libfdt: 'FDT_ERR_NOTFOUND',
  },
  {
    name: 'label of a node without phandle',
    base: BASE.replace('memory@40000000', '__symbols__ { nophandle = "/soc/bus@3000"; };\n  memory@40000000'),
    baseSymbols: false,
    overlay: `/dts-v1/;\n/ { fragment@0 { target = <0xffffffff>; __overlay__ { x; }; }; __fixups__ { nophandle = "/fragment@0:target:0"; }; };\n`,
    code: 'overlay-label-no-phandle',
    message: "overlay 'ov0.dtbo': label 'nophandle': the base's node /soc/bus@3000 has no phandle (libfdt: FDT_ERR_NOTFOUND)",
    libfdt: 'FDT_ERR_NOTFOUND',
  },
  {
    name: 'malformed fixup entry',
    base: BASE,
    overlay: `/dts-v1/;\n/ { fragment@0 { target = <0xffffffff>; __overlay__ { x; }; }; __fixups__ { uart0 = "/fragment@0:target"; }; };\n`,
    code: 'overlay-bad-fixup',
    message:
      "overlay 'ov0.dtbo': /__fixups__/uart0: entry '/fragment@0:target' has no second \":\" (expected PATH:PROPERTY:OFFSET) (libfdt: FDT_ERR_BADOVERLAY)",
    libfdt: 'FDT_ERR_BADOVERLAY',
  },
  {
    name: 'fixup offset past the property',
    base: BASE,
    overlay: `/dts-v1/;\n/ { fragment@0 { target = <0xffffffff>; __overlay__ { x; }; }; __fixups__ { uart0 = "/fragment@0:target:4"; }; };\n`,
    code: 'overlay-bad-fixup-offset',
    message:
      "overlay 'ov0.dtbo': /__fixups__/uart0: entry '/fragment@0:target:4': offset 4 is outside /fragment@0:target (4 bytes; a phandle needs 4); fdtoverlay 1.6.1 grows its buffer and retries this without end (libfdt: FDT_ERR_NOSPACE)",
    libfdt: 'hangs',
  },
  {
    name: 'local fixup naming a missing property',
    base: BASE,
    overlay: `/dts-v1/;\n/ { fragment@0 { target-path = "/"; __overlay__ { x; }; }; __local_fixups__ { fragment@0 { __overlay__ { y = <0>; }; }; }; };\n`,
    code: 'overlay-bad-local-fixup',
    message:
      "overlay 'ov0.dtbo': /__local_fixups__/fragment@0/__overlay__: property 'y': /fragment@0/__overlay__ has no property 'y' (libfdt: FDT_ERR_BADOVERLAY)",
    libfdt: 'FDT_ERR_BADOVERLAY',
  },
  {
    name: 'a phandle property of the wrong size',
    base: BASE,
    overlay: `/dts-v1/;\n/ { fragment@0 { target-path = "/"; __overlay__ { n { phandle = <1 2>; }; }; }; };\n`,
    code: 'overlay-bad-phandle',
    message:
      "overlay 'ov0.dtbo': /fragment@0/__overlay__/n: property 'phandle' is 8 bytes long, a phandle is 4 (libfdt: FDT_ERR_BADPHANDLE)",
    libfdt: 'FDT_ERR_BADPHANDLE',
  },
  {
    name: 'a symbol that is not a string',
    base: BASE,
    overlay: `/dts-v1/;\n/ { fragment@0 { target-path = "/"; __overlay__ { n { }; }; }; __symbols__ { n = <0x2f000000>, "x"; }; };\n`,
    code: 'overlay-bad-symbol',
    message: "overlay 'ov0.dtbo': /__symbols__/n is not one NUL-terminated string (libfdt: FDT_ERR_BADVALUE)",
    libfdt: 'FDT_ERR_BADVALUE',
  },
  {
    name: "a phandle that overflows once moved above the base's",
    base: BASE,
    overlay: `/dts-v1/;\n/ { fragment@0 { target-path = "/"; __overlay__ { n { phandle = <0xfffffffe>; }; }; }; };\n`,
    code: 'overlay-phandle-overflow',
    message:
      "overlay 'ov0.dtbo': /fragment@0/__overlay__/n: phandle 0xfffffffe moved above the base's largest phandle 0x3 does not fit in 32 bits (libfdt: FDT_ERR_NOPHANDLES)",
    libfdt: 'FDT_ERR_NOPHANDLES',
  },
  {
    name: 'a base symbol naming a node the base lacks',
    base: BASE.replace('memory@40000000', '__symbols__ { uart0 = "/nowhere"; };\n  memory@40000000'),
    baseSymbols: false,
    overlay: `/dts-v1/;\n/plugin/;\n&uart0 { status = "okay"; };\n`,
    code: 'overlay-symbol-path',
    message:
      "overlay 'ov0.dtbo': label 'uart0': the base's /__symbols__ says '/nowhere', which is not a node of the base (libfdt: FDT_ERR_NOTFOUND)",
    libfdt: 'FDT_ERR_NOTFOUND',
  },
  {
    name: 'a target of 3 bytes',
    base: BASE,
    overlay: `/dts-v1/;\n/ { fragment@0 { target = [00 00 01]; __overlay__ { x; }; }; };\n`,
    code: 'overlay-bad-target',
    message: "overlay 'ov0.dtbo': fragment@0: 'target' is 3 bytes long, not one phandle (libfdt: FDT_ERR_BADPHANDLE)",
    libfdt: 'FDT_ERR_BADPHANDLE',
  },
  {
    name: 'a target left unresolved',
    base: BASE,
    overlay: `/dts-v1/;\n/ { fragment@0 { target = <0xffffffff>; __overlay__ { x; }; }; };\n`,
    code: 'overlay-bad-target',
    message: "overlay 'ov0.dtbo': fragment@0: 'target' is <0xffffffff>, an unresolved reference (libfdt: FDT_ERR_BADPHANDLE)",
    libfdt: 'FDT_ERR_BADPHANDLE',
  },
  {
    name: 'a local fixup that is not a list of offsets',
    base: BASE,
    overlay: `/dts-v1/;\n/ { fragment@0 { target-path = "/"; __overlay__ { x = <1>; }; }; __local_fixups__ { fragment@0 { __overlay__ { x = [00 00]; }; }; }; };\n`,
    code: 'overlay-bad-local-fixup',
    message:
      "overlay 'ov0.dtbo': /__local_fixups__/fragment@0/__overlay__: property 'x' is 2 bytes long, not a list of 32-bit offsets (libfdt: FDT_ERR_BADOVERLAY)",
    libfdt: 'FDT_ERR_BADOVERLAY',
  },
  {
    name: 'a local fixup offset past its property',
    base: BASE,
    overlay: `/dts-v1/;\n/ { fragment@0 { target-path = "/"; __overlay__ { x = <1>; }; }; __local_fixups__ { fragment@0 { __overlay__ { x = <4>; }; }; }; };\n`,
    code: 'overlay-bad-local-fixup',
    message:
      "overlay 'ov0.dtbo': /__local_fixups__/fragment@0/__overlay__: property 'x': offset 4 is past the end of /fragment@0/__overlay__:x (4 bytes) (libfdt: FDT_ERR_BADOVERLAY)",
    libfdt: 'FDT_ERR_BADOVERLAY',
  },
  {
    name: 'a local fixup naming a missing node',
    base: BASE,
    overlay: `/dts-v1/;\n/ { fragment@0 { target-path = "/"; __overlay__ { x = <1>; }; }; __local_fixups__ { fragment@0 { __overlay__ { gone { x = <0>; }; }; }; }; };\n`,
    code: 'overlay-bad-local-fixup',
    message:
      "overlay 'ov0.dtbo': /__local_fixups__/fragment@0/__overlay__/gone: the overlay has no node /fragment@0/__overlay__/gone (libfdt: FDT_ERR_BADOVERLAY)",
    libfdt: 'FDT_ERR_BADOVERLAY',
  },
  {
    name: 'a symbol that is not an absolute path',
    base: BASE,
    overlay: `/dts-v1/;\n/ { fragment@0 { target-path = "/"; __overlay__ { n { }; }; }; __symbols__ { n = "fragment@0/__overlay__/n"; }; };\n`,
    code: 'overlay-bad-symbol',
    message: "overlay 'ov0.dtbo': /__symbols__/n = 'fragment@0/__overlay__/n' is not an absolute path (libfdt: FDT_ERR_BADVALUE)",
    libfdt: 'FDT_ERR_BADVALUE',
  },
  {
    name: 'a symbol under a fragment the overlay lacks',
    base: BASE,
    overlay: `/dts-v1/;\n/ { fragment@0 { target-path = "/"; __overlay__ { n { }; }; }; __symbols__ { n = "/fragment@7/__overlay__/n"; }; };\n`,
    code: 'overlay-bad-symbol',
    message:
      "overlay 'ov0.dtbo': /__symbols__/n = '/fragment@7/__overlay__/n' names no fragment with an __overlay__ node (libfdt: FDT_ERR_BADOVERLAY)",
    libfdt: 'FDT_ERR_BADOVERLAY',
  },
];

for (const c of errors) {
  test(`error: ${c.name}`, { skip }, () => {
    const base = dtcCompile(c.base, c.baseSymbols ?? true)!;
    const ov = dtcCompile(c.overlay, false, true)!;
    assert.ok(base && ov);
    const ours = applyOverlays(base, [{ name: 'ov0.dtbo', blob: ov }]);
    assert.equal(ours.blob, undefined);
    const d = ours.diagnostics.filter((x) => x.severity === 'error');
    assert.equal(d.length, 1);
    assert.equal(d[0]!.code, c.code);
    assert.equal(d[0]!.file, 'ov0.dtbo');
    assert.equal(d[0]!.message, c.message);
    if (c.libfdt === 'hangs') return; // fdtoverlay 1.6.1 grows its buffer without end here
    const ref = fdtoverlay(base, [ov]);
    assert.equal(ref.blob, undefined);
    assert.equal(ref.error, c.libfdt, ref.stderr);
    assert.match(d[0]!.message, new RegExp(`\\(libfdt: ${c.libfdt}\\)$`));
  });
}
