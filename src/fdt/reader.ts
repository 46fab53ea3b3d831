// Validating DTB reader for untrusted blobs.
//
// Rules follow libfdt's fdt_check_header()/fdt_check_full() (what the kernel relies on) and dtc's
// own reader (flattree.c dt_from_blob/unflatten_tree, which the tree must match so that
// `carveout decompile` and `dtc -I dtb` agree). Every offset, length and string is bounds-checked
// before use, every kind of corruption is a Diagnostic naming the byte offset, and the work is
// bounded by the blob size: each loop step consumes at least 4 bytes of the blob, string ends are
// found through one precomputed table, and nesting is bounded by `maxDepth`.
import { Buffer } from 'node:buffer';
import type { Tree, Node, Property, MemReserve } from '../tree/types.js';
import { MAX_TREE_DEPTH, newNode } from '../tree/types.js';
import { diag, type Diagnostic, type Span, type Severity } from '../diagnostics.js';
import {
  FDT_MAGIC,
  FDT_BEGIN_NODE,
  FDT_END_NODE,
  FDT_PROP,
  FDT_NOP,
  FDT_END,
  FDT_RESERVE_ENTRY_SIZE,
  FDT_V1_SIZE,
  FDT_V2_SIZE,
  FDT_V3_SIZE,
  FDT_V17_SIZE,
  FDT_LAST_SUPPORTED_VERSION,
  HDR,
} from './constants.js';

export interface ReadDtbOptions {
  /**
   * Deepest node nesting accepted (root = 1). The kernel's unflattener gives up beyond 64
   * (drivers/of/fdt.c FDT_MAX_DEPTH); dtc has no limit. Default 1024; with `dtcCompat`,
   * MAX_TREE_DEPTH (src/tree/types.ts).
   */
  maxDepth?: number;
  /** Give nodes the labels named in /__symbols__ (dtc 1.6.1 does not: off by default). */
  labelsFromSymbols?: boolean;
  /**
   * Accept exactly what dtc 1.6.1's reader (flattree.c dt_from_blob) accepts, for `compile -I dtb`
   * verdicts identical to dtc's: no last_comp_version, overlap, alignment or header-overlap
   * checks, the structure block bounded by totalsize rather than size_dt_struct, nesting bounded
   * only by MAX_TREE_DEPTH;
   * but no FDT_NOP before the root node or between it and FDT_END. Still bounds-checked and
   * linear-time. Default (off): libfdt's stricter rules, which the kernel applies.
   */
  dtcCompat?: boolean;
}

/** The header fields as read (those the version does not have are undefined). */
export interface FdtHeader {
  magic: number;
  totalsize: number;
  offDtStruct: number;
  offDtStrings: number;
  offMemRsvmap: number;
  version: number;
  lastCompVersion: number;
  bootCpuidPhys?: number;
  sizeDtStrings?: number;
  sizeDtStruct?: number;
}

export interface ReadDtbResult {
  /** Present when the blob had no error (warnings allowed). */
  tree?: Tree;
  diagnostics: Diagnostic[];
  header?: FdtHeader;
}

const DEFAULT_MAX_DEPTH = 1024;
/** drivers/of/fdt.c: unflatten_dt_nodes() WARNs and skips nodes at depth >= FDT_MAX_DEPTH - 1. */
const KERNEL_MAX_DEPTH = 64;

function hex(n: number): string {
  return '0x' + n.toString(16);
}

interface Region {
  name: string;
  start: number;
  end: number; // exclusive
}

/**
 * Read and validate a DTB. Never throws for bad input: every problem is a diagnostic
 * (codes `dtb-truncated`, `dtb-bad-magic`, `dtb-bad-version`, `dtb-bad-header`, `dtb-bad-offset`,
 * `dtb-misaligned`, `dtb-overlap`, `dtb-unterminated-string`, `dtb-unterminated-rsvmap`,
 * `dtb-bad-length`, `dtb-bad-token`, `dtb-bad-structure`, `dtb-bad-path`, `dtb-too-deep`; warnings
 * `dtb-prop-after-node`, `dtb-nop-in-old-version`, `dtb-version`, `dtb-kernel-depth`).
 */
export function readDtb(bytes: Uint8Array, file = '<dtb>', opts: ReadDtbOptions = {}): ReadDtbResult {
  const r = new Reader(bytes, file, opts);
  try {
    return r.read();
  } catch (e) {
    // A bug in this reader, not bad input: still report it as a diagnostic rather than crash a
    // caller that is reading an untrusted blob.
    r.err('dtb-internal', `internal error while reading the blob: ${e instanceof Error ? e.message : String(e)}`);
    return { diagnostics: r.diags };
  }
}

/** The blob starts with the FDT magic (dtc.c guess_input_format, libfdt fdt_magic). */
export function isDtb(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(HDR.magic) === FDT_MAGIC;
}

/**
 * `n` bytes of the structure block from the value of property `prop` of the node at `nodePath`
 * (components compared exactly) onward: what C code reading past a short value sees, e.g. 6.12's
 * fdt_scan_reserved_mem_reg_nodes() reading the cells of an empty `reg` (drivers/of/of_reserved_mem.c).
 * Bytes past the end of the blob read as 0. Undefined when the blob is not a v16+ FDT, is
 * malformed before the property, or has no such node or property. Linear and bounds-checked
 * (libfdt fdt_next_tag rules: names NUL-terminated, tokens 4-aligned).
 */
export function bytesFromProperty(blob: Uint8Array, nodePath: string, prop: string, n: number): Uint8Array | undefined {
  if (blob.length < FDT_V17_SIZE || !isDtb(blob)) return undefined;
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (view.getUint32(HDR.version) < 16) return undefined;
  const total = Math.min(view.getUint32(HDR.totalsize), blob.length);
  const strStart = view.getUint32(HDR.off_dt_strings);
  const strEnd = Math.min(strStart + view.getUint32(HDR.size_dt_strings), total);
  const want = nodePath.split('/').filter((c) => c);
  const path: string[] = [];
  let depth = 0;
  const latin1 = (from: number, to: number): string => Buffer.from(blob.buffer, blob.byteOffset + from, to - from).toString('latin1');
  for (let p = view.getUint32(HDR.off_dt_struct); p + 4 <= total; ) {
    const tok = view.getUint32(p);
    p += 4;
    if (tok === FDT_BEGIN_NODE) {
      const nul = blob.indexOf(0, p);
      if (nul < 0 || nul >= total) return undefined;
      if (depth > 0) path.push(latin1(p, nul));
      depth++;
      p = (nul + 1 + 3) & ~3;
    } else if (tok === FDT_END_NODE) {
      if (depth === 0) return undefined;
      depth--;
      path.pop();
    } else if (tok === FDT_PROP) {
      if (p + 8 > total) return undefined;
      const len = view.getUint32(p);
      const nameoff = view.getUint32(p + 4);
      const value = p + 8;
      const name = strStart + nameoff;
      if (path.length === want.length && path.every((c, i) => c === want[i]) && name < strEnd) {
        const nul = blob.indexOf(0, name);
        if (nul >= 0 && nul < strEnd && latin1(name, nul) === prop) {
          const out = new Uint8Array(n);
          out.set(blob.subarray(value, Math.min(value + n, blob.length)));
          return out;
        }
      }
      if (len > total - value) return undefined;
      p = (value + len + 3) & ~3;
    } else if (tok !== FDT_NOP) return undefined;
  }
  return undefined;
}

class Reader {
  readonly diags: Diagnostic[] = [];
  private readonly view: DataView;
  private readonly buf: Buffer;
  private readonly span: Span;
  private readonly maxDepth: number;
  private readonly compat: boolean;
  private errors = 0;

  constructor(
    private readonly bytes: Uint8Array,
    file: string,
    private readonly opts: ReadDtbOptions,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.span = { file, line: 0, column: 0, endLine: 0, endColumn: 0 };
    this.compat = opts.dtcCompat === true;
    this.maxDepth = opts.maxDepth ?? (this.compat ? MAX_TREE_DEPTH : DEFAULT_MAX_DEPTH);
  }

  private add(severity: Severity, code: string, message: string): void {
    if (severity === 'error') this.errors++;
    this.diags.push(diag(severity, code, message, this.span));
  }
  err(code: string, message: string): void {
    this.add('error', code, message);
  }
  warn(code: string, message: string): void {
    this.add('warning', code, message);
  }

  private u32(off: number): number {
    return this.view.getUint32(off);
  }

  read(): ReadDtbResult {
    const len = this.bytes.length;
    if (len < 8) {
      if (len >= 4 && this.u32(0) !== FDT_MAGIC)
        this.err('dtb-bad-magic', `bad magic ${hex(this.u32(0))} at offset 0x0 (expected 0xd00dfeed): not a device tree blob`);
      else this.err('dtb-truncated', `blob is ${len} bytes: too short for a device tree header (at least ${FDT_V17_SIZE} bytes)`);
      return { diagnostics: this.diags };
    }
    const magic = this.u32(HDR.magic);
    if (magic !== FDT_MAGIC) {
      this.err('dtb-bad-magic', `bad magic ${hex(magic)} at offset 0x0 (expected 0xd00dfeed): not a device tree blob`);
      return { diagnostics: this.diags };
    }
    if (len < FDT_V1_SIZE) {
      this.err('dtb-truncated', `blob is ${len} bytes: too short for a device tree header (at least ${FDT_V1_SIZE} bytes)`);
      return { diagnostics: this.diags };
    }
    const version = this.u32(HDR.version);
    const lastComp = this.u32(HDR.last_comp_version);
    const compat = this.compat;
    // Layout: 1-3 the old formats dtc still reads; 16 and 17 current; newer ones are read as 17
    // when they declare themselves backward compatible with it (libfdt fdt_check_header).
    // dtc itself checks no version: below 16 is the old format, 3+ has size_dt_strings, 17+
    // size_dt_struct.
    let layout: number;
    if (compat) layout = version < 16 ? (version >= 3 ? 3 : version === 2 ? 2 : 1) : version >= 17 ? 17 : 16;
    else if (version >= 1 && version <= 3) layout = version;
    else if (version === 16 || version === 17) layout = version;
    else if (version > 17 && lastComp <= FDT_LAST_SUPPORTED_VERSION) {
      layout = 17;
      this.warn(
        'dtb-version',
        `blob version ${version} (offset 0x14) is newer than 17; reading it as version 17, which it declares compatible (last_comp_version ${lastComp})`,
      );
    } else {
      this.err(
        'dtb-bad-version',
        `unsupported blob version ${version} (offset 0x14), last_comp_version ${lastComp} (offset 0x18); versions 1-3, 16 and 17 are understood`,
      );
      return { diagnostics: this.diags };
    }
    if (!compat && layout >= 16 && lastComp > FDT_LAST_SUPPORTED_VERSION) {
      this.err('dtb-bad-version', `last_comp_version ${lastComp} (offset 0x18) is newer than 17: this reader cannot read it`);
      return { diagnostics: this.diags };
    }
    const hdrSize = layout >= 17 ? FDT_V17_SIZE : layout >= 3 ? FDT_V3_SIZE : layout === 2 ? FDT_V2_SIZE : FDT_V1_SIZE;
    if (len < hdrSize) {
      this.err('dtb-truncated', `blob is ${len} bytes: too short for a version ${version} header (${hdrSize} bytes)`);
      return { diagnostics: this.diags };
    }
    const header: FdtHeader = {
      magic,
      totalsize: this.u32(HDR.totalsize),
      offDtStruct: this.u32(HDR.off_dt_struct),
      offDtStrings: this.u32(HDR.off_dt_strings),
      offMemRsvmap: this.u32(HDR.off_mem_rsvmap),
      version,
      lastCompVersion: lastComp,
    };
    if (layout >= 2 || (compat && len >= FDT_V2_SIZE)) header.bootCpuidPhys = this.u32(HDR.boot_cpuid_phys); // dtc reads it whatever the version
    if (layout >= 3) header.sizeDtStrings = this.u32(HDR.size_dt_strings);
    if (layout >= 17) header.sizeDtStruct = this.u32(HDR.size_dt_struct);

    const total = header.totalsize;
    if (total < hdrSize) {
      this.err('dtb-bad-header', `totalsize ${total} (offset 0x4) is smaller than the ${hdrSize}-byte version ${version} header`);
      return { diagnostics: this.diags, header };
    }
    if (total > len) {
      this.err('dtb-truncated', `blob is truncated: header says totalsize ${total} (offset 0x4) but only ${len} bytes are present`);
      return { diagnostics: this.diags, header };
    }

    // Block offsets and sizes (libfdt check_off_/check_block_: each inside [hdrSize, totalsize];
    // dtc: the reserve map and structure block start before totalsize, the strings block at most
    // at it).
    const checkOff = (what: string, field: number, off: number): boolean => {
      if (compat ? (field === HDR.off_dt_strings ? off > total : off >= total) : off < hdrSize || off > total) {
        this.err(
          'dtb-bad-offset',
          `${what} offset ${hex(off)} (header offset ${hex(field)}) is outside the blob (header ${hdrSize} bytes, totalsize ${total})`,
        );
        return false;
      }
      return true;
    };
    let ok = checkOff('memory reservation block', HDR.off_mem_rsvmap, header.offMemRsvmap);
    ok = checkOff('structure block', HDR.off_dt_struct, header.offDtStruct) && ok;
    ok = checkOff('strings block', HDR.off_dt_strings, header.offDtStrings) && ok;
    const strStart = header.offDtStrings;
    const strEnd = header.sizeDtStrings !== undefined ? strStart + header.sizeDtStrings : total;
    if (ok && strEnd > total) {
      this.err(
        'dtb-bad-offset',
        `strings block at ${hex(strStart)} of size ${header.sizeDtStrings} (offset 0x20) runs past totalsize ${total}`,
      );
      ok = false;
    }
    let structLimit = total;
    if (header.sizeDtStruct !== undefined) {
      const end = header.offDtStruct + header.sizeDtStruct;
      if (ok && end > total) {
        this.err(
          'dtb-bad-offset',
          `structure block at ${hex(header.offDtStruct)} of size ${header.sizeDtStruct} (offset 0x24) runs past totalsize ${total}`,
        );
        ok = false;
      }
      if (!compat) structLimit = end; // dtc reads on to totalsize
    }
    if (ok && !compat && header.offDtStruct % 4 !== 0) {
      this.err('dtb-misaligned', `structure block offset ${hex(header.offDtStruct)} (header offset 0x8) is not 4-byte aligned`);
      ok = false;
    }
    if (!ok) return { diagnostics: this.diags, header };
    if (header.offMemRsvmap % 8 !== 0) {
      this.warn('dtb-misaligned', `memory reservation block offset ${hex(header.offMemRsvmap)} (header offset 0x10) is not 8-byte aligned`);
    }

    // Memory reservation block: (address, size) pairs up to the first entry of size 0, as libfdt's
    // fdt_num_mem_rsv() and dtc's flat_read_mem_reserve() stop.
    const memreserves: MemReserve[] = [];
    let p = header.offMemRsvmap;
    for (;;) {
      if (p + FDT_RESERVE_ENTRY_SIZE > total) {
        this.err(
          'dtb-unterminated-rsvmap',
          `memory reservation block starting at offset ${hex(header.offMemRsvmap)} has no terminating entry before the end of the blob (entry at offset ${hex(p)} is cut off)`,
        );
        return { diagnostics: this.diags, header };
      }
      const address = this.view.getBigUint64(p);
      const size = this.view.getBigUint64(p + 8);
      p += FDT_RESERVE_ENTRY_SIZE;
      if (size === 0n) break;
      memreserves.push({ address, size, labels: [], span: this.span });
    }
    const rsvEnd = p;

    const regions: Region[] = [
      { name: 'header', start: 0, end: hdrSize },
      { name: 'memory reservation block', start: header.offMemRsvmap, end: rsvEnd },
      { name: 'strings block', start: strStart, end: strEnd },
    ];
    if (header.sizeDtStruct !== undefined && !compat) {
      regions.push({ name: 'structure block', start: header.offDtStruct, end: structLimit });
      if (!this.checkOverlap(regions)) return { diagnostics: this.diags, header };
    }

    const root = this.readStruct(header, layout, structLimit, strStart, strEnd);
    if (!root) return { diagnostics: this.diags, header };
    if (header.sizeDtStruct === undefined && !compat) {
      regions.push({ name: 'structure block', start: header.offDtStruct, end: root.end });
      if (!this.checkOverlap(regions)) return { diagnostics: this.diags, header };
    }
    if (this.errors) return { diagnostics: this.diags, header };

    const tree: Tree = { plugin: false, memreserves, root: root.node, bootCpuidPhys: header.bootCpuidPhys ?? 0 };
    if (this.opts.labelsFromSymbols) labelsFromSymbols(tree);
    return { tree, diagnostics: this.diags, header };
  }

  private checkOverlap(regions: Region[]): boolean {
    let ok = true;
    for (let i = 0; i < regions.length; i++) {
      for (let j = i + 1; j < regions.length; j++) {
        const a = regions[i]!;
        const b = regions[j]!;
        if (a.end > a.start && b.end > b.start && a.start < b.end && b.start < a.end) {
          this.err(
            'dtb-overlap',
            `${b.name} (offsets ${hex(b.start)}-${hex(b.end - 1)}) overlaps the ${a.name} (offsets ${hex(a.start)}-${hex(a.end - 1)})`,
          );
          ok = false;
        }
      }
    }
    return ok;
  }

  /**
   * Walk the structure block. Iterative (an explicit stack), so nesting depth costs no JS stack;
   * every step consumes at least one 4-byte token.
   */
  private readStruct(
    h: FdtHeader,
    layout: number,
    limit: number,
    strStart: number,
    strEnd: number,
  ): { node: Node; end: number } | undefined {
    const bytes = this.bytes;
    const old = layout < 16; // FTF_FULLPATH | FTF_NAMEPROPS | FTF_VARALIGN, no FDT_NOP
    const base = h.offDtStruct;
    const names = new StringsBlock(bytes, this.buf, strStart, strEnd);
    const stack: Node[] = [];
    const flatNames: string[] = []; // v1-3: each open node's full path as stored
    let root: Node | undefined;
    let warnedKernelDepth = false;
    let p = base;
    const cut = (what: string): undefined => {
      this.err('dtb-truncated', `structure block is cut off: ${what} at offset ${hex(p)} runs past its end at ${hex(limit)}`);
      return undefined;
    };

    for (;;) {
      if (p + 4 > limit) return cut(root && stack.length === 0 ? 'FDT_END token expected' : 'token');
      const tokOff = p;
      const tok = this.u32(p);
      p += 4;
      if (this.compat && stack.length === 0) {
        // dt_from_blob: the first word must be FDT_BEGIN_NODE and the one after the root FDT_END
        // (libfdt skips NOPs there).
        if (!root && tok !== FDT_BEGIN_NODE) {
          this.err(
            'dtb-bad-structure',
            `structure block does not begin with FDT_BEGIN_NODE (begins with ${hex(tok)} at offset ${hex(tokOff)})`,
          );
          return undefined;
        }
        if (root && tok !== FDT_END) {
          this.err(
            'dtb-bad-structure',
            `structure block does not end with FDT_END after the root node (${hex(tok)} at offset ${hex(tokOff)})`,
          );
          return undefined;
        }
      }
      switch (tok) {
        case FDT_BEGIN_NODE: {
          if (root && stack.length === 0) {
            this.err('dtb-bad-structure', `second root node (FDT_BEGIN_NODE at offset ${hex(tokOff)}) after the root node ended`);
            return undefined;
          }
          if (stack.length >= this.maxDepth) {
            this.err('dtb-too-deep', `node at offset ${hex(tokOff)} is nested more than ${this.maxDepth} levels deep`);
            return undefined;
          }
          if (stack.length === KERNEL_MAX_DEPTH - 1 && !warnedKernelDepth) {
            warnedKernelDepth = true;
            this.warn(
              'dtb-kernel-depth',
              `node at offset ${hex(tokOff)} is nested ${stack.length} levels below the root: Linux skips nodes this deep when it unflattens the tree (drivers/of/fdt.c unflatten_dt_nodes, FDT_MAX_DEPTH ${KERNEL_MAX_DEPTH})`,
            );
          }
          const nul = bytes.indexOf(0, p);
          if (nul < 0 || nul >= limit) {
            this.err(
              'dtb-unterminated-string',
              `node name at offset ${hex(p)} is not NUL-terminated within the structure block (ends at ${hex(limit)})`,
            );
            return undefined;
          }
          let name = this.buf.toString('latin1', p, nul);
          p = base + ((nul + 1 - base + 3) & ~3); // aligned relative to the block, as dtc reads
          if (p > limit) return cut('node name padding');
          if (old) {
            // v1-3 store full paths: the child's name is what follows its parent's path
            // (flattree.c nodename_from_path).
            const ppath = flatNames.length ? flatNames[flatNames.length - 1]! : '';
            if (!name.startsWith(ppath)) {
              this.err('dtb-bad-path', `node path "${name}" at offset ${hex(tokOff)} is not valid as a child of "${ppath}"`);
              return undefined;
            }
            flatNames.push(name);
            name = name.slice(ppath === '/' ? 1 : ppath.length + 1);
          }
          const parent = stack.length ? stack[stack.length - 1]! : null;
          const node = newNode(name, this.span, parent);
          if (parent) parent.children.push(node);
          else root = node;
          stack.push(node);
          break;
        }
        case FDT_PROP: {
          if (p + 8 > limit) return cut('property header');
          const plen = this.u32(p);
          const nameoff = this.u32(p + 4);
          p += 8;
          const node = stack.length ? stack[stack.length - 1]! : undefined;
          if (!node) {
            this.err('dtb-bad-structure', `property (FDT_PROP at offset ${hex(tokOff)}) outside any node`);
            return undefined;
          }
          const name = names.get(nameoff);
          if (typeof name !== 'string') {
            if (name === OUT_OF_RANGE)
              this.err(
                'dtb-bad-offset',
                `property at offset ${hex(tokOff)}: name offset ${hex(nameoff)} is outside the strings block (size ${strEnd - strStart})`,
              );
            else
              this.err(
                'dtb-unterminated-string',
                `property at offset ${hex(tokOff)}: name at strings offset ${hex(nameoff)} (blob offset ${hex(strStart + nameoff)}) is not NUL-terminated within the strings block`,
              );
            return undefined;
          }
          if (old && plen >= 8) p = base + ((p - base + 7) & ~7);
          if (p + plen > limit) {
            this.err(
              'dtb-bad-length',
              `property "${name}" at offset ${hex(tokOff)}: value of ${plen} bytes at ${hex(p)} runs past the end of the structure block at ${hex(limit)}`,
            );
            return undefined;
          }
          if (node.children.length) {
            // dtc: "Flat tree input has subnodes preceding a property."; the tree keeps
            // properties before children, so writing it back reorders them, as dtc does.
            this.warn('dtb-prop-after-node', `property "${name}" at offset ${hex(tokOff)} follows a subnode of ${this.pathOf(stack)}`);
          }
          // A copy, not a view: a Node Buffer's slice() aliases the caller's blob (and its
          // .buffer starts at the blob's first byte, not the value's).
          const value = Uint8Array.prototype.slice.call(bytes, p, p + plen);
          p = base + ((p + plen - base + 3) & ~3);
          if (p > limit) return cut('property value padding');
          const prop: Property = { name, value, markers: [], labels: [], span: this.span };
          node.props.push(prop);
          if (plen === 4 && (name === 'phandle' || (name === 'linux,phandle' && node.phandle === 0))) {
            node.phandle = new DataView(value.buffer, value.byteOffset, 4).getUint32(0);
          }
          break;
        }
        case FDT_END_NODE: {
          if (!stack.length) {
            this.err('dtb-bad-structure', `FDT_END_NODE at offset ${hex(tokOff)} without an open node`);
            return undefined;
          }
          const done = stack.pop()!;
          if (old) {
            flatNames.pop();
            dropRedundantNameProp(done);
          }
          break;
        }
        case FDT_NOP:
          if (old)
            this.warn(
              'dtb-nop-in-old-version',
              `FDT_NOP at offset ${hex(tokOff)} in a version ${h.version} blob (NOPs came with version 16)`,
            );
          break;
        case FDT_END: {
          if (!root) {
            this.err('dtb-bad-structure', `FDT_END at offset ${hex(tokOff)} before any node: the structure block holds no root node`);
            return undefined;
          }
          if (stack.length) {
            this.err(
              'dtb-bad-structure',
              `premature FDT_END at offset ${hex(tokOff)}: ${stack.length} node(s) still open, innermost ${this.pathOf(stack)}`,
            );
            return undefined;
          }
          return { node: root, end: p };
        }
        default:
          this.err('dtb-bad-token', `invalid token ${hex(tok)} at offset ${hex(tokOff)} in the structure block`);
          return undefined;
      }
    }
  }

  private pathOf(stack: Node[]): string {
    if (stack.length <= 1) return '/';
    return stack
      .slice(1)
      .map((n) => '/' + n.name)
      .join('');
  }
}

const OUT_OF_RANGE = 1;
const UNTERMINATED = 2;

/**
 * Property names from the strings block. A name at offset `off` runs to the first NUL at or after
 * it; names that end at the same NUL are suffixes of one string. Two tables built once (O(size))
 * give, for each offset, that NUL and the start of its string; each string is decoded once and a
 * name is a slice of it. So a hostile blob with many distinct offsets into one long string costs
 * O(size) time and memory, not O(size²).
 */
class StringsBlock {
  private readonly runs = new Map<number, string>();
  private nulAt: Int32Array | undefined;
  private runStart: Int32Array | undefined;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly buf: Buffer,
    private readonly start: number,
    private readonly end: number,
  ) {}

  get(off: number): string | typeof OUT_OF_RANGE | typeof UNTERMINATED {
    const size = this.end - this.start;
    if (off >= size) return OUT_OF_RANGE;
    if (!this.nulAt || !this.runStart) {
      const b = this.bytes;
      const base = this.start;
      const nulAt = new Int32Array(size);
      let next = -1;
      for (let i = size - 1; i >= 0; i--) {
        if (b[base + i] === 0) next = i;
        nulAt[i] = next;
      }
      const runStart = new Int32Array(size);
      for (let i = 0; i < size; i++) runStart[i] = i === 0 || b[base + i - 1] === 0 ? i : runStart[i - 1]!;
      this.nulAt = nulAt;
      this.runStart = runStart;
    }
    const nul = this.nulAt[off]!;
    if (nul < 0) return UNTERMINATED;
    const rs = this.runStart[off]!;
    let run = this.runs.get(rs);
    if (run === undefined) {
      run = this.buf.toString('latin1', this.start + rs, this.start + nul);
      this.runs.set(rs, run);
    }
    return off === rs ? run : run.slice(off - rs);
  }
}

/**
 * v1-3 blobs carry a "name" property in every node (FTF_NAMEPROPS). dtc drops it when it matches
 * the node's base name (checks.c check_name_properties: same length as basename + 1 and same
 * leading bytes), so the tree read from an old blob equals the one read from a v16/17 blob.
 */
function dropRedundantNameProp(node: Node): void {
  const i = node.props.findIndex((p) => p.name === 'name');
  if (i < 0) return;
  const v = node.props[i]!.value;
  const at = node.name.indexOf('@');
  const base = at < 0 ? node.name : node.name.slice(0, at);
  if (v.length !== base.length + 1) return;
  for (let k = 0; k < base.length; k++) if (v[k] !== base.charCodeAt(k)) return;
  node.props.splice(i, 1);
}

/** Give nodes the labels that /__symbols__ names (a `-@` blob), for a friendlier decompile. */
function labelsFromSymbols(tree: Tree): void {
  const symbols = tree.root.children.find((c) => c.name === '__symbols__');
  if (!symbols) return;
  for (const prop of symbols.props) {
    const v = prop.value;
    if (v.length < 2 || v[v.length - 1] !== 0 || v[0] !== 0x2f /* '/' */) continue;
    const path = Buffer.from(v.buffer, v.byteOffset, v.length - 1).toString('latin1');
    let n: Node | undefined = tree.root;
    for (const part of path.split('/').slice(1)) {
      if (part === '') continue;
      n = n.children.find((c) => c.name === part);
      if (!n) break;
    }
    if (n && !n.labels.includes(prop.name) && /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(prop.name)) n.labels.push(prop.name);
  }
}
