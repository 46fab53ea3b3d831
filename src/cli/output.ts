// The one way `compile` and `decompile` write an output file (-o, -d): never truncate the old
// file before the new bytes are complete, and say which errno stopped a failed write.
import { closeSync, fchmodSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** "ENOSPC: no space left on device" — Node's message without its ", write '/path'" tail. */
function why(e: unknown): string {
  return ((e as Error).message ?? String(e)).split(', ')[0]!;
}

/** writeSync in chunks: one write(2) takes at most 2 GiB, a blob may be up to 4 GiB. */
function writeAll(fd: number, data: Uint8Array): void {
  for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, Math.min(data.length - off, 1 << 30));
}

/**
 * Write `data` to `path`. A regular file (or a new one) is replaced whole: the bytes go to a
 * temporary file in the same folder that is renamed over `path` once complete (rename(2) is
 * atomic within a file system), so a failed write (ENOSPC, EFBIG) leaves the old file as it was;
 * an existing file keeps its permissions, and a symlink is followed to the file it names. A path
 * that exists and is not a regular file (/dev/null, /dev/full, a FIFO) is written in place, as
 * dtc's fopen does: renaming would replace the device node. Returns undefined, or why it failed
 * ("Couldn't open x.dtb: ENOENT: no such file or directory", "write failed: ENOSPC: ...").
 */
export function writeOutputFile(path: string, data: Uint8Array): string | undefined {
  let target = path;
  let mode: number | undefined;
  try {
    target = realpathSync(path);
    const st = statSync(target);
    if (!st.isFile()) return writeInPlace(path, data);
    mode = st.mode & 0o7777;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return `Couldn't open ${path}: ${why(e)}`;
  }
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, 'wx');
  } catch (e) {
    return `Couldn't open ${path}: ${why(e)}`;
  }
  try {
    writeAll(fd, data);
    if (mode !== undefined) fchmodSync(fd, mode);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, target);
    return undefined;
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    rmSync(tmp, { force: true });
    return `write failed: ${why(e)} (${path} left as it was)`;
  }
}

function writeInPlace(path: string, data: Uint8Array): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (e) {
    return `Couldn't open ${path}: ${why(e)}`;
  }
  try {
    writeAll(fd, data);
    return undefined;
  } catch (e) {
    return `write failed: ${path}: ${why(e)}`;
  } finally {
    closeSync(fd);
  }
}
