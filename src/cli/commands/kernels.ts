// carveout kernels            list the kernels the lab knows (which are cached, which packages lack an out-of-memory ladder)
// carveout kernels fetch [ID...]   download + unpack them from Debian (default: the five core kernels);
//                                  a package the lab has no records of is measured by one boot
// carveout kernels add NAME --kernel-config FILE --system-map FILE   store an own build under NAME
// carveout kernels facts [ID...] [--dir DIR]   store the build facts of the packages DIR's records were made on
// carveout kernels measure ID|NAME [...]   measure a build's out-of-memory ladder under QEMU (kernel cache)
import { VIRT_MAX_SMP } from '../../platform/qemu-virt.js';
import {
  bootedPackage,
  cachedKernel,
  fetchBuiltinRelease,
  fetchKernels,
  fetchRelease,
  findKernelDef,
  labKernels,
  ownKernelInfo,
  packagePatterns,
  packageSuite,
  type FetchReport,
  type KernelInfo,
} from '../../verify/kernels.js';
import { cacheDir } from '../../cache.js';
import { parseCommandArgs, splitOption } from '../args.js';
import { qemuAvailable } from '../../verify/qemu.js';
import {
  addKernel,
  buildFilesSha256,
  ownMeasuredPath,
  storedKernel,
  storedKernelFiles,
  storedKernelNames,
} from '../../kernel/build/store.js';
import { getProfile, profileIds } from '../../kernel/profiles/index.js';
import { isStubSystemMap } from '../../verify/debug-symbols.js';
import { renderDiagnostic } from '../../diagnostics.js';
import {
  ensureMeasured,
  measureOwnBuild,
  factsOfPackage,
  packageFacts,
  profileForPackage,
  storeRecordedFacts,
  writeBuildFacts,
} from '../../verify/build-facts.js';
import { labDataDir, recordedKernels } from '../../verify/records.js';
import {
  DEFAULT_LADDER_BUDGET,
  ladderDir,
  ladderTable,
  ladderTableFile,
  measureLadder,
  measureLadderToCache,
} from '../../verify/memory-ladder.js';
import { blocksBounds, cachedLadders, measuredBounds, OOM_LADDERS, type OomLadder } from '../../kernel/oom.js';
import type { KernelProfile } from '../../kernel/profiles/types.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const USAGE = `usage: carveout kernels [--format text|json]
       carveout kernels fetch [ID...] [--all] [--refresh]
       carveout kernels add NAME --kernel-config FILE --system-map FILE
       carveout kernels facts [ID...] [--dir DIR]   (DIR: the lab records, default data/lab)
       carveout kernels measure ID [--package PKG|builtin] [--boots N] [--timeout S] [--smp N] [--lab]
       carveout kernels measure NAME --kernel-image FILE [--boots N] [--timeout S] [--smp N]
         boot a build under QEMU with less and less memory left after memory setup (at most N boots,
         default ${DEFAULT_LADDER_BUDGET.boots}) and keep its out-of-memory ladder in the cache: plan then predicts from it.
         ID: a lab kernel's cached package (--package: another one); NAME: a build stored by 'kernels add'.
         --smp N: with N CPUs (1 to 8; default 1): each CPU more needs memory, so a board with several
         is measured with as many (plan reads the steps of the board's CPU count, else scales).
         --lab: into the repository's data/lab/ladder (the lab's own measurements) instead.
         32-bit builds also boot twice (256 and 1024 MiB) with paging_init running while the kernel
         image's PMDs are cleared: plan predicts that hang where both hung.
Kernels are Debian's (apt-get download + dpkg-deb), cached in $CARVEOUT_CACHE or $XDG_CACHE_HOME/carveout.`;

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (argv[0] === 'add') return add(argv.slice(1));
  if (argv[0] === 'facts') return facts(argv.slice(1));
  if (argv[0] === 'measure') return measure(argv.slice(1));
  if (argv[0] === 'fetch') {
    const rest = argv.slice(1);
    const bad = rest.find((a) => a.startsWith('-') && a !== '--all' && a !== '--refresh');
    if (bad) {
      process.stderr.write(`carveout kernels fetch: unknown option '${bad}'\n${USAGE}\n`);
      return 2;
    }
    let ids = rest.filter((a) => !a.startsWith('-'));
    if (rest.includes('--all')) ids = labKernels.map((k) => k.id);
    else if (ids.length === 0) ids = labKernels.filter((k) => k.core).map((k) => k.id);
    const unknown = ids.filter((id) => !labKernels.some((k) => k.id === id));
    if (unknown.length) {
      process.stderr.write(
        `carveout kernels fetch: unknown kernel ${unknown.map((u) => `'${u}'`).join(', ')} (known: ${labKernels.map((k) => k.id).join(', ')})\n`,
      );
      return 2;
    }
    const rep = fetchKernels(ids, { refresh: rest.includes('--refresh') });
    for (const l of rep.log) process.stderr.write(`${l}\n`);
    for (const k of rep.fetched)
      process.stdout.write(
        `${k.id.padEnd(16)} ${k.package} ${k.version}  page ${k.pageSize / 1024}K${k.lpae ? ' LPAE' : ''}  CMA ${k.cmaSizeMbytes ?? '?'} MiB\n`,
      );
    for (const k of rep.fetched) {
      // what no file states: measured once per package (a boot under QEMU when the lab has no records of it)
      const m = await ensureMeasured(k);
      for (const d of m.diagnostics) process.stderr.write(renderDiagnostic(d) + '\n');
      if (m.booted && m.measured)
        process.stderr.write(
          `measured: ${k.id} ${k.package} ${k.version}: ${m.measured.sizes.map((x) => `${x.name} ${x.value}`).join(', ')} -> ${m.file}\n`,
        );
      const { note } = profileForPackage(k);
      if (note) process.stderr.write(`note: ${note}\n`);
    }
    for (const n of rep.notFound) process.stderr.write(`not found: ${n}\n`);
    // A series Debian no longer ships (sid moves on): plan, check and map still run on the built-in
    // profile of the package the lab recorded, and its records still judge the series' layer; only
    // verify needs the package itself.
    for (const id of ids) {
      if (rep.fetched.some((k) => k.id === id) || cachedKernel(id)) continue;
      const p = getProfile(id);
      if (p)
        process.stderr.write(
          `note: ${id}: plan, check and map use the built-in profile of ${p.debianPackage}, whose recorded boots (data/lab/${id}.jsonl.gz) judge it; verify needs the package\n`,
        );
    }
    for (const e of rep.errors) process.stderr.write(`error: ${e}\n`);
    for (const a of ['arm64', 'arm'] as const) {
      if (ids.some((id) => labKernels.find((k) => k.id === id)!.arch === a)) {
        const m = qemuAvailable(a);
        if (m) process.stderr.write(`note: ${m}\n`);
      }
    }
    return rep.errors.length ? 2 : rep.notFound.length ? 1 : 0;
  }
  const usage = (msg: string): number => {
    process.stderr.write(`carveout kernels: ${msg}\n${USAGE}\n`);
    return 2;
  };
  let format = 'text';
  for (let i = 0; i < argv.length; i++) {
    const { name, inline } = splitOption(argv[i]!);
    if (name !== '--format') return usage(`unknown argument '${argv[i]}'`);
    const v = inline ?? argv[++i];
    if (v !== 'text' && v !== 'json') return usage(`unknown format '${v ?? ''}' (text or json)`);
    format = v;
  }
  const json = format === 'json';
  const cached = cachedLadders();
  const rows = labKernels.map((k) => {
    const c = cachedKernel(k.id);
    const profilePackage = getProfile(k.id)?.debianPackage;
    // the out-of-memory ladder of the package plan uses (the cached one, else the built-in profile's):
    // the lab's (ladders.json), one `kernels measure` put in the cache, or none yet
    const pkg = c ? `${c.package} ${c.version}` : profilePackage;
    const ladder = (OOM_LADDERS[k.id] ?? []).some((l) => l.package === pkg)
      ? 'lab'
      : cached.some((l) => l.package === pkg)
        ? 'cache'
        : undefined;
    return {
      id: k.id,
      arch: k.arch,
      debArch: k.debArch,
      core: k.core,
      fetched: !!c,
      package: c?.package,
      version: c?.version,
      pageSize: c?.pageSize,
      lpae: c?.lpae,
      cmaSizeMbytes: c?.cmaSizeMbytes,
      // the package the built-in profile states (and the lab's records were made on); a cached
      // newer one is planned from its own files (profileForPackage)
      profilePackage,
      stubSystemMap: !!c?.systemMap && isStubSystemMap(c.systemMap),
      ...(ladder ? { ladder } : {}),
    };
  });
  const builds = storedKernelNames();
  // the out-of-memory ladders measured into the cache (carveout kernels measure)
  const ladders = cached.map((l) => {
    const blocks = blocksBounds(l);
    return { build: l.package, sha256: l.sha256, date: l.date, ...measuredBounds(l), ...(blocks ? { blocks } : {}) };
  });
  if (json) {
    process.stdout.write(JSON.stringify({ cache: cacheDir(), kernels: rows, builds, ladders }, null, 2) + '\n');
    return 0;
  }
  process.stdout.write(`kernels (cache: ${cacheDir()}):\n`);
  for (const r of rows) {
    process.stdout.write(
      `  ${r.id.padEnd(16)} ${r.debArch.padEnd(6)} ${r.fetched ? `${r.package} ${r.version}, page ${r.pageSize! / 1024}K${r.lpae ? ', LPAE' : ''}, CMA ${r.cmaSizeMbytes} MiB` : `not fetched (built-in profile: ${r.profilePackage})`}${r.core ? '' : '  (extra)'}${r.fetched && r.profilePackage !== `${r.package} ${r.version}` ? `  (built-in profile: ${r.profilePackage}; ${r.stubSystemMap ? `Debian's stub System.map: 'kernels fetch ${r.id}' gets the real one to read this package's own facts` : "this package's own facts are read from its files"})` : ''}${r.ladder === 'lab' ? '' : r.ladder === 'cache' ? '  (out-of-memory ladder: measured into the cache)' : `  (no out-of-memory ladder: 'kernels measure ${r.id}' measures it)`}\n`,
    );
  }
  if (builds.length) process.stdout.write(`own builds (carveout kernels add): ${builds.join(', ')}\n`);
  for (const l of ladders)
    process.stdout.write(
      `out-of-memory ladder (carveout kernels measure, ${l.date?.slice(0, 10) ?? '?'}): ${l.build}: died with ${l.died ?? '?'} KiB free at most, reached /init with ${l.lived ?? '?'} KiB at least${l.blocks ? `; ${blocksText(l.blocks)}` : ''}\n`,
    );
  return 0;
}

/** A fragment ladder's bounds (oom.ts blocksBounds) as kernels measure and kernels print them. */
function blocksText(b: { lived?: number; died?: number }): string {
  return `died with ${b.died ?? '?'} free 2 MiB blocks at most, reached /init with ${b.lived ?? '?'} at least`;
}

/** `kernels add NAME --kernel-config FILE --system-map FILE`: exit 0 stored, 2 bad input. */
function add(argv: string[]): number {
  const usage = (msg: string): number => {
    process.stderr.write(`carveout kernels add: ${msg}\n${USAGE}\n`);
    return 2;
  };
  const a = parseCommandArgs(argv, { '--kernel-config': 'a file', '--system-map': 'a file' }, { max: 1, tooMany: 'one NAME' });
  if ('error' in a) return usage(a.error);
  const [name] = a.positionals;
  const config = a.values['--kernel-config'];
  const map = a.values['--system-map'];
  if (!name || !config || !map) return usage('NAME, --kernel-config and --system-map are required');
  const r = addKernel(name, config, map, profileIds);
  for (const d of r.diagnostics) process.stderr.write(renderDiagnostic(d) + '\n');
  if (!r.profile) return 2;
  const p = r.profile;
  process.stdout.write(
    `${name}: Linux ${p.version} layer, ${p.arch}, page ${p.pageSize / 1024}K, CMA ${p.cmaSizeMBytes} MiB; use --kernel ${name}\n`,
  );
  return 0;
}

/**
 * `kernels facts [ID...] [--dir DIR]`: for each lab kernel with records in DIR, fetch every package
 * they were made on and store its build facts in DIR/<ID>.build.json. Exit 0 all stored, 1 a
 * package could not be had, 2 bad input.
 */
async function facts(argv: string[]): Promise<number> {
  const usage = (msg: string): number => {
    process.stderr.write(`carveout kernels facts: ${msg}\n${USAGE}\n`);
    return 2;
  };
  const a = parseCommandArgs(argv, { '--dir': 'a directory' });
  if ('error' in a) return usage(a.error);
  const dir = a.values['--dir'] ?? labDataDir;
  const ids = a.positionals;
  const unknown = ids.find((id) => !labKernels.some((k) => k.id === id));
  if (unknown !== undefined) return usage(`unknown kernel '${unknown}'`);
  const recorded = recordedKernels(dir).filter((id) => labKernels.some((k) => k.id === id));
  if (!recorded.length) return usage(`no lab records in ${dir}`);
  const report = { fetched: [], notFound: [], errors: [], log: [] };
  let failed = 0;
  for (const id of ids.length ? ids : recorded) {
    if (!recorded.includes(id)) {
      process.stderr.write(`${id}: no records in ${dir}\n`);
      failed++;
      continue;
    }
    for (const s of await storeRecordedFacts(id, dir, report)) {
      if (s.error) {
        failed++;
        process.stderr.write(`${id}: ${s.package}: ${s.error}\n`);
      } else process.stdout.write(`${id.padEnd(16)} ${s.package}: ${s.summary} -> ${s.file}\n`);
      for (const w of s.warnings ?? []) process.stderr.write(`${w}\n`);
    }
  }
  for (const l of [...report.log, ...report.notFound, ...report.errors]) process.stderr.write(`${l}\n`);
  return failed ? 1 : 0;
}

/**
 * `kernels measure ID|NAME …`: the out-of-memory ladder of one build (memory-ladder.ts
 * measureLadder), into the kernel cache, or with --lab into data/lab/ladder (with the package's
 * build facts and ladders.json). A separate command, not a `fetch` option: a ladder is up to
 * --boots QEMU boots (minutes) per build, and an own build is never fetched. Exit 0 measured,
 * 1 nothing measured (no QEMU, the package not fetched, no boot told), 2 bad input.
 */
async function measure(argv: string[]): Promise<number> {
  const usage = (msg: string): number => {
    process.stderr.write(`carveout kernels measure: ${msg}\n${USAGE}\n`);
    return 2;
  };
  const a = parseCommandArgs(
    argv,
    {
      '--lab': true,
      '--package': 'a value',
      '--boots': 'a value',
      '--timeout': 'a value',
      '--kernel-image': 'a value',
      '--smp': 'a value',
    },
    { max: 1, tooMany: 'one ID or NAME' },
  );
  if ('error' in a) return usage(a.error);
  const [name] = a.positionals;
  const opt = a.values;
  const lab = a.switches.has('--lab');
  if (!name) return usage('an ID (carveout kernels) or a NAME stored by kernels add');
  const boots = Number(opt['--boots'] ?? DEFAULT_LADDER_BUDGET.boots);
  const timeout = Number(opt['--timeout'] ?? 60);
  if (!Number.isInteger(boots) || boots < 1) return usage(`--boots ${opt['--boots']}: a whole number of boots, at least 1`);
  if (!(timeout > 0)) return usage(`--timeout ${opt['--timeout']}: seconds, more than 0`);
  const cpus = Number(opt['--smp'] ?? 1);
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > VIRT_MAX_SMP)
    return usage(`--smp ${opt['--smp']}: a CPU count from 1 to ${VIRT_MAX_SMP}`);
  const isLab = labKernels.some((k) => k.id === name);
  if (isLab && opt['--kernel-image']) return usage(`${name} is a lab kernel: its image is its package's (--package picks another)`);
  if (!isLab && (opt['--package'] || lab)) return usage(`${name}: --package and --lab are for lab kernels`);
  const build = isLab ? labBuild(name, opt['--package']) : ownBuild(name, opt['--kernel-image']);
  if ('usage' in build) return usage(build.usage);
  if ('error' in build) {
    process.stderr.write(`carveout kernels measure: ${build.error}\n`);
    return 1;
  }
  const { k, label } = build;
  let { profile } = build;
  const missing = qemuAvailable(profile.arch);
  if (missing) {
    process.stderr.write(`carveout kernels measure: ${missing}\n`);
    return 1;
  }
  if (!isLab && profile.filesSha256 && !existsSync(ownMeasuredPath(profile.filesSha256))) {
    // what no file states, from one boot of the build itself, before the ladder: its steps are
    // planned with these sizes (a lab kernel's come from its records or kernels fetch's boot)
    process.stdout.write(`${label}: measuring what its files do not state (one boot, nice 10)\n`);
    const m = await measureOwnBuild(k, profile, label);
    for (const d of m.diagnostics) process.stderr.write(renderDiagnostic(d) + '\n');
    if (m.measured) {
      process.stdout.write(`  measured: ${m.measured.sizes.map((x) => `${x.name} ${x.value}`).join(', ')} -> ${m.file}\n`);
      const again = storedKernel(name)?.profile;
      if (again) profile = again;
    }
  }
  process.stdout.write(
    `${label}: measuring its out-of-memory ladder${cpus > 1 ? ` with ${cpus} CPUs` : ''} (at most ${boots} boots, nice 10)\n`,
  );
  const common = {
    budget: { boots },
    cpus,
    timeoutMs: timeout * 1000,
    progress: (l: string) => process.stdout.write(`  ${l}\n`),
  };
  let r: { ladder?: OomLadder; booted: number; error?: string; file?: string };
  if (lab) {
    const source = `data/lab/ladder/${k.id}.jsonl.gz`;
    r = await measureLadder(k, profile, { ...common, dir: ladderDir, source });
    if (r.ladder) {
      // the package's facts beside the lab's records, so the ladder's boots replay with its profile
      // and its files find the ladder (their sha256); sizes already stored for it are kept
      const kept = factsOfPackage(k.id, bootedPackage(k))?.measured;
      const measured = kept ?? (await ensureMeasured(k)).measured;
      const facts = packageFacts(k, measured);
      if (facts.excerpt) writeBuildFacts(k.id, measured ? { ...facts.excerpt, measured } : facts.excerpt, labDataDir);
      writeFileSync(ladderTableFile, ladderTable());
      r = { ...r, file: ladderTableFile };
    }
  } else r = await measureLadderToCache(k, profile, label, common);
  if (r.error) process.stderr.write(`carveout kernels measure: ${r.error}\n`);
  if (!r.ladder) {
    process.stderr.write(`carveout kernels measure: ${label}: no boot told how much memory it needs (${r.booted} booted)\n`);
    return 1;
  }
  const b = measuredBounds(r.ladder, cpus);
  process.stdout.write(
    `${label}: ${r.ladder.steps.length} steps (${r.booted} booted now)${cpus > 1 ? `, with ${cpus} CPUs` : ''}: died with ${b.died ?? '?'} KiB free at most, reached /init with ${b.lived ?? '?'} KiB at least -> ${r.file}\n`,
  );
  // 7.2's bio_integrity_initfn pool (oom.ts integrityBufPool): the fragment boots with this CPU count
  const fb = blocksBounds(r.ladder, cpus);
  if (fb)
    process.stdout.write(
      `${label}: ${(r.ladder.fragments ?? []).filter((x) => (x.cpus ?? 1) === cpus).length} fragment boots: ${blocksText(fb)}\n`,
    );
  return 0;
}

type MeasuredBuild = { k: KernelInfo; profile: KernelProfile; label: string } | { usage: string } | { error: string };

/** A lab kernel's package to measure: the cached one (fetched when absent), or `--package` (`builtin`: the built-in profile's). */
function labBuild(id: string, pkg: string | undefined): MeasuredBuild {
  const def = findKernelDef(id)!;
  if (pkg !== undefined && pkg !== 'builtin' && packageSuite(def, pkg) === undefined)
    return { usage: `${pkg} is not a package of ${id} (${packagePatterns(def)})` };
  const rep: FetchReport = pkg === undefined ? fetchKernels([id]) : { fetched: [], notFound: [], errors: [], log: [] };
  const k = pkg === undefined ? rep.fetched[0] : pkg === 'builtin' ? fetchBuiltinRelease(id, rep) : fetchRelease(id, pkg, rep);
  if (!k) return { error: `${id}: ${pkg ?? 'the package'} not fetched: ${[...rep.notFound, ...rep.errors].join('; ')}` };
  const { profile, note } = profileForPackage(k);
  if (!profile) return { error: note ?? `${id}: no profile of ${bootedPackage(k)}` };
  // the built-in profile of the package is named by its files as the one built from them is
  const filesSha256 = profile.filesSha256 ?? buildFilesSha256(readFileSync(k.config, 'utf8'), readFileSync(k.systemMap, 'utf8'));
  return { k, profile: { ...profile, filesSha256 }, label: bootedPackage(k) };
}

/** An own build stored by `kernels add` with the image that goes with it. */
function ownBuild(name: string, image: string | undefined): MeasuredBuild {
  const files = storedKernelFiles(name);
  const built = storedKernel(name);
  if (!files || !built) return { usage: `'${name}' is neither a lab kernel nor a build stored by 'carveout kernels add'` };
  if (!image) return { usage: `${name}: --kernel-image FILE (the build's Image) is needed to boot it` };
  if (!built.profile) return { error: built.diagnostics.map((d) => renderDiagnostic(d)).join('\n') };
  return { k: ownKernelInfo(name, { image, ...files }, built.profile.arch), profile: built.profile, label: name };
}
