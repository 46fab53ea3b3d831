// readDtb must not depend on whether it is handed a Node Buffer (readFileSync's result, whose
// slice() is a view into a shared pool) or a plain Uint8Array: phandles and values must be the same,
// and the values must not alias the caller's bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDtb } from '../../src/fdt/reader.js';
import { repoRoot } from '../helpers/cli.js';
import type { Node } from '../../src/tree/types.js';

function phandles(n: Node, out: Array<[string, number]> = [], path = ''): Array<[string, number]> {
  if (n.phandle) out.push([path || '/', n.phandle]);
  for (const c of n.children) phandles(c, out, `${path}/${c.name}`);
  return out;
}

test('a Node Buffer and a Uint8Array read the same phandles, and values are copies', () => {
  const buf = readFileSync(join(repoRoot, 'test/fixtures/dtb/qemu-virt-arm64.dtb'));
  const fromBuffer = readDtb(buf, 'virt.dtb');
  const fromArray = readDtb(new Uint8Array(buf), 'virt.dtb');
  assert.ok(fromBuffer.tree && fromArray.tree);
  const a = phandles(fromBuffer.tree.root);
  assert.ok(a.length > 0, 'the fixture has nodes with phandles');
  assert.deepEqual(a, phandles(fromArray.tree.root));
  assert.ok(
    a.every(([, ph]) => ph !== 0xd00dfeed),
    'no phandle read from the blob header',
  );
  // Writing into a value must not change the caller's blob.
  const before = Buffer.from(buf);
  const p = fromBuffer.tree.root.props.find((x) => x.value.length > 0)!;
  p.value.fill(0xaa);
  assert.equal(Buffer.compare(before, buf), 0);
});
