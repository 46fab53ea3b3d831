// Running out of memory after memblock_free_all: the page allocator gets what memblock left
// (mm-init.ts pageAllocStart), and start_kernel, smp_init and the initcalls take their share from
// it. How much a build takes, and which allocation fails first when there is too little, no file
// states: the lab measures it per build (src/verify/memory-ladder.ts boots the build with less and
// less memory left; oom-ladders.ts keeps what it saw), and the plan reads the boot's outcome off
// that measurement, from the nearest measured amount.
import { diag } from '../diagnostics.js';
import { BootPanic, type BootState } from './boot-state.js';
import { OOM_LADDERS } from './oom-ladders.js';

/** Where in the boot a measured death happens: in the idle task (start_kernel), or in init and later (kernel_init). */
export type OomStage = 'start_kernel' | 'kernel_init';

/** How a boot with `free` KiB handed to the page allocator ended, as the lab saw it. */
export interface LadderStep {
  free: number;
  /** Reached /init, or died: in which stage, which function (an oops' pc, else panic()'s caller), panic()'s message. */
  end: 'init' | { stage: OomStage; fn: string; panic: string; message: string };
}

/** One build's measured ladder (steps by `free`, lowest first) and where it was measured. */
export interface OomLadder {
  /** The Debian package the ladder was booted on. */
  package: string;
  /** The records it was read from. */
  source: string;
  steps: LadderStep[];
}

/** The measured step nearest to `free` (KiB; the lower one on a tie), and its neighbours. */
export function nearestStep(ladder: OomLadder, free: number): { step: LadderStep; below?: LadderStep; above?: LadderStep } {
  const s = ladder.steps;
  let i = 0;
  for (let k = 1; k < s.length; k++) if (Math.abs(s[k]!.free - free) < Math.abs(s[i]!.free - free)) i = k;
  return { step: s[i]!, ...(i > 0 ? { below: s[i - 1]! } : {}), ...(i + 1 < s.length ? { above: s[i + 1]! } : {}) };
}

/**
 * The boot dies of too little memory where the build's measured ladder says a boot with this much
 * free memory dies (in start_kernel or in kernel_init: `end.stage`, before the core_initcalls the
 * layout decides otherwise).
 */
export function outOfMemory(st: BootState): void {
  const ladder = OOM_LADDERS[st.ctx.profile.id];
  const pa = st.result.pageAlloc;
  if (!pa) return;
  const free = Number((pa.freed * pa.pageSize) >> 10n);
  if (!ladder || ladder.package !== st.ctx.profile.debianPackage) {
    unmeasured(st, free, ladder);
    return;
  }
  const { step, below, above } = nearestStep(ladder, free);
  const end = step.end;
  if (end === 'init') return;
  const seen = (x: LadderStep | undefined) =>
    x === undefined ? '' : `; with ${x.free} KiB ${x.end === 'init' ? 'it reached /init' : `it died in ${x.end.fn} (${x.end.panic})`}`;
  throw new BootPanic(
    end.panic,
    [end.message, `Kernel panic - not syncing: ${end.panic}`],
    end.fn,
    `out of memory: memblock_free_all hands the page allocator ${free} KiB; the lab booted this build (${ladder.package}) with ${step.free} KiB and it died in ${end.fn}${seen(below)}${seen(above)} (${ladder.source})`,
  );
}

/** The least free memory (KiB) with which a measured build reached /init, and the most with which one died. */
function measuredBounds(ladder: OomLadder): { lived?: number; died?: number } {
  const lived = ladder.steps.filter((x) => x.end === 'init').map((x) => x.free);
  const died = ladder.steps.filter((x) => x.end !== 'init').map((x) => x.free);
  return { ...(lived.length ? { lived: Math.min(...lived) } : {}), ...(died.length ? { died: Math.max(...died) } : {}) };
}

/**
 * A build no ladder was measured on (another point release, a user's own build, a kernel the lab
 * has none for): when the page allocator gets less than some measured build died with, the plan
 * cannot say whether or where the boot dies, and says so instead of keeping quiet.
 */
function unmeasured(st: BootState, free: number, own: OomLadder | undefined): void {
  const died = Math.max(...Object.values(OOM_LADDERS).map((l) => measuredBounds(l).died ?? 0));
  if (free > died) return;
  const seen = Object.entries(OOM_LADDERS)
    .map(([id, l]) => {
      const b = measuredBounds(l);
      return `${id} died with ${b.died ?? '?'} KiB, reached /init with ${b.lived ?? '?'} KiB`;
    })
    .join('; ');
  st.ctx.diagnostics.push(
    diag(
      'warning',
      'out-of-memory-unmeasured',
      `memblock_free_all hands the page allocator only ${free} KiB, and how much the rest of the boot needs was not measured for this build (${st.ctx.profile.debianPackage}${own ? `; the lab measured ${own.package}` : ''}): the boot may run out of memory after memory setup. Measured Debian builds: ${seen}`,
    ),
  );
}
