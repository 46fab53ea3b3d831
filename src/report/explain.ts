// `carveout explain`: why a region landed where it did, step by step in the kernel's order, with
// the kernel function and file of each rule — from what the plan recorded (PlanRegion.steps,
// attempts, LogLine.regions) and the tree (where each property was written). For an address:
// every region and early reservation that covers it.
import type { Tree, Node, Property } from '../tree/types.js';
import { findNode } from '../tree/query.js';
import { getNodeByLabel } from '../tree/build.js';
import { formatPa } from '../kernel/memblock.js';
import type { PlanRegion, PlanResult } from '../kernel/plan.js';
import type { PlacementStep } from '../kernel/rmem.js';
import { humanSize } from './plan-text.js';

/** One step of the kernel's handling of a region. */
export interface ExplainStep {
  /** What happened, in a sentence. */
  what: string;
  /** The kernel function and file whose rule it is. */
  kernel: string;
  /** Supporting facts (what was in the range, the free stretches, …). */
  details: string[];
}

export interface RegionExplanation {
  kind: 'region';
  kernel: string;
  name: string;
  path: string;
  base: string | null;
  size: string | null;
  status: string;
  placement: string;
  /** Where the node was written, then each `&label { }` or later block that extended it. */
  definedAt: string[];
  labels: string[];
  /** Each property's value and where it was set; `overrides`: the earlier definitions it replaced, first to last. */
  properties: { name: string; value: string; at: string; overrides: string[] }[];
  steps: ExplainStep[];
  consumers: string[];
  log: string[];
}

export interface AddressExplanation {
  kind: 'address';
  kernel: string;
  address: string;
  /** The RAM bank holding it, if any. */
  bank: string | null;
  covering: { name: string; path: string | null; base: string; end: string; size: string; what: string }[];
}

export type Explanation = RegionExplanation | AddressExplanation;

/** The kernel's setup function of each built-in handler (kernel/dma/*.c: RESERVEDMEM_OF_DECLARE). */
const builtinSetup: Record<string, string> = {
  'shared-dma-pool/cma': 'rmem_cma_setup (kernel/dma/contiguous.c)',
  'shared-dma-pool/dma': 'rmem_dma_setup (kernel/dma/coherent.c)',
  'restricted-dma-pool/dma': 'rmem_swiotlb_setup (kernel/dma/swiotlb.c)',
};

const OF_RMEM = 'drivers/of/of_reserved_mem.c';
const MEMBLOCK_NOMAP = 0x4;

function printable(v: Uint8Array): string | undefined {
  if (v.length === 0 || v[v.length - 1] !== 0) return undefined;
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < v.length - 1; i++) {
    const c = v[i]!;
    if (c === 0) {
      if (!cur) return undefined;
      parts.push(cur);
      cur = '';
    } else if (c >= 0x20 && c < 0x7f) cur += String.fromCharCode(c);
    else return undefined;
  }
  if (!cur) return undefined;
  parts.push(cur);
  return parts.map((p) => JSON.stringify(p)).join(', ');
}

/** A property's value as DTS would spell it (strings, cells, or bytes). */
export function propValueText(p: Property): string {
  const v = p.value;
  if (v.length === 0) return '(true)';
  const s = printable(v);
  if (s !== undefined) return s;
  if (v.length % 4 === 0) {
    const cells: string[] = [];
    for (let i = 0; i < v.length; i += 4)
      cells.push('0x' + (((v[i]! << 24) | (v[i + 1]! << 16) | (v[i + 2]! << 8) | v[i + 3]!) >>> 0).toString(16));
    return `<${cells.join(' ')}>`;
  }
  return `[${[...v].map((b) => b.toString(16).padStart(2, '0')).join(' ')}]`;
}

/** The region a NODE argument names: a path, a node name (`linux,cma`), or a label (`&cma` or `cma`). */
export function findRegion(p: PlanResult, tree: Tree | undefined, query: string): PlanRegion | undefined {
  const q = query.startsWith('&') ? query.slice(1) : query;
  const byPath = p.regions.find((r) => r.path === query || r.name === query);
  if (byPath) return byPath;
  const node = tree ? (query.startsWith('/') ? findNode(tree, query) : getNodeByLabel(tree.root, q)) : undefined;
  if (!node) return undefined;
  return p.regions.find((r) => tree && findNode(tree, r.path) === node);
}

/** A size or address argument: hex (`0x…`), decimal, octal as C reads it (no suffixes). */
export function parseAddress(s: string): bigint | undefined {
  if (!/^(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(s)) return undefined;
  return BigInt(s);
}

export function explainRegion(p: PlanResult, r: PlanRegion, opts: { tree?: Tree; physAddrBits?: 32 | 64 }): RegionExplanation {
  const bits = opts.physAddrBits ?? 64;
  const pa = (x: bigint) => formatPa(x, bits);
  const range = (a: bigint, b: bigint) => `${pa(a)}..${pa(b - 1n)}`;
  const node: Node | undefined = opts.tree ? findNode(opts.tree, r.path) : undefined;
  const where = (s: { file: string; line: number }) => (s.file ? `${s.file}:${s.line}` : '');
  // What a memblock entry seen in a range was: a region, an early reservation, or memblock's own.
  const known = [
    ...p.regions
      .filter((x) => x.base !== null && x.size)
      .map((x) => ({ name: x.name, base: x.base!, end: x.base! + x.size!, nomap: x.nomap })),
    ...p.early.map((e) => ({ name: e.name, base: e.base, end: e.base + e.size, nomap: false })),
  ];
  const nameOf = (base: bigint, size: bigint): string => {
    const hits = known.filter((k) => k.base < base + size && k.end > base && k.name !== r.name).map((k) => k.name);
    return hits.length ? hits.join(', ') : 'an earlier memblock allocation';
  };
  const steps: ExplainStep[] = [];
  if (r.status === 'disabled')
    steps.push({
      what: 'status is not "okay": skipped (of_fdt_device_is_available)',
      kernel: `fdt_scan_reserved_mem (${OF_RMEM})`,
      details: [],
    });
  else if (r.status === 'ignored')
    steps.push({ what: `not reserved: ${r.placement || 'nothing to place'}`, kernel: `fdt_scan_reserved_mem (${OF_RMEM})`, details: [] });
  else if (r.status === 'invalid')
    steps.push({
      what: `rejected while reading it: ${r.placement}`,
      kernel: `__reserved_mem_alloc_size / __reserved_mem_reserve_reg (${OF_RMEM})`,
      details: [],
    });
  else if (r.status === 'no-space')
    steps.push({
      what: 'reserved_mem[] is full (MAX_RESERVED_REGIONS): not saved',
      kernel: `fdt_reserved_mem_save_node (${OF_RMEM})`,
      details: [],
    });
  if (r.dynamic && r.steps.length)
    steps.push({
      what: `no \`reg\`, a \`size\` of ${humanSize(r.size ?? 0n)}: placed by the allocator${r.steps.some((s) => s.range !== undefined) ? ', one alloc-ranges entry after the other until one fits' : ' anywhere in memblock'}`,
      kernel: `__reserved_mem_alloc_size (${OF_RMEM})`,
      details: [],
    });
  for (const s of r.steps) steps.push(explainStep(s, pa, range, nameOf));
  for (const a of r.attempts) {
    const fn = builtinSetup[`${a.compatible}/${a.handler}`] ?? `${a.handler} (${a.origin})`;
    steps.push({
      what: `handler for "${a.compatible}": ${fn} returned ${a.ret}${a.ret === '0' ? ': accepted' : ', next entry of the table'}`,
      kernel: `__reserved_mem_init_node (${OF_RMEM})`,
      details: [],
    });
  }
  if (r.attempts.length === 0 && (r.status === 'no-handler' || r.status === 'ok'))
    steps.push({
      what: 'no handler matches its compatible: it stays reserved as it is',
      kernel: `__reserved_mem_init_node (${OF_RMEM})`,
      details: [],
    });
  if (r.status === 'rejected')
    steps.push({
      what: `every matching handler failed: the kernel gives the memory back (${r.nomap ? 'memblock_clear_nomap' : 'memblock_phys_free'})`,
      kernel: `fdt_init_reserved_mem_node / fdt_init_reserved_mem (${OF_RMEM})`,
      details: [],
    });
  const overlaps = p.log.filter((l) => l.source === '__rmem_check_for_overlap' && l.regions?.includes(r.path)).map((l) => l.text);
  if (overlaps.length)
    steps.push({
      what: 'overlaps another region (printed, both kept)',
      kernel: `__rmem_check_for_overlap (${OF_RMEM})`,
      details: overlaps,
    });
  return {
    kind: 'region',
    kernel: p.kernel,
    name: r.name,
    path: r.path,
    base: r.base === null ? null : pa(r.base),
    size: r.size === null ? null : humanSize(r.size),
    status: r.status,
    placement: r.placement,
    definedAt: node ? [node.span, ...(node.extraSpans ?? [])].map(where).filter((s) => s) : [],
    labels: node?.labels ?? [],
    properties: node
      ? node.props.map((pr) => ({
          name: pr.name,
          value: propValueText(pr),
          at: where(pr.span),
          overrides: (pr.overridden ?? []).map(where).filter((w) => w),
        }))
      : [],
    steps,
    consumers: r.consumers,
    log: p.log.filter((l) => l.regions?.includes(r.path)).map((l) => l.text),
  };
}

function explainStep(
  s: PlacementStep,
  pa: (x: bigint) => string,
  range: (a: bigint, b: bigint) => string,
  nameOf: (base: bigint, size: bigint) => string,
): ExplainStep {
  const inRange = (list: PlacementStep['reserved'], what: string) =>
    list.map((e) => `${what} ${range(e.base, e.base + e.size)} (${humanSize(e.size)}): ${nameOf(e.base, e.size)}`);
  if (s.kind !== 'alloc') {
    const call = s.kind === 'nomap' ? 'memblock_mark_nomap' : 'memblock_reserve';
    const details = [
      ...inRange(s.reserved, 'already reserved'),
      ...inRange(
        s.memory.filter((m) => m.flags & MEMBLOCK_NOMAP),
        'already no-map',
      ),
    ];
    if (s.memory.length === 0) details.push('no RAM there: memblock keeps the reservation anyway');
    const what =
      s.ret === 0
        ? `reg ${range(s.start, s.end)}: ${call}`
        : `reg ${range(s.start, s.end)}: refused (${s.ret === -16 ? '-EBUSY: a no-map region may not cover memory that is already reserved' : s.ret})`;
    return { what, kernel: `early_init_dt_reserve_memory (${OF_RMEM}), ${call} (mm/memblock.c)`, details };
  }
  const where = s.range !== undefined ? `alloc-ranges[${s.range}] ${range(s.start, s.end)}` : `anywhere up to ${pa(s.end)}`;
  const align = `${humanSize(s.align ?? 0n)} alignment (${s.alignFrom === 'alignment' ? 'the node\u2019s `alignment`' : s.alignFrom === 'CMA_MIN_ALIGNMENT_BYTES' ? 'CMA_MIN_ALIGNMENT_BYTES: a reusable shared-dma-pool with CONFIG_CMA' : 'SMP_CACHE_BYTES: no `alignment`'})`;
  const details: string[] = [];
  if (s.limit !== undefined && s.limit < s.end) details.push(`capped at memblock.current_limit ${pa(s.limit)}`);
  details.push(...inRange(s.reserved, 'reserved'));
  details.push(
    ...inRange(
      s.memory.filter((m) => m.flags & MEMBLOCK_NOMAP),
      'no-map',
    ),
  );
  // The free stretches memblock could choose from: RAM without NOMAP, minus reserved, in the range.
  const end = s.limit !== undefined && s.limit < s.end ? s.limit + 1n : s.end;
  const free: [bigint, bigint][] = [];
  for (const m of s.memory) {
    if (m.flags & MEMBLOCK_NOMAP) continue;
    let segs: [bigint, bigint][] = [[m.base > s.start ? m.base : s.start, m.base + m.size < end ? m.base + m.size : end]];
    for (const rsv of s.reserved) {
      const next: [bigint, bigint][] = [];
      for (const [a, b] of segs) {
        if (rsv.base >= b || rsv.base + rsv.size <= a) next.push([a, b]);
        else {
          if (rsv.base > a) next.push([a, rsv.base]);
          if (rsv.base + rsv.size < b) next.push([rsv.base + rsv.size, b]);
        }
      }
      segs = next;
    }
    free.push(...segs.filter(([a, b]) => b > a));
  }
  if (s.memory.length === 0) details.push('no RAM in this range');
  else if (free.length === 0) details.push('no free RAM left in this range');
  else {
    const largest = free.reduce((x, y) => (y[1] - y[0] > x[1] - x[0] ? y : x));
    details.push(
      `${free.length} free stretch${free.length > 1 ? 'es' : ''}, the largest ${range(largest[0], largest[1])} (${humanSize(largest[1] - largest[0])})`,
    );
  }
  const tried = `${where}, ${s.direction}, ${humanSize(s.size)} with ${align}`;
  let what: string;
  if (!s.found) what = `${tried}: nothing free fits (-ENOMEM)`;
  else if (s.ret !== 0) what = `${tried}: found ${pa(s.found)}, but memblock_mark_nomap failed (${s.ret}); freed again`;
  else what = `${tried}: ${s.direction === 'top-down' ? 'the highest' : 'the lowest'} fit is ${range(s.found, s.found + s.size)}`;
  return {
    what,
    kernel: `early_init_dt_alloc_reserved_memory_arch (${OF_RMEM}), memblock_phys_alloc_range → memblock_find_in_range_node (mm/memblock.c)`,
    details,
  };
}

export function explainAddress(p: PlanResult, address: bigint, opts: { physAddrBits?: 32 | 64 }): AddressExplanation {
  const pa = (x: bigint) => formatPa(x, opts.physAddrBits ?? 64);
  const covering: AddressExplanation['covering'] = [];
  for (const r of p.regions) {
    if (r.base === null || !r.size || address < r.base || address >= r.base + r.size) continue;
    covering.push({
      name: r.name,
      path: r.path,
      base: pa(r.base),
      end: pa(r.base + r.size - 1n),
      size: humanSize(r.size),
      what: `/reserved-memory region, ${r.nomap ? 'no-map' : 'mapped'}${r.reusable ? ', reusable' : ''}, ${r.status} (${r.placement})`,
    });
  }
  for (const e of p.early) {
    if (address < e.base || address >= e.base + e.size) continue;
    covering.push({
      name: e.name,
      path: null,
      base: pa(e.base),
      end: pa(e.base + e.size - 1n),
      size: humanSize(e.size),
      what: `early reservation (${e.source})`,
    });
  }
  const bank = p.memory.find((m) => address >= m.base && address < m.base + m.size);
  return {
    kind: 'address',
    kernel: p.kernel,
    address: pa(address),
    bank: bank ? `${pa(bank.base)}..${pa(bank.base + bank.size - 1n)} (${humanSize(bank.size)})` : null,
    covering,
  };
}

export function formatExplainText(x: Explanation): string {
  const out: string[] = [];
  if (x.kind === 'address') {
    out.push(`${x.address} on ${x.kernel}: ${x.bank ? `RAM bank ${x.bank}` : 'not in RAM'}`);
    if (x.covering.length === 0) out.push('  no region or early reservation covers it');
    for (const c of x.covering) out.push(`  ${c.name}${c.path ? ` (${c.path})` : ''}  ${c.base}..${c.end}  ${c.size}  ${c.what}`);
    return out.join('\n') + '\n';
  }
  out.push(
    `${x.path} on ${x.kernel}: ${x.status}${x.base ? ` at ${x.base}` : ''}${x.size ? `, ${x.size}` : ''}${x.placement ? ` (${x.placement})` : ''}`,
  );
  if (x.definedAt.length) {
    out.push('', 'written at:');
    x.definedAt.forEach((d, i) => out.push(`  ${d}${i === 0 ? '' : '  (extended here)'}`));
    if (x.labels.length) out.push(`  labels: ${x.labels.map((l) => `&${l}`).join(', ')}`);
  }
  if (x.properties.length) {
    out.push('', 'properties (each where it was last set, and the earlier definitions it overrode):');
    const w = Math.max(...x.properties.map((p) => p.name.length));
    for (const p of x.properties)
      out.push(
        `  ${p.name.padEnd(w)}  ${p.value}${p.at ? `    ${p.at}` : ''}${p.overrides.length ? ` (overrides ${p.overrides.join(', ')})` : ''}`,
      );
  }
  out.push('', 'what the kernel did:');
  x.steps.forEach((s, i) => {
    out.push(`  ${i + 1}. ${s.what}`, `     ${s.kernel}`);
    for (const d of s.details) out.push(`       - ${d}`);
  });
  if (x.consumers.length) out.push('', `used by (memory-region): ${x.consumers.join(', ')}`);
  out.push('', 'log lines:');
  if (x.log.length === 0) out.push('  (none)');
  for (const l of x.log) out.push(`  ${l}`);
  return out.join('\n') + '\n';
}

export function formatExplainJson(list: Explanation[]): string {
  return JSON.stringify(list.length === 1 ? list[0] : list, null, 2) + '\n';
}
