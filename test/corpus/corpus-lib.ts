// The Linux DTS corpus, shared by the corpus test (test/corpus/kernel-corpus.test.ts) and the
// benchmark (bench/run.ts): which files, which flags the kernel gives dtc for each, the reference
// `cpp` + `dtc` build (cached) and carveout's in-process build.
//
// What we compare (decided here, documented in README.md):
// - cpp exactly as scripts/Makefile.dtbs (6.12) `dtc_cpp_flags`: -nostdinc -I include-prefixes
//   -undef -D__DTS__ -x assembler-with-cpp (the kernel runs `$(HOSTCC) -E`; `cpp` is the same
//   preprocessor without the driver).
// - dtc exactly as `cmd_dtc`: -O dtb -b 0 -i <dts dir> -i include-prefixes, the default -W flags
//   of Makefile.dtbs (KBUILD_EXTRA_WARN unset), plus the per-board DTC_FLAGS_<stem> and the
//   directory's DTC_FLAGS from the board Makefile, plus -@ for the bases of composite DTBs
//   (`<name>-dtbs := base.dtb overlay.dtbo`), as Makefile.dtbs does. -W/-E flags that Debian's
//   dtc does not know (e.g. -Wno-interrupt_map, newer than dtc 1.6.1) are dropped: they only
//   silence warnings and never change the blob.
// - The reference is Debian's dtc (device-tree-compiler), not the kernel's bundled scripts/dtc.
// - Overlays (*.dtso) are compiled the same way and counted separately.
// - Composite DTBs (`name-dtbs := base.dtb overlay.dtbo ...`, listComposites) are applied by
//   Debian's fdtoverlay as `cmd_fdtoverlay` runs it, and by carveout's applyOverlays.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import type { Diagnostic } from '../../src/diagnostics.js';
import { pool } from '../../src/verify/pool.js';
import { cacheDir } from '../helpers/kernel-source.js';

export type Arch = 'arm64' | 'arm';
export const arches: Arch[] = ['arm64', 'arm'];

export interface CorpusFile {
  /** Path relative to the kernel tree, e.g. arch/arm64/boot/dts/rockchip/rk3588-rock-5b.dts. */
  rel: string;
  abs: string;
  arch: Arch;
  overlay: boolean;
  /**
   * The kernel's DTC_FLAGS for this file in Makefile.dtbs order — the board Makefile's DTC_FLAGS,
   * the default -Wno-… list, DTC_FLAGS_<stem> — without -@ (see `symbols`) and without -W/-E
   * names Debian's dtc does not know.
   */
  dtcFlags: string[];
  /** The kernel compiles this one with -@ (adds __symbols__). */
  symbols: boolean;
}

export const includePrefixes = (src: string): string => join(src, 'scripts/dtc/include-prefixes');

/** The default DTC_FLAGS of scripts/Makefile.dtbs (6.12) with KBUILD_EXTRA_WARN unset. */
export const kernelDefaultDtcFlags = [
  '-Wno-unique_unit_address',
  '-Wno-unit_address_vs_reg',
  '-Wno-avoid_unnecessary_addr_size',
  '-Wno-alias_paths',
  '-Wno-graph_child_address',
  '-Wno-simple_bus_reg',
];

export const cppArgs = (src: string): string[] => [
  '-nostdinc',
  '-I',
  includePrefixes(src),
  '-undef',
  '-D__DTS__',
  '-x',
  'assembler-with-cpp',
];

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (name.endsWith('.dts') || name.endsWith('.dtso')) out.push(p);
  }
  return out;
}

/** Board Makefile facts for one dts directory: DTC_FLAGS for all, DTC_FLAGS_<stem>, composite bases. */
export interface DirFlags {
  all: string[];
  perStem: Map<string, string[]>;
  bases: Set<string>;
}

export function readDirFlags(dir: string): DirFlags {
  const res: DirFlags = { all: [], perStem: new Map(), bases: new Set() };
  const mk = join(dir, 'Makefile');
  if (!existsSync(mk)) return res;
  const text = readFileSync(mk, 'utf8').replace(/\\\n/g, ' ');
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    let m = /^DTC_FLAGS\s*(:=|\+=|\?=|=)\s*(.*)$/.exec(line);
    if (m) {
      if (m[1] !== '+=') res.all = [];
      res.all.push(...m[2]!.split(/\s+/).filter(Boolean));
      continue;
    }
    m = /^DTC_FLAGS_(\S+?)\s*(:=|\+=|\?=|=)\s*(.*)$/.exec(line);
    if (m) {
      const prev = m[2] === '+=' ? (res.perStem.get(m[1]!) ?? []) : [];
      res.perStem.set(m[1]!, [...prev, ...m[3]!.split(/\s+/).filter(Boolean)]);
      continue;
    }
    // Composite DTBs: `name-dtbs := base.dtb overlay.dtbo ...` — Makefile.dtbs gives the .dtb parts -@.
    m = /^\S+-dtbs\s*(:=|\+=|=)\s*(.*)$/.exec(line);
    if (m) for (const part of m[2]!.split(/\s+/)) if (part.endsWith('.dtb')) res.bases.add(part.slice(0, -4));
  }
  return res;
}

// Whether Debian's dtc knows a -W/-E check name (dtc has no list option: probe the few the corpus uses).
const probed = new Map<string, boolean>();
function dtcKnowsFlag(flag: string): boolean {
  const m = /^-[WE](?:no-)?(.+)$/.exec(flag);
  if (!m) return true;
  let ok = probed.get(m[1]!);
  if (ok === undefined) {
    const r = spawnSync('dtc', [flag, '-I', 'dts', '-O', 'dtb', '-o', '/dev/null', '-'], { input: '/dts-v1/; / { };', encoding: 'utf8' });
    ok = !/Unrecognized check name/.test(r.stderr ?? '');
    probed.set(m[1]!, ok);
  }
  return ok;
}

/** Every .dts (and .dtso) of arch/<arch>/boot/dts, sorted, with the kernel's flags for it. */
export function listCorpus(src: string, arch: Arch, opts: { overlays?: boolean } = {}): CorpusFile[] {
  const root = join(src, 'arch', arch, 'boot/dts');
  const dirFlags = new Map<string, DirFlags>();
  const out: CorpusFile[] = [];
  for (const abs of walk(root, [])) {
    const overlay = abs.endsWith('.dtso');
    if (overlay && opts.overlays === false) continue;
    const dir = dirname(abs);
    let df = dirFlags.get(dir);
    if (!df) {
      df = readDirFlags(dir);
      dirFlags.set(dir, df);
    }
    const stem = basename(abs).replace(/\.dtso?$/, '');
    const flags = [...df.all, ...kernelDefaultDtcFlags, ...(df.perStem.get(stem) ?? [])];
    // Makefile.dtbs: `DTC_FLAGS += $(if $(filter ..., $(base-dtb-y)), -@)`.
    const symbols = flags.includes('-@') || (!overlay && df.bases.has(stem));
    const dtcFlags = flags.filter((f) => f !== '-@').filter(dtcKnowsFlag);
    out.push({ rel: relative(src, abs), abs, arch, overlay, dtcFlags, symbols });
  }
  return out;
}

export function dtcVersion(): string {
  const r = spawnSync('dtc', ['--version'], { encoding: 'utf8' });
  return (r.stdout ?? '').trim().replace(/^Version:\s*/, '') || 'unknown';
}
export function cppVersion(): string {
  const r = spawnSync('cpp', ['--version'], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n')[0]!.trim() || 'unknown';
}

/** The full dtc argument list the kernel would use (minus -o/-d and the input). */
export function dtcArgs(src: string, f: CorpusFile): string[] {
  return ['-O', 'dtb', '-b', '0', '-i', dirname(f.abs), '-i', includePrefixes(src), ...f.dtcFlags, ...(f.symbols ? ['-@'] : [])];
}

/**
 * Identity of the tree's corpus content: a hash over every file the DTS corpus can include
 * (arch/{arm,arm64,riscv}/boot/dts, include/dt-bindings). Reading ~55 MB takes well under a second.
 */
export function treeHash(src: string): string {
  const h = createHash('sha256');
  const files: string[] = [];
  const collect = (d: string): void => {
    if (!existsSync(d)) return;
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) collect(p);
      else if (st.isFile() || st.isSymbolicLink()) files.push(p);
    }
  };
  for (const part of ['arch/arm/boot/dts', 'arch/arm64/boot/dts', 'arch/riscv/boot/dts', 'include/dt-bindings']) collect(join(src, part));
  for (const p of files) {
    h.update(relative(src, p));
    h.update('\0');
    // A symlink counts by its target's content; a dangling one (a part not unpacked) by its target's name.
    try {
      h.update(readFileSync(p));
    } catch {
      h.update(`dangling -> ${readlinkSync(p)}`);
    }
    h.update('\0');
  }
  return h.digest('hex');
}

export interface RefResult {
  /** dtc (and cpp) exit status 0 and a blob written. */
  ok: boolean;
  dtb?: Uint8Array;
  /** cpp + dtc stderr (warnings and errors). */
  stderr: string;
  /** Which stage failed when !ok. */
  failedStage?: 'cpp' | 'dtc';
  /** Served from the cache. */
  cached?: boolean;
}

function runTool(cmd: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      if (stderr.length < 200_000) stderr += d;
    });
    child.on('error', (e) => resolve({ code: 127, stderr: stderr + String(e) }));
    child.on('close', (code) => resolve({ code: code ?? 128, stderr }));
  });
}

/** The kernel's build of one file: cpp into a temp .dts.tmp, then dtc on it (scripts/Makefile.dtbs cmd_dtc). */
export async function referenceBuild(src: string, f: CorpusFile, work: string): Promise<RefResult> {
  const tmpIn = join(work, `${basename(f.abs)}.tmp`);
  const out = join(work, `${basename(f.abs)}.dtb`);
  rmSync(out, { force: true });
  const cpp = await runTool('cpp', [...cppArgs(src), '-o', tmpIn, f.abs]);
  if (cpp.code !== 0) return { ok: false, stderr: cpp.stderr, failedStage: 'cpp' };
  const dtc = await runTool('dtc', ['-o', out, ...dtcArgs(src, f), tmpIn]);
  rmSync(tmpIn, { force: true });
  const stderr = cpp.stderr + dtc.stderr;
  if (dtc.code !== 0 || !existsSync(out)) {
    rmSync(out, { force: true });
    return { ok: false, stderr, failedStage: 'dtc' };
  }
  const dtb = new Uint8Array(readFileSync(out));
  rmSync(out, { force: true });
  return { ok: true, dtb, stderr };
}

/**
 * Reference blobs for every file, from the cache when the tree content, flags, cpp and dtc
 * versions are unchanged; otherwise built with `jobs` parallel cpp+dtc runs and stored.
 * Cache layout: <cache>/corpus-ref/<key of tree+tools>/<rel with / → __>.{json,dtb}.
 */
export async function referenceBuilds(
  src: string,
  files: CorpusFile[],
  opts: { jobs?: number; onProgress?: (done: number) => void } = {},
): Promise<RefResult[]> {
  const toolKey = createHash('sha256')
    .update(`${treeHash(src)}\n${dtcVersion()}\n${cppVersion()}\n${kernelDefaultDtcFlags.join(' ')}`)
    .digest('hex')
    .slice(0, 20);
  const dir = join(cacheDir(), 'corpus-ref', toolKey);
  mkdirSync(dir, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'carveout-corpus-'));
  let done = 0;
  try {
    return await pool(files, opts.jobs ?? 2, async (f) => {
      const base = join(dir, f.rel.replace(/\//g, '__'));
      const args = dtcArgs(src, f)
        .map((a) => a.replace(src, '<src>'))
        .join(' ');
      try {
        const meta = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as {
          ok: boolean;
          stderr: string;
          args: string;
          failedStage?: 'cpp' | 'dtc';
        };
        if (meta.args === args) {
          const r: RefResult = { ok: meta.ok, stderr: meta.stderr, cached: true };
          if (meta.failedStage) r.failedStage = meta.failedStage;
          if (meta.ok) r.dtb = new Uint8Array(readFileSync(`${base}.dtb`));
          opts.onProgress?.(++done);
          return r;
        }
      } catch {
        /* not cached yet */
      }
      const r = await referenceBuild(src, f, work);
      if (r.dtb) writeFileSync(`${base}.dtb`, r.dtb);
      writeFileSync(
        `${base}.json`,
        JSON.stringify({ ok: r.ok, stderr: r.stderr.replaceAll(src, '<src>'), args, failedStage: r.failedStage }),
      );
      opts.onProgress?.(++done);
      return r;
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Names of the dtc checks that warned, e.g. ['interrupt_provider', 'unit_address_vs_reg'], sorted with repeats. */
export function dtcWarningNames(stderr: string): string[] {
  return [...stderr.matchAll(/(?:Warning|ERROR) \(([a-z0-9_]+)\)/g)].map((m) => m[1]!).sort();
}

/** Where two blobs first differ, with the FDT block it falls in, for triage. */
export function firstDifference(a: Uint8Array, b: Uint8Array): string {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  if (i === n && a.length === b.length) return 'identical';
  const be = (x: Uint8Array, o: number): number =>
    x.length >= o + 4 ? ((x[o]! << 24) | (x[o + 1]! << 16) | (x[o + 2]! << 8) | x[o + 3]!) >>> 0 : 0;
  const offStruct = be(a, 8),
    offStrings = be(a, 12),
    offMemrsv = be(a, 16);
  const block = i < 40 ? 'header' : i < offMemrsv ? 'gap' : i < offStruct ? 'memreserve' : i < offStrings ? 'structure' : 'strings';
  return `sizes ${a.length}/${b.length}, first difference at 0x${i.toString(16)} (${block} block)`;
}

/** Decompiles a blob with Debian's dtc for a human-readable diff of two blobs (triage only). */
export function dtcDecompile(blob: Uint8Array): string {
  const r = spawnSync('dtc', ['-q', '-I', 'dtb', '-O', 'dts', '-s', '-'], { input: blob, encoding: 'utf8', maxBuffer: 64 << 20 });
  return r.stdout ?? '';
}

/** First differing line of two texts with a little context. */
export function firstTextDifference(a: string, b: string, context = 2): string {
  const la = a.split('\n'),
    lb = b.split('\n');
  let i = 0;
  while (i < la.length && i < lb.length && la[i] === lb[i]) i++;
  if (i === la.length && i === lb.length) return '(same text)';
  const from = Math.max(0, i - context);
  const show = (ls: string[]): string =>
    ls
      .slice(from, i + context + 1)
      .map((l, k) => `${from + k + 1 === i + 1 ? '>' : ' '} ${l}`)
      .join('\n');
  return `line ${i + 1}\n--- dtc\n${show(la)}\n+++ carveout\n${show(lb)}`;
}

// ---------------------------------------------------------------------------------------------
// carveout's side. src/compile.ts is written in parallel; it is loaded lazily so that the harness
// runs (and reports the missing piece loudly) before it exists.

export interface OurResult {
  dtb?: Uint8Array;
  diagnostics: Diagnostic[];
  threw?: string;
}
export interface OurCompiler {
  compileFile(path: string, opts: Partial<OurOptions>): OurResult | Promise<OurResult>;
  compileString?(
    text: string,
    opts: Partial<OurOptions> & { fileName: string; inputFormat?: string; preprocess?: boolean },
  ): OurResult | Promise<OurResult>;
}

/** src/compile.ts, or an explanation of why it cannot be loaded. */
export async function loadOurCompiler(): Promise<{ compiler?: OurCompiler; problem?: string }> {
  const path = '../../src/compile.js';
  try {
    const mod = (await import(path)) as Partial<OurCompiler>;
    if (typeof mod.compileFile !== 'function') return { problem: 'src/compile.ts exports no compileFile()' };
    return { compiler: mod as OurCompiler };
  } catch (e) {
    return { problem: `src/compile.ts cannot be loaded: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
  }
}

export interface OurOptions {
  includeDirs: string[];
  symbols: boolean;
  bootCpuid: number;
  checkFlags: { kind: 'W' | 'E'; name: string }[];
  cache?: unknown;
}
/**
 * compileFile options equal to the kernel's dtc flags: -i <dir> -i include-prefixes, -b 0, the
 * -W/-E flags in command-line order, -@ when it adds it. `cache`: a shared preprocessor cache.
 */
export function ourOptions(src: string, f: CorpusFile, cache?: unknown): OurOptions {
  const checkFlags = f.dtcFlags.flatMap((fl) => {
    const m = /^-([WE])(.+)$/.exec(fl);
    return m ? [{ kind: m[1] as 'W' | 'E', name: m[2]! }] : [];
  });
  const o: OurOptions = { includeDirs: [dirname(f.abs), includePrefixes(src)], symbols: f.symbols, bootCpuid: 0, checkFlags };
  if (cache !== undefined) o.cache = cache;
  return o;
}

/**
 * carveout's build of one corpus file, with the kernel's include dirs; never throws.
 * With `systemCpp` the system's `cpp` preprocesses (kernel flags) and carveout compiles its output
 * (linemarkers and all) with preprocess: false — to triage the parser, checks and DTB writer
 * apart from carveout's own preprocessor (CARVEOUT_CORPUS_CPP=system).
 */
export async function ourBuild(
  c: OurCompiler,
  src: string,
  f: CorpusFile,
  opts: { systemCpp?: boolean; cache?: unknown } = {},
): Promise<OurResult> {
  try {
    if (opts.systemCpp) {
      if (!c.compileString) return { diagnostics: [], threw: 'src/compile.ts exports no compileString()' };
      const pre = spawnSync('cpp', [...cppArgs(src), f.abs], { maxBuffer: 256 << 20, encoding: 'latin1' });
      if (pre.status !== 0)
        return {
          diagnostics: [
            { severity: 'error', code: 'system-cpp', message: pre.stderr, file: f.abs, line: 0, column: 0, endLine: 0, endColumn: 0 },
          ],
        };
      return await c.compileString(pre.stdout, { ...ourOptions(src, f), fileName: `${basename(f.abs)}.tmp`, preprocess: false });
    }
    return await c.compileFile(f.abs, ourOptions(src, f, opts.cache));
  } catch (e) {
    return { diagnostics: [], threw: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
}

/**
 * carveout's decompiler: src/fdt's validating reader (blob → tree) and DTS writer (tree → text),
 * loaded lazily like the compiler. `decompile` never throws.
 */
export interface OurDecompiler {
  decompile(blob: Uint8Array, name: string): { dts?: string; diagnostics: Diagnostic[] };
}
export async function loadOurDecompiler(): Promise<{ decompiler?: OurDecompiler; problem?: string }> {
  const readerPath = '../../src/fdt/reader.js',
    writerPath = '../../src/fdt/dts-writer.js';
  try {
    const { readDtb } = (await import(readerPath)) as {
      readDtb: (b: Uint8Array, f: string) => { tree?: unknown; diagnostics: Diagnostic[] };
    };
    const { writeDts } = (await import(writerPath)) as { writeDts: (t: unknown) => string };
    if (typeof readDtb !== 'function' || typeof writeDts !== 'function') return { problem: 'src/fdt lacks readDtb() or writeDts()' };
    return {
      decompiler: {
        decompile(blob, name) {
          const r = readDtb(blob, name);
          return r.tree ? { dts: writeDts(r.tree), diagnostics: r.diagnostics } : { diagnostics: r.diagnostics };
        },
      },
    };
  } catch (e) {
    return { problem: `src/fdt reader/dts-writer cannot be loaded: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
  }
}

/**
 * A composite DTB of a board Makefile, `name-dtbs := base.dtb overlay.dtbo ...` (`+=` adds parts):
 * scripts/Makefile.dtbs builds it with `fdtoverlay -o name.dtb -i base.dtb overlay.dtbo ...`.
 */
export interface Composite {
  /** Path of the composite blob relative to the kernel tree, e.g. arch/arm64/boot/dts/ti/k3-am625-x.dtb. */
  rel: string;
  arch: Arch;
  /** The parts in order: the base (a .dts, or another composite), then the overlays (.dtso). */
  parts: CompositePart[];
}
export type CompositePart = { kind: 'file'; file: CorpusFile } | { kind: 'composite'; rel: string } | { kind: 'missing'; name: string };

/** Every composite of arch/<arch>/boot/dts, its parts resolved to corpus files (listCorpus's, with their flags). */
export function listComposites(src: string, arch: Arch, files: readonly CorpusFile[]): Composite[] {
  const byAbs = new Map(files.map((f) => [f.abs, f]));
  const out: Composite[] = [];
  const makefiles: string[] = [];
  const collect = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) collect(p);
      else if (n === 'Makefile') makefiles.push(p);
    }
  };
  collect(join(src, 'arch', arch, 'boot/dts'));
  for (const mk of makefiles) {
    const dir = dirname(mk);
    const parts = new Map<string, string[]>();
    const text = readFileSync(mk, 'utf8').replace(/\\\n/g, ' ');
    for (const raw of text.split('\n')) {
      const m = /^(\S+)-dtbs\s*(:=|\+=|=)\s*(.*)$/.exec(raw.replace(/#.*/, '').trim());
      if (!m) continue;
      const prev = m[2] === '+=' ? (parts.get(m[1]!) ?? []) : [];
      parts.set(m[1]!, [...prev, ...m[3]!.split(/\s+/).filter(Boolean)]);
    }
    for (const [name, list] of parts) {
      out.push({
        rel: relative(src, join(dir, `${name}.dtb`)),
        arch,
        parts: list.map((p): CompositePart => {
          const stem = p.replace(/\.dtbo?$/, '');
          if (p.endsWith('.dtb') && parts.has(stem)) return { kind: 'composite', rel: relative(src, join(dir, p)) };
          const f = byAbs.get(join(dir, p.endsWith('.dtbo') ? `${stem}.dtso` : `${stem}.dts`));
          return f ? { kind: 'file', file: f } : { kind: 'missing', name: p };
        }),
      });
    }
  }
  return out;
}

/** `fdtoverlay -o out -i base overlays...` as cmd_fdtoverlay runs it; the blob, or its error output. */
export function fdtoverlayRun(base: Uint8Array, overlays: readonly Uint8Array[]): { dtb?: Uint8Array; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-composite-'));
  try {
    writeFileSync(join(dir, 'base.dtb'), base);
    const names = overlays.map((o, i) => {
      writeFileSync(join(dir, `${i}.dtbo`), o);
      return join(dir, `${i}.dtbo`);
    });
    const r = spawnSync('fdtoverlay', ['-o', join(dir, 'out.dtb'), '-i', join(dir, 'base.dtb'), ...names], { timeout: 60_000 });
    const stderr = r.stderr?.toString() ?? String(r.error);
    return r.status === 0 ? { dtb: new Uint8Array(readFileSync(join(dir, 'out.dtb'))), stderr } : { stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
