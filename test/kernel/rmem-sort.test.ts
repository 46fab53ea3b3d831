// The model's heapsort must leave equal keys exactly where the kernel's lib/sort.c leaves them
// (6.1 allocates its dynamic regions — all keyed base 0, size 0 — in that order). Oracle: the
// kernel's own lib/sort.c of each version, compiled with gcc against a few shim headers, run on
// random arrays full of duplicate keys. Skips when gcc or the kernel source is unavailable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelSort } from '../../src/kernel/rmem.js';
import { kernelSeries } from '../../src/kernel/versions/index.js';

const shims: Record<string, string> = {
  'linux/types.h':
    '#include <stddef.h>\n#include <stdint.h>\n#include <stdbool.h>\ntypedef uint32_t u32; typedef uint64_t u64; typedef uint8_t u8;\n#define __attribute_const__ __attribute__((__const__))\n#define __always_inline inline __attribute__((always_inline))\n#define likely(x) (x)\n#define unlikely(x) (x)\n',
  'linux/export.h': '#define EXPORT_SYMBOL(x)\n',
  'linux/sort.h':
    [
      'typedef void (*swap_r_func_t)(void *a, void *b, int size, const void *priv);',
      'typedef void (*swap_func_t)(void *a, void *b, int size);',
      'typedef int (*cmp_r_func_t)(const void *a, const void *b, const void *priv);',
      'typedef int (*cmp_func_t)(const void *a, const void *b);',
      // sort_r's swap argument changed type in 6.0 (swap_func_t → swap_r_func_t): sort.c declares it
      // itself; sort() is the same in every series
      'void sort(void *base, size_t num, size_t size, cmp_func_t cmp, swap_func_t swap);',
    ].join('\n') + '\n',
  // 7.x's __sort_r may cond_resched() (sort_nonatomic); the oracle runs in one thread
  'linux/sched.h': '#define cond_resched() do { } while (0)\n',
};

const driver = `#include <stdio.h>
#include <stdlib.h>
#include <linux/sort.h>
struct e { long key; long id; };
static int cmp(const void *a, const void *b) { const struct e *x = a, *y = b; return x->key < y->key ? -1 : x->key > y->key; }
int main(void) { int n; while (scanf("%d", &n) == 1) { struct e *v = malloc(sizeof(*v) * (n ? n : 1));
  for (int i = 0; i < n; i++) { scanf("%ld", &v[i].key); v[i].id = i; }
  sort(v, n, sizeof(*v), cmp, NULL);
  for (int i = 0; i < n; i++) printf("%ld ", v[i].id); printf("\\n"); free(v); } return 0; }
`;

function sortSource(version: string): string | undefined {
  const unpacked = `/usr/src/linux-source-${version}/lib/sort.c`;
  if (existsSync(unpacked)) return unpacked;
  const tarball = `/usr/src/linux-source-${version}.tar.xz`;
  if (!existsSync(tarball)) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'carveout-sort-'));
  const r = spawnSync('tar', ['-xJf', tarball, '-C', dir, `linux-source-${version}/lib/sort.c`], { timeout: 300_000 });
  const f = join(dir, `linux-source-${version}/lib/sort.c`);
  return r.status === 0 && existsSync(f) ? f : undefined;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

for (const { name: version, rmem } of kernelSeries) {
  const variant = rmem.sort;
  test(`kernelSort(${variant}) matches Linux ${version} lib/sort.c on equal keys`, (t) => {
    const gcc = spawnSync('gcc', ['--version']);
    if (gcc.status !== 0) return t.skip('gcc not installed');
    const src = sortSource(version);
    if (!src) return t.skip(`Linux ${version} source not found (apt-get install linux-source-${version})`);
    const dir = mkdtempSync(join(tmpdir(), 'carveout-sortc-'));
    for (const [p, text] of Object.entries(shims)) {
      mkdirSync(join(dir, 'inc', p, '..'), { recursive: true });
      writeFileSync(join(dir, 'inc', p), text);
    }
    writeFileSync(join(dir, 'main.c'), driver);
    const exe = join(dir, 'sort');
    const cc = spawnSync('gcc', ['-O1', '-w', '-I', join(dir, 'inc'), '-o', exe, src, join(dir, 'main.c')]);
    assert.equal(cc.status, 0, cc.stderr.toString());
    const next = rng(Number(version.replace('.', '')));
    const cases: number[][] = [];
    for (let n = 0; n <= 12; n++) cases.push(new Array(n).fill(0));
    for (let i = 0; i < 400; i++) {
      const n = 1 + Math.floor(next() * 70);
      const k = 1 + Math.floor(next() * 4);
      cases.push(Array.from({ length: n }, () => Math.floor(next() * k)));
    }
    const input = cases.map((c) => `${c.length} ${c.join(' ')}`).join('\n') + '\n';
    const run = spawnSync(exe, [], { input });
    assert.equal(run.status, 0);
    const want = run.stdout.toString().split('\n');
    cases.forEach((c, i) => {
      const v = c.map((key, id) => ({ key, id }));
      kernelSort(v, (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0), variant);
      assert.equal(v.map((e) => e.id).join(' '), (want[i] ?? '').trim(), `case ${i}: keys ${c.join(',')}`);
    });
  });
}
