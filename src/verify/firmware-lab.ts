// The lab's cases booted through real firmware (firmware.ts): the same generated case and DTB as
// the direct-boot lab (lab.ts labDtb), the same kernels and initramfs, one record per (firmware,
// kernel, case) in data/lab/<firmware>/<kernel>.jsonl.gz, cached per case like the direct lab.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../cache.js';
import { INITRAMFS_VERSION } from './initramfs.js';
import { LAB_VERSION, labDtb, labRecord, observe, type LabJob, type RunOptions } from './lab.js';
import { caseId, type LabCase } from './generator.js';
import { observationFromJson, type LabRecordJson, type Observation } from './observation.js';
import { labDataDir, readLabRecordsJson, writeLabRecordsJson } from './records.js';
import { bootedPackage, type KernelInfo } from './kernels.js';
import { parseFirmwareConsole, type Firmware, type FirmwareKind } from './firmware.js';

/** A lab record booted through firmware: the direct lab's record plus what the firmware was and said. */
export interface FirmwareRecordJson extends LabRecordJson {
  firmware: {
    kind: FirmwareKind;
    /** Debian package and version of the image (`u-boot-qemu 2023.01+dfsg-2+deb12u3`). */
    package: string;
    image: string;
    /** The firmware's own console lines of each boot (U-Boot's load/relocation messages, the EFI stub's). */
    console: string[][];
    /** The kernel's `efi:` lines of each boot (the UEFI memory map with efi=debug). */
    kernelLines: string[][];
  };
}

/** Where a firmware's records live: data/lab/<firmware>/. */
export function firmwareDataDir(kind: FirmwareKind, dir = labDataDir): string {
  return join(dir, kind);
}

/** The recorded boots of one kernel through one firmware (raw JSON; decode with records.ts decodeRecord). */
export function readFirmwareRecordsJson(kind: FirmwareKind, kernel: string, dir = labDataDir): FirmwareRecordJson[] {
  return readLabRecordsJson(kernel, firmwareDataDir(kind, dir)) as FirmwareRecordJson[];
}

/** A firmware record is keyed by what was booted: the firmware's and the kernel's packages (Debian's
 *  `<name>_<version>`), the case and the DTB — a new upload of either boots the case again. */
function cachePath(
  firmware: Pick<Firmware, 'kind' | 'package'>,
  k: Pick<KernelInfo, 'id' | 'package' | 'version'>,
  c: LabCase,
  dtbSha256: string,
  fast: boolean,
): string {
  return join(
    firmwareCacheDir(firmware.kind, k.id),
    firmware.package.replace(' ', '_'),
    `${k.package}_${k.version}`,
    `${caseId(c)}-${dtbSha256.slice(0, 16)}${fast ? '.fast' : ''}.json`,
  );
}

function firmwareCacheDir(kind: FirmwareKind, kernel: string): string {
  return join(cacheDir(), 'lab', `v${LAB_VERSION}-i${INITRAMFS_VERSION}`, kind, kernel);
}

/** Where firmware records were cached before the packages were part of the key: each names both
 *  packages inside, so one is taken only for the packages it was booted on. */
function unversionedCachePath(kind: FirmwareKind, kernel: string, c: LabCase, dtbSha256: string, fast: boolean): string {
  return join(firmwareCacheDir(kind, kernel), `${caseId(c)}-${dtbSha256.slice(0, 16)}${fast ? '.fast' : ''}.json`);
}

/** A cached record of a case booted through this firmware package on this kernel package: the full
 *  one when there is, else a fast one (unless `fullOnly`). */
export function cachedFirmwareRecord(
  firmware: Pick<Firmware, 'kind' | 'package'>,
  k: Pick<KernelInfo, 'id' | 'package' | 'version'>,
  c: LabCase,
  dtbSha256: string,
  fullOnly = false,
): FirmwareRecordJson | undefined {
  for (const fast of fullOnly ? [false] : [false, true]) {
    for (const f of [cachePath(firmware, k, c, dtbSha256, fast), unversionedCachePath(firmware.kind, k.id, c, dtbSha256, fast)]) {
      if (!existsSync(f)) continue;
      const r = JSON.parse(readFileSync(f, 'utf8')) as FirmwareRecordJson;
      if (r.package === bootedPackage(k) && r.firmware.package === firmware.package) return r;
    }
  }
  return undefined;
}

/**
 * Where the kernel found the initrd, from its memblock trace: arm64_memblock_init adds it and
 * reserves the same range right after (arch/arm64/mm/init.c; with mem= it first adds the kernel
 * image back, alone), 32-bit arm reserves it in reserve_initrd_mem (init/initramfs.c). The trace
 * shows page-rounded ranges: the size is the file's.
 */
export function initrdFromTrace(o: Observation, size: bigint): { start: string; size: string } | undefined {
  const ev = o.memblock.find((e, i) => {
    if (e.op === 'reserve' && e.caller.startsWith('reserve_initrd_mem+')) return true;
    const next = o.memblock[i + 1];
    return (
      e.op === 'add' &&
      e.caller.startsWith('arm64_memblock_init+') &&
      next?.op === 'reserve' &&
      next.base === e.base &&
      next.size === e.size
    );
  });
  return ev?.base !== undefined ? { start: '0x' + ev.base.toString(16), size: '0x' + size.toString(16) } : undefined;
}

/** Boot one lab case through the firmware (or return its cached record). */
export async function runFirmwareJob(
  job: LabJob,
  firmware: Firmware,
  opts: RunOptions = {},
): Promise<{ record: FirmwareRecordJson; cached: boolean; boots: number; bootMs: number[] }> {
  const { dtb, sha256 } = labDtb(job.case, opts.dataDir);
  const fast = !!opts.fast;
  const hit = cachedFirmwareRecord(firmware, job.kernel, job.case, sha256, !fast);
  if (hit) {
    // The initrd is read from the kept trace again (records cached before a reading fix).
    const initrd = hit.initrd && initrdFromTrace(observationFromJson(hit.observation), BigInt(hit.initrd.size));
    return { record: initrd ? { ...hit, initrd } : hit, cached: true, boots: 0, bootMs: [] };
  }
  const ram = BigInt(job.case.ramMiB) << 20n;
  const res = await observe(job.kernel, dtb, ram, job.case.bootargs, { ...opts, firmware });
  const record: FirmwareRecordJson = {
    ...labRecord(job, res, sha256, initrdFromTrace(res.observation, BigInt(res.initrdSize))),
    firmware: {
      kind: firmware.kind,
      package: firmware.package,
      image: firmware.image,
      console: res.boots.map((b) => parseFirmwareConsole(b.console).lines),
      kernelLines: res.boots.map((b) => parseFirmwareConsole(b.console).kernelLines),
    },
  };
  const f = cachePath(firmware, job.kernel, job.case, sha256, fast);
  mkdirSync(join(f, '..'), { recursive: true });
  writeFileSync(f + '.tmp', JSON.stringify(record));
  renameSync(f + '.tmp', f);
  return { record, cached: false, boots: res.boots.length, bootMs: res.boots.map((b) => b.durationMs) };
}

/** Write data/lab/<firmware>/<kernel>.jsonl.gz: what the file holds, replaced per (seed, index) by `records`. */
export function writeFirmwareRecords(kind: FirmwareKind, kernel: string, records: FirmwareRecordJson[], dir = labDataDir): void {
  const out = firmwareDataDir(kind, dir);
  mkdirSync(out, { recursive: true });
  const all = new Map<string, LabRecordJson>(readLabRecordsJson(kernel, out).map((r) => [`${r.seed}:${r.index}`, r]));
  for (const r of records) all.set(`${r.seed}:${r.index}`, r);
  writeLabRecordsJson(kernel, [...all.values()], out);
}
