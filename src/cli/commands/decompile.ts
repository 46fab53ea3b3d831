// carveout decompile board.dtb [-o out.dts] — what `dtc -I dtb -O dts` does: read the blob
// (validating it as untrusted input), run dtc's checks through the compile pipeline, print DTS.
import { hasErrors, renderDiagnostic, type Diagnostic } from '../../diagnostics.js';
import { readDtb } from '../../fdt/reader.js';
import { writeOutputFile } from '../output.js';
import { readInputFile, whyUnreadable } from '../../input.js';
import { writeDts } from '../../fdt/dts-writer.js';

const USAGE = `usage: carveout decompile <board.dtb | -> [-o out.dts] [-f] [-q]

Prints the blob as DTS, as 'dtc -I dtb -O dts' does (same as 'carveout compile -I dtb -O dts').
  -o, --out FILE   write the DTS to FILE instead of standard output
  -f, --force      write output even if dtc's checks find errors
  -q, --quiet      fewer warnings (repeat for less)
  -h, --help       this help
Exit status: 0 ok, 2 bad usage, unreadable or corrupt blob, or check errors without -f.
`;

interface Decompiled {
  dts?: string;
  diagnostics: Diagnostic[];
}

/** The compile pipeline (src/compile.ts) when it loads; the bare reader + writer otherwise. */
async function decompile(bytes: Uint8Array, file: string, force: boolean, quiet: number): Promise<Decompiled> {
  let compile: typeof import('../../compile.js') | undefined;
  try {
    compile = await import('../../compile.js');
  } catch {
    compile = undefined;
  }
  if (compile) {
    const r = compile.compileString(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'), {
      fileName: file,
      inputFormat: 'dtb',
      outputFormat: 'dts',
      force,
      quiet,
    });
    return { dts: r.dts, diagnostics: r.diagnostics };
  }
  const r = readDtb(bytes, file);
  return { dts: r.tree ? writeDts(r.tree) : undefined, diagnostics: r.diagnostics };
}

export async function run(argv: string[]): Promise<number> {
  let input: string | undefined;
  let out: string | undefined;
  let force = false;
  let quiet = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') {
      process.stdout.write(USAGE);
      return 0;
    } else if (a === '-o' || a === '--out') {
      out = argv[++i];
      if (out === undefined) return usage('-o needs a file name');
    } else if (a.startsWith('--out=')) {
      out = a.slice(6);
    } else if (a === '-f' || a === '--force') {
      force = true;
    } else if (a === '-q' || a === '--quiet') {
      quiet++;
    } else if (a !== '-' && a.startsWith('-')) {
      return usage(`unknown option '${a}'`);
    } else if (input === undefined) {
      input = a;
    } else {
      return usage(`more than one input ('${input}', '${a}')`);
    }
  }
  if (input === undefined) return usage('no input blob given');

  let bytes: Uint8Array;
  const file = input === '-' ? '<stdin>' : input;
  try {
    bytes = readInputFile(input);
  } catch (e) {
    process.stderr.write(`carveout decompile: cannot read '${input}': ${whyUnreadable(e)}\n`);
    return 2;
  }

  const r = await decompile(bytes, file, force, quiet);
  for (const d of r.diagnostics) process.stderr.write(renderDiagnostic(d) + '\n');
  if (r.dts === undefined) return 2;
  // Names read from a blob are latin1 strings (one char per byte): write them back byte for byte.
  const text = Buffer.from(r.dts, 'latin1');
  if (out !== undefined) {
    const err = writeOutputFile(out, text);
    if (err) {
      process.stderr.write(`carveout decompile: ${err}\n`);
      return 2;
    }
  } else {
    process.stdout.write(text);
  }
  return hasErrors(r.diagnostics) ? 1 : 0;
}

function usage(msg: string): number {
  process.stderr.write(`carveout decompile: ${msg}\n${USAGE}`);
  return 2;
}
