// memblock: the boot-time memory allocator, modelled on mm/memblock.c (Linux 5.10, 6.1, 6.12, 7.2;
// where they differ, MemblockBehaviour says which one runs).
//
// Two sorted, non-overlapping, minimal region arrays — `memory` (what RAM exists, with flags such
// as NOMAP) and `reserved` (what is taken) — plus a first-fit finder that walks "free" ranges
// (memory minus reserved) top-down or bottom-up. Every public call is recorded as a trace event
// shaped like the line the kernel prints with `memblock=debug`, so a plan's trace can be compared
// line by line with a real boot.
//
// Physical addresses are `phys_addr_t`: 64 bits on arm64 and ARM LPAE, 32 bits on plain armmp.
// All address arithmetic wraps at that width, as the C does.
import { ENOMEM, type Errno } from './errno.js';

/** enum memblock_flags (include/linux/memblock.h): the values the model reads. */
export const MEMBLOCK_NONE = 0x0;
export const MEMBLOCK_MIRROR = 0x2;
export const MEMBLOCK_NOMAP = 0x4;
export const MEMBLOCK_DRIVER_MANAGED = 0x8;
/** 7.2: a reserved region the kernel allocated for itself (memblock_alloc_range_nid, memblock_reserve_kern). */
export const MEMBLOCK_RSRV_KERN = 0x20;

/** NUMA_NO_NODE (include/linux/numa.h). */
export const NUMA_NO_NODE = -1;

/** Values of `end` with a special meaning (include/linux/memblock.h). */
export const MEMBLOCK_ALLOC_ACCESSIBLE = 0n;
export const MEMBLOCK_ALLOC_NOLEAKTRACE = 1n;

/** INIT_MEMBLOCK_REGIONS (mm/memblock.c): both arrays start with 128 entries on ARM. */
export const INIT_MEMBLOCK_REGIONS = 128;

export interface MemblockRegion {
  base: bigint;
  size: bigint;
  flags: number;
  /** Node id; MAX_NUMNODES when memblock_add() did not say (memblock_set_region_node). */
  nid: number;
}

export interface MemblockType {
  name: 'memory' | 'reserved';
  regions: MemblockRegion[];
  /** Capacity of the array (type->max); doubling is modelled because it allocates memory. */
  max: number;
  totalSize: bigint;
  /** Where memblock_double_array put the array last (unset: still the static one). */
  arrayBase?: bigint;
}

/**
 * What memblock_dbg prints for a range call, `%s: [%pa-%pa] %pS`. `caller` is the symbol `%pS`
 * prints, without the `+0x…/0x…` offset (which depends on the build). Type aliases rather than
 * interfaces, so an event is a plain record (Trace.events in context.ts).
 */
export type MemblockRangeArgs = {
  base: bigint;
  size: bigint;
  caller: string;
};

/** What it prints for an allocation: `%s: %llu bytes align=0x%llx [nid=%d] from=%pa max_addr=%pa %pS`. */
export type MemblockAllocArgs = {
  size: bigint;
  align: bigint;
  from: bigint;
  maxAddr: bigint;
  caller: string;
};

/** A range call's event; `kind` is the `__func__` the line prints. */
export type MemblockRangeEvent = (
  | { kind: 'memblock_add' | 'memblock_remove' | 'memblock_reserve' | 'memblock_phys_free' | 'memblock_free' }
  /** 7.2's reserve, `%s: [%pa-%pa] nid=%d flags=%x %pS`: the node and flags the region gets. */
  | { kind: '__memblock_reserve'; nid: number; flags: number }
) & {
  /** The reserve of a run of allocations (see MemblockAllocEvent's `count`): it spans all the blocks. */
  count?: number;
} & MemblockRangeArgs;

/**
 * An allocation's event. `result`: what the call returned (0 on failure); the kernel does not
 * print it. `count` (when more than one): the same call made `count` times in a row, as
 * early_pgtable_alloc and the vmemmap do — one page-table page per 2 MiB, millions on a large
 * machine. The kernel prints each of them (and each one's memblock_reserve line, see
 * memblockTraceLines); the model keeps one event whose `result` is the first block, the others
 * following it by `size` downwards (top-down) or upwards (bottom-up), and the memblock_reserve
 * event after it spans all the blocks with the same `count` — the shape the lab records give such
 * runs (src/verify/observation.ts). A failed allocation's `count` is that many failed calls.
 */
export type MemblockAllocEvent =
  | ({
      kind: 'memblock_phys_alloc_range';
      result: bigint;
      count?: number;
      /** The series prints no line for the call (5.10: a bare wrapper of memblock_alloc_range_nid). */
      untraced?: true;
    } & MemblockAllocArgs)
  | ({
      kind: 'memblock_alloc_try_nid' | 'memblock_alloc_try_nid_raw' | 'memblock_alloc_exact_nid_raw';
      nid: number;
      result: bigint;
      count?: number;
    } & MemblockAllocArgs);

/** One `memblock=debug` line's worth of information, as the model records it. */
export type MemblockEvent =
  | MemblockRangeEvent
  | MemblockAllocEvent
  | { kind: 'memblock_double_array'; type: 'memory' | 'reserved'; max: number; base: bigint; end: bigint }
  /** Not a kernel line: a model-side note (e.g. limit changes) kept in order with the rest. */
  | { kind: 'note'; text: string };

/** Where mm/memblock.c differs between series (the version layer, ../versions/, sets these). */
export interface MemblockBehaviour {
  /** memblock_merge_regions scans the whole array (6.1) or only [start_rgn - 1, end_rgn) (6.12). */
  mergeWholeArray: boolean;
  /**
   * memblock_add_range inserts on the first pass when `cnt * 2 + 1 < max` (6.1: 'lt') or `<=`
   * (6.12: 'le'); otherwise it counts first and doubles the array as needed. 5.10 has no such
   * test ('none'): `insert` starts false, so every call counts first.
   */
  addRangeRoomCheck: 'lt' | 'le' | 'none';
  /** memblock_double_array before memblock_allow_resize(): the insertion fails (6.1) or the kernel panics (6.12). */
  resizeBeforeAllowed: 'fail' | 'panic';
  /**
   * What a reserve is. 'plain' (up to 6.12): memblock_reserve, a region on MAX_NUMNODES with no
   * flags. 'kern' (7.2): memblock_reserve is __memblock_reserve(base, size, NUMA_NO_NODE, 0),
   * traced with its nid and flags, and memblock_alloc_range_nid reserves on the node it searched
   * (NUMA_NO_NODE on the fallback) with MEMBLOCK_RSRV_KERN, as memblock_double_array does
   * (memblock_reserve_kern) — regions of other nodes or flags do not merge.
   */
  reserve: 'plain' | 'kern';
  /**
   * memblock_add_range's WARN_ON where a region separates the lower part of the new range and its
   * flags differ from the range's: the line in mm/memblock.c, and whether a range without flags
   * (memblock_add) is exempt (7.2: `flags != MEMBLOCK_NONE && flags != rgn->flags`). It fires in
   * each pass over the regions, so twice when a counting pass runs first (addRangeRoomCheck).
   */
  flagsWarn: { line: number; exemptNone: boolean };
  /** memblock_phys_alloc_range prints its line (5.12 and later) or not (5.10). */
  physAllocRangeTraced: boolean;
  /** The `__func__` of freeing a physical range: memblock_phys_free (5.16 and later) or 5.10's memblock_free(phys_addr_t, phys_addr_t). */
  physFree: 'memblock_phys_free' | 'memblock_free';
  /**
   * mm/memblock.c has __memblock_alloc_or_panic (7.2), which the memblock_alloc_or_panic() call
   * sites go through: their allocation's `%pS` is __memblock_alloc_or_panic, not the call site.
   */
  allocOrPanic: boolean;
}

export interface MemblockOptions {
  /** sizeof(phys_addr_t) * 8. */
  physAddrBits: 32 | 64;
  pageSize: number;
  /** How the series' mm/memblock.c behaves (the version layer's `memblock`). */
  behaviour: MemblockBehaviour;
  /** CONFIG_NUMA: region nids are kept (arm64) or always read as 0 (armmp). */
  numa?: boolean;
  /** MAX_NUMNODES (1 << CONFIG_NODES_SHIFT); only the "no node" marker value matters. */
  maxNumNodes?: number;
  /** SMP_CACHE_BYTES, used when an allocation passes align 0. */
  smpCacheBytes?: number;
  /** INIT_MEMBLOCK_MEMORY_REGIONS and INIT_MEMBLOCK_RESERVED_REGIONS (default: INIT_MEMBLOCK_REGIONS both). */
  initRegions?: { memory: number; reserved: number };
  /** A WARN_ON in mm/memblock.c fired: its `file:line function` (printed by the boot's printk). */
  warn?: (at: string) => void;
}

/** One search an allocation makes: memblock_find_in_range_node's range and node. */
type FindTry = { start: bigint; end: bigint; nid: number };

/** A fit memblock_find_in_range_node found: the block, in the free range [lo, hi) it came from (clamped). */
type Fit = { at: bigint; lo: bigint; hi: bigint };

/**
 * The blocks a run of identical allocations got, in call order: `count` blocks from `first`, each
 * `step` bytes from the one before; `first` 0 for `count` failed calls.
 */
export interface AllocRun {
  first: bigint;
  count: number;
  step: bigint;
}

/** Raised when the kernel would panic (6.12 cannot resize the arrays before memblock_allow_resize). */
export class MemblockPanic extends Error {}

export class Memblock {
  readonly memory: MemblockType;
  private readonly warn?: (at: string) => void;
  readonly reserved: MemblockType;
  bottomUp = false;
  currentLimit: bigint;
  /** memblock=debug on the command line: only affects whether the kernel prints; we always record. */
  debug = false;
  /** memblock_allow_resize() has run (paging_init on arm64, after paging on arm). */
  canResize = false;
  readonly events: MemblockEvent[] = [];

  readonly bits: 32 | 64;
  readonly mask: bigint;
  readonly pageSize: bigint;
  readonly behaviour: MemblockBehaviour;
  readonly numa: boolean;
  readonly maxNumNodes: number;
  readonly smpCacheBytes: bigint;
  /** The static arrays; doubling replaces them, and the old one is then not freed. */
  private readonly initMax: { memory: number; reserved: number };

  constructor(opts: MemblockOptions) {
    this.bits = opts.physAddrBits;
    this.mask = (1n << BigInt(opts.physAddrBits)) - 1n;
    this.pageSize = BigInt(opts.pageSize);
    this.behaviour = opts.behaviour;
    this.numa = opts.numa ?? false;
    this.maxNumNodes = opts.maxNumNodes ?? 1;
    this.smpCacheBytes = BigInt(opts.smpCacheBytes ?? 64);
    this.initMax = opts.initRegions ?? { memory: INIT_MEMBLOCK_REGIONS, reserved: INIT_MEMBLOCK_REGIONS };
    if (opts.warn) this.warn = opts.warn;
    this.currentLimit = this.mask; // MEMBLOCK_ALLOC_ANYWHERE = ~(phys_addr_t)0
    this.memory = { name: 'memory', regions: [], max: this.initMax.memory, totalSize: 0n };
    this.reserved = { name: 'reserved', regions: [], max: this.initMax.reserved, totalSize: 0n };
  }

  /** PHYS_ADDR_MAX / MEMBLOCK_ALLOC_ANYWHERE. */
  get physAddrMax(): bigint {
    return this.mask;
  }

  private w(x: bigint): bigint {
    return x & this.mask;
  }

  /** memblock_get_region_node: 0 without CONFIG_NUMA. */
  nodeOf(r: MemblockRegion): number {
    return this.numa ? r.nid : 0;
  }

  private numaValidNode(nid: number): boolean {
    return nid >= 0 && nid < this.maxNumNodes;
  }

  /** memblock_cap_size: adjust size so base + size does not overflow. */
  private capSize(base: bigint, size: bigint): bigint {
    const room = this.mask - base;
    return size < room ? size : room;
  }

  // ---------------------------------------------------------------------------------------------
  // Region array primitives

  /** memblock_remove_region */
  private removeRegion(type: MemblockType, r: number): void {
    type.totalSize -= type.regions[r]!.size;
    type.regions.splice(r, 1);
  }

  /** memblock_insert_region */
  private insertRegion(type: MemblockType, idx: number, base: bigint, size: bigint, nid: number, flags: number): void {
    if (type.regions.length >= type.max) throw new Error(`memblock: BUG: ${type.name} array overflow`);
    type.regions.splice(idx, 0, { base, size, flags, nid });
    type.totalSize += size;
  }

  /**
   * memblock_merge_regions. 6.12 scans only [start_rgn - 1, end_rgn); 6.1 scans the whole array.
   * Both give the same result on an array that was minimal before the change, but we follow each.
   */
  private mergeRegions(type: MemblockType, startRgn: number, endRgn: number): void {
    const rs = type.regions;
    let i = 0;
    let end: number;
    if (this.behaviour.mergeWholeArray) {
      end = rs.length - 1;
    } else {
      if (startRgn) i = startRgn - 1;
      end = Math.min(endRgn, rs.length - 1);
    }
    while (i < end) {
      const cur = rs[i]!;
      const next = rs[i + 1]!;
      if (this.w(cur.base + cur.size) !== next.base || this.nodeOf(cur) !== this.nodeOf(next) || cur.flags !== next.flags) {
        if (cur.base + cur.size > next.base) throw new Error('memblock: BUG: overlapping regions');
        i++;
        continue;
      }
      cur.size += next.size;
      rs.splice(i + 1, 1);
      end--;
    }
  }

  /**
   * memblock_double_array: the arrays grow by allocating memory from memblock itself, which shows
   * in the trace. Before memblock_allow_resize() 6.1 fails the insertion and 6.12 panics.
   */
  private doubleArray(type: MemblockType, newAreaStart: bigint, newAreaSize: bigint): boolean {
    if (!this.canResize) {
      if (this.behaviour.resizeBeforeAllowed === 'fail') return false;
      throw new MemblockPanic(`memblock: cannot resize ${type.name} array`);
    }
    // sizeof(struct memblock_region): two phys_addr_t, the flags enum, the nid with CONFIG_NUMA;
    // padded to 8 bytes when phys_addr_t is 64-bit (arm64, ARM LPAE), 12 bytes on plain ARM.
    const regionBytes = this.bits === 64 ? 24n : this.numa ? 16n : 12n;
    const oldSize = BigInt(type.max) * regionBytes;
    const newSize = oldSize << 1n;
    const pageAlign = (x: bigint) => roundUp(x, this.pageSize);
    const oldAllocSize = pageAlign(oldSize);
    const newAllocSize = pageAlign(newSize);
    if (type !== this.reserved) newAreaStart = newAreaSize = 0n;
    let addr = this.findInRange(this.w(newAreaStart + newAreaSize), this.currentLimit, newAllocSize, this.pageSize);
    if (!addr && newAreaSize) {
      addr = this.findInRange(0n, newAreaStart < this.currentLimit ? newAreaStart : this.currentLimit, newAllocSize, this.pageSize);
    }
    if (!addr) return false;
    this.events.push({ kind: 'memblock_double_array', type: type.name, max: type.max * 2, base: addr, end: this.w(addr + newSize - 1n) });
    const wasInit = type.max === this.initMax[type.name];
    const oldBase = type.arrayBase;
    type.max *= 2;
    type.arrayBase = addr;
    if (!wasInit && oldBase !== undefined) this.physFree(oldBase, oldAllocSize, 'memblock_double_array');
    if (this.reserveKern(addr, newAllocSize, NUMA_NO_NODE, 'memblock_double_array')) throw new Error('memblock: BUG in double_array');
    return true;
  }

  /**
   * memblock_add_range: insert [base, base+size) into `type`; overlapping parts of existing
   * regions are left alone, the result is merged to stay minimal.
   */
  private addRange(type: MemblockType, base: bigint, size: bigint, nid: number, flags: number): Errno {
    const obase = base;
    size = this.capSize(base, size);
    const end = base + size;
    if (!size) return 0;
    if (type.regions.length === 0) {
      type.regions.push({ base, size, flags, nid });
      type.totalSize = size;
      return 0;
    }
    // Only decides whether a counting pass runs first.
    const room = type.max - (type.regions.length * 2 + 1);
    const check = this.behaviour.addRangeRoomCheck;
    let insert = check === 'lt' ? room > 0 : check === 'le' ? room >= 0 : false;
    const fw = this.behaviour.flagsWarn;
    let startRgn = -1;
    let endRgn = 0;
    for (;;) {
      base = obase;
      let nrNew = 0;
      let idx = 0;
      for (; idx < type.regions.length; idx++) {
        const rgn = type.regions[idx]!;
        const rbase = rgn.base;
        const rend = rbase + rgn.size;
        if (rbase >= end) break;
        if (rend <= base) continue;
        // @rgn overlaps: if it separates the lower part of the new area, insert that portion.
        if (rbase > base) {
          if (flags !== rgn.flags && !(fw.exemptNone && flags === 0)) this.warn?.(`mm/memblock.c:${fw.line} memblock_add_range`);
          nrNew++;
          if (insert) {
            if (startRgn === -1) startRgn = idx;
            endRgn = idx + 1;
            this.insertRegion(type, idx++, base, rbase - base, nid, flags);
          }
        }
        base = rend < end ? rend : end;
      }
      if (base < end) {
        nrNew++;
        if (insert) {
          if (startRgn === -1) startRgn = idx;
          endRgn = idx + 1;
          this.insertRegion(type, idx, base, end - base, nid, flags);
        }
      }
      if (!nrNew) return 0;
      if (!insert) {
        while (type.regions.length + nrNew > type.max) if (!this.doubleArray(type, obase, size)) return -ENOMEM;
        insert = true;
        continue;
      }
      this.mergeRegions(type, startRgn, endRgn);
      return 0;
    }
  }

  /**
   * memblock_isolate_range: split regions crossing base or base+size so the range is covered by
   * whole regions; returns [start_rgn, end_rgn) or an errno.
   */
  private isolateRange(type: MemblockType, base: bigint, size: bigint): [number, number] | Errno {
    size = this.capSize(base, size);
    const end = base + size;
    let startRgn = 0;
    let endRgn = 0;
    if (!size) return [0, 0];
    while (type.regions.length + 2 > type.max) if (!this.doubleArray(type, base, size)) return -ENOMEM;
    for (let idx = 0; idx < type.regions.length; idx++) {
      const rgn = type.regions[idx]!;
      const rbase = rgn.base;
      const rend = rbase + rgn.size;
      if (rbase >= end) break;
      if (rend <= base) continue;
      if (rbase < base) {
        // intersects from below: split, continue with the new top half
        rgn.base = base;
        rgn.size -= base - rbase;
        type.totalSize -= base - rbase;
        this.insertRegion(type, idx, rbase, base - rbase, rgn.nid, rgn.flags);
      } else if (rend > end) {
        // intersects from above: split, redo the new bottom half
        rgn.base = end;
        rgn.size -= end - rbase;
        type.totalSize -= end - rbase;
        this.insertRegion(type, idx--, rbase, end - rbase, rgn.nid, rgn.flags);
      } else {
        if (!endRgn) startRgn = idx;
        endRgn = idx + 1;
      }
    }
    return [startRgn, endRgn];
  }

  /** memblock_remove_range */
  private removeRange(type: MemblockType, base: bigint, size: bigint): Errno {
    const r = this.isolateRange(type, base, size);
    if (typeof r === 'number') return r;
    for (let i = r[1] - 1; i >= r[0]; i--) this.removeRegion(type, i);
    return 0;
  }

  /** memblock_setclr_flag (6.1 only ever works on memory; 6.12 takes the type). */
  private setclrFlag(type: MemblockType, base: bigint, size: bigint, set: boolean, flag: number): Errno {
    const r = this.isolateRange(type, base, size);
    if (typeof r === 'number') return r;
    for (let i = r[0]; i < r[1]; i++) {
      const rg = type.regions[i]!;
      rg.flags = set ? rg.flags | flag : rg.flags & ~flag;
    }
    this.mergeRegions(type, r[0], r[1]);
    return 0;
  }

  // ---------------------------------------------------------------------------------------------
  // Public API, named after the kernel's functions

  /** memblock_dbg's line of a range call; returns the range wrapped to phys_addr_t. */
  private traceRange(
    kind: Exclude<MemblockRangeEvent['kind'], '__memblock_reserve'>,
    base: bigint,
    size: bigint,
    caller: string,
  ): [bigint, bigint] {
    [base, size] = [this.w(base), this.w(size)];
    this.events.push({ kind, base, size, caller });
    return [base, size];
  }

  /** memblock_add: nid is MAX_NUMNODES ("none yet"). */
  add(base: bigint, size: bigint, caller = '?'): Errno {
    return this.addRange(this.memory, ...this.traceRange('memblock_add', base, size, caller), this.maxNumNodes, 0);
  }

  /** memblock_reserve */
  reserve(base: bigint, size: bigint, caller = '?'): Errno {
    if (this.behaviour.reserve === 'plain')
      return this.addRange(this.reserved, ...this.traceRange('memblock_reserve', base, size, caller), this.maxNumNodes, 0);
    return this.reserveNode(base, size, NUMA_NO_NODE, MEMBLOCK_NONE, caller);
  }

  /**
   * What an allocation reserves for itself: memblock_reserve, or 7.2's MEMBLOCK_RSRV_KERN region on
   * `nid` (memblock_alloc_range_nid, memblock_reserve_kern).
   */
  private reserveKern(base: bigint, size: bigint, nid: number, caller: string): Errno {
    if (this.behaviour.reserve === 'plain') return this.reserve(base, size, caller);
    return this.reserveNode(base, size, nid, MEMBLOCK_RSRV_KERN, caller);
  }

  /** 7.2's __memblock_reserve. */
  private reserveNode(base: bigint, size: bigint, nid: number, flags: number, caller: string): Errno {
    [base, size] = [this.w(base), this.w(size)];
    this.events.push({ kind: '__memblock_reserve', base, size, nid, flags, caller });
    return this.addRange(this.reserved, base, size, nid, flags);
  }

  /** memblock_remove */
  remove(base: bigint, size: bigint, caller = '?'): Errno {
    return this.removeRange(this.memory, ...this.traceRange('memblock_remove', base, size, caller));
  }

  /** memblock_phys_free (6.1 and later; 6.1's memblock_free(void*) ends here too), 5.10's memblock_free. */
  physFree(base: bigint, size: bigint, caller = '?'): Errno {
    return this.removeRange(this.reserved, ...this.traceRange(this.behaviour.physFree, base, size, caller));
  }

  /** memblock_mark_nomap */
  markNomap(base: bigint, size: bigint): Errno {
    [base, size] = [this.w(base), this.w(size)];
    return this.setclrFlag(this.memory, base, size, true, MEMBLOCK_NOMAP);
  }

  /** memblock_clear_nomap */
  clearNomap(base: bigint, size: bigint): Errno {
    return this.setclrFlag(this.memory, base, size, false, MEMBLOCK_NOMAP);
  }

  /** memblock_set_node (only with CONFIG_NUMA). */
  setNode(base: bigint, size: bigint, type: MemblockType, nid: number): Errno {
    if (!this.numa) return 0;
    const r = this.isolateRange(type, base, size);
    if (typeof r === 'number') return r;
    for (let i = r[0]; i < r[1]; i++) type.regions[i]!.nid = nid;
    this.mergeRegions(type, r[0], r[1]);
    return 0;
  }

  /** memblock_set_current_limit */
  setCurrentLimit(limit: bigint): void {
    this.currentLimit = this.w(limit);
    this.events.push({ kind: 'note', text: `memblock.current_limit = ${hex(this.currentLimit)}` });
  }

  /** memblock_set_bottom_up */
  setBottomUp(enable: boolean): void {
    this.bottomUp = enable;
  }

  /** memblock_allow_resize */
  allowResize(): void {
    this.canResize = true;
  }

  /** should_skip_region: only memory regions are filtered (node, hotplug, mirror, nomap, driver-managed). */
  private shouldSkipRegion(type: MemblockType, m: MemblockRegion, nid: number, flags: number): boolean {
    if (type !== this.memory) return false;
    if (this.numaValidNode(nid) && nid !== this.nodeOf(m)) return true;
    if (flags & MEMBLOCK_MIRROR && !(m.flags & MEMBLOCK_MIRROR)) return true;
    if (!(flags & MEMBLOCK_NOMAP) && m.flags & MEMBLOCK_NOMAP) return true;
    if (!(flags & MEMBLOCK_DRIVER_MANAGED) && m.flags & MEMBLOCK_DRIVER_MANAGED) return true;
    return false;
  }

  /**
   * for_each_free_mem_range (__next_mem_range with type_b = reserved): the parts of memory
   * regions not covered by reserved ones, lowest first. NOMAP memory is skipped unless asked for.
   */
  *freeRanges(nid = NUMA_NO_NODE, flags = MEMBLOCK_NONE): Generator<[bigint, bigint, number]> {
    const a = this.memory.regions;
    const b = this.reserved.regions;
    let idxB = 0;
    for (let idxA = 0; idxA < a.length; idxA++) {
      const m = a[idxA]!;
      const mStart = m.base;
      const mEnd = m.base + m.size;
      if (this.shouldSkipRegion(this.memory, m, nid, flags)) continue;
      for (; idxB < b.length + 1; idxB++) {
        const rStart = idxB ? b[idxB - 1]!.base + b[idxB - 1]!.size : 0n;
        const rEnd = idxB < b.length ? b[idxB]!.base : this.mask;
        if (rStart >= mEnd) break;
        if (mStart < rEnd) {
          yield [mStart > rStart ? mStart : rStart, mEnd < rEnd ? mEnd : rEnd, this.nodeOf(m)];
          if (mEnd <= rEnd) break; // advance idx_a (idx_b stays)
          // else idx_b advances: the loop's idxB++ does it
        }
      }
    }
  }

  /** for_each_free_mem_range_reverse (__next_mem_range_rev), highest first. */
  *freeRangesReverse(nid = NUMA_NO_NODE, flags = MEMBLOCK_NONE): Generator<[bigint, bigint, number]> {
    const a = this.memory.regions;
    const b = this.reserved.regions;
    let idxB = b.length;
    for (let idxA = a.length - 1; idxA >= 0; idxA--) {
      const m = a[idxA]!;
      const mStart = m.base;
      const mEnd = m.base + m.size;
      if (this.shouldSkipRegion(this.memory, m, nid, flags)) continue;
      for (; idxB >= 0; idxB--) {
        const rStart = idxB ? b[idxB - 1]!.base + b[idxB - 1]!.size : 0n;
        const rEnd = idxB < b.length ? b[idxB]!.base : this.mask;
        if (rEnd <= mStart) break;
        if (mEnd > rStart) {
          yield [mStart > rStart ? mStart : rStart, mEnd < rEnd ? mEnd : rEnd, this.nodeOf(m)];
          if (mStart >= rStart) break; // advance idx_a
        }
      }
    }
  }

  /** __memblock_find_range_bottom_up */
  private findRangeBottomUp(start: bigint, end: bigint, size: bigint, align: bigint, nid: number, flags: number): Fit | undefined {
    for (let [thisStart, thisEnd] of this.freeRanges(nid, flags)) {
      thisStart = clamp(thisStart, start, end);
      thisEnd = clamp(thisEnd, start, end);
      const cand = this.w(roundUp(thisStart, align));
      if (cand < thisEnd && thisEnd - cand >= size) return { at: cand, lo: thisStart, hi: thisEnd };
    }
    return undefined;
  }

  /** __memblock_find_range_top_down */
  private findRangeTopDown(start: bigint, end: bigint, size: bigint, align: bigint, nid: number, flags: number): Fit | undefined {
    for (let [thisStart, thisEnd] of this.freeRangesReverse(nid, flags)) {
      thisStart = clamp(thisStart, start, end);
      thisEnd = clamp(thisEnd, start, end);
      if (thisEnd < size) continue;
      const cand = roundDown(thisEnd - size, align);
      if (cand >= thisStart) return { at: cand, lo: thisStart, hi: thisEnd };
    }
    return undefined;
  }

  /** memblock_find_in_range_node: first fit in [start, end), never the first page. 0 = none. */
  findInRangeNode(size: bigint, align: bigint, start: bigint, end: bigint, nid = NUMA_NO_NODE, flags = MEMBLOCK_NONE): bigint {
    return this.fitInRangeNode(size, align, start, end, nid, flags)?.at ?? 0n;
  }

  /** memblock_find_in_range_node, with the free range (clamped to [start, end)) the fit lies in. */
  private fitInRangeNode(size: bigint, align: bigint, start: bigint, end: bigint, nid: number, flags: number): Fit | undefined {
    [size, align, start, end] = [this.w(size), this.w(align), this.w(start), this.w(end)];
    if (end === MEMBLOCK_ALLOC_ACCESSIBLE || end === MEMBLOCK_ALLOC_NOLEAKTRACE) end = this.currentLimit;
    if (start < this.pageSize) start = this.pageSize;
    if (end < start) end = start;
    return this.bottomUp
      ? this.findRangeBottomUp(start, end, size, align, nid, flags)
      : this.findRangeTopDown(start, end, size, align, nid, flags);
  }

  /** memblock_find_in_range (no mirror memory on our boards). */
  findInRange(start: bigint, end: bigint, size: bigint, align: bigint): bigint {
    return this.findInRangeNode(size, align, start, end, NUMA_NO_NODE, MEMBLOCK_NONE);
  }

  /** memblock_alloc_range_nid: find, then reserve (the reserve shows in the trace). */
  allocRangeNid(size: bigint, align: bigint, start: bigint, end: bigint, nid: number, exactNid: boolean): bigint {
    if (!align) align = this.smpCacheBytes;
    let found = this.findInRangeNode(size, align, start, end, nid, MEMBLOCK_NONE);
    if (found && !this.reserveKern(found, size, nid, 'memblock_alloc_range_nid')) return found;
    if (this.numaValidNode(nid) && !exactNid) {
      found = this.findInRangeNode(size, align, start, end, NUMA_NO_NODE, MEMBLOCK_NONE);
      if (found && !this.reserveKern(found, size, NUMA_NO_NODE, 'memblock_alloc_range_nid')) return found;
    }
    return 0n;
  }

  /** memblock_phys_alloc_range */
  physAllocRange(size: bigint, align: bigint, start: bigint, end: bigint, caller = '?'): bigint {
    // callers may pass ~0n (MEMBLOCK_ALLOC_ANYWHERE as a JS bigint is -1n): wrap to phys_addr_t
    [size, align, start, end] = [this.w(size), this.w(align), this.w(start), this.w(end)];
    const ev: MemblockEvent = { kind: 'memblock_phys_alloc_range', size, align, from: start, maxAddr: end, caller, result: 0n };
    if (!this.behaviour.physAllocRangeTraced) ev.untraced = true;
    this.events.push(ev);
    ev.result = this.allocRangeNid(size, align, start, end, NUMA_NO_NODE, false);
    return ev.result;
  }

  /** memblock_phys_alloc: anywhere below memblock.current_limit. */
  physAlloc(size: bigint, align: bigint, caller = '?'): bigint {
    return this.physAllocRange(size, align, 0n, MEMBLOCK_ALLOC_ACCESSIBLE, caller);
  }

  /** memblock_phys_alloc_try_nid (no debug line of its own). */
  physAllocTryNid(size: bigint, align: bigint, nid: number): bigint {
    return this.allocRangeNid(size, align, 0n, MEMBLOCK_ALLOC_ACCESSIBLE, nid, false);
  }

  /** memblock_alloc_internal: capped at current_limit; retried without min_addr. */
  private allocInternal(size: bigint, align: bigint, minAddr: bigint, maxAddr: bigint, nid: number, exactNid: boolean): bigint {
    if (maxAddr > this.currentLimit) maxAddr = this.currentLimit;
    let alloc = this.allocRangeNid(size, align, minAddr, maxAddr, nid, exactNid);
    if (!alloc && minAddr) alloc = this.allocRangeNid(size, align, 0n, maxAddr, nid, exactNid);
    return alloc;
  }

  /** memblock_alloc_try_nid (and its _raw / exact_nid_raw siblings): returns the physical address. */
  allocTryNid(
    size: bigint,
    align: bigint,
    minAddr: bigint,
    maxAddr: bigint,
    nid = NUMA_NO_NODE,
    caller = '?',
    variant: 'memblock_alloc_try_nid' | 'memblock_alloc_try_nid_raw' | 'memblock_alloc_exact_nid_raw' = 'memblock_alloc_try_nid',
  ): bigint {
    [size, align, minAddr, maxAddr] = [this.w(size), this.w(align), this.w(minAddr), this.w(maxAddr)];
    const ev: MemblockEvent = { kind: variant, size, align, nid, from: minAddr, maxAddr, caller, result: 0n };
    this.events.push(ev);
    ev.result = this.allocInternal(size, align, minAddr, maxAddr, nid, variant === 'memblock_alloc_exact_nid_raw');
    return ev.result;
  }

  /** memblock_alloc: memblock_alloc_try_nid(size, align, 0, ACCESSIBLE, NUMA_NO_NODE). */
  alloc(size: bigint, align: bigint, caller = '?'): bigint {
    return this.allocTryNid(size, align, 0n, MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE, caller);
  }

  /**
   * A call site that is memblock_alloc_or_panic() in 7.2 (before: memblock_alloc and a panic of
   * its own): the same allocation, printed from __memblock_alloc_or_panic where the series has it.
   */
  allocOrPanic(size: bigint, align: bigint, caller: string): bigint {
    return this.alloc(size, align, allocOrPanicCaller(this.behaviour, caller));
  }

  /**
   * `count` memblock_phys_alloc_range calls with the same arguments, one after the other, as
   * early_pgtable_alloc makes them: the memblock tables and the trace come out as those calls
   * leave them, in time that does not grow with `count`. Stops after the first failed call (the
   * kernel's caller panics there). Returns the blocks, in order.
   */
  physAllocRangeRepeat(count: number, size: bigint, align: bigint, start: bigint, end: bigint, caller = '?'): AllocRun[] {
    [size, align, start, end] = [this.w(size), this.w(align), this.w(start), this.w(end)];
    const tries = this.rangeNidTries(start, end, NUMA_NO_NODE, false);
    return this.repeat(count, size, align, tries, () => this.physAllocRange(size, align, start, end, caller), true);
  }

  /**
   * `count` memblock_alloc_try_nid calls (or a sibling) with the same arguments, as sparse_init
   * and the vmemmap make them; like physAllocRangeRepeat, but a failed call does not stop the
   * ones after it (their callers go on), they fail alike.
   */
  allocTryNidRepeat(
    count: number,
    size: bigint,
    align: bigint,
    minAddr: bigint,
    maxAddr: bigint,
    nid: number,
    caller: string,
    variant: MemblockAllocEvent['kind'] & `memblock_alloc_${string}`,
  ): AllocRun[] {
    [size, align, minAddr, maxAddr] = [this.w(size), this.w(align), this.w(minAddr), this.w(maxAddr)];
    // memblock_alloc_internal: capped at current_limit, then retried without min_addr
    const max = maxAddr > this.currentLimit ? this.currentLimit : maxAddr;
    const exact = variant === 'memblock_alloc_exact_nid_raw';
    const tries = [...this.rangeNidTries(minAddr, max, nid, exact), ...(minAddr ? this.rangeNidTries(0n, max, nid, exact) : [])];
    return this.repeat(count, size, align, tries, () => this.allocTryNid(size, align, minAddr, maxAddr, nid, caller, variant), false);
  }

  /** The searches memblock_alloc_range_nid makes, in order: the node, then any node unless exact. */
  private rangeNidTries(start: bigint, end: bigint, nid: number, exactNid: boolean): FindTry[] {
    const tries = [{ start, end, nid }];
    if (this.numaValidNode(nid) && !exactNid) tries.push({ start, end, nid: NUMA_NO_NODE });
    return tries;
  }

  /** Where the first of `tries` that finds room finds it, and that try's node. */
  private firstFit(tries: FindTry[], size: bigint, align: bigint): (Fit & { nid: number }) | undefined {
    for (const t of tries) {
      const fit = this.fitInRangeNode(size, align, t.start, t.end, t.nid, MEMBLOCK_NONE);
      if (fit) return { ...fit, nid: t.nid };
    }
    return undefined;
  }

  /**
   * `count` calls of `one` (an allocation searching `tries` in order for `size` bytes at `align`).
   * Each call is made for real where something can differ — a new reserved region, the array
   * doubling, a new free range, a failure; the calls that only take the next block of the same
   * free range are counted and reserved at once (see MemblockAllocEvent's `count`).
   */
  private repeat(count: number, size: bigint, align: bigint, tries: FindTry[], one: () => bigint, stopOnFailure: boolean): AllocRun[] {
    const runs: AllocRun[] = [];
    if (!align) align = this.smpCacheBytes;
    // each block then sits exactly `size` from the one before (round_down/round_up change nothing)
    const steady = size > 0n && (align & (align - 1n)) === 0n && size % align === 0n;
    for (let left = count; left > 0; ) {
      const mark = this.events.length;
      const first = one();
      left--;
      const ev = this.events[mark] as MemblockAllocEvent;
      if (!first) {
        const run = { first: 0n, count: 1, step: 0n };
        runs.push(run);
        if (stopOnFailure) break;
        // A failed call changes nothing, so the calls after it fail alike; when it printed only its
        // own line (no reserve that could not grow the array), its event stands for all of them.
        if (left && this.events.length === mark + 1) {
          run.count = ev.count = 1 + left;
          break;
        }
        continue;
      }
      const run = { first, count: 1, step: this.bottomUp ? size : -size };
      runs.push(run);
      // The next call goes where the same searches find room now. When that is the block right
      // next to this one, the calls after it take the following blocks of the same free range
      // until it ends: each reserve only grows the region this block is in (the reserved array
      // neither grows nor doubles: it has room for the one region a reserve inserts before the
      // merge), and the other free ranges, which had no room, stay as they were — so every try
      // before the one that finds room fails alike.
      if (!left || !steady || this.events.length !== mark + 2 || this.reserved.regions.length >= this.reserved.max) continue;
      const fit = this.firstFit(tries, size, align);
      if (!fit) continue;
      let more: bigint;
      if (this.bottomUp) {
        if (fit.at !== first + size) continue;
        more = (fit.hi - fit.at) / size;
      } else {
        if (fit.at + size !== first) continue;
        more = (fit.at - fit.lo) / size + 1n;
      }
      if (more > BigInt(left)) more = BigInt(left);
      const low = this.bottomUp ? fit.at : first - more * size;
      const [nid, flags] = this.behaviour.reserve === 'plain' ? [this.maxNumNodes, MEMBLOCK_NONE] : [fit.nid, MEMBLOCK_RSRV_KERN];
      if (this.addRange(this.reserved, low, more * size, nid, flags)) throw new Error('memblock: BUG in repeat');
      left -= Number(more);
      run.count += Number(more);
      ev.count = run.count;
      const rsv = this.events[mark + 1] as MemblockRangeEvent;
      rsv.count = run.count;
      rsv.size = BigInt(run.count) * size;
      if (!this.bottomUp) rsv.base = low;
    }
    return runs;
  }

  // ---------------------------------------------------------------------------------------------
  // Queries and limits

  /** memblock_phys_mem_size */
  physMemSize(): bigint {
    return this.memory.totalSize;
  }

  /** memblock_reserved_size */
  reservedSize(): bigint {
    return this.reserved.totalSize;
  }

  /** memblock_reserved_kern_size(MEMBLOCK_ALLOC_ANYWHERE, NUMA_NO_NODE): the reserved regions memblock's allocations made (MEMBLOCK_RSRV_KERN). */
  reservedKernSize(): bigint {
    return this.reserved.regions.reduce((t, r) => (r.flags & MEMBLOCK_RSRV_KERN ? t + r.size : t), 0n);
  }

  /** memblock_start_of_DRAM */
  startOfDram(): bigint {
    return this.memory.regions[0]?.base ?? 0n;
  }

  /** memblock_end_of_DRAM */
  endOfDram(): bigint {
    const r = this.memory.regions[this.memory.regions.length - 1];
    return r ? r.base + r.size : 0n;
  }

  /** memblock_search: index of the region holding addr, or -1. */
  search(type: MemblockType, addr: bigint): number {
    let left = 0;
    let right = type.regions.length;
    if (!right) return -1;
    do {
      const mid = (right + left) >> 1;
      const r = type.regions[mid]!;
      if (addr < r.base) right = mid;
      else if (addr >= r.base + r.size) left = mid + 1;
      else return mid;
    } while (left < right);
    return -1;
  }

  /** memblock_is_reserved */
  isReserved(addr: bigint): boolean {
    return this.search(this.reserved, addr) !== -1;
  }

  /** memblock_is_region_memory: [base, base+size) inside one memory region. */
  isRegionMemory(base: bigint, size: bigint): boolean {
    const idx = this.search(this.memory, base);
    const end = base + this.capSize(base, size);
    if (idx === -1) return false;
    const r = this.memory.regions[idx]!;
    return r.base + r.size >= end;
  }

  /** memblock_overlaps_region */
  overlapsRegion(type: MemblockType, base: bigint, size: bigint): boolean {
    size = this.capSize(base, size);
    return type.regions.some((r) => base < r.base + r.size && r.base < base + size);
  }

  /** memblock_is_region_reserved */
  isRegionReserved(base: bigint, size: bigint): boolean {
    return this.overlapsRegion(this.reserved, base, size);
  }

  /** __find_max_addr: the address below which `limit` bytes of memory lie (PHYS_ADDR_MAX if all). */
  private findMaxAddr(limit: bigint): bigint {
    for (const r of this.memory.regions) {
      if (limit <= r.size) return r.base + limit;
      limit -= r.size;
    }
    return this.mask;
  }

  /** The two tables as they stand (what memblock_dump_all prints), copied. */
  tables(): { memory: MemblockRegion[]; reserved: MemblockRegion[] } {
    const copy = (t: MemblockType) => t.regions.map((r) => ({ ...r }));
    return { memory: copy(this.memory), reserved: copy(this.reserved) };
  }

  /** __memblock_dump_all / memblock_dump (mm/memblock.c): the lines memblock=debug prints. */
  dump(): string[] {
    const pa = (x: bigint) => formatPa(x, this.bits);
    const out = ['MEMBLOCK configuration:', ` memory size = ${pa(this.memory.totalSize)} reserved size = ${pa(this.reserved.totalSize)}`];
    for (const type of [this.memory, this.reserved]) {
      out.push(` ${type.name}.cnt  = 0x${type.regions.length.toString(16)}`);
      type.regions.forEach((r, i) => {
        const node = this.numa && this.numaValidNode(r.nid) ? ` on node ${r.nid}` : '';
        const range = `[${pa(r.base)}-${pa(r.base + r.size - 1n)}], ${pa(r.size)} bytes`;
        out.push(` ${type.name}[0x${i.toString(16)}]\t${range}${node} flags: 0x${r.flags.toString(16)}`);
      });
    }
    return out;
  }

  /** memblock_cap_memory_range: keep only [base, base+size) of mapped memory (NOMAP regions stay). */
  capMemoryRange(base: bigint, size: bigint): void {
    if (!size) return;
    if (!this.memory.totalSize) return;
    const r = this.isolateRange(this.memory, base, size);
    if (typeof r === 'number') return;
    const [startRgn, endRgn] = r;
    for (let i = this.memory.regions.length - 1; i >= endRgn; i--)
      if (!(this.memory.regions[i]!.flags & MEMBLOCK_NOMAP)) this.removeRegion(this.memory, i);
    for (let i = startRgn - 1; i >= 0; i--) if (!(this.memory.regions[i]!.flags & MEMBLOCK_NOMAP)) this.removeRegion(this.memory, i);
    this.removeRange(this.reserved, 0n, base);
    this.removeRange(this.reserved, this.w(base + size), this.mask);
  }

  /** memblock_mem_limit_remove_map */
  memLimitRemoveMap(limit: bigint): void {
    if (!limit) return;
    const maxAddr = this.findMaxAddr(limit);
    if (maxAddr === this.mask) return;
    this.capMemoryRange(0n, maxAddr);
  }
}

/** How an architecture's free_unused_memmap walks memory (see freeUnusedMemmap). */
export interface UnusedMemmapWalk {
  /** A range's first pfn is rounded down to this: pageblock_nr_pages (arm; 6.1+ mm/memblock.c), 1 (5.10 arm64). */
  startAlign: bigint;
  /** The previous range's end is rounded up to this: pageblock_nr_pages, or MAX_ORDER_NR_PAGES (5.10 arm64). */
  endAlign: bigint;
  /** PAGES_PER_SECTION with CONFIG_SPARSEMEM (a hole never reaches past its section); none with FLATMEM. */
  sectionPages?: bigint;
  structPageSize: bigint;
  /** The physical address of pfn's struct page; undefined where no memmap describes it. */
  structPage: (pfn: bigint) => bigint | undefined;
  /** The caller memblock=debug prints: free_memmap, or free_unused_memmap where the build inlines it. */
  caller: string;
}

/**
 * free_unused_memmap (mm/memblock.c 6.1+; 5.10 arch/arm/mm/init.c and arch/arm64/mm/init.c, the
 * latter without SPARSEMEM_VMEMMAP): for each hole between memory ranges (for_each_mem_pfn_range:
 * PFN_UP(base) to PFN_DOWN(end), empty ranges skipped), and with SPARSEMEM from the last range's end
 * to its section's end, the whole pages of memmap that describe only the hole go back to memblock
 * (free_memmap: from PAGE_ALIGN(pfn_to_page(start - 1) + 1) to pfn_to_page(end - 1) + 1 page-masked).
 */
export function freeUnusedMemmap(mb: Memblock, w: UnusedMemmapWalk): void {
  const page = mb.pageSize;
  const freeMemmap = (start: bigint, end: bigint): void => {
    const a = w.structPage(start - 1n);
    const b = w.structPage(end - 1n);
    if (a === undefined || b === undefined) return;
    const pg = roundUp(a + w.structPageSize, page);
    const pgEnd = roundDown(b + w.structPageSize, page);
    if (pg < pgEnd) mb.physFree(pg, pgEnd - pg, w.caller);
  };
  let prevEnd = 0n;
  for (const r of mb.memory.regions) {
    let start = roundUp(r.base, page) / page;
    const end = (r.base + r.size) / page;
    if (start >= end) continue;
    if (w.sectionPages !== undefined) {
      const sectionEnd = roundUp(prevEnd, w.sectionPages);
      if (sectionEnd < start) start = sectionEnd;
    }
    start = roundDown(start, w.startAlign);
    if (prevEnd && prevEnd < start) freeMemmap(prevEnd, start);
    prevEnd = roundUp(end, w.endAlign);
  }
  if (w.sectionPages !== undefined && prevEnd % w.sectionPages !== 0n) freeMemmap(prevEnd, roundUp(prevEnd, w.sectionPages));
}

// -----------------------------------------------------------------------------------------------
// Helpers with the kernel's exact semantics (include/linux/math.h, minmax.h)

/** round_up(x, y): ((x - 1) | (y - 1)) + 1 — meant for powers of two, kept bit-exact otherwise. */
export function roundUp(x: bigint, y: bigint): bigint {
  if (y === 0n) return x;
  return ((x - 1n) | (y - 1n)) + 1n;
}

/** roundup_pow_of_two (include/linux/log2.h); 1 for 0 and 1. */
export function roundupPow2(x: bigint): bigint {
  return x <= 1n ? 1n : 1n << BigInt((x - 1n).toString(2).length);
}

/** round_down(x, y): x & ~(y - 1). */
export function roundDown(x: bigint, y: bigint): bigint {
  if (y === 0n) return x;
  return x & ~(y - 1n);
}

export function clamp(v: bigint, lo: bigint, hi: bigint): bigint {
  const m = v > lo ? v : lo;
  return m < hi ? m : hi;
}

export function hex(x: bigint): string {
  return '0x' + x.toString(16);
}

/** `%pa`: 0x + zero-padded hex at the width of phys_addr_t. */
export function formatPa(x: bigint, physAddrBits: 32 | 64): string {
  const digits = physAddrBits / 4;
  const m = (1n << BigInt(physAddrBits)) - 1n;
  return '0x' + (x & m).toString(16).padStart(digits, '0');
}

/** The `%pS` of an allocation made by a memblock_alloc_or_panic() call site in `caller` (Memblock.allocOrPanic). */
export function allocOrPanicCaller(behaviour: MemblockBehaviour, caller: string): string {
  return behaviour.allocOrPanic ? '__memblock_alloc_or_panic' : caller;
}

/** A reserve's event, whatever the series calls it (memblock_reserve; 7.2's __memblock_reserve). */
export function isReserveEvent(e: { kind: string }): boolean {
  return e.kind === 'memblock_reserve' || e.kind === '__memblock_reserve';
}

/**
 * The calls a trace stands for, one event per kernel line: a run (MemblockAllocEvent's `count`)
 * becomes its allocations, each followed by its memblock_reserve.
 */
export function* memblockCalls(events: readonly MemblockEvent[]): Generator<MemblockEvent> {
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (!('result' in e) || !e.count || e.count < 2) {
      yield e;
      continue;
    }
    const { count, ...call } = e;
    if (!e.result) {
      for (let j = 0; j < count; j++) yield call;
      continue;
    }
    const rsv = events[++i] as MemblockRangeEvent;
    const { count: _, ...reserve } = rsv;
    const step = rsv.base === e.result ? e.size : -e.size;
    for (let j = 0n, at = e.result; j < BigInt(count); j++, at += step) {
      yield { ...call, result: at };
      yield { ...reserve, base: at, size: e.size };
    }
  }
}

/** The lines `memblock=debug` prints for a trace (memblockCalls, formatted). */
export function* memblockTraceLines(events: readonly MemblockEvent[], physAddrBits: 32 | 64): Generator<string> {
  for (const e of memblockCalls(events)) {
    const line = formatMemblockEvent(e, physAddrBits);
    if (line !== undefined) yield line;
  }
}

/**
 * The line `memblock=debug` prints for an event (mm/memblock.c memblock_dbg calls), without the
 * `+0x…/0x…` caller offset. Returns undefined for model-side notes and calls the series does not trace.
 */
export function formatMemblockEvent(e: MemblockEvent, physAddrBits: 32 | 64): string | undefined {
  const pa = (x: bigint) => formatPa(x, physAddrBits);
  const m = (1n << BigInt(physAddrBits)) - 1n;
  switch (e.kind) {
    case 'memblock_add':
    case 'memblock_remove':
    case 'memblock_reserve':
    case 'memblock_phys_free':
    case 'memblock_free':
      return `${e.kind}: [${pa(e.base)}-${pa((e.base + e.size - 1n) & m)}] ${e.caller}`;
    case '__memblock_reserve':
      return `${e.kind}: [${pa(e.base)}-${pa((e.base + e.size - 1n) & m)}] nid=${e.nid} flags=${e.flags.toString(16)} ${e.caller}`;
    case 'memblock_phys_alloc_range':
      if (e.untraced) return undefined;
      return `${e.kind}: ${e.size} bytes align=0x${e.align.toString(16)} from=${pa(e.from)} max_addr=${pa(e.maxAddr)} ${e.caller}`;
    case 'memblock_alloc_try_nid':
    case 'memblock_alloc_try_nid_raw':
    case 'memblock_alloc_exact_nid_raw':
      return `${e.kind}: ${e.size} bytes align=0x${e.align.toString(16)} nid=${e.nid} from=${pa(e.from)} max_addr=${pa(e.maxAddr)} ${e.caller}`;
    case 'memblock_double_array':
      return `memblock: ${e.type} is doubled to ${e.max} at [${pa(e.base)}-${pa(e.end)}]`;
    case 'note':
      return undefined;
  }
}
