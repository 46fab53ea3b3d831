// Free areas for the page-allocator tests (src/kernel/page-alloc.ts freeArea) from page-frame
// ranges: largest order 4, a zone of 64 pages and every pageblock movable unless a test says otherwise.
import { freeArea } from '../../src/kernel/page-alloc.js';

export function pfnArea(
  ranges: [number, number][],
  pageSize: bigint,
  zone = { startPfn: 0, endPfn: 64 },
  movableBlock: (pfn: number) => boolean = () => true,
): ReturnType<typeof freeArea> {
  return freeArea(
    ranges.map(([a, b]) => [BigInt(a) * pageSize, BigInt(b) * pageSize] as const),
    zone,
    pageSize,
    4,
    movableBlock,
  );
}
