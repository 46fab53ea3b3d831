// What a real kernel did with reserved memory, read from its console: the typed `Observation`,
// its JSON form (bigints as "0x…" strings) and the console parser.
//
// The console of a lab boot holds, in order: the kernel's printk lines (with `[    0.000000] `
// timestamps), then — when the initramfs ran (src/verify/initramfs.ts) — sections between
// `@@carveout:begin NAME` / `@@carveout:end NAME` markers printed by our /init.
//
// Formats parsed here come from the kernel sources (6.1 and 6.12):
//  - memblock=debug trace: mm/memblock.c `memblock_dbg("%s: [%pa-%pa] %pS\n", ...)` (add, remove,
//    reserve, free, phys_free, ...), `"%s: [%pa-%pa] nid=%d flags=%x %pS\n"` (memblock_add_node),
//    `"%s: %llu bytes align=0x%llx from=%pa max_addr=%pa %pS\n"` (memblock_phys_alloc_range) and
//    `"%s: %llu bytes align=0x%llx nid=%d from=%pa max_addr=%pa %pS\n"` (memblock_alloc_*_nid*).
//    `%pa` is 0x + 16 hex digits with 64-bit phys_addr_t (arm64, armmp-lpae), 8 on armmp.
//  - `MEMBLOCK configuration:` dump: mm/memblock.c `memblock_dump()` (printed with memblock=debug).
//  - debugfs memblock/{memory,reserved}: mm/memblock.c `memblock_debug_show()`.
//  - `Memory: %luK/%luK available (...)`: mm/mm_init.c (6.12) / mm/page_alloc.c (6.1) `mem_init_print_info`.
import type { LogLine } from '../kernel/context.js';
import type { MemblockAllocArgs, MemblockRangeArgs, MemblockRegion } from '../kernel/memblock.js';

/**
 * One kernel message relevant to reserved memory, in console order: the model's LogLine
 * (src/kernel/context.ts) as a console shows it — the text without the timestamp, no level.
 */
export interface ConsoleLine extends Pick<LogLine, 'text'> {
  /** Which family the line belongs to (by its prefix). */
  kind: LogKind;
  /** printk timestamp in seconds, when the line had one. */
  time?: number;
  /**
   * The line continues the previous message: a printk whose text has "\n" inside prints as several
   * console lines, each with the console's timestamp but only the first with the pr_fmt prefix.
   */
  continued?: true;
}

export type LogKind =
  | 'of-reserved-mem' // `OF: reserved mem: ...` (drivers/of/of_reserved_mem.c, pr_fmt "OF: reserved mem: ")
  | 'reserved-memory' // `Reserved memory: ...` (kernel/dma/{contiguous,coherent,swiotlb}.c)
  | 'cma' // `cma: ...` (mm/cma.c)
  | 'of-fdt' // `OF: fdt: ...` (drivers/of/fdt.c; 6.1 prints "OF: fdt: Reserved memory: failed to reserve ..." here)
  | 'memory' // `Memory: ...K/...K available (...)`
  | 'crashkernel' // any line mentioning crashkernel
  | 'reserve_mem' // 6.12 `reserve_mem=` (mm/memblock.c)
  | 'initrd' // `INITRD: ... - disabling initrd` (init/initramfs.c reserve_initrd_mem; 5.10 arch/arm/mm/init.c arm_initrd_init)
  | 'cmdline' // `Kernel command line: ...`
  | 'unknown-param' // `Unknown kernel command line parameters "...", will be passed to user space.`, `Malformed early option`, ...
  | 'memblock-dump'; // `MEMBLOCK configuration:` header (the table itself is in `memblockDump`)

/**
 * One line of the memblock=debug trace as parsed: the arguments the model's MemblockEvent
 * (src/kernel/memblock.ts) records — range lines `base`/`size`, alloc lines `size`/`align`/
 * `from`/`maxAddr` — plus what only a printed line has.
 */
export interface MemblockTraceLine extends Partial<Omit<MemblockRangeArgs, 'caller'>>, Partial<Omit<MemblockAllocArgs, 'caller'>> {
  /** Function name as printed: memblock_reserve, memblock_remove, memblock_add, memblock_add_node,
   *  memblock_phys_free, memblock_free, memblock_phys_alloc_range, memblock_alloc_try_nid, ... */
  fn: string;
  /** Classified operation. */
  op: 'add' | 'remove' | 'reserve' | 'free' | 'alloc' | 'other';
  /** Range lines (`[base-end]`): the inclusive end as printed; size = end - base + 1. */
  end?: bigint;
  /** Alloc lines (memblock_alloc_*_nid*) and memblock_add_node: the node id. */
  nid?: number;
  /** memblock_add_node flags. */
  flags?: number;
  /** `%pS` of the caller, e.g. `fdt_scan_reserved_mem+0x660/0x848`. */
  caller: string;
  /** Alloc lines: base of the block the allocator returned (the next memblock_reserve from
   *  memblock_alloc_range_nid), or null when the allocation failed (no such reserve followed). */
  result?: bigint | null;
  /** In stored records, runs of identical page-sized allocations (early_pgtable_alloc & co.) are
   *  compacted: this event then stands for `count` consecutive alloc+reserve pairs whose results
   *  are adjacent; `result` is the first block, `lastResult` the last. The matching reserve event
   *  spans all the blocks and carries the same `count`. */
  count?: number;
  lastResult?: bigint;
}

/**
 * A row of memblock's own tables as printed (the `MEMBLOCK configuration:` dump or debugfs): the
 * model's MemblockRegion (src/kernel/memblock.ts) with the inclusive end the kernel prints; nid
 * and the MEMBLOCK_* flags only where the format has them (debugfs prints flag names instead,
 * e.g. NONE, NOMAP: kept in `flagNames`).
 */
export interface MemblockDumpRow extends Pick<MemblockRegion, 'base' | 'size'>, Partial<Pick<MemblockRegion, 'nid' | 'flags'>> {
  /** Inclusive end. */
  end: bigint;
  flagNames?: string;
}

/** One line of /proc/iomem. */
export interface IomemEntry {
  start: bigint;
  /** Inclusive end. */
  end: bigint;
  name: string;
  /** Nesting depth (two spaces per level). */
  depth: number;
}

/** A property of a /proc/device-tree/reserved-memory node as the running kernel sees it. */
export interface DtProperty {
  /** Node directory name (`st@48000000`) or `/` for the reserved-memory node itself. */
  node: string;
  prop: string;
  /** Raw value, lowercase hex, empty for boolean properties. */
  hex: string;
}

/** The `Memory:` line. */
export interface MemoryLine {
  availableKiB: bigint;
  totalKiB: bigint;
  reservedKiB?: bigint;
  cmaReservedKiB?: bigint;
  highmemKiB?: bigint;
}

export interface Observation {
  /** Lab kernel ID (src/verify/kernels.ts), e.g. `6.12-arm64`. */
  kernel: string;
  /** `Linux version ...` line, when seen. */
  linuxVersion?: string;
  /** As the kernel printed it in `Kernel command line:`. */
  commandLine?: string;
  /** Every reserved-memory related message, in order (no memblock trace lines). */
  log: ConsoleLine[];
  /** The memblock=debug trace, in order. Empty when the boot ran without memblock=debug. */
  memblock: MemblockTraceLine[];
  /** The `MEMBLOCK configuration:` dump (printed by memblock_dump_all with memblock=debug). */
  memblockDump?: { memory: MemblockDumpRow[]; reserved: MemblockDumpRow[] };
  /** The `Memory:` line. */
  memoryLine?: MemoryLine;
  /** From the initramfs (absent when the boot did not reach /init). */
  iomem?: IomemEntry[];
  debugfsMemory?: MemblockDumpRow[];
  debugfsReserved?: MemblockDumpRow[];
  cmaTotalKiB?: bigint;
  cmaFreeKiB?: bigint;
  dtReservedMemory?: DtProperty[];
  /** Unknown / malformed command-line parameters the kernel complained about (the quoted text). */
  unknownParams: string[];
  /** /init ran (marker printed). */
  reachedInit: boolean;
  /** /init printed every section (marker `@@carveout:done`). */
  completed: boolean;
  /** The wall-clock bound killed QEMU. */
  timedOut: boolean;
  /** A boot the bound stopped: how long (ms) its console had been silent by then (absent in
   *  records made before the lab measured it). `bootEnd` reads a hang from it. */
  quietMs?: number;
  /** We stopped QEMU on purpose once everything relevant had been printed (early-stop mode). */
  earlyStopped: boolean;
  /** `Kernel panic` seen. */
  panicked: boolean;
  panicMessage?: string;
  /** Wall-clock time of the boot in milliseconds. */
  durationMs?: number;
  /** For 32-bit kernels the memblock=debug trace comes from a second boot of the same case:
   *  with memblock=debug Debian's armmp kernels stop printing right after `MEMBLOCK configuration`
   *  and never reach /init. True when `memblock`/`memblockDump` come from that separate boot. */
  traceFromSeparateBoot?: boolean;
  /** Lines skipped because printk replayed its buffer on a later console (timestamps went back). */
  replayedLines?: number;
  /**
   * Where printk dropped messages before the console printed them (`** N printk messages dropped
   * **`, kernel/printk/printk.c: its ring buffer overflowed while the console lagged — PREEMPT_RT's
   * legacy consoles print from a thread that starts late, and memblock=debug floods the early
   * log): how many, and how many `log` lines and `memblock` events the console had shown before.
   * What follows is a later part of the kernel's log. `cut` marks lines the console's keeper left
   * out instead (the lab's trimConsole `[... N lines ...]`, a log that does not start at boot):
   * `messages` then counts console lines, or 0 when unknown.
   */
  gaps?: { messages: number; log: number; memblock: number; cut?: true }[];
  /** Raw console (may be trimmed in stored records). */
  console?: string;
  /** `log` has the continuation lines of multi-line messages (records parsed before that lack them). */
  continuations?: true;
  /** `log` has the phase's messages printed without a prefix (UNPREFIXED; records parsed before lack them). */
  unprefixed?: true;
}

/**
 * First lines of the multi-line messages of the phase: their next console line is the rest of the
 * same printk. drivers/of/of_reserved_mem.c __rmem_check_for_overlap:
 * pr_err("OVERLAP DETECTED!\n%s (%pa--%pa) overlaps with %s (%pa--%pa)\n", ...).
 */
const CONTINUED_BELOW = /^OF: reserved mem: OVERLAP DETECTED!$/;

/**
 * Messages of the reserved-memory phase printed without a prefix the classifier knows (their pr_fmt
 * is empty), each as the kernel's format prints it. Every console the lab keeps is checked for
 * others between the EFI lines and the next step (test/verify/records.test.ts).
 */
const UNPREFIXED: readonly { re: RegExp; kind: LogKind }[] = [
  // init/initramfs.c reserve_initrd_mem (5.10: arch/arm/mm/init.c arm_initrd_init): pr_err("INITRD:
  // 0x%08llx+0x%08lx is not a memory region") or ("... overlaps in-use memory region\n"), then
  // pr_cont(" - disabling initrd\n"), which after the "\n" of the second is a line of its own
  { re: /^INITRD: 0x[0-9a-f]+\+0x[0-9a-f]+ (is not a memory region|overlaps in-use memory region)( - disabling initrd)?$/, kind: 'initrd' },
  { re: /^ - disabling initrd$/, kind: 'initrd' },
  // 7.2 kernel/dma/contiguous.c __rmem_cma_verify_node (after `#define pr_fmt(fmt) fmt`)
  { re: /^Skipping dt linux,cma-default node in favor for "cma=" kernel param\.$/, kind: 'reserved-memory' },
];

const TS = /^\[\s*(\d+\.\d+)\]\s?(.*)$/;
/** The line a kept console has where lines were left out (lab.ts trimConsole): `[... N lines ...]`. */
export const cutMarker = (n: number): string => `[... ${n} lines ...]`;
const CUT_LINES = /^\[\.\.\. (\d+) lines \.\.\.\]$/;
/** Whether a console has lines left out (a cutMarker line), at its head when `head`. */
export const hasCutMarker = (text: string, head = false): boolean =>
  text.split('\n', head ? 1 : undefined).some((l) => CUT_LINES.test(l.trimEnd()));
/** Where a 32-bit record's console continues with its second (memblock=debug) boot (src/verify/lab.ts). */
export const TRACE_BOOT_MARK = '@@carveout:trace-boot';
const HEX = '0x[0-9a-fA-F]+';
const RANGE_EV = new RegExp(`^(memblock\\w*|__memblock\\w*): \\[(${HEX})-(${HEX})\\](?: nid=(-?\\d+) flags=([0-9a-fA-F]+))? (\\S+)$`);
const ALLOC_EV = new RegExp(
  `^(memblock\\w*|__memblock\\w*): (\\d+) bytes align=(${HEX})(?: nid=(-?\\d+))? from=(${HEX}) max_addr=(${HEX}) (\\S+)$`,
);
const DUMP_ROW = new RegExp(
  `^\\s*(memory|reserved|physmem)\\[0x[0-9a-f]+\\]\\s+\\[(${HEX})-(${HEX})\\], (${HEX}) bytes(?: on node (\\d+))? flags: 0x([0-9a-f]+)`,
);
const DEBUGFS_ROW = /^\s*\d+: (0x[0-9a-fA-F]+)\.\.(0x[0-9a-fA-F]+)(?:\s+(-?\d+)\s+(\S+))?\s*$/;
const IOMEM_ROW = /^( *)([0-9a-fA-F]+)-([0-9a-fA-F]+) : (.*)$/;
const MEMORY_LINE = /^Memory: (\d+)K\/(\d+)K available \((.*)\)$/;

function classifyFn(fn: string): MemblockTraceLine['op'] {
  if (/alloc/.test(fn)) return 'alloc';
  if (/reserve/.test(fn)) return 'reserve';
  if (/remove/.test(fn)) return 'remove';
  if (/free/.test(fn)) return 'free';
  if (/add/.test(fn)) return 'add';
  return 'other';
}

function classifyLine(text: string): LogKind | undefined {
  if (text.startsWith('OF: reserved mem:')) return 'of-reserved-mem';
  if (text.startsWith('Reserved memory:')) return 'reserved-memory';
  if (text.startsWith('cma:')) return 'cma';
  if (text.startsWith('OF: fdt:')) return 'of-fdt';
  if (text.startsWith('Memory: ')) return 'memory';
  if (text.startsWith('Kernel command line:')) return 'cmdline';
  if (text.startsWith('MEMBLOCK configuration:')) return 'memblock-dump';
  if (/^Unknown kernel command line parameters|^Malformed early option|invalid for parameter|^Unknown command line parameters/.test(text))
    return 'unknown-param';
  if (/crashkernel/i.test(text)) return 'crashkernel';
  if (/reserve_mem/.test(text)) return 'reserve_mem';
  return UNPREFIXED.find((u) => u.re.test(text))?.kind;
}

/**
 * Whether the model and the kernel both print `text` in the reserved-memory phase, so that a replay
 * compares it: the prefixed messages of of_reserved_mem.c, kernel/dma/{contiguous,coherent}.c,
 * mm/cma.c and 6.1's drivers/of/fdt.c, and the phase's unprefixed messages (UNPREFIXED). A line
 * continuing one of them (the rest of a printk with "\n" inside) is compared with it.
 */
export function isPhaseLine(text: string): boolean {
  return /^(OF: reserved mem: |Reserved memory: |cma: |OF: fdt: Reserved memory: )/.test(text) || isUnprefixedPhaseLine(text);
}

/**
 * What the kernel prints of the command line's own reservations and early parameters, outside the
 * reserved-memory phase: crashkernel= (kernel/crash_reserve.c, arch/arm64/mm/init.c,
 * arch/arm/kernel/setup.c), reserve_mem= (mm/memblock.c) and an early param whose handler failed
 * (init/main.c do_early_param: `Malformed early option '%s'`). A call-trace line naming one of
 * those functions is not one of them.
 */
export function isCommandLineLine(text: string): boolean {
  if (/^Malformed early option '/.test(text)) return true;
  const kind = classifyLine(text);
  return (kind === 'crashkernel' || kind === 'reserve_mem') && !/\+0x[0-9a-f]+\/0x[0-9a-f]+/.test(text);
}

/** One of the phase's messages printed without a prefix (UNPREFIXED). */
export function isUnprefixedPhaseLine(text: string): boolean {
  return UNPREFIXED.some((u) => u.re.test(text));
}

/** Parse a whole console capture. Never throws: unknown lines are ignored. */
export function parseConsole(kernel: string, consoleText: string): Observation {
  const obs: Observation = {
    kernel,
    log: [],
    memblock: [],
    unknownParams: [],
    reachedInit: false,
    completed: false,
    timedOut: false,
    earlyStopped: false,
    panicked: false,
    continuations: true,
    unprefixed: true,
  };
  const lines = consoleText.replace(/\r/g, '').split('\n');
  let continues: LogKind | undefined;
  let section: string | undefined;
  let sectionRows: string[] = [];
  let inDump: 'memory' | 'reserved' | undefined;
  let dumpSeen = false;
  let maxTime = 0;
  const endSection = (name: string, rows: string[]): void => {
    switch (name) {
      case 'iomem':
        obs.iomem = parseIomem(rows);
        break;
      case 'memblock-memory':
        obs.debugfsMemory = parseDebugfsMemblock(rows);
        break;
      case 'memblock-reserved':
        obs.debugfsReserved = parseDebugfsMemblock(rows);
        break;
      case 'meminfo': {
        for (const r of rows) {
          const m = /^(CmaTotal|CmaFree):\s+(\d+) kB/.exec(r);
          if (m) {
            if (m[1] === 'CmaTotal') obs.cmaTotalKiB = BigInt(m[2]!);
            else obs.cmaFreeKiB = BigInt(m[2]!);
          }
        }
        if (obs.cmaTotalKiB === undefined) obs.cmaTotalKiB = 0n; // no CMA lines: no CMA configured
        break;
      }
      case 'reserved-memory':
        obs.dtReservedMemory = parseDtRows(rows);
        break;
    }
  };
  for (const raw of lines) {
    // Our /init's markers and sections (no timestamp).
    const mk = /^@@carveout:(begin|end|reached-init|done)(?: (\S+))?/.exec(raw);
    if (mk) {
      if (mk[1] === 'reached-init') obs.reachedInit = true;
      else if (mk[1] === 'done') obs.completed = true;
      else if (mk[1] === 'begin') {
        section = mk[2];
        sectionRows = [];
      } else if (mk[1] === 'end' && section) {
        endSection(section, sectionRows);
        section = undefined;
      }
      continue;
    }
    if (section) {
      // Kernel messages can interleave with /init's output; keep only non-timestamped rows.
      if (!TS.test(raw)) sectionRows.push(raw);
      continue;
    }
    const tm = TS.exec(raw);
    const time = tm ? Number(tm[1]) : undefined;
    // A console registered later (e.g. a second console= on the command line) makes printk
    // replay the whole log buffer: timestamps go backwards. Skip the replayed lines.
    if (time !== undefined) {
      if (time + 1e-6 < maxTime) {
        obs.replayedLines = (obs.replayedLines ?? 0) + 1;
        continue;
      }
      maxTime = time;
    }
    const text = (tm ? tm[2]! : raw).trimEnd();
    const dropped = /^\*\* (\d+) printk messages dropped \*\*$/.exec(text);
    const cut = CUT_LINES.exec(text);
    if (dropped || cut) {
      (obs.gaps ??= []).push({
        messages: Number((dropped ?? cut)![1]),
        log: obs.log.length,
        memblock: obs.memblock.length,
        ...(cut ? { cut: true as const } : {}),
      });
      continues = undefined;
      continue;
    }
    if (continues !== undefined) {
      obs.log.push(withTime({ kind: continues, text, continued: true }, time));
      continues = undefined;
      continue;
    }
    if (/Kernel panic - not syncing/.test(text)) {
      obs.panicked = true;
      if (obs.panicMessage === undefined) obs.panicMessage = text;
    }
    if (text.startsWith('Linux version ')) {
      obs.linuxVersion = text;
      continue;
    }
    // memblock_dump rows: `memory.cnt`, `memory[0x0]\t[...]`, `reserved.cnt`, `reserved[0x0]...`.
    if (inDump || text.startsWith('MEMBLOCK configuration:')) {
      if (text.startsWith('MEMBLOCK configuration:')) {
        // Booted through UEFI the table is printed twice: by reserve_regions before it replaces
        // memory with the UEFI memory map (drivers/firmware/efi/efi-init.c), then at the end of
        // memory setup. The last one is the table after setup: each header starts it afresh.
        obs.memblockDump = { memory: [], reserved: [] };
        if (!dumpSeen) {
          dumpSeen = true;
          obs.log.push(withTime({ kind: 'memblock-dump', text }, time));
        }
        inDump = 'memory';
        continue;
      }
      const trimmed = text.trim();
      if (/^memory size =|^memory\.cnt|^reserved\.cnt|^physmem\.cnt/.test(trimmed)) {
        if (trimmed.startsWith('reserved.cnt')) inDump = 'reserved';
        else if (trimmed.startsWith('physmem')) inDump = undefined;
        continue;
      }
      const d = DUMP_ROW.exec(text);
      if (d && obs.memblockDump && dumpSeen) {
        if (d[1] !== 'physmem') {
          const reg: MemblockDumpRow = { base: BigInt(d[2]!), end: BigInt(d[3]!), size: BigInt(d[4]!), flags: parseInt(d[6]!, 16) };
          if (d[5] !== undefined) reg.nid = Number(d[5]);
          (d[1] === 'memory' ? obs.memblockDump.memory : obs.memblockDump.reserved).push(reg);
        }
        continue;
      }
      inDump = undefined;
    }
    const ev = parseMemblockEvent(text);
    if (ev) {
      // A reserve done by memblock_alloc_range_nid is the result of the preceding alloc.
      const prev = obs.memblock[obs.memblock.length - 1];
      if (prev && resultOf(prev, ev)) prev.result = ev.base!;
      obs.memblock.push(ev);
      continue;
    }
    const kind = classifyLine(text);
    if (!kind) continue;
    obs.log.push(withTime({ kind, text }, time));
    if (CONTINUED_BELOW.test(text)) continues = kind;
    if (kind === 'cmdline') obs.commandLine = text.slice('Kernel command line:'.length).trim();
    if (kind === 'memory') {
      const m = parseMemoryLine(text);
      if (m) obs.memoryLine = m;
    }
    if (kind === 'unknown-param') {
      const q = /"([^"]*)"|'([^']*)'|`([^']*)'/.exec(text);
      obs.unknownParams.push(q ? (q[1] ?? q[2] ?? q[3] ?? text) : text);
    }
  }
  if (section) endSection(section, sectionRows); // cut short: keep what we have
  return obs;
}

function withTime(l: ConsoleLine, time: number | undefined): ConsoleLine {
  if (time !== undefined) l.time = time;
  return l;
}

/**
 * Whether `next` is the reservation memblock_alloc_range_nid() made for the allocation `alloc`
 * (mm/memblock.c: it reserves exactly `size` at the found base, which honours `align`). A failed
 * allocation is followed by something else — often the default CMA area, whose
 * memblock_alloc_range_nid() call prints no alloc line of its own, so size and alignment must match.
 */
export function resultOf(alloc: MemblockTraceLine, next: MemblockTraceLine): boolean {
  if (alloc.op !== 'alloc' || next.op !== 'reserve' || !/^memblock_alloc_range_nid\+/.test(next.caller)) return false;
  if (next.base === undefined || next.size !== alloc.size) return false;
  // round_down/round_up in memblock are masks (x & ~(align - 1)), also for non-powers of 2.
  if (alloc.align && alloc.align > 0n && (next.base & (alloc.align - 1n)) !== 0n) return false;
  return true;
}

/** Recompute every alloc's `result` from the events that follow it (records made before the
 *  size/alignment check paired a failed allocation with the next unrelated reservation). */
export function relinkResults(events: MemblockTraceLine[]): MemblockTraceLine[] {
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.op !== 'alloc' || e.count !== undefined) continue;
    const n = events[i + 1];
    e.result = n && resultOf(e, n) ? n.base! : null;
  }
  return events;
}

export function parseMemblockEvent(text: string): MemblockTraceLine | undefined {
  let m = RANGE_EV.exec(text);
  if (m) {
    const base = BigInt(m[2]!),
      end = BigInt(m[3]!);
    // memblock_remove(base, ULLONG_MAX-ish) prints an end below base: the size wraps like the kernel's.
    const ev: MemblockTraceLine = { fn: m[1]!, op: classifyFn(m[1]!), base, end, size: BigInt.asUintN(64, end - base + 1n), caller: m[6]! };
    if (m[4] !== undefined) {
      ev.nid = Number(m[4]);
      ev.flags = parseInt(m[5]!, 16);
    }
    return ev;
  }
  m = ALLOC_EV.exec(text);
  if (m) {
    const ev: MemblockTraceLine = {
      fn: m[1]!,
      op: 'alloc',
      size: BigInt(m[2]!),
      align: BigInt(m[3]!),
      from: BigInt(m[5]!),
      maxAddr: BigInt(m[6]!),
      caller: m[7]!,
      result: null,
    };
    if (m[4] !== undefined) ev.nid = Number(m[4]);
    return ev;
  }
  return undefined;
}

export function parseMemoryLine(text: string): MemoryLine | undefined {
  const m = MEMORY_LINE.exec(text);
  if (!m) return undefined;
  const out: MemoryLine = { availableKiB: BigInt(m[1]!), totalKiB: BigInt(m[2]!) };
  for (const part of m[3]!.split(',')) {
    const p = /^\s*(\d+)K (.+?)\s*$/.exec(part);
    if (!p) continue;
    const v = BigInt(p[1]!);
    if (p[2] === 'reserved') out.reservedKiB = v;
    else if (p[2] === 'cma-reserved') out.cmaReservedKiB = v;
    else if (p[2] === 'highmem') out.highmemKiB = v;
  }
  return out;
}

export function parseIomem(rows: string[]): IomemEntry[] {
  const out: IomemEntry[] = [];
  for (const r of rows) {
    const m = IOMEM_ROW.exec(r);
    if (m) out.push({ start: BigInt('0x' + m[2]), end: BigInt('0x' + m[3]), name: m[4]!, depth: m[1]!.length / 2 });
  }
  return out;
}

export function parseDebugfsMemblock(rows: string[]): MemblockDumpRow[] {
  const out: MemblockDumpRow[] = [];
  for (const r of rows) {
    const m = DEBUGFS_ROW.exec(r);
    if (!m) continue;
    const base = BigInt(m[1]!),
      end = BigInt(m[2]!);
    const reg: MemblockDumpRow = { base, end, size: end - base + 1n };
    if (m[3] !== undefined) {
      reg.nid = Number(m[3]);
      reg.flagNames = m[4]!;
    }
    out.push(reg);
  }
  return out;
}

function parseDtRows(rows: string[]): DtProperty[] {
  const out: DtProperty[] = [];
  for (const r of rows) {
    const m = /^(\S+) (\S+) ?([0-9a-f]*)$/.exec(r);
    if (m) out.push({ node: m[1]!, prop: m[2]!, hex: m[3]! });
  }
  return out;
}

// ---------------------------------------------------------------- JSON form

/** JSON with bigints as `"0x…"` strings (addresses) — the lab record format. */
export function toJsonValue(v: unknown): unknown {
  if (typeof v === 'bigint') return '0x' + v.toString(16);
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = toJsonValue(x);
    return o;
  }
  return v;
}

const BIGINT_KEYS = new Set([
  'lastResult',
  'base',
  'end',
  'size',
  'align',
  'from',
  'maxAddr',
  'result',
  'start',
  'availableKiB',
  'totalKiB',
  'reservedKiB',
  'cmaReservedKiB',
  'highmemKiB',
  'cmaTotalKiB',
  'cmaFreeKiB',
]);

/**
 * The wall-clock bound stopped QEMU before the kernel printed its first line (`Linux version`).
 * A zImage's decompressor prints nothing, and on a loaded host it alone can outlast the bound
 * (a 7 MiB XZ armmp zImage takes 7-16 s of a shared core to reach the kernel): the lab saw
 * nothing of such a boot, so it is not an observation of the kernel and judges no prediction.
 */
export function printedNothing(o: Pick<Observation, 'timedOut' | 'linuxVersion'>): boolean {
  return o.timedOut && o.linuxVersion === undefined;
}

/**
 * How long a boot's console must have been silent when the bound stopped it to call the boot hung.
 * Between two console lines a progressing kernel is silent for a few seconds at most in the lab (the
 * longest gaps: memmap and ftrace initialisation on a loaded host); a zImage's decompressor, silent
 * for up to 16 s, prints nothing at all before it and is `printedNothing`, not a hang.
 */
export const HANG_QUIET_MS = 20_000;

const SOFT_LOCKUP = /watchdog: BUG: soft lockup - CPU#\d+ stuck for (\d+)s!/;

/**
 * The soft-lockup watchdog (kernel/watchdog.c watchdog_timer_fn) reports a CPU that has not
 * scheduled for twice watchdog_thresh: "watchdog: BUG: soft lockup - CPU#0 stuck for 44s!
 * [init:1]", its registers and call trace, all from one timer interrupt, and again while the CPU
 * stays stuck. Such a kernel is hung though its console is never silent for HANG_QUIET_MS: the
 * lab's QEMU has one CPU, so a last report saying it was stuck twice HANG_QUIET_MS or more, after
 * which nothing but that report was printed, is a boot that stopped making progress. Twice, as a
 * computation a loaded host slows down can hold the CPU for one report (5.10-armmp-lpae #46: an
 * RSA self-test in cryptomgr_test, stuck for 26 s at load 15, reported once).
 */
function stuckToTheEnd(lines: string[]): boolean {
  let at = lines.length - 1;
  while (at >= 0 && !SOFT_LOCKUP.test(lines[at]!)) at--;
  if (at < 0) return false;
  const stuck = Number(SOFT_LOCKUP.exec(lines[at]!)![1]) * 1000;
  const t = TS.exec(lines[at]!.trimEnd());
  if (stuck < 2 * HANG_QUIET_MS || !t) return false;
  // the report's own lines carry its time (one interrupt prints them); a later line means the kernel went on
  return lines.slice(at + 1).every((l) => {
    const m = TS.exec(l.trimEnd());
    return !m || Number(m[1]) - Number(t[1]) < 1;
  });
}

/**
 * How a recorded boot ended, as far as its console shows:
 *  - `ok`: it ran to the end of the observation (/init done, or stopped once everything was printed);
 *  - `panic`: the kernel printed `Kernel panic - not syncing`, or ended the run itself before /init;
 *  - `hang`: the bound stopped a kernel that had been silent for HANG_QUIET_MS or more, or whose
 *    console ends in a soft-lockup report of a CPU stuck twice that long (stuckToTheEnd);
 *  - `cut-off`: the bound stopped a kernel that was still printing (silent for less, or stopped in the
 *    middle of a line, or its last printk time says it printed within HANG_QUIET_MS of the end):
 *    not an observation of how the boot ends;
 *  - `unmeasured`: the bound stopped it after a whole line and the record predates the lab's
 *    silence measurement: whether it hung or was still working is not known;
 *  - `printed-nothing`: see `printedNothing`.
 */
export type BootEnd = 'ok' | 'panic' | 'hang' | 'cut-off' | 'unmeasured' | 'printed-nothing';

export function bootEnd(
  o: Pick<Observation, 'panicked' | 'timedOut' | 'reachedInit' | 'earlyStopped' | 'linuxVersion' | 'quietMs' | 'console' | 'durationMs'>,
): BootEnd {
  if (o.panicked) return 'panic';
  // Past /init the kernel has booted: a bound that stops /init's sections says nothing about that.
  if (o.reachedInit || o.earlyStopped) return 'ok';
  // A kernel that ended the run itself before /init restarted (panic=-1; -no-reboot ends QEMU):
  // a panic whose own line is not legible, its format strings overwritten (6.1-armmp seed 27 #2,
  // a slab over the image's data, 2 s of garbage, then QEMU gone).
  if (!o.timedOut) return o.linuxVersion === undefined ? 'ok' : 'panic';
  if (printedNothing(o)) return 'printed-nothing';
  // The observed boot's own console (a 32-bit record appends its trace boot after a marker).
  const text = (o.console ?? '').split(`\n${TRACE_BOOT_MARK}\n`)[0]!.replace(/\n+$/, '');
  if (stuckToTheEnd(text.split('\n'))) return 'hang';
  if (o.quietMs !== undefined) return o.quietMs >= HANG_QUIET_MS ? 'hang' : 'cut-off';
  const last = text.slice(text.lastIndexOf('\n') + 1);
  // A serial console ends every printed line with "\r\n" (the serial core's uart_console_write):
  // a last line without it was being printed when QEMU was stopped.
  if (last !== '' && !last.endsWith('\r')) return 'cut-off';
  // printk time follows the host's clock under QEMU's TCG and starts after the boot did: a line
  // stamped t was printed at most duration - t before the end.
  const ts = TS.exec(last.trimEnd());
  if (ts && o.durationMs !== undefined && o.durationMs - Number(ts[1]) * 1000 < HANG_QUIET_MS) return 'cut-off';
  return 'unmeasured';
}

/** Inverse of `toJsonValue` for an Observation. */
export function observationFromJson(j: unknown): Observation {
  const rev = (v: unknown, key?: string): unknown => {
    if (typeof v === 'string' && key && BIGINT_KEYS.has(key) && /^0x[0-9a-f]+$/i.test(v)) return BigInt(v);
    if (Array.isArray(v)) return v.map((x) => rev(x));
    if (v && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[k] = rev(x, k);
      return o;
    }
    return v;
  };
  return rev(j) as Observation;
}

// ---------------------------------------------------------------- lab records

/**
 * One recorded lab boot: a line of `data/lab/<kernel>.jsonl.gz` (JSON Lines, gzip).
 * Everything a model test needs offline: the case as data, the exact DTB booted, the command line,
 * RAM size, and what the kernel did. Bigints are `"0x…"` strings; read with `readLabRecords`
 * (src/verify/records.ts) to get them back as bigint.
 */
export interface LabRecordJson {
  v: 1;
  /** Lab kernel ID, e.g. `6.12-arm64` (src/verify/kernels.ts). */
  kernel: string;
  /** Exact Debian package and version booted, e.g. `linux-image-6.12.95+deb12-arm64-unsigned 6.12.95-1~bpo12+1`. */
  package: string;
  /** sha256 (first 16 hex digits) of the canonical case JSON + kernel-independent inputs. */
  caseId: string;
  /** Generator seed and index of the case (absent for hand-written cases). */
  seed?: number;
  index?: number;
  /** The generated scenario (src/verify/generator.ts `LabCase`), or a free description. */
  case: unknown;
  /** RAM given to QEMU (-m), hex bytes. */
  ram: string;
  /** The case's own command-line part (cma=, mem=, reserve_mem=, ...). */
  bootargs: string;
  /** The whole command line passed with -append (lab fixed part + case part). */
  append: string;
  /** 32-bit kernels: the command line of the second (memblock=debug) boot. */
  traceAppend?: string;
  /** The exact DTB booted, gzip then base64 — or absent for generated cases, which store only
   *  `dtbSha256`: their DTB is rebuilt offline from data/lab/virt/<arch>-<ram hex>.dtb (QEMU's
   *  own tree, seeds removed) + the case (generator.ts buildCaseTree), and checked against the hash.
   *  QEMU adds /chosen bootargs and linux,initrd-start/end to it at boot. */
  dtb?: string;
  dtbSha256: string;
  /** Initrd placement as QEMU does it (hw/arm/boot.c): start and size, hex. */
  initrd?: { start: string; size: string };
  /** What the kernel did (toJsonValue of an Observation; console trimmed to relevant lines). */
  observation: unknown;
}

/** Compact runs of identical allocations (see `MemblockTraceLine.count`). Order is kept. */
export function compactTrace(events: MemblockTraceLine[]): MemblockTraceLine[] {
  return compactRuns(relinkResults(events.map((e) => ({ ...e }))));
}

/**
 * compactTrace on a trace whose allocation results are already linked (the model's: it knows which
 * reserve belongs to which allocation). The input is not changed.
 */
export function compactRuns(events: readonly MemblockTraceLine[]): MemblockTraceLine[] {
  const out: MemblockTraceLine[] = [];
  const sig = (e: MemblockTraceLine): string => [e.fn, e.size, e.align, e.from, e.maxAddr, e.nid, e.caller].join('|');
  for (let i = 0; i < events.length; i++) {
    const a = events[i]!;
    const r = events[i + 1];
    const paired = a.op === 'alloc' && typeof a.result === 'bigint' && r && r.op === 'reserve' && r.base === a.result;
    if (!paired) {
      out.push({ ...a });
      continue;
    }
    const pa = out[out.length - 2];
    const pr = out[out.length - 1];
    if (
      pa &&
      pr &&
      pa.op === 'alloc' &&
      pr.op === 'reserve' &&
      sig(pa) === sig(a) &&
      typeof pa.result === 'bigint' &&
      pr.base !== undefined &&
      pr.end !== undefined &&
      r.base !== undefined &&
      r.end !== undefined &&
      (r.end + 1n === pr.base || pr.end + 1n === r.base)
    ) {
      pa.count = (pa.count ?? 1) + 1;
      pa.lastResult = a.result as bigint;
      pr.count = (pr.count ?? 1) + 1;
      if (r.base < pr.base!) pr.base = r.base;
      else pr.end = r.end;
      pr.size = pr.end! - pr.base! + 1n;
    } else {
      out.push({ ...a }, { ...r });
    }
    i++;
  }
  return out;
}
