// The lab's tiny initramfs: busybox-static plus an /init that prints what the running kernel
// ended up with, each section between `@@carveout:begin NAME` / `@@carveout:end NAME` markers
// (parsed by observation.ts), then powers off.
//
// The archive is built deterministically (fixed inode numbers, mtime 0, gzip of fixed input):
// its size decides where QEMU puts the DTB after it (hw/arm/boot.c), which the recorded traces
// depend on. Changing INIT_SCRIPT changes recorded placements: bump INITRAMFS_VERSION then.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { cacheDir } from '../cache.js';
import { fetchBusybox, type FetchReport } from './kernels.js';

export const INITRAMFS_VERSION = 1;

export const INIT_SCRIPT = `#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
dmesg -n 1
echo "@@carveout:reached-init"
echo "@@carveout:begin iomem"; cat /proc/iomem; echo "@@carveout:end iomem"
echo "@@carveout:begin memblock-memory"; cat /sys/kernel/debug/memblock/memory; echo "@@carveout:end memblock-memory"
echo "@@carveout:begin memblock-reserved"; cat /sys/kernel/debug/memblock/reserved; echo "@@carveout:end memblock-reserved"
echo "@@carveout:begin meminfo"; grep -i cma /proc/meminfo; echo "@@carveout:end meminfo"
echo "@@carveout:begin reserved-memory"
R=/proc/device-tree/reserved-memory
if [ -d $R ]; then
  for f in $R/*; do [ -f "$f" ] && echo "/ \${f##*/} $(od -An -tx1 -v "$f" | tr -d ' \\n')"; done
  for d in $R/*/; do n=\${d%/}; n=\${n##*/}; for f in $d*; do [ -f "$f" ] && echo "$n \${f##*/} $(od -An -tx1 -v "$f" | tr -d ' \\n')"; done; done
fi
echo "@@carveout:end reserved-memory"
echo "@@carveout:done"
poweroff -f
`;

interface CpioEntry {
  name: string;
  mode: number;
  data: Uint8Array;
  rdev?: [number, number];
}

/** cpio "newc" (SVR4, no CRC) as the kernel's init/initramfs.c reads it. */
export function writeCpioNewc(entries: CpioEntry[]): Uint8Array {
  const parts: Buffer[] = [];
  const pad4 = (n: number): void => {
    if (n % 4) parts.push(Buffer.alloc(4 - (n % 4)));
  };
  let ino = 1;
  const hdr = (e: CpioEntry): void => {
    const name = Buffer.from(e.name + '\0', 'utf8');
    const fields = [ino++, e.mode, 0, 0, 1, 0, e.data.length, 0, 0, e.rdev?.[0] ?? 0, e.rdev?.[1] ?? 0, name.length, 0];
    const h = Buffer.from('070701' + fields.map((f) => f.toString(16).padStart(8, '0').toUpperCase()).join(''), 'ascii');
    parts.push(h, name);
    pad4(h.length + name.length);
    parts.push(Buffer.from(e.data));
    pad4(e.data.length);
  };
  for (const e of entries) hdr(e);
  hdr({ name: 'TRAILER!!!', mode: 0, data: new Uint8Array() });
  const out = Buffer.concat(parts);
  return new Uint8Array(out);
}

/** Path of the (cached) initramfs for a Debian architecture, building it when missing. */
export function ensureInitramfs(debArch: 'arm64' | 'armhf', report: FetchReport): string | undefined {
  const dir = join(cacheDir(), 'initramfs');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `carveout-v${INITRAMFS_VERSION}-${debArch}.cpio.gz`);
  if (existsSync(out)) return out;
  const bb = fetchBusybox(debArch, report);
  if (!bb) return undefined;
  const dirMode = 0o040755;
  const fileMode = 0o100755;
  const cpio = writeCpioNewc([
    { name: 'bin', mode: dirMode, data: new Uint8Array() },
    { name: 'bin/busybox', mode: fileMode, data: new Uint8Array(readFileSync(bb)) },
    { name: 'dev', mode: dirMode, data: new Uint8Array() },
    { name: 'dev/console', mode: 0o020600, data: new Uint8Array(), rdev: [5, 1] },
    { name: 'init', mode: fileMode, data: new Uint8Array(Buffer.from(INIT_SCRIPT)) },
    { name: 'proc', mode: dirMode, data: new Uint8Array() },
    { name: 'sys', mode: dirMode, data: new Uint8Array() },
  ]);
  writeFileSync(out, gzipSync(cpio, { level: 9 }));
  return out;
}
