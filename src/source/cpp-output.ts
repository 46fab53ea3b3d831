// The preprocessed text, after GCC's c-family/c-ppoutput.cc: scan_translation_unit prints the
// token stream with a space wherever the source had white space or two tokens would otherwise lex
// as one (cpp_avoid_paste); one output line per source logical line (cb_line_change); newlines to
// catch up when the gap is under 8 lines, a `# LINE "FILE"` linemarker otherwise
// (maybe_print_line, print_line); markers with flags 1/2 when entering/leaving an #include, so
// dtc's positions map back to the original files.
import { F_WHITE, K, type Tok, avoidPaste } from './cpp-lex.js';
import { getToken, quoteString } from './cpp-macro.js';
import type { CppReader } from './preprocess.js';

/**
 * The output of one run (c-ppoutput.cc's `print`). The text is written as latin1 bytes, characters
 * above U+00FF (only from non-latin1 input text) patched in at the end, and decoded once: no
 * per-token string allocation, which otherwise kept the young-generation GC busy for half the run
 * time.
 */
export class Printer {
  private bytes: Uint8Array;
  private len = 0;
  /** (offset, char) pairs of output characters above U+00FF. */
  private wide: number[] = [];
  /** The source line the output is at, and its file. */
  private srcLine = 0;
  private srcFile = '';
  /** Something has been printed on the current output line. */
  printed = false;
  /** The last token printed on this line (cpp_avoid_paste's left operand). */
  prev: Tok | null = null;
  /** The token whose white space decides the spacing of the next one (after padding). */
  source: Tok | null = null;

  /** `spare`: the buffer of an earlier run to write into (PreprocessCache.output). */
  constructor(spare: Uint8Array | null | undefined) {
    this.bytes = spare ?? uninitialised(1 << 16);
  }

  /** Forget what was printed (after the -D definitions, which print nothing). */
  reset(): void {
    this.len = 0;
    this.wide = [];
    this.srcLine = 0;
    this.srcFile = '';
    this.printed = false;
    this.prev = null;
    this.source = null;
  }

  private grow(need: number): void {
    let size = this.bytes.length * 2;
    while (size < need) size *= 2;
    const n = uninitialised(size);
    n.set(this.bytes.subarray(0, this.len));
    this.bytes = n;
  }

  emit(s: string): void {
    const n = this.len,
      l = s.length;
    if (n + l > this.bytes.length) this.grow(n + l);
    const o = this.bytes;
    for (let i = 0; i < l; i++) {
      const c = s.charCodeAt(i);
      if (c > 255) this.wide.push(n + i, c);
      o[n + i] = c;
    }
    this.len = n + l;
  }

  emitChar(c: number, count = 1): void {
    const n = this.len;
    if (n + count > this.bytes.length) this.grow(n + count);
    if (count === 1) this.bytes[n] = c;
    else this.bytes.fill(c, n, n + count);
    this.len = n + count;
  }

  /** print_line: a linemarker, `flags` ' 1' entering an include and ' 2' returning from one. */
  printLine(line: number, file: string, flags: string): void {
    if (this.printed) this.emitChar(10);
    this.printed = false;
    this.srcLine = line;
    this.srcFile = file;
    this.emit(`# ${line} "${quoteString(file)}"${flags}\n`);
  }

  /** maybe_print_line: newlines up to `line` when it is close ahead, a linemarker otherwise. */
  maybePrintLine(line: number, file: string): void {
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

  /** The buffer, for a later run: this printer is done. */
  release(): Uint8Array {
    return this.bytes;
  }

  /** The text printed, finished with a newline if the last line is open. */
  text(): string {
    if (this.printed) this.emitChar(10);
    let text = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.len).toString('latin1');
    if (this.wide.length) {
      let t = '',
        last = 0;
      for (let i = 0; i < this.wide.length; i += 2) {
        t += text.slice(last, this.wide[i]) + String.fromCharCode(this.wide[i + 1]!);
        last = this.wide[i]! + 1;
      }
      text = t + text.slice(last);
    }
    return text;
  }
}

/**
 * A byte array without the cost of zero-filling it (only bytes already written are read), as a
 * plain Uint8Array: Buffer's own fill() is slower for the short runs of spaces printed here.
 */
function uninitialised(size: number): Uint8Array {
  const b = Buffer.allocUnsafe(size);
  return new Uint8Array(b.buffer, b.byteOffset, size);
}

/** cb_line_change: the first token of a new logical line. */
export function lineChange(r: CppReader, t: Tok): void {
  if (t.k === K.EOF || r.parsingArgs) return;
  const p = r.print;
  p.maybePrintLine(t.line + r.buf.lineDelta, r.buf.name);
  p.prev = null;
  p.source = null;
  const spaces = t.col - 2;
  p.printed = true;
  if (spaces > 0) p.emitChar(32, spaces);
}

/** scan_translation_unit: print every token of the main file, includes and expansions. */
export function scanTranslationUnit(r: CppReader, file: string): void {
  const p = r.print;
  p.emit(`# 0 "${quoteString(file)}"\n# 0 "<built-in>"\n# 0 "<command-line>"\n`);
  p.printLine(1, file, '');
  let avoid = false;
  for (;;) {
    const t = getToken(r);
    if (t.k === K.PADDING) {
      avoid = true;
      if (p.source === null || (!(p.source.f & F_WHITE) && t.src === null)) p.source = t.src;
      continue;
    }
    if (t.k === K.EOF) break;
    if (avoid) {
      const src = p.source ?? t;
      if (src.f & F_WHITE || (p.prev && avoidPaste(p.prev, t)) || (p.prev === null && t.k === K.PUNCT && t.t === '#')) {
        p.emitChar(32);
      }
    } else if (t.f & F_WHITE) p.emitChar(32);
    avoid = false;
    p.source = null;
    p.prev = t;
    p.emit(t.t);
    p.printed = true;
  }
}
