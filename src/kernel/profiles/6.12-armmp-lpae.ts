// Debian linux-image-6.12.95+deb12-armmp-lpae 6.12.95-1~bpo12+1 (armhf, LPAE).
import { armProfile, type ArmBuild } from '../arch/arm/layer.js';
import { linux612 } from '../versions/6.12.js';

export const build: ArmBuild = {
  config: { pageSize: 4096, forceMaxOrder: 11, cmaAreas: 8, lpae: true },
  // the kernel: memblock_reserve [0x40400000-0x41a33bcf] arm_memblock_init
  measured: { kernelOffset: 0x400000n, kernelSize: 0x1633bd0n, staticVmSize: 0x30n },
};

export const profile = armProfile(linux612, '6.12-armmp-lpae', 'linux-image-6.12.95+deb12-armmp-lpae 6.12.95-1~bpo12+1', build);
