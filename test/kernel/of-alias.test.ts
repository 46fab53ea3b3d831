// of_alias_scan's allocations (src/kernel/of-fdt.ts aliasPropSizes): which /aliases entries the
// kernel keeps, and how big a struct alias_prop each takes. The real consoles that judge the total:
// test/verify/board-consoles.test.ts (xlnx-zcu102 on 5.10, 6.1, 6.12 and 7.2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBoard } from '../../src/board.js';
import { aliasPropSizes } from '../../src/kernel/of-fdt.js';
import { plan } from '../../src/kernel/plan.js';
import { dtsFile } from '../helpers/board.js';

const tree = (aliases: string) =>
  loadBoard(
    dtsFile(`/dts-v1/;
/ {
	#address-cells = <1>;
	#size-cells = <1>;
	aliases {
${aliases}
	};
	memory@40000000 { device_type = "memory"; reg = <0x40000000 0x20000000>; };
	soc {
		#address-cells = <1>;
		#size-cells = <1>;
		serial@1000 { reg = <0x1000 0x100>; };
		i2c@2000 { reg = <0x2000 0x100>; #address-cells = <1>; #size-cells = <0>; eeprom@50 { reg = <0x50>; }; };
	};
};
`),
    { arch: 'arm' },
  ).tree!;

test('of_alias_scan keeps an alias whose value names a node and whose name ends in an int id: sizeof(struct alias_prop) + stem + NUL', () => {
  const t = tree(`		serial0 = "/soc/serial@1000";
		eeprom12 = "/soc/i2c@2000/eeprom@50";
		mmc0 = "/soc/serial@1000:115200n8";
		rtc3 = "serial0";
		i2c0 = "/soc/i2c";
		stdout = "/soc/serial@1000";
		gpio0 = "/soc/gpio@3000";
		usb99999999999 = "/soc/serial@1000";
		spi2147483647 = "/soc/serial@1000";`);
  // kept: serial0 (stem serial), eeprom12 (eeprom), mmc0 (the path before ':'), rtc3 (an alias of
  // an alias), spi2147483647 (INT_MAX); left: i2c0 (the kernel wants the full name, i2c@2000),
  // stdout (no id), gpio0 (no such node), usb99999999999 (past INT_MAX)
  assert.deepEqual(aliasPropSizes(t, 8), [40 + 7, 40 + 7, 40 + 4, 40 + 4, 40 + 4]);
  assert.deepEqual(aliasPropSizes(t, 4), [20 + 7, 20 + 7, 20 + 4, 20 + 4, 20 + 4]);
  assert.deepEqual(aliasPropSizes(tree(''), 8), []);
});

test("the aliases' allocations come right after the live tree's, each aligned to struct alias_prop", () => {
  const board = loadBoard(
    dtsFile(`/dts-v1/;
/ {
	#address-cells = <2>;
	#size-cells = <2>;
	aliases { serial0 = "/pl011@9000000"; serial1 = "/pl011@9000000"; };
	memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x20000000>; };
	pl011@9000000 { reg = <0x0 0x9000000 0x0 0x1000>; };
};
`),
    { arch: 'arm64' },
  );
  const p = plan(board, { kernel: '6.12-arm64', bootargs: 'memblock=debug' });
  const allocs = p.trace.events
    .map((e) => e.detail as { kind: string; caller?: string; size?: bigint })
    .filter((d) => d.caller === 'early_init_dt_alloc_memory_arch' && d.kind === 'memblock_alloc_try_nid');
  assert.deepEqual(
    allocs.slice(1).map((d) => d.size),
    [47n, 47n],
  );
});
