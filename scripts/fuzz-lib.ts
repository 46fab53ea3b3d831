// The fuzzer's inputs and targets (scripts/fuzz.ts drives them; test/fuzz/ replays what it saved).
// Input i of seed S is a pure function of (S, i): a crash or a hang can be regenerated, saved and
// replayed without having kept the input. Targets: the preprocessor, the DTS parser and checks,
// the DTB reader (dtc-compatible and libfdt-strict) with both writers, plan (random kernels,
// platforms, RAM and initrd sizes, RAM banks, early reservations, the Image's place, command
// lines) and overlay apply. Inputs are mutated seeds
// (the repository's fixtures and examples) or generated from a small DTS grammar.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compileString } from '../src/compile.js';
import { readDtb } from '../src/fdt/reader.js';
import { writeDtb } from '../src/fdt/writer.js';
import { writeDts } from '../src/fdt/dts-writer.js';
import { preprocessText } from '../src/source/preprocess.js';
import { loadBoard } from '../src/board.js';
import { parseMemory, parseReserve } from '../src/platform/layout.js';
import type { ExtraReservation } from '../src/platform/index.js';
import { plan } from '../src/kernel/plan.js';
import { profileIds, getProfile } from '../src/kernel/profiles/index.js';
import { applyOverlays } from '../src/overlay/apply.js';
import type { Tree } from '../src/tree/types.js';

export const TARGETS = ['preprocess', 'dts', 'dtb', 'plan', 'apply'] as const;
export type Target = (typeof TARGETS)[number];

/** One fuzz input: what runs it and its bytes (DTS text as latin1 bytes, or a blob). */
export interface FuzzCase {
  target: Target;
  input: Uint8Array;
  /** plan: kernel, platform, RAM, initrd, command line; apply: the base blob's seed name. */
  options: Record<string, string>;
}

// ---- deterministic randomness ----

/** xorshift32 seeded from (seed, index) through a 32-bit mix: input i never depends on input i-1. */
export class Rng {
  private s: number;
  constructor(seed: number, index: number) {
    let x = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 0x632be5ab, 0xc2b2ae35)) >>> 0;
    x ^= x >>> 16;
    x = Math.imul(x, 0x7feb352d) >>> 0;
    x ^= x >>> 15;
    this.s = x || 1;
  }
  u32(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  /** 0 ≤ n < k */
  int(k: number): number {
    return k <= 1 ? 0 : this.u32() % k;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.u32() / 0x100000000 < p;
  }
}

// ---- seeds ----

function filesUnder(dir: string, exts: string[], out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) filesUnder(p, exts, out);
    else if (exts.some((e) => n.endsWith(e))) out.push(p);
  }
  return out;
}

export interface Seeds {
  /** DTS sources (fixtures, examples), as latin1 bytes. */
  dts: Uint8Array[];
  /** Blobs: the fixture DTBs and every seed DTS that compiles. */
  dtb: Uint8Array[];
  /** Overlay blobs (/plugin/ sources compiled, .dtbo fixtures). */
  dtbo: Uint8Array[];
  /** Headers for #include "…": name → text (the preprocessor reads only these). */
  headers: Map<string, string>;
}

export function loadSeeds(root: string): Seeds {
  const dtsFiles = [...filesUnder(join(root, 'test/fixtures'), ['.dts', '.dtso']), ...filesUnder(join(root, 'examples'), ['.dts'])];
  const headers = new Map<string, string>();
  for (const f of filesUnder(join(root, 'test/fixtures'), ['.dtsi', '.h'])) headers.set(f.split('/').pop()!, readFileSync(f, 'latin1'));
  const dts = dtsFiles.map((f) => new Uint8Array(readFileSync(f)));
  const dtb: Uint8Array[] = [];
  const dtbo: Uint8Array[] = [];
  for (const f of filesUnder(join(root, 'test/fixtures'), ['.dtb', '.dtbo']))
    (f.endsWith('.dtbo') ? dtbo : dtb).push(new Uint8Array(readFileSync(f)));
  for (const [i, src] of dts.entries()) {
    const r = compileString(Buffer.from(src).toString('latin1'), { fileName: dtsFiles[i], preprocess: false, force: true });
    if (!r.dtb) continue;
    (r.tree?.plugin ? dtbo : dtb).push(r.dtb);
  }
  return { dts, dtb, dtbo, headers };
}

// ---- mutation ----

/** Tokens spliced into DTS text: the grammar's punctuation, directives, odd numbers and names. */
const DTS_TOKENS = [
  '{',
  '}',
  ';',
  '<',
  '>',
  '[',
  ']',
  '(',
  ')',
  '=',
  ',',
  '&',
  '/',
  ':',
  '"',
  "'",
  '\\',
  '#',
  '@',
  '\n',
  ' ',
  '/dts-v1/;',
  '/plugin/;',
  '/memreserve/ 0x1000 0x1000;',
  '/delete-node/ ',
  '/delete-property/ ',
  '/omit-if-no-ref/ ',
  '/bits/ 64 ',
  '/bits/ 8 ',
  '/bits/ 7 ',
  '/incbin/("nonexistent.bin")',
  '/include/ "nonexistent.dtsi"',
  '#include "nonexistent.h"',
  '#define X(a) a a',
  '#define Y Y',
  '#if 1/0',
  '#ifdef X',
  '#else',
  '#endif',
  '#line 0',
  '#line 4294967295 "x"',
  '#undef __LINE__',
  '__LINE__',
  '__FILE__',
  '__COUNTER__',
  'defined(',
  '##',
  '#x',
  '__VA_ARGS__',
  '__VA_OPT__(',
  '0x',
  '0xffffffff',
  '0xffffffffffffffff',
  '0x10000000000000000',
  '-1',
  '~0',
  '1/0',
  '1%0',
  '1 << 64',
  '(1 ? 2 : 3)',
  "'\\x'",
  '"\\777"',
  'reg',
  'ranges',
  'dma-ranges',
  '#address-cells',
  '#size-cells',
  'compatible',
  'status = "disabled"',
  'phandle',
  'linux,phandle',
  'reserved-memory',
  'memory',
  'device_type = "memory"',
  'no-map',
  'reusable',
  'shared-dma-pool',
  'alloc-ranges',
  'size',
  'alignment',
  'linux,cma-default',
  'chosen',
  'bootargs',
  'linux,initrd-start',
  'linux,initrd-end',
  'interrupts',
  'interrupt-parent',
  'interrupt-map',
  'interrupt-controller',
  'port',
  'endpoint',
  'remote-endpoint',
  'label:',
  '&label',
  '&{/path}',
  '__overlay__',
  'fragment@0',
  'target',
  'target-path',
  '__symbols__',
  '__fixups__',
  '__local_fixups__',
  'n@0',
  'n@',
  '@0',
  '\u00e9',
  '\u0000',
  '\r',
];

function mutateBytes(rng: Rng, src: Uint8Array, dictionary: readonly string[] | undefined, max: number): Uint8Array {
  let b: number[] = Array.from(src.length > max ? src.subarray(0, max) : src);
  const steps = 1 + rng.int(rng.chance(0.2) ? 32 : 6);
  for (let k = 0; k < steps; k++) {
    const at = rng.int(b.length + 1);
    switch (rng.int(dictionary ? 8 : 7)) {
      case 0: // flip a bit
        if (b.length) b[at % b.length]! ^= 1 << rng.int(8);
        break;
      case 1: // set a byte to an interesting value
        if (b.length) b[at % b.length] = rng.pick([0, 1, 0x7f, 0x80, 0xff, 0x2f, 0x7b, 0x7d, 0x3b, 0x0a, 0x22]);
        break;
      case 2: // delete a run
        b.splice(at, 1 + rng.int(rng.chance(0.1) ? 256 : 8));
        break;
      case 3: {
        // duplicate a run somewhere else
        const from = rng.int(b.length + 1);
        const run = b.slice(from, from + 1 + rng.int(64));
        b.splice(rng.int(b.length + 1), 0, ...run);
        break;
      }
      case 4: // a big-endian word of an interesting value (DTB fields, cells)
        if (b.length >= 4) {
          const w = rng.pick([
            0,
            1,
            3,
            4,
            8,
            9,
            0x10,
            0x38,
            0x28,
            0x11,
            0x10000,
            0x7fffffff,
            0x80000000,
            0xfffffffc,
            0xffffffff,
            rng.u32(),
          ]);
          const o = (at % (b.length - 3)) & ~3;
          b[o] = w >>> 24;
          b[o + 1] = (w >>> 16) & 0xff;
          b[o + 2] = (w >>> 8) & 0xff;
          b[o + 3] = w & 0xff;
        }
        break;
      case 5: // swap two runs
        if (b.length > 8) {
          const x = rng.int(b.length - 4);
          const y = rng.int(b.length - 4);
          const n = 1 + rng.int(Math.min(16, b.length - Math.max(x, y)));
          const t = b.slice(x, x + n);
          for (let i = 0; i < n; i++) b[x + i] = b[y + i]!;
          for (let i = 0; i < n; i++) b[y + i] = t[i]!;
        }
        break;
      case 6: // truncate
        if (rng.chance(0.3)) b = b.slice(0, at);
        break;
      default: {
        const t = Buffer.from(rng.pick(dictionary!), 'latin1');
        b.splice(at, 0, ...t);
      }
    }
  }
  return Uint8Array.from(b);
}

// ---- grammar-based DTS ----

function genName(rng: Rng): string {
  const base = rng.pick([
    'n',
    'memory',
    'reserved-memory',
    'chosen',
    'cpus',
    'cpu',
    'soc',
    'bus',
    'region',
    'port',
    'endpoint',
    'x,y',
    'a-b_c.d+e',
  ]);
  return rng.chance(0.5)
    ? `${base}@${rng
        .u32()
        .toString(16)
        .slice(0, 1 + rng.int(9))}`
    : base;
}

function genNumber(rng: Rng, depth = 0): string {
  switch (rng.int(depth > 3 ? 3 : 6)) {
    case 0:
      return String(rng.int(100));
    case 1:
      return `0x${rng.u32().toString(16)}`;
    case 2:
      return rng.pick(['0xffffffff', '0', '1', '0x80000000', '0x40000000', '0x100000', '0x8000000']);
    case 3:
      return `(${genNumber(rng, depth + 1)} ${rng.pick(['+', '-', '*', '/', '%', '<<', '>>', '&', '|', '^', '&&', '||', '==', '!=', '<', '>='])} ${genNumber(rng, depth + 1)})`;
    case 4:
      return `(${genNumber(rng, depth + 1)} ? ${genNumber(rng, depth + 1)} : ${genNumber(rng, depth + 1)})`;
    default:
      return `${rng.pick(['-', '~', '!'])}${genNumber(rng, depth + 1)}`;
  }
}

function genValue(rng: Rng, labels: string[], depth = 0): string {
  switch (rng.int(depth > 2 ? 4 : 6)) {
    case 0:
      return `"${rng.pick(['okay', 'disabled', 'shared-dma-pool', 'x', '', 'a\\nb', '\\x41', '\\0'])}"`;
    case 1: {
      const cells: string[] = [];
      for (let i = rng.int(6); i > 0; i--) cells.push(labels.length && rng.chance(0.2) ? `&${rng.pick(labels)}` : genNumber(rng));
      return `${rng.chance(0.2) ? `/bits/ ${rng.pick(['8', '16', '32', '64'])} ` : ''}<${cells.join(' ')}>`;
    }
    case 2:
      return `[${Array.from({ length: rng.int(9) }, () => rng.int(256).toString(16).padStart(2, '0')).join(' ')}]`;
    case 3:
      return labels.length ? `&${rng.pick(labels)}` : '"x"';
    case 4:
      return `${genValue(rng, labels, depth + 1)}, ${genValue(rng, labels, depth + 1)}`;
    default:
      return `<${genNumber(rng)} ${genNumber(rng)}>`;
  }
}

const PROP_NAMES = [
  'reg',
  'ranges',
  'dma-ranges',
  '#address-cells',
  '#size-cells',
  'compatible',
  'status',
  'size',
  'alignment',
  'alloc-ranges',
  'no-map',
  'reusable',
  'linux,cma-default',
  'device_type',
  'bootargs',
  'linux,initrd-start',
  'linux,initrd-end',
  'phandle',
  'memory-region',
  'interrupts',
  'interrupt-parent',
  'interrupt-controller',
  '#interrupt-cells',
  'clocks',
  '#clock-cells',
  'gpios',
  'remote-endpoint',
  'name',
  'model',
  'x',
];

function genNode(rng: Rng, depth: number, labels: string[], out: string[]): void {
  const props = rng.int(5);
  for (let i = 0; i < props; i++) {
    const name = rng.pick(PROP_NAMES);
    out.push(rng.chance(0.15) ? `${name};` : `${name} = ${genValue(rng, labels)};`);
    if (rng.chance(0.03)) out.push(`/delete-property/ ${rng.pick(PROP_NAMES)};`);
  }
  const kids = depth > 4 ? 0 : rng.int(4);
  for (let i = 0; i < kids; i++) {
    let label = '';
    if (rng.chance(0.3)) {
      label = `l${labels.length}`;
      labels.push(label);
    }
    out.push(`${rng.chance(0.05) ? '/omit-if-no-ref/ ' : ''}${label ? `${label}: ` : ''}${genName(rng)} {`);
    genNode(rng, depth + 1, labels, out);
    out.push('};');
    if (rng.chance(0.03)) out.push(`/delete-node/ ${genName(rng)};`);
  }
}

/** A DTS from the grammar: memory and reserved-memory shaped often, with labels, references, macros. */
export function generateDts(rng: Rng): string {
  const out: string[] = ['/dts-v1/;'];
  if (rng.chance(0.1)) out.push('/plugin/;');
  if (rng.chance(0.2)) out.push(`/memreserve/ ${genNumber(rng)} ${genNumber(rng)};`);
  if (rng.chance(0.3)) out.push(`#define M(x) <(x) ${genNumber(rng)}>`, `#define K ${genNumber(rng)}`);
  const labels: string[] = [];
  out.push('/ {', `#address-cells = <${rng.pick(['1', '2', '3', '0'])}>;`, `#size-cells = <${rng.pick(['1', '2', '0'])}>;`);
  if (rng.chance(0.7)) out.push(`memory@40000000 { device_type = "memory"; reg = ${genValue(rng, labels)}; };`);
  if (rng.chance(0.7)) {
    out.push('reserved-memory {', '#address-cells = <2>;', '#size-cells = <2>;', 'ranges;');
    for (let i = rng.int(5); i > 0; i--) {
      const l = `r${i}`;
      labels.push(l);
      out.push(`${l}: region@${rng.u32().toString(16)} {`);
      if (rng.chance(0.6)) out.push(`reg = <${genNumber(rng)} ${genNumber(rng)} ${genNumber(rng)} ${genNumber(rng)}>;`);
      else out.push(`size = <0 ${genNumber(rng)}>;`);
      if (rng.chance(0.4))
        out.push(
          rng.pick([
            'no-map;',
            'reusable;',
            'compatible = "shared-dma-pool";',
            'linux,cma-default;',
            `alignment = <0 ${genNumber(rng)}>;`,
            `alloc-ranges = <0 ${genNumber(rng)} 0 ${genNumber(rng)}>;`,
          ]),
        );
      out.push('};');
    }
    out.push('};');
  }
  if (rng.chance(0.5)) out.push(`chosen { bootargs = "${bootargs(rng)}"; };`);
  genNode(rng, 0, labels, out);
  out.push('};');
  for (let i = rng.int(3); i > 0 && labels.length; i--) {
    out.push(`&${rng.pick(labels)} {`);
    genNode(rng, 2, labels, out);
    out.push('};');
  }
  if (rng.chance(0.1)) out.push(`/delete-node/ &${labels.length ? rng.pick(labels) : 'nolabel'};`);
  return out.join(rng.chance(0.1) ? ' ' : '\n') + '\n';
}

// ---- plan options ----

const SIZES = ['1', '4K', '1M', '16M', '64M', '128M', '256M', '512M', '768M', '1G', '2G', '3G', '4G', '8G', '16G', '0x7fffffff'];

function size(rng: Rng): string {
  return rng.chance(0.8) ? rng.pick(SIZES) : `${1 + rng.int(4096)}${rng.pick(['K', 'M', 'G', 'T', 'P', 'E', ''])}`;
}

/** An address: RAM-like, page-odd, or near the top of 32 and 64 bits. */
function address(rng: Rng): string {
  return rng.pick([
    () => `0x${(0x40000000 + rng.int(0x40000) * 0x1000).toString(16)}`,
    () => `0x${(rng.int(0x100000) * 0x1000 + rng.int(0x1000)).toString(16)}`,
    () => rng.pick(['0', '0xfffff000', '0xffffffff', '0x100000000', '0xfffffffffffff000', '0xffffffffffffffff']),
    () => `${rng.int(64)}${rng.pick(['G', 'T', 'P'])}`,
  ])();
}

const CMDLINE = [
  () => 'mem=',
  () => 'cma=',
  () => 'crashkernel=',
  () => 'memblock=debug',
  () => 'rodata=full',
  () => 'rodata=off',
  () => 'nokaslr',
  () => 'earlycon',
  () => 'numa=off',
  () => 'swiotlb=',
  () => 'vmalloc=',
  () => 'initrd=',
  () => 'root=/dev/vda',
  () => 'coherent_pool=',
  () => 'kasan=off',
];

function bootargs(rng: Rng): string {
  const parts: string[] = [];
  for (let i = rng.int(4); i > 0; i--) {
    const k = rng.pick(CMDLINE)();
    if (!k.endsWith('=')) parts.push(k);
    else if (k === 'crashkernel=')
      parts.push(
        k + rng.pick([size(rng), `${size(rng)}@${size(rng)}`, `${size(rng)},high`, `${size(rng)},low`, '0M-2G:128M,2G-:256M', '']),
      );
    else if (k === 'cma=')
      parts.push(k + rng.pick([size(rng), `${size(rng)}@${size(rng)}`, `${size(rng)}@${size(rng)}-${size(rng)}`, '0', '']));
    else if (k === 'initrd=') parts.push(`${k}${size(rng)},${size(rng)}`);
    else parts.push(k + size(rng));
  }
  return parts.join(' ');
}

/** QEMU virt trees the repository keeps (data/lab/virt): other sizes would run QEMU. */
const VIRT_RAM: Record<string, string[]> = {
  arm64: ['0x8000000', '0x10000000', '0x20000000', '0x40000000', '0x80000000', '0x100000000'],
  arm: ['0x8000000', '0x10000000', '0x20000000', '0x40000000', '0x80000000'],
};

function planOptions(rng: Rng): Record<string, string> {
  const kernel = rng.pick(profileIds);
  const arch = getProfile(kernel)?.arch === 'arm' ? 'arm' : 'arm64';
  const o: Record<string, string> = { kernel };
  if (rng.chance(0.3)) {
    o.platform = 'qemu-virt';
    o.arch = arch;
    o.ram = rng.pick(VIRT_RAM[arch]!);
    if (rng.chance(0.5)) o.initrdSize = size(rng);
  } else if (rng.chance(0.6)) o.ram = size(rng);
  if (rng.chance(0.7)) o.bootargs = bootargs(rng);
  // the boot loader's view: RAM banks (--memory), early reservations (--reserve), the Image's place
  if (!o.platform && rng.chance(0.15))
    o.memory = Array.from({ length: 1 + rng.int(rng.chance(0.9) ? 3 : 300) }, () => `${address(rng)}+${size(rng)}`).join(',');
  if (rng.chance(0.15))
    o.reserve = Array.from(
      { length: 1 + rng.int(4) },
      () => `${rng.pick(['kernel', 'initrd', 'dtb', 'fw', 'x'])}@${address(rng)}+${size(rng)}`,
    ).join(';');
  if (arch === 'arm64' && rng.chance(0.1)) o.kernelAt = address(rng);
  return o;
}

// ---- cases ----

const WEIGHTS: [Target, number][] = [
  ['preprocess', 25],
  ['dts', 30],
  ['dtb', 30],
  ['plan', 8],
  ['apply', 7],
];

/** Input `index` of run `seed`. */
export function makeCase(seeds: Seeds, seed: number, index: number): FuzzCase {
  const rng = new Rng(seed, index);
  let w = rng.int(WEIGHTS.reduce((a, [, n]) => a + n, 0));
  let target: Target = 'dts';
  for (const [t, n] of WEIGHTS) {
    if (w < n) {
      target = t;
      break;
    }
    w -= n;
  }
  const text = (): Uint8Array =>
    rng.chance(0.35)
      ? new Uint8Array(Buffer.from(generateDts(rng), 'latin1'))
      : mutateBytes(rng, rng.pick(seeds.dts), DTS_TOKENS, 64 * 1024);
  const blob = (from: Uint8Array[]): Uint8Array => mutateBytes(rng, rng.pick(from), undefined, 256 * 1024);
  switch (target) {
    case 'preprocess':
      return { target, input: text(), options: {} };
    case 'dts': {
      const flag = (p: number): string => (rng.chance(p) ? '1' : '');
      return {
        target,
        input: text(),
        options: { preprocess: flag(0.3), force: flag(0.5), symbols: flag(0.3), sort: flag(0.2), out: rng.chance(0.5) ? 'dts' : 'dtb' },
      };
    }
    case 'dtb':
      return { target, input: blob(seeds.dtb), options: { compat: rng.chance(0.5) ? '1' : '' } };
    case 'plan': {
      const o = planOptions(rng);
      if (rng.chance(0.5)) return { target, input: blob(seeds.dtb), options: { ...o, format: 'dtb' } };
      return { target, input: text(), options: { ...o, format: 'dts' } };
    }
    case 'apply': {
      const base = rng.int(seeds.dtb.length);
      return { target, input: blob(seeds.dtbo), options: { base: String(base) } };
    }
  }
}

const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

function parseBig(s: string | undefined): bigint | undefined {
  if (s === undefined) return undefined;
  const m = /^(0x[0-9a-f]+|\d+)([KMGTPE]?)$/i.exec(s);
  if (!m) return undefined;
  const shift = { '': 0n, K: 10n, M: 20n, G: 30n, T: 40n, P: 50n, E: 60n }[m[2]!.toUpperCase() as 'K'];
  return BigInt(m[1]!) << shift;
}

/**
 * Run one case. Returns normally for any input (diagnostics are the answer to bad input); a throw
 * is a bug in carveout, the one thing the fuzzer looks for, with hangs (the caller's watchdog).
 */
export function runCase(seeds: Seeds, c: FuzzCase): void {
  const readFile = (p: string): string | undefined => seeds.headers.get(p.split('/').pop()!);
  switch (c.target) {
    case 'preprocess':
      preprocessText(latin1(c.input), 'fuzz.dts', { includeDirs: ['fuzz-include'], readFile });
      return;
    case 'dts': {
      const o = c.options;
      const r = compileString(latin1(c.input), {
        fileName: 'fuzz.dts',
        preprocess: o.preprocess === '1',
        force: o.force === '1',
        symbols: o.symbols === '1',
        sort: o.sort === '1',
        outputFormat: o.out === 'dts' ? 'dts' : 'dtb',
      });
      if (r.tree && r.dtb) readDtb(r.dtb, 'fuzz.dtb');
      return;
    }
    case 'dtb': {
      const r = readDtb(c.input, 'fuzz.dtb', { dtcCompat: c.options.compat === '1' });
      if (r.tree) {
        writeDts(r.tree);
        writeDtb(r.tree);
      }
      compileString(latin1(c.input), { fileName: 'fuzz.dtb', inputFormat: 'dtb', outputFormat: 'dtb', symbols: true });
      return;
    }
    case 'plan': {
      const o = c.options;
      let input: Uint8Array | Tree = c.input;
      if (o.format === 'dts') {
        const r = compileString(latin1(c.input), { fileName: 'fuzz.dts', preprocess: false, force: true, kernelWarnings: true });
        if (!r.tree) return;
        input = r.tree;
      }
      // flags the CLI would refuse (parseMemory/parseReserve diagnostics) are left out
      const memory = o.memory === undefined ? undefined : parseMemory(o.memory);
      const reserve = (o.reserve?.split(';') ?? []).map(parseReserve).filter((r): r is ExtraReservation => !('severity' in r));
      const board = loadBoard(input, {
        fileName: 'fuzz',
        platform: o.platform,
        arch: o.arch === 'arm' ? 'arm' : o.arch === 'arm64' ? 'arm64' : undefined,
        ram: parseBig(o.ram),
        initrdSize: parseBig(o.initrdSize),
        ...(Array.isArray(memory) ? { memory } : {}),
        ...(reserve.length ? { reserve } : {}),
        kernelAt: parseBig(o.kernelAt),
      });
      plan(board, { kernel: o.kernel!, bootargs: o.bootargs });
      return;
    }
    case 'apply': {
      const base = seeds.dtb[Number(c.options.base) % seeds.dtb.length]!;
      const r = applyOverlays(base, [{ name: 'fuzz.dtbo', blob: c.input }]);
      if (r.tree) writeDts(r.tree);
      return;
    }
  }
}
