// The tree generators dtc runs after the checks (dtc.c main → livetree.c): `-A` aliases and `-@`
// __symbols__ (generate_label_tree), overlay __fixups__ / __local_fixups__ for /plugin/
// (generate_fixups_tree, generate_local_fixups_tree), and `-s` sorting (sort_tree).
// They share the phandle counter with the checks (TreeContext), as dtc shares its static.
import { diag, noSpan } from '../diagnostics.js';
import { getProp, hasLabelList, walkNodes, type Marker, type Node, type Property, type Tree } from './types.js';
import { addChild, addProp } from './edit.js';
import { be32, cStringBytes, dtcParent, type TreeContext } from './checks-core.js';

function newChild(parent: Node, name: string): Node {
  const n: Node = { name, props: [], children: [], labels: [], parent, phandle: 0, span: noSpan };
  addChild(parent, n);
  return n;
}

/** livetree.c build_root_node: the existing /name, or a new last child of the root. */
function buildRootNode(root: Node, name: string): Node {
  return root.children.find((c) => c.name === name) ?? newChild(root, name);
}

function anyLabelTree(node: Node): boolean {
  return walkNodes(node, (n) => (hasLabelList(n) ? 'stop' : undefined)) !== undefined;
}

/**
 * livetree.c generate_label_tree: one property per node label, value = the node's path;
 * `allocph` (for __symbols__) forces a phandle on every labelled node.
 */
export function generateLabelTree(ctx: TreeContext, name: string, allocph: boolean): void {
  const root = ctx.root;
  if (!anyLabelTree(root)) return;
  const an = buildRootNode(root, name);
  walkNodes(root, (node) => {
    if (hasLabelList(node)) {
      for (const l of node.labels) {
        if (getProp(an, l)) {
          // dtc prints this to stderr without a newline and goes on.
          ctx.diagnostics.push(diag('warning', 'label-exists', `label ${l} already exists in /${an.name}`));
          continue;
        }
        // dtc copies the path with data_copy_escape_string; paths hold no backslashes.
        const value = cStringBytes(ctx.fullpath(node));
        addProp(an, { name: l, value, markers: [{ type: 'type-string', offset: 0 }], labels: [], span: noSpan });
      }
      if (allocph) ctx.getNodePhandle(node);
    }
  });
}

function refPhandleMarkers(prop: Property): Marker[] {
  return prop.markers.filter((m) => m.type === 'ref-phandle');
}

function anyFixupTree(ctx: TreeContext, node: Node, resolved: boolean): boolean {
  const hit = (n: Node): boolean => n.props.some((p) => refPhandleMarkers(p).some((m) => !!ctx.nodeByRef(m.ref ?? '') === resolved));
  return walkNodes(node, (n) => (hit(n) ? 'stop' : undefined)) !== undefined;
}

/** livetree.c append_to_property: append bytes (with a type marker named after the property). */
function appendToProperty(node: Node, name: string, data: Uint8Array, type: Marker['type']): void {
  const p = getProp(node, name);
  if (p) {
    const v = new Uint8Array(p.value.length + data.length);
    v.set(p.value);
    v.set(data, p.value.length);
    p.markers = [...p.markers, { type, offset: p.value.length, ref: name }];
    p.value = v;
  } else {
    addProp(node, { name, value: data, markers: [{ type, offset: 0, ref: name }], labels: [], span: noSpan });
  }
}

/**
 * livetree.c generate_fixups_tree: for every unresolved phandle reference (only possible in a
 * /plugin/), `__fixups__/<label> = "path:prop:offset"`. Returns false when dtc dies
 * ("arguments should not contain ':'").
 */
export function generateFixupsTree(ctx: TreeContext, name: string): boolean {
  const root = ctx.root;
  if (!anyFixupTree(ctx, root, false)) return true;
  const fn = buildRootNode(root, name);
  let ok = true;
  walkNodes(root, (node) => {
    for (const prop of node.props) {
      for (const m of refPhandleMarkers(prop)) {
        if (ctx.nodeByRef(m.ref ?? '')) continue;
        const path = ctx.fullpath(node);
        if (path.includes(':') || prop.name.includes(':')) {
          ctx.diagnostics.push(diag('error', 'fixup-colon', "arguments should not contain ':'", prop.span));
          ok = false;
          return 'stop';
        }
        appendToProperty(fn, m.ref ?? '', cStringBytes(`${path}:${prop.name}:${m.offset}`), 'type-string');
      }
    }
    return undefined;
  });
  return ok;
}

/**
 * livetree.c generate_local_fixups_tree: for every resolved phandle reference, the offset of the
 * cell under a mirror of the referring node's path in `__local_fixups__`.
 */
export function generateLocalFixupsTree(ctx: TreeContext, name: string): void {
  const root = ctx.root;
  if (!anyFixupTree(ctx, root, true)) return;
  const lfn = buildRootNode(root, name);
  walkNodes(root, (node) => {
    for (const prop of node.props) {
      for (const m of refPhandleMarkers(prop)) {
        if (!ctx.nodeByRef(m.ref ?? '')) continue;
        const names: string[] = [];
        // add_local_fixup_entry walks ->parent up to NULL and skips the top-most name (the root's,
        // or that of a node whose parent pointer dtc never set).
        for (let w: Node | null = node; w && dtcParent(w); w = dtcParent(w)) names.unshift(w.name);
        let wn = lfn;
        for (const n of names) wn = wn.children.find((c) => c.name === n) ?? newChild(wn, n);
        appendToProperty(wn, prop.name, be32(m.offset), 'type-uint32');
      }
    }
  });
}

/** livetree.c sort_tree (`-s`): memory reservations by address/size, properties and nodes by name (strcmp). */
export function sortTree(tree: Tree): void {
  const cmp = (a: string, b: string): number => {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return Buffer.compare(x, y);
  };
  tree.memreserves.sort((a, b) =>
    a.address < b.address ? -1 : a.address > b.address ? 1 : a.size < b.size ? -1 : a.size > b.size ? 1 : 0,
  );
  const byName = (a: { name: string }, b: { name: string }): number => cmp(a.name, b.name);
  walkNodes(tree.root, (n) => {
    n.props.sort(byName);
    n.children.sort(byName);
    // dtc sorts its full lists (for_each_*_withdel); keep ours in the same order.
    n.withdel?.props?.sort(byName);
    n.withdel?.children?.sort(byName);
  });
}
