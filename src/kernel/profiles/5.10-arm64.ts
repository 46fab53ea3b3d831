// Debian linux-image-5.10.0-32-arm64-unsigned 5.10.223-1 (bullseye), 4 KiB pages, 48-bit VA.
import { arm64Profile, type Arm64Build } from '../arch/arm64/layer.js';
import { linux510 } from '../versions/5.10.js';
import { arm64Measured } from './lab-measured.js';
import facts from '../../../data/lab/5.10-arm64.build.json' with { type: 'json' };

const debianPackage = 'linux-image-5.10.0-32-arm64-unsigned 5.10.223-1';
const m = arm64Measured(facts, debianPackage);

export const build: Arm64Build = {
  // 5.10 names it CONFIG_FORCE_MAX_ZONEORDER (=11)
  config: { pageSize: 4096, forceMaxOrder: 11, cmaAreas: 19, paBits: 48, vaBits: 48 },
  // the kernel: [0x40200000-0x41ccffff] arm64_memblock_init; __init_begin, init_pg_dir and the per-cpu unit from its System.map
  measured: {
    reserveSize: 0x1ad0000n,
    initBeginOffset: 0x1280000n,
    nodeDataSize: m.nodeDataSize,
    usemapBytesPerSection: m.usemapBytesPerSection,
  },
  measuredFrom: m.from,
  initPgDirFree: { offsetFromText: 0x1ac8000n, size: 0x5000n }, // paging_init's memblock_free
  percpu: { unit: 0x21000n, ...m.percpu },
};

export const profile = arm64Profile(linux510, '5.10-arm64', debianPackage, build);
