// init/initramfs.c reserve_initrd_mem: the initrd, page-aligned, must be memory and not reserved;
// otherwise it is dropped (st.initrdDropped), which start-kernel.ts follows to prepare_namespace.
import type { BootState } from './boot-state.js';
import { roundDown, roundUp } from './memblock.js';

/** `caller`: the function the trace names (5.10 arm's arm_initrd_init is inlined into arm_memblock_init). */
export function reserveInitrdMem(st: BootState, caller = 'reserve_initrd_mem'): void {
  const { ctx, layout } = st;
  const mb = ctx.memblock;
  if (!layout.initrd?.size) return;
  const page = mb.pageSize;
  const start = roundDown(layout.initrd.base, page);
  const size = roundUp(layout.initrd.base + layout.initrd.size, page) - start;
  // pr_err("INITRD: 0x%08llx+0x%08lx ...", start, size): the page-rounded range it checked
  const range = `INITRD: 0x${start.toString(16).padStart(8, '0')}+0x${size.toString(16).padStart(8, '0')}`;
  if (!mb.isRegionMemory(start, size)) {
    st.initrdDropped = 'is not a memory region';
    // then pr_cont(" - disabling initrd\n") on the same line
    ctx.printk('err', `${range} is not a memory region - disabling initrd`, 'reserve_initrd_mem');
  } else if (mb.isRegionReserved(start, size)) {
    st.initrdDropped = 'overlaps in-use memory region';
    // init/initramfs.c ends this format in "\n": the pr_cont is printed as a line of its own
    ctx.printk('err', `${range} overlaps in-use memory region`, 'reserve_initrd_mem');
    ctx.printk('err', ' - disabling initrd', 'reserve_initrd_mem');
  } else mb.reserve(start, size, caller);
}
