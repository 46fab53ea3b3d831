// efi_init (src/kernel/efi-init.ts) on arm64: RAM from the UEFI memory map, runtime and MMIO ranges
// nomap, ACPI reclaim reserved, the tables and the map itself reserved — in efi-init.c's order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootKernel, type BootResult } from '../../src/kernel/boot.js';
import { getProfile } from '../../src/kernel/profiles/index.js';
import { builtinHandlers } from '../../src/kernel/handlers/index.js';
import { parseDts } from '../../src/source/parser.js';
import {
  armVirtQemuEfiBoot,
  conventionalEfiBoot,
  EFI_MEMORY_RUNTIME,
  EFI_MEMORY_SP,
  EFI_MEMORY_UC,
  EFI_MEMORY_WB,
  EFI_MEMORY_WC,
  type EfiBoot,
} from '../../src/platform/efi-memmap.js';
import type { PlatformLayout } from '../../src/platform/index.js';

const G = 1n << 30n;
const MEMBLOCK_NOMAP = 0x4;

function boot(efi: EfiBoot | undefined, bootargs = 'memblock=debug'): BootResult {
  const r = parseDts(
    `/dts-v1/;
/ {
  #address-cells = <2>; #size-cells = <2>;
  chosen { };
  memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x40000000>; };
};`,
    'board.dts',
    { includeDirs: [] },
  );
  assert.ok(r.tree);
  const profile = getProfile('6.12-arm64')!;
  const layout: PlatformLayout = {
    name: 'uefi',
    memory: [{ base: 0x40000000n, size: G }],
    kernelLoad: 0x40200000n,
    dtb: { base: 0x48000000n, size: 0x2000n },
    extra: [],
    chosenAdded: 0,
    ...(efi ? { efi } : {}),
  };
  return bootKernel({ tree: r.tree, profile, handlers: builtinHandlers(undefined, profile.series.rmem.tableCalls), layout, bootargs });
}

const RT = EFI_MEMORY_RUNTIME;
const map: EfiBoot = {
  memoryMap: [
    { type: 'EFI_CONVENTIONAL_MEMORY', base: 0x40000000n, size: 0x3e000000n, attribute: EFI_MEMORY_WB },
    { type: 'EFI_ACPI_RECLAIM_MEMORY', base: 0x7e000000n, size: 0x10000n, attribute: EFI_MEMORY_WB },
    { type: 'EFI_BOOT_SERVICES_DATA', base: 0x7e010000n, size: 0xff0000n, attribute: EFI_MEMORY_WB },
    { type: 'EFI_RUNTIME_SERVICES_CODE', base: 0x7f000000n, size: 0x800000n, attribute: RT | EFI_MEMORY_WB },
    // soft-reserved (EFI_MEMORY_SP): left out of memblock with CONFIG_EFI_SOFT_RESERVE
    { type: 'EFI_CONVENTIONAL_MEMORY', base: 0x7f800000n, size: 0x800000n, attribute: EFI_MEMORY_WB | EFI_MEMORY_SP },
    { type: 'EFI_MEMORY_MAPPED_IO', base: 0x4000000n, size: 0x4000000n, attribute: RT | EFI_MEMORY_WC },
    { type: 'EFI_MEMORY_MAPPED_IO', base: 0x9010000n, size: 0x1000n, attribute: RT | EFI_MEMORY_UC },
  ],
  mapAt: { base: 0x7e000040n, size: 0x150n },
  memattr: { base: 0x7e800018n, size: 0x400n },
  memreserve: { at: 0x7e900f98n, capacity: 0, entries: [] },
};

test('efi_init: the /memory node is replaced by the map; runtime and WC MMIO nomap, UC MMIO and SP ranges left out', () => {
  const r = boot(map);
  const mem = r.ctx.memblock.tables().memory.map((m) => [m.base, m.size, m.flags & MEMBLOCK_NOMAP]);
  assert.deepEqual(mem, [
    [0x4000000n, 0x4000000n, MEMBLOCK_NOMAP],
    [0x40000000n, 0x3f000000n, 0],
    [0x7f000000n, 0x800000n, MEMBLOCK_NOMAP],
  ]);
  const traced = r.memblockLines.filter((l) => /efi|reserve_regions|early_init_dt_add/.test(l));
  assert.deepEqual(
    traced.map((l) => l.replace(/^\S+: \[(\S+)\] (\S+).*/, '$2 $1')),
    [
      'efi_memattr_init 0x000000007e800018-0x000000007e800417',
      'efi_config_parse_tables 0x000000007e900f98-0x000000007e900fa7',
      'reserve_regions 0x0000000000000000-0xfffffffffffffffe',
      'early_init_dt_add_memory_arch 0x0000000040000000-0x000000007dffffff',
      'early_init_dt_add_memory_arch 0x000000007e000000-0x000000007e00ffff',
      'reserve_regions 0x000000007e000000-0x000000007e00ffff',
      'early_init_dt_add_memory_arch 0x000000007e010000-0x000000007effffff',
      'early_init_dt_add_memory_arch 0x000000007f000000-0x000000007f7fffff',
      'early_init_dt_add_memory_arch 0x0000000004000000-0x0000000007ffffff',
      'efi_init 0x000000007e000000-0x000000007e000fff',
    ],
  );
  // efi=nosoftreserve: the SP range is ordinary memory
  const noSp = boot(map, 'memblock=debug efi=debug,nosoftreserve');
  assert.ok(noSp.ctx.memblock.tables().memory.some((m) => m.base <= 0x7f800000n && m.base + m.size >= 0x80000000n));
});

test('efi_init: kernel allocations avoid the nomap and reserved firmware ranges (the default CMA area lands below them)', () => {
  const dt = boot(undefined, '');
  const efi = boot({ memoryMap: map.memoryMap.slice(0, 4) }, '');
  assert.ok(dt.defaultCma && efi.defaultCma);
  assert.ok(dt.defaultCma.base + dt.defaultCma.size > 0x7e000000n, 'from /memory CMA lies in what the map says is firmware memory');
  assert.ok(efi.defaultCma.base + efi.defaultCma.size <= 0x7e000000n, `CMA at ${efi.defaultCma.base.toString(16)}`);
});

test("ArmVirtQemu map: runtime regions at their distance from the top of RAM, the tables in the stub's pool blocks", () => {
  const e = armVirtQemuEfiBoot([{ base: 0x40000000n, size: G }], { mapPool: { base: 0x796f0000n, size: 0x10000n }, pool: 0x79a03000n });
  const special = e.memoryMap.filter((d) => d.type !== 'EFI_CONVENTIONAL_MEMORY').map((d) => [d.type, d.base, d.size]);
  assert.deepEqual(special, [
    ['EFI_ACPI_RECLAIM_MEMORY', 0x796f0000n, 0x10000n],
    ['EFI_RUNTIME_SERVICES_CODE', 0x7c440000n, 0x80000n],
    ['EFI_RUNTIME_SERVICES_DATA', 0x7c4c0000n, 0x1c0000n],
    ['EFI_RUNTIME_SERVICES_CODE', 0x7c680000n, 0xb0000n],
    ['EFI_RUNTIME_SERVICES_CODE', 0x7fc00000n, 0x190000n],
    ['EFI_RUNTIME_SERVICES_DATA', 0x7fd90000n, 0x250000n],
    ['EFI_MEMORY_MAPPED_IO', 0x4000000n, 0x4000000n],
    ['EFI_MEMORY_MAPPED_IO', 0x9010000n, 0x1000n],
  ]);
  // the RAM descriptors tile the bank
  const ram = e.memoryMap.filter((d) => d.base >= 0x40000000n);
  for (let i = 1; i < ram.length; i++) assert.equal(ram[i]!.base, ram[i - 1]!.base + ram[i - 1]!.size);
  assert.equal(ram.at(-1)!.base + ram.at(-1)!.size, 0x80000000n);
  assert.deepEqual(e.mapAt?.base, 0x796f0040n);
  assert.deepEqual(e.memattr, { base: 0x7eba2018n, size: 0x400n });
  assert.deepEqual(e.memreserve, { at: 0x79a03f98n, capacity: 0, entries: [] });
  // above 1 GiB of RAM the attributes table sits 8 KiB lower; without the stub's placements no pool, no map address
  const big = armVirtQemuEfiBoot([{ base: 0x40000000n, size: 2n * G }], {});
  assert.deepEqual(big.memattr?.base, 0xbeba0018n);
  assert.equal(big.mapAt, undefined);
  assert.equal(big.memreserve, undefined);
});

test('arm: arm_efi_init runs after early_mem, so under UEFI the map replaces what mem= left', () => {
  const r = parseDts(
    `/dts-v1/;
/ {
  #address-cells = <1>; #size-cells = <1>;
  chosen { };
  memory@40000000 { device_type = "memory"; reg = <0x40000000 0x30000000>; };
};`,
    'board.dts',
    { includeDirs: [] },
  );
  assert.ok(r.tree);
  const profile = getProfile('6.12-armmp')!;
  const run = (efi?: EfiBoot) =>
    bootKernel({
      tree: r.tree!,
      profile,
      handlers: builtinHandlers(undefined, profile.series.rmem.tableCalls),
      layout: { name: 'uefi', memory: [{ base: 0x40000000n, size: 0x30000000n }], extra: [], chosenAdded: 0, ...(efi ? { efi } : {}) },
      bootargs: 'mem=256M',
    });
  const end = (b: BootResult) => b.ctx.memblock.endOfDram();
  assert.equal(end(run()), 0x50000000n);
  assert.equal(end(run(conventionalEfiBoot([{ base: 0x40000000n, size: 0x30000000n }]))), 0x70000000n);
});
