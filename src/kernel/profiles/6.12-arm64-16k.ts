// Debian linux-image-6.12.95+deb12-arm64-16k-unsigned 6.12.95-1~bpo12+1, 16 KiB pages, 52-bit VA (4 levels).
import { arm64Profile, type Arm64Build } from '../arch/arm64/layer.js';
import { linux612 } from '../versions/6.12.js';
import { arm64Measured } from './lab-measured.js';
import facts from '../../../data/lab/6.12-arm64-16k.build.json' with { type: 'json' };

const debianPackage = 'linux-image-6.12.95+deb12-arm64-16k-unsigned 6.12.95-1~bpo12+1';
const m = arm64Measured(facts, debianPackage);

export const build: Arm64Build = {
  config: { pageSize: 16384, forceMaxOrder: 11, cmaAreas: 20, paBits: 52, vaBits: 52 },
  // the kernel: [0x40200000-0x42dbffff] arm64_memblock_init; __init_begin - _text from the package's System.map
  measured: {
    reserveSize: 0x2bc0000n,
    initBeginOffset: 0x1d20000n,
    nodeDataSize: m.nodeDataSize,
    usemapBytesPerSection: m.usemapBytesPerSection,
  },
  measuredFrom: m.from,
  percpu: { unit: 0x3c000n, ...m.percpu },
};

export const profile = arm64Profile(linux612, '6.12-arm64-16k', debianPackage, build);
