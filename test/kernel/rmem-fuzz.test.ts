// Hostile /reserved-memory contents never make the model throw or hang, on every version, and the
// result stays coherent (placed regions have addresses; rejected ones were given back).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { earlyInitFdtScanReservedMem, fdtScanReservedMemRegNodes, rmemRegions } from '../../src/kernel/rmem.js';
import { writeDtb } from '../../src/fdt/writer.js';
import { bareHost, node, tree, type PropVal } from './rmem-fixtures.js';

const bytes = fc.uint8Array({ maxLength: 40 });
const cellsOf = (n: number) => fc.array(fc.bigInt({ min: 0n, max: 0xffff_ffffn }), { minLength: n, maxLength: n });
const region = fc.record({
  name: fc.constantFrom('a', 'b@48000000', 'linux,cma', 'c@0', 'pool'),
  reg: fc.option(fc.oneof(bytes, cellsOf(4)), { nil: undefined }),
  size: fc.option(fc.oneof(bytes, cellsOf(2)), { nil: undefined }),
  alignment: fc.option(fc.oneof(bytes, cellsOf(2)), { nil: undefined }),
  ranges: fc.option(fc.oneof(bytes, cellsOf(4), cellsOf(8)), { nil: undefined }),
  compatible: fc.option(fc.constantFrom('shared-dma-pool', 'SHARED-DMA-POOL', 'restricted-dma-pool', 'vendor,x'), { nil: undefined }),
  noMap: fc.boolean(),
  reusable: fc.boolean(),
  cmaDefault: fc.boolean(),
  status: fc.option(fc.constantFrom('okay', 'disabled', 'ok', 'fail'), { nil: undefined }),
});

test('of_reserved_mem survives hostile trees on every version', () => {
  fc.assert(
    fc.property(
      fc.array(region, { maxLength: 8 }),
      fc.constantFrom(1, 2, 3),
      fc.constantFrom('6.1-arm64', '6.12-arm64', '6.1-armmp') as fc.Arbitrary<'6.1-arm64' | '6.12-arm64' | '6.1-armmp'>,
      fc.boolean(),
      (regions, cells, kernel, withBlob) => {
        const kids = regions.map((r, i) => {
          const p: Record<string, PropVal> = {};
          if (r.compatible) p.compatible = r.compatible;
          const put = (k: string, v: Uint8Array | bigint[] | undefined) => {
            if (v !== undefined) p[k] = v;
          };
          put('reg', r.reg);
          put('size', r.size);
          put('alignment', r.alignment);
          put('alloc-ranges', r.ranges);
          if (r.noMap) p['no-map'] = true;
          if (r.reusable) p.reusable = true;
          if (r.cmaDefault) p['linux,cma-default'] = true;
          if (r.status) p.status = r.status;
          return node(`${r.name}${i}`, p);
        });
        const rm = node('reserved-memory', { '#address-cells': [cells], '#size-cells': [cells], ranges: true }, kids);
        const t = tree(node('', { '#address-cells': [2], '#size-cells': [2] }, [rm]));
        const h = bareHost(t, kernel);
        if (withBlob) h.blob = writeDtb(t);
        earlyInitFdtScanReservedMem(h);
        fdtScanReservedMemRegNodes(h);
        for (const r of rmemRegions(h)) {
          if (r.status === 'ok' || r.status === 'no-handler')
            assert.ok(r.base !== null && r.size !== null, `${r.name} placed without an address`);
        }
        for (const l of h.log) assert.equal(typeof l.text, 'string');
      },
    ),
    { numRuns: 400, seed: 20261125 },
  );
});
