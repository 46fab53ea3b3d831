#!/bin/bash
# Build a small ARMv7 kernel for QEMU virt from a kernel source tree, to judge carveout's plan of
# a build that is not Debian's (its .config and System.map) against its own boots:
#   scripts/own-kernel/build.sh SRC OUT VARIANT.config
# SRC: an unpacked kernel tree (e.g. /usr/src/linux-source-6.12.tar.xz unpacked); OUT gets the
# build, and OUT/{zImage,.config,System.map}. Needs gcc-arm-linux-gnueabihf, bison, flex, bc.
set -euo pipefail
src=$(realpath "$1"); out=$(mkdir -p "$2" && realpath "$2"); variant=$(realpath "$3")
here=$(dirname "$(realpath "$0")")
mk() { make -C "$src" O="$out" ARCH=arm CROSS_COMPILE=arm-linux-gnueabihf- "$@"; }
mk -s allnoconfig
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$here/armv7-virt.config" "$variant" >/dev/null
mk -s olddefconfig
# every option asked for must have stuck (Kconfig drops what a dependency refuses)
missing=$(grep -h '^CONFIG_' "$here/armv7-virt.config" "$variant" | while read -r l; do grep -qx "$l" "$out/.config" || echo "$l"; done)
if [ -n "$missing" ]; then echo "build.sh: not in the final .config: $missing" >&2; exit 1; fi
mk -s -j"$(nproc)" zImage
cp "$out/arch/arm/boot/zImage" "$out/zImage"
