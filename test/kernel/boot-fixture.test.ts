// One real boot kept whole (test/fixtures/kernel/boot1-6.12-arm64-1g.*): our memblock=debug
// lines and MEMBLOCK configuration dump against the kernel's console, line by line (caller
// offsets `+0x…/0x…` removed; callers compared where the model knows the kernel's symbol).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { readDtb } from '../../src/fdt/reader.js';
import { getProfile } from '../../src/kernel/profiles/index.js';
import { bootLaidOut } from './boot-lab-helpers.js';

const dir = fileURLToPath(new URL('../fixtures/kernel/', import.meta.url));
const consoleLines = gunzipSync(readFileSync(dir + 'boot1-6.12-arm64-1g.console.gz'))
  .toString('utf8')
  .split('\n')
  .map((l) => l.replace(/\r$/, '').replace(/^\[\s*\d+\.\d+\]\s?/, ''));
const cmdline = 'console=ttyAMA0 earlycon=pl011,0x9000000 panic=-1 memblock=debug nokaslr';

function run() {
  const { tree } = readDtb(new Uint8Array(readFileSync(dir + 'boot1-6.12-arm64-1g.dtb')), 'boot1.dtb');
  assert.ok(tree);
  const platform = { platform: 'qemu-virt', ram: 1n << 30n, initrd: { base: 0x48000000n, size: 1040012n }, dtbFileSize: 7669 };
  return bootLaidOut(tree, getProfile('6.12-arm64')!, platform, { bootargs: cmdline });
}

test('memblock=debug lines equal the kernel console (6.12 arm64, 1 GiB)', () => {
  const r = run();
  const strip = (l: string) => l.replace(/ (\S+)\+0x[0-9a-f]+\/0x[0-9a-f]+$/, ' $1');
  const theirs = consoleLines.filter((l) => /^memblock_\w+: /.test(l)).map(strip);
  // the kernel's lines up to the large hash tables (start_kernel's later allocations are not modelled)
  const end = theirs.findIndex((l) => / alloc_large_system_hash$/.test(l));
  const want = theirs.slice(0, end);
  const got = r.memblockLines.slice(0, want.length);
  // compare without callers (inlining decides which symbol %pS names), then callers where known
  const noCaller = (l: string) => l.replace(/ \S+$/, '');
  assert.deepEqual(got.map(noCaller), want.map(noCaller));
  const known = [
    'arm64_memblock_init',
    'early_pgtable_alloc',
    'memblock_alloc_range_nid',
    'early_init_dt_alloc_memory_arch',
    'sparse_init',
    'memmap_alloc',
    'pcpu_fc_alloc',
  ];
  for (let i = 0; i < want.length; i++) {
    const c = want[i]!.split(' ').at(-1)!;
    if (known.includes(c)) assert.equal(got[i]!.split(' ').at(-1), c, `line ${i}: ${want[i]}`);
  }
});

test('the MEMBLOCK configuration dump equals the kernel console', () => {
  const r = run();
  const mine = r.log.filter((l) => l.source === 'memblock_dump_all').map((l) => l.text);
  const i = consoleLines.findIndex((l) => l.startsWith('MEMBLOCK configuration:'));
  assert.ok(i >= 0 && mine.length > 4);
  assert.deepEqual(mine, consoleLines.slice(i, i + mine.length));
});

test('cma: line and Kernel command line equal the kernel console', () => {
  const r = run();
  const pick = (ls: string[]) => ls.filter((l) => /^cma: Reserved|^Kernel command line:/.test(l));
  assert.deepEqual(pick(r.log.map((l) => l.text)), pick(consoleLines));
});
