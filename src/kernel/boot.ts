// The arch boot sequences up to and after reserved memory, for arm64 and arm (32-bit).
//
// arm64 (arch/arm64/kernel/setup.c setup_arch, arch/arm64/mm/{init,mmu}.c):
//   setup_machine_fdt → parse_early_param → arm64_memblock_init (linear-map clip, mem=, initrd,
//   kernel image, early_init_fdt_scan_reserved_mem) → paging_init (linear map page tables) →
//   unflatten_device_tree (6.12: fdt_scan_reserved_mem_reg_nodes first) → bootmem_init (NUMA node
//   data, sparse_init's memmap, zone limits, dma_contiguous_reserve, crashkernel) → start_kernel's
//   command line copies, per-cpu areas, parse_args (6.12 reserve_mem=).
// arm (arch/arm/kernel/setup.c setup_arch, arch/arm/mm/{init,mmu}.c):
//   setup_machine_fdt (the DTB reserves itself) → parse_early_param → adjust_lowmem_bounds →
//   arm_memblock_init (kernel, initrd, swapper_pg_dir, board reserve, reserved-memory,
//   dma_contiguous_reserve(arm_dma_limit)) → paging_init → ...
//
// Every allocation goes through the memblock model, in the kernel's order with the kernel's sizes
// and alignments, so the default CMA area and crashkernel land where the kernel puts them.
import type { Tree } from '../tree/types.js';
import type { Diagnostic } from '../diagnostics.js';
import type { LogLine, Trace } from './context.js';
import {
  Memblock,
  MEMBLOCK_ALLOC_ACCESSIBLE,
  MEMBLOCK_ALLOC_NOLEAKTRACE,
  MEMBLOCK_NOMAP,
  MemblockPanic,
  NUMA_NO_NODE,
  formatMemblockEvent,
  formatPa,
  roundDown,
  roundUp,
  type MemblockEvent,
} from './memblock.js';
import { parseCmdline, parseCrashkernel, type CmdlineState, type EarlyParam, type EarlyReserveApi } from './cmdline.js';
import { platformLayout, type Bank, type ExtraReservation, type PlatformLayout } from '../platform/index.js';
import type { KernelProfile } from './profiles/types.js';
import type { ReservedMemHandler } from './handler-api.js';
import {
  cmaInitReservedMem,
  earlyInitFdtScanReservedMem,
  fdtScanReservedMemRegNodes,
  rmemRegions,
  type CmaState,
  type RmemState,
} from './rmem.js';
import { cString, findNode } from '../tree/query.js';
import { writeDtb } from '../fdt/writer.js';

const MiB = 1n << 20n;
const SZ_4G = 1n << 32n;

export interface BootInput {
  tree: Tree;
  profile: KernelProfile;
  handlers: ReservedMemHandler[];
  /** Default: the tree's /chosen/bootargs. */
  bootargs?: string;
  ram?: bigint;
  /** `qemu-virt`, or undefined for a board described only by its tree and `reserve`. */
  platform?: string;
  initrdSize?: bigint;
  /** Exact initrd placement (lab records). */
  initrd?: Bank;
  reserve?: ExtraReservation[];
  /** Size of the DTB file given to the boot loader (QEMU -dtb). Default: estimated. */
  dtbSize?: number;
  /** Board code's early parameters (declareEarlyParam). */
  earlyParams?: EarlyParam[];
  /** Number of CPUs (QEMU -smp); only per-cpu sizes depend on it. */
  cpus?: number;
}

/** Everything one simulated boot carries; rmem.ts reads it as its RmemHost. */
export interface BootContext {
  tree: Tree;
  profile: KernelProfile;
  memblock: Memblock;
  log: LogLine[];
  handlers: ReservedMemHandler[];
  cmdline: CmdlineState;
  cma: CmaState;
  rmem?: RmemState;
  diagnostics: Diagnostic[];
  printk(level: LogLine['level'], text: string, source?: string): void;
}

export interface BootResult {
  ctx: BootContext;
  log: LogLine[];
  diagnostics: Diagnostic[];
  trace: Trace;
  /** The memblock=debug lines the kernel would print (without caller offsets). */
  memblockLines: string[];
  layout: PlatformLayout;
  /** The default CMA area (dma_contiguous_default_area from the command line/config), if reserved. */
  defaultCma?: { base: bigint; size: bigint } | null;
  crashkernel?: { base: bigint; size: bigint; low?: { base: bigint; size: bigint } } | null;
  reserveMem: { name: string; base: bigint; size: bigint }[];
  /** Regions board code handed to drivers (EarlyReserveApi.handOff). */
  handoffs: { driver: string; base: bigint; size: bigint }[];
  /** memblock's tables when the kernel prints them (memblock_dump_all: end of bootmem_init / arm_memblock_init). */
  memblockDump?: { memory: MemblockRegionCopy[]; reserved: MemblockRegionCopy[] };
  /** The kernel panicked in the model (e.g. memblock array overflow on 6.12). */
  panic?: string;
}

// -------------------------------------------------------------------------------------------------

/** Size of the DTB dtc would write for the tree (src/fdt/writer.ts), or the estimate below. */
export function dtbFileSize(tree: Tree): number {
  try {
    return writeDtb(tree).length;
  } catch {
    return estimateDtbSize(tree);
  }
}

/** Estimated size of the DTB file: one pass over the tree as dtc lays it out (header, rsvmap, struct, strings). */
export function estimateDtbSize(tree: Tree): number {
  const strings = new Set<string>();
  let structBytes = 4; // FDT_END
  const visit = (n: Tree['root']) => {
    structBytes += 4 + align4(n.name.length + 1) + 4; // BEGIN_NODE name, END_NODE
    for (const p of n.props) {
      strings.add(p.name);
      structBytes += 12 + align4(p.value.length);
    }
    for (const c of n.children) visit(c);
  };
  visit(tree.root);
  let strBytes = 0;
  for (const s of strings) strBytes += s.length + 1;
  return 40 + (tree.memreserves.length + 1) * 16 + structBytes + strBytes;
}

const align4 = (n: number) => (n + 3) & ~3;

/**
 * __unflatten_device_tree's dry run (drivers/of/fdt.c populate_node/populate_properties): bytes of
 * struct device_node + full name per node, struct property per property, a synthesized "name"
 * property per node without one, each aligned; then ALIGN(size, 4) plus 4 for the end marker.
 */
export function unflattenSize(
  tree: Tree,
  sizes: { deviceNodeSize: number; propertySize: number; align: number; extraBytes?: number },
  extraChosenProps = 0,
): number {
  let mem = 0;
  const al = (x: number) => Math.ceil(x / sizes.align) * sizes.align;
  const visit = (n: Tree['root'], isRoot: boolean) => {
    mem = al(mem) + sizes.deviceNodeSize + n.name.length + 1;
    let props = n.props.length;
    if (n.name === 'chosen' && n.parent === tree.root) props += extraChosenProps;
    for (let i = 0; i < props; i++) mem = al(mem) + sizes.propertySize;
    if (!n.props.some((p) => p.name === 'name')) {
      // name without unit address, plus NUL
      const base = isRoot ? '' : n.name.split('@')[0]!;
      mem = al(mem) + sizes.propertySize + base.length + 1;
    }
    for (const c of n.children) visit(c, false);
  };
  visit(tree.root, true);
  // size = ALIGN(size, 4); dt_alloc(size + 4, ...): the end marker
  return ((mem + 3) & ~3) + (sizes.extraBytes ?? 0) + 4;
}

/** Page-table pages the linear map needs (arch/arm64/mm/mmu.c map_mem → __create_pgd_mapping). */
export function countLinearMapTables(
  mapped: Bank[],
  kernelAlias: Bank,
  memstart: bigint,
  levelShifts: number[],
  pageGranular: boolean,
): number {
  const [pteShift, ...upper] = levelShifts as [number, ...number[]];
  const blk = 1n << BigInt(pteShift);
  const pteTables = new Set<bigint>();
  const upperTables = upper.map(() => new Set<bigint>());
  const touch = (b: Bank, needPte: (idx: bigint) => boolean) => {
    if (b.size <= 0n) return;
    const s = b.base - memstart;
    const e = s + b.size; // exclusive
    for (let i = s >> BigInt(pteShift); i <= (e - 1n) >> BigInt(pteShift); i++) if (needPte(i)) pteTables.add(i);
    upper.forEach((sh, k) => {
      for (let i = s >> BigInt(sh); i <= (e - 1n) >> BigInt(sh); i++) upperTables[k]!.add(i);
    });
  };
  // memory without the kernel alias, at page granularity (or blocks where aligned when allowed)
  for (const b of mapped) {
    touch(b, (i) => {
      if (pageGranular) return true;
      const bs = i * blk + memstart;
      return !(bs >= b.base && bs + blk <= b.base + b.size);
    });
  }
  // the kernel alias [_text, __init_begin): NO_CONT_MAPPINGS only, so aligned 2 MiB blocks are sections
  touch(kernelAlias, (i) => {
    const bs = i * blk + memstart;
    const full = bs >= kernelAlias.base && bs + blk <= kernelAlias.base + kernelAlias.size;
    return !full || pteTables.has(i);
  });
  return pteTables.size + upperTables.reduce((a, s) => a + s.size, 0);
}

/** Subtract `cut` from a list of ranges. */
function subtract(ranges: Bank[], cut: Bank): Bank[] {
  const out: Bank[] = [];
  const ce = cut.base + cut.size;
  for (const r of ranges) {
    const re = r.base + r.size;
    if (ce <= r.base || re <= cut.base) {
      out.push(r);
      continue;
    }
    if (r.base < cut.base) out.push({ base: r.base, size: cut.base - r.base });
    if (ce < re) out.push({ base: ce, size: re - ce });
  }
  return out;
}

// -------------------------------------------------------------------------------------------------

export function bootKernel(input: BootInput): BootResult {
  const p = input.profile;
  const diagnostics: Diagnostic[] = [];
  const log: LogLine[] = [];
  const memblock = new Memblock({
    physAddrBits: p.physAddrBits,
    pageSize: p.pageSize,
    version: p.version,
    numa: p.numa,
    maxNumNodes: p.maxNumNodes,
    smpCacheBytes: p.smpCacheBytes,
    initRegions: p.memblockInitRegions,
  });
  const printk = (level: LogLine['level'], text: string, source?: string) => {
    const l: LogLine = { text, level };
    if (source !== undefined) l.source = source;
    log.push(l);
  };
  const bootargs = input.bootargs ?? chosenBootargs(input.tree) ?? '';
  const reserveHooks: ((mb: EarlyReserveApi) => void)[] = [];
  const cmdline = parseCmdline(bootargs, {
    arch: p.arch,
    version: p.version,
    pageSize: p.pageSize,
    params: p.params,
    earlyParams: input.earlyParams ?? [],
    printk: (level, text) => printk(level, text, 'parse_early_param'),
    atReserve: (fn) => reserveHooks.push(fn),
  });
  const ctx: BootContext = {
    tree: input.tree,
    profile: p,
    memblock,
    log,
    handlers: input.handlers,
    cmdline,
    cma: { areaCount: 0 },
    diagnostics,
    printk,
  };
  const { layout, diagnostics: pd } = platformLayout(
    input.tree,
    {
      arch: p.arch,
      ...(input.platform !== undefined ? { platform: input.platform } : {}),
      ...(input.ram !== undefined ? { ram: input.ram } : {}),
      ...(input.initrdSize !== undefined ? { initrdSize: input.initrdSize } : {}),
      ...(input.initrd !== undefined ? { initrd: input.initrd } : {}),
      ...(input.dtbSize !== undefined ? { dtbFileSize: input.dtbSize } : {}),
      ...(input.reserve !== undefined ? { reserve: input.reserve } : {}),
    },
    () => dtbFileSize(input.tree),
  );
  diagnostics.push(...pd);
  const result: BootResult = {
    ctx,
    log,
    diagnostics,
    trace: { events: [] },
    memblockLines: [],
    layout,
    reserveMem: [],
    handoffs: [],
  };
  if (!layout.memory.length) return finish(result, 0);
  let traceStart = 0;
  const st: BootState = { ctx, layout, input, result, reserveHooks, setTraceStart: (n) => (traceStart = n) };
  try {
    if (p.arch === 'arm64') bootArm64(st);
    else bootArm(st);
  } catch (e) {
    if (e instanceof MemblockPanic) {
      result.panic = e.message;
      printk('emerg', `Kernel panic - not syncing: ${e.message}`, 'panic');
    } else if (e instanceof BootPanic) {
      result.panic = e.message;
      for (const l of e.lines) printk('emerg', l, 'panic');
    } else throw e;
  }
  return finish(result, traceStart);
}

/** The modelled kernel oopses/panics: the boot stops there, like the real one. */
export class BootPanic extends Error {
  constructor(
    message: string,
    readonly lines: string[],
  ) {
    super(message);
  }
}

export interface MemblockRegionCopy {
  base: bigint;
  size: bigint;
  flags: number;
  nid: number;
}

/** memblock_dump_all(): keep a copy of both tables as the kernel prints them with memblock=debug. */
function memblockDumpAll(st: BootState): void {
  const mb = st.ctx.memblock;
  const copy = (rs: typeof mb.memory.regions) => rs.map((r) => ({ base: r.base, size: r.size, flags: r.flags, nid: r.nid }));
  st.result.memblockDump = { memory: copy(mb.memory.regions), reserved: copy(mb.reserved.regions) };
  if (!st.ctx.cmdline.memblockDebug) return;
  // __memblock_dump_all / memblock_dump (mm/memblock.c), printed with memblock=debug
  const bits = st.ctx.profile.physAddrBits;
  const pa = (x: bigint) => formatPa(x, bits);
  const pr = (t: string) => st.ctx.printk('info', t, 'memblock_dump_all');
  pr('MEMBLOCK configuration:');
  pr(` memory size = ${pa(mb.memory.totalSize)} reserved size = ${pa(mb.reserved.totalSize)}`);
  for (const type of [mb.memory, mb.reserved]) {
    pr(` ${type.name}.cnt  = 0x${type.regions.length.toString(16)}`);
    type.regions.forEach((r, i) => {
      const node = st.ctx.profile.numa && r.nid >= 0 && r.nid < st.ctx.profile.maxNumNodes ? ` on node ${r.nid}` : '';
      pr(
        ` ${type.name}[0x${i.toString(16)}]\t[${pa(r.base)}-${pa(r.base + r.size - 1n)}], ${pa(r.size)} bytes${node} flags: 0x${r.flags.toString(16)}`,
      );
    });
  }
}

interface BootState {
  ctx: BootContext;
  layout: PlatformLayout;
  input: BootInput;
  result: BootResult;
  reserveHooks: ((mb: EarlyReserveApi) => void)[];
  setTraceStart(n: number): void;
  /** arm64 memstart_addr (PHYS_OFFSET), once arm64_memblock_init computed it. */
  memstart?: bigint;
  /** Memory left out of the linear map by paging_init (NOMAP then); writing there faults. */
  unmapped?: Bank[];
}

/**
 * The kernel writes the block it just got through the linear map (memblock_alloc zeroes it,
 * NODE_DATA is memset): memory that was NOMAP when paging_init built the map — a no-map region
 * whose handler failed gets its NOMAP cleared later (6.12) — faults, and the boot dies.
 */
function touch(st: BootState, base: bigint, size: bigint): void {
  if (!base || !st.unmapped || st.ctx.profile.arch !== 'arm64') return;
  for (const u of st.unmapped) {
    if (base < u.base + u.size && u.base < base + size) {
      const addr = base > u.base ? base : u.base;
      const va = st.ctx.profile.arm64!.pageOffset + (addr - (st.memstart ?? 0n));
      throw new BootPanic('Attempted to kill the idle task!', [
        `Unable to handle kernel paging request at virtual address ${va.toString(16).padStart(16, '0')}`,
        'Kernel panic - not syncing: Attempted to kill the idle task!',
      ]);
    }
  }
}

function finish(r: BootResult, traceStart: number): BootResult {
  const mb = r.ctx.memblock;
  const evs = mb.events.slice(traceStart);
  r.trace = { events: evs.map((e) => ({ kind: e.kind, detail: e as unknown as Record<string, unknown> })) };
  if (r.ctx.cmdline.memblockDebug) {
    r.memblockLines = evs.map((e) => formatMemblockEvent(e, r.ctx.profile.physAddrBits)).filter((x): x is string => x !== undefined);
  }
  return r;
}

function chosenBootargs(tree: Tree): string | undefined {
  const chosen = findNode(tree, '/chosen');
  return chosen ? cString(chosen, 'bootargs') : undefined;
}

function reserveApi(st: BootState, caller: string): EarlyReserveApi {
  const mb = st.ctx.memblock;
  return {
    reserve: (b, s) => mb.reserve(b, s, caller),
    physAlloc: (s, a) => mb.physAlloc(s, a, caller),
    physAllocRange: (s, a, b, e) => mb.physAllocRange(s, a, b, e, caller),
    remove: (b, s) => mb.remove(b, s, caller),
    isRegionReserved: (b, s) => mb.isRegionReserved(b, s),
    handOff: (driver, base, size) => st.result.handoffs.push({ driver, base, size }),
    printk: (level, text) => st.ctx.printk(level, text, caller),
  };
}

/**
 * early_init_dt_check_for_usable_mem_range (drivers/of/fdt.c, after the memory nodes): a kdump
 * kernel's /chosen/linux,usable-memory-range caps memory to its first range
 * (memblock_cap_memory_range) and adds the second back.
 */
function checkForUsableMemRange(ctx: BootContext): void {
  const chosen = findNode(ctx.tree, '/chosen');
  const p = chosen?.props.find((x) => x.name === 'linux,usable-memory-range');
  if (!p) return;
  const ac = cellsOf(ctx.tree.root, '#address-cells', 1);
  const sc = cellsOf(ctx.tree.root, '#size-cells', 1);
  // the kernel compares the byte length with the cell count (sic)
  if (p.value.length % (ac + sc)) return;
  const rgn: Bank[] = [];
  for (let off = 0; rgn.length < 2 && off + (ac + sc) * 4 <= p.value.length; off += (ac + sc) * 4) {
    rgn.push({ base: readBe(p.value, off, ac), size: readBe(p.value, off + ac * 4, sc) });
  }
  if (!rgn.length) return;
  ctx.memblock.capMemoryRange(rgn[0]!.base, rgn[0]!.size);
  if (rgn[1]?.size) ctx.memblock.add(rgn[1].base, rgn[1].size, 'early_init_dt_check_for_usable_mem_range');
}

function cellsOf(n: Tree['root'], name: string, dflt: number): number {
  const p = n.props.find((x) => x.name === name);
  return p && p.value.length >= 4 ? readU32Be(p.value, 0) : dflt;
}

/** early_init_dt_add_memory_arch (drivers/of/fdt.c): page-align, then memblock_add. */
function addMemory(mb: Memblock, b: Bank): void {
  const page = mb.pageSize;
  let base = b.base;
  let size = b.size;
  if (base & (page - 1n)) {
    size -= page - (base & (page - 1n));
    base = roundUp(base, page);
  }
  size &= ~(page - 1n);
  if (size <= 0n) return;
  mb.add(base, size, 'early_init_dt_add_memory_arch');
}

// -------------------------------------------------------------------------------------------------
// arm64

function bootArm64(st: BootState): void {
  const { ctx, layout } = st;
  const p = ctx.profile;
  const a = p.arm64!;
  const mb = ctx.memblock;
  const page = BigInt(p.pageSize);
  const ramBase = layout.memory[0]!.base;
  const text = layout.kernelLoad ?? ramBase + a.textOffset;
  const kernelEnd = text + a.reserveStartOffset + a.reserveSize; // __pa_symbol(_end)

  // setup_machine_fdt: memory nodes, then fixmap_remap_fdt() reserves the blob
  for (const b of layout.memory) addMemory(mb, b);
  checkForUsableMemRange(ctx);
  if (layout.dtb) mb.reserve(layout.dtb.base, layout.dtb.size, 'fixmap_remap_fdt');

  // parse_early_param: memblock=debug starts printing from here
  st.setTraceStart(mb.events.length);

  // arm64_memblock_init
  const ULLONG_MAX = (1n << 64n) - 1n;
  mb.remove(1n << BigInt(a.physMaskShift), ULLONG_MAX, 'arm64_memblock_init');
  let memstart = roundDown(mb.startOfDram(), a.memstartAlign);
  const clip = memstart + a.linearRegionSize > kernelEnd ? memstart + a.linearRegionSize : kernelEnd;
  mb.remove(clip, ULLONG_MAX, 'arm64_memblock_init');
  if (memstart + a.linearRegionSize < mb.endOfDram()) {
    memstart = roundUp(mb.endOfDram() - a.linearRegionSize, a.memstartAlign);
    mb.remove(0n, memstart, 'arm64_memblock_init');
  }
  st.memstart = memstart;
  if (ctx.cmdline.memLimit !== undefined) {
    mb.memLimitRemoveMap(ctx.cmdline.memLimit);
    mb.add(text, kernelEnd - text, 'arm64_memblock_init');
  }
  if (layout.initrd?.size) {
    const base = layout.initrd.base & ~(page - 1n);
    const size = roundUp(layout.initrd.base + layout.initrd.size, page) - base;
    if (base < mb.startOfDram() || base + size > mb.startOfDram() + a.linearRegionSize) {
      ctx.printk('warn', 'initrd not fully accessible via the linear mapping -- please check your bootloader ...', 'arm64_memblock_init');
    } else {
      mb.add(base, size, 'arm64_memblock_init');
      mb.clearNomap(base, size);
      mb.reserve(base, size, 'arm64_memblock_init');
    }
  }
  mb.reserve(text + a.reserveStartOffset, a.reserveSize, 'arm64_memblock_init');
  platformReservations(st);
  earlyInitFdtScanReservedMem(ctx as never);

  // paging_init: map_mem() builds the linear map from early_pgtable_alloc() pages
  const pg = a.pgtable;
  const pgAlloc = () => mb.physAllocRange(page, page, 0n, MEMBLOCK_ALLOC_NOLEAKTRACE, pg.caller);
  for (let i = 0; i < pg.extraBefore; i++) pgAlloc();
  const initBegin = text + a.initBeginOffset;
  const alias: Bank = { base: text, size: initBegin - text };
  st.unmapped = mb.memory.regions.filter((r) => r.flags & MEMBLOCK_NOMAP).map((r) => ({ base: r.base, size: r.size }));
  let mapped: Bank[] = mb.memory.regions.filter((r) => !(r.flags & MEMBLOCK_NOMAP)).map((r) => ({ base: r.base, size: r.size }));
  mapped = subtract(mapped, alias);
  const n = countLinearMapTables(mapped, alias, memstart, pg.levelShifts, pg.pageGranular);
  for (let i = 0; i < n; i++) pgAlloc();
  if (pg.initPgDirFree) mb.physFree(text + pg.initPgDirFree.offsetFromText, pg.initPgDirFree.size, 'paging_init');
  mb.allowResize();
  for (let i = 0; i < pg.extraAfter; i++) pgAlloc();

  // unflatten_device_tree (6.12: static reserved-memory regions are saved first)
  fdtScanReservedMemRegNodes(ctx as never);
  const qemuChosenProps = layout.name === 'qemu-virt' ? chosenAdditions(ctx.tree, layout) : 0;
  const unfSize = BigInt(unflattenSize(ctx.tree, a.unflatten, qemuChosenProps));
  touch(st, mb.alloc(unfSize, BigInt(a.unflatten.align), 'early_init_dt_alloc_memory_arch'), unfSize);

  // bootmem_init → arch_numa_init (dummy node 0)
  const start = mb.startOfDram();
  const end = mb.endOfDram();
  if (a.numa.distanceAlloc) {
    // 6.1 numa_init: numa_alloc_distance(), numa_free_distance() on the dummy fallback, again
    const d = mb.allocTryNid(256n, page, 0n, MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE, 'numa_init');
    if (d) mb.physFree(d, 256n, 'numa_free_distance');
    mb.allocTryNid(256n, page, 0n, MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE, 'numa_init');
  }
  ctx.printk('info', `NUMA: Faking a node at [mem ${formatPa(start, 64)}-${formatPa(end - 1n, 64)}]`, 'numa_init');
  mb.setNode(0n, mb.physAddrMax, mb.memory, 0);
  if (a.numa.reservedNid) mb.setNode(start, end - start, mb.reserved, 0);
  const nd = mb.physAllocTryNid(a.numa.nodeDataSize, BigInt(p.smpCacheBytes), 0);
  if (nd) {
    const range = `[mem 0x${nd.toString(16).padStart(8, '0')}-0x${(nd + a.numa.nodeDataSize - 1n).toString(16).padStart(8, '0')}]`;
    ctx.printk(
      'info',
      a.numa.nodeDataMessage === '6.12' ? `NODE_DATA(0) allocated ${range}` : `NUMA: NODE_DATA ${range}`,
      'setup_node_data',
    );
  }
  touch(st, nd, a.numa.nodeDataSize); // memset(NODE_DATA(nid), 0, ...)
  if (a.numa.cpumaskAlloc) touch(st, mb.alloc(64n, 64n, 'alloc_bootmem_cpumask_var'), 64n);

  // sparse_init (mm/sparse.c, SPARSEMEM_VMEMMAP + SPARSEMEM_EXTREME)
  const sp = a.sparse;
  const secShift = BigInt(sp.sectionSizeBits);
  const sections = new Set<bigint>();
  for (const r of mb.memory.regions) for (let s = r.base >> secShift; s <= (r.base + r.size - 1n) >> secShift; s++) sections.add(s);
  touch(st, mb.alloc(sp.memSectionRootsBytes, 64n, 'sparse_init'), sp.memSectionRootsBytes);
  const roots = new Set([...sections].map((s) => s / BigInt(sp.sectionsPerRoot)));
  for (let i = 0; i < roots.size; i++)
    touch(st, mb.allocTryNid(sp.rootBytes, 64n, 0n, MEMBLOCK_ALLOC_ACCESSIBLE, 0, 'sparse_index_alloc'), sp.rootBytes);
  const goal = roundDown(nd, 1n << secShift);
  const usemap = sp.usemapBytesPerSection * BigInt(sections.size);
  touch(st, mb.allocTryNid(usemap, 64n, goal, goal + (1n << secShift), 0, 'sparse_init_nid'), usemap);
  const pagesPerSection = 1n << (secShift - BigInt(p.pageShift));
  const sectionMapSize = roundUp(sp.structPageSize * pagesPerSection, sp.pmdSize);
  const buf = mb.allocTryNid(
    sectionMapSize * BigInt(sections.size),
    sectionMapSize,
    memstart,
    MEMBLOCK_ALLOC_ACCESSIBLE,
    0,
    'memmap_alloc',
    'memblock_alloc_exact_nid_raw',
  );
  const early = (size: bigint) =>
    mb.allocTryNid(size, size, memstart, MEMBLOCK_ALLOC_ACCESSIBLE, 0, '__earlyonly_bootmem_alloc', 'memblock_alloc_try_nid_raw');
  // vmemmap page tables are zeroed through the linear map (vmemmap_alloc_block_zero)
  for (let i = 0; i < sp.vmemmapTablesFixed; i++) touch(st, early(page), page);
  if (!buf) {
    // No sparse buffer (memmap_alloc failed): vmemmap_alloc_block_buf() falls back to one
    // __earlyonly_bootmem_alloc() per block — PMD blocks with 4 KiB pages, base pages otherwise.
    if (p.pageSize === 4096) for (let i = 0; i < sections.size; i++) early(sectionMapSize);
    else {
      const pages = (BigInt(sections.size) * roundUp(sp.structPageSize * pagesPerSection, page)) / page;
      for (let i = 0n; i < pages; i++) early(page);
    }
  }
  // sparse_buffer_fini: with 4 KiB pages vmemmap_populate() maps PMD blocks carved from the
  // buffer (all of it used); other page sizes populate base pages, and the rest is freed.
  if (buf && p.pageSize !== 4096) {
    const used = BigInt(sections.size) * roundUp(sp.structPageSize * pagesPerSection, page);
    const total = sectionMapSize * BigInt(sections.size);
    if (used < total) mb.physFree(buf + used, total - used, 'memblock_free');
  }

  // zone_sizes_init: ZONE_DMA from the DT's dma-ranges, capped at 4 GiB when RAM starts below it
  const dmaLimit = arm64DmaPhysLimit(a.dmaZone, ofDmaGetMaxCpuAddress(ctx.tree, ctx.tree.root, 2, 1, mb.physAddrMax), start, end);
  dmaContiguousReserve(st, dmaLimit);
  reserveCrashkernelArm64(st, dmaLimit);
  memblockDumpAll(st);
  afterSetupArch(st);
}

/**
 * of_dma_get_max_cpu_address(NULL) (drivers/of/address.c): the lowest end of any `dma-ranges`
 * in the tree (inclusive), PHYS_ADDR_MAX when there are none. The CPU address of a range is its
 * parent-bus address (translation through further `ranges` is not modelled).
 */
export function ofDmaGetMaxCpuAddress(
  tree: Tree,
  node: Tree['root'],
  parentAddrCells: number,
  _parentSizeCells: number,
  max: bigint,
): bigint {
  let maxCpu = max;
  const cells = (n: Tree['root'], name: string, dflt: number) => {
    const p = n.props.find((x) => x.name === name);
    return p && p.value.length >= 4 ? readU32Be(p.value, 0) : dflt;
  };
  const na = cells(node, '#address-cells', 2);
  const ns = cells(node, '#size-cells', 1);
  const dr = node.props.find((x) => x.name === 'dma-ranges');
  if (dr?.value.length && node !== tree.root) {
    const stride = (na + parentAddrCells + ns) * 4;
    let cpuEnd = 0n;
    for (let off = 0; stride && off + stride <= dr.value.length; off += stride) {
      const cpu = readBe(dr.value, off + na * 4, parentAddrCells);
      const size = readBe(dr.value, off + (na + parentAddrCells) * 4, ns);
      if (cpu + size > cpuEnd) cpuEnd = cpu + size - 1n;
    }
    if (maxCpu > cpuEnd) maxCpu = cpuEnd;
  }
  for (const c of node.children) {
    const status = c.props.find((x) => x.name === 'status');
    const st = status ? new TextDecoder().decode(status.value).replace(/\0.*$/s, '') : 'okay';
    if (st !== 'okay' && st !== 'ok') continue;
    const sub = ofDmaGetMaxCpuAddress(tree, c, na, ns, max);
    if (maxCpu > sub) maxCpu = sub;
  }
  return maxCpu;
}

function readU32Be(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}

function readBe(b: Uint8Array, off: number, cells: number): bigint {
  let v = 0n;
  for (let i = 0; i < cells; i++) v = (v << 32n) | BigInt(readU32Be(b, off + i * 4));
  return v;
}

/** arm64_dma_phys_limit from zone_sizes_init → max_zone_phys, per version. */
export function arm64DmaPhysLimit(kind: 'bits' | 'limit', dtMax: bigint, start: bigint, end: bigint): bigint {
  const U32_MAX = 0xffff_ffffn;
  const min = (x: bigint, y: bigint) => (x < y ? x : y);
  if (kind === 'limit') {
    let limit = dtMax;
    if (start < U32_MAX) limit = min(limit, U32_MAX);
    return min(limit, end - 1n) + 1n;
  }
  // 6.1: zone_dma_bits = min3(32, fls64(dt), fls64(acpi)); max_zone_phys(bits)
  const fls64 = (x: bigint) => (x === 0n ? 0 : x.toString(2).length);
  const bits = Math.min(32, fls64(dtMax));
  let mask = bits >= 64 ? (1n << 64n) - 1n : (1n << BigInt(bits)) - 1n;
  if (start > U32_MAX) mask = (1n << 64n) - 1n;
  else if (start > mask) mask = U32_MAX;
  return min(mask, end - 1n) + 1n;
}

/** Properties QEMU's arm_load_dtb adds to /chosen (bootargs, linux,initrd-start/-end) that the tree lacks. */
function chosenAdditions(tree: Tree, layout: PlatformLayout): number {
  const chosen = findNode(tree, '/chosen');
  const has = (n: string) => !!chosen?.props.some((p) => p.name === n);
  let n = 0;
  if (!has('bootargs')) n++;
  if (layout.initrd) {
    if (!has('linux,initrd-start')) n++;
    if (!has('linux,initrd-end')) n++;
  }
  return n;
}

/** --reserve entries and board early_param hooks, before /reserved-memory is scanned. */
function platformReservations(st: BootState): void {
  const mb = st.ctx.memblock;
  for (const r of st.layout.extra) mb.reserve(r.base, r.size, `platform:${r.name}`);
  for (const fn of st.reserveHooks) fn(reserveApi(st, 'early_param'));
}

/**
 * start_kernel after setup_arch: request_standard_resources, setup_command_line, per-cpu areas,
 * then parse_args runs __setup handlers such as 6.12's reserve_mem=.
 */
function afterSetupArch(st: BootState): void {
  const { ctx } = st;
  const mb = ctx.memblock;
  const p = ctx.profile;
  // request_standard_resources: one struct resource (64 bytes) per memory region
  mb.alloc(BigInt(mb.memory.regions.length) * 64n, 64n, 'setup_arch');
  // setup_command_line: saved_command_line and static_command_line
  const len = BigInt(new TextEncoder().encode(ctx.cmdline.raw).length + 1);
  mb.alloc(len, 64n, 'start_kernel');
  mb.alloc(len, 64n, 'start_kernel');
  // setup_per_cpu_areas and neighbours: this build's sequence (profile data)
  const done: bigint[] = [];
  const sizes: bigint[] = [];
  for (const s of p.arm64?.lateAllocs ?? []) {
    if (s.op === 'alloc') {
      const r = mb.allocTryNid(
        s.size,
        s.align,
        s.fromMemstart ? (st.memstart ?? 0n) : 0n,
        MEMBLOCK_ALLOC_ACCESSIBLE,
        s.nid ?? NUMA_NO_NODE,
        s.caller,
      );
      done.push(r);
      sizes.push(s.size);
    } else {
      const b = done[s.of];
      const sz = sizes[s.of];
      done.push(0n);
      sizes.push(0n);
      if (!b || sz === undefined) continue;
      if (s.at === 'end') mb.physFree(b + sz, s.size ?? 0n, s.caller);
      else mb.physFree(b, sz, s.caller);
    }
  }
  ctx.printk('notice', `Kernel command line: ${ctx.cmdline.raw}`, 'start_kernel');
  // parse_args → unknown_bootoption / __setup
  reserveMemSetup(st);
  printUnknownBootoptions(st);
  void p;
}

/**
 * print_unknown_bootoptions (init/main.c): builds " a b=c" in a memblock_alloc'd buffer
 * (1 + Σ(1 + strlen)), prints it without the first space, frees the buffer.
 */
function printUnknownBootoptions(st: BootState): void {
  const { ctx } = st;
  const u = ctx.cmdline.unknown;
  if (!u.length) return;
  const len = BigInt(1 + u.reduce((a, x) => a + 1 + new TextEncoder().encode(x).length, 0));
  const buf = ctx.profile.arch === 'arm64' ? ctx.memblock.alloc(len, BigInt(ctx.profile.smpCacheBytes), 'start_kernel') : 0n;
  ctx.printk(
    'notice',
    `Unknown kernel command line parameters "${u.join(' ')}", will be passed to user space.`,
    'print_unknown_bootoptions',
  );
  if (buf) ctx.memblock.physFree(buf, len, 'start_kernel');
}

/** reserve_mem= (mm/memblock.c 6.12): memblock_phys_alloc(size, align) per entry, at most 8, unique names. */
function reserveMemSetup(st: BootState): void {
  const { ctx } = st;
  const mb = ctx.memblock;
  for (const r of ctx.cmdline.reserveMem) {
    if (st.result.reserveMem.length >= 8) break; // RESERVE_MEM_MAX_ENTRIES: -EBUSY
    if (st.result.reserveMem.some((x) => x.name === r.name)) continue; // -EBUSY
    const start = mb.physAlloc(r.size, r.align, 'reserve_mem');
    if (!start) continue; // -ENOMEM
    st.result.reserveMem.push({ name: r.name, base: start, size: r.size });
  }
}

// -------------------------------------------------------------------------------------------------
// dma_contiguous_reserve (kernel/dma/contiguous.c) → cma_declare_contiguous_nid (mm/cma.c)

function dmaContiguousReserve(st: BootState, limit: bigint, highmemStart?: bigint): void {
  const { ctx } = st;
  const p = ctx.profile;
  let size: bigint;
  let base = 0n;
  let selLimit = limit;
  let fixed = false;
  const c = ctx.cmdline.cma;
  if (c) {
    size = c.size;
    base = c.base;
    selLimit = c.limit && limit ? (c.limit < limit ? c.limit : limit) : c.limit || limit; // min_not_zero
    if (((c.base + c.size) & ((1n << 64n) - 1n)) === c.limit) fixed = true;
  } else size = BigInt(p.cmaSizeMBytes) * MiB;
  if (!size || ctx.cma.defaultArea !== undefined) {
    st.result.defaultCma = null;
    return;
  }
  const got = cmaDeclareContiguous(st, base, size, selLimit, fixed, 'reserved', highmemStart);
  st.result.defaultCma = got;
  if (got) {
    (ctx.cma as CmaState & { defaultArea?: string }).defaultArea = 'reserved';
  }
}

function cmaDeclareContiguous(
  st: BootState,
  base: bigint,
  size: bigint,
  limit: bigint,
  fixed: boolean,
  name: string,
  highmemStartIn?: bigint,
): { base: bigint; size: bigint } | null {
  const { ctx } = st;
  const p = ctx.profile;
  const mb = ctx.memblock;
  const memblockEnd = mb.endOfDram();
  const highmemStart = highmemStartIn ?? memblockEnd;
  const nid = NUMA_NO_NODE;
  const pa = (x: bigint) => formatPa(x, p.physAddrBits);
  const node = p.messages.cmaReservedOnNode ? ` on node ${nid}` : '';
  const fail = (sz: bigint) => {
    ctx.printk('err', `cma: Failed to reserve ${sz / MiB} MiB${node}`, 'cma_declare_contiguous_nid');
    return null;
  };
  if (ctx.cma.areaCount === p.maxCmaAreas) {
    ctx.printk('err', 'cma: Not enough slots for CMA reserved regions!', 'cma_declare_contiguous_nid');
    return null;
  }
  if (!size) return null;
  const alignment = p.cmaMinAlignmentBytes;
  if (fixed && base & (alignment - 1n)) {
    ctx.printk('err', `cma: Region at ${pa(base)} must be aligned to ${pa(alignment)} bytes`, 'cma_declare_contiguous_nid');
    return fail(size);
  }
  base = roundUp(base, alignment);
  size = roundUp(size, alignment);
  limit &= ~(alignment - 1n);
  if (!base) fixed = false;
  if (fixed && base < highmemStart && base + size > highmemStart) {
    ctx.printk('err', `cma: Region at ${pa(base)} defined on low/high memory boundary (${pa(highmemStart)})`, 'cma_declare_contiguous_nid');
    return fail(size);
  }
  if (limit === 0n || limit > memblockEnd) limit = memblockEnd;
  if (base + size > limit) {
    ctx.printk('err', `cma: Size (${pa(size)}) of region at ${pa(base)} exceeds limit (${pa(limit)})`, 'cma_declare_contiguous_nid');
    return fail(size);
  }
  if (fixed) {
    if (mb.isRegionReserved(base, size) || mb.reserve(base, size, 'cma_declare_contiguous_nid') < 0) return fail(size);
  } else {
    let addr = 0n;
    const tryHighmem = () => {
      if (!addr && base < highmemStart && limit > highmemStart) {
        addr = mb.allocRangeNid(size, alignment, highmemStart, limit, nid, true);
        limit = highmemStart;
      }
    };
    if (p.cmaHighmemFirst) tryHighmem();
    if (!addr && p.physAddrBits === 64 && !mb.bottomUp && memblockEnd >= SZ_4G + size) {
      mb.setBottomUp(true);
      addr = mb.allocRangeNid(size, alignment, SZ_4G, limit, nid, true);
      mb.setBottomUp(false);
    }
    if (!p.cmaHighmemFirst) tryHighmem();
    if (!addr) {
      addr = mb.allocRangeNid(size, alignment, base, limit, nid, true);
      if (!addr) return fail(size);
    }
    base = addr;
  }
  const ret = cmaInitReservedMem(ctx as never, base, size, name);
  if (ret) {
    mb.physFree(base, size, 'cma_declare_contiguous_nid');
    return fail(size);
  }
  ctx.printk('info', `cma: Reserved ${size / MiB} MiB at ${pa(base)}${node}`, 'cma_declare_contiguous_nid');
  return { base, size };
}

// -------------------------------------------------------------------------------------------------
// crashkernel

const CRASH_ALIGN_ARM64 = 2n * MiB;
const DEFAULT_CRASH_KERNEL_LOW_SIZE = 128n * MiB;

/**
 * arm64 crashkernel: 6.12 arch_reserve_crashkernel → reserve_crashkernel_generic
 * (kernel/crash_reserve.c), 6.1 arm64's own reserve_crashkernel (arch/arm64/mm/init.c). Both after
 * dma_contiguous_reserve in bootmem_init (6.1 defers it there because ZONE_DMA/DMA32 are on).
 * CRASH_ALIGN 2 MiB, CRASH_ADDR_LOW_MAX = arm64_dma_phys_limit, CRASH_ADDR_HIGH_MAX = PHYS_MASK + 1.
 */
function reserveCrashkernelArm64(st: BootState, dmaLimit: bigint): void {
  const { ctx } = st;
  const p = ctx.profile;
  const mb = ctx.memblock;
  if (!ctx.cmdline.raw.includes('crashkernel=')) return;
  const req = parseCrashkernel(ctx.cmdline.raw, mb.physMemSize(), p);
  if (!req) return;
  for (const m of req.messages) ctx.printk(/zero bytes/.test(m) ? 'info' : 'warn', m, 'parse_crashkernel');
  if (req.error) {
    st.result.crashkernel = null;
    return;
  }
  const lowMax = dmaLimit;
  const highMax = 1n << BigInt(p.arm64!.physMaskShift);
  const generic = p.params.crashkernelImpl === 'generic';
  const caller = generic ? 'reserve_crashkernel_generic' : 'reserve_crashkernel';
  const hex16 = (x: bigint) => '0x' + x.toString(16).padStart(16, '0');
  const hex8 = (x: bigint) => '0x' + x.toString(16).padStart(8, '0');
  let size = req.size;
  let lowSize = req.high ? (req.lowSize === -1n ? (generic ? DEFAULT_CRASH_KERNEL_LOW_SIZE : 0n) : req.lowSize) : 0n;
  let base = 0n;
  if (generic) {
    let searchBase = 0n;
    let searchEnd = lowMax;
    const fixed = req.base !== 0n;
    if (fixed) {
      searchBase = req.base;
      searchEnd = req.base + size;
    } else if (req.high) {
      searchBase = lowMax;
      searchEnd = highMax;
    }
    for (;;) {
      base = mb.physAllocRange(size, CRASH_ALIGN_ARM64, searchBase, searchEnd, caller);
      if (base) break;
      if (fixed) {
        ctx.printk('warn', 'crashkernel reservation failed - memory is in use.', caller);
        st.result.crashkernel = null;
        return;
      }
      if (!req.high && searchEnd === lowMax) {
        searchEnd = highMax;
        searchBase = lowMax;
        lowSize = DEFAULT_CRASH_KERNEL_LOW_SIZE;
        continue;
      }
      if (req.high && searchEnd === highMax) {
        searchEnd = lowMax;
        searchBase = 0n;
        continue;
      }
      ctx.printk('warn', `cannot allocate crashkernel (size:0x${size.toString(16)})`, caller);
      st.result.crashkernel = null;
      return;
    }
  } else {
    // 6.1: PAGE_ALIGN(size); base@ narrows the range; no fall-back between low and high
    size = roundUp(size, mb.pageSize);
    let max = req.high ? highMax : lowMax;
    if (req.base) max = req.base + size;
    base = mb.physAllocRange(size, CRASH_ALIGN_ARM64, req.base, max, caller);
    if (!base) {
      ctx.printk('warn', `cannot allocate crashkernel (size:0x${size.toString(16)})`, caller);
      st.result.crashkernel = null;
      return;
    }
  }
  let low: { base: bigint; size: bigint } | undefined;
  if (base >= lowMax && lowSize) {
    const lb = mb.physAllocRange(lowSize, CRASH_ALIGN_ARM64, 0n, lowMax, 'reserve_crashkernel_low');
    if (!lb) {
      ctx.printk('err', `cannot allocate crashkernel low memory (size:0x${lowSize.toString(16)}).`, 'reserve_crashkernel_low');
      mb.physFree(base, size, caller);
      st.result.crashkernel = null;
      return;
    }
    ctx.printk(
      'info',
      `crashkernel low memory reserved: ${hex8(lb)} - ${hex8(lb + lowSize)} (${lowSize >> 20n} MB)`,
      'reserve_crashkernel_low',
    );
    low = { base: lb, size: lowSize };
  }
  ctx.printk('info', `crashkernel reserved: ${hex16(base)} - ${hex16(base + size)} (${size >> 20n} MB)`, caller);
  st.result.crashkernel = low ? { base, size, low } : { base, size };
}

// -------------------------------------------------------------------------------------------------
// arm (32-bit)

function bootArm(st: BootState): void {
  const { ctx, layout } = st;
  const p = ctx.profile;
  const a = p.arm!;
  const mb = ctx.memblock;
  const ramBase = layout.memory[0]!.base;

  // setup_machine_fdt: memory nodes; setup_arch reserves the DTB (fdt_totalsize)
  for (const b of layout.memory) addMemory(mb, b);
  checkForUsableMemRange(ctx);
  if (layout.dtb) mb.reserve(layout.dtb.base, layout.dtb.size, 'setup_arch');
  // parse_early_param: mem= replaces the banks (arch/arm/kernel/setup.c early_mem)
  st.setTraceStart(mb.events.length);
  if (ctx.cmdline.armMemBanks?.length) {
    mb.remove(mb.startOfDram(), mb.endOfDram() - mb.startOfDram(), 'early_mem');
    for (const b of ctx.cmdline.armMemBanks) addMemory(mb, { base: b.start === -1n ? ramBase : b.start, size: b.size });
  }
  // adjust_lowmem_bounds (arch/arm/mm/mmu.c): lowmem ends where the vmalloc area must start
  const PMD = 2n * MiB; // PMD_SIZE: 2 MiB with and without LPAE (a section pair on classic MMU)
  const vmallocSize = ctx.cmdline.vmallocSize ?? a.vmallocDefault;
  const lowmem = () => {
    const vmallocLimit = a.vmallocEnd - vmallocSize - 8n * MiB - a.pageOffset + ramBase; // PHYS_OFFSET
    const mapped = () => mb.memory.regions.filter((r) => !(r.flags & MEMBLOCK_NOMAP));
    const first = mapped()[0];
    if (first && first.base % PMD) mb.markNomap(first.base, roundUp(first.base, PMD) - first.base);
    let lowmemLimit = 0n;
    let memblockLimit = 0n;
    for (const r of mapped()) {
      const e = r.base + r.size;
      if (r.base >= vmallocLimit) continue;
      if (e > lowmemLimit) lowmemLimit = e < vmallocLimit ? e : vmallocLimit;
      if (!memblockLimit) {
        if (r.base % PMD) memblockLimit = r.base;
        else if (e % PMD) memblockLimit = lowmemLimit;
      }
    }
    if (!memblockLimit) memblockLimit = lowmemLimit;
    memblockLimit = roundDown(memblockLimit, PMD);
    mb.setCurrentLimit(memblockLimit);
    return lowmemLimit;
  };
  let lowmemLimit = lowmem();

  // arm_memblock_init
  // AUTO_ZRELADDR: the decompressor runs the kernel at (RAM & 0xf8000000) + TEXT_OFFSET; what it
  // reserves (KERNEL_START) sits at a fixed offset from there on each build (profile)
  const kernelStart = layout.kernelLoad ?? (ramBase & ~0x7ffffffn) + a.kernelOffset;
  mb.reserve(kernelStart, a.kernelSize, 'arm_memblock_init');
  if (layout.initrd?.size) {
    // reserve_initrd_mem (init/initramfs.c): page-aligned, must be memory and not reserved
    const page = mb.pageSize;
    const start = roundDown(layout.initrd.base, page);
    const size = roundUp(layout.initrd.base + layout.initrd.size, page) - start;
    if (!mb.isRegionMemory(start, size)) {
      ctx.printk(
        'err',
        `INITRD: 0x${layout.initrd.base.toString(16).padStart(8, '0')}+0x${layout.initrd.size.toString(16).padStart(8, '0')} is not a memory region - disabling initrd`,
        'reserve_initrd_mem',
      );
    } else if (mb.isRegionReserved(start, size)) {
      ctx.printk(
        'err',
        `INITRD: 0x${layout.initrd.base.toString(16).padStart(8, '0')}+0x${layout.initrd.size.toString(16).padStart(8, '0')} overlaps in-use memory region - disabling initrd`,
        'reserve_initrd_mem',
      );
    } else mb.reserve(start, size, 'reserve_initrd_mem');
  }
  mb.reserve(ramBase + a.pgdirOffset, a.pgdirSize, 'arm_memblock_init'); // arm_mm_memblock_reserve
  platformReservations(st);
  earlyInitFdtScanReservedMem(ctx as never);
  // high_memory for cma_declare_contiguous_nid: __pa(high_memory - 1) + 1 = arm_lowmem_limit
  dmaContiguousReserve(st, a.dmaLimit, lowmemLimit);
  memblockDumpAll(st);
  lowmemLimit = lowmem();
  pagingInitArm(st, lowmemLimit);
  mb.allowResize();
  fdtScanReservedMemRegNodes(ctx as never);
  reserveCrashkernelArm(st, lowmemLimit);
  afterSetupArchArm(st);
}

/**
 * arm paging_init (arch/arm/mm/mmu.c): map_lowmem() needs a PTE table (early_alloc, 4 KiB, below
 * the current limit) for every 2 MiB block where a mapped bank edge is not section aligned; the
 * limit then rises to arm_lowmem_limit; dma_contiguous_remap() re-maps each CMA area's lowmem part
 * page by page (iotable_init: one static_vm, then a PTE table per 2 MiB); devicemaps_init,
 * kmap_init and the zero page follow.
 */
function pagingInitArm(st: BootState, lowmemLimit: bigint): void {
  const mb = st.ctx.memblock;
  const pi = st.ctx.profile.arm!.pagingInit;
  const PMD = 2n * MiB;
  const page = mb.pageSize;
  const early = (sz: bigint) => mb.alloc(sz, sz, 'early_alloc');
  // map_lowmem: sections where [addr, next) and phys are section aligned, else a PTE table per PMD
  const ptes = new Set<bigint>();
  for (const r of mb.memory.regions) {
    if (r.flags & MEMBLOCK_NOMAP) continue;
    const start = r.base;
    let end = r.base + r.size;
    if (end > lowmemLimit) end = lowmemLimit;
    if (start >= end) break;
    for (let addr = start; addr < end; ) {
      const next = roundDown(addr, PMD) + PMD < end ? roundDown(addr, PMD) + PMD : end;
      // alloc_init_pmd → __map_init_section per SECTION_SIZE half when aligned, else PTEs
      for (let a = addr; a < next; ) {
        const n = roundDown(a, pi.sectionSize) + pi.sectionSize < next ? roundDown(a, pi.sectionSize) + pi.sectionSize : next;
        if ((a | n) % pi.sectionSize) ptes.add(roundDown(a, PMD));
        a = n;
      }
      addr = next;
    }
  }
  for (let i = 0; i < ptes.size; i++) early(page);
  mb.setCurrentLimit(lowmemLimit);
  // dma_contiguous_remap: the areas dma_contiguous_early_fixup() recorded, in order
  for (const area of cmaRemapList(st)) {
    const start = area.base;
    let end = area.base + area.size;
    if (end > lowmemLimit) end = lowmemLimit;
    if (start >= end) continue;
    mb.alloc(pi.staticVmSize, pi.staticVmAlign, 'iotable_init');
    for (let b = roundDown(start, PMD); b < end; b += PMD) early(page);
  }
  for (const sz of pi.laterEarlyAllocs) early(sz);
}

/**
 * dma_mmu_remap[] at paging_init time (see ArmLayout.cmaRemap). 6.12: of_reserved_mem calls
 * dma_contiguous_early_fixup() for every shared-dma-pool + reusable region it reserved or
 * allocated — static ones during the scan, then dynamic ones — whatever their handler later says.
 */
function cmaRemapList(st: BootState): Bank[] {
  const a = st.ctx.profile.arm!;
  if (a.cmaRemap === 'cma-areas') return (st.ctx.cma.areas ?? []).map((x) => ({ base: x.base, size: x.size }));
  const out: Bank[] = [];
  const regions = rmemRegions(st.ctx as never).filter((r) => {
    const compat = r.node.props.find((x) => x.name === 'compatible');
    const compats = compat ? new TextDecoder().decode(compat.value).split('\0') : [];
    return (
      compats.includes('shared-dma-pool') &&
      r.reusable &&
      r.base !== null &&
      r.size !== null &&
      !['reserve-failed', 'alloc-failed', 'invalid', 'disabled', 'ignored'].includes(r.status)
    );
  });
  for (const r of regions.filter((x) => !x.dynamic)) {
    out.push({ base: r.base!, size: r.size! });
    for (const e of r.extraRegs) if (e.ok) out.push({ base: e.base, size: e.size });
  }
  for (const r of regions.filter((x) => x.dynamic)) out.push({ base: r.base!, size: r.size! });
  const d = st.result.defaultCma;
  if (d) out.push({ base: d.base, size: d.size });
  return out;
}

/**
 * arm reserve_crashkernel (arch/arm/kernel/setup.c): below the lowmem limit, 128 MiB aligned and
 * not in the first 128 MiB; with @base, that exact window (SECTION_SIZE aligned).
 */
function reserveCrashkernelArm(st: BootState, lowmemLimit: bigint): void {
  const { ctx } = st;
  const mb = ctx.memblock;
  if (!ctx.cmdline.raw.includes('crashkernel=')) return;
  const totalMem = lowmemLimit - mb.startOfDram(); // (max_low_pfn - min_low_pfn) << PAGE_SHIFT
  const req = parseCrashkernel(ctx.cmdline.raw, totalMem, ctx.profile);
  if (!req) return;
  for (const m of req.messages) ctx.printk(/zero bytes/.test(m) ? 'info' : 'warn', m, 'parse_crashkernel');
  if (req.error || !req.size) {
    st.result.crashkernel = null;
    return;
  }
  const CRASH_ALIGN = 128n * MiB;
  let base = req.base;
  if (base <= 0n) {
    const idmapMax = 0xffffffffn; // idmap_to_phys((u32)~0) without a boot alias
    const crashMax = idmapMax > lowmemLimit ? lowmemLimit : idmapMax;
    base = mb.physAllocRange(req.size, CRASH_ALIGN, CRASH_ALIGN, crashMax, 'reserve_crashkernel');
    if (!base) {
      ctx.printk('err', 'crashkernel reservation failed - No suitable area found.', 'reserve_crashkernel');
      st.result.crashkernel = null;
      return;
    }
  } else {
    const SECTION_SIZE = ctx.profile.physAddrBits === 64 ? 2n * MiB : 1n * MiB;
    if (!mb.physAllocRange(req.size, SECTION_SIZE, base, base + req.size, 'reserve_crashkernel')) {
      ctx.printk('err', 'crashkernel reservation failed - memory is in use.', 'reserve_crashkernel');
      st.result.crashkernel = null;
      return;
    }
  }
  ctx.printk(
    'info',
    `Reserving ${req.size >> 20n}MB of memory at ${base >> 20n}MB for crashkernel (System RAM: ${totalMem >> 20n}MB)`,
    'reserve_crashkernel',
  );
  st.result.crashkernel = { base, size: req.size };
}

function afterSetupArchArm(st: BootState): void {
  const { ctx } = st;
  ctx.printk('notice', `Kernel command line: ${ctx.cmdline.raw}`, 'start_kernel');
  reserveMemSetup(st);
  printUnknownBootoptions(st);
}

export type { MemblockEvent };
