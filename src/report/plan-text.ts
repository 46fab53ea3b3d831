// `carveout plan` text output: a table of regions, the predicted log lines in order. Diagnostics
// are not part of it: the CLI prints them on stderr, like every command's.
import type { PlanResult, PlanRegion } from '../kernel/plan.js';

/** Human size: exact KiB/MiB/GiB when it divides, else bytes in hex. */
export function humanSize(x: bigint): string {
  const units: [bigint, string][] = [
    [1n << 30n, 'GiB'],
    [1n << 20n, 'MiB'],
    [1n << 10n, 'KiB'],
  ];
  for (const [u, n] of units) if (x >= u && x % u === 0n) return `${x / u} ${n}`;
  return '0x' + x.toString(16);
}

/** `compatible: decl → ret, decl → ret` (every setup the kernel tried, in table order), or `none`. */
function handlerCell(r: PlanRegion): string {
  if (r.attempts.length === 0) return r.status === 'no-handler' || r.status === 'ok' ? 'none' : '-';
  const byCompat = new Map<string, string[]>();
  for (const a of r.attempts) {
    const list = byCompat.get(a.compatible) ?? [];
    list.push(`${a.handler} → ${a.ret}`);
    byCompat.set(a.compatible, list);
  }
  return [...byCompat].map(([c, l]) => `${c}: ${l.join(', ')}`).join('; ');
}

export function formatPlanText(p: PlanResult, opts: { physAddrBits?: 32 | 64 } = {}): string {
  const digits = (opts.physAddrBits ?? 64) / 4;
  const addr = (x: bigint | null) => (x === null ? '-' : '0x' + x.toString(16).padStart(digits, '0'));
  const head = ['NAME', 'NODE', 'BASE', 'END', 'SIZE', 'MAP', 'REUSABLE', 'PLACED', 'STATUS', 'HANDLER', 'CONSUMERS'];
  const rows = p.regions.map((r) => [
    r.name,
    r.path,
    addr(r.base),
    r.base !== null && r.size ? addr(r.base + r.size - 1n) : '-',
    r.size === null ? '-' : humanSize(r.size),
    r.nomap ? 'nomap' : 'map',
    r.reusable ? 'reusable' : '-',
    r.placement || '-',
    r.status,
    handlerCell(r) || '-',
    r.consumers.length ? r.consumers.join(', ') : '-',
  ]);
  const ram = p.memory.map((m) => `${humanSize(m.size)} at ${addr(m.base)}`).join(', ');
  const out: string[] = [`kernel ${p.kernel}${ram ? `, RAM ${ram}` : ''}`, ''];
  if (rows.length === 0) out.push('no /reserved-memory regions');
  else {
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) =>
      cells
        .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(w[i]!)))
        .join('  ')
        .trimEnd();
    out.push(line(head));
    for (const r of rows) out.push(line(r));
  }
  if (p.early.length) {
    out.push('', 'other reservations:');
    const ew = Math.max(...p.early.map((e) => e.name.length));
    for (const e of p.early) {
      out.push(`  ${e.name.padEnd(ew)}  ${addr(e.base)}  ${addr(e.base + e.size - 1n)}  ${humanSize(e.size).padEnd(9)}  ${e.source}`);
    }
  }
  if (p.attach.length) {
    out.push('', 'when drivers probe (of_reserved_mem_device_init_by_idx):');
    for (const a of p.attach) {
      out.push(`  ${a.device} memory-region[${a.index}] → ${a.region}: ${a.ret}`);
      for (const l of a.log) out.push(`    ${l}`);
    }
  }
  out.push('', 'predicted log:');
  if (p.log.length === 0) out.push('  (nothing)');
  for (const l of p.log) out.push(`  ${l.text}`);
  return out.join('\n') + '\n';
}
