// Live slice of the kernel lab: fetch two real Debian kernels, boot 10 fixed generated cases under
// QEMU and check that every section of the observation parses — and, when the recorded data was
// made with the same package, that the kernel still says the same reserved-memory lines.
// Runs when CI is set or CARVEOUT_LAB=1 (needs network for apt-get, and qemu-system-arm).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fetchKernels, findKernelDef } from '../../src/verify/kernels.js';
import { qemuAvailable } from '../../src/verify/qemu.js';
import { generateCase, caseId } from '../../src/verify/generator.js';
import { labDtb, observe } from '../../src/verify/lab.js';
import { readLabRecordsJson } from '../../src/verify/records.js';
import { observationFromJson } from '../../src/verify/observation.js';
import { liveSkip } from '../helpers/live.js';

const KERNELS = ['6.12-arm64', '6.1-armmp'];
const INDEXES = [0, 1, 3, 4, 5];

test('live lab slice: 2 kernels x 5 cases, every section parses', {
  skip: liveSkip(),
  timeout: 40 * 60_000,
}, async () => {
  if (qemuAvailable('arm64') || qemuAvailable('arm')) {
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'qemu-system-arm'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
  assert.equal(qemuAvailable('arm64'), undefined);
  const rep = fetchKernels(KERNELS);
  assert.deepEqual(rep.errors, []);
  assert.deepEqual(rep.fetched.map((k) => k.id).sort(), [...KERNELS].sort(), `not found: ${rep.notFound.join(', ')}`);
  for (const k of rep.fetched) {
    const def = findKernelDef(k.id)!;
    const recorded = new Map(readLabRecordsJson(k.id).map((r) => [r.caseId, r]));
    for (const i of INDEXES) {
      const c = generateCase(1, i, def.arch);
      const ram = BigInt(c.ramMiB) << 20n;
      const res = await observe(k, labDtb(c).dtb, ram, c.bootargs, { timeoutMs: 120_000 });
      const o = res.observation;
      const what = `${k.id} case #${i}`;
      if (o.panicked) {
        assert.match(o.panicMessage ?? '', /Kernel panic/, what);
        continue;
      }
      assert.equal(o.completed, true, `${what} did not finish /init:\n${o.console ?? ''}`);
      assert.ok(o.memblock.length > 0, `${what}: no memblock trace`);
      assert.ok(
        o.memblock.some((e) => e.op === 'reserve'),
        what,
      );
      assert.ok(o.memblockDump && o.memblockDump.memory.length > 0 && o.memblockDump.reserved.length > 0, `${what}: no MEMBLOCK dump`);
      assert.ok(o.memoryLine && o.memoryLine.totalKiB > 0n, `${what}: no Memory: line`);
      assert.ok(
        o.iomem?.some((e) => e.name === 'System RAM'),
        `${what}: no /proc/iomem`,
      );
      assert.ok((o.debugfsMemory?.length ?? 0) > 0 && (o.debugfsReserved?.length ?? 0) > 0, `${what}: no debugfs memblock`);
      assert.notEqual(o.cmaTotalKiB, undefined, `${what}: no CmaTotal`);
      assert.ok(Array.isArray(o.dtReservedMemory), `${what}: no reserved-memory section`);
      assert.ok(
        o.log.some((l) => l.kind === 'cmdline'),
        `${what}: no command line`,
      );
      if (def.traceNeedsSeparateBoot) assert.equal(o.traceFromSeparateBoot, true);
      const rec = recorded.get(caseId(c));
      if (rec && rec.package === `${k.package} ${k.version}`) {
        const pick = (ls: { kind: string; text: string }[]): string[] =>
          ls.filter((l) => ['of-reserved-mem', 'reserved-memory', 'cma', 'of-fdt'].includes(l.kind)).map((l) => l.text);
        assert.deepEqual(pick(o.log), pick(observationFromJson(rec.observation).log), `${what}: kernel output differs from the recording`);
      }
    }
  }
});
