// carveout check over the Linux 6.12 corpus: every arm64 and arm board (.dts; overlays are not
// boards) is loaded from its source with the kernel's include directories and checked with the
// binding rules and one or two kernels per arch (arm64: 6.12-arm64 and 6.12-arm64-16k, which also
// exercises the cross-kernel rule; arm: 6.12-armmp). No file may crash check; files that do not
// load are counted (the kernel corpus test owns compiling). A board whose memory nodes are left
// for the boot loader to fill (size 0) is planned with 2 GiB at its first memory node, as
// `--ram 2G` would; a board with no memory node at all says nothing about where its RAM is, so it
// gets the binding rules only (planning it at an invented base would invent findings). Findings are counted per rule and level; the report, with the first findings of
// each rule for triage (docs/check.md), goes to <cache>/carveout/check-corpus-report.json.
//
// Opt-in locally like the kernel corpus (CARVEOUT_CORPUS=1; CI always);
// CARVEOUT_CORPUS_ARCH and CARVEOUT_CORPUS_FILTER narrow it as there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cacheDir, locateKernelSource } from '../helpers/kernel-source.js';
import { arches, includePrefixes, listCorpus, type Arch } from './corpus-lib.js';
import { loadBoard, type Board } from '../../src/board.js';
import { check } from '../../src/check/check.js';
import type { Finding } from '../../src/check/types.js';
import type { VirtArch } from '../../src/platform/qemu-virt.js';
import { memoryRegs } from '../../src/platform/layout.js';

const enabled = process.env.CARVEOUT_CORPUS === '1' || !!process.env.CI;
const skip = enabled ? false : 'check corpus is opt-in locally: set CARVEOUT_CORPUS=1 (CI runs it always)';

const kernelsFor: Record<Arch, string[]> = { arm64: ['6.12-arm64', '6.12-arm64-16k'], arm: ['6.12-armmp'] };
/** Samples kept per rule for triage. */
const SAMPLES = 6;

test('check runs over every arm64 and arm board of Linux 6.12 without crashing; findings per rule', { skip }, async () => {
  const loc = await locateKernelSource('6.12');
  assert.ok(loc.dir, `kernel source: ${loc.problem}`);
  const src = loc.dir;
  const onlyArch = process.env.CARVEOUT_CORPUS_ARCH as Arch | undefined;
  const filter = process.env.CARVEOUT_CORPUS_FILTER;
  let files = (onlyArch ? [onlyArch] : arches).flatMap((a) => listCorpus(src, a, { overlays: false }));
  if (filter) files = files.filter((f) => f.rel.includes(filter));
  assert.ok(files.length > 0, 'no corpus files');

  const counts = new Map<string, { error: number; warning: number; files: Set<string> }>();
  const samples = new Map<string, { file: string; place: string; finding: string }[]>();
  const crashes: string[] = [];
  const unloadable: string[] = [];
  let filled = 0;
  let bindingOnly = 0;
  let withFindings = 0;
  const t0 = performance.now();
  for (const f of files) {
    const opts = { includeDirs: [join(f.abs, '..'), includePrefixes(src)] };
    const boards = new Map<VirtArch, Board>();
    const load = (arch: VirtArch): Board => {
      let b = boards.get(arch);
      if (b) return b;
      b = loadBoard(f.abs, { ...opts, arch });
      if (b.tree && b.memory.length === 0 && memoryRegs(b.tree).length > 0) {
        filled++;
        b = loadBoard(f.abs, { ...opts, arch, ram: 2n << 30n });
      }
      boards.set(arch, b);
      return b;
    };
    let found: Finding[];
    try {
      const first = load(f.arch === 'arm64' ? 'arm64' : 'arm');
      const described = first.tree !== undefined && memoryRegs(first.tree).length > 0;
      if (!described) bindingOnly++;
      const r = check(described ? load : first, { kernels: described ? kernelsFor[f.arch] : [] });
      if (r.diagnostics.some((d) => d.severity === 'error')) {
        unloadable.push(`${f.rel}: ${r.diagnostics.find((d) => d.severity === 'error')!.message}`);
        continue;
      }
      found = r.findings;
    } catch (e) {
      crashes.push(`${f.rel}: ${e instanceof Error ? (e.stack ?? e.message).split('\n').slice(0, 4).join(' | ') : String(e)}`);
      continue;
    }
    if (found.length) withFindings++;
    for (const x of found) {
      const c = counts.get(x.rule) ?? { error: 0, warning: 0, files: new Set<string>() };
      c[x.level]++;
      c.files.add(f.rel);
      counts.set(x.rule, c);
      const s = samples.get(x.rule) ?? [];
      // Samples spread over the corpus: one per place in the source (a .dtsi is shared by many boards).
      const finding = `${x.span.line ? `${relative(src, x.span.file)}:${x.span.line}` : relative(src, x.span.file)}: ${x.level} (${x.rule}) ${x.path}${x.property ? `:${x.property}` : ''}: ${x.message}${x.kernels.length ? ` [${x.kernels.join(', ')}]` : ''}${x.kernelLine ? ` | kernel: ${x.kernelLine}` : ''}`;
      const place = `${x.span.file}:${x.span.line}:${x.path}`;
      if (s.length < SAMPLES && !s.some((y) => y.place === place)) s.push({ file: f.rel, place, finding });
      samples.set(x.rule, s);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const rows = [...counts].sort((a, b) => b[1].files.size - a[1].files.size);
  const report = {
    files: files.length,
    seconds: Number(seconds.toFixed(1)),
    kernels: kernelsFor,
    memoryFilledIn: filled,
    bindingOnly,
    withFindings,
    unloadable,
    crashes,
    rules: Object.fromEntries(rows.map(([id, c]) => [id, { error: c.error, warning: c.warning, files: c.files.size }])),
    samples: Object.fromEntries(samples),
  };
  mkdirSync(cacheDir(), { recursive: true });
  writeFileSync(join(cacheDir(), 'check-corpus-report.json'), JSON.stringify(report, null, 2));
  process.stdout.write(
    `# check corpus: ${files.length} boards in ${seconds.toFixed(1)} s (${bindingOnly} without a memory node: binding rules only), ${withFindings} with findings, ${unloadable.length} not loadable, ${crashes.length} crashes\n` +
      rows
        .map(([id, c]) => `#   ${id.padEnd(26)} ${String(c.files.size).padStart(5)} files  ${c.error} error(s), ${c.warning} warning(s)`)
        .join('\n') +
      '\n',
  );
  assert.deepEqual(crashes, []);
});
