// `carveout verify`: boot a board's reserved memory on a real kernel under QEMU and compare what the
// kernel did with what `plan` predicts. Library part (the CLI in src/cli/commands/verify.ts is thin).
import { readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { diag, type Diagnostic } from '../diagnostics.js';
import { cachedKernel, fetchKernels, findKernelDef, labKernels, type KernelInfo } from './kernels.js';
import { qemuAvailable, virtDtb, mergeBoard } from './qemu.js';
import { ARM32_MAX_RAM } from '../platform/qemu-virt.js';
import { readFdt, writeFdt, type LiteTree } from './fdt-lite.js';
import { observe } from './lab.js';
import { readDtb } from '../fdt/reader.js';
import { observedRegions, type ObservedRegion } from './regions.js';
import type { Observation } from './observation.js';

export interface VerifyOptions {
  kernel: string;
  ram?: bigint;
  /** Replaces the board's /chosen/bootargs. */
  bootargs?: string;
  timeoutMs?: number;
  includeDirs?: string[];
  /** Keep the raw console in the observation. */
  keepConsole?: boolean;
  /** Fetch the kernel when it is not cached (default true). */
  fetch?: boolean;
}

export interface PredictedRegion {
  name: string;
  base: bigint | null;
  size: bigint | null;
  status: string;
  handler: string | null;
  result: string | null;
  nomap: boolean;
  reusable: boolean;
}

export interface VerifyResult {
  kernel?: KernelInfo;
  ram: bigint;
  append?: string;
  observation?: Observation;
  regions: ObservedRegion[];
  prediction?: { regions: PredictedRegion[]; log: string[] };
  differences: string[];
  notes: string[];
  diagnostics: Diagnostic[];
  /** 0 agree (or no plan to compare with and the boot worked), 1 differ, 2 bad input / failed boot. */
  exitCode: 0 | 1 | 2;
}

/** memparse-like: 1G, 512M, 0x40000000, 1024K; a bare number is MiB like QEMU's -m. */
export function parseSize(s: string): bigint | undefined {
  const m = /^(0x[0-9a-f]+|\d+)([kmgt]i?b?)?$/i.exec(s.trim());
  if (!m) return undefined;
  const v = BigInt(m[1]!);
  const u = (m[2] ?? '').toLowerCase()[0];
  if (!u) return m[1]!.startsWith('0x') ? v : v << 20n;
  const shifts: Record<string, bigint> = { k: 10n, m: 20n, g: 30n, t: 40n };
  return v << shifts[u]!;
}

async function loadBoard(file: string, includeDirs: string[], diagnostics: Diagnostic[]): Promise<LiteTree | undefined> {
  if (!existsSync(file)) {
    diagnostics.push(diag('error', 'file-not-found', `cannot read '${file}'`, { file, line: 0, column: 0, endLine: 0, endColumn: 0 }));
    return undefined;
  }
  let bytes: Uint8Array | undefined;
  const raw = new Uint8Array(readFileSync(file));
  const isDtb = raw.length >= 4 && raw[0] === 0xd0 && raw[1] === 0x0d && raw[2] === 0xfe && raw[3] === 0xed;
  if (isDtb) bytes = raw;
  else {
    try {
      // Our own compiler (src/compile.ts) when present, dtc otherwise.
      const mod = (await import('../compile.js')) as { compileFile(p: string, o: object): { dtb?: Uint8Array; diagnostics: Diagnostic[] } };
      let r = mod.compileFile(file, { includeDirs });
      // Until the C preprocessor lands, compile without it.
      if (r.diagnostics.some((d) => d.code === 'no-preprocessor')) r = mod.compileFile(file, { includeDirs, preprocess: false });
      diagnostics.push(...r.diagnostics);
      bytes = r.dtb;
      if (!bytes) return undefined;
    } catch {
      const r = spawnSync('dtc', ['-I', 'dts', '-O', 'dtb', '-q', file], { maxBuffer: 64 << 20 });
      if (r.status !== 0 || !r.stdout?.length) {
        diagnostics.push(
          diag(
            'error',
            'compile-failed',
            `could not compile '${file}': ${r.error ? 'dtc not found (apt-get install device-tree-compiler)' : r.stderr.toString().trim()}`,
            { file, line: 0, column: 0, endLine: 0, endColumn: 0 },
          ),
        );
        return undefined;
      }
      bytes = new Uint8Array(r.stdout);
    }
  }
  const t = readFdt(bytes);
  if (typeof t === 'string') {
    diagnostics.push(diag('error', 'bad-dtb', `${file}: ${t}`, { file, line: 0, column: 0, endLine: 0, endColumn: 0 }));
    return undefined;
  }
  return t;
}

const hex = (v: bigint | null): string => (v === null ? '-' : '0x' + v.toString(16));

export async function verifyBoard(file: string, o: VerifyOptions): Promise<VerifyResult> {
  const res: VerifyResult = { ram: o.ram ?? 1n << 30n, regions: [], differences: [], notes: [], diagnostics: [], exitCode: 2 };
  const def = findKernelDef(o.kernel);
  if (!def) {
    res.diagnostics.push(
      diag('error', 'unknown-kernel', `unknown kernel '${o.kernel}'`, undefined, `known: ${labKernels.map((k) => k.id).join(', ')}`),
    );
    return res;
  }
  if (def.arch === 'arm' && res.ram > ARM32_MAX_RAM) {
    res.diagnostics.push(diag('error', 'ram-too-big', `${o.kernel}: QEMU's 32-bit virt board (highmem=off) takes at most 3 GiB of RAM`));
    return res;
  }
  if (res.ram < 64n << 20n || res.ram > 16n << 30n) {
    res.diagnostics.push(diag('error', 'bad-ram', `RAM size ${hex(res.ram)} out of the lab's range (64 MiB..16 GiB)`));
    return res;
  }
  const board = await loadBoard(file, o.includeDirs ?? [], res.diagnostics);
  if (!board) return res;
  const missing = qemuAvailable(def.arch);
  if (missing) {
    res.diagnostics.push(diag('error', 'qemu-missing', missing));
    return res;
  }
  let k = cachedKernel(def.id);
  if (!k && o.fetch !== false) {
    const rep = fetchKernels([def.id]);
    k = rep.fetched[0];
    if (!k) {
      res.diagnostics.push(
        diag(
          'error',
          'kernel-unavailable',
          `could not fetch ${def.id}: ${[...rep.notFound, ...rep.errors].join('; ') || 'unknown reason'}`,
          undefined,
          `run 'carveout kernels fetch ${def.id}'`,
        ),
      );
      return res;
    }
  }
  if (!k) {
    res.diagnostics.push(
      diag('error', 'kernel-unavailable', `${def.id} is not fetched`, undefined, `run 'carveout kernels fetch ${def.id}'`),
    );
    return res;
  }
  res.kernel = k;
  const merged = mergeBoard(virtDtb(def.arch, res.ram), board);
  res.notes.push(...merged.notes);
  const caseArgs = o.bootargs ?? merged.bootargs;
  const blob = writeFdt(merged.tree);
  const booted = await observe(k, blob, res.ram, caseArgs, { timeoutMs: o.timeoutMs ?? 60_000, keepConsole: !!o.keepConsole });
  res.append = booted.append;
  res.observation = booted.observation;
  const obs = booted.observation;
  res.regions = observedRegions(obs, readDtb(blob, file).tree!);
  const bootFailed = !obs.memoryLine && !obs.memblockDump && obs.log.length === 0;
  if (bootFailed) {
    res.diagnostics.push(
      diag(
        'error',
        'boot-failed',
        `${def.id} did not get as far as memory setup (${obs.timedOut ? 'timed out' : obs.panicked ? 'panicked' : 'stopped'}); last console lines:\n${(obs.console ?? '').split('\n').slice(-15).join('\n')}`,
      ),
    );
    return res;
  }
  // The prediction, when `plan` exists.
  try {
    const planMod = (await import('../kernel/plan.js')) as typeof import('../kernel/plan.js');
    const readerMod = (await import('../fdt/reader.js')) as {
      readDtb(b: Uint8Array, f?: string): { tree?: unknown; diagnostics: Diagnostic[] };
    };
    const rd = readerMod.readDtb(blob, file);
    if (rd.tree) {
      const p = planMod.plan(rd.tree as Parameters<typeof planMod.plan>[0], {
        kernel: def.id,
        bootargs: booted.append,
        ram: res.ram,
        platform: 'qemu-virt',
        initrdSize: BigInt(booted.initrdSize),
        dtb: blob,
      });
      if (p.diagnostics.some((d) => d.code === 'unknown-kernel')) res.notes.push(`plan has no profile for ${def.id} yet`);
      else {
        res.prediction = {
          regions: p.regions.map((r) => ({
            name: r.name,
            base: r.base,
            size: r.size,
            status: r.status,
            handler: r.handler,
            result: r.result,
            nomap: r.nomap,
            reusable: r.reusable,
          })),
          log: p.log.map((l) => l.text),
        };
        res.differences = compare(res.regions, res.prediction, obs);
      }
    }
  } catch (e) {
    res.notes.push(`no prediction: plan unavailable (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
  }
  res.exitCode = res.differences.length ? 1 : 0;
  if (obs.panicked || (obs.timedOut && !obs.reachedInit)) {
    // The kernel did not survive the boot: report what it did up to then, but it is a failed boot.
    res.diagnostics.push(
      diag(
        'error',
        'boot-failed',
        `${def.id} ${obs.panicked ? `panicked: ${obs.panicMessage ?? ''}` : 'hung (timed out)'} — what it printed before is shown`,
      ),
    );
    res.exitCode = 2;
  }
  return res;
}

/** Reserved-memory log lines the model and the kernel should both print (same order). */
export function comparableLog(lines: string[]): string[] {
  return lines.filter((t) => /^(OF: reserved mem:|Reserved memory:|cma:|OF: fdt: Reserved memory)/.test(t));
}

function compare(obsRegions: ObservedRegion[], pred: { regions: PredictedRegion[]; log: string[] }, obs: Observation): string[] {
  const d: string[] = [];
  const okLike = (s: string): string =>
    s === 'ok' || s === 'no-handler' ? 'ok' : s === 'reserve-failed' || s === 'alloc-failed' || s === 'no-space' ? 'failed' : s;
  for (const r of obsRegions) {
    const p = pred.regions.find((x) => x.name === r.name);
    if (!p) {
      if (r.status !== 'disabled' && r.status !== 'ignored') d.push(`${r.name}: the kernel handled it, the plan has no such region`);
      continue;
    }
    if (r.base !== null && p.base !== r.base) d.push(`${r.name}: base ${hex(r.base)} observed, ${hex(p.base)} predicted`);
    if (r.size !== null && p.size !== r.size) d.push(`${r.name}: size ${hex(r.size)} observed, ${hex(p.size)} predicted`);
    if (r.status !== 'unknown' && okLike(p.status) !== r.status && !(r.status === 'ok' && p.status === 'ok'))
      d.push(`${r.name}: ${r.status} observed, ${p.status} predicted`);
    if (r.handler && p.handler !== r.handler && r.handlerResult === 'initialized')
      d.push(`${r.name}: handler ${r.handler} observed, ${p.handler ?? 'none'} predicted`);
  }
  const ol = comparableLog(obs.log.map((l) => l.text)),
    pl = comparableLog(pred.log);
  const n = Math.max(ol.length, pl.length);
  for (let i = 0; i < n; i++) {
    if (ol[i] !== pl[i]) {
      d.push(`log line ${i + 1}: observed ${JSON.stringify(ol[i] ?? '(none)')}, predicted ${JSON.stringify(pl[i] ?? '(none)')}`);
      break;
    }
  }
  return d;
}

export function renderVerifyText(file: string, r: VerifyResult): string {
  const out: string[] = [];
  const o = r.observation;
  out.push(
    `${file} on ${r.kernel ? `${r.kernel.id} (${r.kernel.package} ${r.kernel.version})` : '?'}, RAM ${r.ram >> 20n} MiB${o?.durationMs !== undefined ? `, booted in ${(o.durationMs / 1000).toFixed(1)} s` : ''}`,
  );
  if (r.append) out.push(`command line: ${r.append}`);
  if (o)
    out.push(
      `boot: ${o.completed ? 'reached /init' : o.reachedInit ? 'reached /init (incomplete)' : 'did not reach /init'}${o.timedOut ? ', timed out' : ''}${o.panicked ? ', panicked' : ''}`,
    );
  out.push('', 'what the kernel did:');
  const rows = [
    ['name', 'base', 'size', 'flags', 'status', 'handler'],
    ...r.regions.map((x) => [
      x.name,
      hex(x.base),
      hex(x.size),
      [x.nomap ? 'no-map' : 'map', x.reusable ? 'reusable' : '', x.dynamic ? 'dynamic' : 'static'].filter(Boolean).join(','),
      x.status,
      x.handler ?? x.handlerResult,
    ]),
  ];
  if (r.regions.length === 0) out.push('  (no /reserved-memory node)');
  else {
    const w = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
    for (const row of rows)
      out.push(
        '  ' +
          row
            .map((c, i) => c.padEnd(w[i]!))
            .join('  ')
            .trimEnd(),
      );
  }
  if (o) {
    out.push('', 'kernel log:');
    for (const l of o.log) if (l.kind !== 'memblock-dump') out.push(`  ${l.text}`);
    if (o.cmaTotalKiB !== undefined) out.push(`  (/proc/meminfo CmaTotal: ${o.cmaTotalKiB} kB)`);
  }
  if (r.prediction) {
    out.push('', 'plan predicted:');
    for (const p of r.prediction.regions)
      out.push(`  ${p.name}: ${hex(p.base)} size ${hex(p.size)} ${p.status}${p.handler ? ` (${p.handler})` : ''}`);
    out.push('', r.differences.length ? `differences (${r.differences.length}):` : 'prediction and kernel agree');
    for (const d of r.differences) out.push(`  - ${d}`);
  }
  for (const n of r.notes) out.push(`note: ${n}`);
  return out.join('\n') + '\n';
}
