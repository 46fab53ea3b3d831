// What one simulated boot carries from the arch setup files to the generic ones (of_reserved_mem,
// dma_contiguous_reserve, crashkernel, start_kernel): the kernel keeps this in globals
// (memblock, boot_command_line, memstart_addr, dma_contiguous_default_area, crashk_res).
import type { BootCpu } from '../platform/cpu.js';
import type { PossibleCpus } from './smp.js';
import type { PageAllocStart } from './mm-init.js';
import type { Tree } from '../tree/types.js';
import type { Diagnostic, Span } from '../diagnostics.js';
import type { LogLine, Trace } from './context.js';
import type { AllocRun, Memblock, MemblockRegion } from './memblock.js';
import type { CmdlineState, EarlyParam, EarlyReserveApi } from './cmdline.js';
import type { Bank, PlatformLayout } from '../platform/index.js';
import type { KernelProfile } from './profiles/types.js';
import type { ReservedMemHandler } from './handler-api.js';
import type { CmaState, RmemState } from './rmem.js';
import { hex } from './memblock.js';

export const MiB = 1n << 20n;

/**
 * parse_early_param ran a handler that reads a bare parameter's value through NULL (cmdline.ts
 * earlyFault). arm64's exception vectors are live from head.S: the fault oopses in the idle task
 * (do_mem_abort → die_kernel_fault), which cannot exit. arm maps its vectors only in paging_init
 * (devicemaps_init → early_trap_init): the abort finds none and the CPU loops without a word.
 */
export function earlyParamFault(st: Pick<BootState, 'ctx'>): void {
  const f = st.ctx.cmdline.earlyFault;
  if (!f) return;
  const why = `\`${f.param}\` without a value: do_early_param passes ${f.fn} a NULL string, which it reads (init/main.c parse_early_param, from setup_arch)`;
  if (st.ctx.profile.arch === 'arm')
    throw new BootHang(
      f.fn,
      `${why}; the data abort comes before paging_init maps the exception vectors (arch/arm/mm/mmu.c devicemaps_init), and the CPU loops on the vector page`,
    );
  throw new BootPanic(
    'Attempted to kill the idle task!',
    [
      'Unable to handle kernel NULL pointer dereference at virtual address 0000000000000000',
      'Kernel panic - not syncing: Attempted to kill the idle task!',
    ],
    f.fn,
    `${why}; the NULL pointer dereference oopses in the idle task (arch/arm64/mm/fault.c die_kernel_fault), which cannot exit`,
  );
}

/** A memory zone as free_area_init sets it up (mm/mm_init.c): [base, base + size), never empty. */
export interface Zone {
  name: 'DMA' | 'DMA32' | 'Normal' | 'HighMem';
  base: bigint;
  size: bigint;
}

/**
 * arm (FLATMEM): __pa(pfn_to_page(pfn)), the physical address of pfn's struct page: mem_map +
 * (pfn - PHYS_PFN_OFFSET) (include/asm-generic/memory_model.h), for a pfn mem_map covers or not.
 */
export function structPageAt(st: Pick<BootState, 'ctx' | 'layout' | 'memMap'>, pfn: bigint): bigint {
  const ps = st.ctx.memblock.pageSize;
  return st.memMap!.base + (pfn - st.layout.memory[0]!.base / ps) * st.ctx.profile.arm!.structPageSize;
}

/** The zone free_area_init gave the page at `pa` (st.result.zones), or none (outside every zone, or before free_area_init). */
export function zoneAt(st: Pick<BootState, 'result'>, pa: bigint): Zone | undefined {
  return (st.result.zones ?? []).find((z) => z.base <= pa && pa < z.base + z.size);
}

/**
 * free_area_init's zones from the arch's max_zone_pfns (zone_sizes_init): each zone ends at its
 * limit (a pfn) and starts where the one below ended, the first at `minPfn`; empty ones are left out.
 */
export function zonesFromLimits(minPfn: bigint, limits: readonly (readonly [Zone['name'], bigint])[], pageSize: bigint): Zone[] {
  const out: Zone[] = [];
  let start = minPfn;
  for (const [name, end] of limits) {
    if (end <= start) continue;
    out.push({ name, base: start * pageSize, size: (end - start) * pageSize });
    start = end;
  }
  return out;
}

export interface BootInput {
  tree: Tree;
  /** The DTB the tree was read from: the kernel reads a few malformed properties past their end in it. */
  blob?: Uint8Array;
  /** Where the platform put memory, the kernel, the initrd and the DTB (src/platform, as loadBoard lays a board out). */
  layout: PlatformLayout;
  profile: KernelProfile;
  handlers: ReservedMemHandler[];
  /** Default: the tree's /chosen/bootargs. */
  bootargs?: string;
  /** Board code's early parameters (declareEarlyParam). */
  earlyParams?: EarlyParam[];
  /** arm64: the boot CPU (loadBoard's Board.cpu); a 52-bit build uses its VA size only if the CPU has the feature it needs. */
  cpu?: BootCpu;
  /**
   * Which measured out-of-memory ladders the boot reads (oom.ts ownLadder): the lab's alone
   * (`lab`: a replay of lab records, which a developer's kernel cache must not change), or also
   * those `carveout kernels measure` put in the kernel cache (`lab+cache`, the default: a user's plan).
   */
  ladders?: 'lab' | 'lab+cache';
}

/** Everything one simulated boot carries; rmem.ts reads it as its RmemHost. */
export interface BootContext {
  tree: Tree;
  blob?: Uint8Array;
  profile: KernelProfile;
  memblock: Memblock;
  log: LogLine[];
  handlers: ReservedMemHandler[];
  cmdline: CmdlineState;
  cma: CmaState;
  rmem?: RmemState;
  diagnostics: Diagnostic[];
  printk(level: LogLine['level'], text: string, source?: string): void;
  /** What memblock_alloc zeroes, checked by the boot (touch; set once the BootState exists). */
  zeroed?(base: bigint, size: bigint, fn: string): void;
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
  /** The kernel image's own memblock_reserve (arm64_memblock_init, arm_memblock_init). */
  kernelImage?: { base: bigint; size: bigint; caller: string };
  /** arm: the PMD from which prepare_page_table cleared the kernel image's own mappings (arch/arm/mmu.ts). */
  kernelUnmappedFrom?: bigint;
  /** Regions board code handed to drivers (EarlyReserveApi.handOff). */
  handoffs: { driver: string; base: bigint; size: bigint }[];
  /** memblock's tables when the kernel prints them (memblock_dump_all: end of bootmem_init / arm_memblock_init). */
  memblockDump?: { memory: MemblockRegion[]; reserved: MemblockRegion[] };
  /** The memory zones (zone_sizes_init), once the arch set them up. */
  zones?: Zone[];
  /** What memblock_free_all handed to the page allocator (arm64; mm-init.ts pageAllocStart). */
  pageAlloc?: PageAllocStart;
  /** The kernel panicked in the model (e.g. memblock array overflow on 6.12): its panic() message. */
  panic?: string;
  /** Where it died (the kernel function its call trace shows) and why, in words. */
  panicFunction?: string;
  panicReason?: string;
  /** The source the panic is about (a node of the tree), when one is. */
  panicSpan?: Span;
  /**
   * The kernel hangs in the model: where (the kernel function) and why; it prints nothing more,
   * unless `printed` says what comes first (an oops in a worker the boot then waits for).
   */
  hang?: { function: string; reason: string; printed?: string; trace?: string; loop?: string[] };
}

/**
 * The modelled kernel oopses/panics: the boot stops there, like the real one. `message` is what
 * panic() prints, `lines` the log up to it, `fn` the kernel function that dies, `reason` why.
 */
export class BootPanic extends Error {
  constructor(
    message: string,
    readonly lines: string[],
    readonly fn: string,
    readonly reason: string,
    /** The source it is about, when one is (e.g. the node that overruns an array). */
    readonly span?: Span,
  ) {
    super(message);
  }
}

/**
 * The modelled kernel stops for good without a word: e.g. a BUG() before the exception vectors are
 * mapped (arm's paging_init) traps into unmapped vectors and loops there. `fn` is where, `reason` why.
 */
export class BootHang extends Error {
  constructor(
    readonly fn: string,
    readonly reason: string,
    /** What the kernel still prints before it falls silent, when something does. */
    readonly printed?: string,
    /** A function the call traces it prints before then name (bad_page reports, a worker's oops). */
    readonly trace?: string,
    /** Lines it prints over and over instead of falling silent (a fault its own report faults again on). */
    readonly loop?: string[],
  ) {
    super(`hang in ${fn}`);
  }
}

export interface BootState {
  ctx: BootContext;
  layout: PlatformLayout;
  input: BootInput;
  result: BootResult;
  reserveHooks: ((mb: EarlyReserveApi) => void)[];
  setTraceStart(n: number): void;
  /**
   * arm64 memstart_addr once arm64_memblock_init computed it, where the linear map starts in
   * physical memory: the base the page-table and fault models count from (for a 52-bit build
   * running with fewer bits, before the kernel moves memstart_addr down, which leaves every linear
   * address the same: Arm64Layout.memstartDown).
   */
  memstart?: bigint;
  /**
   * arm64 PHYS_OFFSET, memstart_addr as the kernel keeps it (u64, moved down by memstartDown):
   * __pa(MAX_DMA_ADDRESS), the min_addr of sparse_init's and the per-cpu areas' allocations, as
   * memblock=debug prints it (a moved-down one fails and is retried from 0).
   */
  physOffset?: bigint;
  /**
   * Memory left out of the linear map by paging_init (arm64: NOMAP then; arm: what
   * dma_contiguous_remap cleared and did not map again); writing there faults.
   */
  unmapped?: Bank[];
  /**
   * arm: the PTE table paging_init left in each 2 MiB block of the linear map (block → the table's
   * physical address): map_lowmem's for blocks a bank edge cuts, dma_contiguous_remap's for the
   * blocks it cleared. A block without one is mapped with sections, or not at all.
   */
  pteTables?: Map<bigint, bigint>;
  /**
   * The last report the kernel printed that the plan's log does not reproduce (a UBSAN report: its
   * call trace's offsets are the build's code), with the log's length then: a hang that follows
   * with nothing printed in between leaves the console ending in that report's call trace, which
   * names `fn` (PlanResult.boot.trace).
   */
  consoleReport?: { fn: string; what: string; at: number };
  /** CMA areas cma_activate_area gave up on ("could not be activated"): their count is 0. */
  cmaNotActivated?: Set<string>;
  /** reserve_initrd_mem dropped the initrd (why, as it printed): no initramfs to run /init from. */
  initrdDropped?: string;
  /**
   * arm (FLATMEM): where alloc_node_mem_map put mem_map, as the physical address of the struct
   * page of pfn PHYS_PFN_OFFSET (pfn_to_page(pfn) = mem_map + (pfn - PHYS_PFN_OFFSET), any pfn).
   * 7.2 allocates it after setup_arch, below the unflattened tree: the lab's 7.2 faults in struct
   * pages (cma_activate_area, memmap_init_range) show the same addresses as the model, 5 of 5.
   */
  memMap?: { base: bigint };
  /**
   * arm64 without SPARSEMEM_VMEMMAP (5.10's choice): where each present section's memmap array
   * lies, per node: its present sections (runs of section numbers, in order) and the allocations
   * that gave their arrays, one a section in the same order (sparse.ts; free_unused_memmap reads it).
   */
  sectionMemmaps?: { ranges: [bigint, bigint][]; runs: AllocRun[] }[];
  /** arm64_dma_phys_limit (zone_sizes_init): ZONE_DMA's end, ARCH_LOW_ADDRESS_LIMIT + 1. */
  dmaPhysLimit?: bigint;
  /** free_area_init's nr_kernel_pages (mm-init.ts calcNrKernelPages). */
  nrKernelPages?: bigint;
  /** free_area_init's nr_all_pages: nr_kernel_pages and highmem's (mm-init.ts calcNrKernelPages). */
  nrAllPages?: bigint;
  /**
   * free_area_init's node present pages, summed (what get_num_physpages() returns later): counted
   * from memblock.memory as it is then, before a failed no-map region's memblock_clear_nomap that
   * runs later (6.12 arm: fdt_scan_reserved_mem_reg_nodes from unflatten_device_tree) merges a
   * region split inside a page back.
   */
  physPages?: bigint;
  /** The possible CPUs and nr_cpu_ids (smp.ts), once setup_arch's CPU map is made. */
  cpus?: PossibleCpus;
  /**
   * arm64 arch_numa_init: the NUMA nodes set up, ascending, each with its NODE_DATA; `fromTree`
   * when of_numa_init's configuration was taken (cpus then map to their node), not the dummy node.
   */
  numa?: { nodes: NumaNode[]; fromTree: boolean; off: boolean };
}

/** A node arch_numa_init set up: its id and where setup_node_data put its pg_data_t (0: nowhere). */
export interface NumaNode {
  nid: number;
  nodeData: bigint;
}

/**
 * The kernel writes the block it just got through the linear map (memblock_alloc zeroes it,
 * NODE_DATA is memset): memory that was NOMAP when paging_init built the map — a no-map region
 * whose handler failed gets its NOMAP cleared later (6.12) — faults, and the boot dies.
 */
export function touch(st: BootState, base: bigint, size: bigint, fn: string): void {
  if (!base || !st.unmapped || st.ctx.profile.arch !== 'arm64') return;
  for (const u of st.unmapped) {
    if (base < u.base + u.size && u.base < base + size) {
      const addr = base > u.base ? base : u.base;
      const va = st.ctx.profile.arm64!.pageOffset + (addr - (st.memstart ?? 0n));
      throw new BootPanic(
        'Attempted to kill the idle task!',
        [
          `Unable to handle kernel paging request at virtual address ${va.toString(16).padStart(16, '0')}`,
          'Kernel panic - not syncing: Attempted to kill the idle task!',
        ],
        fn,
        `it zeroes [${hex(base)}-${hex(base + size - 1n)}] through the linear map, but ${hex(u.base)}+${hex(u.size)} was no-map when paging_init built the map (arch/arm64/mm/mmu.c map_mem skips NOMAP memory${st.ctx.profile.series.arm64.mapMemRoundsInward ? ', and the whole pages a no-map range only partly covers' : ''})`,
      );
    }
  }
  writeRam(st, base, size, fn);
}

/**
 * memblock.memory can hold more than the machine has: 5.10's fdt_init_reserved_mem gives a no-map
 * region whose handler failed back with memblock_add, whole, also the part outside RAM
 * (drivers/of/of_reserved_mem.c). Says why [base, base + size) is no memory at all, if it is not.
 */
export function notRam(st: BootState, base: bigint, size: bigint): string | undefined {
  if (st.layout.memory.some((b) => b.base <= base && base + size <= b.base + b.size)) return undefined;
  return `[${hex(base)}-${hex(base + size - 1n)}], ${notRamWhy(st)}`;
}

/** What notRam says of memory that is not RAM, after naming it. */
export function notRamWhy(st: BootState): string {
  return `which memblock.memory holds but is not RAM (RAM: ${st.layout.memory.map((b) => `${hex(b.base)}+${hex(b.size)}`).join(', ')}): a failed no-map region given back whole with memblock_add (drivers/of/of_reserved_mem.c fdt_init_reserved_mem)`;
}

/**
 * A block memblock hands out where there is no RAM (notRam): the write that zeroes it is an
 * external abort, and once the exception vectors are mapped the boot dies in the idle task (arm64:
 * from the start; arm: after devicemaps_init, pagingInit says what happens before).
 */
export function writeRam(st: BootState, base: bigint, size: bigint, fn: string): void {
  const off = notRam(st, base, size);
  if (!off) return;
  const abort = st.ctx.profile.arch === 'arm64' ? ['Internal error: synchronous external abort'] : [];
  throw new BootPanic(
    'Attempted to kill the idle task!',
    [...abort, 'Kernel panic - not syncing: Attempted to kill the idle task!'],
    fn,
    `it zeroes ${off}`,
  );
}

/** memblock_dump_all(): keep a copy of both tables, printed with memblock=debug (mm/memblock.c). */
export function memblockDumpAll(st: BootState): void {
  const mb = st.ctx.memblock;
  st.result.memblockDump = mb.tables();
  if (!st.ctx.cmdline.memblockDebug) return;
  for (const line of mb.dump()) st.ctx.printk('info', line, 'memblock_dump_all');
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

/** --reserve entries and board early_param hooks, before /reserved-memory is scanned. */
export function platformReservations(st: BootState): void {
  const mb = st.ctx.memblock;
  for (const r of st.layout.extra) mb.reserve(r.base, r.size, `platform:${r.name}`);
  for (const fn of st.reserveHooks) fn(reserveApi(st, 'early_param'));
}
