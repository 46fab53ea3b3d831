// What `carveout map` draws, as plain JSON: every /reserved-memory region and early reservation
// of a PlanResult with its kind, range, flags, handler, consumers, the log lines that name it and
// where its node was written. The text, SVG and HTML renderers (map-text.ts, map-svg.ts,
// map-html.ts) read only this, so the HTML page can redraw in the browser from the same data.
import type { Span } from '../diagnostics.js';
import type { PlanRegion, PlanResult } from '../kernel/plan.js';
import type { Tree } from '../tree/types.js';
import { findNode } from '../tree/query.js';
import { humanSize } from './plan-text.js';

/**
 * How a range is coloured: static no-map, static mapped, dynamic, CMA (reusable), the kernel
 * image, the DTB, the initrd, other early reservations, a region the kernel failed to place or
 * rejected, and one it never placed (disabled, neither reg nor size).
 */
export type MapKind = 'nomap' | 'static' | 'dynamic' | 'cma' | 'kernel' | 'dtb' | 'initrd' | 'early' | 'failed' | 'unplaced';

export const mapKinds: { kind: MapKind; label: string; colour: string }[] = [
  { kind: 'nomap', label: 'static, no-map', colour: '#b3362b' },
  { kind: 'static', label: 'static, mapped', colour: '#e08a2c' },
  { kind: 'dynamic', label: 'dynamic', colour: '#2f7fc1' },
  { kind: 'cma', label: 'CMA (reusable)', colour: '#2e9d5b' },
  { kind: 'kernel', label: 'kernel image', colour: '#6c4bb4' },
  { kind: 'dtb', label: 'DTB', colour: '#b04a9b' },
  { kind: 'initrd', label: 'initrd', colour: '#8a6d3b' },
  { kind: 'early', label: 'early reservation', colour: '#5f7282' },
  { kind: 'failed', label: 'failed or rejected', colour: '#111111' },
  { kind: 'unplaced', label: 'not placed', colour: '#9a9a9a' },
];

export interface MapItem {
  /** Unique within one map (`r0`…, `e0`…). */
  id: string;
  name: string;
  /** The /reserved-memory node's path; null for an early reservation. */
  path: string | null;
  kind: MapKind;
  /** `0x…`; null when the kernel never gave it an address. */
  base: string | null;
  size: string | null;
  /** First address past the range (base + size). */
  end: string | null;
  /** Human size (`64 MiB`). */
  sizeText: string;
  /** The region's status (`ok`, `rejected`, …) or `reserved` for an early reservation. */
  status: string;
  flags: string[];
  /** How it was placed (`static`, `top-down in alloc-ranges[0]`) or who reserved it. */
  placement: string;
  /** Every setup the kernel called (`shared-dma-pool: rmem_cma_setup → 0`), or `none`. */
  handler: string;
  result: string | null;
  consumers: string[];
  /** The kernel's lines printed while handling it, in order. */
  log: string[];
  /** Where the node was written (`board.dts:31`), and where `&label { }` blocks extended it. */
  source: string[];
}

export interface MapData {
  kernel: string;
  /** Hex digits of an address as the kernel prints it (`%pa`). */
  digits: number;
  banks: { base: string; end: string; sizeText: string }[];
  items: MapItem[];
}

const failing = new Set(['rejected', 'reserve-failed', 'alloc-failed', 'invalid', 'no-space']);
const hex = (x: bigint): string => '0x' + x.toString(16);

function regionKind(r: PlanRegion): MapKind {
  if (failing.has(r.status)) return 'failed';
  if (r.base === null || !r.size) return 'unplaced';
  if (r.reusable) return 'cma';
  if (r.dynamic) return 'dynamic';
  return r.nomap ? 'nomap' : 'static';
}

function earlyKind(name: string, source: string): MapKind {
  if (source.endsWith('memblock_init') && name === 'kernel') return 'kernel';
  if (name === 'dtb') return 'dtb';
  if (name === 'initrd') return 'initrd';
  if (name === 'default CMA') return 'cma';
  return 'early';
}

const where = (s: Span): string => `${s.file}:${s.line}`;

/** Build the map of one plan; `tree` (Board.tree) gives each node's source position. */
export function mapData(p: PlanResult, opts: { physAddrBits?: 32 | 64; tree?: Tree } = {}): MapData {
  const items: MapItem[] = [];
  p.regions.forEach((r, i) => {
    const node = opts.tree ? findNode(opts.tree, r.path) : undefined;
    const flags = [r.nomap ? 'no-map' : 'map', ...(r.reusable ? ['reusable'] : []), r.dynamic ? 'dynamic' : 'static'];
    const handler = r.attempts.length ? r.attempts.map((a) => `${a.compatible}: ${a.handler} → ${a.ret}`).join('; ') : 'none';
    items.push({
      id: `r${i}`,
      name: r.name,
      path: r.path,
      kind: regionKind(r),
      base: r.base === null ? null : hex(r.base),
      size: r.size === null ? null : hex(r.size),
      end: r.base === null || r.size === null ? null : hex(r.base + r.size),
      sizeText: r.size === null ? '-' : humanSize(r.size),
      status: r.status,
      flags,
      placement: r.placement || '-',
      handler,
      result: r.result,
      consumers: r.consumers,
      log: p.log.filter((l) => l.regions?.includes(r.path)).map((l) => l.text),
      source: node ? [where(node.span), ...(node.extraSpans ?? []).map(where)].filter((s) => !s.startsWith(':')) : [],
    });
  });
  p.early.forEach((e, i) => {
    items.push({
      id: `e${i}`,
      name: e.name,
      path: null,
      kind: earlyKind(e.name, e.source),
      base: hex(e.base),
      size: hex(e.size),
      end: hex(e.base + e.size),
      sizeText: humanSize(e.size),
      status: 'reserved',
      flags: [],
      placement: e.source,
      handler: '-',
      result: null,
      consumers: [],
      log: [],
      source: [],
    });
  });
  return {
    kernel: p.kernel,
    digits: (opts.physAddrBits ?? 64) / 4,
    banks: p.memory.map((m) => ({ base: hex(m.base), end: hex(m.base + m.size), sizeText: humanSize(m.size) })),
    items,
  };
}
