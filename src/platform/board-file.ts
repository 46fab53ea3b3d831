// A board's placement as a small JSON file (`--platform ./myboard.json`): its RAM banks, how it
// boots, where its boot loader puts things, its firmware's carve-outs and U-Boot environment or
// UEFI memory. The fields are loadBoard's own options (docs/boards.md shows the format); every
// problem is a diagnostic at the file's line and column.
import { CPU_NAMES } from './cpu.js';
import { diag, type Diagnostic, type Span } from '../diagnostics.js';
import { readInputFile, whyUnreadable } from '../input.js';
import { parseSize } from '../kernel/cmdline.js';
import { parseMemory, parseReserve, type Bank, type BootMethod, type ExtraReservation } from './layout.js';
import { UBOOT_ENV_NAMES, parseUbootEnv, type UBootEnv, type UBootOptee, type UBootOptions, type UBootPsci } from './u-boot.js';
import type { UefiOptions } from './uefi.js';
import { EFI_MEMORY_ATTRIBUTES, EFI_MEMORY_TYPES, type EfiBoot, type EfiMemoryDescriptor } from './efi-memmap.js';

/** What a platform file sets (the loadBoard options of the same names). */
export interface BoardFileOptions {
  platform?: 'board' | 'qemu-virt' | 'u-boot' | 'uefi';
  boot?: BootMethod;
  /** The arm64 boot CPU (a name of cpu.ts), when the tree's /cpus does not say it. */
  cpu?: string;
  ram?: bigint;
  memory?: Bank[];
  kernelAt?: bigint;
  dtbAt?: bigint;
  initrd?: Bank;
  initrdSize?: bigint;
  reserve?: ExtraReservation[];
  uboot?: UBootOptions;
  uefi?: UefiOptions;
}

type Json =
  | { kind: 'object'; span: Span; entries: { key: string; keySpan: Span; value: Json }[] }
  | { kind: 'array'; span: Span; items: Json[] }
  | { kind: 'string'; span: Span; value: string }
  | { kind: 'number'; span: Span; text: string }
  | { kind: 'bool'; span: Span; value: boolean }
  | { kind: 'null'; span: Span };

class JsonError extends Error {
  constructor(
    message: string,
    readonly span: Span,
  ) {
    super(message);
  }
}

/** Objects and arrays nest at most this deep in a platform file. */
const MAX_JSON_DEPTH = 64;

/** RFC 8259 JSON with the source position of every value and key. */
function parseJson(text: string, file: string): Json {
  let i = 0;
  let line = 1;
  let col = 1;
  const here = (): Span => ({ file, line, column: col, endLine: line, endColumn: col + 1 });
  const advance = (n = 1) => {
    for (let k = 0; k < n; k++) {
      if (text[i] === '\n') {
        line++;
        col = 1;
      } else col++;
      i++;
    }
  };
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) advance();
  };
  const fail = (what: string): never => {
    throw new JsonError(i >= text.length ? `${what}, found the end of the file` : `${what}, found '${text[i]}'`, here());
  };
  const close = (s: Span): Span => ({ ...s, endLine: line, endColumn: col });
  // A platform file is a few levels deep; the bound keeps a hostile one from exhausting the stack.
  let depth = 0;
  const value = (): Json => {
    if (depth >= MAX_JSON_DEPTH) {
      ws();
      throw new JsonError(`nested deeper than ${MAX_JSON_DEPTH} levels`, here());
    }
    depth++;
    try {
      return valueAt();
    } finally {
      depth--;
    }
  };
  const valueAt = (): Json => {
    ws();
    const start = here();
    const c = text[i];
    if (c === '{') {
      advance();
      const entries: { key: string; keySpan: Span; value: Json }[] = [];
      ws();
      if (text[i] === '}') {
        advance();
        return { kind: 'object', span: close(start), entries };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a "key"');
        const k = value();
        if (k.kind !== 'string') fail('expected a "key"');
        ws();
        if (text[i] !== ':') fail("expected ':'");
        advance();
        entries.push({ key: k.kind === 'string' ? k.value : '', keySpan: k.span, value: value() });
        ws();
        if (text[i] === ',') {
          advance();
          continue;
        }
        if (text[i] === '}') {
          advance();
          return { kind: 'object', span: close(start), entries };
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      advance();
      const items: Json[] = [];
      ws();
      if (text[i] === ']') {
        advance();
        return { kind: 'array', span: close(start), items };
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ',') {
          advance();
          continue;
        }
        if (text[i] === ']') {
          advance();
          return { kind: 'array', span: close(start), items };
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') {
      advance();
      let s = '';
      for (;;) {
        if (i >= text.length || text[i] === '\n') fail('unterminated string');
        const d = text[i]!;
        if (d === '"') {
          advance();
          return { kind: 'string', span: close(start), value: s };
        }
        if (d === '\\') {
          const e = text[i + 1];
          const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
          if (e !== undefined && simple[e] !== undefined) {
            s += simple[e];
            advance(2);
          } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            s += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16));
            advance(6);
          } else fail('bad escape in string');
        } else {
          s += d;
          advance();
        }
      }
    }
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i));
    if (m) {
      advance(m[0].length);
      return { kind: 'number', span: close(start), text: m[0] };
    }
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, i)) {
        advance(word.length);
        return v === null ? { kind: 'null', span: close(start) } : { kind: 'bool', span: close(start), value: v };
      }
    }
    return fail('expected a value');
  };
  const v = value();
  ws();
  if (i < text.length) fail('expected the end of the file');
  return v;
}

const TOP_KEYS = [
  'platform',
  'boot',
  'cpu',
  'ram',
  'memory',
  'kernelAt',
  'dtbAt',
  'initrd',
  'initrdSize',
  'reserve',
  'uboot',
  'uefi',
] as const;

/** Read a platform file: its options, or the diagnostics that say what is wrong and where. */
export function loadBoardFile(path: string): { options?: BoardFileOptions; diagnostics: Diagnostic[] } {
  let text: string;
  try {
    text = new TextDecoder().decode(readInputFile(path));
  } catch (e) {
    return {
      diagnostics: [
        diag('error', 'file-not-found', `cannot open platform file '${path}': ${whyUnreadable(e)}`, {
          file: path,
          line: 0,
          column: 0,
          endLine: 0,
          endColumn: 0,
        }),
      ],
    };
  }
  let root: Json;
  try {
    root = parseJson(text, path);
  } catch (e) {
    if (e instanceof JsonError) return { diagnostics: [diag('error', 'platform-file-syntax', e.message, e.span)] };
    throw e;
  }
  const diagnostics: Diagnostic[] = [];
  const bad = (span: Span, message: string, hint?: string) => diagnostics.push(diag('error', 'platform-file', message, span, hint));
  const str = (v: Json, what: string): string | undefined => {
    if (v.kind === 'string') return v.value;
    if (v.kind === 'number' && /^[0-9]+$/.test(v.text)) return v.text;
    bad(v.span, `${what}: expected a string`);
    return undefined;
  };
  const size = (v: Json, what: string): bigint | undefined => {
    const s = str(v, what);
    if (s === undefined) return undefined;
    const n = parseSize(s);
    if (n === undefined) bad(v.span, `${what}: '${s}' is not an address or size (0x80000000, 512M, 2G)`);
    return n;
  };
  const banks = (v: Json, what: string): Bank[] | undefined => {
    const parts = v.kind === 'array' ? v.items : [v];
    const out: Bank[] = [];
    for (const p of parts) {
      const s = str(p, what);
      if (s === undefined) return undefined;
      const m = parseMemory(s);
      if (!Array.isArray(m)) {
        bad(p.span, `${what}: ${m.message.replace(/^--memory /, '')}`, m.hint);
        return undefined;
      }
      out.push(...m);
    }
    return out;
  };
  const oneBank = (w: Json, what: string): Bank | undefined => {
    const b = banks(w, what);
    if (b && b.length !== 1) bad(w.span, `${what}: expected one BASE+SIZE`);
    return b?.length === 1 ? b[0] : undefined;
  };
  const object = (v: Json, what: string, keys: readonly string[], f: (key: string, value: Json) => void) => {
    if (v.kind !== 'object') {
      bad(v.span, `${what}: expected an object`);
      return;
    }
    for (const e of v.entries) {
      if (!keys.includes(e.key)) bad(e.keySpan, `${what}: unknown key "${e.key}"`, `known: ${keys.join(', ')}`);
      else f(e.key, e.value);
    }
  };
  const o: BoardFileOptions = {};
  object(root, 'platform file', TOP_KEYS, (key, v) => {
    switch (key) {
      case 'platform': {
        const s = str(v, key);
        if (s === 'board' || s === 'qemu-virt' || s === 'u-boot' || s === 'uefi') o.platform = s;
        else if (s !== undefined) bad(v.span, `platform: unknown platform '${s}'`, 'known: board, qemu-virt, u-boot, uefi');
        break;
      }
      case 'boot': {
        const s = str(v, key);
        if (s === 'dt' || s === 'uefi') o.boot = s;
        else if (s !== undefined) bad(v.span, `boot: unknown boot method '${s}'`, 'known: dt, uefi');
        break;
      }
      case 'cpu': {
        const s = str(v, key);
        if (s !== undefined && CPU_NAMES.includes(s)) o.cpu = s;
        else if (s !== undefined) bad(v.span, `cpu: unknown CPU '${s}'`, `known: ${CPU_NAMES.join(', ')}`);
        break;
      }
      case 'ram':
      case 'kernelAt':
      case 'dtbAt':
      case 'initrdSize': {
        const n = size(v, key);
        if (n !== undefined) o[key] = n;
        break;
      }
      case 'memory': {
        const b = banks(v, key);
        if (b) o.memory = b;
        break;
      }
      case 'initrd': {
        const b = banks(v, key);
        if (b && b.length !== 1) bad(v.span, 'initrd: expected one ADDR+SIZE');
        else if (b) o.initrd = b[0]!;
        break;
      }
      case 'reserve': {
        const items = v.kind === 'array' ? v.items : [v];
        const out: ExtraReservation[] = [];
        for (const it of items) {
          const s = str(it, key);
          if (s === undefined) continue;
          const r = parseReserve(s);
          if ('severity' in r) bad(it.span, `reserve: ${r.message.replace(/^--reserve /, '')}`, r.hint);
          else out.push(r);
        }
        o.reserve = out;
        break;
      }
      case 'uboot': {
        const u: UBootOptions = {};
        object(v, 'uboot', ['env', 'reservedBase', 'imageSize', 'lmbMaxRegions', 'spinTable', 'psci', 'optee'], (k, w) => {
          if (k === 'lmbMaxRegions') {
            if (w.kind === 'number' && /^[1-9][0-9]{0,3}$/.test(w.text)) u.lmbMaxRegions = Number(w.text);
            else bad(w.span, 'uboot.lmbMaxRegions: expected a number of regions (CONFIG_LMB_MAX_REGIONS, 1..9999)');
            return;
          }
          if (k === 'reservedBase' || k === 'imageSize') {
            const n = size(w, `uboot.${k}`);
            if (n !== undefined) u[k] = n;
            return;
          }
          if (k === 'spinTable') {
            const b = oneBank(w, 'uboot.spinTable');
            if (b) u.spinTable = b;
            return;
          }
          if (k === 'psci') {
            const psci: Partial<UBootPsci> = {};
            object(w, 'uboot.psci', ['version', 'secure'], (pk, pv) => {
              if (pk === 'secure') {
                const b = oneBank(pv, 'uboot.psci.secure');
                if (b) psci.secure = b;
                return;
              }
              const ver = str(pv, 'uboot.psci.version');
              if (ver === '0.1' || ver === '0.2' || ver === '1.0') psci.version = ver;
              else if (ver !== undefined) bad(pv.span, `uboot.psci.version: '${ver}' is not 0.1, 0.2 or 1.0`);
            });
            if (psci.version) u.psci = { ...psci, version: psci.version };
            else if (w.kind === 'object' && !w.entries.some((e) => e.key === 'version'))
              bad(w.span, 'uboot.psci: needs "version" (0.1, 0.2 or 1.0)');
            return;
          }
          if (k === 'optee') {
            const op: Partial<UBootOptee> = { reserved: [] };
            object(w, 'uboot.optee', ['compatible', 'method', 'reserved'], (ok, ov) => {
              if (ok === 'reserved') {
                for (const it of ov.kind === 'array' ? ov.items : [ov]) {
                  const t = str(it, 'uboot.optee.reserved');
                  if (t === undefined) continue;
                  const r = parseReserve(t);
                  if ('severity' in r) bad(it.span, `uboot.optee.reserved: ${r.message.replace(/^--reserve /, '')}`, r.hint);
                  else op.reserved!.push(r);
                }
                return;
              }
              const t = str(ov, `uboot.optee.${ok}`);
              if (t !== undefined) op[ok === 'method' ? 'method' : 'compatible'] = t;
            });
            if (op.compatible !== undefined && op.method !== undefined)
              u.optee = { compatible: op.compatible, method: op.method, reserved: op.reserved ?? [] };
            else if (w.kind === 'object')
              bad(w.span, 'uboot.optee: needs "compatible" and "method" (what /firmware/optee has in U-Boot\'s DT)');
            return;
          }
          const env: UBootEnv = {};
          object(w, 'uboot.env', UBOOT_ENV_NAMES, (name, x) => {
            const s = str(x, `uboot.env.${name}`);
            if (s === undefined) return;
            const e = parseUbootEnv(`${name}=${s}`);
            if ('severity' in e) bad(x.span, e.message.replace(/^--uboot-env /, 'uboot.env: '));
            else env[e.name] = e.value;
          });
          u.env = env;
        });
        o.uboot = u;
        break;
      }
      case 'uefi': {
        const u: UefiOptions = {};
        const efi: EfiBoot = { memoryMap: [] };
        let efiGiven = false;
        object(
          v,
          'uefi',
          ['free', 'imageAt', 'imageSize', 'kernelFileSize', 'textOffset', 'rng', 'armVirtQemu', 'memoryMap', 'memoryMapAt', 'memattr'],
          (k, w) => {
            if (k === 'memoryMap') {
              efiGiven = true;
              if (w.kind !== 'array') return void bad(w.span, 'uefi.memoryMap: expected an array of descriptors');
              for (const [n, d] of w.items.entries()) {
                const what = `uefi.memoryMap[${n}]`;
                const md: Partial<EfiMemoryDescriptor> = { attribute: 0n };
                object(d, what, ['type', 'range', 'attributes'], (dk, dv) => {
                  if (dk === 'type') {
                    const t = str(dv, `${what}.type`);
                    const type = EFI_MEMORY_TYPES.find((x) => x === t);
                    if (type) md.type = type;
                    else if (t !== undefined) bad(dv.span, `${what}.type: unknown type '${t}'`, `known: ${EFI_MEMORY_TYPES.join(', ')}`);
                  } else if (dk === 'range') {
                    const b = oneBank(dv, `${what}.range`);
                    if (b) Object.assign(md, b);
                  } else {
                    const names = dv.kind === 'array' ? dv.items : [dv];
                    for (const a of names) {
                      const name = str(a, `${what}.attributes`);
                      const bit = name === undefined ? undefined : EFI_MEMORY_ATTRIBUTES[name];
                      if (bit !== undefined) md.attribute = (md.attribute ?? 0n) | bit;
                      else if (name !== undefined)
                        bad(
                          a.span,
                          `${what}.attributes: unknown attribute '${name}'`,
                          `known: ${Object.keys(EFI_MEMORY_ATTRIBUTES).join(', ')}`,
                        );
                    }
                  }
                });
                if (md.type === undefined || md.base === undefined || md.size === undefined || md.attribute === undefined)
                  bad(d.span, `${what}: needs "type" and "range" (and "attributes", the EFI_MEMORY_ bits: WB, RUNTIME, ...)`);
                else efi.memoryMap.push({ type: md.type, base: md.base, size: md.size, attribute: md.attribute });
              }
            } else if (k === 'memoryMapAt' || k === 'memattr') {
              efiGiven = true;
              const b = oneBank(w, `uefi.${k}`);
              if (b) efi[k === 'memattr' ? 'memattr' : 'mapAt'] = b;
            } else if (k === 'free') {
              const b = banks(w, 'uefi.free');
              if (b) u.free = b;
            } else if (k === 'imageAt' || k === 'imageSize' || k === 'kernelFileSize' || k === 'textOffset') {
              const n = size(w, `uefi.${k}`);
              if (n !== undefined) u[k] = n;
            } else if (w.kind === 'bool') u[k === 'rng' ? 'rng' : 'armVirtQemu'] = w.value;
            else bad(w.span, `uefi.${k}: expected true or false`);
          },
        );
        if (efiGiven && !efi.memoryMap.length)
          bad(v.span, 'uefi: memoryMapAt and memattr go with a non-empty memoryMap (the RAM the kernel gets)');
        else if (efiGiven) u.efi = efi;
        o.uefi = u;
        break;
      }
    }
  });
  return diagnostics.length ? { diagnostics } : { options: o, diagnostics };
}

/** A `--platform` value that names a platform file rather than a built-in platform. */
export function isBoardFile(platform: string): boolean {
  return platform.endsWith('.json');
}
