// carveout plan board.dts|board.dtb --kernel ID [--bootargs ".."] [--ram SIZE] [--platform qemu-virt]
//   [--initrd-size SIZE] [--reserve NAME@ADDR+SIZE]... [--handlers FILE]... [--format text|json]
// Thin: parse flags, load the tree, call plan(), print. Exit 0/1/2 as PlanResult.exitCode says.
import { readFileSync, existsSync } from 'node:fs';
import type { Tree } from '../../tree/types.js';
import { diag, renderDiagnostic, type Diagnostic } from '../../diagnostics.js';
import { plan, resolveProfile, type PlanOptions } from '../../kernel/plan.js';
import { loadHandlers, type ReservedMemHandler } from '../../kernel/handler-api.js';
import { formatPlanText } from '../../report/plan-text.js';
import { formatPlanJson } from '../../report/plan-json.js';
import { readDtb } from '../../fdt/reader.js';
import { compileFile, guessInputFormat } from '../../compile.js';
import { parseSize, type EarlyParam } from '../../kernel/cmdline.js';
import { readFdt, writeFdt } from '../../verify/fdt-lite.js';
import { mergeBoard, virtDtb } from '../../verify/qemu.js';
import { memorySize, parseReserve, VIRT_DEFAULT_RAM } from '../../platform/index.js';

const usage = `usage: carveout plan board.dts|board.dtb --kernel ID [options]
  --kernel ID           6.1-arm64, 6.12-arm64, 6.12-arm64-16k, 6.12-arm64-64k, 6.1-armmp, 6.1-armmp-lpae
  --bootargs "..."      kernel command line (default: the tree's /chosen/bootargs)
  --ram SIZE            RAM size (64M, 0x4000000, 1G)
  --platform qemu-virt  model QEMU's virt board (kernel, initrd, DTB placement)
  --initrd-size SIZE    initrd size for --platform qemu-virt
  --reserve NAME@ADDR+SIZE   an early reservation made before the kernel scans the tree (repeatable)
  --handlers FILE       reserved-memory handlers and early parameters (.ts/.js): declareReservedMem()
                        entries are tried after the kernel's own, declareEarlyParam() ones run as
                        board code's early_param (repeatable)
  -I DIR                include directory for DTS input (repeatable)
  --format text|json`;

export { parseSize };

/**
 * What QEMU would boot for `--platform qemu-virt`: the board's /reserved-memory, /memreserve/ and
 * memory-region users merged into QEMU's own virt tree for this RAM size (src/verify/qemu.ts
 * mergeBoard, the lab's recipe), as a blob. The kernel's early allocations (unflattening the tree)
 * and QEMU's DTB reservation depend on that blob, so the default CMA area and crashkernel= land
 * where the real boot puts them. Falls back to the board tree (with a note) when QEMU is missing.
 */
export function qemuVirtInput(
  boardDtb: Uint8Array,
  arch: 'arm64' | 'arm',
  ram: bigint,
): { tree?: Tree; dtb?: Uint8Array; bootargs?: string; diagnostics: Diagnostic[] } {
  const note = (m: string) => diag('note', 'qemu-virt-tree', m);
  const board = readFdt(boardDtb);
  if (typeof board === 'string') return { diagnostics: [note(`board blob not merged into QEMU's tree: ${board}`)] };
  let base: ReturnType<typeof virtDtb>;
  try {
    base = virtDtb(arch, ram);
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return {
      diagnostics: [
        note(`planned on the board tree alone (QEMU's own virt tree is not available: ${why}); early allocations may differ slightly`),
      ],
    };
  }
  const merged = mergeBoard(base, board);
  const dtb = writeFdt(merged.tree);
  const r = readDtb(dtb, '<qemu-virt>');
  if (!r.tree) return { diagnostics: [note('merged QEMU tree unreadable; planned on the board tree alone')] };
  return { tree: r.tree, dtb, bootargs: merged.bootargs, diagnostics: merged.notes.map(note) };
}

export function loadTree(file: string, includeDirs: string[]): { tree?: Tree; diagnostics: Diagnostic[]; dtb?: Uint8Array } {
  const at = { file, line: 0, column: 0, endLine: 0, endColumn: 0 };
  if (!existsSync(file)) return { diagnostics: [diag('error', 'file-not-found', `cannot open '${file}'`, at)] };
  if (guessInputFormat(file) === 'dtb') {
    const bytes = new Uint8Array(readFileSync(file));
    const r = readDtb(bytes, file);
    return r.tree ? { tree: r.tree, diagnostics: r.diagnostics, dtb: bytes } : { diagnostics: r.diagnostics };
  }
  // DTS: preprocess, parse, dtc's checks and fix-ups (phandles for memory-region), and the blob the
  // kernel would be given (its size is what early_init_fdt_reserve_self reserves).
  const r = compileFile(file, { includeDirs });
  if (!r.tree || r.failed) return { diagnostics: r.diagnostics };
  return { tree: r.tree, diagnostics: r.diagnostics, ...(r.dtb ? { dtb: r.dtb } : {}) };
}

export async function run(argv: string[]): Promise<number> {
  let file: string | undefined;
  let format = 'text';
  const includeDirs: string[] = [];
  const handlerFiles: string[] = [];
  const opts: Partial<PlanOptions> & { reserve: NonNullable<PlanOptions['reserve']> } = { reserve: [] };
  let kernel: string | undefined;
  const bad = (msg: string): number => {
    process.stderr.write(`carveout plan: ${msg}\n${usage}\n`);
    return 2;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const flagName = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const inline = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : undefined;
    const value = (): string | undefined => (inline !== undefined ? inline : argv[++i]);
    switch (flagName) {
      case '-h':
      case '--help':
        process.stdout.write(usage + '\n');
        return 0;
      case '--kernel':
        kernel = value();
        break;
      case '--bootargs': {
        const v = value();
        if (v === undefined) return bad('--bootargs needs a value');
        opts.bootargs = v;
        break;
      }
      case '--ram':
      case '--initrd-size': {
        const v = value();
        const n = v === undefined ? undefined : parseSize(v);
        if (n === undefined) return bad(`${flagName} needs a size like 64M, 0x4000000 or 1048576`);
        if (flagName === '--ram') opts.ram = n;
        else opts.initrdSize = n;
        break;
      }
      case '--platform': {
        const v = value();
        if (v !== 'qemu-virt') return bad(`unknown platform '${v ?? ''}' (known: qemu-virt)`);
        opts.platform = v;
        break;
      }
      case '--reserve': {
        const v = value();
        const r = parseReserve(v ?? '');
        if ('severity' in r) return bad(r.message);
        opts.reserve.push(r);
        break;
      }
      case '--handlers': {
        const v = value();
        if (!v) return bad('--handlers needs a file');
        handlerFiles.push(v);
        break;
      }
      case '-I': {
        const v = value();
        if (!v) return bad('-I needs a directory');
        includeDirs.push(v);
        break;
      }
      case '--format': {
        const v = value();
        if (v !== 'text' && v !== 'json') return bad(`unknown format '${v ?? ''}'`);
        format = v;
        break;
      }
      default:
        if (a.startsWith('-')) return bad(`unknown option '${a}'`);
        if (file) return bad('only one input file');
        file = a;
    }
  }
  if (!file) return bad('no input file');
  if (!kernel) return bad('--kernel is required');
  if (!resolveProfile(kernel)) return bad(`unknown kernel '${kernel}'`);

  const diagnostics: Diagnostic[] = [];
  const handlers: ReservedMemHandler[] = [];
  const earlyParams: EarlyParam[] = [];
  for (const f of handlerFiles) {
    const r = await loadHandlers(f);
    handlers.push(...r.handlers);
    earlyParams.push(...r.earlyParams);
    diagnostics.push(...r.diagnostics);
  }
  const loaded = loadTree(file, includeDirs);
  diagnostics.push(...loaded.diagnostics);
  const readSource = (f: string): string | undefined => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      return undefined;
    }
  };
  if (!loaded.tree || diagnostics.some((d) => d.severity === 'error')) {
    if (format === 'json') process.stdout.write(JSON.stringify({ kernel, regions: [], log: [], diagnostics }, null, 2) + '\n');
    else for (const d of diagnostics) process.stderr.write(renderDiagnostic(d, readSource) + '\n');
    return 2;
  }
  if (opts.reserve.length === 0) delete (opts as Partial<PlanOptions>).reserve;
  let tree = loaded.tree;
  let dtb = loaded.dtb;
  const profile = resolveProfile(kernel)!;
  if (opts.platform === 'qemu-virt' && dtb) {
    const ram = opts.ram ?? (memorySize(tree) || VIRT_DEFAULT_RAM);
    const q = qemuVirtInput(dtb, profile.arch, ram);
    diagnostics.push(...q.diagnostics);
    if (q.tree && q.dtb) {
      tree = q.tree;
      dtb = q.dtb;
      opts.ram = ram;
      // QEMU's -append replaces /chosen/bootargs: the board's bootargs go there.
      if (opts.bootargs === undefined) opts.bootargs = q.bootargs ?? '';
    }
  }
  const result = plan(tree, { ...opts, kernel, handlers, earlyParams, ...(dtb ? { dtb } : {}) });
  result.diagnostics.unshift(...diagnostics);
  if (format === 'json') process.stdout.write(formatPlanJson(result));
  else if (result.exitCode === 2) {
    // The boot could not be modelled: only the reasons are worth printing.
    for (const d of result.diagnostics) process.stderr.write(renderDiagnostic(d, readSource) + '\n');
  } else process.stdout.write(formatPlanText(result, { physAddrBits: profile.physAddrBits, readSource }));
  return result.exitCode;
}
