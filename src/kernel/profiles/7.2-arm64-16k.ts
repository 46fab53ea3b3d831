// Debian linux-binary-7.2.13+deb14-arm64-16k 7.2.13-1 (sid), 16 KiB pages, 52-bit VA (4 levels).
import { arm64Profile, type Arm64Build } from '../arch/arm64/layer.js';
import { linux72 } from '../versions/7.2.js';
import { build as build72 } from './7.2-arm64.js';

export const build: Arm64Build = {
  ...build72,
  config: { ...build72.config, pageSize: 16384, forceMaxOrder: 11 },
  // the kernel: [0x40200000-0x4319ffff] arm64_memblock_init
  measured: {
    ...build72.measured,
    reserveSize: 0x2fa0000n,
    initBeginOffset: 0x2540000n,
    nodeDataSize: 0x3940n,
    usemapBytesPerSection: 32n,
  },
  measuredFrom:
    'data/lab/7.2-arm64-16k.jsonl.gz (the kernel image, NODE_DATA, the usemap, the per-cpu unit and bitmaps), __init_begin from its System.map',
  // pcpu_alloc_first_chunk's chunk, alloc_map, bound_map and md_blocks for both chunks: 32 KiB
  // regions, two 16 KiB blocks each
  percpu: { ...build72.percpu, alloc: [0x88n, 0x400n, 0x408n, 0x40n, 0x88n, 0x400n, 0x408n, 0x40n] },
};

export const profile = arm64Profile(linux72, '7.2-arm64-16k', 'linux-binary-7.2.13+deb14-arm64-16k 7.2.13-1', build);
