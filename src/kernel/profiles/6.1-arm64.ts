// Debian linux-image-6.1.0-50-arm64-unsigned 6.1.176-1 (bookworm), 4 KiB pages, 48-bit VA.
import { arm64Profile, type Arm64Build } from '../arch/arm64/layer.js';
import { linux61 } from '../versions/6.1.js';
import { arm64Measured } from './lab-measured.js';
import facts from '../../../data/lab/6.1-arm64.build.json' with { type: 'json' };

const debianPackage = 'linux-image-6.1.0-50-arm64-unsigned 6.1.176-1';
const m = arm64Measured(facts, debianPackage);

export const build: Arm64Build = {
  config: { pageSize: 4096, forceMaxOrder: 11, cmaAreas: 19, paBits: 48, vaBits: 48 },
  // the kernel: [0x40210000-0x4220ffff] arm64_memblock_init; __init_begin - _text from System.map
  measured: {
    reserveSize: 0x2000000n,
    initBeginOffset: 0x1660000n,
    nodeDataSize: m.nodeDataSize,
    usemapBytesPerSection: m.usemapBytesPerSection,
  },
  measuredFrom: m.from,
  initPgDirFree: { offsetFromText: 0x200b000n, size: 0x5000n }, // paging_init's memblock_phys_free
  percpu: { unit: 0x1f000n, ...m.percpu },
};

export const profile = arm64Profile(linux61, '6.1-arm64', debianPackage, build);
