// carveout compile — dtc's command line (dtc.c main) over src/compile.ts. Thin: option parsing,
// reading/writing files, rendering diagnostics. Exit 0 ok, 2 on any error (usage, input, checks).
import { compileFile, guessInputFormat, type CompileOptions } from '../../compile.js';
import { renderDiagnostic, sourceReader, type Diagnostic } from '../../diagnostics.js';
import { writeOutputFile } from '../output.js';
import { CHECK_TABLE, type CheckFlag } from '../../tree/checks.js';

const USAGE = `usage: carveout compile [options] <input file>

Compile a device tree like dtc (Debian's dtc 1.6.1 is the reference), with the C preprocessor
built in for DTS input.

  -o, --out <file>          output file (default or '-': stdout; binary is not written to a terminal)
  -d, --out-dependency <f>  write a make dependency line (output: every file read)
  -I, --in-format <fmt>     dts or dtb (default: guessed from the file's magic and name)
  -O, --out-format <fmt>    dtb or dts (default: from the output name, else dtb for dts input, dts for dtb)
  -i, --include <dir>       search path for #include and /include/ (repeatable)
  -D <name[=value]>         define a macro for the preprocessor
      --no-cpp              do not run the C preprocessor (plain dtc input)
  -V, --out-version <n>     blob version (default 17)
  -R, --reserve <n>         extra memory reservation entries
  -S, --space <bytes>       make the blob at least this long
  -p, --pad <bytes>         add padding to the blob
  -a, --align <bytes>       align the blob size (power of 2)
  -b, --boot-cpu <n>        boot CPU physical id for the header
  -f, --force               write output even if the tree has errors
  -s, --sort                sort nodes and properties
  -H, --phandle <style>     legacy, epapr (default) or both
  -W, --warning <[no-]name> enable/disable a check as a warning
  -E, --error <[no-]name>   enable/disable a check as an error
  -@, --symbols             generate __symbols__
  -A, --auto-alias          generate aliases from labels
      --kernel-warnings     start from the kernel build's switches (-Wno-unit_address_vs_reg, ...)
  -q, --quiet               -q hides warnings, -qq errors from checks too
      --list-checks         list dtc's checks with their default level and prerequisites
  -h, --help                this help
`;

/**
 * C strtol(s, NULL, 0): optional sign, 0x hex, leading-0 octal, else decimal; stops at junk and
 * saturates at the 64-bit long range.
 */
function strtol(s: string): bigint {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*)?/.exec(s)!;
  const digits = m[2];
  if (!digits || /^0[xX]$/.test(digits)) return 0n;
  const v = digits.startsWith('0') && !/^0[xX]/.test(digits) ? BigInt('0o' + digits.slice(1).padStart(1, '0')) : BigInt(digits);
  const LONG_MAX = (1n << 63n) - 1n;
  if (m[1] === '-') return -v < -LONG_MAX - 1n ? -LONG_MAX - 1n : -v;
  return v > LONG_MAX ? LONG_MAX : v;
}

/** strtol as a number (for -b, which dtc reads with strtoll). */
export function parseCNumber(s: string): number {
  return Number(strtol(s));
}

/**
 * dtc.c's `int n = strtol(optarg, NULL, 0)` for -V, -R, -S, -p and -a: the int keeps strtol's
 * low 32 bits, so `-R -1` and `-R 0xffffffff` are both -1 (no extra entries), `-p 0xffffffff`
 * is no padding and `-a 0x80000000` is -2147483648 (not a power of two).
 */
export function parseCInt(s: string): number {
  return Number(BigInt.asIntN(32, strtol(s)));
}

const SHORT_WITH_ARG = new Set(['I', 'O', 'o', 'V', 'd', 'R', 'S', 'p', 'a', 'b', 'i', 'H', 'W', 'E', 'D']);
const SHORT_FLAGS = new Set(['q', 'f', 's', '@', 'A', 'T', 'h', 'v']);
const LONG: Record<string, string> = {
  quiet: 'q',
  'in-format': 'I',
  out: 'o',
  'out-format': 'O',
  'out-version': 'V',
  'out-dependency': 'd',
  reserve: 'R',
  space: 'S',
  pad: 'p',
  align: 'a',
  'boot-cpu': 'b',
  force: 'f',
  include: 'i',
  sort: 's',
  phandle: 'H',
  warning: 'W',
  error: 'E',
  symbols: '@',
  'auto-alias': 'A',
  annotate: 'T',
  help: 'h',
  version: 'v',
  'no-cpp': 'no-cpp',
  'kernel-warnings': 'kernel-warnings',
  'list-checks': 'list-checks',
};

interface Parsed {
  opts: CompileOptions;
  input?: string;
  output: string;
  inFormat?: string;
  outFormat?: string;
  help?: boolean;
  version?: boolean;
  depfile?: string;
  listChecks?: boolean;
}

/** getopt_long over dtc's option string; returns an error message for bad usage. */
export function parseArgs(argv: string[]): Parsed | string {
  const opts: CompileOptions = { includeDirs: [], checkFlags: [], defines: {} };
  const out: Parsed = { opts, output: '-' };
  const positional: string[] = [];
  const flags: CheckFlag[] = [];
  let quiet = 0;
  const apply = (o: string, arg: string | undefined): string | undefined => {
    switch (o) {
      case 'I':
        out.inFormat = arg;
        break;
      case 'O':
        out.outFormat = arg;
        break;
      case 'o':
        out.output = arg!;
        break;
      case 'V':
        opts.version = parseCInt(arg!);
        break;
      case 'R':
        opts.reserve = parseCInt(arg!);
        break;
      case 'S':
        opts.space = parseCInt(arg!);
        break;
      case 'p':
        opts.padding = parseCInt(arg!);
        break;
      case 'a': {
        const a = parseCInt(arg!);
        if (a <= 0 || (a & (a - 1)) !== 0) return `Invalid argument "${a}" to -a option`;
        opts.align = a;
        break;
      }
      case 'b':
        opts.bootCpuid = parseCNumber(arg!);
        break;
      case 'i':
        opts.includeDirs!.push(arg!);
        break;
      case 'D': {
        const eq = arg!.indexOf('=');
        if (eq < 0) opts.defines![arg!] = '1';
        else opts.defines![arg!.slice(0, eq)] = arg!.slice(eq + 1);
        break;
      }
      case 'H':
        if (arg !== 'legacy' && arg !== 'epapr' && arg !== 'both') return `Invalid argument "${arg}" to -H option`;
        opts.phandleStyle = arg;
        break;
      case 'W':
        flags.push({ kind: 'W', name: arg! });
        break;
      case 'E':
        flags.push({ kind: 'E', name: arg! });
        break;
      case 'q':
        quiet++;
        break;
      case 'f':
        opts.force = true;
        break;
      case 's':
        opts.sort = true;
        break;
      case '@':
        opts.symbols = true;
        break;
      case 'A':
        opts.autoAliases = true;
        break;
      case 'no-cpp':
        opts.preprocess = false;
        break;
      case 'kernel-warnings':
        opts.kernelWarnings = true;
        break;
      case 'list-checks':
        out.listChecks = true;
        break;
      case 'h':
        out.help = true;
        break;
      case 'd':
        out.depfile = arg;
        break;
      case 'T':
        return 'option -T (annotate) is not supported';
      case 'v':
        out.version = true;
        break;
      default:
        return `unknown option '${o}'`;
    }
    return undefined;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const o = LONG[name];
      if (!o) return `unknown option '${a}'`;
      let arg: string | undefined;
      if (SHORT_WITH_ARG.has(o)) {
        arg = eq >= 0 ? a.slice(eq + 1) : argv[++i];
        if (arg === undefined) return `option '${a}' requires an argument`;
      }
      const err = apply(o, arg);
      if (err) return err;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const o = a[j]!;
        if (SHORT_WITH_ARG.has(o)) {
          const arg = j + 1 < a.length ? a.slice(j + 1) : argv[++i];
          if (arg === undefined) return `option '-${o}' requires an argument`;
          const err = apply(o, arg);
          if (err) return err;
          break;
        }
        if (!SHORT_FLAGS.has(o)) return `unknown option '-${o}'`;
        const err = apply(o, undefined);
        if (err) return err;
      }
      continue;
    }
    positional.push(a);
  }
  if (positional.length > 1) return 'missing files';
  out.input = positional[0] ?? '-';
  opts.checkFlags = flags;
  opts.quiet = quiet;
  if (opts.padding && opts.space) return "Can't set both -p and -S";
  return out;
}

/** dtc.c guess_type_by_name for the output name. */
function typeByName(name: string): string | undefined {
  if (name.endsWith('.dts')) return 'dts';
  if (name.endsWith('.yaml')) return 'yaml';
  if (name.endsWith('.dtbo') || name.endsWith('.dtb')) return 'dtb';
  return undefined;
}

export async function run(argv: string[]): Promise<number> {
  const p = parseArgs(argv);
  if (typeof p === 'string') {
    process.stderr.write(`carveout compile: ${p}\n${USAGE}`);
    return 2;
  }
  if (p.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (p.listChecks) {
    const level = { warn: 'warning', error: 'error', none: 'off' } as const;
    for (const c of CHECK_TABLE)
      process.stdout.write(
        `${c.name.padEnd(38)} ${(level[c.level] + (c.prereqs.length ? '  after ' + c.prereqs.join(', ') : '')).trimEnd()}\n`,
      );
    return 0;
  }
  if (p.version) {
    process.stdout.write('carveout compile 0.1.0 (compatible with DTC 1.6.1)\n');
    return 0;
  }
  const input = p.input!;
  if (input === '-') {
    process.stderr.write('carveout compile: reading from standard input is not supported; name the input file\n');
    return 2;
  }
  const inFormat = p.inFormat ?? guessInputFormat(input);
  if (inFormat !== 'dts' && inFormat !== 'dtb') {
    process.stderr.write(`carveout compile: Unknown input format "${inFormat}"\n`);
    return 2;
  }
  const outFormat = p.outFormat ?? typeByName(p.output) ?? (inFormat === 'dts' ? 'dtb' : 'dts');
  if (outFormat !== 'dts' && outFormat !== 'dtb') {
    process.stderr.write(`carveout compile: Unknown output format "${outFormat}" (supported: dtb, dts)\n`);
    return 2;
  }
  const toStdout = p.output === '-';
  if (toStdout && outFormat === 'dtb' && process.stdout.isTTY) {
    process.stderr.write('carveout compile: not writing a binary blob to a terminal; use -o FILE or redirect\n');
    return 2;
  }
  const opts: CompileOptions = { ...p.opts, inputFormat: inFormat, outputFormat: outFormat, outName: toStdout ? '<stdout>' : p.output };
  const r = compileFile(input, opts);

  const readSource = sourceReader();
  const quiet = opts.quiet ?? 0;
  const shown = (d: Diagnostic): boolean => d.severity === 'error' || quiet < 1;
  for (const d of r.diagnostics) if (shown(d)) process.stderr.write(renderDiagnostic(d, readSource) + '\n');
  if (r.failed === 'checks' && !r.diagnostics.some((d) => d.code === 'dtc-abort' || d.code === 'unknown-check'))
    process.stderr.write('ERROR: Input tree has errors, aborting (use -f to force output)\n');
  if (p.depfile) {
    // dtc.c: "<output>:" then " <file>" for every file it opened.
    const err = writeOutputFile(p.depfile, Buffer.from(`${p.output}:${(r.files ?? []).map((f) => ' ' + f).join('')}\n`, 'latin1'));
    if (err) {
      process.stderr.write(`carveout compile: dependency file: ${err}\n`);
      return 2;
    }
  }
  if (r.failed || (!r.dtb && r.dts === undefined)) return 2;

  const data = r.dtb ?? Buffer.from(r.dts!, 'latin1');
  if (toStdout) {
    process.stdout.write(data);
    return 0;
  }
  const err = writeOutputFile(p.output, data);
  if (err) {
    process.stderr.write(`carveout compile: ${err}\n`);
    return 2;
  }
  return 0;
}
