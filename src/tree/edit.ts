// Building and editing a tree from code (the lab's generated cases, a board merged into QEMU's virt
// tree), as dtc's livetree.c does for the nodes and properties it adds itself (build_property,
// add_property, delete_property_by_name, add_child): what they add has no source position, labels
// or markers. Property values are raw bytes; the builders below encode them like DTS does.
// On a parsed node that keeps dtc's full lists (`withdel`, see types.ts) the edits apply to both.
import { Buffer } from 'node:buffer';
import { noSpan } from '../diagnostics.js';
import type { Node, Property } from './types.js';

/** A property added by code: no markers, labels or source position (livetree.c build_property). */
export function newProp(name: string, value: Uint8Array): Property {
  return { name, value, markers: [], labels: [], span: noSpan };
}

/** Set a property's value in place (its position in the list stays), or append it. */
export function setProp(node: Node, name: string, value: Uint8Array): Property {
  const p = node.props.find((x) => x.name === name);
  if (p) {
    p.value = value;
    p.markers = [];
    return p;
  }
  return addProp(node, newProp(name, value));
}

/** livetree.c add_property: append. */
export function addProp(node: Node, prop: Property): Property {
  node.props.push(prop);
  node.withdel?.props?.push(prop);
  return prop;
}

/** livetree.c delete_property_by_name: remove the property (every one of that name). */
export function deleteProp(node: Node, name: string): void {
  node.props = node.props.filter((p) => p.name !== name);
  if (node.withdel?.props) node.withdel.props = node.withdel.props.filter((p) => p.name !== name);
}

/** livetree.c add_child, at `index` (default: last): the child's parent becomes `parent`. */
export function addChild(parent: Node, child: Node, index = parent.children.length): Node {
  child.parent = parent;
  const all = parent.withdel?.children;
  // In the full list: before the live child it now precedes, or last.
  if (all) all.splice(index < parent.children.length ? all.indexOf(parent.children[index]!) : all.length, 0, child);
  parent.children.splice(index, 0, child);
  return child;
}

/** livetree.c delete_node, by name: remove the children called `name`. */
export function deleteChild(parent: Node, name: string): void {
  parent.children = parent.children.filter((c) => c.name !== name);
  if (parent.withdel?.children) parent.withdel.children = parent.withdel.children.filter((c) => c.name !== name);
}

/**
 * A deep copy of a node and its live subtree (values copied), hung under `parent`. dtc's deleted
 * entries (`withdel`) are not carried: the copy is a tree built by code.
 */
export function cloneNode(node: Node, parent: Node | null = null): Node {
  const shallow = (n: Node, parent: Node | null): Node => {
    const { withdel: _deleted, ...live } = n;
    return {
      ...live,
      parent,
      labels: [...n.labels],
      props: n.props.map((p) => ({ ...p, value: p.value.slice(), markers: p.markers.map((m) => ({ ...m })), labels: [...p.labels] })),
      children: [],
    };
  };
  const top = shallow(node, parent);
  // A work list instead of recursion, so nesting depth costs no JS stack.
  const todo: [Node, Node][] = [[node, top]];
  for (let w = todo.pop(); w; w = todo.pop()) {
    const [from, to] = w;
    to.children = from.children.map((c) => {
      const copy = shallow(c, to);
      todo.push([c, copy]);
      return copy;
    });
  }
  return top;
}

/**
 * Each value as `cells` big-endian 32-bit cells, high cell first: what `<…>` of `#address-cells`
 * / `#size-cells`-sized numbers encodes, and the inverse of query.ts readCells for values that fit.
 */
export function cellsValue(values: readonly bigint[], cells: number): Uint8Array {
  const out = new Uint8Array(4 * cells * values.length);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    for (let c = 0; c < cells; c++) {
      const shift = BigInt(32 * (cells - 1 - c));
      view.setUint32(4 * (i * cells + c), Number((v >> shift) & 0xffff_ffffn));
    }
  });
  return out;
}

/** `<a b c>`: 32-bit cells (values taken modulo 2^32). */
export function u32Value(...values: number[]): Uint8Array {
  return cellsValue(
    values.map((v) => BigInt(v >>> 0)),
    1,
  );
}

/** `"a", "b"`: NUL-terminated strings, one byte per character (latin1, as the DTB reader decodes). */
export function stringsValue(...strings: string[]): Uint8Array {
  return new Uint8Array(Buffer.from(strings.map((s) => s + '\0').join(''), 'latin1'));
}
