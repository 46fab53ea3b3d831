// kernel/crash_reserve.c (6.12 reserve_crashkernel_generic) and arch/arm64/mm/init.c (6.1
// reserve_crashkernel): the crashkernel= reservation on arm64.
import { MiB, type BootState } from './boot-state.js';
import { parseCrashkernel } from './cmdline.js';
import { roundUp } from './memblock.js';

const CRASH_ALIGN_ARM64 = 2n * MiB;
const DEFAULT_CRASH_KERNEL_LOW_SIZE = 128n * MiB;

/**
 * arm64 crashkernel: 6.12 arch_reserve_crashkernel → reserve_crashkernel_generic
 * (kernel/crash_reserve.c), 6.1 arm64's own reserve_crashkernel (arch/arm64/mm/init.c). Both after
 * dma_contiguous_reserve in bootmem_init (6.1 defers it there because ZONE_DMA/DMA32 are on).
 * CRASH_ALIGN 2 MiB, CRASH_ADDR_LOW_MAX = arm64_dma_phys_limit, CRASH_ADDR_HIGH_MAX = PHYS_MASK + 1.
 */
export function reserveCrashkernelArm64(st: BootState, dmaLimit: bigint): void {
  const { ctx } = st;
  const p = ctx.profile;
  const mb = ctx.memblock;
  if (!ctx.cmdline.raw.includes('crashkernel=')) return;
  const req = parseCrashkernel(ctx.cmdline.raw, mb.physMemSize(), p);
  if (!req) return;
  for (const m of req.messages) ctx.printk(/zero bytes/.test(m) ? 'info' : 'warn', m, 'parse_crashkernel');
  if (req.error) {
    st.result.crashkernel = null;
    return;
  }
  const lowMax = dmaLimit;
  const highMax = 1n << BigInt(p.arm64!.physMaskShift);
  const generic = p.params.crashkernelImpl === 'generic';
  const caller = generic ? 'reserve_crashkernel_generic' : 'reserve_crashkernel';
  const hex16 = (x: bigint) => '0x' + x.toString(16).padStart(16, '0');
  const hex8 = (x: bigint) => '0x' + x.toString(16).padStart(8, '0');
  let size = req.size;
  let lowSize = req.high ? (req.lowSize === -1n ? (generic ? DEFAULT_CRASH_KERNEL_LOW_SIZE : 0n) : req.lowSize) : 0n;
  let base = 0n;
  if (generic) {
    let searchBase = 0n;
    let searchEnd = lowMax;
    const fixed = req.base !== 0n;
    if (fixed) {
      searchBase = req.base;
      searchEnd = req.base + size;
    } else if (req.high) {
      searchBase = lowMax;
      searchEnd = highMax;
    }
    for (;;) {
      base = mb.physAllocRange(size, CRASH_ALIGN_ARM64, searchBase, searchEnd, caller);
      if (base) break;
      if (fixed) {
        ctx.printk('warn', 'crashkernel reservation failed - memory is in use.', caller);
        st.result.crashkernel = null;
        return;
      }
      if (!req.high && searchEnd === lowMax) {
        searchEnd = highMax;
        searchBase = lowMax;
        lowSize = DEFAULT_CRASH_KERNEL_LOW_SIZE;
        continue;
      }
      if (req.high && searchEnd === highMax) {
        searchEnd = lowMax;
        searchBase = 0n;
        continue;
      }
      ctx.printk('warn', `cannot allocate crashkernel (size:0x${size.toString(16)})`, caller);
      st.result.crashkernel = null;
      return;
    }
  } else {
    // 6.1: PAGE_ALIGN(size); base@ narrows the range; no fall-back between low and high
    size = roundUp(size, mb.pageSize);
    let max = req.high ? highMax : lowMax;
    if (req.base) max = req.base + size;
    base = mb.physAllocRange(size, CRASH_ALIGN_ARM64, req.base, max, caller);
    if (!base) {
      ctx.printk('warn', `cannot allocate crashkernel (size:0x${size.toString(16)})`, caller);
      st.result.crashkernel = null;
      return;
    }
  }
  let low: { base: bigint; size: bigint } | undefined;
  if (base >= lowMax && lowSize) {
    const lb = mb.physAllocRange(lowSize, CRASH_ALIGN_ARM64, 0n, lowMax, 'reserve_crashkernel_low');
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
