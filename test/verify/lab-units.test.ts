// Units of the lab that need no QEMU: the generator and its blobs (through src/fdt), the cpio
// writer, sizes, kernel config reading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noSpan } from '../../src/diagnostics.js';
import { readDtb } from '../../src/fdt/reader.js';
import { writeDtb } from '../../src/fdt/writer.js';
import { addChild, setProp, stringsValue, u32Value } from '../../src/tree/edit.js';
import { getChild, getProp, newNode, type Tree } from '../../src/tree/types.js';
import { generateCase, buildCaseTree, caseNode, caseId } from '../../src/verify/generator.js';
import { writeCpioNewc } from '../../src/verify/initramfs.js';
import { dumpComplete } from '../../src/verify/qemu.js';
import { bootsAgainAlone, trimConsole } from '../../src/verify/lab.js';
import { parseConsole } from '../../src/verify/observation.js';
import { cpuByName } from '../../src/platform/cpu.js';
import { initrdStart } from '../../src/platform/qemu-virt.js';
import { parseSize } from '../../src/kernel/cmdline.js';
import {
  cachedKernel,
  cachedRelease,
  configSummary,
  compareVersions,
  findKernelDef,
  labKernels,
  packagePatterns,
  packageSuite,
  successorPackage,
  type LabSeries,
} from '../../src/verify/kernels.js';
import { withEnv } from '../helpers/env.js';

const haveDtc = spawnSync('sh', ['-c', 'command -v dtc']).status === 0;

/** A small tree shaped like QEMU's virt tree (2/2 cells, memory, a phandle, /chosen). */
function virtLike(): Tree {
  const root = newNode('', noSpan);
  setProp(root, '#address-cells', u32Value(2));
  setProp(root, '#size-cells', u32Value(2));
  const mem = addChild(root, newNode('memory@40000000', noSpan));
  setProp(mem, 'device_type', stringsValue('memory'));
  setProp(mem, 'reg', u32Value(0, 0x40000000, 0, 0x40000000));
  setProp(addChild(root, newNode('intc@8000000', noSpan)), 'phandle', u32Value(0x8002));
  addChild(root, newNode('chosen', noSpan));
  return { plugin: false, memreserves: [], root, bootCpuidPhys: 0 };
}

test('generator: the smp dimension varies the CPU count and leaves the layout a (seed, index) draws', () => {
  for (const fam of ['arm64', 'arm'] as const) {
    const counts = new Map<number, number>();
    for (let i = 0; i < 120; i++) {
      const { cpus, ...rest } = generateCase(5, i, fam, { smp: true });
      assert.deepEqual(rest, generateCase(5, i, fam), `${fam} #${i}`);
      assert.notEqual(cpus, 1, 'one CPU is the absent field');
      counts.set(cpus ?? 1, (counts.get(cpus ?? 1) ?? 0) + 1);
    }
    assert.deepEqual([...counts.keys()].sort(), [1, 2, 4, 8], `${fam}: ${[...counts]}`);
  }
});

test('generator: the cores dimension boots arm64 cases on other cores or with arm64.nolva, and leaves the layout', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 120; i++) {
    const { cpu, nolva, ...rest } = generateCase(5, i, 'arm64', { cores: true });
    const plain = generateCase(5, i, 'arm64');
    if (nolva) {
      assert.equal(cpu, undefined);
      assert.equal(rest.bootargs, [plain.bootargs, 'arm64.nolva'].filter((x) => x).join(' '));
      seen.add('nolva');
    } else {
      assert.deepEqual(rest, plain, `#${i}`);
      seen.add(cpu ?? 'max');
    }
    // every core drawn is one QEMU models and that has the 16K granule the -16k builds need
    if (cpu) assert.equal(cpuByName(cpu, 'option')?.tgran16, true, cpu);
  }
  assert.deepEqual([...seen].sort(), ['cortex-a76', 'max', 'max,lpa2=off', 'neoverse-n1', 'nolva']);
  assert.deepEqual(generateCase(5, 3, 'arm', { cores: true }), generateCase(5, 3, 'arm'), '32-bit cases keep their CPU');
});

test('the lab boots again alone what the bound stopped (silent or still printing), not what panicked', () => {
  const log = ['[    0.000000] Linux version 7.2.13+deb14-arm64 (x) #1 SMP', '[    0.300000] CPU features: detected: XNX', ''].join('\r\n');
  const o = parseConsole('7.2-arm64', log);
  assert.equal(bootsAgainAlone({ ...o, timedOut: true, quietMs: 30_000 }), true, 'silent for 30 s: a hang, or a slow host');
  assert.equal(bootsAgainAlone({ ...o, timedOut: true, quietMs: 100 }), true, 'cut off while printing');
  assert.equal(bootsAgainAlone({ ...o, timedOut: false }), false, 'ended by itself');
  const panic = parseConsole('7.2-arm64', `${log}[    0.400000] Kernel panic - not syncing: bio: can't create integrity buf pool\r\n`);
  assert.equal(bootsAgainAlone({ ...panic, timedOut: true, quietMs: 30_000 }), false, "a panic is the kernel's own");
});

test("generator: the params dimension appends its words to the case's command line and leaves the layout", () => {
  let pernuma = 0;
  let plainWords = 0;
  for (const fam of ['arm64', 'arm'] as const)
    for (let i = 0; i < 120; i++) {
      const { params, bootargs, ...rest } = generateCase(5, i, fam, { params: true });
      const { bootargs: base, ...plain } = generateCase(5, i, fam);
      assert.deepEqual(rest, plain, `${fam} #${i}`);
      if (!params) {
        assert.equal(bootargs, base, `${fam} #${i}: no words, the same case`);
        continue;
      }
      assert.equal(bootargs, [base, ...params].filter((x) => x).join(' '), `${fam} #${i}`);
      if (fam === 'arm') assert.ok(!params.some((w) => /^(cma_pernuma|numa_cma)=/.test(w)), `arm #${i}: no per-node CMA`);
      pernuma += params.filter((w) => /^(cma_pernuma|numa_cma)=/.test(w)).length;
      plainWords += params.filter((w) => !/^(cma_pernuma|numa_cma)=/.test(w)).length;
    }
  assert.ok(pernuma > 20 && plainWords > 100, `${pernuma} per-node CMA words, ${plainWords} others`);
});

test('generator: the numa dimension lays arm64 RAM out in 2 to 4 nodes (a CPU each, so no cpus) and leaves the layout', () => {
  const layouts = new Set<string>();
  for (let i = 0; i < 160; i++) {
    const { numa, cpus, ...rest } = generateCase(5, i, 'arm64', { numa: true, smp: true });
    const { cpus: _c, ...plain } = generateCase(5, i, 'arm64', { smp: true });
    assert.deepEqual(rest, plain, `#${i}`);
    if (!numa) continue;
    assert.equal(cpus, undefined, `#${i}: a node per CPU`);
    assert.equal(
      numa.reduce((a, n) => a + BigInt(n), 0n),
      BigInt(rest.ramMiB) << 20n,
      `#${i}: nodes add up to the RAM`,
    );
    layouts.add(numa.map((n) => (BigInt(n) === 0n ? '0' : 'n')).join(''));
  }
  assert.deepEqual([...layouts].sort(), ['nn', 'nn0', 'nnn', 'nnnn']);
  // 32-bit arm builds have no NUMA
  for (let i = 0; i < 40; i++) assert.equal(generateCase(5, i, 'arm', { numa: true }).numa, undefined);
});

test('generator: the many dimension adds small carve-outs above the initrd after the layout, 4 KiB each once they fill an eighth of RAM', () => {
  const counts = new Set<number>();
  for (const fam of ['arm64', 'arm'] as const)
    for (let i = 0; i < 80; i++) {
      const c = generateCase(5, i, fam, { many: true });
      const plain = generateCase(5, i, fam);
      const { many, regions, ...rest } = c;
      const { regions: own, ...plainRest } = plain;
      assert.deepEqual(rest, plainRest, `${fam} #${i}`);
      assert.deepEqual(regions.slice(0, own.length), own, `${fam} #${i}: the case's own regions come first, unchanged`);
      const extra = regions.slice(own.length);
      assert.equal(many, extra.length || undefined, `${fam} #${i}: many counts the added regions`);
      counts.add(extra.length);
      if (plain.noNode || plain.rmCells || plain.noRanges)
        assert.equal(extra.length, 0, `${fam} #${i}: a node the kernel ignores gets none`);
      const ram = BigInt(c.ramMiB) << 20n;
      const lo = initrdStart(ram) + (16n << 20n);
      let total = 0n;
      for (const r of extra) {
        assert.match(r.intent, /^many-/);
        const size = BigInt(r.reg ? r.reg[0]![1] : r.size!);
        total += size;
        if (r.reg) {
          const base = BigInt(r.reg[0]![0]);
          assert.ok(base >= lo && base + size <= 0x40000000n + ram, `${fam} #${i} ${r.name}: in its window`);
          assert.equal(r.name.split('@')[1], base.toString(16));
        }
      }
      assert.ok(total <= ram / 8n + BigInt(extra.length) * 4096n, `${fam} #${i}: ${total} bytes of carve-outs`);
      assert.equal(new Set(regions.map((r) => r.name)).size, regions.length, `${fam} #${i}: node names are unique`);
    }
  assert.ok(counts.has(0) && [...counts].some((n) => n > 64) && [...counts].some((n) => n > 0 && n < 64), [...counts].join(' '));
});

test("generator: the banks dimension splits a 32-bit case's RAM in banks with holes, the first from RAM's start past the initrd and DTB", () => {
  const counts = new Set<number>();
  for (let i = 0; i < 80; i++) {
    const c = generateCase(5, i, 'arm', { banks: true });
    const plain = generateCase(5, i, 'arm');
    const { banks, bootargs, ...rest } = c;
    const { bootargs: own, ...plainRest } = plain;
    assert.deepEqual(rest, plainRest, `#${i}: the layout stays the same`);
    assert.equal(bootargs, [own, ...(banks ?? [])].filter((x) => x).join(' '), `#${i}: the words follow the case's own`);
    counts.add(banks?.length ?? 0);
    const ram = BigInt(c.ramMiB) << 20n;
    let end = 0n;
    for (const [k, w] of (banks ?? []).entries()) {
      const m = /^mem=(\d+)([KM])@(0x[0-9a-f]+)$/.exec(w);
      assert.ok(m, w);
      const size = BigInt(m[1]!) << (m[2] === 'K' ? 10n : 20n);
      const start = BigInt(m[3]!);
      assert.equal(parseSize(`${m[1]}${m[2]}`), size);
      if (k === 0) {
        assert.equal(start, 0x40000000n, `#${i}: the first bank starts at RAM's start`);
        assert.ok(start + size >= initrdStart(ram) + (16n << 20n), `#${i}: ${w} holds the initrd and the DTB`);
      } else assert.ok(start > end, `#${i}: ${w} leaves a hole after the bank before`);
      end = start + size;
      assert.ok(size > 0n && end <= 0x40000000n + ram, `#${i}: ${w} inside QEMU's RAM`);
      assert.equal(start % (64n << 10n), 0n);
      assert.equal(size % (64n << 10n), 0n);
    }
  }
  assert.deepEqual([...counts].sort(), [0, 2, 3]);
  // arm64's mem= only limits memory: no banks
  for (let i = 0; i < 40; i++) assert.equal(generateCase(5, i, 'arm64', { banks: true }).banks, undefined);
});

test('generator is deterministic and varied', () => {
  for (const fam of ['arm64', 'arm'] as const) {
    const a = generateCase(1, 7, fam),
      b = generateCase(1, 7, fam),
      c = generateCase(1, 8, fam),
      d = generateCase(2, 7, fam);
    assert.deepEqual(a, b);
    assert.notEqual(caseId(a), caseId(c));
    assert.notEqual(caseId(a), caseId(d));
  }
  const cases = Array.from({ length: 300 }, (_, i) => generateCase(1, i, 'arm64'));
  const intents = new Set(cases.flatMap((c) => c.regions.map((r) => r.intent.split('-').slice(0, 2).join('-'))));
  for (const want of ['static-ram', 'static-kernel', 'static-initrd', 'static-outside', 'dynamic', 'dynamic-too'])
    assert.ok(
      [...intents].some((i) => i.startsWith(want)),
      `no ${want} case`,
    );
  assert.ok(
    cases.some((c) => c.regions.some((r) => r.raw)),
    'no malformed property',
  );
  assert.ok(
    cases.some((c) => c.rmCells),
    'no 1-cell reserved-memory',
  );
  assert.ok(
    cases.some((c) => c.memreserve.length),
    'no /memreserve/',
  );
  for (const p of ['cma=', 'mem=', 'reserve_mem='])
    assert.ok(
      cases.some((c) => c.bootargs.includes(p)),
      `no ${p}`,
    );
  assert.ok(
    cases.some((c) => c.regions.some((r) => r.cmaDefault)),
    'no linux,cma-default',
  );
  assert.ok(
    cases.some((c) => c.regions.some((r) => (r.allocRanges?.length ?? 0) > 1)),
    'no multi alloc-ranges',
  );
  assert.ok(
    cases.some((c) => c.regions.some((r) => r.status === 'disabled')),
    'no disabled',
  );
  const rams = new Set(cases.map((c) => c.ramMiB));
  assert.ok(rams.has(128) && rams.has(4096));
  assert.ok(Array.from({ length: 300 }, (_, i) => generateCase(1, i, 'arm')).every((c) => c.ramMiB <= 3072));
});

test('case DTB round-trips through the reader (and dtc when installed)', () => {
  for (let i = 0; i < 40; i++) {
    const c = generateCase(3, i, 'arm64');
    const t = buildCaseTree(virtLike(), c);
    const dtb = writeDtb(t);
    const back = readDtb(dtb);
    assert.deepEqual(back.diagnostics, []);
    assert.deepEqual(writeDtb(back.tree!), dtb);
    assert.deepEqual(
      back.tree!.memreserves.map((r) => [r.address, r.size]),
      c.memreserve.map(([a, s]) => [BigInt(a), BigInt(s)]),
    );
    const rm = getChild(back.tree!.root, 'reserved-memory');
    assert.equal(rm?.children.length, caseNode(c)?.children.length);
    if (rm)
      assert.deepEqual(
        rm.children.map((n) => n.name),
        c.regions.map((r) => r.name),
      );
    for (const rg of c.regions) {
      for (const raw of rg.raw ?? [])
        assert.deepEqual(getProp(getChild(rm!, rg.name)!, raw.prop)?.value, new Uint8Array(Buffer.from(raw.hex, 'hex')));
    }
    if (haveDtc && i < 5) {
      const r = spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', '-q'], { input: Buffer.from(dtb) });
      assert.equal(r.status, 0, r.stderr?.toString());
      assert.match(r.stdout.toString(), /memory@40000000/);
    }
  }
});

test('DTB reader reports corrupted case blobs without throwing', () => {
  const good = writeDtb(buildCaseTree(virtLike(), generateCase(3, 1, 'arm64')));
  for (let i = 0; i < 400; i++) {
    const b = good.slice();
    const k = 1 + (i % 7);
    for (let j = 0; j < k; j++) b[(i * 7919 + j * 104729) % b.length] = (i * 31 + j) & 0xff;
    const r = readDtb(b);
    assert.ok(r.tree !== undefined || r.diagnostics.some((d) => d.severity === 'error'));
  }
  assert.ok(readDtb(good.slice(0, 30)).diagnostics.some((d) => d.code === 'dtb-truncated'));
  const bad = good.slice();
  bad[0] = 0;
  assert.ok(readDtb(bad).diagnostics.some((d) => d.code === 'dtb-bad-magic'));
});

test('cpio newc layout', () => {
  const c = writeCpioNewc([{ name: 'init', mode: 0o100755, data: new Uint8Array(Buffer.from('#!/bin/sh\n')) }]);
  const s = Buffer.from(c).toString('latin1');
  assert.ok(s.startsWith('070701'));
  assert.equal(c.length % 4, 0);
  assert.equal(parseInt(s.slice(6 + 8 * 6, 6 + 8 * 7), 16), 10); // filesize field
  assert.ok(s.includes('TRAILER!!!'));
  if (spawnSync('sh', ['-c', 'command -v cpio']).status === 0) {
    const r = spawnSync('cpio', ['-t', '--quiet'], { input: Buffer.from(c) });
    assert.deepEqual(r.stdout.toString().trim().split('\n'), ['init']);
  }
});

test('sizes, initrd placement, config, versions', () => {
  assert.equal(parseSize('1G'), 1n << 30n);
  assert.equal(parseSize('512M'), 512n << 20n);
  assert.equal(parseSize('768'), 768n);
  assert.equal(parseSize('0x8000000'), 0x8000000n);
  assert.equal(parseSize('12Q'), undefined);
  assert.equal(initrdStart(128n << 20n), 0x44000000n);
  assert.equal(initrdStart(1n << 30n), 0x48000000n);
  const cfg = configSummary(
    'CONFIG_ARM64_16K_PAGES=y\nCONFIG_CMA_SIZE_MBYTES=64\n# CONFIG_ARM_LPAE is not set\nCONFIG_ARCH_FORCE_MAX_ORDER=11\n',
  );
  assert.equal(cfg.pageSize, 16384);
  assert.equal(cfg.cmaSizeMbytes, 64);
  assert.equal(cfg.lpae, false);
  assert.equal(cfg.forceMaxOrder, 11);
  assert.ok(compareVersions('linux-image-6.1.0-50-armmp', 'linux-image-6.1.0-9-armmp') > 0);
  assert.ok(compareVersions('linux-image-6.12.95+deb12-arm64-unsigned', 'linux-image-6.12.9+deb12-arm64-unsigned') > 0);
  // The packages the recorded set booted, one per series.
  const recordedPackage: Record<LabSeries, (flavour: string, arm64: boolean) => string> = {
    '5.10': (f, arm64) => `linux-image-5.10.0-32-${f}${arm64 ? '-unsigned' : ''}`,
    '6.1': (f, arm64) => `linux-image-6.1.0-50-${f}${arm64 ? '-unsigned' : ''}`,
    '6.12': (f, arm64) => `linux-image-6.12.95+deb12-${f}${arm64 ? '-unsigned' : ''}`,
    // 7.x: the image is in linux-binary-* (linux-image-* is a metapackage), never -unsigned
    '7.2': (f) => `linux-binary-7.2.13+deb14-${f}`,
  };
  for (const k of labKernels) {
    const pkg = recordedPackage[k.series](k.flavour, k.arch === 'arm64');
    assert.ok(new RegExp(k.packageRegex).test(pkg), k.id);
    assert.equal(packageSuite(k, pkg), k.suite, k.id);
  }
});

test("6.12's trixie build (+deb13) is a package of the same lab kernel, fetched from trixie, never the default", () => {
  const k = findKernelDef('6.12-arm64')!;
  assert.equal(packageSuite(k, 'linux-image-6.12.57+deb13-arm64-unsigned'), 'trixie');
  assert.equal(packageSuite(k, 'linux-image-6.12.118+deb12-arm64-unsigned'), 'bookworm-backports');
  assert.ok(!new RegExp(k.packageRegex).test('linux-image-6.12.57+deb13-arm64-unsigned'), 'kernels fetch takes the newest +deb12');
  assert.equal(packageSuite(findKernelDef('6.12-armmp-lpae')!, 'linux-image-6.12.57+deb13-armmp-lpae'), 'trixie');
  // another flavour or series is none
  assert.equal(packageSuite(k, 'linux-image-6.12.57+deb13-arm64-16k-unsigned'), undefined);
  assert.equal(packageSuite(findKernelDef('6.1-arm64')!, 'linux-image-6.12.57+deb13-arm64-unsigned'), undefined);
  assert.match(packagePatterns(k), /deb13.* from trixie/);
});

test("trimConsole keeps the last 80 lines and, when it comes earlier, the panic's call trace with 40 lines either side", () => {
  const lines = Array.from({ length: 300 }, (_, i) => `[    1.000000] line ${i}`);
  lines[100] = '[    1.000000] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)';
  lines[110] = '[    1.000000] [<c0d0ca30>] (prepare_namespace) from [<c0d11e04>] (kernel_init_freeable+0x1c0/0x200)';
  const kept = trimConsole(lines.join('\n')).split('\n');
  assert.equal(kept[0], '[... 60 lines ...]');
  assert.ok(kept.includes(lines[100]!) && kept.includes(lines[110]!), 'the panic and its call trace are kept');
  assert.equal(kept[82], '[... 79 lines ...]');
  assert.deepEqual(kept.slice(-80), lines.slice(-80));
  // a panic just before the last 80 lines: kept, with no gap between it and them
  const near = lines.map((l, i) => (i === 200 ? lines[100]! : i === 100 ? '[    1.000000] line 100' : l));
  const nearKept = trimConsole(near.join('\n')).split('\n');
  assert.deepEqual(nearKept, ['[... 160 lines ...]', ...near.slice(160)]);
  // a panic among the last lines: the tail alone, as before
  const late = lines.map((l, i) => (i === 250 ? lines[100]! : i === 100 ? '[    1.000000] line 100' : l));
  assert.deepEqual(trimConsole(late.join('\n')).split('\n'), ['[... 220 lines ...]', ...late.slice(-80)]);
  assert.equal(trimConsole('short\nconsole'), 'short\nconsole');
});

test('successorPackage: a lab kernel whose series left the archive names the later series offered in its place', () => {
  // apt-cache stands in for the archive: a script on PATH that lists what it is given
  const dir = mkdtempSync(join(tmpdir(), 'carveout-apt-'));
  const list = join(dir, 'packages');
  writeFileSync(join(dir, 'apt-cache'), `#!/bin/sh\ncat "${list}"\n`, { mode: 0o755 });
  withEnv({ PATH: `${dir}:${process.env.PATH}` }, () => {
    const k72 = labKernels.find((k) => k.id === '7.2-arm64')!;
    const offer = (...names: string[]) => writeFileSync(list, names.map((n) => `${n} - Linux\n`).join(''));
    offer('linux-binary-7.2.13+deb14-arm64', 'linux-binary-7.3.1+deb14-arm64');
    assert.equal(successorPackage(k72), undefined);
    offer('linux-binary-7.3.1+deb14-arm64-16k', 'linux-binary-7.3.1+deb14-cloud-arm64', 'linux-binary-7.3.2+deb14-arm64');
    assert.equal(successorPackage(k72), 'linux-binary-7.3.2+deb14-arm64');
    // an older series, another flavour only, or nothing at all: not a series gone
    offer('linux-binary-7.1.4+deb14-arm64', 'linux-binary-7.3.1+deb14-arm64-16k');
    assert.equal(successorPackage(k72), undefined);
    offer();
    assert.equal(successorPackage(k72), undefined);
  });
});

test('a kernel cache restored elsewhere finds its files in its own directory, not where info.json was written', () => {
  const cache = mkdtempSync(join(tmpdir(), 'carveout-moved-cache-'));
  const boot = join(cache, 'kernels', '6.12-arm64', 'boot');
  mkdirSync(boot, { recursive: true });
  const old = '/somewhere/else/kernels/6.12-arm64/boot';
  writeFileSync(
    join(cache, 'kernels', '6.12-arm64', 'info.json'),
    JSON.stringify({
      id: '6.12-arm64',
      package: 'linux-image-6.12.95+deb12-arm64-unsigned',
      version: '6.12.95-1~bpo12+1',
      vmlinuz: `${old}/vmlinuz-6.12.95+deb12-arm64`,
      config: `${old}/config-6.12.95+deb12-arm64`,
      systemMap: `${old}/System.map-6.12.95+deb12-arm64`,
    }),
  );
  for (const f of ['vmlinuz', 'config', 'System.map']) writeFileSync(join(boot, `${f}-6.12.95+deb12-arm64`), '');
  const saved = process.env.CARVEOUT_CACHE;
  process.env.CARVEOUT_CACHE = cache;
  try {
    const k = cachedKernel('6.12-arm64')!;
    assert.equal(k.vmlinuz, join(boot, 'vmlinuz-6.12.95+deb12-arm64'));
    assert.equal(k.systemMap, join(boot, 'System.map-6.12.95+deb12-arm64'));
    assert.equal(cachedRelease('6.12-arm64', 'linux-image-6.12.95+deb12-arm64-unsigned')?.config, join(boot, 'config-6.12.95+deb12-arm64'));
  } finally {
    if (saved === undefined) delete process.env.CARVEOUT_CACHE;
    else process.env.CARVEOUT_CACHE = saved;
  }
});

test('a 32-bit trace boot stops after the MEMBLOCK dump only once every reserved row has reached the console (qemu.ts dumpComplete)', () => {
  // seed 60 #3 on 7.2-armmp-lpae: a loaded host paused the console inside a 25-row dump, and the
  // 800 ms quiet stop kept 9 rows
  const head = '[    0.000000] MEMBLOCK configuration:\n[    0.000000]  memory size = 0x40000000 reserved size = 0x3000\n';
  const rows = (n: number) =>
    Array.from(
      { length: n },
      (_, i) => `[    0.000000]  reserved[0x${i.toString(16)}]\t[0x4000${i}000-0x4000${i}fff], 0x00001000 bytes flags: 0x0\n`,
    ).join('');
  const cnt = (n: number) => `[    0.000000]  reserved.cnt  = 0x${n.toString(16)}\n`;
  assert.equal(dumpComplete('[    0.000000] Booting Linux\n'), false);
  assert.equal(dumpComplete(head), false);
  assert.equal(dumpComplete(head + cnt(25) + rows(9)), false);
  assert.equal(dumpComplete(head + cnt(25) + rows(25)), true);
  assert.equal(dumpComplete(head + cnt(3) + rows(3)), true);
});
