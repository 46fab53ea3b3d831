// Debian linux-binary-7.2.13+deb14-armmp 7.2.13-1 (sid, armhf, ARMv7 multiplatform, no LPAE).
import { armProfile, type ArmBuild } from '../arch/arm/layer.js';
import { linux72 } from '../versions/7.2.js';
import { armMeasured } from './lab-measured.js';
import facts from '../../../data/lab/7.2-armmp.build.json' with { type: 'json' };

const debianPackage = 'linux-binary-7.2.13+deb14-armmp 7.2.13-1';
const m = armMeasured(facts, debianPackage);

export const build: ArmBuild = {
  // CONFIG_CMA_SIZE_MBYTES=128 (6.x armmp: 16)
  config: { pageSize: 4096, forceMaxOrder: 11, cmaAreas: 8, cmaSizeMBytes: 128, lpae: false },
  // the kernel: System.map _stext 0xc0300000, _end 0xc1aace84 (arm_memblock_init reserves
  // [0x40300000-0x41aace83], as the lab's boots print)
  measured: { kernelOffset: 0x300000n, kernelSize: 0x17ace84n, staticVmSize: m.staticVmSize },
  measuredFrom: m.from,
};

export const profile = armProfile(linux72, '7.2-armmp', debianPackage, build);
