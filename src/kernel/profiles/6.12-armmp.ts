// Debian linux-image-6.12.95+deb12-armmp 6.12.95-1~bpo12+1 (armhf, no LPAE).
import { armProfile, type ArmBuild } from '../arch/arm/layer.js';
import { linux612 } from '../versions/6.12.js';
import { armMeasured } from './lab-measured.js';
import facts from '../../../data/lab/6.12-armmp.build.json' with { type: 'json' };

const debianPackage = 'linux-image-6.12.95+deb12-armmp 6.12.95-1~bpo12+1';
const m = armMeasured(facts, debianPackage);

export const build: ArmBuild = {
  config: { pageSize: 4096, forceMaxOrder: 11, cmaAreas: 8, lpae: false },
  // the kernel: memblock_reserve [0x40300000-0x4182d74f] arm_memblock_init
  measured: { kernelOffset: 0x300000n, kernelSize: 0x152d750n, staticVmSize: m.staticVmSize },
  measuredFrom: m.from,
};

export const profile = armProfile(linux612, '6.12-armmp', debianPackage, build);
