// Console parser tests on real consoles recorded from Debian kernels under QEMU (fixtures/*.log.gz).
// Every expectation is counted from the raw text with independent, simpler means.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  parseConsole,
  parseMemblockEvent,
  parseMemoryLine,
  compactTrace,
  toJsonValue,
  observationFromJson,
  relinkResults,
} from '../../src/verify/observation.js';
import { piecesAt, piecesDifference } from '../../src/verify/verify.js';
import { trimConsole } from '../../src/verify/lab.js';

const fx = (n: string): string =>
  gunzipSync(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', n)))
    .toString('latin1')
    .replace(/\r/g, '');
const textLines = (c: string): string[] => c.split('\n').map((l) => l.replace(/^\[\s*\d+\.\d+\]\s?/, ''));

test('6.12 arm64 full boot: every section parses', () => {
  const con = fx('6.12-arm64-full.log.gz');
  const o = parseConsole('6.12-arm64', con);
  const tl = textLines(con);
  assert.equal(o.reachedInit, true);
  assert.equal(o.completed, true);
  assert.equal(o.panicked, false);
  // memblock trace: one event per `memblock_*: ` debug line.
  assert.equal(o.memblock.length, tl.filter((l) => /^memblock_\w+: (\[|\d+ bytes)/.test(l)).length);
  // reserved-memory messages, in order.
  const rm = tl.filter((l) => /^(OF: reserved mem:|Reserved memory:|cma:)/.test(l));
  assert.deepEqual(
    o.log.filter((l) => ['of-reserved-mem', 'reserved-memory', 'cma'].includes(l.kind)).map((l) => l.text),
    rm,
  );
  assert.ok(rm.length >= 5);
  // the allocation for the dynamic node and its result
  const a = o.memblock.find((e) => e.op === 'alloc' && e.caller.startsWith('fdt_scan_reserved_mem'));
  assert.ok(a);
  assert.equal(a.size, 8n << 20n);
  assert.equal(a.align, 0x400000n);
  assert.equal(a.result, 0x7f800000n);
  // MEMBLOCK configuration dump: as many rows as reserved.cnt says.
  const cnt = /reserved\.cnt\s+= (0x[0-9a-f]+)/.exec(con);
  assert.ok(cnt && o.memblockDump);
  assert.equal(o.memblockDump.reserved.length, Number(cnt[1]));
  assert.equal(o.memblockDump.memory.length, Number(/memory\.cnt\s+= (0x[0-9a-f]+)/.exec(con)![1]));
  // /init sections
  const sect = (name: string): string[] => {
    const s = con.split(`@@carveout:begin ${name}\n`)[1]!.split(`@@carveout:end ${name}`)[0]!;
    return s.split('\n').filter((l) => l.trim());
  };
  assert.equal(o.iomem?.length, sect('iomem').length);
  assert.equal(o.debugfsReserved?.length, sect('memblock-reserved').length);
  assert.equal(o.debugfsMemory?.length, sect('memblock-memory').length);
  assert.equal(o.cmaTotalKiB, BigInt(/CmaTotal:\s+(\d+) kB/.exec(con)![1]!));
  assert.equal(o.dtReservedMemory?.length, sect('reserved-memory').length);
  assert.ok(o.iomem!.some((e) => e.name === 'System RAM' && e.start === 0x40000000n && e.depth === 0));
  assert.equal(o.memoryLine?.cmaReservedKiB, 73728n);
  assert.match(o.commandLine ?? '', /memblock=debug/);
});

test('6.1 arm64: failure message under OF: fdt and unknown parameter', () => {
  const o = parseConsole('6.1-arm64', fx('6.1-arm64-full.log.gz'));
  assert.ok(o.log.some((l) => l.kind === 'of-fdt' && /failed to reserve memory for node 'st@48000000'/.test(l.text)));
  assert.deepEqual(o.unknownParams, ['nokaslr']);
  assert.equal(o.completed, true);
});

test('32-bit armmp: 8-digit %pa, trace boot stops after the dump, init boot has no trace', () => {
  const t = parseConsole('6.1-armmp', fx('6.1-armmp-trace.log.gz'));
  assert.equal(t.reachedInit, false);
  assert.equal(t.memblock.length, 6);
  assert.deepEqual(
    t.memblock.map((e) => e.op),
    ['reserve', 'reserve', 'reserve', 'alloc', 'reserve', 'reserve'],
  );
  assert.equal(t.memblock[3]!.result, 0x7f800000n);
  assert.equal(t.memblockDump?.memory.length, 3);
  assert.equal(t.memblockDump!.memory[1]!.flags, 4); // MEMBLOCK_NOMAP
  assert.equal(t.memblockDump?.reserved.length, 4);
  const i = parseConsole('6.1-armmp', fx('6.1-armmp-init.log.gz'));
  assert.equal(i.completed, true);
  assert.equal(i.memblock.length, 0);
  assert.equal(i.memoryLine?.highmemKiB, 237568n);
  const l = parseConsole('6.12-armmp-lpae', fx('6.12-armmp-lpae-trace.log.gz'));
  assert.ok(l.log.some((x) => x.text === 'OF: reserved mem: 0x000000007f800000..0x000000007fffffff (8192 KiB) map reusable dyn'));
});

test('memblock line formats', () => {
  assert.deepEqual(
    parseMemblockEvent(
      'memblock_alloc_try_nid: 64 bytes align=0x40 nid=-1 from=0x0000000000000000 max_addr=0x0000000000000000 alloc_bootmem_cpumask_var+0x3c/0x78',
    ),
    {
      fn: 'memblock_alloc_try_nid',
      op: 'alloc',
      size: 64n,
      align: 0x40n,
      from: 0n,
      maxAddr: 0n,
      caller: 'alloc_bootmem_cpumask_var+0x3c/0x78',
      result: null,
      nid: -1,
    },
  );
  const r = parseMemblockEvent('memblock_remove: [0x0010000000000000-0x000ffffffffffffe] arm64_memblock_init+0x70/0x340');
  assert.equal(r?.op, 'remove');
  assert.equal(r?.size, (1n << 64n) - 1n); // wraps like the kernel's phys_addr_t
  assert.equal(
    parseMemblockEvent('memblock_add_node: [0x40000000-0x7fffffff] nid=0 flags=0 early_init_dt_add_memory_arch+0x1/0x2')?.nid,
    0,
  );
  assert.equal(parseMemblockEvent('Memory: 1K/2K available'), undefined);
  assert.deepEqual(parseMemoryLine('Memory: 10K/20K available (1K kernel code, 5K reserved, 4K cma-reserved)'), {
    availableKiB: 10n,
    totalKiB: 20n,
    reservedKiB: 5n,
    cmaReservedKiB: 4n,
  });
});

test('compactTrace keeps order and reserved bytes; JSON round trip', () => {
  const o = parseConsole('6.12-arm64', fx('6.12-arm64-full.log.gz'));
  const c = compactTrace(o.memblock);
  assert.ok(c.length < o.memblock.length / 5);
  const bytes = (es: typeof c): bigint => es.filter((e) => e.op === 'reserve').reduce((s, e) => s + e.size!, 0n);
  assert.equal(bytes(c), bytes(o.memblock));
  const allocs = (es: typeof c): number => es.filter((e) => e.op === 'alloc').reduce((s, e) => s + (e.count ?? 1), 0);
  assert.equal(allocs(c), allocs(o.memblock));
  const back = observationFromJson(JSON.parse(JSON.stringify(toJsonValue({ ...o, memblock: c }))));
  assert.deepEqual(back, { ...o, memblock: c });
});

test('a failed allocation is not paired with the next, unrelated reservation', () => {
  const con = [
    '[    0.000000] memblock_phys_alloc_range: 8388608 bytes align=0x400000 from=0x0000000000000000 max_addr=0xffffffffffffffff fdt_scan_reserved_mem+0x660/0x848',
    "[    0.000000] OF: reserved mem: failed to allocate memory for node 'pool': size 8 MiB",
    '[    0.000000] memblock_reserve: [0x000000007a200000-0x000000007e1fffff] memblock_alloc_range_nid+0x12c/0x1c8',
    '[    0.000000] cma: Reserved 64 MiB at 0x000000007a200000 on node -1',
    '[    0.000000] memblock_phys_alloc_range: 4096 bytes align=0x1000 from=0x0000000000000000 max_addr=0x0000000000000001 early_pgtable_alloc+0x28/0x50',
    '[    0.000000] memblock_reserve: [0x000000007f7ff000-0x000000007f7fffff] memblock_alloc_range_nid+0x12c/0x1c8',
  ].join('\n');
  const o = parseConsole('6.12-arm64', con);
  assert.equal(o.memblock[0]!.result, null);
  assert.equal(o.memblock[2]!.result, 0x7f7ff000n);
  const stale = o.memblock.map((e) => ({ ...e }));
  stale[0]!.result = 0x7a200000n; // as records made before the fix had it
  assert.equal(relinkResults(stale)[0]!.result, null);
});

test('a console registered later replays the log buffer: replayed lines are skipped', () => {
  const once = [
    '[    0.000000] memblock_reserve: [0x40300000-0x41607587] arm_memblock_init+0x30/0x74',
    '[    0.000000] cma: Reserved 16 MiB at 0xfe800000',
    '[    0.000000] Kernel command line: console=ttyAMA0 console=ttyS0,115200',
    '[    0.012000] Memory: 3014836K/3145724K available (11264K kernel code, 16384K cma-reserved)',
  ];
  const con = [...once, '[    0.500000] printk: console [ttyAMA0] enabled', ...once, '[    0.600000] Run /init as init process'].join('\n');
  const o = parseConsole('6.1-armmp', con);
  assert.deepEqual(
    o.log.map((l) => l.kind),
    ['cma', 'cmdline', 'memory'],
  );
  assert.equal(o.memblock.length, 1);
  assert.equal(o.replayedLines, 4); // all four lines came back stamped before 0.5 s
});

test('a printk with "\\n" inside: the line after OVERLAP DETECTED! is kept, marked as its continuation', () => {
  // 6.12.118 arm64 booting fixtures/6.12-arm64-overlap.dts (two static regions that overlap) under QEMU virt
  const con = fx('6.12-arm64-overlap.log.gz');
  const o = parseConsole('6.12-arm64', con);
  assert.equal(o.continuations, true);
  const raw = textLines(con);
  const at = raw.indexOf('OF: reserved mem: OVERLAP DETECTED!');
  assert.ok(at > 0);
  const i = o.log.findIndex((l) => l.text === 'OF: reserved mem: OVERLAP DETECTED!');
  assert.deepEqual(o.log[i + 1], { kind: 'of-reserved-mem', text: raw[at + 1], time: 0, continued: true });
  assert.equal(o.log.filter((l) => l.continued).length, 1);
});

test("a console that lost messages (6.12 PREEMPT_RT, memblock=debug): the gap is kept, the log after it is the kernel's later part", () => {
  // Debian's 6.12 rt-arm64 build under QEMU (a lab case, seed 43 #7: 3 GiB in four NUMA nodes, 61
  // carve-outs): its legacy console prints from a thread that starts late, and memblock=debug's
  // early lines overflow the ring buffer before it does
  const con = (JSON.parse(fx('6.12-rt-arm64-gaps.record.json.gz')) as { observation: { console: string } }).observation.console.replace(
    /\r/g,
    '',
  );
  const o = parseConsole('rt', con);
  const marker = /^\*\* (\d+) printk messages dropped \*\*$/m.exec(con)!;
  assert.equal(con.indexOf(marker[0]), 0, 'the console starts with the marker');
  assert.deepEqual(o.gaps, [{ messages: Number(marker[1]), log: 0, memblock: 0 }]);
  // what follows is parsed as ever: the reserved-memory lines the console kept
  const kept = textLines(con).filter((t) => t.startsWith('OF: reserved mem: 0x'));
  assert.ok(kept.length > 0);
  assert.deepEqual(
    o.log.filter((l) => l.text.startsWith('OF: reserved mem: 0x')).map((l) => l.text),
    kept,
  );
  // a JSON round trip keeps the gaps (records store them)
  assert.deepEqual(observationFromJson(JSON.parse(JSON.stringify(toJsonValue(o)))).gaps, o.gaps);
  // and a console without the marker has none
  const full = fx('6.1-arm64-full.log.gz');
  assert.equal(parseConsole('6.1-arm64', full).gaps, undefined);
  // lines a record's keeper left out (lab.ts trimConsole) are a gap too, marked as a cut
  const lines = full.replace(/\r/g, '').split('\n');
  const trimmed = parseConsole('6.1-arm64', trimConsole(full));
  assert.deepEqual(trimmed.gaps, [{ messages: lines.length - 80, log: 0, memblock: 0, cut: true }]);
  assert.equal(trimmed.linuxVersion, undefined);
});

test('piecesDifference: the pieces a console kept around its gaps against the plan, in order, the last at the end', () => {
  const plan = ['a', 'b', 'c', 'd', 'e', 'f'];
  const diff = (pieces: string[][], prefix = false) => {
    const d: string[] = [];
    piecesDifference('log line', pieces, plan, d, prefix);
    return d;
  };
  assert.deepEqual(diff([plan]), []);
  assert.deepEqual(diff([[], ['e', 'f']]), [], 'lost at the start: the tail');
  assert.deepEqual(diff([['a', 'b'], ['d'], ['f']]), [], 'two gaps');
  assert.deepEqual(diff([['a'], ['c', 'd']], true), [], 'a log that stops early need not reach the end');
  assert.match(diff([[], ['d', 'e']])[0]!, /observed "d" and 1 more, which are not the last lines the plan predicts/);
  assert.match(diff([['a'], ['x'], ['f']])[0]!, /observed "x" and 0 more, which do not follow in the plan's lines after "a"/);
  assert.match(diff([['a', 'x'], ['f']])[0]!, /^log line 2: observed "x", predicted "b"$/);
  assert.match(diff([['a', 'c']])[0]!, /^log line 2: observed "c", predicted "b"$/);
  assert.deepEqual(piecesAt([1, 2, 3, 4], [0, 2]), [[], [1, 2], [3, 4]]);
});
