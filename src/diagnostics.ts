// Diagnostics: the one type for every problem a user's input can cause.
// Stages return these as values; exceptions are reserved for bugs in carveout itself.

import { readInputFile } from './input.js';

export type Severity = 'error' | 'warning' | 'note';

export interface Diagnostic {
  severity: Severity;
  /** Stable, named code, e.g. `syntax`, `unknown-label`, `include-not-found`, or a dtc check name. */
  code: string;
  message: string;
  /** File the problem is in, as the user named it (after #include/linemarker mapping). */
  file: string;
  /** 1-based line and column; 0 when not known (e.g. a DTB offset is given in the message). */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  hint?: string;
}

/** A half-open source range, 1-based lines and columns, in the user's original file. */
export interface Span {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export const noSpan: Span = { file: '', line: 0, column: 0, endLine: 0, endColumn: 0 };

export function diag(severity: Severity, code: string, message: string, span: Span = noSpan, hint?: string): Diagnostic {
  const d: Diagnostic = {
    severity,
    code,
    message,
    file: span.file,
    line: span.line,
    column: span.column,
    endLine: span.endLine,
    endColumn: span.endColumn,
  };
  if (hint !== undefined) d.hint = hint;
  return d;
}

/**
 * The most diagnostics one list keeps. Past it (or once a capped list was appended) each one is
 * only counted, in one last entry saying how many of each severity were left out: input that
 * fails a check on every one of a million nodes costs a count, not a million messages.
 */
export const MAX_DIAGNOSTICS = 10_000;

type Counts = Record<Severity, number>;
/** The summary entry of each capped list, and its counts. */
const summaries = new WeakMap<Diagnostic[], Diagnostic>();
const summaryCounts = new WeakMap<Diagnostic, Counts>();

/** True when `list` keeps no more diagnostics (a producer may skip formatting the message). */
export function diagnosticsFull(list: Diagnostic[]): boolean {
  return summaries.has(list) || list.length >= MAX_DIAGNOSTICS;
}

/** Append `d` to `list`, or count it in the list's summary once the list is full. */
export function pushDiagnostic(list: Diagnostic[], d: Diagnostic): void {
  const merged = summaryCounts.get(d);
  if (!merged && !diagnosticsFull(list)) {
    list.push(d);
    return;
  }
  let s = summaries.get(list);
  if (!s) {
    s = diag('note', 'too-many-diagnostics', '');
    summaries.set(list, s);
    summaryCounts.set(s, { error: 0, warning: 0, note: 0 });
    list.push(s);
  }
  const c = summaryCounts.get(s)!;
  if (merged) for (const k of ['error', 'warning', 'note'] as const) c[k] += merged[k];
  else c[d.severity]++;
  s.severity = c.error ? 'error' : c.warning ? 'warning' : 'note';
  const parts = (['error', 'warning', 'note'] as const).filter((k) => c[k]).map((k) => `${c[k]} ${k}${c[k] === 1 ? '' : 's'}`);
  s.message = `${c.error + c.warning + c.note} more diagnostics not shown (${parts.join(', ')}); at most ${MAX_DIAGNOSTICS} are kept`;
}

/** pushDiagnostic for each of `src` (no spread: a list may be longer than a call's arguments). */
export function appendDiagnostics(list: Diagnostic[], src: readonly Diagnostic[]): void {
  for (const d of src) pushDiagnostic(list, d);
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}

/**
 * The bytes of a file for showing its lines under diagnostics (or its text read as UTF-8), or
 * undefined when not shown.
 */
export type SourceReader = (file: string) => Uint8Array | string | undefined;

/** A SourceReader that reads each file once (bounded like every input) and never stdin. */
export function sourceReader(): SourceReader {
  const files = new Map<string, Uint8Array | undefined>();
  return (file) => {
    if (!files.has(file)) {
      let bytes: Uint8Array | undefined;
      try {
        bytes = file === '-' || file === '' ? undefined : readInputFile(file);
      } catch {
        bytes = undefined;
      }
      files.set(file, bytes);
    }
    return files.get(file);
  };
}

/** Where each line of a file starts, computed once per file's bytes. */
const lineStarts = new WeakMap<Uint8Array, number[]>();

function lineBytes(text: Uint8Array, line: number): Uint8Array | undefined {
  let starts = lineStarts.get(text);
  if (!starts) {
    starts = [0];
    for (let i = text.indexOf(10); i >= 0; i = text.indexOf(10, i + 1)) starts.push(i + 1);
    lineStarts.set(text, starts);
  }
  const start = starts[line - 1];
  if (start === undefined) return undefined;
  let end = starts[line] !== undefined ? starts[line]! - 1 : text.length;
  if (end > start && text[end - 1] === 13) end--;
  return text.subarray(start, end);
}

const utf8 = new TextDecoder('utf-8');

/** A reader's text back to bytes, the last one kept (a reader returns the same string for each diagnostic). */
let lastText: { text: string; bytes: Uint8Array } | undefined;
function utf8Bytes(text: string): Uint8Array {
  if (lastText?.text !== text) lastText = { text, bytes: Buffer.from(text, 'utf8') };
  return lastText.bytes;
}

/** Characters shown for `bytes`: UTF-8 (invalid bytes as U+FFFD), a tab as one space, other controls as '?'. */
function shown(bytes: Uint8Array): string[] {
  return Array.from(utf8.decode(bytes), (ch) => (ch === '\t' ? ' ' : ch < ' ' || ch === '\x7f' ? '?' : ch));
}

/** Longest source line shown in full; a longer one is clipped to this many characters around the column. */
export const SHOWN_LINE_CHARS = 160;

/**
 * Render like a compiler: `file:line:col: error: message [code]`, then the source line and a caret.
 * Columns count bytes (as dtc's and cpp's do); the line is shown as UTF-8 with the caret under
 * the character at that byte, and a long line is clipped around it ('…' marks what is left out).
 */
export function renderDiagnostic(d: Diagnostic, readSource?: SourceReader): string {
  // Line 0 is a real position after `#line 0` (dtc prints "file:0.9-10"): a column says so.
  const where = d.file ? (d.line || d.column ? `${d.file}:${d.line}:${d.column}` : d.file) : '<input>';
  let out = `${where}: ${d.severity}: ${d.message} [${d.code}]`;
  const read = d.line && readSource ? readSource(d.file) : undefined;
  const text = typeof read === 'string' ? utf8Bytes(read) : read;
  const bytes = text && lineBytes(text, d.line);
  if (bytes) {
    const col = Math.min(Math.max(1, d.column), bytes.length + 1);
    const chars = shown(bytes);
    const caret = shown(bytes.subarray(0, col - 1)).length;
    const endCol = d.endLine === d.line && d.endColumn > col ? Math.min(d.endColumn, bytes.length + 1) : col + 1;
    const width = Math.max(1, shown(bytes.subarray(col - 1, endCol - 1)).length);
    let from = 0;
    let to = chars.length;
    if (chars.length > SHOWN_LINE_CHARS) {
      from = Math.max(0, Math.min(caret - SHOWN_LINE_CHARS / 2, chars.length - SHOWN_LINE_CHARS));
      to = from + SHOWN_LINE_CHARS;
    }
    const lead = from > 0 ? '…' : '';
    const line = lead + chars.slice(from, to).join('') + (to < chars.length ? '…' : '');
    const at = lead.length + caret - from;
    const marks = Math.max(1, Math.min(width, to - caret));
    out += `\n  ${line}\n  ${' '.repeat(at)}^${'~'.repeat(marks - 1)}`;
  }
  if (d.hint) out += `\n  hint: ${d.hint}`;
  return out;
}
