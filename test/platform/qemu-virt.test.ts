// QEMU virt's placements, QEMU's own tree and the merge of a board's reserved memory into it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parseDts } from '../../src/source/parser.js';
import { readDtb } from '../../src/fdt/reader.js';
import { writeDtb } from '../../src/fdt/writer.js';
import { cString, findNode, strings, u32 } from '../../src/tree/query.js';
import { getProp, type Tree } from '../../src/tree/types.js';
import { initrdStart, mergeBoard, virtLayout, virtTree, VIRT_RAM_BASE } from '../../src/platform/qemu-virt.js';
import { memoryBanks, parseReserve } from '../../src/platform/layout.js';

const M = 1n << 20n;

function dts(text: string): Tree {
  const r = parseDts(`/dts-v1/;\n${text}`, 'board.dts', { includeDirs: [] });
  assert.ok(r.tree, JSON.stringify(r.diagnostics));
  return r.tree;
}

const virtLike = (): Tree =>
  dts(`/ { #address-cells = <2>; #size-cells = <2>;
  memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; };
  intc@8000000 { phandle = <0x8002>; };
  chosen { };
};`);

const cellsOf = (t: Tree, path: string, name: string): number[] => {
  const p = getProp(findNode(t, path)!, name)!;
  return Array.from({ length: p.value.length / 4 }, (_, i) => new DataView(p.value.buffer, p.value.byteOffset).getUint32(4 * i));
};

test('initrd at RAM/2 capped at 128 MiB; DTB after it, 2 MiB (arm64) or 4 KiB (arm) aligned', () => {
  assert.equal(initrdStart(128n * M), 0x44000000n);
  assert.equal(initrdStart(1n << 30n), 0x48000000n);
  const a = virtLayout(virtLike(), { arch: 'arm64', ram: 256n * M, initrdSize: 0x100001n, dtbFileSize: 7000 });
  assert.deepEqual(a.memory, [{ base: VIRT_RAM_BASE, size: 256n * M }]);
  assert.deepEqual(a.initrd, { base: 0x48000000n, size: 0x100001n });
  assert.deepEqual(a.dtb, { base: 0x48200000n, size: 34000n });
  assert.equal(a.kernelLoad, 0x40200000n);
  assert.equal(a.chosenAdded, 3, 'bootargs, linux,initrd-start, linux,initrd-end');
  const b = virtLayout(virtLike(), {
    arch: 'arm',
    ram: 2n << 30n,
    initrdSize: 0x1000n,
    dtbFileSize: 7000,
    reserve: [{ name: 'tz', base: 0x7e000000n, size: M }],
  });
  assert.equal(b.dtb!.base, 0x48001000n);
  assert.equal(b.kernelLoad, undefined);
  assert.deepEqual(b.extra, [{ name: 'tz', base: 0x7e000000n, size: M }]);
  const c = virtLayout(virtLike(), { arch: 'arm64', dtbFileSize: 0, reserve: [{ name: 'dtb', base: 0x50000000n, size: 0x10000n }] });
  assert.deepEqual(c.memory, [{ base: VIRT_RAM_BASE, size: 128n * M }], "QEMU's default -m");
  assert.deepEqual(c.dtb, { base: 0x50000000n, size: 0x10000n });
  assert.equal(c.chosenAdded, 1, 'bootargs only: no initrd');
});

test('parseReserve reads NAME@ADDR+SIZE with memparse; memoryBanks reads /memory with the root cells', () => {
  assert.deepEqual(parseReserve('tz@0x7e000000+32M'), { name: 'tz', base: 0x7e000000n, size: 32n * M });
  for (const bad of ['tz@0x7e000000', 'tz@0x7e000000+32MB', '@1+2', 'x@y+1'])
    assert.equal((parseReserve(bad) as { code: string }).code, 'bad-reserve', bad);
  assert.deepEqual(memoryBanks(virtLike()), [{ base: 0x40000000n, size: 0x40000000n }]);
});

test('mergeBoard: 1/1-cell board re-encoded to 2/2, memreserve, bootargs, phandle clash, consumers', () => {
  const board = dts(`/memreserve/ 0x44000000 0x10000;
/ { #address-cells = <1>; #size-cells = <1>;
  chosen { bootargs = "cma=32M"; };
  reserved-memory { #address-cells = <1>; #size-cells = <1>; ranges;
    fw@50000000 { reg = <0x50000000 0x200000>; phandle = <0x8002>; };
    pool { size = <0x1000000>; alloc-ranges = <0x60000000 0x10000000>; };
  };
  soc { dev@1 { memory-region = <0x8002>; compatible = "acme,dev"; }; };
};`);
  const base = virtLike();
  const before = writeDtb(base);
  const m = mergeBoard(base, board);
  assert.deepEqual(writeDtb(base), before, 'the base tree is not modified');
  assert.equal(m.bootargs, 'cma=32M');
  assert.deepEqual(
    m.tree.memreserves.map((r) => [r.address, r.size]),
    [[0x44000000n, 0x10000n]],
  );
  assert.equal(u32(findNode(m.tree, '/reserved-memory')!, '#address-cells'), 2);
  assert.deepEqual(cellsOf(m.tree, '/reserved-memory/fw@50000000', 'reg'), [0, 0x50000000, 0, 0x200000]);
  assert.deepEqual(cellsOf(m.tree, '/reserved-memory/pool', 'size'), [0, 0x1000000]);
  assert.deepEqual(cellsOf(m.tree, '/reserved-memory/pool', 'alloc-ranges'), [0, 0x60000000, 0, 0x10000000]);
  const [ph] = cellsOf(m.tree, '/reserved-memory/fw@50000000', 'phandle');
  assert.notEqual(ph, 0x8002, "renumbered away from QEMU's intc");
  assert.equal(findNode(m.tree, '/reserved-memory/fw@50000000')!.phandle, ph);
  const stub = m.tree.root.children.find((c) => c.name.startsWith('carveout-user'))!;
  assert.equal(stub.parent, m.tree.root);
  assert.deepEqual(cellsOf(m.tree, `/${stub.name}`, 'memory-region'), [ph]);
  assert.equal(getProp(stub, 'compatible'), undefined);
  assert.equal(cString(stub, 'carveout,source-path'), '/soc/dev@1');
  assert.deepEqual(
    m.tree.root.children.map((c) => c.name),
    ['memory@40000000', 'reserved-memory', 'intc@8000000', 'chosen', 'carveout-user0'],
  );
  // The blob reads back as the same tree.
  const back = readDtb(writeDtb(m.tree)).tree!;
  assert.deepEqual(strings(findNode(back, `/${stub.name}`)!, 'carveout,source-path'), ['/soc/dev@1']);
  assert.equal(findNode(back, '/reserved-memory/fw@50000000')!.phandle, ph);
});

const haveQemu = spawnSync('sh', ['-c', 'command -v qemu-system-aarch64']).status === 0;

test("virtTree: QEMU's own tree for the RAM size, without the random seeds", {
  skip: !haveQemu && 'qemu-system-aarch64 not installed',
}, () => {
  const r = virtTree('arm64', 256n * M);
  assert.ok(r.tree, JSON.stringify(r.diagnostics));
  assert.deepEqual(memoryBanks(r.tree), [{ base: VIRT_RAM_BASE, size: 256n * M }]);
  const chosen = findNode(r.tree, '/chosen')!;
  assert.equal(getProp(chosen, 'rng-seed'), undefined);
  assert.equal(getProp(chosen, 'kaslr-seed'), undefined);
});

test('an initrd QEMU cannot load below the end of RAM (or leaves no room for the DTB after it): QEMU refuses to start, a platform error', async () => {
  const { loadBoard } = await import('../../src/board.js');
  const { plan } = await import('../../src/kernel/plan.js');
  const at = (arch: 'arm64' | 'arm', initrdSize: bigint) =>
    loadBoard(virtLike(), { platform: 'qemu-virt', asBooted: true, arch, ram: 128n * M, initrdSize }).diagnostics.filter(
      (d) => d.code === 'qemu-initrd-too-big',
    );
  // 128 MiB: the initrd at 0x44000000, 64 MiB up to the end of RAM (measured with QEMU 7.2)
  const tooBig = at('arm64', 64n * M + 1n);
  assert.equal(tooBig.length, 1);
  assert.equal(tooBig[0]!.severity, 'error');
  assert.match(
    tooBig[0]!.message,
    /"could not load initrd" — the initrd \(0x4000001 bytes\) is larger than the 0x4000000 bytes of RAM above its start/,
  );
  assert.match(
    at('arm64', 64n * M)[0]?.message ?? '',
    /"Not enough space for DTB after kernel\/initrd" — the DTB would start at 0x48000000/,
  );
  assert.equal(at('arm64', 62n * M + 1n).length, 1); // the DTB's 2 MiB-aligned start is the end of RAM
  assert.deepEqual(at('arm64', 62n * M), []);
  assert.deepEqual(at('arm', 64n * M - 4096n), []); // AArch32 aligns the DTB to 4 KiB
  assert.equal(at('arm', 64n * M - 4095n).length, 1);
  // plan does not predict a boot QEMU never starts
  const b = loadBoard(virtLike(), { platform: 'qemu-virt', asBooted: true, arch: 'arm64', ram: 128n * M, initrdSize: 100n * M });
  const p = plan(b, { kernel: '6.12-arm64' });
  assert.equal(p.exitCode, 2);
  assert.ok(p.diagnostics.some((d) => d.code === 'qemu-initrd-too-big'));
});
