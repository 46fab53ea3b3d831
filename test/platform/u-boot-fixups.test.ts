// What U-Boot 2023.01 itself adds to the tree before it starts Linux when its build has it: the
// spin-table (arch/arm/cpu/armv8/spin_table.c spin_table_update_dt), PSCI (cpu-dt.c / virt-dt.c
// psci_update_dt → arch/arm/lib/psci-dt.c fdt_psci) and OP-TEE's nodes from U-Boot's own DT
// (lib/optee/optee.c optee_copy_fdt_nodes → lib/fdtdec.c fdtdec_add_reserved_memory): applied to the
// tree the kernel gets, listed, and honoured by the kernel model (a /memreserve/ is
// memblock_reserve'd, an OP-TEE carve-out is a no-map static region).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBoard, type LoadBoardOptions } from '../../src/board.js';
import { plan, type PlanResult } from '../../src/kernel/plan.js';
import { loadBoardFile } from '../../src/platform/board-file.js';
import { parseDts } from '../../src/source/parser.js';
import { findNode, strings } from '../../src/tree/query.js';
import { getProp } from '../../src/tree/types.js';
import type { UBootOptions } from '../../src/platform/u-boot.js';

const CPU = (n: number, method: string) =>
  `cpu@${n} { device_type = "cpu"; compatible = "arm,cortex-a53"; reg = <${n}>; enable-method = "${method}"; };`;

/** A 1 GiB arm64/arm board booted from fdt_addr_r, the initrd and the DTB copied top-down below U-Boot. */
function boot(body: string, uboot: UBootOptions, arch: 'arm64' | 'arm' = 'arm64', more: Partial<LoadBoardOptions> = {}) {
  const r = parseDts(
    `/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>; memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; }; ${body} };`,
    'fixups.dts',
    { includeDirs: [] },
  );
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  return loadBoard(r.tree!, {
    platform: 'u-boot',
    arch,
    initrdSize: 1n << 20n,
    ...more,
    uboot: {
      env: {
        fdt_addr_r: '0x48000000',
        fdt_high: '0xffffffff',
        initrd_high: '0xffffffff',
        kernel_addr_r: '0x40400000',
        ramdisk_addr_r: '0x44000000',
      },
      imageSize: 0x2000000n,
      ...uboot,
    },
  });
}

const u64 = (v: Uint8Array | undefined) => (v ? Buffer.from(v).readBigUInt64BE(0) : undefined);
function reserves(p: PlanResult, caller: string): string[] {
  return p.trace.events.flatMap((e) => {
    const d = e.detail as { kind?: string; caller?: string; base?: bigint; size?: bigint };
    return d.kind === 'memblock_reserve' && d.caller === caller && d.base !== undefined
      ? [`0x${d.base.toString(16)}+0x${d.size!.toString(16)}`]
      : [];
  });
}

test('spin-table: every cpu says spin-table → cpu-release-addr in each, a /memreserve/ before the initrd one, the kernel reserves it', () => {
  const b = boot(`cpus { #address-cells = <1>; #size-cells = <0>; ${CPU(0, 'spin-table')} ${CPU(1, 'spin-table')} };`, {
    spinTable: { base: 0x7ff9e1e8n, size: 0x18n },
  });
  assert.deepEqual(b.diagnostics, []);
  const cpus = findNode(b.tree!, '/cpus')!;
  // the quad at the end of spin_table_reserve_begin..end: spin_table_cpu_release_addr
  assert.deepEqual(
    cpus.children.map((c) => u64(getProp(c, 'cpu-release-addr')?.value)),
    [0x7ff9e1f8n, 0x7ff9e1f8n],
  );
  assert.deepEqual(
    b.tree!.memreserves.map((m) => [m.address, m.size]),
    [
      [0x7ff9e1e8n, 0x18n],
      [b.placements.initrd!.base, 1n << 20n],
    ],
  );
  assert.ok(
    b.bootloaderOutput!.includes('   Reserved memory region for spin-table: addr=7ff9e1e8 size=18'),
    b.bootloaderOutput!.join('\n'),
  );
  const p = plan(b, { kernel: '6.12-arm64' });
  assert.equal(p.exitCode, 0);
  assert.ok(p.loader.edits.includes('/memreserve/ 0x7ff9e1e8 0x18 added for the spin-table'), p.loader.edits.join('\n'));
  assert.ok(reserves(p, 'early_init_fdt_scan_reserved_mem').includes('0x7ff9e1e8+0x18'));
});

test('spin-table: a cpu with another enable-method leaves the tree alone; no /cpus is a failed fixup (U-Boot panics)', () => {
  const b = boot(`cpus { #address-cells = <1>; #size-cells = <0>; ${CPU(0, 'spin-table')} ${CPU(1, 'psci')} };`, {
    spinTable: { base: 0x7ff9e1e8n, size: 0x18n },
  });
  assert.equal(b.tree!.memreserves.length, 1); // the initrd's only
  assert.ok(b.edits.some((e) => e.startsWith('spin-table: not every cpu node')));
  const none = boot('', { spinTable: { base: 0x7ff9e1e8n, size: 0x18n } });
  const e = none.diagnostics.find((d) => d.severity === 'error');
  assert.equal(e?.code, 'u-boot-fixup');
  assert.ok(none.bootloaderOutput!.includes('ERROR: arch-specific fdt fixup failed'));
  assert.equal(none.bootloaderOutput!.at(-1), 'FDT creation failed!');
});

test('PSCI (armv7 nonsec, 1.0): enable-method "psci", a /psci node as the root first child, the secure code reserved', () => {
  const b = boot(
    `cpus { #address-cells = <1>; #size-cells = <0>; ${CPU(0, 'spin-table')} ${CPU(1, 'spin-table')} };`,
    { psci: { version: '1.0', secure: { base: 0x7ff00000n, size: 0x1000n } } },
    'arm',
  );
  assert.deepEqual(b.diagnostics, []);
  assert.equal(b.tree!.root.children[0]!.name, 'psci');
  const psci = findNode(b.tree!, '/psci')!;
  assert.deepEqual(strings(psci, 'compatible'), ['arm,psci-1.0', 'arm,psci-0.2']);
  assert.deepEqual(strings(psci, 'method'), ['smc']);
  assert.deepEqual(
    findNode(b.tree!, '/cpus')!.children.map((c) => strings(c, 'enable-method')[0]),
    ['psci', 'psci'],
  );
  assert.equal(b.tree!.memreserves[0]!.address, 0x7ff00000n);
  const p = plan(b, { kernel: '6.12-armmp' });
  assert.ok(reserves(p, 'early_init_fdt_scan_reserved_mem').includes('0x7ff00000+0x1000'));
  // PSCI 0.1: the compatible and the function ids of arch/arm/include/asm/psci.h
  const old = boot('cpus { #address-cells = <1>; #size-cells = <0>; };', { psci: { version: '0.1' } }, 'arm');
  const p01 = findNode(old.tree!, '/psci')!;
  assert.deepEqual(strings(p01, 'compatible'), ['arm,psci']);
  assert.equal(Buffer.from(getProp(p01, 'cpu_on')!.value).readUInt32BE(0), 0x95c1ba60);
});

const OPTEE: UBootOptions['optee'] = {
  compatible: 'linaro,optee-tz',
  method: 'smc',
  reserved: [
    { name: 'optee_core', base: 0x7d000000n, size: 0x1000000n },
    { name: 'optee_shm', base: 0x7c800000n, size: 0x200000n },
    { name: 'ramoops', base: 0x7c000000n, size: 0x100000n },
  ],
};

test("OP-TEE: /firmware/optee and the optee* carve-outs of U-Boot's DT copied, no-map; U-Boot's copies landed in one: a warning; the kernel keeps them", () => {
  const b = boot(
    'reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges; pool { compatible = "shared-dma-pool"; size = <0 0x400000>; reusable; }; };',
    {
      optee: OPTEE,
    },
  );
  const op = findNode(b.tree!, '/firmware/optee')!;
  assert.deepEqual(strings(op, 'compatible'), ['linaro,optee-tz']);
  // fdt_add_subnode puts each new node first: the last one copied leads
  const rm = findNode(b.tree!, '/reserved-memory')!;
  assert.deepEqual(
    rm.children.map((c) => c.name),
    ['optee_shm@7c800000', 'optee_core@7d000000', 'pool'],
  );
  assert.ok(getProp(rm.children[1]!, 'no-map'));
  // U-Boot's lmb never saw them: it copied the initrd into optee_core (0x7d000000..0x7dffffff)
  assert.ok(b.placements.initrd!.base >= 0x7d000000n && b.placements.initrd!.base < 0x7e000000n, String(b.placements.initrd!.base));
  const w = b.diagnostics.filter((d) => d.code === 'u-boot-in-reserved').map((d) => d.message);
  assert.ok(
    w.some((m) => /initrd .* inside \/reserved-memory\/optee_core@7d000000 .* only afterwards/.test(m)),
    w.join('\n'),
  );
  const p = plan(b, { kernel: '6.12-arm64' });
  const core = p.regions.find((r) => r.name === 'optee_core@7d000000');
  assert.equal(core?.base, 0x7d000000n);
  assert.equal(core?.nomap, true);
  // already in the tree: nothing copied
  const again = boot('firmware { optee { compatible = "linaro,optee-tz"; method = "smc"; }; };', { optee: OPTEE });
  assert.equal(findNode(again.tree!, '/reserved-memory'), undefined);
  assert.ok(again.edits.some((e) => e.startsWith('OP-TEE: /firmware/optee is in the tree already')));
});

test("OP-TEE without /reserved-memory: it is created with the root's cells; the platform file's uboot keys, bad ones at file:line:column", () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-uboot-fixups-'));
  const f = join(dir, 'b.json');
  writeFileSync(
    f,
    JSON.stringify({
      platform: 'u-boot',
      uboot: {
        spinTable: '0x7ff9e1e8+0x18',
        lmbMaxRegions: 32,
        psci: { version: '0.2', secure: '0x7ff00000+4K' },
        optee: { compatible: 'linaro,optee-tz', method: 'smc', reserved: ['optee_core@0x7d000000+16M'] },
      },
    }),
  );
  const o = loadBoardFile(f);
  assert.deepEqual(o.diagnostics, []);
  assert.deepEqual(o.options?.uboot?.spinTable, { base: 0x7ff9e1e8n, size: 0x18n });
  assert.equal(o.options?.uboot?.lmbMaxRegions, 32);
  assert.deepEqual(o.options?.uboot?.psci, { version: '0.2', secure: { base: 0x7ff00000n, size: 0x1000n } });
  assert.deepEqual(o.options?.uboot?.optee?.reserved, [{ name: 'optee_core', base: 0x7d000000n, size: 0x1000000n }]);
  const b = boot('', { optee: o.options!.uboot!.optee! });
  const rm = findNode(b.tree!, '/reserved-memory')!;
  assert.deepEqual(
    rm.props.map((p) => p.name),
    ['ranges', '#size-cells', '#address-cells'],
  );
  writeFileSync(f, '{\n  "platform": "u-boot",\n  "uboot": { "psci": { "version": "2.0" } }\n}\n');
  const bad = loadBoardFile(f).diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`);
  assert.match(bad[0]!, /^3:35 uboot\.psci\.version: '2\.0' is not 0\.1, 0\.2 or 1\.0/);
});
