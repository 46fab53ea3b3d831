// Debian linux-binary-7.2.13+deb14-arm64-16k 7.2.13-1 (sid), 16 KiB pages, 52-bit VA (4 levels).
import { arm64Profile, type Arm64Build } from '../arch/arm64/layer.js';
import { linux72 } from '../versions/7.2.js';
import { build as build72 } from './7.2-arm64.js';

export const build: Arm64Build = {
  ...build72,
  config: { ...build72.config, pageSize: 16384, forceMaxOrder: 11 },
  // the kernel: [0x40200000-0x4319ffff] arm64_memblock_init
  measured: {
    ...build72.measured,
    reserveSize: 0x2fa0000n,
    initBeginOffset: 0x2540000n,
    nodeDataSize: 0x3940n,
    usemapBytesPerSection: 32n,
  },
  measuredFrom:
    "data/lab/7.2-arm64-16k.jsonl.gz (the kernel image), __init_begin from its System.map; NODE_DATA and the usemap are 6.12-arm64-16k values, the rest 7.2-arm64's, not yet fitted",
  // the boot model's other lab checks need sizes not fitted to this build yet: reported, not asserted
  verifiedOn: ['early-reservations'],
};

export const profile = arm64Profile(linux72, '7.2-arm64-16k', 'linux-binary-7.2.13+deb14-arm64-16k 7.2.13-1', build);
