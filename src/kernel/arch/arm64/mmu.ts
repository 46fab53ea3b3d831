// arch/arm64/mm/mmu.c: paging_init — map_mem() builds the linear map from early_pgtable_alloc()
// pages (how many: countLinearMapTables), the init_pg_dir is freed, memblock may resize from then on.
import type { BootState } from '../../boot-state.js';
import { MEMBLOCK_ALLOC_NOLEAKTRACE, MEMBLOCK_NOMAP } from '../../memblock.js';
import type { Bank } from '../../../platform/index.js';
import { kernelText } from './init.js';

/** Page-table pages the linear map needs (arch/arm64/mm/mmu.c map_mem → __create_pgd_mapping). */
export function countLinearMapTables(
  mapped: Bank[],
  kernelAlias: Bank,
  memstart: bigint,
  levelShifts: number[],
  pageGranular: boolean,
  aliasBlocks = true,
): number {
  const [pteShift, ...upper] = levelShifts as [number, ...number[]];
  const blk = 1n << BigInt(pteShift);
  const pteTables = new Set<bigint>();
  const upperTables = upper.map(() => new Set<bigint>());
  const touch = (b: Bank, needPte: (idx: bigint) => boolean) => {
    if (b.size <= 0n) return;
    const s = b.base - memstart;
    const e = s + b.size; // exclusive
    for (let i = s >> BigInt(pteShift); i <= (e - 1n) >> BigInt(pteShift); i++) if (needPte(i)) pteTables.add(i);
    upper.forEach((sh, k) => {
      for (let i = s >> BigInt(sh); i <= (e - 1n) >> BigInt(sh); i++) upperTables[k]!.add(i);
    });
  };
  // memory without the kernel alias, at page granularity (or blocks where aligned when allowed)
  for (const b of mapped) {
    touch(b, (i) => {
      if (pageGranular) return true;
      const bs = i * blk + memstart;
      return !(bs >= b.base && bs + blk <= b.base + b.size);
    });
  }
  // the kernel alias [_text, __init_begin): NO_CONT_MAPPINGS only, so aligned 2 MiB blocks are
  // sections (up to 6.12); 7.2 maps it with the flags of the rest of memory
  touch(kernelAlias, (i) => {
    if (!aliasBlocks) return true;
    const bs = i * blk + memstart;
    const full = bs >= kernelAlias.base && bs + blk <= kernelAlias.base + kernelAlias.size;
    return !full || pteTables.has(i);
  });
  return pteTables.size + upperTables.reduce((a, s) => a + s.size, 0);
}

/** Subtract `cut` from a list of ranges. */
function subtract(ranges: Bank[], cut: Bank): Bank[] {
  const out: Bank[] = [];
  const ce = cut.base + cut.size;
  for (const r of ranges) {
    const re = r.base + r.size;
    if (ce <= r.base || re <= cut.base) {
      out.push(r);
      continue;
    }
    if (r.base < cut.base) out.push({ base: r.base, size: cut.base - r.base });
    if (ce < re) out.push({ base: ce, size: re - ce });
  }
  return out;
}

export function pagingInit(st: BootState): void {
  const mb = st.ctx.memblock;
  const a = st.ctx.profile.arm64!;
  const page = BigInt(st.ctx.profile.pageSize);
  const text = kernelText(st);
  const memstart = st.memstart!;
  const pg = a.pgtable;
  const pgAlloc = () => mb.physAllocRange(page, page, 0n, MEMBLOCK_ALLOC_NOLEAKTRACE, pg.caller);
  for (let i = 0; i < pg.extraBefore; i++) pgAlloc();
  // map_mem's linear alias [kernel_start, __init_begin): kernel_start is the symbol
  // arm64_memblock_init reserves from (6.1 _stext, 6.12 _text; arch/arm64/mm/mmu.c)
  const kernelStart = text + a.reserveStartOffset;
  const alias: Bank = { base: kernelStart, size: text + a.initBeginOffset - kernelStart };
  st.unmapped = mb.memory.regions.filter((r) => r.flags & MEMBLOCK_NOMAP).map((r) => ({ base: r.base, size: r.size }));
  let mapped: Bank[] = mb.memory.regions.filter((r) => !(r.flags & MEMBLOCK_NOMAP)).map((r) => ({ base: r.base, size: r.size }));
  mapped = subtract(mapped, alias);
  const n = countLinearMapTables(mapped, alias, memstart, pg.levelShifts, pg.pageGranular, pg.aliasBlocks);
  for (let i = 0; i < n; i++) pgAlloc();
  if (pg.initPgDirFree) mb.physFree(text + pg.initPgDirFree.offsetFromText, pg.initPgDirFree.size, 'paging_init');
  mb.allowResize();
  for (let i = 0; i < pg.extraAfter; i++) pgAlloc();
}
