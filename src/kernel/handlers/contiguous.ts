// kernel/dma/contiguous.c: rmem_cma_setup(), RESERVEDMEM_OF_DECLARE(cma, "shared-dma-pool", ...).
// The file sets `pr_fmt(fmt) fmt` before this code, so its lines carry no prefix of their own.
// 6.1 also calls dma_contiguous_early_fixup() here; that only records the area for arm's
// dma_contiguous_remap() and touches no memblock state, so it is not modelled.
import { declareReservedMem, EBUSY, EINVAL, type ReservedMemOps } from '../handler-api.js';

const rmemCmaOps: ReservedMemOps = {
  deviceInit: () => 0, // dev->cma_area = rmem->priv
  deviceRelease: () => undefined,
};

export const rmemCma = declareReservedMem(
  'cma',
  'shared-dma-pool',
  (rmem, k) => {
    const defaultCma = rmem.flag('linux,cma-default');
    if (k.services.cmaCmdlineGiven() && defaultCma) {
      k.pr_info(`Reserved memory: bypass ${rmem.name} node, using cmdline CMA params instead`);
      return -EBUSY;
    }
    if (!rmem.flag('reusable') || rmem.flag('no-map')) return -EINVAL;
    const align = k.profile.cmaMinAlignmentBytes;
    if ((rmem.base | rmem.size) % align !== 0n) {
      k.pr_err('Reserved memory: incorrect alignment of CMA region');
      return -EINVAL;
    }
    const err = k.services.cmaInitReservedMem(rmem.base, rmem.size, rmem.name);
    if (err) {
      k.pr_err('Reserved memory: unable to setup CMA region');
      return err;
    }
    if (defaultCma) k.services.setDefaultCmaArea(rmem.name);
    rmem.ops = rmemCmaOps;
    k.pr_info(`Reserved memory: created CMA memory pool at ${k.pa(rmem.base)}, size ${k.mib(rmem.size)} MiB`);
    return 0;
  },
  'builtin: kernel/dma/contiguous.c',
);
