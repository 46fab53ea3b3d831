// The kernel files the lab's EDK2 boots loaded (QEMU -kernel → fw_cfg), by Debian package and
// version: what the uefi model needs of them to say where EDK2 and the EFI stub put things —
// the file's size (ls -l), on arm64 _end - _text (System.map), on arm the zImage's TEXT_OFFSET
// (0x208000: Debian's armmp config has CONFIG_ARCH_MESON, arch/arm/Makefile textofs-y).
import type { UefiOptions } from '../../src/platform/uefi.js';

export const UEFI_KERNEL_FILES: Record<string, Pick<UefiOptions, 'kernelFileSize' | 'imageSize' | 'textOffset'>> = {
  'linux-image-6.12.118+deb12-arm64-unsigned 6.12.118-1~deb12u1': { kernelFileSize: 44282368n, imageSize: 0x2b40000n },
  'linux-image-6.12.118+deb12-armmp 6.12.118-1~deb12u1': { kernelFileSize: 6066688n, textOffset: 0x208000n },
};
