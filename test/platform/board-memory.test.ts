// A board's RAM as the kernel sees it: every memory node and reg entry (banks, holes),
// linux,usable-memory, status, size-0 nodes the boot loader fills in, --ram at the board's own
// base, --memory banks, and UEFI boots where the memory map replaces /memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { parseDts } from '../../src/source/parser.js';
import type { Tree } from '../../src/tree/types.js';
import { loadBoard } from '../../src/board.js';
import { plan } from '../../src/kernel/plan.js';
import { memoryBanks, memoryRegs, parseMemory } from '../../src/platform/layout.js';
import { locateKernelSource } from '../helpers/kernel-source.js';
import { dtsFile } from '../helpers/board.js';

const G = 1n << 30n;
const M = 1n << 20n;

function dts(text: string): Tree {
  const r = parseDts(`/dts-v1/;\n${text}`, 'board.dts', { includeDirs: [] });
  assert.ok(r.tree, JSON.stringify(r.diagnostics));
  return r.tree;
}

const banks = () =>
  dts(`/memreserve/ 0x80000000 0x1000;
/ { #address-cells = <2>; #size-cells = <2>;
  memory@80000000 { device_type = "memory"; reg = <0 0x80000000 0 0x40000000  0 0xc0000000 0 0  0 0xd0000000 0 0x10000000>; };
  memory@880000000 { device_type = "memory"; reg = <8 0x80000000 0 0x40000000>; };
  memory@900000000 { device_type = "memory"; status = "disabled"; reg = <9 0 0 0x40000000>; };
  memory@a00000000 { device_type = "memory"; reg = <0xa 0 0 0x40000000>; linux,usable-memory = <0xa 0 0 0x10000000>; };
  sub { memory@b00000000 { device_type = "memory"; reg = <0xb 0 0 0x40000000>; }; };
  chosen { bootargs = "memblock=debug"; };
};`);

const sizeZero = () =>
  dts(`/ { #address-cells = <2>; #size-cells = <2>;
  memory@a0000000 { device_type = "memory"; reg = <0 0xa0000000 0 0>; };
  reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
    hyp@80000000 { reg = <0 0x80000000 0 0xa00000>; no-map; };
    fw@a8000000 { reg = <0 0xa8000000 0 0x100000>; no-map; };
  };
};`);

test('memory nodes: every reg entry of every available root memory node, linux,usable-memory first', () => {
  assert.deepEqual(memoryBanks(banks()), [
    { base: 0x80000000n, size: G },
    { base: 0xd0000000n, size: 256n * M },
    { base: 0x880000000n, size: G },
    { base: 0xa00000000n, size: 256n * M },
  ]);
  // the size-0 entry stays in memoryRegs: its base is where --ram goes
  assert.deepEqual(
    memoryRegs(banks()).map((r) => [r.node.name, r.size]),
    [
      ['memory@80000000', G],
      ['memory@80000000', 0n],
      ['memory@80000000', 256n * M],
      ['memory@880000000', G],
      ['memory@a00000000', 256n * M],
    ],
  );
});

test('several banks with holes reach memblock as the tree gives them', () => {
  const r = plan(loadBoard(banks()), { kernel: '6.12-arm64' });
  assert.equal(r.exitCode, 0, JSON.stringify(r.diagnostics));
  const dump = r.log.map((l) => l.text).filter((t) => /^ memory\[/.test(t));
  assert.deepEqual(
    dump.map((t) => /\[(0x[0-9a-f]+-0x[0-9a-f]+)\]/.exec(t)![1]),
    [
      '0x0000000080000000-0x00000000bfffffff',
      '0x00000000d0000000-0x00000000dfffffff',
      '0x0000000880000000-0x00000008bfffffff',
      '0x0000000a00000000-0x0000000a0fffffff',
    ],
  );
});

test('a size-0 memory node without --ram/--memory is an error naming the flags and the node', () => {
  const b = loadBoard(sizeZero());
  const d = b.diagnostics.find((x) => x.code === 'no-memory');
  assert.ok(d, JSON.stringify(b.diagnostics));
  assert.equal(d.severity, 'error');
  assert.match(d.message, /memory@a0000000 has size 0/);
  assert.match(d.hint ?? '', /--ram SIZE \(one bank at 0xa0000000\)/);
  assert.match(d.hint ?? '', /--memory BASE\+SIZE/);
  assert.equal(d.line, 3, 'points at the memory node');
  assert.equal(plan(b, { kernel: '6.12-arm64' }).exitCode, 2);
  const none = loadBoard(dts('/ { #address-cells = <1>; #size-cells = <1>; };'));
  assert.match(none.diagnostics.find((x) => x.code === 'no-memory')?.hint ?? '', /--memory BASE\+SIZE.*--ram SIZE/);
});

test('--ram keeps the tree base; --memory gives the banks', () => {
  const r = loadBoard(sizeZero(), { ram: 8n * G });
  assert.deepEqual(r.memory, [{ base: 0xa0000000n, size: 8n * G }]);
  const p = plan(r, { kernel: '6.12-arm64' });
  assert.equal(p.exitCode, 0, JSON.stringify(p.diagnostics));
  // hyp@80000000 lies below RAM: the kernel reserves nothing there and says nothing about it;
  // fw@a8000000 is inside the bank
  assert.equal(p.regions.find((x) => x.name === 'fw@a8000000')?.status, 'no-handler');
  const mem = parseMemory('0xa0000000+2G, 0x880000000+6G');
  assert.ok(Array.isArray(mem));
  const m = loadBoard(sizeZero(), { memory: mem });
  assert.deepEqual(m.memory, [
    { base: 0xa0000000n, size: 2n * G },
    { base: 0x880000000n, size: 6n * G },
  ]);
  assert.equal(plan(m, { kernel: '6.12-arm64' }).exitCode, 0);
  for (const bad of ['0x80000000', '0x80000000+0', 'x+1G', '0xffffffffffffffff+2'])
    assert.equal((parseMemory(bad) as { code?: string }).code, 'bad-memory', bad);
  // no memory node at all: --ram goes to the default base, with a note saying so
  const n = loadBoard(dts('/ { #address-cells = <1>; #size-cells = <1>; };'), { ram: G });
  assert.deepEqual(n.memory, [{ base: 0x40000000n, size: G }]);
  assert.ok(n.diagnostics.some((x) => x.code === 'memory-default-base' && x.severity === 'note'));
});

test('--boot uefi: /memory ignored, RAM from the memory map, /memreserve/ deleted by the stub', () => {
  const none = loadBoard(banks(), { boot: 'uefi' });
  assert.match(none.diagnostics.find((x) => x.code === 'no-memory')?.message ?? '', /UEFI memory map/);
  const b = loadBoard(banks(), { boot: 'uefi', memory: [{ base: 0x80000000n, size: 512n * M }] });
  assert.deepEqual(b.memory, [{ base: 0x80000000n, size: 512n * M }]);
  assert.equal(b.tree!.memreserves.length, 0);
  assert.ok(b.edits.some((e) => /ignores \/memory/.test(e)));
  assert.ok(b.edits.some((e) => /1 \/memreserve\/ entry deleted/.test(e)));
  // the stub's update_fdt: the six linux,uefi-* properties are in the tree the kernel unflattens
  const chosen = b.tree!.root.children.find((c) => c.name === 'chosen')!;
  assert.deepEqual(
    chosen.props.map((x) => x.name).filter((n) => n.startsWith('linux,uefi-')),
    [
      'linux,uefi-system-table',
      'linux,uefi-mmap-start',
      'linux,uefi-mmap-size',
      'linux,uefi-mmap-desc-size',
      'linux,uefi-mmap-desc-ver',
      'linux,uefi-secure-boot',
    ],
  );
  assert.equal(b.placements.chosenAdded, 0);
  // some UEFI firmware, not QEMU's EDK2: its DT edits are not applied, the map is the RAM given
  assert.ok(!b.edits.some((e) => /ArmVirtQemu|EDK2/.test(e)), b.edits.join('\n'));
  assert.deepEqual(
    b.placements.efi?.memoryMap.map((d) => [d.type, d.base, d.size]),
    [['EFI_CONVENTIONAL_MEMORY', 0x80000000n, 512n * M]],
  );
  const p = plan(b, { kernel: '6.12-arm64' });
  assert.equal(p.exitCode, 0);
  assert.ok(!p.log.some((l) => /memory\[0x1\]/.test(l.text)), 'one bank');
  // the same board booted with a DTB keeps its /memreserve/
  const dt = plan(loadBoard(banks()), { kernel: '6.12-arm64' });
  assert.ok(dt.log.some((l) => /reserved\[0x0\]\s+\[0x0000000080000000-0x0000000080000fff\]/.test(l.text)));
  assert.ok(!p.log.some((l) => /\[0x0000000080000000-0x0000000080000fff\]/.test(l.text)));
});

test('sm8550-qrd (memory@a0000000, size left to the boot loader) with --ram 8G: RAM at the board base', async (t) => {
  const src = await locateKernelSource('6.12', { install: false });
  if (!src.dir) return t.skip(src.problem);
  const file = join(src.dir, 'arch/arm64/boot/dts/qcom/sm8550-qrd.dts');
  const inc = [join(src.dir, 'scripts/dtc/include-prefixes')];
  const b = loadBoard(file, { includeDirs: inc, ram: 8n * G });
  assert.deepEqual(b.memory, [{ base: 0xa0000000n, size: 8n * G }]);
  const bare = loadBoard(file, { includeDirs: inc });
  assert.match(bare.diagnostics.find((x) => x.code === 'no-memory')?.message ?? '', /memory@a0000000 has size 0/);
});

test('CLI: --memory and --boot reach plan through the board flags; size 0 without them is exit 2 naming them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-mem-'));
  const file = join(dir, 'board.dts');
  writeFileSync(
    file,
    `/dts-v1/;
/ { #address-cells = <2>; #size-cells = <2>;
  memory@a0000000 { device_type = "memory"; reg = <0 0xa0000000 0 0>; };
};
`,
  );
  const bare = runCli(['plan', file, '--kernel', '6.12-arm64']);
  assert.equal(bare.status, 2);
  assert.match(bare.stderr, /board\.dts:3:\d+: error: memory node memory@a0000000 has size 0/);
  assert.match(bare.stderr, /--ram SIZE .*--memory BASE\+SIZE/);
  const json = (args: string[]) => {
    const r = runCli(['plan', file, '--kernel', '6.12-arm64', '--format', 'json', ...args]);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout).memory as { base: string; size: string }[];
  };
  assert.deepEqual(json(['--ram', '8G']), [{ base: '0xa0000000', size: '0x200000000' }]);
  assert.deepEqual(json(['--memory', '0xa0000000+1G,0x880000000+1G']), [
    { base: '0xa0000000', size: '0x40000000' },
    { base: '0x880000000', size: '0x40000000' },
  ]);
  assert.deepEqual(json(['--boot', 'uefi', '--memory', '0xa0000000+1G']), [{ base: '0xa0000000', size: '0x40000000' }]);
  const uefiBare = runCli(['plan', file, '--kernel', '6.12-arm64', '--boot', 'uefi']);
  assert.equal(uefiBare.status, 2);
  assert.match(uefiBare.stderr, /UEFI memory map/);
  const badFlag = runCli(['plan', file, '--kernel', '6.12-arm64', '--memory', '0xa0000000']);
  assert.equal(badFlag.status, 2);
  assert.match(badFlag.stderr, /--memory expects BASE\+SIZE/);
});

test("a tree's /chosen initrd is reserved as early_init_dt_check_for_initrd reads it (a boot loader's or a running board's tree)", () => {
  const board = (chosen: string, extra: object = {}) => {
    const f = dtsFile(
      `/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n  memory@80000000 { device_type = "memory"; reg = <0 0x80000000 0 0x40000000>; };\n  chosen { ${chosen} };\n};\n`,
    );
    return loadBoard(f, { arch: 'arm64', ...extra });
  };
  // 32-bit cells (what QEMU and U-Boot write for a 32-bit address) and 64-bit ones
  assert.deepEqual(board('linux,initrd-start = <0x88000000>; linux,initrd-end = <0x880dd856>;').placements.initrd, {
    base: 0x88000000n,
    size: 0xdd856n,
  });
  assert.deepEqual(board('linux,initrd-start = /bits/ 64 <0xb0000000>; linux,initrd-end = <0 0xb0100000>;').placements.initrd, {
    base: 0xb0000000n,
    size: 0x100000n,
  });
  // start past end, or only one of the two: the kernel takes no initrd
  assert.equal(board('linux,initrd-start = <0x88100000>; linux,initrd-end = <0x88000000>;').placements.initrd, undefined);
  assert.equal(board('linux,initrd-start = <0x88000000>;').placements.initrd, undefined);
  // --initrd is where the boot loader put it, and it writes /chosen: that wins
  assert.deepEqual(
    board('linux,initrd-start = <0x88000000>; linux,initrd-end = <0x880dd856>;', { initrd: { base: 0x90000000n, size: 0x1000n } })
      .placements.initrd,
    {
      base: 0x90000000n,
      size: 0x1000n,
    },
  );
  // and the plan reserves it: arm64_memblock_init's memblock_reserve of the initrd
  const p = plan(board('linux,initrd-start = <0x88000000>; linux,initrd-end = <0x880dd856>;'), { kernel: '6.12-arm64' });
  assert.ok(
    p.memblockDump?.reserved.some((r) => r.base <= 0x88000000n && r.base + r.size >= 0x880dd856n),
    'the initrd is in memblock.reserved',
  );
});
