// The lab's boots through real firmware (src/verify/firmware*.ts; data/lab/u-boot, data/lab/uefi):
// the firmware's console parsed from real captures, every recorded boot checked for what it is
// (the case regenerates, the DTB rebuilds to the booted bytes, the firmware loaded and started the
// kernel), then replayed through plan() on the `u-boot` / `uefi` platform: the reserved-memory log
// lines and dynamic placements (test/kernel/replay-lib.ts), the kernel image and initrd
// reservations (arm64_memblock_init, arm_memblock_init, reserve_initrd_mem), and where the DTB
// lies and how much of it the kernel reserved. U-Boot is modelled from the blob QEMU hands it and
// its default environment; EDK2 by the uefi model alone (EDK2 ArmVirtQemu's free memory at the
// stub's start, the stub's placements, the UEFI memory map and tables: only RAM, the command line,
// the initrd's size and the kernel file's facts given), also judged on the memory table efi_init
// leaves (nomap runtime regions, the flash) and efi_init's table reservations.
// Agreement is printed n/N per firmware and kernel with the disagreements listed; the checks a
// platform model is exact on are asserted (ASSERTED). Where EDK2 never started the kernel for want
// of room, the uefi model must say so too (`uefi-firmware-room`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { FIRMWARE_KINDS, parseFirmwareConsole, ubootPlacingLines, type FirmwareKind } from '../../src/verify/firmware.js';
import { firmwareDataDir, readFirmwareRecordsJson, type FirmwareRecordJson } from '../../src/verify/firmware-lab.js';
import { decodeRecord, recordedKernels, type LabRecord } from '../../src/verify/records.js';
import { caseId, generateCase, type LabCase } from '../../src/verify/generator.js';
import { parseConsole, type MemblockDumpRow } from '../../src/verify/observation.js';
import { loadBoard, type Board } from '../../src/board.js';
import { plan, resolveProfile, type PlanResult } from '../../src/kernel/plan.js';
import { replayCase } from '../kernel/replay-lib.js';
import { UEFI_KERNEL_FILES } from '../platform/uefi-kernel-files.js';
import { repoRoot, runCli } from '../helpers/cli.js';

const fixture = (name: string): string =>
  gunzipSync(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', name))).toString('latin1');

test('U-Boot console (qemu_arm64, booti): qfw load addresses, the blob given, ramdisk and DTB relocated', () => {
  const c = parseFirmwareConsole(fixture('u-boot-6.12-arm64.console.gz'));
  assert.equal(c.lines[0], 'U-Boot 2023.01+dfsg-2+deb12u3 (Jun 22 2026 - 08:38:07 +0000)');
  assert.deepEqual(c.qfwKernel, { base: 0x40400000n, size: 0x2a3b200n });
  assert.deepEqual(c.qfwInitrd, { base: 0x44000000n, size: 0xf79can });
  assert.equal(c.fdtGiven, 0x7eeae590n);
  assert.deepEqual(c.ramdisk, { base: 0x7ddb2000n, end: 0x7dea99can });
  assert.deepEqual(c.dtb, { base: 0x7dda6000n, end: 0x7ddb1813n, inPlace: false });
  assert.equal(c.started, true);
  assert.equal(c.lines.at(-1), 'Starting kernel ...');
  assert.deepEqual(c.kernelLines, ['efi: UEFI not found.']);
});

test('U-Boot console (qemu_arm, bootz): the DTB used in place, no ramdisk relocation', () => {
  const c = parseFirmwareConsole(fixture('u-boot-6.12-armmp.console.gz'));
  assert.ok(c.lines.includes("Unknown command 'booti' - try 'help'"));
  assert.deepEqual(c.qfwKernel, { base: 0x40400000n, size: 0x5c9200n });
  assert.deepEqual(c.dtb, { base: 0x7eeef750n, end: 0x7eefaea3n, inPlace: true });
  assert.equal(c.ramdisk, undefined);
  assert.equal(c.started, true);
});

test('EDK2 console: the EFI stub lines without the screen-clearing escapes; the first MEMBLOCK table kept', () => {
  const c = parseFirmwareConsole(fixture('uefi-6.12-arm64.console.gz'));
  assert.deepEqual(c.lines.slice(1), [
    'EFI stub: Booting Linux Kernel...',
    'EFI stub: KASLR disabled on kernel command line',
    'EFI stub: Loaded initrd from LINUX_EFI_INITRD_MEDIA_GUID device path',
    'EFI stub: Using DTB from configuration table',
    'EFI stub: Exiting boot services...',
  ]);
  assert.equal(c.started, true);
  assert.equal(c.qfwKernel, undefined);
  const first = firstDump(c.kernelLines);
  assert.deepEqual(
    first?.reserved.map((r) => [r.base, r.size]),
    [
      [0x79700000n, 0x1f6bn],
      [0x79a03f98n, 0x10n],
      [0x7eba2018n, 0x400n],
    ],
  );
  const m = parseFirmwareConsole(fixture('uefi-6.12-armmp.console.gz'));
  assert.ok(m.lines.includes('EFI stub: DEBUG: image addr == 0x40208000, reserve_addr == 0x40203000'));
  const map = m.kernelLines.filter((l) => /^efi: {3}0x/.test(l));
  assert.equal(map.length, 29);
  assert.equal(map[0], 'efi:   0x000040000000-0x000040202fff [Conventional|   |  |  |  |  |  |  |  |  |  |   |WB|  |  |  ]');
  assert.ok(m.kernelLines.includes('OF: fdt: Ignoring memory block 0x4000000 - 0x8000000'));
});

test('a UEFI console with two MEMBLOCK tables: the observation keeps the last (after memory setup)', () => {
  const two = [
    '[    0.000000] MEMBLOCK configuration:',
    '[    0.000000]  memory size = 0x0000000040000000 reserved size = 0x0000000000001000',
    '[    0.000000]  memory.cnt  = 0x1',
    '[    0.000000]  memory[0x0]\t[0x0000000040000000-0x000000007fffffff], 0x0000000040000000 bytes flags: 0x0',
    '[    0.000000]  reserved.cnt  = 0x1',
    '[    0.000000]  reserved[0x0]\t[0x0000000079700000-0x0000000079700fff], 0x0000000000001000 bytes flags: 0x0',
    '[    0.000000] memblock_remove: [0x0000000000000000-0xfffffffffffffffe] reserve_regions+0x50/0x1e0',
    '[    0.000000] MEMBLOCK configuration:',
    '[    0.000000]  memory size = 0x0000000004000000 reserved size = 0x0000000000002000',
    '[    0.000000]  memory.cnt  = 0x1',
    '[    0.000000]  memory[0x0]\t[0x0000000004000000-0x0000000007ffffff], 0x0000000004000000 bytes on node 0 flags: 0x4',
    '[    0.000000]  reserved.cnt  = 0x1',
    '[    0.000000]  reserved[0x0]\t[0x0000000079700000-0x0000000079701fff], 0x0000000000002000 bytes on node 0 flags: 0x0',
  ].join('\n');
  const o = parseConsole('6.12-arm64', two);
  assert.deepEqual(
    o.memblockDump?.memory.map((r) => [r.base, r.size, r.flags]),
    [[0x4000000n, 0x4000000n, 4]],
  );
  assert.deepEqual(
    o.memblockDump?.reserved.map((r) => [r.base, r.size]),
    [[0x79700000n, 0x2000n]],
  );
  assert.equal(o.log.filter((l) => l.kind === 'memblock-dump').length, 1);
});

test('CLI: verify through firmware takes the firmware as it boots; what it cannot honour is a usage error', () => {
  const board = join(repoRoot, 'examples', 'qemu-virt-cma.dts');
  for (const [flags, why] of [
    [['--platform', 'u-boot', '--uboot-env', 'kernel_addr_r=0x41000000'], /default environment/],
    [['--platform', 'u-boot', '--boot', 'uefi'], /one of them/],
    [['--platform', 'uefi', '--memory', '0x40000000+1G'], /goes with --log/],
  ] as const) {
    const r = runCli(['verify', board, '--kernel', '6.12-arm64', ...flags]);
    assert.equal(r.status, 2, flags.join(' '));
    assert.match(r.stderr, why);
  }
  assert.match(runCli(['verify', '--help']).stdout, /--platform u-boot +boot through Debian's U-Boot/);
});

/** The first `MEMBLOCK configuration` table among a boot's kept kernel lines. */
function firstDump(lines: string[]): { memory: MemblockDumpRow[]; reserved: MemblockDumpRow[] } | undefined {
  const heads = lines.flatMap((l, i) => (l.startsWith('MEMBLOCK configuration:') ? [i] : []));
  if (!heads.length) return undefined;
  return parseConsole('', lines.slice(heads[0], heads[1]).join('\n')).memblockDump;
}

/** The checks a platform model is exact on (asserted); the others are reported n/N. */
type Check = 'rmem' | 'early' | 'dtb' | 'printed' | 'memory' | 'efi';
const CHECKS: Check[] = ['rmem', 'early', 'dtb', 'printed', 'memory', 'efi'];
const ASSERTED: Record<FirmwareKind, Check[]> = {
  'u-boot': ['rmem', 'early', 'dtb', 'printed'],
  uefi: ['rmem', 'early', 'dtb', 'memory', 'efi'],
};

/**
 * What booti/bootz reserved for the kernel, from the boot: arm64's Image header image_size is the
 * _end - _text arm64_memblock_init reserves (traced); bootz prints the zImage's start and end.
 */
function ubootImageSize(r: LabRecord, console: string[]): bigint | undefined {
  const z = console.map((l) => /^Kernel image @ 0x[0-9a-f]+ \[ 0x([0-9a-f]+) - 0x([0-9a-f]+) \]/.exec(l)).find((m) => m);
  if (z) return BigInt(`0x${z[2]}`) - BigInt(`0x${z[1]}`);
  return r.observation.memblock.filter((e) => e.op === 'reserve' && e.caller.startsWith('arm64_memblock_init')).at(-1)?.size;
}

/** efi_init's reservations for the firmware's tables (memattr, MEMRESERVE, ACPI reclaim, the map's pages). */
const EFI_CALLER = /^(efi_memattr_init|efi_config_parse_tables|reserve_regions|efi_init)\b/;
const efiReserves = (events: { fn: string; caller: string; base: bigint; size: bigint }[]): string[] =>
  events
    .filter((e) => /^(__)?memblock_reserve$/.test(e.fn) && EFI_CALLER.test(e.caller))
    .map((e) => `${e.caller.replace(/\+.*/, '')} ${hex(e.base)}+${hex(e.size)}`);

const EARLY_CALLER = /^(arm64_memblock_init|arm_memblock_init|reserve_initrd_mem)\b/;
const hex = (v: bigint): string => '0x' + v.toString(16);

/**
 * The kernel image, initrd (and 32-bit swapper_pg_dir) reservations as traced (memblock=debug), in
 * order. The image's size is the build's, not the firmware's: the lab's cached Debian packages may
 * be newer than the ones a profile was measured on, so it is written as `image`; every other base
 * and size is compared. arm64_memblock_init reserves the initrd first and the image last
 * (arch/arm64/mm/init.c); arm_memblock_init reserves the image first (arch/arm/mm/init.c).
 */
function earlyReserves(events: { fn: string; caller: string; base: bigint; size: bigint }[]): string[] {
  const early = events.filter((e) => /^(__)?memblock_reserve$/.test(e.fn) && EARLY_CALLER.test(e.caller));
  const callerOf = (e: { caller: string }): string => e.caller.replace(/\+.*/, '');
  const arm64 = early.filter((e) => callerOf(e) === 'arm64_memblock_init');
  const image = arm64.length ? arm64[arm64.length - 1] : early.find((e) => callerOf(e) === 'arm_memblock_init');
  return early.map((e) => `${callerOf(e)} ${hex(e.base)}+${e === image ? 'image' : hex(e.size)}`);
}

function observedEarly(r: LabRecord): string[] {
  return earlyReserves(
    r.observation.memblock.flatMap((e) =>
      e.base !== undefined && e.size !== undefined ? [{ fn: e.fn, caller: e.caller, base: e.base, size: e.size }] : [],
    ),
  );
}

function predictedEarly(p: PlanResult): string[] {
  return earlyReserves(
    p.trace.events.flatMap((e) => {
      const d = e.detail as { kind?: string; caller?: string; base?: bigint; size?: bigint };
      return d.kind && d.base !== undefined && d.size !== undefined
        ? [{ fn: d.kind, caller: d.caller ?? '', base: d.base, size: d.size }]
        : [];
    }),
  );
}

/**
 * Where the kernel found the DTB and the end of what it reserved for it (early_init_fdt_reserve_self:
 * in the MEMBLOCK tables only, it comes before memblock=debug is parsed). U-Boot says where it put
 * the blob and the table row holding that address ends where the reservation does, unless a
 * traced reservation begins inside the row above it or covers the blob (U-Boot's lmb refused a
 * /reserved-memory region and put the DTB there: the base alone); through UEFI the first table (before
 * reserve_regions) holds the stub's DTB and the two EFI tables the trace shows
 * (efi_memattr_init, efi_config_parse_tables): the DTB is the row the trace does not explain.
 * With mem= below it the kernel dropped the reservation: the base alone.
 */
function observedDtb(r: LabRecord, fw: FirmwareRecordJson['firmware']): { base: bigint; end?: bigint } | string {
  const boot = fw.console.length - 1; // the boot with memblock=debug (32-bit: the second)
  if (fw.kind === 'u-boot') {
    const c = parseFirmwareConsole(fw.console[boot]!.join('\n'));
    if (!c.dtb) return 'U-Boot did not say where the DTB went';
    const base = c.dtb.base;
    const row = r.observation.memblockDump?.reserved.find((x) => x.base <= base && base <= x.end);
    if (!row) return { base };
    // Inside a region the kernel reserved as well (U-Boot's lmb refused it): no end of its own.
    const covering = r.observation.memblock.some(
      (e) => e.op === 'reserve' && e.base !== undefined && e.size !== undefined && e.base <= base && base < e.base + e.size,
    );
    if (covering) return { base };
    // Reservations traced later may have merged into the row from above: the DTB's ends where the
    // first of them begins.
    const above = r.observation.memblock.filter((e) => e.op === 'reserve' && e.base !== undefined && e.base > base && e.base <= row.end);
    const next = above.reduce((m, e) => (e.base! < m ? e.base! : m), row.end + 1n);
    return { base, end: next - 1n };
  }
  const first = firstDump(fw.kernelLines[boot] ?? []);
  if (!first) return 'no MEMBLOCK table before reserve_regions';
  const traced = new Set(r.observation.memblock.filter((e) => e.op === 'reserve').map((e) => e.base));
  const rows = first.reserved.filter((x) => !traced.has(x.base));
  return rows.length === 1 ? { base: rows[0]!.base, end: rows[0]!.end } : `${rows.length} untraced rows in the first MEMBLOCK table`;
}

interface Tally {
  ok: number;
  n: number;
}

/** Boots each firmware replay agrees with in every check (EDK2 giving up, predicted, included). */
const agreed: Record<string, number> = {};

for (const kind of FIRMWARE_KINDS) {
  const kernels = recordedKernels(firmwareDataDir(kind));
  test(`${kind} firmware lab: records exist`, (t) => {
    if (!kernels.length) t.skip(`data/lab/${kind} has no records yet`);
  });
  for (const kernel of kernels) {
    test(`${kind} firmware lab: ${kernel} boots, replayed on the ${kind} platform`, (t) => {
      const profile = resolveProfile(kernel);
      assert.ok(profile, `no profile for ${kernel}`);
      const recs = readFirmwareRecordsJson(kind, kernel);
      const tally = Object.fromEntries(CHECKS.map((c) => [c, { ok: 0, n: 0 }])) as Record<Check, Tally>;
      let all = 0;
      const asserted: string[] = [];
      const reported: string[] = [];
      const ms: number[] = [];
      const gaveUp: string[] = [];
      let roomPredicted = 0;
      for (const j of recs) {
        const what = `${kind} ${kernel} #${j.index} ${j.caseId}`;
        // What the record is: asserted for every record.
        assert.equal(j.kernel, kernel, what);
        assert.equal(j.firmware.kind, kind, what);
        assert.match(j.firmware.package, kind === 'u-boot' ? /^u-boot-qemu \S+$/ : /^qemu-efi-(aarch64|arm) \S+$/, what);
        const c = j.case as LabCase;
        assert.equal(caseId(generateCase(j.seed!, j.index!, c.family)), j.caseId, `${what}: generator drifted from the recording`);
        const r = decodeRecord(j); // the DTB rebuilt from data/lab/virt + the case, hash-checked
        const o = r.observation;
        const consoles = j.firmware.console.map((lines) => parseFirmwareConsole(lines.join('\n')));
        if (consoles.some((fc) => !fc.started)) {
          // The firmware never ran the kernel (EDK2 with 3 GiB on 32-bit ARM, an Image it cannot
          // load into 128 MiB): kept as what happened, nothing of the kernel to compare.
          assert.equal(o.log.length + o.memblock.length, 0, `${what}: kernel lines although the firmware did not start it`);
          gaveUp.push(`${BigInt(r.ram) >> 20n}M`);
          if (kind === 'uefi') {
            // EDK2 giving up for want of room is the uefi model's to predict (`uefi-firmware-room`);
            // a hang after EDK2's banner (arm, 3 GiB) is not the placement model's: listed, not judged.
            const facts = UEFI_KERNEL_FILES[j.package ?? ''];
            assert.ok(facts, `${what}: no kernel-file facts for ${j.package}`);
            const board = loadBoard(r.dtbBytes, {
              fileName: `${kind}/${kernel}/${r.caseId}.dtb`,
              asBooted: true,
              arch: profile.arch,
              ram: BigInt(r.ram),
              ...(r.initrd ? { initrdSize: BigInt(r.initrd.size) } : {}),
              platform: 'uefi',
              bootargs: `${r.traceAppend ?? r.append} initrd=initrd`,
              uefi: facts,
            });
            if (board.diagnostics.some((d) => d.code === 'uefi-firmware-room')) roomPredicted++;
            else if (profile.arch === 'arm64') asserted.push(`${what}: EDK2 gave up, the uefi model finds room`);
          }
          continue;
        }
        for (const [k, fc] of consoles.entries()) {
          const lines = j.firmware.console[k]!;
          if (kind === 'u-boot') assert.deepEqual(fc.qfwKernel?.base, 0x40400000n, `${what}: qfw load not at kernel_addr_r`);
          else assert.ok(lines.includes('EFI stub: Using DTB from configuration table'), `${what}: the stub did not take our DTB`);
        }
        assert.ok(
          (o.memblock.length > 0 && o.memblockDump !== undefined) || o.panicked || o.timedOut,
          `${what}: nothing parsed and no failure recorded`,
        );
        if (o.durationMs !== undefined) ms.push(o.durationMs);
        // The replay on the firmware's platform. The boot whose trace and tables are compared is
        // the last (32-bit: the memblock=debug one): its -append is what QEMU wrote into the blob
        // and U-Boot's bootargs, and its length decides the size of the firmware's DTB copy.
        const last = j.firmware.console.length - 1;
        const appended = r.traceAppend ?? r.append;
        const bootargs = o.commandLine ?? r.append;
        let board: Board;
        const results: Partial<Record<Check, string | true>> = {};
        // what both firmware models are given of the boot: its blob as booted, RAM and the initrd's size
        const given = {
          fileName: `${kind}/${kernel}/${r.caseId}.dtb`,
          asBooted: true,
          arch: profile.arch,
          ram: BigInt(r.ram),
          ...(r.initrd ? { initrdSize: BigInt(r.initrd.size) } : {}),
        };
        if (kind === 'u-boot') {
          const imageSize = ubootImageSize(r, j.firmware.console[last]!);
          board = loadBoard(r.dtbBytes, {
            ...given,
            platform: 'u-boot',
            bootargs: appended,
            ...(imageSize !== undefined ? { uboot: { imageSize } } : {}),
          });
          const said = ubootPlacingLines(j.firmware.console[last]!);
          const mine = board.bootloaderOutput ?? [];
          results.printed = said.join('\n') === mine.join('\n') || `U-Boot ${JSON.stringify(said)} model ${JSON.stringify(mine)}`;
        } else {
          // The uefi model alone: EDK2 ArmVirtQemu's free memory when the stub runs, the stub's
          // placements, the UEFI memory map and the firmware's tables are all the model's; given
          // are only RAM, the command line EDK2 starts the stub with (QEMU's plus `initrd=initrd`),
          // the initrd's size and the kernel file's facts.
          const cmdline = `${appended} initrd=initrd`;
          if (!o.traceFromSeparateBoot && o.commandLine !== undefined) assert.equal(o.commandLine, cmdline, `${what}: EDK2's command line`);
          const facts = UEFI_KERNEL_FILES[j.package ?? ''];
          assert.ok(facts, `${what}: no kernel-file facts for ${j.package}`);
          board = loadBoard(r.dtbBytes, { ...given, platform: 'uefi', bootargs: cmdline, uefi: facts });
        }
        const modelError = board.diagnostics.find((d) => d.severity === 'error');
        if (modelError) for (const ch of CHECKS) results[ch] = `no ${kind} model: ${modelError.message}`;
        else {
          const out = replayCase(r, profile, { board, bootargs });
          results.rmem = out.ok || out.problems.join(' ; ');
          if (o.memblock.length) {
            // The boot whose trace and tables are compared: through EDK2, its own command line
            // (a 32-bit fast boot's lacks memblock=debug, so its kernel printed no table).
            const p = plan(board, { kernel: profile, bootargs: kind === 'uefi' ? `${appended} initrd=initrd` : bootargs });
            const want = observedEarly(r);
            const got = predictedEarly(p);
            results.early = want.join() === got.join() || `kernel ${JSON.stringify(want)} model ${JSON.stringify(got)}`;
            if (kind === 'uefi') {
              // What efi_init made of the UEFI memory map: the memory table after arm64_memblock_init /
              // arm_memblock_init (RAM, the runtime regions and the flash as nomap), and the tables' reservations.
              // mem= keeps the kernel image as memory (memblock_mem_limit_remove_map): its size is the
              // build's, written as `image` like the early check does
              const image = want
                .find((x) => x.endsWith('+image'))
                ?.split(' ')[1]
                ?.replace(/\+image$/, '');
              const memoryRows = (rows: MemblockDumpRow[] | undefined): string[] =>
                (rows ?? []).map((m) => `${hex(m.base)}+${hex(m.base) === image ? 'image' : hex(m.size)}/${m.flags}`);
              // The first table (efi_init's, before reserve_regions) is not the one compared: a boot that
              // died before memblock_dump_all printed only that one, and the model then prints none.
              const tables = (j.firmware.kernelLines[last] ?? []).filter((l) => l.startsWith('MEMBLOCK configuration:')).length;
              const mem = tables > 1 ? memoryRows(o.memblockDump?.memory) : [];
              const memModel = memoryRows(
                parseConsole(
                  '',
                  p.log
                    .filter((l) => l.source === 'memblock_dump_all')
                    .map((l) => l.text)
                    .join('\n'),
                ).memblockDump?.memory,
              );
              results.memory = mem.join() === memModel.join() || `kernel ${mem.join(' ')} model ${memModel.join(' ')}`;
              const efiWant = efiReserves(
                o.memblock.flatMap((e) =>
                  e.base !== undefined && e.size !== undefined ? [{ fn: e.fn, caller: e.caller, base: e.base, size: e.size }] : [],
                ),
              );
              const efiGot = efiReserves(
                p.trace.events.flatMap((e) => {
                  const d = e.detail as { kind?: string; caller?: string; base?: bigint; size?: bigint };
                  return d.kind && d.base !== undefined && d.size !== undefined
                    ? [{ fn: d.kind, caller: d.caller ?? '', base: d.base, size: d.size }]
                    : [];
                }),
              );
              results.efi = efiWant.join() === efiGot.join() || `kernel ${JSON.stringify(efiWant)} model ${JSON.stringify(efiGot)}`;
            }
            const dtb = observedDtb(r, j.firmware);
            const mine = board.placements.dtb;
            const fmt = (base: bigint, end?: bigint): string => `${hex(base)}..${end === undefined ? '?' : hex(end)}`;
            results.dtb =
              typeof dtb === 'string'
                ? dtb
                : mine && mine.base === dtb.base && (dtb.end === undefined || mine.base + mine.size - 1n === dtb.end)
                  ? true
                  : `kernel ${fmt(dtb.base, dtb.end)} model ${mine ? fmt(mine.base, mine.base + mine.size - 1n) : 'none'}`;
          }
        }
        let agree = true;
        for (const ch of CHECKS) {
          const v = results[ch];
          if (v === undefined) continue;
          tally[ch].n++;
          if (v === true) tally[ch].ok++;
          else {
            agree = false;
            (ASSERTED[kind].includes(ch) ? asserted : reported).push(`${what} ram=${BigInt(r.ram) >> 20n}M ${r.bootargs} ${ch}: ${v}`);
          }
        }
        if (agree) all++;
      }
      const s = [...ms].sort((a, b) => a - b);
      const summary =
        `${kind} ${kernel}: ${all}/${recs.length - gaveUp.length} boots agree in every check` +
        (gaveUp.length
          ? ` (${gaveUp.length} more where ${kind} never started the kernel: ${gaveUp.join(', ')}${kind === 'uefi' ? `; ${roomPredicted} of them predicted, no room for the kernel` : ''})`
          : '') +
        '; ' +
        CHECKS.filter((ch) => tally[ch].n > 0)
          .map((ch) => `${ch} ${tally[ch].ok}/${tally[ch].n}${ASSERTED[kind].includes(ch) ? ' (asserted)' : ''}`)
          .join(', ') +
        (kind === 'uefi' ? ' (the uefi model alone: EDK2, the stub, the map and the tables predicted)' : '') +
        (s.length ? `; median boot ${(s[Math.floor(s.length / 2)]! / 1000).toFixed(1)} s (recording machine)` : '');
      t.diagnostic(summary);
      process.stdout.write(`# ${summary}\n`);
      agreed[`${kind} ${kernel}`] = all + roomPredicted;
      const listed = [...asserted, ...reported];
      if (listed.length) process.stdout.write(`# disagreements (first 30 of ${listed.length}):\n# ${listed.slice(0, 30).join('\n# ')}\n`);
      assert.deepEqual(asserted.slice(0, 10), [], `${asserted.length} disagreements on asserted checks`);
    });
  }
}

test('uefi model alone: at least 100 real EDK2 boots agree, on an arm64 and an arm kernel', (t) => {
  if (!recordedKernels(firmwareDataDir('uefi')).length) return t.skip('data/lab/uefi has no records yet');
  const arm64 = agreed['uefi 6.12-arm64'] ?? 0;
  const arm = agreed['uefi 6.12-armmp'] ?? 0;
  assert.ok(arm64 > 0 && arm > 0, `arm64 ${arm64}, arm ${arm}`);
  assert.ok(arm64 + arm >= 100, `only ${arm64 + arm} boots agree (arm64 ${arm64}, arm ${arm})`);
});
