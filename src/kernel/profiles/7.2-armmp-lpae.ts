// Debian linux-binary-7.2.13+deb14-armmp-lpae 7.2.13-1 (sid, armhf, LPAE).
import { armProfile, type ArmBuild } from '../arch/arm/layer.js';
import { linux72 } from '../versions/7.2.js';

export const build: ArmBuild = {
  // CONFIG_CMA_SIZE_MBYTES=128 (6.x armmp: 16)
  config: { pageSize: 4096, forceMaxOrder: 11, cmaAreas: 8, cmaSizeMBytes: 128, lpae: true },
  // the kernel: System.map _stext 0xc0400000, _end 0xc1eb6ec4 (arm_memblock_init reserves
  // [0x40400000-0x41eb6ec3])
  measured: { kernelOffset: 0x400000n, kernelSize: 0x1ab6ec4n, staticVmSize: 0x30n },
  measuredFrom:
    "the package's System.map (the kernel image) and data/lab/7.2-armmp-lpae.jsonl.gz; sizeof(struct static_vm) is 6.12-armmp-lpae's, not measured on 7.2",
};

export const profile = armProfile(linux72, '7.2-armmp-lpae', 'linux-binary-7.2.13+deb14-armmp-lpae 7.2.13-1', build);
