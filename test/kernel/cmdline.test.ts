// Command-line parsing, each case from lib/cmdline.c, kernel/params.c, kernel/dma/contiguous.c,
// mm/memblock.c (reserve_mem) and kernel/crash_reserve.c.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  memparse,
  simpleStrtoull,
  getOption,
  parseSize,
  splitArgs,
  parameq,
  parseCmdline,
  parseReserveMem,
  parseCrashkernel,
  declareEarlyParam,
  isEarlyParam,
  type ParseCmdlineOptions,
} from '../../src/kernel/cmdline.js';
import { getProfile } from '../../src/kernel/profiles/index.js';

const M = 1n << 20n;

test('memparse: suffixes K M G T P E in either case, radix prefixes', () => {
  assert.equal(memparse('64M').value, 64n * M);
  assert.equal(memparse('64m').value, 64n * M);
  assert.equal(memparse('1G').value, 1n << 30n);
  assert.equal(memparse('2T').value, 2n << 40n);
  assert.equal(memparse('1P').value, 1n << 50n);
  assert.equal(memparse('1E').value, 1n << 60n);
  assert.equal(memparse('4k').value, 4096n);
  assert.equal(memparse('0x4000000').value, 0x4000000n);
  assert.equal(memparse('0x10M').value, 16n * M);
  assert.equal(memparse('010').value, 8n); // leading 0: octal
  assert.equal(memparse('09').value, 0n); // '9' is not octal: stops after "0"
  assert.equal(memparse('09').end, 1);
  assert.equal(memparse('1048576').value, 1048576n);
  // "0x" not followed by a hex digit is octal 0 and stops at 'x'
  assert.deepEqual(memparse('0xg'), { value: 0n, end: 1 });
  // suffix consumed, next char left
  assert.deepEqual(memparse('16M@0x40000000'), { value: 16n * M, end: 3 });
  // no digits: the suffix is still consumed (the C switches on *endptr regardless)
  assert.deepEqual(memparse('M'), { value: 0n, end: 1 });
  assert.deepEqual(memparse('x'), { value: 0n, end: 0 });
  // wraps at 64 bits like unsigned long long
  assert.equal(memparse('16E').value, 0n);
  assert.equal(simpleStrtoull('18446744073709551617').value, 1n);
});

test('parseSize accepts what memparse reads fully, nothing else', () => {
  assert.equal(parseSize('64M'), 64n * M);
  assert.equal(parseSize('0x4000000'), 0x4000000n);
  assert.equal(parseSize('1048576'), 1048576n);
  assert.equal(parseSize('64MB'), undefined);
  assert.equal(parseSize(''), undefined);
  assert.equal(parseSize('abc'), undefined);
  assert.equal(parseSize('M'), undefined);
});

test('memparse agrees with BigInt for decimal and hex of any 64-bit value', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom('', 'K', 'M', 'G'), (v, suf) => {
      const shift = { '': 0n, K: 10n, M: 20n, G: 30n }[suf]!;
      const want = (v << shift) & ((1n << 64n) - 1n);
      assert.equal(memparse(v.toString() + suf).value, want);
      assert.equal(memparse('0x' + v.toString(16) + suf).value, want);
    }),
  );
});

test('next_arg: quotes, "=" and -- (kernel/params.c)', () => {
  const { args, afterDashes } = splitArgs('  console=ttyAMA0  "quoted arg=x y" foo="bar baz" flag a=b=c -- init args');
  assert.deepEqual(args, [
    { param: 'console', val: 'ttyAMA0' },
    { param: 'quoted arg', val: 'x y' },
    { param: 'foo', val: 'bar baz' },
    { param: 'flag', val: undefined },
    { param: 'a', val: 'b=c' },
  ]);
  assert.equal(afterDashes, 'init args');
  assert.ok(parameq('reserve-mem', 'reserve_mem'));
  assert.ok(!parameq('reserve_mem', 'reserve_me'));
});

const opts = (id: string, extra: Partial<ParseCmdlineOptions> = {}): ParseCmdlineOptions => {
  const p = getProfile(id)!;
  return { arch: p.arch, pageSize: p.pageSize, params: p.params, ...extra };
};

test('cma=size[@base[-limit]] (early_cma)', () => {
  let st = parseCmdline('cma=64M', opts('6.12-arm64'));
  assert.deepEqual(st.cma, { size: 64n * M, base: 0n, limit: 0n });
  assert.equal(st.cmaSize, 64n * M);
  st = parseCmdline('cma=32M@0x50000000', opts('6.12-arm64'));
  assert.deepEqual(st.cma, { size: 32n * M, base: 0x50000000n, limit: 0x52000000n });
  st = parseCmdline('cma=16M@0x40000000-0x60000000', opts('6.1-armmp'));
  assert.deepEqual(st.cma, { size: 16n * M, base: 0x40000000n, limit: 0x60000000n });
  st = parseCmdline('cma=0', opts('6.1-arm64'));
  assert.equal(st.cma?.size, 0n);
  // bare `cma` is an error: "Config string not provided" and Malformed early option
  const printed: string[] = [];
  st = parseCmdline('cma', opts('6.1-arm64', { printk: (_l, t) => printed.push(t) }));
  assert.deepEqual(st.malformed, ['cma']);
  assert.deepEqual(printed, ['cma: Config string not provided', "Malformed early option 'cma'"]);
});

test('mem=: arm64 memory_limit & PAGE_MASK with its notice; arm replaces banks', () => {
  const printed: string[] = [];
  const st = parseCmdline('mem=192M', opts('6.12-arm64', { printk: (_l, t) => printed.push(t) }));
  assert.equal(st.memLimit, 192n * M);
  assert.deepEqual(printed, ['Memory limited to 192MB']);
  assert.equal(parseCmdline('mem=0x10001fff', opts('6.12-arm64-16k')).memLimit, 0x10000000n);
  assert.deepEqual(parseCmdline('mem=256M@0x50000000', opts('6.1-armmp')).armMemBanks, [{ start: 0x50000000n, size: 256n * M }]);
  assert.deepEqual(parseCmdline('mem', opts('6.1-arm64')).malformed, ['mem']);
});

test('reserve_mem= exists on 6.12 only; on 6.1 it is an unknown parameter passed to init', () => {
  const st612 = parseCmdline('reserve_mem=4M:2M:oops', opts('6.12-arm64'));
  assert.deepEqual(st612.reserveMem, [{ size: 4n * M, align: 2n * M, name: 'oops', raw: '4M:2M:oops' }]);
  assert.deepEqual(st612.unknown, []);
  const st61 = parseCmdline('reserve_mem=4M:2M:oops nokaslr', opts('6.1-arm64'));
  assert.deepEqual(st61.reserveMem, []);
  // init/main.c: bare words (argv) are listed before a=b ones (envp)
  assert.deepEqual(st61.unknown, ['nokaslr', 'reserve_mem=4M:2M:oops']);
  // 6.12 knows nokaslr (arm64)
  assert.deepEqual(parseCmdline('nokaslr', opts('6.12-arm64')).unknown, []);
  // syntax rules of mm/memblock.c reserve_mem()
  assert.deepEqual(parseReserveMem('1M:0:trace'), { size: M, align: 64n, name: 'trace', raw: '1M:0:trace' }); // align < SMP_CACHE_BYTES
  assert.equal(parseReserveMem('0:4K:x'), undefined); // size 0
  assert.equal(parseReserveMem('1M:4K'), undefined); // no name
  assert.equal(parseReserveMem('1M:4K:'), undefined); // empty name
  assert.equal(parseReserveMem('1M:4K:   '), undefined); // blank name
  assert.equal(parseReserveMem('1M:4K:0123456789abcdef'), undefined); // name too long (16)
  assert.equal(parseReserveMem('1M:4K:0123456789abcde')?.name, '0123456789abcde');
});

test('crashkernel= forms (parse_crashkernel)', () => {
  const o = { params: { crashkernelHighLow: true, crashkernelRamCheck: true } };
  assert.deepEqual(parseCrashkernel('crashkernel=128M', 1n << 30n, o), {
    size: 128n * M,
    base: 0n,
    lowSize: 0n,
    high: false,
    messages: [],
  });
  assert.deepEqual(parseCrashkernel('x crashkernel=64M@0x60000000 y', 1n << 30n, o), {
    size: 64n * M,
    base: 0x60000000n,
    lowSize: 0n,
    high: false,
    messages: [],
  });
  // ranges: RAM rounded up to 128 MiB picks the entry
  assert.equal(parseCrashkernel('crashkernel=512M-2G:64M,2G-:128M', 1n << 30n, o)?.size, 64n * M);
  // 0x7ff00000 rounds up to 2 GiB, which is past the first range's end
  assert.equal(parseCrashkernel('crashkernel=512M-2G:64M,2G-:128M', 0x7ff00000n, o)?.size, 128n * M);
  assert.equal(parseCrashkernel('crashkernel=512M-2G:64M,2G-:128M', 3n << 30n, o)?.size, 128n * M);
  assert.equal(parseCrashkernel('crashkernel=512M-2G:64M', 256n * M, o)?.error, -22); // no range matched: size 0
  // ,high with default ,low
  const h = parseCrashkernel('crashkernel=256M,high', 4n << 30n, o);
  assert.deepEqual([h?.size, h?.high, h?.lowSize], [256n * M, true, -1n]);
  const hl = parseCrashkernel('crashkernel=256M,high crashkernel=64M,low', 4n << 30n, o);
  assert.deepEqual([hl?.size, hl?.lowSize], [256n * M, 64n * M]);
  // the last plain crashkernel= wins
  assert.equal(parseCrashkernel('crashkernel=32M crashkernel=64M', 1n << 30n, o)?.size, 64n * M);
  // bigger than RAM → -EINVAL
  assert.equal(parseCrashkernel('crashkernel=2G', 1n << 30n, o)?.error, -22);
  // junk after the size
  const j = parseCrashkernel('crashkernel=32Mx', 1n << 30n, o);
  assert.equal(j?.error, -22);
  assert.deepEqual(j?.messages, ['crashkernel: unrecognized char: x']);
  // arm: no ,high support
  assert.equal(
    parseCrashkernel('crashkernel=256M,high', 1n << 30n, { params: { crashkernelHighLow: false, crashkernelRamCheck: true } }),
    undefined,
  );
});

test('declareEarlyParam: board code parses its value; failures print Malformed early option', () => {
  const seen: (string | undefined)[] = [];
  const mca = declareEarlyParam('mca_mem', (val, k) => {
    seen.push(val);
    if (val === undefined) return -22;
    k.memparse(val);
    return 0;
  });
  assert.ok(isEarlyParam(mca));
  assert.ok(!isEarlyParam({ name: 'x', fn: () => 0 }));
  const printed: string[] = [];
  const st = parseCmdline('mca_mem=64M mca-mem', opts('6.1-armmp', { earlyParams: [mca], printk: (_l, t) => printed.push(t) }));
  assert.deepEqual(seen, ['64M', undefined]);
  assert.deepEqual(st.malformed, ['mca-mem']);
  assert.deepEqual(printed, ["Malformed early option 'mca-mem'"]);
  assert.deepEqual(st.unknown, []);
});

test('memblock=debug is recognised only when the value contains "debug"', () => {
  assert.equal(parseCmdline('memblock=debug', opts('6.12-arm64')).memblockDebug, true);
  assert.equal(parseCmdline('memblock=nodebugx', opts('6.12-arm64')).memblockDebug, true); // strstr
  assert.equal(parseCmdline('memblock', opts('6.12-arm64')).memblockDebug, false);
});

test('crashkernel= bigger than RAM: 6.12 refuses in parse_crashkernel, 6.1 tries to allocate', () => {
  assert.equal(
    parseCrashkernel('crashkernel=128M', 128n * M, { params: { crashkernelHighLow: true, crashkernelRamCheck: true } })?.error,
    -22,
  );
  assert.equal(
    parseCrashkernel('crashkernel=128M', 128n * M, { params: { crashkernelHighLow: true, crashkernelRamCheck: false } })?.error,
    undefined,
  );
});

test('get_option reads an int as simple_strtol does: sign, radix from the prefix, digits up to the first other character', () => {
  assert.equal(getOption('4'), 4);
  assert.equal(getOption('0x10'), 16);
  assert.equal(getOption('010'), 8);
  assert.equal(getOption('-1'), -1);
  assert.equal(getOption('3,4'), 3);
  assert.equal(getOption('0x'), 0);
  assert.equal(getOption('x'), undefined);
  assert.equal(getOption(''), undefined);
  assert.equal(getOption(undefined), undefined);
});
