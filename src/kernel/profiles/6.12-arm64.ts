// Debian linux-image-6.12.95+deb12-arm64-unsigned 6.12.95-1~bpo12+1 (bookworm-backports), 4 KiB
// pages, 52-bit VA with LPA2 (5 levels).
import { arm64Profile, type Arm64Build } from '../arch/arm64/layer.js';
import { linux612 } from '../versions/6.12.js';
import { arm64Measured } from './lab-measured.js';
import facts from '../../../data/lab/6.12-arm64.build.json' with { type: 'json' };

const debianPackage = 'linux-image-6.12.95+deb12-arm64-unsigned 6.12.95-1~bpo12+1';
const m = arm64Measured(facts, debianPackage);

export const build: Arm64Build = {
  config: { pageSize: 4096, forceMaxOrder: 10, cmaAreas: 20, paBits: 52, vaBits: 52 },
  // the kernel: [0x40200000-0x42d1ffff] arm64_memblock_init; free_initmem: memblock_phys_free [0x41ef0000-...]
  measured: {
    reserveSize: 0x2b20000n,
    initBeginOffset: 0x1cf0000n,
    nodeDataSize: m.nodeDataSize,
    usemapBytesPerSection: m.usemapBytesPerSection,
  },
  measuredFrom: m.from,
  percpu: { unit: 0x22000n, ...m.percpu },
};

export const profile = arm64Profile(linux612, '6.12-arm64', debianPackage, build);
