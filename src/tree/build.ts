// Building the live tree while parsing, with dtc's semantics (livetree.c, dtc 1.6.1).
//
// While parsing, dtc keeps deleted nodes, properties and labels in their lists with a `deleted`
// flag: a later definition with the same name revives them *in place* (merge_nodes() and
// add_label() search "withdel"), which decides the order of properties, children and labels in
// the output. So the parser builds `PNode`s that carry those flags, and `finalizeTree()` returns
// the public `Tree` (src/tree/types.ts): live lists, plus `withdel` lists with the deleted
// entries in place on the few nodes that had any (some dtc checks walk those).
//
// The lookup helpers (getNodeByPath for both trees; getNodeByLabel/Ref at the end for the final
// `Tree`) have livetree.c's semantics, for the parser, the checks and the fix-ups.
import type { Span } from '../diagnostics.js';
import { noSpan } from '../diagnostics.js';
import { walkNodes, type Marker, type MemReserve, type Node, type Property, type Tree } from './types.js';

export interface PLabel {
  name: string;
  deleted: boolean;
}

export interface PProp {
  name: string;
  value: Uint8Array;
  markers: Marker[];
  /** dtc list order: add_label() prepends. */
  labels: PLabel[];
  deleted: boolean;
  span: Span | null;
  /** Spans of earlier definitions a later one overrode (merge_nodes), first to last. */
  overridden?: Span[];
}

export interface PNode {
  name: string;
  props: PProp[];
  children: PNode[];
  labels: PLabel[];
  parent: PNode | null;
  deleted: boolean;
  /** srcpos chain: the first definition, then every merged one (srcpos_extend). */
  spans: Span[];
  omitIfNoRef: boolean;
  /** dtc never set node->parent (a /delete-node/ placeholder when its node was built). */
  nullParent: boolean;
}

export interface PMemReserve {
  address: bigint;
  size: bigint;
  labels: PLabel[];
  span: Span;
}

/** add_label(): revive an existing (possibly deleted) label, else prepend. */
export function addLabel(labels: PLabel[], name: string): void {
  for (const l of labels) {
    if (l.name === name) {
      l.deleted = false;
      return;
    }
  }
  labels.unshift({ name, deleted: false });
}

export function buildProperty(name: string, value: Uint8Array, markers: Marker[], span: Span | null): PProp {
  return { name, value, markers, labels: [], deleted: false, span };
}

export function buildPropertyDelete(name: string): PProp {
  return { name, value: new Uint8Array(0), markers: [], labels: [], deleted: true, span: null };
}

/**
 * build_node(): children get their parent — but dtc sets it with for_each_child(), which skips
 * deleted children, so a /delete-node/ placeholder keeps a NULL parent in dtc (remembered in
 * `nullParent`; our `parent` is still set so the tree stays navigable).
 */
export function buildNode(props: PProp[], children: PNode[], span: Span | null): PNode {
  const n: PNode = {
    name: '',
    props,
    children,
    labels: [],
    parent: null,
    deleted: false,
    spans: span ? [span] : [],
    omitIfNoRef: false,
    nullParent: false,
  };
  for (const c of children) {
    c.parent = n;
    if (c.deleted) c.nullParent = true;
  }
  return n;
}

export function buildNodeDelete(span: Span | null): PNode {
  const n = buildNode([], [], span);
  n.deleted = true;
  return n;
}

function deleteLabels(labels: PLabel[]): void {
  for (const l of labels) l.deleted = true;
}

function deleteProperty(p: PProp): void {
  p.deleted = true;
  deleteLabels(p.labels);
}

/** delete_node(): the node, its live children and properties, and its labels. */
export function deleteNode(n: PNode): void {
  walkNodes(n, (x) => {
    if (x !== n && x.deleted) return 'skip';
    x.deleted = true;
    for (const p of x.props) if (!p.deleted) deleteProperty(p);
    deleteLabels(x.labels);
    return undefined;
  });
}

function deletePropertyByName(n: PNode, name: string): void {
  for (const p of n.props) {
    if (p.name === name) {
      deleteProperty(p);
      return;
    }
  }
}

function deleteNodeByName(n: PNode, name: string): void {
  for (const c of n.children) {
    if (c.name === name) {
      deleteNode(c);
      return;
    }
  }
}

function addChild(parent: PNode, child: PNode): void {
  child.parent = parent;
  parent.children.push(child);
}

/**
 * Every node a label was ever put on, so that a reference need not walk the whole tree: a
 * candidate counts only while it is live (label and node not deleted, attached to the root
 * through live nodes). With two live candidates the depth-first walk decides, as dtc's does.
 */
export class LabelIndex {
  private map = new Map<string, PNode[]>();
  add(label: string, node: PNode): void {
    const l = this.map.get(label);
    if (!l) this.map.set(label, [node]);
    else if (!l.includes(node)) l.push(node);
  }
  lookup(tree: PNode, label: string): PNode | undefined {
    const cands = this.map.get(label);
    if (!cands) return undefined;
    let found: PNode | undefined;
    let count = 0;
    for (const n of cands) {
      if (!isLive(tree, n, label)) continue;
      found = n;
      count++;
    }
    if (count <= 1) return found;
    return pGetNodeByLabel(tree, label);
  }
}

function isLive(tree: PNode, n: PNode, label: string): boolean {
  let ok = false;
  for (const l of n.labels) {
    if (l.name === label) {
      ok = !l.deleted;
      break;
    }
  }
  if (!ok) return false;
  let x: PNode | null = n;
  for (; x && x !== tree; x = x.parent) {
    if (x.deleted) return false;
    const p: PNode | null = x.parent;
    if (p && !p.children.includes(x)) return false;
  }
  return x === tree;
}

/** merge_nodes(): move new's labels, properties and children into old. */
export function mergeNodes(oldNode: PNode, newNode: PNode, index?: LabelIndex): PNode {
  oldNode.deleted = false;
  for (const l of newNode.labels) {
    addLabel(oldNode.labels, l.name);
    index?.add(l.name, oldNode);
  }

  for (const np of newNode.props) {
    if (np.deleted) {
      deletePropertyByName(oldNode, np.name);
      continue;
    }
    let hit = false;
    for (const op of oldNode.props) {
      if (op.name === np.name) {
        for (const l of np.labels) addLabel(op.labels, l.name);
        op.value = np.value;
        op.markers = np.markers;
        // The value an override hides is still worth pointing at ("also defined at").
        if (op.span && !op.deleted) (op.overridden ??= []).push(op.span);
        op.deleted = false;
        op.span = np.span;
        hit = true;
        break;
      }
    }
    if (!hit) oldNode.props.push(np);
  }

  for (const nc of newNode.children) {
    nc.parent = null;
    if (nc.deleted) {
      deleteNodeByName(oldNode, nc.name);
      continue;
    }
    let hit = false;
    for (const oc of oldNode.children) {
      if (oc.name === nc.name) {
        mergeNodes(oc, nc, index);
        hit = true;
        break;
      }
    }
    if (!hit) addChild(oldNode, nc);
  }

  for (const s of newNode.spans) oldNode.spans.push(s);
  return oldNode;
}

/**
 * add_orphan_node() (/plugin/ `&ref { }`): `fragment@N { target = <&ref>; __overlay__ {...} }`,
 * or `target-path = "/path"` for a path reference. N counts per parse from 0, as dtc's static.
 */
export function addOrphanNode(dt: PNode, newNode: PNode, ref: string, fragmentIndex: number): void {
  let p: PProp;
  if (ref.charCodeAt(0) === 47 /* / */) {
    const bytes = new Uint8Array(ref.length + 1);
    for (let i = 0; i < ref.length; i++) bytes[i] = ref.charCodeAt(i) & 0xff;
    p = buildProperty('target-path', bytes, [{ type: 'type-string', offset: 0, ref }], null);
  } else {
    p = buildProperty('target', Uint8Array.of(0xff, 0xff, 0xff, 0xff), [{ type: 'ref-phandle', offset: 0, ref }], null);
  }
  newNode.name = '__overlay__';
  const frag = buildNode([p], [newNode], null);
  frag.name = `fragment@${fragmentIndex}`;
  addChild(dt, frag);
}

// ---- lookups (skip deleted entries, as for_each_child/for_each_label do) ----

/** What a path lookup needs of a node: the parser's `PNode` and the final `Node` both have it. */
interface PathNode<N> {
  name: string;
  children: readonly N[];
  deleted?: boolean;
}

/**
 * get_node_by_path(): components must match full node names (with unit address); deleted nodes
 * do not match (for_each_child). For the parser's tree and the final one alike.
 */
export function getNodeByPath<N extends PathNode<N>>(tree: N, path: string): N | undefined {
  let node = tree;
  let i = 0;
  for (;;) {
    if (i >= path.length) return node.deleted ? undefined : node;
    while (i < path.length && path.charCodeAt(i) === 47) i++;
    const slash = path.indexOf('/', i);
    const comp = slash < 0 ? path.slice(i) : path.slice(i, slash);
    let found: N | undefined;
    for (const c of node.children) {
      if (!c.deleted && c.name === comp) {
        found = c;
        break;
      }
    }
    if (!found) return undefined;
    if (slash < 0) return found;
    node = found;
    i = slash + 1;
  }
}

export function pGetNodeByLabel(tree: PNode, label: string): PNode | undefined {
  return walkNodes(tree, (n) => {
    if (n !== tree && n.deleted) return 'skip';
    return n.labels.some((l) => !l.deleted && l.name === label) ? 'stop' : undefined;
  });
}

/** get_node_by_ref() of dtc 1.6.1: "/" is the root, "/..." a path, anything else a label. */
export function pGetNodeByRef(tree: PNode, ref: string, index?: LabelIndex): PNode | undefined {
  if (ref === '/') return tree;
  if (ref.charCodeAt(0) === 47) return getNodeByPath(tree, ref);
  return index ? index.lookup(tree, ref) : pGetNodeByLabel(tree, ref);
}

/** guess_boot_cpuid(): reg of the first child of /cpus (first in the list, even if deleted). */
export function guessBootCpuid(tree: PNode): number {
  const cpus = getNodeByPath(tree, '/cpus');
  if (!cpus) return 0;
  const boot = cpus.children[0];
  if (!boot) return 0;
  const reg = boot.props.find((p) => !p.deleted && p.name === 'reg');
  if (reg?.value.length !== 4) return 0;
  const v = reg.value;
  return ((v[0]! << 24) | (v[1]! << 16) | (v[2]! << 8) | v[3]!) >>> 0;
}

// ---- finalisation ----

function liveLabels(ls: PLabel[]): string[] {
  const out: string[] = [];
  for (const l of ls) if (!l.deleted) out.push(l.name);
  return out;
}

/** The final node for `p`: its fields and properties; the children are filled by finalizeTree. */
function finalizeNode(p: PNode, parent: Node | null): Node {
  const n: Node = {
    name: p.name,
    props: [],
    children: [],
    labels: liveLabels(p.labels),
    parent,
    phandle: 0,
    span: p.spans[0] ?? noSpan,
  };
  if (p.spans.length > 1) n.extraSpans = p.spans.slice(1);
  if (p.omitIfNoRef) n.omitIfNoRef = true;
  if (p.nullParent) n.dtcNullParent = true;
  if (n.labels.length !== p.labels.length) n.withdel = { labels: p.labels.map((l) => l.name) };
  let rawProps: Property[] | undefined;
  for (const pp of p.props) {
    if (pp.deleted) {
      // The first deleted entry: the full list so far is the live one.
      rawProps ??= n.props.slice();
      rawProps.push({ name: pp.name, value: pp.value, markers: pp.markers, labels: [], span: pp.span ?? noSpan, deleted: true });
      continue;
    }
    const prop: Property = { name: pp.name, value: pp.value, markers: pp.markers, labels: liveLabels(pp.labels), span: pp.span ?? noSpan };
    if (pp.overridden) prop.overridden = pp.overridden;
    n.props.push(prop);
    rawProps?.push(prop);
  }
  if (rawProps) (n.withdel ??= {}).props = rawProps;
  return n;
}

/** `n`'s children from `p`'s, and the full list with the deleted ones when there are any. */
function finalizeChildren(p: PNode, n: Node, todo: [PNode, Node][]): void {
  let rawChildren: Node[] | undefined;
  for (const c of p.children) {
    if (c.deleted) {
      rawChildren ??= n.children.slice();
      rawChildren.push(finalizeDeletedNode(c, n));
      continue;
    }
    const child = finalizeNode(c, n);
    n.children.push(child);
    rawChildren?.push(child);
    todo.push([c, child]);
  }
  if (rawChildren) (n.withdel ??= {}).children = rawChildren;
}

/** A deleted child as dtc's raw child list shows it to the checks: its name and source positions. */
function finalizeDeletedNode(p: PNode, parent: Node): Node {
  const n: Node = { name: p.name, props: [], children: [], labels: [], parent, phandle: 0, span: p.spans[0] ?? noSpan, deleted: true };
  if (p.spans.length > 1) n.extraSpans = p.spans.slice(1);
  return n;
}

export function finalizeTree(root: PNode, memreserves: PMemReserve[], plugin: boolean): Tree {
  const mr: MemReserve[] = memreserves.map((m) => ({ address: m.address, size: m.size, labels: liveLabels(m.labels), span: m.span }));
  const top = finalizeNode(root, null);
  // Level by level through a work list, so nesting depth costs no JS stack.
  const todo: [PNode, Node][] = [[root, top]];
  for (let w = todo.pop(); w; w = todo.pop()) finalizeChildren(w[0], w[1], todo);
  return { plugin, memreserves: mr, root: top, bootCpuidPhys: guessBootCpuid(root) };
}

// ---- lookups on the final tree (livetree.c semantics), for checks and fixups ----

/** get_node_by_label(): depth-first, node labels only. */
export function getNodeByLabel(tree: Node, label: string): Node | undefined {
  return walkNodes(tree, (n) => (n.labels.includes(label) ? 'stop' : undefined));
}

/** get_node_by_ref() (dtc 1.6.1). */
export function getNodeByRef(tree: Node, ref: string): Node | undefined {
  if (ref === '/') return tree;
  if (ref.charCodeAt(0) === 47) return getNodeByPath(tree, ref);
  return getNodeByLabel(tree, ref);
}
