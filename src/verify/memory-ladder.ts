// `node --import tsx src/verify/memory-ladder.ts --kernel 7.2-arm64 --free 2048,4096,8192 [--repeat N]`
// (`--help` lists every option).
// How much memory a build needs after memblock_free_all to reach /init, measured: boots of the
// build on QEMU virt with 128 MiB (or --ram/--mem), `cma=0` (or --cma), and static reserved regions ("squeeze") that leave
// the page allocator a chosen amount — the plan's own count of what memblock_free_all hands over
// (PlanResult.pageAllocator.free) picks the squeeze for each target. Each boot is a lab record
// (case, blob, console, memblock=debug trace), written to data/lab/ladder/<kernel>.jsonl.gz, so
// the replay judges the plan against it like any other record.
import { gzipSync } from 'node:zlib';
import { mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { bootedPackage, fetchBuiltinRelease, type FetchReport, type KernelInfo } from './kernels.js';
import { fixedAppend, labDtb, labRecord, observe } from './lab.js';
import { labDataDir, readLabRecordsJson, recordedKernels, writeLabRecordsJson } from './records.js';
import { ensureInitramfs } from './initramfs.js';
import { initrdStart, VIRT_RAM_BASE } from '../platform/qemu-virt.js';
import { loadBoard } from '../board.js';
import { plan, resolveProfile, type PlanResult } from '../kernel/plan.js';
import { factsOfPackage, profileOfPackage } from './build-facts.js';
import type { LabCase, RegionSpec } from './generator.js';
import { bootEnd, observationFromJson, type LabRecordJson, type Observation } from './observation.js';
import type { KernelProfile } from '../kernel/profiles/types.js';
import {
  ladderCacheDir,
  measuredBounds,
  OOM_LADDERS,
  boundaryShift,
  type LadderStep,
  type OomLadder,
  type ThreadStep,
  type UnmappedStep,
} from '../kernel/oom.js';
import { hex } from '../kernel/memblock.js';

/** Where the ladder's records go (beside the lab's, not among them: they are measurements of one build each). */
export const ladderDir = join(labDataDir, 'ladder');

const MiB = 1n << 20n;
const RAM_MIB = 128;
/** The squeeze's granularity: a multiple of every arm64 page size. */
const STEP = 64n << 10n;
const up = (x: bigint, a: bigint) => ((x + a - 1n) / a) * a;

/**
 * The end of what the kernel reserves for its image on QEMU virt, RAM at `base`: arm64's Image at
 * RAM + 2 MiB (arm64_memblock_init); arm's decompressed kernel, KERNEL_START (_stext) at its
 * build's offset from (RAM & 0xf8000000) to _end (arm_memblock_init, AUTO_ZRELADDR).
 */
function imageEnd(profile: KernelProfile, base: bigint): bigint | undefined {
  if (profile.arm64) return base + profile.arm64.textOffset + profile.arm64.reserveStartOffset + profile.arm64.reserveSize;
  if (profile.arm) return (base & ~0x7ff_ffffn) + profile.arm.kernelOffset + profile.arm.kernelSize;
  return undefined;
}

/**
 * arm: the RAM below KERNEL_START the boot no longer needs once it reads the device tree — all of
 * it but swapper_pg_dir (arm_mm_memblock_reserve), which the squeeze leaves alone (the kernel's head
 * below _stext is not reserved: arm_memblock_init reserves from _stext). arm64's Image starts 2 MiB
 * into RAM and its ladders leave that alone.
 */
function lowGaps(profile: KernelProfile, base: bigint): [bigint, bigint][] {
  const a = profile.arm;
  if (!a) return [];
  const start = (base & ~0x7ff_ffffn) + a.kernelOffset;
  const pgdir = base + a.pgdirOffset;
  return [
    [base, pgdir - base],
    [pgdir + a.pgdirSize, start - pgdir - a.pgdirSize],
  ];
}

/**
 * The case that leaves about `freeKiB` to the page allocator on `profile` (QEMU's direct
 * boot with `initrdSize`): region A fills the gap between the kernel image and the initrd, region B
 * starts after the initrd and grows until the plan's free count is at most the target.
 */
export function ladderCase(
  profile: KernelProfile,
  initrdSize: bigint,
  freeKiB: number,
  ramMiB = RAM_MIB,
  memMiB?: number,
  cmaMiB = 0,
  cpus = 1,
): { c: LabCase; free: bigint } | undefined {
  const ram = BigInt(ramMiB) * MiB;
  const base = VIRT_RAM_BASE;
  const memEnd = base + (memMiB === undefined ? ram : BigInt(memMiB) * MiB);
  const kernelEnd = imageEnd(profile, base);
  if (kernelEnd === undefined) return undefined;
  const initrd = initrdStart(ram);
  const aStart = up(kernelEnd, 2n * MiB);
  const bStart = up(initrd + initrdSize, 2n * MiB);
  // with the initrd inside memory: A fills the gap below it, B grows above it; else A grows alone
  const inside = bStart < memEnd;
  const region = (at: bigint, size: bigint): RegionSpec => ({
    name: `squeeze@${at.toString(16)}`,
    intent: 'squeeze',
    reg: [[hex(at), hex(size)]],
  });
  const low = lowGaps(profile, base);
  const make = (grow: bigint): LabCase => {
    const regions: RegionSpec[] = low.map(([at, size]) => region(at, size));
    if (inside) {
      if (initrd > aStart) regions.push(region(aStart, initrd - aStart));
      if (grow > 0n) regions.push(region(bStart, grow));
    } else if (grow > 0n) regions.push(region(aStart, grow));
    const mem = memMiB === undefined ? '' : ` mem=${memMiB}M`;
    return {
      family: profile.arch,
      ramMiB,
      memreserve: [],
      regions,
      bootargs: `cma=${cmaMiB ? `${cmaMiB}M` : 0}${mem}`,
      ...(cpus > 1 ? { cpus } : {}),
    };
  };
  // the memory phase finished (a death the ladder measures may follow)
  const freeOf = (c: LabCase): bigint | undefined => ladderPlan(profile, c, initrdSize)?.free;
  const target = BigInt(freeKiB) << 10n;
  // largest B that still boots in the model, then the smallest B whose free count is <= target
  let lo = 0n;
  let hi = (memEnd - (inside ? bStart : aStart)) / STEP;
  const ok = (n: bigint) => freeOf(make(n * STEP)) !== undefined;
  while (lo < hi) {
    const mid = (lo + hi + 1n) / 2n;
    if (ok(mid)) lo = mid;
    else hi = mid - 1n;
  }
  let l = 0n;
  let h = lo;
  while (l < h) {
    const mid = (l + h) / 2n;
    if ((freeOf(make(mid * STEP)) ?? 0n) <= target) h = mid;
    else l = mid + 1n;
  }
  const c = make(l * STEP);
  const free = freeOf(c);
  return free === undefined ? undefined : { c, free };
}

/** The intent of the region a --max-threads case reserves beyond RAM. */
const ESTIMATE = 'estimate';
/** The intent of the small regions a --blocks case splits 2 MiB blocks with. */
const SPLITTER = 'splitter';
/** The intent of the no-map region an --unmapped case ends memblock's first memory region with. */
const UNMAP = 'unmap';

/**
 * What a ladder record measures, by its case's regions: max_threads (an --max-threads case), the
 * free 2 MiB blocks (--blocks: `fragments`), else the free memory (a step).
 */
function ladderKind(c: LabCase): 'threads' | 'fragments' | 'unmapped' | 'steps' {
  if (c.regions.some((x) => x.intent === ESTIMATE)) return 'threads';
  if (c.regions.some((x) => x.intent === UNMAP)) return 'unmapped';
  return c.regions.some((x) => x.intent === SPLITTER) ? 'fragments' : 'steps';
}

/** The ladder records of package `pkg` booted with `cpus` CPUs that measure `kind`. */
const recordsOf = (records: LabRecordJson[], pkg: string, cpus: number, kind: ReturnType<typeof ladderKind>) =>
  records.filter((r) => r.package === pkg && ((r.case as LabCase).cpus ?? 1) === cpus && ladderKind(r.case as LabCase) === kind);

/**
 * A case that leaves the page allocator memory to spare (`ramMiB`, cma=0) but brings fork_init's
 * max_threads down to `n` (fork.ts): a static region just beyond RAM, reserved all the same, lowers
 * memblock's estimate of free memory and nothing else (series whose max_threads follows it).
 */
export function threadsCase(
  profile: KernelProfile,
  initrdSize: bigint,
  n: number,
  ramMiB = 2 * RAM_MIB,
): { c: LabCase; maxThreads: number } | undefined {
  // 7.2's estimate leaves static regions out (memblock-estimate-kern): only 6.12's can be lowered so
  if (!profile.arm64 || profile.series.maxThreadsFrom !== 'memblock-estimate') return undefined;
  const ram = BigInt(ramMiB) * MiB;
  const at = VIRT_RAM_BASE + ram;
  const make = (size: bigint): LabCase => ({
    family: 'arm64',
    ramMiB,
    memreserve: [],
    regions: size > 0n ? [{ name: `${ESTIMATE}@${at.toString(16)}`, intent: ESTIMATE, reg: [[hex(at), hex(size)]] }] : [],
    bootargs: 'cma=0',
  });
  const figures = (c: LabCase) => ladderPlan(profile, c, initrdSize);
  // memblock's estimate without the region, less the estimate that gives n threads (the middle of
  // its THREAD_SIZE * 8 span), in STEP units: the region's size (a larger one would wrap the estimate)
  const none = figures(make(0n));
  if (!none) return undefined;
  const perThread = BigInt(profile.threadSize) * 8n;
  const size = ((none.estimatedFree - (BigInt(n) * perThread + perThread / 2n)) / STEP) * STEP;
  if (size <= 0n) return undefined;
  const c = make(size);
  const maxThreads = figures(c)?.maxThreads;
  return maxThreads === n ? { c, maxThreads } : undefined;
}

/**
 * A case that leaves the page allocator memory to spare (`ramMiB`, cma=0) but at most `blocks`
 * free 2 MiB blocks as the plan counts them (PlanResult.pageAllocator.highOrder, 7.2's
 * bio_integrity_initfn pool): a small static region ("splitter") in the middle of each 2 MiB block
 * above the kernel image, the initrd's left alone, from the lowest up, as many as it takes. The
 * blocks memblock's own allocations leave at the top of memory stay whole: the count includes them.
 */
export function blocksCase(
  profile: KernelProfile,
  initrdSize: bigint,
  blocks: number,
  cpus = 1,
  ramMiB = RAM_MIB,
  freeKiB?: number,
): { c: LabCase; free: bigint; blocks: number } | undefined {
  const ram = BigInt(ramMiB) * MiB;
  const base = VIRT_RAM_BASE;
  const kernelEnd = imageEnd(profile, base);
  if (kernelEnd === undefined) return undefined;
  const initrd = initrdStart(ram);
  const block = 2n * MiB;
  // with `freeKiB`, the squeeze (ladderCase) first takes memory down to about that, and the
  // splitters go into what it leaves
  const squeeze = freeKiB === undefined ? undefined : ladderCase(profile, initrdSize, freeKiB, ramMiB, undefined, 0, cpus);
  if (freeKiB !== undefined && !squeeze) return undefined;
  const taken = (squeeze?.c.regions ?? []).map((r) => [BigInt(r.reg![0]![0]), BigInt(r.reg![0]![0]) + BigInt(r.reg![0]![1])] as const);
  const candidates: bigint[] = [];
  for (let at = up(kernelEnd, block); at + block <= base + ram; at += block)
    if ((at + block <= initrd || at >= up(initrd + initrdSize, block)) && !taken.some(([a, e]) => at < e && a < at + block))
      candidates.push(at);
  const make = (n: number): LabCase => ({
    family: profile.arch,
    ramMiB,
    memreserve: [],
    regions: [
      ...(squeeze?.c.regions ?? []),
      ...candidates.slice(0, n).map(
        (at): RegionSpec => ({
          name: `${SPLITTER}@${(at + MiB).toString(16)}`,
          intent: SPLITTER,
          reg: [[hex(at + MiB), hex(STEP)]],
        }),
      ),
    ],
    bootargs: 'cma=0',
    ...(cpus > 1 ? { cpus } : {}),
  });
  const count = (n: number) => ladderPlan(profile, make(n), initrdSize);
  // the fewest splitters whose count is at most the target (more splitters, fewer blocks)
  let lo = 0;
  let hi = candidates.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const pa = count(mid);
    if (pa?.highOrder !== undefined && pa.highOrder.blocks <= blocks) hi = mid;
    else lo = mid + 1;
  }
  const pa = count(lo);
  if (pa?.highOrder === undefined || pa.highOrder.blocks > blocks) return undefined;
  return { c: make(lo), free: pa.free, blocks: pa.highOrder.blocks };
}

/** QEMU's RAM for the --unmapped boots (MiB): the same PMDs cleared with lowmem ending early and late. */
const UNMAPPED_RAM = [256, 1024];

/**
 * arm: the cases whose prepare_page_table clears every PMD of the kernel image (arch/arm/mmu.ts): a
 * no-map region straddling the start of RAM ends memblock's first memory region before the image
 * (6.1+'s adjust_lowmem_bounds widens it to the first 2 MiB) — at every UNMAPPED_RAM size, with the
 * plan's first PMD cleared (`from`, bytes past the start of RAM). A region can cover neither the image
 * (it is reserved first) nor memory the kernel lies in, so the only other way is a first region ending
 * just past the image, in the PMD holding its end: there map_lowmem's own code decides (a range ending
 * inside the kernel's last section wraps; mmu.ts), not the TLB, and nothing is measured.
 */
export function unmappedCases(profile: KernelProfile, initrdSize: bigint): { c: LabCase; from: number }[] {
  if (!profile.arm) return [];
  // 64 KiB, half below RAM and half in it
  const size = 0x1_0000n;
  const at = VIRT_RAM_BASE - size / 2n;
  const out: { c: LabCase; from: number }[] = [];
  for (const ramMiB of UNMAPPED_RAM) {
    const c: LabCase = {
      family: profile.arch,
      ramMiB,
      memreserve: [],
      regions: [{ name: `${UNMAP}@${at.toString(16)}`, intent: UNMAP, reg: [[hex(at), hex(size)]], noMap: true }],
      bootargs: '',
    };
    const from = ladderPlanResult(profile, c, initrdSize).kernelUnmappedFrom;
    if (from !== undefined) out.push({ c, from: Number(from - VIRT_RAM_BASE) });
  }
  return out;
}

/**
 * The one function that panics with each message seen in a ladder boot whose call trace the
 * console lost: 7.2's armmp builds restart (panic=-1) while vpanic is still unwinding, before the
 * caller's line. mm/oom_kill.c out_of_memory, block/bio-integrity.c bio_integrity_initfn.
 */
const CALLER_OF: Record<string, string> = {
  'System is deadlocked on memory': 'out_of_memory',
  "bio: can't create integrity buf pool": 'bio_integrity_initfn',
};

/**
 * How a ladder boot ended, for ladders.json: /init, or the stage it died in, the function (an
 * oops' `pc`, else the caller of panic()), the panic message and the first line saying what went
 * wrong. A boot the bound stopped is no step.
 */
export function ladderEnd(o: Observation): LadderStep['end'] | undefined {
  if (o.reachedInit) return 'init';
  if (!o.panicked || !o.panicMessage) return undefined;
  const lines = (o.console ?? '').split('\n').map((l) => l.replace(/\r$/, '').replace(/^\[\s*\d+\.\d+\]\s?/, ''));
  const at = lines.findIndex((l) => l.startsWith('Kernel panic - not syncing: '));
  const before = at < 0 ? lines : lines.slice(0, at);
  const panic = o.panicMessage.replace(/^Kernel panic - not syncing: /, '');
  // a task killed by an oops: the oops' pc (arm64 `pc : f+…`, arm `PC is at f+…`); else the
  // function that called panic(): the line after arm64's `panic+…`, arm's `panic from f+…` (5.10:
  // `[<…>] (panic) from [<…>] (f+…)`)
  const pc = before
    .map((l) => /^(?:pc : |PC is at )(\w+)\+/.exec(l)?.[1])
    .filter((x) => x !== undefined)
    .pop();
  const panicAt = lines.findIndex((l, i) => i > at && /^\s*panic\+0x/.test(l));
  const armCaller = lines
    .slice(at + 1)
    .map((l) => /(?:^\s*panic from |\(panic\) from \[<[0-9a-f]+>\] \()(\w+)\+0x/.exec(l)?.[1])
    .find((x) => x !== undefined);
  const caller = (panicAt < 0 ? armCaller : /^\s*(\w+)\+0x[0-9a-f]+\/0x[0-9a-f]+/.exec(lines[panicAt + 1] ?? '')?.[1]) ?? CALLER_OF[panic];
  const fn = /^Attempted to kill /.test(panic) ? pc : caller;
  if (!fn) return undefined;
  // the dying task: PID 0 is the idle task, still in start_kernel
  const pid = before
    .map((l) => /^CPU: \d+ (?:UID: \d+ )?PID: (\d+) /.exec(l)?.[1])
    .filter((x) => x !== undefined)
    .pop();
  const trouble =
    /^(Unable to handle kernel .*|kernel BUG at .*|Out of memory and no killable processes.*|\S+: page allocation failure: .*)$/;
  const message = before.map((l) => trouble.exec(l)?.[1]).find((x) => x !== undefined) ?? '';
  return { stage: pid === '0' ? 'start_kernel' : 'kernel_init', fn, panic, message: message.replace(/, nodemask=.*$/, '') };
}

/**
 * A build's ladder from its ladder records (all booted on the build `profile` describes): each
 * boot's free count (the plan's, from the record's case) and how it ended, lowest first; `source`
 * names the records.
 */
export function ladderFromRecords(profile: KernelProfile, records: LabRecordJson[], source: string): OomLadder | undefined {
  if (!records.length) return undefined;
  const steps: LadderStep[] = [];
  const threads: ThreadStep[] = [];
  const fragments: LadderStep[] = [];
  const unmapped: UnmappedStep[] = [];
  for (const r of records) {
    const o = observationFromJson(r.observation);
    const kind = ladderKind(r.case as LabCase);
    if (kind === 'unmapped') {
      // the plan's first PMD cleared; how the boot ended, a hang included (the plan may predict it: no page-allocator figures then)
      const end = ladderEnd(o) ?? (bootEnd(o) === 'hang' ? 'hang' : undefined);
      const from = ladderPlanResult(
        profile,
        r.case as LabCase,
        r.initrd ? BigInt(r.initrd.size) : undefined,
        r.append,
        BigInt(r.ram),
      ).kernelUnmappedFrom;
      if (end !== undefined && from !== undefined)
        unmapped.push({ from: Number(from - VIRT_RAM_BASE), ramMiB: Number(BigInt(r.ram) / MiB), end });
      continue;
    }
    const byThreads = kind === 'threads';
    const end = ladderEnd(o) ?? (byThreads && bootEnd(o) === 'hang' ? 'hang' : undefined);
    const pa = end === undefined ? undefined : ladderFigures(profile, r);
    if (end === undefined || pa === undefined) continue;
    const cpus = (r.case as LabCase).cpus;
    if (byThreads) {
      const during = end === 'init' ? undefined : /\s(smp_init)\+0x[0-9a-f]+\//.test(o.console ?? '') ? 'smp_init' : 'initcalls';
      threads.push({ maxThreads: pa.maxThreads, end, ...(during ? { during } : {}), ...(cpus ? { cpus } : {}) });
    } else if (end !== 'hang') {
      const blocks = pa.highOrder?.blocks;
      const step = {
        free: Number(pa.free >> 10n),
        maxThreads: pa.maxThreads,
        end,
        ...(cpus ? { cpus } : {}),
        ...(blocks !== undefined ? { blocks } : {}),
      };
      if (kind === 'fragments') fragments.push(step);
      else steps.push(step);
    }
  }
  // boots that all died before memblock_free_all (sparse_init could not back the memmap) measure nothing
  if (!steps.length && !threads.length && !fragments.length && !unmapped.length) return undefined;
  steps.sort((a, b) => a.free - b.free || (a.cpus ?? 1) - (b.cpus ?? 1));
  threads.sort((a, b) => a.maxThreads - b.maxThreads);
  fragments.sort((a, b) => a.blocks! - b.blocks! || (a.cpus ?? 1) - (b.cpus ?? 1) || a.free - b.free);
  return {
    package: records[0]!.package,
    source,
    steps,
    ...(threads.length ? { threads } : {}),
    ...(fragments.length ? { fragments } : {}),
    ...(unmapped.length ? { unmapped: unmapped.sort((a, b) => a.from - b.from || a.ramMiB - b.ramMiB) } : {}),
  };
}

/** The plan's page-allocator figures for a ladder record's boot. */
function ladderFigures(profile: KernelProfile, r: LabRecordJson): PlanResult['pageAllocator'] {
  return ladderPlan(profile, r.case as LabCase, r.initrd ? BigInt(r.initrd.size) : undefined, r.append, BigInt(r.ram));
}

/**
 * The plan's page-allocator figures for a ladder case as QEMU virt boots it (its RAM unless `ram`
 * says what a record booted with), on the lab's command line unless `append` gives the booted one:
 * the boot whose end counts, with memblock=debug on arm64, without it on 32-bit (lab.ts observe's
 * init boot; with earlycon it would hang in early_fixmap_shutdown).
 */
function ladderPlan(...a: Parameters<typeof ladderPlanResult>): PlanResult['pageAllocator'] {
  return ladderPlanResult(...a).pageAllocator;
}

/** The plan of a ladder case as ladderPlan makes it. */
function ladderPlanResult(
  profile: KernelProfile,
  c: LabCase,
  initrdSize: bigint | undefined,
  append = `${fixedAppend(profile.arch, profile.arch === 'arm64')} ${c.bootargs}`,
  ram = BigInt(c.ramMiB) * MiB,
): PlanResult {
  const { dtb } = labDtb(c);
  const board = loadBoard(dtb, {
    fileName: 'ladder.dtb',
    platform: 'qemu-virt',
    asBooted: true,
    arch: profile.arch,
    ram,
    ...(initrdSize !== undefined ? { initrdSize } : {}),
  });
  // the lab's ladders alone: ladders.json, read from these figures, must not follow a developer's kernel cache
  return plan(board, { kernel: profile, bootargs: append, ladders: 'lab' });
}

/** data/lab/ladder/ladders.json, beside the records it is read from; src/kernel/oom.ts imports it. */
export const ladderTableFile = join(ladderDir, 'ladders.json');

/**
 * Every measured build's ladder (data/lab/ladder), as ladders.json holds them (oom.ts OOM_LADDERS):
 * by lab kernel id, one per package the records were booted on (its profile: profileOfPackage).
 */
export function measuredLadders(dir = ladderDir): Record<string, OomLadder[]> {
  const out: Record<string, OomLadder[]> = {};
  for (const k of recordedKernels(dir)) {
    const records = readLabRecordsJson(k, dir);
    const ladders: OomLadder[] = [];
    for (const pkg of [...new Set(records.map((r) => r.package))].sort()) {
      const profile = profileOfPackage(k, pkg);
      if (!profile) throw new Error(`${k}: no profile of ${pkg} (carveout kernels facts ${k} stores its build facts)`);
      const l = ladderFromRecords(
        profile,
        records.filter((r) => r.package === pkg),
        `data/lab/ladder/${k}.jsonl.gz`,
      );
      // the package's files' sha256, stored with its facts: the same files given by hand find this ladder
      const sha256 = factsOfPackage(k, pkg)?.sha256;
      if (!l) continue;
      const { package: name, ...rest } = l;
      ladders.push(sha256 ? { package: name, sha256, ...rest } : l);
    }
    if (ladders.length) out[k] = ladders;
  }
  return out;
}

/** The text of ladders.json: each build's steps (`free`: the plan's count of what memblock_free_all hands over, KiB) and thread steps. */
export function ladderTable(dir = ladderDir): string {
  return `${JSON.stringify(measuredLadders(dir), null, 2)}\n`;
}

/** A ladder boot as the choice of the next one reads it: the plan's free count (KiB) and whether it reached /init. */
export interface LadderProbe {
  free: number;
  reached: boolean;
}

/** How a ladder is measured: how many boots at most, how close the boundary is pinned, how many deaths below it. */
export interface LadderBudget {
  /** Boots at most (the ones already recorded of the build count). */
  boots: number;
  /** KiB: the boundary is pinned once the highest death and the lowest /init above it are this close. */
  resolution: number;
  /** Deaths wanted below the highest one, to see where the boot dies with less. */
  below: number;
}

export const DEFAULT_LADDER_BUDGET: LadderBudget = { boots: 16, resolution: 256, below: 3 };

/** The least free memory a ladder boot is tried with (KiB): below it the squeeze leaves nothing to learn. */
const LEAST_FREE = 512;

/**
 * The free amount (KiB, the plan's count) the next ladder boot of a build should leave, or
 * undefined when the ladder is done: `start` is the nearest measured build's bounds (the most free
 * memory it died with, the least it reached /init with). First a death and an /init are found on
 * this build (from `start`, stepping out from twice the start's gap, doubling), then the boundary between the
 * highest death and the lowest /init above it is bisected down to `resolution`, keeping boots for
 * `below` deaths under it, a quarter of the boundary apart, to see where the boot dies with less.
 */
export function nextLadderTarget(probes: LadderProbe[], start: { died: number; lived: number }, budget: LadderBudget): number | undefined {
  if (probes.length >= budget.boots) return undefined;
  const span = Math.max(2 * (start.lived - start.died), 2 * budget.resolution, 1024);
  if (!probes.length) return start.lived;
  const died = probes.filter((p) => !p.reached).map((p) => p.free);
  const lived = probes.filter((p) => p.reached).map((p) => p.free);
  // stepping out, each step twice the one before
  const out = (n: number) => span * 2 ** Math.max(0, n - 1);
  if (!died.length) {
    // nothing died yet: the start's death bound, else further down
    const least = Math.min(...lived);
    if (least <= LEAST_FREE) return undefined;
    return Math.max(LEAST_FREE, least > start.died ? start.died : least - out(lived.filter((x) => x <= start.died).length));
  }
  const top = Math.max(...died);
  const above = lived.filter((x) => x > top);
  if (!above.length) return top + out(died.filter((x) => x >= start.lived).length);
  const floor = Math.min(...above);
  const step = Math.max(span / 2, Math.round(top / 4));
  const under = died.filter((x) => x <= top - step / 2);
  const left = budget.boots - probes.length;
  if (floor - top > budget.resolution && left > Math.max(0, budget.below - under.length)) return Math.round((top + floor) / 2);
  const least = Math.min(...died);
  if (under.length >= budget.below || least - budget.resolution <= LEAST_FREE) return undefined;
  return Math.max(LEAST_FREE, least - step);
}

/**
 * The bounds a new ladder starts from: the build's own kernel's measured ladders, else those of its
 * series and page size, else every one; with `cpus` CPUs, the one-CPU bounds moved by what each
 * CPUs were measured to need more on those ladders (boundaryShift), the most any of them needs.
 */
export function startBounds(profile: KernelProfile, cpus = 1): { died: number; lived: number } {
  const all = Object.entries(OOM_LADDERS);
  const flavour = `${profile.series.name}-${profile.arch === 'arm64' ? 'arm64' : 'armmp'}${profile.pageSize === 16384 ? '-16k' : ''}${profile.arch === 'arm' && profile.physAddrBits > 32 ? '-lpae' : ''}`;
  const pick = (ids: string[]) => all.filter(([id]) => ids.includes(id)).flatMap(([, ls]) => ls);
  const near = [pick([profile.id]), pick([flavour]), all.flatMap(([, ls]) => ls)].find((ls) => ls.length) ?? [];
  const bounds = near.map((l) => measuredBounds(l));
  const shift = cpus > 1 ? Math.max(0, ...near.map((l) => boundaryShift(l, cpus)?.kib ?? 0)) : 0;
  const died = Math.round(Math.max(...bounds.map((b) => b.died ?? 0)) + shift);
  const lived = Math.max(died + 1024, ...bounds.map((b) => Math.round((b.lived ?? 0) + shift)));
  return { died: died || LEAST_FREE, lived };
}

/** A fragment boot as the choice of the next one reads it: the plan's free 2 MiB blocks and whether it reached /init. */
export interface BlocksProbe {
  blocks: number;
  reached: boolean;
}

/** Fragment boots a measurement adds at most (7.2's pool: the boundary lies within a few blocks). */
export const BLOCKS_BOOTS = 6;

/**
 * The free 2 MiB blocks the next fragment boot (blocksCase) should leave, or undefined when the
 * boundary is pinned (the most blocks a boot died with and the fewest above it one lived with are
 * adjacent): from 8 (the lab's builds lived with 3 to 9), doubling up while boots die, then halving
 * the gap.
 */
export function nextBlocksTarget(probes: BlocksProbe[]): number | undefined {
  const died = probes.filter((p) => !p.reached).map((p) => p.blocks);
  const most = died.length ? Math.max(...died) : -1;
  const above = probes.filter((p) => p.reached && p.blocks > most).map((p) => p.blocks);
  const least = above.length ? Math.min(...above) : undefined;
  if (least === undefined) return most < 0 ? 8 : 2 * most + 2;
  if (least - most <= 1) return undefined;
  return Math.floor((most + least) / 2);
}

/**
 * Boot one ladder case on `k` and keep it as a lab record: appended to `records` (its index is
 * their count) and written with them to `<dir>/<kernel id>.jsonl.gz`, the DTB inside.
 */
async function bootLadderCase(
  k: KernelInfo,
  c: LabCase,
  records: LabRecordJson[],
  dir: string,
  opts: { timeoutMs: number; niceness?: number },
): Promise<{ o: Observation; dtb: Uint8Array }> {
  const { dtb, sha256 } = labDtb(c);
  const ram = BigInt(c.ramMiB) * MiB;
  const res = await observe(k, dtb, ram, c.bootargs, { keepConsole: true, ...opts, ...(c.cpus ? { smp: c.cpus } : {}) });
  const initrd = { start: hex(initrdStart(ram)), size: hex(BigInt(res.initrdSize)) };
  const rec = labRecord({ kernel: k, seed: 0, index: records.length, case: c }, res, sha256, initrd);
  rec.dtb = gzipSync(dtb).toString('base64');
  records.push(rec);
  mkdirSync(dir, { recursive: true });
  writeLabRecordsJson(k.id, records, dir);
  return { o: res.observation, dtb };
}

/** Whether a ladder record's boot reached /init (a hang or a panic did not). */
function reached(r: LabRecordJson): boolean {
  return observationFromJson(r.observation).reachedInit;
}

/** How a measured boot ended and how long it took, as measureLadder's progress lines say it. */
function howEnded(o: Observation): string {
  const end = ladderEnd(o);
  const how = o.reachedInit
    ? 'reached /init'
    : end && end !== 'init'
      ? `died in ${end.fn} (${end.panic})`
      : o.timedOut
        ? 'hung (stopped by the bound)'
        : 'ended';
  return `${how} in ${Math.round((o.durationMs ?? 0) / 1000)} s`;
}

export interface MeasureLadderOptions {
  budget?: Partial<LadderBudget>;
  /** Where the boots' records go (`<dir>/<kernel id>.jsonl.gz`; boots of the build already there count). */
  dir: string;
  /** What the ladder names as its records. */
  source: string;
  /** Seconds before a boot is stopped (default 60). */
  timeoutMs?: number;
  /** One line per boot. */
  progress?: (line: string) => void;
  /**
   * CPUs QEMU boots (-smp; default one): each CPU more needs memory after memblock_free_all (its
   * idle task, per-cpu kthreads and workers, per-cpu slabs and chunks), so a ladder is measured per
   * CPU count; the boots of other counts are not its probes.
   */
  cpus?: number;
}

/**
 * Measure the out-of-memory ladder of build `k` (a fetched package, or an own build's image) whose
 * profile is `profile`: boots under QEMU virt (nice 10, one at a time) with the squeeze layout
 * (ladderCase) at the free amounts nextLadderTarget picks, each kept as a lab record in
 * `opts.dir`; the ladder is read from the build's records there (ladderFromRecords).
 */
export async function measureLadder(
  k: KernelInfo,
  profile: KernelProfile,
  opts: MeasureLadderOptions,
): Promise<{ ladder?: OomLadder; booted: number; error?: string }> {
  const budget = { ...DEFAULT_LADDER_BUDGET, ...opts.budget };
  const report: FetchReport = { fetched: [], notFound: [], errors: [], log: [] };
  const initrdFile = ensureInitramfs(k.debArch === 'arm64' ? 'arm64' : 'armhf', report);
  if (!initrdFile) return { booted: 0, error: `no initramfs: ${[...report.notFound, ...report.errors].join('; ')}` };
  const initrdSize = BigInt(statSync(initrdFile).size);
  const pkg = bootedPackage(k);
  const records = readLabRecordsJson(k.id, opts.dir);
  const cpus = opts.cpus ?? 1;
  const probes: LadderProbe[] = recordsOf(records, pkg, cpus, 'steps').flatMap((r) => {
    const pa = ladderFigures(profile, r);
    return pa ? [{ free: Number(pa.free >> 10n), reached: reached(r) }] : [];
  });
  const start = startBounds(profile, cpus);
  let booted = 0;
  for (;;) {
    const target = nextLadderTarget(probes, start, budget);
    if (target === undefined) break;
    const lc = ladderCase(profile, initrdSize, target, undefined, undefined, undefined, cpus);
    if (!lc) return { booted, error: `${profile.arch}: no squeeze layout leaves ${target} KiB` };
    const free = Number(lc.free >> 10n);
    // the squeeze cannot come closer than the free count an earlier boot had: the ladder is as fine as it gets
    if (probes.some((p) => p.free === free)) break;
    const { o } = await bootLadderCase(k, lc.c, records, opts.dir, { timeoutMs: opts.timeoutMs ?? 60_000, niceness: 10 });
    booted++;
    probes.push({ free, reached: o.reachedInit });
    opts.progress?.(`boot ${probes.length}/${budget.boots}: ${free} KiB free: ${howEnded(o)}`);
  }
  // 7.2's bio_integrity_initfn pool: how few free 2 MiB blocks a boot with memory to spare lives with
  if (profile.series.pageAlloc.integrityBufPool !== 'none') {
    const frag: BlocksProbe[] = recordsOf(records, pkg, cpus, 'fragments').flatMap((r) => {
      const blocks = ladderFigures(profile, r)?.highOrder?.blocks;
      return blocks === undefined ? [] : [{ blocks, reached: reached(r) }];
    });
    for (let n = 0; n < BLOCKS_BOOTS; n++) {
      const target = nextBlocksTarget(frag);
      if (target === undefined) break;
      const bc = blocksCase(profile, initrdSize, target, cpus);
      // the splitters cannot come closer than a boot already had
      if (!bc || frag.some((p) => p.blocks === bc.blocks)) break;
      const { o } = await bootLadderCase(k, bc.c, records, opts.dir, { timeoutMs: opts.timeoutMs ?? 60_000, niceness: 10 });
      booted++;
      frag.push({ blocks: bc.blocks, reached: o.reachedInit });
      opts.progress?.(`fragment boot ${n + 1}: ${bc.blocks} free 2 MiB blocks, ${bc.free >> 10n} KiB free: ${howEnded(o)}`);
    }
  }
  // arm: paging_init with the image's PMDs cleared (arch/arm/mmu.ts), each layout once
  const done = new Set(recordsOf(records, pkg, 1, 'unmapped').map((r) => JSON.stringify([(r.case as LabCase).regions, r.ram])));
  for (const { c, from } of unmappedCases(profile, initrdSize)) {
    if (done.has(JSON.stringify([c.regions, hex(BigInt(c.ramMiB) * MiB)]))) continue;
    const { o } = await bootLadderCase(k, c, records, opts.dir, { timeoutMs: opts.timeoutMs ?? 60_000, niceness: 10 });
    booted++;
    opts.progress?.(`paging_init with the image unmapped from RAM+${hex(BigInt(from))}, ${c.ramMiB} MiB: ${howEnded(o)}`);
  }
  const ladder = ladderFromRecords(
    profile,
    records.filter((r) => r.package === pkg),
    opts.source,
  );
  return { ...(ladder ? { ladder } : {}), booted };
}

/** The directory of a build's ladder in the kernel cache: readable, and unique by its files' hash. */
export function cachedLadderDir(name: string, sha256: string): string {
  return join(ladderCacheDir(), `${name.replace(/[^A-Za-z0-9._+-]/g, '_')}-${sha256.slice(0, 16)}`);
}

/**
 * Measure a build's ladder into the kernel cache (cachedLadderDir): its records beside ladder.json,
 * which names the build (`name`: a package's `<package> <version>`, or an own build's name), the
 * sha256 of its files, the date and the records; the plan then reads it (oom.ts ownLadder).
 */
export async function measureLadderToCache(
  k: KernelInfo,
  profile: KernelProfile,
  name: string,
  opts: Omit<MeasureLadderOptions, 'dir' | 'source'>,
): Promise<{ ladder?: OomLadder; booted: number; file?: string; error?: string }> {
  const sha256 = profile.filesSha256;
  if (!sha256) return { booted: 0, error: `${name}: not read from its .config and System.map` };
  const dir = cachedLadderDir(name, sha256);
  const source = join(dir, `${k.id}.jsonl.gz`);
  const r = await measureLadder(k, profile, { ...opts, dir, source });
  if (!r.ladder) return r;
  const ladder: OomLadder = { ...r.ladder, package: name, sha256, date: new Date().toISOString() };
  const file = join(dir, 'ladder.json');
  writeFileSync(`${file}.tmp`, `${JSON.stringify(ladder, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return { ...r, ladder, file };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const usage = `usage: node --import tsx src/verify/memory-ladder.ts --kernel ID --free KIB[,KIB...] [options]
  --kernel ID        a lab kernel (\`carveout kernels\`)
  --free K,K,...     targets: KiB memblock_free_all hands to the page allocator (the plan's count)
  --max-threads N,.. or targets: fork_init's max_threads (the plan's), memory to spare (6.12+)
  --blocks N,...     or targets: free 2 MiB blocks (the plan's count, 7.2), memory to spare
                     (--free KIB with it: about that much, the squeeze first)
  --repeat N         boots per target (default 1)
  --ram MIB          QEMU's RAM (default 128); --mem MIB adds mem= (the initrd may then lie beyond it)
  --cma MIB          the default CMA area (cma=, default 0)
  --unmapped         or (arm): boots whose paging_init runs with the kernel image's PMDs cleared
                     (unmappedCases: a no-map region straddling the start of RAM, 256 and 1024 MiB)
  --smp N            CPUs QEMU boots (default 1)
  --timeout S        seconds before a boot is stopped (default 60)
  --dry-run          print the cases and their free counts, boot nothing
  --write-table      (no --kernel/--free) write data/lab/ladder/ladders.json from every data/lab/ladder/<kernel>.jsonl.gz
Boots one QEMU at a time; appends to data/lab/ladder/<kernel>.jsonl.gz.
`;

async function main(): Promise<number> {
  if (process.argv.includes('--help')) {
    process.stdout.write(usage);
    return 0;
  }
  if (process.argv.includes('--write-table')) {
    writeFileSync(ladderTableFile, ladderTable());
    process.stdout.write(`memory-ladder: wrote ${ladderTableFile}\n`);
    return 0;
  }
  const id = arg('kernel');
  const byThreads = arg('max-threads') !== undefined;
  const byBlocks = arg('blocks') !== undefined;
  const targets = (arg(byThreads ? 'max-threads' : byBlocks ? 'blocks' : 'free') ?? '').split(',').filter(Boolean).map(Number);
  const repeat = Number(arg('repeat') ?? '1');
  const ramMiB = Number(arg('ram') ?? RAM_MIB);
  const memArg = arg('mem');
  const memMiB = memArg === undefined ? undefined : Number(memArg);
  const cmaMiB = Number(arg('cma') ?? '0');
  const cpus = Number(arg('smp') ?? '1');
  const timeoutMs = Number(arg('timeout') ?? '60') * 1000;
  const profile = id ? resolveProfile(id) : undefined;
  const byUnmapped = process.argv.includes('--unmapped');
  if (!id || !profile || (!byUnmapped && (!targets.length || targets.some((t) => !(t > 0 || (byBlocks && t === 0)))))) {
    process.stderr.write(usage);
    return 2;
  }
  // the package the built-in profile describes (its records' package), not necessarily the newest
  const rep: FetchReport = { fetched: [], notFound: [], errors: [], log: [] };
  const k = fetchBuiltinRelease(id, rep);
  if (!k) {
    process.stderr.write(`memory-ladder: ${id}: ${profile.debianPackage} not fetched: ${[...rep.notFound, ...rep.errors].join('; ')}\n`);
    return 2;
  }
  const report = { fetched: [], notFound: [], errors: [], log: [] };
  const initrdFile = ensureInitramfs(profile.arch === 'arm64' ? 'arm64' : 'armhf', report);
  if (!initrdFile) return 2;
  const initrdSize = BigInt(statSync(initrdFile).size);
  const records: LabRecordJson[] = readLabRecordsJson(id, ladderDir);
  if (byUnmapped) {
    const cases = unmappedCases(profile, initrdSize);
    if (!cases.length) process.stderr.write(`memory-ladder: ${id}: no layout clears the kernel image's PMDs in paging_init (arm only)\n`);
    for (const { c, from } of cases) {
      process.stdout.write(`${id} unmapped from RAM+${hex(BigInt(from))}, ${c.ramMiB} MiB: region ${c.regions[0]!.reg![0]!.join('+')}\n`);
      if (process.argv.includes('--dry-run')) continue;
      for (let n = 0; n < repeat; n++) {
        const { o } = await bootLadderCase(k, c, records, ladderDir, { timeoutMs });
        process.stdout.write(`  boot ${n + 1}: ${howEnded(o)}\n`);
      }
    }
    return 0;
  }
  for (const t of targets) {
    const lc = byThreads
      ? threadsCase(profile, initrdSize, t, arg('ram') === undefined ? undefined : ramMiB)
      : byBlocks
        ? blocksCase(profile, initrdSize, t, cpus, ramMiB, arg('free') === undefined ? undefined : Number(arg('free')))
        : ladderCase(profile, initrdSize, t, ramMiB, memMiB, cmaMiB, cpus);
    if (!lc) {
      process.stderr.write(
        `memory-ladder: ${id}: no case ${byThreads ? `brings max_threads to ${t}` : byBlocks ? `leaves ${t} free 2 MiB blocks` : `leaves ${t} KiB`}\n`,
      );
      continue;
    }
    process.stdout.write(
      `${id} target ${t}${byThreads ? ' threads' : byBlocks ? ' blocks' : 'K'}: ${'free' in lc ? `free ${lc.free >> 10n}K` : `max_threads ${lc.maxThreads}`}${'blocks' in lc ? `, ${lc.blocks} blocks` : ''}, regions ${lc.c.regions.map((r) => r.reg?.[0]?.join('+')).join(' ')}\n`,
    );
    if (process.argv.includes('--dry-run')) continue;
    for (let n = 0; n < repeat; n++) {
      const { o, dtb } = await bootLadderCase(k, lc.c, records, ladderDir, { timeoutMs });
      const fn =
        /\n\[[ .0-9]+\]\s+(\w+)\+0x[0-9a-f]+\/0x[0-9a-f]+\r?\n\[[ .0-9]+\]\s+(start_kernel|kernel_init_freeable|do_one_initcall|kernel_init)\+/.exec(
          o.console ?? '',
        );
      process.stdout.write(
        `  boot ${n + 1}: ${o.reachedInit ? 'reached /init' : o.panicked ? `panic: ${o.panicMessage} (${fn?.[1] ?? '?'} from ${fn?.[2] ?? '?'})` : o.timedOut ? 'stopped by the bound' : 'ended'} in ${Math.round((o.durationMs ?? 0) / 1000)} s; sha ${createHash('sha256').update(dtb).digest('hex').slice(0, 8)}\n`,
      );
    }
  }
  return 0;
}

if (process.argv[1]?.endsWith('memory-ladder.ts') || process.argv[1]?.endsWith('memory-ladder.js'))
  main().then(
    (c) => process.exit(c),
    (e: unknown) => {
      process.stderr.write(`memory-ladder: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(2);
    },
  );
