// Builders for small device trees and a bare early-boot host, for the of_reserved_mem tests
// (no DTS front end needed). Cells are 32-bit big-endian like dtc's `< >`.
import { newNode, type Node, type Tree } from '../../src/tree/types.js';
import { noSpan } from '../../src/diagnostics.js';
import { Memblock } from '../../src/kernel/memblock.js';
import type { RmemHost, RmemProfile } from '../../src/kernel/rmem.js';
import type { ReservedMemHandler } from '../../src/kernel/handler-api.js';
import { linux61 } from '../../src/kernel/versions/6.1.js';
import { linux612 } from '../../src/kernel/versions/6.12.js';
import { seriesByName } from '../../src/kernel/versions/index.js';

export type PropVal = true | string | string[] | number[] | bigint[] | Uint8Array | { u64: bigint[] };

function encode(v: PropVal): Uint8Array {
  if (v === true) return new Uint8Array(0);
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') v = [v];
  if (Array.isArray(v) && (v.length === 0 || typeof v[0] === 'string')) {
    const parts = (v as string[]).map((s) => [...Buffer.from(s, 'latin1'), 0]);
    return new Uint8Array(parts.flat());
  }
  const cells: bigint[] =
    'u64' in (v as object)
      ? (v as { u64: bigint[] }).u64.flatMap((x) => [x >> 32n, x & 0xffffffffn])
      : (v as (number | bigint)[]).map((x) => BigInt(x));
  const out = new Uint8Array(cells.length * 4);
  cells.forEach((c, i) => new DataView(out.buffer).setUint32(i * 4, Number(c & 0xffffffffn)));
  return out;
}

export function node(name: string, props: Record<string, PropVal> = {}, children: Node[] = []): Node {
  const n = newNode(name, noSpan);
  for (const [k, v] of Object.entries(props)) n.props.push({ name: k, value: encode(v), markers: [], labels: [], span: noSpan });
  for (const c of children) {
    c.parent = n;
    n.children.push(c);
  }
  return n;
}

export function tree(root: Node, memreserves: { address: bigint; size: bigint }[] = []): Tree {
  return { plugin: false, root, memreserves: memreserves.map((m) => ({ ...m, labels: [], span: noSpan })), bootCpuidPhys: 0 };
}

/** A 2-cell board like QEMU's virt: `/reserved-memory` with the given children. */
export function virtTree(children: Node[], rmemProps: Record<string, PropVal> = {}, cells = 2): Tree {
  const rm = node('reserved-memory', { '#address-cells': [cells], '#size-cells': [cells], ranges: true, ...rmemProps }, children);
  return tree(node('', { '#address-cells': [cells], '#size-cells': [cells], compatible: 'linux,dummy-virt' }, [rm]));
}

/** `reg`/`size`-style cells for a 2-cell tree. */
export function c2(...xs: bigint[]): { u64: bigint[] } {
  return { u64: xs };
}

export const profiles: Record<string, RmemProfile> = {
  '6.1-arm64': {
    id: '6.1-arm64',
    version: linux61.name,
    series: linux61,
    arch: 'arm64',
    pageSize: 4096,
    physAddrBits: 64,
    cmaMinAlignmentBytes: 2n << 20n,
    maxCmaAreas: 20,
    smpCacheBytes: 64,
  },
  '6.12-arm64': {
    id: '6.12-arm64',
    version: linux612.name,
    series: linux612,
    arch: 'arm64',
    pageSize: 4096,
    physAddrBits: 64,
    cmaMinAlignmentBytes: 2n << 20n,
    maxCmaAreas: 20,
    smpCacheBytes: 64,
  },
  '6.1-armmp': {
    id: '6.1-armmp',
    version: linux61.name,
    series: linux61,
    arch: 'arm',
    pageSize: 4096,
    physAddrBits: 32,
    cmaMinAlignmentBytes: 8n << 20n,
    maxCmaAreas: 8,
    smpCacheBytes: 64,
  },
};

/** Memory at 0x40000000 of `ram` bytes, the kernel image reserved like 6.12 arm64 under QEMU. */
export function bareHost(
  t: Tree,
  kernel: keyof typeof profiles | RmemProfile,
  opts: { ram?: bigint; reserve?: [bigint, bigint][]; handlers?: ReservedMemHandler[]; cmaCmdline?: bigint } = {},
): RmemHost {
  const profile = typeof kernel === 'string' ? profiles[kernel]! : kernel;
  const mb = new Memblock({
    physAddrBits: profile.physAddrBits,
    pageSize: profile.pageSize,
    behaviour: seriesByName(profile.version).memblock,
  });
  mb.add(0x40000000n, opts.ram ?? 0x40000000n);
  for (const [b, s] of opts.reserve ?? [[0x40200000n, 0x2b20000n]]) mb.reserve(b, s);
  const h: RmemHost = { tree: t, profile, memblock: mb, log: [], cma: { areaCount: 0 } };
  if (opts.handlers) h.handlers = opts.handlers;
  if (opts.cmaCmdline !== undefined) h.cmdline = { cmaSize: opts.cmaCmdline };
  return h;
}

export function texts(h: RmemHost): string[] {
  return h.log.map((l) => l.text);
}
