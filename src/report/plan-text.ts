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

export interface PlanTextOptions {
  physAddrBits?: 32 | 64;
  /** Terminal width: the region table drops columns (least important first) to fit; undefined = full width. */
  width?: number;
  /** ANSI colours on the status column (a terminal, not a pipe). */
  color?: boolean;
}

/** Columns of the region table, and the order they are dropped in when the table is too wide (higher first). */
const COLUMNS: { head: string; drop: number }[] = [
  { head: 'NAME', drop: 0 },
  { head: 'NODE', drop: 9 },
  { head: 'BASE', drop: 0 },
  { head: 'END', drop: 7 },
  { head: 'SIZE', drop: 0 },
  { head: 'MAP', drop: 3 },
  { head: 'REUSABLE', drop: 6 },
  { head: 'PLACED', drop: 5 },
  { head: 'STATUS', drop: 0 },
  { head: 'HANDLER', drop: 8 },
  { head: 'CONSUMERS', drop: 4 },
];

const failingStatus = new Set(['rejected', 'reserve-failed', 'alloc-failed', 'invalid', 'no-space']);
const paint = (on: boolean, code: string, text: string) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);

/** Lay out rows as columns two spaces apart; the last column is not padded. */
function columns(rows: string[][], widths: number[]): string[] {
  return rows.map((cells) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

export function formatPlanText(p: PlanResult, opts: PlanTextOptions = {}): string {
  const digits = (opts.physAddrBits ?? 64) / 4;
  const addr = (x: bigint | null) => (x === null ? '-' : '0x' + x.toString(16).padStart(digits, '0'));
  const color = opts.color === true;
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
  const boot = p.loader.boot === 'uefi' ? ', booted through UEFI' : '';
  const c = p.loader.cpu;
  const cpu = c ? `, on ${c.name === 'unknown' ? 'an unknown core' : c.name}${c.vaBits !== undefined ? ` (${c.vaBits}-bit VA)` : ''}` : '';
  const out: string[] = [`kernel ${p.kernel}${ram ? `, RAM ${ram}` : ''}${cpu}${boot}`, ''];
  const k = p.loader.kernel;
  const before = [
    ...(k?.placed === 'first-free'
      ? [`kernel Image at ${addr(k.base)}: the first free 2 MiB-aligned RAM after the start (--kernel-at says where it is)`]
      : []),
    ...p.loader.edits,
  ];
  if (before.length) {
    out.push('before the kernel starts:');
    for (const e of before) out.push(`  ${e}`);
    out.push('');
  }
  if (rows.length === 0) out.push('no /reserved-memory regions');
  else {
    let keep = COLUMNS.map((_, i) => i);
    const widthOf = (idx: number[]) =>
      idx.reduce((a, i) => a + Math.max(COLUMNS[i]!.head.length, ...rows.map((r) => r[i]!.length)), 0) + 2 * (idx.length - 1);
    if (opts.width !== undefined) {
      const order = COLUMNS.map((c, i) => ({ i, drop: c.drop }))
        .filter((c) => c.drop > 0)
        .sort((a, b) => b.drop - a.drop);
      for (const c of order) {
        if (widthOf(keep) <= opts.width) break;
        keep = keep.filter((i) => i !== c.i);
      }
    }
    const pick = (r: string[]) => keep.map((i) => r[i]!);
    const head = pick(COLUMNS.map((c) => c.head));
    const body = rows.map(pick);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
    const lines = columns([head, ...body], widths);
    const statusAt = keep.indexOf(8);
    out.push(lines[0]!);
    body.forEach((r, n) => {
      let line = lines[n + 1]!;
      if (color) {
        // colour the status cell in place: its offset is the widths before it
        const at = widths.slice(0, statusAt).reduce((a, w) => a + w + 2, 0);
        const st = r[statusAt]!;
        const code = failingStatus.has(st) ? '31' : st === 'ok' ? '32' : st === 'no-handler' ? '2' : '';
        if (code) line = line.slice(0, at) + paint(true, code, st) + line.slice(at + st.length);
      }
      out.push(line);
    });
    const hidden = COLUMNS.filter((_, i) => !keep.includes(i)).map((c) => c.head);
    if (hidden.length) out.push(`(${hidden.join(', ')} not shown to fit ${opts.width} columns: --wide shows them)`);
  }
  if (p.early.length) {
    out.push('', 'other reservations:');
    const ew = Math.max(...p.early.map((e) => e.name.length));
    for (const e of p.early) {
      out.push(`  ${e.name.padEnd(ew)}  ${addr(e.base)}  ${addr(e.base + e.size - 1n)}  ${humanSize(e.size).padEnd(9)}  ${e.source}`);
    }
  }
  out.push(...probeSection(p));
  out.push('', 'predicted log:');
  if (p.log.length === 0) out.push('  (nothing)');
  for (const l of p.log) out.push(`  ${l.text}`);
  return out.join('\n') + '\n';
}

/**
 * When drivers probe. Regions with a device_init hook (shared-dma-pool, CMA, restricted-dma-pool):
 * what of_reserved_mem_device_init_by_idx() returns for each consumer. Regions without one (no-map
 * carve-outs for firmware): their drivers find them with of_reserved_mem_lookup() or
 * of_address_to_resource() and map them themselves, as remoteproc drivers do; only a driver that
 * calls of_reserved_mem_device_init() on such a region gets -EINVAL.
 */
function probeSection(p: PlanResult): string[] {
  if (!p.attach.length) return [];
  const out: string[] = [''];
  const withInit = p.attach.filter((a) => a.deviceInit);
  const disabled = p.attach.filter((a) => !a.deviceInit && a.ret === '0');
  const failed = new Set(p.regions.filter((r) => failingStatus.has(r.status)).map((r) => r.name));
  const lost = p.attach.filter((a) => !a.deviceInit && a.ret !== '0' && failed.has(a.region));
  const plain = p.attach.filter((a) => !a.deviceInit && a.ret !== '0' && !failed.has(a.region));
  if (withInit.length) {
    out.push("when drivers probe (of_reserved_mem_device_init_by_idx → the region's device_init):");
    for (const a of withInit) {
      out.push(`  ${a.device} memory-region[${a.index}] → ${a.region}: ${a.ret}`);
      for (const l of a.log) out.push(`    ${l}`);
    }
  }
  if (plain.length) {
    if (out.length > 1) out.push('');
    out.push('regions without device_init: drivers find them with of_reserved_mem_lookup or of_address_to_resource');
    out.push('(as remoteproc drivers do); of_reserved_mem_device_init() on one of them would return -EINVAL:');
    const byDevice = new Map<string, string[]>();
    for (const a of plain) byDevice.set(a.device, [...(byDevice.get(a.device) ?? []), `${a.region} [${a.index}]`]);
    for (const [dev, regs] of byDevice) out.push(`  ${dev} → ${regs.join(', ')}`);
  }
  if (lost.length) {
    if (out.length > 1) out.push('');
    out.push('regions the kernel did not keep: of_reserved_mem_lookup finds nothing, of_reserved_mem_device_init returns -EINVAL:');
    for (const a of lost) out.push(`  ${a.device} memory-region[${a.index}] → ${a.region}: -EINVAL`);
  }
  if (disabled.length) {
    if (out.length > 1) out.push('');
    out.push('disabled regions (of_reserved_mem_device_init_by_idx returns 0 and sets nothing up):');
    for (const a of disabled) out.push(`  ${a.device} memory-region[${a.index}] → ${a.region}`);
  }
  return out;
}
