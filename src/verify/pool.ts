// At most n jobs in flight: the lab boots two or three QEMUs at a time (lab-cli, the own-build
// recorder), the corpus runs dtc the same way. Results in the items' order.

/** Runs `job` on every item with at most `n` in flight; the results in the items' order. */
export async function pool<T, R>(items: readonly T[], n: number, job: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await job(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  return results;
}
