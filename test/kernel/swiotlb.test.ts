// `swiotlb=` (kernel/dma/swiotlb.c setup_io_tlb_npages) against real boots
// (test/fixtures/kernel/swiotlb-virt-512m/: the lab's stored virt trees, 512 MiB, booted by every
// lab kernel that has a swiotlb — the arm64 ones and the LPAE ones — with four values): the
// bounce buffer's memblock allocations (arm64, memblock=debug) and the Memory: line. At 512 MiB
// nothing lies past the DMA zone: 5.10, 6.1 and LPAE make a buffer only when forced, 6.12 and 7.2
// arm64 always (kmalloc bouncing), sized by swiotlb= when it gives a size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadBoard } from '../../src/board.js';
import { plan, type PlanResult } from '../../src/kernel/plan.js';
import { getProfile } from '../../src/kernel/profiles/index.js';
import { consoleLines, memoryFigures } from '../helpers/boot-console.js';

const dir = fileURLToPath(new URL('../fixtures/kernel/swiotlb-virt-512m/', import.meta.url));
const kernels = [
  '5.10-arm64',
  '6.1-arm64',
  '6.12-arm64',
  '6.12-arm64-16k',
  '7.2-arm64',
  '7.2-arm64-16k',
  '5.10-armmp-lpae',
  '6.1-armmp-lpae',
  '6.12-armmp-lpae',
  '7.2-armmp-lpae',
];
const ram = 512n << 20n;
const variants: Record<string, string> = {
  nslabs: 'swiotlb=4000',
  areas: 'swiotlb=1000,3',
  noforce: 'swiotlb=noforce',
  force: 'swiotlb=2048,force',
};

/** The swiotlb buffer's and its tables' allocations a memblock=debug console shows: `size align`. */
const kernelSwiotlb = (lines: string[]) =>
  lines
    .map((l) => /^memblock_alloc_try_nid: (\d+) bytes align=(0x[0-9a-f]+) .* (swiotlb\w*)\+/.exec(l))
    .filter((m) => m !== null)
    .map((m) => `${m[1]} ${m[2]}`);

const modelSwiotlb = (p: PlanResult) =>
  p.trace.events
    .map((e) => e.detail as { kind: string; size?: bigint; align?: bigint; caller?: string })
    .filter((d) => d.kind === 'memblock_alloc_try_nid' && d.caller?.startsWith('swiotlb'))
    .map((d) => `${d.size} 0x${d.align!.toString(16)}`);

for (const [name, param] of Object.entries(variants))
  test(`${param}: the bounce buffer and the Memory: line as each kernel with a swiotlb booted them`, () => {
    for (const kernel of kernels) {
      const arch = kernel.includes('arm64') ? 'arm64' : 'arm';
      const lines = consoleLines(`${dir}${name}/${kernel}.console.gz`);
      const cmdline = lines.find((l) => l.startsWith('Kernel command line: '))!.slice('Kernel command line: '.length);
      assert.ok(cmdline.endsWith(param), `${kernel}: ${cmdline}`);
      const board = loadBoard(new Uint8Array(readFileSync(`${dir}${arch}.dtb`)), {
        fileName: `${arch}.dtb`,
        platform: 'qemu-virt',
        asBooted: true,
        arch,
        ram,
      });
      const p = plan(board, { kernel: getProfile(kernel)!, bootargs: cmdline });
      // the 32-bit boots are without memblock=debug (its lines stop them before the Memory: line)
      if (arch === 'arm64') assert.deepEqual(modelSwiotlb(p), kernelSwiotlb(lines), `${kernel}: swiotlb allocations`);
      const { mine, theirs } = memoryFigures(p, lines);
      assert.deepEqual(mine, theirs, `${kernel}: Memory:`);
    }
  });
