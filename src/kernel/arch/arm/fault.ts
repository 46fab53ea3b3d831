// arch/arm/mm/fault.c: what a kernel-mode fault on arm prints (__do_kernel_fault and show_pte),
// and when that report faults again on its own, over and over.
import { MiB, structPageAt, type BootState } from '../../boot-state.js';
import { roundDown } from '../../memblock.js';

const PMD = 2n * MiB;
/** PTE_HWTABLE_OFF on 2-level tables: the hardware tables sit in the second half of the PTE page. */
const HWTABLE_OFF = 0x800n;
const L_PGD_SWAPPER = 1n << 55n; // arch/arm/include/asm/pgtable-3level.h

const hex8 = (x: bigint) => x.toString(16).padStart(8, '0');

/** __do_kernel_fault's line for a paging request at `va` (6.2+ name the access). */
export function kernelFaultLine(st: BootState, va: bigint, access: 'read' | 'write'): string {
  return `Unable to handle kernel paging request at virtual address ${hex8(va)}${st.ctx.profile.series.arm.faultSaysAccess ? ` when ${access}` : ''}`;
}

/**
 * A fault on lowmem at physical `pa` (its linear address): what show_pte reads and prints. It walks
 * init_mm's tables for the address and, at a PMD pointing to a PTE table, asks
 * PageHighMem(pfn_to_page(pmd_val(*pmd) >> PAGE_SHIFT)) before it maps that table: it reads the
 * flags of the table page's struct page. `reads` is that struct page (physical), `pgd` the line
 * show_pte printed up to there; `reads` is undefined when the walk stops before (no PTE table: a
 * section, or nothing mapped), and the oops goes on to die().
 */
function showPte(st: BootState, pa: bigint): { va: bigint; pgd: string; reads?: bigint } | undefined {
  const a = st.ctx.profile.arm!;
  const physOffset = st.layout.memory[0]!.base;
  const va = a.pageOffset + pa - physOffset;
  const table = st.pteTables?.get(roundDown(pa, PMD));
  const lpae = st.ctx.profile.physAddrBits === 64;
  if (!table || !st.memMap) return undefined;
  // PMD_TYPE_TABLE entries (mmu.c early_pte_alloc with MT_MEMORY_* prot_l1): 2-level tables point
  // to the hardware half of the PTE page; pgd_val of a 2-level pgd is its pair's first entry.
  // LPAE: the pgd entry points to swapper's PMD table for the address's GiB (head.S).
  const pgd = lpae
    ? `[${hex8(va)}] *pgd=${hex8(physOffset + a.pgdirOffset + 0x1000n * (1n + (va >> 30n)) + 3n + L_PGD_SWAPPER)}, *pmd=${hex8(table + 3n)}`
    : `[${hex8(va)}] *pgd=${hex8(table + HWTABLE_OFF + 1n)}`;
  return { va, pgd, reads: structPageAt(st, table / st.ctx.memblock.pageSize) };
}

/**
 * A write fault at physical `pa` that nothing maps: when show_pte's read of the PTE table's struct
 * page itself lands where nothing is mapped, the report faults again there, and that fault's report
 * reads the same struct page: the kernel prints the same three lines over and over ("8<--- cut
 * here ---", the fault, the walk; each fault nested in the last: the lab's boots printed some 3,900
 * turns in 4 s, then fell silent) and gets no further. Returns those lines and the address, or
 * undefined when the report gets through to die() (what it prints and does there — the registers'
 * mem_dump_obj among it — is the run's).
 */
export function faultLoop(st: BootState, pa: bigint): { lines: string[]; at: bigint } | undefined {
  const unmapped = (x: bigint) => st.unmapped?.some((u) => u.base <= x && x < u.base + u.size) === true;
  let at = showPte(st, pa)?.reads;
  // each fault's report faults at the next address: a cycle is the loop (bounded: a few hops)
  const seen: bigint[] = [];
  for (let i = 0; i < 8 && at !== undefined && unmapped(at); i++) {
    if (seen.includes(at)) {
      const cycle = seen.slice(seen.indexOf(at));
      return {
        at,
        lines: cycle.flatMap((x) => {
          const walk = showPte(st, x)!;
          return ['8<--- cut here ---', kernelFaultLine(st, walk.va, 'read'), walk.pgd];
        }),
      };
    }
    seen.push(at);
    at = showPte(st, at)?.reads;
  }
  return undefined;
}
