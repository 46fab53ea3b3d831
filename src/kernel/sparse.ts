// mm/sparse.c sparse_init (SPARSEMEM_VMEMMAP + SPARSEMEM_EXTREME, as arm64 builds it): the
// mem_section roots, the usemap near NODE_DATA, the memmap buffer (sparse_buffer_init) and the
// vmemmap page tables (mm/sparse-vmemmap.c), sparse_buffer_fini freeing what was not used.
import { touch, type BootState } from './boot-state.js';
import { MEMBLOCK_ALLOC_ACCESSIBLE, roundDown, roundUp } from './memblock.js';

export function sparseInit(st: BootState, nd: bigint): void {
  const p = st.ctx.profile;
  const sp = p.arm64!.sparse;
  const mb = st.ctx.memblock;
  const page = BigInt(p.pageSize);
  const memstart = st.memstart!;
  const secShift = BigInt(sp.sectionSizeBits);
  const sections = new Set<bigint>();
  for (const r of mb.memory.regions) for (let s = r.base >> secShift; s <= (r.base + r.size - 1n) >> secShift; s++) sections.add(s);
  touch(st, mb.alloc(sp.memSectionRootsBytes, 64n, 'sparse_init'), sp.memSectionRootsBytes, 'sparse_init');
  const roots = new Set([...sections].map((s) => s / BigInt(sp.sectionsPerRoot)));
  for (let i = 0; i < roots.size; i++)
    touch(st, mb.allocTryNid(sp.rootBytes, 64n, 0n, MEMBLOCK_ALLOC_ACCESSIBLE, 0, 'sparse_index_alloc'), sp.rootBytes, 'sparse_init');
  const goal = roundDown(nd, 1n << secShift);
  const usemap = sp.usemapBytesPerSection * BigInt(sections.size);
  touch(st, mb.allocTryNid(usemap, 64n, goal, goal + (1n << secShift), 0, 'sparse_init_nid'), usemap, 'sparse_init');
  const pagesPerSection = 1n << (secShift - BigInt(p.pageShift));
  const sectionMapSize = roundUp(sp.structPageSize * pagesPerSection, sp.pmdSize);
  const buf = mb.allocTryNid(
    sectionMapSize * BigInt(sections.size),
    sectionMapSize,
    memstart,
    MEMBLOCK_ALLOC_ACCESSIBLE,
    0,
    'memmap_alloc',
    'memblock_alloc_exact_nid_raw',
  );
  const early = (size: bigint) =>
    mb.allocTryNid(size, size, memstart, MEMBLOCK_ALLOC_ACCESSIBLE, 0, '__earlyonly_bootmem_alloc', 'memblock_alloc_try_nid_raw');
  // vmemmap page tables are zeroed through the linear map (vmemmap_alloc_block_zero)
  for (let i = 0; i < sp.vmemmapTablesFixed; i++) touch(st, early(page), page, 'sparse_init');
  if (!buf) {
    // No sparse buffer (memmap_alloc failed): vmemmap_alloc_block_buf() falls back to one
    // __earlyonly_bootmem_alloc() per block — PMD blocks with 4 KiB pages, base pages otherwise.
    if (p.pageSize === 4096) for (let i = 0; i < sections.size; i++) early(sectionMapSize);
    else {
      const pages = (BigInt(sections.size) * roundUp(sp.structPageSize * pagesPerSection, page)) / page;
      for (let i = 0n; i < pages; i++) early(page);
    }
  }
  // sparse_buffer_fini: with 4 KiB pages vmemmap_populate() maps PMD blocks carved from the
  // buffer (all of it used); other page sizes populate base pages, and the rest is freed.
  if (buf && p.pageSize !== 4096) {
    const used = BigInt(sections.size) * roundUp(sp.structPageSize * pagesPerSection, page);
    const total = sectionMapSize * BigInt(sections.size);
    if (used < total) mb.physFree(buf + used, total - used, 'memblock_free');
  }
}
