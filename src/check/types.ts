// What a check rule reports, and what it is given: the tree, and one plan per kernel.
import type { Board } from '../board.js';
import type { Span } from '../diagnostics.js';
import type { PlanResult } from '../kernel/plan.js';
import type { KernelProfile } from '../kernel/profiles/types.js';
import type { Node, Tree } from '../tree/types.js';

export type Level = 'error' | 'warning';

export interface Finding {
  /** Stable rule id (the `-W<id>` name). */
  rule: string;
  level: Level;
  /** Path of the node the finding is about (`/` for the command line). */
  path: string;
  /** The property that causes it, when one does. */
  property?: string;
  message: string;
  /** Kernels it applies to; empty when it holds for every kernel (a binding rule). */
  kernels: string[];
  /** The line the kernel prints because of it (the first kernel's, when several print it). */
  kernelLine?: string;
  /** A fix, given only where one is certain. */
  hint?: string;
  /** Where the property (or node) was set in the source; a DTB input has no line (file only). */
  span: Span;
  /** Earlier definitions a later one overrode or merged into ("also defined at"). */
  also: Span[];
  /** The node's name and compatible strings (dt-validate's `nodename`, `compatible`). */
  nodename: string;
  compatible: string[];
  /** Index of `kernelLine` in that kernel's predicted log (the log's length for what happens after the plan ends). */
  logIndex?: number;
}

/** One kernel's simulated boot of the board. */
export interface KernelRun {
  kernel: string;
  profile: KernelProfile;
  board: Board;
  plan: PlanResult;
}

export interface RuleContext {
  tree: Tree;
  runs: KernelRun[];
  /** Report a finding about `node` (and `property`), for the kernels named (none: every kernel). */
  report(f: {
    node: Node | undefined;
    path?: string;
    property?: string;
    message: string;
    kernel?: string;
    kernelLine?: string;
    logIndex?: number;
    hint?: string;
  }): void;
}

export interface Rule {
  id: string;
  level: Level;
  /** `binding`: read from the tree; `kernel`: read from each kernel's plan; `cross`: from several plans. */
  family: 'binding' | 'kernel' | 'cross';
  /** The kernel function or binding the rule comes from. */
  source: string;
  /** One sentence for `--help`, SARIF's rule help and docs/check.md. */
  help: string;
  /** Rules that must have found nothing for this one to run (dtc checks.c prereqs). */
  prereqs?: string[];
  fn(ctx: RuleContext): void;
}
