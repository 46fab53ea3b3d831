// kernel/dma/contiguous.c: RESERVEDMEM_OF_DECLARE(cma, "shared-dma-pool", ...). The file sets
// `pr_fmt(fmt) fmt` before this code, so its lines carry no prefix of their own.
// Up to 6.12 the entry is rmem_cma_setup(); 5.10 and 6.1 also call dma_contiguous_early_fixup()
// there, which only records the area for arm's dma_contiguous_remap() (see arch/arm/dma-mapping.ts).
// 7.2 splits it into struct reserved_mem_ops: rmem_cma_validate (node_validate), rmem_cma_fixup
// (node_fixup: dma_contiguous_early_fixup only) and rmem_cma_setup (node_init), all starting with
// __rmem_cma_verify_node.
import {
  declareReservedMem,
  EBUSY,
  EINVAL,
  ENODEV,
  type HandlerKernel,
  type ReservedMemNode,
  type ReservedMemHandler,
  type ReservedMemOps,
} from '../handler-api.js';

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
    return cmaSetup(rmem, k, defaultCma);
  },
  'builtin: kernel/dma/contiguous.c',
);

/** The part both generations share: alignment, cma_init_reserved_mem, the default area, the line. */
function cmaSetup(rmem: Parameters<typeof rmemCma.setup>[0], k: HandlerKernel, defaultCma: boolean): number {
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
}

/** 7.2 __rmem_cma_verify_node: not CMA unless reusable and mapped; `cma=` overrides a default region. */
function cmaVerifyNode(node: ReservedMemNode, k: HandlerKernel): number {
  if (!node.flag('reusable') || node.flag('no-map')) return -ENODEV;
  if (k.services.cmaCmdlineGiven() && node.flag('linux,cma-default')) {
    k.pr_err('Skipping dt linux,cma-default node in favor for "cma=" kernel param.');
    return -EBUSY;
  }
  return 0;
}

/** 7.2's rmem_cma_ops: node_validate raises a dynamic region's alignment to CMA_MIN_ALIGNMENT_BYTES. */
export const rmemCmaReservedMemOps: ReservedMemHandler = {
  ...declareReservedMem(
    'cma',
    'shared-dma-pool',
    (rmem, k) => {
      const ret = cmaVerifyNode(rmem, k);
      return ret ? ret : cmaSetup(rmem, k, rmem.flag('linux,cma-default'));
    },
    'builtin: kernel/dma/contiguous.c',
  ),
  validate: (node: ReservedMemNode, k: HandlerKernel, align: bigint | undefined) => {
    const ret = cmaVerifyNode(node, k);
    if (ret || align === undefined) return { ret };
    const min = k.profile.cmaMinAlignmentBytes;
    return { ret: 0, align: align > min ? align : min };
  },
};
