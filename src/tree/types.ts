// The live tree: what dtc calls `struct node` / `struct property` / `struct data` (livetree.c, dtc.h).
// Built by src/source (parser) or src/fdt (DTB reader); consumed by fdt writer, checks, kernel model.
import type { Span } from '../diagnostics.js';

/**
 * A marker inside a property value, as dtc's `struct marker`: labels inside values, references
 * to be resolved (phandle or path), and type hints that remember how the source spelled the data
 * (used by the DTS writer to print values the way they were written).
 */
export type MarkerType =
  | 'label'
  | 'ref-phandle'
  | 'ref-path'
  | 'type-uint8'
  | 'type-uint16'
  | 'type-uint32'
  | 'type-uint64'
  | 'type-string';

export interface Marker {
  type: MarkerType;
  /** Byte offset into the property value. */
  offset: number;
  /** Label name, or reference text (`label` or `/path` for &{/path}), or undefined for type markers. */
  ref?: string;
  span?: Span;
}

export interface Property {
  name: string;
  value: Uint8Array;
  markers: Marker[];
  labels: string[];
  span: Span;
  /** Where earlier definitions of this property were, when later ones overrode them (first to last). */
  overridden?: Span[];
  /**
   * dtc's `deleted` flag (/delete-property/, or /delete-node/ of its node). Only entries of a
   * node's `withdel.props` carry it: `props` never holds a deleted property.
   */
  deleted?: boolean;
}

export interface Node {
  /** Full node name including unit address, e.g. `memory@40000000`; '' for the root. */
  name: string;
  props: Property[];
  children: Node[];
  labels: string[];
  parent: Node | null;
  /** Assigned phandle, 0 when none. */
  phandle: number;
  span: Span;
  omitIfNoRef?: boolean;
  /**
   * Later definitions merged into this node (dtc's srcpos chain after `span`, srcpos_extend in
   * merge_nodes): dtc prints them as "also defined at". Set by the parser only when non-empty.
   */
  extraSpans?: Span[];
  /**
   * dtc's `deleted` flag: a child /delete-node/ deleted, or one omit_unused_nodes dropped. Only
   * entries of a parent's `withdel.children` carry it: `children` never holds a deleted node.
   */
  deleted?: boolean;
  /**
   * dtc keeps deleted nodes, properties and labels in its lists with a `deleted` flag (livetree.c
   * delete_node/delete_property/delete_labels); `children`, `props` and `labels` are those lists
   * as for_each_child/for_each_property/for_each_label see them, deleted entries skipped. The few
   * dtc checks that see the deleted entries too (for_each_*_withdel, `node->children->name`,
   * `if (node->labels)`) read the full lists here — through childrenWithDeleted(),
   * propsWithDeleted() and hasLabelList(). Set only on a node where something was deleted, so
   * the common tree carries nothing extra.
   */
  withdel?: WithDeleted;
  /**
   * dtc's `node->parent` is NULL for this (non-root) node, while `parent` here is the true parent.
   * Happens to a `/delete-node/ name;` placeholder that a later definition revives: build_node()
   * sets parents with for_each_child(), which skips the (deleted) placeholder, and merge_nodes()
   * never sets it. dtc code that walks ->parent then treats the node like a root (checks that
   * skip the root skip it; add_local_fixup_entry() files its __local_fixups__ entry at the top).
   * A flag of its own rather than a NULL `parent`: the tree must stay navigable (nodePath, the
   * kernel model) and only dtc's checks and fix-ups follow dtc's pointer. Set by the parser only
   * when true.
   */
  dtcNullParent?: boolean;
  /** Set when something referenced this node (for /omit-if-no-ref/). */
  isReferenced?: boolean;
}

/**
 * A node's lists with dtc's deleted entries kept in place (dtc's order; each list only when it
 * has a deleted entry, else the live list is the whole list).
 */
export interface WithDeleted {
  /**
   * `node->children`: the live children and the deleted ones (`deleted: true`). A child deleted by
   * /delete-node/ keeps its name and source positions (`span`, `extraSpans`), not its contents.
   */
  children?: Node[];
  /** `node->proplist`: the live properties and the deleted ones (`deleted: true`, last value). */
  props?: Property[];
  /** `node->labels`: the live labels and the deleted ones, by name. */
  labels?: string[];
}

export interface MemReserve {
  address: bigint;
  size: bigint;
  labels: string[];
  span: Span;
}

export interface Tree {
  /** `/dts-v1/` seen (always true for accepted input) and `/plugin/`. */
  plugin: boolean;
  memreserves: MemReserve[];
  root: Node;
  /** boot_cpuid_phys for the FDT header (`-b`). */
  bootCpuidPhys: number;
}

export function newNode(name: string, span: Span, parent: Node | null = null): Node {
  return { name, props: [], children: [], labels: [], parent, phandle: 0, span };
}

/** livetree.c get_property: the first (live) property of that name. */
export function getProp(node: Node, name: string): Property | undefined {
  for (const p of node.props) if (p.name === name) return p;
  return undefined;
}

/** for_each_child_withdel: the children with the deleted ones, in dtc's list order. */
export function childrenWithDeleted(node: Node): readonly Node[] {
  return node.withdel?.children ?? node.children;
}

/** for_each_property_withdel: the properties with the deleted ones, in dtc's list order. */
export function propsWithDeleted(node: Node): readonly Property[] {
  return node.withdel?.props ?? node.props;
}

/** dtc's `if (node->labels)`: the node has labels, deleted ones included. */
export function hasLabelList(node: Node): boolean {
  return node.labels.length > 0 || (node.withdel?.labels?.length ?? 0) > 0;
}

export function getChild(node: Node, name: string): Node | undefined {
  return node.children.find((c) => c.name === name);
}

/**
 * Visit `root` and every node below it in pre-order (the order of dtc's for_each_child recursion
 * and of the structure block) with an explicit stack, so nesting depth costs no JS stack. A node's
 * children are read once `visit` has returned for it. `visit` returns 'stop' to end the walk (that
 * node is returned) or 'skip' to leave its subtree out.
 */
export function walkNodes<N extends { readonly children: readonly N[] }>(
  root: N,
  visit: (n: N) => 'stop' | 'skip' | undefined | unknown,
): N | undefined {
  const stack: N[] = [root];
  for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
    const r = visit(n);
    if (r === 'stop') return n;
    if (r === 'skip') continue;
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
  return undefined;
}

/**
 * The deepest nesting a tree may have, in levels (the root is level 1, as in the DTB reader). Every walk over a tree is iterative,
 * so this is not a stack bound: it bounds what a tree costs, as decompiled DTS indents each level
 * by a tab (a chain 10,000 deep is 100 MB of DTS, 20,000 would be 400 MB). dtc has no limit of
 * its own; its DTS parser stops at about 3,330 levels ("memory exhausted").
 */
export const MAX_TREE_DEPTH = 10_000;

/**
 * How many aliases a path may go through (`alias/rest` whose alias is itself an alias …). libfdt's
 * fdt_path_offset_namelen recurses without a bound, so a self-referencing alias never ends there.
 */
export const MAX_ALIAS_DEPTH = 64;

/** The first node (pre-order) nested more than `max` levels deep (the root is level 1), if any. */
export function nodeBeyondDepth<N extends { readonly children: readonly N[] }>(root: N, max: number): N | undefined {
  const stack: [N, number][] = [[root, 1]];
  for (let w = stack.pop(); w; w = stack.pop()) {
    const [n, depth] = w;
    if (depth > max) return n;
    for (let i = n.children.length - 1; i >= 0; i--) stack.push([n.children[i]!, depth + 1]);
  }
  return undefined;
}

export function nodePath(node: Node): string {
  const parts: string[] = [];
  for (let n: Node | null = node; n?.parent; n = n.parent) parts.unshift(n.name);
  return '/' + parts.join('/');
}
