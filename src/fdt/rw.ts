// Editing a blob in place, as libfdt does (libfdt/fdt_ro.c, fdt_rw.c, fdt.c of dtc 1.6.1): the
// few read and write functions fdt_overlay_apply() uses, with libfdt's offsets (node and property
// offsets into the structure block), its error codes and its byte-level effects. Those effects
// are what fdtoverlay's output consists of: a new property goes first in its node, a new node
// first among its parent's children, new names are appended to the strings block, and the bytes
// a resized or inserted value does not cover (its padding) keep what was in memory there.
//
// Only for blobs readDtb() (reader.ts) has already validated: the checks below are the ones
// whose errors libfdt's callers act on, not a second validation of the format.
import { Buffer } from 'node:buffer';
import { MAX_ALIAS_DEPTH } from '../tree/types.js';
import { FDT_BEGIN_NODE, FDT_END, FDT_END_NODE, FDT_MAGIC, FDT_NOP, FDT_PROP, FDT_RESERVE_ENTRY_SIZE, HDR } from './constants.js';

/** libfdt's error codes (libfdt.h), negated as libfdt returns them. */
export const FDT_ERR = {
  NOTFOUND: -1,
  EXISTS: -2,
  NOSPACE: -3,
  BADOFFSET: -4,
  BADPATH: -5,
  BADPHANDLE: -6,
  BADSTATE: -7,
  TRUNCATED: -8,
  BADMAGIC: -9,
  BADVERSION: -10,
  BADSTRUCTURE: -11,
  BADLAYOUT: -12,
  INTERNAL: -13,
  BADNCELLS: -14,
  BADVALUE: -15,
  BADOVERLAY: -16,
  NOPHANDLES: -17,
} as const;

/** fdt_strerror: `FDT_ERR_NOTFOUND` for -1, … */
export function fdtStrerror(err: number): string {
  for (const [name, code] of Object.entries(FDT_ERR)) if (code === err) return `FDT_ERR_${name}`;
  return '<unknown error>';
}

const HEADER_SIZE = 40;
const TAG = 4;
const tagAlign = (n: number): number => (n + 3) & ~3;

/** A blob in a buffer of `buf.length` bytes, `totalsize` = the buffer size as fdt_open_into leaves it. */
export class FdtBlob {
  buf: Uint8Array;
  private view: DataView;

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  h(field: number): number {
    return this.view.getUint32(field);
  }
  setH(field: number, v: number): void {
    this.view.setUint32(field, v >>> 0);
  }
  u32(abs: number): number {
    return this.view.getUint32(abs);
  }
  setU32(abs: number, v: number): void {
    this.view.setUint32(abs, v >>> 0);
  }
  private get struct(): number {
    return this.h(HDR.off_dt_struct);
  }

  /** fdt_next_tag: the tag at `off` and the offset of the next one. */
  nextTag(off: number): { tag: number; next: number } {
    const s = this.struct;
    const tag = this.u32(s + off);
    let p = off + TAG;
    if (tag === FDT_BEGIN_NODE) {
      const nul = this.buf.indexOf(0, s + p);
      p = nul - s + 1;
    } else if (tag === FDT_PROP) {
      p += 8 + this.u32(s + p);
    } else if (tag !== FDT_END && tag !== FDT_END_NODE && tag !== FDT_NOP) return { tag: FDT_END, next: FDT_ERR.BADSTRUCTURE };
    return { tag, next: tagAlign(p) };
  }

  /** fdt_check_node_offset_: the offset after the node's FDT_BEGIN_NODE and name. */
  private afterNodeName(node: number): number {
    const t = this.nextTag(node);
    return t.tag === FDT_BEGIN_NODE ? t.next : FDT_ERR.BADOFFSET;
  }

  /**
   * fdt_next_node: the next FDT_BEGIN_NODE after `off` (-1: the root), with the depth change;
   * NOTFOUND at the end. `depth.d` < 0 means the walk left the starting node's parent.
   */
  nextNode(off: number, depth?: { d: number }): number {
    let next = 0;
    if (off >= 0) {
      next = this.afterNodeName(off);
      if (next < 0) return next;
    }
    for (;;) {
      off = next;
      const t = this.nextTag(off);
      next = t.next;
      if (t.tag === FDT_BEGIN_NODE) {
        if (depth) depth.d++;
        return off;
      }
      if (t.tag === FDT_END_NODE) {
        if (depth && --depth.d < 0) return next;
      } else if (t.tag === FDT_END) return next >= 0 ? FDT_ERR.NOTFOUND : next;
    }
  }

  /** fdt_first_subnode / fdt_next_subnode as one list. */
  subnodes(parent: number): number[] {
    const out: number[] = [];
    const depth = { d: 0 };
    let off = this.nextNode(parent, depth);
    while (off >= 0 && depth.d >= 1) {
      if (depth.d === 1) out.push(off);
      off = this.nextNode(off, depth);
    }
    return out;
  }

  /** fdt_get_name. */
  name(node: number): string {
    const s = this.struct + node + TAG;
    return this.str(s, this.buf.indexOf(0, s));
  }

  private str(from: number, to: number): string {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset + from, to - from).toString('latin1');
  }

  /** fdt_first_property_offset / fdt_next_property_offset as one list (NOPs skipped, up to the first subnode). */
  properties(node: number): number[] {
    const out: number[] = [];
    let off = this.afterNodeName(node);
    if (off < 0) return out;
    for (;;) {
      const t = this.nextTag(off);
      if (t.tag === FDT_PROP) out.push(off);
      else if (t.tag !== FDT_NOP) return out;
      off = t.next;
    }
  }

  /** fdt_getprop_by_offset: name, absolute value offset and length of the property at `off`. */
  prop(off: number): { name: string; value: number; len: number } {
    const s = this.struct + off;
    const nameAt = this.h(HDR.off_dt_strings) + this.u32(s + 8);
    return { name: this.str(nameAt, this.buf.indexOf(0, nameAt)), value: s + 12, len: this.u32(s + 4) };
  }

  value(p: { value: number; len: number }): Uint8Array {
    return this.buf.subarray(p.value, p.value + p.len);
  }

  /** fdt_get_property_namelen_: the first property of that name (undefined: NOTFOUND). */
  getProp(node: number, name: string): { off: number; name: string; value: number; len: number } | undefined {
    for (const off of this.properties(node)) {
      const p = this.prop(off);
      if (p.name === name) return { off, ...p };
    }
    return undefined;
  }

  /** fdt_subnode_offset_namelen: the first child `name` names (fdt_nodename_eq_: `foo` matches `foo@1`). */
  subnode(parent: number, name: string): number {
    const depth = { d: 0 };
    let off = parent;
    for (; off >= 0 && depth.d >= 0; off = this.nextNode(off, depth)) {
      if (depth.d === 1 && nodenameEq(this.name(off), name)) return off;
    }
    return depth.d < 0 ? FDT_ERR.NOTFOUND : off;
  }

  /**
   * fdt_path_offset_namelen: `/a/b`, or `alias/rest` through /aliases (the alias value read to
   * its NUL). An alias that leads back to itself makes libfdt recurse without end; here it is
   * BADPATH after `MAX_ALIAS_DEPTH` steps.
   */
  pathOffset(path: string, aliasDepth = 0): number {
    let off = 0;
    let p = 0;
    const end = path.length;
    if (path[0] !== '/') {
      let q = path.indexOf('/');
      if (q < 0) q = end;
      const aliases = this.pathOffset('/aliases', aliasDepth);
      const alias = aliases < 0 ? undefined : this.getProp(aliases, path.slice(0, q));
      if (!alias || aliasDepth >= MAX_ALIAS_DEPTH) return FDT_ERR.BADPATH;
      off = this.pathOffset(cString(this.value(alias)), aliasDepth + 1);
      p = q;
    }
    while (p < end) {
      while (path[p] === '/') {
        p++;
        if (p === end) return off;
      }
      let q = path.indexOf('/', p);
      if (q < 0) q = end;
      if (off < 0) return off;
      off = this.subnode(off, path.slice(p, q));
      if (off < 0) return off;
      p = q;
    }
    return off;
  }

  /** fdt_get_phandle: `phandle`, else `linux,phandle`, each only when 4 bytes long; else 0. */
  phandle(node: number): number {
    for (const name of ['phandle', 'linux,phandle']) {
      const p = this.getProp(node, name);
      if (p && p.len === 4) return this.u32(p.value);
    }
    return 0;
  }

  /** Every node offset, in blob order (fdt_next_node from -1). */
  nodes(): number[] {
    const out: number[] = [];
    for (let off = this.nextNode(-1); off >= 0; off = this.nextNode(off)) out.push(off);
    return out;
  }

  /**
   * fdt_nop_node: the node, its properties and subnodes overwritten with FDT_NOP words, in place
   * (what qemu_fdt_nop_node leaves where a node was). The node's end is found as
   * fdt_node_end_offset_ does, by walking fdt_next_node until the depth drops below the node's.
   */
  nopNode(node: number): number {
    const depth = { d: 0 };
    let end = node;
    while (end >= 0 && depth.d >= 0) end = this.nextNode(end, depth);
    if (end < 0) return end;
    for (let off = node; off < end; off += TAG) this.setU32(this.struct + off, FDT_NOP);
    return 0;
  }

  /** fdt_node_offset_by_phandle. */
  nodeByPhandle(phandle: number): number {
    if (phandle === 0 || phandle === 0xffffffff) return FDT_ERR.BADPHANDLE;
    for (const off of this.nodes()) if (this.phandle(off) === phandle) return off;
    return FDT_ERR.NOTFOUND;
  }

  /** fdt_get_path: the node's full path (`/` for the root). */
  path(node: number): string {
    const names: string[] = [];
    const depth = { d: 0 };
    for (let off = 0; off >= 0 && depth.d >= 0; off = this.nextNode(off, depth)) {
      names.length = depth.d;
      names.push(this.name(off));
      if (off === node) break;
    }
    return names.length <= 1 ? '/' : names.join('/');
  }

  /** fdt_splice_: open or close room at `p` (absolute), moving everything up to the end of the data. */
  private splice(p: number, oldlen: number, newlen: number): number {
    const dataEnd = this.h(HDR.off_dt_strings) + this.h(HDR.size_dt_strings);
    if (dataEnd - oldlen + newlen > this.h(HDR.totalsize)) return FDT_ERR.NOSPACE;
    this.buf.copyWithin(p + newlen, p + oldlen, dataEnd);
    return 0;
  }

  private spliceStruct(p: number, oldlen: number, newlen: number): number {
    const err = this.splice(p, oldlen, newlen);
    if (err) return err;
    this.setH(HDR.size_dt_struct, this.h(HDR.size_dt_struct) + newlen - oldlen);
    this.setH(HDR.off_dt_strings, this.h(HDR.off_dt_strings) + newlen - oldlen);
    return 0;
  }

  /**
   * fdt_find_add_string_: the first offset in the strings block where `name\0` occurs (suffixes
   * of longer names count), else the name appended.
   */
  private findAddString(name: string): number {
    const tab = this.h(HDR.off_dt_strings);
    const size = this.h(HDR.size_dt_strings);
    const needle = Buffer.from(name + '\0', 'latin1');
    const at = Buffer.from(this.buf.buffer, this.buf.byteOffset + tab, size).indexOf(needle);
    if (at >= 0) return at;
    const err = this.splice(tab + size, 0, needle.length);
    if (err) return err;
    this.setH(HDR.size_dt_strings, size + needle.length);
    this.buf.set(needle, tab + size);
    return size;
  }

  /**
   * fdt_setprop_placeholder: room for a `len`-byte value of property `name`: the existing
   * property resized in place, else a new one first in the node. Returns the absolute offset of
   * the value, or an error. The value's bytes (and padding) are left as memory had them.
   */
  setpropPlaceholder(node: number, name: string, len: number): number {
    const old = this.getProp(node, name);
    const s = this.struct;
    if (old) {
      const err = this.spliceStruct(old.value, tagAlign(old.len), tagAlign(len));
      if (err) return err;
      this.setU32(s + old.off + 4, len);
      return old.value;
    }
    const at = this.afterNodeName(node);
    if (at < 0) return at;
    const tabSize = this.h(HDR.size_dt_strings);
    const nameoff = this.findAddString(name);
    if (nameoff < 0) return nameoff;
    const err = this.spliceStruct(s + at, 0, 12 + tagAlign(len));
    if (err) {
      // fdt_add_property_ rolls a name it just added back
      this.setH(HDR.size_dt_strings, tabSize);
      return err;
    }
    this.setU32(s + at, FDT_PROP);
    this.setU32(s + at + 8, nameoff);
    this.setU32(s + at + 4, len);
    return s + at + 12;
  }

  /** fdt_setprop. */
  setprop(node: number, name: string, value: Uint8Array): number {
    const at = this.setpropPlaceholder(node, name, value.length);
    if (at < 0) return at;
    this.buf.set(value, at);
    return 0;
  }

  /** fdt_setprop_inplace_namelen_partial: 4 bytes at `idx` of an existing value (NOSPACE past its end). */
  setpropInplaceU32(node: number, name: string, idx: number, v: number): number {
    const p = this.getProp(node, name);
    if (!p) return FDT_ERR.NOTFOUND;
    if (p.len < idx + 4) return FDT_ERR.NOSPACE;
    this.setU32(p.value + idx, v);
    return 0;
  }

  /** fdt_add_subnode: a new empty node first among the parent's children (EXISTS if the name matches one). */
  addSubnode(parent: number, name: string): number {
    const found = this.subnode(parent, name);
    if (found >= 0) return FDT_ERR.EXISTS;
    if (found !== FDT_ERR.NOTFOUND) return found;
    let off = this.afterNodeName(parent);
    for (;;) {
      const t = this.nextTag(off);
      if (t.tag !== FDT_PROP && t.tag !== FDT_NOP) break;
      off = t.next;
    }
    const nameLen = tagAlign(Buffer.byteLength(name, 'latin1') + 1);
    const abs = this.struct + off;
    const err = this.spliceStruct(abs, 0, TAG + nameLen + TAG);
    if (err) return err;
    this.setU32(abs, FDT_BEGIN_NODE);
    this.buf.fill(0, abs + TAG, abs + TAG + nameLen);
    this.buf.set(Buffer.from(name, 'latin1'), abs + TAG);
    this.setU32(abs + TAG + nameLen, FDT_END_NODE);
    return off;
  }
}

/** fdt_nodename_eq_: `s` names the node exactly, or without its unit address. */
export function nodenameEq(name: string, s: string): boolean {
  if (!name.startsWith(s)) return false;
  return name.length === s.length || (!s.includes('@') && name[s.length] === '@');
}

/** A value up to its first NUL (C's strlen on a property value). */
export function cString(v: Uint8Array): string {
  const nul = v.indexOf(0);
  return Buffer.from(v.buffer, v.byteOffset, nul < 0 ? v.length : nul).toString('latin1');
}

/** fdt_num_mem_rsv + 1: the reservation block up to and with its terminating entry. */
function memRsvSize(b: FdtBlob): number {
  let n = 0;
  const off = b.h(HDR.off_mem_rsvmap);
  while (b.u32(off + n * 16 + 8) !== 0 || b.u32(off + n * 16 + 12) !== 0) n++;
  return (n + 1) * FDT_RESERVE_ENTRY_SIZE;
}

/** fdt_blocks_misordered_. */
function misordered(b: FdtBlob, rsv: number, structSize: number): boolean {
  return (
    b.h(HDR.off_mem_rsvmap) < HEADER_SIZE ||
    b.h(HDR.off_dt_struct) < b.h(HDR.off_mem_rsvmap) + rsv ||
    b.h(HDR.off_dt_strings) < b.h(HDR.off_dt_struct) + structSize ||
    b.h(HDR.totalsize) < b.h(HDR.off_dt_strings) + b.h(HDR.size_dt_strings)
  );
}

/** memmove within one buffer, memcpy between two. */
function move(from: FdtBlob, to: FdtBlob, src: number, len: number, dst: number): void {
  if (to.buf === from.buf) to.buf.copyWithin(dst, src, src + len);
  else to.buf.set(from.buf.subarray(src, src + len), dst);
}

/** fdt_packblocks_: reservation map, structure and strings blocks one after the other from byte 40 of `to`. */
function packBlocks(from: FdtBlob, to: FdtBlob, rsv: number, structSize: number, stringsSize: number): void {
  const sizeStrings = from.h(HDR.size_dt_strings);
  move(from, to, from.h(HDR.off_mem_rsvmap), rsv, HEADER_SIZE);
  to.setH(HDR.off_mem_rsvmap, HEADER_SIZE);
  move(from, to, from.h(HDR.off_dt_struct), structSize, HEADER_SIZE + rsv);
  to.setH(HDR.off_dt_struct, HEADER_SIZE + rsv);
  to.setH(HDR.size_dt_struct, structSize);
  move(from, to, from.h(HDR.off_dt_strings), stringsSize, HEADER_SIZE + rsv + structSize);
  to.setH(HDR.off_dt_strings, HEADER_SIZE + rsv + structSize);
  to.setH(HDR.size_dt_strings, sizeStrings);
}

/**
 * fdt_open_into(blob, buf, buf.length): the blob copied into `buf` as a version 17 blob whose
 * totalsize is the whole buffer (the free space after the strings block keeps what `buf` held).
 * NOSPACE when it does not fit.
 */
export function openInto(blob: FdtBlob, buf: Uint8Array): FdtBlob | number {
  const rsv = memRsvSize(blob);
  let structSize: number;
  if (blob.h(HDR.version) >= 17) structSize = blob.h(HDR.size_dt_struct);
  else {
    structSize = 0;
    for (let t = blob.nextTag(0); ; t = blob.nextTag(structSize)) {
      structSize = t.next;
      if (t.tag === FDT_END) break;
    }
  }
  const to = new FdtBlob(buf);
  if (!misordered(blob, rsv, structSize)) {
    const total = blob.h(HDR.totalsize);
    if (total > buf.length) return FDT_ERR.NOSPACE;
    buf.set(blob.buf.subarray(0, total));
    to.setH(HDR.version, 17);
    to.setH(HDR.size_dt_struct, structSize);
    to.setH(HDR.totalsize, buf.length);
    return to;
  }
  const newsize = HEADER_SIZE + rsv + structSize + blob.h(HDR.size_dt_strings);
  if (buf.length < newsize) return FDT_ERR.NOSPACE;
  packBlocks(blob, to, rsv, structSize, blob.h(HDR.size_dt_strings));
  to.setH(HDR.magic, FDT_MAGIC);
  to.setH(HDR.totalsize, buf.length);
  to.setH(HDR.version, 17);
  to.setH(HDR.last_comp_version, 16);
  to.setH(HDR.boot_cpuid_phys, blob.h(HDR.boot_cpuid_phys));
  return to;
}

/** fdt_pack + utilfdt_write: the blocks moved together, the free space dropped; the bytes written. */
export function pack(b: FdtBlob): Uint8Array {
  packBlocks(b, b, memRsvSize(b), b.h(HDR.size_dt_struct), b.h(HDR.size_dt_strings));
  const size = b.h(HDR.off_dt_strings) + b.h(HDR.size_dt_strings);
  b.setH(HDR.totalsize, size);
  return b.buf.slice(0, size);
}
