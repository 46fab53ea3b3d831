// Debian linux-image-6.1.0-50-armmp 6.1.176-1 (armhf, ARMv7 multiplatform, no LPAE): 32-bit phys_addr_t.
import { armProfile, type ArmBuild } from '../arch/arm/layer.js';
import { linux61 } from '../versions/6.1.js';
import { armMeasured } from './lab-measured.js';
import facts from '../../../data/lab/6.1-armmp.build.json' with { type: 'json' };

const debianPackage = 'linux-image-6.1.0-50-armmp 6.1.176-1';
const m = armMeasured(facts, debianPackage);

export const build: ArmBuild = {
  config: { pageSize: 4096, forceMaxOrder: 12, cmaAreas: 7, lpae: false },
  // the kernel: memblock_reserve [0x40300000-...] arm_memblock_init (KERNEL_START)
  measured: { kernelOffset: 0x300000n, kernelSize: 0x1307588n, staticVmSize: m.staticVmSize },
  measuredFrom: m.from,
};

export const profile = armProfile(linux61, '6.1-armmp', debianPackage, build);
