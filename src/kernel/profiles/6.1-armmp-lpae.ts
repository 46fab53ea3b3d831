// Debian linux-image-6.1.0-50-armmp-lpae 6.1.176-1 (armhf, LPAE): 64-bit phys_addr_t, 3-level tables.
import { armProfile, type ArmBuild } from '../arch/arm/layer.js';
import { linux61 } from '../versions/6.1.js';
import { armMeasured } from './lab-measured.js';
import facts from '../../../data/lab/6.1-armmp-lpae.build.json' with { type: 'json' };

const debianPackage = 'linux-image-6.1.0-50-armmp-lpae 6.1.176-1';
const m = armMeasured(facts, debianPackage);

export const build: ArmBuild = {
  config: { pageSize: 4096, forceMaxOrder: 12, cmaAreas: 7, lpae: true },
  // the kernel: memblock_reserve [0x40400000-0x4180d287] arm_memblock_init
  measured: { kernelOffset: 0x400000n, kernelSize: 0x140d288n, staticVmSize: m.staticVmSize },
  measuredFrom: m.from,
};

export const profile = armProfile(linux61, '6.1-armmp-lpae', debianPackage, build);
