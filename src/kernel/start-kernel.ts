// init/main.c start_kernel after setup_arch: setup_command_line, setup_per_cpu_areas and the
// allocations next to it (this build's sequence, profile data), the `Kernel command line:` line,
// then parse_args: __setup handlers (6.12 reserve_mem=, mm/memblock.c) and print_unknown_bootoptions.
// On arm the model does not follow start_kernel's own allocations, only reserve_mem= and the
// unknown-parameter message.
import type { BootState } from './boot-state.js';
import { MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE } from './memblock.js';

export function startKernel(st: BootState): void {
  const { ctx } = st;
  if (ctx.profile.arch === 'arm64') {
    setupCommandLine(st);
    setupPerCpuAreas(st);
  }
  ctx.printk('notice', `Kernel command line: ${ctx.cmdline.raw}`, 'start_kernel');
  // parse_args → unknown_bootoption / __setup
  reserveMemSetup(st);
  printUnknownBootoptions(st);
}

/** setup_command_line: saved_command_line and static_command_line. */
function setupCommandLine(st: BootState): void {
  const mb = st.ctx.memblock;
  const len = BigInt(new TextEncoder().encode(st.ctx.cmdline.raw).length + 1);
  mb.alloc(len, 64n, 'start_kernel');
  mb.alloc(len, 64n, 'start_kernel');
}

/** setup_per_cpu_areas and neighbours: this build's sequence of allocations and frees (profile data). */
function setupPerCpuAreas(st: BootState): void {
  const mb = st.ctx.memblock;
  const done: bigint[] = [];
  const sizes: bigint[] = [];
  for (const s of st.ctx.profile.arm64?.lateAllocs ?? []) {
    if (s.op === 'alloc') {
      const r = mb.allocTryNid(
        s.size,
        s.align,
        s.fromMemstart ? (st.memstart ?? 0n) : 0n,
        MEMBLOCK_ALLOC_ACCESSIBLE,
        s.nid ?? NUMA_NO_NODE,
        s.caller,
      );
      done.push(r);
      sizes.push(s.size);
    } else {
      const b = done[s.of];
      const sz = sizes[s.of];
      done.push(0n);
      sizes.push(0n);
      if (!b || sz === undefined) continue;
      if (s.at === 'end') mb.physFree(b + sz, s.size ?? 0n, s.caller);
      else mb.physFree(b, sz, s.caller);
    }
  }
}

/**
 * print_unknown_bootoptions (init/main.c): builds " a b=c" in a memblock_alloc'd buffer
 * (1 + Σ(1 + strlen)), prints it without the first space, frees the buffer.
 */
function printUnknownBootoptions(st: BootState): void {
  const { ctx } = st;
  const u = ctx.cmdline.unknown;
  if (!u.length) return;
  const len = BigInt(1 + u.reduce((a, x) => a + 1 + new TextEncoder().encode(x).length, 0));
  const buf = ctx.profile.arch === 'arm64' ? ctx.memblock.alloc(len, BigInt(ctx.profile.smpCacheBytes), 'start_kernel') : 0n;
  ctx.printk(
    'notice',
    `Unknown kernel command line parameters "${u.join(' ')}", will be passed to user space.`,
    'print_unknown_bootoptions',
  );
  if (buf) ctx.memblock.physFree(buf, len, 'start_kernel');
}

/** reserve_mem= (mm/memblock.c 6.12): memblock_phys_alloc(size, align) per entry, at most 8, unique names. */
function reserveMemSetup(st: BootState): void {
  const { ctx } = st;
  const mb = ctx.memblock;
  for (const r of ctx.cmdline.reserveMem) {
    if (st.result.reserveMem.length >= 8) break; // RESERVE_MEM_MAX_ENTRIES: -EBUSY
    if (st.result.reserveMem.some((x) => x.name === r.name)) continue; // -EBUSY
    const start = mb.physAlloc(r.size, r.align, 'reserve_mem');
    if (!start) continue; // -ENOMEM
    st.result.reserveMem.push({ name: r.name, base: start, size: r.size });
  }
}
