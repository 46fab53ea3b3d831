// How every command reads a size (--ram, --initrd-size, --reserve): the kernel's memparse
// (src/kernel/cmdline.ts parseSize), so `--ram 1073741824` and `--ram 1G` mean the same RAM everywhere.
export const SIZE_HELP =
  "SIZE is read like the kernel's memparse: a number of bytes (0x… hex, 0… octal) with an optional K, M, G, T, P or E suffix (1G = 1073741824).";
