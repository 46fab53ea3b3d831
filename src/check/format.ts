// The three ways findings are written: compiler-style text (dtc's
// `FILE:L.C-L.C: Warning (rule): /path:prop: message`, then the source line and a caret), JSON with
// dt-validate's field names, and SARIF 2.1.0 for code-scanning tools.
import { createHash } from 'node:crypto';
import { isAbsolute, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { diag, renderDiagnostic, type SourceReader, type Span } from '../diagnostics.js';
import { RULES } from './check.js';
import type { Finding } from './types.js';

/** dtc's srcpos_string: `file:line.col-col` on one line, `file:line.col-line.col` across lines. */
function dtcPos(s: Span): string {
  if (!s.line) return s.file || '<input>';
  if (s.endLine === s.line || !s.endLine) return `${s.file}:${s.line}.${s.column}-${s.endColumn || s.column}`;
  return `${s.file}:${s.line}.${s.column}-${s.endLine}.${s.endColumn}`;
}

const where = (f: Finding): string => `${f.path}${f.property ? `:${f.property}` : ''}`;
const kernelsOf = (f: Finding): string => (f.kernels.length ? ` [${f.kernels.join(', ')}]` : '');

export function formatText(findings: Finding[], readSource?: SourceReader): string {
  let out = '';
  for (const f of findings) {
    const head = `${dtcPos(f.span)}: ${f.level === 'error' ? 'Error' : 'Warning'} (${f.rule}): ${where(f)}: ${f.message}${kernelsOf(f)}`;
    // The source line and caret as every other carveout diagnostic shows them.
    const body = renderDiagnostic(diag(f.level, f.rule, f.message, f.span), readSource)
      .split('\n')
      .slice(1);
    if (f.kernelLine) body.push(`  kernel: ${f.kernelLine}`);
    for (const s of f.also) body.push(`  also defined at ${s.file}:${s.line}:${s.column}`);
    if (f.hint) body.push(`  hint: ${f.hint}`);
    out += [head, ...body].join('\n') + '\n';
  }
  const errors = findings.filter((f) => f.level === 'error').length;
  out += `${errors} error(s), ${findings.length - errors} warning(s)\n`;
  return out;
}

/** dt-validate's --json-output fields (file, line, column, node, nodename, compatible, property_path, message) plus rule and level. */
export function formatJson(findings: Finding[]): string {
  const rows = findings.map((f) => ({
    file: f.span.file,
    line: f.span.line,
    column: f.span.column,
    node: f.path,
    nodename: f.nodename,
    compatible: f.compatible,
    property_path: f.property ?? null,
    message: f.message,
    rule: f.rule,
    level: f.level,
    kernels: f.kernels,
    kernel_line: f.kernelLine ?? null,
    hint: f.hint ?? null,
    also_defined_at: f.also.map((s) => ({ file: s.file, line: s.line, column: s.column })),
  }));
  return JSON.stringify(rows, null, 2) + '\n';
}

/** A file as SARIF names it: relative to the working directory (code scanning's %SRCROOT%) when inside it, else a file: URI. */
function artifact(file: string): { uri: string; uriBaseId?: string } {
  if (!file) return { uri: 'input' };
  const rel = isAbsolute(file) ? relative(process.cwd(), file) : file;
  if (!rel.startsWith('..') && !isAbsolute(rel)) return { uri: rel.split(sep).join('/'), uriBaseId: '%SRCROOT%' };
  return { uri: pathToFileURL(file).href };
}

function physical(s: Span): Record<string, unknown> {
  const loc: Record<string, unknown> = { artifactLocation: artifact(s.file) };
  if (s.line > 0) {
    const region: Record<string, number> = { startLine: s.line, startColumn: Math.max(1, s.column) };
    if (s.endLine >= s.line) region.endLine = s.endLine;
    if (s.endColumn > 0 && (s.endLine > s.line || s.endColumn > region.startColumn!)) region.endColumn = s.endColumn;
    loc.region = region;
  }
  return loc;
}

export function formatSarif(findings: Finding[]): string {
  const rules = RULES.map((r) => ({
    id: r.id,
    name: r.id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: r.help },
    fullDescription: { text: `${r.help} Source: ${r.source}.` },
    help: { text: `${r.help}\nSource: ${r.source}.\nSet the level with -E${r.id} (error), -W${r.id} (warning) or -Wno-${r.id} (off).` },
    defaultConfiguration: { level: r.level },
    properties: { family: r.family, source: r.source },
  }));
  const results = findings.map((f) => {
    const text = `${where(f)}: ${f.message}${kernelsOf(f)}${f.kernelLine ? `. Kernel: ${f.kernelLine}` : ''}${f.hint ? `. Fix: ${f.hint}` : ''}`;
    const r: Record<string, unknown> = {
      ruleId: f.rule,
      ruleIndex: RULES.findIndex((x) => x.id === f.rule),
      level: f.level,
      message: { text },
      locations: [
        {
          physicalLocation: physical(f.span),
          // A DTB has no source lines: the node path is where the finding is.
          logicalLocations: [{ fullyQualifiedName: where(f), name: f.property ?? f.nodename, kind: f.property ? 'member' : 'element' }],
        },
      ],
      partialFingerprints: {
        'carveoutFinding/v1': createHash('sha256')
          .update([f.rule, f.path, f.property ?? '', f.kernels.join(',')].join('\0'))
          .digest('hex'),
      },
      properties: { kernels: f.kernels, ...(f.kernelLine ? { kernelLine: f.kernelLine } : {}) },
    };
    if (f.also.length)
      r.relatedLocations = f.also.map((s, i) => ({ id: i + 1, physicalLocation: physical(s), message: { text: 'also defined here' } }));
    return r;
  });
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'carveout', rules } }, results }],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
