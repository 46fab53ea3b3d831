// Boot boards on a kernel built by build.sh as the lab boots its Debian kernels (src/verify/lab.ts
// observe: QEMU virt, the lab's initramfs and command line; 32-bit: the init boot, then the
// memblock=debug trace boot) and store what its plan is judged against in data/lab/own/NAME.json:
// the build's excerpt (the .config and System.map lines its profile reads,
// src/kernel/build/excerpt.ts) and one lab record per board (LabRecordJson, the DTB booted kept in
// it). test/kernel/own-build.test.ts replays them as the lab's records are replayed.
//   node --import tsx scripts/own-kernel/record.ts NAME BUILD_DIR "how it was built" board.dts@RAM ...
// data/lab/own holds builds of Linux 6.12.118: ARMv7 (build.sh with vmsplit-2g.config and
// no-highmem.config) and arm64 (pages-64k.config, va-bits-39.config, numa-16k.config: build.sh ...
// arm64), and arm64 builds of 5.10, 6.1 and 7.2 (va-bits-39.config, from linux-source-5.10/-6.1/-7.2),
// each booted on boards/pools-2g.dts@2G, boards/edge-2g.dts@2G, boards/small-256m.dts@256M and
// boards/memblock-debug-256m.dts@256M; numa-16k also on `--generated 100:24 --smp --numa --params
// --many`. With --generated SEED:COUNT it boots the lab's generated cases (and --smp, --numa, …
// their dimensions) on the virt tree QEMU gives each (data/lab/virt), two QEMUs at a time.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadBoard } from '../../src/board.js';
import { excerptBuild } from '../../src/kernel/build/excerpt.js';
import { parseSize } from '../../src/kernel/cmdline.js';
import { bootJob, labDtb, observe } from '../../src/verify/lab.js';
import { generateCase } from '../../src/verify/generator.js';
import { pool } from '../../src/verify/pool.js';
import { parseCommandArgs } from '../../src/cli/args.js';
import { initrdStart } from '../../src/platform/qemu-virt.js';
import { ownKernelInfo } from '../../src/verify/kernels.js';
import { bootEnd, compactTrace, observationFromJson, toJsonValue, type LabRecordJson } from '../../src/verify/observation.js';
import { measureTarget, measureTraces } from '../../src/verify/build-facts.js';

const USAGE = `usage: record.ts NAME BUILD_DIR "how it was built" [board.dts@RAM ...] [--generated SEED:COUNT [--smp] [--numa] [--params] [--many]]
  --generated SEED:COUNT  also boot the lab's generated cases 0 to COUNT-1 of SEED (src/verify/generator.ts),
                          with the dimensions named (as \`npm run lab\` does)
`;

async function main(): Promise<number> {
  // the CLI's own reading of flags (src/cli/args.ts): unknown options and missing values are errors
  const a = parseCommandArgs(process.argv.slice(2), {
    '--generated': 'SEED:COUNT',
    '--smp': true,
    '--numa': true,
    '--params': true,
    '--many': true,
  });
  const usage = (error?: string): number => {
    process.stderr.write(`${error ? `record.ts: ${error}\n` : ''}${USAGE}`);
    return 2;
  };
  if ('error' in a) return usage(a.error);
  const generated = a.values['--generated'];
  const genSpec = generated === undefined ? undefined : /^(\d+):(\d+)$/.exec(generated);
  if (generated !== undefined && !genSpec) return usage(`--generated SEED:COUNT, not ${generated}`);
  const [name, dir, how, ...boards] = a.positionals;
  if (!name || !dir || !how || (!boards.length && !genSpec)) return usage();
  const flags = a.switches;
  const files = {
    id: name,
    config: { file: '.config', text: readFileSync(join(dir, '.config'), 'utf8') },
    systemMap: { file: 'System.map', text: readFileSync(join(dir, 'System.map'), 'utf8') },
  };
  const { excerpt, built } = excerptBuild(files, { package: name, configFrom: how, systemMapFrom: how });
  if (!excerpt || !built.profile) {
    process.stderr.write(`${name}: ${built.diagnostics.map((d) => d.message).join('; ')}\n`);
    return 1;
  }
  const arch = built.profile.arch;
  const image = join(dir, arch === 'arm' ? 'zImage' : 'Image');
  const kernel = ownKernelInfo(name, { image, config: join(dir, '.config'), systemMap: join(dir, 'System.map') }, arch);
  const records: LabRecordJson[] = [];
  for (const spec of boards) {
    const [file = '', ramText = '1G'] = spec.split('@');
    const ram = parseSize(ramText);
    if (ram === undefined) throw new Error(`bad RAM in ${spec}`);
    // the board merged into QEMU's own virt tree, as verify boots it
    const board = loadBoard(file, { platform: 'qemu-virt', arch, ram });
    if (!board.blob) throw new Error(`${file}: ${board.diagnostics.map((d) => d.message).join('; ')}`);
    const res = await observe(kernel, board.blob, ram, board.bootargs ?? '', { timeoutMs: 120_000, keepConsole: true });
    res.observation.memblock = compactTrace(res.observation.memblock);
    const o = res.observation;
    process.stdout.write(
      `${name} ${basename(file)} @${ramText}: ${o.reachedInit ? 'reached /init' : o.panicked ? `panicked: ${o.panicMessage}` : 'stopped'}\n`,
    );
    records.push({
      v: 1,
      kernel: name,
      package: name,
      caseId: basename(file, '.dts'),
      case: { board: basename(file), dts: readFileSync(file, 'utf8') },
      ram: `0x${ram.toString(16)}`,
      bootargs: board.bootargs ?? '',
      append: res.append,
      ...(res.traceAppend ? { traceAppend: res.traceAppend } : {}),
      dtb: gzipSync(board.blob).toString('base64'),
      dtbSha256: createHash('sha256').update(board.blob).digest('hex'),
      initrd: { start: `0x${initrdStart(ram).toString(16)}`, size: `0x${res.initrdSize.toString(16)}` },
      observation: toJsonValue(o),
    });
  }
  if (genSpec) {
    const seed = Number(genSpec[1]);
    const gen = { smp: flags.has('--smp'), numa: flags.has('--numa'), params: flags.has('--params'), many: flags.has('--many') };
    const indexes = Array.from({ length: Number(genSpec[2]) }, (_, i) => i);
    // two QEMUs at a time, as the lab runs them (records kept in index order)
    const got = await pool(indexes, 2, async (index): Promise<LabRecordJson> => {
      const c = generateCase(seed, index, arch, gen);
      // the DTB the lab would boot (QEMU's virt tree for the case's RAM, CPUs and nodes), kept in the record
      const blob = labDtb(c);
      // the lab's bound (40 s): a panic before panic= is parsed (setup_arch) waits for it
      const { record } = await bootJob({ kernel, seed, index, case: c }, blob, { keepConsole: true });
      const o = observationFromJson(record.observation);
      process.stdout.write(`${name} seed ${seed} #${index} ${record.caseId}: ${bootEnd(o)}${o.reachedInit ? ' (reached /init)' : ''}\n`);
      return { ...record, kernel: name, package: name, dtb: gzipSync(blob.dtb).toString('base64') };
    });
    records.push(...got);
  }
  // what no file states (pg_data_t, the per-cpu bitmaps, struct static_vm), read from these boots'
  // memblock=debug traces as the lab reads its packages' (kernels facts), checked against each other
  const decoded = records.map((r) => ({ ...r, observation: observationFromJson(r.observation) }));
  const m = measureTraces(decoded, measureTarget(built.profile), `data/lab/own/${name}.json`, name);
  for (const d of m.diagnostics) process.stderr.write(`${name}: ${d.severity}: ${d.message}\n`);
  if (m.measured) excerpt.measured = m.measured;
  mkdirSync('data/lab/own', { recursive: true });
  writeFileSync(join('data/lab/own', `${name}.json`), `${JSON.stringify({ name, built: how, build: excerpt, records }, null, 1)}\n`);
  return 0;
}

process.exitCode = await main();
