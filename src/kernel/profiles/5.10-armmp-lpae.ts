// Debian linux-image-5.10.0-32-armmp-lpae 5.10.223-1 (bullseye, armhf, LPAE).
import { armProfile, type ArmBuild } from '../arch/arm/layer.js';
import { linux510 } from '../versions/5.10.js';
import { armMeasured } from './lab-measured.js';
import facts from '../../../data/lab/5.10-armmp-lpae.build.json' with { type: 'json' };

const debianPackage = 'linux-image-5.10.0-32-armmp-lpae 5.10.223-1';
const m = armMeasured(facts, debianPackage);

export const build: ArmBuild = {
  // 5.10 names it CONFIG_FORCE_MAX_ZONEORDER (=12)
  config: { pageSize: 4096, forceMaxOrder: 12, cmaAreas: 7, lpae: true },
  // the kernel: memblock_reserve [0x40400000-0x417f9e4b] arm_memblock_init
  measured: { kernelOffset: 0x400000n, kernelSize: 0x13f9e4cn, staticVmSize: m.staticVmSize },
  measuredFrom: m.from,
};

export const profile = armProfile(linux510, '5.10-armmp-lpae', debianPackage, build);
