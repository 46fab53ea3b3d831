// Running out of memory after memblock_free_all: the page allocator gets what memblock left
// (mm-init.ts pageAllocStart), and start_kernel, smp_init and the initcalls take their share from
// it. How much a build takes, and which allocation fails first when there is too little, no file
// states: the lab measures it per build (src/verify/memory-ladder.ts boots the build with less and
// less memory left; data/lab/ladder/ladders.json keeps what it saw; `carveout kernels measure` measures
// a fetched or own build into the kernel cache), and the plan reads the boot's outcome off the
// measurement of that very build, from the nearest measured amount.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../cache.js';
import { diag } from '../diagnostics.js';
import { findNode } from '../tree/query.js';
import { BootPanic, type BootState } from './boot-state.js';
import ladders from '../../data/lab/ladder/ladders.json' with { type: 'json' };
import { maxThreads } from './fork.js';
import type { KernelProfile } from './profiles/types.js';

/**
 * The lab's measured ladders, by lab kernel id, one per package measured (sorted by package):
 * written by `memory-ladder.ts --write-table` from the ladder records beside it
 * (test/kernel/oom-ladder.test.ts holds the two equal).
 */
export const OOM_LADDERS = ladders as Record<string, OomLadder[]>;

/** Where in the boot a measured death happens: in the idle task (start_kernel), or in init and later (kernel_init). */
export type OomStage = 'start_kernel' | 'kernel_init';

/** How a boot with `free` KiB handed to the page allocator ended, as the lab saw it. */
export interface LadderStep {
  free: number;
  /**
   * fork_init's max_threads in that boot (the plan's): the ladder's static regions lie in memory,
   * so on series whose max_threads follows memblock's estimate it sank with the free memory.
   */
  maxThreads: number;
  /** Reached /init, or died: in which stage, which function (an oops' pc, else panic()'s caller), panic()'s message. */
  end: 'init' | { stage: OomStage; fn: string; panic: string; message: string };
  /** CPUs the boot had (QEMU -smp), when not one. */
  cpus?: number;
  /**
   * 7.2: the free blocks of bio_integrity_initfn's pool order the plan counts in that boot
   * (PlanResult.pageAllocator.highOrder: page-alloc.ts highOrderBlocks).
   */
  blocks?: number;
}

/** How a boot with ample free memory but fork_init's max_threads at `maxThreads` ended, as the lab saw it. */
export interface ThreadStep {
  maxThreads: number;
  /** As a ladder step's, or `hang`: silent until the bound stopped it. */
  end: LadderStep['end'] | 'hang';
  /** A death's call trace: in smp_init (cpuhp/0), or in an initcall (do_one_initcall) or later. */
  during?: ThreadStage;
  /** CPUs QEMU booted (absent: one). */
  cpus?: number;
}

/** Where in kernel_init a thread the kernel cannot do without is refused. */
export type ThreadStage = 'smp_init' | 'initcalls';

/**
 * How a boot ended whose prepare_page_table (arch/arm/mm/mmu.c) cleared the kernel image's own PMDs
 * from `from` (bytes past the start of RAM) until paging_init mapped them again: what the CPU runs on
 * meanwhile is what its TLB still holds, QEMU's here, which no file states (arch/arm/mmu.ts).
 */
export interface UnmappedStep {
  from: number;
  /** QEMU's RAM (MiB). */
  ramMiB: number;
  /** Reached /init, died as a ladder step says, or `hang`: silent until the bound stopped it. */
  end: LadderStep['end'] | 'hang';
}

/** One build's measured ladder (steps by `free`, lowest first) and where it was measured. */
export interface OomLadder {
  /** The build the ladder was booted on: a Debian package (`<package> <version>`), or an own build's name. */
  package: string;
  /** sha256 of the build's .config and System.map (KernelProfile.filesSha256), when it was measured from them. */
  sha256?: string;
  /** The records it was read from. */
  source: string;
  /** When it was measured (ISO 8601), for a ladder measured outside the lab. */
  date?: string;
  steps: LadderStep[];
  /**
   * Boots with memory to spare and a low max_threads (fork.ts; series whose max_threads follows
   * memblock's estimate, which reserved ranges outside memory lower), by max_threads, lowest first.
   */
  threads?: ThreadStep[];
  /**
   * Boots with memory to spare but few free 2 MiB blocks (7.2's bio_integrity_initfn pool: small
   * static regions split the other blocks), by `blocks`, lowest first: how many blocks the boot's
   * own allocations take before that initcall, which no file states.
   */
  fragments?: LadderStep[];
  /** 32-bit builds: boots with the image's PMDs cleared in paging_init (UnmappedStep), by `from`, then RAM. */
  unmapped?: UnmappedStep[];
}

/** The measured step nearest to `free` (KiB; the lower one on a tie), and its neighbours. */
export function nearestStep(ladder: Pick<OomLadder, 'steps'>, free: number): { step: LadderStep; below?: LadderStep; above?: LadderStep } {
  const s = ladder.steps;
  let i = 0;
  for (let k = 1; k < s.length; k++) if (Math.abs(s[k]!.free - free) < Math.abs(s[i]!.free - free)) i = k;
  return { step: s[i]!, ...(i > 0 ? { below: s[i - 1]! } : {}), ...(i + 1 < s.length ? { above: s[i + 1]! } : {}) };
}

/** A ladder's steps booted with `cpus` CPUs. */
const stepsWith = (ladder: Pick<OomLadder, 'steps'>, cpus: number): LadderStep[] => ladder.steps.filter((x) => (x.cpus ?? 1) === cpus);

/**
 * Where boots with `cpus` CPUs stop dying (KiB): between the most free memory one died with below
 * the least one reached /init with, and that least; undefined unless both were seen.
 */
export function ladderBoundary(ladder: Pick<OomLadder, 'steps'>, cpus: number): number | undefined {
  const s = stepsWith(ladder, cpus);
  const lived = Math.min(...s.filter((x) => x.end === 'init').map((x) => x.free));
  const died = s.filter((x) => x.end !== 'init' && x.free < lived).map((x) => x.free);
  return Number.isFinite(lived) && died.length ? (Math.max(...died) + lived) / 2 : undefined;
}

/**
 * How much more free memory (KiB) a boot with `cpus` CPUs needs than one with one CPU after
 * memblock_free_all (the idle tasks, per-cpu kthreads and workers, per-cpu slabs and chunks, which
 * no file states), from the boundaries measured per CPU count (ladderBoundary): linear between the two measured counts
 * around `cpus`, and past the largest along its last segment — `beyond` is the part of the shift
 * that is extrapolated so (the validation boots of 8 CPUs against 1 and 4 missed by 450 KiB or
 * more either way: the need per CPU is not linear), 0 within the measured counts.
 */
export function boundaryShift(ladder: Pick<OomLadder, 'steps'>, cpus: number): { kib: number; beyond: number } | undefined {
  const one = ladderBoundary(ladder, 1);
  if (one === undefined) return undefined;
  const points = [...new Set(ladder.steps.map((x) => x.cpus ?? 1))]
    .filter((c) => c > 1)
    .sort((a, b) => a - b)
    .flatMap((c) => {
      const b = ladderBoundary(ladder, c);
      return b === undefined ? [] : [{ c, b }];
    });
  if (!points.length) return undefined;
  const all = [{ c: 1, b: one }, ...points];
  const last = all.at(-1)!;
  if (cpus >= last.c) {
    const prev = all.at(-2)!;
    const beyond = ((cpus - last.c) * (last.b - prev.b)) / (last.c - prev.c);
    return { kib: Math.max(0, last.b - one + beyond), beyond: Math.abs(beyond) };
  }
  const i = all.findIndex((p) => p.c > cpus);
  const [a, b] = [all[i - 1]!, all[i]!];
  return { kib: Math.max(0, a.b + ((cpus - a.c) * (b.b - a.b)) / (b.c - a.c) - one), beyond: 0 };
}

/** Within this much (KiB) of a CPU count's own measured steps, the plan reads them rather than scale. */
const OWN_STEPS_REACH = 1024;

/**
 * How a boot with `free` KiB and `cpus` CPUs reads a ladder: the nearest step booted with as many
 * CPUs, where `free` lies among them; else the one-CPU steps at `free` less what the CPUs beyond the
 * first need (boundaryShift); else, when the build was measured with one CPU only, the one-CPU
 * steps at `free` (`unscaled`: the plan cannot tell how much more the other CPUs need).
 */
export function readLadder(
  ladder: OomLadder,
  free: number,
  cpus: number,
): ReturnType<typeof nearestStep> & { scaled?: { kib: number; beyond: number; free: number }; unscaled?: boolean } {
  const own = stepsWith(ladder, cpus);
  const frees = own.map((x) => x.free);
  if (own.length && free >= Math.min(...frees) - OWN_STEPS_REACH && free <= Math.max(...frees) + OWN_STEPS_REACH)
    return nearestStep({ steps: own }, free);
  const one = { steps: stepsWith(ladder, 1) };
  if (cpus === 1 || !one.steps.length) return nearestStep(own.length ? { steps: own } : one, free);
  const shift = boundaryShift(ladder, cpus);
  if (!shift) return { ...nearestStep(one, free), unscaled: true };
  const asOne = Math.round(free - shift.kib);
  return { ...nearestStep(one, asOne), scaled: { ...shift, free: asOne } };
}

/** Where `carveout kernels measure` keeps the ladders it measured: <cache>/ladders/<build>/ladder.json, beside their records. */
export function ladderCacheDir(): string {
  return join(cacheDir(), 'ladders');
}

/** The ladders measured into the kernel cache (a file that is not a ladder is skipped: the cache is the user's). */
export function cachedLadders(dir = ladderCacheDir()): OomLadder[] {
  if (!existsSync(dir)) return [];
  const out: OomLadder[] = [];
  for (const d of readdirSync(dir).sort()) {
    const f = join(dir, d, 'ladder.json');
    if (!existsSync(f)) continue;
    try {
      const l = JSON.parse(readFileSync(f, 'utf8')) as Partial<OomLadder>;
      if (typeof l.package === 'string' && typeof l.source === 'string' && Array.isArray(l.steps)) out.push(l as OomLadder);
    } catch {
      // a half-written or foreign file measures nothing
    }
  }
  return out;
}

/** Whether `ladder` was measured on the build `profile` describes: the same package, or the same two files. */
export function ladderOfBuild(ladder: OomLadder, profile: KernelProfile): boolean {
  return ladder.package === profile.debianPackage || (!!ladder.sha256 && ladder.sha256 === profile.filesSha256);
}

/**
 * The ladder measured on this very build, if any: the lab's, else (`from` 'lab+cache', a user's
 * plan) one measured into the kernel cache; a replay of lab records reads the lab's alone ('lab').
 */
export function ownLadder(profile: KernelProfile, from: LadderSource = 'lab+cache'): OomLadder | undefined {
  const lab = Object.values(OOM_LADDERS)
    .flat()
    .find((l) => ladderOfBuild(l, profile));
  return lab ?? (from === 'lab+cache' ? cachedLadders().find((l) => ladderOfBuild(l, profile)) : undefined);
}

/** Which ladders a boot reads (BootInput.ladders): the lab's alone, or also the kernel cache's. */
export type LadderSource = NonNullable<BootState['input']['ladders']>;

/** What memblock_free_all handed over (`free`, KiB) and, where the build has a ladder, how the boot reads it (readLadder). */
interface Measured {
  pa: NonNullable<BootState['result']['pageAlloc']>;
  free: number;
  own?: { ladder: OomLadder } & ReturnType<typeof readLadder>;
}

/**
 * One boot's reading of its build's ladder, for outOfMemory and threadLimit alike (four calls a
 * boot, start-kernel.ts): the ladder looked up once, the kernel cache read at most once.
 */
const readings = new WeakMap<BootState, Measured>();

function measured(st: BootState, cpus: number): Measured | undefined {
  const pa = st.result.pageAlloc;
  if (!pa) return undefined;
  let m = readings.get(st);
  if (!m) {
    const free = Number((pa.freed * pa.pageSize) >> 10n);
    const ladder = ownLadder(st.ctx.profile, st.input.ladders ?? 'lab+cache');
    m = { pa, free, ...(ladder ? { own: { ladder, ...readLadder(ladder, free, cpus) } } : {}) };
    readings.set(st, m);
  }
  return m;
}

/**
 * The boot dies of too little memory where the build's measured ladder says a boot with this much
 * free memory dies, if it dies in `stage` (the idle task's start_kernel, or kernel_init and later:
 * `end.stage`; before the core_initcalls the layout decides otherwise).
 */
export function outOfMemory(st: BootState, stage: OomStage, cpus: number): void {
  const m = measured(st, cpus);
  if (!m) return;
  const { pa, free, own } = m;
  if (!own) {
    if (stage === 'start_kernel') unmeasured(st, free, cpus);
    return;
  }
  const { ladder, step, below, above, scaled } = own;
  const end = step.end;
  if (end === 'init' && own.unscaled && stage === 'start_kernel') oneCpuOnly(st, own.ladder, free, cpus);
  if (end === 'init' && !own.unscaled && stage === 'start_kernel') nearBoundary(st, ladder, free, cpus, scaled?.free);
  if (end === 'init' && stage === 'start_kernel' && numaNodes(st) > 1) numaNearBoundary(st, ladder, free, cpus, scaled?.free);
  // more CPUs than the ladder was measured with, and nearer the boundary than the extrapolated part
  // of the shift: whether the boot lives is not known
  const one = scaled?.beyond ? ladderBoundary(ladder, 1) : undefined;
  if (scaled && one !== undefined && Math.abs(scaled.free - one) <= scaled.beyond) {
    if (stage === 'start_kernel') beyondMeasured(st, ladder, free, cpus, scaled);
    return;
  }
  if (end === 'init' || end.stage !== stage) return;
  // a death measured with less memory than this boot has, and nothing measured above it (a ladder
  // of a few boots, `kernels measure --boots N`): whether more memory lives is not measured
  const asMeasured = scaled?.free ?? free;
  if (asMeasured > step.free && above === undefined) {
    st.ctx.diagnostics.push(
      diag(
        'warning',
        'out-of-memory-unmeasured',
        `memblock_free_all hands the page allocator ${free} KiB; ${booter(ladder)} booted this build (${ladder.package}) with ${step.free} KiB at most, and it died in ${end.fn} (${ladder.source}): how much more it needs is not measured (${measureCommand(st.ctx.profile)} with more --boots measures it)`,
      ),
    );
    return;
  }
  // arm: `free` is lowmem, and the ladder's boots had no highmem (128 MiB). Beside highmem, what may
  // come from it (__GFP_HIGHMEM: vmalloc'd thread stacks, the initramfs's page cache) leaves lowmem
  // more than those boots had: the measurement says the boot may die, not that it does
  if (pa.highPages > 0n) {
    st.ctx.diagnostics.push(
      diag(
        'warning',
        'out-of-memory-unmeasured',
        `memblock_free_all hands the page allocator only ${free} KiB of lowmem (and ${(pa.highPages * pa.pageSize) >> 10n} KiB of highmem); the lab booted this build (${ladder.package}) with ${step.free} KiB and no highmem, and it died in ${end.fn} (${ladder.source}): with highmem beside it the boot may still run out of lowmem`,
      ),
    );
    return;
  }
  // fewer threads allowed than that measured boot had, and not as few as a measured boot lived
  // with: copy_process may refuse a thread before memory runs out — threadLimit says
  if (stage === 'kernel_init' && st.ctx.profile.series.maxThreadsFrom !== 'totalram') {
    const n = maxThreads(pa, st.ctx.profile);
    if (n < step.maxThreads && !threadsSuffice(threadSteps(st, ladder, cpus), n)) return;
  }
  const seen = (x: LadderStep | undefined) =>
    x === undefined ? '' : `; with ${x.free} KiB ${x.end === 'init' ? 'it reached /init' : `it died in ${x.end.fn} (${x.end.panic})`}`;
  if (stage === 'kernel_init') throttledInit(st);
  if (scaled) scaledMayHang(st, ladder, cpus);
  const withCpus = (n: number | undefined) => ((n ?? 1) > 1 ? ` and ${n} CPUs` : ' and one CPU');
  const asOne = scaled
    ? ` with ${cpus} CPUs, as much as ${scaled.free} KiB with one: ${booter(ladder)} measured the boot with ${measuredCounts(ladder)} CPUs, and ${cpus} need ${Math.round(scaled.kib)} KiB more than one`
    : '';
  throw new BootPanic(
    end.panic,
    [end.message, `Kernel panic - not syncing: ${end.panic}`],
    end.fn,
    `out of memory: memblock_free_all hands the page allocator ${free} KiB${asOne}; ${booter(ladder)} booted this build (${ladder.package}) with ${step.free} KiB${withCpus(step.cpus)} and it died in ${end.fn}${seen(below)}${seen(above)} (${ladder.source})`,
  );
}

/**
 * A boot with several CPUs on a build whose ladder was measured with one: the one-CPU steps say it
 * reaches /init, but each CPU more needs memory they did not (boundaryShift). Near the one-CPU
 * boundary, by as much as the lab measured per CPU on any of its builds, the plan says it may die.
 */
function oneCpuOnly(st: BootState, ladder: OomLadder, free: number, cpus: number): void {
  const { lived } = measuredBounds(ladder);
  const per = labPerCpuNeed();
  if (lived === undefined || per === undefined || free >= lived + (cpus - 1) * per) return;
  const measure = measureCommand(st.ctx.profile);
  st.ctx.diagnostics.push(
    diag(
      'warning',
      'out-of-memory-unmeasured',
      `memblock_free_all hands the page allocator ${free} KiB and the boot has ${cpus} CPUs: ${booter(ladder)} booted this build (${ladder.package}) with one CPU, and it reached /init with ${lived} KiB at least, but each CPU more needs more (up to ${Math.round(per)} KiB each on the lab's builds): the boot may run out of memory (${measure} --smp ${cpus} measures it)`,
    ),
  );
}

/**
 * A death read off the one-CPU steps for a boot with several CPUs, away from the steps measured
 * with as many: how the boot ends there was not seen. With far too little memory, 4-CPU boots of
 * 5.10-arm64 and 6.1-arm64 (about 3.4 MiB) fell silent right after bringing up the CPUs ("CPU: All
 * CPU(s) started") instead of reaching the out-of-memory panic one CPU reaches.
 */
function scaledMayHang(st: BootState, ladder: OomLadder, cpus: number): void {
  if (st.ctx.diagnostics.some((d) => d.code === 'out-of-memory-may-hang')) return;
  st.ctx.diagnostics.push(
    diag(
      'warning',
      'out-of-memory-may-hang',
      `the boot may hang silently instead: with ${cpus} CPUs and this little memory it is read off the one-CPU steps of this build (${ladder.package}), scaled by what each further CPU needs, and with far too little memory boots with several CPUs were seen to fall silent after bringing them up (5.10-arm64 and 6.1-arm64 with 4 CPUs) rather than reach the out-of-memory panic`,
    ),
  );
}

/**
 * How close above a ladder's boundary a layout unlike the ladder's was seen to die: the ladder
 * squeezes memory with two static regions and cma=0; a seed-33 layout with 80 MiB of CMA areas and
 * a static region died in bio_integrity_initfn 412 KiB above 7.2-arm64's 4-CPU boundary.
 */
const NEAR_BOUNDARY = 512;

/**
 * How far above where the build's boots stop dying a boot lies (KiB, negative below), read off the
 * steps with as many CPUs, or off the one-CPU steps as `asOne` KiB with one CPU (`counted`: which).
 */
function aboveBoundary(ladder: OomLadder, free: number, cpus: number, asOne: number | undefined): { counted: number; above?: number } {
  const counted = asOne === undefined ? cpus : 1;
  const b = ladderBoundary(ladder, counted);
  return { counted, ...(b === undefined ? {} : { above: (asOne ?? free) - b }) };
}

/**
 * The boot reaches /init by the ladder, but lies within NEAR_BOUNDARY of where the build's boots stop
 * dying (`asOne`: the free amount as one CPU's, when read off the one-CPU steps): which allocation
 * fails first, if one does, depends on more than the amount, so the plan says the boot may die.
 */
function nearBoundary(st: BootState, ladder: OomLadder, free: number, cpus: number, asOne: number | undefined): void {
  const { counted, above } = aboveBoundary(ladder, free, cpus, asOne);
  if (above === undefined || above < 0 || above > NEAR_BOUNDARY) return;
  const { died, lived } = measuredBounds(ladder, counted);
  st.ctx.diagnostics.push(
    diag(
      'warning',
      'out-of-memory-near-boundary',
      `memblock_free_all hands the page allocator ${free} KiB${asOne === undefined ? '' : ` with ${cpus} CPUs (as much as ${asOne} KiB with one)`}, within ${Math.round(above)} KiB of where ${booter(ladder)}'s boots of this build (${ladder.package}) with ${counted === 1 ? 'one CPU' : `${counted} CPUs`} stop dying (died with ${died} KiB, reached /init with ${lived} KiB): those boots squeezed memory with static regions and cma=0, and a layout with other reservations was seen to die this close (7.2-arm64 with 4 CPUs and 80 MiB of CMA, 412 KiB above): the boot may run out of memory after memory setup`,
    ),
  );
}

/**
 * How far above a ladder's boundary, per NUMA node, the lab saw a NUMA boot die: the ladders are
 * booted on one node, and a boot with several splits its free memory between them, each node's
 * zone with its own watermarks, node-local allocations running short on a small node first, and
 * each zone's per-CPU page lists sized by its node's own CPUs (zone_highsize, mm/page_alloc.c), so
 * CPUs on memoryless nodes may hold more of it (7.2-arm64 4a3d158d: nodes of 64, 64 and 0 MiB, a
 * CPU each, died in bio_integrity_initfn 4011 KiB above the boundary its three CPUs read off the
 * ladder; 7.2-arm64-16k 95781400: four nodes, three of them memoryless, a CPU each, died out of
 * memory in addrconf_init 8400 KiB above it; 5.10-arm64 and 6.1-arm64 65348234, two nodes,
 * reached /init 1852 and 5287 KiB above it).
 */
const NUMA_MARGIN_PER_NODE = 4096;

/**
 * The boot reaches /init by the ladder, but has several NUMA nodes and lies within
 * NUMA_MARGIN_PER_NODE a node above the boundary: the plan says it may run out of memory (nearBoundary says so nearer).
 */
function numaNearBoundary(st: BootState, ladder: OomLadder, free: number, cpus: number, asOne: number | undefined): void {
  const { above } = aboveBoundary(ladder, free, cpus, asOne);
  const nodes = numaNodes(st);
  const margin = NUMA_MARGIN_PER_NODE * nodes;
  if (above === undefined || above < 0 || above > margin || st.ctx.diagnostics.some((d) => d.code === 'out-of-memory-near-boundary'))
    return;
  st.ctx.diagnostics.push(
    diag(
      'warning',
      'out-of-memory-unmeasured',
      `memblock_free_all hands the page allocator ${free} KiB over ${nodes} NUMA nodes${asOne === undefined ? '' : ` with ${cpus} CPUs (as much as ${asOne} KiB with one)`}, ${Math.round(above)} KiB above where ${booter(ladder)}'s boots of this build (${ladder.package}) stop dying, which were booted on one node: split between nodes, each with its own watermarks and per-CPU page lists sized by the node's own CPUs, memory runs short on a small node first, and NUMA boots were seen to die 4011 KiB above their boundary (7.2-arm64, nodes of 64, 64 and 0 MiB) and 8400 KiB above it (7.2-arm64-16k, four nodes, three memoryless): the boot may run out of memory after memory setup`,
    ),
  );
}

/** The CPU counts a ladder was measured with, as `1, 4 and 8`. */
function measuredCounts(ladder: OomLadder): string {
  const c = [...new Set(ladder.steps.map((x) => x.cpus ?? 1))].sort((a, b) => a - b);
  return c.length > 1 ? `${c.slice(0, -1).join(', ')} and ${c.at(-1)}` : String(c[0]);
}

/**
 * A boot with more CPUs than the ladder was measured with, near the boundary extrapolated for
 * them: the plan says it cannot tell (out-of-memory-unmeasured) rather than guess either way.
 */
function beyondMeasured(st: BootState, ladder: OomLadder, free: number, cpus: number, scaled: { kib: number; beyond: number }): void {
  const measure = measureCommand(st.ctx.profile);
  st.ctx.diagnostics.push(
    diag(
      'warning',
      'out-of-memory-unmeasured',
      `memblock_free_all hands the page allocator ${free} KiB and the boot has ${cpus} CPUs: ${booter(ladder)} measured this build (${ladder.package}) with ${measuredCounts(ladder)} CPUs, and carried on to ${cpus} the boundary moves ${Math.round(scaled.kib)} KiB above one CPU's, ${Math.round(scaled.beyond)} KiB of it extrapolated; this boot lies within that of the boundary, so whether it runs out of memory after memory setup is not known (${measure} --smp ${cpus} measures it)`,
    ),
  );
}

/** The most any lab build was measured to need per CPU beyond the first (KiB), if any was measured with several. */
function labPerCpuNeed(): number | undefined {
  const all = Object.values(OOM_LADDERS)
    .flat()
    .map((l) => boundaryShift(l, 2)?.kib)
    .filter((x) => x !== undefined);
  return all.length ? Math.max(...all) : undefined;
}

/**
 * Running out of memory in kernel_init need not reach the out-of-memory killer's panic: init
 * (pid 1, user_mode_thread: not PF_KTHREAD) runs the initcalls, and when one of its allocations
 * enters direct reclaim, throttle_direct_reclaim (mm/vmscan.c) makes it wait for kswapd while
 * allow_direct_reclaim finds the zone's free pages at or below half its min watermark. Before
 * kswapd_init (a module_init) there is no kswapd to wake it: init sleeps for ever, TASK_KILLABLE,
 * which khungtaskd does not report, and the boot is silent. Kernel threads (kthreadd, workers)
 * are never throttled and go on to out_of_memory. Which of them runs short first, and with how
 * many free pages left, is the order of the allocations at run time: the plan says the boot may
 * hang instead, on series whose allow_direct_reclaim counts a zone that has no LRU pages yet.
 */
function throttledInit(st: BootState): void {
  const when = st.ctx.profile.series.pageAlloc.throttleEmptyZone;
  if (when === 'never') return;
  const free = when === 'with-free-pages' ? 'still has free pages, at most half its min watermark' : 'has no free page left';
  st.ctx.diagnostics.push(
    diag(
      'warning',
      'out-of-memory-may-hang',
      `the boot may hang silently instead: if init's own allocation (an initcall's) enters direct reclaim before kswapd runs (kswapd_init, module_init) while the zone ${free}, throttle_direct_reclaim waits for kswapd for ever; kernel threads are not throttled and reach the out-of-memory panic. Which comes first is the run-time order of the allocations`,
    ),
  );
}

/** The command that measures this build's ladder: by its lab id, or by the name `kernels add` stored its files under. */
const measureCommand = (p: KernelProfile) => (p.filesSha256 ? 'carveout kernels measure NAME' : `carveout kernels measure ${p.id}`);

/** Who booted a ladder's steps: the lab (ladders.json), or `carveout kernels measure` on the date it did. */
const booter = (l: OomLadder) => (l.date ? `carveout kernels measure (${l.date.slice(0, 10)})` : 'the lab');

/** The least free memory (KiB) with which a measured build reached /init with `cpus` CPUs (default one), and the most with which one died. */
export function measuredBounds(ladder: OomLadder, cpus = 1): { lived?: number; died?: number } {
  const steps = stepsWith(ladder, cpus);
  const lived = steps.filter((x) => x.end === 'init').map((x) => x.free);
  const died = steps.filter((x) => x.end !== 'init').map((x) => x.free);
  return { ...(lived.length ? { lived: Math.min(...lived) } : {}), ...(died.length ? { died: Math.max(...died) } : {}) };
}

/**
 * The fragment boots' bounds with `cpus` CPUs (7.2's bio_integrity_initfn pool): the fewest free
 * 2 MiB blocks one reached /init with, the most one died there with; undefined without any.
 */
export function blocksBounds(ladder: OomLadder, cpus = 1): { lived?: number; died?: number } | undefined {
  const frag = (ladder.fragments ?? []).filter((x) => (x.cpus ?? 1) === cpus && x.blocks !== undefined);
  if (!frag.length) return undefined;
  const lived = frag.filter((x) => x.end === 'init').map((x) => x.blocks!);
  const died = frag.filter(diedInPool).map((x) => x.blocks!);
  return { ...(lived.length ? { lived: Math.min(...lived) } : {}), ...(died.length ? { died: Math.max(...died) } : {}) };
}

/**
 * A build no ladder was measured on (another point release, a user's own build, a kernel the lab
 * has none for): when the page allocator gets less than some measured build died with, the plan
 * cannot say whether or where the boot dies, and says so instead of keeping quiet, naming the
 * builds of the same kernel that were measured (never reading their ladders as this one's).
 */
function unmeasured(st: BootState, free: number, cpus: number): void {
  const p = st.ctx.profile;
  const died = Math.max(...Object.values(OOM_LADDERS).flatMap((ls) => ls.map((l) => measuredBounds(l).died ?? 0)));
  // each CPU beyond the first needs more, as much as the lab measured on its builds
  if (free > died + (cpus - 1) * (labPerCpuNeed() ?? 0)) return;
  const seen = Object.entries(OOM_LADDERS)
    .flatMap(([id, ls]) =>
      ls.map((l) => {
        const b = measuredBounds(l);
        return `${id} (${l.package.split(' ')[1] ?? l.package}) died with ${b.died ?? '?'} KiB, reached /init with ${b.lived ?? '?'} KiB`;
      }),
    )
    .join('; ');
  const others = (OOM_LADDERS[p.id] ?? []).map((l) => l.package);
  const measure = p.filesSha256 ? `carveout kernels measure` : `carveout kernels measure ${p.id}`;
  st.ctx.diagnostics.push(
    diag(
      'warning',
      'out-of-memory-unmeasured',
      `memblock_free_all hands the page allocator only ${free} KiB, and how much the rest of the boot needs was not measured for this build (${p.debianPackage}${others.length ? `; the lab measured ${others.join(', ')}` : ''}): the boot may run out of memory after memory setup (${measure} measures it). Measured builds: ${seen}`,
    ),
  );
}

/**
 * Too low a max_threads (fork.ts) for the threads the kernel starts itself: copy_process refuses
 * with -EAGAIN once nr_threads reaches it, and the first caller that cannot live without its
 * thread ends the boot — smp_init's cpuhp/0 (BUG in cpuhp_threads_init, kernel/cpu.c), then
 * initcalls whose workqueue rescuer or kthread fails (inet_frag_wq_init, audit_init,
 * bio_integrity_init …), or a wait that never ends (a crypto self-test's thread). Which one, for
 * which max_threads, no file states: the lab measures it per build with boots that keep memory to
 * spare and lower memblock's estimate instead (memory-ladder.ts --max-threads: 6.12, where static
 * regions count). A series whose max_threads follows totalram_pages has it follow free memory: its
 * out-of-memory ladder covers it.
 */
export function threadLimit(st: BootState, during: ThreadStage, cpus: number): void {
  const p = st.ctx.profile;
  const m = p.series.maxThreadsFrom === 'totalram' ? undefined : measured(st, cpus);
  if (!m) return;
  const { pa } = m;
  const ladder = m.own?.ladder;
  const n = maxThreads(pa, p);
  // The nearest out-of-memory measurement died in kernel_init with no more threads allowed than
  // this boot: it ran out of memory first (dup_task_struct allocates the stack before
  // copy_process counts threads), and outOfMemory says where.
  if (during === 'smp_init' && m.own) {
    const { step } = m.own;
    if (step.end !== 'init' && step.end.stage === 'kernel_init' && step.maxThreads <= n) return;
  }
  // Each CPU more is threads more (its idle task, cpuhp/N, migration/N, ksoftirqd/N, its kworkers),
  // and each NUMA node a CPU pod whose unbound workqueue pools get workers of their own
  // (workqueue_init_topology, kernel/workqueue.c): who is refused first moves with them, which
  // boots with other CPU counts or nodes do not show (seed 49 #95781400, 4 CPUs on 4 nodes, died
  // in async_init where the one-CPU boots died in kswapd_run)
  const all = ladder?.threads ?? [];
  const steps = ladder ? threadSteps(st, ladder, cpus) : [];
  if (ladder?.threads && steps.length === 0) {
    if (during === 'initcalls') otherCpus(st, ladder, all, n, cpus);
    return;
  }
  if (ladder?.threads && threadsSuffice(steps, n)) return;
  const counted =
    p.series.maxThreadsFrom === 'memblock-estimate'
      ? 'memory less all that is reserved, ranges outside memory included'
      : "memory less what memblock's own allocations reserved";
  const estimate = `fork_init's max_threads is ${n} (memblock's estimate of free memory, ${counted}: ${(pa.estimatedFreePages * pa.pageSize) >> 10n} KiB, over ${p.threadSize * 8} bytes a thread)`;
  // the measured boot with this max_threads, else the measured neighbours when both ended alike
  const below = steps.filter((x) => x.maxThreads <= n).pop();
  const above = steps.find((x) => x.maxThreads >= n);
  const same = below && above && endKey(below.end) === endKey(above.end) ? below : undefined;
  const seen = (x: ThreadStep | undefined) => (x ? `with max_threads ${x.maxThreads} and ${endText(x.end)}` : '');
  if (ladder && same && same.end !== 'init' && same.end !== 'hang') {
    if (same.during !== during) return;
    const end = same.end;
    throw new BootPanic(
      end.panic,
      [...(end.message ? [end.message] : []), `Kernel panic - not syncing: ${end.panic}`],
      end.fn,
      `${estimate}: copy_process refuses new threads once the kernel's own reach it; the lab booted this build (${ladder.package}) ${[...new Set([seen(below), seen(above)])].join(' and ')} (${ladder.source})`,
    );
  }
  if ((ladder && same?.end === 'init') || during !== 'initcalls') return;
  // a hang the lab saw, a max_threads between two measured boots that ended differently, or a
  // build not measured (warned only below what some measured build needed)
  const need = threadsNeeded();
  if (!ladder?.threads && n > need) return;
  st.ctx.diagnostics.push(
    diag(
      'warning',
      'thread-limit',
      `${estimate}: the kernel's own threads may reach it and the boot then dies or hangs; ${
        ladder?.threads
          ? `the lab booted this build (${ladder.package}) ${[seen(below), seen(above)].filter(Boolean).join(' and ')} (${ladder.source})`
          : `this build (${p.debianPackage}) was not measured with a low max_threads; a measured Debian build died with max_threads ${need}`
      }`,
    ),
  );
}

/** NUMA nodes the boot has (arch_numa_init's; one without NUMA). */
function numaNodes(st: BootState): number {
  return st.numa?.nodes.length ?? 1;
}

/** The build's thread measurements that speak for this boot: booted with as many CPUs, and the boot on one node. */
function threadSteps(st: BootState, ladder: OomLadder, cpus: number): ThreadStep[] {
  if (numaNodes(st) > 1) return [];
  return (ladder.threads ?? []).filter((x) => (x.cpus ?? 1) === cpus);
}

/**
 * A boot with other CPUs or NUMA nodes than the build's thread measurements (`all`): each CPU more
 * starts threads more before and during the initcalls, so where a boot with fewer died this one
 * dies too, and where fewer lived this one may not; which function is refused first, and where
 * enough begins, those boots do not show. Warned within the lab's largest need per CPU.
 */
function otherCpus(st: BootState, ladder: OomLadder, all: ThreadStep[], n: number, cpus: number): void {
  const nodes = numaNodes(st);
  const fewer = all.filter((x) => (x.cpus ?? 1) <= cpus);
  const died = fewer.filter((x) => x.end !== 'init' && x.maxThreads >= n);
  const need = Math.max(0, ...all.filter((x) => x.end !== 'init').map((x) => x.maxThreads / (x.cpus ?? 1)));
  if (!died.length && n > need * cpus) return;
  const cpusText = (c: number) => (c === 1 ? 'one CPU' : `${c} CPUs`);
  const counted = `${cpusText(cpus)}${nodes > 1 ? ` on ${nodes} NUMA nodes` : ''}`;
  const measuredWith = [...new Set(all.map((x) => x.cpus ?? 1))].map(cpusText).join(' and ');
  const nearest = died[0];
  st.ctx.diagnostics.push(
    diag(
      'warning',
      'thread-limit',
      `fork_init's max_threads is ${n}, and this boot has ${counted}: each CPU more starts threads of its own (its idle task, cpuhp, migration, ksoftirqd, kworkers) and each node's pod its own unbound workqueue workers, ${
        nearest
          ? `so the kernel's own threads reach it: the lab booted this build (${ladder.package}) with ${cpusText(nearest.cpus ?? 1)} and max_threads ${nearest.maxThreads}, and ${endText(nearest.end)}. The boot dies or hangs; which thread is refused first with ${counted} was not measured (${ladder.source})`
          : `and the lab booted this build (${ladder.package}) with ${measuredWith} only: the boot may die or hang where a thread is refused (${ladder.source})`
      }`,
    ),
  );
}

/**
 * max_threads `n` is enough for the kernel's own threads: the build's thread measurements reached
 * /init with it and with every one above it, or, where the build has none, no measured build died
 * with as many.
 */
function threadsSuffice(steps: ThreadStep[], n: number): boolean {
  if (!steps.length) return n > threadsNeeded();
  const lived = steps.filter((x) => x.end === 'init').map((x) => x.maxThreads);
  return lived.length > 0 && n >= Math.min(...lived) && steps.every((x) => x.maxThreads < n || x.end === 'init');
}

/** The most max_threads a measured build died or hung with. */
function threadsNeeded(): number {
  return Math.max(
    0,
    ...Object.values(OOM_LADDERS)
      .flat()
      .flatMap((l) => (l.threads ?? []).filter((x) => x.end !== 'init').map((x) => x.maxThreads)),
  );
}

const endKey = (e: ThreadStep['end']) => (typeof e === 'string' ? e : `${e.fn}: ${e.panic}`);
const endText = (e: ThreadStep['end']) =>
  e === 'init' ? 'it reached /init' : e === 'hang' ? 'it hung' : `it died in ${e.fn} (${e.panic})`;

/**
 * 7.2's bio_integrity_initfn (a subsys_initcall, block/bio-integrity.c) fills its pool with two
 * GFP_KERNEL blocks of 2 MiB (versions' pageAlloc.integrityBufPool) and panics without them. By
 * then start_kernel's and kernel_init's unmovable and reclaimable allocations have claimed the
 * largest free blocks one by one (page-alloc.ts highOrderBlocks), so a layout whose small static
 * regions split most 2 MiB blocks dies there with plenty of memory free. How many blocks the
 * boot takes first, no file states: the build's measured boots say (OomLadder.fragments, boots
 * with memory to spare, beside the squeeze's steps). Blocks are not all: once the small free
 * blocks run out, other allocations split the large ones too (the squeeze's 7.2-armmp boot with
 * one CPU died with three blocks and 9892 KiB free, a fragment boot lived with three and 101424
 * KiB). So a boot that died there with as many blocks or more, as many CPUs or fewer and as much
 * free memory or more predicts the death; one that reached /init with as few blocks or fewer, as
 * many CPUs or more and as little free memory or less predicts none; in between, or unmeasured
 * within the lab's largest need, a warning. The count decides only where such boots
 * showed it does: on 16K pages (order 7 in a 32 MiB pageblock, whose claim moves all its free
 * blocks to the unmovable lists, where the pool's own request finds them) the lab's 7.2-arm64-16k
 * boots died with three free blocks and 77 MiB free in split blocks, and reached /init with one
 * block and memory squeezed: no fragment ladder is kept for it, and the plan only warns.
 */
export function integrityBufPool(st: BootState, cpus: number): void {
  const have = st.result.pageAlloc?.highOrder;
  const pool = st.ctx.profile.series.pageAlloc.integrityBufPool;
  if (!have || pool === 'none') return;
  const m = measured(st, cpus);
  const ladder = m?.own?.ladder;
  const size = `${pool.bytes >> 20n} MiB`;
  const what = `memblock_free_all leaves GFP_KERNEL ${have.blocks} free block${have.blocks === 1 ? '' : 's'} of ${size} (order ${have.order}) outside CMA, and bio_integrity_initfn (block/bio-integrity.c) needs ${pool.elements} after the boot's own allocations have claimed theirs`;
  const mayStarve = (why: string) =>
    st.ctx.diagnostics.push(
      diag('warning', 'high-order-blocks-near-boundary', `${what}; ${why}: the boot may panic "bio: can't create integrity buf pool"`),
    );
  const cpusOf = (x: LadderStep) => x.cpus ?? 1;
  const labDied = labBlocksDied();
  if (!m || !ladder?.fragments?.length) {
    if (labDied !== undefined && have.blocks <= labDied)
      mayStarve(`how many they claim is not measured on this build, and the lab's 7.2 builds died there with up to ${labDied}`);
    return;
  }
  const seen = [...ladder.steps, ...ladder.fragments].filter((x) => x.blocks !== undefined);
  const { free } = m;
  // the count decides only where the build's own boots agree: none died there with as many blocks
  // or more, as many CPUs or fewer and as much memory or more as one that reached /init had
  const against = seen.find(
    (d) => diedInPool(d) && seen.some((l) => l.end === 'init' && d.blocks! >= l.blocks! && cpusOf(d) <= cpusOf(l) && d.free >= l.free),
  );
  if (against) {
    if (labDied !== undefined && have.blocks <= labDied)
      mayStarve(
        `on this build (${ladder.package}) the free blocks do not decide it: a boot died there with ${against.blocks} and ${against.free} KiB free, and one with as few blocks, as many CPUs and no more memory reached /init (${ladder.source})`,
      );
    return;
  }
  const starved = seen
    .filter(diedInPool)
    .filter((x) => cpusOf(x) <= cpus && x.blocks! >= have.blocks && x.free >= free)
    .sort((a, b) => a.blocks! - b.blocks! || cpusOf(b) - cpusOf(a))[0];
  if (starved) {
    const end = starved.end;
    throw new BootPanic(
      end.panic,
      [end.message, `Kernel panic - not syncing: ${end.panic}`],
      end.fn,
      `too few free ${size} blocks: ${what}, the largest first; ${booter(ladder)} booted this build (${ladder.package}) with ${starved.blocks} and ${cpusOf(starved) > 1 ? `${cpusOf(starved)} CPUs` : 'one CPU'} (${starved.free} KiB free) and it died there (${ladder.source})`,
      // the carve-outs that split the blocks
      findNode(st.ctx.tree, '/reserved-memory')?.span,
    );
  }
  // NUMA: the measured boots ran on one node. With several, each node's slab caches and per-node
  // structures claim blocks of their own node, and the pool's request falls back node by node
  // (7.2-arm64 seed 50 #9c47d33b: two 64 MiB nodes, 10 blocks where one-node boots with 4 CPUs
  // lived with 9, died there with no block of 2 MiB left outside CMA on either node)
  const nodes = numaNodes(st);
  const deaths = seen.filter(diedInPool).map((x) => x.blocks!);
  const mostDied = Math.max(0, ...deaths);
  if (nodes > 1 && have.blocks <= mostDied * nodes) {
    mayStarve(
      `${booter(ladder)}'s boots of this build (${ladder.package}) died there with up to ${mostDied} on one node; this boot has ${nodes} NUMA nodes, whose allocations claim blocks on each node and fall back node by node, which no measured boot shows`,
    );
    return;
  }
  const fed = seen.some((x) => x.end === 'init' && cpusOf(x) >= cpus && x.blocks! <= have.blocks && x.free <= free);
  const lived = seen.filter((x) => x.end === 'init' && cpusOf(x) >= cpus).map((x) => x.blocks!);
  // more CPUs than any boot that lived was measured with: within twice the most blocks a boot died with
  if (fed || !deaths.length || have.blocks >= (lived.length ? Math.min(...lived) : 2 * mostDied + 1)) return;
  mayStarve(
    `${booter(ladder)}'s boots of this build (${ladder.package}) died there with up to ${mostDied}, and none with ${cpus === 1 ? 'one CPU' : `${cpus} CPUs`} or more reached /init with ${have.blocks} or fewer and ${free} KiB free or less`,
  );
}

/** A measured boot that died for want of 7.2's integrity pool blocks. */
function diedInPool(x: LadderStep): x is LadderStep & { end: Exclude<LadderStep['end'], 'init'> } {
  return x.end !== 'init' && x.end.fn === 'bio_integrity_initfn';
}

/** The most free pool blocks a boot of the lab's fragment ladders died with (bio_integrity_initfn). */
function labBlocksDied(): number | undefined {
  const died = Object.values(OOM_LADDERS)
    .flat()
    .flatMap((l) => l.fragments ?? [])
    .filter(diedInPool)
    .map((x) => x.blocks ?? 0);
  return died.length ? Math.max(...died) : undefined;
}
