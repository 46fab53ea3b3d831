// Replaying a recorded lab boot (data/lab/<kernel>.jsonl.gz, src/verify/records.ts) through
// plan(): replay.test.ts requires, per case:
//  - the reserved-memory log lines (`OF: reserved mem:`, `Reserved memory:`, `cma:`, 6.1's
//    `OF: fdt: Reserved memory:` from drivers/of/fdt.c, the lines continuing them and the phase's
//    unprefixed messages: observation.ts isPhaseLine) equal to what the kernel printed, in order;
//  - the command line's own lines (crashkernel=, reserve_mem=, `Malformed early option`:
//    observation.ts isCommandLineLine) and print_unknown_bootoptions' `Unknown kernel command line
//    parameters` line equal to what the kernel printed, in order;
//  - a boot that died (panic, or a hang: bootEnd) died as the plan predicts; a boot the lab's bound
//    cut off while it was still printing is not judged on its outcome;
//  - direct boots: mem_init_print_info's "Memory: …K/…K available (… reserved, … cma-reserved[, …
//    highmem])" figures the plan gives (PlanResult.pageAllocator) equal to the line the kernel printed;
//  - every region's base and size equal to what the kernel reserved: static regions print their
//    `reg` (and, on 6.12, a summary line per region, compared above); dynamic regions are read from
//    the memblock=debug trace: each memblock_phys_alloc_range made by of_reserved_mem, in order,
//    with its size, alignment, range and result.
import { isUnknownParamsLine } from '../../src/kernel/start-kernel.js';
import { readLabRecords, recordBoard, recordedKernels, type LabRecord } from '../../src/verify/records.js';
import {
  bootEnd,
  hasCutMarker,
  isCommandLineLine,
  isPhaseLine,
  isUnprefixedPhaseLine,
  parseConsole,
  parseMemoryLine,
  TRACE_BOOT_MARK,
  type BootEnd,
} from '../../src/verify/observation.js';
import { readDtb } from '../../src/fdt/reader.js';
import { plan, resolveProfile, type PlanResult } from '../../src/kernel/plan.js';
import type { KernelProfile } from '../../src/kernel/profiles/types.js';
import { hex } from '../../src/kernel/memblock.js';
import type { Board } from '../../src/board.js';
import { profileOfPackage } from '../../src/verify/build-facts.js';
import { memoryLineDifferences, piecesAt, piecesDifference } from '../../src/verify/verify.js';

/** Callers of memblock_phys_alloc_range inside of_reserved_mem (inlining differs per build). */
const RMEM_ALLOC_CALLER =
  /^(fdt_scan_reserved_mem|early_init_dt_alloc_reserved_memory_arch|__reserved_mem_alloc_size|__reserved_mem_alloc_in_range|fdt_init_reserved_mem)\b/;

interface Alloc {
  size: bigint;
  align: bigint;
  from: bigint;
  maxAddr: bigint;
  result: bigint;
}

const fmtAlloc = (a: Alloc) =>
  `size=0x${a.size.toString(16)} align=0x${a.align.toString(16)} from=0x${a.from.toString(16)} max=0x${a.maxAddr.toString(16)} -> 0x${a.result.toString(16)}`;

/**
 * The kernel's of_reserved_mem allocations from the trace. The result is read from the trace
 * itself: memblock_alloc_range_nid() reserves what it found immediately, so a successful
 * allocation is followed by a memblock_reserve of the same size; anything else means it failed.
 * (The recorded `result` field pairs an allocation with the next such reserve even when that one
 * belongs to a later allocation, e.g. the default CMA area after a failed region.)
 */
function observedAllocs(ev: LabRecord['observation']['memblock']): Alloc[] {
  const out: Alloc[] = [];
  ev.forEach((e, i) => {
    if (e.fn !== 'memblock_phys_alloc_range' || !RMEM_ALLOC_CALLER.test(e.caller)) return;
    const next = ev[i + 1];
    const size = e.size ?? 0n;
    if (e.count !== undefined && e.count > 1 && typeof e.result === 'bigint' && e.lastResult !== undefined) {
      // Stored records compact runs of identical successful allocations with adjacent results
      // (observation.ts compactTrace): expand them back, first to last.
      const step = e.lastResult >= e.result ? size : -size;
      for (let k = 0; k < e.count; k++) {
        out.push({ size, align: e.align ?? 0n, from: e.from ?? 0n, maxAddr: e.maxAddr ?? 0n, result: e.result + BigInt(k) * step });
      }
      return;
    }
    const from = e.from ?? 0n;
    const maxAddr = e.maxAddr ?? 0n;
    const align = e.align ?? 0n;
    const b = next?.base;
    // Same size is not enough (the default CMA area can follow a failed region of its size without
    // a line of its own): the block must also lie in [from, max_addr) at the asked alignment (round_down masks with align - 1, also for odd alignments).
    const ok =
      next !== undefined &&
      b !== undefined &&
      /^(__)?memblock_reserve$/.test(next.fn) &&
      /^memblock_alloc_range_nid\b/.test(next.caller) &&
      next.size === size &&
      b >= from &&
      (maxAddr <= 1n || b + size <= maxAddr) &&
      (align === 0n || (b & (align - 1n)) === 0n);
    out.push({ size, align, from, maxAddr, result: ok ? b : 0n });
  });
  return out;
}

function predictedAllocs(p: PlanResult): Alloc[] {
  const out: Alloc[] = [];
  for (const ev of p.trace.events) {
    const d = ev.detail as {
      kind?: string;
      caller?: string;
      size?: bigint;
      align?: bigint;
      from?: bigint;
      maxAddr?: bigint;
      result?: bigint;
    };
    if ((d.kind ?? ev.kind) !== 'memblock_phys_alloc_range' || !RMEM_ALLOC_CALLER.test(d.caller ?? '')) continue;
    out.push({ size: d.size ?? 0n, align: d.align ?? 0n, from: d.from ?? 0n, maxAddr: d.maxAddr ?? 0n, result: d.result ?? 0n });
  }
  return out;
}

/**
 * 5.10 places a dynamic region with memblock_find_in_range, which prints nothing, and then
 * memblock_reserve (memblock_remove for no-map) from early_init_dt_alloc_reserved_memory_arch: the
 * trace shows only that. Later series' placements are allocation lines (above) and add nothing here.
 */
const FIND_IN_RANGE_PLACEMENT = /^early_init_dt_alloc_reserved_memory_arch\b/;
const fmtPlacement = (op: string, base: bigint, size: bigint) => `${op} 0x${base.toString(16)}+0x${size.toString(16)}`;

function observedPlacements(ev: LabRecord['observation']['memblock']): string[] {
  return ev
    .filter((e) => /^(__)?memblock_(reserve|remove)$/.test(e.fn) && FIND_IN_RANGE_PLACEMENT.test(e.caller))
    .map((e) => fmtPlacement(e.fn.replace(/^__/, ''), e.base ?? 0n, e.size ?? 0n));
}

function predictedPlacements(p: PlanResult): string[] {
  const out: string[] = [];
  for (const ev of p.trace.events) {
    const d = ev.detail as { kind?: string; caller?: string; base?: bigint; size?: bigint };
    const kind = d.kind ?? ev.kind;
    if ((kind === 'memblock_reserve' || kind === 'memblock_remove') && FIND_IN_RANGE_PLACEMENT.test(d.caller ?? ''))
      out.push(fmtPlacement(kind, d.base ?? 0n, d.size ?? 0n));
  }
  return out;
}

export interface CaseOutcome {
  caseId: string;
  ok: boolean;
  problems: string[];
  /** How much was compared: log lines, dynamic placements (0 when the boot had no trace). */
  lines?: number;
  allocs?: number;
  /** The kernel stopped (hang/panic) before printing everything the model predicts. */
  truncated?: boolean;
  /** How the boot ended (observation.ts bootEnd): cut-off and unmeasured boots judge no outcome. */
  end?: BootEnd;
  /** The boot died (panic or hang): whether the plan predicted it, with the same function and message. */
  died?: 'panic' | 'hang';
  predicted?: boolean;
  /** The console stopped inside the panic's call trace: outcome and message compared, not the function. */
  traceCut?: boolean;
  /** Continuation lines compared, and those the record could not show (parsed before they were kept). */
  continuation?: { compared: number; unrecorded: number };
  /** The same for the phase's unprefixed messages (observation.ts isPhaseLine). */
  unprefixed?: { compared: number; unrecorded: number };
  /** The command line's lines compared (commandLineLines). */
  commandLine?: number;
  /**
   * Which of the "Memory:" line's figures were compared with PlanResult.pageAllocator: all (available,
   * total, reserved, cma-reserved, and on 32-bit highmem), or all but available (6.12+ print it later).
   */
  memoryLine?: 'all' | 'without-available';
}

/**
 * mem_init_print_info's line against the plan's figures (src/verify/verify.ts memoryLineDifferences,
 * what `verify` compares too); the line from the console where the record's log lacks it.
 */
export function compareMemoryLine(r: LabRecord, p: PlanResult, problems: string[], arch: 'arm64' | 'arm'): CaseOutcome['memoryLine'] {
  const o = r.observation;
  const text = o.log.find((l) => /^Memory: /.test(l.text))?.text ?? /Memory: \d+K\/[^\r\n]*/.exec(o.console ?? '')?.[0];
  const seen = text === undefined ? undefined : parseMemoryLine(text);
  const pa = p.pageAllocator;
  if (!seen || !pa) return undefined;
  problems.push(...memoryLineDifferences(seen, { figures: pa, bitsPerLong: arch === 'arm' ? 32 : 64 }));
  return pa.available === undefined ? 'without-available' : 'all';
}

/** The model's lines of the reserved-memory phase, each continuation and unprefixed line marked. */
function phaseLines(log: PlanResult['log']): { text: string; continued: boolean; unprefixed: boolean }[] {
  const out: { text: string; continued: boolean; unprefixed: boolean }[] = [];
  let prev: PlanResult['log'][number] | undefined;
  let inPhase = false;
  for (const l of log) {
    if (isPhaseLine(l.text)) {
      out.push({ text: l.text, continued: false, unprefixed: isUnprefixedPhaseLine(l.text) });
      inPhase = true;
    } else if (inPhase && prev !== undefined && l.source === prev.source) out.push({ text: l.text, continued: true, unprefixed: false });
    else inPhase = false;
    prev = l;
  }
  return out;
}

/**
 * What the kernel printed in the phase. A record keeps the lines its console parser kept; when it
 * also keeps its whole console (a boot that went wrong), that is read again with today's parser, so
 * every line the kernel printed is compared whatever the parser kept when it was recorded.
 */
function observedPhase(r: LabRecord): {
  lines: string[];
  pieces: string[][];
  commandLine: string[];
  continuations: boolean;
  unprefixed: boolean;
} {
  const o = r.observation;
  const boot1 = o.console?.split(`\n${TRACE_BOOT_MARK}\n`)[0];
  // a record trims a long console (src/verify/lab.ts trimConsole): a gap marker anywhere means part is gone
  const whole = boot1 !== undefined && !hasCutMarker(boot1) && /\bLinux version /.test(boot1);
  const parsed = whole ? parseConsole(r.kernel, boot1) : o;
  const log = parsed.log;
  const phase = (ls: typeof log) => ls.filter((l) => isPhaseLine(l.text) || l.continued).map((l) => l.text);
  return {
    lines: phase(log),
    // a console that lost messages (Observation.gaps) kept pieces of the log
    pieces: piecesAt(
      log,
      (parsed.gaps ?? []).map((g) => g.log),
    ).map(phase),
    commandLine: commandLineLines(log.map((l) => l.text)),
    continuations: whole || !!o.continuations,
    unprefixed: whole || !!o.unprefixed,
  };
}

/**
 * The command line's own lines (observation.ts isCommandLineLine) and print_unknown_bootoptions'
 * line: the lab's command lines are its own, so which parameters the kernel does not know is
 * compared too (verify, on a user's command line, compares the former only).
 */
function commandLineLines(texts: string[]): string[] {
  return texts.filter((t) => isCommandLineLine(t) || isUnknownParamsLine(t));
}

function firstDiff(want: string[], got: string[]): string {
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    if (want[i] !== got[i])
      return `line ${i + 1}: kernel ${JSON.stringify(want[i] ?? '(none)')} model ${JSON.stringify(got[i] ?? '(none)')}`;
  }
  return '';
}

/**
 * The profile of the package a record was booted on: the built-in one when that is its package,
 * else the one built from the package's stored facts (data/lab/<id>.build.json) — a record booted
 * again on a newer point release is planned with that release's image and sizes.
 */
export function recordProfile(r: Pick<LabRecord, 'kernel' | 'package'>): KernelProfile | undefined {
  return r.package === undefined ? resolveProfile(r.kernel) : profileOfPackage(r.kernel, r.package);
}

/**
 * Replay one record through plan() with the profile of the package it was booted on, or `profile` (e.g. one built from
 * the package's files); on the board QEMU booted directly unless `on` gives another (a record booted
 * through firmware: its platform and the command line the kernel printed).
 */
export function replayCase(r: LabRecord, profile: KernelProfile = recordProfile(r)!, on?: { board: Board; bootargs: string }): CaseOutcome {
  const problems: string[] = [];
  const dtb = readDtb(r.dtbBytes, `${r.kernel}/${r.caseId}.dtb`);
  if (!dtb.tree) return { caseId: r.caseId, ok: false, problems: [`DTB unreadable: ${dtb.diagnostics.map((d) => d.message).join('; ')}`] };
  const board = on?.board ?? recordBoard(r, profile.arch);
  // the lab's ladders alone: a developer's cache ladder must not change a replay's outcome
  const p = plan(board, { kernel: profile, bootargs: on?.bootargs ?? r.append, ladders: 'lab' });
  const seen = observedPhase(r);
  const want = seen.lines;
  // The model's lines of the phase: the prefixed ones, the lines that continue them (the rest of a
  // printk with "\n" inside: same step, no prefix) and the phase's unprefixed messages. Records
  // parsed before the console parser kept continuation lines (Observation.continuations) or
  // unprefixed ones (Observation.unprefixed) cannot show them: those are not compared.
  const phase = phaseLines(p.log);
  const continuation = phase.filter((l) => l.continued).length;
  const unprefixed = phase.filter((l) => l.unprefixed).length;
  let got = phase.filter((l) => (!l.continued || seen.continuations) && (!l.unprefixed || seen.unprefixed)).map((l) => l.text);
  // A boot that hung or crashed before the end of early memory setup (timed out or panicked
  // without reaching /init) printed only a prefix of what it would have: compare that prefix.
  // Every line it did print must still match, in order.
  // So did a 32-bit fast boot: with memblock=debug Debian's armmp kernels print nothing after the
  // MEMBLOCK table and the lab stops them there (the direct lab boots them twice instead).
  const stoppedAfterDump = r.observation.earlyStopped && !r.observation.traceFromSeparateBoot && profile.arch === 'arm';
  const truncated =
    !r.observation.reachedInit && (r.observation.timedOut || r.observation.panicked || stoppedAfterDump) && want.length < got.length;
  if (seen.pieces.length > 1) piecesDifference('log line', seen.pieces, got, problems, truncated);
  else {
    if (truncated) got = got.slice(0, want.length);
    if (want.join('\n') !== got.join('\n')) problems.push(`log ${firstDiff(want, got)}`);
  }
  // The same for the command line's lines, a sequence of their own (printed around the phase, not in it).
  let gotCmd = commandLineLines(p.log.map((l) => l.text));
  if (!r.observation.reachedInit && (r.observation.timedOut || r.observation.panicked || stoppedAfterDump))
    gotCmd = gotCmd.slice(0, seen.commandLine.length);
  if (seen.commandLine.join('\n') !== gotCmd.join('\n')) problems.push(`command-line ${firstDiff(seen.commandLine, gotCmd)}`);
  // Booted through firmware (`on`), the page allocator's count also depends on what U-Boot or EDK2
  // leave reserved after the trace ends (not followed): the line is compared on direct boots.
  const memoryLine = on ? undefined : compareMemoryLine(r, p, problems, profile.arch);
  let allocs = 0;
  if (r.observation.memblock.length > 0) {
    const ga = [...predictedAllocs(p).map(fmtAlloc), ...predictedPlacements(p)];
    const gaps = (r.observation.gaps ?? []).map((g) => g.memblock);
    const pieces = piecesAt(r.observation.memblock, gaps).map((ev) => [...observedAllocs(ev).map(fmtAlloc), ...observedPlacements(ev)]);
    allocs = pieces.flat().length;
    if (pieces.length > 1) piecesDifference('dynamic placement', pieces, ga, problems);
    else if (pieces[0]!.join('\n') !== ga.join('\n')) problems.push(`dynamic placement ${firstDiff(pieces[0]!, ga)}`);
  }
  const o = r.observation;
  // A boot the bound stopped while the kernel was still working (or whose silence the record did
  // not measure) says nothing about how it ends: its lines are compared above, its outcome is not.
  const end = bootEnd(o);
  const b = p.boot;
  // A hang prints nothing: the console stops on the last line the kernel printed before it, which
  // must be the plan's last line. A record whose silence was not measured that stops exactly there
  // is stuck where the plan says it hangs: counted as that hang.
  const boot1 = (o.console ?? '').split(`\n${TRACE_BOOT_MARK}\n`)[0]!.replace(/\r/g, '').trimEnd();
  const lastPrinted = boot1.slice(boot1.lastIndexOf('\n') + 1).replace(/^\[\s*\d+\.\d+\]\s?/, '');
  const planLast = p.log[p.log.length - 1]?.text;
  // with memblock=debug the last line may be the trace's: then the plan's last memblock event
  const traceLast = /^(memblock_\w+): \[(0x[0-9a-f]+)-(0x[0-9a-f]+)\]/.exec(lastPrinted);
  const modelLast = [...p.trace.events].reverse().find((e) => e.kind !== 'note')?.detail;
  const stuckAtTraceEnd =
    !!traceLast &&
    modelLast?.kind === traceLast[1] &&
    modelLast.base === BigInt(traceLast[2]!) &&
    (modelLast.base as bigint) + (modelLast.size as bigint) - 1n === BigInt(traceLast[3]!);
  const stuckAtPlanEnd = o.console !== undefined && (lastPrinted === planLast || stuckAtTraceEnd);
  const died =
    end === 'panic' || end === 'hang' ? end : end === 'unmeasured' && b.outcome === 'hang' && stuckAtPlanEnd ? 'hang' : undefined;
  const outcomeUnseen = !died && (end === 'cut-off' || end === 'unmeasured');
  const predicted = b.outcome === 'panic' || b.outcome === 'hang';
  let traceCut = false;
  if (predicted) {
    // The plan says the boot dies: the kernel must have died the same way, in the function the
    // plan names (its oops or call trace shows it) and with the same panic message.
    const console = o.console ?? '';
    if (outcomeUnseen) {
      // not observed
    } else if (o.reachedInit && !died) problems.push(`boot: plan predicts ${b.outcome} in ${b.function}, the kernel reached /init`);
    else if (died && died !== b.outcome)
      problems.push(`boot: plan predicts ${b.outcome} in ${b.function}, the kernel ${died === 'panic' ? 'panicked' : 'hung'}`);
    else if (died === 'hang' && b.loop) {
      // A hang that keeps printing (a fault its report faults on again): the console ends in the
      // plan's loop, turn after turn, wherever the bound cut it (its last line maybe in the middle)
      const tail = boot1
        .split('\n')
        .slice(-4 * b.loop.length)
        .map((l) => l.replace(/^\[\s*\d+\.\d+\]\s?/, ''));
      const cut = tail.pop() ?? '';
      if (tail.some((l) => !b.loop!.includes(l)) || !b.loop.some((l) => l.startsWith(cut)))
        problems.push(
          `boot: plan says it hangs printing ${JSON.stringify(b.loop)} over and over, the kernel's console ends ${JSON.stringify([...tail, cut].slice(-b.loop.length))}`,
        );
    } else if (died === 'hang') {
      // A hang in the memory phase prints nothing more: the console stops on the plan's last line.
      // One past it (an initcall's worker oopses and the boot waits for it for ever) stops wherever
      // the other initcalls got to: the oops' call trace must then show the function the plan names.
      // (or, for a hang that prints nothing, the reports before it: p.boot.trace)
      const inTrace = [b.function, b.trace].some((f) => !!f && new RegExp(`\\b${f}\\+0x[0-9a-f]+/0x`).test(console));
      if (!stuckAtPlanEnd && !inTrace)
        problems.push(
          `boot: plan says it hangs in ${b.function} after ${JSON.stringify(planLast)}${modelLast ? ` (memblock: ${String(modelLast.kind)} ${hex(modelLast.base as bigint)}+${hex(modelLast.size as bigint)})` : ''}, the kernel stopped after ${JSON.stringify(lastPrinted)}`,
        );
    } else if (died) {
      // panic=-1 restarts at once: QEMU may end while the call trace is still being printed (7.2
      // armmp ends on an unwind line, `vpanic from …`); the function is then not in the console
      const lastLine = boot1.slice(boot1.lastIndexOf('\n') + 1);
      traceCut = died === 'panic' && !!b.function && !console.includes(b.function) && / from \S+\+0x[0-9a-f]+\/0x[0-9a-f]+$/.test(lastLine);
      if (!traceCut && (!b.function || !console.includes(b.function)))
        problems.push(`boot: plan says it dies in ${b.function}, not in the kernel's trace`);
      // a `%pB` the panic prints (__stack_chk_fail's caller) ends in the call's offset and the
      // function's size, which only the build's code holds: the plan names the function
      const pB = (m: string | undefined) => m?.replace(/(\S)\+0x[0-9a-f]+\/0x[0-9a-f]+$/, '$1');
      if (died === 'panic' && pB(o.panicMessage) !== `Kernel panic - not syncing: ${b.panic}`)
        problems.push(`boot: kernel ${JSON.stringify(o.panicMessage)}, plan ${JSON.stringify(b.panic)}`);
    }
  }
  return {
    caseId: r.caseId,
    ok: problems.length === 0,
    problems,
    lines: want.length,
    allocs,
    commandLine: seen.commandLine.length,
    truncated,
    continuation: seen.continuations ? { compared: continuation, unrecorded: 0 } : { compared: 0, unrecorded: continuation },
    unprefixed: seen.unprefixed ? { compared: unprefixed, unrecorded: 0 } : { compared: 0, unrecorded: unprefixed },
    end: died === 'hang' ? 'hang' : end,
    ...(died ? { died, predicted: predicted && b.outcome === died } : {}),
    ...(traceCut ? { traceCut } : {}),
    ...(memoryLine ? { memoryLine } : {}),
  };
}

/** Records grouped by the kernel they were booted on (sample files included: they are real boots). */
export function recordsByKernel(): Map<string, LabRecord[]> {
  const m = new Map<string, LabRecord[]>();
  for (const file of recordedKernels()) {
    for (const r of readLabRecords(file)) {
      const list = m.get(r.kernel) ?? [];
      list.push(r);
      m.set(r.kernel, list);
    }
  }
  return m;
}
