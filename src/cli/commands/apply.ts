// carveout apply BASE OVERLAY... -o OUT — what `fdtoverlay -i BASE -o OUT OVERLAY...` does, byte
// for byte (src/overlay), with .dts/.dtso inputs compiled on the way (the base with -@).
import { existsSync, readFileSync } from 'node:fs';
import { hasErrors, renderDiagnostic } from '../../diagnostics.js';
import { applyOverlayFiles } from '../../overlay/load.js';
import { writeOutputFile } from '../output.js';
import { splitOption } from '../args.js';

const USAGE = `usage: carveout apply BASE.dtb|BASE.dts OVERLAY.dtbo|OVERLAY.dtso... -o OUT.dtb [-i DIR]... [-D NAME[=VALUE]]... [-v]

Applies the overlays in order to the base and writes the result, byte for byte what
'fdtoverlay -i BASE -o OUT OVERLAY...' (dtc 1.6.1) writes. DTS input is preprocessed and compiled
as the kernel build compiles it; a DTS base with -@ (its labels in /__symbols__, which overlays
referring to them need).
  -o, --out FILE   the output DTB (required)
  -i, -I DIR       include directory for DTS input (repeatable)
  -D NAME[=VALUE]  preprocessor macro for DTS input (repeatable)
  -v, --verbose    list what each overlay added or changed (on standard error)
  -h, --help       this help
Exit status: 0 applied, 2 bad usage, unreadable input or an overlay that does not apply.
`;

export async function run(argv: string[]): Promise<number> {
  const files: string[] = [];
  const includeDirs: string[] = [];
  const defines: Record<string, string> = {};
  let out: string | undefined;
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const { name, inline } = splitOption(a);
    const value = (): string | undefined => (inline !== undefined ? inline : argv[++i]);
    if (name === '-h' || name === '--help') {
      process.stdout.write(USAGE);
      return 0;
    } else if (name === '-o' || name === '--out') {
      out = value();
      if (out === undefined) return usage('-o needs a file name');
    } else if (name === '-i' || name === '-I') {
      const d = value();
      if (d === undefined) return usage(`${name} needs a directory`);
      includeDirs.push(d);
    } else if (name.startsWith('-D')) {
      const d = name.length > 2 ? name.slice(2) : value();
      if (!d) return usage('-D needs NAME[=VALUE]');
      const eq = d.indexOf('=');
      defines[eq < 0 ? d : d.slice(0, eq)] = eq < 0 ? '1' : d.slice(eq + 1);
    } else if (name === '-v' || name === '--verbose') {
      verbose = true;
    } else if (a.startsWith('-') && a !== '-') {
      return usage(`unknown option '${a}'`);
    } else files.push(a);
  }
  const [base, ...overlays] = files;
  if (base === undefined) return usage('no base given');
  if (overlays.length === 0) return usage('no overlay given');
  if (out === undefined) return usage('no output file given (-o)');

  const r = applyOverlayFiles(base, overlays, { includeDirs, defines });
  const source = (f: string): string | undefined => (existsSync(f) ? readFileSync(f, 'latin1') : undefined);
  for (const d of r.diagnostics) process.stderr.write(renderDiagnostic(d, source) + '\n');
  if (!r.blob || hasErrors(r.diagnostics)) return 2;
  if (verbose) {
    for (const c of r.changes)
      process.stderr.write(`${c.overlay}: ${c.fragment}: ${c.kind} ${c.path}${c.property !== undefined ? `:${c.property}` : ''}\n`);
  }
  const err = writeOutputFile(out, r.blob);
  if (err) {
    process.stderr.write(`carveout apply: ${err}\n`);
    return 2;
  }
  return 0;
}

function usage(msg: string): number {
  process.stderr.write(`carveout apply: ${msg}\n${USAGE}`);
  return 2;
}
