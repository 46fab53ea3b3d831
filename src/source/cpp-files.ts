// Source files and the file stack, after GCC's libcpp/files.cc: reading each file once per cache
// and lexing it once (cpp-lex.ts), the #include search (the includer's directory for "...", then
// -I in order; #include_next continues after the directory the current file came from), the
// multiple-include optimisation and `#pragma once`, and entering and leaving files with the
// linemarkers c-ppoutput.cc prints for them (cpp-output.ts).
import { InputError, readInputFile } from '../input.js';
import { F_BOL, K, type LexedFile, type Tok, lexText } from './cpp-lex.js';
import type { Cond } from './cpp-directives.js';
import type { CppReader } from './preprocess.js';

export interface PreprocessCache {
  /** File texts by path (undefined: known not to exist). */
  files: Map<string, string | undefined>;
  /** Tokenised files by path. */
  lexed: Map<string, LexedFile>;
  /**
   * A spare output buffer: a run takes it while it runs (a run started meanwhile finds none and
   * makes its own) and leaves its own here when done, so the bench's thousands of runs do not
   * each allocate and grow one.
   */
  output?: Uint8Array | null;
}

export function createPreprocessCache(): PreprocessCache {
  return { files: new Map(), lexed: new Map(), output: null };
}

/**
 * The file system reader: undefined when the file cannot be opened; a directory, a device or a
 * file too large throws InputError (src/input.ts bounds what is read).
 */
export function defaultRead(path: string): string | undefined {
  try {
    // latin1: one char per byte, as GCC and dtc see the file (UTF-8 text passes through unchanged).
    return readInputFile(path).toString('latin1');
  } catch (e) {
    if (e instanceof InputError) throw e;
    return undefined;
  }
}

/** A file being read (libcpp cpp_buffer). */
export interface Buf {
  path: string;
  /** Directory prefix for "..." includes: the path up to and including its last '/'. */
  dir: string;
  lf: LexedFile;
  i: number;
  conds: Cond[];
  /** Index in includeDirs where this file was found (-1: by its own name or the includer's dir). */
  dirIndex: number;
  /** Presumed name and line offset after `#line`. */
  name: string;
  lineDelta: number;
}

/** An include file found on the search path. */
export interface FoundFile {
  path: string;
  lf: LexedFile;
  /** Index in includeDirs (-1: by its own name or the includer's directory). */
  dirIndex: number;
}

/** A found #include, entered when its directive line is done; `line` is the directive's. */
export interface PendingInclude extends FoundFile {
  line: number;
}

/** A file's text, read once per cache (undefined: it does not exist). */
export function readSource(r: CppReader, path: string): string | undefined {
  const c = r.cache.files;
  if (c.has(path)) return c.get(path);
  const t = r.readFn(path);
  c.set(path, t);
  return t;
}

/** A file's tokens, lexed once per cache. */
export function lexSource(r: CppReader, path: string, text: string): LexedFile {
  let lf = r.cache.lexed.get(path);
  if (!lf) {
    lf = lexText(text);
    r.cache.lexed.set(path, lf);
  }
  return lf;
}

/** Make a file the one being read (_cpp_stack_file / cpp_push_buffer). */
export function pushBuffer(r: CppReader, path: string, lf: LexedFile, dirIndex: number): void {
  const slash = path.lastIndexOf('/');
  const b: Buf = { path, dir: slash >= 0 ? path.slice(0, slash + 1) : '', lf, i: 0, conds: [], dirIndex, name: path, lineDelta: 0 };
  r.bufs.push(b);
  r.buf = b;
  for (const p of lf.problems) r.report(p.severity, p.code, p.message, p.line, p.col, 2, path);
}

/** A file's conditionals still open at its end (_cpp_pop_buffer). */
export function reportOpenConditionals(r: CppReader, b: Buf): void {
  for (const c of b.conds) {
    r.report('error', 'unterminated-conditional', `unterminated #${c.type}`, c.line, c.col, c.type.length + 1, b.name);
  }
}

/** End of an included file: report open conditionals, return to the includer (_cpp_pop_buffer). */
export function popBuffer(r: CppReader): void {
  reportOpenConditionals(r, r.buf);
  r.skipping = false;
  r.bufs.pop();
  r.buf = r.bufs[r.bufs.length - 1]!;
  // The includer resumes on the line after its #include (LC_LEAVE in pp_file_change).
  r.print.printLine(r.resumeLine.pop() ?? 1, r.buf.name, ' 2');
}

/**
 * Find an include file the way libcpp does (_cpp_find_file); its path is as cpp would print it.
 * A directory is passed over as libcpp's open_file does (the search goes on); when nothing else
 * is found, `unreadable` says why the last directory or file met could not be read.
 */
export function findInclude(
  r: CppReader,
  name: string,
  angled: boolean,
  next: boolean,
  unreadable: { why?: string } = {},
): FoundFile | undefined {
  const tryPath = (p: string, dirIndex: number): FoundFile | undefined => {
    let text: string | undefined;
    try {
      text = readSource(r, p);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      unreadable.why = e.why;
      return undefined;
    }
    if (text === undefined) return undefined;
    return { path: p, lf: lexSource(r, p, text), dirIndex };
  };
  if (name.startsWith('/')) return tryPath(name, -1);
  let start = 0;
  if (next && r.bufs.length > 1) start = r.buf.dirIndex + 1;
  else if (!angled && !next) {
    const found = tryPath(r.buf.dir + name, -1);
    if (found) return found;
  }
  for (let i = start; i < r.includeDirs.length; i++) {
    const d = r.includeDirs[i]!;
    const found = tryPath(d === '' ? name : d.endsWith('/') ? d + name : `${d}/${name}`, i);
    if (found) return found;
  }
  return undefined;
}

/**
 * The file an #include names (_cpp_stack_include, should_stack_file): found, not already read
 * under `#pragma once` / `#import`, not guarded out; entered when its directive line ends.
 */
export function stackInclude(r: CppReader, name: string, angled: boolean, kind: string): void {
  const unreadable: { why?: string } = {};
  const f = findInclude(r, name, angled, kind === 'include_next', unreadable);
  if (!f && unreadable.why !== undefined) {
    r.report('error', 'include-not-found', `${name}: ${unreadable.why}`, r.dirLine, r.dirCol, 8, r.buf.name);
    return;
  }
  if (!f) {
    const where = r.includeDirs.length
      ? `searched: ${angled ? '' : (r.buf.dir || './') + ', '}${r.includeDirs.join(', ')}`
      : 'no include directories given (-I)';
    r.report('error', 'include-not-found', `${name}: No such file or directory`, r.dirLine, r.dirCol, 8, r.buf.name, where);
    return;
  }
  if (r.once.has(f.path)) return;
  // Multiple-include optimisation (libcpp files.cc should_stack_file): a file wholly inside
  // `#ifndef GUARD ... #endif` is not entered again once GUARD is defined — no tokens and no
  // linemarkers, exactly as GCC prints it.
  // libcpp keys this on its _cpp_file, one per (name as written, directory found in).
  const key = `${name}\0${f.path}`;
  const guard = includeGuard(f.lf);
  if (guard !== null && r.macros.has(guard) && r.entered.has(key)) return;
  r.entered.add(key);
  if (kind === 'import') r.once.add(f.path);
  r.pendingInclude = { ...f, line: r.dirLine };
}

/** Enter an #include once its directive line is done (_cpp_stack_include). */
export function enterInclude(r: CppReader, { path, lf, dirIndex, line }: PendingInclude): void {
  if (!r.seen.has(path)) {
    r.seen.add(path);
    r.files.push(path);
  }
  // pp_file_change(LC_ENTER): bring the output to the #include line, then the marker.
  r.resumeLine.push(r.lineAfterDirective() + r.buf.lineDelta);
  r.print.maybePrintLine(line, r.buf.name);
  pushBuffer(r, path, lf, dirIndex);
  r.print.printLine(1, path, ' 1');
}

/** The controlling macro of a file (`#ifndef X` / `#if !defined X` first, matching `#endif` last). */
function includeGuard(lf: LexedFile): string | null {
  if (lf.guard === undefined) lf.guard = findGuard(lf.toks);
  return lf.guard;
}

function findGuard(toks: Tok[]): string | null {
  const isP = (t: Tok | undefined, p: string): boolean => !!t && t.k === K.PUNCT && t.t === p;
  const t0 = toks[0];
  if (!isP(t0, '#') || !(t0!.f & F_BOL) || toks[1]?.k !== K.NAME) return null;
  let name: string | null = null;
  let i = 2;
  if (toks[1]!.t === 'ifndef' && toks[2]?.k === K.NAME) {
    name = toks[2]!.t;
    i = 3;
  } else if (toks[1]!.t === 'if' && isP(toks[2], '!') && toks[3]?.k === K.NAME && toks[3]!.t === 'defined') {
    if (toks[4]?.k === K.NAME) {
      name = toks[4]!.t;
      i = 5;
    } else if (isP(toks[4], '(') && toks[5]?.k === K.NAME && isP(toks[6], ')')) {
      name = toks[5]!.t;
      i = 7;
    }
  }
  if (name === null || !(toks[i]!.f & F_BOL)) return null;
  let depth = 1;
  for (; i < toks.length; i++) {
    const t = toks[i]!;
    if (!(t.f & F_BOL) || !isP(t, '#')) continue;
    const d = toks[i + 1];
    if (!d || d.k !== K.NAME || d.f & F_BOL) continue;
    if (d.t === 'if' || d.t === 'ifdef' || d.t === 'ifndef') depth++;
    else if (d.t === 'endif') {
      if (--depth === 0) {
        let j = i + 2;
        while (j < toks.length && !(toks[j]!.f & F_BOL)) j++;
        return toks[j]?.k === K.EOF ? name : null;
      }
    } else if ((d.t === 'else' || d.t === 'elif') && depth === 1) return null;
  }
  return null;
}
