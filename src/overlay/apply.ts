// Applying device tree overlays exactly as dtc 1.6.1's fdtoverlay does (fdtoverlay.c): each
// overlay in turn goes through libfdt's fdt_overlay_apply() (libfdt/fdt_overlay.c) on the base
// opened into a buffer (fdt_open_into), the buffer growing by 64 KiB and the overlay starting over
// whenever it runs out of room (FDT_ERR_NOSPACE); then fdt_pack(). The steps work on the blob
// through src/fdt/rw.ts, libfdt's in-place edits, because fdtoverlay's output is the result of
// those edits byte for byte: where a new property or node lands, the order of the strings block,
// even the padding bytes of a resized value.
// Every failure fdt_overlay_apply() can return is a Diagnostic naming the overlay, the fragment
// or fixup, and what failed, with libfdt's error name (what fdtoverlay prints).
import { Buffer } from 'node:buffer';
import { diag, hasErrors, type Diagnostic, type Span } from '../diagnostics.js';
import { HDR } from '../fdt/constants.js';
import { readDtb } from '../fdt/reader.js';
import { cString, FDT_ERR, FdtBlob, fdtStrerror, openInto, pack } from '../fdt/rw.js';
import { writeDtb } from '../fdt/writer.js';
import { getProp, type Node, type Tree } from '../tree/types.js';

/**
 * An overlay: a tree (compiled from a .dtso) or a blob (.dtbo), with the name diagnostics use; a
 * blob may come with the tree it was compiled from, whose source positions the diagnostics then use.
 */
export type OverlayInput = Tree | Uint8Array | { name: string; tree: Tree } | { name: string; blob: Uint8Array; tree?: Tree };

export interface ApplyOverlaysOptions {
  /** Name of the base in diagnostics (default `<base>`). */
  baseName?: string;
}

/** What an overlay did to the base: a node or property added, or a property's value replaced. */
export interface OverlayChange {
  overlay: string;
  /** The fragment node (`fragment@0`), or `__symbols__` for the symbols libfdt merges. */
  fragment: string;
  kind: 'node-added' | 'property-added' | 'property-changed';
  /** Path of the node in the result. */
  path: string;
  property?: string;
}

export interface ApplyOverlaysResult {
  /** The base with every overlay applied; undefined when one failed. */
  tree?: Tree;
  /** The tree as fdtoverlay writes it (packed, version 17). */
  blob?: Uint8Array;
  diagnostics: Diagnostic[];
  changes: OverlayChange[];
}

/** Where in the overlay a failure is: a node, one of its properties, a byte offset in its value. */
interface OverlayPlace {
  path: string;
  prop?: string;
  offset?: number;
}

/** A failed step of fdt_overlay_apply() (libfdt error code, negative); becomes one error Diagnostic. */
class OverlayFailure extends Error {
  constructor(
    readonly libfdt: number,
    readonly code: string,
    message: string,
    readonly place?: OverlayPlace,
  ) {
    super(message);
  }
}

/** The buffer is full: fdtoverlay grows it and starts the overlay over. */
class NoSpace extends Error {}

function fail(libfdt: number, code: string, message: string, place?: OverlayPlace): never {
  throw new OverlayFailure(libfdt, code, message, place);
}

/**
 * The source position of a place in an overlay compiled from source: the reference at that
 * offset (`&label`), else the property, else the nearest node with a position, else the first
 * child with one.
 */
function sourceSpan(tree: Tree | undefined, place: OverlayPlace | undefined): Span | undefined {
  if (!tree || !place) return undefined;
  const chain: Node[] = [tree.root];
  for (const name of place.path.split('/').filter(Boolean)) {
    const next = chain.at(-1)!.children.find((c) => c.name === name);
    if (!next) break;
    chain.push(next);
  }
  const prop = place.prop === undefined ? undefined : getProp(chain.at(-1)!, place.prop);
  const ref = prop?.markers.find((m) => m.offset === place.offset && m.span?.file);
  if (ref?.span) return ref.span;
  if (prop?.span.file) return prop.span;
  // dtc's generated fragment nodes have no position; their __overlay__ body has the block's.
  const last = chain.at(-1)!;
  return chain.reverse().find((n) => n.span.file)?.span ?? last.children.find((c) => c.span.file)?.span;
}

/** A write into the base: NOSPACE starts the overlay over in a bigger buffer. */
function grew(err: number, what: string): number {
  if (err === FDT_ERR.NOSPACE) throw new NoSpace();
  if (err < 0) fail(err, 'overlay-internal', what);
  return err;
}

/** fdtoverlay.c BUF_INCREMENT. */
const BUF_INCREMENT = 65536;

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

const fileSpan = (file: string): Span => ({ file, line: 0, column: 0, endLine: 0, endColumn: 0 });

/** A blob (or a tree written as dtc writes it) checked by the reader; libfdt's editing needs version 16+. */
function checkedBlob(input: Tree | Uint8Array, name: string, diagnostics: Diagnostic[]): FdtBlob | undefined {
  const bytes = input instanceof Uint8Array ? input : writeDtb(input);
  const r = readDtb(bytes, name);
  diagnostics.push(...r.diagnostics);
  if (!r.tree || !r.header || hasErrors(r.diagnostics)) return undefined;
  if (r.header.version < 16) {
    diagnostics.push(
      diag(
        'error',
        'overlay-blob-version',
        `'${name}' is a version ${r.header.version} blob; overlays apply to version 16 and 17 blobs`,
        fileSpan(name),
      ),
    );
    return undefined;
  }
  // Copies (new Uint8Array(view)), not views: a Node Buffer's slice() aliases the caller's bytes.
  return new FdtBlob(new Uint8Array(bytes.subarray(0, r.header.totalsize)));
}

function overlayName(o: OverlayInput, i: number): string {
  return o instanceof Uint8Array || !('name' in o) ? `<overlay ${i + 1}>` : o.name;
}

function overlayData(o: OverlayInput): Tree | Uint8Array {
  if (o instanceof Uint8Array) return o;
  if ('blob' in o) return o.blob;
  if ('tree' in o) return o.tree;
  return o;
}

/** The tree an overlay was compiled from, when the caller has it (for source positions). */
function overlaySource(o: OverlayInput): Tree | undefined {
  if (o instanceof Uint8Array) return undefined;
  if ('tree' in o) return o.tree;
  return 'root' in o ? o : undefined;
}

/**
 * Apply `overlays` in order to `base` (a tree or a DTB), as `fdtoverlay -i base -o out overlays…`
 * does; a tree is taken as the blob dtc writes for it. The inputs are not modified. On failure
 * `tree` and `blob` are undefined and the diagnostics say which overlay, which fragment or fixup,
 * and what failed.
 */
export function applyOverlays(
  base: Tree | Uint8Array,
  overlays: readonly OverlayInput[],
  opts: ApplyOverlaysOptions = {},
): ApplyOverlaysResult {
  const baseName = opts.baseName ?? '<base>';
  const diagnostics: Diagnostic[] = [];
  const changes: OverlayChange[] = [];
  let blob = checkedBlob(base, baseName, diagnostics);
  if (!blob) return { diagnostics, changes };
  const ovs: { name: string; blob: FdtBlob; source?: Tree }[] = [];
  for (let i = 0; i < overlays.length; i++) {
    const name = overlayName(overlays[i]!, i);
    const b = checkedBlob(overlayData(overlays[i]!), name, diagnostics);
    if (!b) return { diagnostics, changes };
    ovs.push({ name, blob: b, source: overlaySource(overlays[i]!) });
  }
  // fdtoverlay: the buffer starts at the base's size and only grows; each overlay is applied to
  // a fresh copy of the previous result (fdt_open_into), the copy of the overlay too.
  let bufLen = blob.h(HDR.totalsize);
  for (const ov of ovs) {
    let mem = new Uint8Array(bufLen);
    for (;;) {
      const fdt = openInto(blob, mem);
      if (typeof fdt === 'number') throw new Error(`fdt_open_into: ${fdtStrerror(fdt)}`);
      const fdto = new FdtBlob(new Uint8Array(ov.blob.buf));
      const done: OverlayChange[] = [];
      try {
        new Application(fdt, fdto, ov.name, done).run();
        changes.push(...done);
        blob = fdt;
        break;
      } catch (e) {
        if (e instanceof NoSpace) {
          bufLen += BUF_INCREMENT;
          // realloc: the old bytes (what the failed attempt left) stay, the new ones are fresh.
          const grown = new Uint8Array(bufLen);
          grown.set(mem);
          mem = grown;
          continue;
        }
        if (!(e instanceof OverlayFailure)) throw e;
        const span = sourceSpan(ov.source, e.place) ?? fileSpan(ov.name);
        diagnostics.push(diag('error', e.code, `${e.message} (libfdt: ${fdtStrerror(e.libfdt)})`, span));
        return { diagnostics, changes };
      }
    }
  }
  const out = pack(blob);
  const r = readDtb(out, baseName);
  diagnostics.push(...r.diagnostics);
  if (!r.tree) return { diagnostics, changes };
  return { tree: r.tree, blob: out, diagnostics, changes };
}

/** One fdt_overlay_apply(fdt, fdto): the steps of libfdt/fdt_overlay.c in order. */
class Application {
  constructor(
    private readonly fdt: FdtBlob,
    private readonly fdto: FdtBlob,
    private readonly name: string,
    private readonly changes: OverlayChange[],
  ) {}

  run(): void {
    let delta = 0;
    for (const n of this.fdt.nodes()) delta = Math.max(delta, this.fdt.phandle(n));
    for (const n of this.fdto.nodes()) this.adjustPhandles(n, delta);
    const lf = this.fdto.pathOffset('/__local_fixups__');
    if (lf >= 0) this.localReferences(0, lf, delta);
    this.fixupPhandles();
    this.merge();
    this.symbols();
  }

  private at(node: number): string {
    return `overlay '${this.name}': ${this.fdto.path(node)}`;
  }

  /** overlay_phandle_add_offset: the overlay's own phandles move above the base's largest. */
  private adjustPhandles(node: number, delta: number): void {
    for (const name of ['phandle', 'linux,phandle']) {
      const p = this.fdto.getProp(node, name);
      if (!p) continue;
      if (p.len !== 4)
        fail(FDT_ERR.BADPHANDLE, 'overlay-bad-phandle', `${this.at(node)}: property '${name}' is ${p.len} bytes long, a phandle is 4`, {
          path: this.fdto.path(node),
          prop: name,
        });
      const v = this.fdto.u32(p.value);
      if (v + delta >= 0xffffffff)
        fail(
          FDT_ERR.NOPHANDLES,
          'overlay-phandle-overflow',
          `${this.at(node)}: phandle ${hex(v)} moved above the base's largest phandle ${hex(delta)} does not fit in 32 bits`,
          { path: this.fdto.path(node), prop: name },
        );
      this.fdto.setU32(p.value, v + delta);
    }
  }

  /** overlay_update_local_node_references: each phandle the overlay takes from itself moves by `delta`. */
  private localReferences(treeNode: number, fixupNode: number, delta: number): void {
    const o = this.fdto;
    for (const off of o.properties(fixupNode)) {
      const fp = o.prop(off);
      const at = `${this.at(fixupNode)}: property '${fp.name}'`;
      if (fp.len % 4) fail(FDT_ERR.BADOVERLAY, 'overlay-bad-local-fixup', `${at} is ${fp.len} bytes long, not a list of 32-bit offsets`);
      const target = o.getProp(treeNode, fp.name);
      if (!target)
        fail(FDT_ERR.BADOVERLAY, 'overlay-bad-local-fixup', `${at}: ${o.path(treeNode)} has no property '${fp.name}'`, {
          path: o.path(treeNode),
        });
      for (let i = 0; i < fp.len; i += 4) {
        const idx = o.u32(fp.value + i);
        if (idx + 4 > target.len)
          fail(
            FDT_ERR.BADOVERLAY,
            'overlay-bad-local-fixup',
            `${at}: offset ${idx} is past the end of ${o.path(treeNode)}:${fp.name} (${target.len} bytes)`,
            { path: o.path(treeNode), prop: fp.name },
          );
        o.setU32(target.value + idx, o.u32(target.value + idx) + delta);
      }
    }
    for (const fc of o.subnodes(fixupNode)) {
      const name = o.name(fc);
      const tc = o.subnode(treeNode, name);
      if (tc < 0)
        fail(
          FDT_ERR.BADOVERLAY,
          'overlay-bad-local-fixup',
          `${this.at(fc)}: the overlay has no node ${o.path(treeNode).replace(/\/$/, '')}/${name}`,
        );
      this.localReferences(tc, fc, delta);
    }
  }

  /** overlay_fixup_phandles: each `label = "path:property:offset"…` of /__fixups__ gets the base's phandle for `label`. */
  private fixupPhandles(): void {
    const fixups = this.fdto.pathOffset('/__fixups__');
    if (fixups < 0) return;
    const symbols = this.fdt.pathOffset('/__symbols__');
    for (const off of this.fdto.properties(fixups)) {
      const fp = this.fdto.prop(off);
      const v = this.fdto.value(fp);
      let pos = 0;
      do {
        const nul = v.indexOf(0, pos);
        const entry = Buffer.from(v.buffer, v.byteOffset + pos, (nul < 0 ? v.length : nul) - pos).toString('latin1');
        const at = `overlay '${this.name}': /__fixups__/${fp.name}`;
        if (nul < 0) fail(FDT_ERR.BADOVERLAY, 'overlay-bad-fixup', `${at}: entry '${entry}' is not NUL-terminated`);
        pos = nul + 1;
        this.fixupOne(fp.name, entry, symbols, at);
      } while (pos < v.length);
    }
  }

  /** overlay_fixup_phandle + overlay_fixup_one_phandle for one entry. */
  private fixupOne(label: string, entry: string, symbols: number, at: string): void {
    const c1 = entry.indexOf(':');
    // The reference in the overlay source this entry stands for (when the entry is well formed).
    const place: OverlayPlace = { path: entry.slice(0, Math.max(c1, 0)), prop: entry.split(':')[1], offset: Number(entry.split(':')[2]) };
    const c2 = c1 < 0 ? -1 : entry.indexOf(':', c1 + 1);
    // strtoul(…, 10): optional blanks and sign, then at least one digit, and nothing after.
    const num = c2 < 0 ? null : /^[ \t\n\v\f\r]*([+-]?)(\d+)$/.exec(entry.slice(c2 + 1));
    const why =
      c1 < 0
        ? 'has no ":"'
        : c1 === entry.length - 1
          ? 'has nothing after the path'
          : c2 < 0
            ? 'has no second ":"'
            : c2 === c1 + 1
              ? 'names no property'
              : !num
                ? `has offset '${entry.slice(c2 + 1)}', not a decimal number`
                : undefined;
    if (why !== undefined || !num)
      fail(FDT_ERR.BADOVERLAY, 'overlay-bad-fixup', `${at}: entry '${entry}' ${why} (expected PATH:PROPERTY:OFFSET)`, place);
    const path = entry.slice(0, c1);
    const propName = entry.slice(c1 + 1, c2);
    // The offset as libfdt uses it: strtoul's unsigned long (negated for '-', ULONG_MAX when too
    // big) cut to 32 bits.
    let big = BigInt(num[2]!);
    if (big > 0xffff_ffff_ffff_ffffn) big = 0xffff_ffff_ffff_ffffn;
    if (num[1] === '-') big = -big;
    const offset = Number(BigInt.asUintN(32, big));
    if (symbols < 0)
      fail(
        symbols,
        'overlay-no-symbols',
        `overlay '${this.name}' refers to the base's label '${label}' but the base has no /__symbols__ node: compile the base with -@`,
        place,
      );
    const sym = this.fdt.getProp(symbols, label);
    if (!sym)
      fail(
        FDT_ERR.NOTFOUND,
        'overlay-label-missing',
        `overlay '${this.name}': label '${label}' (used at ${path}:${propName}) is not in the base's /__symbols__`,
        place,
      );
    const symPath = cString(this.fdt.value(sym));
    const target = this.fdt.pathOffset(symPath);
    if (target < 0)
      fail(
        target,
        'overlay-symbol-path',
        `overlay '${this.name}': label '${label}': the base's /__symbols__ says '${symPath}', which is not a node of the base`,
        place,
      );
    const phandle = this.fdt.phandle(target);
    if (!phandle)
      fail(
        FDT_ERR.NOTFOUND,
        'overlay-label-no-phandle',
        `overlay '${this.name}': label '${label}': the base's node ${symPath} has no phandle`,
        place,
      );
    const node = this.fdto.pathOffset(path);
    if (node < 0)
      fail(
        node === FDT_ERR.NOTFOUND ? FDT_ERR.BADOVERLAY : node,
        'overlay-bad-fixup',
        `${at}: entry '${entry}': the overlay has no node '${path}'`,
        place,
      );
    const prop = this.fdto.getProp(node, propName);
    if (!prop) fail(FDT_ERR.NOTFOUND, 'overlay-bad-fixup', `${at}: entry '${entry}': ${path} has no property '${propName}'`, place);
    if (offset + 4 > prop.len)
      fail(
        FDT_ERR.NOSPACE,
        'overlay-bad-fixup-offset',
        `${at}: entry '${entry}': offset ${entry.slice(c2 + 1)} is outside ${path}:${propName} (${prop.len} bytes; a phandle needs 4); fdtoverlay 1.6.1 grows its buffer and retries this without end`,
        place,
      );
    this.fdto.setU32(prop.value + offset, phandle);
  }

  /** overlay_get_target: `target = <phandle>` in the base, else `target-path` (a path or an alias). */
  private target(fragment: number): { node: number; path?: string } {
    const at = `overlay '${this.name}': ${this.fdto.name(fragment)}`;
    const t = this.fdto.getProp(fragment, 'target');
    let phandle = 0;
    if (t) {
      const v = t.len === 4 ? this.fdto.u32(t.value) : 0;
      if (t.len !== 4 || v === 0xffffffff)
        fail(
          FDT_ERR.BADPHANDLE,
          'overlay-bad-target',
          t.len !== 4
            ? `${at}: 'target' is ${t.len} bytes long, not one phandle`
            : `${at}: 'target' is <0xffffffff>, an unresolved reference`,
          { path: this.fdto.path(fragment), prop: 'target' },
        );
      phandle = v;
    }
    if (phandle) {
      const node = this.fdt.nodeByPhandle(phandle);
      if (node < 0)
        fail(node, 'overlay-target-missing', `${at}: target phandle ${hex(phandle)} is no node of the base`, {
          path: this.fdto.path(fragment),
          prop: 'target',
        });
      return { node };
    }
    const tp = this.fdto.getProp(fragment, 'target-path');
    if (!tp)
      fail(FDT_ERR.BADOVERLAY, 'overlay-no-target', `${at} has an __overlay__ node but neither 'target' nor 'target-path'`, {
        path: this.fdto.path(fragment),
      });
    const path = cString(this.fdto.value(tp));
    const node = this.fdt.pathOffset(path);
    if (node < 0)
      fail(node, 'overlay-target-missing', `${at}: target-path '${path}' is not a node of the base`, {
        path: this.fdto.path(fragment),
        prop: 'target-path',
      });
    return { node, path };
  }

  /** overlay_merge: each fragment's __overlay__ node merged into its target. */
  private merge(): void {
    for (const fragment of this.fdto.subnodes(0)) {
      const body = this.fdto.subnode(fragment, '__overlay__');
      if (body < 0) continue;
      const target = this.target(fragment).node;
      this.applyNode(target, this.fdt.path(target), body, this.fdto.name(fragment));
    }
  }

  /** overlay_apply_node: properties set (fdt_setprop), then children added or merged, depth first. */
  private applyNode(target: number, path: string, node: number, fragment: string): void {
    const o = this.fdto;
    for (const off of o.properties(node)) {
      const p = o.prop(off);
      const existed = this.fdt.getProp(target, p.name) !== undefined;
      grew(this.fdt.setprop(target, p.name, o.value(p)), `${fragment}: setting ${path}:${p.name}`);
      this.changes.push({ overlay: this.name, fragment, kind: existed ? 'property-changed' : 'property-added', path, property: p.name });
    }
    for (const sub of o.subnodes(node)) {
      const name = o.name(sub);
      let child = this.fdt.addSubnode(target, name);
      if (child === FDT_ERR.EXISTS) child = this.fdt.subnode(target, name);
      else if (child >= 0)
        this.changes.push({ overlay: this.name, fragment, kind: 'node-added', path: `${path === '/' ? '' : path}/${name}` });
      grew(child, `${fragment}: adding ${path}/${name}`);
      this.applyNode(child, `${path === '/' ? '' : path}/${this.fdt.name(child)}`, sub, fragment);
    }
  }

  /**
   * overlay_symbol_update: each overlay symbol `/FRAGMENT/__overlay__/REST` becomes a base symbol
   * `TARGET/REST`, TARGET being the fragment's target-path as written, or the path of its target
   * node; symbols elsewhere in the overlay are skipped.
   */
  private symbols(): void {
    const o = this.fdto;
    const ovSym = o.subnode(0, '__symbols__');
    if (ovSym < 0) return;
    let rootSym = this.fdt.subnode(0, '__symbols__');
    if (rootSym === FDT_ERR.NOTFOUND) {
      rootSym = grew(this.fdt.addSubnode(0, '__symbols__'), 'adding /__symbols__');
      this.changes.push({ overlay: this.name, fragment: '__symbols__', kind: 'node-added', path: '/__symbols__' });
    }
    for (const off of o.properties(ovSym)) {
      const sp = o.prop(off);
      const v = o.value(sp);
      const at = `overlay '${this.name}': /__symbols__/${sp.name}`;
      if (v.length < 1 || v.indexOf(0) !== v.length - 1)
        fail(FDT_ERR.BADVALUE, 'overlay-bad-symbol', `${at} is not one NUL-terminated string`);
      const path = cString(v);
      if (path[0] !== '/') fail(FDT_ERR.BADVALUE, 'overlay-bad-symbol', `${at} = '${path}' is not an absolute path`);
      const s = path.indexOf('/', 1);
      if (s < 0) continue;
      let rel: string;
      if (path.startsWith('/__overlay__/', s)) rel = path.slice(s + 13);
      else if (path.length - s === 12 && path.startsWith('/__overlay__', s)) rel = '';
      else continue;
      const fragment = o.subnode(0, path.slice(1, s));
      if (fragment < 0 || o.subnode(fragment, '__overlay__') < 0)
        fail(FDT_ERR.BADOVERLAY, 'overlay-bad-symbol', `${at} = '${path}' names no fragment with an __overlay__ node`);
      const t = this.target(fragment);
      const prefix = t.path ?? this.fdt.path(t.node);
      const value = Buffer.from(`${prefix.length > 1 ? prefix : ''}/${rel}\0`, 'latin1');
      const existed = this.fdt.getProp(rootSym, sp.name) !== undefined;
      grew(this.fdt.setprop(rootSym, sp.name, value), `setting /__symbols__:${sp.name}`);
      this.changes.push({
        overlay: this.name,
        fragment: '__symbols__',
        kind: existed ? 'property-changed' : 'property-added',
        path: '/__symbols__',
        property: sp.name,
      });
    }
  }
}
