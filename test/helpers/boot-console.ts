// Recorded consoles (test/fixtures/kernel/) against a plan: the memblock_alloc_try_nid calls of a
// memblock=debug console and the plan's, and the "Memory:" line's figures.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { PlanResult } from '../../src/kernel/plan.js';
import { parseMemoryLine } from '../../src/verify/observation.js';

/** A gzipped console, a line each, without printk timestamps. */
export const consoleLines = (gz: string): string[] =>
  gunzipSync(readFileSync(gz))
    .toString('utf8')
    .split('\n')
    .map((l) => l.replace(/^\[\s*\d+\.\d+\]\s?/, '').replace(/\r$/, ''));

/** The kernel's memblock_alloc_try_nid lines (size, align) before alloc_large_system_hash's, which the model stops short of. */
export function kernelAllocs(lines: string[]): string[] {
  const all = lines
    .map((l) => /^memblock_alloc_try_nid: (\d+) bytes align=(0x[0-9a-f]+) .* (\S+)\+0x[0-9a-f]+\/0x[0-9a-f]+$/.exec(l))
    .filter((m) => m !== null)
    .map((m) => ({ line: `${m[1]} ${m[2]}`, caller: m[3]! }));
  const end = all.findIndex((a) => a.caller === 'alloc_large_system_hash');
  return all.slice(0, end).map((a) => a.line);
}

/** The plan's first `n` memblock_alloc_try_nid calls, as kernelAllocs gives the kernel's. */
export const modelAllocs = (p: PlanResult, n: number): string[] =>
  p.trace.events
    .map((e) => e.detail as { kind: string; size?: bigint; align?: bigint })
    .filter((d) => d.kind === 'memblock_alloc_try_nid')
    .slice(0, n)
    .map((d) => `${d.size} 0x${d.align!.toString(16)}`);

/** The Memory: line's figures the plan gives (available only where the series prints it right after memblock_free_all). */
export function memoryFigures(p: PlanResult, lines: string[]) {
  const theirs = parseMemoryLine(lines.find((l) => l.startsWith('Memory: '))!)!;
  const pa = p.pageAllocator!;
  const k = (b: bigint) => b / 1024n;
  return {
    mine: {
      total: k(pa.total),
      reserved: k(pa.reserved),
      cma: k(pa.cmaReserved),
      ...(pa.available !== undefined ? { available: k(pa.available) } : {}),
    },
    theirs: {
      total: theirs.totalKiB,
      reserved: theirs.reservedKiB,
      cma: theirs.cmaReservedKiB,
      ...(pa.available !== undefined ? { available: theirs.availableKiB } : {}),
    },
  };
}
