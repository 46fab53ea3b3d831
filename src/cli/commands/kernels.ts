// carveout kernels            list the kernels the lab knows (and which are cached)
// carveout kernels fetch [ID...]   download + unpack them from Debian (default: the five core kernels);
//                                  a package the lab has no records of is measured by one boot
// carveout kernels add NAME --kernel-config FILE --system-map FILE   store an own build under NAME
// carveout kernels facts [ID...] [--dir DIR]   store the build facts of the packages DIR's records were made on
import { labKernels, cachedKernel, fetchKernels } from '../../verify/kernels.js';
import { cacheDir } from '../../cache.js';
import { splitOption } from '../args.js';
import { qemuAvailable } from '../../verify/qemu.js';
import { addKernel, storedKernelNames } from '../../kernel/build/store.js';
import { getProfile, profileIds } from '../../kernel/profiles/index.js';
import { isStubSystemMap } from '../../verify/debug-symbols.js';
import { renderDiagnostic } from '../../diagnostics.js';
import { ensureMeasured, profileForPackage, storeRecordedFacts } from '../../verify/build-facts.js';
import { labDataDir, recordedKernels } from '../../verify/records.js';

const USAGE = `usage: carveout kernels [--format text|json]
       carveout kernels fetch [ID...] [--all] [--refresh]
       carveout kernels add NAME --kernel-config FILE --system-map FILE
       carveout kernels facts [ID...] [--dir DIR]   (DIR: the lab records, default data/lab)
Kernels are Debian's (apt-get download + dpkg-deb), cached in $CARVEOUT_CACHE or $XDG_CACHE_HOME/carveout.`;

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (argv[0] === 'add') return add(argv.slice(1));
  if (argv[0] === 'facts') return facts(argv.slice(1));
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
  const rows = labKernels.map((k) => {
    const c = cachedKernel(k.id);
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
      profilePackage: getProfile(k.id)?.debianPackage,
      stubSystemMap: !!c?.systemMap && isStubSystemMap(c.systemMap),
    };
  });
  const builds = storedKernelNames();
  if (json) {
    process.stdout.write(JSON.stringify({ cache: cacheDir(), kernels: rows, builds }, null, 2) + '\n');
    return 0;
  }
  process.stdout.write(`kernels (cache: ${cacheDir()}):\n`);
  for (const r of rows) {
    process.stdout.write(
      `  ${r.id.padEnd(16)} ${r.debArch.padEnd(6)} ${r.fetched ? `${r.package} ${r.version}, page ${r.pageSize! / 1024}K${r.lpae ? ', LPAE' : ''}, CMA ${r.cmaSizeMbytes} MiB` : `not fetched (built-in profile: ${r.profilePackage})`}${r.core ? '' : '  (extra)'}${r.fetched && r.profilePackage !== `${r.package} ${r.version}` ? `  (built-in profile: ${r.profilePackage}; ${r.stubSystemMap ? `Debian's stub System.map: 'kernels fetch ${r.id}' gets the real one to read this package's own facts` : "this package's own facts are read from its files"})` : ''}\n`,
    );
  }
  if (builds.length) process.stdout.write(`own builds (carveout kernels add): ${builds.join(', ')}\n`);
  return 0;
}

/** `kernels add NAME --kernel-config FILE --system-map FILE`: exit 0 stored, 2 bad input. */
function add(argv: string[]): number {
  const usage = (msg: string): number => {
    process.stderr.write(`carveout kernels add: ${msg}\n${USAGE}\n`);
    return 2;
  };
  let name: string | undefined;
  const files: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const { name: flag, inline } = splitOption(argv[i]!);
    if (flag === '--kernel-config' || flag === '--system-map') {
      const v = inline ?? argv[++i];
      if (!v) return usage(`${flag} needs a file`);
      files[flag] = v;
    } else if (flag.startsWith('-')) return usage(`unknown option '${argv[i]}'`);
    else if (name !== undefined) return usage('one NAME');
    else name = flag;
  }
  const config = files['--kernel-config'];
  const map = files['--system-map'];
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
  let dir = labDataDir;
  const ids: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const { name, inline } = splitOption(argv[i]!);
    if (name === '--dir') {
      const v = inline ?? argv[++i];
      if (!v) return usage('--dir needs a directory');
      dir = v;
    } else if (name.startsWith('-')) return usage(`unknown option '${argv[i]}'`);
    else if (!labKernels.some((k) => k.id === name)) return usage(`unknown kernel '${name}'`);
    else ids.push(name);
  }
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
