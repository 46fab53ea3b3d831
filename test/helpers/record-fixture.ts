// A lab record kept as a test fixture (test/verify/fixtures/<name>.record.json.gz): one boot a test
// judges by itself, beside or instead of data/lab (a build outside the lab, another point release).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { decodeRecord, type LabRecord } from '../../src/verify/records.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'verify', 'fixtures');

export function recordFixture(name: string): LabRecord {
  return decodeRecord(JSON.parse(gunzipSync(readFileSync(join(fixtures, `${name}.record.json.gz`))).toString('utf8')));
}
