// arm's machine descriptors that map devices early (src/kernel/arch/arm/machines.ts): the machine
// setup_machine_fdt picks for a tree, and what its map_io takes from memblock. The real consoles
// that judge it: test/verify/board-consoles.test.ts (QEMU sabrelite, an i.MX6 Quad).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBoard } from '../../src/board.js';
import { armMachine } from '../../src/kernel/arch/arm/machines.js';
import { plan } from '../../src/kernel/plan.js';
import { dtsFile } from '../helpers/board.js';

const board = (compatible: string) =>
  loadBoard(
    dtsFile(`/dts-v1/;
/ {
	compatible = ${compatible};
	#address-cells = <1>;
	#size-cells = <1>;
	memory@10000000 { device_type = "memory"; reg = <0x10000000 0x20000000>; };
};
`),
    { arch: 'arm' },
  );

test('the machine descriptor is the best dt_compat match of the root compatible; none listed is the Generic DT one', () => {
  assert.equal(armMachine(board('"fsl,imx6q-sabrelite", "fsl,imx6q"').tree!)?.compat[0], 'fsl,imx6dl');
  assert.equal(armMachine(board('"boundary,nitrogen6x", "fsl,imx6dl"').tree!)?.name, 'Freescale i.MX6 Quad/DualLite (Device Tree)');
  assert.equal(armMachine(board('"arm,vexpress,v2p-ca15", "arm,vexpress"').tree!), undefined);
  assert.equal(armMachine(board('"fsl,imx6ul-evk", "fsl,imx6ul"').tree!), undefined);
});

test("i.MX6 Quad's map_io maps the SCU page after the vectors: a struct static_vm and a PTE table before pci_reserve_io", () => {
  const trace = (compatible: string) => {
    const p = plan(board(compatible), { kernel: '6.12-armmp', bootargs: 'memblock=debug' });
    return p.trace.events
      .map((e) => e.detail as { kind: string; caller?: string; size?: bigint })
      .filter((d) => d.kind === 'memblock_alloc_try_nid')
      .map((d) => `${d.caller} ${d.size}`);
  };
  const imx = trace('"fsl,imx6q-sabrelite", "fsl,imx6q"');
  // (the first iotable_init is dma_contiguous_remap's, for the default CMA area)
  const at = imx.indexOf('vm_reserve_area_early 44');
  assert.deepEqual(imx.slice(at - 4, at + 1), [
    'early_alloc 8192',
    'early_alloc 4096',
    'iotable_init 44',
    'early_alloc 4096',
    'vm_reserve_area_early 44',
  ]);
  // the same tree as another machine: one static_vm and one PTE table fewer
  const generic = trace('"acme,board"');
  assert.equal(generic.length, imx.length - 2);
  const g = generic.indexOf('vm_reserve_area_early 44');
  assert.deepEqual(generic.slice(g - 2, g + 1), ['early_alloc 8192', 'early_alloc 4096', 'vm_reserve_area_early 44']);
});

test("a machine whose map_io the plan does not model is named in a note (Tegra's, Zynq-7000's, OMAP's, …)", () => {
  const notes = (compatible: string) =>
    plan(board(compatible), { kernel: '6.12-armmp' })
      .diagnostics.filter((d) => d.code === 'machine-map-io')
      .map((d) => d.message);
  assert.match(
    notes('"xlnx,zynq-zc702", "xlnx,zynq-7000"')[0] ?? '',
    /'Xilinx Zynq Platform', whose map_io \(arch\/arm\/mach-zynq\/common\.c zynq_map_io\)/,
  );
  assert.match(notes('"toradex,apalis_t30", "nvidia,tegra30"')[0] ?? '', /NVIDIA Tegra SoC/);
  assert.deepEqual(notes('"fsl,imx6q-sabrelite", "fsl,imx6q"'), []);
  assert.deepEqual(notes('"linux,dummy-virt"'), []);
});
