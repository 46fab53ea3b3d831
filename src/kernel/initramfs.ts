// init/initramfs.c reserve_initrd_mem: the initrd, page-aligned, must be memory and not reserved.
import type { BootState } from './boot-state.js';
import { roundDown, roundUp } from './memblock.js';

export function reserveInitrdMem(st: BootState): void {
  const { ctx, layout } = st;
  const mb = ctx.memblock;
  if (!layout.initrd?.size) return;
  const page = mb.pageSize;
  const start = roundDown(layout.initrd.base, page);
  const size = roundUp(layout.initrd.base + layout.initrd.size, page) - start;
  if (!mb.isRegionMemory(start, size)) {
    ctx.printk(
      'err',
      `INITRD: 0x${layout.initrd.base.toString(16).padStart(8, '0')}+0x${layout.initrd.size.toString(16).padStart(8, '0')} is not a memory region - disabling initrd`,
      'reserve_initrd_mem',
    );
  } else if (mb.isRegionReserved(start, size)) {
    ctx.printk(
      'err',
      `INITRD: 0x${layout.initrd.base.toString(16).padStart(8, '0')}+0x${layout.initrd.size.toString(16).padStart(8, '0')} overlaps in-use memory region - disabling initrd`,
      'reserve_initrd_mem',
    );
  } else mb.reserve(start, size, 'reserve_initrd_mem');
}
