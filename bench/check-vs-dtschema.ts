// Side by side on the same DTBs: `carveout check` and dt-validate (Debian's dt-schema package) with
// the reserved-memory schemas. A benchmark, not a test: it needs dt-validate and the schemas.
//
//   node --import tsx bench/check-vs-dtschema.ts --schemas DIR [--schemas DIR]... [--filter S] [--limit N]
//
// --schemas: folders of binding YAML turned into one processed schema with dt-mk-schema (dt-schema's
// schemas/reserved-memory/ and the kernel's Documentation/devicetree/bindings/reserved-memory/);
// dt-validate then checks each /reserved-memory node and every `memory-region` user against them.
// The DTBs are the kernel corpus's reference blobs (test/corpus/corpus-lib.ts referenceBuilds: cpp +
// Debian's dtc with the kernel's flags, cached), arm64, in corpus order; --filter keeps paths
// containing a string, --limit the first N. dt-validate runs once over all of them (one process,
// the schema loaded once); check runs in this process over the same blobs with the binding rules
// and 6.12-arm64. Printed: wall time of each, and the reserved-memory findings of each tool.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findKernelSource } from '../test/helpers/kernel-source.js';
import { listCorpus, referenceBuilds } from '../test/corpus/corpus-lib.js';
import { loadBoard } from '../src/board.js';
import { check } from '../src/check/check.js';
import { memoryRegs } from '../src/platform/layout.js';
import type { Finding } from '../src/check/types.js';

const args = process.argv.slice(2);
const schemaDirs: string[] = [];
let filter = '';
let limit = Number.POSITIVE_INFINITY;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--schemas') schemaDirs.push(args[++i]!);
  else if (args[i] === '--filter') filter = args[++i]!;
  else if (args[i] === '--limit') limit = Number(args[++i]);
}
if (!schemaDirs.length) {
  process.stderr.write('usage: bench/check-vs-dtschema.ts --schemas DIR [--schemas DIR]... [--filter S] [--limit N]\n');
  process.exit(2);
}
const src = await findKernelSource('6.12');
if (!src) throw new Error('Linux 6.12 source not found (linux-source-6.12)');
const files = listCorpus(src, 'arm64', { overlays: false })
  .filter((f) => f.rel.includes(filter))
  .slice(0, limit);
const refs = await referenceBuilds(src, files, { jobs: 2 });
const work = mkdtempSync(join(tmpdir(), 'carveout-bench-check-'));
const dtbs: { rel: string; path: string; bytes: Uint8Array }[] = [];
files.forEach((f, i) => {
  const dtb = refs[i]!.dtb;
  if (!dtb) return;
  const path = join(work, f.rel.replace(/\//g, '__') + '.dtb');
  writeFileSync(path, dtb);
  dtbs.push({ rel: f.rel, path, bytes: dtb });
});

const processed = join(work, 'processed-schema.json');
const mk = spawnSync('dt-mk-schema', ['-j', ...schemaDirs], { maxBuffer: 1 << 28 });
if (mk.status !== 0) throw new Error(`dt-mk-schema failed: ${mk.stderr}`);
writeFileSync(processed, mk.stdout);

let t0 = performance.now();
const dv = spawnSync('dt-validate', ['-s', processed, ...dtbs.map((d) => d.path)], { maxBuffer: 1 << 28, encoding: 'utf8' });
const dvSeconds = (performance.now() - t0) / 1000;
// One message per line, "<file>: <node path>: <message>", then "From schema: ...".
const dvLines = `${dv.stdout}\n${dv.stderr}`.split('\n').filter((l) => /^\//.test(l) && /reserved-memory|memory-region/.test(l));

t0 = performance.now();
const found: { rel: string; f: Finding }[] = [];
for (const d of dtbs) {
  // As the corpus test does: size-0 memory nodes get 2 GiB at their base; no memory node, binding rules only.
  let board = loadBoard(d.bytes, { fileName: d.rel });
  const described = board.tree !== undefined && memoryRegs(board.tree).length > 0;
  if (described && board.memory.length === 0) board = loadBoard(d.bytes, { fileName: d.rel, ram: 2n << 30n });
  const r = check(board, { kernels: described ? ['6.12-arm64'] : [] });
  for (const f of r.findings) found.push({ rel: d.rel, f });
}
const checkSeconds = (performance.now() - t0) / 1000;

const byRule = new Map<string, number>();
for (const { f } of found) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
process.stdout.write(
  [
    `${dtbs.length} arm64 DTBs${filter ? ` matching '${filter}'` : ''}`,
    `dt-validate (dt-schema ${spawnSync('dt-validate', ['-V'], { encoding: 'utf8' }).stdout.trim()}): ${dvSeconds.toFixed(1)} s wall, ${dvLines.length} reserved-memory/memory-region messages`,
    ...dvLines.slice(0, 40).map((l) => `  ${l.replace(`${work}/`, '')}`),
    `carveout check (binding rules + 6.12-arm64): ${checkSeconds.toFixed(1)} s wall, ${found.length} findings (${[...byRule].map(([k, v]) => `${k} ${v}`).join(', ')})`,
    `speed: check is ${(dvSeconds / checkSeconds).toFixed(1)}x dt-validate's wall time on the same DTBs`,
  ].join('\n') + '\n',
);
