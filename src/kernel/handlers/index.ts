// The kernel's own __reservedmem_of_table, in link order. kernel/dma/Makefile links contiguous.o
// (CONFIG_DMA_CMA), then coherent.o (CONFIG_DMA_DECLARE_COHERENT), then swiotlb.o (CONFIG_SWIOTLB,
// whose restricted-pool handler needs CONFIG_DMA_RESTRICTED_POOL); kernel/ links before drivers/,
// and the drivers' declarations (fsl qbman, tegra210 emc table) are not built in Debian's arm
// kernels. Which entries exist is per-profile config data (`ReservedMemConfig`).
import type { ReservedMemHandler } from '../handler-api.js';
import { rmemCma, rmemCmaReservedMemOps } from './contiguous.js';
import { rmemDma, rmemDmaReservedMemOps } from './coherent.js';
import { rmemSwiotlb } from './swiotlb.js';

export interface ReservedMemConfig {
  /** CONFIG_DMA_CMA */
  dmaCma: boolean;
  /** CONFIG_DMA_DECLARE_COHERENT */
  dmaDeclareCoherent: boolean;
  /** CONFIG_DMA_RESTRICTED_POOL */
  dmaRestrictedPool: boolean;
}

/** Debian's arm64/armmp kernels (6.1 and 6.12): CMA and coherent pools, no restricted pool. */
export const debianReservedMemConfig: ReservedMemConfig = { dmaCma: true, dmaDeclareCoherent: true, dmaRestrictedPool: false };

/**
 * The built-in table; `calls` is what the series' table holds (RmemBehaviour.tableCalls): init
 * functions (up to 6.12) or struct reserved_mem_ops (7.2).
 */
export function builtinHandlers(
  config: ReservedMemConfig = debianReservedMemConfig,
  calls: 'setup' | 'ops' = 'setup',
): ReservedMemHandler[] {
  const table: ReservedMemHandler[] = [];
  if (config.dmaCma) table.push(calls === 'ops' ? rmemCmaReservedMemOps : rmemCma);
  if (config.dmaDeclareCoherent) table.push(calls === 'ops' ? rmemDmaReservedMemOps : rmemDma);
  if (config.dmaRestrictedPool) table.push(rmemSwiotlb);
  return table;
}

export { rmemCma, rmemCmaReservedMemOps, rmemDma, rmemDmaReservedMemOps, rmemSwiotlb };
