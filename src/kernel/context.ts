// Types every module of the kernel model shares (memblock.ts, cmdline.ts, the boot files, rmem.ts,
// handlers/, plan.ts): what the kernel prints, the profile's common part, the trace. Plain data, so
// a plan can be serialised.

/** One line the kernel prints, with the `pr_fmt` prefix included (e.g. `OF: reserved mem: ...`). */
export interface LogLine {
  text: string;
  /** printk level as the kernel used it: 'err' | 'warn' | 'notice' | 'info' | 'debug'. */
  level: 'emerg' | 'alert' | 'crit' | 'err' | 'warn' | 'notice' | 'info' | 'debug';
  /** Which model step printed it (function name in the kernel), for `explain`. */
  source?: string;
  /** Paths of the /reserved-memory nodes the step was handling (rmem.ts), for `map` and `explain`. */
  regions?: string[];
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
  /** MAX_CMA_AREAS, from CONFIG_CMA_AREAS by the series' rule (include/linux/cma.h). */
  maxCmaAreas: number;
  /** CONFIG_CMA_SIZE_MBYTES: the default CMA area when `cma=` is absent. */
  cmaSizeMBytes: number;
}

export interface Trace {
  /** memblock and boot events in order, for `explain` and comparison with `memblock=debug`. */
  events: { kind: string; detail: Record<string, unknown> }[];
}
