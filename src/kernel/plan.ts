// plan(board, options): what the chosen kernel does with a board's reserved memory.
//
// Orchestration only: the board and its platform come from loadBoard (src/board.ts,
// src/platform/); the profile, command line and arch boot sequence live in boot.ts (and
// cmdline.ts, profiles/); of_reserved_mem and the handlers in rmem.ts and handlers/. plan() runs
// one simulated boot and turns its state into the user-facing result.
import { earlyMapKernel } from './arch/arm64/setup.js';
import { chosenBootargs } from './of-fdt.js';
import type { BootCpu } from '../platform/cpu.js';
import type { PageAllocStart } from './mm-init.js';
import { Script, createContext } from 'node:vm';
import { platformLayoutOf, type Board } from '../board.js';
import { defaultKernelLoad, type Bank } from '../platform/index.js';
import { memoryRegs } from '../platform/layout.js';
import { getProp, nodePath, type Tree } from '../tree/types.js';
import type { Diagnostic } from '../diagnostics.js';
import { diag, hasErrors } from '../diagnostics.js';
import type { LogLine, Trace } from './context.js';
import type { Zone } from './boot-state.js';
import type { MemblockRegion } from './memblock.js';
import type { ReservedMemHandler } from './handler-api.js';
import type { EarlyParam } from './cmdline.js';
import { errnoText } from './errno.js';
import type { RegionStatus, RmemHost, RmemRegion } from './rmem.js';
import { attachConsumers, rmemRegions } from './rmem.js';
import { builtinHandlers } from './handlers/index.js';
import * as bootModule from './boot.js';
import { getProfile, profileIds } from './profiles/index.js';
import { storedKernel } from './build/store.js';
import type { KernelProfile } from './profiles/types.js';
import { maxThreads } from './fork.js';

export interface PlanOptions {
  /** Kernel ID (`6.12-arm64`, …) or a profile object. */
  kernel: string | KernelProfile;
  /** Command line; default: what the board's platform passes (Board.bootargs), else the tree's /chosen/bootargs. */
  bootargs?: string;
  /** User handlers, tried after the kernel's own table. */
  handlers?: ReservedMemHandler[];
  /** Board code's early parameters (declareEarlyParam, src/kernel/cmdline.ts). */
  earlyParams?: EarlyParam[];
  /** How long the boot may run user handlers and early parameters before it is stopped (ms). */
  handlerTimeLimitMs?: number;
  /** Which measured out-of-memory ladders the plan reads (BootInput.ladders): `lab` for a replay of lab records. */
  ladders?: bootModule.BootInput['ladders'];
}

/** Default bound on a boot that runs user code (a setup that loops forever must not hang plan). */
export const HANDLER_TIME_LIMIT_MS = 10_000;

/**
 * Run `fn` under a watchdog: node:vm's timeout terminates whatever JavaScript runs inside the
 * call, including functions from this realm, so one watchdog covers the whole boot.
 */
function withTimeLimit<T>(fn: () => T, ms: number): { value: T } | { timedOut: true } {
  const ctx = createContext({ run: fn, out: undefined as { value: T } | undefined });
  try {
    new Script('out = { value: run() }').runInContext(ctx, { timeout: ms });
  } catch (e) {
    // The timeout error is made in the context's realm: not an instance of this realm's Error.
    if (typeof e === 'object' && e !== null && 'code' in e && e.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return { timedOut: true };
    throw e;
  }
  return ctx.out as { value: T };
}

/**
 * A region as the plan reports it: the model's RmemRegion (src/kernel/rmem.ts) minus the live node
 * and bookkeeping, with errno returns spelled as the kernel would (`0`, `-EINVAL`) and consumers as
 * path strings, so it serialises as JSON.
 */
export type PlanRegion = Pick<
  RmemRegion,
  'name' | 'path' | 'base' | 'size' | 'nomap' | 'reusable' | 'dynamic' | 'status' | 'handler' | 'placement' | 'steps'
> & {
  /** The setup's return value as the kernel would see it (`0`, `-EINVAL`, …), null when not called. */
  result: string | null;
  attempts: { compatible: string; handler: string; origin: string; ret: string }[];
  consumers: string[];
};

/** Memory taken outside /reserved-memory that a user wants to see beside the regions. */
export interface EarlyReservation {
  name: string;
  base: bigint;
  size: bigint;
  /** Who took it: `arm64_memblock_init`/`arm_memblock_init` (the kernel image), `platform` (initrd, DTB, --reserve), `cma=`/default CMA, `crashkernel=`, `reserve_mem=`, board code. */
  source: string;
}

export interface PlanResult {
  kernel: string;
  /** The kernel's arch (the profile's; the board's when no profile was found). */
  arch?: 'arm64' | 'arm';
  regions: PlanRegion[];
  /** RAM banks the boot used. */
  memory: { base: bigint; size: bigint }[];
  /** The memory zones the kernel set up (zone_sizes_init → free_area_init), lowest first, empty ones left out. */
  zones: Zone[];
  /**
   * arm64: what memblock_free_all hands to the page allocator (`free`, bytes) and the figures of
   * mem_init_print_info's "Memory: <available>K/<total>K available (… <reserved>K reserved,
   * <cmaReserved>K cma-reserved)". `available` where the series prints it right after
   * memblock_free_all (5.10, 6.1); 6.12+ print it after start_kernel and kernel_init have taken
   * their share, which no file states.
   */
  pageAllocator?: {
    /** Lowmem only on arm (what GFP_KERNEL allocations can have). */
    free: bigint;
    /** arm: the highmem pages handed over beside it (the line's "highmem" figure, printed in 5.10/6.1 right then). */
    highmem?: bigint;
    total: bigint;
    reserved: bigint;
    cmaReserved: bigint;
    available?: bigint;
    /** memblock_estimated_nr_free_pages() in bytes (mm-init.ts PageAllocStart.estimatedFreePages). */
    estimatedFree: bigint;
    /** fork_init's max_threads (fork.ts): at most this many tasks, the kernel's own threads included. */
    maxThreads: number;
    /**
     * 7.2: the order of bio_integrity_initfn's pool blocks (2 MiB) and how many blocks of it
     * GFP_KERNEL's zone has free before the boot's own allocations (page-alloc.ts highOrderBlocks).
     */
    highOrder?: { order: number; blocks: number };
  };
  /**
   * memblock's two tables where memblock_dump_all prints them (`MEMBLOCK configuration:` with
   * memblock=debug): at the end of arm64's bootmem_init and arm's arm_memblock_init. Absent when the
   * boot dies before.
   */
  memblockDump?: { memory: MemblockRegion[]; reserved: MemblockRegion[] };
  early: EarlyReservation[];
  /** How the board was booted (loadBoard): platform, boot method, what the boot loader or EFI stub changed in the tree. */
  loader: {
    platform: string;
    boot: Board['boot'];
    edits: string[];
    /** arm64: where the boot loader put the Image (_text), and whether the platform said (`platform`) or it is the first free place (`first-free`). */
    kernel?: { base: bigint; placed: 'platform' | 'first-free' };
    /** arm64: the boot CPU (Board.cpu: where it was taken from) and the virtual address bits the kernel ran with on it. */
    cpu?: { name: string; from: BootCpu['from']; vaBits?: number };
  };
  /**
   * arm: prepare_page_table cleared the kernel image's own mappings from this PMD (physical address)
   * until paging_init mapped them again (the kernel-unmapped-in-paging-init warning, or its measured hang).
   */
  kernelUnmappedFrom?: bigint;
  /** Later, when drivers probe: each consumer's of_reserved_mem_device_init_by_idx() (handlers' device_init hooks). */
  attach: { device: string; index: number; region: string; ret: string; deviceInit: boolean; log: string[] }[];
  log: LogLine[];
  diagnostics: Diagnostic[];
  trace: Trace;
  /**
   * How the boot ends: `ok`, or `panic`/`hang` with the kernel function it dies in and why (`panic`:
   * the message after "Kernel panic - not syncing:"); `not-run` when the input could not be booted.
   * `trace`: a hang past the memory phase, a function the call traces the kernel prints before it
   * falls silent name (the reports that come first, when the hang itself prints nothing).
   */
  boot: {
    outcome: 'ok' | 'panic' | 'hang' | 'not-run';
    function?: string;
    reason?: string;
    panic?: string;
    trace?: string;
    /** A hang that is not silent: the lines the kernel prints over and over (a fault its report faults on again). */
    loop?: string[];
  };
  /** Exit status: 0 all placed and accepted (or no handler), 1 the kernel rejects or fails to place one, 2 bad input. */
  exitCode: 0 | 1 | 2;
}

/**
 * The plan's warnings that a boot it predicts to live may die all the same: what decides it is the
 * run's, not the layout's — which allocation first gets pages memblock_free_all should not have
 * handed out (of the running image, the initrd, the DTB, pages that are not RAM or have no linear
 * mapping or struct page), what the TLB holds while arm's paging_init maps the kernel again, which
 * allocation fails first near a build's measured out-of-memory boundary. Booted, such layouts were
 * seen both to die and to live (test/kernel/replay.test.ts OPEN_DEATHS). check's boot-at-risk rule
 * reports them. Not region-straddles-ram-start: of the 496 lab boots it fired on, 455 reached /init
 * and each of the 41 that died carried one of these as well.
 */
export const BOOT_RISKS: ReadonlySet<string> = new Set([
  'kernel-image-freed',
  'initrd-pages-freed',
  'fdt-pages-freed',
  'free-pages-not-ram',
  'free-pages-unmapped',
  'memory-below-linear-map',
  'mem-map-unmapped',
  'cma-area-without-struct-pages',
  'kernel-unmapped-in-paging-init',
  'rmem-stack-overrun',
  'out-of-memory-near-boundary',
  'out-of-memory-unmeasured',
  'out-of-memory-may-hang',
  'high-order-blocks-near-boundary',
  'thread-limit',
]);

/** PageAllocStart (pages) as PlanResult.pageAllocator (bytes). */
function pageAllocatorFigures(pa: PageAllocStart, profile: KernelProfile): NonNullable<PlanResult['pageAllocator']> {
  const b = (pages: bigint) => pages * pa.pageSize;
  return {
    free: b(pa.freed),
    // mem_init_print_info prints the highmem figure with CONFIG_HIGHMEM only
    ...(profile.arm?.highmem ? { highmem: b(pa.highPages) } : {}),
    total: b(pa.physPages),
    reserved: b(pa.physPages - pa.freed - pa.highPages - pa.cmaPages),
    cmaReserved: b(pa.cmaPages),
    estimatedFree: b(pa.estimatedFreePages),
    maxThreads: maxThreads(pa, profile),
    ...(pa.highOrder ? { highOrder: pa.highOrder } : {}),
    // arm: lowmem and highmem (mem_init's free_highpages runs before mem_init_print_info on 5.10/6.1)
    ...(profile.series.pageAlloc.memoryLine === 'mem-init' ? { available: b(pa.freedBeforeDeferred) } : {}),
  };
}

const failing: RegionStatus[] = ['rejected', 'reserve-failed', 'alloc-failed', 'invalid', 'no-space'];

export function toPlanRegion(r: RmemRegion): PlanRegion {
  return {
    name: r.name,
    path: r.path,
    base: r.base,
    size: r.size,
    nomap: r.nomap,
    reusable: r.reusable,
    dynamic: r.dynamic,
    status: r.status,
    handler: r.handler,
    result: r.result === null ? null : errnoText(r.result),
    attempts: r.attempts.map((a) => ({ compatible: a.compatible, handler: a.handler, origin: a.origin, ret: errnoText(a.ret) })),
    placement: r.placement,
    steps: r.steps,
    consumers: r.consumers.map((c) => (c.name ? `${c.path} (${c.name})` : c.path)),
  };
}

/**
 * PHYS_MASK_SHIFT, the physical address bits the kernel can reach: arm64's CONFIG_ARM64_PA_BITS,
 * 40 with ARM LPAE (arch/arm/include/asm/pgtable-3level-hwdef.h), else arm's 32-bit phys_addr_t.
 */
export function physMaskShift(p: KernelProfile): number {
  return p.arm64?.physMaskShift ?? (p.physAddrBits === 64 ? 40 : 32);
}

/**
 * RAM or an initrd that ends past the kernel's physical address space is no machine this kernel
 * runs on (arm64_memblock_init would drop it without a word, memblock_remove(1ULL <<
 * PHYS_MASK_SHIFT, ULLONG_MAX); a 32-bit phys_addr_t cannot even hold it): an error naming the
 * memory node or the flag it came from.
 */
function beyondPhysAddr(board: Board, tree: Tree, p: KernelProfile): Diagnostic[] {
  const bits = physMaskShift(p);
  const limit = 1n << BigInt(bits);
  const hex = (x: bigint) => `0x${x.toString(16)}`;
  const past = (what: string, b: Bank) =>
    `${what} [${hex(b.base)}-${hex(b.base + b.size - 1n)}] ends past the ${bits}-bit physical address space of ${p.id} (${hex(limit - 1n)})`;
  const out: Diagnostic[] = [];
  const regs = memoryRegs(tree);
  for (const b of board.memory) {
    if (b.base + b.size <= limit) continue;
    const reg = regs.find((r) => r.base === b.base && r.size === b.size);
    const prop = reg && (getProp(reg.node, 'linux,usable-memory') ?? getProp(reg.node, 'reg'));
    if (reg && prop) out.push(diag('error', 'beyond-phys-addr', past(`memory node ${nodePath(reg.node)}: RAM`, b), prop.span));
    else
      out.push(
        diag(
          'error',
          'beyond-phys-addr',
          past('RAM', b),
          undefined,
          `--ram or --memory: at most ${hex(limit - b.base)} bytes from ${hex(b.base)}`,
        ),
      );
  }
  const rd = board.placements.initrd;
  if (rd?.size && rd.base + rd.size > limit)
    out.push(diag('error', 'beyond-phys-addr', past('initrd', rd), undefined, 'a smaller --initrd-size or --initrd'));
  return out;
}

export function resolveProfile(kernel: string | KernelProfile): KernelProfile | undefined {
  if (typeof kernel !== 'string') return kernel;
  // a built-in id, else a build stored by `kernels add`
  return getProfile(kernel) ?? storedKernel(kernel)?.profile;
}

/** Run one simulated boot of a loaded board (loadBoard, src/board.ts) and report what of_reserved_mem and the handlers did. */
export function plan(board: Board, options: PlanOptions): PlanResult {
  const diagnostics: Diagnostic[] = [...board.diagnostics];
  const profile = resolveProfile(options.kernel);
  const kernelId = typeof options.kernel === 'string' ? options.kernel : options.kernel.id;
  const loader: PlanResult['loader'] = { platform: board.platform, boot: board.boot, edits: board.edits };
  const none = (): PlanResult => ({
    kernel: kernelId,
    ...((profile?.arch ?? board.arch) ? { arch: profile?.arch ?? board.arch } : {}),
    regions: [],
    memory: [],
    zones: [],
    early: [],
    loader,
    attach: [],
    diagnostics,
    log: [],
    trace: { events: [] },
    boot: { outcome: 'not-run' },
    exitCode: 2,
  });
  if (!profile) {
    diagnostics.push(diag('error', 'unknown-kernel', `unknown kernel '${kernelId}'`, undefined, `known: ${profileIds.join(', ')}`));
    return none();
  }
  diagnostics.push(...(profile.buildDiagnostics ?? []));
  if (board.arch !== undefined && board.arch !== profile.arch)
    diagnostics.push(
      diag(
        'error',
        'arch-mismatch',
        `the board was laid out for ${board.platform} on ${board.arch}, kernel ${profile.id} is ${profile.arch}`,
        undefined,
        `loadBoard(..., { arch: '${profile.arch}' })`,
      ),
    );
  const bootargs = options.bootargs ?? board.bootargs;
  if (board.tree) {
    // PHYS_MASK_SHIFT as the boot CPU leaves it (48 for an LPA2 build on a core without LPA2)
    const seen =
      profile.arch === 'arm64' ? earlyMapKernel(profile, board.cpu, bootargs ?? chosenBootargs(board.tree) ?? '').profile : profile;
    diagnostics.push(...beyondPhysAddr(board, board.tree, seen));
  }
  if (!board.tree || hasErrors(diagnostics)) return none();
  // Which user handler is running, to name it if the watchdog stops the boot.
  let running: string | undefined;
  const userHandlers = (options.handlers ?? []).map(
    (h): ReservedMemHandler => ({
      ...h,
      setup: (rmem, k) => {
        running = `handler '${h.name}' (${h.origin}) for ${rmem.name}`;
        try {
          return h.setup(rmem, k);
        } finally {
          running = undefined;
        }
      },
    }),
  );
  const handlers = [...builtinHandlers(profile.reservedMemConfig, profile.series.rmem.tableCalls), ...userHandlers];
  const layout = platformLayoutOf(board);
  const a64 = profile.arm64;
  if (a64) {
    const span = a64.reserveStartOffset + a64.reserveSize;
    const placed = layout.kernelLoad !== undefined ? 'platform' : 'first-free';
    layout.kernelLoad ??= defaultKernelLoad(board.tree, layout, { span, offset: a64.textOffset });
    if (layout.kernelLoad !== undefined) loader.kernel = { base: layout.kernelLoad, placed };
  }
  const kernelBlob = board.kernelBlob ?? board.blob;
  const input: bootModule.BootInput = {
    tree: board.tree,
    profile,
    handlers,
    layout,
    ...(kernelBlob ? { blob: kernelBlob } : {}),
    ...(board.cpu ? { cpu: board.cpu } : {}),
    ...(bootargs !== undefined ? { bootargs } : {}),
    ...(options.earlyParams !== undefined ? { earlyParams: options.earlyParams } : {}),
    ...(options.ladders !== undefined ? { ladders: options.ladders } : {}),
  };
  const userCode = userHandlers.length > 0 || (options.earlyParams?.length ?? 0) > 0;
  const limit = options.handlerTimeLimitMs ?? HANDLER_TIME_LIMIT_MS;
  const ran = userCode ? withTimeLimit(() => bootModule.bootKernel(input), limit) : { value: bootModule.bootKernel(input) };
  if (!('value' in ran)) {
    const who = running ?? 'an early parameter or handler';
    diagnostics.push(diag('error', 'handler-timeout', `${who} did not return within ${limit} ms; the boot was stopped`));
    return none();
  }
  const res = ran.value;
  diagnostics.push(...res.diagnostics);
  if (board.cpu) {
    const vaBits = res.ctx.profile.arm64?.vaBits;
    loader.cpu = { name: board.cpu.name, from: board.cpu.from, ...(vaBits !== undefined && !res.hang ? { vaBits } : {}) };
  }
  const ctx: RmemHost = res.ctx;
  const regions = rmemRegions(ctx).map(toPlanRegion);
  let exitCode: 0 | 1 | 2 = 0;
  if (hasErrors(diagnostics)) exitCode = 2;
  else if (res.panic !== undefined || res.hang || regions.some((r) => failing.includes(r.status))) exitCode = 1;
  else if (ctx.rmem === undefined || ctx.rmem.root === undefined) {
    // /reserved-memory present but ignored (unsupported format) is a kernel-side failure too.
    if (ctx.log.some((l) => /unsupported node format/.test(l.text))) exitCode = 1;
  }
  const early: EarlyReservation[] = [];
  const lay = res.layout;
  if (res.kernelImage)
    early.push({ name: 'kernel', base: res.kernelImage.base, size: res.kernelImage.size, source: res.kernelImage.caller });
  if (lay?.initrd) early.push({ name: 'initrd', base: lay.initrd.base, size: lay.initrd.size, source: 'platform' });
  if (lay?.dtb) early.push({ name: 'dtb', base: lay.dtb.base, size: lay.dtb.size, source: 'platform' });
  for (const x of lay?.extra ?? []) early.push({ name: x.name, base: x.base, size: x.size, source: 'platform' });
  if (res.defaultCma)
    early.push({ name: 'default CMA', base: res.defaultCma.base, size: res.defaultCma.size, source: 'dma_contiguous_reserve' });
  if (res.crashkernel) {
    early.push({ name: 'crashkernel', base: res.crashkernel.base, size: res.crashkernel.size, source: 'crashkernel=' });
    if (res.crashkernel.low)
      early.push({ name: 'crashkernel low', base: res.crashkernel.low.base, size: res.crashkernel.low.size, source: 'crashkernel=' });
  }
  for (const r of res.reserveMem ?? []) early.push({ name: r.name, base: r.base, size: r.size, source: 'reserve_mem=' });
  for (const hnd of res.handoffs ?? []) early.push({ name: hnd.driver, base: hnd.base, size: hnd.size, source: 'early param' });
  const memory = (lay?.memory ?? []).map((b) => ({ base: b.base, size: b.size }));
  // A static region that straddles the start of RAM: what the kernel does with it is followed (the
  // lab's 564 boots with one replay: 455 reached /init, 66 died as the plan predicts, 41 as it
  // warns), but such a `reg` is most often a mistake, and the part below RAM is no memory at all.
  const ramStart = memory.reduce<bigint | undefined>((a, b) => (a === undefined || b.base < a ? b.base : a), undefined);
  if (ramStart !== undefined) {
    for (const r of regions) {
      if (r.dynamic || r.base === null || !r.size || r.status === 'disabled' || r.status === 'invalid') continue;
      if (r.base < ramStart && r.base + r.size > ramStart) {
        diagnostics.push(
          diag(
            'warning',
            'region-straddles-ram-start',
            `${r.path} (${'0x' + r.base.toString(16)}+${'0x' + r.size.toString(16)}) starts below RAM (${'0x' + ramStart.toString(16)}) and reaches into it: the part below RAM is no memory, and kernels have died of such regions in several ways (the plan follows each)`,
          ),
        );
      }
    }
  }
  // The model stops where the kernel would panic (memblock array overflow before
  // memblock_allow_resize in mm/memblock.c, a fault in the linear map): the board does not boot.
  if (res.panic !== undefined)
    diagnostics.push(
      diag(
        'error',
        'kernel-panic',
        `${profile.id} would panic at boot in ${res.panicFunction}: Kernel panic - not syncing: ${res.panic}`,
        res.panicSpan,
        res.panicReason,
      ),
    );
  if (res.hang)
    diagnostics.push(
      diag(
        'error',
        'kernel-hang',
        `${profile.id} would hang at boot in ${res.hang.function}, ${res.hang.printed ?? 'printing nothing more'}`,
        undefined,
        res.hang.reason,
      ),
    );
  const boot: PlanResult['boot'] =
    res.panic !== undefined
      ? { outcome: 'panic', function: res.panicFunction ?? '', reason: res.panicReason ?? '', panic: res.panic }
      : res.hang
        ? {
            outcome: 'hang',
            function: res.hang.function,
            reason: res.hang.reason,
            ...(res.hang.trace ? { trace: res.hang.trace } : {}),
            ...(res.hang.loop ? { loop: res.hang.loop } : {}),
          }
        : { outcome: 'ok' };
  const attach = attachConsumers(ctx).map((a) => ({ ...a, ret: errnoText(a.ret) }));
  return {
    kernel: profile.id,
    arch: profile.arch,
    regions,
    memory,
    zones: res.zones ?? [],
    ...(res.kernelUnmappedFrom !== undefined ? { kernelUnmappedFrom: res.kernelUnmappedFrom } : {}),
    ...(res.pageAlloc ? { pageAllocator: pageAllocatorFigures(res.pageAlloc, profile) } : {}),
    ...(res.memblockDump ? { memblockDump: res.memblockDump } : {}),
    early,
    loader,
    attach,
    log: res.log,
    diagnostics,
    trace: res.trace,
    boot,
    exitCode,
  };
}
