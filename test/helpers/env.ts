// process.env for the length of a test's function: a temporary kernel cache (CARVEOUT_CACHE), a
// stand-in tool first on PATH. What was there before comes back after, thrown or not, and after a
// returned promise settles.
export function withEnv<T>(vars: Record<string, string>, fn: () => T): T {
  const saved = Object.entries(vars).map(([k]) => [k, process.env[k]] as const);
  const restore = () => {
    for (const [k, v] of saved)
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  };
  Object.assign(process.env, vars);
  let r: T;
  try {
    r = fn();
  } catch (e) {
    restore();
    throw e;
  }
  if (r instanceof Promise) return r.finally(restore) as T;
  restore();
  return r;
}
