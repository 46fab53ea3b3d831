// Bench section: drawing a map of 100 ranges (text, SVG, HTML) — reported, not asserted. The map is
// made up: 100 ranges of every kind, 4 KiB to 64 MiB, over two RAM banks, each with a few log lines,
// as the renderers would get from a busy board's plan.
import { mapKinds, type MapData, type MapItem } from '../src/report/map-model.js';
import { formatMapHtml } from '../src/report/map-html.js';
import { formatMapSvg } from '../src/report/map-svg.js';
import { formatMapText } from '../src/report/map-text.js';

export interface MapBench {
  regions: number;
  svgMs: number;
  htmlMs: number;
  textMs: number;
  htmlBytes: number;
}

export function syntheticMap(n: number): MapData {
  const items: MapItem[] = [];
  let at = 0x80000000n;
  for (let i = 0; i < n; i++) {
    const size = 0x1000n << BigInt(i % 15);
    if (i === n / 2) at = 0x880000000n;
    const kind = mapKinds[i % mapKinds.length]!.kind;
    const placed = kind !== 'unplaced';
    items.push({
      id: `r${i}`,
      name: `region${i}@${at.toString(16)}`,
      path: `/reserved-memory/region${i}@${at.toString(16)}`,
      kind,
      base: placed ? '0x' + at.toString(16) : null,
      size: '0x' + size.toString(16),
      end: placed ? '0x' + (at + size).toString(16) : null,
      sizeText: `${size >> 10n} KiB`,
      status: 'ok',
      flags: ['no-map', 'static'],
      placement: 'static',
      handler: 'none',
      result: null,
      consumers: [`/soc/device@${i}`],
      log: [
        `OF: reserved mem: 0x${at.toString(16)}..0x${(at + size - 1n).toString(16)} (${size >> 10n} KiB) nomap non-reusable region${i}`,
      ],
      source: [`board.dts:${100 + i}`],
    });
    at += size + (i % 3 === 0 ? 0x1000000n : 0n);
  }
  return {
    kernel: '6.12-arm64',
    digits: 16,
    banks: [
      { base: '0x80000000', end: '0x100000000', sizeText: '2 GiB' },
      { base: '0x880000000', end: '0x980000000', sizeText: '4 GiB' },
    ],
    items,
  };
}

/** Mean time of `fn` over at least `minMs` and 10 runs, after one untimed run. */
function meanMs(fn: () => unknown, minMs = 1000): number {
  fn();
  let runs = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs || runs < 10) {
    fn();
    runs++;
  }
  return (performance.now() - t0) / runs;
}

export function benchMap(n = 100): MapBench {
  const m = syntheticMap(n);
  return {
    regions: n,
    svgMs: meanMs(() => formatMapSvg(m)),
    htmlMs: meanMs(() => formatMapHtml([m])),
    textMs: meanMs(() => formatMapText(m, { width: 120 })),
    htmlBytes: formatMapHtml([m]).length,
  };
}
