// dtc's full lists (Node.withdel: deleted entries kept in place) stay in step with the live lists
// through the edits of src/tree/edit.ts and the checks' own deletions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDts } from '../../src/source/parser.js';
import { processChecks } from '../../src/tree/checks.js';
import { addChild, addProp, cloneNode, deleteChild, deleteProp, newProp } from '../../src/tree/edit.js';
import { childrenWithDeleted, getChild, newNode, propsWithDeleted, type Node, type Tree } from '../../src/tree/types.js';
import { noSpan } from '../../src/diagnostics.js';

function parse(src: string): Tree {
  const r = parseDts(src, 't.dts', { includeDirs: [] });
  assert.ok(r.tree, r.diagnostics.map((d) => d.message).join('\n'));
  return r.tree;
}

const names = (list: readonly { name: string; deleted?: boolean }[]): string[] => list.map((x) => (x.deleted ? `-${x.name}` : x.name));

test('a tree without deletions carries no full lists', () => {
  const t = parse('/dts-v1/;\n/ { a { p; }; b { }; };');
  const check = (n: Node): void => {
    assert.equal(n.withdel, undefined);
    assert.equal(childrenWithDeleted(n), n.children);
    assert.equal(propsWithDeleted(n), n.props);
    n.children.forEach(check);
  };
  check(t.root);
});

test('edits keep the full lists in step', () => {
  const t = parse('/dts-v1/;\n/ { a { }; b { }; c { p; q; r; }; };\n/ { /delete-node/ b; c { /delete-property/ q; }; };');
  const root = t.root;
  assert.deepEqual(names(childrenWithDeleted(root)), ['a', '-b', 'c']);
  addChild(root, newNode('d', noSpan), 1); // before c
  addChild(root, newNode('e', noSpan));
  assert.deepEqual(names(root.children), ['a', 'd', 'c', 'e']);
  assert.deepEqual(names(childrenWithDeleted(root)), ['a', '-b', 'd', 'c', 'e']);
  deleteChild(root, 'd');
  assert.deepEqual(names(childrenWithDeleted(root)), ['a', '-b', 'c', 'e']);
  const c = getChild(root, 'c')!;
  assert.deepEqual(names(propsWithDeleted(c)), ['p', '-q', 'r']);
  addProp(c, newProp('s', new Uint8Array()));
  deleteProp(c, 'p');
  assert.deepEqual(names(c.props), ['r', 's']);
  assert.deepEqual(names(propsWithDeleted(c)), ['-q', 'r', 's']);
  // a copy made by code has only the live lists
  const copy = cloneNode(root);
  assert.equal(copy.withdel, undefined);
  assert.deepEqual(names(childrenWithDeleted(copy)), ['a', 'c', 'e']);
});

test('omit_unused_nodes flags the node and keeps it in the full list (delete_node)', () => {
  const t = parse('/dts-v1/;\n/ { bus { /omit-if-no-ref/ x { }; y { }; }; };');
  const bus = getChild(t.root, 'bus')!;
  const x = getChild(bus, 'x')!;
  processChecks(t);
  assert.deepEqual(names(bus.children), ['y']);
  assert.deepEqual(names(childrenWithDeleted(bus)), ['-x', 'y']);
  assert.equal(x.deleted, true);
});
