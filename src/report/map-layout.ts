// Where each range of a map goes on a horizontal axis `width` units wide (pixels for SVG,
// characters for text): RAM drawn to scale, a hole between banks or a long stretch of free RAM
// collapsed to a fixed-width gap (marked, with its size), and every reservation at least `min`
// wide so a 4 KiB region next to a 1 GiB one stays visible. Overlapping ranges go to lanes.
//
// Self-contained on purpose (no imports, no module state): map-html.ts ships this function's
// source to the browser, which lays out the same data again when the reader zooms.

/** The part of MapData (map-model.ts) the layout reads. */
export interface LayoutInput {
  banks: { base: string; end: string }[];
  items: { id: string; base: string | null; end: string | null }[];
}

export interface LayoutOptions {
  /** Width of a collapsed gap. */
  gap: number;
  /** Least width of a reservation. */
  min: number;
  /** Only this address window [lo, hi) (`0x…`); default: everything. */
  lo?: string;
  hi?: string;
  /** A free stretch wider than this share of the window's RAM collapses (default 0.25). */
  collapseShare?: number;
}

export interface LayoutSegment {
  lo: string;
  hi: string;
  x0: number;
  x1: number;
  /** `ram` free RAM to scale, `used` reserved, `gap` collapsed free RAM, `hole` collapsed non-RAM. */
  kind: 'ram' | 'used' | 'gap' | 'hole';
}

export interface Layout {
  segments: LayoutSegment[];
  /** Drawn items (those with an address inside the window), in address order. */
  items: { id: string; x0: number; x1: number; lane: number }[];
  lanes: number;
}

export function layoutMap(map: LayoutInput, width: number, opts: LayoutOptions): Layout {
  const big = (s: string): bigint => BigInt(s);
  const lo = opts.lo === undefined ? undefined : big(opts.lo);
  const hi = opts.hi === undefined ? undefined : big(opts.hi);
  const clip = (a: bigint, b: bigint): [bigint, bigint] | undefined => {
    const x = lo !== undefined && a < lo ? lo : a;
    const y = hi !== undefined && b > hi ? hi : b;
    return x < y ? [x, y] : undefined;
  };
  const banks: [bigint, bigint][] = [];
  for (const b of map.banks) {
    const c = clip(big(b.base), big(b.end));
    if (c) banks.push(c);
  }
  const placed: { id: string; a: bigint; b: bigint }[] = [];
  for (const it of map.items) {
    if (it.base === null || it.end === null) continue;
    const c = clip(big(it.base), big(it.end));
    if (c) placed.push({ id: it.id, a: c[0], b: c[1] });
  }
  placed.sort((x, y) => (x.a < y.a ? -1 : x.a > y.a ? 1 : x.b < y.b ? -1 : x.b > y.b ? 1 : 0));
  const points = new Set<bigint>();
  for (const [a, b] of banks) points.add(a).add(b);
  for (const p of placed) points.add(p.a).add(p.b);
  const sorted = [...points].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  type Seg = { lo: bigint; hi: bigint; kind: LayoutSegment['kind']; w: number };
  let segs: Seg[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const a = sorted[i]!;
    const b = sorted[i + 1]!;
    const used = placed.some((p) => p.a < b && p.b > a);
    const ram = banks.some(([x, y]) => x < b && y > a);
    segs.push({ lo: a, hi: b, kind: used ? 'used' : ram ? 'ram' : 'hole', w: 0 });
  }
  // Neighbouring stretches of the same free kind are one stretch.
  const merged: Seg[] = [];
  for (const s of segs) {
    const last = merged[merged.length - 1];
    if (last && last.kind === s.kind && s.kind !== 'used' && last.hi === s.lo) last.hi = s.hi;
    else merged.push(s);
  }
  segs = merged;
  let total = 0n;
  for (const s of segs) if (s.kind !== 'hole') total += s.hi - s.lo;
  const share = opts.collapseShare ?? 0.25;
  for (const s of segs) {
    if (s.kind === 'ram' && total > 0n && Number(s.hi - s.lo) > Number(total) * share) s.kind = 'gap';
  }
  // Widths: gaps and holes fixed, the rest to scale with `used` at least `min`, found by
  // repeatedly pinning what falls below the minimum and sharing the rest among the others.
  const fixed = segs.filter((s) => s.kind === 'gap' || s.kind === 'hole');
  for (const s of fixed) s.w = opts.gap;
  const scaled = segs.filter((s) => s.kind === 'ram' || s.kind === 'used');
  const pinned = new Set<Seg>();
  for (let round = 0; round <= scaled.length; round++) {
    const room = width - fixed.length * opts.gap - pinned.size * opts.min;
    let sum = 0;
    for (const s of scaled) if (!pinned.has(s)) sum += Number(s.hi - s.lo);
    let changed = false;
    for (const s of scaled) {
      if (pinned.has(s)) {
        s.w = opts.min;
        continue;
      }
      s.w = sum > 0 ? (Number(s.hi - s.lo) / sum) * Math.max(room, 0) : 0;
      if (s.kind === 'used' && s.w < opts.min) {
        pinned.add(s);
        changed = true;
      }
    }
    if (!changed) break;
  }
  // Rescale so the segments fill the width exactly (pinned minimums may overflow a tiny width).
  let drawn = 0;
  for (const s of segs) drawn += s.w;
  const k = drawn > 0 ? width / drawn : 1;
  let x = 0;
  const out: LayoutSegment[] = segs.map((s) => {
    const x0 = x;
    x += s.w * k;
    return { lo: '0x' + s.lo.toString(16), hi: '0x' + s.hi.toString(16), x0, x1: x, kind: s.kind };
  });
  const at = (addr: bigint): number => {
    for (let i = 0; i < segs.length; i++) {
      const s = segs[i]!;
      const o = out[i]!;
      if (addr >= s.lo && addr <= s.hi) {
        const span = Number(s.hi - s.lo);
        return span > 0 ? o.x0 + (Number(addr - s.lo) / span) * (o.x1 - o.x0) : o.x0;
      }
    }
    return addr < (segs[0]?.lo ?? 0n) ? 0 : width;
  };
  const laneEnds: bigint[] = [];
  const items = placed.map((p) => {
    let lane = laneEnds.findIndex((end) => end <= p.a);
    if (lane < 0) {
      lane = laneEnds.length;
      laneEnds.push(p.b);
    } else laneEnds[lane] = p.b;
    let x0 = at(p.a);
    let x1 = at(p.b);
    if (x1 - x0 < opts.min) {
      x1 = Math.min(width, x0 + opts.min);
      x0 = x1 - opts.min;
    }
    return { id: p.id, x0, x1, lane };
  });
  return { segments: out, items, lanes: Math.max(1, laneEnds.length) };
}
