// setup_boot_config (init/main.c) reads the initrd's last 12 bytes right after setup_arch: an
// initrd whose tail lies where dma_contiguous_remap left no linear mapping faults there, in the
// idle task (src/kernel/start-kernel.ts setupBootConfig). Lab 7.2-armmp #213 (149a4ce2, a fast
// record) booted in full with `carveout verify`: "Unable to handle kernel paging request at virtual
// address c80dd84a when read", memcmp from start_kernel, then the idle task's panic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../src/kernel/plan.js';
import { recordBoard } from '../../src/verify/records.js';
import { recordsByKernel, recordProfile } from './replay-lib.js';

test("an initrd whose last bytes dma_contiguous_remap left unmapped: start_kernel's bootconfig check faults in the idle task", (t) => {
  const recs = recordsByKernel();
  if (!recs.size) return t.skip('no lab records');
  for (const kernel of ['7.2-armmp', '7.2-armmp-lpae']) {
    const r = recs.get(kernel)!.find((x) => x.caseId === '149a4ce247d42568')!;
    const prof = recordProfile(r)!;
    // the failed reusable linux,cma@48080000 is remapped: its 2 MiB block loses every other page,
    // the initrd's tail at 0x480dd84a (initrd 0x48000000 + 0xdd856 - 12) among them
    const p = plan(recordBoard(r, prof.arch), { kernel: prof, bootargs: r.append });
    assert.equal(p.boot.outcome, 'panic', kernel);
    assert.equal(p.boot.function, 'start_kernel', kernel);
    assert.equal(p.boot.panic, 'Attempted to kill the idle task!', kernel);
    assert.ok(
      p.log.some((l) => l.text === 'Unable to handle kernel paging request at virtual address c80dd84a when read'),
      kernel,
    );
    // it dies before start_kernel prints the command line
    assert.ok(!p.log.some((l) => l.text.startsWith('Kernel command line:')), kernel);
  }
  // 5.10 and 6.1 remap only the CMA areas they activate (ArmSeries.cmaRemap): the initrd stays mapped
  const r = recs.get('7.2-armmp')!.find((x) => x.caseId === '149a4ce247d42568')!;
  for (const kernel of ['5.10-armmp', '6.1-armmp'])
    assert.equal(plan(recordBoard(r, 'arm'), { kernel, bootargs: r.append }).boot.outcome, 'ok', kernel);
});
