#!/bin/bash
# Build a small kernel for QEMU virt from a kernel source tree, to judge carveout's plan of a build
# that is not Debian's (its .config and System.map) against its own boots:
#   scripts/own-kernel/build.sh SRC OUT VARIANT.config [arm|arm64]
# SRC: an unpacked kernel tree (e.g. /usr/src/linux-source-6.12.tar.xz unpacked); OUT gets the
# build, and OUT/{zImage or Image,.config,System.map}. arm (default): armv7-virt.config under the
# variant, gcc-arm-linux-gnueabihf; arm64: arm64-virt.config, gcc-aarch64-linux-gnu. Needs bison,
# flex, bc.
set -euo pipefail
src=$(realpath "$1"); out=$(mkdir -p "$2" && realpath "$2"); variant=$(realpath "$3"); arch=${4:-arm}
here=$(dirname "$(realpath "$0")")
case "$arch" in
  arm) base=armv7-virt.config; cross=arm-linux-gnueabihf-; image=zImage ;;
  arm64) base=arm64-virt.config; cross=aarch64-linux-gnu-; image=Image ;;
  *) echo "build.sh: arch arm or arm64, not $arch" >&2; exit 2 ;;
esac
mk() { make -C "$src" O="$out" ARCH="$arch" CROSS_COMPILE="$cross" "$@"; }
mk -s allnoconfig
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$here/$base" "$variant" >/dev/null
mk -s olddefconfig
# every option asked for must have stuck (Kconfig drops what a dependency refuses)
missing=$(grep -h '^CONFIG_' "$here/$base" "$variant" | while read -r l; do grep -qx "$l" "$out/.config" || echo "$l"; done)
if [ -n "$missing" ]; then echo "build.sh: not in the final .config: $missing" >&2; exit 1; fi
mk -s -j"$(nproc)" "$image"
cp "$out/arch/$arch/boot/$image" "$out/$image"
