// Tokeniser for the built-in C preprocessor (translation phases 1–3, as GCC's libcpp does them
// for `-x assembler-with-cpp`, the language the kernel's DTS build uses: scripts/Makefile.dtbs).
//
// A whole file is lexed at once into pp-tokens; the result depends only on the text, so it can be
// cached and shared by every file that includes the same header (the bench compiles ~1300 DTS).
// Rules taken from libcpp/lex.cc:
//  - backslash-newline (also with blanks between, as GCC accepts with a warning) splices lines;
//  - comments become white space; a block comment spanning lines does not start a new logical
//    line, so tokens after it belong to the line the comment started on;
//  - pp-numbers are greedy: `0x1e+0x20` is ONE token (e/E/p/P followed by a sign continues it);
//  - an unterminated ' or " is, in assembler mode, a CPP_OTHER token running to the end of the
//    line, without a diagnostic (lex_string);
//  - no digraphs, no trigraphs, no raw strings (all off for CLK_ASM in libcpp/init.cc);
//  - anything else (`@`, `$`-less junk, `\`, non-ASCII) is a one-character CPP_OTHER.
// Also lex.cc's cpp_avoid_paste, the rule the output (cpp-output.ts) spaces tokens by.

import type { ParsedDefine } from './cpp-macro.js';

export const enum K {
  NAME = 1,
  NUMBER = 2,
  CHAR = 3,
  STRING = 4,
  PUNCT = 5,
  OTHER = 6,
  PADDING = 7,
  EOF = 8,
  /** A macro parameter inside a replacement list; `arg` is its index. */
  MACRO_ARG = 9,
}

/** Token flags (libcpp's cpp_token.flags). */
export const F_WHITE = 1; // PREV_WHITE: white space (or a comment) before the token
export const F_BOL = 2; // first token of a logical line
export const F_PASTE = 4; // PASTE_LEFT: token is the left operand of ##
export const F_NOEXP = 8; // NO_EXPAND: a macro name "painted blue", never expanded again
export const F_STRINGIFY = 16; // MACRO_ARG preceded by #

export interface Tok {
  k: K;
  /** Spelling. */
  t: string;
  f: number;
  /** 1-based physical line and column (column counts UTF-16 units, tabs as one). */
  line: number;
  col: number;
  /** Offset of the token in the file's cleaned text (after line splicing); -1 when synthetic. */
  pos: number;
  /** PADDING: the token whose white space decides spacing (libcpp's val.source), or null. */
  src: Tok | null;
  /** MACRO_ARG: parameter index. */
  arg: number;
}

export interface LexProblem {
  code: string;
  message: string;
  line: number;
  col: number;
  severity: 'error' | 'warning';
}

export interface LexedFile {
  toks: Tok[];
  /**
   * For a token starting a logical line: the line right after the newline that ended the
   * previous logical line (where a directive's "next line" is, for #include returns and #line).
   */
  afterNl: Map<number, number>;
  /** Cleaned text (splices removed): header names `<...>` are re-read from it. */
  clean: string;
  problems: LexProblem[];
  /** Number of physical lines (for the EOF token's line). */
  lines: number;
  /**
   * Parsed #define lines by the index of the token after `define`, filled in by the preprocessor
   * (cpp-directives.ts doDefine): a #define line always means the same macro.
   */
  defs: Map<number, ParsedDefine> | null;
  /** The file's controlling macro (cpp-files.ts includeGuard); undefined until looked for. */
  guard: string | null | undefined;
}

export function mkTok(k: K, t: string, f: number, line: number, col: number, pos = -1): Tok {
  return { k, t, f, line, col, pos, src: null, arg: 0 };
}

// Character classes, by code unit.
const CC_ID = 1; // identifier continue
const CC_IDSTART = 2;
const CC_DIGIT = 4;
const CC_SPACE = 8; // blank other than newline
const cls = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_$]/.test(ch)) cls[c] |= CC_ID | CC_IDSTART;
  if (/[0-9]/.test(ch)) cls[c] |= CC_ID | CC_DIGIT;
  if (c === 32 || c === 9 || c === 11 || c === 12 || c === 0) cls[c] |= CC_SPACE;
}
export function isIdStart(c: number): boolean {
  return c < 128 && (cls[c]! & CC_IDSTART) !== 0;
}
export function isIdChar(c: number): boolean {
  return c < 128 && (cls[c]! & CC_ID) !== 0;
}

/** Remove backslash-newline splices; returns cleaned text and, for each splice, its offset in it. */
function splice(text: string): { clean: string; splices: number[] } {
  const splices: number[] = [];
  let out = '';
  let last = 0;
  let i = text.indexOf('\\');
  while (i !== -1) {
    let j = i + 1;
    while (j < text.length && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
    if (text.charCodeAt(j) === 13 && text.charCodeAt(j + 1) === 10) j++;
    if (j < text.length && text.charCodeAt(j) === 10) {
      out += text.slice(last, i);
      splices.push(out.length);
      last = j + 1;
      i = text.indexOf('\\', last);
    } else {
      i = text.indexOf('\\', i + 1);
    }
  }
  if (splices.length === 0) return { clean: text, splices };
  out += text.slice(last);
  return { clean: out, splices };
}

// Punctuators of C (libcpp TTYPE_TABLE, without digraphs and C++-only ones), longest first.
const PUNCTS = [
  '<<=',
  '>>=',
  '...',
  '==',
  '!=',
  '>=',
  '<=',
  '&&',
  '||',
  '++',
  '--',
  '->',
  '<<',
  '>>',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '##',
  '=',
  '!',
  '>',
  '<',
  '+',
  '-',
  '*',
  '/',
  '%',
  '&',
  '|',
  '^',
  '~',
  '?',
  ':',
  ',',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ';',
  '#',
  '.',
];
/** Candidates by first character, longest first. */
const punctByFirst: string[][] = [];
for (const p of PUNCTS) (punctByFirst[p.charCodeAt(0)] ??= []).push(p);
for (const l of punctByFirst) l?.sort((a, b) => b.length - a.length);

function punctAt(s: string, i: number, c: number): string | null {
  const cands = c < 128 ? punctByFirst[c] : undefined;
  if (!cands) return null;
  for (const p of cands) {
    if (p.length === 1) return p;
    if (s.charCodeAt(i + 1) !== p.charCodeAt(1)) continue;
    if (p.length === 3 && s.charCodeAt(i + 2) !== p.charCodeAt(2)) continue;
    return p;
  }
  return null;
}

export function lexText(text: string): LexedFile {
  // libcpp charset.cc _cpp_convert_input drops a UTF-8 byte order mark at the start of every file
  // it reads (the text here is the file's bytes as latin1); columns count from after it.
  if (text.startsWith('\xef\xbb\xbf')) text = text.slice(3);
  if (text.indexOf('\r') !== -1) text = text.replace(/\r\n?/g, '\n');
  const { clean: s, splices } = splice(text);
  const n = s.length;
  const toks: Tok[] = [];
  const problems: LexProblem[] = [];
  let line = 1;
  let lineStart = 0;
  let sp = 0; // next splice to account for
  let flags = F_BOL;
  let i = 0;
  const afterNl = new Map<number, number>();
  let pendingNl = 1;
  const flush = (pos: number): void => {
    while (sp < splices.length && splices[sp]! <= pos) {
      line++;
      lineStart = splices[sp]!;
      sp++;
    }
  };
  while (i < n) {
    let c = s.charCodeAt(i);
    // White space and comments.
    if (c === 10) {
      flush(i);
      line++;
      lineStart = i + 1;
      if (!(flags & F_BOL)) pendingNl = line;
      flags = F_BOL;
      i++;
      continue;
    }
    if (c < 128 && (cls[c]! & CC_SPACE) !== 0) {
      flags |= F_WHITE;
      i++;
      continue;
    }
    if (c === 47 /* / */) {
      const d = s.charCodeAt(i + 1);
      if (d === 42 /* * */) {
        flush(i);
        const startLine = line,
          startCol = i - lineStart + 1;
        let j = i + 2;
        for (;;) {
          if (j >= n) {
            problems.push({
              code: 'cpp-unterminated-comment',
              message: 'unterminated comment',
              line: startLine,
              col: startCol,
              severity: 'error',
            });
            break;
          }
          const e = s.charCodeAt(j);
          if (e === 42 && s.charCodeAt(j + 1) === 47) {
            j += 2;
            break;
          }
          if (e === 10) {
            flush(j);
            line++;
            lineStart = j + 1;
          }
          j++;
        }
        i = j;
        flags |= F_WHITE;
        continue;
      }
      if (d === 47) {
        let j = s.indexOf('\n', i);
        if (j === -1) j = n;
        i = j;
        flags |= F_WHITE;
        continue;
      }
    }
    flush(i);
    if (flags & F_BOL) afterNl.set(toks.length, pendingNl);
    const start = i;
    const col = i - lineStart + 1;
    let k: K;
    if (c < 128 && (cls[c]! & CC_IDSTART) !== 0) {
      i++;
      while (i < n) {
        c = s.charCodeAt(i);
        if (c < 128 && (cls[c]! & CC_ID) !== 0) i++;
        else break;
      }
      // L'x', u8"x", U"x" etc. are wide literals in C; in assembler mode libcpp still lexes them
      // as literals (lex_string is reached through the L/u/U cases).
      if (i < n && (c === 39 || c === 34)) {
        const id = s.slice(start, i);
        if (id === 'L' || id === 'u' || id === 'U' || (id === 'u8' && c === 34)) {
          const end = lexQuoted(s, i, c);
          i = end < 0 ? ~end : end;
          k = end >= 0 ? (c === 39 ? K.CHAR : K.STRING) : K.OTHER;
          toks.push({ k, t: s.slice(start, i), f: flags, line, col, pos: start, src: null, arg: 0 });
          flags = 0;
          continue;
        }
      }
      k = K.NAME;
    } else if ((c >= 48 && c <= 57) || (c === 46 && isDigit(s.charCodeAt(i + 1)))) {
      i++;
      while (i < n) {
        c = s.charCodeAt(i);
        if ((c < 128 && (cls[c]! & CC_ID) !== 0) || c === 46) i++;
        else if ((c === 43 || c === 45) && isExpChar(s.charCodeAt(i - 1))) i++;
        else break;
      }
      k = K.NUMBER;
    } else if (c === 34 || c === 39) {
      const end = lexQuoted(s, i, c);
      i = end < 0 ? ~end : end;
      k = end >= 0 ? (c === 39 ? K.CHAR : K.STRING) : K.OTHER;
    } else {
      // Punctuators: longest match, spellings shared (no allocation per token).
      const p = punctAt(s, i, c);
      if (p !== null) {
        i += p.length;
        toks.push({ k: K.PUNCT, t: p, f: flags, line, col, pos: start, src: null, arg: 0 });
        flags = 0;
        continue;
      }
      // One code point of anything else.
      i += c >= 0xd800 && c < 0xdc00 ? 2 : 1;
      k = K.OTHER;
    }
    toks.push({ k, t: s.slice(start, i), f: flags, line, col, pos: start, src: null, arg: 0 });
    flags = 0;
  }
  flush(n);
  afterNl.set(toks.length, flags & F_BOL ? pendingNl : line + 1);
  toks.push({ k: K.EOF, t: '', f: F_BOL, line: line, col: 1, pos: n, src: null, arg: 0 });
  return { toks, afterNl, clean: s, problems, lines: line, defs: null, guard: undefined };
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isExpChar(c: number): boolean {
  return c === 101 || c === 69 || c === 112 || c === 80;
}

/**
 * Scan a ' or " literal starting at `i`; returns the end offset, or its bitwise complement (a
 * negative number) when the literal is unterminated.
 */
function lexQuoted(s: string, i: number, q: number): number {
  let j = i + 1;
  const n = s.length;
  while (j < n) {
    const c = s.charCodeAt(j);
    if (c === 92 /* \ */ && j + 1 < n && s.charCodeAt(j + 1) !== 10) {
      j += 2;
      continue;
    }
    if (c === q) return j + 1;
    if (c === 10) break;
    j++;
  }
  // Unterminated: CPP_OTHER up to the end of the line (assembler mode: no diagnostic).
  return ~j;
}

/** Lex a short string (token pasting); returns the tokens (no EOF). */
export function lexFragment(text: string): Tok[] {
  const r = lexText(text);
  r.toks.pop();
  return r.toks;
}

// libcpp/lex.cc cpp_avoid_paste: would printing `b` right after `a` lex differently?
const EQ_PASTERS = new Set(['=', '!', '>', '<', '+', '-', '*', '/', '%', '&', '|', '^', '>>', '<<']);
export function avoidPaste(a: Tok, b: Tok): boolean {
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
