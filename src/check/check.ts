// check(board, { kernels, rules }): every reserved-memory mistake the bindings and the kernels
// would find, as findings. The rule table is run like dtc's checks.c: each rule has a stable id,
// a default level and prerequisites; a rule whose prerequisite found something is skipped.
import type { Board } from '../board.js';
import { diag, noSpan, type Diagnostic, type Span } from '../diagnostics.js';
import { plan, resolveProfile } from '../kernel/plan.js';
import type { ReservedMemHandler } from '../kernel/handler-api.js';
import type { KernelProfile } from '../kernel/profiles/types.js';
import type { EarlyParam } from '../kernel/cmdline.js';
import type { VirtArch } from '../platform/qemu-virt.js';
import { strings } from '../tree/query.js';
import { nodePath, type Node, type Property } from '../tree/types.js';
import { bindingRules } from './binding.js';
import { kernelRules } from './kernel.js';
import type { Finding, KernelRun, Level, Rule, RuleContext } from './types.js';

/** Every rule, binding rules first, in the order findings are reported. */
export const RULES: readonly Rule[] = [...bindingRules, ...kernelRules];

export function getRule(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}

export interface CheckOptions {
  /** Kernels (ids or profiles, e.g. one built from a .config) to plan the board with (none: binding rules only). */
  kernels?: (string | KernelProfile)[];
  /** Per-rule level: `-W<id>` → 'warning', `-E<id>` → 'error', `-Wno-<id>` → 'off'. */
  rules?: Record<string, Level | 'off'>;
  /** Every warning is an error (`--strict`). */
  strict?: boolean;
  /** Command line for every kernel (default: the board's). */
  bootargs?: string;
  /** User reserved-memory handlers and early parameters, as plan() takes them. */
  handlers?: ReservedMemHandler[];
  earlyParams?: EarlyParam[];
}

export interface CheckResult {
  findings: Finding[];
  /** Problems with the input itself (a board that did not load, an unknown kernel): exit 2. */
  diagnostics: Diagnostic[];
  /** Each kernel's plan of the board. */
  runs: KernelRun[];
}

/**
 * Check a board. `board` is a loaded board, or a function that loads it for an architecture (a
 * `--platform qemu-virt` board is laid out per architecture, so arm64 and arm kernels each get their own).
 */
export function check(board: Board | ((arch: VirtArch) => Board), options: CheckOptions = {}): CheckResult {
  const diagnostics: Diagnostic[] = [];
  for (const id of Object.keys(options.rules ?? {}))
    if (!getRule(id))
      diagnostics.push(
        diag('error', 'unknown-rule', `unknown check rule '${id}'`, undefined, `known: ${RULES.map((r) => r.id).join(', ')}`),
      );
  const kernels = options.kernels ?? [];
  const boards = new Map<VirtArch, Board>();
  const boardFor = (arch: VirtArch): Board => {
    if (typeof board !== 'function') return board;
    let b = boards.get(arch);
    if (!b) boards.set(arch, (b = board(arch)));
    return b;
  };
  const runs: KernelRun[] = [];
  for (const kernel of kernels) {
    const profile = resolveProfile(kernel);
    if (!profile) {
      diagnostics.push(diag('error', 'unknown-kernel', `unknown kernel '${String(kernel)}'`));
      continue;
    }
    const b = boardFor(profile.arch);
    const p = plan(b, {
      kernel: profile,
      ...(options.bootargs !== undefined ? { bootargs: options.bootargs } : {}),
      ...(options.handlers ? { handlers: options.handlers } : {}),
      ...(options.earlyParams ? { earlyParams: options.earlyParams } : {}),
    });
    if (p.exitCode === 2) {
      for (const d of p.diagnostics) if (d.severity === 'error' && !diagnostics.some((x) => x.message === d.message)) diagnostics.push(d);
      continue;
    }
    runs.push({ kernel: profile.id, profile, board: b, plan: p });
  }
  const main = runs[0]?.board ?? boardFor(kernels.length ? (resolveProfile(kernels[0]!)?.arch ?? 'arm64') : 'arm64');
  if (!main.tree) {
    for (const d of main.diagnostics) if (d.severity === 'error' && !diagnostics.some((x) => x.message === d.message)) diagnostics.push(d);
    return { findings: [], diagnostics, runs };
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { findings: [], diagnostics, runs };
  const tree = main.tree;
  const findings: Finding[] = [];
  const found = new Set<string>();
  for (const rule of RULES) {
    const level = options.rules?.[rule.id] ?? rule.level;
    if (rule.prereqs?.some((p) => found.has(p))) continue;
    const mine: Finding[] = [];
    const ctx: RuleContext = {
      tree,
      runs,
      report(f) {
        const node = f.node;
        const prop = node && f.property ? node.props.find((p) => p.name === f.property) : undefined;
        const where = spanOf(node, prop, main.file);
        const finding: Finding = {
          rule: rule.id,
          level: level === 'off' ? rule.level : level,
          path: f.path ?? (node ? nodePath(node) : '/'),
          message: f.message,
          kernels: f.kernel !== undefined ? [f.kernel] : [],
          span: where.span,
          also: where.also,
          nodename: node ? node.name || '/' : (f.path ?? '/').split('/').pop() || '/',
          compatible: node ? strings(node, 'compatible') : [],
        };
        if (f.property !== undefined) finding.property = f.property;
        if (f.kernelLine !== undefined) finding.kernelLine = f.kernelLine;
        if (f.logIndex !== undefined) finding.logIndex = f.logIndex;
        if (f.hint !== undefined) finding.hint = f.hint;
        mine.push(finding);
      },
    };
    rule.fn(ctx);
    if (mine.length) found.add(rule.id);
    if (level === 'off') continue;
    for (const f of mine) {
      if (options.strict) f.level = 'error';
      // The same finding on several kernels is one finding naming them all.
      const same = findings.find((x) => x.rule === f.rule && x.path === f.path && x.property === f.property && sameMessage(x, f));
      if (same && f.kernels.length && same.kernels.length) {
        for (const k of f.kernels) if (!same.kernels.includes(k)) same.kernels.push(k);
        continue;
      }
      findings.push(f);
    }
  }
  return { findings, diagnostics, runs };
}

/** Messages equal once each finding's own kernel id is taken out. */
function sameMessage(a: Finding, b: Finding): boolean {
  const strip = (f: Finding): string => f.kernels.reduce((m, k) => m.split(k).join('<kernel>'), f.message);
  return strip(a) === strip(b);
}

/** The property's source position, else the node's; "also defined at": the definitions an override hid, or a node's other places. */
function spanOf(node: Node | undefined, prop: Property | undefined, file: string): { span: Span; also: Span[] } {
  if (prop?.span.file) return { span: prop.span, also: prop.overridden ?? [] };
  if (node?.span.file) return { span: node.span, also: node.extraSpans ?? [] };
  return { span: { ...noSpan, file }, also: [] };
}

/** Exit status: 2 bad input, 1 a finding at error level, else 0. */
export function checkExitCode(r: CheckResult): 0 | 1 | 2 {
  if (r.diagnostics.some((d) => d.severity === 'error')) return 2;
  return r.findings.some((f) => f.level === 'error') ? 1 : 0;
}
