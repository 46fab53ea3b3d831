// Shared by the boot tests: run the boot model on a recorded lab case.
import { readDtb } from '../../src/fdt/reader.js';
import { bootKernel, type BootResult } from '../../src/kernel/boot.js';
import { getProfile } from '../../src/kernel/profiles/index.js';
import { builtinHandlers } from '../../src/kernel/handlers/index.js';
import type { LabRecord } from '../../src/verify/records.js';

export function bootRecord(rec: LabRecord): BootResult | undefined {
  const profile = getProfile(rec.kernel.replace(/^sample-/, ''));
  if (!profile) return undefined;
  const { tree } = readDtb(rec.dtbBytes, 'lab.dtb');
  if (!tree) return undefined;
  return bootKernel({
    tree,
    profile,
    handlers: builtinHandlers(),
    bootargs: rec.append,
    ram: BigInt(rec.ram),
    platform: 'qemu-virt',
    ...(rec.initrd ? { initrd: { base: BigInt(rec.initrd.start), size: BigInt(rec.initrd.size) } } : {}),
    dtbSize: rec.dtbBytes.length,
  });
}

/** `cma: Reserved …` / `cma: Failed …` lines, as printed. */
export function cmaLines(lines: { text: string }[]): string[] {
  return lines.map((l) => l.text).filter((t) => /^cma: (Reserved|Failed)/.test(t));
}
