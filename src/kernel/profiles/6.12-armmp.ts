// Debian linux-image-6.12.95+deb12-armmp 6.12.95-1~bpo12+1 (armhf, no LPAE).
import { armProfile, type ArmBuild } from '../arch/arm/layer.js';
import { linux612 } from '../versions/6.12.js';

export const build: ArmBuild = {
  config: { pageSize: 4096, forceMaxOrder: 11, cmaAreas: 8, lpae: false },
  // the kernel: memblock_reserve [0x40300000-0x4182d74f] arm_memblock_init; struct static_vm grew to 0x2c
  measured: { kernelOffset: 0x300000n, kernelSize: 0x152d750n, staticVmSize: 0x2cn },
};

export const profile = armProfile(linux612, '6.12-armmp', 'linux-image-6.12.95+deb12-armmp 6.12.95-1~bpo12+1', build);
