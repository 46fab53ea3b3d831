// Debian linux-binary-7.2.13+deb14-arm64 7.2.13-1 (sid), 4 KiB pages, 52-bit VA with LPA2 (5 levels).
import { arm64Profile, type Arm64Build } from '../arch/arm64/layer.js';
import { linux72 } from '../versions/7.2.js';

export const build: Arm64Build = {
  config: { pageSize: 4096, forceMaxOrder: 10, cmaAreas: 20, paBits: 52, vaBits: 52 },
  // the kernel: [0x40200000-0x430fffff] arm64_memblock_init; NODE_DATA 0x3800 (a nid-0 memblock_alloc_range_nid reserve);
  // sparse_init_nid's usemap 0x58 per 128 MiB section (8 bits per pageblock in 7.2, 4 before)
  measured: { reserveSize: 0x2f00000n, initBeginOffset: 0x2510000n, nodeDataSize: 0x3800n, usemapBytesPerSection: 0x58n },
  measuredFrom:
    'data/lab/7.2-arm64.jsonl.gz (the kernel image, NODE_DATA, the usemap, the per-cpu unit and bitmaps — the latter as 6.12-arm64 has them), __init_begin from its System.map',
  percpu: { unit: 0x24000n, setup: [0x8n, 0x8n, 0x4n, 0x8n, 0x130n], alloc: [0x88n, 0x180n, 0x188n, 0x60n, 0x88n, 0x400n, 0x408n, 0x100n] },
};

export const profile = arm64Profile(linux72, '7.2-arm64', 'linux-binary-7.2.13+deb14-arm64 7.2.13-1', build);
