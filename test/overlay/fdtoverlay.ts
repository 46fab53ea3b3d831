// Debian's dtc and fdtoverlay (device-tree-compiler 1.6.1) as the reference for the overlay tests:
// compile DTS text with dtc, apply with fdtoverlay. Tests skip when the tools are missing, except
// under CI, where that is a failure.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why the reference tools cannot run (undefined: they can). */
export function missingTools(): string | undefined {
  for (const tool of ['dtc', 'fdtoverlay']) {
    if (spawnSync(tool, ['--version']).status !== 0) {
      const why = `${tool} (Debian device-tree-compiler) is not installed`;
      if (process.env.CI) throw new Error(why);
      return why;
    }
  }
  return undefined;
}

/** `dtc -@ -I dts -O dtb` (or without -@; `-f`: despite errors) of DTS text; undefined when dtc refuses it. */
export function dtcCompile(dts: string, symbols = true, force = false): Uint8Array | undefined {
  const args = ['-q', ...(symbols ? ['-@'] : []), ...(force ? ['-f'] : []), '-I', 'dts', '-O', 'dtb', '-'];
  const r = spawnSync('dtc', args, { input: dts, maxBuffer: 64 << 20 });
  return r.status === 0 ? new Uint8Array(r.stdout) : undefined;
}

export interface FdtoverlayRun {
  /** The output blob when fdtoverlay succeeded. */
  blob?: Uint8Array;
  /** Its "Failed to apply 'NAME': FDT_ERR_…" error name, when it failed. */
  error?: string;
  stderr: string;
  /** It did not finish in time (libfdt's NOSPACE retry loop on a bad fixup offset never ends). */
  timedOut: boolean;
}

/** `fdtoverlay -i base -o out overlays…` in a scratch directory; overlays are named ov0.dtbo, ov1.dtbo, … */
export function fdtoverlay(base: Uint8Array, overlays: readonly Uint8Array[], timeoutMs = 10_000): FdtoverlayRun {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-ov-'));
  try {
    writeFileSync(join(dir, 'base.dtb'), base);
    const names = overlays.map((o, i) => {
      writeFileSync(join(dir, `ov${i}.dtbo`), o);
      return `ov${i}.dtbo`;
    });
    const r = spawnSync('fdtoverlay', ['-i', 'base.dtb', '-o', 'out.dtb', ...names], { cwd: dir, timeout: timeoutMs });
    const stderr = r.stderr?.toString() ?? '';
    const timedOut = r.error !== undefined || r.signal !== null;
    if (r.status === 0) return { blob: new Uint8Array(readFileSync(join(dir, 'out.dtb'))), stderr, timedOut };
    return { error: /: (FDT_ERR_\w+)/.exec(stderr)?.[1], stderr, timedOut };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
