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
  /** dtc keeps deleted properties in the list until the tree is finalised; we drop them eagerly. */
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
   * Labels that were put on this node and later deleted (/delete-node/), which dtc still keeps
   * in `node->labels` (generate_label_tree and omit_unused_nodes test that pointer). Set by the
   * parser only when non-empty.
   */
  deletedLabels?: string[];
  /**
   * Names of all children in dtc's list order *including deleted ones* (dtc keeps /delete-node/d
   * children in `node->children`, and some checks look at that raw list). Set by the parser only
   * when some child was deleted.
   */
  rawChildNames?: string[];
  /**
   * Parallel to `rawChildNames`: each raw child's srcpos chain (its span, then merged ones), e.g.
   * for dtc's duplicate_node_names, which compares live children with *all* later siblings and
   * reports a deleted one at its srcpos with path "(null)". Empty for a placeholder without one.
   */
  rawChildSpans?: Span[][];
  /**
   * dtc's `node->parent` is NULL for this (non-root) node, while `parent` here is the true parent.
   * Happens to a `/delete-node/ name;` placeholder that a later definition revives: build_node()
   * sets parents with for_each_child(), which skips the (deleted) placeholder, and merge_nodes()
   * never sets it. dtc code that walks ->parent then treats the node like a root (checks that
   * skip the root skip it; add_local_fixup_entry() files its __local_fixups__ entry at the top).
   * Set by the parser only when true.
   */
  dtcNullParent?: boolean;
  /**
   * Properties deleted with /delete-property/ that dtc still keeps in `node->proplist`, in that
   * raw list's order, each with its last value (empty for a bare `/delete-property/ x;` inside a
   * node's first block) and `liveBefore` = how many live `props` precede it in the raw list
   * (dtc's check_name_properties takes the first `name` in the raw list, deleted or not). Set by
   * the parser only when non-empty.
   */
  deletedProps?: Array<{ name: string; value: Uint8Array; liveBefore: number }>;
  /** Set when something referenced this node (for /omit-if-no-ref/). */
  isReferenced?: boolean;
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

export function getProp(node: Node, name: string): Property | undefined {
  return node.props.find((p) => p.name === name);
}

export function getChild(node: Node, name: string): Node | undefined {
  return node.children.find((c) => c.name === name);
}

export function nodePath(node: Node): string {
  const parts: string[] = [];
  for (let n: Node | null = node; n?.parent; n = n.parent) parts.unshift(n.name);
  return '/' + parts.join('/');
}
