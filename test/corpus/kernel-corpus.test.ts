// The kernel corpus: every .dts/.dtso under arch/arm64 and arch/arm of
// Linux 6.12, compiled by carveout and by `cpp` + Debian's `dtc` with the kernel's flags
// (test/corpus/corpus-lib.ts says exactly which), must give byte-identical blobs, or both must
// reject the file; and decompiling each reference blob with carveout then compiling the text
// again must give the same blob; and every composite DTB (`name-dtbs := ...`) built from
// carveout's blobs with applyOverlays must equal dtc's blobs put through fdtoverlay. Every
// exception is a line of known-differences.tsv.
//
// Opt-in locally (it takes minutes): CARVEOUT_CORPUS=1 node --import tsx --test test/corpus/kernel-corpus.test.ts
// CI (the CI variable set) always runs it. A per-file report is written to
// <cache>/carveout/corpus-report.json (cache: $XDG_CACHE_HOME or ~/.cache).
// CARVEOUT_CORPUS_ARCH=arm64 limits it to one arch; CARVEOUT_CORPUS_FILTER=rockchip to paths
// containing a string (for triage; the counts then cover only those files).
// CARVEOUT_CORPUS_CPP=system feeds carveout the system cpp's output (triage without our cpp).
// CARVEOUT_CORPUS_STANDIN=dtc replaces carveout with the reference pipeline itself: a self-test
// of the harness (everything must come out identical).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { locateKernelSource, cacheDir } from '../helpers/kernel-source.js';
import {
  arches,
  cppArgs,
  dtcArgs,
  dtcDecompile,
  dtcVersion,
  dtcWarningNames,
  fdtoverlayRun,
  firstDifference,
  firstTextDifference,
  listComposites,
  listCorpus,
  loadOurCompiler,
  loadOurDecompiler,
  ourBuild,
  referenceBuilds,
  type Arch,
  type Composite,
  type CorpusFile,
  type OurCompiler,
  type OurDecompiler,
  type OurResult,
  type RefResult,
} from './corpus-lib.js';

const enabled = process.env.CARVEOUT_CORPUS === '1' || !!process.env.CI;
const skip = enabled ? false : 'kernel corpus is opt-in locally: set CARVEOUT_CORPUS=1 (CI runs it always)';
const here = dirname(fileURLToPath(import.meta.url));

// ---- known differences --------------------------------------------------------------------------
export type Outcome = 'identical' | 'both-rejected' | 'differs' | 'carveout-rejects' | 'carveout-accepts' | 'carveout-crashes';
type Kind = Outcome | 'roundtrip';
interface Known {
  path: string;
  kind: Kind;
  reason: string;
  line: number;
}

function readKnown(): Map<string, Known> {
  const file = join(here, 'known-differences.tsv');
  const known = new Map<string, Known>();
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.trimEnd();
      if (!line || line.startsWith('#')) return;
      const [path, kind, ...rest] = line.split('\t');
      const reason = rest.join(' ').trim();
      assert.ok(path && kind && reason, `known-differences.tsv:${i + 1}: want "path<TAB>kind<TAB>reason"`);
      assert.ok(
        ['differs', 'carveout-rejects', 'carveout-accepts', 'roundtrip'].includes(kind),
        `known-differences.tsv:${i + 1}: kind '${kind}' is not differs|carveout-rejects|carveout-accepts|roundtrip (crashes are never acceptable)`,
      );
      known.set(`${path}\t${kind}`, { path, kind: kind as Kind, reason, line: i + 1 });
    });
  return known;
}

// ---- the stand-in for carveout (harness self-test) --------------------------------------------
function standIn(src: string, files: CorpusFile[]): OurCompiler {
  const byPath = new Map(files.map((f) => [f.abs, f]));
  return {
    compileFile(path: string): OurResult {
      const f = byPath.get(path)!;
      const pre = spawnSync('cpp', [...cppArgs(src), path], { maxBuffer: 256 << 20 });
      if (pre.status !== 0)
        return {
          diagnostics: [
            { severity: 'error', code: 'cpp', message: pre.stderr.toString(), file: path, line: 0, column: 0, endLine: 0, endColumn: 0 },
          ],
        };
      const r = spawnSync('dtc', [...dtcArgs(src, f), '-o', '-', '-'], { input: pre.stdout, maxBuffer: 256 << 20 });
      if (r.status !== 0)
        return {
          diagnostics: [
            { severity: 'error', code: 'dtc', message: r.stderr.toString(), file: path, line: 0, column: 0, endLine: 0, endColumn: 0 },
          ],
        };
      return { dtb: new Uint8Array(r.stdout), diagnostics: [] };
    },
    compileString(text: string): OurResult {
      const r = spawnSync('dtc', ['-I', 'dts', '-O', 'dtb', '-q', '-o', '-', '-'], { input: text, maxBuffer: 256 << 20 });
      return r.status === 0
        ? { dtb: new Uint8Array(r.stdout), diagnostics: [] }
        : {
            diagnostics: [
              { severity: 'error', code: 'dtc', message: r.stderr.toString(), file: '-', line: 0, column: 0, endLine: 0, endColumn: 0 },
            ],
          };
    },
  };
}
const standInDecompiler: OurDecompiler = {
  decompile: (blob) => ({
    dts: spawnSync('dtc', ['-q', '-I', 'dtb', '-O', 'dts', '-'], { input: blob, encoding: 'utf8', maxBuffer: 256 << 20 }).stdout,
    diagnostics: [],
  }),
};

const bootCpuidOf = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(28);

// ---- one run over the corpus, shared by the tests below -----------------------------------------
interface FileResult {
  file: CorpusFile;
  ref: RefResult;
  outcome: Outcome;
  detail?: string;
  warningsAgree?: boolean;
  sameErrorLine?: boolean;
  roundtrip?: 'ok' | 'differs' | 'fails' | 'skipped';
  roundtripDetail?: string;
}

const firstDiag = (r: OurResult): string => {
  if (r.threw) return `threw: ${r.threw.split('\n').slice(0, 3).join(' | ')}`;
  const d = r.diagnostics.find((x) => x.severity === 'error') ?? r.diagnostics[0];
  return d ? `${d.file.replace(/^.*\/boot\/dts\//, '')}:${d.line}:${d.column}: ${d.code}: ${d.message}`.slice(0, 300) : '(no diagnostic)';
};

function classify(ref: RefResult, ours: OurResult): { outcome: Outcome; detail?: string } {
  if (ours.threw) return { outcome: 'carveout-crashes', detail: firstDiag(ours) };
  if (!ref.ok)
    return ours.dtb
      ? {
          outcome: 'carveout-accepts',
          detail: `dtc: ${ref.stderr.split('\n').find((l) => /ERROR|error|FATAL/.test(l)) ?? ref.stderr.slice(0, 200)}`,
        }
      : { outcome: 'both-rejected' };
  if (!ours.dtb) return { outcome: 'carveout-rejects', detail: firstDiag(ours) };
  const d = firstDifference(ref.dtb!, ours.dtb);
  return d === 'identical' ? { outcome: 'identical' } : { outcome: 'differs', detail: d };
}

let shared:
  | Promise<{ src: string; compiler?: OurCompiler; results: FileResult[]; problem?: string; timing: Record<string, number> }>
  | undefined;

function corpusRun(): NonNullable<typeof shared> {
  shared ??= (async () => {
    const timing: Record<string, number> = {};
    const loc = await locateKernelSource('6.12');
    assert.ok(loc.dir, `kernel source: ${loc.problem}`);
    const src = loc.dir;
    for (const tool of ['cpp', 'dtc'])
      assert.equal(spawnSync(tool, ['--version']).status, 0, `${tool} is not installed (apt-get install cpp device-tree-compiler)`);
    const onlyArch = process.env.CARVEOUT_CORPUS_ARCH as Arch | undefined;
    const filter = process.env.CARVEOUT_CORPUS_FILTER;
    let files = (onlyArch ? [onlyArch] : arches).flatMap((a) => listCorpus(src, a));
    if (filter) files = files.filter((f) => f.rel.includes(filter));
    assert.ok(files.length > 0, 'no corpus files found');

    let t0 = performance.now();
    const refs = await referenceBuilds(src, files, { jobs: 2 });
    timing.referenceSeconds = (performance.now() - t0) / 1000;
    timing.referenceCached = refs.filter((r) => r.cached).length;

    let compiler: OurCompiler | undefined;
    let problem: string | undefined;
    if (process.env.CARVEOUT_CORPUS_STANDIN === 'dtc') compiler = standIn(src, files);
    else ({ compiler, problem } = await loadOurCompiler());

    const results: FileResult[] = files.map((file, i) => ({ file, ref: refs[i]!, outcome: 'both-rejected' }));
    if (!compiler) return { src, results, problem, timing };

    t0 = performance.now();
    let detailed = 0;
    for (const r of results) {
      const ours = await ourBuild(compiler, src, r.file, { systemCpp: process.env.CARVEOUT_CORPUS_CPP === 'system' });
      Object.assign(r, classify(r.ref, ours));
      if (r.outcome === 'identical' || r.outcome === 'differs') {
        const mine = ours.diagnostics
          .filter((d) => d.severity === 'warning')
          .map((d) => d.code)
          .sort();
        r.warningsAgree = JSON.stringify(mine) === JSON.stringify(dtcWarningNames(r.ref.stderr));
      }
      if (r.outcome === 'both-rejected') {
        // dtc: "Error: <file>:<line>.<col>-… msg" or "ERROR (check): <file>:<line>.<col>…"; ours: the first error diagnostic.
        const m = /(?:Error|ERROR \([a-z_]+\)): (\S+?):(\d+)\.\d+/.exec(r.ref.stderr);
        const e = ours.diagnostics.find((d) => d.severity === 'error');
        if (m && e) r.sameErrorLine = e.file.endsWith(m[1]!.replace(/^<src>\//, '')) && e.line === Number(m[2]);
        r.detail = `dtc: ${m?.[0] ?? '?'} — carveout: ${firstDiag(ours)}`;
      }
      // A readable first difference for a bounded number of files (two dtc runs each).
      if (r.outcome === 'differs' && ours.dtb && detailed++ < 150)
        r.detail += `\n${firstTextDifference(dtcDecompile(r.ref.dtb!), dtcDecompile(ours.dtb))}`;
    }
    timing.carveoutSeconds = (performance.now() - t0) / 1000;
    return { src, compiler, results, problem, timing };
  })();
  return shared;
}

function writeReport(name: string, data: unknown): string {
  const dir = cacheDir();
  mkdirSync(dir, { recursive: true });
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(data, null, 1));
  return p;
}

test('kernel corpus: carveout compiles every arm/arm64 DTS byte-identical to cpp + dtc', { skip }, async (t) => {
  const { results, problem, timing } = await corpusRun();
  const known = readKnown();
  const lines: string[] = [];
  const say = (s: string): void => {
    lines.push(s);
    t.diagnostic(s);
  };
  if (process.env.CARVEOUT_CORPUS_CPP === 'system')
    say('NOTE: carveout compiled the system cpp output (CARVEOUT_CORPUS_CPP=system), not its own preprocessor');
  say(
    `reference: Debian dtc ${dtcVersion()}, ${results.length} files, ${timing.referenceSeconds!.toFixed(1)} s (${timing.referenceCached} from cache)`,
  );
  for (const arch of arches) {
    for (const overlay of [false, true]) {
      const rs = results.filter((r) => r.file.arch === arch && r.file.overlay === overlay);
      if (!rs.length) continue;
      const dtcRejected = rs.filter((r) => !r.ref.ok);
      say(
        `${arch} ${overlay ? '.dtso' : '.dts '}: ${rs.length} files, dtc rejects ${dtcRejected.length}` +
          (problem
            ? ''
            : `, identical ${rs.filter((r) => r.outcome === 'identical').length}/${rs.length - dtcRejected.length}, ` +
              `carveout also rejects ${dtcRejected.filter((r) => r.outcome === 'both-rejected').length}/${dtcRejected.length}` +
              (dtcRejected.length ? ` (first error on dtc's file:line ${dtcRejected.filter((r) => r.sameErrorLine).length})` : '')),
      );
    }
  }
  if (problem)
    assert.fail(`the carveout side cannot run — ${problem}. (Reference side built ${results.filter((r) => r.ref.ok).length} blobs.)`);

  say(
    `carveout: ${timing.carveoutSeconds!.toFixed(1)} s in-process; warnings agree with dtc's on ${results.filter((r) => r.warningsAgree).length}/${results.filter((r) => r.warningsAgree !== undefined).length} compiled files`,
  );
  const bad = results.filter((r) => r.outcome !== 'identical' && r.outcome !== 'both-rejected');
  const byOutcome = new Map<string, number>();
  for (const r of bad) byOutcome.set(r.outcome, (byOutcome.get(r.outcome) ?? 0) + 1);
  say(`differences: ${[...byOutcome].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
  const unlisted = bad.filter((r) => !known.has(`${r.file.rel}\t${r.outcome}`));
  const listed = bad.length - unlisted.length;
  const stale = [...known.values()].filter(
    (k) =>
      k.kind !== 'roundtrip' &&
      results.some((r) => r.file.rel === k.path) &&
      !bad.some((r) => r.file.rel === k.path && r.outcome === k.kind),
  );
  say(`known differences (listed in known-differences.tsv): ${listed}; unlisted: ${unlisted.length}`);
  for (const k of stale) say(`now agrees, remove known-differences.tsv:${k.line}: ${k.path} ${k.kind}`);
  const report = writeReport('corpus-report.json', {
    date: new Date().toISOString(),
    timing,
    dtc: dtcVersion(),
    counts: Object.fromEntries(byOutcome),
    summary: lines,
    files: results
      .filter((r) => r.outcome !== 'identical')
      .map((r) => ({ path: r.file.rel, outcome: r.outcome, detail: r.detail, listed: known.has(`${r.file.rel}\t${r.outcome}`) })),
  });
  say(`per-file report: ${report}`);
  if (unlisted.length) {
    const show = unlisted
      .slice(0, 25)
      .map((r) => `  ${r.file.rel} [${r.outcome}] ${(r.detail ?? '').split('\n')[0]}`)
      .join('\n');
    assert.fail(
      `${unlisted.length} corpus file(s) differ from dtc and are not in known-differences.tsv:\n${show}${unlisted.length > 25 ? `\n  … see ${report}` : ''}`,
    );
  }
});

test('kernel corpus: readDtb → writeDtb reproduces every reference blob byte for byte', { skip }, async (t) => {
  const { results } = await corpusRun();
  if (process.env.CARVEOUT_CORPUS_STANDIN) return t.skip('stand-in mode');
  let readDtb: (b: Uint8Array, f: string) => { tree?: unknown; diagnostics: { message: string }[] };
  let writeDtb: (tree: unknown) => Uint8Array;
  try {
    const readerPath = '../../src/fdt/reader.js',
      writerPath = '../../src/fdt/writer.js';
    ({ readDtb } = await import(readerPath));
    ({ writeDtb } = await import(writerPath));
  } catch (e) {
    assert.fail(`src/fdt reader/writer cannot be loaded: ${String(e)}`);
  }
  const bad: string[] = [];
  let total = 0;
  for (const r of results) {
    if (!r.ref.ok) continue;
    total++;
    try {
      const tree = readDtb(r.ref.dtb!, r.file.rel).tree;
      if (!tree) {
        bad.push(`${r.file.rel}: unreadable`);
        continue;
      }
      const d = firstDifference(r.ref.dtb!, writeDtb(tree));
      if (d !== 'identical') bad.push(`${r.file.rel}: ${d}`);
    } catch (e) {
      bad.push(`${r.file.rel}: threw ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  t.diagnostic(`readDtb → writeDtb: ${total - bad.length}/${total} reference blobs reproduced`);
  assert.deepEqual(bad.slice(0, 20), [], `${bad.length} blob(s) do not survive readDtb → writeDtb`);
});

test('kernel corpus: decompile → compile reproduces every reference blob byte for byte', { skip }, async (t) => {
  const { results, compiler, problem } = await corpusRun();
  const { decompiler, problem: dproblem } =
    process.env.CARVEOUT_CORPUS_STANDIN === 'dtc' ? { decompiler: standInDecompiler, problem: undefined } : await loadOurDecompiler();
  if (!compiler || !decompiler) {
    assert.fail(`round trip cannot run — ${problem ?? dproblem}`);
    return;
  }
  if (!compiler.compileString) {
    assert.fail('src/compile.ts exports no compileString()');
    return;
  }
  const known = readKnown();
  const t0 = performance.now();
  let ok = 0,
    total = 0;
  const failures: FileResult[] = [];
  for (const r of results) {
    if (!r.ref.ok) continue;
    total++;
    let text: string | undefined;
    let again: OurResult | undefined;
    try {
      const out = decompiler.decompile(r.ref.dtb!, `${r.file.rel}.dtb`);
      text = out.dts;
      if (text === undefined) {
        r.roundtrip = 'fails';
        r.roundtripDetail = `readDtb: ${firstDiag(out)}`;
      }
      // The header's boot_cpuid_phys is not part of DTS: give it back as `-b`, as a dtc user would.
      else
        again = await compiler.compileString(text, {
          fileName: `${r.file.rel}.decompiled.dts`,
          includeDirs: [],
          inputFormat: 'dts',
          preprocess: false,
          bootCpuid: bootCpuidOf(r.ref.dtb!),
        });
    } catch (e) {
      r.roundtrip = 'fails';
      r.roundtripDetail = `threw: ${e instanceof Error ? e.stack?.split('\n').slice(0, 3).join(' | ') : String(e)}`;
    }
    if (again) {
      if (!again.dtb) {
        r.roundtrip = 'fails';
        r.roundtripDetail = `recompile: ${firstDiag(again)}`;
      } else {
        const d = firstDifference(r.ref.dtb!, again.dtb);
        if (d === 'identical') {
          r.roundtrip = 'ok';
          ok++;
        } else {
          r.roundtrip = 'differs';
          r.roundtripDetail = d;
        }
      }
    }
    if (r.roundtrip !== 'ok') failures.push(r);
  }
  const secs = (performance.now() - t0) / 1000;
  t.diagnostic(
    `decompile → compile: ${ok}/${total} reference blobs reproduced byte for byte by readDtb → writeDts → compileString (${secs.toFixed(1)} s)`,
  );
  const unlisted = failures.filter((r) => !known.has(`${r.file.rel}\troundtrip`));
  for (const k of known.values())
    if (k.kind === 'roundtrip' && results.some((r) => r.file.rel === k.path && r.roundtrip === 'ok'))
      t.diagnostic(`now round-trips, remove known-differences.tsv:${k.line}: ${k.path}`);
  const report = writeReport(
    'corpus-roundtrip-report.json',
    failures.map((r) => ({ path: r.file.rel, result: r.roundtrip, detail: r.roundtripDetail })),
  );
  if (unlisted.length) {
    assert.fail(
      `${unlisted.length} reference blob(s) do not round-trip through writeDts + compileString:\n` +
        unlisted
          .slice(0, 20)
          .map((r) => `  ${r.file.rel} [${r.roundtrip}] ${r.roundtripDetail}`)
          .join('\n') +
        (unlisted.length > 20 ? `\n  … see ${report}` : ''),
    );
  }
});

// ---- composite DTBs (`name-dtbs := base.dtb overlay.dtbo ...`) -----------------------------------
// scripts/Makefile.dtbs: the base compiled with -@ (listCorpus sets it for every composite base),
// the overlays compiled as usual, then `fdtoverlay -o name.dtb -i base.dtb overlays...`. carveout:
// the same parts compiled by carveout, then applyOverlays (src/overlay).
test('kernel corpus: every *-dtbs composite built by carveout is byte-identical to dtc + fdtoverlay', { skip }, async (t) => {
  const loc = await locateKernelSource('6.12');
  assert.ok(loc.dir, `kernel source: ${loc.problem}`);
  const src = loc.dir;
  assert.equal(spawnSync('fdtoverlay', ['--version']).status, 0, 'fdtoverlay is not installed (apt-get install device-tree-compiler)');
  if (process.env.CARVEOUT_CORPUS_STANDIN) return t.skip('stand-in mode');
  const onlyArch = process.env.CARVEOUT_CORPUS_ARCH as Arch | undefined;
  const filter = process.env.CARVEOUT_CORPUS_FILTER;
  let composites = (onlyArch ? [onlyArch] : arches).flatMap((a) => listComposites(src, a, listCorpus(src, a)));
  if (filter) composites = composites.filter((c) => c.rel.includes(filter));
  const byRel = new Map(composites.map((c) => [c.rel, c]));
  const needed = new Map<string, CorpusFile>();
  for (const c of composites) for (const p of c.parts) if (p.kind === 'file') needed.set(p.file.rel, p.file);
  const files = [...needed.values()];
  const refs = await referenceBuilds(src, files, { jobs: 2 });
  const refOf = new Map(files.map((f, i) => [f.rel, refs[i]!]));
  const { compiler, problem } = await loadOurCompiler();
  assert.ok(compiler, problem);
  const { applyOverlays } = await import('../../src/overlay/apply.js');
  const ourOf = new Map<string, OurResult>();
  for (const f of files) ourOf.set(f.rel, await ourBuild(compiler, src, f));

  type Built = { dtb?: Uint8Array; why?: string };
  const refBuilt = new Map<string, Built>();
  const ourBuilt = new Map<string, Built>();
  // Each part's blob for one side, then that side's overlay application; a composite part is built first.
  const build = (c: Composite, side: 'ref' | 'ours'): Built => {
    const memo = side === 'ref' ? refBuilt : ourBuilt;
    const hit = memo.get(c.rel);
    if (hit) return hit;
    const blobs: Uint8Array[] = [];
    let why: string | undefined;
    for (const p of c.parts) {
      let b: Built;
      if (p.kind === 'missing') b = { why: `part ${p.name} has no source` };
      else if (p.kind === 'composite') b = byRel.has(p.rel) ? build(byRel.get(p.rel)!, side) : { why: `part ${p.rel} is not listed` };
      else if (side === 'ref') {
        const r = refOf.get(p.file.rel)!;
        b = r.dtb ? { dtb: r.dtb } : { why: `dtc: ${p.file.rel}: ${r.stderr.split('\n').find((l) => /ERROR|Error/.test(l)) ?? 'fails'}` };
      } else {
        const r = ourOf.get(p.file.rel)!;
        b = r.dtb
          ? { dtb: r.dtb }
          : { why: `carveout: ${p.file.rel}: ${r.threw ?? r.diagnostics.find((d) => d.severity === 'error')?.message}` };
      }
      if (!b.dtb) {
        why = b.why;
        break;
      }
      blobs.push(b.dtb);
    }
    let out: Built;
    if (why !== undefined) out = { why };
    else if (side === 'ref') {
      const r = fdtoverlayRun(blobs[0]!, blobs.slice(1));
      out = r.dtb ? { dtb: r.dtb } : { why: `fdtoverlay: ${r.stderr.trim().split('\n').at(-1)}` };
    } else {
      const r = applyOverlays(
        blobs[0]!,
        blobs.slice(1).map((blob, i) => {
          const p = c.parts[i + 1]!;
          return { name: p.kind === 'file' ? p.file.rel : p.kind === 'composite' ? p.rel : p.name, blob };
        }),
      );
      out = r.blob ? { dtb: r.blob } : { why: `carveout: ${r.diagnostics.find((d) => d.severity === 'error')?.message}` };
    }
    memo.set(c.rel, out);
    return out;
  };

  const known = readKnown();
  const counts: Record<string, number> = {};
  const unlisted: string[] = [];
  for (const c of composites) {
    const ref = build(c, 'ref');
    const ours = build(c, 'ours');
    const outcome: Outcome = !ref.dtb
      ? ours.dtb
        ? 'carveout-accepts'
        : 'both-rejected'
      : !ours.dtb
        ? 'carveout-rejects'
        : firstDifference(ref.dtb, ours.dtb) === 'identical'
          ? 'identical'
          : 'differs';
    counts[outcome] = (counts[outcome] ?? 0) + 1;
    if (outcome === 'both-rejected') t.diagnostic(`both reject ${c.rel}: ${ref.why} | ${ours.why}`);
    if (outcome === 'identical' || outcome === 'both-rejected') {
      const k = [...known.values()].find((x) => x.path === c.rel);
      if (k) t.diagnostic(`now agrees, remove known-differences.tsv:${k.line}: ${c.rel}`);
      continue;
    }
    if (known.has(`${c.rel}\t${outcome}`)) continue;
    const detail = outcome === 'differs' ? firstDifference(ref.dtb!, ours.dtb!) : `${ref.why ?? ''} ${ours.why ?? ''}`;
    unlisted.push(`  ${c.rel} [${outcome}] ${detail}`);
  }
  t.diagnostic(
    `composites: ${composites.length} (${arches.map((a) => `${a} ${composites.filter((c) => c.arch === a).length}`).join(', ')}), ${files.length} parts: ` +
      Object.entries(counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
  );
  assert.ok(composites.length > 0, 'no composites found');
  if (unlisted.length) assert.fail(`${unlisted.length} composite(s) differ from dtc + fdtoverlay:\n${unlisted.join('\n')}`);
});
