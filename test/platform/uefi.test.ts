// The uefi platform: EDK2 ArmVirtQemu's DT edits and the kernel's EFI stub (6.12) against a real
// boot of QEMU_EFI.fd (qemu-efi-aarch64 2022.11) on QEMU 7.2 virt, 1 GiB, -dtb = the u-boot
// fixture, -kernel 6.12-arm64 through fw_cfg, the initrd through LINUX_EFI_INITRD_MEDIA_GUID;
// what the kernel printed (efi=debug, memblock=debug) is quoted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBoard } from '../../src/board.js';
import { getChild, getProp } from '../../src/tree/types.js';
import { readDtb } from '../../src/fdt/reader.js';
import { armTextOffset, efiStubBoot } from '../../src/platform/uefi.js';
import { cString, findNode } from '../../src/tree/query.js';

const fixture = () => new Uint8Array(readFileSync(new URL('../fixtures/u-boot/virt-arm64-1g.dtb', import.meta.url)));
const G = 1n << 30n;
const M = 1n << 20n;
// "Kernel command line: …" as the kernel printed it (EDK2 appends initrd=initrd).
const CMDLINE = 'console=ttyAMA0 earlycon=pl011,0x9000000 panic=-1 nokaslr memblock=debug efi=debug initrd=initrd';

test("the stub's packed DTB copy: EDK2 disables the RTC and the flash, the stub adds /chosen, no /memreserve/", () => {
  const b = loadBoard(fixture(), { platform: 'uefi', arch: 'arm64', asBooted: true, ram: G, initrdSize: 1014218n, bootargs: CMDLINE });
  assert.deepEqual(b.diagnostics, []);
  assert.equal(b.boot, 'uefi');
  // reserved[0x0] [0x0000000079700000-0x0000000079702057], 0x0000000000002058 bytes
  assert.equal(b.placements.dtb, undefined, 'the place needs the firmware free memory');
  assert.ok(
    b.edits.some((e) => e.includes("the stub's packed copy is 0x2058 bytes")),
    b.edits.join('\n'),
  );
  const t = b.tree!;
  assert.equal(cString(findNode(t, '/pl031@9010000')!, 'status'), 'disabled');
  assert.equal(cString(findNode(t, '/flash@0')!, 'status'), 'disabled');
  const chosen = getChild(t.root, 'chosen')!;
  assert.equal(cString(chosen, 'bootargs'), CMDLINE);
  for (const p of ['linux,uefi-system-table', 'linux,uefi-mmap-start', 'linux,uefi-mmap-size', 'linux,uefi-secure-boot'])
    assert.ok(getProp(chosen, p), p);
  assert.equal(getProp(chosen, 'kaslr-seed'), undefined, 'nokaslr: efi_nokaslr, no seed');
  assert.equal(t.memreserves.length, 0);
});

test('KASLR with a firmware RNG: the stub adds kaslr-seed and the kernel place is random', () => {
  const blob = fixture();
  const r = efiStubBoot({
    arch: 'arm64',
    tree: readDtb(blob).tree!,
    blob,
    cmdline: 'console=ttyAMA0',
    initrdSize: 0n,
    options: { rng: true },
  });
  assert.ok(getProp(getChild(r.tree.root, 'chosen')!, 'kaslr-seed'));
  assert.ok(r.diagnostics.some((d) => d.code === 'uefi-kaslr'));
});

test("allocation rules on the firmware's free memory: relocation 2 MiB aligned with its slack freed, initrd then DTB 64 KiB aligned from the top", () => {
  // The boot's free memory when the stub started, as its final map implies: the PE image at
  // 0x74478000-0x76fc7fff (image_base 0x74480000), free RAM below it and the freed fw_cfg read
  // buffer above it up to EDK2's boot-services data at 0x79a04000.
  const blob = fixture();
  const r = efiStubBoot({
    arch: 'arm64',
    tree: readDtb(blob).tree!,
    blob,
    cmdline: CMDLINE,
    initrdSize: 1014218n,
    options: {
      free: [
        { base: 0x48000000n, size: 0x74478000n - 0x48000000n },
        { base: 0x76fc8000n, size: 0x79a04000n - 0x76fc8000n },
      ],
      imageAt: 0x74480000n,
      imageSize: 0x2b40000n,
    },
  });
  // memblock_reserve: [0x0000000071800000-0x000000007433ffff] arm64_memblock_init (Loader Code)
  assert.equal(r.kernelLoad, 0x71800000n);
  // memblock_reserve: [0x0000000079900000-0x00000000799f7fff] arm64_memblock_init
  assert.deepEqual(r.initrd, { base: 0x79900000n, size: 1014218n });
  // the DTB copy: Loader Data 0x79700000-0x799fffff with the initrd
  assert.equal(r.dtb?.base, 0x79700000n);
});

test('EDK2 ArmVirtQemu on its own: the Image, the initrd and the DTB copy where real boots put them (two initrd sizes)', () => {
  // vmlinuz-6.12.118+deb12-arm64 is 44282368 bytes; its _end - _text (the stub's reserve) 0x2b40000.
  const uefi = { kernelFileSize: 44282368n, imageSize: 0x2b40000n };
  const b = loadBoard(fixture(), {
    platform: 'uefi',
    arch: 'arm64',
    asBooted: true,
    ram: G,
    initrdSize: 1014218n,
    bootargs: CMDLINE,
    uefi,
  });
  assert.deepEqual(b.diagnostics, []);
  // memblock_reserve: [0x71800000-0x7433ffff] and [0x79900000-0x799f7fff] arm64_memblock_init;
  // reserved[0x0] [0x79700000-0x79702057] in the first MEMBLOCK dump
  assert.equal(b.placements.kernelLoad, 0x71800000n);
  assert.deepEqual(b.placements.initrd, { base: 0x79900000n, size: 1014218n });
  assert.deepEqual(b.placements.dtb, { base: 0x79700000n, size: 0x2058n });
  // A 5014218-byte initrd: [0x79530000-0x799f8fff], the DTB at 0x79330000 (0x2058 bytes).
  const big = loadBoard(fixture(), {
    platform: 'uefi',
    arch: 'arm64',
    asBooted: true,
    ram: G,
    initrdSize: 5014218n,
    bootargs: CMDLINE,
    uefi,
  });
  assert.equal(big.placements.kernelLoad, 0x71800000n);
  assert.deepEqual(big.placements.initrd, { base: 0x79530000n, size: 5014218n });
  assert.deepEqual(big.placements.dtb, { base: 0x79330000n, size: 0x2058n });
});

test('--platform uefi needs the memory map', () => {
  const b = loadBoard(fixture(), { platform: 'uefi', arch: 'arm64', asBooted: true });
  assert.ok(b.diagnostics.some((d) => d.code === 'no-memory'));
  const ok = loadBoard(fixture(), { platform: 'uefi', arch: 'arm64', asBooted: true, memory: [{ base: 0x40000000n, size: 512n * M }] });
  assert.deepEqual(ok.memory, [{ base: 0x40000000n, size: 512n * M }]);
});

test("arm: the decompressor's room follows the zImage's TEXT_OFFSET, and its base is PHYS_OFFSET", () => {
  // The lab's qemu-efi-arm boots of Debian's armmp (TEXT_OFFSET 0x208000): "EFI stub: DEBUG: image
  // addr == 0x40208000, reserve_addr == 0x40203000", swapper_pg_dir reserved at 0x40204000.
  const tree = readDtb(fixture(), 'virt.dtb').tree!;
  const input = { arch: 'arm' as const, tree, blob: fixture(), cmdline: CMDLINE, initrdSize: 0xdd856n };
  const free = [{ base: 0x40000000n, size: G - 0x4000000n }];
  const debian = efiStubBoot({ ...input, options: { free, textOffset: 0x208000n, armVirtQemu: false } });
  assert.equal(debian.physOffset, 0x40000000n);
  assert.ok(
    debian.edits.some((e) => e.includes('kernel at 0x40208000 (PHYS_OFFSET 0x40000000)')),
    debian.edits.join('\n'),
  );
  // initrd below round_down(image, 4 MiB) + 512 MiB, 4 KiB pages, top-down: 0x5ff22000 in the lab
  assert.deepEqual(debian.initrd, { base: 0x5ff22000n, size: 0xdd856n });
  // TEXT_OFFSET 0x8000 (no ARCH_MESON & co): 2 MiB alignment, 0x3000 of slack
  const plain = efiStubBoot({ ...input, options: { free: [{ base: 0x40100000n, size: G }], armVirtQemu: false } });
  assert.equal(plain.physOffset, 0x40200000n, 'the room starts 1 MiB in: more than the slack, so the next 2 MiB');
  // the kernel model takes PHYS_OFFSET from the first bank: said when the stub moved it
  const b = loadBoard(fixture(), {
    platform: 'uefi',
    arch: 'arm',
    asBooted: true,
    memory: [{ base: 0x40000000n, size: G }],
    uefi: { free: [{ base: 0x40100000n, size: G - 0x100000n }], armVirtQemu: false },
  });
  assert.ok(
    b.diagnostics.some((d) => d.code === 'uefi-phys-offset' && d.message.includes('0x40200000')),
    JSON.stringify(b.diagnostics),
  );
});

test("arm: the zImage's TEXT_OFFSET read from the kernel's .config (arch/arm/Makefile textofs-y)", () => {
  assert.equal(armTextOffset('CONFIG_ARM=y\n'), 0x8000n);
  assert.equal(armTextOffset('CONFIG_ARM=y\nCONFIG_ARCH_MESON=y\n'), 0x208000n);
  assert.equal(armTextOffset('# CONFIG_ARCH_MESON is not set\nCONFIG_ARCH_REALTEK=y\n'), 0x108000n);
  assert.equal(armTextOffset('CONFIG_ARCH_MESON=y\nCONFIG_ARCH_AXXIA=y\n'), 0x308000n, 'the later Makefile line wins');
});

test('a platform file gives uefi.textOffset (arm: the decompressor room of a TEXT_OFFSET 0x208000 zImage)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-uefi-'));
  const file = join(dir, 'board.json');
  writeFileSync(
    file,
    JSON.stringify({
      platform: 'uefi',
      memory: '0x40000000+1G',
      uefi: { armVirtQemu: false, free: ['0x40000000+0x3c000000'], textOffset: '0x208000' },
    }),
  );
  const b = loadBoard(fixture(), { platform: file, arch: 'arm', asBooted: true, initrdSize: 0xdd856n });
  assert.ok(
    b.edits.some((e) => e.includes('kernel at 0x40208000 (PHYS_OFFSET 0x40000000): the lowest free 0x2400000 bytes')),
    b.edits.join('\n'),
  );
  assert.deepEqual(b.placements.initrd, { base: 0x5ff22000n, size: 0xdd856n });
});
