// kernel/printk/printk.c setup_log_buf, from start_kernel after parse_args and before
// vfs_caches_init_early: the ring buffer `log_buf_len=` (or many possible CPUs) asks for replaces
// the static one — three memblock_alloc()s (text, descriptors, infos) that stay reserved for the
// whole boot, so they move every later early allocation and count in the `Memory:` line's
// reserved figure.
import { touch, type BootState } from './boot-state.js';
import { logBufLenUpdate } from './cmdline.js';

/** PRB_AVGBITS: the buffer has a descriptor per 32 bytes of text (32-character average). */
const PRB_AVGBITS = 5n;

/**
 * sizeof(struct prb_desc) and sizeof(struct printk_info) (kernel/printk/printk_ringbuffer.h): an
 * atomic_long_t and two longs; a u64 seq and ts_nsec, text_len, facility, flags/level, caller_id
 * (24 bytes), with CONFIG_PRINTK_EXECUTION_CTX (7.2) a caller_id2 and a comm[16], then
 * struct dev_printk_info (subsystem[16], device[48]), padded to the u64s' alignment (8 on arm's
 * EABI too).
 */
function ringSizes(arch: 'arm64' | 'arm', executionCtx: boolean): { desc: bigint; info: bigint; align: bigint } {
  const long = arch === 'arm64' ? 8n : 4n;
  const info = 24n + (executionCtx ? 20n : 0n) + 64n;
  return { desc: 3n * long, info: (info + 7n) & ~7n, align: long };
}

/** setup_log_buf(0) with `cpus` possible CPUs (what log_buf_add_cpu counts). */
export function setupLogBuf(st: BootState, cpus: number): void {
  const { ctx } = st;
  const pk = ctx.profile.printk;
  if (!pk) return;
  const printk = (level: 'err' | 'info', text: string) => ctx.printk(level, text, 'setup_log_buf');
  const staticLen = 1n << BigInt(pk.logBufShift);
  const sizes = ringSizes(ctx.profile.arch, pk.executionCtx);
  // 7.2 print_log_buf_usage_stats: the buffer in use and its descriptors' and infos' bytes
  const usageStats = (len: bigint) => {
    if (!ctx.profile.series.printkUsageStats) return;
    const meta = (len >> PRB_AVGBITS) * (sizes.desc + sizes.info);
    printk('info', `printk: log buffer data + meta data: ${len} + ${meta} = ${len + meta} bytes`);
  };
  let len = ctx.cmdline.newLogBufLen;
  // log_buf_add_cpu (CONFIG_SMP): each possible CPU past the first may add its share, when they
  // add up to more than half the static buffer
  if (len === undefined && pk.cpuMaxBufShift !== undefined && cpus > 1) {
    const each = 1n << BigInt(pk.cpuMaxBufShift);
    const extra = BigInt(cpus - 1) * each;
    if (extra > staticLen / 2n) {
      printk('info', `printk: log_buf_len individual max cpu contribution: ${each} bytes`);
      printk('info', `printk: log_buf_len total cpu_extra contributions: ${extra} bytes`);
      printk('info', `printk: log_buf_len min size: ${staticLen} bytes`);
      len = logBufLenUpdate(extra + staticLen, staticLen, printk);
    }
  }
  if (len === undefined) return usageStats(staticLen);
  const descs = len >> PRB_AVGBITS;
  if (!descs) {
    printk('err', `printk: new_log_buf_len: ${len} too small`);
    return usageStats(staticLen);
  }
  const mb = ctx.memblock;
  // memblock_alloc: zeroed through the linear map, and NULL (a message, the static buffer kept)
  // when memblock has no room
  const alloc = (size: bigint): bigint => {
    const at = mb.alloc(size, sizes.align, 'setup_log_buf');
    if (at) touch(st, at, size, 'setup_log_buf');
    return at;
  };
  const text = alloc(len);
  if (!text) {
    printk('err', `printk: log_buf_len: ${len} text bytes not available`);
    return usageStats(staticLen);
  }
  const descBytes = descs * sizes.desc;
  const desc = alloc(descBytes);
  if (!desc) {
    printk('err', `printk: log_buf_len: ${descBytes} desc bytes not available`);
    mb.physFree(text, len, 'memblock_free');
    return usageStats(staticLen);
  }
  const infoBytes = descs * sizes.info;
  if (!alloc(infoBytes)) {
    printk('err', `printk: log_buf_len: ${infoBytes} info bytes not available`);
    mb.physFree(desc, descBytes, 'memblock_free');
    mb.physFree(text, len, 'memblock_free');
    return usageStats(staticLen);
  }
  if (!ctx.profile.series.printkUsageStats) printk('info', `printk: log_buf_len: ${len} bytes`);
  usageStats(len);
  // then "early log buf free: N(P%)": what the static buffer still had free, which the text
  // printed so far decides (the console's, not the layout's): not predicted
}
