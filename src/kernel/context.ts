// The state one simulated boot carries from step to step, shared by the kernel model's modules
// (memblock.ts, cmdline.ts, boot.ts, rmem.ts, handlers/, plan.ts). Owners may extend these types;
// keep them plain data so a plan can be serialised.
import type { Diagnostic } from '../diagnostics.js';
import type { Tree } from '../tree/types.js';

/** One line the kernel prints, with the `pr_fmt` prefix included (e.g. `OF: reserved mem: ...`). */
export interface LogLine {
  text: string;
  /** printk level as the kernel used it: 'err' | 'warn' | 'notice' | 'info' | 'debug'. */
  level: 'emerg' | 'alert' | 'crit' | 'err' | 'warn' | 'notice' | 'info' | 'debug';
  /** Which model step printed it (function name in the kernel), for `explain`. */
  source?: string;
}

/** The part of a kernel profile (profiles/types.ts) every module of the model may read. */
export interface KernelProfileBase {
  /** Kernel id, e.g. `6.12-arm64`, `6.1-armmp-lpae`. */
  id: string;
  /** The series' name (`6.1`, `6.12`): for reports; behaviour is read from the version layer. */
  version: string;
  arch: 'arm64' | 'arm';
  pageSize: number;
  /** sizeof(phys_addr_t) * 8: 64 on arm64 and LPAE, 32 on plain armmp. Drives `%pa` width. */
  physAddrBits: 32 | 64;
  /** CMA_MIN_ALIGNMENT_BYTES = PAGE_SIZE << pageblock_order (include/linux/cma.h). */
  cmaMinAlignmentBytes: bigint;
  /** MAX_CMA_AREAS: 6.1 = 1 + CONFIG_CMA_AREAS, 6.12 = CONFIG_CMA_AREAS. */
  maxCmaAreas: number;
  /** CONFIG_CMA_SIZE_MBYTES: the default CMA area when `cma=` is absent. */
  cmaSizeMBytes: number;
}

export interface PlanInput {
  tree: Tree;
  bootargs: string;
  /** RAM as QEMU/the board describes it comes from the tree's memory nodes; `ram` overrides size. */
  ram?: bigint;
}

export interface Trace {
  /** memblock and boot events in order, for `explain` and comparison with `memblock=debug`. */
  events: { kind: string; detail: Record<string, unknown> }[];
}

export type { Diagnostic };
