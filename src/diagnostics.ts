// Diagnostics: the one type for every problem a user's input can cause.
// Stages return these as values; exceptions are reserved for bugs in carveout itself.

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

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}

/**
 * Render like a compiler: `file:line:col: error: message [code]`, then the source line and a caret.
 * `readSource` returns the text of a file or undefined when it cannot be shown.
 */
export function renderDiagnostic(d: Diagnostic, readSource?: (file: string) => string | undefined): string {
  const where = d.file ? (d.line ? `${d.file}:${d.line}:${d.column}` : d.file) : '<input>';
  let out = `${where}: ${d.severity}: ${d.message} [${d.code}]`;
  if (d.line && readSource) {
    const text = readSource(d.file);
    const src = text?.split('\n')[d.line - 1];
    if (src !== undefined) {
      const line = src.replace(/\t/g, ' ');
      const col = Math.max(1, d.column);
      const width = d.endLine === d.line && d.endColumn > col ? d.endColumn - col : 1;
      out += `\n  ${line}\n  ${' '.repeat(col - 1)}^${'~'.repeat(Math.max(0, width - 1))}`;
    }
  }
  if (d.hint) out += `\n  hint: ${d.hint}`;
  return out;
}
