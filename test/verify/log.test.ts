// `verify --log`: a boot log as the judge. Every lab record is a real boot of a Debian kernel
// under QEMU; data/lab keeps what the parser read from its console (messages in order with their
// printk times, the memblock=debug trace, the memblock dump), not the console itself for most
// records. The console is rebuilt here from those parts in the kernel's own formats (the trace and
// the dump go where memblock_dump_all printed them), then read back through verifyLog against the
// record's own DTB and placement: with timestamps, without them, and without the memblock=debug
// lines. The few records that keep their raw console are checked on it as captured.
import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { regionBoard } from '../helpers/board.js';
import assert from 'node:assert/strict';
import { readLabRecords, recordBoard, recordedKernels, type LabRecord } from '../../src/verify/records.js';
import { normalizeBootLog, profileForRelease, verifyLog } from '../../src/verify/log.js';
import { hasCutMarker, isUnprefixedPhaseLine, type MemblockDumpRow, type MemblockTraceLine } from '../../src/verify/observation.js';
import { resolveProfile } from '../../src/kernel/plan.js';

const pa = (x: bigint, bits: number) => `0x${x.toString(16).padStart(bits / 4, '0')}`;

/** memblock=debug lines of one stored trace event (compacted runs expanded back to one line per block). */
function traceLines(e: MemblockTraceLine, bits: number): string[] {
  const n = e.count ?? 1;
  const first = e.result ?? e.base ?? 0n;
  const step = n > 1 && e.lastResult !== undefined ? (e.lastResult - first) / BigInt(n - 1) : 0n;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (e.op === 'alloc' || e.align !== undefined) {
      const nid = e.nid !== undefined ? ` nid=${e.nid}` : '';
      out.push(
        `${e.fn}: ${e.size} bytes align=0x${(e.align ?? 0n).toString(16)}${nid} from=${pa(e.from ?? 0n, bits)} max_addr=${pa(e.maxAddr ?? 0n, bits)} ${e.caller}`,
      );
    } else {
      const size = n > 1 ? (e.size ?? 0n) / BigInt(n) : (e.size ?? 0n);
      const base = n > 1 ? first + step * BigInt(i) : (e.base ?? 0n);
      const end = n > 1 ? base + size - 1n : (e.end ?? base + size - 1n);
      const nf = e.fn === 'memblock_add_node' ? ` nid=${e.nid ?? 0} flags=${(e.flags ?? 0).toString(16)}` : '';
      out.push(`${e.fn}: [${pa(base, bits)}-${pa(end, bits)}]${nf} ${e.caller}`);
    }
  }
  return out;
}

function dumpLines(d: { memory: MemblockDumpRow[]; reserved: MemblockDumpRow[] }, bits: number): string[] {
  const sum = (rows: MemblockDumpRow[]) => rows.reduce((a, r) => a + r.size, 0n);
  const rows = (name: string, list: MemblockDumpRow[]) => [
    ` ${name}.cnt  = 0x${list.length.toString(16)}`,
    ...list.map(
      (r, i) =>
        ` ${name}[0x${i.toString(16)}]\t[${pa(r.base, bits)}-${pa(r.end, bits)}], ${pa(r.size, bits)} bytes${r.nid !== undefined ? ` on node ${r.nid}` : ''} flags: 0x${(r.flags ?? 0).toString(16)}`,
    ),
  ];
  return [
    ` memory size = ${pa(sum(d.memory), bits)} reserved size = ${pa(sum(d.reserved), bits)}`,
    ...rows('memory', d.memory),
    ...rows('reserved', d.reserved),
  ];
}

/** The record's console rebuilt from its observation. */
function rebuiltConsole(r: LabRecord, o: { timestamps: boolean; memblockDebug: boolean }): string {
  const obs = r.observation;
  const bits = resolveProfile(r.kernel)!.physAddrBits;
  const out: string[] = [];
  let time = 0;
  const put = (text: string, t = time) => {
    time = t;
    out.push(o.timestamps ? `[${t.toFixed(6).padStart(12)}] ${text}` : text);
  };
  if (obs.linuxVersion) put(obs.linuxVersion, 0);
  let traced = false;
  const trace = () => {
    if (traced || !o.memblockDebug) return;
    traced = true;
    for (const e of obs.memblock) for (const l of traceLines(e, bits)) put(l);
  };
  for (const l of obs.log) {
    if (l.kind === 'memblock-dump') {
      trace();
      if (!o.memblockDebug || !obs.memblockDump) continue;
      put(l.text, l.time ?? time);
      for (const d of dumpLines(obs.memblockDump, bits)) put(d);
      continue;
    }
    if (l.kind === 'memory') trace();
    put(l.text, l.time ?? time);
  }
  trace();
  if (obs.panicMessage) put(obs.panicMessage);
  return out.join('\n') + '\n';
}

function boardOf(r: LabRecord) {
  return recordBoard(r, resolveProfile(r.kernel)!.arch);
}

/** A board with a static no-map region and a dynamic CMA pool, its memory's size given by --memory. */
const fwAndPoolBoard = (): string =>
  regionBoard(
    `fw@80000000 { reg = <0 0x80000000 0 0x400000>; no-map; };
    pool { compatible = "shared-dma-pool"; size = <0 0x800000>; reusable; };`,
    'memory@80000000 { device_type = "memory"; reg = <0 0x80000000 0 0>; };',
  );

const variants = [
  { name: 'timestamps + memblock=debug', timestamps: true, memblockDebug: true },
  { name: 'no timestamps', timestamps: false, memblockDebug: true },
  { name: 'no memblock=debug lines', timestamps: true, memblockDebug: false },
];

test('verify --log agrees with every lab record on its own console, three ways', () => {
  const kernels = recordedKernels();
  assert.ok(kernels.length > 0);
  const failures: string[] = [];
  let checked = 0;
  let crashed = 0;
  let unrebuildable = 0;
  let unprefixedUnrecorded = 0;
  for (const k of kernels) {
    for (const r of readLabRecords(k)) {
      // The kernel prints the overlapping pair on the line after 'OVERLAP DETECTED!' (of_reserved_mem.c
      // __rmem_check_for_overlap); records made before the parser kept that line cannot give it
      // back, and the parser reads the next line as it: those consoles cannot be rebuilt.
      const overlap = r.observation.log.findIndex((l) => /OVERLAP DETECTED!$/.test(l.text));
      if (overlap >= 0 && !r.observation.log[overlap + 1]?.text.includes('overlaps with')) {
        unrebuildable++;
        continue;
      }
      const board = boardOf(r);
      for (const v of variants) {
        // 32-bit kernels booted with memblock=debug stop printing before `Kernel command line:`
        // (src/verify/README.md): for those logs the command line is given, as a user would.
        // Records that did not keep the `Linux version` line: the kernel is given, as a user would.
        const given = {
          ...(!r.observation.log.some((l) => l.kind === 'cmdline') ? { bootargs: r.append } : {}),
          ...(r.observation.linuxVersion === undefined ? { kernel: r.kernel } : {}),
        };
        const res = verifyLog(board, rebuiltConsole(r, v), { logName: `${r.kernel}/${r.caseId}`, ...given });
        // Records parsed before the console parser kept the phase's unprefixed messages
        // (Observation.unprefixed) cannot give back a line the plan predicts there.
        if (!r.observation.unprefixed && res.prediction?.log.some(isUnprefixedPhaseLine)) {
          unprefixedUnrecorded++;
          continue;
        }
        checked++;
        // the kernel build comes from the log's own Linux version line, the command line from its own
        if (res.profile !== r.kernel) failures.push(`${r.kernel}/${r.caseId} [${v.name}]: profile ${res.profile ?? '-'}`);
        if (res.append !== r.append && r.observation.log.length > 0)
          failures.push(`${r.kernel}/${r.caseId} [${v.name}]: command line ${res.append}`);
        const empty = r.observation.log.length === 0 && (r.observation.memblock.length === 0 || !v.memblockDebug);
        if (empty) {
          // a boot that printed nothing about memory (hung before): nothing to judge, exit 2
          if (res.exitCode !== 2 || !res.diagnostics.some((d) => d.code === 'empty-log'))
            failures.push(`${r.kernel}/${r.caseId} [${v.name}]: an empty log is exit 2 empty-log, got ${res.exitCode}`);
        } else if (r.observation.panicked) {
          crashed++;
          if (res.exitCode !== 2 || !res.diagnostics.some((d) => d.code === 'boot-failed'))
            failures.push(`${r.kernel}/${r.caseId} [${v.name}]: a panicked boot is exit 2 boot-failed, got ${res.exitCode}`);
        } else if (res.exitCode !== 0)
          failures.push(
            `${r.kernel}/${r.caseId} [${v.name}]: exit ${res.exitCode}: ${[...res.differences, ...res.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)].join('; ')}`,
          );
      }
    }
  }
  if (process.env.LOG_FAILURES) writeFileSync(process.env.LOG_FAILURES, failures.join('\n'));
  assert.deepEqual(failures.slice(0, 20), [], `${failures.length} of ${checked} failed`);
  assert.ok(
    checked >= 3 * 1500,
    `${checked} logs checked (${crashed} of panicked boots, ${unrebuildable} records without the overlap line, ${unprefixedUnrecorded} logs whose record predates the unprefixed lines)`,
  );
});

// The records that keep their raw console are the boots that died or hung (the lab keeps the
// console to show why): read as captured, they are a failed boot or nothing to judge, never a pass.
test('records that keep their raw console: verify --log on the console as captured', () => {
  let n = 0;
  let judged = 0;
  let headCut = 0;
  for (const k of recordedKernels()) {
    for (const r of readLabRecords(k)) {
      if (!r.observation.console) continue;
      // a console cut before 'Kernel command line:' is planned with the tree's bootargs unless told
      // (--bootargs): the lab gave QEMU the command line, the tree has none
      const res = verifyLog(boardOf(r), r.observation.console, { kernel: r.kernel, bootargs: r.append });
      n++;
      assert.equal(res.profile, r.kernel);
      // a stored console may be only the tail of the boot (the records trim it): nothing to judge is exit 2
      if (res.diagnostics.some((d) => d.code === 'empty-log')) assert.equal(res.exitCode, 2);
      else if (r.observation.panicked) assert.ok(res.exitCode === 2 && res.diagnostics.some((d) => d.code === 'boot-failed'));
      // one whose head the lab trimmed (trimConsole's '[... N lines ...]': a boot kept for its
      // timeout, its memory phase partly cut away) is compared as the end of the plan's lines
      else if (!r.observation.panicked && r.observation.reachedInit && ++judged) {
        assert.equal(res.exitCode, 0, `${r.kernel}/${r.caseId}: ${res.differences.join('; ')}`);
        if (hasCutMarker(r.observation.console, true)) headCut++;
      }
    }
  }
  assert.ok(n > 0 && headCut > 0, `${judged} of ${n} raw consoles judged, ${headCut} of them without their head`);
});

test('a log names its kernel; a wrong --kernel is reported; prefixes of dmesg -r and journalctl are read', () => {
  assert.equal(profileForRelease('6.12.95+deb12-arm64'), '6.12-arm64');
  assert.equal(profileForRelease('6.12.95+deb12-arm64-16k'), '6.12-arm64-16k');
  assert.equal(profileForRelease('6.1.0-27-armmp-lpae'), '6.1-armmp-lpae');
  assert.equal(profileForRelease('6.1.0-27-armmp'), '6.1-armmp');
  assert.equal(profileForRelease('6.6.0-rc1-custom'), undefined);
  assert.equal(
    normalizeBootLog('<6>[    0.000000] OF: reserved mem: x\nDec  4 20:00:01 board kernel: [    0.1] cma: y\nkernel: Memory: z'),
    '[    0.000000] OF: reserved mem: x\n[    0.1] cma: y\nMemory: z',
  );
  const r = readLabRecords('6.12-arm64').find((x) => !x.observation.panicked)!;
  const log = rebuiltConsole(r, { timestamps: true, memblockDebug: true });
  const wrong = verifyLog(boardOf(r), log, { kernel: '6.1-arm64' });
  assert.ok(wrong.diagnostics.some((d) => d.code === 'kernel-mismatch' && /6\.12-arm64.*--kernel says 6\.1-arm64/.test(d.message)));
  const noVersion = verifyLog(boardOf(r), log.split('\n').slice(1).join('\n'));
  assert.equal(noVersion.exitCode, 2);
  assert.match(noVersion.diagnostics.find((d) => d.code === 'unknown-kernel')?.hint ?? '', /--kernel ID/);
  // a log whose command line differs from the plan's changes the prediction: cma=0 vs the record's
  const other = verifyLog(boardOf(r), log.replace(/Kernel command line: (.*)/, 'Kernel command line: $1 cma=7M'));
  assert.match(other.append ?? '', /cma=7M$/);
});

test('CLI: verify board.dts --log FILE|- with the board flags; a difference is exit 1; a contradicting --kernel is a warning', () => {
  const file = fwAndPoolBoard();
  const dir = dirname(file);
  // The board's log as 6.12 prints it: fdt_scan_reserved_mem sets up the dynamic regions first
  // (rmem_cma_setup's line, then fdt_init_reserved_mem_node's two), the static ones after.
  const log = `[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x410fd034]
[    0.000000] Linux version 6.12.95+deb12-arm64 (debian-kernel@lists.debian.org) #1 SMP Debian 6.12.95-1~bpo12+1
[    0.000000] Reserved memory: created CMA memory pool at 0x00000000bf800000, size 8 MiB
[    0.000000] OF: reserved mem: initialized node pool, compatible id shared-dma-pool
[    0.000000] OF: reserved mem: 0x00000000bf800000..0x00000000bfffffff (8192 KiB) map reusable pool
[    0.000000] OF: reserved mem: 0x0000000080000000..0x00000000803fffff (4096 KiB) nomap non-reusable fw@80000000
[    0.000000] Kernel command line: console=ttyS0 cma=0
[    0.123456] Memory: 900000K/1048576K available (15552K kernel code, 3826K rwdata, 13928K rodata, 9664K init, 941K bss, 60000K reserved, 8192K cma-reserved)
`;
  const logFile = join(dir, 'dmesg.txt');
  writeFileSync(logFile, log);
  const ok = runCli(['verify', file, '--log', logFile, '--memory', '0x80000000+1G', '--format', 'json']);
  const j = JSON.parse(ok.stdout);
  assert.equal(j.log.profile, '6.12-arm64');
  assert.equal(j.append, 'console=ttyS0 cma=0');
  assert.equal(j.regions.find((r: { name: string }) => r.name === 'pool').base, '0xbf800000');
  assert.equal(ok.status, 0, ok.stdout);
  const viaStdin = runCli(['verify', file, '--log', '-', '--memory', '0x80000000+1G'], { input: log });
  assert.equal(viaStdin.status, ok.status);
  // a console kept gzipped reads as itself; a cut gzip file is a clear error
  const gz = gzipSync(log);
  writeFileSync(`${logFile}.gz`, gz);
  assert.equal(runCli(['verify', file, '--log', `${logFile}.gz`, '--memory', '0x80000000+1G']).status, 0);
  writeFileSync(`${logFile}.cut.gz`, gz.subarray(0, gz.length - 12));
  const cut = runCli(['verify', file, '--log', `${logFile}.cut.gz`, '--memory', '0x80000000+1G']);
  assert.equal(cut.status, 2);
  assert.match(cut.stderr, /is not a whole gzip file/);
  assert.match(viaStdin.stdout, /against the boot log <stdin> \(Linux 6\.12\.95\+deb12-arm64\), planned with 6\.12-arm64/);
  const moved = runCli(['verify', file, '--log', '-', '--memory', '0x80000000+1G'], {
    input: log.replaceAll('bf800000', 'bf000000').replace('bfffffff', 'bf7fffff'),
  });
  assert.equal(moved.status, 1);
  assert.match(moved.stdout, /pool: base 0xbf000000 observed, 0xbf800000 predicted/);
  // The same result through diff's view: regions matched by node, the log as a line diff.
  assert.match(moved.stdout, /^~ pool +moved: 0x00000000bf800000 8 MiB ok → 0x00000000bf000000 8 MiB ok$/m);
  assert.match(moved.stdout, /^-OF: reserved mem: 0x00000000bf800000\.\.0x00000000bfffffff \(8192 KiB\) map reusable pool$/m);
  assert.match(moved.stdout, /^\+OF: reserved mem: 0x00000000bf000000\.\.0x00000000bf7fffff \(8192 KiB\) map reusable pool$/m);
  assert.equal(j.diff.same, true);
  assert.deepEqual(j.diff.regions, []);
  const wrong = runCli(['verify', file, '--log', logFile, '--memory', '0x80000000+1G', '--kernel', '6.1-arm64']);
  assert.match(wrong.stderr, /warning: .*is from Linux 6\.12\.95\+deb12-arm64 \(6\.12-arm64\), --kernel says 6\.1-arm64/);
  const noMem = runCli(['verify', file, '--log', logFile]);
  assert.equal(noMem.status, 2);
  assert.match(noMem.stderr, /memory@80000000 has size 0/);
  assert.equal(runCli(['verify', file, '--log', join(dir, 'missing.txt')]).status, 2);
  // the QEMU path (direct, or through U-Boot / EDK2) places RAM, kernel, DTB and initrd itself
  for (const flags of [
    ['--memory', '0x80000000+1G'],
    ['--boot', 'uefi', '--memory', '0x80000000+1G'],
    ['--kernel-at', '0x80200000'],
  ]) {
    const r = runCli(['verify', file, '--kernel', '6.12-arm64', ...flags]);
    assert.equal(r.status, 2, flags.join(' '));
    assert.match(r.stderr, /(go|goes) with --log/);
  }
});

test("verify --log compares the command line's own lines: crashkernel= and a malformed early option", () => {
  const r = readLabRecords('6.12-arm64').find(
    (x) => x.observation.reachedInit && x.observation.log.some((l) => /^crashkernel reserved: /.test(l.text)),
  )!;
  assert.ok(r, 'a 6.12-arm64 record that reserved crashkernel');
  const log = rebuiltConsole(r, { timestamps: true, memblockDebug: true });
  assert.equal(verifyLog(boardOf(r), log).exitCode, 0);
  // the kernel put the crash kernel elsewhere than the plan says: a difference, exit 1
  const moved = verifyLog(boardOf(r), log.replace(/crashkernel reserved: 0x[0-9a-f]+/, 'crashkernel reserved: 0x0000000012345000'));
  assert.equal(moved.exitCode, 1);
  assert.match(moved.differences.join('\n'), /^command-line line 1: observed "crashkernel reserved: 0x0000000012345000 - /m);
  // a bare `numa` on a NUMA build: arm64's early_numa returns -EINVAL and do_early_param prints it
  const withNuma = log.replace(/Kernel command line: (.*)/, 'Kernel command line: $1 numa');
  const missing = verifyLog(boardOf(r), withNuma);
  assert.match(
    missing.differences.join('\n'),
    /^command-line line 1: observed "crashkernel reserved: [^"]*", predicted "Malformed early option 'numa'"$/m,
  );
  const printed = withNuma.replace(/^(\[[ .0-9]+\] )(Linux version .*)$/m, "$1$2\n$1Malformed early option 'numa'");
  assert.deepEqual(verifyLog(boardOf(r), printed).differences, []);
});

test('verify --log compares which words the kernel passes to init where the profile read its built-in parameters', () => {
  const r = readLabRecords('6.12-arm64').find((x) => x.observation.reachedInit && x.observation.unknownParams.length === 0)!;
  assert.ok(r, 'a 6.12-arm64 record that passed no word to init');
  const log = rebuiltConsole(r, { timestamps: true, memblockDebug: true });
  assert.equal(verifyLog(boardOf(r), log).exitCode, 0);
  // clk_ignore_unused is a __setup of drivers/clk/clk.c built into Debian's arm64 kernels:
  // the kernel keeps it; a word nothing registers goes to init, and print_unknown_bootoptions says so
  const withWords = log.replace(/Kernel command line: (.*)/, 'Kernel command line: $1 clk_ignore_unused no_such_word');
  const unsaid = verifyLog(boardOf(r), withWords);
  assert.match(
    unsaid.differences.join('\n'),
    /^command-line line \d+: observed "\(none\)", predicted "Unknown kernel command line parameters \\"no_such_word\\", will be passed to user space\."$/m,
  );
  // print_unknown_bootoptions follows start_kernel's "Kernel command line:"
  const said = withWords.replace(
    /^(\[[ .0-9]+\] )(Kernel command line: .*)$/m,
    '$1$2\n$1Unknown kernel command line parameters "no_such_word", will be passed to user space.',
  );
  assert.deepEqual(verifyLog(boardOf(r), said).differences, []);
});

test("a log of another upload than the built-in build: data/lab's facts of that package, else the layer at the log's release and a warning", () => {
  const r = readLabRecords('6.12-arm64').find((x) => / 6\.12\.118-/.test(x.package) && x.observation.linuxVersion !== undefined);
  assert.ok(r, 'data/lab holds a 6.12.118 boot of 6.12-arm64');
  const log = rebuiltConsole(r, { timestamps: true, memblockDebug: true });
  assert.match(log, /^\[\s*[\d.]+\] Linux version 6\.12\.118\+deb12-arm64 /);
  const stored = verifyLog(boardOf(r), log);
  assert.equal(stored.profile, '6.12-arm64');
  assert.ok(stored.notes.some((n) => n.includes('data/lab stores of linux-image-6.12.118+deb12-arm64-unsigned')));
  assert.deepEqual(stored.differences, []);
  // an upload data/lab has no facts of: the built-in build's facts, the 6.12 layer at 6.12.200
  const later = verifyLog(boardOf(r), log.replace('Linux version 6.12.118+deb12-arm64', 'Linux version 6.12.200+deb12-arm64'));
  const w = later.diagnostics.find((d) => d.code === 'release-not-stored');
  assert.ok(w, later.diagnostics.map((d) => d.code).join(', '));
  assert.match(
    w.message,
    /built-in build is 6\.12\.95\+deb12-arm64: .*6\.12 layer at 6\.12\.200\+deb12-arm64 \(point releases 6\.12\.103, 6\.12\.117 applied\)/,
  );
  // the built-in upload itself: neither
  const builtin = readLabRecords('6.12-arm64').find((x) => / 6\.12\.95-/.test(x.package) && x.observation.linuxVersion !== undefined)!;
  const own = verifyLog(boardOf(builtin), rebuiltConsole(builtin, { timestamps: true, memblockDebug: true }));
  assert.ok(!own.diagnostics.some((d) => d.code === 'release-not-stored'));
  assert.ok(!own.notes.some((n) => n.includes('data/lab stores of')));
});

// dmesg on a board that has been up a while has lost its first lines (the ring buffer wrapped):
// what is left is the end of the boot's log, judged as the end of the plan's lines.
test('a log that does not start at boot is compared as the end of what the plan predicts', () => {
  let cuts = 0;
  let caught = 0;
  for (const k of recordedKernels()) {
    const records = readLabRecords(k).filter(
      (r) =>
        r.observation.linuxVersion !== undefined &&
        r.observation.reachedInit &&
        !r.observation.panicked &&
        r.observation.unprefixed &&
        r.observation.log.some((l) => l.kind === 'cmdline') &&
        r.observation.log.filter((l) => l.kind === 'of-reserved-mem').length >= 3,
    );
    for (const r of records.slice(0, 6)) {
      const board = boardOf(r);
      const whole = rebuiltConsole(r, { timestamps: true, memblockDebug: false });
      const full = verifyLog(board, whole);
      // without its `Linux version` line the log cannot say which upload it is: --kernel's build
      if (full.exitCode !== 0 || full.notes.some((n) => /data\/lab stores/.test(n)) || full.diagnostics.length) continue;
      const lines = whole.split('\n');
      // cut where a message starts: before the second reserved-memory line, and after the phase
      const rmem = lines.findIndex((l, i) => i > lines.findIndex((x) => /OF: reserved mem:/.test(x)) && /OF: reserved mem:/.test(l));
      const memory = lines.findIndex((l) => /\] Memory: /.test(l));
      for (const at of [rmem, memory]) {
        const tail = lines.slice(at).join('\n');
        const res = verifyLog(board, tail, { kernel: r.kernel, bootargs: r.append, logName: `${k}/${r.caseId}` });
        cuts++;
        assert.equal(res.exitCode, 0, `${k}/${r.caseId} cut at line ${at}: ${res.differences.join('; ')}`);
        assert.ok(res.notes.some((n) => /does not start at boot/.test(n)));
      }
      // a line of the tail that is not the plan's is still a difference
      const changed = lines
        .slice(rmem)
        .join('\n')
        .replace(/(OF: reserved mem: .*)/, '$1 (changed)');
      const bad = verifyLog(board, changed, { kernel: r.kernel, bootargs: r.append });
      assert.equal(bad.exitCode, 1, `${k}/${r.caseId}: a changed line in the tail`);
      caught++;
    }
  }
  assert.ok(cuts >= 14 * 2 * 3 && caught >= 14 * 3, `${cuts} cut logs, ${caught} changed`);
});

test('CLI: a log without its head needs --kernel and is compared as a tail', () => {
  const file = fwAndPoolBoard();
  const flags = ['--memory', '0x80000000+1G', '--bootargs', 'console=ttyS0 cma=0'];
  const tail = `[    0.000000] OF: reserved mem: initialized node pool, compatible id shared-dma-pool
[    0.000000] OF: reserved mem: 0x00000000bf800000..0x00000000bfffffff (8192 KiB) map reusable pool
[    0.000000] OF: reserved mem: 0x0000000080000000..0x00000000803fffff (4096 KiB) nomap non-reusable fw@80000000
`;
  const noKernel = runCli(['verify', file, '--log', '-', ...flags], { input: tail });
  assert.equal(noKernel.status, 2);
  assert.match(noKernel.stderr, /no 'Linux version' line/);
  const ok = runCli(['verify', file, '--log', '-', '--kernel', '6.12-arm64', ...flags], { input: tail });
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /does not start at boot .*compared as the end of what the plan predicts/);
  // a line of it that is not the plan's: a difference
  const bad = runCli(['verify', file, '--log', '-', '--kernel', '6.12-arm64', ...flags], {
    input: tail.replace('0x00000000bf800000..0x00000000bfffffff', '0x00000000bf000000..0x00000000bf7fffff'),
  });
  assert.equal(bad.status, 1, bad.stdout);
});
