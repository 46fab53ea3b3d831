// QEMU runner: QEMU's own `virt` tree (-M virt,dumpdtb=), merging a board's reserved memory into
// it, and booting a lab kernel with a wall-clock bound.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir, type LabArch } from './kernels.js';
import { machineFor } from '../platform/qemu-virt.js';
import { readFdt, child, delProp, getProp, setProp, cloneNode, u32s, cellsOf, type LiteNode, type LiteTree } from './fdt-lite.js';

export class ToolMissing extends Error {}

export function qemuAvailable(arch: LabArch): string | undefined {
  const m = machineFor(arch);
  const r = spawnSync('sh', ['-c', `command -v ${m.binary}`]);
  if (r.status === 0) return undefined;
  return `${m.binary} not found: install QEMU with 'apt-get install qemu-system-arm' (Debian/Ubuntu; it provides qemu-system-arm and qemu-system-aarch64)`;
}

/** QEMU's own DTB for the machine and RAM size, without the random /chosen seeds (so that boots
 *  are reproducible and the DTB size, which decides nothing else, stays fixed). Cached. */
export function virtDtb(arch: LabArch, ramBytes: bigint): LiteTree {
  const m = machineFor(arch);
  const dir = join(cacheDir(), 'virt');
  mkdirSync(dir, { recursive: true });
  const f = join(dir, `${arch}-${ramBytes.toString(16)}.dtb`);
  if (!existsSync(f)) {
    const tmp = f + `.${process.pid}.tmp`;
    const r = spawnSync(
      m.binary,
      ['-M', `${m.machine},dumpdtb=${tmp}`, '-cpu', m.cpu, '-m', `${ramBytes / 1024n / 1024n}M`, '-nographic'],
      { encoding: 'utf8' },
    );
    if (!existsSync(tmp)) throw new ToolMissing(`${m.binary} could not dump its virt DTB: ${r.error?.message ?? r.stderr}`);
    writeFileSync(f, readFileSync(tmp));
    rmSync(tmp, { force: true });
  }
  const t = readFdt(new Uint8Array(readFileSync(f)));
  if (typeof t === 'string') throw new Error(`QEMU's DTB unreadable: ${t}`);
  const chosen = child(t.root, 'chosen');
  if (chosen) {
    delProp(chosen, 'rng-seed');
    delProp(chosen, 'kaslr-seed');
  }
  return t;
}

function readCells(v: Uint8Array, cells: number): bigint[] | undefined {
  if (v.length % (4 * cells) !== 0) return undefined;
  const out: bigint[] = [];
  const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
  for (let o = 0; o < v.length; o += 4 * cells) {
    let x = 0n;
    for (let i = 0; i < cells; i++) x = (x << 32n) | BigInt(dv.getUint32(o + 4 * i, false));
    out.push(x);
  }
  return out;
}

const cellCount = (n: LiteNode, name: string, dflt: number): number => {
  const p = getProp(n, name);
  return p && p.value.length === 4 ? new DataView(p.value.buffer, p.value.byteOffset, 4).getUint32(0, false) : dflt;
};

export interface MergeResult {
  tree: LiteTree;
  bootargs: string;
  notes: string[];
}

/**
 * Put a board's reserved memory into QEMU's virt tree: its `/memreserve/` entries, its
 * `/reserved-memory` node (cells converted to the virt root's 2/2 when the board's node used its
 * own root's cells), `/chosen/bootargs` (returned, to go on -append: QEMU's -append replaces the
 * DTB's bootargs), and the `memory-region` references of devices (as stub nodes without
 * `compatible`, so no driver probes them). The memory node stays QEMU's.
 */
export function mergeBoard(base: LiteTree, board: LiteTree): MergeResult {
  const tree: LiteTree = { memreserve: board.memreserve.map((r) => ({ ...r })), root: cloneNode(base.root), bootCpuid: base.bootCpuid };
  const notes: string[] = [];
  const rootA = cellCount(tree.root, '#address-cells', 2),
    rootS = cellCount(tree.root, '#size-cells', 1);
  const bA = cellCount(board.root, '#address-cells', 2),
    bS = cellCount(board.root, '#size-cells', 1);
  // Phandles already used by QEMU's tree (0x8000 and up in QEMU 7.2).
  const used = new Set<number>();
  const walk = (n: LiteNode, f: (n: LiteNode, path: string) => void, path = ''): void => {
    f(n, path);
    for (const c of n.children) walk(c, f, `${path}/${c.name}`);
  };
  walk(tree.root, (n) => {
    for (const p of n.props)
      if ((p.name === 'phandle' || p.name === 'linux,phandle') && p.value.length === 4) used.add(Number(readCells(p.value, 1)![0]));
  });
  const rm = child(board.root, 'reserved-memory');
  let remap = (x: number): number => x;
  if (rm) {
    let boardMax = 0;
    walk(rm, (n) => {
      for (const p of n.props)
        if ((p.name === 'phandle' || p.name === 'linux,phandle') && p.value.length === 4)
          boardMax = Math.max(boardMax, Number(readCells(p.value, 1)![0]));
    });
    const clash = [...used].some((u) => u > 0 && u <= boardMax);
    if (clash) {
      const off = Math.max(...used) + 1;
      remap = (x) => x + off;
      notes.push(`board phandles renumbered by +${off} to avoid QEMU's`);
    }
    const copy = cloneNode(rm);
    walk(copy, (n) => {
      for (const p of n.props)
        if ((p.name === 'phandle' || p.name === 'linux,phandle') && p.value.length === 4)
          p.value = u32s(remap(Number(readCells(p.value, 1)![0])));
    });
    const rA = cellCount(copy, '#address-cells', bA),
      rS = cellCount(copy, '#size-cells', bS);
    if (rA === bA && rS === bS && (rA !== rootA || rS !== rootS)) {
      // The kernel requires /reserved-memory's cells to equal the root's (__reserved_mem_check_root);
      // the board's root differs from QEMU's, so re-encode the region properties.
      for (const c of copy.children) {
        for (const p of c.props) {
          const conv = (ac: number, sc: number, nac: number, nsc: number): void => {
            const stride = ac + sc;
            const words = readCells(p.value, 1);
            if (!words || words.length % stride !== 0) return;
            const out: bigint[] = [];
            for (let i = 0; i < words.length; i += stride) {
              let a = 0n,
                s = 0n;
              for (let j = 0; j < ac; j++) a = (a << 32n) | words[i + j]!;
              for (let j = 0; j < sc; j++) s = (s << 32n) | words[i + ac + j]!;
              out.push(...cellsOf(a, nac), ...cellsOf(s, nsc));
            }
            p.value = u32s(...out);
          };
          if (p.name === 'reg' || p.name === 'alloc-ranges') conv(rA, rS, rootA, rootS);
          else if (p.name === 'size' || p.name === 'alignment') conv(0, rS, 0, rootS);
        }
      }
      setProp(copy, '#address-cells', u32s(rootA));
      setProp(copy, '#size-cells', u32s(rootS));
      notes.push(`/reserved-memory re-encoded from ${rA}/${rS} cells to QEMU virt's ${rootA}/${rootS}`);
    }
    tree.root.children = tree.root.children.filter((c) => c.name !== 'reserved-memory');
    // Before /chosen etc. does not matter to the kernel; keep it after memory like most boards.
    const memIdx = tree.root.children.findIndex((c) => c.name.startsWith('memory'));
    tree.root.children.splice(memIdx + 1, 0, copy);
  }
  // Devices referencing regions.
  let k = 0;
  walk(board.root, (n, path) => {
    if (path.startsWith('/reserved-memory')) return;
    const mr = getProp(n, 'memory-region');
    if (!mr) return;
    const words = readCells(mr.value, 1);
    const stub: LiteNode = { name: `carveout-user${k++}`, props: [], children: [] };
    stub.props.push({ name: 'memory-region', value: words ? u32s(...words.map((w) => remap(Number(w)))) : mr.value.slice() });
    const names = getProp(n, 'memory-region-names');
    if (names) stub.props.push({ name: 'memory-region-names', value: names.value.slice() });
    stub.props.push({ name: 'carveout,source-path', value: new Uint8Array(Buffer.from((path || '/') + '\0')) });
    tree.root.children.push(stub);
  });
  const chosen = child(board.root, 'chosen');
  const ba = chosen && getProp(chosen, 'bootargs');
  const bootargs = ba ? Buffer.from(ba.value).toString('latin1').replace(/\0+$/, '') : '';
  return { tree, bootargs, notes };
}

export type EarlyStop = 'none' | 'memory-line' | 'after-dump';

export interface BootRequest {
  arch: LabArch;
  vmlinuz: string;
  initrd?: string;
  dtb: Uint8Array;
  ramBytes: bigint;
  append: string;
  timeoutMs: number;
  earlyStop: EarlyStop;
}

export interface BootResult {
  console: string;
  durationMs: number;
  timedOut: boolean;
  earlyStopped: boolean;
  exitCode: number | null;
}

/** Boot once. Never rejects for kernel trouble: a hung kernel is a timed-out result. */
export function boot(req: BootRequest): Promise<BootResult> {
  const m = machineFor(req.arch);
  const dir = mkdtempSync(join(tmpdir(), 'carveout-boot-'));
  const dtbPath = join(dir, 'case.dtb');
  writeFileSync(dtbPath, req.dtb);
  const args = [
    '-M',
    m.machine,
    '-cpu',
    m.cpu,
    '-m',
    `${req.ramBytes / 1024n / 1024n}M`,
    '-smp',
    '1',
    '-nographic',
    '-no-reboot',
    '-monitor',
    'none',
    '-serial',
    'stdio',
    '-nodefaults',
    '-kernel',
    req.vmlinuz,
    '-dtb',
    dtbPath,
    '-append',
    req.append,
  ];
  if (req.initrd) args.push('-initrd', req.initrd);
  const t0 = Date.now();
  return new Promise((resolve) => {
    const p = spawn(m.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let timedOut = false,
      earlyStopped = false,
      done = false;
    let quietTimer: NodeJS.Timeout | undefined;
    let sawDump = false;
    const kill = (): void => {
      try {
        p.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const hard = setTimeout(() => {
      timedOut = true;
      kill();
    }, req.timeoutMs);
    const stopSoon = (ms: number): void => {
      if (quietTimer) clearTimeout(quietTimer);
      quietTimer = setTimeout(() => {
        if (!done) {
          earlyStopped = true;
          kill();
        }
      }, ms);
    };
    p.stdout.on('data', (b: Buffer) => {
      out += b.toString('latin1');
      if (req.earlyStop === 'memory-line' && /\n\[[ 0-9.]+\] Memory: \d+K\//.test(out)) stopSoon(100);
      else if (req.earlyStop === 'after-dump') {
        // 32-bit kernels with memblock=debug go quiet after the dump: stop once it has been quiet a while.
        if (!sawDump && out.includes('MEMBLOCK configuration:')) sawDump = true;
        if (sawDump) stopSoon(800);
      }
    });
    p.stderr.on('data', (b: Buffer) => {
      out += b.toString('latin1');
    });
    p.on('error', (e) => {
      out += `\n[carveout: ${e.message}]\n`;
    });
    p.on('close', (code) => {
      done = true;
      clearTimeout(hard);
      if (quietTimer) clearTimeout(quietTimer);
      rmSync(dir, { recursive: true, force: true });
      // QEMU's own "terminating on signal" chatter is not the kernel's.
      const console = out.replace(/^qemu-system-\w+: terminating on signal.*$/gm, '');
      resolve({ console, durationMs: Date.now() - t0, timedOut, earlyStopped: earlyStopped && !timedOut, exitCode: code });
    });
  });
}
