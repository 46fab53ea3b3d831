// The lab's seeded generator of reserved-memory scenarios, and the builder that turns one into the
// DTB booted on QEMU's virt board. Deterministic: (seed, index, family) → the same case, always.
//
// Addresses target QEMU virt (RAM at 0x40000000, kernel image at +2 MiB on arm64, the initrd at
// RAM base + min(RAM/2, 128 MiB) — hw/arm/boot.c), so cases can hit the kernel, the initrd, the
// DTB, RAM edges and the space outside RAM on purpose.
import { createHash } from 'node:crypto';
import type { LabArch } from './kernels.js';
import { initrdStart, VIRT_RAM_BASE } from '../platform/qemu-virt.js';
import { noSpan } from '../diagnostics.js';
import { addChild, cellsValue, cloneNode, deleteChild, deleteProp, setProp, stringsValue, u32Value } from '../tree/edit.js';
import { newNode, type Node, type Tree } from '../tree/types.js';

/** Hex string for JSON (`0x…`). */
type Hex = string;
const hx = (v: bigint): Hex => '0x' + v.toString(16);

export interface RegionSpec {
  /** Node name, `name@unit` for static regions. */
  name: string;
  /** What the generator meant (for reading results; the kernel sees only the properties). */
  intent: string;
  reg?: Array<[Hex, Hex]>;
  size?: Hex;
  alignment?: Hex;
  allocRanges?: Array<[Hex, Hex]>;
  compatible?: string[];
  noMap?: boolean;
  reusable?: boolean;
  cmaDefault?: boolean;
  dmaDefault?: boolean;
  status?: string;
  /** Malformed properties written as raw bytes (replace the well-formed one of the same name). */
  raw?: Array<{ prop: string; hex: string }>;
}

export interface LabCase {
  family: LabArch;
  ramMiB: number;
  /** /reserved-memory's own cells when not the root's 2/2 (the kernel then ignores the node). */
  rmCells?: { address: number; size: number };
  /** /reserved-memory without `ranges` (the kernel then ignores the node). */
  noRanges?: boolean;
  /** No /reserved-memory node at all. */
  noNode?: boolean;
  memreserve: Array<[Hex, Hex]>;
  regions: RegionSpec[];
  /** The case's own command-line part. */
  bootargs: string;
  /** CPUs QEMU boots (-smp) and its tree describes, when not one (generateCase's `smp` dimension). */
  cpus?: number;
  /**
   * The CPU QEMU boots (a name of src/platform/cpu.ts; its tree's cpu nodes say so too), when not
   * `max` (generateCase's `cores` dimension).
   */
  cpu?: string;
  /** `arm64.nolva` on the command line (already in `bootargs`; the `cores` dimension). */
  nolva?: boolean;
  /**
   * NUMA nodes QEMU lays RAM out in (`-numa`, a CPU each; 0x0: a memoryless node), summing to the
   * RAM, when the case has them (generateCase's `numa` dimension; arm64, whose builds have NUMA).
   */
  numa?: Hex[];
  /**
   * Words the `params` dimension added to the command line (already in `bootargs`): per-node CMA
   * sizes on arm64, and flags, typos, core params, sysctl aliases and module parameters that decide
   * what the kernel passes to init.
   */
  params?: string[];
  /**
   * How many regions the `many` dimension added after the case's own (already in `regions`):
   * boards with dozens of carve-outs meet MAX_RESERVED_REGIONS, memblock's 128-entry arrays and
   * the CMA area table.
   */
  many?: number;
  /**
   * RAM banks with holes the `banks` dimension gives a 32-bit case, as its `mem=SIZE@START` words
   * (already in `bootargs`).
   */
  banks?: string[];
}

// splitmix32-ish PRNG (deterministic, no dependency).
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
}

const MiB = 1n << 20n;
const KiB = 1n << 10n;

/**
 * What a generated case may vary beyond its memory layout. `smp`: the CPU count QEMU boots, 1, 2,
 * 4 or 8 (real boards have several: per-cpu areas, per-node groups and the threads smp_init starts
 * grow with it), drawn from its own hash so the layout a (seed, index) draws stays the same.
 */
export interface GenerateOptions {
  smp?: boolean;
  /**
   * NUMA nodes on arm64 (their builds have CONFIG_NUMA): RAM split in 2 to 4 nodes, one of them
   * sometimes memoryless, or none; drawn from its own hash like `smp`. A case with nodes has a CPU
   * per node (QEMU's `-numa`), so it carries no `cpus`.
   */
  numa?: boolean;
  /**
   * More command-line words (GenerateCase.params), drawn from their own hash like `smp`: arm64's
   * `cma_pernuma=` and `numa_cma=` (per-node CMA areas where the build has them), and words whose
   * fate turns on the build's own parameters (`Unknown kernel command line parameters`). None that
   * quiets the console or changes the CPUs.
   */
  params?: boolean;
  /**
   * Many more regions (LabCase.many), drawn from their own hash like `smp`: 10 to 150 small static
   * and dynamic carve-outs, some no-map (each splits memblock.memory), some reusable pools, placed
   * above the initrd, away from the kernel image, so what they test is how many fit.
   */
  many?: boolean;
  /**
   * RAM in banks with holes on 32-bit arm (LabCase.banks), drawn from their own hash like `smp`:
   * two or three `mem=SIZE@START` words (arch/arm/kernel/setup.c early_mem: the first drops the
   * tree's memory, each adds a bank) inside QEMU's RAM, as boards with several DRAM ranges have.
   * The first bank holds the kernel, the initrd and QEMU's DTB; the others start and end on 1 MiB
   * or 64 KiB boundaries (some not section aligned: map_lowmem's PTE tables, memblock's limit) and
   * may cross the lowmem/highmem line. arm64's mem= only limits memory, and QEMU writes its own
   * memory node: arm64 cases get none.
   */
  banks?: boolean;
  /**
   * The arm64 boot CPU (LabCase.cpu, LabCase.nolva), drawn from its own hash like `smp`: QEMU's
   * `max`, cores without FEAT_LPA2 that have the 16K granule the arm64-16k kernels need (Cortex-A76,
   * Neoverse N1), `max` with its lpa2 property off, or `max` with `arm64.nolva`: what a 52-bit
   * build does on the CPUs most boards have.
   */
  cores?: boolean;
}

/**
 * The `params` dimension's plain words: a __setup flag and its typo, one that refuses what it is
 * given (drivers/clk/imx's earlyprintk), an early_param's prefix, a core param, a sysctl alias, a
 * module parameter, a typo of cma=.
 */
const PARAM_WORDS = [
  'rootwait',
  'rootwiat',
  'clk_ignore_unused',
  'ro',
  'rw',
  'earlyprintk',
  'nowatchdog',
  'nosmpx',
  'memx',
  'consoleblank=0',
  'hung_task_panic=0',
  'foo.bar=1',
  'cmd=64M',
  'numa_balancing=disable',
] as const;

/** The `params` dimension's words for a case: none to three plain ones, and on arm64 sometimes per-node CMA sizes. */
function paramWords(seed: number, index: number, family: LabArch): string[] {
  const r = rng(createHash('sha256').update(`${seed}:${index}:${family}:params`).digest().readUInt32LE(0));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const words: string[] = [];
  for (let n = Math.floor(r() * 4); n > 0; n--) {
    const w = pick(PARAM_WORDS);
    if (!words.includes(w)) words.push(w);
  }
  if (family === 'arm64' && r() < 0.35) words.push(`cma_pernuma=${pick(['4M', '8M', '16M', '64M'])}`);
  if (family === 'arm64' && r() < 0.25) {
    const k = 1 + Math.floor(r() * 2);
    words.push(`numa_cma=${Array.from({ length: k }, () => `${Math.floor(r() * 4)}:${pick(['2M', '8M', '32M'])}`).join(',')}`);
  }
  return words;
}

/** The `banks` dimension's words for a 32-bit case: none (three cases in ten), or two or three banks. */
function bankWords(seed: number, index: number, ram: bigint): string[] {
  const r = rng(createHash('sha256').update(`${seed}:${index}:arm:banks`).digest().readUInt32LE(0));
  if (r() < 0.3) return [];
  const end = VIRT_RAM_BASE + ram;
  // the first bank: from RAM's start past the initrd and the DTB QEMU puts after it
  const first = initrdStart(ram) + 16n * MiB;
  if (first + 8n * MiB >= end) return [];
  const unit = r() < 0.3 ? 64n * KiB : MiB;
  const within = (lo: bigint, hi: bigint): bigint => (hi <= lo ? lo : lo + BigInt(Math.floor(r() * Number((hi - lo) / unit))) * unit);
  const banks: Array<[bigint, bigint]> = [];
  let at = within(first, first + (end - first) / 3n);
  banks.push([VIRT_RAM_BASE, at - VIRT_RAM_BASE]);
  const more = r() < 0.5 ? 1 : 2;
  for (let i = 0; i < more && at + 2n * unit < end; i++) {
    const start = within(at + unit, at + (end - at) / 2n);
    const stop = i === more - 1 && r() < 0.5 ? end : within(start + unit, end);
    if (stop <= start) break;
    banks.push([start, stop - start]);
    at = stop;
  }
  const size = (b: bigint) => (b % MiB ? `${b / KiB}K` : `${b / MiB}M`);
  return banks.map(([start, bytes]) => `mem=${size(bytes)}@${hx(start)}`);
}

/**
 * The `many` dimension's counts: none, a dozen, and around the limits a board meets
 * (MAX_RESERVED_REGIONS 64 in of_reserved_mem.c; INIT_MEMBLOCK_REGIONS and
 * INIT_MEMBLOCK_RESERVED_REGIONS 128 in mm/memblock.c, which no-map regions and reservations fill).
 */
const MANY_CHOICES = [0, 12, 30, 58, 62, 66, 90, 120, 150] as const;

/** The `many` dimension's regions for a case: small carve-outs above the initrd, in their own window. */
function manyRegions(seed: number, index: number, ram: bigint, used: Set<string>): RegionSpec[] {
  const r = rng(createHash('sha256').update(`${seed}:${index}:many`).digest().readUInt32LE(0));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const count = pick(MANY_CHOICES);
  // above the initrd and QEMU's DTB after it, below the top 2 MiB of RAM
  const lo = initrdStart(ram) + 16n * MiB;
  const hi = VIRT_RAM_BASE + ram - 2n * MiB;
  const names = ['buf', 'carveout', 'isp', 'npu', 'audio', 'cam', 'wifi', 'mcu'];
  const out: RegionSpec[] = [];
  // once they take an eighth of RAM, the rest are 4 KiB each
  let budget = ram / 8n;
  for (let i = 0; i < count; i++) {
    let name = `${pick(names)}${i}`;
    while (used.has(name)) name += 'x';
    used.add(name);
    let size = pick([4n * KiB, 4n * KiB, 8n * KiB, 16n * KiB, 64n * KiB, 256n * KiB, 1n * MiB]);
    const reg: RegionSpec = { name, intent: 'many' };
    if (r() < 0.6) {
      if (size > budget) size = 4n * KiB;
      const span = (hi - lo - size) / (4n * KiB);
      const b = lo + BigInt(Math.floor(r() * Number(span))) * 4n * KiB;
      reg.name = `${name}@${b.toString(16)}`;
      reg.intent = 'many-static';
      reg.reg = [[hx(b), hx(size)]];
      if (r() < 0.3) reg.noMap = true;
      if (r() < 0.3) reg.compatible = [pick(['shared-dma-pool', 'vendor,carveout'])];
    } else {
      reg.intent = 'many-dynamic';
      if (r() < 0.15) {
        // a CMA pool as boards declare them: reusable, 4 MiB aligned
        size = pick([4n * MiB, 8n * MiB]);
        reg.compatible = ['shared-dma-pool'];
        reg.reusable = true;
        reg.alignment = hx(4n * MiB);
        reg.intent = 'many-cma';
      } else {
        if (r() < 0.4) reg.alignment = hx(pick([4n * KiB, 64n * KiB, 1n * MiB]));
        if (r() < 0.3) reg.noMap = true;
        if (r() < 0.4) reg.compatible = [pick(['shared-dma-pool', 'vendor,carveout'])];
      }
      if (size > budget) {
        size = 4n * KiB;
        delete reg.reusable;
        delete reg.alignment;
        reg.intent = 'many-dynamic';
      }
      reg.size = hx(size);
    }
    budget -= size;
    out.push(reg);
  }
  return out;
}

/** The `cores` dimension's CPUs (`nolva`: `max` with arm64.nolva); QEMU's `max` as often as the others. */
const CORE_CHOICES = [null, null, null, 'cortex-a76', 'neoverse-n1', 'max,lpa2=off', 'nolva'] as const;

/** The CPU counts the `smp` dimension draws from, weighted toward the 2 and 4 most boards have. */
const SMP_CHOICES = [1, 2, 2, 4, 4, 8] as const;

/** The `numa` dimension's node layouts, in quarters of RAM (none: no NUMA nodes, as most boards). */
const NUMA_CHOICES: readonly (readonly number[] | null)[] = [null, null, [2, 2], [1, 3], [3, 1], [2, 1, 1], [1, 1, 1, 1], [2, 2, 0]];

export function generateCase(seed: number, index: number, family: LabArch, opts: GenerateOptions = {}): LabCase {
  const h = createHash('sha256').update(`${seed}:${index}:${family}`).digest();
  const r = rng(h.readUInt32LE(0));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number): boolean => r() < p;
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const ramChoices =
    family === 'arm64' ? [128, 256, 512, 768, 1024, 1024, 2048, 3072, 4096] : [128, 256, 512, 768, 1024, 1024, 1536, 2048, 3072];
  const ramMiB = pick(ramChoices);
  const ram = BigInt(ramMiB) * MiB;
  const ramEnd = VIRT_RAM_BASE + ram;
  const initrd = initrdStart(ram);
  const sizes = [4n * KiB, 64n * KiB, 256n * KiB, 1n * MiB, 2n * MiB, 4n * MiB, 8n * MiB, 16n * MiB, 32n * MiB, 64n * MiB];
  const aligns = [4n * KiB, 64n * KiB, 1n * MiB, 2n * MiB, 4n * MiB, 8n * MiB, 16n * MiB, 32n * MiB];
  const names = ['fw', 'vpu', 'dsp', 'gpu', 'secmon', 'ipc', 'modem', 'pool', 'linux,cma', 'ramoops', 'tee', 'video'];
  const randIn = (lo: bigint, hi: bigint, align: bigint): bigint => {
    if (hi <= lo) return lo;
    const span = (hi - lo) / align;
    return lo + BigInt(Math.floor(r() * Number(span))) * align;
  };
  const c: LabCase = { family, ramMiB, memreserve: [], regions: [], bootargs: '' };
  if (chance(0.04)) c.noNode = true;
  else if (chance(0.05)) c.rmCells = { address: 1, size: 1 };
  else if (chance(0.03)) c.noRanges = true;
  const statics: Array<{ base: bigint; size: bigint }> = [];
  const n = c.noNode ? 0 : pick([0, 1, 1, 2, 2, 3, 3, 4, 5, 6]);
  const used = new Set<string>();
  for (let i = 0; i < n; i++) {
    let base = pick(names);
    while (used.has(base)) base = base + '_' + i;
    used.add(base);
    const isStatic = chance(0.45);
    const reg: RegionSpec = { name: base, intent: '' };
    if (isStatic) {
      let b: bigint;
      let s = pick(sizes);
      if (chance(0.1)) s = BigInt(int(1, 4000)) * 4n * KiB + (chance(0.3) ? 0x123n : 0n);
      const where = pick(['ram', 'ram', 'ram', 'ram', 'kernel', 'initrd', 'outside', 'edge', 'overlap', 'low']);
      switch (where) {
        case 'kernel':
          b = randIn(VIRT_RAM_BASE, VIRT_RAM_BASE + 48n * MiB, MiB);
          break;
        case 'initrd':
          b = randIn(initrd - 2n * MiB, initrd + 4n * MiB, 64n * KiB);
          break;
        case 'outside':
          b = ramEnd + randIn(0n, 256n * MiB, MiB);
          break;
        case 'edge':
          b = ramEnd - s / 2n;
          b -= b % (4n * KiB);
          break;
        case 'low':
          b = VIRT_RAM_BASE - s / 2n;
          b -= b % (4n * KiB);
          break;
        case 'overlap':
          if (statics.length) {
            const o = pick(statics);
            b = o.base + o.size / 2n - ((o.base + o.size / 2n) % (4n * KiB));
            break;
          }
          b = ramEnd - s;
          break;
        default:
          b = randIn(
            VIRT_RAM_BASE + 64n * MiB > ramEnd - s ? VIRT_RAM_BASE : VIRT_RAM_BASE + 64n * MiB,
            ramEnd - s,
            pick([4n * KiB, 64n * KiB, MiB, 2n * MiB]),
          );
      }
      if (b < 0n) b = 0n;
      reg.name = `${base}@${b.toString(16)}`;
      reg.intent = `static-${where}`;
      reg.reg = [[hx(b), hx(s)]];
      if (chance(0.08)) {
        // two reg entries
        const b2 = randIn(VIRT_RAM_BASE, ramEnd - 4n * MiB, MiB);
        reg.reg.push([hx(b2), hx(pick(sizes.slice(0, 6)))]);
        reg.intent += '+2reg';
      }
      statics.push({ base: b, size: s });
      if (chance(0.1)) reg.size = hx(pick(sizes)); // static with size too: the kernel uses reg
    } else {
      let s = pick(sizes);
      if (chance(0.08)) s = BigInt(int(1, 3000)) * 4n * KiB + (chance(0.3) ? 0x800n : 0n);
      let intent = 'dynamic';
      if (chance(0.08)) {
        s = ram + BigInt(int(0, 64)) * MiB;
        intent = 'dynamic-too-big';
      }
      reg.size = hx(s);
      if (chance(0.5)) reg.alignment = hx(chance(0.05) ? BigInt(int(1, 0x3000)) : pick(aligns));
      const nr = chance(0.3) ? (chance(0.3) ? 2 : 1) : 0;
      if (nr) {
        reg.allocRanges = [];
        for (let k = 0; k < nr; k++) {
          const where = chance(0.85) ? 'ram' : 'outside';
          const rs = pick([16n * MiB, 32n * MiB, 64n * MiB, 128n * MiB, 256n * MiB]);
          const rb =
            where === 'ram' ? randIn(VIRT_RAM_BASE, ramEnd > rs ? ramEnd - rs : VIRT_RAM_BASE, MiB) : ramEnd + randIn(0n, 512n * MiB, MiB);
          reg.allocRanges.push([hx(rb), hx(rs)]);
          intent += `-range-${where}`;
        }
      }
      reg.intent = intent;
    }
    // Compatible and flags.
    const compat = pick([
      'shared-dma-pool',
      'shared-dma-pool',
      'shared-dma-pool',
      'restricted-dma-pool',
      'fsl,qman-fqd',
      'vendor,carveout',
      '',
      '',
    ]);
    if (compat) reg.compatible = chance(0.1) ? ['vendor,pool', compat] : [compat];
    if (chance(0.3)) reg.noMap = true;
    if (chance(compat === 'shared-dma-pool' ? 0.55 : 0.15)) reg.reusable = true;
    if (compat === 'shared-dma-pool' && reg.reusable && chance(0.25)) reg.cmaDefault = true;
    if (compat === 'shared-dma-pool' && !reg.reusable && chance(0.1)) reg.dmaDefault = true;
    if (chance(0.06)) reg.status = 'disabled';
    else if (chance(0.04)) reg.status = 'okay';
    if (chance(0.06)) {
      const prop = pick(['reg', 'size', 'alignment', 'alloc-ranges']);
      const len = pick([0, 4, 12, 20, 6]);
      const bytes = Buffer.alloc(len);
      for (let k = 0; k < len; k++) bytes[k] = Math.floor(r() * 256);
      reg.raw = [{ prop, hex: bytes.toString('hex') }];
      reg.intent += `-malformed-${prop}`;
    }
    c.regions.push(reg);
  }
  if (chance(0.12)) {
    const k = int(1, 2);
    for (let i = 0; i < k; i++) {
      const b = chance(0.7)
        ? randIn(VIRT_RAM_BASE + 64n * MiB > ramEnd ? VIRT_RAM_BASE : VIRT_RAM_BASE + 64n * MiB, ramEnd - 4n * MiB, 64n * KiB)
        : ramEnd + 16n * MiB;
      c.memreserve.push([hx(b), hx(pick(sizes.slice(0, 7)))]);
    }
  }
  const args: string[] = [];
  if (chance(0.2)) {
    const v = pick(['0', '8M', '16M', '32M', '48M', '64M', '128M', '256M']);
    args.push(
      chance(0.2) && v !== '0'
        ? `cma=${v}@${hx(randIn(VIRT_RAM_BASE, ramEnd - 64n * MiB > VIRT_RAM_BASE ? ramEnd - 64n * MiB : VIRT_RAM_BASE + MiB, 16n * MiB))}`
        : `cma=${v}`,
    );
  }
  if (chance(0.08) && ramMiB > 256) args.push(`mem=${pick([128, 192, 256].filter((m) => m < ramMiB))}M`);
  if (chance(0.08)) args.push(`reserve_mem=${pick(['1M', '4M', '16M'])}:${pick(['4K', '64K', '2M'])}:${pick(['oops', 'trace'])}`);
  if (chance(0.05)) args.push(`crashkernel=${pick(['32M', '64M', '128M'])}`);
  c.bootargs = args.join(' ');
  const numa =
    opts.numa && family === 'arm64'
      ? NUMA_CHOICES[createHash('sha256').update(`${seed}:${index}:${family}:numa`).digest().readUInt32LE(0) % NUMA_CHOICES.length]
      : null;
  if (numa) c.numa = numa.map((q) => hx((ram / 4n) * BigInt(q)));
  else if (opts.smp) {
    const cpus = SMP_CHOICES[createHash('sha256').update(`${seed}:${index}:${family}:smp`).digest().readUInt32LE(0) % SMP_CHOICES.length]!;
    if (cpus > 1) c.cpus = cpus;
  }
  if (opts.cores && family === 'arm64') {
    const core =
      CORE_CHOICES[createHash('sha256').update(`${seed}:${index}:${family}:cores`).digest().readUInt32LE(0) % CORE_CHOICES.length];
    if (core === 'nolva') {
      c.nolva = true;
      c.bootargs = [c.bootargs, 'arm64.nolva'].filter((x) => x).join(' ');
    } else if (core) c.cpu = core;
  }
  if (opts.params) {
    const words = paramWords(seed, index, family);
    if (words.length) {
      c.params = words;
      c.bootargs = [c.bootargs, ...words].filter((x) => x).join(' ');
    }
  }
  if (opts.banks && family === 'arm') {
    const words = bankWords(seed, index, ram);
    if (words.length) {
      c.banks = words;
      c.bootargs = [c.bootargs, ...words].filter((x) => x).join(' ');
    }
  }
  if (opts.many && !c.noNode && !c.rmCells && !c.noRanges) {
    const extra = manyRegions(seed, index, ram, used);
    if (extra.length) {
      c.regions.push(...extra);
      c.many = extra.length;
    }
  }
  return c;
}

const hexBytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const concat = (parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/** The /reserved-memory node a case describes (undefined when the case has none). */
export function caseNode(c: LabCase): Node | undefined {
  if (c.noNode) return undefined;
  const ac = c.rmCells?.address ?? 2;
  const sc = c.rmCells?.size ?? 2;
  const node = newNode('reserved-memory', noSpan);
  setProp(node, '#address-cells', u32Value(ac));
  setProp(node, '#size-cells', u32Value(sc));
  if (!c.noRanges) setProp(node, 'ranges', new Uint8Array());
  const ranges = (pairs: Array<[Hex, Hex]>): Uint8Array =>
    concat(pairs.flatMap(([a, s]) => [cellsValue([BigInt(a)], ac), cellsValue([BigInt(s)], sc)]));
  for (const rg of c.regions) {
    const n = addChild(node, newNode(rg.name, noSpan));
    if (rg.compatible) setProp(n, 'compatible', stringsValue(...rg.compatible));
    if (rg.reg) setProp(n, 'reg', ranges(rg.reg));
    if (rg.size) setProp(n, 'size', cellsValue([BigInt(rg.size)], sc));
    if (rg.alignment) setProp(n, 'alignment', cellsValue([BigInt(rg.alignment)], sc));
    if (rg.allocRanges) setProp(n, 'alloc-ranges', ranges(rg.allocRanges));
    if (rg.noMap) setProp(n, 'no-map', new Uint8Array());
    if (rg.reusable) setProp(n, 'reusable', new Uint8Array());
    if (rg.cmaDefault) setProp(n, 'linux,cma-default', new Uint8Array());
    if (rg.dmaDefault) setProp(n, 'linux,dma-default', new Uint8Array());
    if (rg.status) setProp(n, 'status', stringsValue(rg.status));
    for (const raw of rg.raw ?? []) {
      // The malformed value goes last, where the lab has always put it.
      deleteProp(n, raw.prop);
      setProp(n, raw.prop, hexBytes(raw.hex));
    }
  }
  return node;
}

/** QEMU's virt tree with the case's reserved memory (after the memory node) and /memreserve/ entries. */
export function buildCaseTree(base: Tree, c: LabCase): Tree {
  const root = cloneNode(base.root);
  deleteChild(root, 'reserved-memory');
  const rm = caseNode(c);
  if (rm) addChild(root, rm, root.children.findIndex((x) => x.name.startsWith('memory')) + 1);
  return {
    plugin: false,
    memreserves: c.memreserve.map(([a, s]) => ({ address: BigInt(a), size: BigInt(s), labels: [], span: noSpan })),
    root,
    bootCpuidPhys: base.bootCpuidPhys,
  };
}

/** Stable ID of a case's inputs (kernel-independent). */
export function caseId(c: LabCase): string {
  return createHash('sha256').update(JSON.stringify(c)).digest('hex').slice(0, 16);
}
