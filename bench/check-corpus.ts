// `carveout check` over every board of the Linux 6.12 arm64 and arm corpus as its reference DTB
// (test/corpus/corpus-lib.ts referenceBuilds: cpp + Debian's dtc with the kernel's flags, cached):
// the binding rules and 6.12-arm64 + 6.12-arm64-16k (arm64) or 6.12-armmp (arm), boards with a
// size-0 memory node given 2 GiB at its base, boards without a memory node the binding rules only
// (as test/corpus/check-corpus.test.ts does from source). Prints the wall time, boards and
// findings per rule, and the findings of the rules named on the command line.
//
//   node --import tsx bench/check-corpus.ts [RULE]...
import { findKernelSource } from '../test/helpers/kernel-source.js';
import { listCorpus, referenceBuilds } from '../test/corpus/corpus-lib.js';
import { loadBoard } from '../src/board.js';
import { check } from '../src/check/check.js';
import { memoryRegs } from '../src/platform/layout.js';

const show = new Set(process.argv.slice(2));
const src = await findKernelSource('6.12');
if (!src) throw new Error('Linux 6.12 source not found (linux-source-6.12)');
const kernels = { arm64: ['6.12-arm64', '6.12-arm64-16k'], arm: ['6.12-armmp'] };
const perRule = new Map<string, { boards: Set<string>; findings: number; level: string }>();
const shown: string[] = [];
let boards = 0;
let wall = 0;
for (const arch of ['arm64', 'arm'] as const) {
  const files = listCorpus(src, arch, { overlays: false });
  const refs = await referenceBuilds(src, files, { jobs: 2 });
  const t0 = performance.now();
  files.forEach((f, i) => {
    const bytes = refs[i]!.dtb;
    if (!bytes) return;
    let board = loadBoard(bytes, { fileName: f.rel, arch });
    const described = board.tree !== undefined && memoryRegs(board.tree).length > 0;
    if (described && board.memory.length === 0) board = loadBoard(bytes, { fileName: f.rel, arch, ram: 2n << 30n });
    const r = check(board, { kernels: described ? kernels[arch] : [] });
    boards++;
    for (const x of r.findings) {
      const c = perRule.get(x.rule) ?? { boards: new Set<string>(), findings: 0, level: x.level };
      c.boards.add(f.rel);
      c.findings++;
      perRule.set(x.rule, c);
      if (show.has(x.rule)) shown.push(`${x.rule}: ${f.rel}: ${x.path}: ${x.message} [${x.kernels.join(', ')}]`);
    }
  });
  wall += (performance.now() - t0) / 1000;
}
process.stdout.write(
  [
    `${boards} corpus DTBs checked in ${wall.toFixed(1)} s wall`,
    ...[...perRule]
      .sort((a, b) => b[1].boards.size - a[1].boards.size)
      .map(([k, v]) => `| \`${k}\` | ${v.boards.size} | ${v.findings} | ${v.level} |`),
    ...shown,
  ].join('\n') + '\n',
);
