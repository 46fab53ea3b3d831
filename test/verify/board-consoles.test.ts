// Boards that are not QEMU's virt machine, judged by real consoles of Debian's 5.10, 6.1, 6.12 and
// 7.2 arm64 kernels: every reserved-memory line, the Memory line and both memblock tables agree.
// Each fixture DTB is the one QEMU handed the kernel (its /memory, /chosen and, on zcu102, /psci),
// with the Image at RAM + 2 MiB, the initrd at RAM + 128 MiB and the DTB after it, 2 MiB aligned
// (hw/arm/boot.c).
// - raspi3b (fixtures/raspi3b-boot.dts): a Cortex-A53, RAM at 0 (960 MiB QEMU writes into
//   /memory), the spin table's page under /memreserve/, ZONE_DMA from the SoC bus's dma-ranges.
//   Debian's 6.12 and 7.2 arm64 builds are 52-bit LPA2 builds: on this CPU, without FEAT_LPA2, they
//   run 48-bit (src/platform/cpu.ts, the tree's arm,cortex-a53), which the Memory line shows.
// - xlnx-zcu102 (fixtures/zcu102-boot.dts, `-m 2G`: QEMU writes the size given at 0 into /memory,
//   so more would name RAM the machine puts at 0x800000000): four Cortex-A53s with PSCI, two no-map
//   carve-outs as ZynqMP's remoteproc ones, a dynamic reusable pool, and /aliases as boards have
//   them — of_alias_scan allocates a struct alias_prop for each alias naming a node, after the live
//   tree (src/kernel/of-fdt.ts aliasPropSizes), and the fixture's aliases take each of its rules:
//   an option after ':', an alias of an alias, a component without its unit address, a missing
//   node, a name without an id, an id past INT_MAX. `earlycon=cdns,0xff000000` and not a bare
//   `earlycon`: with ACPI built in, a bare one starts only after paging_init (acpi_boot_table_init),
//   and memblock=debug's lines overflow the log buffer before it prints them.
// - sabrelite (fixtures/sabrelite-boot.dts, RAM at 0x10000000): an i.MX6 Quad, whose machine
//   descriptor maps the SCU page from devicemaps_init (src/kernel/arch/arm/machines.ts), booted by
//   5.10 and 6.1-armmp as far as the Memory line.
// - vexpress-a15 (fixtures/vexpress-a15-aliases.dts, RAM at 0x80000000) with /aliases, booted by
//   6.12-armmp: the tables round arm's 20-byte struct alias_prop away, so the memblock=debug trace
//   is compared range for range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { loadBoard } from '../../src/board.js';
import { verifyLog } from '../../src/verify/log.js';
import { plan } from '../../src/kernel/plan.js';
import { memblockTraceLines, type MemblockEvent } from '../../src/kernel/memblock.js';
import { profileOfPackage, readBuildFacts } from '../../src/verify/build-facts.js';
import { runCli } from '../helpers/cli.js';

const fx = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const dtb = join(fx, 'raspi3b-boot.dtb');

const BOARDS = [
  {
    name: 'raspi3b',
    what: 'RAM at 0, ZONE_DMA from dma-ranges',
    memory: [{ base: 0n, size: 960n << 20n }],
    cmaLine: /Reserved memory: created CMA memory pool at 0x0000000038000000, size 64 MiB/,
  },
  {
    name: 'zcu102',
    what: 'four Cortex-A53s, no-map carve-outs, a dynamic pool, /aliases',
    memory: [{ base: 0n, size: 2n << 30n }],
    cmaLine: /Reserved memory: created CMA memory pool at 0x000000007f800000, size 8 MiB/,
  },
];

for (const b of BOARDS)
  for (const kernel of ['5.10-arm64', '6.1-arm64', '6.12-arm64', '7.2-arm64']) {
    test(`${b.name} (${b.what}) on ${kernel}: the real console agrees line for line, Memory line and memblock tables included`, () => {
      const file = join(fx, `${b.name}-boot.dtb`);
      const board = loadBoard(new Uint8Array(readFileSync(file)), {
        fileName: file,
        arch: 'arm64',
        kernelAt: 0x200000n,
        dtbAt: 0x8200000n,
      });
      assert.deepEqual(board.memory, b.memory);
      const log = join(fx, `${kernel}-${b.name}.log.gz`);
      const res = verifyLog(board, gunzipSync(readFileSync(log)).toString('utf8'), { kernel });
      assert.deepEqual(res.differences, []);
      assert.equal(res.exitCode, 0);
      assert.ok(
        res.notes.some((n) => /'Memory:' line and memblock's tables \(MEMBLOCK configuration\) agree/.test(n)),
        res.notes.join('\n'),
      );
      // the CLI reads the gzipped console as it is
      const cli = runCli(['verify', file, '--kernel', kernel, '--log', log, '--kernel-at', '0x200000', '--dtb-at', '0x8200000']);
      assert.equal(cli.status, 0, cli.stdout + cli.stderr);
      assert.match(cli.stdout, b.cmaLine);
    });
  }

test('raspi3b on 6.12-arm64 as if its CPU had FEAT_LPA2 (--cpu max): 52-bit VA, and the Memory line and memblock tables no longer agree', () => {
  const log = join(fx, '6.12-arm64-raspi3b.log.gz');
  const text = gunzipSync(readFileSync(log)).toString('utf8');
  const on = (cpu?: string) =>
    loadBoard(new Uint8Array(readFileSync(dtb)), {
      fileName: dtb,
      arch: 'arm64',
      kernelAt: 0x200000n,
      dtbAt: 0x8200000n,
      ...(cpu ? { cpu } : {}),
    });
  const a53 = on();
  assert.equal(a53.cpu?.name, 'cortex-a53');
  assert.equal(a53.cpu?.from, 'tree');
  const max = on('max');
  const res = verifyLog(max, text, { kernel: '6.12-arm64' });
  // the kernel's 76668K reserved; a 52-bit layout has 2 MiB of mem_section roots where 48 bits have 128 KiB
  assert.ok(
    res.notes.some((n) => /reserved kernel 76668K, model 78592K/.test(n)),
    res.notes.join('\n'),
  );
  assert.ok(!res.notes.some((n) => /'Memory:' line and memblock's tables \(MEMBLOCK configuration\) agree/.test(n)));
});

test("vexpress-a15 with /aliases on 6.12-armmp: memblock=debug's trace agrees range for range, the aliases' 20-byte struct alias_prop included", () => {
  const file = join(fx, 'vexpress-a15-aliases-boot.dtb');
  const board = loadBoard(new Uint8Array(readFileSync(file)), { fileName: file, arch: 'arm', dtbAt: 0x880de000n });
  const log = gunzipSync(readFileSync(join(fx, '6.12-armmp-vexpress-a15-aliases.log.gz'))).toString('latin1');
  const res = verifyLog(board, log, { kernel: '6.12-armmp' });
  assert.deepEqual(res.differences, []);
  // the tables and the Memory line round the aliases' 87 bytes away: the trace does not
  const pkg = readBuildFacts('6.12-armmp')!.builds.find((b) => b.package.startsWith('linux-image-6.12.118+deb12-armmp '))!.package;
  const p = plan(board, { kernel: profileOfPackage('6.12-armmp', pkg)! });
  const ranges = (lines: Iterable<string>) =>
    [...lines].flatMap((l) => /memblock_reserve: \[(0x[0-9a-f]+-0x[0-9a-f]+)\]/.exec(l)?.[1] ?? []);
  const model = ranges(memblockTraceLines(p.trace.events.map((e) => e.detail) as MemblockEvent[], 32));
  const kernel = ranges(log.split('\n'));
  assert.ok(kernel.length > 50, `${kernel.length} memblock_reserve lines`);
  assert.deepEqual(model, kernel);
  // the live tree's allocation, then one per alias kept
  const aliases = log.split('\n').filter((l) => /memblock_alloc_try_nid: \d+ bytes align=0x4 .*early_init_dt_alloc_memory_arch/.test(l));
  assert.deepEqual(
    aliases.slice(1).map((l) => /: (\d+) bytes/.exec(l)![1]),
    ['27', '27', '34'],
  );
});

for (const kernel of ['5.10-armmp', '6.1-armmp'])
  test(`sabrelite (an i.MX6 Quad: its machine's map_io maps the SCU page) on ${kernel}: the Memory line agrees`, () => {
    const file = join(fx, 'sabrelite-boot.dtb');
    const board = loadBoard(new Uint8Array(readFileSync(file)), { fileName: file, arch: 'arm', dtbAt: 0x180de000n });
    const log = gunzipSync(readFileSync(join(fx, `${kernel}-sabrelite.log.gz`))).toString('latin1');
    const res = verifyLog(board, log, { kernel });
    assert.deepEqual(res.differences, []);
    // the one-page PTE table iotable_init's mapping takes is in it
    assert.ok(
      res.notes.some((n) => /the 'Memory:' line agrees with the plan/.test(n)),
      res.notes.join('\n'),
    );
  });
