// The compile pipeline, as dtc.c main() runs it: read the input (DTS through our C preprocessor
// and parser, or a DTB through the validating reader), run the checks and fix-ups
// (src/tree/checks.ts), generate -A aliases / -@ __symbols__ / overlay __fixups__, optionally
// sort, then write a DTB (src/fdt/writer.ts) or DTS (src/fdt/dts-writer.ts).
// Used by the CLI (`carveout compile`), loadBoard (src/board.ts, through loadDts), the dtc-tests
// conformance test, the kernel corpus test and the bench. Never throws for bad input: every problem is a Diagnostic.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { appendDiagnostics, diag, hasErrors, type Diagnostic } from './diagnostics.js';
import { readInputFile, whyUnreadable } from './input.js';
import type { Tree } from './tree/types.js';
import { KERNEL_CHECK_FLAGS, processChecks, type CheckFlag, type PhandleStyle } from './tree/checks.js';
import { generateFixupsTree, generateLabelTree, generateLocalFixupsTree, sortTree } from './tree/fixups.js';
import { preprocess, preprocessText, type PreprocessCache } from './source/preprocess.js';
import { parseDts } from './source/parser.js';
import { isDtb, readDtb } from './fdt/reader.js';
import { writeDtb } from './fdt/writer.js';
import { writeDts } from './fdt/dts-writer.js';

export interface CompileOptions {
  /** `-i DIR`: search path for both `#include` (cpp) and `/include/`. */
  includeDirs?: string[];
  /** `-I`: default guessed like dtc (DTB magic, else `.dtb`/`.dtbo` name, else dts). */
  inputFormat?: 'dts' | 'dtb';
  /** `-O`: default dtb. */
  outputFormat?: 'dtb' | 'dts';
  /** Run our C preprocessor first (default true for DTS input; dtc itself never does). */
  preprocess?: boolean;
  /** `-D` style macros for the preprocessor. */
  defines?: Record<string, string>;
  /** `-H` (dtc default epapr). */
  phandleStyle?: PhandleStyle;
  /** `-@`: generate __symbols__. */
  symbols?: boolean;
  /** `-A`: generate /aliases from labels. */
  autoAliases?: boolean;
  /** `-f`: write output even if the checks found errors. */
  force?: boolean;
  /** `-s`: sort nodes and properties. */
  sort?: boolean;
  /**
   * Check levels by name: true = `-W name`, false = `-Wno-name -Eno-name`, 'error' = `-E name`.
   * Applied before `checkFlags`.
   */
  warnings?: Record<string, boolean | 'error'>;
  /** `-W`/`-E` switches in command-line order. */
  checkFlags?: CheckFlag[];
  /**
   * Start from the kernel build's switches (KERNEL_CHECK_FLAGS: -Wno-unit_address_vs_reg, ...)
   * instead of dtc's defaults. Default false for compile, true for loadDts.
   */
  kernelWarnings?: boolean;
  /** `-q` count. */
  quiet?: number;
  /** `-b`. */
  bootCpuid?: number;
  /** `-p`. */
  padding?: number;
  /** `-S`. */
  space?: number;
  /** `-a`. */
  align?: number;
  /** `-R`. */
  reserve?: number;
  /** `-V` (default 17). */
  version?: number;
  /** Name dtc prints for messages without a source position (its output file name). */
  outName?: string;
  /** Passed to the preprocessor (shared include cache across many compiles; createPreprocessCache()). */
  cache?: unknown;
}

export interface CompileResult {
  /** The final tree (after checks and fix-ups) when input could be read. */
  tree?: Tree;
  dtb?: Uint8Array;
  dts?: string;
  diagnostics: Diagnostic[];
  /** Where compilation stopped: dtc exits 1 for `input`, 2 for `checks`. */
  failed?: 'input' | 'checks' | 'output';
  /** Every file read (input, #include, /include/, /incbin/), for `-d` dependency output. */
  files?: string[];
}

export type LoadResult = { tree?: Tree; diagnostics: Diagnostic[]; files?: string[] };

/** dtc.c guess_input_format + guess_type_by_name. */
export function guessInputFormat(path: string): 'dts' | 'dtb' {
  let fd: number | undefined;
  try {
    if (statSync(path).isFile()) {
      fd = openSync(path, 'r');
      const b = Buffer.alloc(4);
      if (readSync(fd, b, 0, 4, 0) === 4 && isDtb(b)) return 'dtb';
    }
  } catch {
    // falls back on the name, as dtc does when it cannot stat or read
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return /\.dtbo?$/.test(path) ? 'dtb' : 'dts';
}

function readError(path: string, e: unknown): Diagnostic {
  return diag('error', 'file-not-found', `Couldn't open "${path}": ${whyUnreadable(e)}`, {
    file: path,
    line: 0,
    column: 0,
    endLine: 0,
    endColumn: 0,
  });
}

/** Parse (and by default preprocess) DTS source text into an unresolved tree. */
function parseSource(text: string | undefined, fileName: string, opts: CompileOptions): LoadResult {
  const diagnostics: Diagnostic[] = [];
  const files: string[] = [];
  const includeDirs = opts.includeDirs ?? [];
  let src = text;
  if (opts.preprocess ?? true) {
    const ppOpts = { includeDirs, defines: opts.defines, cache: opts.cache as PreprocessCache | undefined };
    const pp = text !== undefined ? preprocessText(text, fileName, ppOpts) : preprocess(fileName, ppOpts);
    appendDiagnostics(diagnostics, pp.diagnostics);
    files.push(...pp.files);
    if (hasErrors(pp.diagnostics)) return { diagnostics, files };
    src = pp.text;
  } else if (src === undefined) {
    try {
      src = readInputFile(fileName).toString('latin1');
    } catch (e) {
      return { diagnostics: [readError(fileName, e)] };
    }
  }
  const r = parseDts(src, fileName, { includeDirs });
  appendDiagnostics(diagnostics, r.diagnostics);
  for (const f of r.files) if (!files.includes(f)) files.push(f);
  if (hasErrors(r.diagnostics) || !r.tree) return { diagnostics, files };
  return { tree: r.tree, diagnostics, files };
}

/**
 * `dtcCompat`: accept exactly the blobs dtc 1.6.1's reader accepts (compile, decompile); without
 * it the reader is libfdt-strict, as the kernel is (plan, check).
 */
function loadInput(path: string, text: string | undefined, opts: CompileOptions, dtcCompat: boolean): LoadResult {
  const format = opts.inputFormat ?? (text !== undefined ? 'dts' : guessInputFormat(path));
  if (format === 'dtb') {
    let bytes: Uint8Array;
    try {
      bytes = text !== undefined ? Buffer.from(text, 'latin1') : readInputFile(path);
    } catch (e) {
      return { diagnostics: [readError(path, e)] };
    }
    const r = readDtb(bytes, path, { dtcCompat });
    if (hasErrors(r.diagnostics)) return { diagnostics: r.diagnostics, files: [path] };
    return { ...r, files: [path] };
  }
  return parseSource(text, path, opts);
}

function checkFlagsOf(opts: CompileOptions): CheckFlag[] {
  const flags: CheckFlag[] = [];
  for (const [name, v] of Object.entries(opts.warnings ?? {})) {
    if (v === true) flags.push({ kind: 'W', name });
    else if (v === 'error') flags.push({ kind: 'E', name });
    else flags.push({ kind: 'W', name: `no-${name}` }, { kind: 'E', name: `no-${name}` });
  }
  return [...(opts.kernelWarnings ? KERNEL_CHECK_FLAGS : []), ...flags, ...(opts.checkFlags ?? [])];
}

/**
 * dtc.c main() from process_checks() on: checks and fix-ups, generated trees, sort. Mutates
 * `tree`. Returns false (with diagnostics) when dtc would stop here.
 */
export function finishTree(tree: Tree, opts: CompileOptions, diagnostics: Diagnostic[]): { ok: boolean; failed?: 'checks' } {
  if (opts.bootCpuid !== undefined) tree.bootCpuidPhys = opts.bootCpuid >>> 0;
  const r = processChecks(tree, {
    phandleStyle: opts.phandleStyle,
    symbols: opts.symbols,
    checkFlags: checkFlagsOf(opts),
    quiet: opts.quiet,
    outName: opts.outName,
  });
  appendDiagnostics(diagnostics, r.diagnostics);
  if (r.aborted) return { ok: false, failed: 'checks' };
  if (r.errors) {
    if (!opts.force) return { ok: false, failed: 'checks' };
    if ((opts.quiet ?? 0) < 3) diagnostics.push(diag('warning', 'output-forced', 'Input tree has errors, output forced'));
  }
  const ctx = r.ctx;
  const seen = ctx.diagnostics.length;
  if (opts.autoAliases) generateLabelTree(ctx, 'aliases', false);
  if (opts.symbols) generateLabelTree(ctx, '__symbols__', true);
  // On a plugin, dtc generates the fixups by default.
  if (tree.plugin) {
    if (!generateFixupsTree(ctx, '__fixups__')) {
      appendDiagnostics(diagnostics, ctx.diagnostics.slice(seen));
      return { ok: false, failed: 'checks' };
    }
    generateLocalFixupsTree(ctx, '__local_fixups__');
  }
  // Messages from the generators (label already exists, ...).
  appendDiagnostics(diagnostics, ctx.diagnostics.slice(seen));
  if (opts.sort) sortTree(tree);
  return { ok: true };
}

function compile(path: string, text: string | undefined, opts: CompileOptions, write = true): CompileResult {
  const loaded = loadInput(path, text, opts, write);
  const diagnostics = [...loaded.diagnostics];
  const files = loaded.files ?? [];
  if (!loaded.tree) return { diagnostics, failed: 'input', files };
  const tree = loaded.tree;
  const fin = finishTree(tree, opts, diagnostics);
  if (!fin.ok) return { tree, diagnostics, failed: fin.failed, files };
  if (!write) return { tree, diagnostics, files };
  if ((opts.outputFormat ?? 'dtb') === 'dts') return { tree, dts: writeDts(tree), diagnostics, files };
  if (opts.padding && opts.space) {
    diagnostics.push(diag('error', 'usage', "Can't set both -p and -S"));
    return { tree, diagnostics, failed: 'output', files };
  }
  const before = diagnostics.length;
  const dtb = writeDtb(tree, {
    version: opts.version as 17 | undefined,
    reserve: opts.reserve,
    space: opts.space,
    pad: opts.padding,
    align: opts.align,
    diagnostics,
  });
  if (hasErrors(diagnostics.slice(before))) return { tree, diagnostics, failed: 'output', files };
  return { tree, dtb, diagnostics, files };
}

/** Compile a file like `dtc [-I dts|dtb] [-O dtb|dts] file`. */
export function compileFile(path: string, opts: CompileOptions = {}): CompileResult {
  return compile(path, undefined, opts);
}

/** Compile DTS source text (e.g. a decompiled blob) without a temporary file. */
export function compileString(text: string, opts: CompileOptions & { fileName?: string } = {}): CompileResult {
  return compile(opts.fileName ?? '<input>', text, { ...opts, inputFormat: opts.inputFormat ?? 'dts' });
}

/**
 * The DTS half of loadBoard (src/board.ts): preprocess, parse, checks and fix-ups (phandles
 * resolved, `-@` if asked), no output; warnings as the kernel build reports them. The tree is
 * returned only when dtc would accept the input (or with `force`).
 */
export function loadDts(path: string, opts: CompileOptions = {}): LoadResult {
  const r = compile(path, undefined, { kernelWarnings: true, ...opts }, false);
  if (r.failed)
    return r.failed === 'checks' && opts.force && r.tree
      ? { tree: r.tree, diagnostics: r.diagnostics, files: r.files }
      : { diagnostics: r.diagnostics, files: r.files };
  return { tree: r.tree, diagnostics: r.diagnostics, files: r.files };
}
