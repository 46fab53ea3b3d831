// arch/arm64/mm/init.c: arm64_memblock_init (linear-map clip, mem=, initrd, kernel image,
// early_init_fdt_scan_reserved_mem), bootmem_init (arch_numa_init, sparse_init, zone_sizes_init,
// dma_contiguous_reserve, the crashkernel, memblock_dump_all) and zone_sizes_init's ZONE_DMA limit.
import { MiB, memblockDumpAll, platformReservations, zonesFromLimits, type BootState, type NumaNode } from '../../boot-state.js';
import { roundDown, roundUp } from '../../memblock.js';
import { earlyInitFdtScanReservedMem } from '../../rmem.js';
import { ofDmaGetMaxCpuAddress } from '../../of-address.js';
import { archNumaInit } from '../../arch-numa.js';
import { sparseInit } from '../../sparse.js';
import { calcNrKernelPages } from '../../mm-init.js';
import { dmaContiguousReserve, dmaPernumaCmaReserve } from '../../dma-contiguous.js';
import {
  cannotAllocate,
  crashkernelRequest,
  crashkernelReserved,
  reserveCrashkernelGeneric,
  type CrashLimits,
} from '../../crash-reserve.js';

/** __pa_symbol(_text): where the boot loader put the image (or TEXT_OFFSET above the start of RAM). */
export function kernelText(st: BootState): bigint {
  return st.layout.kernelLoad ?? st.layout.memory[0]!.base + st.ctx.profile.arm64!.textOffset;
}

export function arm64MemblockInit(st: BootState): void {
  const { ctx, layout } = st;
  const p = ctx.profile;
  const a = p.arm64!;
  const mb = ctx.memblock;
  const page = BigInt(p.pageSize);
  const text = kernelText(st);
  const kernelEnd = text + a.reserveStartOffset + a.reserveSize; // __pa_symbol(_end)
  const ULLONG_MAX = (1n << 64n) - 1n;
  mb.remove(1n << BigInt(a.physMaskShift), ULLONG_MAX, 'arm64_memblock_init');
  let memstart = roundDown(mb.startOfDram(), a.memstartAlign);
  if (p.series.arm64.linearMapFitWarning && mb.endOfDram() - memstart > a.linearRegionSize)
    ctx.printk('warn', "Memory doesn't fit in the linear mapping, VA_BITS too small", 'arm64_memblock_init');
  const clip = memstart + a.linearRegionSize > kernelEnd ? memstart + a.linearRegionSize : kernelEnd;
  mb.remove(clip, ULLONG_MAX, 'arm64_memblock_init');
  if (memstart + a.linearRegionSize < mb.endOfDram()) {
    memstart = roundUp(mb.endOfDram() - a.linearRegionSize, a.memstartAlign);
    mb.remove(0n, memstart, 'arm64_memblock_init');
  }
  st.memstart = memstart;
  // a 52-bit build on fewer bits: memstart_addr -= _PAGE_OFFSET(vabits_actual) - _PAGE_OFFSET(52)
  st.physOffset = BigInt.asUintN(64, memstart - a.memstartDown);
  if (ctx.cmdline.memLimit !== undefined) {
    mb.memLimitRemoveMap(ctx.cmdline.memLimit);
    mb.add(text, kernelEnd - text, 'arm64_memblock_init');
  }
  if (layout.initrd?.size) {
    const base = layout.initrd.base & ~(page - 1n);
    const size = roundUp(layout.initrd.base + layout.initrd.size, page) - base;
    if (base < mb.startOfDram() || base + size > mb.startOfDram() + a.linearRegionSize) {
      ctx.printk('warn', 'initrd not fully accessible via the linear mapping -- please check your bootloader ...', 'arm64_memblock_init');
    } else {
      if (p.series.arm64.initrdReAdd === 'remove-add') {
        mb.remove(base, size, 'arm64_memblock_init');
        mb.add(base, size, 'arm64_memblock_init');
      } else {
        mb.add(base, size, 'arm64_memblock_init');
        mb.clearNomap(base, size);
      }
      mb.reserve(base, size, 'arm64_memblock_init');
    }
  }
  mb.reserve(text + a.reserveStartOffset, a.reserveSize, 'arm64_memblock_init');
  st.result.kernelImage = { base: text + a.reserveStartOffset, size: a.reserveSize, caller: 'arm64_memblock_init' };
  platformReservations(st);
  earlyInitFdtScanReservedMem(ctx);
  // 5.10/6.1 without ZONE_DMA and ZONE_DMA32: reserve_crashkernel here, arm64_dma_phys_limit still PHYS_MASK + 1
  if (!deferCrashkernel(st)) {
    const max = 1n << BigInt(a.physMaskShift);
    reserveArm64Crashkernel(st, { align: 2n * MiB, lowMax: max, highMax: max });
  }
}

/**
 * Whether bootmem_init reserves the crash kernel, not arm64_memblock_init: always from 6.12, on
 * 5.10/6.1 with a DMA zone (defer_reserve_crashkernel, Arm64Series.crashkernelDeferredByZones).
 */
export function deferCrashkernel(st: BootState): boolean {
  const { zones } = st.ctx.profile.arm64!;
  return !st.ctx.profile.series.arm64.crashkernelDeferredByZones || zones.dma || zones.dma32;
}

/** The series' reserve_crashkernel (KernelProfile.params.crashkernelImpl) with the limits of the moment. */
function reserveArm64Crashkernel(st: BootState, crash: CrashLimits): void {
  const impl = st.ctx.profile.params.crashkernelImpl;
  if (impl === 'generic') archReserveCrashkernel(st, crash);
  else if (impl === 'arm64-find-in-range') reserveCrashkernelFindInRange(st, crash);
  else reserveCrashkernel(st, crash);
}

/** Returns the NUMA nodes with their NODE_DATA, for a sparse_init that runs after setup_arch (7.2). */
export function bootmemInit(st: BootState): NumaNode[] {
  const mb = st.ctx.memblock;
  const nodes = archNumaInit(st);
  dmaPernumaCmaReserve(st); // 5.10, 6.1 (CONFIG_DMA_PERNUMA_CMA): before sparse_init
  if (st.ctx.profile.series.arm64.sparseInit === 'bootmem-init') sparseInit(st, nodes);
  // zone_sizes_init: the zones the build has (ZONE_DMA from the DT's dma-ranges, capped at 4 GiB
  // when RAM starts below it; ZONE_DMA32 to max_zone_phys(32 bits)), ZONE_NORMAL to the end of DRAM
  const a = st.ctx.profile.arm64!;
  const dt = ofDmaGetMaxCpuAddress(st.ctx.tree, st.ctx.tree.root, 2, mb.physAddrMax);
  const dmaZoneEnd = a.zones.dma ? arm64DmaPhysLimit(a.dmaZone, dt, mb.startOfDram(), mb.endOfDram()) : undefined;
  const dma32ZoneEnd = a.zones.dma32 ? arm64DmaPhysLimit(a.dmaZone, 0xffff_ffffn, mb.startOfDram(), mb.endOfDram()) : undefined;
  const ps = mb.pageSize;
  st.result.zones = zonesFromLimits(
    (mb.startOfDram() + ps - 1n) / ps,
    [
      ...(dmaZoneEnd !== undefined ? [['DMA', dmaZoneEnd / ps] as const] : []),
      ...(dma32ZoneEnd !== undefined ? [['DMA32', dma32ZoneEnd / ps] as const] : []),
      ['Normal', mb.endOfDram() / ps],
    ],
    ps,
  );
  // arm64_dma_phys_limit: ZONE_DMA's end, else ZONE_DMA32's, else PHYS_MASK + 1
  const physMax = 1n << BigInt(a.physMaskShift);
  const dmaLimit = dmaZoneEnd ?? dma32ZoneEnd ?? physMax;
  st.dmaPhysLimit = dmaLimit;
  // free_area_init (from zone_sizes_init) counts nr_kernel_pages; 7.2 runs it after setup_arch
  if (st.ctx.profile.series.arm64.sparseInit === 'bootmem-init') calcNrKernelPages(st);
  dmaContiguousReserve(st, dmaLimit);
  if (deferCrashkernel(st)) reserveArm64Crashkernel(st, { align: 2n * MiB, lowMax: dmaLimit, highMax: physMax });
  memblockDumpAll(st);
  return nodes;
}

/** 6.12 arch_reserve_crashkernel: parse_crashkernel, then reserve_crashkernel_generic (kernel/crash_reserve.c). */
function archReserveCrashkernel(st: BootState, lim: CrashLimits): void {
  const req = crashkernelRequest(st, st.ctx.memblock.physMemSize());
  if (req) reserveCrashkernelGeneric(st, req, lim);
}

/**
 * 6.1 reserve_crashkernel: PAGE_ALIGN(size); `@base` narrows the range to exactly there; no
 * fall-back between low and high; `,low` only with `,high`.
 */
function reserveCrashkernel(st: BootState, lim: CrashLimits): void {
  const mb = st.ctx.memblock;
  const req = crashkernelRequest(st, mb.physMemSize());
  if (!req) return;
  const size = roundUp(req.size, mb.pageSize);
  const max = req.base ? req.base + size : req.high ? lim.highMax : lim.lowMax;
  const base = mb.physAllocRange(size, lim.align, req.base, max, 'reserve_crashkernel');
  if (!base) {
    cannotAllocate(st, size, 'reserve_crashkernel');
    return;
  }
  const lowSize = req.high && req.lowSize !== -1n ? req.lowSize : 0n;
  crashkernelReserved(st, base, size, lowSize, lim, 'reserve_crashkernel');
}

/**
 * 5.10 reserve_crashkernel: PAGE_ALIGN(size); anywhere below arm64_dma_phys_limit
 * (memblock_find_in_range, 2 MiB aligned), or exactly at `@base` if that is memory, free and 2 MiB
 * aligned; then memblock_reserve.
 */
function reserveCrashkernelFindInRange(st: BootState, lim: CrashLimits): void {
  const { ctx } = st;
  const mb = ctx.memblock;
  const req = crashkernelRequest(st, mb.physMemSize());
  if (!req) return;
  const size = roundUp(req.size, mb.pageSize);
  let base = req.base;
  const refuse = (why: string): void => {
    ctx.printk('warn', `cannot reserve crashkernel: ${why}`, 'reserve_crashkernel');
    st.result.crashkernel = null;
  };
  if (!base) {
    base = mb.findInRange(0n, lim.lowMax, size, lim.align);
    if (!base) {
      cannotAllocate(st, size, 'reserve_crashkernel');
      return;
    }
  } else if (!mb.isRegionMemory(base, size)) return refuse('region is not memory');
  else if (mb.isRegionReserved(base, size)) return refuse('region overlaps reserved memory');
  else if (base & (lim.align - 1n)) return refuse('base address is not 2MB aligned');
  mb.reserve(base, size, 'reserve_crashkernel');
  crashkernelReserved(st, base, size, 0n, lim, 'reserve_crashkernel');
}

/** arm64_dma_phys_limit from zone_sizes_init → max_zone_phys, per version. */
export function arm64DmaPhysLimit(kind: 'bits' | 'limit', dtMax: bigint, start: bigint, end: bigint): bigint {
  const U32_MAX = 0xffff_ffffn;
  const min = (x: bigint, y: bigint) => (x < y ? x : y);
  if (kind === 'limit') {
    let limit = dtMax;
    if (start < U32_MAX) limit = min(limit, U32_MAX);
    return min(limit, end - 1n) + 1n;
  }
  // 6.1: zone_dma_bits = min3(32, fls64(dt), fls64(acpi)); max_zone_phys(bits)
  const fls64 = (x: bigint) => (x === 0n ? 0 : x.toString(2).length);
  const bits = Math.min(32, fls64(dtMax));
  let mask = bits >= 64 ? (1n << 64n) - 1n : (1n << BigInt(bits)) - 1n;
  if (start > U32_MAX) mask = (1n << 64n) - 1n;
  else if (start > mask) mask = U32_MAX;
  return min(mask, end - 1n) + 1n;
}
