// Reading and writing lab records (`data/lab/<kernel>.jsonl.gz`, one JSON record a line).
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { gzipSync, gunzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { observationFromJson, type LabRecordJson, type Observation } from './observation.js';

/** The repo's recorded observations. */
export const labDataDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'lab');

export interface LabRecord extends Omit<LabRecordJson, 'observation'> {
  observation: Observation;
  /** The DTB booted, unpacked. */
  dtbBytes: Uint8Array;
}

export function decodeRecord(j: LabRecordJson): LabRecord {
  return { ...j, observation: observationFromJson(j.observation), dtbBytes: new Uint8Array(gunzipSync(Buffer.from(j.dtb, 'base64'))) };
}

/** Raw JSON records of one kernel (no bigint conversion). */
export function readLabRecordsJson(kernel: string, dir = labDataDir): LabRecordJson[] {
  const f = join(dir, `${kernel}.jsonl.gz`);
  if (!existsSync(f)) return [];
  return gunzipSync(readFileSync(f)).toString('utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as LabRecordJson);
}

/** Records of one kernel, decoded (bigints, DTB bytes). */
export function readLabRecords(kernel: string, dir = labDataDir): LabRecord[] {
  return readLabRecordsJson(kernel, dir).map(decodeRecord);
}

/** Kernel IDs that have a record file. */
export function recordedKernels(dir = labDataDir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.jsonl.gz')).map((f) => f.slice(0, -'.jsonl.gz'.length)).sort();
}

export function writeLabRecordsJson(kernel: string, records: LabRecordJson[], dir = labDataDir): void {
  const sorted = [...records].sort((a, b) => (a.index ?? 0) - (b.index ?? 0) || a.caseId.localeCompare(b.caseId));
  writeFileSync(join(dir, `${kernel}.jsonl.gz`), gzipSync(sorted.map((r) => JSON.stringify(r)).join('\n') + '\n', { level: 9 }));
}
