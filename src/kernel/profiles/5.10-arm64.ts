// Debian linux-image-5.10.0-32-arm64-unsigned 5.10.223-1 (bullseye), 4 KiB pages, 48-bit VA.
import { arm64Profile, type Arm64Build } from '../arch/arm64/layer.js';
import { linux510 } from '../versions/5.10.js';

export const build: Arm64Build = {
  // 5.10 names it CONFIG_FORCE_MAX_ZONEORDER (=11)
  config: { pageSize: 4096, forceMaxOrder: 11, cmaAreas: 19, paBits: 48, vaBits: 48 },
  // the kernel: [0x40200000-0x41ccffff] arm64_memblock_init; NODE_DATA 0x2500; sparse_init_nid's usemap 0x150 per 1 GiB section
  measured: { reserveSize: 0x1ad0000n, initBeginOffset: 0x1280000n, nodeDataSize: 0x2500n, usemapBytesPerSection: 0x150n },
  measuredFrom:
    'data/lab/5.10-arm64.jsonl.gz (the kernel image, NODE_DATA, the usemap, the per-cpu bitmaps), __init_begin, init_pg_dir and the per-cpu unit from its System.map',
  initPgDirFree: { offsetFromText: 0x1ac8000n, size: 0x5000n }, // paging_init's memblock_free
  percpu: { unit: 0x21000n, setup: [0x8n, 0x8n, 0x4n, 0x8n, 0x220n], alloc: [0x90n, 0x180n, 0x188n, 0x60n, 0x90n, 0x400n, 0x408n, 0x100n] },
};

export const profile = arm64Profile(linux510, '5.10-arm64', 'linux-image-5.10.0-32-arm64-unsigned 5.10.223-1', build);
