// More dynamic regions than MAX_RESERVED_REGIONS (drivers/of/of_reserved_mem.c): 5.10 and 6.1 save
// them as they come and refuse the rest (`not enough space for all defined regions.`); 6.12's
// fdt_scan_reserved_mem keeps them in a local dynamic_nodes[64] it does not bound, allocates them
// all, and returns through a smashed stack canary (the lab's 6.12 arm64, armmp and armmp-lpae boots
// of 68 and 70 such regions panicked so, seed 39); 7.2 checks the bound (`too many defined dynamic
// regions, skip`). And 7.2's cma_declare_contiguous_nid, a wrapper, prints `Failed to reserve` after
// `Not enough slots` (booted: 7.2-armmp-lpae, seed 39 #6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { plan, resolveProfile, type PlanResult } from '../../src/kernel/plan.js';
import { loadBoard } from '../../src/board.js';
import { regionBoard } from '../helpers/board.js';
import type { KernelProfile } from '../../src/kernel/profiles/types.js';
import { seriesForVersion } from '../../src/kernel/versions/index.js';

const GiB = 1n << 30n;
/** `n` dynamic 4 KiB regions with no compatible (no handler: each stays reserved). */
const dynamics = (n: number) => regionBoard(Array.from({ length: n }, (_, i) => `buf${i} { size = <0x0 0x1000>; };`).join('\n\t\t'));
const run = (kernel: string | KernelProfile, board: string, bootargs = 'console=ttyAMA0'): PlanResult => {
  const k = resolveProfile(kernel)!;
  return plan(loadBoard(board, { platform: 'qemu-virt', arch: k.arch, ram: GiB }), { kernel: k, bootargs });
};
const texts = (p: PlanResult) => p.log.map((l) => l.text);

test('6.12: 65 or more dynamic regions overrun dynamic_nodes[64]; with CONFIG_STACKPROTECTOR the scan allocates them all, then panics', () => {
  for (const kernel of ['6.12-arm64', '6.12-arm64-16k', '6.12-armmp', '6.12-armmp-lpae']) {
    assert.equal(resolveProfile(kernel)!.stackProtector, true, `${kernel}: its config has CONFIG_STACKPROTECTOR=y`);
    const p = run(kernel, dynamics(70));
    assert.equal(p.boot.outcome, 'panic', kernel);
    assert.equal(p.boot.function, 'fdt_scan_reserved_mem');
    assert.equal(p.boot.panic, 'stack-protector: Kernel stack is corrupted in: fdt_scan_reserved_mem');
    assert.match(p.boot.reason!, /70 dynamic regions .* 6 past its end/);
    // the error points at the first node stored past the array (regionBoard's nodes start on line 9)
    const err = p.diagnostics.find((d) => d.code === 'kernel-panic')!;
    assert.deepEqual([err.line, err.column > 0], [9 + 64, true], kernel);
    const t = texts(p);
    // every one was allocated before the return; the 65th and later find reserved_mem[] full
    assert.equal(t.filter((x) => / \(4 KiB\) map non-reusable buf\d+$/.test(x)).length, 64, kernel);
    assert.equal(t.filter((x) => x === 'OF: reserved mem: not enough space for all defined regions.').length, 6, kernel);
    assert.equal(t[t.length - 1], 'Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: fdt_scan_reserved_mem');
    // 64 fit
    assert.equal(run(kernel, dynamics(64)).boot.outcome, 'ok', kernel);
  }
  // a build without the canary: the words land on whatever the frame keeps above, a warning
  const bare = { ...resolveProfile('6.12-arm64')!, stackProtector: false };
  const p = run(bare, dynamics(65));
  assert.equal(p.boot.outcome, 'ok');
  assert.ok(p.diagnostics.some((d) => d.code === 'rmem-stack-overrun' && d.severity === 'warning' && /65 dynamic regions/.test(d.message)));
});

test('5.10 and 6.1 refuse what does not fit in reserved_mem[]; 7.2 skips dynamic regions past 64', () => {
  for (const kernel of ['5.10-arm64', '6.1-arm64', '6.1-armmp']) {
    const p = run(kernel, dynamics(70));
    assert.equal(p.boot.outcome, 'ok', kernel);
    assert.equal(texts(p).filter((x) => x === 'OF: reserved mem: not enough space for all defined regions.').length, 6, kernel);
  }
  for (const kernel of ['7.2-arm64', '7.2-armmp']) {
    const p = run(kernel, dynamics(70));
    assert.equal(p.boot.outcome, 'ok', kernel);
    const skipped = texts(p).filter((x) => x.startsWith('OF: reserved mem: too many defined dynamic regions, skip '));
    assert.deepEqual(
      skipped.map((x) => x.split("'")[1]),
      ['buf64', 'buf65', 'buf66', 'buf67', 'buf68', 'buf69'],
      kernel,
    );
  }
});

test("7.2's cma_declare_contiguous_nid prints Failed to reserve after Not enough slots; 6.12's returns without it", () => {
  // more reusable pools than cma_areas[] holds (MAX_CMA_AREAS: 8 on 7.2-armmp, 7 on 6.12-armmp),
  // then cma= asks for the default area
  const pools = regionBoard(
    Array.from(
      { length: 9 },
      (_, i) => `pool${i} { compatible = "shared-dma-pool"; reusable; size = <0x0 0x800000>; alignment = <0x0 0x800000>; };`,
    ).join('\n\t\t'),
  );
  const slots = (p: PlanResult) => {
    const t = texts(p);
    const i = t.lastIndexOf('cma: Not enough slots for CMA reserved regions!');
    return t.slice(i, i + 2);
  };
  assert.deepEqual(slots(run('7.2-armmp', pools, 'console=ttyAMA0 cma=32M')), [
    'cma: Not enough slots for CMA reserved regions!',
    'cma: Failed to reserve 32 MiB',
  ]);
  const old = slots(run('6.12-armmp', pools, 'console=ttyAMA0 cma=32M'));
  assert.equal(old[0], 'cma: Not enough slots for CMA reserved regions!');
  assert.notEqual(old[1], 'cma: Failed to reserve 32 MiB');
});

test("6.12's point releases: 6.12.103 brings 7.2's bound and sized reserved_mem[] (Debian's 6.12.118), the layer applies them by the build's release", () => {
  const at = (v: string) => {
    const c = seriesForVersion(v);
    assert.ok('series' in c && c.exact, v);
    return c.series;
  };
  for (const v of ['6.12', '6.12.95', '6.12.102']) {
    const s = at(v);
    assert.deepEqual(
      [s.rmem.regionLimit, s.rmem.dynamicNodes, s.arm64.mapMemRoundsInward, s.applied],
      ['total', 'unchecked', false, undefined],
      v,
    );
  }
  const s103 = at('6.12.103');
  assert.deepEqual([s103.rmem.regionLimit, s103.rmem.dynamicNodes, s103.arm64.mapMemRoundsInward], ['dynamic', 'checked', false]);
  assert.deepEqual(s103.rmem.reservedMemArray, { caller: 'fdt_scan_reserved_mem_reg_nodes', pointers: 4, unscanned: 'max-regions' });
  // 6.12.117's inward-rounded linear map (ChangeLog-6.12.117; trixie's 6.12.117 died of it in the lab)
  assert.equal(at('6.12.116').arm64.mapMemRoundsInward, false);
  assert.equal(at('6.12.117').arm64.mapMemRoundsInward, true);
  const s118 = at('6.12.118');
  assert.deepEqual(
    [s118.rmem.regionLimit, s118.arm64.mapMemRoundsInward, s118.applied?.map((p) => p.release)],
    ['dynamic', true, ['6.12.103', '6.12.117']],
  );
  assert.equal(s118.name, '6.12');
  // 6.12-arm64's profile with the 6.12.118 layer: 70 dynamic regions boot, the last six skipped as
  // on 7.2, and reserved_mem[] is allocated for the 64 the scan counted: 64 * 0x30 bytes
  // (struct reserved_mem of 6.12: name, fdt_node, ops, base, size, priv)
  const k = { ...resolveProfile('6.12-arm64')!, series: s118 };
  const p = run(k, dynamics(70));
  assert.equal(p.boot.outcome, 'ok');
  assert.deepEqual(
    texts(p)
      .filter((x) => x.startsWith('OF: reserved mem: too many defined dynamic regions, skip '))
      .map((x) => x.split("'")[1]),
    ['buf64', 'buf65', 'buf66', 'buf67', 'buf68', 'buf69'],
  );
  const array = p.trace.events
    .map((e) => e.detail as { caller?: string; size?: bigint })
    .find((d) => d.caller === 'fdt_scan_reserved_mem_reg_nodes');
  assert.equal(array?.size, 64n * 0x30n);
});

test("6.12.103+: reserved_mem[] is allocated for MAX_RESERVED_REGIONS when /reserved-memory's format is unsupported, not without the node; 7.2 allocates none", () => {
  // the lab's trixie 6.12.117 boot of seed 48 #356de786 (no `ranges`): a 2560-byte array on
  // armmp-lpae, one page more in the Memory: line's reserved count
  const f = (body: string) => {
    const file = regionBoard('');
    writeFileSync(file, `/dts-v1/;\n/ {\n\t#address-cells = <2>;\n\t#size-cells = <2>;\n\t${body}\n};\n`);
    return file;
  };
  const noRanges = f('reserved-memory {\n\t\t#address-cells = <2>;\n\t\t#size-cells = <2>;\n\t};');
  const none = f('');
  const array = (p: PlanResult) =>
    p.trace.events
      .map((e) => e.detail as { caller?: string; size?: bigint })
      .filter((d) => d.caller === 'fdt_scan_reserved_mem_reg_nodes' || d.caller === 'fdt_scan_reserved_mem_late')
      .map((d) => d.size);
  const at118 = (kernel: string) => ({
    ...resolveProfile(kernel)!,
    series: (seriesForVersion('6.12.118') as { series: KernelProfile['series'] }).series,
  });
  const p = run(at118('6.12-arm64'), noRanges);
  assert.ok(texts(p).includes('OF: reserved mem: Reserved memory: unsupported node format, ignoring'));
  assert.deepEqual(array(p), [64n * 0x30n]);
  // struct reserved_mem with LPAE's 64-bit base and size: 40 bytes
  assert.deepEqual(array(run(at118('6.12-armmp-lpae'), noRanges)), [64n * 40n]);
  assert.deepEqual(array(run(at118('6.12-arm64'), none)), []);
  assert.deepEqual(array(run('7.2-arm64', noRanges)), []);
  // 6.12.95 has no such array
  assert.deepEqual(array(run('6.12-arm64', noRanges)), []);
});
