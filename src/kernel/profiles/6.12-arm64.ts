// Debian linux-image-6.12.95+deb12-arm64-unsigned 6.12.95-1~bpo12+1 (bookworm-backports), 4 KiB
// pages, 52-bit VA with LPA2 (5 levels).
import { arm64Profile, type Arm64Build } from '../arch/arm64/layer.js';
import { linux612 } from '../versions/6.12.js';

export const build: Arm64Build = {
  config: { pageSize: 4096, forceMaxOrder: 10, cmaAreas: 20, paBits: 52, vaBits: 52 },
  // the kernel: [0x40200000-0x42d1ffff] arm64_memblock_init; free_initmem: memblock_phys_free [0x41ef0000-...]
  measured: { reserveSize: 0x2b20000n, initBeginOffset: 0x1cf0000n, nodeDataSize: 0x3740n, usemapBytesPerSection: 56n },
  percpu: { unit: 0x22000n, setup: [0x8n, 0x8n, 0x4n, 0x8n, 0x130n], alloc: [0xc8n, 0x180n, 0x188n, 0x60n, 0xc8n, 0x400n, 0x408n, 0x100n] },
};

export const profile = arm64Profile(linux612, '6.12-arm64', 'linux-image-6.12.95+deb12-arm64-unsigned 6.12.95-1~bpo12+1', build);
