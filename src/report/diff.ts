// `carveout diff`: what changed between two plans (two boards on one kernel, one board on two
// kernels) or between a plan and what a kernel did (a boot log read by src/verify). Regions are
// matched by node name, not by size or address: added, removed, moved, resized, now failing, now
// placed, or another change of status; then the log lines added and removed (a line diff).
import type { PlanResult } from '../kernel/plan.js';
import type { ObservedRegion } from '../verify/regions.js';
import { formatPa } from '../kernel/memblock.js';
import { humanSize } from './plan-text.js';

/** One side of a comparison, reduced to what both plans and observations have. */
export interface DiffSide {
  /** `board.dts on 6.12-arm64`, `boot.log`. */
  label: string;
  regions: { name: string; base: bigint | null; size: bigint | null; status: string }[];
  log: string[];
}

export type RegionChange = 'added' | 'removed' | 'moved' | 'resized' | 'moved, resized' | 'now failing' | 'now placed' | 'status';

export interface DiffRegion {
  name: string;
  change: RegionChange;
  a: DiffSide['regions'][number] | null;
  b: DiffSide['regions'][number] | null;
}

export interface DiffResult {
  a: string;
  b: string;
  regions: DiffRegion[];
  /** The log as a line diff: ' ' kept, '-' only in a, '+' only in b. */
  log: { op: ' ' | '-' | '+'; text: string }[];
  same: boolean;
}

/**
 * A status in the words the kernel's outcome allows on both sides: `ok` (placed, with or without a
 * handler), `failed` (reserve or alloc failed, no room in reserved_mem[]), or the status itself.
 */
const outcome: Record<string, string> = {
  'no-handler': 'ok',
  'reserve-failed': 'failed',
  'alloc-failed': 'failed',
  'no-space': 'failed',
};
const placed = (s: string): boolean => (outcome[s] ?? s) === 'ok';

export function sideOfPlan(p: PlanResult, label: string): DiffSide {
  return sideOfPrediction(
    p.regions,
    p.log.map((l) => l.text),
    label,
  );
}

/** A plan's regions and log lines as `verify` keeps them (its `prediction`), statuses as outcomes. */
export function sideOfPrediction(regions: DiffSide['regions'], log: string[], label: string): DiffSide {
  return { label, regions: regions.map((r) => ({ name: r.name, base: r.base, size: r.size, status: outcome[r.status] ?? r.status })), log };
}

export function sideOfObservation(regions: ObservedRegion[], log: string[], label: string): DiffSide {
  return { label, regions: regions.map((r) => ({ name: r.name, base: r.base, size: r.size, status: r.status })), log };
}

/** Longest common subsequence line diff (the logs are a few hundred lines at most). */
function lineDiff(a: string[], b: string[]): DiffResult['log'] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: DiffResult['log'] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ op: ' ', text: a[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({ op: '-', text: a[i++]! });
    else out.push({ op: '+', text: b[j++]! });
  }
  while (i < n) out.push({ op: '-', text: a[i++]! });
  while (j < m) out.push({ op: '+', text: b[j++]! });
  return out;
}

export function diffSides(a: DiffSide, b: DiffSide): DiffResult {
  const regions: DiffRegion[] = [];
  const names = [...new Set([...a.regions.map((r) => r.name), ...b.regions.map((r) => r.name)])];
  for (const name of names) {
    const ra = a.regions.find((r) => r.name === name) ?? null;
    const rb = b.regions.find((r) => r.name === name) ?? null;
    if (!ra || !rb) {
      regions.push({ name, change: ra ? 'removed' : 'added', a: ra, b: rb });
      continue;
    }
    // An observation that could not read a base or size (`unknown`, 6.1 without a trace) says nothing about it.
    const known = (x: bigint | null, y: bigint | null) => x !== null && y !== null;
    const moved = known(ra.base, rb.base) && ra.base !== rb.base;
    const resized = known(ra.size, rb.size) && ra.size !== rb.size;
    let change: RegionChange | undefined;
    if (ra.status !== rb.status && ra.status !== 'unknown' && rb.status !== 'unknown') {
      if (placed(ra.status) && !placed(rb.status)) change = 'now failing';
      else if (!placed(ra.status) && placed(rb.status)) change = 'now placed';
      else change = 'status';
    } else if (moved && resized) change = 'moved, resized';
    else if (moved) change = 'moved';
    else if (resized) change = 'resized';
    if (change) regions.push({ name, change, a: ra, b: rb });
  }
  const log = lineDiff(a.log, b.log);
  return { a: a.label, b: b.label, regions, log, same: regions.length === 0 && log.every((l) => l.op === ' ') };
}

export interface DiffTextOptions {
  physAddrBits?: 32 | 64;
  color?: boolean;
  /** Unchanged log lines shown around each change (default 2). */
  context?: number;
}

export function formatDiffText(d: DiffResult, opts: DiffTextOptions = {}): string {
  const bits = opts.physAddrBits ?? 64;
  const paint = (code: string, s: string) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const where = (r: DiffRegion['a']): string =>
    !r ? '-' : `${r.base === null ? 'no address' : formatPa(r.base, bits)}${r.size === null ? '' : ` ${humanSize(r.size)}`} ${r.status}`;
  const out: string[] = [paint('1', `--- a: ${d.a}`), paint('1', `+++ b: ${d.b}`)];
  if (d.same) {
    out.push('no difference');
    return out.join('\n') + '\n';
  }
  if (d.regions.length) {
    out.push('', 'regions:');
    const w = Math.max(...d.regions.map((r) => r.name.length));
    for (const r of d.regions) {
      const mark = r.change === 'added' ? '+' : r.change === 'removed' ? '-' : r.change === 'now failing' ? '!' : '~';
      const colour = mark === '+' ? '32' : mark === '-' ? '31' : mark === '!' ? '1;31' : '33';
      const body = r.change === 'added' ? where(r.b) : r.change === 'removed' ? where(r.a) : `${r.change}: ${where(r.a)} → ${where(r.b)}`;
      out.push(paint(colour, `${mark} ${r.name.padEnd(w)}  ${body}`));
    }
  }
  const ctx = opts.context ?? 2;
  const changed = d.log.map((l, i) => (l.op === ' ' ? -1 : i)).filter((i) => i >= 0);
  if (changed.length) {
    out.push('', 'log:');
    // Hunks: each change with `ctx` unchanged lines around it, nearby changes joined.
    let i = 0;
    while (i < changed.length) {
      const start = Math.max(0, changed[i]! - ctx);
      let end = changed[i]! + ctx;
      while (i + 1 < changed.length && changed[i + 1]! - ctx <= end + 1) end = changed[++i]! + ctx;
      end = Math.min(d.log.length - 1, end);
      const before = d.log.slice(0, start);
      const inHunk = d.log.slice(start, end + 1);
      const aStart = before.filter((l) => l.op !== '+').length + 1;
      const bStart = before.filter((l) => l.op !== '-').length + 1;
      const aLen = inHunk.filter((l) => l.op !== '+').length;
      const bLen = inHunk.filter((l) => l.op !== '-').length;
      out.push(paint('36', `@@ -${aStart},${aLen} +${bStart},${bLen} @@`));
      for (const l of inHunk) out.push(l.op === ' ' ? ` ${l.text}` : paint(l.op === '+' ? '32' : '31', `${l.op}${l.text}`));
      i++;
    }
  }
  return out.join('\n') + '\n';
}

export function diffToJson(d: DiffResult): unknown {
  const side = (r: DiffRegion['a']) =>
    r
      ? {
          base: r.base === null ? null : '0x' + r.base.toString(16),
          size: r.size === null ? null : '0x' + r.size.toString(16),
          status: r.status,
        }
      : null;
  return {
    a: d.a,
    b: d.b,
    same: d.same,
    regions: d.regions.map((r) => ({ name: r.name, change: r.change, a: side(r.a), b: side(r.b) })),
    log: { removed: d.log.filter((l) => l.op === '-').map((l) => l.text), added: d.log.filter((l) => l.op === '+').map((l) => l.text) },
  };
}
