// The built-in C preprocessor: what `cpp -nostdinc -undef -D__DTS__ -x assembler-with-cpp` does
// for the kernel's DTS build (scripts/Makefile.dtbs, dtc_cpp_flags), in-process. The output must
// give dtc's lexer the very same tokens at the very same file:line positions as GCC's, so the
// design follows GCC's libcpp file by file:
//  - cpp-lex.ts        lex.cc: the text of a file to pp-tokens, cpp_avoid_paste
//  - cpp-macro.ts      macro.cc: macro expansion, built-in macros, #define bodies
//  - cpp-directives.ts directives.cc: the directives and the conditional stack
//  - cpp-expr.ts       expr.cc: #if expressions
//  - cpp-files.ts      files.cc: reading files, the #include search, the file stack
//  - cpp-output.ts     c-ppoutput.cc: the printed text and its linemarkers
// This file is the rest: the API, the reader's state (cpp_reader, internal.h), its set-up
// (init.cc: built-in macros, -D) and the token source that turns directive lines into actions
// (lex.cc _cpp_lex_token / _cpp_lex_direct). Every run has its own reader: nothing is shared
// between runs except what the caller passes in a PreprocessCache.
import { pushDiagnostic, type Diagnostic } from '../diagnostics.js';
import { InputError } from '../input.js';
import { F_BOL, F_WHITE, K, type LexedFile, type Tok, lexFragment, lexText, mkTok } from './cpp-lex.js';
import { BUILTINS, type Ctx, LimitError, type Macro, popContext, withFlags } from './cpp-macro.js';
import { handleDirective } from './cpp-directives.js';
import {
  type Buf,
  type PendingInclude,
  type PreprocessCache,
  createPreprocessCache,
  defaultRead,
  lexSource,
  popBuffer,
  pushBuffer,
  readSource,
  reportOpenConditionals,
} from './cpp-files.js';
import { Printer, lineChange, scanTranslationUnit } from './cpp-output.js';

export { type PreprocessCache, createPreprocessCache } from './cpp-files.js';

export interface PreprocessOptions {
  /** -I dirs, searched in order for <...>; "..." first searches the including file's directory. */
  includeDirs: string[];
  /** -D NAME=VALUE (value '' for -D NAME, which defines it as 1 like cpp does). */
  defines?: Record<string, string>;
  /** Predefine __DTS__ (default true), as the kernel's dtc_cpp_flags do. */
  dts?: boolean;
  /** Reads a file; undefined = not found. Defaults to node:fs. */
  readFile?: (path: string) => string | undefined;
  /** Shared across many preprocess calls in one process (file texts, their tokens, their parsed #defines). */
  cache?: PreprocessCache;
  /** Maximum #include nesting (GCC's default is 200). */
  maxIncludeDepth?: number;
}

export interface PreprocessResult {
  text: string;
  diagnostics: Diagnostic[];
  /** Every file read, main file first, in the order first opened. */
  files: string[];
}

export function preprocess(file: string, opts: PreprocessOptions): PreprocessResult {
  const r = new CppReader(opts);
  let text: string | undefined;
  let why = 'No such file or directory';
  try {
    text = readSource(r, file);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    why = e.why;
  }
  if (text === undefined) {
    return {
      text: '',
      diagnostics: [
        {
          severity: 'error',
          code: 'file-not-found',
          message: `${file}: ${why}`,
          file,
          line: 0,
          column: 0,
          endLine: 0,
          endColumn: 0,
        },
      ],
      files: [],
    };
  }
  return r.run(file, lexSource(r, file, text));
}

export function preprocessText(text: string, file: string, opts: PreprocessOptions): PreprocessResult {
  return new CppReader(opts).run(file, lexText(text));
}

/** What _cpp_lex_direct returns at the end of a directive line. */
const DIR_EOF: Tok = mkTok(K.EOF, '', 0, 0, 0);

/** The state of one preprocessing run (libcpp cpp_reader). */
export class CppReader {
  readonly includeDirs: string[];
  readonly readFn: (path: string) => string | undefined;
  readonly cache: PreprocessCache;
  readonly maxDepth: number;
  readonly macros = new Map<string, Macro>();
  readonly diags: Diagnostic[] = [];
  /** Diagnostics reported so far, the ones only counted past the cap included. */
  reported = 0;
  /** Every file read, in the order first opened (PreprocessResult.files), and as a set. */
  readonly files: string[] = [];
  readonly seen = new Set<string>();
  /** Files under `#pragma once` or read by `#import`. */
  readonly once = new Set<string>();
  /** Include files entered, by (name as written, path): the multiple-include optimisation. */
  readonly entered = new Set<string>();
  /** `#pragma push_macro` stacks by macro name. */
  readonly pushed = new Map<string, (Macro | undefined)[]>();
  readonly print: Printer;

  // The file stack (cpp-files.ts).
  bufs: Buf[] = [];
  buf!: Buf;
  /** Tokens handed back to the file's token stream (_cpp_backup_tokens outside a macro). */
  lookahead: Tok[] = [];
  /** For each file entered by #include, the includer's line to resume at. */
  resumeLine: number[] = [];
  pendingInclude: PendingInclude | null = null;
  /** The main file (__BASE_FILE__). */
  baseFile = '';

  // Macro expansion (cpp-macro.ts).
  ctxs: Ctx[] = [];
  /** 1 while looking for a function-like macro's '(', 2 while collecting its arguments. */
  parsingArgs = 0;
  /** > 0: names are not expanded (libcpp state.prevent_expansion). */
  preventExpansion = 0;
  /** __COUNTER__. */
  counter = 0;
  /** The outermost macro invocation being expanded (for diagnostics and __LINE__). */
  invocation: { tok: Tok; file: string; macro: Macro } | null = null;
  /** Tokens produced so far (getToken), against a runaway expansion. */
  work = 0;

  // Directives (cpp-directives.ts).
  inDirective = false;
  /** In a group a conditional skips. */
  skipping = false;
  /** Position of the directive being processed. */
  dirLine = 0;
  dirCol = 0;

  constructor(opts: PreprocessOptions) {
    this.includeDirs = opts.includeDirs.map((d) => (d.length > 1 ? d.replace(/\/+$/, '') : d));
    this.readFn = opts.readFile ?? defaultRead;
    this.cache = opts.cache ?? createPreprocessCache();
    this.maxDepth = opts.maxIncludeDepth ?? 200;
    this.print = new Printer(this.cache.output);
    this.cache.output = null;
    // What `cpp -undef -x assembler-with-cpp -dM` predefines (GCC 12), plus the kernel's -D__DTS__.
    this.defineText('__STDC__', '1');
    this.defineText('__STDC_HOSTED__', '1');
    this.defineText('__ASSEMBLER__', '1');
    if (opts.dts !== false) this.defineText('__DTS__', '1');
    for (const b of BUILTINS) {
      this.macros.set(b, {
        name: b,
        fun: false,
        params: [],
        variadic: false,
        body: [],
        disabledIn: null,
        builtin: b,
        file: '<built-in>',
        line: 0,
      });
    }
    const cmd: string[] = [];
    for (const [k, v] of Object.entries(opts.defines ?? {})) {
      if (v === undefined) this.macros.delete(k);
      else cmd.push(`#define ${k} ${v === '' ? '1' : v}\n`);
    }
    if (cmd.length) {
      // -D options are #define lines of a "<command-line>" buffer, as in GCC.
      pushBuffer(this, '<command-line>', lexText(cmd.join('')), -1);
      while (this.lexToken().k !== K.EOF) {
        /* directives only */
      }
      this.bufs = [];
      this.print.reset();
    }
  }

  /** An object-like macro predefined from its text (_cpp_define_builtin). */
  private defineText(name: string, value: string): void {
    const toks = lexFragment(value).map((t) => withFlags(t, t.f & F_WHITE));
    if (toks.length) toks[0] = withFlags(toks[0]!, 0);
    this.macros.set(name, { name, fun: false, params: [], variadic: false, body: toks, disabledIn: null, file: '<command-line>', line: 0 });
  }

  /** A diagnostic at a position, in the current file unless told (libcpp errors.cc). */
  report(
    severity: 'error' | 'warning',
    code: string,
    message: string,
    line: number,
    col: number,
    len = 1,
    file = this.buf?.name ?? '',
    hint?: string,
  ): void {
    // GCC prints no position on line 0 (after `#line 0`): only the file name.
    const column = line === 0 ? 0 : col;
    const d: Diagnostic = {
      severity,
      code,
      message,
      file,
      line,
      column,
      endLine: line,
      endColumn: line === 0 ? 0 : col + Math.max(1, len),
    };
    if (hint) d.hint = hint;
    this.reported++;
    pushDiagnostic(this.diags, d);
  }

  /** Report at a token: tokens from macro bodies are reported at the outermost invocation. */
  reportAt(severity: 'error' | 'warning', code: string, message: string, t: Tok, hint?: string): void {
    if (this.ctxs.length && this.invocation) {
      const inv = this.invocation.tok;
      const mac = this.ctxs.find((c) => c.macro)?.macro;
      const where = mac ? `in expansion of macro '${mac.name}'` : undefined;
      this.report(
        severity,
        code,
        message,
        inv.line + this.buf.lineDelta,
        inv.col,
        inv.t.length,
        this.invocation.file,
        hint && where ? `${hint}; ${where}` : (hint ?? where),
      );
    } else if (t.line > 0) {
      this.report(severity, code, message, t.line + this.buf.lineDelta, t.col, t.t.length || 1, this.buf.name, hint);
    } else {
      this.report(severity, code, message, this.dirLine, this.dirCol, 1, this.buf.name, hint);
    }
  }

  /** Physical line following the directive just processed. */
  lineAfterDirective(): number {
    const b = this.buf;
    return b.lf.afterNl.get(b.i) ?? b.lf.toks[b.i]!.line;
  }

  /** libcpp _cpp_lex_direct over the pre-lexed file. */
  lexDirect(): Tok {
    if (this.lookahead.length) return this.lookahead.pop()!;
    for (;;) {
      const b = this.buf;
      const t = b.lf.toks[b.i]!;
      if (this.inDirective && t.f & F_BOL) return DIR_EOF;
      if (t.k === K.EOF) {
        if (this.inDirective || this.parsingArgs || this.bufs.length === 1) return t;
        popBuffer(this);
        continue;
      }
      b.i++;
      return t;
    }
  }

  /** libcpp _cpp_lex_token: directives, line changes, skipped groups. */
  lexToken(): Tok {
    for (;;) {
      let t = this.lexDirect();
      if (t.f & F_BOL && t !== DIR_EOF) {
        // A new line inside a macro's arguments counts as white space (_cpp_lex_direct).
        if (this.parsingArgs === 2) t = withFlags(t, t.f | F_WHITE);
        if (t.k === K.PUNCT && t.t === '#' && this.parsingArgs !== 1 && !this.inDirective) {
          if (handleDirective(this, t)) continue;
        }
        if (!this.skipping) lineChange(this, t);
      }
      if (this.inDirective) return t;
      if (!this.skipping || t.k === K.EOF) return t;
    }
  }

  /** Hand the token just read back (_cpp_backup_tokens). */
  backup(t: Tok): void {
    if (this.ctxs.length) {
      this.ctxs[this.ctxs.length - 1]!.i--;
    } else if (t.k !== K.EOF) {
      this.lookahead.push(t);
    }
  }

  /** Preprocess a main file whose tokens are `lf`. */
  run(file: string, lf: LexedFile): PreprocessResult {
    try {
      return this.runUnguarded(file, lf);
    } catch (e) {
      // Macro definitions are shared through the cache: none may stay marked as being expanded.
      while (this.ctxs.length) popContext(this);
      // Hostile input only: macros that expand without end, or nesting deeper than the JS stack.
      if (!(e instanceof LimitError) && !(e instanceof RangeError)) throw e;
      const at = this.invocation?.tok;
      this.report(
        'error',
        'cpp-limit',
        e instanceof LimitError ? e.message : 'macro arguments or #if expression nested too deeply',
        at?.line ?? this.dirLine,
        at?.col ?? this.dirCol,
        1,
        this.invocation?.file ?? this.buf?.name ?? file,
      );
      return { text: '', diagnostics: this.diags, files: this.files };
    }
  }

  private runUnguarded(file: string, lf: LexedFile): PreprocessResult {
    this.baseFile = file;
    this.files.push(file);
    this.seen.add(file);
    pushBuffer(this, file, lf, -1);
    scanTranslationUnit(this, file);
    reportOpenConditionals(this, this.buf);
    const text = this.print.text();
    this.cache.output = this.print.release();
    return { text, diagnostics: this.diags, files: this.files };
  }
}
