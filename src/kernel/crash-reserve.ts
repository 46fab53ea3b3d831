// kernel/crash_reserve.c: the crashkernel= request (parse_crashkernel's result and messages),
// reserve_crashkernel_generic (6.12 arm64, through arch_reserve_crashkernel) and
// reserve_crashkernel_low. 6.1's arm64 reserve_crashkernel (arch/arm64/init.ts) has its own copies
// of the low reservation and the messages, the same as these.
import { MiB, type BootState } from './boot-state.js';
import { parseCrashkernel, type CrashkernelRequest } from './cmdline.js';

/** arm64's limits (arch/arm64/include/asm/crash_reserve.h, 6.1: arch/arm64/mm/init.c). */
export interface CrashLimits {
  /** CRASH_ALIGN */
  align: bigint;
  /** CRASH_ADDR_LOW_MAX: arm64_dma_phys_limit */
  lowMax: bigint;
  /** CRASH_ADDR_HIGH_MAX: PHYS_MASK + 1 */
  highMax: bigint;
}

const DEFAULT_CRASH_KERNEL_LOW_SIZE = 128n * MiB;

/**
 * parse_crashkernel on the command line against `systemRam` (its messages printed as the kernel
 * does); undefined when there is nothing to reserve, and crashkernel = null when the value is bad.
 */
export function crashkernelRequest(st: BootState, systemRam: bigint): CrashkernelRequest | undefined {
  const { ctx } = st;
  // without CRASH_RESERVE/KEXEC_CORE the arch's reserve_crashkernel is an empty inline
  if (ctx.profile.noCrashReserve || !ctx.cmdline.raw.includes('crashkernel=')) return undefined;
  const req = parseCrashkernel(ctx.cmdline.raw, systemRam, ctx.profile);
  if (!req) return undefined;
  for (const m of req.messages) ctx.printk(/zero bytes/.test(m) ? 'info' : 'warn', m, 'parse_crashkernel');
  if (req.error) {
    st.result.crashkernel = null;
    return undefined;
  }
  return req;
}

/**
 * reserve_crashkernel_generic: at the fixed base, or low memory falling back to high (then with
 * DEFAULT_CRASH_KERNEL_LOW_SIZE below CRASH_ADDR_LOW_MAX), or `,high` falling back to low.
 */
export function reserveCrashkernelGeneric(st: BootState, req: CrashkernelRequest, lim: CrashLimits): void {
  const { ctx } = st;
  const mb = ctx.memblock;
  const caller = 'reserve_crashkernel_generic';
  const size = req.size;
  let lowSize = req.high ? (req.lowSize === -1n ? DEFAULT_CRASH_KERNEL_LOW_SIZE : req.lowSize) : 0n;
  let searchBase = 0n;
  let searchEnd = lim.lowMax;
  const fixed = req.base !== 0n;
  if (fixed) {
    searchBase = req.base;
    searchEnd = req.base + size;
  } else if (req.high) {
    searchBase = lim.lowMax;
    searchEnd = lim.highMax;
  }
  let base: bigint;
  for (;;) {
    base = mb.physAllocRange(size, lim.align, searchBase, searchEnd, caller);
    if (base) break;
    if (fixed) {
      ctx.printk('warn', 'crashkernel reservation failed - memory is in use.', caller);
      st.result.crashkernel = null;
      return;
    }
    if (!req.high && searchEnd === lim.lowMax) {
      searchEnd = lim.highMax;
      searchBase = lim.lowMax;
      lowSize = DEFAULT_CRASH_KERNEL_LOW_SIZE;
      continue;
    }
    if (req.high && searchEnd === lim.highMax) {
      searchEnd = lim.lowMax;
      searchBase = 0n;
      continue;
    }
    cannotAllocate(st, size, caller);
    return;
  }
  crashkernelReserved(st, base, size, lowSize, lim, caller);
}

export function cannotAllocate(st: BootState, size: bigint, caller: string): void {
  st.ctx.printk('warn', `cannot allocate crashkernel (size:0x${size.toString(16)})`, caller);
  st.result.crashkernel = null;
}

/**
 * After the area is allocated: reserve_crashkernel_low when it went above CRASH_ADDR_LOW_MAX
 * (failing that, the area is freed again), then `crashkernel reserved: …` and crashk_res.
 */
export function crashkernelReserved(st: BootState, base: bigint, size: bigint, lowSize: bigint, lim: CrashLimits, caller: string): void {
  const { ctx } = st;
  const mb = ctx.memblock;
  const hex16 = (x: bigint) => '0x' + x.toString(16).padStart(16, '0');
  const hex8 = (x: bigint) => '0x' + x.toString(16).padStart(8, '0');
  let low: { base: bigint; size: bigint } | undefined;
  if (base >= lim.lowMax && lowSize) {
    const lb = mb.physAllocRange(lowSize, lim.align, 0n, lim.lowMax, 'reserve_crashkernel_low');
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
