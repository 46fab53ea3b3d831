// The corpus harness itself: the kernel's per-board dtc flags are read from the board Makefiles
// as scripts/Makefile.dtbs applies them, and blob comparison finds the first difference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findKernelSource } from '../helpers/kernel-source.js';
import { firstDifference, kernelDefaultDtcFlags, listCorpus, readDirFlags } from './corpus-lib.js';

test('board Makefile: DTC_FLAGS, DTC_FLAGS_<stem> and composite bases', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-mk-'));
  writeFileSync(
    join(dir, 'Makefile'),
    [
      '# comment DTC_FLAGS := -Wnothing',
      'DTC_FLAGS := -@',
      'DTC_FLAGS_board-a := -Wno-interrupt_map',
      'DTC_FLAGS_board-a += -@',
      'DTC_FLAGS_board-b += -Wfoo',
      'combo-dtbs := base-x.dtb \\',
      '\tover-y.dtbo over-z.dtbo',
      'dtb-$(CONFIG_X) += combo.dtb',
    ].join('\n'),
  );
  const f = readDirFlags(dir);
  assert.deepEqual(f.all, ['-@']);
  assert.deepEqual(f.perStem.get('board-a'), ['-Wno-interrupt_map', '-@']);
  assert.deepEqual(f.perStem.get('board-b'), ['-Wfoo']);
  assert.deepEqual([...f.bases], ['base-x']);
});

test('blob comparison names the block of the first difference', () => {
  const a = new Uint8Array(64);
  const dv = new DataView(a.buffer);
  dv.setUint32(8, 48);
  dv.setUint32(12, 56);
  dv.setUint32(16, 40); // struct, strings, memrsv offsets
  assert.equal(firstDifference(a, a.slice()), 'identical');
  const b = a.slice();
  b[50] = 1;
  assert.match(firstDifference(a, b), /at 0x32 \(structure block\)/);
  const c = a.slice();
  c[0x1f] = 1;
  assert.match(firstDifference(a, c), /header block/);
  assert.match(firstDifference(a, a.slice(0, 60)), /sizes 64\/60/);
});

test('Linux 6.12 corpus: the kernel adds -@ where its Makefiles say so', async (t) => {
  const src = await findKernelSource('6.12', { install: false });
  if (!src) return t.skip('no Linux 6.12 source unpacked (the corpus test installs it)');
  const files = listCorpus(src, 'arm64');
  const by = (rel: string) => files.find((f) => f.rel === `arch/arm64/boot/dts/${rel}`);
  assert.equal(by('ti/k3-am625-beagleplay.dts')?.symbols, true, 'DTC_FLAGS_k3-am625-beagleplay += -@');
  assert.equal(by('ti/k3-am642-evm.dts')?.symbols, true, 'base of k3-am642-evm-nand-dtbs');
  assert.equal(by('rockchip/rk3588-rock-5b.dts')?.symbols, false);
  assert.equal(by('ti/k3-am642-evm-nand.dtso')?.overlay, true);
  // -Wno-interrupt_map (nvidia) is newer than Debian's dtc 1.6.1: dropped, it only silences a warning.
  assert.ok(files.every((f) => !f.dtcFlags.includes('-Wno-interrupt_map')));
  assert.deepEqual(by('rockchip/rk3588-rock-5b.dts')?.dtcFlags, kernelDefaultDtcFlags);
  assert.ok(files.length > 1000);
});
