// The framework under dtc's checks (checks.c): check records, dtc's per-node state, the shared
// context (phandle counter, options), message formatting, and small helpers with livetree.c /
// data.c semantics. The check table itself is in checks.ts and checks-semantic.ts.
import { diag, diagnosticsFull, noSpan, pushDiagnostic, type Diagnostic, type Span } from '../diagnostics.js';
import { getProp, walkNodes, type Marker, type Node, type Property, type Tree } from './types.js';
import { addProp } from './edit.js';
import { getNodeByPath } from './build.js';

export type PhandleStyle = 'legacy' | 'epapr' | 'both';

/** One `-W name` / `-E name` / `-Wno-name` / `-Eno-name` switch, applied in command-line order. */
export interface CheckFlag {
  kind: 'W' | 'E';
  /** Check name, optionally prefixed `no-` or `no_` to disable. */
  name: string;
}

export interface CheckOptions {
  /** -H: which phandle properties get_node_phandle adds (dtc default: epapr). */
  phandleStyle?: PhandleStyle;
  /** -@: omit_unused_nodes keeps labelled nodes. */
  symbols?: boolean;
  /** -W/-E switches in order. */
  checkFlags?: CheckFlag[];
  /** -q count: 1 hides warnings, 2 hides errors too (they still fail the run). */
  quiet?: number;
  /** Name used where dtc prints the output file name (messages without a source position). */
  outName?: string;
}

/** A dtc 1.6.1 crash (assertion, NULL dereference, endless loop) turned into a diagnostic. */
export class DtcAbort extends Error {
  constructor(
    message: string,
    readonly span: Span = noSpan,
  ) {
    super(message);
  }
}

/** Per-node state dtc keeps in `struct node` for the checks (fullpath, basenamelen, addr_cells, bus). */
export interface NodeInfo {
  fullpath: string;
  basenamelen: number;
  /** The name before '@' and after it ('' when none): get_unitname, computed once. */
  basename: string;
  unitname: string;
  /** 0 until addr_size_cells runs (dtc's memset node), then -1 (absent) or the value. */
  addrCells: number;
  sizeCells: number;
  bus?: 'pci' | 'simple-bus' | 'i2c-bus' | 'spi-bus' | 'graph-port' | 'graph-ports';
}

type Status = 'unchecked' | 'prereq' | 'passed' | 'failed';

export type CheckFn = (c: Check, ctx: TreeContext, node: Node) => void;

export interface CheckDef {
  name: string;
  fn?: CheckFn;
  /** Default level: dtc's WARNING / ERROR / CHECK (neither). */
  level: 'warn' | 'error' | 'none';
  prereqs?: string[];
  data?: string;
  /**
   * The check does nothing on a node without this property: the runner visits only the nodes
   * that have it (same pre-order, same messages; saves walking the tree for each such check).
   */
  byProp?: string;
}

export interface Check {
  name: string;
  fn?: CheckFn;
  data?: string;
  byProp?: string;
  warn: boolean;
  error: boolean;
  status: Status;
  inprogress: boolean;
  prereqs: Check[];
}

/**
 * dtc.c fill_fullpaths' join_path(prefix, name): no '/' added after a prefix ending in one. The
 * parent's path ends in '/' when its name does (or is empty, as the root's): told from the name
 * so that the path, a concatenation sharing the parent's, is never flattened to look at its end.
 */
function childPath(parent: { fullpath: string; name: string } | undefined, name: string): string {
  if (!parent) return '/' + name;
  return parent.name === '' || parent.name.endsWith('/') ? parent.fullpath + name : parent.fullpath + '/' + name;
}

/** dtc.c fill_fullpaths' per-node fields (basenamelen = up to the first '@'). */
function makeInfo(name: string, fullpath: string): NodeInfo {
  const at = name.indexOf('@');
  const basenamelen = at >= 0 ? at : name.length;
  return {
    fullpath,
    basenamelen,
    basename: name.slice(0, basenamelen),
    unitname: at >= 0 ? name.slice(at + 1) : '',
    addrCells: 0,
    sizeCells: 0,
  };
}

/**
 * The state shared by checks and the later tree generators (fixups.ts): dtc's globals
 * (phandle_format, generate_symbols, the static phandle counter in get_node_phandle) and the
 * per-node fields.
 */
export class TreeContext {
  readonly root: Node;
  readonly plugin: boolean;
  readonly phandleStyle: PhandleStyle;
  readonly symbols: boolean;
  readonly quiet: number;
  readonly outName: string;
  readonly diagnostics: Diagnostic[] = [];
  /** livetree.c get_node_phandle's `static cell_t phandle = 1`. */
  nextPhandle = 1;
  private readonly info = new Map<Node, NodeInfo>();

  constructor(
    readonly tree: Tree,
    opts: CheckOptions = {},
  ) {
    this.root = tree.root;
    this.plugin = tree.plugin;
    this.phandleStyle = opts.phandleStyle ?? 'epapr';
    this.symbols = opts.symbols ?? false;
    this.quiet = opts.quiet ?? 0;
    this.outName = opts.outName ?? '-';
    this.fillFullpaths(tree.root);
  }

  /**
   * dtc.c fill_fullpaths. Each path is its parent's plus one name: concatenation shares the
   * parent's string, so a deep tree does not cost the sum of its path lengths unless printed.
   */
  private fillFullpaths(root: Node): void {
    walkNodes(root, (node) => {
      const parent = node === root || !node.parent ? undefined : node.parent;
      const fullpath = childPath(parent && { fullpath: this.info.get(parent)!.fullpath, name: parent.name }, node.name);
      this.info.set(node, makeInfo(node.name, fullpath));
      // Nothing has a phandle before explicit_phandles runs (checks.c asserts !node->phandle).
      node.phandle = 0;
    });
  }

  nodeInfo(node: Node): NodeInfo {
    let i = this.info.get(node);
    if (!i) {
      // A node created after fill_fullpaths (e.g. __symbols__): dtc leaves fullpath unset; we
      // compute it so nothing downstream sees undefined.
      const p = node.parent;
      i = makeInfo(node.name, childPath(p ? { fullpath: this.nodeInfo(p).fullpath, name: p.name } : undefined, node.name));
      this.info.set(node, i);
    }
    return i;
  }

  fullpath(node: Node): string {
    return this.nodeInfo(node).fullpath;
  }

  /** livetree.c get_unitname. */
  unitname(node: Node): string {
    return this.nodeInfo(node).unitname;
  }

  basename(node: Node): string {
    return this.nodeInfo(node).basename;
  }

  /** Bumped on every change to the tree's shape or property lists (invalidates propIndex). */
  private version = 0;
  private propIndex: { version: number; map: Map<string, Node[]> } | null = null;

  /** Call after adding or removing properties or nodes. */
  treeChanged(): void {
    this.version++;
  }

  /** The nodes (pre-order) that have a property of this name. */
  nodesWithProp(name: string): readonly Node[] {
    if (!this.propIndex || this.propIndex.version !== this.version) {
      const map = new Map<string, Node[]>();
      walkNodes(this.root, (n) => {
        for (const p of n.props) {
          const l = map.get(p.name);
          if (!l) map.set(p.name, [n]);
          else if (l[l.length - 1] !== n) l.push(n);
        }
      });
      this.propIndex = { version: this.version, map };
    }
    return this.propIndex.map.get(name) ?? [];
  }

  /**
   * livetree.c delete_node as used by omit_unused_nodes: gone from every later lookup, but still
   * in the parent's full child list (later checks test `node->children`).
   */
  deleteNode(node: Node): void {
    this.treeChanged();
    node.deleted = true;
    const p = node.parent;
    if (p) {
      const withdel = (p.withdel ??= {});
      withdel.children ??= p.children.slice();
      const i = p.children.indexOf(node);
      if (i >= 0) p.children.splice(i, 1);
    }
    this.labelIndex = null;
    this.phandleIndex = null;
  }

  // Lookups on the root with livetree.c's first-in-pre-order semantics, through indexes (dtc walks
  // the whole tree each time; on kernel trees that dominated the run time). Labels only change by
  // deletion; phandles are only assigned through setPhandle, never to a value already in use.
  private labelIndex: Map<string, Node> | null = null;
  private phandleIndex: Map<number, Node> | null = null;

  nodeByLabel(label: string): Node | undefined {
    if (!this.labelIndex) {
      const idx = new Map<string, Node>();
      walkNodes(this.root, (n) => {
        for (const l of n.labels) if (!idx.has(l)) idx.set(l, n);
      });
      this.labelIndex = idx;
    }
    return this.labelIndex.get(label);
  }

  nodeByPhandle(ph: number): Node | undefined {
    if (!phandleIsValid(ph)) return undefined;
    if (!this.phandleIndex) {
      const idx = new Map<number, Node>();
      walkNodes(this.root, (n) => {
        if (phandleIsValid(n.phandle) && !idx.has(n.phandle)) idx.set(n.phandle, n);
      });
      this.phandleIndex = idx;
    }
    return this.phandleIndex.get(ph);
  }

  /** livetree.c get_node_by_ref on the root. */
  nodeByRef(ref: string): Node | undefined {
    if (ref === '/') return this.root;
    if (ref.startsWith('/')) return getNodeByPath(this.root, ref);
    if (ref === '') return undefined;
    return this.nodeByLabel(ref);
  }

  setPhandle(node: Node, ph: number): void {
    node.phandle = ph;
    if (this.phandleIndex && phandleIsValid(ph) && !this.phandleIndex.has(ph)) this.phandleIndex.set(ph, node);
  }

  /** livetree.c get_node_phandle: the node's phandle, allocating the next free one on demand. */
  getNodePhandle(node: Node): number {
    if (phandleIsValid(node.phandle)) return node.phandle;
    while (this.nodeByPhandle(this.nextPhandle)) this.nextPhandle++;
    const ph = this.nextPhandle;
    this.setPhandle(node, ph);
    const cell = (): Property => ({
      name: '',
      value: be32(ph),
      markers: [{ type: 'type-uint32', offset: 0 }],
      labels: [],
      span: noSpan,
    });
    if (!getProp(node, 'linux,phandle') && this.phandleStyle !== 'epapr') addProp(node, { ...cell(), name: 'linux,phandle' });
    if (!getProp(node, 'phandle') && this.phandleStyle !== 'legacy') addProp(node, { ...cell(), name: 'phandle' });
    this.treeChanged();
    // A node that already has a `phandle` property here has a self-reference (`phandle = <&me>`),
    // which the caller fills in (livetree.c comment).
    return ph;
  }

  /** checks.c check_msg: format like dtc and record as a diagnostic. */
  report(c: Check, node: Node | null, prop: Property | null, message: string): void {
    if (!(c.warn && this.quiet < 1) && !(c.error && this.quiet < 2)) return;
    const severity = c.error ? 'error' : 'warning';
    if (diagnosticsFull(this.diagnostics)) {
      // Only counted: no message (a deep node's path can be long).
      pushDiagnostic(this.diagnostics, diag(severity, c.name, ''));
      return;
    }
    let text = message.replace(/\n+$/, '');
    if (node) {
      // A deleted node (duplicate_node_names walks the full sibling list) never got a fullpath
      // from fill_fullpaths, which skips deleted children: glibc prints the NULL as "(null)".
      const path = node.deleted ? '(null)' : this.fullpath(node);
      text = prop ? `${path}:${prop.name}: ${text}` : `${path}: ${text}`;
    }
    let span: Span = noSpan;
    if (prop?.span.file) span = prop.span;
    else if (node?.span.file) span = node.span;
    // dtc lists a merged node's other definitions: "  also defined at file:pos".
    const extra = !prop && node && span === node.span ? node.extraSpans : undefined;
    const hint = extra?.length ? extra.map((s) => `also defined at ${s.file}:${s.line}:${s.column}`).join('; ') : undefined;
    pushDiagnostic(this.diagnostics, diag(severity, c.name, text, span, hint));
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers with dtc's semantics (livetree.c, data.c, dtc.h)

/**
 * dtc's `node->parent`: the real parent, except for a node revived from a `/delete-node/`
 * placeholder, whose parent pointer dtc never sets (the parser marks it `dtcNullParent`). Checks
 * then treat it like the root, and local fixups paths stop there.
 */
export function dtcParent(node: Node): Node | null {
  return node.dtcNullParent ? null : node.parent;
}

export function phandleIsValid(ph: number): boolean {
  return ph !== 0 && ph !== 0xffffffff;
}

export function be32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  putBe32(b, 0, v);
  return b;
}

export function putBe32(b: Uint8Array, off: number, v: number): void {
  b[off] = v >>> 24;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}

/** Read big-endian cell n, treating bytes past the end as 0 (dtc reads past short values). */
export function cellAt(value: Uint8Array, n: number): number {
  let v = 0;
  for (let i = 0; i < 4; i++) v = v * 256 + (value[n * 4 + i] ?? 0);
  return v >>> 0;
}

/** livetree.c propval_cell: dtc asserts a 4-byte value; 1.6.1 aborts otherwise. */
export function propvalCell(ctx: TreeContext, node: Node, prop: Property): number {
  if (prop.value.length !== 4)
    throw new DtcAbort(
      `${ctx.fullpath(node)}:${prop.name}: dtc 1.6.1 aborts on this ${prop.value.length}-byte value where it expects one cell (assertion in propval_cell)`,
      prop.span.file ? prop.span : node.span,
    );
  return cellAt(prop.value, 0);
}

/** The value as a C string: bytes up to the first NUL (or the end). */
export function cString(value: Uint8Array): string {
  let end = value.indexOf(0);
  if (end < 0) end = value.length;
  let s = '';
  for (let i = 0; i < end; i++) s += String.fromCharCode(value[i]!);
  return s;
}

/** data.c data_is_one_string. */
export function isOneString(value: Uint8Array): boolean {
  const len = value.length;
  if (len === 0) return false;
  for (let i = 0; i < len - 1; i++) if (value[i] === 0) return false;
  return value[len - 1] === 0;
}

// get_node_by_path / _label / _ref with livetree.c semantics come from the parser's build.ts.
export { getNodeByPath, getNodeByLabel, getNodeByRef } from './build.js';

/** livetree.c get_node_by_phandle. */
export function getNodeByPhandle(tree: Node, ph: number): Node | undefined {
  if (!phandleIsValid(ph)) return undefined;
  return walkNodes(tree, (n) => (n.phandle === ph ? 'stop' : undefined));
}

export function getPropertyByLabel(tree: Node, label: string): { node: Node; prop: Property } | undefined {
  let prop: Property | undefined;
  const node = walkNodes(tree, (n) => {
    prop = n.props.find((p) => p.labels.includes(label));
    return prop ? 'stop' : undefined;
  });
  return node && prop ? { node, prop } : undefined;
}

export function getMarkerLabel(tree: Node, label: string): { node: Node; prop: Property; mark: Marker } | undefined {
  let found: { node: Node; prop: Property; mark: Marker } | undefined;
  walkNodes(tree, (node) => {
    for (const prop of node.props) {
      const mark = prop.markers.find((m) => m.type === 'label' && m.ref === label);
      if (mark) {
        found = { node, prop, mark };
        return 'stop';
      }
    }
    return undefined;
  });
  return found;
}

/** data.c data_insert_at_marker: insert bytes at marker i, shifting the markers after it in the list. */
export function insertAtMarker(prop: Property, i: number, bytes: Uint8Array): void {
  const m = prop.markers[i]!;
  const v = new Uint8Array(prop.value.length + bytes.length);
  v.set(prop.value.subarray(0, m.offset), 0);
  v.set(bytes, m.offset);
  v.set(prop.value.subarray(m.offset), m.offset + bytes.length);
  prop.value = v;
  for (let j = i + 1; j < prop.markers.length; j++) {
    const mj = prop.markers[j]!;
    prop.markers[j] = { ...mj, offset: mj.offset + bytes.length };
  }
}

/** Names and paths are byte strings (one JS char per byte, as the parser reads files as latin1). */
export function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** A string as a NUL-terminated C string. */
export function cStringBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length + 1);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

const spanTables = new Map<string, Uint8Array>();
/** C strspn over a byte string; the accepted set is turned into a lookup table once. */
function strspn(s: string, chars: string, from = 0): number {
  let t = spanTables.get(chars);
  if (!t) {
    t = new Uint8Array(256);
    for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i) & 0xff] = 1;
    spanTables.set(chars, t);
  }
  let n = from;
  while (n < s.length) {
    const c = s.charCodeAt(n);
    if (c > 0xff || !t[c]) break;
    n++;
  }
  return n - from;
}

const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz';
const UPPERCASE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
export const NODECHARS = LOWERCASE + UPPERCASE + DIGITS + ',._+-@';
export const PROPCHARS = LOWERCASE + UPPERCASE + DIGITS + ',._+*#?-';
export const PROPNODECHARSSTRICT = LOWERCASE + UPPERCASE + DIGITS + ',-';
export const ALIASCHARS = LOWERCASE + DIGITS + '-';
export { strspn };

// ---------------------------------------------------------------------------------------------
// Utility check functions (checks.c check_is_string / _list / _cell)

export const checkIsString: CheckFn = (c, ctx, node) => {
  const prop = getProp(node, c.data!);
  if (!prop) return;
  if (!isOneString(prop.value)) fail(c, ctx, node, prop, 'property is not a string');
};

export const checkIsStringList: CheckFn = (c, ctx, node) => {
  const prop = getProp(node, c.data!);
  if (!prop) return;
  const v = prop.value;
  let pos = 0;
  let rem = v.length;
  while (rem > 0) {
    let l = 0;
    while (l < rem && v[pos + l] !== 0) l++;
    if (l === rem) {
      fail(c, ctx, node, prop, 'property is not a string list');
      break;
    }
    rem -= l + 1;
    pos += l + 1;
  }
};

export const checkIsCell: CheckFn = (c, ctx, node) => {
  const prop = getProp(node, c.data!);
  if (!prop) return;
  if (prop.value.length !== 4) fail(c, ctx, node, prop, 'property is not a single cell');
};

/** checks.c FAIL / FAIL_PROP. */
export function fail(c: Check, ctx: TreeContext, node: Node, prop: Property | null | undefined, message: string): void {
  c.status = 'failed';
  ctx.report(c, node, prop ?? null, message);
}
