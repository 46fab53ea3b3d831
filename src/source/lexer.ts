// dtc's lexer (dtc-lexer.l, dtc 1.6.1), hand-written over char codes.
//
// dtc's flex scanner has four start conditions — INITIAL, V1 (after /dts-v1/ and most keywords),
// BYTESTRING (after '[') and PROPNODENAME (after '{', ';', /delete-node/, /delete-property/,
// /omit-if-no-ref/) — and picks the longest match among the rules active in the current one,
// the earliest rule on a tie. The state depends only on the tokens already lexed, never on the
// parser, so the parser may peek ahead freely. Positions follow srcpos.c: 1-based line and column,
// the end column one past the last char; every lexeme (whitespace and comments too) moves the
// position, and GCC linemarkers (`# LINE "FILE" flags`) reset file and line like
// srcpos_set_line(). `/include/ "file"` is handled here, as dtc does, by pushing a new buffer.
//
// Text convention: each JS char is one byte (read files as 'latin1'); columns count chars.
import type { Diagnostic, Span } from '../diagnostics.js';
import { diag, pushDiagnostic } from '../diagnostics.js';
import { toByteString } from './data.js';

export const enum T {
  EOF = 0,
  V1,
  PLUGIN,
  MEMRESERVE,
  BITS,
  DEL_PROP,
  DEL_NODE,
  OMIT_NO_REF,
  PROPNODENAME,
  LITERAL,
  CHAR_LITERAL,
  BYTE,
  STRING,
  LABEL,
  REF,
  INCBIN,
  LSHIFT,
  RSHIFT,
  LE,
  GE,
  EQ,
  NE,
  AND,
  OR,
  /** A single character token; `ch` holds its code. */
  CHAR,
}

export const enum LexState {
  INITIAL = 0,
  V1 = 1,
  BYTESTRING = 2,
  PROPNODENAME = 3,
}

export interface Token {
  t: T;
  /** Char code for T.CHAR. */
  ch: number;
  /** Name, label, reference (`label` or `/path`), or string bytes (one char per byte). */
  s: string;
  /** Integer value of LITERAL / CHAR_LITERAL / BYTE as a number when below 2^53, else -1. */
  n: number;
  /** The value as a u64 bigint, only set when `n` is -1 (see tokenValue()). */
  v: bigint;
  file: string;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
}

/** The u64 value of a LITERAL / CHAR_LITERAL / BYTE token. */
export function tokenValue(t: Token): bigint {
  return t.n >= 0 ? BigInt(t.n) : t.v;
}

export function tokenSpan(t: Token): Span {
  return { file: t.file, line: t.line, column: t.col, endLine: t.endLine, endColumn: t.endCol };
}

/** YYLLOC_DEFAULT: first token's start, last token's end, last token's file. */
export function spanOf(first: Token, last: Token): Span {
  return { file: last.file, line: first.line, column: first.col, endLine: last.endLine, endColumn: last.endCol };
}

export interface LexerHost {
  /** Resolve and read an included file (srcfile_relative_open). */
  open(name: string, fromDir: string | null, at: Span): { path: string; text: string } | undefined;
}

/** One input buffer with dtc's srcfile_state: the name (linemarkers change it), the directory of
 * the opened file (for /include/ and /incbin/), the line, and where that line starts. */
interface SrcFile {
  text: string;
  pos: number;
  end: number;
  name: string;
  dir: string | null;
  line: number;
  /** Index of the first char of the current line: column = pos - lineStart + 1. */
  lineStart: number;
}

const MAX_SRCFILE_DEPTH = 200;

// Character classes (dtc-lexer.l): PROPNODECHAR [a-zA-Z0-9,._+*#?@-], LABEL [a-zA-Z_][a-zA-Z0-9_]*,
// PATHCHAR = PROPNODECHAR | '/', WS [[:space:]].
const C_PROPNODE = 1;
const C_LABEL0 = 2;
const C_LABEL = 4;
const C_PATH = 8;
const C_WS = 16;
const C_HEX = 32;
const C_DIGIT = 64;
const cls = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const ch = String.fromCharCode(c);
  let f = 0;
  if (/[a-zA-Z0-9,._+*#?@-]/.test(ch)) f |= C_PROPNODE | C_PATH;
  if (ch === '/') f |= C_PATH;
  if (/[a-zA-Z_]/.test(ch)) f |= C_LABEL0;
  if (/[a-zA-Z0-9_]/.test(ch)) f |= C_LABEL;
  if (c === 32 || (c >= 9 && c <= 13)) f |= C_WS;
  if (/[0-9a-fA-F]/.test(ch)) f |= C_HEX;
  if (/[0-9]/.test(ch)) f |= C_DIGIT;
  cls[c] = f;
}
function hexVal(c: number): number {
  return c <= 57 ? c - 48 : (c | 32) - 87;
}
function isc(c: number, f: number): boolean {
  return c < 256 && (cls[c]! & f) !== 0;
}

const KEYWORDS: ReadonlyArray<[string, T, LexState | -1]> = [
  ['/dts-v1/', T.V1, LexState.V1],
  ['/plugin/', T.PLUGIN, LexState.V1],
  ['/memreserve/', T.MEMRESERVE, LexState.V1],
  ['/bits/', T.BITS, LexState.V1],
  ['/delete-property/', T.DEL_PROP, LexState.PROPNODENAME],
  ['/delete-node/', T.DEL_NODE, LexState.PROPNODENAME],
  ['/omit-if-no-ref/', T.OMIT_NO_REF, LexState.PROPNODENAME],
];

/**
 * Tokens come from a ring of reused objects (the parser reads ~16 million per kernel corpus run;
 * one object each was a third of all allocation). A token returned by next() stays valid for
 * the next TOKEN_RING - 1 calls; whoever holds one longer (the parser across a node body or an
 * expression) keeps a copy of the fields it needs (copyToken).
 */
export const TOKEN_RING = 64;

export function copyToken(t: Token): Token {
  return { t: t.t, ch: t.ch, s: t.s, v: t.v, n: t.n, file: t.file, line: t.line, col: t.col, endLine: t.endLine, endCol: t.endCol };
}

function blankToken(): Token {
  return { t: T.EOF, ch: 0, s: '', v: 0n, n: 0, file: '', line: 0, col: 0, endLine: 0, endCol: 0 };
}

export class Lexer {
  state: LexState = LexState.INITIAL;
  private readonly ring: Token[] = [];
  private ringAt = 0;
  private buf: SrcFile;
  private stack: SrcFile[] = [];
  /** Span of the last lexeme consumed (yylloc after it): an EOF token reports here, like dtc. */
  private last: { file: string; line: number; col: number; endLine: number; endCol: number };
  readonly diagnostics: Diagnostic[];
  private host: LexerHost;

  constructor(text: string, file: string, dir: string | null, host: LexerHost, diagnostics: Diagnostic[]) {
    this.buf = { text, pos: 0, end: text.length, name: file, dir, line: 1, lineStart: 0 };
    this.host = host;
    this.diagnostics = diagnostics;
    this.last = { file, line: 1, col: 1, endLine: 1, endCol: 1 };
  }

  /** Directory of the file currently being read (for /incbin/). */
  currentDir(): string | null {
    return this.buf.dir;
  }

  private error(code: string, msg: string, sp: Span): void {
    pushDiagnostic(this.diagnostics, diag('error', code, msg, sp));
  }

  /** The next ring slot, reset. */
  private slot(t: T, file: string, line: number, col: number, endLine: number, endCol: number): Token {
    const i = this.ringAt;
    this.ringAt = (i + 1) & (TOKEN_RING - 1);
    let tok = this.ring[i];
    if (tok === undefined) {
      tok = blankToken();
      this.ring[i] = tok;
    }
    tok.t = t;
    tok.ch = 0;
    tok.s = '';
    tok.v = 0n;
    tok.n = 0;
    tok.file = file;
    tok.line = line;
    tok.col = col;
    tok.endLine = endLine;
    tok.endCol = endCol;
    return tok;
  }

  private mk(t: T, startLine: number, startCol: number, file: string): Token {
    const b = this.buf;
    return this.slot(t, file, startLine, startCol, b.line, b.pos - b.lineStart + 1);
  }

  /** Consume chars [pos, to) of the current buffer, counting newlines. */
  private advance(to: number): void {
    const b = this.buf;
    const text = b.text;
    for (let i = b.pos; i < to; i++) {
      if (text.charCodeAt(i) === 10) {
        b.line++;
        b.lineStart = i + 1;
      }
    }
    b.pos = to;
  }

  /** Consume chars that cannot contain a newline. */
  private skip(to: number): void {
    this.buf.pos = to;
  }

  private setLast(file: string, line: number, col: number): void {
    const b = this.buf;
    const l = this.last;
    l.file = file;
    l.line = line;
    l.col = col;
    l.endLine = b.line;
    l.endCol = b.pos - b.lineStart + 1;
  }

  next(): Token {
    for (;;) {
      const b = this.buf;
      const text = b.text;
      const pos = b.pos;
      if (pos >= b.end) {
        if (this.stack.length > 0) {
          this.buf = this.stack.pop()!;
          continue;
        }
        const l = this.last;
        return this.slot(T.EOF, l.file, l.line, l.col, l.endLine, l.endCol);
      }
      const c = text.charCodeAt(pos);
      const line = b.line;
      const col = pos - b.lineStart + 1;
      const file = b.name;

      // {WS}+
      if (c < 256 && (cls[c]! & C_WS) !== 0) {
        let i = pos;
        const end = b.end;
        while (i < end) {
          const d = text.charCodeAt(i);
          if (d === 10) {
            b.line++;
            b.lineStart = i + 1;
          } else if (d >= 256 || (cls[d]! & C_WS) === 0) break;
          i++;
        }
        b.pos = i;
        this.setLast(file, line, col);
        continue;
      }

      const state = this.state;

      if (c === 47 /* / */) {
        const c1 = pos + 1 < b.end ? text.charCodeAt(pos + 1) : -1;
        if (c1 === 42 /* * */ || c1 === 47) {
          const e = this.scanComments(pos);
          if (e > pos) {
            this.advance(e);
            this.setLast(file, line, col);
            continue;
          }
        } else {
          // keywords
          for (const [kw, t, ns] of KEYWORDS) {
            if (text.startsWith(kw, pos)) {
              this.skip(pos + kw.length);
              this.setLast(file, line, col);
              if (ns !== -1) this.state = ns;
              return this.mk(t, line, col, file);
            }
          }
          if (text.startsWith('/include/', pos)) {
            const r = this.scanInclude(pos);
            if (r) {
              this.advance(r.end);
              this.setLast(file, line, col);
              this.pushInclude(r.name, { file, line, column: col, endLine: b.line, endColumn: b.pos - b.lineStart + 1 });
              continue;
            }
          } else if ((state === LexState.INITIAL || state === LexState.V1) && text.startsWith('/incbin/', pos)) {
            this.skip(pos + 8);
            this.setLast(file, line, col);
            return this.mk(T.INCBIN, line, col, file);
          }
        }
        return this.charToken(c, line, col, file);
      }

      if (c === 35 /* # */ && (pos === 0 || text.charCodeAt(pos - 1) === 10)) {
        const r = this.scanLinemarker(pos);
        if (r) {
          this.advance(r.end);
          this.setLast(file, line, col);
          const sp: Span = { file, line, column: col, endLine: b.line, endColumn: b.pos - b.lineStart + 1 };
          if (r.name.indexOf('\0') >= 0) this.error('bad-linemarker', 'nul in line number directive', sp);
          // srcpos_set_line(): -1 since #line is the number of the next line
          b.name = r.name;
          b.line = r.line - 1;
          continue;
        }
      }

      if (c === 34 /* " */) {
        const e = this.scanString(pos);
        if (e > 0) {
          this.advance(e);
          this.setLast(file, line, col);
          const tok = this.mk(T.STRING, line, col, file);
          tok.s = this.unescape(text, pos + 1, e - 1, tok);
          return tok;
        }
        return this.charToken(c, line, col, file);
      }

      if (c === 39 /* ' */) {
        const e = this.scanCharLiteral(pos);
        if (e > 0) {
          this.advance(e);
          this.setLast(file, line, col);
          const tok = this.mk(T.CHAR_LITERAL, line, col, file);
          const s = this.unescape(text, pos + 1, e - 1, tok);
          const sp = tokenSpan(tok);
          if (s.length === 0) {
            this.error('bad-char-literal', 'Empty character literal', sp);
            tok.n = 0;
          } else {
            tok.n = s.charCodeAt(0) & 0xff;
            if (s.length > 1) this.error('bad-char-literal', `Character literal has ${s.length} characters instead of 1`, sp);
          }
          return tok;
        }
        return this.charToken(c, line, col, file);
      }

      if (c === 38 /* & */) {
        const c1 = pos + 1 < b.end ? text.charCodeAt(pos + 1) : -1;
        if (c1 === 38) return this.opToken(T.AND, 2, line, col, file);
        if (isc(c1, C_LABEL0)) {
          let i = pos + 2;
          while (i < b.end && isc(text.charCodeAt(i), C_LABEL)) i++;
          this.skip(i);
          this.setLast(file, line, col);
          const tok = this.mk(T.REF, line, col, file);
          tok.s = text.slice(pos + 1, i);
          return tok;
        }
        if (c1 === 123 /* { */ && pos + 2 < b.end && text.charCodeAt(pos + 2) === 47) {
          // "&{/"{PATHCHAR}*\}
          let i = pos + 3;
          while (i < b.end && isc(text.charCodeAt(i), C_PATH)) i++;
          if (i < b.end && text.charCodeAt(i) === 125) {
            this.skip(i + 1);
            this.setLast(file, line, col);
            const tok = this.mk(T.REF, line, col, file);
            tok.s = text.slice(pos + 2, i);
            return tok;
          }
        }
        return this.charToken(c, line, col, file);
      }

      if (c === 60 /* < */ || c === 62 /* > */ || c === 61 /* = */ || c === 33 /* ! */ || c === 124 /* | */) {
        const c1 = pos + 1 < b.end ? text.charCodeAt(pos + 1) : -1;
        if (c === 60 && c1 === 60) return this.opToken(T.LSHIFT, 2, line, col, file);
        if (c === 62 && c1 === 62) return this.opToken(T.RSHIFT, 2, line, col, file);
        if (c === 60 && c1 === 61) return this.opToken(T.LE, 2, line, col, file);
        if (c === 62 && c1 === 61) return this.opToken(T.GE, 2, line, col, file);
        if (c === 61 && c1 === 61) return this.opToken(T.EQ, 2, line, col, file);
        if (c === 33 && c1 === 61) return this.opToken(T.NE, 2, line, col, file);
        if (c === 124 && c1 === 124) return this.opToken(T.OR, 2, line, col, file);
        return this.charToken(c, line, col, file);
      }

      // Generic longest match among: {LABEL}:, integer literal (V1), byte (BYTESTRING),
      // "]" (BYTESTRING), \\?{PROPNODECHAR}+ (PROPNODENAME), and '.'.
      let labelLen = 0;
      // label chars are name chars too: a name scan may resume where the label scan stopped
      let scanned = pos;
      if (isc(c, C_LABEL0)) {
        let i = pos + 1;
        while (i < b.end && isc(text.charCodeAt(i), C_LABEL)) i++;
        if (i < b.end && text.charCodeAt(i) === 58 /* : */) labelLen = i + 1 - pos;
        scanned = i;
      }
      let intLen = 0;
      let intBody = 0;
      if (state === LexState.V1 && isc(c, C_DIGIT)) {
        let i = pos + 1;
        while (i < b.end && isc(text.charCodeAt(i), C_DIGIT)) i++;
        if (c === 48 && i === pos + 1 && pos + 2 < b.end) {
          const x = text.charCodeAt(pos + 1);
          if ((x === 120 || x === 88) && isc(text.charCodeAt(pos + 2), C_HEX)) {
            i = pos + 3;
            while (i < b.end && isc(text.charCodeAt(i), C_HEX)) i++;
          }
        }
        intBody = i - pos;
        // (U|L|UL|LL|ULL)? — longest
        const s0 = i < b.end ? text.charCodeAt(i) : -1;
        const s1 = i + 1 < b.end ? text.charCodeAt(i + 1) : -1;
        const s2 = i + 2 < b.end ? text.charCodeAt(i + 2) : -1;
        if (s0 === 85 /* U */) {
          if (s1 === 76 /* L */) i += s2 === 76 ? 3 : 2;
          else i += 1;
        } else if (s0 === 76) {
          i += s1 === 76 ? 2 : 1;
        }
        intLen = i - pos;
      }
      let byteLen = 0;
      if (state === LexState.BYTESTRING) {
        if (isc(c, C_HEX) && pos + 1 < b.end && isc(text.charCodeAt(pos + 1), C_HEX)) byteLen = 2;
      }
      let nameLen = 0;
      if (state === LexState.PROPNODENAME) {
        let i = scanned;
        if (c === 92 /* \ */) i++;
        const s = c === 92 ? pos + 1 : pos;
        while (i < b.end && isc(text.charCodeAt(i), C_PROPNODE)) i++;
        if (i > s) nameLen = i - pos;
      }
      const best = Math.max(labelLen, intLen, byteLen, nameLen);
      if (best > 1 || (best === 1 && (intLen === 1 || nameLen === 1))) {
        if (labelLen === best) {
          this.skip(pos + labelLen);
          this.setLast(file, line, col);
          const tok = this.mk(T.LABEL, line, col, file);
          tok.s = text.slice(pos, pos + labelLen - 1);
          return tok;
        }
        if (intLen === best) {
          this.skip(pos + intLen);
          this.setLast(file, line, col);
          const tok = this.mk(T.LITERAL, line, col, file);
          this.integerValue(text, pos, intBody, intLen, tok);
          return tok;
        }
        if (byteLen === best) {
          this.skip(pos + 2);
          this.setLast(file, line, col);
          const tok = this.mk(T.BYTE, line, col, file);
          tok.n = hexVal(c) * 16 + hexVal(text.charCodeAt(pos + 1));
          return tok;
        }
        // PROPNODENAME
        this.skip(pos + nameLen);
        this.setLast(file, line, col);
        this.state = LexState.V1;
        const tok = this.mk(T.PROPNODENAME, line, col, file);
        tok.s = text.slice(c === 92 ? pos + 1 : pos, pos + nameLen);
        return tok;
      }
      if (c === 93 /* ] */ && state === LexState.BYTESTRING) {
        this.skip(pos + 1);
        this.setLast(file, line, col);
        this.state = LexState.V1;
        const tok = this.mk(T.CHAR, line, col, file);
        tok.ch = c;
        return tok;
      }
      return this.charToken(c, line, col, file);
    }
  }

  /** The '.' rule: one char (surrogate pairs count as one token here). */
  private charToken(c: number, line: number, col: number, file: string): Token {
    const b = this.buf;
    this.skip(b.pos + 1);
    this.setLast(file, line, col);
    if (c === 91 /* [ */) this.state = LexState.BYTESTRING;
    else if (c === 123 /* { */ || c === 59 /* ; */) this.state = LexState.PROPNODENAME;
    const tok = this.mk(T.CHAR, line, col, file);
    tok.ch = c;
    return tok;
  }

  private opToken(t: T, len: number, line: number, col: number, file: string): Token {
    const b = this.buf;
    this.skip(b.pos + len);
    this.setLast(file, line, col);
    return this.mk(t, line, col, file);
  }

  /** {COMMENT}+ or {LINECOMMENT}+ starting at pos; returns end, or pos when no match. */
  private scanComments(pos: number): number {
    const b = this.buf;
    const text = b.text;
    const kind = text.charCodeAt(pos + 1);
    let i = pos;
    for (;;) {
      if (i + 1 >= b.end || text.charCodeAt(i) !== 47 || text.charCodeAt(i + 1) !== kind) return i;
      if (kind === 42) {
        const e = text.indexOf('*/', i + 2);
        if (e < 0 || e >= b.end) return i;
        i = e + 2;
      } else {
        // "//".*\n — needs the newline
        const e = text.indexOf('\n', i + 2);
        if (e < 0 || e >= b.end) return i;
        i = e + 1;
      }
    }
  }

  /** \"([^\\"]|\\.)*\" — returns end (after the closing quote) or 0. `.` excludes newline. */
  private scanString(pos: number): number {
    const b = this.buf;
    const text = b.text;
    let i = pos + 1;
    while (i < b.end) {
      const d = text.charCodeAt(i);
      if (d === 34) return i + 1;
      if (d === 92) {
        if (i + 1 >= b.end || text.charCodeAt(i + 1) === 10) return 0;
        i += 2;
        continue;
      }
      i++;
    }
    return 0;
  }

  /**
   * '([^']|\\')*' with flex's longest match: the body may hold a quote only right after a
   * backslash, so the literal ends at the last quote reachable that way.
   */
  private scanCharLiteral(pos: number): number {
    const b = this.buf;
    const text = b.text;
    let cand = 0;
    let i = pos + 1;
    while (i < b.end) {
      const e = text.indexOf("'", i);
      if (e < 0 || e >= b.end) break;
      cand = e + 1;
      if (e > pos + 1 && text.charCodeAt(e - 1) === 92) {
        i = e + 1;
        continue;
      }
      break;
    }
    return cand;
  }

  /** "/include/"{WS}*{STRING} */
  private scanInclude(pos: number): { end: number; name: string } | undefined {
    const b = this.buf;
    const text = b.text;
    let i = pos + 9;
    while (i < b.end && isc(text.charCodeAt(i), C_WS)) i++;
    if (i >= b.end || text.charCodeAt(i) !== 34) return undefined;
    const e = this.scanString(i);
    if (e === 0) return undefined;
    return { end: e, name: text.slice(i + 1, e - 1) };
  }

  /** ^"#"(line)?[ \t]+[0-9]+[ \t]+{STRING}([ \t]+[0-9]+)* */
  private scanLinemarker(pos: number): { end: number; name: string; line: number } | undefined {
    const b = this.buf;
    const text = b.text;
    let i = pos + 1;
    if (text.startsWith('line', i)) i += 4;
    const isBlank = (k: number): boolean => k < b.end && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9);
    if (!isBlank(i)) return undefined;
    while (isBlank(i)) i++;
    const ds = i;
    while (i < b.end && isc(text.charCodeAt(i), C_DIGIT)) i++;
    if (i === ds) return undefined;
    const lineNo = parseInt(text.slice(ds, i), 10);
    if (!isBlank(i)) return undefined;
    while (isBlank(i)) i++;
    if (i >= b.end || text.charCodeAt(i) !== 34) return undefined;
    const se = this.scanString(i);
    if (se === 0) return undefined;
    const name = this.unescape(text, i + 1, se - 1, undefined);
    i = se;
    for (;;) {
      let k = i;
      if (!isBlank(k)) break;
      while (isBlank(k)) k++;
      const d0 = k;
      while (k < b.end && isc(text.charCodeAt(k), C_DIGIT)) k++;
      if (k === d0) break;
      i = k;
    }
    return { end: i, name, line: lineNo };
  }

  /** strtoull(yytext, &e, 0) with dtc's checks. */
  private integerValue(text: string, pos: number, bodyLen: number, litLen: number, tok: Token): void {
    const c0 = text.charCodeAt(pos);
    const c1 = bodyLen > 1 ? text.charCodeAt(pos + 1) : 0;
    // fast paths: short hex / decimal literals fit a double exactly
    if (bodyLen > 2 && c0 === 48 && (c1 === 120 || c1 === 88)) {
      if (bodyLen <= 15) {
        let v = 0;
        for (let i = pos + 2; i < pos + bodyLen; i++) v = v * 16 + hexVal(text.charCodeAt(i));
        tok.n = v;
        return;
      }
    } else if (c0 !== 48 || bodyLen === 1) {
      if (bodyLen <= 15) {
        let v = 0;
        for (let i = pos; i < pos + bodyLen; i++) v = v * 10 + (text.charCodeAt(i) - 48);
        tok.n = v;
        return;
      }
    }
    const lit = text.slice(pos, pos + litLen);
    const body = lit.slice(0, bodyLen);
    let v: bigint;
    let bad = false;
    if (body.length > 1 && body.charCodeAt(0) === 48 && (body.charCodeAt(1) === 120 || body.charCodeAt(1) === 88)) {
      v = BigInt(body);
    } else if (body.length > 1 && body.charCodeAt(0) === 48) {
      // octal: strtoull stops at the first 8 or 9; anything left that is not U/L is an error
      let k = 1;
      while (k < body.length && body.charCodeAt(k) <= 55) k++;
      v = k > 1 ? BigInt('0o' + body.slice(1, k)) : 0n;
      if (k < body.length) bad = true;
    } else {
      v = BigInt(body);
    }
    const sp = tokenSpan(tok);
    if (bad) {
      this.error('bad-number', `Bad integer literal '${lit}'`, sp);
    } else if (v > 0xffffffffffffffffn) {
      this.error('bad-number', `Integer literal '${lit}' out of range`, sp);
      v = 0xffffffffffffffffn;
    }
    if (v < 0x20000000000000n) tok.n = Number(v);
    else {
      tok.n = -1;
      tok.v = v;
    }
  }

  /**
   * data_copy_escape_string() without the trailing NUL: returns a string of byte-valued chars.
   * `tok` locates "\x used with no following hex digits" (fatal in dtc, an error here).
   */
  unescape(text: string, start: number, end: number, tok: Token | undefined): string {
    let hasEscape = false;
    for (let k = start; k < end; k++) {
      if (text.charCodeAt(k) === 92) {
        hasEscape = true;
        break;
      }
    }
    if (!hasEscape) return toByteString(text.slice(start, end));
    let out = '';
    let i = start;
    while (i < end) {
      const c = text.charCodeAt(i++);
      if (c !== 92) {
        out += String.fromCharCode(c);
        continue;
      }
      // get_escape_char(): the escape may read past `end` into the closing quote, which is
      // never a digit, so bounding by the text is enough.
      const e = text.charCodeAt(i);
      switch (e) {
        case 97:
          out += '\x07';
          i++;
          break; // a
        case 98:
          out += '\b';
          i++;
          break;
        case 116:
          out += '\t';
          i++;
          break;
        case 110:
          out += '\n';
          i++;
          break;
        case 118:
          out += '\v';
          i++;
          break;
        case 102:
          out += '\f';
          i++;
          break;
        case 114:
          out += '\r';
          i++;
          break;
        case 48:
        case 49:
        case 50:
        case 51:
        case 52:
        case 53:
        case 54:
        case 55: {
          // get_oct_char(): up to 3 octal digits
          let k = i;
          let v = 0;
          while (k < i + 3 && k < text.length && text.charCodeAt(k) >= 48 && text.charCodeAt(k) <= 55) {
            v = v * 8 + (text.charCodeAt(k) - 48);
            k++;
          }
          out += String.fromCharCode(v & 0xff);
          i = k;
          break;
        }
        case 120: {
          // get_hex_char(): strtol(x, &endx, 16) over a 2-char window — strtol skips leading
          // whitespace and takes a sign.
          i++;
          const w = text.slice(i, Math.min(i + 2, text.length));
          const r = strtol16(w);
          if (r.used === 0) {
            if (tok) this.error('bad-escape', '\\x used with no following hex digits', tokenSpan(tok));
          }
          out += String.fromCharCode(r.value & 0xff);
          i += r.used;
          break;
        }
        default:
          out += String.fromCharCode(e);
          i++;
      }
    }
    return toByteString(out);
  }

  private pushInclude(name: string, at: Span): void {
    if (this.stack.length + 1 >= MAX_SRCFILE_DEPTH) {
      this.error('include-depth', 'Includes nested too deeply', at);
      return;
    }
    const r = this.host.open(name, this.buf.dir, at);
    if (!r) return;
    this.stack.push(this.buf);
    const slash = r.path.lastIndexOf('/');
    this.buf = {
      text: r.text,
      pos: 0,
      end: r.text.length,
      name: r.path,
      dir: slash >= 0 ? r.path.slice(0, slash) : null,
      line: 1,
      lineStart: 0,
    };
  }
}

/** strtol(s, &end, 16) on a short window: returns value and chars consumed (0 if none). */
function strtol16(w: string): { value: number; used: number } {
  let i = 0;
  while (i < w.length && isc(w.charCodeAt(i), C_WS)) i++;
  let neg = false;
  if (i < w.length && (w[i] === '+' || w[i] === '-')) {
    neg = w[i] === '-';
    i++;
  }
  const ds = i;
  let v = 0;
  // "0x" prefix only counts when a hex digit follows; within 2 chars it never does.
  while (i < w.length && isc(w.charCodeAt(i), C_HEX)) {
    v = v * 16 + parseInt(w[i]!, 16);
    i++;
  }
  if (i === ds) return { value: 0, used: 0 };
  return { value: neg ? -v : v, used: i };
}
