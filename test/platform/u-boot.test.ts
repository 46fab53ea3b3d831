// The u-boot platform against real boots of Debian's u-boot-qemu 2023.01 on QEMU 7.2 virt (1 GiB,
// -dtb = the fixture, -kernel/-initrd through fw_cfg, the default bootcmd_qfw: booti/bootz
// $kernel_addr_r $ramdisk_addr_r:$filesize $fdtcontroladdr). The fixtures are QEMU's virt tree
// with a no-map region at 0x7dd80000+0x30000 (just below where U-Boot would copy the DTB) and a
// dynamic pool. What U-Boot printed and what the kernel reserved (memblock=debug) is quoted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { loadBoard } from '../../src/board.js';
import { getChild, getProp } from '../../src/tree/types.js';
import { parseDts } from '../../src/source/parser.js';
import { parseBoardArgs } from '../../src/cli/board-options.js';
import { kernelImageSize } from '../../src/platform/u-boot.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/u-boot/${name}`, import.meta.url)));
const G = 1n << 30n;
const APPEND64 = 'console=ttyAMA0 earlycon=pl011,0x9000000 panic=-1 nokaslr memblock=debug';
const APPEND32 = 'console=ttyAMA0 earlycon=pl011,0x9000000 panic=-1 memblock=debug';

test('arm64 booti: Image at kernel_addr_r, initrd and DTB copied top-down below U-Boot, the DTB below the no-map region', () => {
  const b = loadBoard(fixture('virt-arm64-1g.dtb'), {
    platform: 'u-boot',
    arch: 'arm64',
    asBooted: true,
    ram: G,
    initrdSize: 1014218n,
    bootargs: APPEND64,
  });
  assert.deepEqual(b.diagnostics, []);
  // "## Flattened Device Tree blob at 7eeae3d0"
  assert.ok(b.edits.includes('DTB copied from $fdtcontroladdr 0x7eeae3d0 to 0x7dd74000 (fdt_high 0xffffffff)'), b.edits.join('\n'));
  // memblock_reserve: [0x0000000040400000-0x0000000042f3ffff] arm64_memblock_init
  assert.equal(b.placements.kernelLoad, 0x40400000n);
  // "Loading Ramdisk to 7ddb2000, end 7dea99ca"; early_init_fdt_scan_reserved_mem [0x7ddb2000-0x7dea99c9]
  assert.deepEqual(b.placements.initrd, { base: 0x7ddb2000n, size: 0xf79can });
  // "Loading Device Tree to 000000007dd74000"; reserved[0x2] [0x7dd74000-0x7dd7607f], 0x2080 bytes
  assert.deepEqual(b.placements.dtb, { base: 0x7dd74000n, size: 0x2080n });
  assert.deepEqual(
    b.tree?.memreserves.map((m) => [m.address, m.size]),
    [[0x7ddb2000n, 0xf79can]],
  );
  const chosen = getChild(b.tree!.root, 'chosen')!;
  assert.equal(new TextDecoder().decode(getProp(chosen, 'u-boot,version')!.value), '2023.01+dfsg-2+deb12u3\0');
  assert.equal(getProp(chosen, 'linux,initrd-start')!.value.length, 8);
});

test('arm64 with 4 GiB: U-Boot sits above 4 GiB, 0xffffffff caps the copies below 4 GiB (not all ones as a 64-bit ulong)', () => {
  // The same QEMU tree for -m 4G, the no-map region at 0x13dd80000 (above where the copies go).
  const b = loadBoard(fixture('virt-arm64-4g.dtb'), {
    platform: 'u-boot',
    arch: 'arm64',
    asBooted: true,
    ram: 4n * G,
    initrdSize: 1014218n,
    bootargs: APPEND64,
  });
  assert.deepEqual(b.diagnostics, []);
  // "## Flattened Device Tree blob at 13eeae3d0"
  assert.ok(
    b.edits.some((e) => e.startsWith('DTB copied from $fdtcontroladdr 0x13eeae3d0 ')),
    b.edits.join('\n'),
  );
  // "Loading Ramdisk to fff08000": lmb_alloc_base from 0xffffffff - size, 4 KiB aligned down
  assert.deepEqual(b.placements.initrd, { base: 0xfff08000n, size: 0xf79can });
  // "Loading Device Tree to 00000000ffefc000"; reserved[0x2] [0xffefc000-0xffefe07f], 0x2080 bytes
  assert.deepEqual(b.placements.dtb, { base: 0xffefc000n, size: 0x2080n });
});

test('arm bootz: 32-bit all-ones fdt_high/initrd_high keep the DTB in place at $fdtcontroladdr and the initrd at ramdisk_addr_r', () => {
  const b = loadBoard(fixture('virt-arm-1g.dtb'), {
    platform: 'u-boot',
    arch: 'arm',
    asBooted: true,
    ram: G,
    initrdSize: 907350n,
    bootargs: APPEND32,
  });
  assert.deepEqual(b.diagnostics, []);
  // zImage at 0x40400000: the decompressor's PHYS_OFFSET is RAM's base, the profile's own placement.
  assert.equal(b.placements.kernelLoad, undefined);
  // memblock_reserve: [0x44000000-0x440dd855] early_init_fdt_scan_reserved_mem
  assert.deepEqual(b.placements.initrd, { base: 0x44000000n, size: 907350n });
  // "Using Device Tree in place at 7eeef590"; reserved[0x4] [0x7eeef590-0x7eef207f], 0x2af0 bytes
  assert.deepEqual(b.placements.dtb, { base: 0x7eeef590n, size: 0x2af0n });
});

test('a board: fdt_addr_r with all-ones fdt_high/initrd_high (64-bit) boots in place; memory banks written into /memory', () => {
  const r = parseDts(
    `/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>; memory@80000000 { device_type = "memory"; reg = <0 0x80000000 0 0>; };
      memory@880000000 { device_type = "memory"; reg = <0x8 0x80000000 0 0x40000000>; }; };`,
    'b.dts',
    { includeDirs: [] },
  );
  const args = parseBoardArgs([
    '--platform',
    'u-boot',
    '--memory',
    '0x80000000+2G',
    '--uboot-env',
    'fdt_addr_r=0x83000000',
    '--uboot-env',
    'fdt_high=0xffffffffffffffff',
    '--uboot-env',
    'initrd_high=ffffffffffffffff',
    '--uboot-env',
    'kernel_addr_r=0x80080000',
    '--uboot-env',
    'ramdisk_addr_r=0x88000000',
    '--initrd-size',
    '1M',
  ]);
  assert.ok(args.ok);
  const b = loadBoard(r.tree!, { ...args.args.board, arch: 'arm64' });
  assert.deepEqual(b.diagnostics, []);
  // booti_setup: ALIGN(0x80080000, 2 MiB)
  assert.equal(b.placements.kernelLoad, 0x80200000n);
  assert.deepEqual(b.placements.initrd, { base: 0x88000000n, size: 1n << 20n });
  assert.equal(b.placements.dtb?.base, 0x83000000n);
  // fdt_fixup_memory_banks rewrites the first memory node only; the second stays and the kernel adds it.
  assert.deepEqual(b.memory, [
    { base: 0x80000000n, size: 2n * G },
    { base: 0x880000000n, size: G },
  ]);
  const mem = b.tree!.root.children.filter((c) => c.name.startsWith('memory'));
  assert.deepEqual(
    mem.map((m) => Buffer.from(getProp(m, 'reg')!.value).toString('hex')),
    ['00000000800000000000000080000000', '00000008800000000000000040000000'],
  );
});

test('--uboot-env refuses unknown names and non-hex addresses', () => {
  const a = parseBoardArgs(['--uboot-env', 'loadaddr=0x1']);
  assert.ok(!a.ok && /NAME one of/.test(a.error));
  const b = parseBoardArgs(['--uboot-env', 'kernel_addr_r=zz']);
  assert.ok(!b.ok && /not a hex number/.test(b.error));
});

// A hand-made board booted with fdt_addr_r and relocating fdt_high/initrd_high (64-bit U-Boot), so
// every placement below follows from lib/lmb.c alone: 1 GiB at 0x40000000, U-Boot's own area from
// reservedBase 0x7f000000, the Image (image_size 0x2000000) at 0x40200000.
function lmbBoard(reserved: string, more: string[] = [], lmbMaxRegions?: number) {
  const r = parseDts(
    `/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>; memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; };
      reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges; ${reserved} }; };`,
    'lmb.dts',
    { includeDirs: [] },
  );
  const env = (e: Record<string, string>) => Object.entries(e).flatMap(([k, v]) => ['--uboot-env', `${k}=${v}`]);
  const args = parseBoardArgs([
    '--platform',
    'u-boot',
    ...env({
      kernel_addr_r: '0x40200000',
      ramdisk_addr_r: '0x48000000',
      fdt_addr_r: '0x47000000',
      fdt_high: '0xffffffff',
      initrd_high: '0xffffffff',
    }),
    '--initrd-size',
    '1M',
    ...more,
  ]);
  assert.ok(args.ok);
  return loadBoard(r.tree!, {
    ...args.args.board,
    arch: 'arm64',
    uboot: { ...args.args.board.uboot, reservedBase: 0x7f000000n, imageSize: 0x2000000n, ...(lmbMaxRegions ? { lmbMaxRegions } : {}) },
  });
}

test('lmb: a /reserved-memory region overlapping the initrd U-Boot already copied is refused; the DTB then goes inside it, with a warning', () => {
  // The initrd goes first (boot_ramdisk_high): 1 MiB below U-Boot's area, at 0x7ef00000.
  // pool@7e000000 (0x7e000000..0x7effffff) then overlaps it: "reserving fdt memory region failed",
  // and the DTB is copied top-down right below the initrd — inside the pool.
  const b = lmbBoard('pool@7e000000 { compatible = "shared-dma-pool"; reg = <0 0x7e000000 0 0x1000000>; };');
  assert.deepEqual(b.placements.initrd, { base: 0x7ef00000n, size: 1n << 20n });
  assert.equal(b.placements.dtb?.base, 0x7eefc000n);
  const out = b.bootloaderOutput ?? [];
  assert.deepEqual(out.slice(0, 2), [
    '   Loading Ramdisk to 7ef00000, end 7f000000 ... OK',
    'ERROR: reserving fdt memory region failed (addr=7e000000 size=1000000 flags=0)',
  ]);
  assert.match(out[2] ?? '', /^ {3}Loading Device Tree to 000000007eefc000, end 000000007eeff[0-9a-f]{3} \.\.\. OK$/);
  const w = b.diagnostics.filter((d) => d.code === 'u-boot-in-reserved').map((d) => d.message);
  assert.equal(w.length, 2, w.join('\n'));
  assert.match(w[0]!, /initrd at 0x7ef00000\+0x100000, inside \/reserved-memory\/pool@7e000000/);
  assert.match(w[1]!, /DTB at 0x7eefc000\+/);
});

const FIVE = [
  'a@42000000 { reg = <0 0x42000000 0 0x400000>; };',
  'b@50000000 { reg = <0 0x50000000 0 0x100000>; no-map; };',
  'c@50100000 { reg = <0 0x50100000 0 0x100000>; };',
  'e@52000000 { reg = <0 0x52000000 0 0x100000>; };',
  'f@54000000 { reg = <0 0x54000000 0 0x100000>; };',
].join(' ');

test('lmb: a region overlapping the kernel is refused; adjacent regions with other flags stay apart', () => {
  // kernel 0x40200000..0x421fffff: a@42000000 overlaps it. U-Boot's two regions, the kernel,
  // b, c (adjacent, but no-map and plain: lmb keeps them apart), e and f make 7 of lmb's 8; the
  // initrd ends where U-Boot's area begins and merged into it; the DTB copy takes the 8th.
  const b = lmbBoard(FIVE);
  assert.deepEqual(
    b.bootloaderOutput!.filter((l) => l.startsWith('ERROR')),
    ['ERROR: reserving fdt memory region failed (addr=42000000 size=400000 flags=0)'],
  );
  assert.ok(b.edits.some((e) => e.startsWith('U-Boot could not reserve /reserved-memory/a@42000000')));
  assert.deepEqual(b.diagnostics, []);
});

test('lmb: with its 8 regions taken the DTB copy finds no slot (CONFIG_LMB_MAX_REGIONS): U-Boot panics, an error; a ninth region is refused', () => {
  const g = 'g@56000000 { reg = <0 0x56000000 0 0x100000>; };';
  const b = lmbBoard(`${FIVE} ${g} h@58000000 { reg = <0 0x58000000 0 0x100000>; };`);
  const out = b.bootloaderOutput ?? [];
  assert.equal(out[2], 'ERROR: reserving fdt memory region failed (addr=58000000 size=100000 flags=0)');
  assert.match(out[3] ?? '', /^ERROR: Failed to allocate 0x[0-9a-f]+ bytes below 0xffffffff\.$/);
  assert.equal(out[4], 'Failed using fdt_high value for Device TreeFDT creation failed!');
  const e = b.diagnostics.find((d) => d.severity === 'error');
  assert.equal(e?.code, 'u-boot-fdt');
  assert.match(e!.message, /panics/);
  // a build with more lmb regions (CONFIG_LMB_MAX_REGIONS) keeps them all and copies the DTB
  const big = lmbBoard(`${FIVE} ${g} h@58000000 { reg = <0 0x58000000 0 0x100000>; };`, [], 16);
  assert.deepEqual(
    big.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.deepEqual(
    big.bootloaderOutput!.filter((l) => l.startsWith('ERROR')),
    ['ERROR: reserving fdt memory region failed (addr=42000000 size=400000 flags=0)'],
  );
});

test('booti refuses an initrd loaded over the kernel (bootm_find_images), an error naming both', () => {
  const b = lmbBoard('', ['--uboot-env', 'ramdisk_addr_r=0x42000000']);
  const e = b.diagnostics.find((d) => d.severity === 'error');
  assert.equal(e?.code, 'u-boot-rd-overlap');
  assert.match(e!.message, /RD image overlaps OS image \(OS=0x40200000\.\.0x42200000\)/);
});

test('kernelImageSize: the arm64 Image header image_size, the zImage end - start, nothing without the magic', () => {
  const img = Buffer.alloc(64);
  img.writeBigUInt64LE(0x2b40000n, 16);
  img.writeUInt32LE(0x644d5241, 56);
  assert.equal(kernelImageSize('arm64', img), 0x2b40000n);
  img.writeBigUInt64LE(0n, 16);
  assert.equal(kernelImageSize('arm64', img), 16n << 20n); // booti_setup: "Image lacks image_size field, assuming 16MiB"
  const z = Buffer.alloc(48);
  z.writeUInt32LE(0x016f2818, 36);
  z.writeUInt32LE(0, 40);
  z.writeUInt32LE(0x5c9200, 44);
  assert.equal(kernelImageSize('arm', z), 0x5c9200n);
  assert.equal(kernelImageSize('arm', img), undefined);
  assert.equal(kernelImageSize('arm64', z), undefined);
});

test("CLI: the kernel's size from the planned kernel's profile reaches U-Boot's lmb; --uboot-env adds to the platform file's environment", () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-uboot-cli-'));
  const dts = join(dir, 'b.dts');
  writeFileSync(
    dts,
    `/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>; memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; };
      reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges; a@41000000 { reg = <0 0x41000000 0 0x100000>; }; }; };\n`,
  );
  const json = join(dir, 'u.json');
  writeFileSync(json, JSON.stringify({ platform: 'u-boot', uboot: { env: { fdt_addr_r: '0x48000000', fdt_high: '0xffffffffffffffff' } } }));
  const r = runCli(['plan', dts, '--kernel', '6.12-arm64', '--platform', json, '--uboot-env', 'bootargs=console=ttyAMA0']);
  assert.equal(r.status, 0, r.stderr);
  // a@41000000 lies inside the Image booti reserved at 0x40400000 (_end - _text of 6.12-arm64)
  assert.match(r.stdout, /U-Boot could not reserve \/reserved-memory\/a@41000000 \(0x41000000\+0x100000\)/);
  // the file's fdt_addr_r and fdt_high kept, the flag's bootargs added
  assert.match(r.stdout, /DTB used in place at 0x48000000/);
  assert.match(r.stdout, /\/chosen\/bootargs = "console=ttyAMA0"/);
});
