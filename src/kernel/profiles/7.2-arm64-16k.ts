// Debian linux-binary-7.2.13+deb14-arm64-16k 7.2.13-1 (sid), 16 KiB pages, 52-bit VA (4 levels).
import { arm64Profile, type Arm64Build } from '../arch/arm64/layer.js';
import { linux72 } from '../versions/7.2.js';
import { arm64Measured } from './lab-measured.js';
import facts from '../../../data/lab/7.2-arm64-16k.build.json' with { type: 'json' };

const debianPackage = 'linux-binary-7.2.13+deb14-arm64-16k 7.2.13-1';
const m = arm64Measured(facts, debianPackage);

export const build: Arm64Build = {
  config: { pageSize: 16384, forceMaxOrder: 11, cmaAreas: 20, paBits: 52, vaBits: 52 },
  // the kernel: [0x40200000-0x4319ffff] arm64_memblock_init; __init_begin from its System.map
  measured: {
    reserveSize: 0x2fa0000n,
    initBeginOffset: 0x2540000n,
    nodeDataSize: m.nodeDataSize,
    usemapBytesPerSection: m.usemapBytesPerSection,
  },
  measuredFrom: m.from,
  percpu: { unit: 0x24000n, ...m.percpu },
};

export const profile = arm64Profile(linux72, '7.2-arm64-16k', debianPackage, build);
