// carveout plan board.dts|board.dtb --kernel ID [--bootargs ".."] [--ram SIZE] [--platform qemu-virt]
//   [--initrd-size SIZE] [--reserve NAME@ADDR+SIZE]... [--handlers FILE]... [--format text|json]
// Thin: argv → options → loadBoard + plan (the library) → report. Exit 0/1/2 as PlanResult.exitCode says.
import { splitOption } from '../args.js';
import { readFileSync } from 'node:fs';
import { renderDiagnostic, type Diagnostic } from '../../diagnostics.js';
import { plan, resolveProfile, type PlanResult } from '../../kernel/plan.js';
import { loadHandlers, type ReservedMemHandler } from '../../kernel/handler-api.js';
import { formatPlanText } from '../../report/plan-text.js';
import { formatPlanJson } from '../../report/plan-json.js';
import { memparse, parseSize, type EarlyParam } from '../../kernel/cmdline.js';
import { loadBoard, type LoadBoardOptions } from '../../board.js';
import { parseReserve, type ExtraReservation } from '../../platform/index.js';
import { SIZE_HELP } from '../sizes.js';
import { profileIds } from '../../kernel/profiles/index.js';

const usage = `usage: carveout plan board.dts|board.dtb --kernel ID [options]
  --kernel ID           ${profileIds.join(', ')}
  --bootargs "..."      kernel command line (default: the tree's /chosen/bootargs)
  --ram SIZE            RAM size (64M, 0x4000000, 1G)
  --platform qemu-virt  model QEMU's virt board: the board's reserved memory merged into QEMU's own
                        tree, kernel, initrd and DTB placed as QEMU places them (default: the board alone)
  --initrd-size SIZE    initrd size for --platform qemu-virt
  --reserve NAME@ADDR+SIZE   an early reservation made before the kernel scans the tree (repeatable);
                        NAME kernel, initrd or dtb places those instead
  --handlers FILE       reserved-memory handlers and early parameters (.ts/.js): declareReservedMem()
                        entries are tried after the kernel's own, declareEarlyParam() ones run as
                        board code's early_param (repeatable)
  -I DIR                include directory for DTS input (repeatable)
  --format text|json
${SIZE_HELP}`;

export async function run(argv: string[]): Promise<number> {
  let file: string | undefined;
  let format = 'text';
  let kernel: string | undefined;
  let bootargs: string | undefined;
  const includeDirs: string[] = [];
  const handlerFiles: string[] = [];
  const reserve: ExtraReservation[] = [];
  const board: LoadBoardOptions = {};
  const bad = (msg: string): number => {
    process.stderr.write(`carveout plan: ${msg}\n${usage}\n`);
    return 2;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const { name: flagName, inline } = splitOption(a);
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
        bootargs = v;
        break;
      }
      case '--ram':
      case '--initrd-size': {
        const v = value();
        const t = v?.trim() ?? '';
        const n = parseSize(t);
        // memparse read all of it, parseSize refused: the value wraps past 64 bits.
        if (n === undefined && /^[0-9]/.test(t) && memparse(t).end === t.length)
          return bad(`${flagName} ${t}: too large (sizes stop below 16E, 2^64 bytes)`);
        if (n === undefined) return bad(`${flagName} needs a size like 64M, 0x4000000 or 1048576`);
        if (flagName === '--ram' && n === 0n) return bad('--ram 0: a board needs some RAM');
        if (flagName === '--ram') board.ram = n;
        else board.initrdSize = n;
        break;
      }
      case '--platform': {
        const v = value();
        if (v !== 'qemu-virt') return bad(`unknown platform '${v ?? ''}' (known: qemu-virt)`);
        board.platform = v;
        break;
      }
      case '--reserve': {
        const r = parseReserve(value() ?? '');
        if ('severity' in r) return bad(r.message);
        reserve.push(r);
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
  const profile = resolveProfile(kernel);
  if (!profile) return bad(`unknown kernel '${kernel}'`);

  const handlers: ReservedMemHandler[] = [];
  const earlyParams: EarlyParam[] = [];
  const handlerDiagnostics: Diagnostic[] = [];
  for (const f of handlerFiles) {
    const r = await loadHandlers(f);
    handlers.push(...r.handlers);
    earlyParams.push(...r.earlyParams);
    handlerDiagnostics.push(...r.diagnostics);
  }
  const loaded = loadBoard(file, { ...board, includeDirs, arch: profile.arch, ...(reserve.length ? { reserve } : {}) });
  loaded.diagnostics.unshift(...handlerDiagnostics);
  const result = plan(loaded, { kernel, handlers, earlyParams, ...(bootargs !== undefined ? { bootargs } : {}) });
  report(result, format, profile.physAddrBits);
  return result.exitCode;
}

function report(result: PlanResult, format: string, physAddrBits: 32 | 64): void {
  const readSource = (f: string): string | undefined => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      return undefined;
    }
  };
  if (format === 'json') {
    process.stdout.write(formatPlanJson(result));
    return;
  }
  // Exit 2: the boot could not be modelled, only the reasons are worth printing.
  if (result.exitCode !== 2) process.stdout.write(formatPlanText(result, { physAddrBits }));
  for (const d of result.diagnostics) process.stderr.write(renderDiagnostic(d, readSource) + '\n');
}
