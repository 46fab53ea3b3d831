// Directives, after GCC's libcpp/directives.cc: recognising a directive line
// (_cpp_handle_directive), #define/#undef, the conditional stack (#if/#ifdef/#ifndef/#elif/#else/
// #endif, with expressions evaluated by cpp-expr.ts), #include/#include_next/#import (parse_include;
// the search and the file stack are cpp-files.ts), #line, #pragma, #error/#warning.
//
// Assembler-with-cpp (the kernel's DTS build): an unknown directive such as
// `#address-cells = <1>;` is not an error but ordinary text, handed back to the token stream.
import { F_BOL, F_WHITE, K, type Tok } from './cpp-lex.js';
import { type ExprHost, evalExpr } from './cpp-expr.js';
import { createDefinition, getToken, installMacro, nextNonPadding, popContext } from './cpp-macro.js';
import { enterInclude, findInclude, stackInclude } from './cpp-files.js';
import { lineChange } from './cpp-output.js';
import type { CppReader } from './preprocess.js';

/** A conditional group being read (libcpp struct if_stack). */
export interface Cond {
  type: string;
  wasSkipping: boolean;
  skipElses: boolean;
  line: number;
  col: number;
}

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

/**
 * libcpp _cpp_handle_directive, for the `#` starting a line: true when the line was a directive
 * (consumed), false for assembler `#` text.
 */
export function handleDirective(r: CppReader, hash: Tok): boolean {
  // A directive inside a macro's argument list is processed normally (GCC does so, 6.10.3p11).
  const savedArgs = r.parsingArgs,
    savedPrevent = r.preventExpansion;
  r.parsingArgs = 0;
  r.preventExpansion = 0;
  r.inDirective = true;
  r.preventExpansion++;
  r.dirLine = hash.line + r.buf.lineDelta;
  r.dirCol = hash.col;
  const dname = r.lexDirect();
  r.preventExpansion--;
  let handled = true;
  if (dname.k === K.NAME && DIRECTIVES.has(dname.t) && (!r.skipping || CONDITIONALS.has(dname.t))) {
    runDirective(r, dname.t, dname);
  } else if (dname.k === K.EOF) {
    // The null directive.
  } else {
    // Assembler: not a directive; `#` and the rest of the line are ordinary text.
    r.lookahead.push(dname);
    handled = false;
  }
  if (handled) {
    // Skip the rest of the line.
    while (r.ctxs.length) popContext(r);
    for (;;) {
      const t = r.lexDirect();
      if (t.k === K.EOF) break;
    }
  }
  r.inDirective = false;
  r.parsingArgs = savedArgs;
  r.preventExpansion = savedPrevent;
  if (r.pendingInclude) {
    const p = r.pendingInclude;
    r.pendingInclude = null;
    enterInclude(r, p);
  }
  return handled;
}

function runDirective(r: CppReader, name: string, dname: Tok): void {
  switch (name) {
    case 'define':
      return doDefine(r, dname);
    case 'undef':
      return doUndef(r, dname);
    case 'include':
    case 'include_next':
    case 'import':
      return doInclude(r, dname);
    case 'if':
      return doIf(r, dname);
    case 'ifdef':
    case 'ifndef':
      return doIfdef(r, dname);
    case 'elif':
      return doElif(r, dname);
    case 'else':
      return doElse(r, dname);
    case 'endif':
      return doEndif(r, dname);
    case 'error':
    case 'warning':
      return doDiagnostic(r, dname);
    case 'pragma':
      return doPragma(r);
    case 'line':
      return doLine(r, dname);
    default:
      return; // ident, sccs, assert, unassert: nothing for DTS
  }
}

/** The unexpanded tokens up to the end of the directive line. */
function restOfLine(r: CppReader): Tok[] {
  const toks: Tok[] = [];
  for (;;) {
    const t = r.lexDirect();
    if (t.k === K.EOF) return toks;
    toks.push(t);
  }
}

/** check_eol: a warning for anything after the directive's operands. */
function checkEol(r: CppReader, dname: Tok): void {
  const t = r.lexDirect();
  if (t.k !== K.EOF) r.reportAt('warning', 'cpp-extra-tokens', `extra tokens at end of #${dname.t} directive`, t);
}

/** lex_macro_node: the macro name operand of #define/#undef/#ifdef/#ifndef. */
function lexMacroNode(r: CppReader, dname: Tok, defOrUndef: boolean): Tok | null {
  const t = r.lexDirect();
  if (t.k === K.NAME) {
    if (defOrUndef && t.t === 'defined') {
      r.reportAt('error', 'cpp-define', `"defined" cannot be used as a macro name`, t);
      return null;
    }
    if (defOrUndef && r.macros.get(t.t)?.builtin) {
      r.reportAt('warning', 'cpp-define', `${dname.t === 'define' ? 'redefining' : 'undefining'} builtin macro "${t.t}"`, t);
    }
    return t;
  }
  if (t.k === K.EOF) r.reportAt('error', 'cpp-define', `no macro name given in #${dname.t} directive`, dname);
  else r.reportAt('error', 'cpp-define', 'macro names must be identifiers', t);
  return null;
}

/** do_define: parsed once per #define line of a file, then installed from the parse. */
function doDefine(r: CppReader, dname: Tok): void {
  // A #define line always means the same macro, so its parse is cached with the file's tokens:
  // the kernel's DTS pull in thousands of dt-bindings #defines, again for every board.
  const b = r.buf;
  const cacheable = r.lookahead.length === 0 && b.lineDelta === 0;
  const key = b.i;
  if (cacheable) {
    const hit = (b.lf.defs ??= new Map()).get(key);
    if (hit) {
      b.i = hit.end;
      installMacro(r, hit.m, hit.nameTok);
      return;
    }
  }
  const nDiags = r.reported;
  const nameTok = lexMacroNode(r, dname, true);
  if (!nameTok) return;
  const m = createDefinition(r, dname, nameTok);
  if (!m) return;
  if (cacheable && r.reported === nDiags && r.buf === b && r.lookahead.length === 0) {
    b.lf.defs!.set(key, { m, end: b.i, nameTok });
  }
  installMacro(r, m, nameTok);
}

function doUndef(r: CppReader, dname: Tok): void {
  const n = lexMacroNode(r, dname, true);
  if (!n) return;
  r.macros.delete(n.t);
  checkEol(r, dname);
}

/** libcpp push_conditional. */
function pushCond(r: CppReader, type: string, skip: boolean): void {
  r.buf.conds.push({ type, wasSkipping: r.skipping, skipElses: r.skipping || !skip, line: r.dirLine, col: r.dirCol });
  r.skipping = skip;
}

function doIfdef(r: CppReader, dname: Tok): void {
  let skip = true;
  if (!r.skipping) {
    const n = lexMacroNode(r, dname, false);
    if (n) {
      const d = isDefined(r, n.t);
      skip = dname.t === 'ifdef' ? !d : d;
      checkEol(r, dname);
    }
  }
  pushCond(r, dname.t, skip);
}

function isDefined(r: CppReader, name: string): boolean {
  return r.macros.has(name) || name === '__has_include' || name === '__has_include_next';
}

function evalIf(r: CppReader): boolean {
  const host: ExprHost = {
    next: () => nextNonPadding(r),
    nextRaw(): Tok {
      r.preventExpansion++;
      try {
        return nextNonPadding(r);
      } finally {
        r.preventExpansion--;
      }
    },
    isDefined: (n) => isDefined(r, n),
    hasInclude: (kw) => hasInclude(r, kw),
    error: (msg, at) => r.reportAt('error', 'cpp-expr', msg, at),
    warning: (msg, at) => r.reportAt('warning', 'cpp-expr', msg, at),
  };
  const v = evalExpr(host);
  return v !== undefined && v !== 0n;
}

function doIf(r: CppReader, _dname: Tok): void {
  let skip = true;
  if (!r.skipping) skip = !evalIf(r);
  pushCond(r, 'if', skip);
}

function doElif(r: CppReader, dname: Tok): void {
  const c = r.buf.conds[r.buf.conds.length - 1];
  if (!c) {
    r.reportAt('error', 'cpp-conditional', '#elif without #if', dname);
    return;
  }
  if (c.type === 'else') r.reportAt('error', 'cpp-conditional', '#elif after #else', dname, `the conditional began at line ${c.line}`);
  c.type = 'elif';
  if (c.skipElses) r.skipping = true;
  else {
    r.skipping = false;
    r.skipping = !evalIf(r);
    c.skipElses = !r.skipping;
  }
}

function doElse(r: CppReader, dname: Tok): void {
  const c = r.buf.conds[r.buf.conds.length - 1];
  if (!c) {
    r.reportAt('error', 'cpp-conditional', '#else without #if', dname);
    return;
  }
  if (c.type === 'else') r.reportAt('error', 'cpp-conditional', '#else after #else', dname, `the conditional began at line ${c.line}`);
  c.type = 'else';
  r.skipping = c.skipElses;
  c.skipElses = true;
  if (!c.wasSkipping) checkEol(r, dname);
}

function doEndif(r: CppReader, dname: Tok): void {
  const c = r.buf.conds.pop();
  if (!c) {
    r.reportAt('error', 'cpp-conditional', '#endif without #if', dname);
    return;
  }
  if (!c.wasSkipping) checkEol(r, dname);
  r.skipping = c.wasSkipping;
}

function doDiagnostic(r: CppReader, dname: Tok): void {
  const toks = restOfLine(r);
  let msg = '';
  for (const t of toks) msg += (msg && t.f & F_WHITE ? ' ' : '') + t.t;
  const isErr = dname.t === 'error';
  r.report(
    isErr ? 'error' : 'warning',
    isErr ? 'cpp-error' : 'cpp-warning',
    `#${dname.t} ${msg}`.trimEnd(),
    r.dirLine,
    r.dirCol,
    dname.t.length + 1,
    r.buf.name,
  );
}

function doPragma(r: CppReader): void {
  const toks = restOfLine(r);
  const ns = toks[0];
  if (!ns) return;
  // Pragmas libcpp itself registers (directives.cc _cpp_init_internal_pragmas) run at once and
  // mark their line in the output; any other pragma is dropped in assembler mode.
  const gccOwn =
    ns.t === 'GCC' &&
    ['poison', 'system_header', 'dependency', 'warning', 'error', 'push_options', 'pop_options'].includes(toks[1]?.t ?? '');
  if (ns.t !== 'once' && ns.t !== 'push_macro' && ns.t !== 'pop_macro' && !gccOwn) return;
  lineChange(r, ns);
  if (ns.t === 'once') {
    if (r.bufs.length === 1) r.report('warning', 'cpp-pragma', '#pragma once in main file', ns.line, ns.col, 4, r.buf.name);
    r.once.add(r.buf.path);
  } else if (ns.t === 'push_macro' || ns.t === 'pop_macro') {
    const s = toks[2];
    if (!(toks[1]?.t === '(' && s?.k === K.STRING && toks[3]?.t === ')')) {
      r.report('error', 'cpp-pragma', `invalid #pragma ${ns.t} directive`, ns.line, ns.col, ns.t.length, r.buf.name);
      return;
    }
    const name = s.t.slice(1, -1);
    let stack = r.pushed.get(name);
    if (ns.t === 'push_macro') {
      if (!stack) r.pushed.set(name, (stack = []));
      stack.push(r.macros.get(name));
    } else if (stack?.length) {
      const m = stack.pop();
      if (m) r.macros.set(name, m);
      else r.macros.delete(name);
    }
  } else if (toks[1]!.t === 'poison') {
    for (const t of toks.slice(2)) if (t.k === K.NAME) r.macros.delete(t.t);
  }
}

function doLine(r: CppReader, dname: Tok): void {
  // The operands are macro-expanded (C11 6.10.4p5).
  const toks: Tok[] = [];
  for (;;) {
    const t = getToken(r);
    if (t.k === K.EOF) break;
    if (t.k !== K.PADDING) toks.push(t);
  }
  const n = toks[0];
  if (!n || n.k !== K.NUMBER || !/^[0-9]+$/.test(n.t)) {
    r.reportAt('error', 'cpp-line', `"${n?.t ?? ''}" after #line is not a positive integer`, n ?? dname);
    return;
  }
  // The line after the directive gets number N.
  r.buf.lineDelta = Number(n.t) - r.lineAfterDirective();
  const f = toks[1];
  if (f) {
    if (f.k !== K.STRING || f.t[0] !== '"') {
      r.reportAt('error', 'cpp-line', `invalid filename "${f.t}"`, f);
      return;
    }
    r.buf.name = f.t.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  r.print.printLine(Number(n.t), r.buf.name, '');
}

/** parse_include: the operand of #include / __has_include, or undefined (error reported). */
function headerName(r: CppReader, dname: Tok, inExpr: boolean): { name: string; angled: boolean } | undefined {
  let t = inExpr ? nextNonPadding(r) : r.lexDirect();
  if (t.k === K.NAME && !inExpr) {
    // Computed include: macro-expand the line.
    r.lookahead.push(t);
    t = nextNonPadding(r);
  }
  if (t.k === K.STRING && t.t[0] === '"') return { name: t.t.slice(1, -1), angled: false };
  if (t.k === K.PUNCT && t.t === '<') {
    // A header name from the source text is taken verbatim up to '>' (lex_string with '>').
    if (t.pos >= 0 && r.ctxs.length === 0) {
      const clean = r.buf.lf.clean;
      let j = t.pos + 1;
      while (j < clean.length && clean[j] !== '>' && clean[j] !== '\n') j++;
      if (clean[j] === '>') {
        const name = clean.slice(t.pos + 1, j);
        // Skip the tokens that made up the header name.
        const toks = r.buf.lf.toks;
        while (
          r.lookahead.length === 0 &&
          r.buf.i < toks.length &&
          toks[r.buf.i]!.pos < j + 1 &&
          !(toks[r.buf.i]!.f & F_BOL) &&
          toks[r.buf.i]!.k !== K.EOF
        )
          r.buf.i++;
        return { name, angled: true };
      }
    }
    // Glue the spellings (glue_header_name).
    let name = '';
    for (;;) {
      const u = nextNonPadding(r);
      if (u.k === K.PUNCT && u.t === '>') break;
      if (u.k === K.EOF) {
        r.reportAt('error', 'include-syntax', 'missing terminating > character', t);
        return undefined;
      }
      if (u.f & F_WHITE && name) name += ' ';
      name += u.t;
    }
    return { name, angled: true };
  }
  r.reportAt('error', 'include-syntax', `#${dname.t} expects "FILENAME" or <FILENAME>`, t.k === K.EOF ? dname : t);
  return undefined;
}

function doInclude(r: CppReader, dname: Tok): void {
  const h = headerName(r, dname, false);
  if (!h) return;
  if (r.ctxs.length === 0) checkEol(r, dname);
  if (h.name === '') {
    r.reportAt('error', 'include-syntax', `empty filename in #${dname.t}`, dname);
    return;
  }
  if (r.bufs.length >= r.maxDepth) {
    r.report(
      'error',
      'include-depth',
      `#include nested depth ${r.bufs.length} exceeds maximum of ${r.maxDepth}`,
      r.dirLine,
      r.dirCol,
      8,
      r.buf.name,
      'is a file including itself without an include guard?',
    );
    return;
  }
  stackInclude(r, h.name, h.angled, dname.t);
}

function hasInclude(r: CppReader, kw: Tok): boolean {
  const open = nextNonPadding(r);
  if (!(open.k === K.PUNCT && open.t === '(')) {
    r.reportAt('error', 'cpp-expr', `missing '(' before "${kw.t}" operand`, open);
    return false;
  }
  const h = headerName(r, kw, true);
  if (!h) return false;
  const close = nextNonPadding(r);
  if (!(close.k === K.PUNCT && close.t === ')')) r.reportAt('error', 'cpp-expr', `missing ')' after "${kw.t}" operand`, close);
  return findInclude(r, h.name, h.angled, kw.t === '__has_include_next') !== undefined;
}
