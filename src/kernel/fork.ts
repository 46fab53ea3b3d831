// kernel/fork.c fork_init → set_max_threads: how many tasks the kernel lets exist. copy_process
// refuses a new one with -EAGAIN once nr_threads reaches max_threads, kernel threads included, so a
// boot whose max_threads is no more than the threads the kernel itself starts before smp_init
// cannot create cpuhp/0 (oom.ts threadLimit).
import type { KernelProfile } from './profiles/types.js';
import type { PageAllocStart } from './mm-init.js';

/** kernel/fork.c */
const MIN_THREADS = 20;
/** FUTEX_TID_MASK (include/uapi/linux/futex.h) */
const MAX_THREADS = 0x3fffffff;

/**
 * set_max_threads(MAX_THREADS): a task's stacks may take an eighth of memory,
 * nr_pages * PAGE_SIZE / (THREAD_SIZE * 8), clamped to [MIN_THREADS, MAX_THREADS]; nr_pages is the
 * series' (KernelSeries.maxThreadsFrom): totalram_pages() when fork_init runs (what
 * memblock_free_all freed so far, the deferred struct pages not yet) or memblock's estimate.
 */
export function maxThreads(pa: PageAllocStart, profile: KernelProfile): number {
  const nrPages = profile.series.maxThreadsFrom === 'totalram' ? pa.freedBeforeDeferred : pa.estimatedFreePages;
  // fls64(nr_pages) + fls64(PAGE_SIZE) > 64: the product would overflow u64
  if (nrPages.toString(2).length + pa.pageSize.toString(2).length > 64) return MAX_THREADS;
  const threads = (nrPages * pa.pageSize) / (BigInt(profile.threadSize) * 8n);
  return Number(threads < BigInt(MIN_THREADS) ? BigInt(MIN_THREADS) : threads > BigInt(MAX_THREADS) ? BigInt(MAX_THREADS) : threads);
}
