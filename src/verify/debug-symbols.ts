// The real System.map of a Debian kernel package. The one in linux-image-* (boot/System.map-*) is a
// stub ("The real System.map is in the linux-image-<version>-dbg package"); the -dbg package has it
// as the first file of its data.tar (usr/lib/debug/boot/System.map-<release>), ahead of ~1 GB of
// debug info. So only the head is downloaded: the .deb is streamed (curl) through its ar framing
// into `xz -dc | tar`, and the download is stopped once tar has the file. Measured on
// linux-image-6.12.95+deb12-arm64-16k-dbg (1009 MB): about 3 MB downloaded.
import { spawn } from 'node:child_process';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export interface SystemMapFetch {
  ok: boolean;
  /** Bytes read from the mirror before the download was stopped. */
  bytes: number;
  message: string;
}

/** The mirror URL apt would download `pkg:arch` from. */
function debUrl(pkg: string, debArch: string): string | undefined {
  const r = spawnSync('apt-get', ['download', '--print-uris', `${pkg}:${debArch}`], { encoding: 'utf8' });
  return /^'([^']+)'/m.exec(r.stdout ?? '')?.[1];
}

/**
 * Fetch the System.map of `dbgPackage` (e.g. linux-image-6.12.95+deb12-arm64-dbg) into `dest`.
 * The ar archive (`!<arch>\n`, then 60-byte member headers: name[16] … size[10] at 48, data padded
 * to even) is parsed on the fly; the data member goes to the decompressor its name names.
 */
export function fetchSystemMap(dbgPackage: string, debArch: string, dest: string): Promise<SystemMapFetch> {
  const url = debUrl(dbgPackage, debArch);
  if (!url) return Promise.resolve({ ok: false, bytes: 0, message: `${dbgPackage}:${debArch}: apt knows no such package` });
  return new Promise((resolve) => {
    const tmp = `${dest}.part`;
    const curl = spawn('curl', ['-sSfL', url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let buf = Buffer.alloc(0);
    let pos = 8; // past "!<arch>\n"
    let member: { name: string; left: number; pad: number } | undefined;
    let unpack: ReturnType<typeof spawn> | undefined;
    let tar: ReturnType<typeof spawn> | undefined;
    let done = false;
    const finish = (ok: boolean, message: string) => {
      if (done) return;
      done = true;
      curl.kill();
      unpack?.kill();
      tar?.kill();
      if (ok) renameSync(tmp, dest);
      else rmSync(tmp, { force: true });
      resolve({ ok, bytes, message });
    };
    const startData = (name: string) => {
      const tool = name.endsWith('.xz') ? 'xz' : name.endsWith('.zst') ? 'zstd' : name.endsWith('.gz') ? 'gzip' : undefined;
      if (!tool) return finish(false, `${dbgPackage}: unexpected member ${name}`);
      unpack = spawn(tool, ['-dc'], { stdio: ['pipe', 'pipe', 'ignore'] });
      tar = spawn('tar', ['-x', '-O', '--wildcards', '--occurrence=1', './usr/lib/debug/*System.map*'], {
        stdio: ['pipe', 'pipe', 'ignore'],
      });
      unpack.stdout!.pipe(tar.stdin!);
      tar.stdin!.on('error', () => undefined);
      unpack.stdin!.on('error', () => undefined);
      const out = createWriteStream(tmp);
      tar.stdout!.pipe(out);
      tar.on('close', (code) => {
        out.on('close', () =>
          finish(code === 0 && out.bytesWritten > 0, `${dbgPackage}: System.map ${out.bytesWritten} bytes, ${bytes} bytes downloaded`),
        );
        out.end();
      });
    };
    curl.stdout!.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (member) {
          const take = Math.min(member.left, buf.length - pos);
          if (take > 0 && member.name.startsWith('data.tar')) unpack?.stdin?.write(buf.subarray(pos, pos + take));
          member.left -= take;
          pos += take;
          if (member.left > 0) break;
          if (buf.length - pos < member.pad) break;
          pos += member.pad;
          member = undefined;
        }
        if (buf.length - pos < 60) break;
        const h = buf.subarray(pos, pos + 60);
        const name = h.subarray(0, 16).toString('latin1').trim().replace(/\/$/, '');
        const size = Number(h.subarray(48, 58).toString('latin1').trim());
        pos += 60;
        member = { name, left: size, pad: size % 2 };
        if (name.startsWith('data.tar')) startData(name);
      }
      buf = buf.subarray(pos);
      pos = 0;
    });
    curl.on('close', () => {
      unpack?.stdin?.end();
      if (!unpack) finish(false, `${dbgPackage}: download ended before its data member`);
    });
  });
}
