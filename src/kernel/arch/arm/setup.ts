// arch/arm/kernel/setup.c setup_arch, as far as memory goes: setup_machine_fdt (memory nodes; the
// blob reserves itself), parse_early_param (early_mem: mem= replaces the banks),
// adjust_lowmem_bounds, arm_memblock_init, adjust_lowmem_bounds again, paging_init,
// unflatten_device_tree, reserve_crashkernel.
import { MiB, type BootState } from '../../boot-state.js';
import { crashkernelRequest } from '../../crash-reserve.js';
import { addMemory, earlyInitDtScanMemory, unflattenDeviceTree } from '../../of-fdt.js';
import { armMemblockInit } from './init.js';
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
  if (ctx.cmdline.armMemBanks?.length) {
    mb.remove(mb.startOfDram(), mb.endOfDram() - mb.startOfDram(), 'early_mem');
    for (const b of ctx.cmdline.armMemBanks) addMemory(mb, { base: b.start === -1n ? ramBase : b.start, size: b.size });
  }
  armMemblockInit(st, adjustLowmemBounds(st));
  const lowmemLimit = adjustLowmemBounds(st);
  pagingInit(st, lowmemLimit);
  unflattenDeviceTree(st);
  reserveCrashkernel(st, lowmemLimit);
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
