// bytesFromProperty: what C code reading past a property's value sees in the structure block.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { noSpan } from '../../src/diagnostics.js';
import { bytesFromProperty, isDtb } from '../../src/fdt/reader.js';
import { writeDtb } from '../../src/fdt/writer.js';
import { FDT_BEGIN_NODE, FDT_PROP } from '../../src/fdt/constants.js';
import { addChild, setProp, u32Value } from '../../src/tree/edit.js';
import { newNode, type Tree } from '../../src/tree/types.js';

function blob(): Uint8Array {
  const root = newNode('', noSpan);
  setProp(root, '#address-cells', u32Value(2));
  const rm = addChild(root, newNode('reserved-memory', noSpan));
  const a = addChild(rm, newNode('a@1000', noSpan));
  setProp(a, 'reg', new Uint8Array());
  setProp(a, 'size', u32Value(0x1234));
  addChild(rm, newNode('b', noSpan));
  const tree: Tree = { plugin: false, memreserves: [], root, bootCpuidPhys: 0 };
  return writeDtb(tree);
}

const be = (...w: number[]): Uint8Array => u32Value(...w);

test('bytes from a value onward: the value, then the next tokens', () => {
  const b = blob();
  assert.equal(isDtb(b), true);
  assert.deepEqual(bytesFromProperty(b, '/reserved-memory/a@1000', 'size', 4), be(0x1234));
  // An empty `reg`: the bytes after it are the next property's header (FDT_PROP, len 4, nameoff).
  const after = bytesFromProperty(b, '/reserved-memory/a@1000', 'reg', 8)!;
  assert.deepEqual(after.subarray(0, 8), new Uint8Array([...be(FDT_PROP), ...be(4)]));
  assert.deepEqual(bytesFromProperty(b, '/', '#address-cells', 8), new Uint8Array([...be(2), ...be(FDT_BEGIN_NODE)]));
});

test('past the end of the blob reads as zero; unknown node, property or blob: undefined', () => {
  const b = blob();
  const tail = bytesFromProperty(b, '/reserved-memory/a@1000', 'size', b.length + 8)!;
  assert.equal(tail.length, b.length + 8);
  assert.ok(tail.subarray(b.length).every((x) => x === 0));
  assert.equal(bytesFromProperty(b, '/reserved-memory/a', 'size', 4), undefined); // exact components
  assert.equal(bytesFromProperty(b, '/reserved-memory/b', 'size', 4), undefined);
  assert.equal(bytesFromProperty(b, '/reserved-memory/a@1000', 'alignment', 4), undefined);
  const bad = b.slice();
  bad[0] = 0;
  assert.equal(isDtb(bad), false);
  assert.equal(bytesFromProperty(bad, '/reserved-memory/a@1000', 'size', 4), undefined);
  assert.equal(bytesFromProperty(b.subarray(0, 20), '/', '#address-cells', 4), undefined);
  // A cut structure block stops the walk instead of reading past it.
  const cut = b.slice(0, new DataView(b.buffer).getUint32(8) + 16);
  new DataView(cut.buffer).setUint32(4, cut.length);
  assert.equal(bytesFromProperty(cut, '/reserved-memory/a@1000', 'size', 4), undefined);
});
