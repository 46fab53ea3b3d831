// verify compares what the page allocator and memblock end up with, not only the reserved-memory
// lines: mem_init_print_info's `Memory:` figures and memblock_dump_all's tables (memblock=debug),
// on a direct boot, where the plan knows everything QEMU put in memory. A recorded lab boot agrees;
// the same boot with one figure or one region changed differs, and says where.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readLabRecords, recordBoard } from '../../src/verify/records.js';
import { plan } from '../../src/kernel/plan.js';
import { observedRegions } from '../../src/verify/regions.js';
import { compareWithPlan, memblockDumpDifferences, memoryLineDifferences, predictionOf } from '../../src/verify/verify.js';
import { readDtb } from '../../src/fdt/reader.js';

test('verify: the Memory line and the MEMBLOCK dump of a recorded boot agree; a changed figure or region is named', () => {
  for (const kernel of ['6.12-arm64', '6.1-armmp']) {
    const r = readLabRecords(kernel).find(
      (x) => x.observation.memoryLine?.reservedKiB && x.observation.memblockDump && x.observation.reachedInit && !x.observation.gaps,
    );
    assert.ok(r, `${kernel}: a record with a Memory line and a MEMBLOCK dump`);
    const p = plan(recordBoard(r, kernel.includes('arm64') ? 'arm64' : 'arm'), { kernel, bootargs: r.append });
    const pred = predictionOf(p);
    assert.ok(pred.memory && pred.memblockDump, kernel);
    const obs = r.observation;
    const seenLine = obs.memoryLine!;
    const seenDump = obs.memblockDump!;
    assert.deepEqual(memoryLineDifferences(seenLine, pred.memory), [], kernel);
    assert.deepEqual(memblockDumpDifferences(seenDump, pred.memblockDump), [], kernel);
    const regions = observedRegions(obs, readDtb(r.dtbBytes, 'case.dtb').tree!);
    assert.deepEqual(compareWithPlan(regions, pred, obs, { memory: true }), [], kernel);

    // 64 KiB more reserved than the plan says: the figure is named, with both values
    const more = { ...seenLine, reservedKiB: seenLine.reservedKiB! + 64n };
    assert.deepEqual(memoryLineDifferences(more, pred.memory), [
      `Memory line: reserved kernel ${more.reservedKiB}K, model ${seenLine.reservedKiB}K`,
    ]);
    // a reserved region one page longer: the first region that differs, both tables' sizes
    const last = seenDump.reserved.length - 1;
    const longer = { ...seenDump, reserved: seenDump.reserved.map((x, i) => (i === last ? { ...x, size: x.size + 4096n } : x)) };
    const d = memblockDumpDifferences(longer, pred.memblockDump);
    assert.equal(d.length, 1, d.join('\n'));
    assert.match(d[0]!, new RegExp(`^memblock\\.reserved\\[${last}\\]: kernel \\[0x[0-9a-f]+-0x[0-9a-f]+\\] flags \\d+, model \\[`));
    // a console that stopped inside the table (a boot that hung there): the rows printed are the
    // start of the model's, when the boot is known to have stopped
    const half = { memory: seenDump.memory, reserved: seenDump.reserved.slice(0, Math.ceil(seenDump.reserved.length / 2)) };
    assert.deepEqual(memblockDumpDifferences(half, pred.memblockDump, true), [], kernel);
    assert.equal(memblockDumpDifferences(half, pred.memblockDump).length, 1, kernel);
    const inMemory = { memory: seenDump.memory.slice(0, 1), reserved: [] };
    assert.deepEqual(memblockDumpDifferences(inMemory, pred.memblockDump, true), [], kernel);
    // through compareWithPlan: a log that stops before the Memory line (`prefix`) passes its cut table on
    const stopped = { ...obs, memoryLine: undefined, memblockDump: half };
    assert.deepEqual(compareWithPlan(regions, pred, stopped, { memory: true, prefix: true }), [], kernel);
    assert.equal(compareWithPlan(regions, pred, stopped, { memory: true }).length, 1, kernel);
    // a row that differs still does, cut or not
    assert.equal(memblockDumpDifferences(longer, pred.memblockDump, true).length, 1, kernel);
    // through compareWithPlan only when asked (`memory`: a direct boot)
    const changed = { ...obs, memoryLine: more, memblockDump: longer };
    assert.equal(compareWithPlan(regions, pred, changed, { memory: true }).length, 2);
    assert.deepEqual(compareWithPlan(regions, pred, changed), []);
  }
});
