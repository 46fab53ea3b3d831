// Reading input files — the DTS or DTB named on the command line, #include and /include/ files,
// /incbin/ files — with one bound on their size, so a huge file, a directory or a device such as
// /dev/zero is a clear error instead of running out of memory.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * The largest input file read whole: 256 MiB. A DTB's totalsize is 32 bits, but the kernel maps
 * at most 2 MiB of it (arch/arm64/include/asm/boot.h MAX_FDT_SIZE) and the largest tree in the
 * kernel is a few hundred KiB; it also keeps a file's text below V8's longest string (2^29 chars).
 */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;

/** Why an input file could not be read, as the C library says it (strerror) where it has a word for it. */
export class InputError extends Error {
  constructor(
    readonly path: string,
    readonly why: string,
  ) {
    super(`${path}: ${why}`);
  }
}

function sizeText(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}

function tooLarge(path: string, size: number | undefined, limit: number): InputError {
  const l = sizeText(limit);
  return new InputError(path, `File too large (${size === undefined ? `more than ${l}, the limit` : `${size} bytes; the limit is ${l}`})`);
}

/** A read failing after the file opened is an InputError: the file was found, it cannot be used. */
function afterOpen(path: string, e: unknown): InputError {
  return e instanceof InputError ? e : new InputError(path, whyUnreadable(e));
}

/** strerror() for the errors opening or reading a file gives. */
export function whyUnreadable(e: unknown): string {
  if (e instanceof InputError) return e.why;
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT'
    ? 'No such file or directory'
    : code === 'EISDIR'
      ? 'Is a directory'
      : code === 'EACCES'
        ? 'Permission denied'
        : String((e as Error).message);
}

function openInput(path: string): { fd: number; size: number; regular: boolean } {
  const fd = path === '-' ? 0 : openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InputError(path, 'Is a directory');
    return { fd, size: st.size, regular: st.isFile() };
  } catch (e) {
    if (fd !== 0) closeSync(fd);
    throw e;
  }
}

/**
 * Read a whole input file (`-`: standard input), at most `limit` bytes. A regular file larger than
 * that is refused before reading; a pipe or device is read until it ends or passes the limit.
 * Throws the error opening the file, or InputError for one opened but refused or unreadable
 * (see whyUnreadable).
 */
export function readInputFile(path: string, limit = MAX_INPUT_BYTES): Buffer {
  const { fd, size, regular } = openInput(path);
  try {
    if (regular && size > limit) throw tooLarge(path, size, limit);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const b = Buffer.allocUnsafe(regular ? Math.max(size - total, 1) : 1 << 20);
      const n = readSync(fd, b, 0, b.length, null);
      if (n === 0) break;
      total += n;
      if (total > limit) throw tooLarge(path, regular ? total : undefined, limit);
      chunks.push(n === b.length ? b : b.subarray(0, n));
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  } catch (e) {
    throw afterOpen(path, e);
  } finally {
    if (fd !== 0) closeSync(fd);
  }
}

/**
 * Read `length` bytes at `offset` of a file (`length` < 0: to its end), as dtc's /incbin/ does
 * (fopen, fseek, fread): only that slice is read, so a device or a file of any size works as long
 * as the slice is within the bound. Past the end reads nothing.
 */
export function readInputSlice(path: string, offset: bigint, length: bigint, limit = MAX_INPUT_BYTES): Buffer {
  const { fd, size, regular } = openInput(path);
  try {
    let want: bigint;
    if (length >= 0n) want = length;
    else if (regular) want = offset >= BigInt(size) ? 0n : BigInt(size) - offset;
    else throw new InputError(path, 'not a regular file: /incbin/ of it needs a length');
    if (regular) {
      const left = offset >= BigInt(size) ? 0n : BigInt(size) - offset;
      if (want > left) want = left;
    }
    if (want > BigInt(limit)) throw tooLarge(path, undefined, limit);
    const b = Buffer.alloc(Number(want));
    let got = 0;
    while (got < b.length) {
      const n = readSync(fd, b, got, b.length - got, offset + BigInt(got));
      if (n === 0) break;
      got += n;
    }
    return got === b.length ? b : b.subarray(0, got);
  } catch (e) {
    throw afterOpen(path, e);
  } finally {
    if (fd !== 0) closeSync(fd);
  }
}
