// Debian linux-image-5.10.0-32-armmp 5.10.223-1 (bullseye, armhf, ARMv7 multiplatform, no LPAE): 32-bit phys_addr_t.
import { armProfile, type ArmBuild } from '../arch/arm/layer.js';
import { linux510 } from '../versions/5.10.js';
import { armMeasured } from './lab-measured.js';
import facts from '../../../data/lab/5.10-armmp.build.json' with { type: 'json' };

const debianPackage = 'linux-image-5.10.0-32-armmp 5.10.223-1';
const m = armMeasured(facts, debianPackage);

export const build: ArmBuild = {
  // 5.10 names it CONFIG_FORCE_MAX_ZONEORDER (=12)
  config: { pageSize: 4096, forceMaxOrder: 12, cmaAreas: 7, lpae: false },
  // the kernel: memblock_reserve [0x40300000-0x415f42cb] arm_memblock_init
  measured: { kernelOffset: 0x300000n, kernelSize: 0x12f42ccn, staticVmSize: m.staticVmSize },
  measuredFrom: m.from,
};

export const profile = armProfile(linux510, '5.10-armmp', debianPackage, build);
