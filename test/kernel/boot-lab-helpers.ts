// Shared by the boot tests: run the boot model on a recorded lab case.
import { cpuByName, QEMU_DEFAULT_CPU } from '../../src/platform/cpu.js';
import { readDtb } from '../../src/fdt/reader.js';
import { writeDtb } from '../../src/fdt/writer.js';
import { bootKernel, type BootInput, type BootResult } from '../../src/kernel/boot.js';
import { getProfile } from '../../src/kernel/profiles/index.js';
import { recordProfile } from './replay-lib.js';
import type { KernelProfile } from '../../src/kernel/profiles/types.js';
import { builtinHandlers } from '../../src/kernel/handlers/index.js';
import { platformLayout, type PlatformOptions } from '../../src/platform/index.js';
import type { Tree } from '../../src/tree/types.js';
import { recordCpu, type LabRecord } from '../../src/verify/records.js';

/**
 * The boot of a tree laid out by the platform (src/platform, as loadBoard lays a board out), with
 * the built-in handlers unless given; the platform's diagnostics come first.
 */
export function bootLaidOut(
  tree: Tree,
  profile: KernelProfile,
  platform: Omit<PlatformOptions, 'arch'> = {},
  rest: Partial<Omit<BootInput, 'tree' | 'profile' | 'layout'>> = {},
): BootResult {
  const laid = platformLayout(tree, { ...platform, arch: profile.arch }, () => writeDtb(tree).length);
  const r = bootKernel({
    tree,
    profile,
    handlers: builtinHandlers(undefined, profile.series.rmem.tableCalls),
    layout: laid.layout,
    ...rest,
  });
  r.diagnostics.unshift(...laid.diagnostics);
  return r;
}

export function bootRecord(rec: LabRecord): BootResult | undefined {
  const profile = rec.kernel.startsWith('sample-') ? getProfile(rec.kernel.replace(/^sample-/, '')) : recordProfile(rec);
  if (!profile) return undefined;
  const { tree } = readDtb(rec.dtbBytes, 'lab.dtb');
  if (!tree) return undefined;
  const platform: Omit<PlatformOptions, 'arch'> = { platform: 'qemu-virt', ram: BigInt(rec.ram), dtbFileSize: rec.dtbBytes.length };
  if (rec.initrd) platform.initrd = { base: BigInt(rec.initrd.start), size: BigInt(rec.initrd.size) };
  // the kernel reads some malformed properties past their end in the blob (rmem needs the bytes);
  // the CPU QEMU booted (the case's, else max), as loadBoard gives it
  const cpu = cpuByName(recordCpu(rec) ?? QEMU_DEFAULT_CPU, 'platform');
  return bootLaidOut(tree, profile, platform, { bootargs: rec.append, blob: rec.dtbBytes, ...(cpu ? { cpu } : {}) });
}

/** `cma: Reserved …` / `cma: Failed …` lines, as printed. */
export function cmaLines(lines: { text: string }[]): string[] {
  return lines.map((l) => l.text).filter((t) => /^cma: (Reserved|Failed)/.test(t));
}

/**
 * Side-by-side text of the kernel's memblock=debug trace and the model's, for debugging a case:
 *   node --import tsx -e "import('./test/kernel/boot-lab-helpers.ts').then(m => m.printTraceDiff('6.12-arm64', '3f4ef87d'))"
 */
export async function printTraceDiff(kernel: string, caseIdPrefix: string): Promise<void> {
  const { readLabRecords } = await import('../../src/verify/records.js');
  const r = readLabRecords(kernel).find((x) => x.caseId.startsWith(caseIdPrefix));
  if (!r) return void console.log('no such case');
  const res = bootRecord(r)!;
  const h = (x: bigint | undefined | null) => (x === undefined || x === null ? '-' : x.toString(16));
  const real = r.observation.memblock.map((e) =>
    e.op === 'alloc'
      ? `${e.fn} ${h(e.size)} al=${h(e.align)} from=${h(e.from)} max=${h(e.maxAddr)} -> ${h(e.result)}${e.count ? ' x' + e.count : ''}`
      : `${e.fn} ${h(e.base)}-${h(e.end)}`,
  );
  const mine = res.memblockLines;
  for (let i = 0; i < Math.max(real.length, mine.length); i++) console.log((real[i] ?? '').padEnd(100), '|', mine[i] ?? '');
}
