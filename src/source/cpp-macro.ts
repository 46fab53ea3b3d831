// Macro expansion, after GCC's libcpp/macro.cc: the token stream with macros expanded
// (cpp_get_token_1) as a stack of token contexts (enter_macro_context, collect_args, expand_arg,
// replace_args, paste_all_tokens), with the "padding" tokens libcpp uses to decide where the
// output needs a space; the built-in macros (builtin_macro); and the parse of a #define's
// parameters and replacement list (parse_params, create_iso_definition, vaopt_state) with the
// redefinition check (warn_of_redefinition).
//
// Assembler-with-cpp rules (the kernel's DTS build): `#` not followed by a macro parameter in a
// function-like macro is a literal `#`, and a failed `##` paste keeps the two tokens apart
// without an error (paste_tokens).
import { F_BOL, F_NOEXP, F_PASTE, F_STRINGIFY, F_WHITE, K, type Tok, lexFragment, mkTok } from './cpp-lex.js';
import type { CppReader } from './preprocess.js';

export interface Macro {
  name: string;
  fun: boolean;
  params: string[];
  variadic: boolean;
  body: Tok[];
  /**
   * The run expanding this macro, whose name it does not expand again inside (libcpp's
   * NODE_DISABLED). Per run, not a flag: parsed #defines are shared by runs through the cache,
   * and a run may start inside another (from its readFile).
   */
  disabledIn: CppReader | null;
  builtin?: string;
  file: string;
  line: number;
}

/** A #define line parsed once and kept with the file's tokens (LexedFile.defs). */
export interface ParsedDefine {
  m: Macro;
  /** Token index after the directive's line. */
  end: number;
  nameTok: Tok;
}

/** A token context (libcpp cpp_context): a macro's expansion, an argument, a pasted token. */
export interface Ctx {
  toks: Tok[];
  i: number;
  macro: Macro | null;
  /** Pre-expansion of a macro argument (expand_arg): its tokens keep their own locations. */
  arg: boolean;
  /** Macro and argument contexts: the line of the expansion point their tokens resolve to. */
  xline: number;
  /** A macro's context: the macro's disabledIn before it was entered, restored when it ends. */
  outer: CppReader | null;
}

interface Arg {
  toks: Tok[];
  /** The variadic argument was left out entirely (GNU `, ## __VA_ARGS__` then eats the comma). */
  absent: boolean;
  exp: Tok[] | null;
  str: Tok | null;
}

/** Far above any real device tree (the largest kernel DTS yields well under a million tokens). */
const WORK_LIMIT = 50_000_000;
export class LimitError extends Error {}

/** The padding token libcpp returns when a context ends (pfile->avoid_paste). */
const AVOID_PASTE: Tok = mkTok(K.PADDING, '', 0, 0, 0);
/** Ends a macro argument being pre-expanded. */
export const ARG_EOF: Tok = mkTok(K.EOF, '', 0, 0, 0);

/** The built-in macros libcpp defines (init.cc builtin_array) that a DTS can meet. */
export const BUILTINS = [
  '__FILE__',
  '__LINE__',
  '__COUNTER__',
  '__INCLUDE_LEVEL__',
  '__BASE_FILE__',
  '__FILE_NAME__',
  '__DATE__',
  '__TIME__',
  '__TIMESTAMP__',
];

/** GCC's cpp_quote_string: backslash-escape `\` and `"` (and newline). */
export function quoteString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' || c === '"') out += '\\' + c;
    else if (c === '\n') out += '\\n';
    else out += c;
  }
  return out;
}

/** A copy of a token with other flags (same object shape, so hot paths stay monomorphic). */
export function withFlags(t: Tok, f: number): Tok {
  return { k: t.k, t: t.t, f, line: t.line, col: t.col, pos: t.pos, src: t.src, arg: t.arg };
}

/** libcpp padding_token: spacing decided by `src`'s white space. */
function padding(src: Tok): Tok {
  return { k: K.PADDING, t: '', f: 0, line: 0, col: 0, pos: -1, src, arg: 0 };
}

/** libcpp _cpp_pop_context: the macro of a context that ends may expand again. */
export function popContext(r: CppReader): void {
  const c = r.ctxs.pop()!;
  if (c.macro) c.macro.disabledIn = c.outer;
}

/** libcpp cpp_get_token_1. */
export function getToken(r: CppReader): Tok {
  if (++r.work > WORK_LIMIT) throw new LimitError(`macro expansion produced more than ${WORK_LIMIT} tokens`);
  for (;;) {
    let t: Tok;
    const n = r.ctxs.length;
    if (n === 0) t = r.lexToken();
    else {
      const c = r.ctxs[n - 1]!;
      if (c.i < c.toks.length) {
        t = c.toks[c.i++]!;
        if (t.f & F_PASTE) {
          pasteAll(r, t);
          if (r.inDirective) continue;
          return padding(t);
        }
      } else {
        popContext(r);
        if (r.inDirective) continue;
        return AVOID_PASTE;
      }
    }
    if (t.k !== K.NAME || t.f & F_NOEXP) return t;
    const m = r.macros.get(t.t);
    if (m === undefined) return t;
    if (m.disabledIn === r) return withFlags(t, t.f | F_NOEXP);
    if (r.preventExpansion) return t;
    // The outermost invocation: kept until the next one starts from the file's own tokens (it is
    // only consulted while macro contexts are active).
    if (n === 0) r.invocation = { tok: t, file: r.buf.name, macro: m };
    if (enterMacro(r, m, t)) {
      if (r.inDirective) continue;
      return padding(t);
    }
    return t;
  }
}

export function nextNonPadding(r: CppReader): Tok {
  for (;;) {
    const t = getToken(r);
    if (t.k !== K.PADDING) return t;
  }
}

/**
 * The line a token just read resolves to, as libcpp's LRK_MACRO_EXPANSION_POINT does: a token of
 * a macro's expansion gives the line where that (outermost) expansion was invoked; a token
 * spelled in the file — met directly or while pre-expanding an argument — its own line.
 * Contexts of pasted or built-in tokens defer to the one below.
 */
function resolveLine(r: CppReader, t: Tok): number {
  for (let i = r.ctxs.length - 1; i >= 0; i--) {
    const c = r.ctxs[i]!;
    if (c.macro) return c.xline;
    if (c.arg) return t.pos >= 0 ? t.line : c.xline;
  }
  return t.line > 0 ? t.line : r.dirLine;
}

function enterMacro(r: CppReader, m: Macro, name: Tok): boolean {
  if (m.builtin) return builtinMacro(r, m, name);
  const xl = resolveLine(r, name);
  if (m.fun) {
    r.preventExpansion++;
    r.parsingArgs = 1;
    const args = funlikeInvocation(r, m, name);
    r.parsingArgs = 0;
    r.preventExpansion--;
    if (!args) return false;
    if (m.params.length > 0) {
      replaceArgs(r, m, args, xl);
      m.disabledIn = r;
      return true;
    }
  }
  r.ctxs.push({ toks: m.body, i: 0, macro: m, arg: false, xline: xl, outer: m.disabledIn });
  m.disabledIn = r;
  return true;
}

function builtinMacro(r: CppReader, m: Macro, name: Tok): boolean {
  let text: string;
  // Under an object-like outermost macro, libcpp takes that macro's own line (builtin_macro's
  // expand_loc is then the invocation location).
  const inv = r.invocation;
  const line = r.ctxs.length && inv && !inv.macro.fun ? inv.tok.line : resolveLine(r, name);
  switch (m.builtin) {
    case '__FILE__':
      text = `"${quoteString(r.buf.name)}"`;
      break;
    case '__BASE_FILE__':
      text = `"${quoteString(r.baseFile)}"`;
      break;
    case '__FILE_NAME__':
      text = `"${quoteString(r.buf.name.slice(r.buf.name.lastIndexOf('/') + 1))}"`;
      break;
    case '__LINE__':
      text = String(line + r.buf.lineDelta);
      break;
    case '__COUNTER__':
      text = String(r.counter++);
      break;
    case '__INCLUDE_LEVEL__':
      text = String(r.bufs.length - 1);
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
  r.ctxs.push({ toks: [t], i: 0, macro: null, arg: false, xline: 0, outer: null });
  return true;
}

/** libcpp funlike_invocation_p: is the next non-padding token a '('? */
function funlikeInvocation(r: CppReader, m: Macro, name: Tok): Arg[] | null {
  let pad: Tok | null = null;
  let t: Tok;
  for (;;) {
    t = getToken(r);
    if (t.k !== K.PADDING) break;
    if (pad === null || pad.src === null || (!(pad.src.f & F_WHITE) && t.src === null)) pad = t;
  }
  if (t.k === K.PUNCT && t.t === '(') {
    r.parsingArgs = 2;
    return collectArgs(r, m, name);
  }
  if (t.k !== K.EOF || t === ARG_EOF) {
    r.backup(t);
    if (pad) r.ctxs.push({ toks: [pad], i: 0, macro: null, arg: false, xline: 0, outer: null });
  }
  return null;
}

/** libcpp collect_args. */
function collectArgs(r: CppReader, m: Macro, name: Tok): Arg[] | null {
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
    t = getToken(r);
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
      } else if (t.t === '#' && t.f & F_BOL && r.ctxs.length === 0) break;
    } else if (t.k === K.EOF) break;
    cur.push(t);
  }
  finish();
  if (t.k !== K.PUNCT || t.t !== ')') {
    if (t.k === K.EOF && (r.ctxs.length || r.inDirective)) r.backup(t);
    r.reportAt(
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
      r.reportAt('error', 'macro-args', msg, name, `macro '${m.name}' defined at ${m.file}:${m.line}`);
      return null;
    }
  } else if (m.variadic && argc === 1 && args[0]!.toks.length === 0) {
    // GNU mode: a lone empty variadic argument counts as left out (collect_args).
    args[0]!.absent = true;
  }
  return args;
}

/** libcpp expand_arg: fully macro-expand one argument in isolation. */
function expandArg(r: CppReader, arg: Arg, xl: number): Tok[] {
  const out: Tok[] = [];
  r.ctxs.push({ toks: arg.toks.length ? [...arg.toks, ARG_EOF] : [ARG_EOF], i: 0, macro: null, arg: true, xline: xl, outer: null });
  for (;;) {
    const t = getToken(r);
    if (t.k === K.EOF) break;
    out.push(t);
  }
  popContext(r);
  return out;
}

/** libcpp stringify_arg. */
function stringify(r: CppReader, toks: Tok[], at: Tok): Tok {
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
    r.reportAt('warning', 'cpp-stringify', `invalid string literal, ignoring final '\\'`, at);
    s = s.slice(0, -1);
  }
  s += '"';
  return { k: K.STRING, t: s, f: 0, line: at.line, col: at.col, pos: -1, src: null, arg: 0 };
}

/** libcpp replace_args: substitute arguments into the replacement list and push it. */
function replaceArgs(r: CppReader, m: Macro, args: Arg[], xl: number): void {
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
        if (j > 0 && !(body[j - 1]!.f & F_PASTE)) out.push(padding(src));
        vaStart = out.length ? out.length - 1 : -1;
        continue;
      }
      if (vaState === 1) {
        vaState = 3;
        const va = args[paramc - 1]!;
        va.exp ??= expandArg(r, va, xl);
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
          let st = stringify(r, out.slice(from), src);
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
      arg.str ??= stringify(r, arg.toks, src);
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
      arg.exp ??= expandArg(r, arg, xl);
      from = arg.exp;
      if (lastIsVaStart()) {
        // An argument right at the start of __VA_OPT__: its leading padding goes.
        let k = 0;
        while (k < from.length && from[k]!.k === K.PADDING) k++;
        if (k) from = from.slice(k);
      }
    }
    if (!r.inDirective && j > 0 && !afterPaste && !lastIsVaStart()) out.push(padding(src));
    for (const t of from) out.push(t);
    if (from.length && src.f & F_PASTE) pasteIdx = out.length - 1;
    if (!r.inDirective && !(src.f & F_PASTE)) out.push(AVOID_PASTE);
    if (pasteIdx >= 0) {
      const p = out[pasteIdx]!;
      out[pasteIdx] = withFlags(p, (p.f & ~F_PASTE) | (src.f & F_PASTE));
    }
  }
  r.ctxs.push({ toks: out, i: 0, macro: m, arg: false, xline: xl, outer: m.disabledIn });
}

/** libcpp paste_all_tokens: `lhs ## rhs [## ...]`, result pushed as its own context. */
function pasteAll(r: CppReader, lhs: Tok): void {
  const c = r.ctxs[r.ctxs.length - 1]!;
  let rhs: Tok;
  do {
    if (c.i >= c.toks.length) {
      lhs = withFlags(lhs, lhs.f & ~F_PASTE);
      break;
    }
    rhs = c.toks[c.i++]!;
    // As in libcpp, `continue` tests the loop condition: padding carries no PASTE flag.
    if (rhs.k === K.PADDING) continue;
    const text = lhs.t + (lhs.k === K.PUNCT && lhs.t === '/' && !(rhs.k === K.PUNCT && rhs.t === '=') ? ' ' : '') + rhs.t;
    const pasted = lexFragment(text);
    if (pasted.length !== 1 || pasted[0]!.t.length !== text.length) {
      // Assembler mode: no error, the two tokens stay apart (paste_tokens).
      c.i--;
      lhs = withFlags(lhs, lhs.f & ~F_PASTE);
      break;
    }
    const nt = pasted[0]!;
    lhs = { k: nt.k, t: nt.t, f: (lhs.f & F_WHITE) | (rhs.f & F_PASTE), line: lhs.line, col: lhs.col, pos: -1, src: null, arg: 0 };
  } while (rhs.f & F_PASTE);
  lhs = withFlags(lhs, lhs.f & ~F_PASTE);
  r.ctxs.push({ toks: [lhs], i: 0, macro: null, arg: false, xline: 0, outer: null });
}

/**
 * libcpp _cpp_create_definition: the parameters and replacement list of the #define whose name
 * token has just been read; null (error reported) when the definition is malformed.
 */
export function createDefinition(r: CppReader, dname: Tok, nameTok: Tok): Macro | null {
  const m: Macro = {
    name: nameTok.t,
    fun: false,
    params: [],
    variadic: false,
    body: [],
    disabledIn: null,
    file: r.buf.name,
    line: nameTok.line + r.buf.lineDelta,
  };
  let t = r.lexDirect();
  if (t.k === K.PUNCT && t.t === '(' && !(t.f & F_WHITE)) {
    m.fun = true;
    if (!parseParams(r, m, dname)) return null;
    t = r.lexDirect();
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
        r.reportAt('warning', 'cpp-define', '__VA_ARGS__ can only appear in the expansion of a C99 variadic macro', t);
    }
    if (t.k === K.PUNCT && t.t === '#' && m.fun) {
      const n2 = r.lexDirect();
      const idx = n2.k === K.NAME ? m.params.indexOf(n2.t) : -1;
      if (n2.k === K.NAME && n2.t === '__VA_OPT__' && m.variadic) {
        body.push({ k: K.NAME, t: n2.t, f: (t.f & F_WHITE) | F_STRINGIFY, line: n2.line, col: n2.col, pos: -1, src: null, arg: 0 });
        t = r.lexDirect();
        continue;
      }
      if (idx >= 0) {
        nt = { k: K.MACRO_ARG, t: n2.t, f: (t.f & F_WHITE) | F_STRINGIFY, line: n2.line, col: n2.col, pos: -1, src: null, arg: idx };
        body.push(nt);
        t = r.lexDirect();
        continue;
      }
      // Assembler: a '#' not followed by a parameter is kept as is.
      body.push(nt);
      t = n2;
      continue;
    }
    if (t.k === K.PUNCT && t.t === '##') {
      if (body.length === 0) {
        r.reportAt('error', 'cpp-define', `'##' cannot appear at either end of a macro expansion`, t);
        return null;
      }
      const last = body[body.length - 1]!;
      t = r.lexDirect();
      if (t.k === K.EOF) {
        r.reportAt('error', 'cpp-define', `'##' cannot appear at either end of a macro expansion`, last);
        return null;
      }
      // `, ## __VA_ARGS__` keeps the paste flag on the comma; replace_args handles it.
      body[body.length - 1] = withFlags(last, last.f | F_PASTE);
      continue;
    }
    body.push(nt);
    t = r.lexDirect();
  }
  if (body.length) body[0] = withFlags(body[0]!, body[0]!.f & ~F_WHITE);
  if (m.variadic && !checkVaOpt(r, body)) return null;
  m.body = body;
  return m;
}

/** libcpp parse_params: the parameter list after `NAME(`; false (error reported) when malformed. */
function parseParams(r: CppReader, m: Macro, dname: Tok): boolean {
  const fail = (t: Tok, expected: string): false => {
    const eof = t.k === K.EOF;
    r.reportAt(
      'error',
      'cpp-define',
      eof ? `missing ')' in macro parameter list` : `expected ${expected}, found "${t.t}"`,
      eof ? dname : t,
    );
    return false;
  };
  let expectName = true;
  for (;;) {
    const t = r.lexDirect();
    if (expectName) {
      if (t.k === K.PUNCT && t.t === ')' && m.params.length === 0) return true;
      if (t.k === K.NAME) {
        if (t.t === '__VA_ARGS__')
          r.reportAt('warning', 'cpp-define', '__VA_ARGS__ can only appear in the expansion of a C99 variadic macro', t);
        if (m.params.includes(t.t)) {
          r.reportAt('error', 'cpp-define', `duplicate macro parameter "${t.t}"`, t);
          return false;
        }
        m.params.push(t.t);
        expectName = false;
        continue;
      }
      if (!(t.k === K.PUNCT && t.t === '...')) return fail(t, 'parameter name');
      m.params.push('__VA_ARGS__');
    } else {
      if (t.k === K.PUNCT && t.t === ')') return true;
      if (t.k === K.PUNCT && t.t === ',') {
        expectName = true;
        continue;
      }
      // Otherwise only a named variadic parameter: `args...` (GNU).
      if (!(t.k === K.PUNCT && t.t === '...')) return fail(t, "',' or ')'");
    }
    m.variadic = true;
    const close = r.lexDirect();
    if (close.k === K.PUNCT && close.t === ')') return true;
    r.reportAt('error', 'cpp-define', `missing ')' in macro parameter list`, close);
    return false;
  }
}

/** The __VA_OPT__ rules libcpp's vaopt_state enforces when a variadic macro is defined. */
function checkVaOpt(r: CppReader, body: Tok[]): boolean {
  let state = 0;
  let at: Tok | null = null;
  for (let j = 0; j < body.length; j++) {
    const t = body[j]!;
    const isP = (p: string): boolean => t.k === K.PUNCT && t.t === p;
    if (t.k === K.NAME && t.t === '__VA_OPT__') {
      if (state > 0) {
        r.reportAt('error', 'cpp-define', '__VA_OPT__ may not appear in a __VA_OPT__', t);
        return false;
      }
      state = 1;
      at = t;
    } else if (state === 1) {
      if (!isP('(')) {
        r.reportAt('error', 'cpp-define', '__VA_OPT__ must be followed by an open parenthesis', at!);
        return false;
      }
      if (t.f & F_PASTE) {
        r.reportAt('error', 'cpp-define', `'##' cannot appear at either end of __VA_OPT__`, t);
        return false;
      }
      state = 3;
    } else if (state >= 3) {
      if (isP('(')) state++;
      else if (isP(')') && --state === 2) {
        if (j > 0 && body[j - 1]!.f & F_PASTE) {
          r.reportAt('error', 'cpp-define', `'##' cannot appear at either end of __VA_OPT__`, t);
          return false;
        }
        state = 0;
      }
    }
  }
  if (state !== 0) {
    r.reportAt('error', 'cpp-define', 'unterminated __VA_OPT__', at!);
    return false;
  }
  return true;
}

/** Install a definition, with GCC's warning when it differs from the one it replaces (warn_of_redefinition). */
export function installMacro(r: CppReader, m: Macro, nameTok: Tok): void {
  const old = r.macros.get(m.name);
  if (old && old !== m && !old.builtin && !sameMacro(old, m)) {
    r.reportAt(
      'warning',
      'macro-redefined',
      `"${m.name}" redefined`,
      nameTok,
      old.line ? `previous definition at ${old.file}:${old.line}` : undefined,
    );
  }
  r.macros.set(m.name, m);
}

/** libcpp compare_macros: same parameters and the same replacement list, spacing included. */
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
