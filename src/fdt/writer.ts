// DTB writer, byte-identical to `dtc -O dtb` (dtc 1.6.1 flattree.c: dt_to_blob, flatten_tree,
// flatten_reserve_list, make_fdt_header, stringtable_insert).
//
// Hot path (the bench compiles the whole arm64 corpus): the structure block and the strings block
// each live in one growing buffer; nothing is built byte by byte in JS arrays.
import { Buffer } from 'node:buffer';
import type { Tree, Node } from '../tree/types.js';
import { diag, type Diagnostic } from '../diagnostics.js';
import {
  FDT_MAGIC,
  FDT_BEGIN_NODE,
  FDT_END_NODE,
  FDT_PROP,
  FDT_END,
  FDT_RESERVE_ENTRY_SIZE,
  FTF_BOOTCPUID,
  FTF_FULLPATH,
  FTF_NAMEPROPS,
  FTF_STRTABSIZE,
  FTF_STRUCTSIZE,
  FTF_VARALIGN,
  DEFAULT_FDT_VERSION,
  HDR,
  versionInfo,
  type VersionInfo,
} from './constants.js';

/** The largest blob a header can describe: fdt_header.totalsize is a 32-bit field. */
export const FDT_MAX_TOTALSIZE = 0xffffffff;

export interface WriteDtbOptions {
  /** Blob version, dtc `-V` (1, 2, 3, 16 or 17; default 17). */
  version?: number;
  /** Extra empty memory reservation entries, dtc `-R`. */
  reserve?: number;
  /** Minimum blob size, dtc `-S`. */
  space?: number;
  /** Zero padding added after the strings block, dtc `-p` (wins over `space`, as in dtc). */
  pad?: number;
  /** Pad the blob to a multiple of this (a power of two), dtc `-a`. */
  align?: number;
  /** boot_cpuid_phys, dtc `-b`; default `tree.bootCpuidPhys`. */
  bootCpuid?: number;
  /** Receives dtc's warnings (e.g. "blob size >= minimum size"). */
  diagnostics?: Diagnostic[];
}

/** One growing byte buffer (dtc's `struct data`, without the markers). */
export class ByteBuf {
  buf: Uint8Array;
  view: DataView;
  len = 0;

  constructor(cap = 4096) {
    this.buf = new Uint8Array(cap);
    this.view = new DataView(this.buf.buffer);
  }

  ensure(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
    this.view = new DataView(nb.buffer);
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.len, v >>> 0);
    this.len += 4;
  }

  u64(v: bigint): void {
    this.ensure(8);
    this.view.setBigUint64(this.len, BigInt.asUintN(64, v));
    this.len += 8;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** A string's bytes (latin1: one byte per char code, as the DTB reader decodes), no terminator. */
  str(s: string, n = s.length): void {
    this.ensure(n * 3 + 8);
    const buf = this.buf;
    let p = this.len;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x100) buf[p++] = c;
      else p += utf8Encode(s.charAt(i), buf, p); // not produced by our readers/parsers; kept lossless
    }
    this.len = p;
  }

  /**
   * Append n zero bytes. The buffer is only ever written at `len` and forward, and new or grown
   * buffers are zero-filled, so the bytes past `len` are already zero: just advance.
   */
  zeroes(n: number): void {
    this.ensure(n);
    this.len += n;
  }

  /** data_append_align: pad with zeroes to a multiple of `a` (a power of two). */
  align(a: number): void {
    const pad = -this.len & (a - 1);
    if (pad) {
      this.ensure(pad);
      this.len += pad;
    }
  }

  result(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

function utf8Encode(ch: string, out: Uint8Array, at: number): number {
  const b = new TextEncoder().encode(ch);
  out.set(b, at);
  return b.length;
}

/**
 * The strings block with dtc's sharing rule: a name is stored at the first offset where
 * `name\0` already occurs in the table (so a name that is a suffix of an earlier one, e.g.
 * "cells" after "#address-cells", reuses its tail), else appended. dtc 1.6.1 finds that offset
 * with a linear `streq(str, table + i)` scan. We keep, for every stored string, its suffixes of up
 * to SUFFIX_MAX characters in a map (first, i.e. lowest, offset wins), which answers every
 * lookup of a name that short in O(1); a longer name (never seen in real trees, but a hostile blob
 * can hold one) is searched for in the table bytes, as dtc does. Same offsets either way.
 */
const SUFFIX_MAX = 64;

export class StringTable {
  readonly data = new ByteBuf(1024);
  private readonly offsets = new Map<string, number>();

  insert(s: string): number {
    const hit = this.offsets.get(s);
    if (hit !== undefined) return hit;
    const latin1 = isLatin1(s);
    if (!latin1 || s.length > SUFFIX_MAX) {
      const needle = Buffer.from(s + '\0', latin1 ? 'latin1' : 'utf8');
      const at = Buffer.from(this.data.buf.buffer, 0, this.data.len).indexOf(needle);
      if (at >= 0) {
        this.offsets.set(s, at);
        return at;
      }
    }
    const off = this.data.len;
    this.data.str(s);
    this.data.zeroes(1);
    this.offsets.set(s, off);
    if (latin1) {
      // Every suffix s[k..] now occurs at off + k; earlier occurrences keep their lower offset.
      for (let k = Math.max(1, s.length - SUFFIX_MAX); k <= s.length; k++) {
        const suf = s.slice(k);
        if (!this.offsets.has(suf)) this.offsets.set(suf, off + k);
      }
    }
    return off;
  }
}

function isLatin1(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

/** dtc's fill_fullpaths: basenamelen is the name up to '@'. */
function baseNameLen(name: string): number {
  const at = name.indexOf('@');
  return at < 0 ? name.length : at;
}

// Tokens as module-local constants: the hot loop then reads no imported binding (under tsx an
// imported constant is a getter call).
const BEGIN_NODE = FDT_BEGIN_NODE;
const END_NODE = FDT_END_NODE;
const PROP = FDT_PROP;

/** Emit FDT_BEGIN_NODE, the name and the properties of one node (flatten_tree, before its children). */
function flattenNodeHead(node: Node, dt: ByteBuf, strs: StringTable, vi: VersionInfo, fullpath: string): void {
  dt.u32(BEGIN_NODE);
  dt.str(vi.flags & FTF_FULLPATH ? fullpath : node.name);
  dt.zeroes(1);
  dt.align(4);

  let seenNameProp = false;
  const varalign = (vi.flags & FTF_VARALIGN) !== 0;
  for (const prop of node.props) {
    if (prop.name === 'name') seenNameProp = true;
    const nameoff = strs.insert(prop.name);
    const len = prop.value.length;
    dt.ensure(12);
    const v = dt.view;
    v.setUint32(dt.len, PROP);
    v.setUint32(dt.len + 4, len);
    v.setUint32(dt.len + 8, nameoff);
    dt.len += 12;
    if (varalign && len >= 8) dt.align(8);
    if (len) {
      dt.bytes(prop.value);
      dt.align(4);
    }
  }

  if (vi.flags & FTF_NAMEPROPS && !seenNameProp) {
    // The v1-3 "name" property: the base name (up to '@'). dtc declares basenamelen+1 bytes but
    // emit->string() writes the whole name when basenamelen is 0 — reproduced as is.
    const bl = baseNameLen(node.name);
    dt.u32(PROP);
    dt.u32(bl + 1);
    dt.u32(strs.insert('name'));
    if (varalign && bl + 1 >= 8) dt.align(8);
    dt.str(node.name, bl === 0 ? node.name.length : bl);
    dt.zeroes(1);
    dt.align(4);
  }
}

/**
 * flatten_tree, depth first in dtc's order, with an explicit stack rather than recursion so that
 * a very deep tree (e.g. read from a hostile blob) cannot overflow the JS stack.
 */
function flattenTree(root: Node, dt: ByteBuf, strs: StringTable, vi: VersionInfo): void {
  const fullpaths = (vi.flags & FTF_FULLPATH) !== 0;
  const rootPath = fullpaths ? joinPath('', root.name) : '';
  flattenNodeHead(root, dt, strs, vi, rootPath);
  const nodes: Node[] = [root];
  const next: number[] = [0];
  const paths: string[] = [rootPath];
  while (nodes.length) {
    const top = nodes.length - 1;
    const node = nodes[top]!;
    const i = next[top]!;
    if (i < node.children.length) {
      next[top] = i + 1;
      const child = node.children[i]!;
      const path = fullpaths ? joinPath(paths[top]!, child.name) : '';
      flattenNodeHead(child, dt, strs, vi, path);
      nodes.push(child);
      next.push(0);
      paths.push(path);
    } else {
      dt.u32(END_NODE);
      nodes.pop();
      next.pop();
      paths.pop();
    }
  }
}

/** util.c join_path. */
function joinPath(path: string, name: string): string {
  return path.endsWith('/') ? path + name : path + '/' + name;
}

/**
 * Flatten a tree to a DTB exactly as `dtc -O dtb` does (flattree.c dt_to_blob).
 * An unknown version, a non-power-of-two `align` or a blob over FDT_MAX_TOTALSIZE bytes is an
 * error diagnostic in `opts.diagnostics`
 * (empty result), or a RangeError when no diagnostics array is given.
 */
export function writeDtb(tree: Tree, opts: WriteDtbOptions = {}): Uint8Array {
  const version = opts.version ?? DEFAULT_FDT_VERSION;
  const vi = versionInfo(version);
  const align = opts.align ?? 0;
  // dtc refuses these up front (dt_to_blob: "Unknown device tree blob version"; dtc.c: "Invalid
  // argument to -a option"). With a diagnostics array they become errors there and the result
  // is empty; without one they are a caller's bug.
  const bad = !vi
    ? `Unknown device tree blob version ${version}`
    : align > 0 && (align & (align - 1)) !== 0
      ? `Invalid argument "${align}" to -a option`
      : undefined;
  if (bad !== undefined || !vi) {
    if (!opts.diagnostics) throw new RangeError(bad);
    opts.diagnostics.push(diag('error', 'usage', bad ?? ''));
    return new Uint8Array(0);
  }

  const dt = new ByteBuf(64 * 1024);
  const strs = new StringTable();
  flattenTree(tree.root, dt, strs, vi);
  dt.u32(FDT_END);

  const reserveNum = Math.max(0, opts.reserve ?? 0);
  const reserveSize = (tree.memreserves.length + reserveNum) * FDT_RESERVE_ENTRY_SIZE;
  const dtSize = dt.len;
  const strSize = strs.data.len;

  // make_fdt_header: the reserve map is doubleword aligned after the header; its size counts the
  // terminating empty entry.
  const reserveOff = (vi.hdrSize + 7) & ~7;
  const rsvTotal = reserveSize + FDT_RESERVE_ENTRY_SIZE;
  let totalsize = reserveOff + rsvTotal + dtSize + strSize;

  // dt_to_blob: -S (minsize), then -p (padsize) overrides it, then -a rounds the total up.
  let padlen = 0;
  const minsize = opts.space ?? 0;
  if (minsize > 0) {
    padlen = minsize - totalsize;
    if (padlen < 0) {
      padlen = 0;
      opts.diagnostics?.push(diag('warning', 'blob-size', `blob size ${totalsize} >= minimum size ${minsize}`));
    }
  }
  const padsize = opts.pad ?? 0;
  if (padsize > 0) padlen = padsize;
  const alignsize = opts.align ?? 0;
  if (alignsize > 0) padlen = Math.ceil((totalsize + padlen) / alignsize) * alignsize - totalsize;
  if (padlen > 0) totalsize += padlen;
  else padlen = 0;
  // The header's totalsize is a 32-bit field: a bigger blob (e.g. -R 0x10000000, 4 GiB of empty
  // reservations) cannot be described, where dtc writes it with a wrapped totalsize.
  if (totalsize > FDT_MAX_TOTALSIZE) {
    const msg = `blob would be ${totalsize} bytes, more than a DTB's 32-bit totalsize holds (${FDT_MAX_TOTALSIZE}); lower -R, -S, -p or -a`;
    if (!opts.diagnostics) throw new RangeError(msg);
    opts.diagnostics.push(diag('error', 'usage', msg));
    return new Uint8Array(0);
  }

  const out = new Uint8Array(reserveOff + rsvTotal + dtSize + strSize + padlen);
  const v = new DataView(out.buffer);
  v.setUint32(HDR.magic, FDT_MAGIC);
  v.setUint32(HDR.totalsize, totalsize >>> 0);
  v.setUint32(HDR.off_dt_struct, reserveOff + rsvTotal);
  v.setUint32(HDR.off_dt_strings, reserveOff + rsvTotal + dtSize);
  v.setUint32(HDR.off_mem_rsvmap, reserveOff);
  v.setUint32(HDR.version, vi.version);
  v.setUint32(HDR.last_comp_version, vi.lastCompVersion);
  if (vi.flags & FTF_BOOTCPUID) v.setUint32(HDR.boot_cpuid_phys, (opts.bootCpuid ?? tree.bootCpuidPhys) >>> 0);
  if (vi.flags & FTF_STRTABSIZE) v.setUint32(HDR.size_dt_strings, strSize);
  if (vi.flags & FTF_STRUCTSIZE) v.setUint32(HDR.size_dt_struct, dtSize);
  // Bytes between the header and the reserve map (v16's 36-byte header) stay zero, as
  // data_append_align() leaves them.

  let p = reserveOff;
  for (const re of tree.memreserves) {
    v.setBigUint64(p, BigInt.asUintN(64, re.address));
    v.setBigUint64(p + 8, BigInt.asUintN(64, re.size));
    p += FDT_RESERVE_ENTRY_SIZE;
  }
  p += reserveNum * FDT_RESERVE_ENTRY_SIZE + FDT_RESERVE_ENTRY_SIZE; // -R empties + terminator: zeroes
  out.set(dt.result(), p);
  p += dtSize;
  out.set(strs.data.result(), p);
  return out;
}
