// Smoke test over dtc's own test inputs (../shared/dtc-tests, expectations.tsv from Debian's
// dtc 1.6.1): every input dtc gets past its parser (exit 0, or 2 = errors from the checks)
// parses without an error here; every input dtc rejects while parsing (exit 1) is rejected here,
// with dtc's first message at dtc's position when dtc printed one. Crashes of dtc (134/139) and
// its time-out (124) must simply not crash us.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDts } from '../../src/source/parser.js';
import type { Diagnostic } from '../../src/diagnostics.js';
import { dtcTestsDir } from '../fdt/dtc-helper.js';

const dir = dtcTestsDir;
const have = existsSync(join(dir, 'expectations.tsv'));
if (!have && process.env.CI) throw new Error(`dtc's test inputs are missing (${dir})`);

function where(d: Diagnostic): string {
  const end = d.endLine === d.line ? `${d.endColumn}` : `${d.endLine}.${d.endColumn}`;
  return `${d.file}:${d.line}.${d.column}-${end} ${d.message}`;
}

test('dtc-tests: parse verdicts and first error agree with dtc 1.6.1', { skip: have ? false : `no dtc-tests at ${dir}` }, () => {
  const rows = readFileSync(join(dir, 'expectations.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'));
  assert.ok(rows.length > 100);
  const wrong: string[] = [];
  let accepted = 0;
  let rejected = 0;
  for (const [file, rc, , first] of rows) {
    const text = readFileSync(join(dir, file!), 'latin1');
    const r = parseDts(text, file!, {
      includeDirs: [],
      readFile: (p) => {
        try {
          return readFileSync(p.startsWith('/') ? p : join(dir, p));
        } catch {
          return undefined;
        }
      },
    });
    const errs = r.diagnostics.filter((d) => d.severity === 'error');
    if (rc === '0' || rc === '2') {
      if (errs.length || !r.tree) wrong.push(`${file}: dtc parses it, we report ${errs.map(where).join('; ')}`);
      else accepted++;
    } else if (rc === '1') {
      if (!errs.length) {
        wrong.push(`${file}: dtc rejects it (${first}), we accept`);
        continue;
      }
      rejected++;
      // "Error: f:l.c-e msg" / "Lexical error: f:l.c-e msg": compare position and message
      const m = /^(?:Error|Lexical error): (.*)$/.exec(first ?? '');
      if (m && where(errs[0]!) !== m[1]) wrong.push(`${file}: dtc says "${m[1]}", we say "${where(errs[0]!)}"`);
    }
  }
  assert.deepEqual(wrong, []);
  assert.ok(accepted > 100 && rejected > 20, `accepted ${accepted}, rejected ${rejected}`);
});
