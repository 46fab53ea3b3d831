// The built-in C preprocessor: what `cpp -nostdinc -undef -D__DTS__ -x assembler-with-cpp` does for
// the kernel's DTS build (scripts/Makefile.dtbs, dtc_cpp_flags), in-process.
//
// The design follows GCC's libcpp closely, because the output must give dtc's lexer the very same
// tokens at the very same file:line positions:
//  - macro expansion is a stack of token contexts (libcpp/macro.cc: cpp_get_token_1,
//    enter_macro_context, collect_args, replace_args, paste_all_tokens), with the "padding"
//    tokens libcpp uses to decide where the output needs a space;
//  - the output follows c-family/c-ppoutput.cc (scan_translation_unit, maybe_print_line,
//    cb_line_change): one output line per source logical line, newlines to catch up when the gap
//    is under 8 lines, a `# LINE "FILE"` linemarker otherwise, and markers with flags 1/2 when
//    entering/leaving an #include, so positions map back to the original files;
//  - assembler-with-cpp quirks (libcpp/directives.cc _cpp_handle_directive): an unknown directive
//    such as `#address-cells = <1>;` is not an error but ordinary text, `#` not followed by a
//    macro parameter in a function-like macro is a literal `#`, and a failed `##` paste keeps the
//    two tokens without an error.
import { readFileSync } from 'node:fs';
import type { Diagnostic } from '../diagnostics.js';
import { F_BOL, F_NOEXP, F_PASTE, F_STRINGIFY, F_WHITE, K, type LexedFile, type Tok, lexFragment, lexText, mkTok } from './cpp-lex.js';
import { evalExpr, type ExprHost } from './cpp-expr.js';

export interface PreprocessCache {
  /** File texts by path (undefined: known not to exist). */
  files: Map<string, string | undefined>;
  /** Tokenised files by path. */
  lexed: Map<string, LexedFile>;
}

export function createPreprocessCache(): PreprocessCache {
  return { files: new Map(), lexed: new Map() };
}

export interface PreprocessOptions {
  /** -I dirs, searched in order for <...>; "..." first searches the including file's directory. */
  includeDirs: string[];
  /** -D NAME=VALUE (value '' for -D NAME, which defines it as 1 like cpp does). */
  defines?: Record<string, string>;
  /** Predefine __DTS__ (default true), as the kernel's dtc_cpp_flags do. */
  dts?: boolean;
  /** Reads a file; undefined = not found. Defaults to node:fs. */
  readFile?: (path: string) => string | undefined;
  /** Shared across many preprocess calls in one process (file texts and their tokens). */
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
  const pp = new Preprocessor(opts);
  const text = pp.read(file);
  if (text === undefined) {
    return {
      text: '',
      diagnostics: [
        {
          severity: 'error',
          code: 'file-not-found',
          message: `${file}: No such file or directory`,
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
  return pp.run(file, pp.lex(file, text));
}

export function preprocessText(text: string, file: string, opts: PreprocessOptions): PreprocessResult {
  const pp = new Preprocessor(opts);
  return pp.run(file, lexText(text));
}

function defaultRead(path: string): string | undefined {
  try {
    // latin1: one char per byte, as GCC and dtc see the file (UTF-8 text passes through unchanged).
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

interface Macro {
  name: string;
  fun: boolean;
  params: string[];
  variadic: boolean;
  body: Tok[];
  disabled: boolean;
  builtin?: string;
  file: string;
  line: number;
}

interface Ctx {
  toks: Tok[];
  i: number;
  macro: Macro | null;
  /** Pre-expansion of a macro argument (expand_arg): its tokens keep their own locations. */
  arg: boolean;
  /** Macro and argument contexts: the line of the expansion point their tokens resolve to. */
  xline: number;
}

interface Cond {
  type: string;
  wasSkipping: boolean;
  skipElses: boolean;
  line: number;
  col: number;
}

interface Buf {
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

interface Arg {
  toks: Tok[];
  /** The variadic argument was left out entirely (GNU `, ## __VA_ARGS__` then eats the comma). */
  absent: boolean;
  exp: Tok[] | null;
  str: Tok | null;
}

// The output is written as latin1 bytes (characters above U+00FF patched in at the end) into one buffer shared by all runs (preprocessing is
// synchronous) and decoded once: no per-token string allocation, which otherwise kept the
// young-generation GC busy for half the run time.
let OUT = new Uint8Array(1 << 16);
function growOut(need: number): void {
  let size = OUT.length * 2;
  while (size < need) size *= 2;
  const n = new Uint8Array(size);
  n.set(OUT);
  OUT = n;
}

/** Far above any real device tree (the largest kernel DTS yields well under a million tokens). */
const WORK_LIMIT = 50_000_000;
class LimitError extends Error {}

const AVOID_PASTE: Tok = mkTok(K.PADDING, '', 0, 0, 0);
const ARG_EOF: Tok = mkTok(K.EOF, '', 0, 0, 0);
const DIR_EOF: Tok = mkTok(K.EOF, '', 0, 0, 0);

const CONDITIONALS = new Set(['if', 'ifdef', 'ifndef', 'elif', 'else', 'endif']);
const DIRECTIVES = new Set([
  'define',
  'include',
  'endif',
  'ifdef',
  'if',
  'else',
  'ifndef',
  'undef',
  'line',
  'elif',
  'error',
  'pragma',
  'warning',
  'include_next',
  'ident',
  'import',
  'assert',
  'unassert',
  'sccs',
]);

/** GCC's cpp_quote_string: backslash-escape `\` and `"` (and newline). */
function quoteString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' || c === '"') out += '\\' + c;
    else if (c === '\n') out += '\\n';
    else out += c;
  }
  return out;
}

// libcpp/lex.cc cpp_avoid_paste: would printing `b` right after `a` lex differently?
const EQ_PASTERS = new Set(['=', '!', '>', '<', '+', '-', '*', '/', '%', '&', '|', '^', '>>', '<<']);
function avoidPaste(a: Tok, b: Tok): boolean {
  const c = b.k === K.PUNCT ? b.t[0]! : '';
  if (a.k === K.PUNCT) {
    if (c === '=' && EQ_PASTERS.has(a.t)) return true;
    switch (a.t) {
      case '>':
        return c === '>';
      case '<':
        return c === '<' || c === '%' || c === ':';
      case '+':
        return c === '+';
      case '-':
        return c === '-' || c === '>';
      case '/':
        return c === '/' || c === '*';
      case '%':
        return c === ':' || c === '%';
      case '&':
        return c === '&';
      case '|':
        return c === '|';
      case ':':
        return c === ':' || c === '>';
      case '->':
        return c === '*';
      case '.':
        return c === '.' || c === '%' || b.k === K.NUMBER;
      case '#':
        return c === '#' || c === '%';
      case '<=':
        return c === '>';
    }
    return false;
  }
  switch (a.k) {
    // A number made of identifier characters only (`1`, `1x`, not `0x1e+A` or `1.5`) would glue
    // onto the name (libcpp name_p).
    case K.NAME:
      return b.k === K.NAME || b.k === K.CHAR || b.k === K.STRING || (b.k === K.NUMBER && /^[A-Za-z0-9_$]+$/.test(b.t));
    case K.NUMBER:
      return b.k === K.NUMBER || b.k === K.NAME || b.k === K.CHAR || c === '.' || c === '+' || c === '-';
    case K.OTHER:
      return a.t[0] === '\\' && b.k === K.NAME;
  }
  return false;
}

export class Preprocessor {
  private readonly includeDirs: string[];
  private readonly readFn: (path: string) => string | undefined;
  private readonly cache: PreprocessCache;
  private readonly maxDepth: number;
  private readonly macros = new Map<string, Macro>();
  private readonly diags: Diagnostic[] = [];
  private readonly files: string[] = [];
  private readonly seen = new Set<string>();
  private readonly once = new Set<string>();
  private readonly entered = new Set<string>();

  private bufs: Buf[] = [];
  private buf!: Buf;
  private lookahead: Tok[] = [];
  private ctxs: Ctx[] = [];
  private inDirective = false;
  private parsingArgs = 0;
  private preventExpansion = 0;
  private skipping = false;
  private counter = 0;
  private baseFile = '';
  /** The outermost macro invocation being expanded (for diagnostics and __LINE__). */
  private invocation: { tok: Tok; file: string; macro: Macro } | null = null;
  private pendingInclude: { path: string; lf: LexedFile; dirIndex: number; line: number } | null = null;

  // Output state (c-ppoutput.cc `print`).
  /** Output length in OUT. */
  private olen = 0;
  /** (offset, char) pairs of output characters above U+00FF (only from non-latin1 input text). */
  private wide: number[] = [];

  private emit(s: string): void {
    const n = this.olen,
      l = s.length;
    if (n + l > OUT.length) growOut(n + l);
    const o = OUT;
    for (let i = 0; i < l; i++) {
      const c = s.charCodeAt(i);
      if (c > 255) this.wide.push(n + i, c);
      o[n + i] = c;
    }
    this.olen = n + l;
  }

  private emitChar(c: number, count = 1): void {
    const n = this.olen;
    if (n + count > OUT.length) growOut(n + count);
    if (count === 1) OUT[n] = c;
    else OUT.fill(c, n, n + count);
    this.olen = n + count;
  }
  private srcLine = 0;
  private srcFile = '';
  private printed = false;
  private prev: Tok | null = null;
  private source: Tok | null = null;
  private avoid = false;

  constructor(opts: PreprocessOptions) {
    this.includeDirs = opts.includeDirs.map((d) => (d.length > 1 ? d.replace(/\/+$/, '') : d));
    this.readFn = opts.readFile ?? defaultRead;
    this.cache = opts.cache ?? createPreprocessCache();
    this.maxDepth = opts.maxIncludeDepth ?? 200;
    // What `cpp -undef -x assembler-with-cpp -dM` predefines (GCC 12), plus the kernel's -D__DTS__.
    this.defineText('__STDC__', '1');
    this.defineText('__STDC_HOSTED__', '1');
    this.defineText('__ASSEMBLER__', '1');
    if (opts.dts !== false) this.defineText('__DTS__', '1');
    for (const b of [
      '__FILE__',
      '__LINE__',
      '__COUNTER__',
      '__INCLUDE_LEVEL__',
      '__BASE_FILE__',
      '__FILE_NAME__',
      '__DATE__',
      '__TIME__',
      '__TIMESTAMP__',
    ]) {
      this.macros.set(b, {
        name: b,
        fun: false,
        params: [],
        variadic: false,
        body: [],
        disabled: false,
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
      this.pushBuffer('<command-line>', lexText(cmd.join('')), -1);
      while (this.lexToken().k !== K.EOF) {
        /* directives only */
      }
      this.bufs = [];
      this.olen = 0;
      this.printed = false;
    }
  }

  read(path: string): string | undefined {
    const c = this.cache.files;
    if (c.has(path)) return c.get(path);
    const t = this.readFn(path);
    c.set(path, t);
    return t;
  }

  lex(path: string, text: string): LexedFile {
    let lf = this.cache.lexed.get(path);
    if (!lf) {
      lf = lexText(text);
      this.cache.lexed.set(path, lf);
    }
    return lf;
  }

  private defineText(name: string, value: string): void {
    const toks = lexFragment(value).map((t) => withFlags(t, t.f & F_WHITE));
    if (toks.length) toks[0] = withFlags(toks[0]!, 0);
    this.macros.set(name, { name, fun: false, params: [], variadic: false, body: toks, disabled: false, file: '<command-line>', line: 0 });
  }

  // ---------------------------------------------------------------- diagnostics

  private report(
    severity: 'error' | 'warning',
    code: string,
    message: string,
    line: number,
    col: number,
    len = 1,
    file = this.buf?.name ?? '',
    hint?: string,
  ): void {
    const d: Diagnostic = { severity, code, message, file, line, column: col, endLine: line, endColumn: col + Math.max(1, len) };
    if (hint) d.hint = hint;
    this.diags.push(d);
  }

  /** Report at a token: tokens from macro bodies are reported at the outermost invocation. */
  private reportAt(severity: 'error' | 'warning', code: string, message: string, t: Tok, hint?: string): void {
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

  private dirLine = 0;
  private dirCol = 0;

  // ---------------------------------------------------------------- output (c-ppoutput.cc)

  private printLine(line: number, file: string, flags: string): void {
    if (this.printed) this.emitChar(10);
    this.printed = false;
    this.srcLine = line;
    this.srcFile = file;
    this.emit(`# ${line} "${quoteString(file)}"${flags}\n`);
  }

  private maybePrintLine(line: number, file: string): void {
    if (this.printed) {
      this.emitChar(10);
      this.srcLine++;
      this.printed = false;
    }
    if (line >= this.srcLine && line < this.srcLine + 8 && file === this.srcFile) {
      if (line > this.srcLine) {
        this.emitChar(10, line - this.srcLine);
        this.srcLine = line;
      }
    } else this.printLine(line, file, '');
  }

  /** cb_line_change: the first token of a new logical line. */
  private lineChange(t: Tok): void {
    if (t.k === K.EOF || this.parsingArgs) return;
    this.maybePrintLine(t.line + this.buf.lineDelta, this.buf.name);
    this.prev = null;
    this.source = null;
    const spaces = t.col - 2;
    this.printed = true;
    if (spaces > 0) this.emitChar(32, spaces);
  }

  run(file: string, lf: LexedFile): PreprocessResult {
    try {
      return this.runUnguarded(file, lf);
    } catch (e) {
      // Macro definitions are shared through the cache: none may stay marked as being expanded.
      for (const c of this.ctxs) if (c.macro) c.macro.disabled = false;
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
      this.olen = 0;
      this.wide = [];
      this.ctxs = [];
      for (const m of this.macros.values()) m.disabled = false;
      return { text: '', diagnostics: this.diags, files: this.files };
    }
  }

  /** Tokens produced so far (getToken), against a runaway expansion. */
  private work = 0;

  private runUnguarded(file: string, lf: LexedFile): PreprocessResult {
    this.baseFile = file;
    this.files.push(file);
    this.seen.add(file);
    this.pushBuffer(file, lf, -1);
    this.emit(`# 0 "${quoteString(file)}"\n# 0 "<built-in>"\n# 0 "<command-line>"\n`);
    this.printLine(1, file, '');
    for (;;) {
      const t = this.getToken();
      if (t.k === K.PADDING) {
        this.avoid = true;
        if (this.source === null || (!(this.source.f & F_WHITE) && t.src === null)) this.source = t.src;
        continue;
      }
      if (t.k === K.EOF) break;
      if (this.avoid) {
        const src = this.source ?? t;
        if (src.f & F_WHITE || (this.prev && avoidPaste(this.prev, t)) || (this.prev === null && t.k === K.PUNCT && t.t === '#')) {
          this.emitChar(32);
        }
      } else if (t.f & F_WHITE) this.emitChar(32);
      this.avoid = false;
      this.source = null;
      this.prev = t;
      this.emit(t.t);
      this.printed = true;
    }
    for (const c of this.buf.conds) {
      this.report('error', 'unterminated-conditional', `unterminated #${c.type}`, c.line, c.col, c.type.length + 1, this.buf.name);
    }
    if (this.printed) this.emitChar(10);
    let text = Buffer.from(OUT.buffer, 0, this.olen).toString('latin1');
    if (this.wide.length) {
      let t = '',
        last = 0;
      for (let i = 0; i < this.wide.length; i += 2) {
        t += text.slice(last, this.wide[i]) + String.fromCharCode(this.wide[i + 1]!);
        last = this.wide[i]! + 1;
      }
      text = t + text.slice(last);
    }
    this.olen = 0;
    return { text, diagnostics: this.diags, files: this.files };
  }

  // ---------------------------------------------------------------- buffers

  private pushBuffer(path: string, lf: LexedFile, dirIndex: number): void {
    const slash = path.lastIndexOf('/');
    const b: Buf = { path, dir: slash >= 0 ? path.slice(0, slash + 1) : '', lf, i: 0, conds: [], dirIndex, name: path, lineDelta: 0 };
    this.bufs.push(b);
    this.buf = b;
    for (const p of lf.problems) this.report(p.severity, p.code, p.message, p.line, p.col, 2, path);
  }

  /** End of an included file: report open conditionals, return to the includer. */
  private popBuffer(): void {
    const b = this.buf;
    for (const c of b.conds) {
      this.report('error', 'unterminated-conditional', `unterminated #${c.type}`, c.line, c.col, c.type.length + 1, b.name);
    }
    this.skipping = false;
    this.bufs.pop();
    this.buf = this.bufs[this.bufs.length - 1]!;
    // The includer resumes on the line after its #include (LC_LEAVE in pp_file_change).
    this.printLine(this.resumeLine.pop() ?? 1, this.buf.name, ' 2');
  }

  private resumeLine: number[] = [];

  /** Physical line following the directive just processed. */
  private lineAfterDirective(): number {
    const b = this.buf;
    return b.lf.afterNl.get(b.i) ?? b.lf.toks[b.i]!.line;
  }

  /** libcpp _cpp_lex_direct over the pre-lexed file. */
  private lexDirect(): Tok {
    if (this.lookahead.length) return this.lookahead.pop()!;
    for (;;) {
      const b = this.buf;
      const t = b.lf.toks[b.i]!;
      if (this.inDirective && t.f & F_BOL) return DIR_EOF;
      if (t.k === K.EOF) {
        if (this.inDirective || this.parsingArgs || this.bufs.length === 1) return t;
        this.popBuffer();
        continue;
      }
      b.i++;
      return t;
    }
  }

  /** libcpp _cpp_lex_token: directives, line changes, skipped groups. */
  private lexToken(): Tok {
    for (;;) {
      let t = this.lexDirect();
      if (t.f & F_BOL && t !== DIR_EOF) {
        // A new line inside a macro's arguments counts as white space (_cpp_lex_direct).
        if (this.parsingArgs === 2) t = withFlags(t, t.f | F_WHITE);
        if (t.k === K.PUNCT && t.t === '#' && this.parsingArgs !== 1 && !this.inDirective) {
          if (this.handleDirective(t)) continue;
        }
        if (!this.skipping) this.lineChange(t);
      }
      if (this.inDirective) return t;
      if (!this.skipping || t.k === K.EOF) return t;
    }
  }

  private backup(t: Tok): void {
    if (this.ctxs.length) {
      this.ctxs[this.ctxs.length - 1]!.i--;
    } else if (t.k !== K.EOF) {
      this.lookahead.push(t);
    }
  }

  // ---------------------------------------------------------------- macro expansion

  private padding(src: Tok): Tok {
    return { k: K.PADDING, t: '', f: 0, line: 0, col: 0, pos: -1, src, arg: 0 };
  }

  private popContext(): void {
    const c = this.ctxs.pop()!;
    if (c.macro) c.macro.disabled = false;
  }

  /** libcpp cpp_get_token_1. */
  getToken(): Tok {
    if (++this.work > WORK_LIMIT) throw new LimitError(`macro expansion produced more than ${WORK_LIMIT} tokens`);
    for (;;) {
      let t: Tok;
      const n = this.ctxs.length;
      if (n === 0) t = this.lexToken();
      else {
        const c = this.ctxs[n - 1]!;
        if (c.i < c.toks.length) {
          t = c.toks[c.i++]!;
          if (t.f & F_PASTE) {
            this.pasteAll(t);
            if (this.inDirective) continue;
            return this.padding(t);
          }
        } else {
          this.popContext();
          if (this.inDirective) continue;
          return AVOID_PASTE;
        }
      }
      if (t.k !== K.NAME || t.f & F_NOEXP) return t;
      const m = this.macros.get(t.t);
      if (m === undefined) return t;
      if (m.disabled) return withFlags(t, t.f | F_NOEXP);
      if (this.preventExpansion) return t;
      // The outermost invocation: kept until the next one starts from the file's own tokens (it is
      // only consulted while macro contexts are active).
      if (n === 0) this.invocation = { tok: t, file: this.buf.name, macro: m };
      if (this.enterMacro(m, t)) {
        if (this.inDirective) continue;
        return this.padding(t);
      }
      return t;
    }
  }

  /**
   * The line a token just read resolves to, as libcpp's LRK_MACRO_EXPANSION_POINT does: a token of
   * a macro's expansion gives the line where that (outermost) expansion was invoked; a token
   * spelled in the file — met directly or while pre-expanding an argument — its own line.
   * Contexts of pasted or built-in tokens defer to the one below.
   */
  private resolveLine(t: Tok): number {
    for (let i = this.ctxs.length - 1; i >= 0; i--) {
      const c = this.ctxs[i]!;
      if (c.macro) return c.xline;
      if (c.arg) return t.pos >= 0 ? t.line : c.xline;
    }
    return t.line > 0 ? t.line : this.dirLine;
  }

  private enterMacro(m: Macro, name: Tok): boolean {
    if (m.builtin) return this.builtin(m, name);
    const xl = this.resolveLine(name);
    if (m.fun) {
      this.preventExpansion++;
      this.parsingArgs = 1;
      const args = this.funlikeInvocation(m, name);
      this.parsingArgs = 0;
      this.preventExpansion--;
      if (!args) return false;
      if (m.params.length > 0) {
        this.replaceArgs(m, args, xl);
        m.disabled = true;
        return true;
      }
    }
    m.disabled = true;
    this.ctxs.push({ toks: m.body, i: 0, macro: m, arg: false, xline: xl });
    return true;
  }

  private builtin(m: Macro, name: Tok): boolean {
    let text: string;
    // Under an object-like outermost macro, libcpp takes that macro's own line (builtin_macro's
    // expand_loc is then the invocation location).
    const inv = this.invocation;
    const line = this.ctxs.length && inv && !inv.macro.fun ? inv.tok.line : this.resolveLine(name);
    switch (m.builtin) {
      case '__FILE__':
        text = `"${quoteString(this.buf.name)}"`;
        break;
      case '__BASE_FILE__':
        text = `"${quoteString(this.baseFile)}"`;
        break;
      case '__FILE_NAME__':
        text = `"${quoteString(this.buf.name.slice(this.buf.name.lastIndexOf('/') + 1))}"`;
        break;
      case '__LINE__':
        text = String(line + this.buf.lineDelta);
        break;
      case '__COUNTER__':
        text = String(this.counter++);
        break;
      case '__INCLUDE_LEVEL__':
        text = String(this.bufs.length - 1);
        break;
      case '__DATE__': {
        const d = new Date();
        const mon = d.toLocaleString('en-US', { month: 'short' });
        text = `"${mon} ${String(d.getDate()).padStart(2, ' ')} ${d.getFullYear()}"`;
        break;
      }
      case '__TIME__':
        text = `"${new Date().toTimeString().slice(0, 8)}"`;
        break;
      default:
        text = '"??? ??? ?? ??:??:?? ????"';
    }
    const t = lexFragment(text)[0]!;
    t.line = name.line;
    t.col = name.col;
    t.f = 0;
    this.ctxs.push({ toks: [t], i: 0, macro: null, arg: false, xline: 0 });
    return true;
  }

  /** libcpp funlike_invocation_p: is the next non-padding token a '('? */
  private funlikeInvocation(m: Macro, name: Tok): Arg[] | null {
    let padding: Tok | null = null;
    let t: Tok;
    for (;;) {
      t = this.getToken();
      if (t.k !== K.PADDING) break;
      if (padding === null || padding.src === null || (!(padding.src.f & F_WHITE) && t.src === null)) padding = t;
    }
    if (t.k === K.PUNCT && t.t === '(') {
      this.parsingArgs = 2;
      return this.collectArgs(m, name);
    }
    if (t.k !== K.EOF || t === ARG_EOF) {
      this.backup(t);
      if (padding) this.ctxs.push({ toks: [padding], i: 0, macro: null, arg: false, xline: 0 });
    }
    return null;
  }

  /** libcpp collect_args. */
  private collectArgs(m: Macro, name: Tok): Arg[] | null {
    const args: Arg[] = [];
    const paramc = m.params.length;
    let cur: Tok[] = [];
    let depth = 0;
    let t: Tok;
    const finish = (): void => {
      while (cur.length && cur[cur.length - 1]!.k === K.PADDING) cur.pop();
      args.push({ toks: cur, absent: false, exp: null, str: null });
      cur = [];
    };
    for (;;) {
      t = this.getToken();
      if (t.k === K.PADDING) {
        if (cur.length === 0) continue;
      } else if (t.k === K.PUNCT) {
        if (t.t === '(') depth++;
        else if (t.t === ')') {
          if (depth-- === 0) break;
        } else if (t.t === ',') {
          if (depth === 0 && !(m.variadic && args.length + 1 === paramc)) {
            finish();
            continue;
          }
        } else if (t.t === '#' && t.f & F_BOL && this.ctxs.length === 0) break;
      } else if (t.k === K.EOF) break;
      cur.push(t);
    }
    finish();
    if (t.k !== K.PUNCT || t.t !== ')') {
      if (t.k === K.EOF && (this.ctxs.length || this.inDirective)) this.backup(t);
      this.reportAt(
        'error',
        'macro-args',
        `unterminated argument list invoking macro "${m.name}"`,
        name,
        `macro '${m.name}' defined at ${m.file}:${m.line}`,
      );
      return null;
    }
    let argc = args.length;
    if (argc === 1 && paramc === 0 && args[0]!.toks.length === 0) argc = 0;
    if (argc !== paramc) {
      if (argc + 1 === paramc && m.variadic) {
        args.push({ toks: [], absent: true, exp: null, str: null });
      } else {
        const msg =
          argc < paramc
            ? `macro "${m.name}" requires ${paramc} arguments, but only ${argc} given`
            : `macro "${m.name}" passed ${argc} arguments, but takes just ${paramc}`;
        this.reportAt('error', 'macro-args', msg, name, `macro '${m.name}' defined at ${m.file}:${m.line}`);
        return null;
      }
    } else if (m.variadic && argc === 1 && args[0]!.toks.length === 0) {
      // GNU mode: a lone empty variadic argument counts as left out (collect_args).
      args[0]!.absent = true;
    }
    return args;
  }

  /** libcpp expand_arg: fully macro-expand one argument in isolation. */
  private expandArg(arg: Arg, xl: number): Tok[] {
    const out: Tok[] = [];
    this.ctxs.push({ toks: arg.toks.length ? [...arg.toks, ARG_EOF] : [ARG_EOF], i: 0, macro: null, arg: true, xline: xl });
    for (;;) {
      const t = this.getToken();
      if (t.k === K.EOF) break;
      out.push(t);
    }
    this.popContext();
    return out;
  }

  /** libcpp stringify_arg. */
  private stringify(toks: Tok[], at: Tok): Tok {
    let s = '"';
    let source: Tok | null = null;
    let backslashes = 0;
    for (const t of toks) {
      if (t.k === K.PADDING) {
        if (source === null || (!(source.f & F_WHITE) && t.src === null)) source = t.src;
        continue;
      }
      if (s.length > 1) {
        if (source === null) source = t;
        if (source.f & F_WHITE) s += ' ';
      }
      source = null;
      s += t.k === K.STRING || t.k === K.CHAR ? quoteString(t.t) : t.t;
      if (t.k === K.OTHER && t.t[0] === '\\') backslashes++;
      else backslashes = 0;
    }
    if (backslashes & 1) {
      this.reportAt('warning', 'cpp-stringify', `invalid string literal, ignoring final '\\'`, at);
      s = s.slice(0, -1);
    }
    s += '"';
    return { k: K.STRING, t: s, f: 0, line: at.line, col: at.col, pos: -1, src: null, arg: 0 };
  }

  /** libcpp replace_args: substitute arguments into the replacement list and push it. */
  private replaceArgs(m: Macro, args: Arg[], xl: number): void {
    const body = m.body;
    const out: Tok[] = [];
    const paramc = m.params.length;
    // __VA_OPT__ (libcpp vaopt_state): 0 outside, 1 after the keyword, >= 3 inside (paren depth).
    let vaState = 0;
    let vaInclude = false;
    let vaStringify = false;
    let vaStart: number | null = null; // index of the last token before the __VA_OPT__ group (or null)
    const lastIsVaStart = (): boolean => vaStart !== null && vaStart >= 0 && out.length - 1 === vaStart;
    for (let j = 0; j < body.length; j++) {
      const src = body[j]!;
      if (m.variadic && (vaState > 0 || (src.k === K.NAME && src.t === '__VA_OPT__'))) {
        if (vaState === 0) {
          vaState = 1;
          vaStringify = (src.f & F_STRINGIFY) !== 0;
          if (j > 0 && !(body[j - 1]!.f & F_PASTE)) out.push(this.padding(src));
          vaStart = out.length ? out.length - 1 : -1;
          continue;
        }
        if (vaState === 1) {
          vaState = 3;
          const va = args[paramc - 1]!;
          va.exp ??= this.expandArg(va, xl);
          vaInclude = va.exp.some((x) => x.k !== K.PADDING);
          continue;
        }
        let end = false;
        if (src.k === K.PUNCT && src.t === '(') vaState++;
        else if (src.k === K.PUNCT && src.t === ')' && --vaState === 2) {
          vaState = 0;
          end = true;
        }
        if (end) {
          const start = vaStart!;
          vaStart = null;
          let last = out.length - 1;
          if (vaStringify) {
            const from = start >= 0 ? start + 1 : 0;
            let st = this.stringify(out.slice(from), src);
            out.length = from;
            if (src.f & F_PASTE) st = withFlags(st, st.f | F_PASTE);
            out.push(st);
          } else if (src.f & F_PASTE) {
            while (last >= 0 && last !== start && out[last] === AVOID_PASTE) {
              out.pop();
              last = out.length - 1;
            }
            if (last >= 0 && out[last]!.k !== K.PADDING) out[last] = withFlags(out[last]!, out[last]!.f | F_PASTE);
          } else out.push(AVOID_PASTE);
          continue;
        }
        if (!vaInclude) continue;
      }
      if (src.k !== K.MACRO_ARG) {
        out.push(src);
        continue;
      }
      const arg = args[src.arg]!;
      const afterPaste = j > 0 && (body[j - 1]!.f & F_PASTE) !== 0;
      let from: Tok[];
      let pasteIdx = -1;
      if (src.f & F_STRINGIFY) {
        arg.str ??= this.stringify(arg.toks, src);
        from = [arg.str];
      } else if (src.f & F_PASTE) {
        from = arg.toks;
      } else if (afterPaste) {
        from = arg.toks;
        if (out.length) {
          const last = out[out.length - 1]!;
          if (last.k === K.PUNCT && last.t === ',' && m.variadic && src.arg === paramc - 1) {
            // GNU `, ## __VA_ARGS__`: drop the comma when the variadic argument was left out.
            if (arg.absent) out.pop();
            else pasteIdx = out.length - 1;
          } else if (from.length === 0) pasteIdx = out.length - 1;
        }
      } else {
        arg.exp ??= this.expandArg(arg, xl);
        from = arg.exp;
        if (lastIsVaStart()) {
          // An argument right at the start of __VA_OPT__: its leading padding goes.
          let k = 0;
          while (k < from.length && from[k]!.k === K.PADDING) k++;
          if (k) from = from.slice(k);
        }
      }
      if (!this.inDirective && j > 0 && !afterPaste && !lastIsVaStart()) out.push(this.padding(src));
      for (const t of from) out.push(t);
      if (from.length && src.f & F_PASTE) pasteIdx = out.length - 1;
      if (!this.inDirective && !(src.f & F_PASTE)) out.push(AVOID_PASTE);
      if (pasteIdx >= 0) {
        const p = out[pasteIdx]!;
        out[pasteIdx] = withFlags(p, (p.f & ~F_PASTE) | (src.f & F_PASTE));
      }
    }
    this.ctxs.push({ toks: out, i: 0, macro: m, arg: false, xline: xl });
  }

  /** libcpp paste_all_tokens: `lhs ## rhs [## ...]`, result pushed as its own context. */
  private pasteAll(lhs: Tok): void {
    const c = this.ctxs[this.ctxs.length - 1]!;
    let rhs: Tok;
    do {
      if (c.i >= c.toks.length) {
        lhs = withFlags(lhs, lhs.f & ~F_PASTE);
        break;
      }
      rhs = c.toks[c.i++]!;
      if (rhs.k === K.PADDING) {
        if (rhs.src === null) continue;
        continue;
      }
      const text = lhs.t + (lhs.k === K.PUNCT && lhs.t === '/' && !(rhs.k === K.PUNCT && rhs.t === '=') ? ' ' : '') + rhs.t;
      const r = lexFragment(text);
      if (r.length !== 1 || r[0]!.t.length !== text.length) {
        // Assembler mode: no error, the two tokens stay apart (paste_tokens).
        c.i--;
        lhs = withFlags(lhs, lhs.f & ~F_PASTE);
        break;
      }
      const nt = r[0]!;
      lhs = { k: nt.k, t: nt.t, f: (lhs.f & F_WHITE) | (rhs.f & F_PASTE), line: lhs.line, col: lhs.col, pos: -1, src: null, arg: 0 };
    } while (rhs.f & F_PASTE);
    lhs = withFlags(lhs, lhs.f & ~F_PASTE);
    this.ctxs.push({ toks: [lhs], i: 0, macro: null, arg: false, xline: 0 });
  }

  // ---------------------------------------------------------------- directives

  /** Returns true when the line was a directive (consumed), false for assembler `#` text. */
  private handleDirective(hash: Tok): boolean {
    // A directive inside a macro's argument list is processed normally (GCC does so, 6.10.3p11).
    const savedArgs = this.parsingArgs,
      savedPrevent = this.preventExpansion;
    this.parsingArgs = 0;
    this.preventExpansion = 0;
    this.inDirective = true;
    this.preventExpansion++;
    this.dirLine = hash.line + this.buf.lineDelta;
    this.dirCol = hash.col;
    const dname = this.lexDirect();
    this.preventExpansion--;
    let handled = true;
    if (dname.k === K.NAME && DIRECTIVES.has(dname.t) && (!this.skipping || CONDITIONALS.has(dname.t))) {
      this.runDirective(dname.t, dname);
    } else if (dname.k === K.EOF) {
      // The null directive.
    } else {
      // Assembler: not a directive; `#` and the rest of the line are ordinary text.
      this.lookahead.push(dname);
      handled = false;
    }
    if (handled) {
      // Skip the rest of the line.
      while (this.ctxs.length) this.popContext();
      for (;;) {
        const t = this.lexDirect();
        if (t.k === K.EOF) break;
      }
    }
    this.inDirective = false;
    this.parsingArgs = savedArgs;
    this.preventExpansion = savedPrevent;
    if (this.pendingInclude) {
      const p = this.pendingInclude;
      this.pendingInclude = null;
      this.enterInclude(p.path, p.lf, p.dirIndex, p.line);
    }
    return handled;
  }

  private runDirective(name: string, dname: Tok): void {
    switch (name) {
      case 'define':
        return this.doDefine(dname);
      case 'undef':
        return this.doUndef(dname);
      case 'include':
      case 'include_next':
      case 'import':
        return this.doInclude(dname);
      case 'if':
        return this.doIf(dname);
      case 'ifdef':
      case 'ifndef':
        return this.doIfdef(dname);
      case 'elif':
        return this.doElif(dname);
      case 'else':
        return this.doElse(dname);
      case 'endif':
        return this.doEndif(dname);
      case 'error':
      case 'warning':
        return this.doDiagnostic(dname);
      case 'pragma':
        return this.doPragma();
      case 'line':
        return this.doLine(dname);
      default:
        return; // ident, sccs, assert, unassert: nothing for DTS
    }
  }

  private restOfLine(): Tok[] {
    const r: Tok[] = [];
    for (;;) {
      const t = this.lexDirect();
      if (t.k === K.EOF) return r;
      r.push(t);
    }
  }

  private checkEol(dname: Tok): void {
    const t = this.lexDirect();
    if (t.k !== K.EOF) this.reportAt('warning', 'cpp-extra-tokens', `extra tokens at end of #${dname.t} directive`, t);
  }

  /** lex_macro_node: the macro name operand of #define/#undef/#ifdef/#ifndef. */
  private macroName(dname: Tok, defOrUndef: boolean): Tok | null {
    const t = this.lexDirect();
    if (t.k === K.NAME) {
      if (defOrUndef && t.t === 'defined') {
        this.reportAt('error', 'cpp-define', `"defined" cannot be used as a macro name`, t);
        return null;
      }
      if (defOrUndef && this.macros.get(t.t)?.builtin) {
        this.reportAt('warning', 'cpp-define', `${dname.t === 'define' ? 'redefining' : 'undefining'} builtin macro "${t.t}"`, t);
      }
      return t;
    }
    if (t.k === K.EOF) this.reportAt('error', 'cpp-define', `no macro name given in #${dname.t} directive`, dname);
    else this.reportAt('error', 'cpp-define', 'macro names must be identifiers', t);
    return null;
  }

  private doDefine(dname: Tok): void {
    // A #define line always means the same macro, so its parse is cached with the file's tokens:
    // the kernel's DTS pull in thousands of dt-bindings #defines, again for every board.
    const b = this.buf;
    const cacheable = this.lookahead.length === 0 && b.lineDelta === 0;
    const key = b.i;
    if (cacheable) {
      const hit = (b.lf.defs ??= new Map()).get(key) as { m: Macro; end: number; nameTok: Tok } | undefined;
      if (hit) {
        b.i = hit.end;
        this.install(hit.m, hit.nameTok);
        return;
      }
    }
    const nDiags = this.diags.length;
    const nameTok = this.macroName(dname, true);
    if (!nameTok) return;
    const m: Macro = {
      name: nameTok.t,
      fun: false,
      params: [],
      variadic: false,
      body: [],
      disabled: false,
      file: this.buf.name,
      line: nameTok.line + this.buf.lineDelta,
    };
    let t = this.lexDirect();
    if (t.k === K.PUNCT && t.t === '(' && !(t.f & F_WHITE)) {
      m.fun = true;
      // Parameter list (libcpp parse_params).
      let expectName = true;
      for (;;) {
        t = this.lexDirect();
        if (expectName) {
          if (t.k === K.PUNCT && t.t === ')' && m.params.length === 0) break;
          if (t.k === K.NAME) {
            if (t.t === '__VA_ARGS__')
              this.reportAt('warning', 'cpp-define', '__VA_ARGS__ can only appear in the expansion of a C99 variadic macro', t);
            if (m.params.includes(t.t)) {
              this.reportAt('error', 'cpp-define', `duplicate macro parameter "${t.t}"`, t);
              return;
            }
            m.params.push(t.t);
            expectName = false;
            continue;
          }
          if (t.k === K.PUNCT && t.t === '...') {
            m.params.push('__VA_ARGS__');
            m.variadic = true;
            t = this.lexDirect();
            if (!(t.k === K.PUNCT && t.t === ')')) {
              this.reportAt('error', 'cpp-define', `missing ')' in macro parameter list`, t);
              return;
            }
            break;
          }
          this.reportAt(
            'error',
            'cpp-define',
            t.k === K.EOF ? `missing ')' in macro parameter list` : `expected parameter name, found "${t.t}"`,
            t.k === K.EOF ? dname : t,
          );
          return;
        }
        if (t.k === K.PUNCT && t.t === ')') break;
        if (t.k === K.PUNCT && t.t === ',') {
          expectName = true;
          continue;
        }
        if (t.k === K.PUNCT && t.t === '...') {
          // Named variadic parameter: `args...` (GNU).
          m.variadic = true;
          t = this.lexDirect();
          if (!(t.k === K.PUNCT && t.t === ')')) {
            this.reportAt('error', 'cpp-define', `missing ')' in macro parameter list`, t);
            return;
          }
          break;
        }
        this.reportAt(
          'error',
          'cpp-define',
          t.k === K.EOF ? `missing ')' in macro parameter list` : `expected ',' or ')', found "${t.t}"`,
          t.k === K.EOF ? dname : t,
        );
        return;
      }
      t = this.lexDirect();
    }
    // Replacement list.
    const body: Tok[] = [];
    while (t.k !== K.EOF) {
      let nt: Tok = { k: t.k, t: t.t, f: t.f & F_WHITE, line: t.line, col: t.col, pos: -1, src: null, arg: 0 };
      if (m.fun && t.k === K.NAME) {
        const idx = m.params.indexOf(t.t);
        if (idx >= 0 && (t.t !== '__VA_ARGS__' || m.variadic)) {
          nt.k = K.MACRO_ARG;
          nt.arg = idx;
        } else if (t.t === '__VA_ARGS__')
          this.reportAt('warning', 'cpp-define', '__VA_ARGS__ can only appear in the expansion of a C99 variadic macro', t);
      }
      if (t.k === K.PUNCT && t.t === '#' && m.fun) {
        const n2 = this.lexDirect();
        const idx = n2.k === K.NAME ? m.params.indexOf(n2.t) : -1;
        if (n2.k === K.NAME && n2.t === '__VA_OPT__' && m.variadic) {
          body.push({ k: K.NAME, t: n2.t, f: (t.f & F_WHITE) | F_STRINGIFY, line: n2.line, col: n2.col, pos: -1, src: null, arg: 0 });
          t = this.lexDirect();
          continue;
        }
        if (idx >= 0) {
          nt = { k: K.MACRO_ARG, t: n2.t, f: (t.f & F_WHITE) | F_STRINGIFY, line: n2.line, col: n2.col, pos: -1, src: null, arg: idx };
          body.push(nt);
          t = this.lexDirect();
          continue;
        }
        // Assembler: a '#' not followed by a parameter is kept as is.
        body.push(nt);
        t = n2;
        continue;
      }
      if (t.k === K.PUNCT && t.t === '##') {
        if (body.length === 0) {
          this.reportAt('error', 'cpp-define', `'##' cannot appear at either end of a macro expansion`, t);
          return;
        }
        const last = body[body.length - 1]!;
        t = this.lexDirect();
        if (t.k === K.EOF) {
          this.reportAt('error', 'cpp-define', `'##' cannot appear at either end of a macro expansion`, last);
          return;
        }
        // `, ## __VA_ARGS__` keeps the paste flag on the comma; replace_args handles it.
        body[body.length - 1] = withFlags(last, last.f | F_PASTE);
        continue;
      }
      body.push(nt);
      t = this.lexDirect();
    }
    if (body.length) body[0] = withFlags(body[0]!, body[0]!.f & ~F_WHITE);
    if (m.variadic && !this.checkVaOpt(body)) return;
    m.body = body;
    if (cacheable && this.diags.length === nDiags && this.buf === b && this.lookahead.length === 0) {
      b.lf.defs!.set(key, { m, end: b.i, nameTok });
    }
    this.install(m, nameTok);
  }

  /** The __VA_OPT__ rules libcpp's vaopt_state enforces when a variadic macro is defined. */
  private checkVaOpt(body: Tok[]): boolean {
    let state = 0;
    let at: Tok | null = null;
    for (let j = 0; j < body.length; j++) {
      const t = body[j]!;
      const isP = (p: string): boolean => t.k === K.PUNCT && t.t === p;
      if (t.k === K.NAME && t.t === '__VA_OPT__') {
        if (state > 0) {
          this.reportAt('error', 'cpp-define', '__VA_OPT__ may not appear in a __VA_OPT__', t);
          return false;
        }
        state = 1;
        at = t;
      } else if (state === 1) {
        if (!isP('(')) {
          this.reportAt('error', 'cpp-define', '__VA_OPT__ must be followed by an open parenthesis', at!);
          return false;
        }
        if (t.f & F_PASTE) {
          this.reportAt('error', 'cpp-define', `'##' cannot appear at either end of __VA_OPT__`, t);
          return false;
        }
        state = 3;
      } else if (state >= 3) {
        if (isP('(')) state++;
        else if (isP(')') && --state === 2) {
          if (j > 0 && body[j - 1]!.f & F_PASTE) {
            this.reportAt('error', 'cpp-define', `'##' cannot appear at either end of __VA_OPT__`, t);
            return false;
          }
          state = 0;
        }
      }
    }
    if (state !== 0) {
      this.reportAt('error', 'cpp-define', 'unterminated __VA_OPT__', at!);
      return false;
    }
    return true;
  }

  private install(m: Macro, nameTok: Tok): void {
    const old = this.macros.get(m.name);
    if (old && old !== m && !old.builtin && !sameMacro(old, m)) {
      this.reportAt(
        'warning',
        'macro-redefined',
        `"${m.name}" redefined`,
        nameTok,
        old.line ? `previous definition at ${old.file}:${old.line}` : undefined,
      );
    }
    this.macros.set(m.name, m);
  }

  private doUndef(dname: Tok): void {
    const n = this.macroName(dname, true);
    if (!n) return;
    this.macros.delete(n.t);
    this.checkEol(dname);
  }

  /** libcpp push_conditional. */
  private pushCond(type: string, skip: boolean): void {
    this.buf.conds.push({ type, wasSkipping: this.skipping, skipElses: this.skipping || !skip, line: this.dirLine, col: this.dirCol });
    this.skipping = skip;
  }

  private doIfdef(dname: Tok): void {
    let skip = true;
    if (!this.skipping) {
      const n = this.macroName(dname, false);
      if (n) {
        const d = this.isDefined(n.t);
        skip = dname.t === 'ifdef' ? !d : d;
        this.checkEol(dname);
      }
    }
    this.pushCond(dname.t, skip);
  }

  private isDefined(name: string): boolean {
    return this.macros.has(name) || name === '__has_include' || name === '__has_include_next';
  }

  private evalIf(): boolean {
    const self = this;
    const host: ExprHost = {
      next(): Tok {
        for (;;) {
          const t = self.getToken();
          if (t.k !== K.PADDING) return t;
        }
      },
      nextRaw(): Tok {
        self.preventExpansion++;
        try {
          for (;;) {
            const t = self.getToken();
            if (t.k !== K.PADDING) return t;
          }
        } finally {
          self.preventExpansion--;
        }
      },
      isDefined: (n) => this.isDefined(n),
      hasInclude: (kw) => this.hasInclude(kw),
      error: (msg, at) => this.reportAt('error', 'cpp-expr', msg, at),
      warning: (msg, at) => this.reportAt('warning', 'cpp-expr', msg, at),
    };
    const v = evalExpr(host);
    return v !== undefined && v !== 0n;
  }

  private doIf(_dname: Tok): void {
    let skip = true;
    if (!this.skipping) skip = !this.evalIf();
    this.pushCond('if', skip);
  }

  private doElif(dname: Tok): void {
    const c = this.buf.conds[this.buf.conds.length - 1];
    if (!c) {
      this.reportAt('error', 'cpp-conditional', '#elif without #if', dname);
      return;
    }
    if (c.type === 'else') this.reportAt('error', 'cpp-conditional', '#elif after #else', dname, `the conditional began at line ${c.line}`);
    c.type = 'elif';
    if (c.skipElses) this.skipping = true;
    else {
      this.skipping = false;
      this.skipping = !this.evalIf();
      c.skipElses = !this.skipping;
    }
  }

  private doElse(dname: Tok): void {
    const c = this.buf.conds[this.buf.conds.length - 1];
    if (!c) {
      this.reportAt('error', 'cpp-conditional', '#else without #if', dname);
      return;
    }
    if (c.type === 'else') this.reportAt('error', 'cpp-conditional', '#else after #else', dname, `the conditional began at line ${c.line}`);
    c.type = 'else';
    this.skipping = c.skipElses;
    c.skipElses = true;
    if (!c.wasSkipping) this.checkEol(dname);
  }

  private doEndif(dname: Tok): void {
    const c = this.buf.conds.pop();
    if (!c) {
      this.reportAt('error', 'cpp-conditional', '#endif without #if', dname);
      return;
    }
    if (!c.wasSkipping) this.checkEol(dname);
    this.skipping = c.wasSkipping;
  }

  private doDiagnostic(dname: Tok): void {
    const toks = this.restOfLine();
    let msg = '';
    for (const t of toks) msg += (msg && t.f & F_WHITE ? ' ' : '') + t.t;
    const isErr = dname.t === 'error';
    this.report(
      isErr ? 'error' : 'warning',
      isErr ? 'cpp-error' : 'cpp-warning',
      `#${dname.t} ${msg}`.trimEnd(),
      this.dirLine,
      this.dirCol,
      dname.t.length + 1,
      this.buf.name,
    );
  }

  private doPragma(): void {
    const toks = this.restOfLine();
    const ns = toks[0];
    if (!ns) return;
    // Pragmas libcpp itself registers (directives.cc _cpp_init_internal_pragmas) run at once and
    // mark their line in the output; any other pragma is dropped in assembler mode.
    const gccOwn =
      ns.t === 'GCC' &&
      ['poison', 'system_header', 'dependency', 'warning', 'error', 'push_options', 'pop_options'].includes(toks[1]?.t ?? '');
    if (ns.t !== 'once' && ns.t !== 'push_macro' && ns.t !== 'pop_macro' && !gccOwn) return;
    this.lineChange(ns);
    if (ns.t === 'once') {
      if (this.bufs.length === 1) this.report('warning', 'cpp-pragma', '#pragma once in main file', ns.line, ns.col, 4, this.buf.name);
      this.once.add(this.buf.path);
    } else if (ns.t === 'push_macro' || ns.t === 'pop_macro') {
      const s = toks[2];
      if (!(toks[1]?.t === '(' && s?.k === K.STRING && toks[3]?.t === ')')) {
        this.report('error', 'cpp-pragma', `invalid #pragma ${ns.t} directive`, ns.line, ns.col, ns.t.length, this.buf.name);
        return;
      }
      const name = s.t.slice(1, -1);
      let stack = this.pushed.get(name);
      if (ns.t === 'push_macro') {
        if (!stack) this.pushed.set(name, (stack = []));
        stack.push(this.macros.get(name));
      } else if (stack?.length) {
        const m = stack.pop();
        if (m) this.macros.set(name, m);
        else this.macros.delete(name);
      }
    } else if (toks[1]!.t === 'poison') {
      for (const t of toks.slice(2)) if (t.k === K.NAME) this.macros.delete(t.t);
    }
  }

  private readonly pushed = new Map<string, (Macro | undefined)[]>();

  private doLine(dname: Tok): void {
    // The operands are macro-expanded (C11 6.10.4p5).
    const toks: Tok[] = [];
    for (;;) {
      const t = this.getToken();
      if (t.k === K.EOF) break;
      if (t.k !== K.PADDING) toks.push(t);
    }
    const n = toks[0];
    if (!n || n.k !== K.NUMBER || !/^[0-9]+$/.test(n.t)) {
      this.reportAt('error', 'cpp-line', `"${n?.t ?? ''}" after #line is not a positive integer`, n ?? dname);
      return;
    }
    // The line after the directive gets number N.
    this.buf.lineDelta = Number(n.t) - this.lineAfterDirective();
    const f = toks[1];
    if (f) {
      if (f.k !== K.STRING || f.t[0] !== '"') {
        this.reportAt('error', 'cpp-line', `invalid filename "${f.t}"`, f);
        return;
      }
      this.buf.name = f.t.slice(1, -1).replace(/\\(.)/g, '$1');
    }
    this.printLine(Number(n.t), this.buf.name, '');
  }

  // ---------------------------------------------------------------- #include

  /** Read the operand of #include / __has_include: [name, angled] or undefined (error reported). */
  private headerName(dname: Tok, inExpr: boolean): { name: string; angled: boolean } | undefined {
    let t = inExpr ? this.nextNonPadding() : this.lexDirect();
    if (t.k === K.NAME && !inExpr) {
      // Computed include: macro-expand the line.
      this.lookahead.push(t);
      t = this.nextNonPadding();
    } else if (t.k === K.NAME) {
      // (already expanded by nextNonPadding)
    }
    if (t.k === K.STRING && t.t[0] === '"') return { name: t.t.slice(1, -1), angled: false };
    if (t.k === K.PUNCT && t.t === '<') {
      // A header name from the source text is taken verbatim up to '>' (lex_string with '>').
      if (t.pos >= 0 && this.ctxs.length === 0) {
        const clean = this.buf.lf.clean;
        let j = t.pos + 1;
        while (j < clean.length && clean[j] !== '>' && clean[j] !== '\n') j++;
        if (clean[j] === '>') {
          const name = clean.slice(t.pos + 1, j);
          // Skip the tokens that made up the header name.
          const toks = this.buf.lf.toks;
          while (
            this.lookahead.length === 0 &&
            this.buf.i < toks.length &&
            toks[this.buf.i]!.pos < j + 1 &&
            !(toks[this.buf.i]!.f & F_BOL) &&
            toks[this.buf.i]!.k !== K.EOF
          )
            this.buf.i++;
          return { name, angled: true };
        }
      }
      // Glue the spellings (glue_header_name).
      let name = '';
      for (;;) {
        const u = this.nextNonPadding();
        if (u.k === K.PUNCT && u.t === '>') break;
        if (u.k === K.EOF) {
          this.reportAt('error', 'include-syntax', 'missing terminating > character', t);
          return undefined;
        }
        if (u.f & F_WHITE && name) name += ' ';
        name += u.t;
      }
      return { name, angled: true };
    }
    this.reportAt('error', 'include-syntax', `#${dname.t} expects "FILENAME" or <FILENAME>`, t.k === K.EOF ? dname : t);
    return undefined;
  }

  private nextNonPadding(): Tok {
    for (;;) {
      const t = this.getToken();
      if (t.k !== K.PADDING) return t;
    }
  }

  /** Find an include file the way libcpp does; returns the path as cpp would print it. */
  private findInclude(name: string, angled: boolean, next: boolean): { path: string; lf: LexedFile; dirIndex: number } | undefined {
    const tryPath = (p: string, dirIndex: number): { path: string; lf: LexedFile; dirIndex: number } | undefined => {
      const text = this.read(p);
      if (text === undefined) return undefined;
      return { path: p, lf: this.lex(p, text), dirIndex };
    };
    if (name.startsWith('/')) return tryPath(name, -1);
    let start = 0;
    if (next && this.bufs.length > 1) start = this.buf.dirIndex + 1;
    else if (!angled && !next) {
      const r = tryPath(this.buf.dir + name, -1);
      if (r) return r;
    }
    for (let i = start; i < this.includeDirs.length; i++) {
      const d = this.includeDirs[i]!;
      const r = tryPath(d === '' ? name : d.endsWith('/') ? d + name : `${d}/${name}`, i);
      if (r) return r;
    }
    return undefined;
  }

  private doInclude(dname: Tok): void {
    const h = this.headerName(dname, false);
    if (!h) return;
    if (this.ctxs.length === 0) this.checkEol(dname);
    if (h.name === '') {
      this.reportAt('error', 'include-syntax', `empty filename in #${dname.t}`, dname);
      return;
    }
    if (this.bufs.length >= this.maxDepth) {
      this.report(
        'error',
        'include-depth',
        `#include nested depth ${this.bufs.length} exceeds maximum of ${this.maxDepth}`,
        this.dirLine,
        this.dirCol,
        8,
        this.buf.name,
        'is a file including itself without an include guard?',
      );
      return;
    }
    const f = this.findInclude(h.name, h.angled, dname.t === 'include_next');
    if (!f) {
      const where = this.includeDirs.length
        ? `searched: ${h.angled ? '' : (this.buf.dir || './') + ', '}${this.includeDirs.join(', ')}`
        : 'no include directories given (-I)';
      this.report('error', 'include-not-found', `${h.name}: No such file or directory`, this.dirLine, this.dirCol, 8, this.buf.name, where);
      return;
    }
    if (this.once.has(f.path)) return;
    // Multiple-include optimisation (libcpp files.cc should_stack_file): a file wholly inside
    // `#ifndef GUARD ... #endif` is not entered again once GUARD is defined — no tokens and no
    // linemarkers, exactly as GCC prints it.
    // libcpp keys this on its _cpp_file, one per (name as written, directory found in).
    const key = `${h.name}\0${f.path}`;
    const guard = includeGuard(f.lf);
    if (guard !== null && this.macros.has(guard) && this.entered.has(key)) return;
    this.entered.add(key);
    if (dname.t === 'import') this.once.add(f.path);
    this.pendingInclude = { ...f, line: this.dirLine };
  }

  private enterInclude(path: string, lf: LexedFile, dirIndex: number, line: number): void {
    if (!this.seen.has(path)) {
      this.seen.add(path);
      this.files.push(path);
    }
    // pp_file_change(LC_ENTER): bring the output to the #include line, then the marker.
    this.resumeLine.push(this.lineAfterDirective() + this.buf.lineDelta);
    this.maybePrintLine(line, this.buf.name);
    this.pushBuffer(path, lf, dirIndex);
    this.printLine(1, path, ' 1');
  }

  private hasInclude(kw: Tok): boolean {
    const open = this.nextNonPadding();
    if (!(open.k === K.PUNCT && open.t === '(')) {
      this.reportAt('error', 'cpp-expr', `missing '(' before "${kw.t}" operand`, open);
      return false;
    }
    const h = this.headerName(kw, true);
    if (!h) return false;
    const close = this.nextNonPadding();
    if (!(close.k === K.PUNCT && close.t === ')')) this.reportAt('error', 'cpp-expr', `missing ')' after "${kw.t}" operand`, close);
    return this.findInclude(h.name, h.angled, kw.t === '__has_include_next') !== undefined;
  }
}

function sameMacro(a: Macro, b: Macro): boolean {
  if (a.fun !== b.fun || a.variadic !== b.variadic || a.params.join(',') !== b.params.join(',') || a.body.length !== b.body.length)
    return false;
  for (let i = 0; i < a.body.length; i++) {
    const x = a.body[i]!,
      y = b.body[i]!;
    if (x.k !== y.k || x.t !== y.t || x.f !== y.f || x.arg !== y.arg) return false;
  }
  return true;
}

const guards = new WeakMap<LexedFile, string | null>();

/** The controlling macro of a file (`#ifndef X` / `#if !defined X` first, matching `#endif` last). */
function includeGuard(lf: LexedFile): string | null {
  const cached = guards.get(lf);
  if (cached !== undefined) return cached;
  const r = findGuard(lf.toks);
  guards.set(lf, r);
  return r;
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

/** A copy of a token with other flags (same object shape, so hot paths stay monomorphic). */
function withFlags(t: Tok, f: number): Tok {
  return { k: t.k, t: t.t, f, line: t.line, col: t.col, pos: t.pos, src: t.src, arg: t.arg };
}
