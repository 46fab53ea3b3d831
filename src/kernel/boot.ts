// One simulated boot: start_kernel (init/main.c) as far as memory goes — the command line,
// setup_arch (arch/arm64/setup.ts, arch/arm/setup.ts), then start_kernel's own steps
// (start-kernel.ts). README.md walks the order, kernel function by kernel function.
//
// Every allocation goes through the memblock model, in the kernel's order with the kernel's sizes
// and alignments, so the default CMA area and crashkernel land where the kernel puts them.
import type { Diagnostic } from '../diagnostics.js';
import type { LogLine } from './context.js';
import { Memblock, MemblockPanic, memblockTraceLines } from './memblock.js';
import { parseCmdline, type EarlyReserveApi } from './cmdline.js';
import { BootHang, BootPanic, touch, type BootContext, type BootInput, type BootResult, type BootState } from './boot-state.js';
import { chosenBootargs } from './of-fdt.js';
import { earlyMapKernel, setupArch as setupArchArm64 } from './arch/arm64/setup.js';
import { setupArch as setupArchArm } from './arch/arm/setup.js';
import { startKernel } from './start-kernel.js';

export type { BootContext, BootInput, BootResult } from './boot-state.js';
export { BootPanic } from './boot-state.js';

export function bootKernel(input: BootInput): BootResult {
  const bootargs = input.bootargs ?? chosenBootargs(input.tree) ?? '';
  const early = input.profile.arch === 'arm64' ? earlyMapKernel(input.profile, input.cpu, bootargs) : undefined;
  const p = early?.profile ?? input.profile;
  const diagnostics: Diagnostic[] = [...(early?.diagnostics ?? [])];
  const log: LogLine[] = [];
  const printk = (level: LogLine['level'], text: string, source?: string) => {
    const l: LogLine = { text, level };
    if (source !== undefined) l.source = source;
    log.push(l);
  };
  const memblock = new Memblock({
    physAddrBits: p.physAddrBits,
    pageSize: p.pageSize,
    behaviour: p.series.memblock,
    numa: p.numa,
    maxNumNodes: p.maxNumNodes,
    smpCacheBytes: p.smpCacheBytes,
    ...(p.memblockInitRegions ? { initRegions: p.memblockInitRegions } : {}),
    // __warn (kernel/panic.c): the report's first two lines; the symbol's +offset/size, the
    // registers and the backtrace that follow are the build's, not predicted
    warn: (at) => {
      printk('warn', '------------[ cut here ]------------', 'memblock_add_range');
      printk('warn', `WARNING: CPU: 0 PID: 0 at ${at}`, 'memblock_add_range');
    },
  });
  const reserveHooks: ((mb: EarlyReserveApi) => void)[] = [];
  const cmdline = parseCmdline(bootargs, {
    arch: p.arch,
    pageSize: p.pageSize,
    params: p.params,
    numa: p.numa,
    ...(p.numaEmu ? { numaEmu: true } : {}),
    ...(p.dmaNumaCma
      ? {
          numaCma: {
            params: p.series.cma.numaCma === 'pernuma-bootmem' ? ('pernuma' as const) : ('numa' as const),
            maxNumNodes: p.maxNumNodes,
          },
        }
      : {}),
    earlyParams: input.earlyParams ?? [],
    ...(p.printk ? { logBufLen: 1n << BigInt(p.printk.logBufShift) } : {}),
    printk: (level, text) => printk(level, text, 'parse_early_param'),
    atReserve: (fn) => reserveHooks.push(fn),
  });
  const ctx: BootContext = {
    tree: input.tree,
    ...(input.blob ? { blob: input.blob } : {}),
    profile: p,
    memblock,
    log,
    handlers: input.handlers,
    cmdline,
    cma: { areaCount: 0 },
    diagnostics,
    printk,
  };
  const { layout } = input;
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
  if (early?.hang) {
    // parked before start_kernel: nothing the command line would have made it say is said
    log.length = 0;
    result.hang = { function: early.hang.fn, reason: early.hang.reason };
    return finish(result, 0);
  }
  if (!layout.memory.length) return finish(result, 0);
  let traceStart = 0;
  const st: BootState = { ctx, layout, input, result, reserveHooks, setTraceStart: (n) => (traceStart = n) };
  ctx.zeroed = (base, size, fn) => touch(st, base, size, fn);
  try {
    if (p.arch === 'arm64') setupArchArm64(st);
    else setupArchArm(st);
    startKernel(st);
  } catch (e) {
    if (e instanceof MemblockPanic) {
      result.panic = e.message;
      result.panicFunction = 'memblock_double_array';
      result.panicReason =
        'a memblock array is full and cannot grow before paging_init calls memblock_allow_resize() (mm/memblock.c): too many regions this early';
      printk('emerg', `Kernel panic - not syncing: ${e.message}`, 'panic');
    } else if (e instanceof BootPanic) {
      result.panic = e.message;
      result.panicFunction = e.fn;
      result.panicReason = e.reason;
      if (e.span) result.panicSpan = e.span;
      for (const l of e.lines) printk('emerg', l, 'panic');
    } else if (e instanceof BootHang) {
      const report = st.consoleReport?.at === ctx.log.length && !e.trace && !e.loop ? st.consoleReport : undefined;
      const printed = e.printed ?? (report && `printing nothing more after ${report.what}`);
      const trace = e.trace ?? report?.fn;
      result.hang = {
        function: e.fn,
        reason: e.reason,
        ...(printed ? { printed } : {}),
        ...(trace ? { trace } : {}),
        ...(e.loop ? { loop: e.loop } : {}),
      };
      // the log ends in the loop's first turn; the kernel's repeats it until stopped
      for (const l of e.loop ?? []) printk('alert', l, e.fn);
    } else throw e;
  }
  return finish(result, traceStart);
}

function finish(r: BootResult, traceStart: number): BootResult {
  const mb = r.ctx.memblock;
  const evs = mb.events.slice(traceStart);
  r.trace = { events: evs.map((e) => ({ kind: e.kind, detail: e })) };
  if (r.ctx.cmdline.memblockDebug) {
    // made when read: with terabytes of RAM the kernel prints millions of page-table lines
    const bits = r.ctx.profile.physAddrBits;
    Object.defineProperty(r, 'memblockLines', { get: () => [...memblockTraceLines(evs, bits)], configurable: true });
  }
  return r;
}
