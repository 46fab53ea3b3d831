// QEMU's direct kernel boot turns the -dtb file's memory nodes into FDT_NOP words (hw/arm/boot.c
// load_dtb, qemu_fdt_nop_node): what 6.12.103+ reads past an empty `reg` comes from there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { bytesFromProperty } from '../../src/fdt/reader.js';
import { qemuKernelBlob } from '../../src/platform/qemu-virt.js';
import { plan } from '../../src/kernel/plan.js';
import { readLabRecords, recordBoard } from '../../src/verify/records.js';
import { recordProfile } from '../kernel/replay-lib.js';

const hex = (b?: Uint8Array) => (b ? Buffer.from(b).toString('hex') : '');

test('qemu-virt: the kernel reads FDT_NOP words where QEMU removed the memory node (lab seed 53 #dd510b5a)', () => {
  const r = readLabRecords('6.12-arm64').find((x) => x.caseId === 'dd510b5a4ca3f8fb' && x.package?.includes('6.12.118'));
  assert.ok(r, 'the seed-53 boot on 6.12.118');
  // the blob given to QEMU: fw's empty reg, its END_NODE, /reserved-memory's, then /memory@40000000
  assert.equal(hex(bytesFromProperty(r.dtbBytes, '/reserved-memory/fw', 'reg', 16)), '0000000200000002000000016d656d6f');
  // as QEMU hands it to the kernel (checked with -M virt,dumpdtb= and -kernel): the memory node is NOPs
  const k = qemuKernelBlob(r.dtbBytes);
  assert.equal(k.length, r.dtbBytes.length);
  assert.equal(hex(bytesFromProperty(k, '/reserved-memory/fw', 'reg', 16)), '00000002000000020000000400000004');
  // and the plan prints what the kernel printed
  const prof = recordProfile(r)!;
  const p = plan(recordBoard(r, prof.arch), { kernel: prof, bootargs: r.append });
  const line = 'OF: reserved mem: 0x0000000200000002..0x0000000600000005 (16777216 KiB) map non-reusable fw';
  assert.ok(
    r.observation.log.some((l) => l.text === line),
    'the kernel printed it',
  );
  assert.ok(
    p.log.some((l) => l.text === line),
    p.log.map((l) => l.text).join('\n'),
  );
});
