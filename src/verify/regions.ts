// What the kernel did with each /reserved-memory node, read back from an Observation: the table
// `carveout verify` prints and compares with the plan.
//
// 6.12 prints one summary line per region (drivers/of/of_reserved_mem.c fdt_init_reserved_mem_node:
// `%pa..%pa (%lu KiB) %s %s %s`), which gives base, size and flags exactly. 6.1 does not: there the
// base of a dynamic region comes from the memblock=debug trace (the allocation made for it by
// early_init_dt_alloc_reserved_memory_arch, matched by size) and static ones from their `reg`.
import type { Observation, ConsoleLine } from './observation.js';
import { getChild, getProp, type Tree } from '../tree/types.js';
import { isAvailable, readCells, u32 } from '../tree/query.js';
import { getProfile } from '../kernel/profiles/index.js';

export interface ObservedRegion {
  name: string;
  base: bigint | null;
  size: bigint | null;
  nomap: boolean;
  reusable: boolean;
  dynamic: boolean;
  /** ok: reserved/allocated (and a handler took it or none matched); failed: reserve/alloc failed;
   *  invalid: a property was rejected; disabled: status not okay; ignored: node not scanned;
   *  rejected: placed, but every matching handler failed (`compatible matching fail`): the kernel
   *  gave it back (memblock_phys_free, or memblock_clear_nomap for no-map — of_reserved_mem.c). */
  status: 'ok' | 'failed' | 'invalid' | 'disabled' | 'ignored' | 'rejected' | 'unknown';
  /** Compatible id of the handler that initialized it, or null. */
  handler: string | null;
  /** `initialized` / `matching fail` / `no compatible`. */
  handlerResult: string;
  /** Where base/size came from: `summary` (6.12 line), `reg`, `trace` (6.1 dynamic), or `none`. */
  source: string;
  /** The log lines that name this region. */
  lines: string[];
}

const mentions = (l: ConsoleLine, name: string): boolean => {
  const t = l.text;
  return (
    t.includes(`'${name}'`) ||
    t.includes(`node ${name},`) ||
    t.includes(`node ${name} `) ||
    t.endsWith(` ${name}`) ||
    t.includes(`in '${name}'`) ||
    t.includes(`${name} (`)
  );
};

export function observedRegions(obs: Observation, tree: Tree): ObservedRegion[] {
  const rm = getChild(tree.root, 'reserved-memory');
  if (!rm) return [];
  const aN = u32(rm, '#address-cells') ?? 2;
  const sN = u32(rm, '#size-cells') ?? 1;
  const ignoredNode = obs.log.some((l) => /unsupported node format/.test(l.text));
  // 6.12+ prints a summary line for every region it keeps (fdt_init_reserved_mem_node): a static
  // region without one was not kept, whatever its `reg` says (7.2's node_validate drops a
  // linux,cma-default region under cma= without a line the console shows)
  const summaryPerRegion = getProfile(obs.kernel)?.series.rmem.summaryLine ?? false;
  const out: ObservedRegion[] = [];
  // 6.1 dynamic allocations in order (the caller names the reserved-memory allocator).
  const dynAllocs = obs.memblock.filter(
    (e) =>
      e.op === 'alloc' &&
      /early_init_dt_alloc_reserved_memory_arch|__reserved_mem_alloc|fdt_scan_reserved_mem|__reserved_mem_alloc_in_range/.test(e.caller),
  );
  const usedAllocs = new Set<(typeof dynAllocs)[number]>();
  // 6.12 prints where each kept region lies: those allocations are taken, and those nodes placed.
  const SUMMARY = /^OF: reserved mem: (0x[0-9a-f]+)\.\.0x[0-9a-f]+ \(\d+ KiB\) (?:nomap|map) (?:reusable|non-reusable) (.*)$/;
  const summarized = new Map<string, bigint>();
  for (const l of obs.log) {
    const m = l.kind === 'of-reserved-mem' ? SUMMARY.exec(l.text) : null;
    if (m) summarized.set(m[2]!, BigInt(m[1]!));
  }
  const summaryBases = new Set(summarized.values());
  for (const a of dynAllocs) if (typeof a.result === 'bigint' && summaryBases.has(a.result)) usedAllocs.add(a);
  for (const n of rm.children) {
    const name = n.name;
    const reg = getProp(n, 'reg');
    const size = getProp(n, 'size');
    const dynamic = !reg && !!size;
    const r: ObservedRegion = {
      name,
      base: null,
      size: null,
      nomap: !!getProp(n, 'no-map'),
      reusable: !!getProp(n, 'reusable'),
      dynamic,
      status: 'unknown',
      handler: null,
      handlerResult: '',
      source: 'none',
      lines: [],
    };
    r.lines = obs.log
      .filter((l) => (l.kind === 'of-reserved-mem' || l.kind === 'of-fdt' || l.kind === 'reserved-memory') && mentions(l, name))
      .map((l) => l.text);
    if (ignoredNode) {
      r.status = 'ignored';
      out.push(r);
      continue;
    }
    if (!isAvailable(n)) {
      r.status = 'disabled';
      out.push(r);
      continue;
    }
    const summary = obs.log.find(
      (l) =>
        l.kind === 'of-reserved-mem' &&
        /^OF: reserved mem: (0x[0-9a-f]+)\.\.(0x[0-9a-f]+) \((\d+) KiB\) (nomap|map) (reusable|non-reusable) (.*)$/.test(l.text) &&
        l.text.endsWith(` ${name}`),
    );
    if (summary) {
      const m = /^OF: reserved mem: (0x[0-9a-f]+)\.\.(0x[0-9a-f]+) \((\d+) KiB\) (nomap|map) (reusable|non-reusable) (.*)$/.exec(
        summary.text,
      )!;
      r.base = BigInt(m[1]!);
      // a 32-bit phys_addr_t end wraps past 4 GiB (printed as base + size - 1)
      const end = BigInt(m[2]!);
      r.size = end - r.base + 1n + (end < r.base ? 1n << 32n : 0n);
      r.nomap = m[4] === 'nomap';
      r.reusable = m[5] === 'reusable';
      r.source = 'summary';
    } else if (reg?.value.length && reg.value.length % (4 * (aN + sN)) === 0 && !(summaryPerRegion && obs.memoryLine)) {
      r.base = readCells(reg.value, 0, aN);
      r.size = readCells(reg.value, 4 * aN, sN);
      r.source = 'reg';
    } else if (dynamic && obs.memblock.length) {
      // 6.1 allocates dynamic regions after sort() of reserved_mem[] (all keys equal: lib/sort.c
      // heapsort decides the order), so match allocations to nodes by size, not by position.
      const failedAlloc = r.lines.some((t) => /failed to allocate/.test(t));
      const invalid = r.lines.some((t) => /invalid .* property/.test(t));
      const want = size!.value.length === 4 * sN ? readCells(size!.value, 0, sN) : undefined;
      // Only when the allocations of that size are as many as the nodes asking for it: another
      // allocation of the same size by the same callers makes the match a guess.
      const sameSize = (x: (typeof dynAllocs)[number]) => x.size === want && typeof x.result === 'bigint' && !summaryBases.has(x.result);
      const asking = rm.children.filter((c) => {
        const sz = getProp(c, 'size');
        return (
          !getProp(c, 'reg') &&
          !summarized.has(c.name) &&
          sz?.value.length === 4 * sN &&
          readCells(sz.value, 0, sN) === want &&
          isAvailable(c)
        );
      }).length;
      if (!failedAlloc && !invalid && want !== undefined && dynAllocs.filter(sameSize).length === asking) {
        const a = dynAllocs.find((x) => !usedAllocs.has(x) && sameSize(x));
        if (a) {
          usedAllocs.add(a);
          r.base = a.result as bigint;
          r.size = want;
          r.source = 'trace';
        }
      }
    }
    const init = r.lines.find((t) => /initialized node .*, compatible id /.test(t));
    if (init) {
      r.handler = /compatible id (\S+)/.exec(init)![1]!;
      r.handlerResult = 'initialized';
    } else if (r.lines.some((t) => /compatible matching fail/.test(t))) r.handlerResult = 'matching fail';
    else r.handlerResult = getProp(n, 'compatible') ? 'not called' : 'no compatible';
    // A handler is tried only on a region the kernel saved: 'matching fail' after 'failed to
    // reserve' (6.1 saves a static region whose memblock_reserve failed) ends as rejected.
    if (r.handlerResult === 'matching fail') r.status = 'rejected';
    else if (r.lines.some((t) => /failed to (reserve|allocate)/.test(t))) r.status = 'failed';
    else if (r.lines.some((t) => /invalid .* property|skipping node/.test(t))) r.status = 'invalid';
    else if (r.base !== null) r.status = 'ok';
    out.push(r);
  }
  return out;
}
