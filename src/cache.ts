// Where carveout keeps what it downloads or builds once: Debian's kernels and busybox, the lab's
// initramfs, QEMU's own virt trees, the kernel corpus' reference blobs. $CARVEOUT_CACHE, else
// $XDG_CACHE_HOME/carveout, else ~/.cache/carveout.
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function cacheDir(): string {
  const base = process.env.CARVEOUT_CACHE ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'carveout');
  mkdirSync(base, { recursive: true });
  return base;
}
