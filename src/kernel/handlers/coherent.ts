// kernel/dma/coherent.c: rmem_dma_setup(), RESERVEDMEM_OF_DECLARE(dma, "shared-dma-pool", ...).
// No pr_fmt in that file. The no-map requirement is under `#ifdef CONFIG_ARM` (32-bit ARM only,
// not arm64). CONFIG_DMA_GLOBAL_POOL (`linux,dma-default`) is off in the Debian arm kernels.
// A reusable region is not this entry's: -EINVAL up to 6.12, -ENODEV in 7.2's node_init (so the
// table walk goes on).
import { declareReservedMem, EINVAL, ENODEV, type ReservedMemOps, type ReservedMemSetup } from '../handler-api.js';

const rmemDmaOps: ReservedMemOps = {
  deviceInit: () => 0, // dma_init_coherent_memory() + dma_assign_coherent_memory()
  deviceRelease: () => undefined,
};

const rmemDmaSetup =
  (reusableErrno: number): ReservedMemSetup =>
  (rmem, k) => {
    if (rmem.flag('reusable')) return -reusableErrno;
    if (k.profile.arch === 'arm' && !rmem.flag('no-map')) {
      k.pr_err('Reserved memory: regions without no-map are not yet supported');
      return -EINVAL;
    }
    rmem.ops = rmemDmaOps;
    k.pr_info(`Reserved memory: created DMA memory pool at ${k.pa(rmem.base)}, size ${k.mib(rmem.size)} MiB`);
    return 0;
  };

export const rmemDma = declareReservedMem('dma', 'shared-dma-pool', rmemDmaSetup(EINVAL), 'builtin: kernel/dma/coherent.c');

/** 7.2's rmem_dma_ops (node_init only). */
export const rmemDmaReservedMemOps = declareReservedMem('dma', 'shared-dma-pool', rmemDmaSetup(ENODEV), 'builtin: kernel/dma/coherent.c');
