// Reads a kernel source tree (a Debian linux-source-<series>.tar.xz, or a directory) and writes
// the names its boot-time parameters are registered under, by the symbol each registration leaves
// in System.map: src/kernel/versions/params/<series>.json. A build's own System.map then says
// which of them are built in (src/kernel/build/read.ts setupParams).
//
//   node --import tsx scripts/param-names.ts /usr/src/linux-source-6.12.tar.xz 6.12
//
// What is read (include/linux/init.h, include/linux/moduleparam.h, fs/proc/proc_sysctl.c):
// - `__setup("str", fn)` and `early_param("str", fn)`: both `__setup_param(str, fn, fn, early)`,
//   whose table entry is the symbol `__setup_<fn>` between `__setup_start` and `__setup_end`
//   (`early:str`; `refuses:str` for a __setup whose handler returns 0 whatever it is given);
//   `__setup_param(str, id, fn, early)` written out names its entry `__setup_<id>`;
// - `core_param(name, …)` (and `core_param_unsafe`): a `kernel_param` named `name` (no module
//   prefix), the symbol `__param_<name>` between `__start___param` and `__stop___param`;
// - 6.1+'s `sysctl_aliases[]`: names unknown_bootoption takes as sysctls.
// Other architectures' directories are skipped: the lab's are arm and arm64. A registration whose
// name is not a string literal (a macro) is counted, not read.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';

const [src, series] = process.argv.slice(2);
if (!src || !series) {
  console.error('usage: param-names.ts <linux-source tarball or directory> <series>');
  process.exit(2);
}

let root = src;
let tmp: string | undefined;
if (statSync(src).isFile()) {
  tmp = mkdtempSync(join(tmpdir(), 'param-names-'));
  const r = spawnSync(
    'tar',
    [
      '-xJf',
      src,
      '-C',
      tmp,
      '--wildcards',
      '--no-anchored',
      '--exclude=*/Documentation/*',
      '--exclude=*/tools/*',
      '--exclude=*/samples/*',
      '*.c',
      '*.h',
    ],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) process.exit(1);
  root = join(tmp, readdirSync(tmp)[0]!);
}

const OTHER_ARCH = (rel: string) => /^arch\/(?!arm\/|arm64\/)/.test(rel);
const files: string[] = [];
const walk = (d: string) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (/\.[ch]$/.test(e.name)) files.push(p);
  }
};
walk(root);

// entry id → [str, early], every registration of that id (an id two files use may name two strings)
const setup = new Map<string, Set<string>>();
const core = new Set<string>();
const aliases = new Set<string>();
let notLiteral = 0;
const add = (id: string, str: string, early: boolean, refuses = false) => {
  const s = setup.get(id) ?? new Set<string>();
  s.add(`${early ? 'early:' : refuses ? 'refuses:' : ''}${str}`);
  setup.set(id, s);
};
/**
 * A __setup handler (not an early one) whose every `return` returns 0: obsolete_checksetup goes on
 * and the word reaches init whatever it says (e.g. drivers/clk/imx's imx_keep_uart_clocks_param
 * under "earlycon" and "earlyprintk"). Read from the handler's body in the same file.
 */
const refusesAll = (text: string, fn: string): boolean => {
  const head = new RegExp(`\\b${fn}\\s*\\([^)]*\\)\\s*\\{`).exec(text);
  if (!head) return false;
  let depth = 0;
  let end = head.index + head[0].length - 1;
  for (; end < text.length; end++) {
    if (text[end] === '{') depth++;
    else if (text[end] === '}' && --depth === 0) break;
  }
  const returns = [...text.slice(head.index, end).matchAll(/\breturn\b\s*([^;]*);/g)].map((r) => r[1]!.trim());
  return returns.length > 0 && returns.every((r) => r === '0');
};
for (const f of files) {
  const rel = relative(root, f);
  if (OTHER_ARCH(rel) || rel.startsWith('include/linux/init.h') || rel.startsWith('include/linux/moduleparam.h')) continue;
  const text = readFileSync(f, 'latin1');
  if (!/__setup|early_param|core_param|sysctl_aliases/.test(text)) continue;
  for (const m of text.matchAll(/^[ \t]*(__setup|early_param)\(\s*("(?:[^"\\]|\\.)*"|[^,]+?)\s*,\s*(\w+)\s*\)/gm)) {
    if (!m[2]!.startsWith('"')) {
      notLiteral++;
      continue;
    }
    add(m[3]!, JSON.parse(m[2]!) as string, m[1] === 'early_param', m[1] === '__setup' && refusesAll(text, m[3]!));
  }
  for (const m of text.matchAll(/^[ \t]*__setup_param\(\s*("(?:[^"\\]|\\.)*"|[^,]+?)\s*,\s*(\w+)\s*,\s*(\w+)\s*,\s*([01])\s*\)/gm)) {
    if (!m[1]!.startsWith('"')) {
      notLiteral++;
      continue;
    }
    add(m[2]!, JSON.parse(m[1]!) as string, m[4] === '1', m[4] === '0' && refusesAll(text, m[3]!));
  }
  // a file's own wrapper: `#define w(str, func) … early_param(str, func##suffix)` (7.2 mm/hugetlb.c
  // hugetlb_early_param), used as `w("str", fn)`: the entry is `__setup_<fn><suffix>`
  for (const d of text.matchAll(/^#define[ \t]+(\w+)\((\w+),\s*(\w+)\)((?:[^\n]*\\\n)*[^\n]*)/gm)) {
    const call = new RegExp(`(__setup|early_param)\\(\\s*${d[2]}\\s*,\\s*${d[3]}\\s*##\\s*(\\w+)\\s*\\)`).exec(d[4]!);
    if (!call) continue;
    for (const u of text.matchAll(new RegExp(`^[ \\t]*${d[1]}\\(\\s*("(?:[^"\\\\]|\\\\.)*")\\s*,\\s*(\\w+)\\s*\\)`, 'gm')))
      add(`${u[2]}${call[2]}`, JSON.parse(u[1]!) as string, call[1] === 'early_param');
  }
  for (const m of text.matchAll(/^[ \t]*core_param(?:_unsafe)?\(\s*(\w+)\s*,/gm)) core.add(m[1]!);
  const block = /sysctl_aliases\[\]\s*=\s*\{([\s\S]*?)\n\};/.exec(text);
  if (block) for (const m of block[1]!.matchAll(/\{\s*"([^"]+)"\s*,\s*"[^"]+"\s*\}/g)) aliases.add(m[1]!);
}
if (tmp) rmSync(tmp, { recursive: true, force: true });

const sorted = [...setup.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
const out = {
  series,
  from: src.split('/').pop(),
  setup: Object.fromEntries(sorted.map(([id, s]) => [id, [...s].sort()])),
  core: [...core].sort(),
  sysctlAliases: [...aliases].sort(),
};
const dir = join(import.meta.dirname, '..', 'src', 'kernel', 'versions', 'params');
mkdirSync(dir, { recursive: true });
const file = join(dir, `${series}.json`);
writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
spawnSync('npx', ['biome', 'format', '--write', file], { stdio: 'inherit' }); // the repository's JSON style
console.log(
  `${series}: ${setup.size} __setup entries, ${core.size} core params, ${aliases.size} sysctl aliases; ${notLiteral} registrations with a macro name skipped`,
);
