// Debian linux-image-6.12.95+deb12-arm64-16k-unsigned 6.12.95-1~bpo12+1, 16 KiB pages, 52-bit VA (4 levels).
import { arm64Profile, type Arm64Build } from '../arch/arm64/layer.js';
import { linux612 } from '../versions/6.12.js';
import { build as build612 } from './6.12-arm64.js';

export const build: Arm64Build = {
  config: { ...build612.config, pageSize: 16384, forceMaxOrder: 11 },
  // the kernel: [0x40200000-0x42dbffff] arm64_memblock_init; __init_begin - _text from the package's System.map
  measured: {
    ...build612.measured,
    reserveSize: 0x2bc0000n,
    initBeginOffset: 0x1d20000n,
    nodeDataSize: 0x3880n,
    usemapBytesPerSection: 32n,
  },
  measuredFrom: 'data/lab/6.12-arm64-16k.jsonl.gz; _end and __init_begin from its System.map',
  percpu: { unit: 0x3c000n, setup: [0x8n, 0x8n, 0x4n, 0x8n, 0x130n], alloc: [0xc8n, 0x200n, 0x208n, 0x20n, 0xc8n, 0x600n, 0x608n, 0x60n] },
};

export const profile = arm64Profile(linux612, '6.12-arm64-16k', 'linux-image-6.12.95+deb12-arm64-16k-unsigned 6.12.95-1~bpo12+1', build);
