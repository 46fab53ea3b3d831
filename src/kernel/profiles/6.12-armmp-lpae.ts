// Debian linux-image-6.12.95+deb12-armmp-lpae 6.12.95-1~bpo12+1 (armhf, LPAE).
import { armProfile, type ArmBuild } from '../arch/arm/layer.js';
import { linux612 } from '../versions/6.12.js';
import { armMeasured } from './lab-measured.js';
import facts from '../../../data/lab/6.12-armmp-lpae.build.json' with { type: 'json' };

const debianPackage = 'linux-image-6.12.95+deb12-armmp-lpae 6.12.95-1~bpo12+1';
const m = armMeasured(facts, debianPackage);

export const build: ArmBuild = {
  config: { pageSize: 4096, forceMaxOrder: 11, cmaAreas: 8, lpae: true },
  // the kernel: memblock_reserve [0x40400000-0x41a33bcf] arm_memblock_init
  measured: { kernelOffset: 0x400000n, kernelSize: 0x1633bd0n, staticVmSize: m.staticVmSize },
  measuredFrom: m.from,
};

export const profile = armProfile(linux612, '6.12-armmp-lpae', debianPackage, build);
