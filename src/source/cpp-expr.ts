// `#if` / `#elif` integer constant expressions, with GCC's semantics (libcpp/expr.cc):
// every value is intmax_t or uintmax_t (64-bit here, as on every Linux host), the usual arithmetic
// conversions make a binary operation unsigned if either side is, `?:` is unsigned if either arm
// is, shifts keep the left operand's type and a negative count shifts the other way, and
// division by zero is an error only where the operand is actually evaluated.
import { K, type Tok } from './cpp-lex.js';

export interface Val {
  v: bigint;
  u: boolean;
}

export interface ExprHost {
  /** Next token, macro-expanded, no padding; EOF at the end of the directive. */
  next(): Tok;
  /** Next token without macro expansion (operand of `defined`). */
  nextRaw(): Tok;
  isDefined(name: string): boolean;
  /** `__has_include` / `__has_include_next`; the host reads the operand itself. */
  hasInclude(kw: Tok): boolean;
  error(message: string, at: Tok): void;
  warning(message: string, at: Tok): void;
}

class ExprError extends Error {}

const norm = (v: bigint, u: boolean): Val => ({ v: u ? BigInt.asUintN(64, v) : BigInt.asIntN(64, v), u });
const ZERO: Val = { v: 0n, u: false };
const ONE: Val = { v: 1n, u: false };
const bool = (b: boolean): Val => (b ? ONE : ZERO);

/** Parse a pp-number as an integer constant the way cpp_classify_number/cpp_interpret_integer do. */
export function parseIntegerLiteral(text: string): { val?: Val; error?: string; warning?: string } {
  let s = text;
  let radix = 10;
  let digits: string;
  const lower = s.toLowerCase();
  if (lower.startsWith('0x')) {
    radix = 16;
    s = s.slice(2);
  } else if (lower.startsWith('0b')) {
    radix = 2;
    s = s.slice(2);
  } else if (s.length > 1 && s[0] === '0') radix = 8;
  const m = radix === 16 ? /^([0-9a-fA-F]*)(.*)$/.exec(s)! : /^([0-9]*)(.*)$/.exec(s)!;
  digits = m[1]!;
  const suffix = m[2]!;
  if (
    /[.]/.test(suffix) ||
    (radix === 10 && /^[eE]/.test(suffix)) ||
    (radix === 16 && /[pP]/.test(suffix)) ||
    (radix === 8 && /^[eE]/.test(suffix))
  ) {
    return { error: 'floating constant in preprocessor expression' };
  }
  if (digits === '' && radix !== 8) return { error: `invalid suffix "${suffix}" on integer constant` };
  let unsigned = false;
  if (suffix !== '') {
    const sl = suffix;
    const ok = /^(u|U)?(l|L|ll|LL)?$/.test(sl) || /^(l|L|ll|LL)(u|U)$/.test(sl);
    if (!ok) return { error: `invalid suffix "${suffix}" on integer constant` };
    unsigned = /[uU]/.test(sl);
  }
  if (radix === 8) {
    const bad = /[89]/.exec(digits);
    if (bad) return { error: `invalid digit "${bad[0]}" in octal constant` };
  }
  if (radix === 2 && /[^01]/.test(digits)) {
    const bad = /[^01]/.exec(digits)!;
    return { error: `invalid digit "${bad[0]}" in binary constant` };
  }
  let v = 0n;
  if (digits !== '') v = BigInt((radix === 16 ? '0x' : radix === 8 ? '0o' : radix === 2 ? '0b' : '') + digits);
  let warning: string | undefined;
  if (v > 0xffffffffffffffffn) {
    warning = 'integer constant is too large for its type';
    v = BigInt.asUintN(64, v);
  }
  if (!unsigned && v > 0x7fffffffffffffffn) {
    if (radix === 10) warning ??= 'integer constant is so large that it is unsigned';
    unsigned = true;
  }
  return { val: norm(v, unsigned), ...(warning ? { warning } : {}) };
}

/** Value of a character constant ('a', '\n', '\x41', multi-char) as int, char being signed. */
export function parseCharLiteral(text: string): { val: Val; warning?: string } {
  let body = text;
  let wide = false;
  if (body[0] !== "'") {
    wide = true;
    body = body.slice(body.indexOf("'"));
  }
  body = body.slice(1, -1);
  const chars: number[] = [];
  for (let i = 0; i < body.length; ) {
    const c = body[i]!;
    if (c !== '\\') {
      chars.push(body.charCodeAt(i));
      i++;
      continue;
    }
    const e = body[i + 1] ?? '';
    i += 2;
    const simple: Record<string, number> = {
      n: 10,
      t: 9,
      r: 13,
      a: 7,
      b: 8,
      f: 12,
      v: 11,
      e: 27,
      E: 27,
      '\\': 92,
      "'": 39,
      '"': 34,
      '?': 63,
    };
    if (e in simple) chars.push(simple[e]!);
    else if (e === 'x') {
      let j = i;
      while (j < body.length && /[0-9a-fA-F]/.test(body[j]!)) j++;
      chars.push(parseInt(body.slice(i, j) || '0', 16));
      i = j;
    } else if (/[0-7]/.test(e)) {
      const j = i - 1;
      let k = j;
      while (k < body.length && k < j + 3 && /[0-7]/.test(body[k]!)) k++;
      chars.push(parseInt(body.slice(j, k), 8));
      i = k;
    } else chars.push(e.charCodeAt(0));
  }
  if (wide) return { val: { v: BigInt(chars[chars.length - 1] ?? 0), u: false } };
  if (chars.length === 1) {
    const b = chars[0]! & 0xff;
    return { val: { v: BigInt(b >= 128 ? b - 256 : b), u: false } };
  }
  let acc = 0;
  for (const c of chars.slice(-4)) acc = ((acc << 8) | (c & 0xff)) >>> 0;
  return { val: { v: BigInt(acc | 0), u: false }, ...(chars.length > 1 ? { warning: 'multi-character character constant' } : {}) };
}

/**
 * Evaluate one `#if` expression. Returns undefined when it is malformed (the error has been
 * reported through the host; GCC then treats the group as false).
 */
export function evalExpr(host: ExprHost): bigint | undefined {
  let tok = host.next();
  const first = tok;
  let skip = 0; // > 0: inside an unevaluated operand (no division-by-zero errors)

  const advance = (): void => {
    tok = host.next();
  };
  const fail = (msg: string, at: Tok = tok): never => {
    host.error(msg, at);
    throw new ExprError(msg);
  };
  const isP = (t: Tok, p: string): boolean => t.k === K.PUNCT && t.t === p;
  const spell = (t: Tok): string => (t.k === K.EOF ? 'end of line' : `"${t.t}"`);

  function primary(): Val {
    const t = tok;
    switch (t.k) {
      case K.NUMBER: {
        advance();
        const r = parseIntegerLiteral(t.t);
        if (r.error) fail(r.error, t);
        if (r.warning) host.warning(r.warning, t);
        return r.val!;
      }
      case K.CHAR: {
        advance();
        const r = parseCharLiteral(t.t);
        if (r.warning) host.warning(r.warning, t);
        return r.val;
      }
      case K.NAME: {
        if (t.t === 'defined') {
          let n = host.nextRaw();
          let paren = false;
          if (isP(n, '(')) {
            paren = true;
            n = host.nextRaw();
          }
          if (n.k !== K.NAME) fail('operator "defined" requires an identifier', n);
          const d = host.isDefined(n.t);
          if (paren) {
            const c = host.nextRaw();
            if (!isP(c, ')')) fail('missing \')\' after "defined"', c);
          }
          advance();
          return bool(d);
        }
        if (t.t === '__has_include' || t.t === '__has_include_next') {
          const r = host.hasInclude(t);
          advance();
          return bool(r);
        }
        // An identifier that is not a macro is 0 (C11 6.10.1p4).
        advance();
        return ZERO;
      }
      case K.PUNCT:
        if (t.t === '(') {
          advance();
          const v = comma();
          if (!isP(tok, ')')) fail(`missing ')' in expression`);
          advance();
          return v;
        }
        if (t.t === '+' || t.t === '-' || t.t === '~' || t.t === '!') {
          advance();
          if (tok.k === K.EOF || (tok.k === K.PUNCT && tok.t === ')')) fail(`operator '${t.t}' has no right operand`, t);
          const a = primary();
          if (t.t === '+') return a;
          if (t.t === '-') return norm(-a.v, a.u);
          if (t.t === '~') return norm(~a.v, a.u);
          return bool(a.v === 0n);
        }
        if (t.t === ')') fail(`missing expression between '(' and ')'`, t);
        fail(`token ${spell(t)} is not valid in preprocessor expressions`, t);
        break;
      case K.EOF:
        if (t === first) fail('#if with no expression', t);
        fail('expected value in expression', t);
        break;
      case K.STRING:
        fail(`token ${spell(t)} is not valid in preprocessor expressions`, t);
        break;
      default:
        fail(`token ${spell(t)} is not valid in preprocessor expressions`, t);
    }
    return ZERO;
  }

  // Binary operators by precedence level (lowest first), C11 6.5.
  const levels: string[][] = [
    ['||'],
    ['&&'],
    ['|'],
    ['^'],
    ['&'],
    ['==', '!='],
    ['<', '>', '<=', '>='],
    ['<<', '>>'],
    ['+', '-'],
    ['*', '/', '%'],
  ];

  function binary(level: number): Val {
    if (level === levels.length) return primary();
    const ops = levels[level]!;
    let a = binary(level + 1);
    while (tok.k === K.PUNCT && ops.includes(tok.t)) {
      const opTok = tok;
      const op = tok.t;
      advance();
      if (op === '&&' || op === '||') {
        const short = op === '&&' ? a.v === 0n : a.v !== 0n;
        if (short) skip++;
        const b = binary(level + 1);
        if (short) skip--;
        a = op === '&&' ? bool(a.v !== 0n && b.v !== 0n) : bool(a.v !== 0n || b.v !== 0n);
        continue;
      }
      const b = binary(level + 1);
      a = apply(op, a, b, opTok);
    }
    return a;
  }

  function apply(op: string, a: Val, b: Val, at: Tok): Val {
    if (op === '<<' || op === '>>') {
      let left = op === '<<';
      let n = b.v;
      if (!b.u && n < 0n) {
        left = !left;
        n = -n;
      }
      if (left) return n >= 64n ? norm(0n, a.u) : norm(a.v << n, a.u);
      if (n >= 64n) return norm(a.u || a.v >= 0n ? 0n : -1n, a.u);
      return norm(a.v >> n, a.u);
    }
    const u = a.u || b.u;
    const x = u ? BigInt.asUintN(64, a.v) : a.v;
    const y = u ? BigInt.asUintN(64, b.v) : b.v;
    switch (op) {
      case '*':
        return norm(x * y, u);
      case '/':
      case '%':
        if (y === 0n) {
          if (!skip) host.error('division by zero in #if', at);
          // num_div_op gives back the left operand, made positive when both sides are signed,
          // keeping the left operand's own signedness.
          return !u && a.v < 0n ? norm(-a.v, false) : a;
        }
        return norm(op === '/' ? x / y : x % y, u);
      case '+':
        return norm(x + y, u);
      case '-':
        return norm(x - y, u);
      case '<':
        return bool(x < y);
      case '>':
        return bool(x > y);
      case '<=':
        return bool(x <= y);
      case '>=':
        return bool(x >= y);
      case '==':
        return bool(x === y);
      case '!=':
        return bool(x !== y);
      case '&':
        return norm(x & y, u);
      case '^':
        return norm(x ^ y, u);
      case '|':
        return norm(x | y, u);
    }
    return ZERO;
  }

  function cond(): Val {
    const c = binary(0);
    if (!isP(tok, '?')) return c;
    const q = tok;
    advance();
    if (tok.k === K.EOF) fail(`'?' without following ':'`, q);
    const taken = c.v !== 0n;
    if (!taken) skip++;
    const a = comma();
    if (!taken) skip--;
    if (!isP(tok, ':')) fail(`'?' without following ':'`, q);
    advance();
    if (taken) skip++;
    const b = cond();
    if (taken) skip--;
    const u = a.u || b.u;
    return norm(taken ? a.v : b.v, u);
  }

  function comma(): Val {
    let v = cond();
    while (isP(tok, ',')) {
      advance();
      v = cond();
    }
    return v;
  }

  try {
    const v = comma();
    if (tok.k !== K.EOF) {
      if (isP(tok, ')')) fail(`missing '(' in expression`);
      if (isP(tok, ':')) fail(`':' without preceding '?'`);
      fail(`missing binary operator before token ${spell(tok)}`);
    }
    return v.v;
  } catch (e) {
    if (e instanceof ExprError) return undefined;
    throw e;
  }
}
