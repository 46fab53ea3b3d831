// The kernel command line: memparse, parse_args/next_arg, early parameters and the options that
// change memory layout (mem=, cma=, reserve_mem=, crashkernel=, memblock=debug), plus
// `declareEarlyParam` for board code's own early_param("mca_mem", ...).
//
// Sources: lib/cmdline.c (memparse, simple_strtoull via lib/kstrtox.c), kernel/params.c
// (next_arg, parse_args, parameq), init/main.c (do_early_param, unknown_bootoption,
// print_unknown_bootoptions), kernel/dma/contiguous.c (early_cma), mm/memblock.c (reserve_mem,
// 6.12), arch/arm64/mm/init.c and arch/arm/kernel/setup.c (early_mem), kernel/crash_reserve.c
// (6.12) / kernel/crash_core.c (6.1) (parse_crashkernel).

import { roundupPow2 } from './memblock.js';

const U64 = (1n << 64n) - 1n;

/** Result of memparse: the value and how many characters were consumed. */
export interface MemparseResult {
  value: bigint;
  /** Index just past what was parsed (== start when nothing was). */
  end: number;
}

function isDigitIn(c: string | undefined, base: number): number {
  if (c === undefined) return -1;
  const code = c.toLowerCase().charCodeAt(0);
  let v: number;
  if (code >= 48 && code <= 57) v = code - 48;
  else if (code >= 97 && code <= 102) v = code - 87;
  else return -1;
  return v < base ? v : -1;
}

/**
 * simple_strtoull(s, &end, 0): radix from the prefix (0x → 16 when a hex digit follows, 0 → 8,
 * else 10), digits until the first non-digit, wrapping at 64 bits. No sign, no whitespace.
 */
export function simpleStrtoull(s: string, start = 0): MemparseResult {
  let i = start;
  let base = 10;
  if (s[i] === '0') {
    if ((s[i + 1] === 'x' || s[i + 1] === 'X') && isDigitIn(s[i + 2], 16) >= 0) {
      base = 16;
      i += 2;
    } else base = 8;
  }
  let v = 0n;
  const b = BigInt(base);
  for (;;) {
    const d = isDigitIn(s[i], base);
    if (d < 0) break;
    v = (v * b + BigInt(d)) & U64;
    i++;
  }
  return { value: v, end: i };
}

/** kstrtobool (lib/kstrtox.c): y/Y/1/n/N/0 by the first character, on/off by the first two; else undefined (-EINVAL). */
export function kstrtobool(s: string): boolean | undefined {
  const c = s[0];
  if (c === 'y' || c === 'Y' || c === '1') return true;
  if (c === 'n' || c === 'N' || c === '0') return false;
  if (c === 'o' || c === 'O') {
    const d = s[1];
    if (d === 'n' || d === 'N') return true;
    if (d === 'f' || d === 'F') return false;
  }
  return undefined;
}

/**
 * get_option (lib/cmdline.c) on a whole value: simple_strtol, an optional '-' then
 * simple_strtoull's digits; undefined when there are none.
 */
export function getOption(val: string | undefined): number | undefined {
  if (val === undefined) return undefined;
  const from = val.startsWith('-') ? 1 : 0;
  const r = simpleStrtoull(val, from);
  if (r.end === from) return undefined;
  return from ? -Number(r.value) : Number(r.value);
}

/** memparse (lib/cmdline.c): a number with an optional K/M/G/T/P/E suffix (either case). */
export function memparse(s: string, start = 0): MemparseResult {
  const r = simpleStrtoull(s, start);
  // 'E' falls through to 'K' in the C: each step multiplies by 1024
  const shifts: Record<string, bigint> = { k: 10n, m: 20n, g: 30n, t: 40n, p: 50n, e: 60n };
  const c = s[r.end];
  const shift = c === undefined ? undefined : shifts[c.toLowerCase()];
  if (shift === undefined) return r;
  return { value: (r.value << shift) & U64, end: r.end + 1 };
}

/**
 * Parse a whole size string like the CLI's `--ram 64M`; undefined when there is trailing junk or
 * the value does not fit in 64 bits. memparse wraps there (`16E` is 0) as the kernel's unsigned
 * long long does; an option naming a size must not silently become another one.
 */
export function parseSize(text: string): bigint | undefined {
  const t = text.trim();
  if (!/^[0-9]/.test(t)) return undefined;
  const r = memparse(t);
  if (r.end === 0 || r.end !== t.length) return undefined;
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([kmgtpeKMGTPE]?)$/.exec(t);
  if (!m) return undefined;
  const digits = m[1]!;
  const n = /^0[0-7]/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  const shifts: Record<string, bigint> = { '': 0n, k: 10n, m: 20n, g: 30n, t: 40n, p: 50n, e: 60n };
  if (n << shifts[m[2]!.toLowerCase()]! > U64) return undefined;
  return r.value;
}

/** One `param[=val]` from the command line, as next_arg returns it. */
export interface CmdlineArg {
  param: string;
  /** undefined when there was no `=`. */
  val: string | undefined;
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

/**
 * next_arg (kernel/params.c): split at unquoted whitespace; the first `=` separates the value;
 * a leading `"` on the arg or the value is stripped with its closing `"`.
 */
export function nextArg(args: string, pos: number): { arg: CmdlineArg; next: number } {
  let i = pos;
  let inQuote = false;
  let quoted = false;
  if (args[i] === '"') {
    i++;
    inQuote = true;
    quoted = true;
  }
  const start = i;
  let equals = -1;
  for (; i < args.length; i++) {
    if (isSpace(args[i]) && !inQuote) break;
    if (equals < 0 && args[i] === '=') equals = i;
    if (args[i] === '"') inQuote = !inQuote;
  }
  const end = i; // args[end] is the separator or the end
  let param: string;
  let val: string | undefined;
  // the kernel strips a trailing quote when the arg (or its value) started with one
  const stripTrailing = (s: string) => (s.endsWith('"') ? s.slice(0, -1) : s);
  if (equals < 0) {
    param = args.slice(start, end);
    if (quoted) param = stripTrailing(param);
  } else {
    param = args.slice(start, equals);
    val = args.slice(equals + 1, end);
    if (val.startsWith('"')) {
      val = val.slice(1);
      val = stripTrailing(val);
    } else if (quoted) val = stripTrailing(val);
  }
  let next = end < args.length ? end + 1 : end;
  while (next < args.length && isSpace(args[next])) next++;
  return { arg: { param, val }, next };
}

/** parse_args' tokenisation: every argument in order, stopping at a bare `--`. */
export function splitArgs(cmdline: string): { args: CmdlineArg[]; afterDashes?: string } {
  const out: CmdlineArg[] = [];
  let pos = 0;
  while (pos < cmdline.length && isSpace(cmdline[pos])) pos++;
  while (pos < cmdline.length) {
    const { arg, next } = nextArg(cmdline, pos);
    pos = next;
    if (arg.val === undefined && arg.param === '--') return { args: out, afterDashes: cmdline.slice(pos) };
    out.push(arg);
  }
  return { args: out };
}

/** parameq (kernel/params.c): `-` and `_` are the same character in parameter names. */
export function parameq(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] === '-' ? '_' : a[i];
    const y = b[i] === '-' ? '_' : b[i];
    if (x !== y) return false;
  }
  return true;
}

// -------------------------------------------------------------------------------------------------
// Early parameters

/** What an early parameter handler may use (board code gets the same object). */
export interface EarlyParamKernel {
  memparse: typeof memparse;
  /** pr_info etc.; the text should carry its own prefix, like a pr_fmt. */
  printk(level: 'err' | 'warn' | 'notice' | 'info' | 'debug', text: string): void;
  /**
   * Run `fn` where platform code reserves memory (arm: mdesc->reserve() in arm_memblock_init;
   * arm64: arm64_memblock_init right after the kernel image, before /reserved-memory). memblock
   * is handed over with the boot's current state.
   */
  atReserve(fn: (mb: EarlyReserveApi) => void): void;
}

/** The memblock calls board code may make from its reserve hook. */
export interface EarlyReserveApi {
  /** memblock_reserve: 0 or -errno. */
  reserve(base: bigint, size: bigint): number;
  /** memblock_phys_alloc: top-down below memblock.current_limit; 0n on failure. */
  physAlloc(size: bigint, align: bigint): bigint;
  /** memblock_phys_alloc_range */
  physAllocRange(size: bigint, align: bigint, start: bigint, end: bigint): bigint;
  /** memblock_remove (like the old arm_memblock_steal) */
  remove(base: bigint, size: bigint): number;
  /** memblock_is_region_reserved */
  isRegionReserved(base: bigint, size: bigint): boolean;
  /** Hand a region to a driver: recorded in the boot result (`handoffs`) for the report. */
  handOff(driver: string, base: bigint, size: bigint): void;
  printk(level: 'err' | 'warn' | 'notice' | 'info' | 'debug', text: string): void;
}

/**
 * An early_param() handler: gets the value (undefined for a bare `name`), returns 0 on success or
 * non-zero, in which case the kernel prints `Malformed early option '<name>'`.
 */
export type EarlyParamFn = (val: string | undefined, k: EarlyParamKernel) => number;

export interface EarlyParam {
  name: string;
  fn: EarlyParamFn;
  /** Where it came from: 'builtin' or the user's file. */
  origin: string;
}

const EARLY_PARAM_BRAND = Symbol.for('carveout.early-param');

/**
 * Declare an early parameter the way board code does with `early_param("mca_mem", fn)`.
 * Pass the returned object to plan()/boot via `earlyParams`, or export it from a handlers file.
 */
export function declareEarlyParam(name: string, fn: EarlyParamFn, origin = 'user'): EarlyParam {
  const p: EarlyParam = { name, fn, origin };
  Object.defineProperty(p, EARLY_PARAM_BRAND, { value: true });
  return p;
}

export function isEarlyParam(x: unknown): x is EarlyParam {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[EARLY_PARAM_BRAND] === true;
}

// -------------------------------------------------------------------------------------------------
// The memory-layout options, parsed into one state object the boot reads.

export interface CmaCmdline {
  /** size_cmdline (set when `cma=` was given; -1 in the kernel otherwise). */
  size: bigint;
  base: bigint;
  limit: bigint;
}

export interface ReserveMemRequest {
  size: bigint;
  align: bigint;
  name: string;
  /** The raw `reserve_mem=` value, for messages. */
  raw: string;
}

/** One `reserve_mem=` in command-line order: its request, or `malformed` (reserve_mem's err_param). */
export type ReserveMemParam = ReserveMemRequest | { raw: string; malformed: true };

export interface CrashkernelRequest {
  size: bigint;
  base: bigint;
  lowSize: bigint;
  high: boolean;
  /** -errno from parse_crashkernel when it failed (the kernel then reserves nothing). */
  error?: number;
}

export interface CmdlineState {
  raw: string;
  args: CmdlineArg[];
  /** memblock=debug */
  memblockDebug: boolean;
  /** new_log_buf_len as `log_buf_len=` left it (kernel/printk/printk.c log_buf_len_update); undefined: none asked. */
  newLogBufLen?: bigint;
  /** arm64: memory_limit from `mem=` (PAGE_MASK applied); arm: `mem=size[@start]` banks. */
  memLimit?: bigint;
  armMemBanks?: { start: bigint; size: bigint }[];
  cma?: CmaCmdline;
  /** arm `vmalloc=` (arch/arm/mm/mmu.c early_vmalloc), clamped like the kernel. */
  vmallocSize?: bigint;
  /** rmem reads this (size_cmdline != -1). */
  cmaSize?: bigint;
  reserveMem: ReserveMemParam[];
  crashkernel?: CrashkernelRequest;
  /** kernel/dma/swiotlb.c's state after `swiotlb=` (setup_io_tlb_npages); undefined without one. */
  swiotlb?: SwiotlbCmdline;
  /** `hashdist=` as set_hashdist left it (NUMA builds); undefined: HASHDIST_DEFAULT. */
  hashdist?: boolean;
  /**
   * kernel/dma/contiguous.c on a build with per-node CMA (ParseCmdlineOptions.numaCma):
   * `cma_pernuma=` (pernuma_size_bytes), `numa_cma=` (numa_cma_size[], by node), and whether
   * either was given (numa_cma_configured, which keeps 7.2's CMA_SIZE_PERNUMA default off).
   */
  cmaPernuma?: bigint;
  numaCmaSize?: Map<number, bigint>;
  numaCmaConfigured?: boolean;
  /**
   * An early param whose handler reads its value without checking there is one, given bare (no
   * `=`): do_early_param passes NULL and the handler dereferences it (`fn`), so parse_early_param
   * never returns. Params after it are not parsed.
   */
  earlyFault?: { param: string; fn: string };
  /** Arguments the kernel passes to init as unknown ("Unknown kernel command line parameters"), argv then envp. */
  unknown: string[];
  unknownArgv: string[];
  unknownEnvp: string[];
  /** Early parameters whose handler failed: `Malformed early option '%s'`. */
  malformed: string[];
}

/**
 * Which boot-time command-line options the kernel knows, and how they behave: the version layer
 * (../versions/) and the arch layer (../arch/) each set their part.
 */
export interface ParamSupport {
  /** `reserve_mem=` (mm/memblock.c, 6.12; a `__setup`, so it runs after setup_arch). */
  reserveMem: boolean;
  /** reserve_mem() says why it refuses an entry (`reserve_mem: …`, pr_err; 6.12 refuses silently). */
  reserveMemErrors: boolean;
  /** crashkernel=…,high / ,low on this arch (arm64: yes; arm: no). */
  crashkernelHighLow: boolean;
  /** parse_crashkernel refuses a size >= system RAM (6.12 kernel/crash_reserve.c). */
  crashkernelRamCheck: boolean;
  /** `swiotlb=` takes an area count after the slab count (6.1+ kernel/dma/swiotlb.c setup_io_tlb_npages). */
  swiotlbAreas: boolean;
  /**
   * How `hashdist=` (a __setup of CONFIG_NUMA builds, mm/mm_init.c; 5.10, 6.1 mm/page_alloc.c) reads
   * its value: simple_strtoul (any number, nothing read: 0), or 7.2's kstrtobool (y/n/1/0/on/off;
   * anything else is refused and the option goes to init as unknown).
   */
  hashdist: 'strtoul' | 'kstrtobool';
  /**
   * arm64's `numa=` handler (numa_parse_early_param; 6.12+ drivers/base/arch_numa.c) hands
   * `fake=` to numa_emu_cmdline, whose stub without CONFIG_NUMA_EMU is -EINVAL ("Malformed early
   * option 'numa'"); 5.10 and 6.1 take `fake=` silently.
   */
  numaFake: boolean;
  /**
   * Who reserves crashkernel=: reserve_crashkernel_generic (kernel/crash_reserve.c), arm64's own
   * reserve_crashkernel (arch/arm64/mm/init.c before the generic one), arm's (arch/arm/kernel/setup.c).
   */
  crashkernelImpl: 'generic' | 'arm64' | 'arm64-find-in-range' | 'arm';
  /**
   * The boot parameters the build has built in, read from its System.map (../build/read.ts): what
   * start_kernel's parse_args and unknown_bootoption (init/main.c) keep from init. Absent (a
   * built-in profile stored before they were read), knownParams' list of common names stands in.
   */
  builtIn?: BuiltInParams;
  /** Names of early_param()s built into this kernel that matter for memory layout. */
  earlyParams: string[];
}

/**
 * A build's boot parameters (../build/read.ts builtInParams): its `__setup` table, which
 * obsolete_checksetup walks, its core params (kernel_params without a module prefix) and the
 * sysctl aliases unknown_bootoption takes.
 */
export interface BuiltInParams {
  /** Each `__setup_<id>` entry's string, in table order; `early` for early_param()s. */
  setup: { str: string; early: boolean }[];
  core: string[];
  sysctlAliases: string[];
  /** `__setup_*` entries the series' sources do not name (a vendor's own): the words they take are not known here. */
  unnamed: string[];
}

/**
 * Whether start_kernel keeps a parameter from init (init/main.c): parse_args matches the
 * kernel_param table by name (core params; dotted module parameters never reach init either),
 * then unknown_bootoption takes sysctl aliases (strcmp) and obsolete_checksetup walks the __setup
 * table over the repaired `param=val`: an entry matches when the line starts with its string
 * (parameqn); an early_param only when the name is the whole line or followed by '='; the others
 * call their handler with the rest. A string ending in '=' takes its value that way; one without
 * is a flag whose handler refuses anything after it (readonly: `if (*str) return 0;`, so "ro"
 * does not take "rootwiat"): taken as the whole word only. A handler that refuses its value
 * returns 0 and the word goes on to init: the few that matter, hashdist=, are modelled where they
 * are parsed.
 */
export function knownToBuild(b: BuiltInParams, param: string, val: string | undefined): boolean {
  if (b.core.some((n) => parameq(n, param))) return true;
  if (b.sysctlAliases.includes(param)) return true;
  const line = val === undefined ? param : `${param}=${val}`;
  for (const { str, early } of b.setup) {
    if (line.length < str.length || !parameq(line.slice(0, str.length), str)) continue;
    if (line.length === str.length || (early && line[str.length] === '=') || (!early && str.endsWith('='))) return true;
  }
  return false;
}

/** What early_param()/__setup() names this kernel knows (beyond module params, which contain '.'), when the build's own are not read. */
export function knownParams(p: { params: Pick<ParamSupport, 'reserveMem' | 'earlyParams'> }): Set<string> {
  const s = new Set<string>([
    ...p.params.earlyParams,
    // __setup / core_param names every kernel has that the lab and typical boards use
    'console',
    'panic',
    'root',
    'rootwait',
    'rootfstype',
    'ro',
    'rw',
    'init',
    'rdinit',
    'quiet',
    'loglevel',
    'debug',
    'ignore_loglevel',
    'initrd',
    'maxcpus',
    'nosmp',
    'nr_cpus',
    'printk.time',
    'cma_pernuma',
    'swiotlb',
    'iommu',
    'keep_bootcon',
    // drivers/firmware/efi/efi.c early_param("efi", …) and ("noefi", …) (CONFIG_EFI, Debian's arm builds)
    'efi',
    'noefi',
  ]);
  if (p.params.reserveMem) s.add('reserve_mem');
  return s;
}

export interface ParseCmdlineOptions {
  arch: 'arm64' | 'arm';
  pageSize: number;
  params: Pick<
    ParamSupport,
    'reserveMem' | 'earlyParams' | 'crashkernelHighLow' | 'crashkernelRamCheck' | 'swiotlbAreas' | 'hashdist' | 'numaFake' | 'builtIn'
  >;
  /**
   * The build's per-node CMA early params (KernelProfile.dmaNumaCma): `cma_pernuma=` alone (5.10,
   * 6.1: CONFIG_DMA_PERNUMA_CMA), or with `numa_cma=` (6.5+: CONFIG_DMA_NUMA_CMA); `maxNumNodes`
   * bounds numa_cma='s node numbers.
   */
  numaCma?: { params: 'pernuma' | 'numa'; maxNumNodes: number };
  /** CONFIG_NUMA: `hashdist=` exists, and arm64's `numa=`. */
  numa?: boolean;
  /** CONFIG_NUMA_EMU: `numa=fake=` is taken. */
  numaEmu?: boolean;
  /** Board code's early params, tried after the built-in ones (same order as the kernel's table). */
  earlyParams?: EarlyParam[];
  /** The static printk buffer's length (1 << CONFIG_LOG_BUF_SHIFT): `log_buf_len=` exists; absent without CONFIG_PRINTK. */
  logBufLen?: bigint;
  /** Receives printk output of the handlers (e.g. `Memory limited to %lldMB`). */
  printk?: (level: 'err' | 'warn' | 'notice' | 'info' | 'debug', text: string) => void;
  /** Receives atReserve callbacks. */
  atReserve?: (fn: (mb: EarlyReserveApi) => void) => void;
}

/** LOG_BUF_LEN_MAX (kernel/printk/printk.c): 2 GiB. */
const LOG_BUF_LEN_MAX = 1n << 31n;

/**
 * log_buf_len_update (kernel/printk/printk.c): a size asked for, capped at 2 GiB, rounded up to a
 * power of two; the new buffer's length when that exceeds the current one (`logBufLen`).
 */
export function logBufLenUpdate(
  asked: bigint,
  logBufLen: bigint,
  printk: (level: 'err' | 'info', text: string) => void,
): bigint | undefined {
  let size = asked;
  if (size > LOG_BUF_LEN_MAX) {
    size = LOG_BUF_LEN_MAX;
    printk('err', 'printk: log_buf over 2G is not supported.');
  }
  if (size) size = roundupPow2(size);
  return size > logBufLen ? size : undefined;
}

/**
 * parse_early_param(): run every early handler whose name matches, in command-line order.
 * Returns the layout options; non-early options are classified for print_unknown_bootoptions.
 */
export function parseCmdline(cmdline: string, o: ParseCmdlineOptions): CmdlineState {
  const { args } = splitArgs(cmdline);
  const st: CmdlineState = {
    raw: cmdline,
    args,
    memblockDebug: false,
    reserveMem: [],
    unknown: [],
    unknownArgv: [],
    unknownEnvp: [],
    malformed: [],
  };
  const printk = o.printk ?? (() => {});
  const known = knownParams(o);
  const k: EarlyParamKernel = { memparse, printk, atReserve: (fn) => o.atReserve?.(fn) };

  for (const { param, val } of args) {
    let handled = false;
    let failed = false;
    // do_early_param: built-in early params (the kernel's __setup table order is irrelevant here:
    // each name has one handler), then board code's.
    if (parameq(param, 'memblock')) {
      handled = true;
      if (val?.includes('debug')) st.memblockDebug = true;
    } else if (parameq(param, 'mem')) {
      handled = true;
      // arm's early_mem has no `if (!p)`: it removes every bank (usermem), then memparse(NULL)
      // (arch/arm/kernel/setup.c); arm64's returns 1
      if (val === undefined && o.arch === 'arm') {
        st.armMemBanks ??= [];
        st.earlyFault = { param, fn: 'early_mem' };
        break;
      }
      failed = earlyMem(st, val, o, printk) !== 0;
    } else if (parameq(param, 'cma')) {
      handled = true;
      failed = earlyCma(st, val, printk) !== 0;
    } else if (o.numaCma && parameq(param, 'cma_pernuma')) {
      handled = true;
      // early_cma_pernuma: memparse(p, &p) with no NULL check (kernel/dma/contiguous.c)
      if (val === undefined) {
        st.earlyFault = { param, fn: 'early_cma_pernuma' };
        break;
      }
      st.cmaPernuma = memparse(val).value;
      st.numaCmaConfigured = true;
    } else if (o.numaCma?.params === 'numa' && parameq(param, 'numa_cma')) {
      handled = true;
      // early_numa_cma: `while (*s)` on the value, no NULL check
      if (val === undefined) {
        st.earlyFault = { param, fn: 'early_numa_cma' };
        break;
      }
      st.numaCmaSize = earlyNumaCma(val, o.numaCma.maxNumNodes, st.numaCmaSize ?? new Map());
      st.numaCmaConfigured = true;
    } else if (o.arch === 'arm' && parameq(param, 'vmalloc')) {
      handled = true;
      // early_vmalloc: memparse(arg, NULL) with no check (arch/arm/mm/mmu.c)
      if (val === undefined) {
        st.earlyFault = { param, fn: 'early_vmalloc' };
        break;
      } else {
        // VMALLOC_END - (PAGE_OFFSET + SZ_32M + VMALLOC_OFFSET) with CONFIG_VMSPLIT_3G
        const max = 0xff800000n - (0xc0000000n + (32n << 20n) + (8n << 20n));
        let v = memparse(val).value & 0xffffffffn;
        if (v < 16n << 20n) {
          v = 16n << 20n;
          printk('warn', `vmalloc area is too small, limiting to ${v >> 20n}MiB`);
        }
        if (v > max) {
          v = max;
          printk('warn', `vmalloc area is too big, limiting to ${v >> 20n}MiB`);
        }
        st.vmallocSize = v;
      }
    } else if (o.arch === 'arm64' && o.numa && parameq(param, 'numa')) {
      // numa_parse_early_param: no value is -EINVAL; `off` is read by arch_numa_init (arch-numa.ts)
      handled = true;
      if (val === undefined || (o.params.numaFake && val.startsWith('fake=') && !o.numaEmu)) failed = true;
    } else if (o.logBufLen !== undefined && parameq(param, 'log_buf_len')) {
      // log_buf_len_setup (kernel/printk/printk.c): no value is -EINVAL; each one asked for that is
      // bigger than the static buffer replaces the one before
      handled = true;
      if (val === undefined) failed = true;
      else {
        const size = logBufLenUpdate(memparse(val).value, o.logBufLen, printk);
        if (size !== undefined) st.newLogBufLen = size;
      }
    } else if (parameq(param, 'crashkernel')) {
      handled = true; // parse_crashkernel_dummy: the real parse reads the whole line later
    } else if (parameq(param, 'swiotlb')) {
      handled = true;
      // setup_io_tlb_npages starts with isdigit(*str), every series (kernel/dma/swiotlb.c)
      if (val === undefined) {
        st.earlyFault = { param, fn: 'setup_io_tlb_npages' };
        break;
      }
      st.swiotlb ??= { nslabs: o.params.swiotlbAreas ? IO_TLB_DEFAULT_SLABS : 0n, nareas: 0n, force: false, noforce: false };
      earlySwiotlb(st.swiotlb, val, o.params.swiotlbAreas, o.arch);
    }
    for (const ep of o.earlyParams ?? []) {
      if (parameq(param, ep.name)) {
        handled = true;
        if (ep.fn(val, k) !== 0) failed = true;
      }
    }
    if (failed) {
      st.malformed.push(param);
      printk('warn', `Malformed early option '${param}'`);
    }
    if (handled) continue;
    // Not an early param: start_kernel's parse_args → __setup handlers (6.12 reserve_mem=) or
    // unknown_bootoption.
    // __setup("hashdist=", set_hashdist): only with a value (the name includes '='), on NUMA builds
    let refused = false;
    if (o.numa && param === 'hashdist' && val !== undefined) {
      const on = o.params.hashdist === 'strtoul' ? simpleStrtoull(val).value !== 0n : kstrtobool(val);
      if (on !== undefined) {
        st.hashdist = on;
        continue;
      }
      refused = true; // set_hashdist returns 0: on to init
    }
    if (o.params.reserveMem && param === 'reserve_mem' && val !== undefined) {
      // __setup("reserve_mem=", ...) matches the prefix including '='; handled later in the boot
      st.reserveMem.push(parseReserveMem(val) ?? { raw: val, malformed: true });
      continue;
    }
    const bare = param.replace(/-/g, '_');
    if (!refused && o.params.builtIn && knownToBuild(o.params.builtIn, param, val)) continue;
    if (!refused && !o.params.builtIn && ([...known].some((n) => parameq(n, param)) || known.has(bare))) continue;
    if (param.includes('.')) continue; // unused module parameter
    // unknown_bootoption (init/main.c): bare words go to init's argv, `a=b` to its environment
    // (a later `a=` replaces an earlier one); print_unknown_bootoptions lists argv, then envp.
    if (val === undefined) st.unknownArgv.push(param);
    else {
      const i = st.unknownEnvp.findIndex((e) => e.startsWith(param + '='));
      if (i >= 0) st.unknownEnvp[i] = `${param}=${val}`;
      else st.unknownEnvp.push(`${param}=${val}`);
    }
    st.unknown = [...st.unknownArgv, ...st.unknownEnvp];
  }
  const ck = parseCrashkernel(cmdline, undefined, o);
  if (ck) st.crashkernel = ck;
  return st;
}

/**
 * early_numa_cma (kernel/dma/contiguous.c): `<nid>:<size>[,<nid>:<size>...]`, each nid read with
 * sscanf("%lu") and the size with memparse; it stops at the first entry without ':' or a node at
 * or past MAX_NUMNODES, keeping what it read before.
 */
function earlyNumaCma(val: string, maxNumNodes: number, sizes: Map<number, bigint>): Map<number, bigint> {
  let s = 0;
  while (s < val.length) {
    const m = /^\s*(\d+)/.exec(val.slice(s));
    if (!m) break;
    const count = m[0].length;
    if (val[s + count] !== ':') break;
    const node = Number(m[1]);
    if (node >= maxNumNodes) break;
    const size = memparse(val, s + count + 1);
    sizes.set(node, size.value);
    s = size.end;
    if (val[s] === ',') s++;
    else break;
  }
  return sizes;
}

/** early_mem: arm64 sets memory_limit (PAGE_MASK); arm replaces the memory banks. */
function earlyMem(
  st: CmdlineState,
  val: string | undefined,
  o: ParseCmdlineOptions,
  printk: NonNullable<ParseCmdlineOptions['printk']>,
): number {
  if (val === undefined) return 1; // `if (!p) return 1;`
  const r = memparse(val);
  if (o.arch === 'arm64') {
    st.memLimit = r.value & ~(BigInt(o.pageSize) - 1n);
    printk('notice', `Memory limited to ${st.memLimit >> 20n}MB`);
    return 0;
  }
  // arch/arm/kernel/setup.c early_mem: size[@start], start defaults to PHYS_OFFSET
  let start: bigint | undefined;
  if (val[r.end] === '@') start = memparse(val, r.end + 1).value;
  st.armMemBanks ??= [];
  st.armMemBanks.push({ start: start ?? -1n, size: r.value });
  return 0;
}

/** IO_TLB_SHIFT, IO_TLB_SEGSIZE (include/linux/swiotlb.h) and the default slab count (IO_TLB_DEFAULT_SIZE, 64 MiB). */
export const IO_TLB_SHIFT = 11n;
export const IO_TLB_SEGSIZE = 128n;
export const IO_TLB_DEFAULT_SLABS = (64n << 20n) >> IO_TLB_SHIFT;

/**
 * kernel/dma/swiotlb.c's state after the command line: default_nslabs (5.10 io_tlb_nslabs, 0 for
 * the default) and default_nareas (0: not set yet), swiotlb_force_bounce / swiotlb_force_disable.
 */
export interface SwiotlbCmdline {
  nslabs: bigint;
  nareas: bigint;
  force: boolean;
  noforce: boolean;
}

const isPow2 = (x: bigint) => x > 0n && (x & (x - 1n)) === 0n;

/**
 * swiotlb_adjust_nareas (6.1+): 0 is 1, else the next power of two; then round_up_default_nslabs:
 * at least IO_TLB_SEGSIZE slabs per area, and a power of two.
 */
export function swiotlbAdjustNareas(s: SwiotlbCmdline, nareas: bigint): void {
  s.nareas = nareas === 0n ? 1n : isPow2(nareas) ? nareas : roundupPow2(nareas);
  swiotlbRoundUpDefaultNslabs(s);
}

/** round_up_default_nslabs: true when it changed default_nslabs. */
export function swiotlbRoundUpDefaultNslabs(s: SwiotlbCmdline): boolean {
  if (!s.nareas) return false;
  if (s.nslabs < IO_TLB_SEGSIZE * s.nareas) s.nslabs = IO_TLB_SEGSIZE * s.nareas;
  else if (isPow2(s.nslabs)) return false;
  s.nslabs = roundupPow2(s.nslabs);
  return true;
}

/**
 * setup_io_tlb_npages (kernel/dma/swiotlb.c), one `swiotlb=[nslabs][,nareas][,force|noforce]` on
 * the state so far: digits read by simple_strtoul, the slab count ALIGNed to IO_TLB_SEGSIZE, the
 * area count (6.1+) applied at once; 5.10's noforce also sets the slab count to 1. (A bare
 * `swiotlb` hands the handler NULL, which it dereferences: not modelled.)
 */
function earlySwiotlb(s: SwiotlbCmdline, val: string, areas: boolean, arch: 'arm64' | 'arm'): void {
  const digit = (i: number) => val[i] !== undefined && val[i]! >= '0' && val[i]! <= '9';
  const ulong = arch === 'arm' ? 0xffff_ffffn : U64; // unsigned long
  let i = 0;
  if (digit(i)) {
    const r = simpleStrtoull(val, i);
    s.nslabs = (r.value + IO_TLB_SEGSIZE - 1n) & ~(IO_TLB_SEGSIZE - 1n) & ulong;
    i = r.end;
  }
  if (val[i] === ',') i++;
  if (areas) {
    if (digit(i)) {
      const r = simpleStrtoull(val, i);
      swiotlbAdjustNareas(s, r.value & 0xffff_ffffn); // unsigned int
      i = r.end;
    }
    if (val[i] === ',') i++;
  }
  const rest = val.slice(i);
  if (rest === 'force') s.force = true;
  else if (rest === 'noforce') {
    s.noforce = true;
    if (!areas) s.nslabs = 1n;
  }
}

/** early_cma (kernel/dma/contiguous.c): size[@base[-limit]]. */
function earlyCma(st: CmdlineState, val: string | undefined, printk: NonNullable<ParseCmdlineOptions['printk']>): number {
  if (val === undefined) {
    printk('err', 'cma: Config string not provided');
    return -22;
  }
  const s = memparse(val);
  const c: CmaCmdline = { size: s.value, base: 0n, limit: 0n };
  st.cma = c;
  st.cmaSize = c.size;
  if (val[s.end] !== '@') return 0;
  const b = memparse(val, s.end + 1);
  c.base = b.value;
  if (val[b.end] !== '-') {
    c.limit = (c.base + c.size) & U64;
    return 0;
  }
  c.limit = memparse(val, b.end + 1).value;
  return 0;
}

/**
 * reserve_mem= (mm/memblock.c, 6.12): `size:align:name`. Checks that need the table (count,
 * duplicate names) and the allocation happen in the boot; here only the syntax. An invalid value
 * is undefined (the handler's err_param: -EINVAL, which marks the option handled all the same).
 */
export function parseReserveMem(val: string): ReserveMemRequest | undefined {
  const s = memparse(val);
  if (!s.value || s.end === 0) return undefined;
  if (val[s.end] !== ':') return undefined;
  const a = memparse(val, s.end + 1);
  if (val[a.end] !== ':') return undefined;
  let align = a.value;
  if (align < 64n) align = 64n; // SMP_CACHE_BYTES
  const name = val.slice(a.end + 1);
  if (!name.length || name.length >= 16) return undefined; // RESERVE_MEM_NAME_SIZE
  if (!/\S/.test(name)) return undefined;
  return { size: s.value, align, name, raw: val };
}

// -------------------------------------------------------------------------------------------------
// crashkernel= (kernel/crash_reserve.c 6.12, kernel/crash_core.c 6.1: same parser)

const SUFFIXES = [',high', ',low'];

/** get_last_crashkernel: the last `crashkernel=` whose value ends with `suffix` (or with none). */
function getLastCrashkernel(cmdline: string, suffix: string | undefined): number | undefined {
  const name = 'crashkernel=';
  let found: number | undefined;
  let p = cmdline.indexOf(name);
  while (p >= 0) {
    let endP = cmdline.indexOf(' ', p);
    if (endP < 0) endP = cmdline.length;
    const word = cmdline.slice(p, endP);
    if (suffix === undefined) {
      if (!SUFFIXES.some((s) => word.endsWith(s))) found = p;
    } else if (word.endsWith(suffix)) found = p;
    p = cmdline.indexOf(name, p + 1);
  }
  return found;
}

/** Messages parse_crashkernel prints (pr_warn) are returned with the result. */
export interface CrashParse {
  ret: number;
  size: bigint;
  base: bigint;
  messages: string[];
}

function parseCrashkernelOne(cmdline: string, systemRam: bigint, suffix: string | undefined): CrashParse {
  const out: CrashParse = { ret: 0, size: 0n, base: 0n, messages: [] };
  const at = getLastCrashkernel(cmdline, suffix);
  if (at === undefined) return { ...out, ret: -2 }; // -ENOENT
  const s = cmdline.slice(at + 'crashkernel='.length);
  const fail = (msg: string): CrashParse => {
    out.messages.push(msg);
    out.ret = -22;
    return out;
  };
  if (suffix !== undefined) {
    const m = memparse(s);
    out.size = m.value;
    if (m.end === 0) return fail('crashkernel: memory value expected');
    if (!s.startsWith(suffix, m.end)) return fail(`crashkernel: unrecognized char: ${s[m.end] ?? ''}`);
    const after = s[m.end + suffix.length];
    if (after !== undefined && after !== ' ') return fail(`crashkernel: unrecognized char: ${after}`);
    return out;
  }
  const firstColon = s.indexOf(':');
  const firstSpace = s.indexOf(' ');
  if (firstColon >= 0 && (firstSpace < 0 || firstColon < firstSpace)) {
    // parse_crashkernel_mem: start-[end]:size[,start-[end]:size...][@offset]
    const totalMem = ((systemRam + (128n << 20n) - 1n) / (128n << 20n)) * (128n << 20n); // roundup(SZ_128M)
    let cur = 0;
    for (;;) {
      let end = U64;
      const st = memparse(s, cur);
      if (st.end === cur) return fail('crashkernel: Memory value expected');
      cur = st.end;
      if (s[cur] !== '-') return fail("crashkernel: '-' expected");
      cur++;
      if (s[cur] !== ':') {
        const e = memparse(s, cur);
        if (e.end === cur) return fail('crashkernel: Memory value expected');
        cur = e.end;
        end = e.value;
        if (end <= st.value) return fail('crashkernel: end <= start');
      }
      if (s[cur] !== ':') return fail("crashkernel: ':' expected");
      cur++;
      const sz = memparse(s, cur);
      if (sz.end === cur) return fail('crashkernel: Memory value expected');
      cur = sz.end;
      if (sz.value >= totalMem) return fail('crashkernel: invalid size');
      if (totalMem >= st.value && totalMem < end) {
        out.size = sz.value;
        break;
      }
      if (s[cur++] !== ',') break;
    }
    if (out.size > 0n) {
      while (cur < s.length && s[cur] !== ' ' && s[cur] !== '@') cur++;
      if (s[cur] === '@') {
        cur++;
        out.base = memparse(s, cur).value;
      }
    } else out.messages.push('crashkernel size resulted in zero bytes');
    return out;
  }
  // parse_crashkernel_simple: size[@offset]
  const m = memparse(s);
  out.size = m.value;
  if (m.end === 0) return fail('crashkernel: memory value expected');
  if (s[m.end] === '@') out.base = memparse(s, m.end + 1).value;
  else if (m.end < s.length && s[m.end] !== ' ') return fail(`crashkernel: unrecognized char: ${s[m.end]}`);
  return out;
}

/**
 * parse_crashkernel(cmdline, system_ram, ...) as the arch calls it. `systemRam` undefined: only
 * syntax (size may depend on RAM for the range form; the boot re-parses with the real figure).
 */
export function parseCrashkernel(
  cmdline: string,
  systemRam: bigint | undefined,
  o: { params: Pick<ParamSupport, 'crashkernelHighLow' | 'crashkernelRamCheck'> },
): (CrashkernelRequest & { messages: string[] }) | undefined {
  const ram = systemRam ?? U64;
  const r = parseCrashkernelOne(cmdline, ram, undefined);
  const req: CrashkernelRequest & { messages: string[] } = {
    size: r.size,
    base: r.base,
    lowSize: 0n,
    high: false,
    messages: [...r.messages],
  };
  let ret = r.ret;
  if (ret === -2) {
    if (!o.params.crashkernelHighLow) return undefined;
    const h = parseCrashkernelOne(cmdline, 0n, ',high');
    if (h.ret === -2) return undefined;
    req.messages.push(...h.messages);
    req.size = h.size;
    req.base = h.base;
    if (h.ret || !h.size) {
      req.error = -22;
      return req;
    }
    const l = parseCrashkernelOne(cmdline, 0n, ',low');
    req.messages.push(...l.messages);
    if (l.ret === -2) {
      req.lowSize = -1n; // DEFAULT_CRASH_KERNEL_LOW_SIZE, resolved by the arch code
      ret = 0;
    } else if (l.ret) {
      req.error = l.ret;
      return req;
    } else req.lowSize = l.size;
    req.high = true;
  }
  if (!req.size) ret = -22;
  // kernel/crash_reserve.c (6.12) refuses a size >= system RAM; 6.1 leaves it to the allocation
  if (o.params.crashkernelRamCheck && systemRam !== undefined && req.size >= systemRam) ret = -22;
  if (ret) req.error = ret;
  return req;
}
