// arch/arm/kernel/setup.c setup_arch, as far as memory goes: setup_machine_fdt (memory nodes; the
// blob reserves itself), parse_early_param (early_mem: mem= replaces the banks), arm_efi_init,
// adjust_lowmem_bounds, arm_memblock_init, adjust_lowmem_bounds again, paging_init,
// unflatten_device_tree, reserve_crashkernel.
import { earlyParamFault, MiB, type BootState } from '../../boot-state.js';
import { crashkernelRequest } from '../../crash-reserve.js';
import { earlyInitDtScanMemory, unflattenDeviceTree } from '../../of-fdt.js';
import { efiInit } from '../../efi-init.js';
import { MEMBLOCK_NOMAP, roundUp } from '../../memblock.js';
import { armMemblockInit, zoneSizesInit } from './init.js';
import { adjustLowmemBounds, pagingInit } from './mmu.js';

export function setupArch(st: BootState): void {
  const { ctx, layout } = st;
  const mb = ctx.memblock;
  const ramBase = layout.memory[0]!.base;

  // setup_machine_fdt: memory nodes; setup_arch reserves the DTB (fdt_totalsize)
  earlyInitDtScanMemory(ctx, layout.memory);
  if (layout.dtb) mb.reserve(layout.dtb.base, layout.dtb.size, 'setup_arch');
  // parse_early_param: mem= replaces the banks (arch/arm/kernel/setup.c early_mem)
  st.setTraceStart(mb.events.length);
  // (a bare mem has removed the banks when it faults: cmdline.ts earlyFault)
  if (ctx.cmdline.armMemBanks) {
    mb.remove(mb.startOfDram(), mb.endOfDram() - mb.startOfDram(), 'early_mem');
    for (const b of ctx.cmdline.armMemBanks) armAddMemory(st, b.start === -1n ? ramBase : b.start, b.size);
  }
  earlyParamFault(st);
  // arm_efi_init → efi_init: booted through the EFI stub, the UEFI memory map replaces what the
  // memory nodes and mem= left; what lies below PHYS_OFFSET (MIN_MEMBLOCK_ADDR) is ignored
  if (layout.efi) efiInit(ctx, layout.efi, ramBase);
  armMemblockInit(st, adjustLowmemBounds(st));
  const lowmemLimit = adjustLowmemBounds(st);
  pagingInit(st, lowmemLimit);
  zoneSizesInit(st);
  requestStandardResources(st);
  unflattenDeviceTree(st);
  reserveCrashkernel(st, lowmemLimit);
}

/**
 * request_standard_resources: a struct resource per memory range for_each_mem_range walks (the
 * memblock.memory regions without NOMAP), memblock_alloc(sizeof(*res), SMP_CACHE_BYTES): 32 bytes
 * with a 32-bit resource_size_t, 40 with LPAE's 64-bit one (start and end).
 */
function requestStandardResources(st: BootState): void {
  const { ctx } = st;
  const mb = ctx.memblock;
  const size = ctx.profile.physAddrBits === 64 ? 40n : 32n;
  const ranges = mb.memory.regions.filter((r) => !(r.flags & MEMBLOCK_NOMAP)).length;
  for (let i = 0; i < ranges; i++) mb.alloc(size, BigInt(ctx.profile.smpCacheBytes), 'setup_arch');
}

/**
 * arm_add_memory, for `mem=size[@start]` (PHYS_OFFSET when no start): page-align the start, keep a
 * 32-bit phys_addr_t below 4 GiB, drop what lies below PHYS_OFFSET, then memblock_add.
 */
function armAddMemory(st: BootState, start: bigint, size: bigint): void {
  const { ctx } = st;
  const mb = ctx.memblock;
  const physOffset = st.layout.memory[0]!.base;
  const hex = (x: bigint) => '0x' + x.toString(16).padStart(8, '0');
  let aligned = roundUp(start, mb.pageSize);
  size = aligned > start + size ? 0n : size - (aligned - start);
  if (ctx.profile.physAddrBits === 32) {
    const ULONG_MAX = 0xffff_ffffn;
    if (aligned > ULONG_MAX) {
      ctx.printk('crit', `Ignoring memory at ${hex(start)} outside 32-bit physical address space`, 'arm_add_memory');
      return;
    }
    if (aligned + size > ULONG_MAX) {
      ctx.printk('crit', `Truncating memory at ${hex(start)} to fit in 32-bit physical address space`, 'arm_add_memory');
      size = ULONG_MAX - aligned;
    }
  }
  if (aligned < physOffset) {
    const end = aligned + size <= physOffset ? aligned + size : physOffset;
    ctx.printk('info', `Ignoring memory below PHYS_OFFSET: ${hex(aligned)}-${hex(end)}`, 'arm_add_memory');
    if (aligned + size <= physOffset) return;
    size -= physOffset - aligned;
    aligned = physOffset;
  }
  size &= ~(mb.pageSize - 1n);
  if (size) mb.add(aligned, size, 'arm_add_memory');
}

/**
 * arm reserve_crashkernel (arch/arm/kernel/setup.c): below the lowmem limit, 128 MiB aligned and
 * not in the first 128 MiB; with @base, that exact window (SECTION_SIZE aligned).
 */
function reserveCrashkernel(st: BootState, lowmemLimit: bigint): void {
  const { ctx } = st;
  const mb = ctx.memblock;
  const totalMem = lowmemLimit - mb.startOfDram(); // (max_low_pfn - min_low_pfn) << PAGE_SHIFT
  const req = crashkernelRequest(st, totalMem);
  if (!req) return;
  if (!req.size) {
    st.result.crashkernel = null;
    return;
  }
  const CRASH_ALIGN = 128n * MiB;
  let base = req.base;
  if (base <= 0n) {
    const idmapMax = 0xffffffffn; // idmap_to_phys((u32)~0) without a boot alias
    const crashMax = idmapMax > lowmemLimit ? lowmemLimit : idmapMax;
    base = mb.physAllocRange(req.size, CRASH_ALIGN, CRASH_ALIGN, crashMax, 'reserve_crashkernel');
    if (!base) {
      ctx.printk('err', 'crashkernel reservation failed - No suitable area found.', 'reserve_crashkernel');
      st.result.crashkernel = null;
      return;
    }
  } else {
    const SECTION_SIZE = ctx.profile.physAddrBits === 64 ? 2n * MiB : 1n * MiB;
    if (!mb.physAllocRange(req.size, SECTION_SIZE, base, base + req.size, 'reserve_crashkernel')) {
      ctx.printk('err', 'crashkernel reservation failed - memory is in use.', 'reserve_crashkernel');
      st.result.crashkernel = null;
      return;
    }
  }
  ctx.printk(
    'info',
    `Reserving ${req.size >> 20n}MB of memory at ${base >> 20n}MB for crashkernel (System RAM: ${totalMem >> 20n}MB)`,
    'reserve_crashkernel',
  );
  st.result.crashkernel = { base, size: req.size };
}
