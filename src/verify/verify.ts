// `carveout verify`: boot a board's reserved memory on a real kernel under QEMU and compare what the
// kernel did with what `plan` predicts. Library part (the CLI in src/cli/commands/verify.ts is thin).
import { diag, hasErrors, type Diagnostic } from '../diagnostics.js';
import { cachedKernel, fetchKernels, findKernelDef, labKernels, ownKernelInfo, type KernelInfo } from './kernels.js';
import { qemuAvailable } from './qemu.js';
import { ARM32_MAX_RAM } from '../platform/qemu-virt.js';
import { existsSync, readFileSync } from 'node:fs';
import type { KernelProfile } from '../kernel/profiles/types.js';
import { loadBoard, type LoadBoardOptions } from '../board.js';
import { kernelImageSize } from '../platform/u-boot.js';
import { armTextOffset } from '../platform/uefi.js';
import { plan, resolveProfile, type PlanResult } from '../kernel/plan.js';
import { observe } from './lab.js';
import { profileForPackage } from './build-facts.js';
import { observedRegions, type ObservedRegion } from './regions.js';
import { bootEnd, isCommandLineLine, isPhaseLine, type MemoryLine, type Observation } from './observation.js';
import { isUnknownParamsLine } from '../kernel/start-kernel.js';
import { findFirmware, parseFirmwareConsole, ubootPlacingLines, type FirmwareKind } from './firmware.js';

export interface VerifyOptions {
  kernel: string;
  /**
   * The user's own kernel instead of a lab one: `image` is booted (QEMU virt, if the build supports
   * it) and the plan uses `profile`, built from the build's config and System.map.
   */
  own?: { image: string; config: string; systemMap: string; profile: KernelProfile };
  /** RAM size (QEMU's -m); default 1 GiB. */
  ram?: bigint;
  /** Replaces the board's /chosen/bootargs. */
  bootargs?: string;
  timeoutMs?: number;
  includeDirs?: string[];
  /** Keep the raw console in the observation. */
  keepConsole?: boolean;
  /** Fetch the kernel when it is not cached (default true). */
  fetch?: boolean;
  /** Boot through real firmware (Debian's U-Boot or EDK2 for QEMU) and plan for that platform. */
  firmware?: FirmwareKind;
  /** QEMU NUMA nodes of these sizes, a CPU each (they make up the RAM; default RAM: their sum). */
  numa?: bigint[];
  /** QEMU CPUs without NUMA nodes (-smp; default one). */
  smp?: number;
  /** The arm64 CPU QEMU boots (a name of src/platform/cpu.ts QEMU models; default max). */
  cpu?: string;
}

/** What verify compares of a plan (predictionOf). */
export interface Prediction {
  regions: PredictedRegion[];
  log: string[];
  /** mem_init_print_info's figures (PlanResult.pageAllocator) and the word size the kernel computes them in. */
  memory?: { figures: NonNullable<PlanResult['pageAllocator']>; bitsPerLong: 32 | 64 };
  /** memblock's tables when memblock_dump_all prints them (PlanResult.memblockDump). */
  memblockDump?: NonNullable<PlanResult['memblockDump']>;
}

export interface PredictedRegion {
  name: string;
  base: bigint | null;
  size: bigint | null;
  status: string;
  handler: string | null;
  result: string | null;
  nomap: boolean;
  reusable: boolean;
}

export interface VerifyResult {
  kernel?: KernelInfo;
  /** `verify --log`: the boot log judged against, the release it names, the kernel profile planned with. */
  log?: { name: string; release?: string; profile?: string };
  ram: bigint;
  append?: string;
  observation?: Observation;
  regions: ObservedRegion[];
  prediction?: Prediction;
  differences: string[];
  notes: string[];
  diagnostics: Diagnostic[];
  /** 0 agree (or no plan to compare with and the boot worked), 1 differ, 2 bad input / failed boot. */
  exitCode: 0 | 1 | 2;
}

const hex = (v: bigint | null): string => (v === null ? '-' : '0x' + v.toString(16));

export async function verifyBoard(file: string, o: VerifyOptions): Promise<VerifyResult> {
  const numaRam = o.numa?.reduce((a, b) => a + b, 0n);
  const res: VerifyResult = { ram: o.ram ?? numaRam ?? 1n << 30n, regions: [], differences: [], notes: [], diagnostics: [], exitCode: 2 };
  const def = o.own ? { id: o.kernel, arch: o.own.profile.arch } : findKernelDef(o.kernel);
  if (!def) {
    res.diagnostics.push(
      diag('error', 'unknown-kernel', `unknown kernel '${o.kernel}'`, undefined, `known: ${labKernels.map((k) => k.id).join(', ')}`),
    );
    return res;
  }
  if (def.arch === 'arm' && res.ram > ARM32_MAX_RAM) {
    res.diagnostics.push(diag('error', 'ram-too-big', `${o.kernel}: QEMU's 32-bit virt board (highmem=off) takes at most 3 GiB of RAM`));
    return res;
  }
  if (res.ram < 64n << 20n || res.ram > 16n << 30n) {
    res.diagnostics.push(diag('error', 'bad-ram', `RAM size ${hex(res.ram)} out of the lab's range (64 MiB..16 GiB)`));
    return res;
  }
  const missing = qemuAvailable(def.arch);
  if (missing) {
    res.diagnostics.push(diag('error', 'qemu-missing', missing));
    return res;
  }
  const fw = o.firmware ? findFirmware(o.firmware, def.arch) : undefined;
  if (fw && !fw.firmware) {
    res.diagnostics.push(...fw.diagnostics);
    return res;
  }
  // The board merged into QEMU's own virt tree: the blob booted and planned.
  const board = loadBoard(file, {
    includeDirs: o.includeDirs ?? [],
    platform: 'qemu-virt',
    arch: def.arch,
    ram: res.ram,
    ...(o.numa ? { numa: o.numa } : {}),
    ...(o.smp ? { smp: o.smp } : {}),
    ...(o.cpu ? { cpu: o.cpu } : {}),
  });
  for (const d of board.diagnostics) {
    if (d.code === 'qemu-virt-tree') res.notes.push(d.message);
    else if (d.code === 'qemu-virt-tree-unavailable') res.diagnostics.push({ ...d, severity: 'error' });
    else res.diagnostics.push(d);
  }
  if (!board.tree || !board.blob || hasErrors(res.diagnostics)) return res;
  if (o.own && !existsSync(o.own.image)) {
    res.diagnostics.push(diag('error', 'file-unreadable', `cannot read the kernel image ${o.own.image}`));
    return res;
  }
  let k = o.own ? ownKernelInfo(o.kernel, o.own, def.arch) : cachedKernel(def.id);
  if (!k && o.fetch !== false) {
    const rep = fetchKernels([def.id]);
    k = rep.fetched[0];
    if (!k) {
      res.diagnostics.push(
        diag(
          'error',
          'kernel-unavailable',
          `could not fetch ${def.id}: ${[...rep.notFound, ...rep.errors].join('; ') || 'unknown reason'}`,
          undefined,
          `run 'carveout kernels fetch ${def.id}'`,
        ),
      );
      return res;
    }
  }
  if (!k) {
    res.diagnostics.push(
      diag('error', 'kernel-unavailable', `${def.id} is not fetched`, undefined, `run 'carveout kernels fetch ${def.id}'`),
    );
    return res;
  }
  res.kernel = k;
  const caseArgs = o.bootargs ?? board.bootargs ?? '';
  const booted = await observe(k, board.blob, res.ram, caseArgs, {
    timeoutMs: o.timeoutMs ?? 60_000,
    keepConsole: !!o.keepConsole,
    ...(fw?.firmware ? { firmware: fw.firmware } : {}),
    ...(o.numa ? { numa: o.numa } : {}),
    ...(o.smp ? { smp: o.smp } : {}),
    ...(o.cpu ? { cpu: o.cpu } : {}),
  });
  if (fw?.firmware) {
    res.notes.push(`booted through ${fw.firmware.package} (${fw.firmware.image})`);
    // Where the firmware said it put things (the last boot: 32-bit kernels boot twice).
    const c = parseFirmwareConsole(booted.boots[booted.boots.length - 1]?.console ?? '');
    const at = (what: string, base?: bigint, end?: bigint): string[] =>
      base === undefined ? [] : [`${what} ${hex(base)}${end === undefined ? '' : `..${hex(end)}`}`];
    const said = [
      ...at('kernel loaded at', c.qfwKernel?.base),
      ...at('initrd', c.ramdisk?.base ?? c.qfwInitrd?.base, c.ramdisk?.end),
      ...at(c.dtb?.inPlace ? 'DTB used in place at' : 'DTB copied to', c.dtb?.base, c.dtb?.end),
    ];
    if (said.length) res.notes.push(`U-Boot: ${said.join(', ')}`);
    if (!c.started) res.notes.push(`the firmware did not start the kernel; it printed:\n${c.lines.slice(-10).join('\n')}`);
  }
  res.append = booted.append;
  res.observation = booted.observation;
  const obs = booted.observation;
  res.regions = observedRegions(obs, board.tree);
  const bootFailed = !obs.memoryLine && !obs.memblockDump && obs.log.length === 0;
  if (bootFailed) {
    res.diagnostics.push(
      diag(
        'error',
        'boot-failed',
        `${def.id} did not get as far as memory setup (${obs.timedOut ? 'timed out' : obs.panicked ? 'panicked' : 'stopped'}); last console lines:\n${(obs.console ?? '').split('\n').slice(-15).join('\n')}`,
      ),
    );
    return res;
  }
  // The prediction: the blob as booted (QEMU, or the firmware, placed our initrd), the command line QEMU passed.
  const asBooted = loadBoard(board.blob, {
    fileName: file,
    platform: o.firmware ?? 'qemu-virt',
    asBooted: true,
    arch: def.arch,
    ram: res.ram,
    initrdSize: BigInt(booted.initrdSize),
    ...(o.cpu ? { cpu: o.cpu } : {}),
    ...(o.firmware === 'u-boot' ? ubootKernel(k.vmlinuz, def.arch) : {}),
    ...(o.firmware === 'uefi' ? uefiKernel(k.vmlinuz, k.config, def.arch) : {}),
  });
  if (o.firmware === 'u-boot') {
    // What U-Boot said while placing the initrd and the DTB against what the u-boot model says it prints.
    const said = ubootPlacingLines(parseFirmwareConsole(booted.boots[booted.boots.length - 1]?.console ?? '').lines);
    const mine = asBooted.bootloaderOutput ?? [];
    res.notes.push(
      said.join('\n') === mine.join('\n')
        ? `the u-boot model predicts what U-Boot printed placing the initrd and the DTB (${said.length} line${said.length === 1 ? '' : 's'})`
        : `U-Boot printed:\n${said.join('\n')}\nthe u-boot model predicted:\n${mine.join('\n')}`,
    );
  }
  // Through firmware, the command line the kernel printed (EDK2 appends `initrd=initrd`).
  // The profile of the package booted (another point release than the built-in's is read from its own files).
  const ofPackage = o.own ? { profile: o.own.profile } : profileForPackage(k);
  if (ofPackage.note) res.notes.push(ofPackage.note);
  const dropped = (obs.gaps ?? []).filter((g) => !g.cut);
  const lost = dropped.reduce((n, g) => n + g.messages, 0);
  if (lost)
    res.notes.push(
      `the kernel dropped ${lost} messages before its console printed them (printk's buffer overflowed while the console lagged: a PREEMPT_RT kernel's console prints from a thread that starts late); the lines it printed are compared around the gap${dropped.length > 1 ? 's' : ''}`,
    );
  const used = ofPackage.profile ?? resolveProfile(def.id);
  const p = plan(asBooted, { kernel: used ?? def.id, bootargs: (o.firmware ? obs.commandLine : undefined) ?? booted.append });
  if (p.diagnostics.some((d) => d.code === 'unknown-kernel')) res.notes.push(`plan has no profile for ${def.id} yet`);
  else if (asBooted.diagnostics.some((d) => d.code === 'unknown-platform')) res.notes.push(`plan has no '${o.firmware}' platform model`);
  else {
    res.prediction = predictionOf(p);
    // a boot that died before mem_init's `Memory:` line is compared as far as it printed (as verify --log does)
    const prefix = obs.memoryLine === undefined && (obs.panicked || !obs.reachedInit);
    // booted directly, the plan knows all QEMU put in memory: the page allocator's figures and
    // memblock's tables are compared too (through firmware, what it keeps for itself is not modelled)
    res.differences = compareWithPlan(res.regions, res.prediction, obs, {
      prefix,
      unknownParams: !!used?.params.builtIn,
      memory: !o.firmware,
    });
  }
  res.exitCode = res.differences.length ? 1 : 0;
  if (obs.panicked || (obs.timedOut && !obs.reachedInit)) {
    // The kernel did not survive the boot: report what it did up to then, but it is a failed boot.
    // How it ended (bootEnd): a console silent before the bound is a hang, one still printing was cut off.
    const end = bootEnd(obs);
    const how = obs.panicked
      ? `panicked: ${obs.panicMessage ?? ''}`
      : end === 'hang'
        ? `hung (its console was silent for ${Math.round((obs.quietMs ?? 0) / 1000)} s before the ${Math.round((obs.durationMs ?? 0) / 1000)} s bound)`
        : 'was still printing when the bound stopped it (a longer --timeout shows how it ends)';
    const predicted =
      p.boot.outcome === 'panic' || p.boot.outcome === 'hang' ? `; the plan predicts a ${p.boot.outcome} in ${p.boot.function}` : '';
    res.diagnostics.push(diag('error', 'boot-failed', `${def.id} ${how}${predicted} — what it printed before is shown`));
    res.exitCode = 2;
  }
  return res;
}

/** What booti/bootz reserve for the kernel file the lab boots (src/platform/u-boot.ts kernelImageSize). */
function ubootKernel(vmlinuz: string, arch: 'arm64' | 'arm'): Pick<LoadBoardOptions, 'uboot'> {
  const imageSize = kernelImageSize(arch, new Uint8Array(readFileSync(vmlinuz)));
  return imageSize === undefined ? {} : { uboot: { imageSize } };
}

/**
 * What the uefi model needs of the kernel file EDK2 loads through fw_cfg (src/platform/uefi.ts
 * armVirtQemuStubEntry): its size, on arm64 the Image header's image_size (_end - _text), on arm
 * the zImage's TEXT_OFFSET from the kernel's .config.
 */
function uefiKernel(vmlinuz: string, config: string, arch: 'arm64' | 'arm'): Pick<LoadBoardOptions, 'uefi'> {
  const file = new Uint8Array(readFileSync(vmlinuz));
  const kernelFileSize = BigInt(file.length);
  if (arch === 'arm') return { uefi: { kernelFileSize, textOffset: armTextOffset(readFileSync(config, 'utf8')) } };
  const imageSize = kernelImageSize(arch, file);
  return { uefi: imageSize === undefined ? {} : { kernelFileSize, imageSize } };
}

/** Reserved-memory log lines the model and the kernel should both print (same order): observation.ts isPhaseLine. */
export function comparableLog(lines: string[]): string[] {
  return lines.filter(isPhaseLine);
}

/** What verify compares of a plan: its regions, its log lines, the `Memory:` line's figures and memblock's tables. */
export function predictionOf(p: PlanResult): Prediction {
  return {
    ...(p.pageAllocator ? { memory: { figures: p.pageAllocator, bitsPerLong: p.arch === 'arm' ? 32 : 64 } } : {}),
    ...(p.memblockDump ? { memblockDump: p.memblockDump } : {}),
    regions: p.regions.map((r) => ({
      name: r.name,
      base: r.base,
      size: r.size,
      status: r.status,
      handler: r.handler,
      result: r.result,
      nomap: r.nomap,
      reusable: r.reusable,
    })),
    log: p.log.map((l) => l.text),
  };
}

/**
 * mem_init_print_info's line, as the kernel printed it, against the plan's figures (KiB): total,
 * reserved and cma-reserved always, 32-bit's highmem, available where the plan gives it (5.10 and
 * 6.1 print it right after memblock_free_all; 6.12+ after start_kernel's own allocations, which
 * no file states). The kernel computes reserved in unsigned long (mm/mm_init.c: physpages -
 * totalram_pages() - totalcma_pages, in KiB): where that is below zero (a CMA area counted in both,
 * as the plan's is too), it prints the wrapped value, so it is compared modulo 2^BITS_PER_LONG.
 */
export function memoryLineDifferences(seen: MemoryLine, pred: NonNullable<Prediction['memory']>): string[] {
  const pa = pred.figures;
  const k = (x: bigint) => x / 1024n;
  const want = {
    available: seen.availableKiB,
    total: seen.totalKiB,
    reserved: seen.reservedKiB,
    cmaReserved: seen.cmaReservedKiB,
    highmem: seen.highmemKiB,
  };
  const got = {
    available: pa.available === undefined ? seen.availableKiB : k(pa.available),
    total: k(pa.total),
    reserved: BigInt.asUintN(pred.bitsPerLong, pa.reserved / 1024n),
    cmaReserved: k(pa.cmaReserved),
    highmem: pa.highmem === undefined ? seen.highmemKiB : k(pa.highmem),
  };
  const d: string[] = [];
  for (const f of ['available', 'total', 'reserved', 'cmaReserved', 'highmem'] as const)
    if (want[f] !== got[f]) d.push(`Memory line: ${f} kernel ${want[f] ?? '-'}K, model ${got[f] ?? '-'}K`);
  return d;
}

/**
 * memblock_dump_all's `MEMBLOCK configuration:` (printed with memblock=debug) against the plan's
 * tables at that point: both tables region by region, base, size and flags. `cut`: the log stopped
 * early (a boot that hung or died before the Memory line) and may end inside the table, so the rows
 * it printed are compared as the start of the model's: the reserved table's, or the memory table's
 * when no reserved row came.
 */
export function memblockDumpDifferences(
  seen: NonNullable<Observation['memblockDump']>,
  pred: NonNullable<Prediction['memblockDump']>,
  cut = false,
): string[] {
  const d: string[] = [];
  const fmt = (r: { base: bigint; size: bigint; flags?: number }) => `[${hex(r.base)}-${hex(r.base + r.size - 1n)}] flags ${r.flags ?? 0}`;
  for (const t of ['memory', 'reserved'] as const) {
    const a = seen[t].map(fmt);
    const prefix = cut && (t === 'reserved' || seen.reserved.length === 0);
    const b = pred[t].map(fmt).slice(0, prefix ? a.length : undefined);
    const i = a.findIndex((x, n) => x !== b[n]);
    if (i >= 0 || a.length !== b.length) {
      const at = i >= 0 ? i : Math.min(a.length, b.length);
      d.push(
        `memblock.${t}[${at}]: kernel ${a[at] ?? '(none)'}, model ${b[at] ?? '(none)'} (kernel ${a.length} regions, model ${b.length})`,
      );
    }
  }
  return d;
}

/**
 * The Memory line's and the MEMBLOCK dump's differences, where the boot printed them. `prefix`: the
 * log stops before the Memory line (compareWithPlan's), so the table may be cut where it stopped.
 */
export function memoryDifferences(obs: Observation, pred: Prediction, prefix = false): string[] {
  return [
    ...(obs.memoryLine && pred.memory ? memoryLineDifferences(obs.memoryLine, pred.memory) : []),
    ...(obs.memblockDump && pred.memblockDump ? memblockDumpDifferences(obs.memblockDump, pred.memblockDump, prefix) : []),
  ];
}

/**
 * The differences between what a kernel did (its regions and reserved-memory log lines) and a
 * plan's prediction. `prefix`: the log stops early (a boot that hung, a capture cut short), so
 * only the lines it has are compared, in order: a region's end state may come after them.
 * Bases read from a node's `reg` are the tree's, not something the kernel showed: not compared.
 */
export function compareWithPlan(
  obsRegions: ObservedRegion[],
  pred: Prediction,
  obs: Observation,
  o: { prefix?: boolean; unknownParams?: boolean; memory?: boolean } = {},
): string[] {
  const d: string[] = [];
  // `memory`: the page allocator's figures and memblock's tables depend on nothing the plan was not
  // told (a direct boot: no firmware reserving or moving things of its own)
  if (o.memory) d.push(...memoryDifferences(obs, pred, o.prefix));
  const okLike = (s: string): string =>
    s === 'ok' || s === 'no-handler' ? 'ok' : s === 'reserve-failed' || s === 'alloc-failed' || s === 'no-space' ? 'failed' : s;
  // 6.1 dynamic regions placed from the memblock trace: allocations are matched to nodes by size,
  // so nodes of one size are compared as a set of bases, not one by one.
  const traced = new Map<bigint, { observed: bigint[]; predicted: bigint[]; names: string[] }>();
  // a log with lines left out (one that does not start at boot, a kept console's cut) may have
  // lost a region's lines (its failure, its handler): what the regions' lines say is compared line
  // by line below, not region by region
  const cut = obs.gaps?.some((g) => g.cut) ?? false;
  for (const r of obsRegions) {
    // a log that stops early (the boot died in the scan) says nothing of the regions after it, and
    // a plan that dies there has none of them either: only the lines are compared
    if (o.prefix || cut) continue;
    const p = pred.regions.find((x) => x.name === r.name);
    if (!p) {
      if (r.status !== 'disabled' && r.status !== 'ignored') d.push(`${r.name}: the kernel handled it, the plan has no such region`);
      continue;
    }
    if (r.source === 'trace' && r.base !== null && r.size !== null && p.size === r.size) {
      const g = traced.get(r.size) ?? { observed: [], predicted: [], names: [] };
      g.observed.push(r.base);
      if (p.base !== null) g.predicted.push(p.base);
      g.names.push(r.name);
      traced.set(r.size, g);
    } else if (r.source !== 'reg' && r.base !== null && p.base !== r.base)
      d.push(`${r.name}: base ${hex(r.base)} observed, ${hex(p.base)} predicted`);
    if (r.size !== null && p.size !== r.size) d.push(`${r.name}: size ${hex(r.size)} observed, ${hex(p.size)} predicted`);
    // A region with several `reg` entries stands when one of them fails (6.1, 6.12 save the node):
    // the failure line read as the region's is the plan's too, for the same node.
    const entryFailed =
      r.status === 'failed' &&
      okLike(p.status) === 'ok' &&
      pred.log.some((t) => /failed to (reserve|allocate) memory for node '/.test(t) && t.includes(` node '${r.name}'`));
    // past MAX_RESERVED_REGIONS (`no-space`) a region is not saved in reserved_mem[], which no line
    // names; what the log shows is whether its memory was reserved (a static `reg`, or 6.12's
    // dynamic regions, allocated before the save): that is what is compared, the anonymous
    // `not enough space for all defined regions.` lines with the log
    const predicted = p.status === 'no-space' && p.base !== null ? 'ok' : okLike(p.status);
    if (r.status !== 'unknown' && predicted !== r.status && !(r.status === 'ok' && p.status === 'ok') && !entryFailed)
      d.push(`${r.name}: ${r.status} observed, ${p.status} predicted`);
    if (r.handler && p.handler !== r.handler && r.handlerResult === 'initialized')
      d.push(`${r.name}: handler ${r.handler} observed, ${p.handler ?? 'none'} predicted`);
  }
  const sorted = (xs: bigint[]) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(hex);
  for (const g of traced.values()) {
    const ob = sorted(g.observed);
    const pr = sorted(g.predicted);
    if (ob.join() !== pr.join()) d.push(`${g.names.join(', ')}: bases ${ob.join(', ')} observed, ${pr.join(', ')} predicted`);
  }
  // a console that lost messages (Observation.gaps) shows pieces of the log: compared around the gaps
  const pieces = piecesAt(
    obs.log.map((l) => l.text),
    (obs.gaps ?? []).map((g) => g.log),
  );
  piecesDifference('log line', pieces.map(comparableLog), comparableLog(pred.log), d, o.prefix);
  // The command line's own lines (crashkernel=, reserve_mem=, a malformed early option), printed
  // around the phase: a sequence of their own. Which parameters the kernel passes to init
  // (print_unknown_bootoptions) turns on every __setup() and core param built in: compared
  // (`unknownParams`) where the profile read them from the build's System.map (params.builtIn).
  const judged = (t: string) => isCommandLineLine(t) || (!!o.unknownParams && isUnknownParamsLine(t));
  piecesDifference(
    'command-line line',
    pieces.map((x) => x.filter(judged)),
    pred.log.filter(judged),
    d,
    o.prefix,
  );
  return d;
}

/** `xs` cut at these indices (Observation.gaps: where the console lost messages or lines were left out). */
export function piecesAt<T>(xs: readonly T[], at: readonly number[]): T[][] {
  const out: T[][] = [];
  let from = 0;
  for (const i of at) {
    out.push(xs.slice(from, i));
    from = i;
  }
  out.push(xs.slice(from));
  return out;
}

/**
 * The first difference between the lines a console kept and the plan's, the console having lost
 * messages between the `pieces` (Observation.gaps): the first piece is the plan's first lines, each
 * later one follows the one before in the plan's lines, and the last ends where they end — unless
 * `prefix` (the log stops early: only what it printed is compared). One piece is the whole log.
 */
export function piecesDifference(
  what: string,
  pieces: readonly string[][],
  predicted: readonly string[],
  d: string[],
  prefix = false,
): void {
  const first = pieces[0] ?? [];
  if (pieces.length === 1) {
    firstLineDifference(what, first, prefix ? predicted.slice(0, first.length) : predicted, d);
    return;
  }
  const fits = (piece: readonly string[], at: number) => piece.every((x, i) => predicted[at + i] === x);
  if (!fits(first, 0)) {
    firstLineDifference(what, first, predicted.slice(0, first.length), d);
    return;
  }
  let pos = first.length;
  for (let k = 1; k < pieces.length; k++) {
    const piece = pieces[k]!;
    if (!piece.length) continue;
    const last = k === pieces.length - 1 && !prefix;
    let at = -1;
    if (last)
      at = predicted.length - piece.length >= pos && fits(piece, predicted.length - piece.length) ? predicted.length - piece.length : -1;
    else for (let j = pos; at < 0 && j + piece.length <= predicted.length; j++) if (fits(piece, j)) at = j;
    if (at < 0) {
      d.push(
        `${what}s after the console lost messages: observed ${JSON.stringify(piece[0])} and ${piece.length - 1} more, which ${last ? 'are not the last lines the plan predicts' : `do not follow in the plan's lines after ${JSON.stringify(predicted[pos - 1] ?? '(its start)')}`}`,
      );
      return;
    }
    pos = at + piece.length;
  }
}

/** The first line where what the kernel printed and what the plan predicts part, as a difference. */
function firstLineDifference(what: string, observed: readonly string[], predicted: readonly string[], d: string[]): void {
  for (let i = 0; i < Math.max(observed.length, predicted.length); i++) {
    if (observed[i] !== predicted[i]) {
      d.push(
        `${what} ${i + 1}: observed ${JSON.stringify(observed[i] ?? '(none)')}, predicted ${JSON.stringify(predicted[i] ?? '(none)')}`,
      );
      return;
    }
  }
}

export function renderVerifyText(file: string, r: VerifyResult): string {
  const out: string[] = [];
  const o = r.observation;
  if (r.log)
    out.push(
      `${file} against the boot log ${r.log.name}${r.log.release ? ` (Linux ${r.log.release})` : ''}, planned with ${r.log.profile ?? '?'}, RAM ${r.ram >> 20n} MiB`,
    );
  else
    out.push(
      `${file} on ${r.kernel ? `${r.kernel.id} (${r.kernel.package} ${r.kernel.version})` : '?'}, RAM ${r.ram >> 20n} MiB${o?.durationMs !== undefined ? `, booted in ${(o.durationMs / 1000).toFixed(1)} s` : ''}`,
    );
  if (r.append) out.push(`command line: ${r.append}`);
  if (o && !r.log)
    out.push(
      `boot: ${o.completed ? 'reached /init' : o.reachedInit ? 'reached /init (incomplete)' : 'did not reach /init'}${o.timedOut ? ', timed out' : ''}${o.panicked ? ', panicked' : ''}`,
    );
  out.push('', 'what the kernel did:');
  const rows = [
    ['name', 'base', 'size', 'flags', 'status', 'handler'],
    ...r.regions.map((x) => [
      x.name,
      hex(x.base),
      hex(x.size),
      [x.nomap ? 'no-map' : 'map', x.reusable ? 'reusable' : '', x.dynamic ? 'dynamic' : 'static'].filter(Boolean).join(','),
      x.status,
      x.handler ?? x.handlerResult,
    ]),
  ];
  if (r.regions.length === 0) out.push('  (no /reserved-memory node)');
  else {
    const w = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
    for (const row of rows)
      out.push(
        '  ' +
          row
            .map((c, i) => c.padEnd(w[i]!))
            .join('  ')
            .trimEnd(),
      );
  }
  if (o) {
    out.push('', 'kernel log:');
    for (const l of o.log) if (l.kind !== 'memblock-dump') out.push(`  ${l.text}`);
    if (o.cmaTotalKiB !== undefined) out.push(`  (/proc/meminfo CmaTotal: ${o.cmaTotalKiB} kB)`);
  }
  if (r.prediction) {
    out.push('', 'plan predicted:');
    for (const p of r.prediction.regions)
      out.push(`  ${p.name}: ${hex(p.base)} size ${hex(p.size)} ${p.status}${p.handler ? ` (${p.handler})` : ''}`);
    out.push('', r.differences.length ? `differences (${r.differences.length}):` : 'prediction and kernel agree');
    for (const d of r.differences) out.push(`  - ${d}`);
  }
  for (const n of r.notes) out.push(`note: ${n}`);
  return out.join('\n') + '\n';
}
