// Reading and writing lab records (`data/lab/<kernel>.jsonl.gz`, one JSON record a line).
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { gzipSync, gunzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { readDtb } from '../fdt/reader.js';
import { writeDtb } from '../fdt/writer.js';
import { buildCaseTree, type LabCase } from './generator.js';
import { observationFromJson, relinkResults, type LabRecordJson, type Observation } from './observation.js';
import { loadBoard, type Board } from '../board.js';
import { virtTreeName, type VirtArch } from '../platform/qemu-virt.js';

/**
 * The package's root: the nearest directory at or above `from` whose package.json is carveout's.
 * This module runs from src/verify (tsx) and from dist/src/verify (tsc's output, which holds copies
 * of the JSON data the sources import but none of the records), so the depth is not fixed.
 */
export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const f = join(dir, 'package.json');
    if (existsSync(f) && (JSON.parse(readFileSync(f, 'utf8')) as { name?: unknown }).name === 'carveout') return dir;
    if (dirname(dir) === dir) throw new Error(`no carveout package.json at or above ${from}`);
  }
}

/** The repo's recorded observations: data/lab at the package's root. */
export const labDataDir = join(packageRoot(), 'data', 'lab');

export interface LabRecord extends Omit<LabRecordJson, 'observation'> {
  observation: Observation;
  /** The DTB booted, unpacked. */
  dtbBytes: Uint8Array;
}

export function decodeRecord(j: LabRecordJson, dir = labDataDir): LabRecord {
  const observation = observationFromJson(j.observation);
  relinkResults(observation.memblock);
  return { ...j, observation, dtbBytes: recordDtb(j, dir) };
}

/**
 * The exact DTB a record booted: stored in the record (hand-written cases), else rebuilt from QEMU's
 * virt tree for its arch and RAM (data/lab/virt) + its generated case; either way checked against
 * `dtbSha256`, so a writer change that alters a case's blob fails here until the case is re-recorded.
 */
export function recordDtb(j: LabRecordJson, dir = labDataDir): Uint8Array {
  const dtb = j.dtb ? new Uint8Array(gunzipSync(Buffer.from(j.dtb, 'base64'))) : caseDtb(j.case as LabCase, dir);
  const h = createHash('sha256').update(dtb).digest('hex');
  if (h !== j.dtbSha256) throw new Error(`DTB of case ${j.caseId} does not match the booted one (${h} != ${j.dtbSha256})`);
  return dtb;
}

/** Where the lab keeps QEMU's virt tree (seeds removed) for an architecture, RAM size, CPU count or NUMA nodes. */
export function virtBasePath(
  family: LabCase['family'],
  ram: bigint,
  dir = labDataDir,
  cpus = 1,
  numa?: readonly bigint[],
  cpu?: string,
): string {
  return join(dir, 'virt', virtTreeName(family, ram, numa, cpus, cpu));
}

/** A case's NUMA node sizes (LabCase.numa), if it has nodes. */
export function caseNuma(c: Pick<LabCase, 'numa'>): bigint[] | undefined {
  return c.numa?.map((n) => BigInt(n));
}

/** The DTB the lab boots for a case: the saved virt tree + the case's reserved memory. */
export function caseDtb(c: LabCase, dir = labDataDir): Uint8Array {
  const f = virtBasePath(c.family, BigInt(c.ramMiB) << 20n, dir, c.cpus, caseNuma(c), c.cpu);
  const base = readDtb(new Uint8Array(readFileSync(f)), f);
  if (!base.tree) throw new Error(base.diagnostics.map((d) => `${f}: ${d.message}`).join('\n'));
  return writeDtb(buildCaseTree(base.tree, c));
}

/** Raw JSON records of one kernel (no bigint conversion). */
export function readLabRecordsJson(kernel: string, dir = labDataDir): LabRecordJson[] {
  const f = join(dir, `${kernel}.jsonl.gz`);
  if (!existsSync(f)) return [];
  return gunzipSync(readFileSync(f))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as LabRecordJson);
}

/** Records of one kernel, decoded (bigints, DTB bytes). */
export function readLabRecords(kernel: string, dir = labDataDir): LabRecord[] {
  return readLabRecordsJson(kernel, dir).map((j) => decodeRecord(j, dir));
}

/** Kernel IDs that have a record file. */
export function recordedKernels(dir = labDataDir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl.gz'))
    .map((f) => f.slice(0, -'.jsonl.gz'.length))
    .sort();
}

export function writeLabRecordsJson(kernel: string, records: LabRecordJson[], dir = labDataDir): void {
  const sorted = [...records].sort((a, b) => (a.index ?? 0) - (b.index ?? 0) || a.caseId.localeCompare(b.caseId));
  writeFileSync(join(dir, `${kernel}.jsonl.gz`), gzipSync(sorted.map((r) => JSON.stringify(r)).join('\n') + '\n', { level: 9 }));
}

/**
 * Whether an export keeps the file's record `held` over a cache's `fresh` one for the same seed and
 * index: a fast boot (stopped once reserved memory was printed) never replaces a full boot of the
 * same case on the same package, since it saw less of how the boot ends. A cache may keep an older
 * fast boot of a case whose full boot was made with another cache.
 */
export function keepsHeldRecord(held: LabRecordJson, fresh: LabRecordJson): boolean {
  const stopped = (r: LabRecordJson): boolean => (r.observation as { earlyStopped?: boolean }).earlyStopped === true;
  return held.caseId === fresh.caseId && held.package === fresh.package && !stopped(held) && stopped(fresh);
}

/** The CPU QEMU booted a record's case on, when not its default (LabCase.cpu). */
export function recordCpu(r: Pick<LabRecordJson, 'case'>): string | undefined {
  const c = r.case;
  return typeof c === 'object' && c !== null && 'cpu' in c && typeof c.cpu === 'string' ? c.cpu : undefined;
}

/**
 * A record's board as the kernel saw it: the DTB QEMU booted (its own tree with the case merged in,
 * QEMU's /chosen additions included), its RAM and its initrd, for plan() and check() to replay.
 */
export function recordBoard(r: LabRecord, arch: VirtArch): Board {
  const cpu = recordCpu(r);
  return loadBoard(r.dtbBytes, {
    ...(cpu ? { cpu } : {}),
    fileName: `${r.kernel}/${r.caseId}.dtb`,
    platform: 'qemu-virt',
    asBooted: true,
    arch,
    ram: BigInt(r.ram),
    ...(r.initrd ? { initrdSize: BigInt(r.initrd.size) } : {}),
  });
}
