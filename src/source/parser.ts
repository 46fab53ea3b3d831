// dtc's parser (dtc-parser.y, dtc 1.6.1) as a hand-written recursive-descent parser.
//
// It builds the live tree exactly as dtc's grammar actions do (livetree.c via src/tree/build.ts):
// node merging for `/ {}` re-opened and `&ref {}`, /delete-node/, /delete-property/,
// /omit-if-no-ref/, labels in dtc's list order, /plugin/ orphans as fragment@N, markers and
// type hints in dtc's order. Phandles, reference fix-ups and checks come later (src/tree/checks.ts).
//
// Errors: dtc stops at its first syntax error; we report it at the same token (bison detects an
// error at the first token that cannot continue a valid prefix, as a recursive-descent parser
// does), then resynchronise at `;` or `}` and go on, so a run can report several. Semantic errors
// (unknown label, value out of range, division by zero) never stop parsing, as in dtc.
import type { Diagnostic, Span } from '../diagnostics.js';
import { diag, hasErrors, pushDiagnostic } from '../diagnostics.js';
import { InputError, readInputFile, readInputSlice, whyUnreadable } from '../input.js';
import { MAX_TREE_DEPTH, nodeBeyondDepth, type Tree } from '../tree/types.js';
import {
  addLabel,
  addOrphanNode,
  buildNode,
  buildNodeDelete,
  buildProperty,
  buildPropertyDelete,
  deleteNode,
  finalizeTree,
  LabelIndex,
  mergeNodes,
  pGetNodeByRef,
  type PMemReserve,
  type PNode,
  type PProp,
} from '../tree/build.js';
import { DataBuilder } from './data.js';
import { Lexer, T, copyToken, spanOf, tokenSpan, tokenValue, type LexerHost, type Token } from './lexer.js';

export interface ParseOptions {
  /** Search path for /include/ and /incbin/ after the including file's directory (dtc -i). */
  includeDirs: string[];
  /** Read a file; undefined when it does not exist. Defaults to node:fs. */
  readFile?: (path: string) => Uint8Array | undefined;
}

export interface ParseResult {
  /** The live tree, or undefined when any error was reported (dtc then produces nothing). */
  tree: Tree | undefined;
  diagnostics: Diagnostic[];
  /** Every file read: the input, /include/d files and /incbin/ files (for dependency output). */
  files: string[];
}

class ParseAbort {}

/** One value builder for all parses: a 64 KiB buffer per parse was external memory that V8 counts towards GC. */
const SCRATCH = new DataBuilder(1 << 16);

const MAX_SYNTAX_ERRORS = 20;
/** Nesting limits that keep recursion (ours and downstream) within the JS stack. */
const MAX_NODE_DEPTH = 1000;
const MAX_EXPR_DEPTH = 256;
const U64 = 0xffffffffffffffffn;
const U32 = 0xffffffffn;
const U16 = 0xffffn;
const U8 = 0xffn;

/**
 * `read()`, or undefined when the file cannot be opened: dtc's try_open goes on to the next
 * directory whatever fopen's error was. A file opened but refused (InputError) stops the search.
 */
function ifOpened<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (e instanceof InputError) throw e;
    return undefined;
  }
}

/**
 * The file system reader: a directory, a device or a file too large is found (dtc's fopen
 * succeeds on them) and then throws InputError, reported as the file that could not be read.
 */
function defaultReadFile(path: string): Uint8Array | undefined {
  return ifOpened(() => readInputFile(path));
}

function dirOf(path: string): string | null {
  const i = path.lastIndexOf('/');
  return i >= 0 ? path.slice(0, i) : null;
}

/** join_path() */
function joinPath(dir: string, name: string): string {
  return dir.length > 0 && dir.endsWith('/') ? dir + name : dir + '/' + name;
}

function describe(t: Token): string {
  switch (t.t) {
    case T.EOF:
      return 'end of input';
    case T.V1:
      return "'/dts-v1/'";
    case T.PLUGIN:
      return "'/plugin/'";
    case T.MEMRESERVE:
      return "'/memreserve/'";
    case T.BITS:
      return "'/bits/'";
    case T.DEL_PROP:
      return "'/delete-property/'";
    case T.DEL_NODE:
      return "'/delete-node/'";
    case T.OMIT_NO_REF:
      return "'/omit-if-no-ref/'";
    case T.PROPNODENAME:
      return `name '${t.s}'`;
    case T.LITERAL:
      return 'integer';
    case T.CHAR_LITERAL:
      return 'character literal';
    case T.BYTE:
      return 'byte';
    case T.STRING:
      return 'string';
    case T.LABEL:
      return `label '${t.s}:'`;
    case T.REF:
      return `reference '&${t.s.charCodeAt(0) === 47 ? '{' + t.s + '}' : t.s}'`;
    case T.INCBIN:
      return "'/incbin/'";
    case T.LSHIFT:
      return "'<<'";
    case T.RSHIFT:
      return "'>>'";
    case T.LE:
      return "'<='";
    case T.GE:
      return "'>='";
    case T.EQ:
      return "'=='";
    case T.NE:
      return "'!='";
    case T.AND:
      return "'&&'";
    case T.OR:
      return "'||'";
    case T.CHAR:
      return `'${String.fromCharCode(t.ch)}'`;
  }
}

/** Advice for the usual mistakes inside `< >`. */
function cellHint(t: Token): string | undefined {
  if (t.t !== T.CHAR) return undefined;
  const c = t.ch;
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) {
    return 'A name in a cell list is usually a macro the C preprocessor did not expand: #include the header that defines it';
  }
  if (c === 45 || c === 126 || c === 33)
    return `Cells are integers or parenthesised expressions: write (${String.fromCharCode(c)}1), not ${String.fromCharCode(c)}1`;
  return undefined;
}

/**
 * The lexer reuses token objects (lexer.ts TOKEN_RING): a token is only read right after it is
 * consumed; anything needed after a node body, a property value or a sub-expression is copied
 * first (copyToken, or the position in locals).
 */
class Parser implements LexerHost {
  readonly diagnostics: Diagnostic[] = [];
  readonly files: string[] = [];
  private lx: Lexer;
  private tok: Token;
  private ahead: Token | null = null;
  /** The last token consumed (bison's @N of the last symbol). */
  private prev: Token;
  private syntaxErrors = 0;
  private plugin = false;
  private fragments = 0;
  private readFile: (path: string) => Uint8Array | undefined;
  /** opts.readFile: files in hand, not the file system. */
  private readFileGiven: boolean;
  private includeDirs: string[];
  /** Shared by every parse (parsing is synchronous and never nested). */
  private data = SCRATCH;
  private labelIndex = new LabelIndex();
  private nodeDepth = 0;
  private exprDepth = 0;
  private unaryDepth = 0;
  /** Stop parsing: recovery would only report the same problem again. */
  fatal = false;

  constructor(text: string, file: string, opts: ParseOptions) {
    this.readFile = opts.readFile ?? defaultReadFile;
    this.readFileGiven = opts.readFile !== undefined;
    this.includeDirs = opts.includeDirs;
    this.files.push(file);
    this.lx = new Lexer(text, file, dirOf(file), this, this.diagnostics);
    this.tok = this.lx.next();
    this.prev = this.tok;
  }

  // ---- files (srcfile_relative_open / fopen_any_on_path) ----

  /**
   * The first of `name` (absolute), fromDir/name, includeDirs/name that `read` finds. A file
   * found but unreadable throws (InputError or the read's error).
   */
  private findFile<T>(name: string, fromDir: string | null, read: (path: string) => T | undefined): { path: string; data: T } | undefined {
    const tryOpen = (dir: string | null): { path: string; data: T } | undefined => {
      const full = dir === null || name.charCodeAt(0) === 47 ? name : joinPath(dir, name);
      const data = read(full);
      return data !== undefined ? { path: full, data } : undefined;
    };
    let r = tryOpen(fromDir);
    for (let i = 0; !r && i < this.includeDirs.length; i++) r = tryOpen(this.includeDirs[i]!);
    if (r) this.files.push(r.path);
    return r;
  }

  /** Where findFile() looked, for the hint of an include-not-found error. */
  private searched(name: string, fromDir: string | null): string {
    if (name.charCodeAt(0) === 47) return `absolute path ${name}`;
    const dirs = [fromDir ?? '.', ...this.includeDirs];
    return `searched ${dirs.join(', ')}` + (this.includeDirs.length ? '' : ' (add search directories with -i)');
  }

  open(name: string, fromDir: string | null, at: Span): { path: string; text: string } | undefined {
    let r: { path: string; data: Uint8Array } | undefined;
    try {
      r = this.findFile(name, fromDir, this.readFile);
    } catch (e) {
      this.error('include-not-found', `Couldn't open "${name}": ${whyUnreadable(e)}`, at);
      return undefined;
    }
    if (!r) {
      this.error('include-not-found', `Couldn't open "${name}": No such file or directory`, at, this.searched(name, fromDir));
      return undefined;
    }
    return { path: r.path, text: Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength).toString('latin1') };
  }

  // ---- tokens ----

  private advance(): Token {
    const t = this.tok;
    this.prev = t;
    if (this.ahead) {
      this.tok = this.ahead;
      this.ahead = null;
    } else {
      this.tok = this.lx.next();
    }
    return t;
  }

  private peek(): Token {
    if (!this.ahead) this.ahead = this.lx.next();
    return this.ahead;
  }

  private at(t: T): boolean {
    return this.tok.t === t;
  }

  private isChar(c: number): boolean {
    return this.at(T.CHAR) && this.tok.ch === c;
  }

  private error(code: string, message: string, span: Span, hint?: string): void {
    pushDiagnostic(this.diagnostics, diag('error', code, message, span, hint));
  }

  /**
   * Nesting beyond what a JS stack safely holds (dtc's bison stack stops at 10000 symbols,
   * about 3330 nested nodes or 9987 parentheses; ours stops earlier).
   */
  private tooDeep(at: Token, what: string): never {
    this.error(
      'nesting-too-deep',
      `${what}: carveout's limit`,
      tokenSpan(at),
      'dtc 1.6.1 reports "memory exhausted" at about 3330 nested nodes or 9987 nested parentheses',
    );
    this.nodeDepth = 0;
    this.exprDepth = 0;
    this.unaryDepth = 0;
    this.fatal = true;
    throw new ParseAbort();
  }

  private syntaxError(expected?: string, advice?: string): never {
    const t = this.tok;
    this.syntaxErrors++;
    if (this.syntaxErrors <= MAX_SYNTAX_ERRORS) {
      const hint = `unexpected ${describe(t)}` + (expected ? `; expected ${expected}` : '') + (advice ? `. ${advice}` : '');
      this.error('syntax', 'syntax error', tokenSpan(t), hint);
    }
    throw new ParseAbort();
  }

  private expectChar(c: number, what: string): Token {
    if (!this.isChar(c)) {
      const p = this.prev;
      const missingSemi = c === 59 && this.tok.line > p.endLine && p.file === this.tok.file;
      this.syntaxError(what, missingSemi ? `Missing ';' at the end of line ${p.endLine}?` : undefined);
    }
    return this.advance();
  }

  private expect(t: T, what: string): Token {
    if (this.tok.t !== t) this.syntaxError(what);
    return this.advance();
  }

  /** Skip to just after a `;` at this brace depth, or to (not past) a `}` closing it, or EOF. */
  private recover(): void {
    // an abort inside an expression skips the depth bookkeeping on the way out
    this.exprDepth = 0;
    this.unaryDepth = 0;
    let depth = 0;
    for (;;) {
      const t = this.tok;
      if (t.t === T.EOF) return;
      if (t.t === T.CHAR) {
        if (t.ch === 123) depth++;
        else if (t.ch === 125) {
          if (depth === 0) return;
          depth--;
        } else if (t.ch === 59 && depth === 0) {
          this.advance();
          return;
        }
      }
      this.advance();
    }
  }

  // ---- sourcefile: headers memreserves devicetree ----

  parseSourceFile(): { root: PNode | undefined; memreserves: PMemReserve[]; plugin: boolean } {
    const memreserves: PMemReserve[] = [];
    let root: PNode | undefined;

    // headers: (DT_V1 ';' [DT_PLUGIN ';'])+
    const headers: { flags: number; first: Token; last: Token }[] = [];
    try {
      do {
        const first = copyToken(this.expect(T.V1, "'/dts-v1/'"));
        let last = this.expectChar(59, "';'");
        let flags = 1;
        if (this.at(T.PLUGIN)) {
          this.advance();
          last = this.expectChar(59, "';'");
          flags |= 2;
        }
        headers.push({ flags, first, last: copyToken(last) });
      } while (this.at(T.V1));
    } catch (e) {
      if (!(e instanceof ParseAbort)) throw e;
      this.recover();
    }
    // headers: header headers — "Header flags don't match earlier ones" at @2, innermost first
    for (let i = headers.length - 2; i >= 0; i--) {
      if (headers[i]!.flags !== headers[i + 1]!.flags) {
        this.error(
          'header-mismatch',
          "Header flags don't match earlier ones",
          spanOf(headers[i + 1]!.first, headers[headers.length - 1]!.last),
        );
      }
    }
    this.plugin = headers.length > 0 && (headers[0]!.flags & 2) !== 0;

    // memreserves
    for (;;) {
      if (!this.at(T.LABEL) && !this.at(T.MEMRESERVE)) break;
      try {
        const labels: string[] = [];
        const first = copyToken(this.tok);
        while (this.at(T.LABEL)) labels.push(this.advance().s);
        this.expect(T.MEMRESERVE, "'/memreserve/'");
        const addr = this.integerPrim();
        const size = this.integerPrim();
        const last = this.expectChar(59, "';'");
        const m: PMemReserve = { address: addr, size, labels: [], span: spanOf(first, last) };
        for (let i = labels.length - 1; i >= 0; i--) addLabel(m.labels, labels[i]!);
        memreserves.push(m);
      } catch (e) {
        if (!(e instanceof ParseAbort)) throw e;
        this.recover();
      }
    }

    // devicetree
    while (!this.at(T.EOF)) {
      try {
        root = this.devicetreeItem(root);
      } catch (e) {
        if (!(e instanceof ParseAbort)) throw e;
        if (this.fatal) break;
        this.recover();
        // a stray '}' at top level would stop recovery forever: step over it
        if (this.isChar(125)) this.advance();
      }
    }
    if (!root && this.syntaxErrors === 0 && !this.fatal) {
      try {
        this.syntaxError("'/' or a reference");
      } catch {
        /* reported */
      }
    }
    return { root, memreserves, plugin: this.plugin };
  }

  private devicetreeItem(root: PNode | undefined): PNode | undefined {
    // used after the node body: a copy (one per top-level item)
    const t = copyToken(this.tok);
    if (!root) {
      // devicetree: '/' nodedef | DT_REF nodedef
      if (this.isChar(47)) {
        this.advance();
        const nd = this.nodedef();
        nd.name = '';
        return nd;
      }
      if (t.t === T.REF) {
        this.advance();
        const nd = this.nodedef();
        if (!this.plugin) this.error('unknown-label', `Label or path ${t.s} not found`, nd.spans[0]!); // @2: the node body
        const r = buildNode([], [], null);
        addOrphanNode(r, nd, t.s, this.fragments++);
        return r;
      }
      this.syntaxError("'/' or a reference");
    }
    if (this.isChar(47)) {
      this.advance();
      const nd = this.nodedef();
      mergeNodes(root, nd, this.labelIndex);
      return root;
    }
    if (t.t === T.LABEL) {
      // devicetree DT_LABEL DT_REF nodedef
      this.advance();
      const ref = copyToken(this.expect(T.REF, 'a reference'));
      const nd = this.nodedef();
      const target = pGetNodeByRef(root, ref.s, this.labelIndex);
      if (target) {
        addLabel(target.labels, t.s);
        this.labelIndex.add(t.s, target);
        mergeNodes(target, nd, this.labelIndex);
      } else {
        this.error('unknown-label', `Label or path ${ref.s} not found`, tokenSpan(ref));
      }
      return root;
    }
    if (t.t === T.REF) {
      this.advance();
      const nd = this.nodedef();
      const isPath = t.s.charCodeAt(0) === 47;
      if (isPath && this.plugin) {
        addOrphanNode(root, nd, t.s, this.fragments++);
        return root;
      }
      const target = pGetNodeByRef(root, t.s, this.labelIndex);
      if (target) mergeNodes(target, nd, this.labelIndex);
      else if (this.plugin) addOrphanNode(root, nd, t.s, this.fragments++);
      else this.error('unknown-label', `Label or path ${t.s} not found`, tokenSpan(t));
      return root;
    }
    if (t.t === T.DEL_NODE || t.t === T.OMIT_NO_REF) {
      this.advance();
      const ref = copyToken(this.expect(T.REF, 'a reference'));
      this.expectChar(59, "';'");
      const target = pGetNodeByRef(root, ref.s, this.labelIndex);
      if (!target) this.error('unknown-label', `Label or path ${ref.s} not found`, tokenSpan(ref));
      else if (t.t === T.DEL_NODE) deleteNode(target);
      else target.omitIfNoRef = true;
      return root;
    }
    this.syntaxError("'/', a reference, '/delete-node/' or '/omit-if-no-ref/'");
  }

  // ---- nodes ----

  /** nodedef: '{' proplist subnodes '}' ';' */
  private nodedef(): PNode {
    const open = this.expectChar(123, "'{'");
    if (++this.nodeDepth > MAX_NODE_DEPTH) this.tooDeep(open, `nodes nested more than ${MAX_NODE_DEPTH} deep`);
    const openLine = open.line,
      openCol = open.col;
    const props: PProp[] = [];
    const children: PNode[] = [];
    let sawSubnode = false;
    while (!this.isChar(125) && !this.at(T.EOF)) {
      try {
        this.bodyItem(props, children, sawSubnode);
        if (children.length > 0) sawSubnode = true;
      } catch (e) {
        if (!(e instanceof ParseAbort) || this.fatal) throw e;
        this.recover();
      }
    }
    this.nodeDepth--;
    this.expectChar(125, "'}'");
    const semi = this.expectChar(59, "';'");
    return buildNode(props, children, { file: semi.file, line: openLine, column: openCol, endLine: semi.endLine, endColumn: semi.endCol });
  }

  /** One propdef or subnode, with any labels and /omit-if-no-ref/ before it. */
  private bodyItem(props: PProp[], children: PNode[], sawSubnode: boolean): void {
    const firstLine = this.tok.line,
      firstCol = this.tok.col;
    let labels: string[] | undefined;
    let omit = false;
    for (;;) {
      if (this.at(T.LABEL)) (labels ??= []).push(this.advance().s);
      else if (this.at(T.OMIT_NO_REF)) {
        this.advance();
        omit = true;
      } else break;
    }
    const t = this.tok;
    let node: PNode | undefined;
    let prop: PProp | undefined;
    if (t.t === T.DEL_NODE) {
      this.advance();
      const name = this.expect(T.PROPNODENAME, 'a node name');
      const semi = this.expectChar(59, "';'");
      node = buildNodeDelete(spanOf(t, semi));
      node.name = name.s;
    } else if (t.t === T.DEL_PROP && !omit) {
      this.advance();
      const name = this.expect(T.PROPNODENAME, 'a property name');
      this.expectChar(59, "';'");
      prop = buildPropertyDelete(name.s);
    } else if (t.t === T.PROPNODENAME) {
      const nx = this.peek();
      const name = t.s;
      if (nx.t === T.CHAR && nx.ch === 123) {
        this.advance();
        node = this.nodedef();
        node.name = name;
      } else if (!omit && nx.t === T.CHAR && (nx.ch === 61 || nx.ch === 59)) {
        const line = t.line,
          col = t.col;
        this.advance();
        if (this.isChar(59)) {
          const semi = this.advance();
          prop = buildProperty(name, new Uint8Array(0), [], {
            file: semi.file,
            line,
            column: col,
            endLine: semi.endLine,
            endColumn: semi.endCol,
          });
        } else {
          this.advance(); // '='
          const d = this.propdata();
          const semi = this.expectChar(59, "';'");
          prop = buildProperty(name, d.bytes(), d.takeMarkers(), {
            file: semi.file,
            line,
            column: col,
            endLine: semi.endLine,
            endColumn: semi.endCol,
          });
        }
      } else {
        this.advance();
        this.syntaxError(omit ? "'{'" : "'=', ';' or '{'");
      }
    } else {
      this.syntaxError(omit ? 'a node' : 'a property or node');
    }
    if (prop) {
      if (labels) for (let i = labels.length - 1; i >= 0; i--) addLabel(prop.labels, labels[i]!);
      if (sawSubnode) {
        // subnodes: subnode propdef { ERROR(&@2, ...); YYERROR; }
        const last = this.prev;
        this.error('property-after-subnode', 'Properties must precede subnodes', {
          file: last.file,
          line: firstLine,
          column: firstCol,
          endLine: last.endLine,
          endColumn: last.endCol,
        });
        return;
      }
      props.push(prop);
    } else if (node) {
      if (labels)
        for (let i = labels.length - 1; i >= 0; i--) {
          addLabel(node.labels, labels[i]!);
          this.labelIndex.add(labels[i]!, node);
        }
      if (omit) node.omitIfNoRef = true;
      children.push(node);
    }
  }

  // ---- property values ----

  private propdata(): DataBuilder {
    // one scratch buffer for every value; the property gets a trimmed copy
    const d = this.data;
    d.reset();
    for (;;) {
      while (this.at(T.LABEL)) d.addMarker('label', this.advance().s, tokenSpan(this.prev));
      const t = this.tok;
      if (t.t === T.STRING) {
        this.advance();
        d.addMarker('type-string');
        d.appendLatin1(t.s, true);
      } else if (t.t === T.BITS || (t.t === T.CHAR && t.ch === 60)) {
        this.array(d);
      } else if (t.t === T.CHAR && t.ch === 91) {
        this.advance();
        d.addMarker('type-uint8');
        for (;;) {
          const b = this.tok;
          if (b.t === T.BYTE) {
            d.appendByte(b.n);
            this.advance();
          } else if (b.t === T.LABEL) {
            this.advance();
            d.addMarker('label', b.s, tokenSpan(b));
          } else break;
        }
        this.expectChar(93, "']' or two hex digits");
      } else if (t.t === T.REF) {
        this.advance();
        const sp = tokenSpan(t);
        d.addMarker('type-string', t.s, sp);
        d.addMarker('ref-path', t.s, sp);
      } else if (t.t === T.INCBIN) {
        this.incbin(d);
      } else {
        this.syntaxError('a string, <cells>, [bytes], a reference or /incbin/');
      }
      while (this.at(T.LABEL)) d.addMarker('label', this.advance().s, tokenSpan(this.prev));
      if (this.isChar(44)) {
        this.advance();
        continue;
      }
      return d;
    }
  }

  private array(d: DataBuilder): void {
    let bits = 32;
    if (this.at(T.BITS)) {
      this.advance();
      const lit = this.expect(T.LITERAL, 'an integer');
      this.expectChar(60, "'<'");
      const b = tokenValue(lit);
      if (b === 8n || b === 16n || b === 32n || b === 64n) bits = Number(b);
      else this.error('bad-bits', 'Array elements must be 8, 16, 32 or 64-bits', tokenSpan(lit));
    } else {
      this.advance();
    }
    d.addMarker(bits === 8 ? 'type-uint8' : bits === 16 ? 'type-uint16' : bits === 64 ? 'type-uint64' : 'type-uint32');
    const mask = bits === 32 ? U32 : bits === 8 ? U8 : bits === 16 ? U16 : U64;
    for (;;) {
      const t = this.tok;
      if (t.t === T.LITERAL && bits === 32 && t.n >= 0) {
        // fast path: a plain literal cell
        this.advance();
        if (t.n > 0xffffffff) this.error('value-range', 'Value out of range for 32-bit array element', tokenSpan(t));
        d.appendU32(t.n);
      } else if (t.t === T.LITERAL || t.t === T.CHAR_LITERAL || (t.t === T.CHAR && t.ch === 40)) {
        const line = t.line,
          col = t.col;
        const v = this.integerPrim();
        if (bits < 64 && v > mask && (v | mask) !== U64) {
          const last = this.prev;
          this.error('value-range', `Value out of range for ${bits}-bit array element`, {
            file: last.file,
            line,
            column: col,
            endLine: last.endLine,
            endColumn: last.endCol,
          });
        }
        d.appendInteger(v, bits);
      } else if (t.t === T.REF) {
        this.advance();
        if (bits === 32) d.addMarker('ref-phandle', t.s, tokenSpan(t));
        else this.error('reference-width', 'References are only allowed in arrays with 32-bit elements.', tokenSpan(t));
        d.appendInteger(U64, bits);
      } else if (t.t === T.LABEL) {
        this.advance();
        d.addMarker('label', t.s, tokenSpan(t));
      } else if (t.t === T.CHAR && t.ch === 62) {
        this.advance();
        return;
      } else {
        this.syntaxError("an integer, '(', a reference, a label or '>'", cellHint(t));
      }
    }
  }

  private incbin(d: DataBuilder): void {
    this.advance();
    this.expectChar(40, "'('");
    const name = copyToken(this.expect(T.STRING, 'a file name'));
    let offset = 0n;
    let length = -1n;
    if (this.isChar(44)) {
      this.advance();
      offset = this.integerPrim();
      this.expectChar(44, "','");
      length = this.integerPrim();
    }
    this.expectChar(41, "')'");
    // the name is a C string: it ends at the first NUL
    const nul = name.s.indexOf('\0');
    const fname = nul >= 0 ? name.s.slice(0, nul) : name.s;
    const dir = this.lx.currentDir();
    // dtc data_copy_file: fopen, fseek to the offset, fread the length — only the slice is read,
    // so /dev/zero with a length or a file of any size works. fseek past the end succeeds and
    // reads nothing; a length past the end reads what is there.
    const read = this.readFileGiven
      ? (path: string): Uint8Array | undefined => {
          const all = this.readFile(path);
          if (!all) return undefined;
          const size = BigInt(all.length);
          const start = offset > size ? size : offset;
          const end = length < 0n || start + length > size ? size : start + length;
          return all.subarray(Number(start), Number(end));
        }
      : (path: string): Uint8Array | undefined => ifOpened(() => readInputSlice(path, offset, length));
    let f: { path: string; data: Uint8Array } | undefined;
    try {
      f = this.findFile(fname, dir, read);
    } catch (e) {
      this.error('include-not-found', `Couldn't open "${fname}": ${whyUnreadable(e)}`, tokenSpan(name));
      return;
    }
    if (!f) {
      this.error('include-not-found', `Couldn't open "${fname}": No such file or directory`, tokenSpan(name), this.searched(fname, dir));
      return;
    }
    d.appendBytes(f.data);
  }

  // ---- integer expressions (u64, wrapping, as dtc's uint64_t arithmetic) ----

  /** integer_prim: DT_LITERAL | DT_CHAR_LITERAL | '(' integer_expr ')' */
  private integerPrim(): bigint {
    const t = this.tok;
    if (t.t === T.LITERAL || t.t === T.CHAR_LITERAL) {
      this.advance();
      return tokenValue(t);
    }
    if (t.t === T.CHAR && t.ch === 40) {
      this.advance();
      if (++this.exprDepth > MAX_EXPR_DEPTH) this.tooDeep(t, `expression nested more than ${MAX_EXPR_DEPTH} deep`);
      const v = this.exprTrinary();
      this.exprDepth--;
      this.expectChar(41, "')'");
      return v;
    }
    this.syntaxError("an integer, a character literal or '('");
  }

  private exprTrinary(): bigint {
    const c = this.exprOr();
    if (!this.isChar(63 /* ? */)) return c;
    const q = this.advance();
    if (++this.exprDepth > MAX_EXPR_DEPTH) this.tooDeep(q, `expression nested more than ${MAX_EXPR_DEPTH} deep`);
    const a = this.exprTrinary();
    this.expectChar(58, "':'");
    const b = this.exprTrinary();
    this.exprDepth--;
    return c !== 0n ? a : b;
  }

  private exprOr(): bigint {
    let v = this.exprAnd();
    while (this.at(T.OR)) {
      this.advance();
      const r = this.exprAnd();
      v = v !== 0n || r !== 0n ? 1n : 0n;
    }
    return v;
  }

  private exprAnd(): bigint {
    let v = this.exprBitor();
    while (this.at(T.AND)) {
      this.advance();
      const r = this.exprBitor();
      v = v !== 0n && r !== 0n ? 1n : 0n;
    }
    return v;
  }

  private exprBitor(): bigint {
    let v = this.exprBitxor();
    while (this.isChar(124)) {
      this.advance();
      v = v | this.exprBitxor();
    }
    return v;
  }

  private exprBitxor(): bigint {
    let v = this.exprBitand();
    while (this.isChar(94)) {
      this.advance();
      v = v ^ this.exprBitand();
    }
    return v;
  }

  private exprBitand(): bigint {
    let v = this.exprEq();
    while (this.isChar(38)) {
      this.advance();
      v = v & this.exprEq();
    }
    return v;
  }

  private exprEq(): bigint {
    let v = this.exprRela();
    for (;;) {
      const t = this.tok.t;
      if (t !== T.EQ && t !== T.NE) return v;
      this.advance();
      const r = this.exprRela();
      v = (t === T.EQ ? v === r : v !== r) ? 1n : 0n;
    }
  }

  private exprRela(): bigint {
    let v = this.exprShift();
    for (;;) {
      const t = this.tok;
      let op = 0;
      if (t.t === T.CHAR && t.ch === 60) op = 1;
      else if (t.t === T.CHAR && t.ch === 62) op = 2;
      else if (t.t === T.LE) op = 3;
      else if (t.t === T.GE) op = 4;
      else return v;
      this.advance();
      const r = this.exprShift();
      const b = op === 1 ? v < r : op === 2 ? v > r : op === 3 ? v <= r : v >= r;
      v = b ? 1n : 0n;
    }
  }

  private exprShift(): bigint {
    let v = this.exprAdd();
    for (;;) {
      const t = this.tok.t;
      if (t !== T.LSHIFT && t !== T.RSHIFT) return v;
      this.advance();
      const r = this.exprAdd();
      if (r >= 64n) v = 0n;
      else v = t === T.LSHIFT ? BigInt.asUintN(64, v << r) : v >> r;
    }
  }

  private exprAdd(): bigint {
    let v = this.exprMul();
    for (;;) {
      const t = this.tok;
      if (t.t !== T.CHAR || (t.ch !== 43 && t.ch !== 45)) return v;
      const op = t.ch;
      this.advance();
      const r = this.exprMul();
      v = BigInt.asUintN(64, op === 43 ? v + r : v - r);
    }
  }

  private exprMul(): bigint {
    const startLine = this.tok.line,
      startCol = this.tok.col;
    let v = this.exprUnary();
    for (;;) {
      const t = this.tok;
      if (t.t !== T.CHAR || (t.ch !== 42 && t.ch !== 47 && t.ch !== 37)) return v;
      const op = t.ch;
      this.advance();
      const r = this.exprUnary();
      if (op === 42) v = BigInt.asUintN(64, v * r);
      else if (r === 0n) {
        const last = this.prev;
        this.error('division-by-zero', 'Division by zero', {
          file: last.file,
          line: startLine,
          column: startCol,
          endLine: last.endLine,
          endColumn: last.endCol,
        });
        v = 0n;
      } else v = op === 47 ? v / r : v % r;
    }
  }

  private exprUnary(): bigint {
    const t = this.tok;
    if (t.t === T.CHAR && (t.ch === 45 || t.ch === 126 || t.ch === 33) && ++this.unaryDepth > MAX_EXPR_DEPTH) {
      this.tooDeep(t, `more than ${MAX_EXPR_DEPTH} unary operators in a row`);
    }
    const v = this.exprUnary1(t);
    this.unaryDepth = 0;
    return v;
  }

  private exprUnary1(t: Token): bigint {
    if (t.t === T.CHAR) {
      if (t.ch === 45) {
        this.advance();
        return BigInt.asUintN(64, -this.exprUnary());
      }
      if (t.ch === 126) {
        this.advance();
        return BigInt.asUintN(64, ~this.exprUnary());
      }
      if (t.ch === 33) {
        this.advance();
        return this.exprUnary() === 0n ? 1n : 0n;
      }
    }
    return this.integerPrim();
  }
}

/**
 * Parse DTS source (raw, or our preprocessor's output with GCC linemarkers) into dtc's live tree,
 * before checks and fix-ups. Never throws for bad input: problems come back as diagnostics.
 * `text` holds one byte per char (decode files as 'latin1'); `file` names it in diagnostics and
 * its directory is searched first for /include/ and /incbin/.
 */
export function parseDts(text: string, file: string, opts: ParseOptions): ParseResult {
  const p = new Parser(text, file, opts);
  let r: ReturnType<Parser['parseSourceFile']>;
  try {
    r = p.parseSourceFile();
  } catch (e) {
    // Last resort for input our limits did not foresee (e.g. a stack overflow): a diagnostic,
    // never an exception, for bad input.
    if (!(e instanceof RangeError)) throw e;
    p.diagnostics.push(
      diag('error', 'nesting-too-deep', `input too deeply nested to parse: ${e.message}`, {
        file,
        line: 0,
        column: 0,
        endLine: 0,
        endColumn: 0,
      }),
    );
    return { tree: undefined, diagnostics: p.diagnostics, files: p.files };
  }
  const diagnostics = p.diagnostics;
  if (!r.root || hasErrors(diagnostics)) return { tree: undefined, diagnostics, files: p.files };
  // Each block nests at most MAX_NODE_DEPTH, but `&label { ... }` blocks nest inside each other.
  const tree = finalizeTree(r.root, r.memreserves, r.plugin);
  const deep = nodeBeyondDepth(tree.root, MAX_TREE_DEPTH);
  if (deep) {
    pushDiagnostic(
      diagnostics,
      diag('error', 'nesting-too-deep', `node nested more than ${MAX_TREE_DEPTH} levels deep: carveout's limit`, deep.span),
    );
    return { tree: undefined, diagnostics, files: p.files };
  }
  return { tree, diagnostics, files: p.files };
}

/** Read `path` (through opts.readFile when given) and parse it. */
export function parseDtsFile(path: string, opts: ParseOptions): ParseResult {
  const read = opts.readFile ?? defaultReadFile;
  let bytes: Uint8Array | undefined;
  let why = 'No such file or directory';
  try {
    bytes = read(path);
  } catch (e) {
    why = whyUnreadable(e);
  }
  if (!bytes) {
    return {
      tree: undefined,
      diagnostics: [
        diag('error', 'file-not-found', `Couldn't open "${path}": ${why}`, { file: path, line: 0, column: 0, endLine: 0, endColumn: 0 }),
      ],
      files: [],
    };
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return parseDts(text, path, opts);
}
