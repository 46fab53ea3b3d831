// of_reserved_mem: the kernel's handling of /reserved-memory, for Linux 5.10, 6.1, 6.12 and 7.2.
//
// Mirrors drivers/of/of_reserved_mem.c and the reserved-memory half of drivers/of/fdt.c, function
// by function, so the two can be read side by side:
//   early_init_fdt_scan_reserved_mem()   → earlyInitFdtScanReservedMem()
//   fdt_scan_reserved_mem()              → fdtScanReservedMem()
//   __reserved_mem_reserve_reg()         → reservedMemReserveReg() (7.2: reservedMemReserveFirstReg())
//   of_flat_dt_get_addr_size_prop()      → addrSizeEntries()              (7.2)
//   __reserved_mem_alloc_size()          → reservedMemAllocSize()
//   __reserved_mem_alloc_in_range()      → reservedMemAllocInRange()     (6.12, 7.2)
//   fdt_reserved_mem_save_node()         → fdtReservedMemSaveNode()
//   fdt_init_reserved_mem()              → fdtInitReservedMem()          (5.10, 6.1)
//   fdt_init_reserved_mem_node()         → fdtInitReservedMemNode()      (6.12, 7.2)
//   fdt_scan_reserved_mem_reg_nodes()    → fdtScanReservedMemRegNodes()  (6.12; 7.2's fdt_scan_reserved_mem_late)
//   fdt_validate_reserved_mem_node()     → validateReservedMemNode()     (7.2)
//   __reserved_mem_init_node()           → reservedMemInitNode()
//   __rmem_cmp / __rmem_check_for_overlap, lib/sort.c sort_r()
//
// What differs between series is data (`RmemBehaviour`, set by the version layer in ../versions/
// and reached through the profile's series), read at the few places the C differs.
import type { Node, Tree } from '../tree/types.js';
import { nodePath } from '../tree/types.js';
import { bytesFromProperty } from '../fdt/reader.js';
import {
  CellReader,
  findNode,
  flag,
  isAvailable,
  isCompatible,
  memoryRegionConsumers,
  prop as getPropQ,
  rootCells,
  strings,
  u32,
  fdtOrder,
  phandleOf,
  type MemoryRegionConsumer,
} from '../tree/query.js';
import type { LogLine } from './context.js';
import { diag, type Diagnostic } from '../diagnostics.js';
import { BootPanic } from './boot-state.js';
import { EBUSY, EINVAL, ENODEV, ENOENT, ENOMEM, ENOSPC } from './errno.js';
import { formatPa, type Memblock } from './memblock.js';
import type { HandlerKernel, HandlerProfile, ReservedMem, ReservedMemHandler, ReservedMemNode, ReservedMemOps } from './handler-api.js';
import { builtinHandlers, type ReservedMemConfig } from './handlers/index.js';

// ---------------------------------------------------------------------------------------------
// Where of_reserved_mem differs between series

export interface RmemBehaviour {
  /**
   * `after-sort` (6.1): static regions are saved while scanning, dynamic ones are saved empty;
   * fdt_init_reserved_mem() sorts, checks overlaps, then allocates dynamic regions and runs every
   * handler in sorted order. `on-save` (6.12): dynamic regions are allocated right after the scan
   * and their handlers run as each is saved; static regions are saved (and their handlers run) later
   * by fdt_scan_reserved_mem_reg_nodes(), which then sorts and checks overlaps.
   */
  scheme: 'after-sort' | 'on-save';
  /** lib/sort.c: the classic bottom-up heapsort (6.1), or the one that pops the two largest per round (6.12). */
  sort: 'heapsort' | 'heapsort-double-pop';
  /** __rmem_cmp breaks base/size ties on the node's FDT offset (6.12). */
  cmpNodeOffset: boolean;
  /** /memreserve/ entries are reserved before the scan (6.1) or after it (6.12). */
  memreserveBeforeScan: boolean;
  /** __reserved_mem_alloc_in_range() picks bottom-up/top-down per alloc-range (6.12). */
  allocInRangeDirection: boolean;
  /** The per-region `%pa..%pa (%lu KiB) ...` line (6.12). */
  summaryLine: boolean;
  /** MAX_RESERVED_REGIONS */
  maxReservedRegions: number;
  /**
   * pr_fmt of the file holding fdt_scan_reserved_mem() and __reserved_mem_reserve_reg():
   * drivers/of/fdt.c ("OF: fdt: ") on 6.1, drivers/of/of_reserved_mem.c on 6.12.
   */
  scanPrefix: string;
  /** `%pS` the memblock=debug trace shows for our memblock calls (inlining differs per build). */
  callers: { reserve: string; alloc: string };
  /**
   * With regionLimit 'dynamic', alloc_reserved_mem_array: the `%pS` of its memblock_alloc (it is
   * inlined into 7.2's fdt_scan_reserved_mem_late, 6.12.103's fdt_scan_reserved_mem_reg_nodes) and
   * how many pointer-sized fields struct reserved_mem has beside base and size, the last of them
   * (priv) after those (include/linux/of_reserved_mem.h: 6.12's name, fdt_node, ops, priv; 7.2's
   * name, ops, priv).
   */
  reservedMemArray?: {
    caller: string;
    pointers: number;
    /**
     * total_reserved_mem_cnt when fdt_scan_reserved_mem returned early on a /reserved-memory node of
     * an unsupported format: left at its initial MAX_RESERVED_REGIONS (6.12.103+: the array is
     * allocated for that many, before the late scan checks the format again), or set to 0 (7.2: none).
     * Without the node the late scan returns before allocating.
     */
    unscanned: 'max-regions' | 'none';
  };
  /** fdt_reserve_elfcorehdr() runs before the scan (6.12) or between scan and init (6.1). */
  elfcorehdrBeforeScan: boolean;
  /**
   * How a dynamic region is placed: memblock_phys_alloc_range (6.1+; nomap then marks it), or
   * 5.10's memblock_find_in_range + memblock_reserve, or memblock_remove for a no-map region (no
   * allocation line in the memblock=debug trace; a failed handler frees it, and adds a no-map one back).
   */
  allocation: 'phys-alloc-range' | 'find-in-range';
  /** Level of `failed to reserve memory` (reg) and `failed to allocate memory` (size): pr_info on 5.10, pr_err after. */
  failureLevel: 'info' | 'err';
  /** `failed to allocate memory for node '%s'` ends with `: size %lu MiB` (6.1+). */
  allocFailedSize: boolean;
  /** A no-map `reg` is refused when it overlaps a reservation (5.10), or only when it is also memory (6.1+). */
  nomapBusyNeedsMemory: boolean;
  /**
   * How `reg` and `alloc-ranges` are read: `cells` (up to 6.12: a length that is not a multiple of
   * one entry is an error, every `reg` entry is reserved, an empty `reg` is read past its end), or
   * `entries` (7.2 of_flat_dt_get_addr_size_prop: such a property counts as absent, an empty one as
   * no entries, only the first `reg` entry is reserved, with a warning for the rest).
   */
  regFormat: 'cells' | 'entries';
  /**
   * The reservedmem table's calls: `setup` (up to 6.12: each matching entry's init until one returns
   * 0; -ENOENT means no handler) or `ops` (7.2 struct reserved_mem_ops: node_validate before a region
   * is reserved or allocated, node_fixup after, node_init; the walk goes on only while an entry
   * returns -ENODEV, which means no handler; a region whose init failed is not kept).
   */
  tableCalls: 'setup' | 'ops';
  /**
   * What MAX_RESERVED_REGIONS bounds: every saved region (up to 6.12), or only the dynamic ones
   * (7.2: `too many defined dynamic regions`; alloc_reserved_mem_array then sizes reserved_mem[]
   * to the regions the scan counted).
   */
  regionLimit: 'total' | 'dynamic';
  /**
   * fdt_scan_reserved_mem's local `int dynamic_nodes[MAX_RESERVED_REGIONS]`, which keeps the dynamic
   * nodes for a second pass: none (5.10, 6.1 save them as they come), `unchecked` (6.12: every
   * node with `size` and no `reg` is stored, past the array's end too, and the function returns
   * through a smashed stack), `checked` (7.2: `too many defined dynamic regions`, skipped).
   */
  dynamicNodes: 'none' | 'unchecked' | 'checked';
}

// ---------------------------------------------------------------------------------------------
// The host: what the boot sequence hands us (structural, so the boot context needs no import).

export interface RmemProfile extends HandlerProfile {
  /** MAX_CMA_AREAS: 6.1 = 1 + CONFIG_CMA_AREAS, 6.12 = CONFIG_CMA_AREAS. */
  maxCmaAreas: number;
  /** SMP_CACHE_BYTES: memblock_alloc's alignment. */
  smpCacheBytes: number;
  /** CONFIG_STACKPROTECTOR (KernelProfile.stackProtector). */
  stackProtector?: boolean;
  /** The version layer's of_reserved_mem part. */
  series: { rmem: RmemBehaviour };
  /** Which RESERVEDMEM_OF_DECLARE entries the kernel config builds (default: Debian's). */
  reservedMemConfig?: ReservedMemConfig;
}

export interface CmaState {
  /** cma_area_count */
  areaCount: number;
  /** Name of dma_contiguous_default_area when a `linux,cma-default` region set it. */
  defaultArea?: string;
  /** Areas in the order they were declared. */
  areas?: { name: string; base: bigint; size: bigint }[];
}

export interface RmemHost {
  tree: Tree;
  /** The DTB the tree was read from: a few malformed properties make the kernel read past their value in it. */
  blob?: Uint8Array;
  profile: RmemProfile;
  memblock: Memblock;
  log: LogLine[];
  /** __reservedmem_of_table plus user handlers after it; default: the profile's built-in table. */
  handlers?: ReservedMemHandler[];
  /** `cma=` given on the command line (size_cmdline != -1 in kernel/dma/contiguous.c). */
  cmdline?: { cmaSize?: bigint };
  cma: CmaState;
  /** Problems in user handlers (a setup that throws) are reported here, not in the kernel log. */
  diagnostics?: Diagnostic[];
  /** Filled by this module. */
  rmem?: RmemState;
  /**
   * memblock_alloc zeroes what it returns: the boot checks that write (arm64: memory the linear map
   * lacks faults, boot-state.ts touch). Absent, nothing is checked.
   */
  zeroed?(base: bigint, size: bigint, fn: string): void;
}

export type RegionStatus =
  | 'ok' //            placed, a handler accepted it
  | 'no-handler' //    placed, no handler matched (stays reserved)
  | 'rejected' //      placed, a handler failed: the kernel freed it again
  | 'reserve-failed' // static `reg` could not be reserved / marked no-map
  | 'alloc-failed' //  dynamic allocation failed
  | 'invalid' //       malformed reg/size/alignment/alloc-ranges
  | 'no-space' //      past MAX_RESERVED_REGIONS
  | 'disabled' //      status is not okay
  | 'ignored'; //      neither reg nor size, or a zero-sized reg

export interface HandlerAttempt {
  compatible: string;
  handler: string;
  origin: string;
  ret: number;
}

/** `n` bytes of the flat tree from `prop`'s value on, as C code reading past a short value sees them. */
function blobBytesAfter(h: RmemHost, node: Node, prop: string, n: number): Uint8Array | undefined {
  return h.blob ? bytesFromProperty(h.blob, nodePath(node), prop, n) : undefined;
}

/**
 * One attempt to place a region, recorded for `explain` (data only: nothing reads it back): a
 * static `reg` entry reserved or marked no-map (early_init_dt_reserve_memory), or one
 * early_init_dt_alloc_reserved_memory_arch call (__reserved_mem_alloc_size, per alloc-ranges
 * entry). `reserved` and `memory` are memblock's entries that touched [start, end) just before the
 * call: what the allocator had to avoid and what it could use.
 */
export interface PlacementStep {
  kind: 'reserve' | 'nomap' | 'alloc';
  /** The kernel function that made the call. */
  caller: string;
  start: bigint;
  /** Exclusive; for `alloc` the range's end after MEMBLOCK_ALLOC_ANYWHERE became PHYS_ADDR_MAX. */
  end: bigint;
  size: bigint;
  /** `alloc`: the alignment passed and where it came from. */
  align?: bigint;
  alignFrom?: 'alignment' | 'CMA_MIN_ALIGNMENT_BYTES' | 'SMP_CACHE_BYTES';
  /** `alloc`: index into alloc-ranges, absent without the property. */
  range?: number;
  /** `alloc`: memblock's direction for this call. */
  direction?: 'top-down' | 'bottom-up';
  /** `alloc`: memblock.current_limit (memblock_find_in_range_node caps the end there). */
  limit?: bigint;
  /** What memblock returned: the address found (0 none), then the call's return (0 or -errno). */
  found?: bigint;
  ret: number;
  reserved: { base: bigint; size: bigint; flags: number }[];
  memory: { base: bigint; size: bigint; flags: number }[];
}

/** One child of /reserved-memory as the plan reports it. */
export interface RmemRegion {
  name: string;
  path: string;
  node: Node;
  base: bigint | null;
  size: bigint | null;
  nomap: boolean;
  reusable: boolean;
  dynamic: boolean;
  status: RegionStatus;
  /** Compatible id of the handler that accepted it (or the last one tried when rejected). */
  handler: string | null;
  /** Return of the last setup called; null when none was called. */
  result: number | null;
  attempts: HandlerAttempt[];
  /** `static`, `top-down`, `bottom-up`, with the alloc-range used, or why it was not placed. */
  placement: string;
  consumers: MemoryRegionConsumer[];
  /** Extra `reg` entries (6.1 reserves them all; 6.12's second pass ignores them). */
  extraRegs: { base: bigint; size: bigint; ok: boolean }[];
  /** Every reserve/alloc call made for it, in order (for `explain`). */
  steps: PlacementStep[];
  ops?: ReservedMemOps;
}

/** struct reserved_mem (plus the model's bookkeeping). */
interface RmemEntry {
  node: Node;
  name: string;
  base: bigint;
  size: bigint;
  fdtNode: number;
  region: RmemRegion;
  ops?: ReservedMemOps;
  priv?: unknown;
  /** What the accepting handler saw (and may have set ops/priv on). */
  view?: ReservedMem;
}

export interface RmemState {
  behaviour: RmemBehaviour;
  addrCells: number;
  sizeCells: number;
  /** reserved_mem[] in its current order. */
  reservedMem: RmemEntry[];
  /** Every available or not child, in node order. */
  regions: RmemRegion[];
  byNode: Map<Node, RmemRegion>;
  offsets: Map<Node, number>;
  /** The /reserved-memory node when found and accepted. */
  root?: Node;
  /** 7.2 total_reserved_mem_cnt: the regions fdt_scan_reserved_mem reserved or allocated. */
  totalReservedMemCnt?: number;
  /** The region being handled: lines printed meanwhile name it (LogLine.regions). */
  current?: RmemRegion;
}

const PR = 'OF: reserved mem: ';
const SZ_1M = 1n << 20n;
const SZ_1K = 1n << 10n;

function state(h: RmemHost): RmemState {
  if (h.rmem) return h.rmem;
  const cells = rootCells(h.tree);
  h.rmem = {
    behaviour: h.profile.series.rmem,
    addrCells: cells.addressCells,
    sizeCells: cells.sizeCells,
    reservedMem: [],
    regions: [],
    byNode: new Map(),
    offsets: fdtOrder(h.tree),
  };
  return h.rmem;
}

function printk(h: RmemHost, level: LogLine['level'], text: string, source: string, about?: RmemRegion[]): void {
  const regions = (about ?? (h.rmem?.current ? [h.rmem.current] : [])).map((r) => r.path);
  // One printk with "\n" inside prints as several console lines; only the first has the prefix.
  for (const t of text.split('\n')) h.log.push({ text: t, level, source, ...(regions.length ? { regions } : {}) });
}

/** memblock's entries of `type` that touch [start, end), copied. */
function entriesIn(type: Memblock['reserved'], start: bigint, end: bigint): PlacementStep['reserved'] {
  return type.regions.filter((r) => r.base < end && r.base + r.size > start).map((r) => ({ base: r.base, size: r.size, flags: r.flags }));
}

function physMask(h: RmemHost): bigint {
  return (1n << BigInt(h.profile.physAddrBits)) - 1n;
}

function longMask(h: RmemHost): bigint {
  return h.profile.arch === 'arm' ? 0xffff_ffffn : 0xffff_ffff_ffff_ffffn;
}

function pa(h: RmemHost, x: bigint): string {
  return formatPa(x, h.profile.physAddrBits);
}

/** `(unsigned long)(size / SZ_1M)` */
function mibOf(h: RmemHost, size: bigint): bigint {
  return (size / SZ_1M) & longMask(h);
}

function regionOf(h: RmemHost, node: Node): RmemRegion {
  const st = state(h);
  let r = st.byNode.get(node);
  if (!r) {
    r = {
      name: node.name,
      path: nodePath(node),
      node,
      base: null,
      size: null,
      nomap: flag(node, 'no-map'),
      reusable: flag(node, 'reusable'),
      dynamic: false,
      status: 'ignored',
      handler: null,
      result: null,
      attempts: [],
      placement: '',
      consumers: memoryRegionConsumers(h.tree, node),
      extraRegs: [],
      steps: [],
    };
    st.byNode.set(node, r);
    st.regions.push(r);
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// lib/sort.c

/**
 * sort_r() exactly as lib/sort.c does it (element size 1, no swap function), so that elements
 * comparing equal end up where the kernel puts them.
 */
export function kernelSort<T>(a: T[], cmp: (x: T, y: T) => number, variant: RmemBehaviour['sort']): void {
  const num = a.length;
  const swap = (i: number, j: number): void => {
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  };
  const c_ = (i: number, j: number): number => cmp(a[i]!, a[j]!);
  // parent(): i -= size; i -= size & -(i & lsbit); return i / 2  (size = lsbit = 1)
  const parent = (i: number): number => {
    i -= 1;
    i -= i & 1;
    return i / 2;
  };
  // The sift-down both versions share: find the leaf along the larger children (6.1 takes the
  // left child on a tie, 6.12 the right one), climb back to where a[aa] belongs, rotate it in.
  const siftDown = (aa: number, n: number, leftOnTie: boolean): void => {
    let b = aa;
    let c = 0;
    let d = 0;
    for (; (c = 2 * b + 1), (d = c + 1) < n; ) b = (leftOnTie ? c_(c, d) >= 0 : c_(c, d) > 0) ? c : d;
    if (d === n) b = c;
    while (b !== aa && c_(aa, b) >= 0) b = parent(b);
    c = b;
    while (b !== aa) {
      b = parent(b);
      swap(b, c);
    }
  };
  let n = num;
  let aa = Math.floor(num / 2);
  if (!aa) return;
  if (variant === 'heapsort') {
    for (;;) {
      if (aa) aa -= 1;
      else if ((n -= 1)) swap(0, n);
      else break;
      siftDown(aa, n, true);
    }
    return;
  }
  // 6.12: once the heap is built, each round extracts the two largest elements
  let shift = 0;
  for (;;) {
    if (aa) aa -= 1 << shift;
    else if (n > 3) {
      n -= 1;
      swap(0, n);
      shift = c_(1, 2) <= 0 ? 1 : 0;
      aa = 1 << shift;
      n -= 1;
      swap(aa, n);
    } else break;
    siftDown(aa, n, false);
  }
  n -= 1;
  swap(0, n);
  if (n === 2 && c_(0, 1) > 0) swap(0, 1);
}

/** __rmem_cmp */
function rmemCmp(cmpNodeOffset: boolean): (x: RmemEntry, y: RmemEntry) => number {
  return (ra, rb) => {
    if (ra.base < rb.base) return -1;
    if (ra.base > rb.base) return 1;
    if (ra.size < rb.size) return -1;
    if (ra.size > rb.size) return 1;
    if (cmpNodeOffset) {
      if (ra.fdtNode < rb.fdtNode) return -1;
      if (ra.fdtNode > rb.fdtNode) return 1;
    }
    return 0;
  };
}

/** __rmem_check_for_overlap */
function rmemCheckForOverlap(h: RmemHost): void {
  const st = state(h);
  const arr = st.reservedMem;
  if (arr.length < 2) return;
  kernelSort(arr, rmemCmp(st.behaviour.cmpNodeOffset), st.behaviour.sort);
  const m = physMask(h);
  for (let i = 0; i < arr.length - 1; i++) {
    const t = arr[i]!;
    const nx = arr[i + 1]!;
    if (((t.base + t.size) & m) > nx.base) {
      const tEnd = (t.base + t.size) & m;
      const nEnd = (nx.base + nx.size) & m;
      printk(
        h,
        'err',
        `${PR}OVERLAP DETECTED!\n${t.name} (${pa(h, t.base)}--${pa(h, tEnd)}) overlaps with ${nx.name} (${pa(h, nx.base)}--${pa(h, nEnd)})`,
        '__rmem_check_for_overlap',
        [t.region, nx.region],
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Scanning and placing

/** __reserved_mem_check_root */
function reservedMemCheckRoot(h: RmemHost, node: Node): number {
  const st = state(h);
  const sc = u32(node, '#size-cells');
  if (sc === undefined || sc !== st.sizeCells) return -EINVAL;
  const ac = u32(node, '#address-cells');
  if (ac === undefined || ac !== st.addrCells) return -EINVAL;
  if (!flag(node, 'ranges')) return -EINVAL;
  return 0;
}

/** early_init_dt_reserve_memory */
function earlyInitDtReserveMemory(h: RmemHost, base: bigint, size: bigint, nomap: boolean): number {
  const mb = h.memblock;
  if (nomap) {
    // Already reserved (by another region) memory may not become nomap; non-memory is fine (6.1+).
    const memory = !state(h).behaviour.nomapBusyNeedsMemory || mb.overlapsRegion(mb.memory, base, size);
    if (memory && mb.isRegionReserved(base, size)) return -EBUSY;
    return mb.markNomap(base, size);
  }
  return mb.reserve(base, size, state(h).behaviour.callers.reserve);
}

/**
 * of_flat_dt_get_addr_size_prop (7.2 drivers/of/fdt.c): the property's <base size> entries, or
 * undefined when it is absent or its length is not a whole number of entries.
 */
function addrSizeEntries(h: RmemHost, node: Node, name: string): [bigint, bigint][] | undefined {
  const st = state(h);
  const p = getPropQ(node, name);
  const tLen = (st.addrCells + st.sizeCells) * 4;
  if (!p || tLen === 0 || p.value.length % tLen !== 0) return undefined;
  const rd = new CellReader(p.value);
  const m = physMask(h);
  const out: [bigint, bigint][] = [];
  for (let i = 0; i < p.value.length / tLen; i++) out.push([rd.next(st.addrCells) & m, rd.next(st.sizeCells) & m]);
  return out;
}

/** The level of the scan's failure lines. */
function failureLevel(h: RmemHost): LogLine['level'] {
  return state(h).behaviour.failureLevel;
}

/** __reserved_mem_reserve_reg (7.2): only the first entry, after the table's node_validate. */
function reservedMemReserveFirstReg(h: RmemHost, node: Node, uname: string): number {
  const st = state(h);
  const entries = addrSizeEntries(h, node, 'reg');
  if (!entries?.length) return -ENOENT;
  const region = regionOf(h, node);
  if (entries.length > 1)
    printk(
      h,
      'warn',
      `${PR}Reserved memory: node '${uname}' has ${entries.length} <base size> entries, only the first is used`,
      '__reserved_mem_reserve_reg',
    );
  const nomap = flag(node, 'no-map');
  const v = validateReservedMemNode(h, node, undefined);
  if (v.ret && v.ret !== -ENODEV) {
    region.status = 'rejected';
    region.placement = 'refused by node_validate';
    return v.ret;
  }
  const [base, size] = entries[0]!;
  const ok = size !== 0n && earlyInitDtReserveMemory(h, base, size, nomap) === 0;
  if (!ok)
    printk(
      h,
      failureLevel(h),
      `${st.behaviour.scanPrefix}Reserved memory: failed to reserve memory for node '${uname}': base ${pa(h, base)}, size ${mibOf(h, size)} MiB`,
      '__reserved_mem_reserve_reg',
    );
  region.base = base;
  region.size = size;
  region.placement = 'static';
  region.status = ok ? 'no-handler' : size === 0n ? 'ignored' : 'reserve-failed';
  return 0;
}

/** __reserved_mem_reserve_reg */
function reservedMemReserveReg(h: RmemHost, node: Node, uname: string): number {
  const st = state(h);
  if (st.behaviour.regFormat === 'entries') return reservedMemReserveFirstReg(h, node, uname);
  const p = getPropQ(node, 'reg');
  if (!p) return -ENOENT;
  const tLen = (st.addrCells + st.sizeCells) * 4;
  let len = p.value.length;
  const region = regionOf(h, node);
  if (tLen === 0 || (len && len % tLen !== 0)) {
    printk(
      h,
      'err',
      `${st.behaviour.scanPrefix}Reserved memory: invalid reg property in '${uname}', skipping node.`,
      '__reserved_mem_reserve_reg',
    );
    region.status = 'invalid';
    region.placement = 'invalid reg';
    return -EINVAL;
  }
  const nomap = flag(node, 'no-map');
  const rd = new CellReader(p.value);
  const m = physMask(h);
  let first = true;
  while (len >= tLen) {
    const base = rd.next(st.addrCells) & m;
    const size = rd.next(st.sizeCells) & m;
    const step: PlacementStep | undefined =
      size !== 0n
        ? {
            kind: nomap ? 'nomap' : 'reserve',
            caller: 'early_init_dt_reserve_memory',
            start: base,
            end: base + size,
            size,
            ret: 0,
            reserved: entriesIn(h.memblock.reserved, base, base + size),
            memory: entriesIn(h.memblock.memory, base, base + size),
          }
        : undefined;
    if (step) {
      step.ret = earlyInitDtReserveMemory(h, base, size, nomap);
      region.steps.push(step);
    }
    const ok = step !== undefined && step.ret === 0;
    if (!ok) {
      printk(
        h,
        failureLevel(h),
        `${st.behaviour.scanPrefix}Reserved memory: failed to reserve memory for node '${uname}': base ${pa(h, base)}, size ${mibOf(h, size)} MiB`,
        '__reserved_mem_reserve_reg',
      );
    }
    if (first) {
      region.base = base;
      region.size = size;
      region.placement = 'static';
      region.status = ok ? 'no-handler' : size === 0n ? 'ignored' : 'reserve-failed';
      if (st.behaviour.scheme === 'after-sort') fdtReservedMemSaveNode(h, node, uname, base, size);
      first = false;
    } else {
      region.extraRegs.push({ base, size, ok });
    }
    len -= tLen;
  }
  return 0;
}

/**
 * fdt_reserved_mem_save_node: append to reserved_mem[]; on 6.12 the region's handler runs now
 * (fdt_init_reserved_mem_node).
 */
function fdtReservedMemSaveNode(h: RmemHost, node: Node, uname: string, base: bigint, size: bigint): void {
  const st = state(h);
  const region = regionOf(h, node);
  if (st.behaviour.regionLimit === 'total' && st.reservedMem.length === st.behaviour.maxReservedRegions) {
    printk(h, 'err', `${PR}not enough space for all defined regions.`, 'fdt_reserved_mem_save_node');
    // __reserved_mem_reserve_reg saves a static region whether its reservation worked or not:
    // one that failed stays failed (its memory is not reserved), the rest are reserved, unsaved
    if (region.status !== 'reserve-failed') region.status = 'no-space';
    return;
  }
  const entry: RmemEntry = { node, name: uname, base, size, fdtNode: st.offsets.get(node) ?? 0, region };
  // 7.2 keeps only the regions whose init did not fail (fdt_init_reserved_mem_node)
  if (st.behaviour.scheme === 'on-save' && !fdtInitReservedMemNode(h, entry) && st.behaviour.tableCalls === 'ops') return;
  st.reservedMem.push(entry);
}

/** fdt_scan_reserved_mem */
function fdtScanReservedMem(h: RmemHost): number {
  const st = state(h);
  const node = findNode(h.tree, '/reserved-memory');
  if (!node) return -ENODEV;
  if (reservedMemCheckRoot(h, node) !== 0) {
    printk(h, 'err', `${st.behaviour.scanPrefix}Reserved memory: unsupported node format, ignoring`, 'fdt_scan_reserved_mem');
    for (const c of node.children) {
      const r = regionOf(h, c);
      r.status = 'ignored';
      r.placement = 'unsupported /reserved-memory format';
    }
    return -EINVAL;
  }
  st.root = node;
  const dynamicNodes: Node[] = [];
  let count = 0;
  for (const child of node.children) {
    const region = regionOf(h, child);
    st.current = region;
    if (!isAvailable(child)) {
      region.status = 'disabled';
      region.placement = 'status disabled';
      continue;
    }
    const err = reservedMemReserveReg(h, child, child.name);
    if (!err) count++;
    if (err === -ENOENT && flag(child, 'size')) {
      region.dynamic = true;
      if (st.behaviour.scheme === 'after-sort') fdtReservedMemSaveNode(h, child, child.name, 0n, 0n);
      else if (st.behaviour.dynamicNodes === 'checked' && dynamicNodes.length === st.behaviour.maxReservedRegions) {
        printk(h, 'err', `${PR}too many defined dynamic regions, skip '${child.name}'`, 'fdt_scan_reserved_mem');
        region.status = 'no-space';
      } else dynamicNodes.push(child);
    } else if (err === -ENOENT) {
      region.placement = 'neither reg nor size';
    }
  }
  for (const child of dynamicNodes) {
    st.current = regionOf(h, child);
    if (!reservedMemAllocSize(h, child, child.name).ret) count++;
  }
  st.current = undefined;
  st.totalReservedMemCnt = count;
  if (st.behaviour.dynamicNodes === 'unchecked' && dynamicNodes.length > st.behaviour.maxReservedRegions)
    dynamicNodesOverrun(h, dynamicNodes);
  return 0;
}

/**
 * 6.12's fdt_scan_reserved_mem stored more dynamic nodes than its `int
 * dynamic_nodes[MAX_RESERVED_REGIONS]` holds, past the array's end: the second pass still reads
 * them back (the loop's own variables live in registers) and allocates every one, then the
 * function returns. With CONFIG_STACKPROTECTOR the compiler put the canary right above the array
 * (an array makes -fstack-protector-strong guard the frame), so the first word past it lands there
 * and __stack_chk_fail panics (kernel/panic.c; its `%pB` names the call's offset in the build's
 * code, which its files do not state). Without it the words land on whatever the frame keeps above.
 */
function dynamicNodesOverrun(h: RmemHost, nodes: Node[]): void {
  const max = state(h).behaviour.maxReservedRegions;
  const n = nodes.length;
  // the first node stored past the array's end
  const span = nodes[max]!.span;
  const why = `${n} dynamic regions (a \`size\` and no \`reg\`) in /reserved-memory: fdt_scan_reserved_mem (drivers/of/of_reserved_mem.c) stores each in its local dynamic_nodes[${max}] (MAX_RESERVED_REGIONS) without a bound, ${n - max} past its end`;
  if (h.profile.stackProtector) {
    const message = 'stack-protector: Kernel stack is corrupted in: fdt_scan_reserved_mem';
    throw new BootPanic(
      message,
      [`Kernel panic - not syncing: ${message}`],
      'fdt_scan_reserved_mem',
      `${why}, over the stack canary (CONFIG_STACKPROTECTOR): it allocates them all, then panics as it returns`,
      span,
    );
  }
  h.diagnostics?.push(
    diag(
      'warning',
      'rmem-stack-overrun',
      `${why}: what the overwritten stack held decides how the boot goes on (the build's facts do not show CONFIG_STACKPROTECTOR, whose canary would make it panic as the function returns)`,
      span,
    ),
  );
}

/**
 * alloc_reserved_mem_array (7.2's fdt_scan_reserved_mem_late, 6.12.103's
 * fdt_scan_reserved_mem_reg_nodes): reserved_mem[] is reallocated to the
 * regions the scan counted, memblock_alloc(count * sizeof(struct reserved_mem), SMP_CACHE_BYTES);
 * the recorded arm64 boots show 0x28 bytes per region on 7.2, 0x30 on 6.12.118, and no allocation
 * when the count is 0. Zeroed: after paging_init (arm64) that write can fault (trixie's 6.12.117 in
 * the lab's seed 48).
 */
function allocReservedMemArray(h: RmemHost): void {
  const array = state(h).behaviour.reservedMemArray;
  if (!array) throw new Error("regionLimit 'dynamic' without rmem.reservedMemArray in the version layer");
  const count = state(h).totalReservedMemCnt ?? (array.unscanned === 'max-regions' ? state(h).behaviour.maxReservedRegions : 0);
  if (!count) return;
  // the pointer-sized fields but priv come before base and size, priv after them (arm's LPAE pads
  // the 64-bit base to its alignment, and the struct to it)
  const ptr = h.profile.arch === 'arm64' ? 8 : 4;
  const phys = h.profile.physAddrBits / 8;
  const up = (x: number, a: number) => Math.ceil(x / a) * a;
  const entry = up(up((array.pointers - 1) * ptr, phys) + 2 * phys + ptr, Math.max(ptr, phys));
  const size = BigInt(count * entry);
  const base = h.memblock.alloc(size, BigInt(h.profile.smpCacheBytes), array.caller);
  if (base) h.zeroed?.(base, size, array.caller);
}

/** What of_reserved_mem.c's allocation helpers take: size, alignment, the range, and no-map. */
type AllocArgs = [size: bigint, align: bigint, start: bigint, end: bigint, nomap: boolean];

/** early_init_dt_alloc_reserved_memory_arch */
function earlyInitDtAllocReservedMemoryArch(h: RmemHost, ...[size, align, start, end, nomap]: AllocArgs): { ret: number; base?: bigint } {
  const mb = h.memblock;
  end = end === 0n ? mb.physAddrMax : end; // MEMBLOCK_ALLOC_ANYWHERE
  const step: PlacementStep = {
    kind: 'alloc',
    caller: 'early_init_dt_alloc_reserved_memory_arch',
    start,
    end,
    size,
    align: align === 0n ? mb.smpCacheBytes : align,
    alignFrom: align === 0n ? 'SMP_CACHE_BYTES' : 'alignment',
    direction: mb.bottomUp ? 'bottom-up' : 'top-down',
    limit: mb.currentLimit,
    ret: 0,
    reserved: entriesIn(mb.reserved, start, end),
    memory: entriesIn(mb.memory, start, end),
  };
  state(h).current?.steps.push(step);
  align = align === 0n ? mb.smpCacheBytes : align; // SMP_CACHE_BYTES
  if (state(h).behaviour.allocation === 'find-in-range') {
    const found = mb.findInRange(start, end, size, align);
    if (!found) return { ret: -ENOMEM };
    const caller = 'early_init_dt_alloc_reserved_memory_arch';
    return { ret: nomap ? mb.remove(found, size, caller) : mb.reserve(found, size, caller), base: found };
  }
  const base = mb.physAllocRange(size, align, start, end, state(h).behaviour.callers.alloc);
  step.found = base;
  if (!base) return { ret: (step.ret = -ENOMEM) };
  let err = 0;
  if (nomap) {
    err = mb.markNomap(base, size);
    if (err) mb.physFree(base, size, 'early_init_dt_alloc_reserved_memory_arch');
  }
  step.ret = err;
  return { ret: err, base };
}

/** __reserved_mem_alloc_in_range (6.12): stay next to an existing reservation if one touches the range. */
function reservedMemAllocInRange(
  h: RmemHost,
  ...[size, align, start, end, nomap]: AllocArgs
): { ret: number; base?: bigint; bottomUp: boolean } {
  const st = state(h);
  const mb = h.memblock;
  const prev = mb.bottomUp;
  let bottomUp = false;
  let topDown = false;
  if (st.behaviour.allocInRangeDirection) {
    for (const r of st.reservedMem) {
      if (r.size === 0n) continue;
      if (start >= r.base && start <= r.base + r.size) bottomUp = true;
      if (end >= r.base && end <= r.base + r.size) topDown = true;
    }
  }
  if (bottomUp !== topDown) mb.setBottomUp(bottomUp);
  const used = mb.bottomUp;
  const res = earlyInitDtAllocReservedMemoryArch(h, size, align, start, end, nomap);
  if (bottomUp !== topDown) mb.setBottomUp(prev);
  return { ...res, bottomUp: used };
}

/** __reserved_mem_alloc_size: place a region described by `size`, `alignment`, `alloc-ranges`. */
function reservedMemAllocSize(h: RmemHost, node: Node, uname: string): { ret: number; base?: bigint; size?: bigint } {
  const st = state(h);
  const region = regionOf(h, node);
  const tLen = (st.addrCells + st.sizeCells) * 4;
  const m = physMask(h);
  const sizeProp = getPropQ(node, 'size');
  if (!sizeProp) return { ret: -EINVAL };
  region.dynamic = true;
  if (sizeProp.value.length !== st.sizeCells * 4) {
    printk(h, 'err', `${PR}invalid size property in '${uname}' node.`, '__reserved_mem_alloc_size');
    region.status = 'invalid';
    region.placement = 'invalid size';
    return { ret: -EINVAL };
  }
  const size = new CellReader(sizeProp.value).next(st.sizeCells) & m;
  let align = 0n;
  const alignProp = getPropQ(node, 'alignment');
  if (alignProp) {
    if (alignProp.value.length !== st.addrCells * 4) {
      printk(h, 'err', `${PR}invalid alignment property in '${uname}' node.`, '__reserved_mem_alloc_size');
      region.status = 'invalid';
      region.placement = 'invalid alignment';
      return { ret: -EINVAL };
    }
    align = new CellReader(alignProp.value).next(st.addrCells) & m;
  }
  const nomap = flag(node, 'no-map');
  let alignFrom: PlacementStep['alignFrom'] = 'alignment';
  if (st.behaviour.tableCalls === 'ops') {
    // fdt_validate_reserved_mem_node: the matching entry's node_validate may refuse the node or raise the alignment
    const v = validateReservedMemNode(h, node, align);
    if (v.ret && v.ret !== -ENODEV) {
      region.status = 'rejected';
      region.placement = 'refused by node_validate';
      return { ret: v.ret };
    }
    if (v.align !== undefined && v.align > align) {
      align = v.align;
      alignFrom = 'CMA_MIN_ALIGNMENT_BYTES';
    }
  } else if (isCompatible(node, 'shared-dma-pool') && flag(node, 'reusable') && !nomap) {
    // CONFIG_CMA: a reusable shared-dma-pool gets at least CMA_MIN_ALIGNMENT_BYTES.
    const cmaAlign = h.profile.cmaMinAlignmentBytes;
    if (cmaAlign > align) {
      align = cmaAlign;
      alignFrom = 'CMA_MIN_ALIGNMENT_BYTES';
    }
  }
  const tried = region.steps.length;
  let base = 0n;
  let placement = '';
  const entries = st.behaviour.regFormat === 'entries' ? addrSizeEntries(h, node, 'alloc-ranges') : undefined;
  const ranges = st.behaviour.regFormat === 'entries' ? undefined : getPropQ(node, 'alloc-ranges');
  if (entries) {
    for (const [i, [start, rangeSize]] of entries.entries()) {
      base = 0n;
      const before = region.steps.length;
      const r = reservedMemAllocInRange(h, size, align, start, (start + rangeSize) & m, nomap);
      for (const step of region.steps.slice(before)) step.range = i;
      if (r.base !== undefined) base = r.base;
      if (r.ret === 0) {
        placement = `${r.bottomUp ? 'bottom-up' : 'top-down'} in alloc-ranges[${i}]`;
        break;
      }
    }
  } else if (ranges) {
    if (tLen === 0 || ranges.value.length % tLen !== 0) {
      printk(h, 'err', `${PR}invalid alloc-ranges property in '${uname}', skipping node.`, '__reserved_mem_alloc_size');
      region.status = 'invalid';
      region.placement = 'invalid alloc-ranges';
      return { ret: -EINVAL };
    }
    let len = ranges.value.length;
    const rd = new CellReader(ranges.value);
    let i = 0;
    while (len > 0) {
      const start = rd.next(st.addrCells) & m;
      const end = (start + rd.next(st.sizeCells)) & m;
      const before = region.steps.length;
      const r = reservedMemAllocInRange(h, size, align, start, end, nomap);
      for (const step of region.steps.slice(before)) step.range = i;
      if (r.base !== undefined) base = r.base;
      if (r.ret === 0) {
        placement = `${r.bottomUp ? 'bottom-up' : 'top-down'} in alloc-ranges[${i}]`;
        break;
      }
      len -= tLen;
      i++;
    }
  } else {
    const r = earlyInitDtAllocReservedMemoryArch(h, size, align, 0n, 0n, nomap);
    if (r.base !== undefined) base = r.base;
    placement = h.memblock.bottomUp ? 'bottom-up' : 'top-down';
  }
  if (alignFrom === 'CMA_MIN_ALIGNMENT_BYTES') for (const step of region.steps.slice(tried)) step.alignFrom = alignFrom;
  region.size = size;
  if (base === 0n) {
    const sizeText = st.behaviour.allocFailedSize ? `: size ${mibOf(h, size)} MiB` : '';
    printk(h, failureLevel(h), `${PR}failed to allocate memory for node '${uname}'${sizeText}`, '__reserved_mem_alloc_size');
    region.status = 'alloc-failed';
    region.placement = 'allocation failed';
    return { ret: -ENOMEM };
  }
  region.base = base;
  region.placement = placement;
  region.status = 'no-handler';
  if (st.behaviour.scheme === 'on-save') fdtReservedMemSaveNode(h, node, uname, base, size);
  return { ret: 0, base, size };
}

// ---------------------------------------------------------------------------------------------
// Handlers

function handlerKernel(h: RmemHost, source: string): HandlerKernel {
  const log = (level: LogLine['level']) => (text: string) => printk(h, level, text, source);
  return {
    printk: (text, level = 'info') => printk(h, level, text, source),
    pr_info: log('info'),
    pr_err: log('err'),
    pr_warn: log('warn'),
    pa: (x) => pa(h, x),
    // `(unsigned long)rmem->size / SZ_1M`: the cast comes first.
    mib: (x) => (x & longMask(h)) / SZ_1M,
    profile: h.profile,
    services: {
      isRegionReserved: (base, size) => h.memblock.isRegionReserved(base, size),
      cmaCmdlineGiven: () => h.cmdline?.cmaSize !== undefined,
      cmaInitReservedMem: (base, size, name) => cmaInitReservedMem(h, base, size, name),
      setDefaultCmaArea: (name) => {
        h.cma.defaultArea = name;
      },
    },
  };
}

/** mm/cma.c cma_init_reserved_mem() (pr_fmt "cma: "). */
export function cmaInitReservedMem(h: RmemHost, base: bigint, size: bigint, name: string): number {
  if (h.cma.areaCount === h.profile.maxCmaAreas) {
    printk(h, 'err', 'cma: Not enough slots for CMA reserved regions!', 'cma_init_reserved_mem');
    return -ENOSPC;
  }
  if (!size || !h.memblock.isRegionReserved(base, size)) return -EINVAL;
  if ((base | size) % h.profile.cmaMinAlignmentBytes !== 0n) return -EINVAL;
  h.cma.areaCount++;
  (h.cma.areas ??= []).push({ name, base, size });
  return 0;
}

/** A non-int value a handler returned, for its diagnostic. */
function describeValue(x: unknown): string {
  if (x === undefined) return 'undefined';
  if (typeof x === 'string') return `the string ${JSON.stringify(x.length > 40 ? x.slice(0, 40) + '…' : x)}`;
  if (typeof x === 'number') return String(x);
  if (x === null) return 'null';
  return `a value of type ${typeof x}`;
}

/** What __reserved_mem_init_node returns when no table entry took the region: -ENOENT, or -ENODEV (7.2). */
function noHandler(h: RmemHost): number {
  return state(h).behaviour.tableCalls === 'ops' ? -ENODEV : -ENOENT;
}

/** The reservedmem table: the built-in entries of the series' kind, or the ones given. */
function reservedMemTable(h: RmemHost): ReservedMemHandler[] {
  h.handlers ??= builtinHandlers(h.profile.reservedMemConfig, state(h).behaviour.tableCalls);
  return h.handlers;
}

/**
 * fdt_validate_reserved_mem_node (7.2): the first matching entry with a node_validate decides
 * (walking on while entries return -ENODEV); it may raise `align` (given for dynamic regions only).
 */
function validateReservedMemNode(h: RmemHost, node: Node, align: bigint | undefined): { ret: number; align?: bigint } {
  let ret = -ENODEV;
  let out = align;
  for (const handler of reservedMemTable(h)) {
    if (ret !== -ENODEV) break;
    if (!handler.validate || !isCompatible(node, handler.compatible)) continue;
    const v = handler.validate(nodeView(node), handlerKernel(h, handler.name), out);
    ret = v.ret;
    if (v.align !== undefined) out = v.align;
  }
  return { ret, ...(out !== undefined ? { align: out } : {}) };
}

/** A /reserved-memory child as a table entry sees it before it has a place. */
function nodeView(node: Node): ReservedMemNode {
  return {
    name: node.name,
    path: nodePath(node),
    node,
    flag: (n) => flag(node, n),
    prop: (n) => getPropQ(node, n)?.value,
    compatible: strings(node, 'compatible'),
  };
}

/**
 * __reserved_mem_init_node: the matching table entries in order; the first returning 0 wins. Up to
 * 6.12 every matching entry is tried; 7.2 stops at the first that returns anything but -ENODEV.
 */
function reservedMemInitNode(h: RmemHost, e: RmemEntry): number {
  const ops = state(h).behaviour.tableCalls === 'ops';
  let ret = noHandler(h);
  const node = e.node;
  const view: ReservedMem = { ...nodeView(node), name: e.name, base: e.base, size: e.size };
  for (const handler of reservedMemTable(h)) {
    if (ops && ret !== -ENODEV) break;
    if (!isCompatible(node, handler.compatible)) continue;
    let r: number;
    try {
      const got: unknown = handler.setup(view, handlerKernel(h, handler.name));
      if (typeof got === 'number' && Number.isInteger(got)) r = got;
      else {
        // The C setup returns int (0 or -errno), synchronously: the kernel never waits for a
        // Promise, and anything else is not a return value it could read.
        if (got instanceof Promise) got.catch(() => undefined);
        const what = got instanceof Promise ? 'a Promise (setup must not be async)' : describeValue(got);
        h.diagnostics?.push(
          diag(
            'error',
            'handler-bad-return',
            `handler '${handler.name}' (${handler.origin}) returned ${what} for ${e.name}, not an int (0 or -errno); treated as -EINVAL`,
          ),
        );
        r = -EINVAL;
      }
    } catch (err) {
      // A handler that throws is a bug in the handler: count it as a failed setup and say so.
      const why = err instanceof Error ? err.message : String(err);
      h.diagnostics?.push(
        diag('error', 'handler-threw', `handler '${handler.name}' (${handler.origin}) threw for ${e.name}: ${why}; treated as -EINVAL`),
      );
      r = -EINVAL;
    }
    ret = r;
    e.region.attempts.push({ compatible: handler.compatible, handler: handler.name, origin: handler.origin, ret: r });
    e.region.handler = handler.compatible;
    e.region.result = r;
    if (r === 0) {
      if (view.ops) e.ops = e.region.ops = view.ops;
      e.priv = view.priv;
      e.view = view;
      printk(h, 'info', `${PR}initialized node ${e.name}, compatible id ${handler.compatible}`, '__reserved_mem_init_node');
      break;
    }
  }
  return ret;
}

/** Record the outcome of a handler run on the region (keeping an earlier reserve failure visible). */
function settle(h: RmemHost, e: RmemEntry, err: number): void {
  const r = e.region;
  const failedBefore = r.status === 'reserve-failed';
  if (err === 0) {
    if (!failedBefore) r.status = 'ok';
  } else if (err === noHandler(h)) {
    if (!failedBefore) r.status = 'no-handler';
  } else {
    r.status = 'rejected';
  }
}

/**
 * fdt_init_reserved_mem_node (6.12, 7.2): handler, then the summary line or the failure path.
 * Returns false when the handler failed.
 */
function fdtInitReservedMemNode(h: RmemHost, e: RmemEntry): boolean {
  const nomap = flag(e.node, 'no-map');
  const err = reservedMemInitNode(h, e);
  settle(h, e, err);
  if (err !== 0 && err !== noHandler(h)) {
    printk(h, 'info', `${PR}node ${e.name} compatible matching fail`, 'fdt_init_reserved_mem_node');
    if (nomap) h.memblock.clearNomap(e.base, e.size);
    else h.memblock.physFree(e.base, e.size, 'fdt_init_reserved_mem_node');
    return false;
  }
  if (state(h).behaviour.summaryLine) {
    const end = (e.base + e.size - 1n) & physMask(h);
    const kib = (e.size / SZ_1K) & longMask(h);
    const reusable = flag(e.node, 'reusable');
    printk(
      h,
      'info',
      `${PR}${pa(h, e.base)}..${pa(h, end)} (${kib} KiB) ${nomap ? 'nomap' : 'map'} ${reusable ? 'reusable' : 'non-reusable'} ${e.name}`,
      'fdt_init_reserved_mem_node',
    );
  }
  return true;
}

/** fdt_init_reserved_mem (6.1): sort, check overlaps, place dynamic regions, run handlers. */
function fdtInitReservedMem(h: RmemHost): void {
  const st = state(h);
  rmemCheckForOverlap(h);
  for (const e of st.reservedMem) {
    st.current = e.region;
    const nomap = flag(e.node, 'no-map');
    let err = 0;
    if (e.size === 0n) {
      const r = reservedMemAllocSize(h, e.node, e.name);
      err = r.ret;
      if (err === 0) {
        e.base = r.base!;
        e.size = r.size!;
      }
    }
    if (err === 0) {
      err = reservedMemInitNode(h, e);
      settle(h, e, err);
      if (err !== 0 && err !== -ENOENT) {
        printk(h, 'info', `${PR}node ${e.name} compatible matching fail`, 'fdt_init_reserved_mem');
        if (st.behaviour.allocation === 'find-in-range') {
          // 5.10: memblock_free, and a no-map region (memblock_remove'd) is added back
          h.memblock.physFree(e.base, e.size, 'fdt_init_reserved_mem');
          if (nomap) h.memblock.add(e.base, e.size, 'fdt_init_reserved_mem');
        } else if (nomap) h.memblock.clearNomap(e.base, e.size);
        else h.memblock.physFree(e.base, e.size, 'fdt_init_reserved_mem');
      }
    }
  }
  st.current = undefined;
}

/**
 * early_init_dt_check_for_elfcorehdr() + fdt_reserve_elfcorehdr() (drivers/of/fdt.c, CONFIG_CRASH_DUMP
 * is on in every Debian arm kernel): `/chosen/linux,elfcorehdr` = <addr size> in root cells. The
 * length check compares bytes with a cell count, so a short property is read past its end.
 */
function fdtReserveElfcorehdr(h: RmemHost): void {
  const st = state(h);
  const chosen = findNode(h.tree, '/chosen') ?? findNode(h.tree, '/chosen@0');
  if (!chosen) return;
  const p = getPropQ(chosen, 'linux,elfcorehdr');
  // 7.2 of_flat_dt_get_addr_size: exactly one whole entry
  if (st.behaviour.regFormat === 'entries' && addrSizeEntries(h, chosen, 'linux,elfcorehdr')?.length !== 1) return;
  if (!p || p.value.length < st.addrCells + st.sizeCells) return;
  const need = (st.addrCells + st.sizeCells) * 4;
  const bytes = p.value.length >= need ? p.value : (blobBytesAfter(h, chosen, 'linux,elfcorehdr', need) ?? p.value);
  const rd = new CellReader(bytes);
  const addr = rd.next(st.addrCells); // unsigned long long
  const size = rd.next(st.sizeCells);
  if (!size) return;
  const m = physMask(h);
  if (h.memblock.isRegionReserved(addr & m, size & m)) {
    printk(h, 'warn', 'OF: fdt: elfcorehdr is overlapped', 'fdt_reserve_elfcorehdr');
    return;
  }
  h.memblock.reserve(addr & m, size & m, 'early_init_fdt_scan_reserved_mem');
  printk(h, 'info', `OF: fdt: Reserving ${size >> 10n} KiB of memory at 0x${addr.toString(16)} for elfcorehdr`, 'fdt_reserve_elfcorehdr');
}

function reserveMemreserves(h: RmemHost): void {
  for (const r of h.tree.memreserves) {
    if (!r.size) break; // fdt_get_mem_rsv: a zero size ends the block
    h.memblock.reserve(r.address & physMask(h), r.size & physMask(h), 'early_init_fdt_scan_reserved_mem');
  }
}

// ---------------------------------------------------------------------------------------------
// Entry points for the boot sequence

/**
 * early_init_fdt_scan_reserved_mem(): called from arm64_memblock_init() / arm_memblock_init().
 * 6.1: /memreserve/, scan (static regions reserved), elfcorehdr, then fdt_init_reserved_mem() (sort,
 * overlap check, dynamic allocation, every handler). 6.12: elfcorehdr, scan (static reserved,
 * dynamic allocated and their handlers run), then /memreserve/.
 */
export function earlyInitFdtScanReservedMem(h: RmemHost): void {
  const st = state(h);
  if (st.behaviour.memreserveBeforeScan) reserveMemreserves(h);
  if (st.behaviour.elfcorehdrBeforeScan) fdtReserveElfcorehdr(h);
  fdtScanReservedMem(h);
  if (!st.behaviour.elfcorehdrBeforeScan) fdtReserveElfcorehdr(h);
  if (st.behaviour.scheme === 'after-sort') fdtInitReservedMem(h);
  if (!st.behaviour.memreserveBeforeScan) reserveMemreserves(h);
}

/**
 * fdt_scan_reserved_mem_reg_nodes() (6.12, from unflatten_device_tree()): save the static regions
 * (first `reg` entry only), running their handlers, then sort and check overlaps. No-op on 6.1.
 */
export function fdtScanReservedMemRegNodes(h: RmemHost): void {
  const st = state(h);
  if (st.behaviour.scheme !== 'on-save') return;
  const tLen = (st.addrCells + st.sizeCells) * 4;
  const node = findNode(h.tree, '/reserved-memory');
  if (!node) {
    printk(h, 'info', `${PR}Reserved memory: No reserved-memory node in the DT`, 'fdt_scan_reserved_mem_reg_nodes');
    return;
  }
  // with a /reserved-memory node, before its format is checked
  if (st.behaviour.regionLimit === 'dynamic') allocReservedMemArray(h);
  if (reservedMemCheckRoot(h, node)) {
    printk(h, 'err', `${PR}Reserved memory: unsupported node format, ignoring`, 'fdt_scan_reserved_mem_reg_nodes');
    return;
  }
  const m = physMask(h);
  for (const child of node.children) {
    if (st.behaviour.regFormat === 'entries') {
      // 7.2 fdt_scan_reserved_mem_late: the first entry of a well-formed `reg`, if node_validate allows
      if (!isAvailable(child)) continue;
      const entries = addrSizeEntries(h, child, 'reg');
      if (!entries?.length) continue;
      const v = validateReservedMemNode(h, child, undefined);
      if (v.ret && v.ret !== -ENODEV) continue;
      const [base, size] = entries[0]!;
      if (size) fdtReservedMemSaveNode(h, child, child.name, base, size);
      continue;
    }
    const p = getPropQ(child, 'reg');
    if (!p) continue;
    if (!isAvailable(child)) continue;
    st.current = st.byNode.get(child);
    const uname = child.name;
    const len = p.value.length;
    if (tLen === 0 || (len && len % tLen !== 0)) {
      printk(h, 'err', `${PR}Reserved memory: invalid reg property in '${uname}', skipping node.`, 'fdt_scan_reserved_mem_reg_nodes');
      continue;
    }
    if (len > tLen) {
      printk(
        h,
        'warn',
        `${PR}fdt_scan_reserved_mem_reg_nodes() ignores ${Math.floor(len / tLen) - 1} regions in node '${uname}'`,
        'fdt_scan_reserved_mem_reg_nodes',
      );
    }
    // With an empty `reg` (len 0 passes the length check) the kernel reads the cells that follow
    // the property in the structure block: read them from the blob when we have it.
    const bytes = len === 0 ? (blobBytesAfter(h, child, 'reg', tLen) ?? p.value) : p.value;
    const rd = new CellReader(bytes);
    const base = rd.next(st.addrCells) & m;
    const size = rd.next(st.sizeCells) & m;
    if (size) {
      // What reserved_mem[] holds from now on (the first entry; garbage for an empty `reg`).
      const region = regionOf(h, child);
      region.base = base;
      region.size = size;
      if (!region.placement) region.placement = 'static';
      fdtReservedMemSaveNode(h, child, uname, base, size);
    }
  }
  st.current = undefined;
  rmemCheckForOverlap(h);
}

export interface DeviceAttach {
  /** The consumer's node path and its `memory-region` index. */
  device: string;
  index: number;
  region: string;
  /** of_reserved_mem_device_init_by_idx()'s return. */
  ret: number;
  /**
   * The region has a device_init hook (its handler's ops). Without one the call returns -EINVAL,
   * which only drivers that make it see: drivers that find their carve-out with
   * of_reserved_mem_lookup or of_address_to_resource (most remoteproc drivers) never call it.
   */
  deviceInit: boolean;
  /** Lines the device_init hook printed. */
  log: string[];
}

/**
 * What happens when each consumer's driver probes and calls of_reserved_mem_device_init_by_idx():
 * a disabled region gives 0, a region the kernel did not keep or whose handler set no device_init
 * gives -EINVAL, else device_init's return. Run after boot; the lines are not part of the early log.
 */
export function attachConsumers(h: RmemHost): DeviceAttach[] {
  const st = h.rmem;
  if (!st) return [];
  const out: DeviceAttach[] = [];
  for (const region of st.regions) {
    for (const c of region.consumers) {
      if (!c.available) continue;
      const a: DeviceAttach = { device: c.path, index: c.index, region: region.name, ret: 0, deviceInit: false, log: [] };
      if (!isAvailable(region.node)) {
        out.push(a);
        continue;
      }
      const e = st.reservedMem.find((x) => x.node === region.node);
      const init = e?.ops?.deviceInit;
      if (!e?.view || !init) {
        a.ret = -EINVAL;
        out.push(a);
        continue;
      }
      a.deviceInit = true;
      const saved = h.log.length;
      try {
        const r = init(e.view, { path: c.path });
        a.ret = typeof r === 'number' && Number.isInteger(r) ? r : -EINVAL;
      } catch {
        a.ret = -EINVAL;
      }
      a.log = h.log.splice(saved).map((l) => l.text);
      out.push(a);
    }
  }
  return out;
}

/** The regions in node order (after the boot ran both entry points). */
export function rmemRegions(h: RmemHost): RmemRegion[] {
  return h.rmem ? h.rmem.regions : [];
}

/** of_reserved_mem_lookup() by node name (6.12) / phandle (6.1): the saved region for a node. */
export function reservedMemLookup(h: RmemHost, node: Node): RmemRegion | undefined {
  const st = h.rmem;
  if (!st) return undefined;
  const ph = phandleOf(node);
  const e = st.reservedMem.find((x) => (st.behaviour.cmpNodeOffset ? x.name === node.name : ph !== 0 && phandleOf(x.node) === ph));
  return e?.region;
}
