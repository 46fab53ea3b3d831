// kernel/dma/swiotlb.c: rmem_swiotlb_setup(), RESERVEDMEM_OF_DECLARE(dma, "restricted-dma-pool", ...)
// under CONFIG_DMA_RESTRICTED_POOL (off in Debian's kernels: the profile leaves it out of the table).
// pr_fmt is "software IO TLB: ".
import { declareReservedMem, EINVAL, type ReservedMemOps } from '../handler-api.js';

const rmemSwiotlbOps: ReservedMemOps = { deviceInit: () => 0, deviceRelease: () => undefined };

export const rmemSwiotlb = declareReservedMem(
  'dma',
  'restricted-dma-pool',
  (rmem, k) => {
    if (rmem.flag('reusable') || rmem.flag('linux,cma-default') || rmem.flag('linux,dma-default') || rmem.flag('no-map')) {
      return -EINVAL;
    }
    rmem.ops = rmemSwiotlbOps;
    k.pr_info(`software IO TLB: Reserved memory: created restricted DMA pool at ${k.pa(rmem.base)}, size ${k.mib(rmem.size)} MiB`);
    return 0;
  },
  'builtin: kernel/dma/swiotlb.c',
);
