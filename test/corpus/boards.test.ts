// Every arm64 and arm board of the kernel tree that has /reserved-memory, planned as a user would:
// `plan board.dts --kernel 6.12-arm64|6.12-armmp` with the memory the tree declares. No crash, no
// hang; a per-board summary (regions, dynamic ones placed, failures predicted, the kernel's log
// lines about them) is written to <cache>/carveout/boards-report.json, and the counts per kind of
// predicted failure are printed (docs/boards.md triages each kind against the kernel source).
//
// Memory: the tree's own banks. A tree whose memory nodes have size 0 (the boot loader fills them
// in) or that has none gets one bank — the documented default: at the first memory node's base
// (else at the lowest static region's base rounded down to 256 MiB, else 0x40000000), large enough
// to hold every static region: up to the highest region end rounded up to 256 MiB, at least 1 GiB;
// on arm (no LPAE: 32-bit phys_addr_t) ending at 4 GiB at most.
//
// Opt-in locally (minutes): CARVEOUT_CORPUS=1 node --import tsx --test test/corpus/boards.test.ts
// (CI runs it); CARVEOUT_CORPUS_ARCH=arm64 and CARVEOUT_CORPUS_FILTER=qcom narrow it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, locateKernelSource } from '../helpers/kernel-source.js';
import { arches, includePrefixes, listCorpus, type Arch } from './corpus-lib.js';
import { loadBoard, type Board } from '../../src/board.js';
import { plan } from '../../src/kernel/plan.js';
import { getChild } from '../../src/tree/types.js';
import { memoryRegs, treeReservations, type Bank } from '../../src/platform/layout.js';
import type { Tree } from '../../src/tree/types.js';

const enabled = process.env.CARVEOUT_CORPUS === '1' || !!process.env.CI;
const skip = enabled ? false : 'board corpus is opt-in locally: set CARVEOUT_CORPUS=1 (CI runs it always)';
const kernelFor: Record<Arch, string> = { arm64: '6.12-arm64', arm: '6.12-armmp' };
const MiB256 = 256n << 20n;

/** The documented default for a tree that leaves its memory to the boot loader (see the header). */
export function defaultMemory(tree: Tree, arch: Arch): Bank {
  const regions = treeReservations(tree);
  const lowest = regions.reduce<bigint | undefined>((a, r) => (a === undefined || r.base < a ? r.base : a), undefined);
  const base = memoryRegs(tree)[0]?.base ?? (lowest !== undefined ? (lowest / MiB256) * MiB256 : 0x40000000n);
  const top = regions.reduce((a, r) => (r.base + r.size > a ? r.base + r.size : a), 0n);
  let end = ((top + MiB256 - 1n) / MiB256) * MiB256;
  if (end < base + (1n << 30n)) end = base + (1n << 30n);
  if (arch === 'arm' && end > 1n << 32n) end = 1n << 32n;
  return { base, size: end > base ? end - base : 1n << 30n };
}

interface BoardSummary {
  file: string;
  kernel: string;
  memory: string;
  defaultMemory: boolean;
  regions: number;
  dynamic: number;
  dynamicPlaced: number;
  failures: { region: string; status: string; log: string[] }[];
  panic?: string;
  exitCode: number;
  errors: string[];
  crash?: string;
}

test('board corpus: plan runs on every arm64/arm board with /reserved-memory', { skip, timeout: 60 * 60_000 }, async (t) => {
  const src = await locateKernelSource('6.12');
  if (!src.dir) return t.skip(src.problem);
  const onlyArch = process.env.CARVEOUT_CORPUS_ARCH as Arch | undefined;
  const filter = process.env.CARVEOUT_CORPUS_FILTER;
  const out: BoardSummary[] = [];
  for (const arch of arches) {
    if (onlyArch && arch !== onlyArch) continue;
    for (const f of listCorpus(src.dir, arch, { overlays: false })) {
      if (filter && !f.rel.includes(filter)) continue;
      const kernel = kernelFor[arch];
      const s: BoardSummary = {
        file: f.rel,
        kernel,
        memory: '',
        defaultMemory: false,
        regions: 0,
        dynamic: 0,
        dynamicPlaced: 0,
        failures: [],
        exitCode: 0,
        errors: [],
      };
      try {
        const includeDirs = [join(f.abs, '..'), includePrefixes(src.dir)];
        let board: Board = loadBoard(f.abs, { includeDirs, arch });
        if (!board.tree || !getChild(board.tree.root, 'reserved-memory')) continue;
        if (board.diagnostics.some((d) => d.code === 'no-memory')) {
          const m = defaultMemory(board.tree, arch);
          board = loadBoard(board.tree, { fileName: f.rel, arch, memory: [m] });
          s.defaultMemory = true;
        }
        s.memory = board.memory.map((b) => `0x${b.base.toString(16)}+0x${b.size.toString(16)}`).join(',');
        const p = plan(board, { kernel });
        s.exitCode = p.exitCode;
        s.regions = p.regions.length;
        s.dynamic = p.regions.filter((r) => r.dynamic).length;
        s.dynamicPlaced = p.regions.filter((r) => r.dynamic && r.base !== null && (r.status === 'ok' || r.status === 'no-handler')).length;
        for (const r of p.regions)
          if (['rejected', 'reserve-failed', 'alloc-failed', 'invalid', 'no-space'].includes(r.status))
            s.failures.push({ region: r.path, status: r.status, log: p.log.filter((l) => l.text.includes(r.name)).map((l) => l.text) });
        if (p.boot.panic !== undefined) s.panic = p.boot.panic;
        s.errors = p.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`);
      } catch (e) {
        s.crash = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
      }
      out.push(s);
    }
  }
  const dir = cacheDir();
  mkdirSync(dir, { recursive: true });
  const report = join(dir, 'boards-report.json');
  writeFileSync(report, JSON.stringify(out, null, 1));
  const kinds = new Map<string, number>();
  for (const s of out) for (const fl of s.failures) kinds.set(fl.status, (kinds.get(fl.status) ?? 0) + 1);
  const failing = out.filter((s) => s.failures.length || s.panic).length;
  t.diagnostic(
    `${out.length} boards with /reserved-memory (${out.filter((s) => s.defaultMemory).length} on the default memory), ` +
      `${out.reduce((a, s) => a + s.regions, 0)} regions, dynamic placed ${out.reduce((a, s) => a + s.dynamicPlaced, 0)}/${out.reduce((a, s) => a + s.dynamic, 0)}; ` +
      `${failing} boards with a predicted failure (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}), ` +
      `${out.filter((s) => s.panic).length} predicted panics, ${out.filter((s) => s.exitCode === 2).length} exit 2; report: ${report}`,
  );
  const crashed = out.filter((s) => s.crash);
  assert.deepEqual(
    crashed.map((s) => `${s.file}: ${s.crash!.split('\n')[0]}`),
    [],
  );
  const unexplained = out.filter((s) => s.exitCode === 2 && s.errors.length === 0);
  assert.deepEqual(
    unexplained.map((s) => s.file),
    [],
    'exit 2 always comes with an error saying why',
  );
  assert.ok(onlyArch || filter || out.length >= 300, `${out.length} boards`);
});
