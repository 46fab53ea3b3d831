// Side by side on the same DTBs, in one run: `carveout check`, dt-validate (Debian's dt-schema
// package) with the reserved-memory schemas, and lopper's memory audit. A benchmark, not a test:
// it needs dt-validate, a lopper checkout and the schemas.
//
//   node --import tsx bench/check-vs-peers.ts --schemas DIR [--schemas DIR]... --lopper DIR
//     [--arch arm64,arm] [--filter S] [--every K] [--limit N] [--out FILE]
//
// The DTBs are the kernel corpus's reference blobs (test/corpus/corpus-lib.ts referenceBuilds: cpp
// + Debian's dtc with the kernel's flags, cached) of every board that has a /reserved-memory node;
// --filter keeps paths containing a string, --every K every K-th of them (a sample spread over the
// whole corpus), --limit the first N per arch.
// - dt-validate runs once over all of them (one process, the schema loaded once) with a processed
//   schema made by dt-mk-schema from the --schemas folders (dt-schema's schemas/reserved-memory/ and
//   the kernel's Documentation/devicetree/bindings/reserved-memory/) and dt-schema's core; only its
//   messages about /reserved-memory nodes or `memory-region` count.
// - lopper (a checkout, run with the system python3 and Debian's python3-libfdt) runs once per DTB,
//   `lopper.py -f -W memory_all IN OUT`, as its CLI is used; its [WARNING]/[ERROR] lines count.
// - check runs in this process: binding rules + 6.12-arm64 (arm64) or 6.12-armmp (arm), boards with
//   a size-0 memory node given 2 GiB at its base (as the check corpus test does).
// Each tool's wall and CPU time (user+sys; children's for the two external tools), the findings of
// each, and which reserved-memory findings of a peer check has too (same DTB and node) are printed,
// and written as JSON to --out.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findKernelSource } from '../test/helpers/kernel-source.js';
import { listCorpus, referenceBuilds } from '../test/corpus/corpus-lib.js';
import { loadBoard } from '../src/board.js';
import { check } from '../src/check/check.js';
import { memoryRegs } from '../src/platform/layout.js';
import { readDtb } from '../src/fdt/reader.js';
import { findNode } from '../src/tree/query.js';
import type { Finding } from '../src/check/types.js';

const args = process.argv.slice(2);
const schemaDirs: string[] = [];
let lopperDir = '';
let arches = ['arm64', 'arm'] as ('arm64' | 'arm')[];
let filter = '';
let limit = Number.POSITIVE_INFINITY;
let every = 1;
let out = '';
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--schemas') schemaDirs.push(args[++i]!);
  else if (args[i] === '--lopper') lopperDir = args[++i]!;
  else if (args[i] === '--arch') arches = args[++i]!.split(',') as typeof arches;
  else if (args[i] === '--filter') filter = args[++i]!;
  else if (args[i] === '--limit') limit = Number(args[++i]);
  else if (args[i] === '--every') every = Number(args[++i]);
  else if (args[i] === '--out') out = args[++i]!;
}
if (!schemaDirs.length || !lopperDir) {
  process.stderr.write(
    'usage: bench/check-vs-peers.ts --schemas DIR [--schemas DIR]... --lopper DIR [--arch arm64,arm] [--filter S] [--every K] [--limit N] [--out FILE]\n',
  );
  process.exit(2);
}
const src = await findKernelSource('6.12');
if (!src) throw new Error('Linux 6.12 source not found (linux-source-6.12)');

interface Dtb {
  rel: string;
  arch: 'arm64' | 'arm';
  path: string;
  bytes: Uint8Array;
}
const work = mkdtempSync(join(tmpdir(), 'carveout-bench-peers-'));
const dtbs: Dtb[] = [];
for (const arch of arches) {
  const files = listCorpus(src, arch, { overlays: false }).filter((f) => f.rel.includes(filter));
  const refs = await referenceBuilds(src, files, { jobs: 2 });
  let n = 0;
  let seen = 0;
  files.forEach((f, i) => {
    const bytes = refs[i]!.dtb;
    if (!bytes || n >= limit) return;
    const tree = readDtb(bytes, f.rel).tree;
    if (!tree || !findNode(tree, '/reserved-memory')) return;
    if (seen++ % every) return;
    const path = join(work, `${f.rel.replace(/\//g, '__')}.dtb`);
    writeFileSync(path, bytes);
    dtbs.push({ rel: f.rel, arch, path, bytes });
    n++;
  });
}
const relOf = new Map(dtbs.map((d) => [d.path, d.rel]));

/** Runs a command under /usr/bin/time: wall seconds (measured here) and the child's user+sys CPU seconds. */
function timed(cmd: string, argv: string[], cwd?: string): { stdout: string; stderr: string; wall: number; cpu: number } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '@@time %U %S', cmd, ...argv], { cwd, maxBuffer: 1 << 30, encoding: 'utf8' });
  const wall = (performance.now() - t0) / 1000;
  const m = /@@time ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  return { stdout: r.stdout, stderr: r.stderr.replace(/@@time .*\s*$/, ''), wall, cpu: m ? Number(m[1]) + Number(m[2]) : Number.NaN };
}

// --- carveout check ---------------------------------------------------------------------------
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const checkFindings: { rel: string; f: Finding }[] = [];
for (const d of dtbs) {
  let board = loadBoard(d.bytes, { fileName: d.rel, arch: d.arch });
  const described = board.tree !== undefined && memoryRegs(board.tree).length > 0;
  if (described && board.memory.length === 0) board = loadBoard(d.bytes, { fileName: d.rel, arch: d.arch, ram: 2n << 30n });
  const r = check(board, { kernels: described ? [d.arch === 'arm64' ? '6.12-arm64' : '6.12-armmp'] : [] });
  for (const f of r.findings) checkFindings.push({ rel: d.rel, f });
}
const cpu1 = process.cpuUsage(cpu0);
const checkTime = { wall: (performance.now() - t0) / 1000, cpu: (cpu1.user + cpu1.system) / 1e6 };

// --- lopper ------------------------------------------------------------------------------------
interface PeerFinding {
  rel: string;
  /** The node paths the message names. */
  nodes: string[];
  check: string;
  message: string;
}
const lopper: PeerFinding[] = [];
const lopperTime = { wall: 0, cpu: 0 };
const lopperFailed: string[] = [];
for (const d of dtbs) {
  const r = timed('/usr/bin/python3', ['lopper.py', '-f', '-W', 'memory_all', d.path, join(work, 'lopper-out.dts')], lopperDir);
  lopperTime.wall += r.wall;
  lopperTime.cpu += r.cpu;
  let any = false;
  for (const l of `${r.stdout}\n${r.stderr}`.split('\n')) {
    const m = /^\[(?:WARNING|ERROR)\]: (\w+): (.*)$/.exec(l.trim());
    if (!m) continue;
    any = true;
    lopper.push({ rel: d.rel, check: m[1]!, message: m[2]!, nodes: [...m[2]!.matchAll(/(\/[\w,.@/+-]+)/g)].map((x) => x[1]!) });
  }
  if (!any && /Traceback|Error/.test(r.stderr)) lopperFailed.push(d.rel);
}

// --- dt-validate -------------------------------------------------------------------------------
const processed = join(work, 'processed-schema.json');
const mk = spawnSync('dt-mk-schema', ['-j', ...schemaDirs], { maxBuffer: 1 << 28 });
if (mk.status !== 0) throw new Error(`dt-mk-schema failed: ${mk.stderr}`);
writeFileSync(processed, mk.stdout);
const dv = timed('dt-validate', ['-s', processed, ...dtbs.map((d) => d.path)]);
// "<file>: <node name>: <message>", indented detail lines, then "\tFrom schema: <file>"
const dtValidate: PeerFinding[] = [];
const dvLines = `${dv.stdout}\n${dv.stderr}`.split('\n');
dvLines.forEach((l, i) => {
  const m = /^(\S+\.dtb): ([^:]+): (.*)$/.exec(l);
  if (!m) return;
  // the message's indented continuation lines end with "From schema: <file>"
  let schema = '';
  for (let j = i + 1; j < dvLines.length && /^\s/.test(dvLines[j]!) && !schema; j++)
    schema = /From schema: (.*)/.exec(dvLines[j]!)?.[1] ?? '';
  // about reserved memory: a node under /reserved-memory, a schema of that folder, or a message on
  // a `memory-region` property (not a node dump that merely contains one)
  if (!/reserved-memory/.test(`${m[2]} ${schema}`) && !/^memory-region(-names)?:/.test(m[3]!)) return;
  dtValidate.push({
    rel: relOf.get(m[1]!) ?? m[1]!,
    check: schema.replace(/^.*\/schemas\//, ''),
    message: `${m[2]}: ${m[3]}`,
    nodes: [m[2]!],
  });
});

// --- comparison --------------------------------------------------------------------------------
// A peer's finding is one check has when check reports something on the same DTB about a node the
// message names (dt-validate names the node by name or path, lopper by path).
const checkNodes = new Map<string, Set<string>>();
for (const { rel, f } of checkFindings) {
  const s = checkNodes.get(rel) ?? new Set<string>();
  s.add(f.path);
  s.add(f.path.split('/').pop()!);
  checkNodes.set(rel, s);
}
const covered = (p: PeerFinding) => p.nodes.some((n) => checkNodes.get(p.rel)?.has(n) || checkNodes.get(p.rel)?.has(n.split('/').pop()!));
const peerNodes = new Set([...lopper, ...dtValidate].flatMap((p) => p.nodes.map((n) => `${p.rel} ${n.split('/').pop()}`)));
const checkOnly = checkFindings.filter(({ rel, f }) => !peerNodes.has(`${rel} ${f.path.split('/').pop()}`));
const count = <T>(xs: T[], key: (x: T) => string) => {
  const m = new Map<string, number>();
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return Object.fromEntries([...m].sort((a, b) => b[1] - a[1]));
};
const report = {
  dtbs: dtbs.length,
  byArch: count(dtbs, (d) => d.arch),
  tools: {
    check: {
      ...checkTime,
      findings: checkFindings.length,
      byRule: count(checkFindings, (x) => x.f.rule),
      checkOnly: checkOnly.length,
      checkOnlyByRule: count(checkOnly, (x) => x.f.rule),
    },
    dtValidate: {
      version: spawnSync('dt-validate', ['-V'], { encoding: 'utf8' }).stdout.trim(),
      wall: dv.wall,
      cpu: dv.cpu,
      findings: dtValidate.length,
      bySchema: count(dtValidate, (x) => x.check),
      notInCheck: dtValidate.filter((x) => !covered(x)),
    },
    lopper: {
      wall: lopperTime.wall,
      cpu: lopperTime.cpu,
      failed: lopperFailed,
      findings: lopper.length,
      byCheck: count(lopper, (x) => x.check),
      notInCheck: lopper.filter((x) => !covered(x)),
    },
  },
};
if (out) writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
const t = (x: { wall: number; cpu: number }) => `${x.wall.toFixed(1)} s wall, ${x.cpu.toFixed(1)} s CPU`;
process.stdout.write(
  [
    `${dtbs.length} DTBs with /reserved-memory${every > 1 ? ` (every ${every}th)` : ''} (${Object.entries(report.byArch)
      .map(([a, n]) => `${a} ${n}`)
      .join(', ')})${filter ? ` matching '${filter}'` : ''}`,
    `carveout check: ${t(checkTime)}; ${checkFindings.length} findings (${Object.entries(report.tools.check.byRule)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}); ${checkOnly.length} on nodes neither peer mentions`,
    `dt-validate ${report.tools.dtValidate.version}: ${t(dv)}; ${dtValidate.length} reserved-memory/memory-region messages, ${report.tools.dtValidate.notInCheck.length} on nodes check says nothing about`,
    ...report.tools.dtValidate.notInCheck.slice(0, 30).map((x) => `  ${x.rel}: ${x.message} [${x.check}]`),
    `lopper memory audit: ${t(lopperTime)}; ${lopper.length} findings (${Object.entries(report.tools.lopper.byCheck)
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ', ',
      )}), ${report.tools.lopper.notInCheck.length} on nodes check says nothing about${lopperFailed.length ? `; failed on ${lopperFailed.length} DTBs` : ''}`,
    ...report.tools.lopper.notInCheck.slice(0, 30).map((x) => `  ${x.rel}: ${x.check}: ${x.message}`),
    `speed: check is ${(dv.wall / checkTime.wall).toFixed(1)}x faster than dt-validate (wall), ${(dv.cpu / checkTime.cpu).toFixed(1)}x (CPU); ${(lopperTime.wall / checkTime.wall).toFixed(1)}x faster than lopper (wall), ${(lopperTime.cpu / checkTime.cpu).toFixed(1)}x (CPU)`,
  ].join('\n') + '\n',
);
