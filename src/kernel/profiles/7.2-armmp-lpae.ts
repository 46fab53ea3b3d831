// Debian linux-binary-7.2.13+deb14-armmp-lpae 7.2.13-1 (sid, armhf, LPAE).
import { armProfile, type ArmBuild } from '../arch/arm/layer.js';
import { linux72 } from '../versions/7.2.js';
import { armMeasured } from './lab-measured.js';
import facts from '../../../data/lab/7.2-armmp-lpae.build.json' with { type: 'json' };

const debianPackage = 'linux-binary-7.2.13+deb14-armmp-lpae 7.2.13-1';
const m = armMeasured(facts, debianPackage);

export const build: ArmBuild = {
  // CONFIG_CMA_SIZE_MBYTES=128 (6.x armmp: 16)
  config: { pageSize: 4096, forceMaxOrder: 11, cmaAreas: 8, cmaSizeMBytes: 128, lpae: true },
  // the kernel: System.map _stext 0xc0400000, _end 0xc1eb6ec4 (arm_memblock_init reserves
  // [0x40400000-0x41eb6ec3])
  measured: { kernelOffset: 0x400000n, kernelSize: 0x1ab6ec4n, staticVmSize: m.staticVmSize },
  measuredFrom: m.from,
};

export const profile = armProfile(linux72, '7.2-armmp-lpae', debianPackage, build);
