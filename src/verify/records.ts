// Reading and writing lab records (`data/lab/<kernel>.jsonl.gz`, one JSON record a line).
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { gzipSync, gunzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { readFdt, writeFdt } from './fdt-lite.js';
import { buildCaseTree, type LabCase } from './generator.js';
import { observationFromJson, relinkResults, type LabRecordJson, type Observation } from './observation.js';

/** The repo's recorded observations. */
export const labDataDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'lab');

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

/** The exact DTB a record booted (rebuilt from the stored virt tree + case when not stored). */
export function recordDtb(j: LabRecordJson, dir = labDataDir): Uint8Array {
  if (j.dtb) return new Uint8Array(gunzipSync(Buffer.from(j.dtb, 'base64')));
  const c = j.case as LabCase;
  const f = join(dir, 'virt', `${c.family}-${BigInt(j.ram).toString(16)}.dtb`);
  const base = readFdt(new Uint8Array(readFileSync(f)));
  if (typeof base === 'string') throw new Error(`${f}: ${base}`);
  const dtb = writeFdt(buildCaseTree(base, c));
  const h = createHash('sha256').update(dtb).digest('hex');
  if (h !== j.dtbSha256) throw new Error(`rebuilt DTB of case ${j.caseId} does not match the booted one (${h} != ${j.dtbSha256})`);
  return dtb;
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
