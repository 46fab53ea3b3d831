// `carveout plan --format json`: addresses and sizes as "0x…" strings.
import type { PlanResult } from '../kernel/plan.js';

const hex = (x: bigint | null): string | null => (x === null ? null : '0x' + x.toString(16));

export function planToJson(p: PlanResult): unknown {
  return {
    kernel: p.kernel,
    regions: p.regions.map((r) => ({
      name: r.name,
      path: r.path,
      base: hex(r.base),
      size: hex(r.size),
      nomap: r.nomap,
      reusable: r.reusable,
      dynamic: r.dynamic,
      status: r.status,
      handler: r.handler,
      result: r.result,
      attempts: r.attempts,
      placement: r.placement,
      consumers: r.consumers,
    })),
    memory: p.memory.map((m) => ({ base: hex(m.base), size: hex(m.size) })),
    early: p.early.map((e) => ({ name: e.name, base: hex(e.base), size: hex(e.size), source: e.source })),
    loader: {
      ...p.loader,
      kernel: p.loader.kernel && { base: hex(p.loader.kernel.base), placed: p.loader.kernel.placed },
    },
    attach: p.attach,
    ...(p.pageAllocator && {
      pageAllocator: Object.fromEntries(Object.entries(p.pageAllocator).map(([k, v]) => [k, typeof v === 'bigint' ? hex(v) : v])),
    }),
    boot: p.boot,
    log: p.log.map((l) => l.text),
    diagnostics: p.diagnostics,
  };
}

export function formatPlanJson(p: PlanResult): string {
  return JSON.stringify(planToJson(p), null, 2) + '\n';
}
