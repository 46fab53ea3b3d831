// The real System.map of a Debian kernel package. The one in linux-image-* (boot/System.map-*) and
// 7.x's linux-base-* is a stub ("The real System.map is in the linux-image-<version>-dbg
// package"); the -dbg package has it as the first file of its data.tar
// (usr/lib/debug/boot/System.map-<release>), ahead of ~1 GB of debug info. So only the head is
// downloaded: the .deb's ar header gives where data.tar starts, and from there the download is
// piped into `xz -dc | tar` and stopped once tar has the file. Measured: 2.7 MB downloaded of
// linux-image-6.12.95+deb12-arm64-16k-dbg (1009 MB), 47 MB of the armmp-lpae one (731 MB).
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';

/** The -dbg package of a kernel image package (6.x/5.10 linux-image-*[-unsigned], 7.x linux-binary-*). */
export function debugPackage(imagePackage: string): string {
  return `${imagePackage.replace(/^linux-binary-/, 'linux-image-').replace(/-unsigned$/, '')}-dbg`;
}

/** The mirror URL apt would download `pkg:arch` from. */
function debUrl(pkg: string, debArch: string): string | undefined {
  const r = spawnSync('apt-get', ['download', '--print-uris', `${pkg}:${debArch}`], { encoding: 'utf8' });
  return /^'([^']+)'/m.exec(r.stdout ?? '')?.[1];
}

/**
 * Where the data member starts and how it is compressed: the ar archive is `!<arch>\n`, then per
 * member a 60-byte header (name[16] … size[10] at 48) and the data padded to even. Each header is
 * read with its own range request (the control member of a -dbg package is hundreds of KiB).
 */
function dataMember(url: string): { offset: number; tool: string } | undefined {
  const range = (from: number, n: number): Buffer | undefined => {
    const r = spawnSync('curl', ['-sSfL', '-r', `${from}-${from + n - 1}`, url], { maxBuffer: 1 << 16 });
    return r.status === 0 && r.stdout?.length === n ? r.stdout : undefined;
  };
  if (range(0, 8)?.toString('latin1') !== '!<arch>\n') return undefined;
  let pos = 8;
  for (let member = 0; member < 4; member++) {
    const h = range(pos, 60);
    if (!h) return undefined;
    const name = h.subarray(0, 16).toString('latin1').trim().replace(/\/$/, '');
    const size = Number(h.subarray(48, 58).toString('latin1').trim());
    if (name.startsWith('data.tar')) {
      const tool = name.endsWith('.xz') ? 'xz' : name.endsWith('.zst') ? 'zstd' : name.endsWith('.gz') ? 'gzip' : undefined;
      return tool ? { offset: pos + 60, tool } : undefined;
    }
    pos += 60 + size + (size % 2);
  }
  return undefined;
}

/** Fetch the System.map of `dbgPackage` into `dest`; an error message, or undefined when done. */
export function fetchSystemMap(dbgPackage: string, debArch: string, dest: string): string | undefined {
  const url = debUrl(dbgPackage, debArch);
  if (!url) return `${dbgPackage}:${debArch}: apt knows no such package`;
  const data = dataMember(url);
  if (!data) return `${dbgPackage}: no data member in its ar headers`;
  const tmp = `${dest}.part`;
  // tar stops after the first match (--occurrence); the pipe's readers then close and curl stops
  const r = spawnSync(
    'sh',
    [
      '-c',
      'curl -sSfL -r "$1-" "$2" | "$3" -dc 2>/dev/null | tar -x -O --wildcards --occurrence=1 "./usr/lib/debug/*System.map*" > "$4"',
      'sh',
      String(data.offset),
      url,
      data.tool,
      tmp,
    ],
    { stdio: 'ignore' },
  );
  const size = (() => {
    try {
      return statSync(tmp).size;
    } catch {
      return 0;
    }
  })();
  if (size === 0) {
    rmSync(tmp, { force: true });
    return `${dbgPackage}: no System.map at the head of its data (sh exited ${r.status})`;
  }
  renameSync(tmp, dest);
  return undefined;
}

/** Whether `file` is Debian's stub in place of a System.map (its one line names the -dbg package). */
export function isStubSystemMap(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(128);
    const n = readSync(fd, head, 0, head.length, 0);
    return /The real System\.map is in/.test(head.subarray(0, n).toString('latin1'));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
