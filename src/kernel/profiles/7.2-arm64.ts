// Debian linux-binary-7.2.13+deb14-arm64 7.2.13-1 (sid), 4 KiB pages, 52-bit VA with LPA2 (5 levels).
import { arm64Profile, type Arm64Build } from '../arch/arm64/layer.js';
import { linux72 } from '../versions/7.2.js';
import { arm64Measured } from './lab-measured.js';
import facts from '../../../data/lab/7.2-arm64.build.json' with { type: 'json' };

const debianPackage = 'linux-binary-7.2.13+deb14-arm64 7.2.13-1';
const m = arm64Measured(facts, debianPackage);

export const build: Arm64Build = {
  config: { pageSize: 4096, forceMaxOrder: 10, cmaAreas: 20, paBits: 52, vaBits: 52 },
  // the kernel: [0x40200000-0x430fffff] arm64_memblock_init; __init_begin from its System.map
  measured: {
    reserveSize: 0x2f00000n,
    initBeginOffset: 0x2510000n,
    nodeDataSize: m.nodeDataSize,
    usemapBytesPerSection: m.usemapBytesPerSection,
  },
  measuredFrom: m.from,
  percpu: { unit: 0x24000n, ...m.percpu },
};

export const profile = arm64Profile(linux72, '7.2-arm64', debianPackage, build);
