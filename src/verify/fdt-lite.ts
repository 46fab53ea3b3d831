// A small, self-contained FDT reader/writer for the lab: the lab's long recordings must not depend
// on files other engineers are editing, and the lab only needs raw properties (it writes malformed
// ones on purpose). Layout per the devicetree specification ch. 5 / dtc flattree.c: header (40
// bytes, v17), memory reservation block, structure block (FDT_BEGIN_NODE=1, END_NODE=2, PROP=3,
// NOP=4, END=9), strings block. The reader validates offsets (DTBs are untrusted input).

export interface LiteProp {
  name: string;
  value: Uint8Array;
}
export interface LiteNode {
  name: string;
  props: LiteProp[];
  children: LiteNode[];
}
export interface LiteTree {
  memreserve: Array<{ address: bigint; size: bigint }>;
  root: LiteNode;
  bootCpuid: number;
}

const MAGIC = 0xd00dfeed;

export function readFdt(bytes: Uint8Array): LiteTree | string {
  if (bytes.length < 40) return 'DTB shorter than its header';
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (o: number): number => dv.getUint32(o, false);
  if (u32(0) !== MAGIC) return 'not a DTB (bad magic)';
  const total = u32(4),
    offStruct = u32(8),
    offStrings = u32(12),
    offRsv = u32(16),
    version = u32(20);
  if (total > bytes.length) return `DTB truncated: header says ${total} bytes, file has ${bytes.length}`;
  if (version < 16) return `DTB version ${version} not supported`;
  const sizeStrings = u32(32),
    sizeStruct = version >= 17 ? u32(36) : total - offStruct;
  if (offStruct + sizeStruct > total || offStrings + sizeStrings > total || offRsv + 16 > total) return 'DTB block offsets out of range';
  const memreserve: LiteTree['memreserve'] = [];
  for (let o = offRsv; o + 16 <= total; o += 16) {
    const address = dv.getBigUint64(o, false),
      size = dv.getBigUint64(o + 8, false);
    if (address === 0n && size === 0n) break;
    memreserve.push({ address, size });
    if (memreserve.length > 4096) return 'DTB memory reservation block not terminated';
  }
  const str = (o: number): string | undefined => {
    if (o >= sizeStrings) return undefined;
    const s = offStrings + o;
    let e = s;
    while (e < offStrings + sizeStrings && bytes[e] !== 0) e++;
    if (e >= offStrings + sizeStrings) return undefined;
    return Buffer.from(bytes.subarray(s, e)).toString('latin1');
  };
  let p = offStruct;
  const end = offStruct + sizeStruct;
  const stack: LiteNode[] = [];
  let root: LiteNode | undefined;
  while (p + 4 <= end) {
    const tag = u32(p);
    p += 4;
    if (tag === 1) {
      let e = p;
      while (e < end && bytes[e] !== 0) e++;
      if (e >= end) return 'node name runs past the structure block';
      const node: LiteNode = { name: Buffer.from(bytes.subarray(p, e)).toString('latin1'), props: [], children: [] };
      p = (e + 1 + 3) & ~3;
      if (stack.length) stack[stack.length - 1]!.children.push(node);
      else if (root) return 'two root nodes';
      else root = node;
      stack.push(node);
      if (stack.length > 64) return 'nodes nested too deep';
    } else if (tag === 2) {
      if (!stack.pop()) return 'unbalanced FDT_END_NODE';
    } else if (tag === 3) {
      if (p + 8 > end) return 'property header past the structure block';
      const len = u32(p),
        nameOff = u32(p + 4);
      p += 8;
      if (p + len > end) return 'property value past the structure block';
      const name = str(nameOff);
      if (name === undefined) return 'property name offset out of range';
      if (!stack.length) return 'property outside any node';
      stack[stack.length - 1]!.props.push({ name, value: bytes.slice(p, p + len) });
      p = (p + len + 3) & ~3;
    } else if (tag === 4) {
    } else if (tag === 9) {
      break;
    } else return `bad structure tag ${tag}`;
  }
  if (!root || stack.length) return 'structure block not terminated';
  return { memreserve, root, bootCpuid: u32(28) };
}

/** Write a v17 DTB (no padding). Strings are shared like dtc does (suffix sharing not needed). */
export function writeFdt(t: LiteTree): Uint8Array {
  const strings: string[] = [];
  const strOff = new Map<string, number>();
  let strLen = 0;
  const nameOff = (n: string): number => {
    let o = strOff.get(n);
    if (o === undefined) {
      o = strLen;
      strOff.set(n, o);
      strings.push(n);
      strLen += Buffer.byteLength(n, 'latin1') + 1;
    }
    return o;
  };
  const parts: Buffer[] = [];
  const w32 = (v: number): void => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    parts.push(b);
  };
  const pad = (n: number): void => {
    if (n % 4) parts.push(Buffer.alloc(4 - (n % 4)));
  };
  const emit = (n: LiteNode): void => {
    w32(1);
    const nb = Buffer.from(n.name + '\0', 'latin1');
    parts.push(nb);
    pad(nb.length);
    for (const pr of n.props) {
      w32(3);
      w32(pr.value.length);
      w32(nameOff(pr.name));
      parts.push(Buffer.from(pr.value));
      pad(pr.value.length);
    }
    for (const c of n.children) emit(c);
    w32(2);
  };
  emit(t.root);
  w32(9);
  const struct = Buffer.concat(parts);
  const strBlock = Buffer.from(strings.map((s) => s + '\0').join(''), 'latin1');
  const rsv = Buffer.alloc(16 * (t.memreserve.length + 1));
  t.memreserve.forEach((r, i) => {
    rsv.writeBigUInt64BE(r.address, 16 * i);
    rsv.writeBigUInt64BE(r.size, 16 * i + 8);
  });
  const offRsv = 40,
    offStruct = offRsv + rsv.length,
    offStrings = offStruct + struct.length;
  const total = offStrings + strBlock.length;
  const h = Buffer.alloc(40);
  [MAGIC, total, offStruct, offStrings, offRsv, 17, 16, t.bootCpuid, strBlock.length, struct.length].forEach((v, i) =>
    h.writeUInt32BE(v >>> 0, i * 4),
  );
  return new Uint8Array(Buffer.concat([h, rsv, struct, strBlock]));
}

// ---- helpers for building properties
export const u32s = (...v: Array<number | bigint>): Uint8Array => {
  const b = Buffer.alloc(4 * v.length);
  v.forEach((x, i) => b.writeUInt32BE(Number(BigInt.asUintN(32, BigInt(x))), 4 * i));
  return new Uint8Array(b);
};
/** `cells` cells of a value (big-endian, high cells first). */
export const cellsOf = (v: bigint, cells: number): bigint[] => {
  const out: bigint[] = [];
  for (let i = cells - 1; i >= 0; i--) out.push((v >> BigInt(32 * i)) & 0xffffffffn);
  return out;
};
export const str = (...s: string[]): Uint8Array => new Uint8Array(Buffer.from(s.map((x) => x + '\0').join(''), 'latin1'));
export const getProp = (n: LiteNode, name: string): LiteProp | undefined => n.props.find((p) => p.name === name);
export const setProp = (n: LiteNode, name: string, value: Uint8Array): void => {
  const p = getProp(n, name);
  if (p) p.value = value;
  else n.props.push({ name, value });
};
export const delProp = (n: LiteNode, name: string): void => {
  n.props = n.props.filter((p) => p.name !== name);
};
export const child = (n: LiteNode, name: string): LiteNode | undefined => n.children.find((c) => c.name === name);
export function cloneNode(n: LiteNode): LiteNode {
  return { name: n.name, props: n.props.map((p) => ({ name: p.name, value: p.value.slice() })), children: n.children.map(cloneNode) };
}
