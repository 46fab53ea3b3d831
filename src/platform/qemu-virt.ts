// QEMU's `virt` machine (QEMU 7.2 hw/arm/virt.c and hw/arm/boot.c, as seen in the lab's traces):
// where it puts RAM, the kernel, the initrd and the DTB, the tree it generates itself (dumpdtb),
// and how a board's reserved memory is merged into that tree for a boot.
//  - RAM at 0x40000000 (memmap VIRT_MEM), `-m` bytes (128 MiB by default);
//  - arm64 Image at RAM + 2 MiB (text_offset 0 in the Image header → QEMU's 2 MiB default);
//  - initrd at RAM + min(RAM / 2, 128 MiB) (arm_setup_direct_kernel_boot);
//  - DTB right after the initrd, aligned to 2 MiB on arm64 and 4 KiB on arm (arm_load_dtb);
//  - the DTB blob QEMU passes is the -dtb file re-opened with room to grow: load_device_tree()
//    sizes it (file + 10000) * 2 and fdt_open_into() makes that fdt_totalsize, which is what the
//    kernel reserves.
import { QEMU_DEFAULT_CPU, qemuCpuModel } from './cpu.js';
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diag, noSpan, type Diagnostic } from '../diagnostics.js';
import { readDtb } from '../fdt/reader.js';
import { FdtBlob, nodenameEq } from '../fdt/rw.js';
import { readU32 } from '../tree/query.js';
import { getChild, getProp, newNode, nodePath, walkNodes, type Node, type Property, type Tree } from '../tree/types.js';
import { addChild, cellsValue, cloneNode, deleteChild, deleteProp, newProp, setProp, u32Value } from '../tree/edit.js';
import { cacheDir } from '../cache.js';
import { applyPlacements, extraReservations, type Bank, type ExtraReservation, type PlatformLayout } from './layout.js';

export type VirtArch = 'arm64' | 'arm';

/** RAM base of QEMU's virt board (hw/arm/virt.c memmap VIRT_MEM). */
export const VIRT_RAM_BASE = 0x4000_0000n;
/** QEMU's default `-m` (hw/core/machine.c: 128 MiB). */
export const VIRT_DEFAULT_RAM = 128n << 20n;
/** Largest RAM for `-M virt,highmem=off` (RAM must end below 4 GiB: 3 GiB from 0x40000000). */
export const ARM32_MAX_RAM = 3n << 30n;

const MiB = 1n << 20n;

export interface MachineSpec {
  binary: string;
  machine: string;
  cpu: string;
}

/** The machine each architecture boots on, arm64 with `cpu` (a name of src/platform/cpu.ts that
 *  QEMU models; default `max`: pauth-impdef makes pointer authentication cheap under TCG, much
 *  faster boots, and `max` has the 16K granule the arm64-16k kernel needs). */
export function machineFor(arch: VirtArch, cpu: string = QEMU_DEFAULT_CPU): MachineSpec {
  return arch === 'arm64'
    ? { binary: 'qemu-system-aarch64', machine: 'virt', cpu: qemuCpuModel(cpu) ?? cpu }
    : { binary: 'qemu-system-arm', machine: 'virt,highmem=off', cpu: 'cortex-a15' };
}

/** QEMU's load_device_tree(): the blob grows to (size + 10000) * 2. */
export function qemuDtbTotalSize(fileSize: number): bigint {
  return BigInt((fileSize + 10000) * 2);
}

/** Where QEMU puts the initrd (hw/arm/boot.c arm_setup_direct_kernel_boot): RAM base + min(RAM / 2, 128 MiB). */
export function initrdStart(ram: bigint): bigint {
  const half = ram / 2n;
  const cap = 128n * MiB;
  return VIRT_RAM_BASE + (half < cap ? half : cap);
}

/**
 * Whether QEMU 7.2 starts at all with an initrd of `initrdSize` placed by its own rule
 * (hw/arm/boot.c arm_setup_direct_kernel_boot): the file must fit between initrd_start and the
 * end of RAM ("could not load initrd"), and the DTB's start after it — ALIGN(initrd end, 2 MiB on
 * AArch64, 4 KiB on AArch32) — must lie below the end of RAM ("Not enough space for DTB after
 * kernel/initrd"). Either way QEMU exits with status 1 before the guest runs; the boundaries were
 * measured with the installed qemu-system-aarch64/-arm (128 MiB: 62 MiB boots, 62 MiB + 1 and
 * 64 MiB stop at the DTB, 64 MiB + 1 at the initrd; AArch32 64 MiB - 4 KiB boots).
 */
export function qemuInitrdError(arch: VirtArch, ram: bigint, initrdSize: bigint): Diagnostic | undefined {
  const start = initrdStart(ram);
  const end = VIRT_RAM_BASE + ram;
  const room = `RAM ends at 0x${end.toString(16)}, the initrd starts at 0x${start.toString(16)} (RAM + min(RAM / 2, 128 MiB))`;
  if (initrdSize > end - start)
    return diag(
      'error',
      'qemu-initrd-too-big',
      `QEMU refuses to start: "could not load initrd" — the initrd (0x${initrdSize.toString(16)} bytes) is larger than the 0x${(end - start).toString(16)} bytes of RAM above its start; ${room}`,
      undefined,
      'give QEMU more RAM (--ram) or use a smaller initrd',
    );
  const align = arch === 'arm64' ? 2n * MiB : 4096n;
  const dtbStart = ((start + initrdSize + align - 1n) / align) * align;
  if (dtbStart >= end)
    return diag(
      'error',
      'qemu-initrd-too-big',
      `QEMU refuses to start: "Not enough space for DTB after kernel/initrd" — the DTB would start at 0x${dtbStart.toString(16)} (after the initrd, ${arch === 'arm64' ? '2 MiB' : '4 KiB'} aligned), not below the end of RAM; ${room}`,
      undefined,
      'give QEMU more RAM (--ram) or use a smaller initrd',
    );
  return undefined;
}

export interface VirtLayoutOptions {
  arch: VirtArch;
  /** `-m` (default QEMU's 128 MiB). */
  ram?: bigint;
  /** Size of the `-initrd` file (placed by QEMU's rule) ... */
  initrdSize?: bigint;
  /** ... or its exact placement (the lab records it). */
  initrd?: Bank;
  /** Size of the `-dtb` file. */
  dtbFileSize: number;
  /** `--reserve` entries: placements by name (`kernel`, `initrd`, `dtb`) and plain reservations. */
  reserve?: ExtraReservation[];
}

/**
 * Where QEMU's virt machine puts RAM, the kernel, the initrd and the DTB of `tree`, and what
 * arm_load_dtb adds to its /chosen: `bootargs` (-append) and, with an initrd,
 * `linux,initrd-start` / `linux,initrd-end`, where the tree lacks them.
 */
export function virtLayout(tree: Tree, o: VirtLayoutOptions): PlatformLayout {
  const ram = o.ram || VIRT_DEFAULT_RAM;
  const layout: PlatformLayout = {
    name: 'qemu-virt',
    memory: [{ base: VIRT_RAM_BASE, size: ram }],
    extra: extraReservations(o.reserve ?? []),
    chosenAdded: 0,
  };
  const initrdBase = o.initrd?.base ?? initrdStart(ram);
  const initrdSize = o.initrd?.size ?? o.initrdSize ?? 0n;
  if (initrdSize > 0n) layout.initrd = { base: initrdBase, size: initrdSize };
  // arm_load_dtb: after the initrd, 2 MiB aligned (AArch64) or 4 KiB (AArch32)
  const align = o.arch === 'arm64' ? 2n * MiB : 4096n;
  const dtbBase = ((initrdBase + initrdSize + align - 1n) / align) * align;
  layout.dtb = { base: dtbBase, size: qemuDtbTotalSize(o.dtbFileSize) };
  if (o.arch === 'arm64') layout.kernelLoad = VIRT_RAM_BASE + 2n * MiB;
  applyPlacements(layout, o.reserve ?? []);
  const chosen = getChild(tree.root, 'chosen');
  const added = ['bootargs', ...(layout.initrd ? ['linux,initrd-start', 'linux,initrd-end'] : [])];
  layout.chosenAdded = added.filter((name) => !chosen || !getProp(chosen, name)).length;
  return layout;
}

/** The most CPUs QEMU's virt machine takes with its default GICv2 (hw/arm/virt.c: GIC_NCPU). */
export const VIRT_MAX_SMP = 8;

/**
 * QEMU's CPU options: with NUMA nodes of the given sizes (`--numa`), a CPU per node (`-smp` as
 * many), a RAM backend per node with memory, `-numa node,memdev=…,cpus=i,nodeid=i` (no memdev: a
 * memoryless node), so that QEMU writes each memory node's and cpu node's `numa-node-id`
 * (hw/arm/virt.c, boot.c); else `smp` CPUs (`--smp`), default one.
 */
export function cpuArgs(numa?: readonly bigint[], smp = 1): string[] {
  if (!numa?.length) return ['-smp', String(smp)];
  const out = ['-smp', String(numa.length)];
  numa.forEach((size, i) => {
    if (size) out.push('-object', `memory-backend-ram,size=${size / MiB}M,id=m${i}`);
    out.push('-numa', `node,${size ? `memdev=m${i},` : ''}cpus=${i},nodeid=${i}`);
  });
  return out;
}

/**
 * The file name QEMU's virt tree is kept under, for an arch, RAM size, NUMA node sizes (which take
 * precedence: each node has its CPU) or CPU count: the kernel cache's virt/ and the lab's data/lab/virt.
 */
export function virtTreeName(arch: VirtArch, ram: bigint, numa?: readonly bigint[], smp = 1, cpu: string = QEMU_DEFAULT_CPU): string {
  const nodes = numa?.length ? `-numa-${numa.map((n) => n.toString(16)).join('-')}` : smp > 1 ? `-smp${smp}` : '';
  // another -cpu writes another compatible into the cpu nodes
  const core = cpu === QEMU_DEFAULT_CPU ? '' : `-${cpu.replace(/[^a-z0-9]+/gi, '-')}`;
  return `${arch}-${ram.toString(16)}${nodes}${core}.dtb`;
}

/**
 * QEMU's own tree for the machine and RAM size (`-M virt,dumpdtb=`, cached under the carveout
 * cache's virt/), without the random /chosen seeds so that boots are reproducible and the blob
 * size stays fixed. An error diagnostic when QEMU is missing or fails.
 */
export function virtTree(
  arch: VirtArch,
  ram: bigint,
  numa?: readonly bigint[],
  smp = 1,
  cpu: string = QEMU_DEFAULT_CPU,
): { tree?: Tree; diagnostics: Diagnostic[] } {
  const m = machineFor(arch, cpu);
  const dir = join(cacheDir(), 'virt');
  mkdirSync(dir, { recursive: true });
  const f = join(dir, virtTreeName(arch, ram, numa, smp, cpu));
  if (!existsSync(f)) {
    const tmp = `${f}.${process.pid}.tmp`;
    const r = spawnSync(
      m.binary,
      ['-M', `${m.machine},dumpdtb=${tmp}`, '-cpu', m.cpu, '-m', `${ram / MiB}M`, ...cpuArgs(numa, smp), '-nographic'],
      {
        encoding: 'utf8',
      },
    );
    if (!existsSync(tmp)) {
      const why = r.error ? `${m.binary} not found (apt-get install qemu-system-arm)` : r.stderr.trim().split('\n')[0];
      return { diagnostics: [diag('error', 'qemu-unavailable', `QEMU could not dump its virt tree: ${why}`)] };
    }
    renameSync(tmp, f);
  }
  const r = readDtb(new Uint8Array(readFileSync(f)), f);
  if (!r.tree) return { diagnostics: r.diagnostics };
  const chosen = getChild(r.tree.root, 'chosen');
  if (chosen) {
    deleteProp(chosen, 'rng-seed');
    deleteProp(chosen, 'kaslr-seed');
  }
  return { tree: r.tree, diagnostics: [] };
}

/**
 * The structure block a kernel booted directly by QEMU (-kernel with -dtb) reads: hw/arm/boot.c's
 * load_dtb turns every existing memory node into FDT_NOP words (qemu_fdt_nop_node) and adds its
 * own memory node(s) as the root's first children. Those come before every other node, so only
 * the NOP words matter to what the kernel reads past a property's end (6.12.103+'s
 * fdt_scan_reserved_mem_reg_nodes on an empty `reg` reads the words after it: lab seed 53
 * #dd510b5a read 2, 2, 4, 4 where the blob given had the next node's FDT_BEGIN_NODE and name).
 * Checked against QEMU's own dump (`-M virt,dumpdtb=` with -kernel, qemuHandoff).
 */
export function qemuKernelBlob(blob: Uint8Array): Uint8Array {
  const out = new FdtBlob(blob.slice());
  const memory = out.nodes().filter((n) => nodenameEq(out.name(n), 'memory'));
  // innermost first: nopNode walks from the node's own FDT_BEGIN_NODE, which an outer NOP would erase
  for (const n of memory.reverse()) out.nopNode(n);
  return out.buf;
}

/**
 * The DTB QEMU's virt machine hands to firmware (`-bios`: U-Boot, EDK2) at the start of RAM, as
 * QEMU itself writes it — hw/arm/boot.c load_dtb: the -dtb file grown by load_device_tree,
 * /memory set to -m, /chosen/bootargs from -append (and the FDT_NOP words QEMU's own editing
 * leaves in the structure block, which the firmware's copies keep) — taken from `-M virt,dumpdtb=`
 * and cached by content. An error diagnostic when QEMU is missing or fails.
 */
export function qemuHandoff(
  arch: VirtArch,
  blob: Uint8Array,
  ram: bigint,
  append: string,
): { blob?: Uint8Array; diagnostics: Diagnostic[] } {
  const m = machineFor(arch);
  const dir = join(cacheDir(), 'virt', 'handoff');
  mkdirSync(dir, { recursive: true });
  const key = createHash('sha256')
    .update(arch)
    .update('\0')
    .update(ram.toString())
    .update('\0')
    .update(append)
    .update('\0')
    .update(blob)
    .digest('hex')
    .slice(0, 24);
  const f = join(dir, `${key}.dtb`);
  if (!existsSync(f)) {
    const input = `${f}.${process.pid}.in`;
    const tmp = `${f}.${process.pid}.tmp`;
    writeFileSync(input, blob);
    const args = ['-M', `${m.machine},dumpdtb=${tmp}`, '-cpu', m.cpu, '-m', `${ram / MiB}M`, '-nographic', '-dtb', input];
    if (append) args.push('-kernel', input, '-append', append);
    const r = spawnSync(m.binary, args, { encoding: 'utf8' });
    if (!existsSync(tmp)) {
      const why = r.error ? `${m.binary} not found (apt-get install qemu-system-arm)` : r.stderr.trim().split('\n')[0];
      return { diagnostics: [diag('error', 'qemu-unavailable', `QEMU could not dump the DTB it hands to firmware: ${why}`)] };
    }
    renameSync(tmp, f);
  }
  return { blob: new Uint8Array(readFileSync(f)), diagnostics: [] };
}

export interface MergeResult {
  tree: Tree;
  /** The board's /chosen/bootargs: QEMU's -append replaces the tree's, so they go there. */
  bootargs: string;
  notes: string[];
}

/** The value's 32-bit words, or undefined when its length is not a multiple of 4. */
function words(v: Uint8Array): bigint[] | undefined {
  if (v.length % 4 !== 0) return undefined;
  const out: bigint[] = [];
  for (let o = 0; o < v.length; o += 4) out.push(BigInt(readU32(v, o)));
  return out;
}

/** `#address-cells`-style property read as the merge needs it: exactly one cell, else `dflt`. */
function cellCount(n: Node, name: string, dflt: number): number {
  const p = getProp(n, name);
  return p && p.value.length === 4 ? readU32(p.value, 0) : dflt;
}

function phandleValue(p: Property): number | undefined {
  return (p.name === 'phandle' || p.name === 'linux,phandle') && p.value.length === 4 ? readU32(p.value, 0) : undefined;
}

/** Node.phandle as src/fdt/reader.ts sets it: `phandle`, else `linux,phandle`. */
function setPhandles(root: Node): void {
  walkNodes(root, (n) => {
    const ph = getProp(n, 'phandle') ?? getProp(n, 'linux,phandle');
    n.phandle = ph && ph.value.length === 4 ? readU32(ph.value, 0) : 0;
  });
}

function eachNode(n: Node, f: (n: Node) => void): void {
  walkNodes(n, (x) => {
    f(x);
  });
}

/**
 * Put a board's reserved memory into QEMU's virt tree: its `/memreserve/` entries, its
 * `/reserved-memory` node (cells converted to the virt root's when the board's node used its own
 * root's cells), `/chosen/bootargs` (returned, to go on -append: QEMU's -append replaces the
 * DTB's bootargs), and the `memory-region` references of devices (as stub nodes without
 * `compatible`, so no driver probes them; `carveout,source-path` names the board's node). The
 * memory node stays QEMU's. Neither input is modified.
 */
export function mergeBoard(base: Tree, board: Tree): MergeResult {
  const root = cloneNode(base.root);
  const tree: Tree = {
    plugin: false,
    memreserves: board.memreserves.map((r) => ({ address: r.address, size: r.size, labels: [], span: noSpan })),
    root,
    bootCpuidPhys: base.bootCpuidPhys,
  };
  const notes: string[] = [];
  const rootA = cellCount(root, '#address-cells', 2);
  const rootS = cellCount(root, '#size-cells', 1);
  const bA = cellCount(board.root, '#address-cells', 2);
  const bS = cellCount(board.root, '#size-cells', 1);
  // Phandles already used by QEMU's tree (0x8000 and up in QEMU 7.2).
  const used = new Set<number>();
  eachNode(root, (n) => {
    for (const p of n.props) {
      const v = phandleValue(p);
      if (v !== undefined) used.add(v);
    }
  });
  const rm = getChild(board.root, 'reserved-memory');
  let remap = (x: number): number => x;
  if (rm) {
    let boardMax = 0;
    eachNode(rm, (n) => {
      for (const p of n.props) boardMax = Math.max(boardMax, phandleValue(p) ?? 0);
    });
    if ([...used].some((u) => u > 0 && u <= boardMax)) {
      const off = Math.max(...used) + 1;
      remap = (x) => x + off;
      notes.push(`board phandles renumbered by +${off} to avoid QEMU's`);
    }
    const copy = cloneNode(rm);
    eachNode(copy, (n) => {
      for (const p of n.props) {
        const v = phandleValue(p);
        if (v !== undefined) p.value = u32Value(remap(v));
      }
    });
    const rA = cellCount(copy, '#address-cells', bA);
    const rS = cellCount(copy, '#size-cells', bS);
    if (rA === bA && rS === bS && (rA !== rootA || rS !== rootS)) {
      // The kernel requires /reserved-memory's cells to equal the root's (__reserved_mem_check_root);
      // the board's root differs from QEMU's, so re-encode the region properties.
      const convert = (p: Property, ac: number, sc: number, nac: number, nsc: number): void => {
        const stride = ac + sc;
        const w = words(p.value);
        if (!w || w.length % stride !== 0) return;
        const out: Uint8Array[] = [];
        for (let i = 0; i < w.length; i += stride) {
          let a = 0n;
          let s = 0n;
          for (let j = 0; j < ac; j++) a = (a << 32n) | w[i + j]!;
          for (let j = 0; j < sc; j++) s = (s << 32n) | w[i + ac + j]!;
          out.push(cellsValue([a], nac), cellsValue([s], nsc));
        }
        p.value = new Uint8Array(Buffer.concat(out));
      };
      for (const c of copy.children) {
        for (const p of c.props) {
          if (p.name === 'reg' || p.name === 'alloc-ranges') convert(p, rA, rS, rootA, rootS);
          else if (p.name === 'size' || p.name === 'alignment') convert(p, 0, rS, 0, rootS);
        }
      }
      setProp(copy, '#address-cells', u32Value(rootA));
      setProp(copy, '#size-cells', u32Value(rootS));
      notes.push(`/reserved-memory re-encoded from ${rA}/${rS} cells to QEMU virt's ${rootA}/${rootS}`);
    }
    deleteChild(root, 'reserved-memory');
    // Where it goes does not matter to the kernel; after memory like most boards.
    addChild(root, copy, root.children.findIndex((c) => c.name.startsWith('memory')) + 1);
  }
  // Devices referencing regions.
  let k = 0;
  eachNode(board.root, (n) => {
    const mr = getProp(n, 'memory-region');
    if (!mr) return;
    const path = nodePath(n);
    if (path.startsWith('/reserved-memory')) return;
    const w = words(mr.value);
    const stub = addChild(root, newNode(`carveout-user${k++}`, noSpan));
    stub.props.push(newProp('memory-region', w ? u32Value(...w.map((x) => remap(Number(x)))) : mr.value.slice()));
    const names = getProp(n, 'memory-region-names');
    if (names) stub.props.push(newProp('memory-region-names', names.value.slice()));
    stub.props.push(newProp('carveout,source-path', new TextEncoder().encode(`${path}\0`)));
  });
  setPhandles(root);
  const chosen = getChild(board.root, 'chosen');
  const ba = chosen && getProp(chosen, 'bootargs');
  const bootargs = ba ? latin1(ba.value).replace(/\0+$/, '') : '';
  return { tree, bootargs, notes };
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return s;
}
