// Hand-written inputs that poke at the corners of dtc 1.6.1's checks and fix-ups (omit-if-no-ref,
// phandle properties, buses, interrupts, graph, overlays, the error short-circuit), each compiled
// with several flag sets. Expectations (exit, blob sha256 prefix, the check names dtc reports in
// order) were recorded from Debian's dtc 1.6.1; when dtc is installed the test also compares
// live: identical bytes and identical message lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFile, type CompileOptions } from '../../src/compile.js';
import type { Diagnostic } from '../../src/diagnostics.js';
import { CHECK_TABLE } from '../../src/tree/checks.js';

interface Case {
  name: string;
  title: string;
  src: string;
  expect: Array<{ flags: string[]; sha: string | null; codes: string[] }>;
}

const CASES: Case[] = [
  {
    name: 'p1.dts',
    title: "name_properties walks the raw property list: a deleted wrong 'name' still fails",
    src: '/dts-v1/;\n/ { n { name = "x"; }; m { name = "m"; }; };\n/ { n { /delete-property/ name; }; m { /delete-property/ name; }; };\n',
    expect: [
      {
        flags: [],
        sha: null,
        codes: ['name_properties'],
      },
      {
        flags: ['-@'],
        sha: null,
        codes: ['name_properties'],
      },
      {
        flags: ['-f'],
        sha: '576e474e391fea0f',
        codes: ['name_properties'],
      },
      {
        flags: ['-f', '-@', '-H', 'both', '-A'],
        sha: '576e474e391fea0f',
        codes: ['name_properties'],
      },
    ],
  },
  {
    name: 'p2.dts',
    title: 'name_properties: a bare /delete-property/ name before the live one is a NULL value, printed "(null)"',
    src: '/dts-v1/;\n/ { n { /delete-property/ name; name = "n"; }; m { name = "x"; }; };\n/ { m { /delete-property/ name; name = "m"; }; };\n',
    expect: [
      {
        flags: [],
        sha: null,
        codes: ['name_properties'],
      },
      {
        flags: ['-f'],
        sha: '6163b4b0c6878b90',
        codes: ['name_properties'],
      },
    ],
  },
  {
    name: 'r2.dts',
    title: 'duplicate_node_names sees deleted later siblings (reported as (null))',
    src: '/dts-v1/;\n/ { a { }; L1: a { }; };\n&L1 { x; };\n/delete-node/ &L1;\n',
    expect: [
      {
        flags: [],
        sha: null,
        codes: ['duplicate_node_names'],
      },
      {
        flags: ['-@'],
        sha: null,
        codes: ['duplicate_node_names'],
      },
      {
        flags: ['-f'],
        sha: '71c9f8e5190043c3',
        codes: ['duplicate_node_names'],
      },
      {
        flags: ['-f', '-@', '-H', 'both', '-A'],
        sha: '71c9f8e5190043c3',
        codes: ['duplicate_node_names'],
      },
    ],
  },
  {
    name: 'r1.dts',
    title: 'a node revived from a /delete-node/ placeholder has no parent in dtc (local fixups path)',
    src: '/dts-v1/;\n/plugin/;\n/ { n@2 { L2: c { }; }; };\n&L2 { n@2 { /delete-node/ c; }; n@2 { L3: c { p = <&L3>; }; }; };\n',
    expect: [
      {
        flags: [],
        sha: '5933ca1289765e0a',
        codes: ['unit_address_vs_reg', 'unit_address_vs_reg'],
      },
      {
        flags: ['-@'],
        sha: 'f8e74940a573c922',
        codes: ['unit_address_vs_reg', 'unit_address_vs_reg'],
      },
      {
        flags: ['-f'],
        sha: '5933ca1289765e0a',
        codes: ['unit_address_vs_reg', 'unit_address_vs_reg'],
      },
      {
        flags: ['-f', '-@', '-H', 'both', '-A'],
        sha: '861c783491d7f968',
        codes: ['unit_address_vs_reg', 'unit_address_vs_reg'],
      },
    ],
  },
  {
    name: 'd1.dts',
    title: "deleted and omitted children still count in dtc's raw child list",
    src: '/dts-v1/;\n/ {\n\t#address-cells = <1>; #size-cells = <1>;\n\ti2c@1 { reg = <1 1>; x@50 { reg = <0x50>; }; };\n\tspi@2 { reg = <2 1>; y@0 { reg = <0>; }; };\n\tbus@3 { reg = <3 1>; #address-cells = <1>; #size-cells = <1>; z@0 { reg = <0 1>; }; };\n\tports { #address-cells = <1>; #size-cells = <0>; gone { }; port@0 { reg = <0>; endpoint { }; }; };\n\t/omit-if-no-ref/ i2c@4 { reg = <4 1>; };\n\tbus2@5 { reg = <5 1>; #address-cells = <1>; #size-cells = <1>; /omit-if-no-ref/ w@0 { reg = <0 1>; }; };\n};\n/ { i2c@1 { /delete-node/ x@50; }; spi@2 { /delete-node/ y@0; }; bus@3 { /delete-node/ z@0; }; ports { /delete-node/ gone; }; };\n',
    expect: [
      {
        flags: [],
        sha: '49e86807f3419227',
        codes: [
          'i2c_bus_bridge',
          'i2c_bus_bridge',
          'i2c_bus_reg',
          'spi_bus_bridge',
          'spi_bus_bridge',
          'spi_bus_reg',
          'avoid_unnecessary_addr_size',
          'avoid_unnecessary_addr_size',
          'graph_child_address',
        ],
      },
      {
        flags: ['-@'],
        sha: '49e86807f3419227',
        codes: [
          'i2c_bus_bridge',
          'i2c_bus_bridge',
          'i2c_bus_reg',
          'spi_bus_bridge',
          'spi_bus_bridge',
          'spi_bus_reg',
          'avoid_unnecessary_addr_size',
          'avoid_unnecessary_addr_size',
          'graph_child_address',
        ],
      },
      {
        flags: ['-f'],
        sha: '49e86807f3419227',
        codes: [
          'i2c_bus_bridge',
          'i2c_bus_bridge',
          'i2c_bus_reg',
          'spi_bus_bridge',
          'spi_bus_bridge',
          'spi_bus_reg',
          'avoid_unnecessary_addr_size',
          'avoid_unnecessary_addr_size',
          'graph_child_address',
        ],
      },
      {
        flags: ['-f', '-@', '-H', 'both', '-A'],
        sha: '49e86807f3419227',
        codes: [
          'i2c_bus_bridge',
          'i2c_bus_bridge',
          'i2c_bus_reg',
          'spi_bus_bridge',
          'spi_bus_bridge',
          'spi_bus_reg',
          'avoid_unnecessary_addr_size',
          'avoid_unnecessary_addr_size',
          'graph_child_address',
        ],
      },
    ],
  },
  {
    name: 'a1.dts',
    title: 'omit-if-no-ref, self and foreign phandle properties',
    src: '/dts-v1/;\n/ {\n\t#address-cells = <1>; #size-cells = <1>;\n\t/omit-if-no-ref/ a: a { x = <1>; b: b { }; };\n\t/omit-if-no-ref/ c: c { };\n\t/omit-if-no-ref/ d { };\n\tuser { p = <&b>; q = &c; };\n\te: e { phandle = <&e>; };\n\tf { linux,phandle = <5>; phandle = <6>; };\n\tg { phandle = <&e>; };\n};\n',
    expect: [
      {
        flags: [],
        sha: null,
        codes: ['explicit_phandles', 'explicit_phandles'],
      },
      {
        flags: ['-@'],
        sha: null,
        codes: ['explicit_phandles', 'explicit_phandles'],
      },
      {
        flags: ['-f'],
        sha: '66990defed3f2077',
        codes: ['explicit_phandles', 'explicit_phandles'],
      },
      {
        flags: ['-f', '-@', '-H', 'both', '-A'],
        sha: '02d5405b2054a6b6',
        codes: ['explicit_phandles', 'explicit_phandles'],
      },
    ],
  },
  {
    name: 'a2.dts',
    title: '__symbols__ already present, aliases, /chosen',
    src: '/dts-v1/;\n/ {\n\t#address-cells = <1>; #size-cells = <1>;\n\t__symbols__ { l1 = "/x"; };\n\tl1: n1 { };\n\tl2: l3: n2 { pr = <&l1 &l2>; };\n\taliases { foo = &l1; Bad_Name = "/n2"; loop = "/nope"; };\n\tchosen { bootargs = <1>; linux,stdout-path = "/n1"; interrupt-controller; };\n\tn3 { chosen { }; };\n};\n',
    expect: [
      {
        flags: [],
        sha: '60db03a79bfc21bf',
        codes: [
          'obsolete_chosen_interrupt_controller',
          'chosen_node_is_root',
          'chosen_node_bootargs',
          'chosen_node_stdout_path',
          'interrupt_provider',
          'interrupt_provider',
          'alias_paths',
          'alias_paths',
        ],
      },
      {
        flags: ['-@'],
        sha: '5bf8b2708eddbd00',
        codes: [
          'obsolete_chosen_interrupt_controller',
          'chosen_node_is_root',
          'chosen_node_bootargs',
          'chosen_node_stdout_path',
          'interrupt_provider',
          'interrupt_provider',
          'alias_paths',
          'alias_paths',
        ],
      },
      {
        flags: ['-f'],
        sha: '60db03a79bfc21bf',
        codes: [
          'obsolete_chosen_interrupt_controller',
          'chosen_node_is_root',
          'chosen_node_bootargs',
          'chosen_node_stdout_path',
          'interrupt_provider',
          'interrupt_provider',
          'alias_paths',
          'alias_paths',
        ],
      },
      {
        flags: ['-f', '-@', '-H', 'both', '-A'],
        sha: 'fb3a51310b5e9768',
        codes: [
          'obsolete_chosen_interrupt_controller',
          'chosen_node_is_root',
          'chosen_node_bootargs',
          'chosen_node_stdout_path',
          'interrupt_provider',
          'interrupt_provider',
          'alias_paths',
          'alias_paths',
        ],
      },
    ],
  },
  {
    name: 'a3.dts',
    title: 'interrupts, gpios, clocks and -names',
    src: '/dts-v1/;\n/ {\n\t#address-cells = <1>; #size-cells = <1>;\n\tintc: intc@0 { reg = <0 1>; interrupt-controller; #interrupt-cells = <2>; };\n\tintc2: intc2@1 { reg = <1 1>; interrupt-controller; };\n\tmap: map@2 { reg = <2 1>; interrupt-map = <0 0 &intc 1 2>; #interrupt-cells = <1>; #address-cells = <0>; };\n\tdev@3 { reg = <3 1>; interrupt-parent = <&intc>; interrupts = <1 2 3>; };\n\tdev@4 { reg = <4 1>; interrupts-extended = <&intc 1 2>, <&intc2 5>; };\n\tdev@5 { reg = <5 1>; interrupt-parent = <0>; interrupts = <1>; };\n\tdev@6 { reg = <6 1>; interrupt-parent = <&dev6>; interrupts = <1>; };\n\tdev6: dev@7 { reg = <7 1>; };\n\tdev@8 { reg = <8 1>; interrupts = <1>; };\n\tgpio: gpio@9 { reg = <9 1>; #gpio-cells = <2>; gpio-controller; };\n\tdev@a { reg = <0xa 1>; foo-gpios = <&gpio 1 2 &gpio 3>; bar-gpio = <&gpio 1 2>; nr-gpios = <3>; x,nr-gpios = <4>; };\n\tclk: clk@b { reg = <0xb 1>; #clock-cells = <1>; };\n\tdev@c { reg = <0xc 1>; clocks = <&clk 1 0 &clk>, <&clk>; clock-names = "a", [00 01]; resets = <&clk 1>; };\n};\n',
    expect: [
      {
        flags: [],
        sha: '343bdef7dfa4dc09',
        codes: [
          'names_is_string_list',
          'interrupts_extended_property',
          'resets_property',
          'gpios_property',
          'gpios_property',
          'gpios_property',
          'interrupts_property',
          'interrupts_property',
          'interrupts_property',
          'interrupts_property',
          'interrupts_property',
          'interrupt_provider',
          'interrupt_provider',
          'interrupt_provider',
        ],
      },
      {
        flags: ['-@'],
        sha: 'ab4afde1ae05355e',
        codes: [
          'names_is_string_list',
          'interrupts_extended_property',
          'resets_property',
          'gpios_property',
          'gpios_property',
          'gpios_property',
          'interrupts_property',
          'interrupts_property',
          'interrupts_property',
          'interrupts_property',
          'interrupts_property',
          'interrupt_provider',
          'interrupt_provider',
          'interrupt_provider',
        ],
      },
      {
        flags: ['-f'],
        sha: '343bdef7dfa4dc09',
        codes: [
          'names_is_string_list',
          'interrupts_extended_property',
          'resets_property',
          'gpios_property',
          'gpios_property',
          'gpios_property',
          'interrupts_property',
          'interrupts_property',
          'interrupts_property',
          'interrupts_property',
          'interrupts_property',
          'interrupt_provider',
          'interrupt_provider',
          'interrupt_provider',
        ],
      },
      {
        flags: ['-f', '-@', '-H', 'both', '-A'],
        sha: '65a1f404c19e2011',
        codes: [
          'names_is_string_list',
          'interrupts_extended_property',
          'resets_property',
          'gpios_property',
          'gpios_property',
          'gpios_property',
          'interrupts_property',
          'interrupts_property',
          'interrupts_property',
          'interrupts_property',
          'interrupts_property',
          'interrupt_provider',
          'interrupt_provider',
          'interrupt_provider',
        ],
      },
    ],
  },
  {
    name: 'a4.dts',
    title: 'PCI, simple-bus, I2C and SPI buses, unit addresses',
    src: '/dts-v1/;\n/ {\n\t#address-cells = <2>; #size-cells = <2>;\n\tpci@1000 { device_type = "pci"; #address-cells = <3>; #size-cells = <2>; reg = <0 0x1000 0 0x100>; bus-range = <1 0x1ff>; ranges;\n\t\tdev@2,1 { reg = <0x11100 0 0 0 0>; };\n\t\tdev@3 { reg = <0x1800 0 0 0 0>; };\n\t\tdev@4 { reg = <0x81002001 1 0 0 0>; };\n\t};\n\tpcie@2000 { device_type = "pci"; reg = <0 0x2000 0 0x100>; };\n\tbus@3000 { compatible = "foo", "simple-bus"; #address-cells = <1>; #size-cells = <1>; ranges = <0 0 0x3000 0x1000>; reg = <0 0x3000 0 1>;\n\t\ta@10 { reg = <0x10 4>; };\n\t\tb@011 { reg = <0x11 4>; };\n\t\tc@0x12 { reg = <0x12 4>; };\n\t\td { };\n\t\te@20 { ranges = <0x20 0x20 4>; #address-cells = <1>; #size-cells = <1>; };\n\t\tf@30 { status = "disabled"; reg = <0x30 4>; };\n\t\tg@30 { reg = <0x30 4>; };\n\t};\n\ti2c@4000 { reg = <0 0x4000 0 1>; #address-cells = <1>; #size-cells = <0>;\n\t\ts@50 { reg = <0x50>; };\n\t\tt@51 { reg = <0x80000051>; };\n\t\tu@52 { reg = <0x40000052>; };\n\t\tv@53 { reg = <0x80000453>; };\n\t\tw@54 { reg = <0x54 0x200>; };\n\t\tx@55 { };\n\t};\n\tspi@5000 { reg = <0 0x5000 0 1>; #address-cells = <1>; #size-cells = <0>;\n\t\tf@1 { reg = <1>; spi-max-frequency = <1>; };\n\t\tg@2 { reg = <3>; };\n\t};\n\tnotspi@6000 { reg = <0 0x6000 0 1>; #address-cells = <1>; #size-cells = <0>;\n\t\tf@1 { reg = <1>; spi-cpha; };\n\t};\n\tx@7000 { reg = <0 0x7000>; };\n\tempty@8000 { reg; };\n};\n',
    expect: [
      {
        flags: [],
        sha: 'a55cb4ab58253781',
        codes: [
          'reg_format',
          'reg_format',
          'ranges_format',
          'unit_address_vs_reg',
          'pci_bridge',
          'pci_bridge',
          'pci_bridge',
          'pci_bridge',
          'unit_address_format',
          'pci_device_reg',
          'pci_device_reg',
          'pci_device_bus_num',
          'pci_device_bus_num',
          'simple_bus_reg',
          'i2c_bus_reg',
          'spi_bus_bridge',
          'spi_bus_reg',
          'spi_bus_reg',
          'unique_unit_address',
        ],
      },
      {
        flags: ['-@'],
        sha: 'a55cb4ab58253781',
        codes: [
          'reg_format',
          'reg_format',
          'ranges_format',
          'unit_address_vs_reg',
          'pci_bridge',
          'pci_bridge',
          'pci_bridge',
          'pci_bridge',
          'unit_address_format',
          'pci_device_reg',
          'pci_device_reg',
          'pci_device_bus_num',
          'pci_device_bus_num',
          'simple_bus_reg',
          'i2c_bus_reg',
          'spi_bus_bridge',
          'spi_bus_reg',
          'spi_bus_reg',
          'unique_unit_address',
        ],
      },
      {
        flags: ['-f'],
        sha: 'a55cb4ab58253781',
        codes: [
          'reg_format',
          'reg_format',
          'ranges_format',
          'unit_address_vs_reg',
          'pci_bridge',
          'pci_bridge',
          'pci_bridge',
          'pci_bridge',
          'unit_address_format',
          'pci_device_reg',
          'pci_device_reg',
          'pci_device_bus_num',
          'pci_device_bus_num',
          'simple_bus_reg',
          'i2c_bus_reg',
          'spi_bus_bridge',
          'spi_bus_reg',
          'spi_bus_reg',
          'unique_unit_address',
        ],
      },
      {
        flags: ['-f', '-@', '-H', 'both', '-A'],
        sha: 'a55cb4ab58253781',
        codes: [
          'reg_format',
          'reg_format',
          'ranges_format',
          'unit_address_vs_reg',
          'pci_bridge',
          'pci_bridge',
          'pci_bridge',
          'pci_bridge',
          'unit_address_format',
          'pci_device_reg',
          'pci_device_reg',
          'pci_device_bus_num',
          'pci_device_bus_num',
          'simple_bus_reg',
          'i2c_bus_reg',
          'spi_bus_bridge',
          'spi_bus_reg',
          'spi_bus_reg',
          'unique_unit_address',
        ],
      },
    ],
  },
  {
    name: 'a5.dts',
    title: 'overlay: fixups and local fixups',
    src: '/dts-v1/;\n/plugin/;\n&{/soc} { p = <&ext>; q = <&loc>; loc: n { }; };\n&lab { r = <&ext &ext2>; };\n/ { fragment@9 { target-path = "/x"; __overlay__ { s = <&loc>; t = &loc; }; }; };\n',
    expect: [
      {
        flags: [],
        sha: '1f659706c8d7f479',
        codes: [],
      },
      {
        flags: ['-@'],
        sha: '3ec7a72adacb5c53',
        codes: [],
      },
      {
        flags: ['-f'],
        sha: '1f659706c8d7f479',
        codes: [],
      },
      {
        flags: ['-f', '-@', '-H', 'both', '-A'],
        sha: '782ebe24588dc794',
        codes: [],
      },
    ],
  },
  {
    name: 'a6.dts',
    title: 'error short-circuit: only the first failing error check reports',
    src: '/dts-v1/;\n/ {\n\t#address-cells = <1>; #size-cells = <1>;\n\tlabel = <1>; model = <2>; status = <3>; device_type = <4>; compatible = "a", <1>;\n\tpr@p = <1>; name = "x";\n\tports { #address-cells = <1>; #size-cells = <0>;\n\t\tport@0 { reg = <0>; ep0: endpoint { remote-endpoint = <&ep1>; }; };\n\t\tport@1 { reg = <1>; #address-cells = <1>; #size-cells = <0>; endpoint@2 { reg = <3>; remote-endpoint = <&ep0>; }; };\n\t};\n\tdev { port { ep1: endpoint { remote-endpoint = <&ep0>; }; }; };\n\tdev2 { prt { endpoint { }; }; };\n\tnode@1@2 { reg = <1 1>; }; \n\tnm { name = "nm"; }; nm2@1 { name = "zz"; reg = <1 1>; };\n};\n',
    expect: [
      {
        flags: [],
        sha: null,
        codes: ['node_name_format'],
      },
      {
        flags: ['-@'],
        sha: null,
        codes: ['node_name_format'],
      },
      {
        flags: ['-f'],
        sha: '9b39c04e4e85fc25',
        codes: ['node_name_format'],
      },
      {
        flags: ['-f', '-@', '-H', 'both', '-A'],
        sha: '70ca640128856c26',
        codes: ['node_name_format'],
      },
    ],
  },
  {
    name: 'a7.dts',
    title: 'property types, OF graph',
    src: '/dts-v1/;\n/ {\n\t#address-cells = <1>; #size-cells = <1>;\n\tlabel = <1>; model = <2>; status = <3>; device_type = <4>; compatible = "a", <1>;\n\tports { #address-cells = <1>; #size-cells = <0>;\n\t\tport@0 { reg = <0>; ep0: endpoint { remote-endpoint = <&ep1>; }; };\n\t\tport@1 { reg = <1>; #address-cells = <1>; #size-cells = <0>; endpoint@2 { reg = <3>; remote-endpoint = <&ep0>; }; };\n\t};\n\tdev { port { ep1: endpoint { remote-endpoint = <&ep0>; }; }; };\n\tdev2 { prt { endpoint { }; }; };\n\tnm { name = "nm"; }; \n};\n',
    expect: [
      {
        flags: [],
        sha: 'e3ff53c1b1c8a32a',
        codes: [
          'device_type_is_string',
          'model_is_string',
          'status_is_string',
          'label_is_string',
          'compatible_is_string_list',
          'pci_bridge',
          'unit_address_format',
          'simple_bus_bridge',
          'unit_address_format',
          'pci_device_reg',
          'pci_device_bus_num',
          'simple_bus_reg',
          'graph_port',
          'graph_endpoint',
          'graph_endpoint',
        ],
      },
      {
        flags: ['-@'],
        sha: 'c429512bedc07b6c',
        codes: [
          'device_type_is_string',
          'model_is_string',
          'status_is_string',
          'label_is_string',
          'compatible_is_string_list',
          'pci_bridge',
          'unit_address_format',
          'simple_bus_bridge',
          'unit_address_format',
          'pci_device_reg',
          'pci_device_bus_num',
          'simple_bus_reg',
          'graph_port',
          'graph_endpoint',
          'graph_endpoint',
        ],
      },
      {
        flags: ['-f'],
        sha: 'e3ff53c1b1c8a32a',
        codes: [
          'device_type_is_string',
          'model_is_string',
          'status_is_string',
          'label_is_string',
          'compatible_is_string_list',
          'pci_bridge',
          'unit_address_format',
          'simple_bus_bridge',
          'unit_address_format',
          'pci_device_reg',
          'pci_device_bus_num',
          'simple_bus_reg',
          'graph_port',
          'graph_endpoint',
          'graph_endpoint',
        ],
      },
      {
        flags: ['-f', '-@', '-H', 'both', '-A'],
        sha: '11b5808bd5acc09b',
        codes: [
          'device_type_is_string',
          'model_is_string',
          'status_is_string',
          'label_is_string',
          'compatible_is_string_list',
          'pci_bridge',
          'unit_address_format',
          'simple_bus_bridge',
          'unit_address_format',
          'pci_device_reg',
          'pci_device_bus_num',
          'simple_bus_reg',
          'graph_port',
          'graph_endpoint',
          'graph_endpoint',
        ],
      },
    ],
  },
];

const checkNames = new Set(CHECK_TABLE.map((c) => c.name));
const dtcAvailable = spawnSync('dtc', ['--version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'carveout-dtc-corners-'));
const out = join(dir, 'o.dtb');

function optsOf(flags: string[]): CompileOptions {
  const o: CompileOptions = { preprocess: false, outName: out };
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i];
    if (f === '-@') o.symbols = true;
    else if (f === '-f') o.force = true;
    else if (f === '-A') o.autoAliases = true;
    else if (f === '-H') o.phandleStyle = flags[++i] as CompileOptions['phandleStyle'];
  }
  return o;
}

function dtcPos(d: Diagnostic): string {
  if (!d.line) return out;
  if (d.line !== d.endLine) return `${d.file}:${d.line}.${d.column}-${d.endLine}.${d.endColumn}`;
  if (d.column !== d.endColumn) return `${d.file}:${d.line}.${d.column}-${d.endColumn}`;
  return `${d.file}:${d.line}.${d.column}`;
}

for (const c of CASES) {
  test(`${c.name}: ${c.title}`, () => {
    const file = join(dir, c.name);
    writeFileSync(file, c.src);
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      for (const e of c.expect) {
        const r = compileFile(c.name, optsOf(e.flags));
        const what = `${c.name} [${e.flags.join(' ')}]`;
        const sha = r.dtb ? createHash('sha256').update(r.dtb).digest('hex').slice(0, 16) : null;
        assert.equal(sha, e.sha, `${what}: blob`);
        assert.deepEqual(
          r.diagnostics.filter((d) => checkNames.has(d.code)).map((d) => d.code),
          e.codes,
          `${what}: checks reported`,
        );
        if (!dtcAvailable) continue;
        rmSync(out, { force: true });
        const live = spawnSync('dtc', [...e.flags, '-o', out, c.name], { encoding: 'latin1' });
        if (live.status === 0) assert.deepEqual(Buffer.from(r.dtb!), readFileSync(out), `${what}: bytes vs live dtc`);
        const theirs = live.stderr.split('\n').filter((l) => / \((\w+)\): /.test(l));
        const mine = r.diagnostics
          .filter((d) => checkNames.has(d.code))
          .map((d) => `${dtcPos(d)}: ${d.severity === 'error' ? 'ERROR' : 'Warning'} (${d.code}): ${d.message}`);
        assert.deepEqual(mine, theirs, `${what}: messages vs live dtc`);
      }
    } finally {
      process.chdir(cwd);
    }
  });
}

test('cleanup', () => rmSync(dir, { recursive: true, force: true }));
