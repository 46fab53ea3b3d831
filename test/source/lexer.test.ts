// Lexer units: dtc-lexer.l (1.6.1) start conditions, longest match, positions, linemarkers.
// Expected positions were checked against Debian's dtc 1.6.1 where dtc reports them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lexer, T, TOKEN_RING, copyToken, tokenValue, type LexerHost, type Token } from '../../src/source/lexer.js';
import type { Diagnostic } from '../../src/diagnostics.js';

function lex(text: string, files: Record<string, string> = {}): { toks: Token[]; diags: Diagnostic[] } {
  const diags: Diagnostic[] = [];
  const host: LexerHost = {
    open(name, dir) {
      const path = dir ? `${dir}/${name}` : name;
      const t = files[path];
      return t === undefined ? undefined : { path, text: t };
    },
  };
  const lx = new Lexer(text, 'in.dts', null, host, diags);
  const toks: Token[] = [];
  for (let i = 0; i < 10000; i++) {
    const t = lx.next();
    toks.push(copyToken(t)); // the lexer reuses its token objects
    if (t.t === T.EOF) break;
  }
  return { toks, diags };
}

/** Compact rendering: kind and value. */
function show(t: Token): string {
  switch (t.t) {
    case T.CHAR:
      return String.fromCharCode(t.ch);
    case T.PROPNODENAME:
      return `N(${t.s})`;
    case T.LABEL:
      return `L(${t.s})`;
    case T.REF:
      return `R(${t.s})`;
    case T.LITERAL:
      return `I(${tokenValue(t)})`;
    case T.CHAR_LITERAL:
      return `C(${tokenValue(t)})`;
    case T.BYTE:
      return `B(${t.n.toString(16)})`;
    case T.STRING:
      return `S(${JSON.stringify(t.s)})`;
    case T.V1:
      return 'V1';
    case T.PLUGIN:
      return 'PLUGIN';
    case T.MEMRESERVE:
      return 'MEMRESERVE';
    case T.BITS:
      return 'BITS';
    case T.DEL_NODE:
      return 'DELNODE';
    case T.DEL_PROP:
      return 'DELPROP';
    case T.OMIT_NO_REF:
      return 'OMIT';
    case T.INCBIN:
      return 'INCBIN';
    case T.EOF:
      return 'EOF';
    case T.LSHIFT:
      return '<<';
    case T.RSHIFT:
      return '>>';
    case T.LE:
      return '<=';
    case T.GE:
      return '>=';
    case T.EQ:
      return '==';
    case T.NE:
      return '!=';
    case T.AND:
      return '&&';
    case T.OR:
      return '||';
    default:
      return '?';
  }
}
const kinds = (text: string): string => lex(text).toks.map(show).join(' ');

test('start conditions: names after { and ;, values after a name', () => {
  assert.equal(
    kinds('/dts-v1/; / { #address-cells = <1>; lbl: node@0 { }; };'),
    'V1 ; / { N(#address-cells) = < I(1) > ; L(lbl) N(node@0) { } ; } ; EOF',
  );
  // in a value (V1) a name-like word is not a name: one char per token
  assert.equal(kinds('/dts-v1/; x = <GIC>;').split(' ').slice(0, 7).join(' '), 'V1 ; N(x) = < G I');
  // before /dts-v1/ (INITIAL) integers are not recognised
  assert.equal(kinds('12'), '1 2 EOF');
});

test('longest match: label beats name only when the name ends right before the colon', () => {
  assert.equal(kinds('; a: b,c: ; d-e:'), '; L(a) N(b,c) : ; N(d-e) : EOF');
  // after a name the lexer is back in V1, where `d-e:` is 'd' '-' and the label `e:`
  assert.equal(kinds('; n d-e:'), '; N(n) d - L(e) EOF');
  assert.equal(kinds('; \\#weird-name = <0>;'), '; N(#weird-name) = < I(0) > ; EOF');
  assert.equal(kinds('; 0x10 = <0x10>;'), '; N(0x10) = < I(16) > ; EOF');
});

test('integer literals: bases, suffixes, errors', () => {
  assert.equal(kinds('/dts-v1/ 0x1F 017 10U 10UL 10ULL 7L 0'), 'V1 I(31) I(15) I(10) I(10) I(10) I(7) I(0) EOF');
  const bad = lex('/dts-v1/\n\t09');
  assert.equal(bad.diags.length, 1);
  assert.equal(bad.diags[0]!.message, "Bad integer literal '09'");
  assert.deepEqual([bad.diags[0]!.line, bad.diags[0]!.column, bad.diags[0]!.endColumn], [2, 2, 4]);
  const big = lex('/dts-v1/ 18446744073709551616');
  assert.equal(big.diags[0]!.message, "Integer literal '18446744073709551616' out of range");
  assert.equal(kinds('/dts-v1/ 18446744073709551615'), 'V1 I(18446744073709551615) EOF');
  // 0x without digits is 0 followed by 'x'
  assert.equal(kinds('/dts-v1/ 0x'), 'V1 I(0) x EOF');
});

test('strings and char literals with escapes', () => {
  const { toks } = lex(String.raw`"a\tb\x41\101\\\"\q\0" 'x' '\n' '\'' '\x7f'`);
  assert.equal(toks[0]!.s, 'a\tbAA\\"q\0');
  assert.deepEqual(
    toks.slice(1, 5).map((t) => tokenValue(t)),
    [120n, 10n, 39n, 127n],
  );
  const e = lex("'' 'ab'");
  assert.deepEqual(
    e.diags.map((d) => d.message),
    ['Empty character literal', 'Character literal has 2 characters instead of 1'],
  );
  // an unterminated string is just a '"' char
  assert.equal(kinds('"abc'), '" a b c EOF');
  // a hex escape without digits is an error (fatal in dtc)
  assert.equal(lex(String.raw`"\xg"`).diags[0]!.message, '\\x used with no following hex digits');
});

test('byte strings: pairs of hex digits, labels inside, back to V1 after ]', () => {
  assert.equal(kinds('/dts-v1/ [0011 22 ab: cd] 1'), 'V1 [ B(0) B(11) B(22) L(ab) B(cd) ] I(1) EOF');
});

test('references, operators and keywords', () => {
  assert.equal(kinds('&foo &{/a/b@1,2} && &{x} <<>><=>===!=||'), 'R(foo) R(/a/b@1,2) && & { N(x) } << >> <= >= == != || EOF');
  assert.equal(
    kinds('/plugin/ /memreserve/ /bits/ /delete-node/ x /delete-property/ y /omit-if-no-ref/ /incbin/'),
    'PLUGIN MEMRESERVE BITS DELNODE N(x) DELPROP N(y) OMIT / N(incbin) / EOF',
  );
  assert.equal(kinds('/dts-v1/ /incbin/'), 'V1 INCBIN EOF');
  // /incbin/ is not a rule of the BYTESTRING state
  assert.equal(kinds('[/incbin/'), '[ / i n B(cb) i n / EOF');
});

test('comments: C comments anywhere, // needs a newline', () => {
  assert.equal(kinds('/* a\n b */ /**/x// c\ny'), 'x y EOF');
  assert.equal(kinds('x // no newline'), 'x / / n o n e w l i n e EOF');
  assert.equal(kinds('/* unterminated'), '/ * u n t e r m i n a t e d EOF');
});

test('positions: 1-based, end column exclusive, tabs count one', () => {
  const { toks } = lex('/dts-v1/;\n\tfoo = "x\ny";');
  const at = (t: Token): string => `${t.line}.${t.col}-${t.endLine}.${t.endCol}`;
  assert.deepEqual(toks.map(at), ['1.1-1.9', '1.9-1.10', '2.2-2.5', '2.6-2.7', '2.8-3.3', '3.3-3.4', '3.3-3.4']);
});

test('linemarkers set file and line like srcpos_set_line; flags allowed', () => {
  const { toks } = lex('# 1 "a.dtsi" 1 3 4\nx\n#line 10 "b\\\\c.dts"\ny\n  # 5 "no.dts"\n');
  assert.deepEqual(
    toks.slice(0, 2).map((t) => [t.file, t.line, t.col]),
    [
      ['a.dtsi', 1, 1],
      ['b\\c.dts', 10, 1],
    ],
  );
  // '#' not at the start of a line is not a linemarker
  assert.equal(toks[2]!.t, T.CHAR);
  const nul = lex('# 0 "\0"\n');
  assert.equal(nul.diags[0]!.message, 'nul in line number directive');
  assert.deepEqual([nul.diags[0]!.line, nul.diags[0]!.column, nul.diags[0]!.endColumn], [1, 1, 8]);
});

test('/include/ pushes the file; positions inside it are its own', () => {
  const { toks, diags } = lex('a /include/ "inc.dtsi" b', { 'inc.dtsi': '\n  c' });
  assert.equal(diags.length, 0);
  assert.deepEqual(toks.map((t) => [show(t), t.file, t.line, t.col]).slice(0, 3), [
    ['a', 'in.dts', 1, 1],
    ['c', 'inc.dtsi', 2, 3],
    ['b', 'in.dts', 1, 24],
  ]);
});

test('EOF is reported at the last lexeme, whitespace included', () => {
  const { toks } = lex('x \n ');
  const eof = toks[toks.length - 1]!;
  assert.deepEqual([eof.line, eof.col, eof.endLine, eof.endCol], [1, 2, 2, 2]);
});

test('token objects are reused only after TOKEN_RING - 1 further tokens', () => {
  const lx = new Lexer('/dts-v1/; / { a = <1 2 3>; };', 'in.dts', null, { open: () => undefined }, []);
  const first = lx.next();
  const held = copyToken(first);
  const seen = [first];
  for (let i = 1; i < TOKEN_RING; i++) seen.push(lx.next());
  // every token of the last TOKEN_RING calls is a distinct object, and the first is intact
  assert.equal(new Set(seen).size, TOKEN_RING);
  assert.deepEqual(first, held);
  assert.equal(lx.next(), first); // now recycled
});
