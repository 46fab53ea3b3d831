// arch/arm/mm/mmu.c: adjust_lowmem_bounds (where lowmem ends and memblock's limit sits),
// arm_mm_memblock_reserve (swapper_pg_dir) and paging_init (map_lowmem's PTE tables,
// dma_contiguous_remap, devicemaps/kmap/zero page, then bootmem_init lets memblock resize).
import { diag } from '../../../diagnostics.js';
import { BootHang, BootPanic, MiB, notRam, writeRam, type BootState } from '../../boot-state.js';
import { formatPa, hex, MEMBLOCK_NOMAP, roundDown, roundUp } from '../../memblock.js';
import { dmaContiguousRemapList, dmaMmuRemapReport } from './dma-mapping.js';
import { ownLadder } from '../../oom.js';
import { consoleShowsInfo, mmioEarlycon } from '../../earlycon.js';
import { armMachine } from './machines.js';

const PMD = 2n * MiB; // PMD_SIZE: 2 MiB with and without LPAE (a section pair on classic MMU)
const TASK_GAP = 16n * MiB; // TASK_SIZE = PAGE_OFFSET - SZ_16M (arch/arm/include/asm/memory.h)

/** adjust_lowmem_bounds: lowmem ends where the vmalloc area must start; returns arm_lowmem_limit. */
export function adjustLowmemBounds(st: BootState): bigint {
  const { ctx } = st;
  const a = ctx.profile.arm!;
  const mb = ctx.memblock;
  const ramBase = st.layout.memory[0]!.base;
  const vmallocSize = ctx.cmdline.vmallocSize ?? a.vmallocDefault;
  const vmallocLimit = a.vmallocEnd - vmallocSize - 8n * MiB - a.pageOffset + ramBase; // PHYS_OFFSET
  const mapped = () => mb.memory.regions.filter((r) => !(r.flags & MEMBLOCK_NOMAP));
  const first = mapped()[0];
  if (first && first.base % PMD) mb.markNomap(first.base, roundUp(first.base, PMD) - first.base);
  let lowmemLimit = 0n;
  let memblockLimit = 0n;
  for (const r of mapped()) {
    const e = r.base + r.size;
    if (r.base >= vmallocLimit) continue;
    if (e > lowmemLimit) lowmemLimit = e < vmallocLimit ? e : vmallocLimit;
    if (!memblockLimit) {
      if (r.base % PMD) memblockLimit = r.base;
      else if (e % PMD) memblockLimit = lowmemLimit;
    }
  }
  if (!memblockLimit) memblockLimit = lowmemLimit;
  memblockLimit = roundDown(memblockLimit, PMD);
  // without CONFIG_HIGHMEM what lies past lowmem is dropped, from memblock's limit (rounded down to
  // a PMD) on; the second call (after arm_memblock_init) drops what a failed no-map region's
  // memblock_add gave back up there
  const end = mb.endOfDram();
  if (!a.highmem && end > lowmemLimit) {
    const pa = (x: bigint) => formatPa(x, ctx.profile.physAddrBits);
    ctx.printk('notice', `Ignoring RAM at ${pa(memblockLimit)}-${pa(end)}`, 'adjust_lowmem_bounds');
    ctx.printk('notice', 'Consider using a HIGHMEM enabled kernel.', 'adjust_lowmem_bounds');
    mb.remove(memblockLimit, end - memblockLimit, 'adjust_lowmem_bounds');
  }
  mb.setCurrentLimit(memblockLimit);
  return lowmemLimit;
}

/**
 * prepare_page_table (arch/arm/mm/mmu.c) clears every kernel-space PMD from the one holding the
 * end of memblock.memory.regions[0] (no-map or not) up to VMALLOC_START. When that PMD starts
 * below the end of the kernel image (a no-map region at the start of RAM, below, inside or just
 * above the kernel),
 * the PMDs the running kernel, its stack and swapper_pg_dir are mapped through go too, until
 * paging_init maps them again: 5.10's map_lowmem maps the kernel's sections in its pass over
 * memory, 6.1+'s maps every other range first (create_mapping for each) and map_kernel the kernel
 * after. In between the CPU runs on what its TLB still holds: nothing flushes it, but a
 * translation it never held, or lost, is walked in the cleared tables and faults, and the
 * exception vectors are not mapped before devicemaps_init, so the CPU loops there in silence. Which
 * translations that code needs anew is the build's code layout and the TLB's, not a file's: the lab
 * measures each 32-bit build under QEMU virt (memory-ladder.ts --unmapped: OomLadder.unmapped, by
 * the first PMD cleared). 7.2-armmp-lpae faults there on every boot (traced with QEMU: on d536bc9a a
 * prefetch abort at the out-of-line pmd_offset in .text that __create_mapping calls, first run
 * then), 7.2-armmp, whose two-level tables fold pmd_offset inline, gets through. Where every
 * measured boot of the build with those PMDs cleared hung, a QEMU virt boot is predicted to hang
 * in paging_init; otherwise (and on other platforms, whose CPU and TLB were not measured) a
 * warning says so.
 */
function preparePageTable(st: BootState, lowmemLimit: bigint): void {
  const first = st.ctx.memblock.memory.regions[0];
  const k = st.result.kernelImage;
  if (!first || !k) return;
  const end = first.base + first.size < lowmemLimit ? first.base + first.size : lowmemLimit;
  // the loop starts at pmd_off_k(__phys_to_virt(end)): the whole PMD holding `end` goes
  const from = roundDown(end, PMD);
  if (from >= k.base + k.size) return;
  st.result.kernelUnmappedFrom = from;
  const where = end < k.base + k.size ? 'below the end of the kernel image' : "inside the PMD that holds the kernel image's end";
  const what = `memblock's first memory region ends at ${hex(end)}, ${where} ${hex(k.base + k.size)}: prepare_page_table (arch/arm/mm/mmu.c) clears the kernel's own mappings from that PMD, ${hex(from)}, until paging_init maps them again (map_lowmem, or map_kernel after every other memory range)`;
  const ramBase = st.layout.memory[0]!.base;
  const measured = (ownLadder(st.ctx.profile, st.input.ladders ?? 'lab+cache')?.unmapped ?? []).filter(
    (x) => BigInt(x.from) === from - ramBase,
  );
  const hung = measured.filter((x) => x.end === 'hang');
  const booted = `${measured.length} boot(s) of this build under QEMU virt with the same PMDs cleared (${measured.map((x) => `${x.ramMiB} MiB: ${x.end === 'init' ? 'reached /init' : x.end === 'hang' ? 'hung' : `died in ${x.end.fn}`}`).join(', ')})`;
  if (st.layout.name === 'qemu-virt' && measured.length >= 2 && hung.length === measured.length)
    throw new BootHang(
      'paging_init',
      `${what}; the code that runs meanwhile needs a translation the TLB does not hold, the walk finds the cleared PMD and the abort goes to exception vectors not mapped yet, so the CPU loops there: measured, ${booted}`,
    );
  st.ctx.diagnostics.push(
    diag(
      'warning',
      'kernel-unmapped-in-paging-init',
      `${what}, and the boot gets through only if the CPU's TLB still holds every translation it needs meanwhile (${measured.length ? `${booted}${st.layout.name === 'qemu-virt' ? '' : "; a board's CPU and TLB may differ"}` : 'not measured on this build: memory-ladder.ts --unmapped'})`,
    ),
  );
}

/** arm_mm_memblock_reserve: swapper_pg_dir (and the LPAE pgd) below the kernel. */
export function armMmMemblockReserve(st: BootState): void {
  const p = st.ctx.profile;
  const a = p.arm!;
  const callers = p.series.arm.reserveCallers;
  st.ctx.memblock.reserve(
    st.layout.memory[0]!.base + a.pgdirOffset,
    a.pgdirSize,
    p.physAddrBits === 64 ? callers.pgdirLpae : callers.pgdir,
  );
}

/**
 * arm paging_init (arch/arm/mm/mmu.c): map_lowmem() needs a PTE table (early_alloc, 4 KiB, below
 * the current limit) for every 2 MiB block where a mapped bank edge is not section aligned; the
 * limit then rises to arm_lowmem_limit; dma_contiguous_remap() re-maps each CMA area's lowmem part
 * page by page (iotable_init: one static_vm, then a PTE table per 2 MiB); devicemaps_init (with
 * pci_reserve_io's static_vm), kmap_init and the zero page follow.
 */
export function pagingInit(st: BootState, lowmemLimit: bigint): void {
  const mb = st.ctx.memblock;
  const pi = st.ctx.profile.arm!.pagingInit;
  const PMD = 2n * MiB;
  const page = mb.pageSize;
  const early = (sz: bigint) => mb.allocOrPanic(sz, sz, 'early_alloc');
  preparePageTable(st, lowmemLimit);
  // map_lowmem: one create_mapping per memory region; alloc_init_pmd maps each PMD-sized piece
  // [addr, next) with sections when addr and next (and phys) are SECTION_SIZE aligned, else
  // wants a PTE table for the block
  const ptes = new Set<bigint>();
  // 2-level tables (SECTION_SIZE 1 MiB): blocks whose first entry a region's section filled
  const firstHalfSection = new Map<bigint, bigint>();
  // map_lowmem (6.1 and later) leaves the kernel's sections [kernel_sec_start, kernel_sec_end) to
  // map_kernel; head.S set them from PHYS_OFFSET to _end rounded up to SECTION_SIZE. A memory
  // range that is exactly those sections (a no-map region starting at kernel_sec_end) gets
  // start = kernel_sec_end (its case 1) and end = kernel_sec_start (case 3): create_mapping's
  // length end - start wraps, and it maps sections from kernel_sec_end's address to the top of
  // the address space and round to PAGE_OFFSET. Every PMD above is then a section. A range from
  // kernel_sec_start that ends inside the kernel's sections (a no-map region just past the image,
  // in its last section) gets case 1 alone: its start moves past its end and the length wraps too.
  // __create_mapping's first pgd_addr_end (and alloc_init_pmd's pmd_addr_end) then returns the
  // wrapped end itself, so the whole wrap is one step: with the end on a section boundary it is
  // sections all round, as above; off one, alloc_init_pte gets a start above its end and writes
  // PTEs from kernel_sec_end's address round the address space, far past its one table.
  const k = st.result.kernelImage;
  const physOffset = st.layout.memory[0]!.base;
  const secEnd = k && physOffset + roundUp(k.base + k.size - physOffset, pi.sectionSize);
  let wrappedFrom: bigint | undefined;
  for (const r of mb.memory.regions) {
    if (r.flags & MEMBLOCK_NOMAP) continue;
    const start = r.base;
    let end = r.base + r.size;
    if (end > lowmemLimit) end = lowmemLimit;
    if (start >= end) break;
    if (st.ctx.profile.series.arm.mapLowmemKernelCases && secEnd !== undefined && start === physOffset && end <= secEnd) {
      if (end % pi.sectionSize)
        throw new BootHang(
          'alloc_init_pte',
          `map_lowmem (arch/arm/mm/mmu.c, from paging_init) finds the memory range [${hex(start)}-${hex(end)}) starting at kernel_sec_start and ending inside the kernel's sections, before kernel_sec_end ${hex(secEnd)}: case 1 moves its start to kernel_sec_end, past its end, so create_mapping's length wraps; pgd_addr_end and pmd_addr_end give the wrapped end at once, and ${hex(end)} is no section boundary, so alloc_init_pte, its start above its end, writes PTEs from kernel_sec_end's address round the address space to ${hex(end)}'s, far past the end of its PTE table over the memory after it, and the boot dies before the exception vectors are mapped, in silence`,
        );
      wrappedFrom = secEnd;
    }
    for (let addr = start; addr < end; ) {
      const b = roundDown(addr, PMD);
      const next = b + PMD < end ? b + PMD : end;
      if ((addr | next) % pi.sectionSize === 0n) {
        if (addr === b) firstHalfSection.set(b, next);
      } else {
        // arm_pte_alloc: pmd_none(*pmd) reads the block's first entry (on 2-level tables
        // pmd_offset is the pair's first one); a section there is pmd_bad: BUG_ON
        if (wrappedFrom !== undefined && b >= wrappedFrom && !ptes.has(b))
          throw new BootHang(
            'arm_pte_alloc',
            `map_lowmem (arch/arm/mm/mmu.c, from paging_init) finds the memory range [${hex(physOffset)}-${hex(wrappedFrom)}) equal to the kernel's sections (kernel_sec_start..kernel_sec_end) and cuts both ends away: create_mapping gets a length that wraps and maps sections over every PMD from ${hex(wrappedFrom)}'s address on; the next range's part [${hex(addr)}-${hex(next)}) wants a PTE table there, and arm_pte_alloc's BUG_ON(pmd_bad) on the section traps before the exception vectors exist, and the CPU loops on the vector page`,
          );
        const sect = firstHalfSection.get(b);
        if (sect !== undefined && !ptes.has(b))
          throw new BootHang(
            'arm_pte_alloc',
            `map_lowmem (arch/arm/mm/mmu.c, from paging_init) mapped [${hex(b)}-${hex(sect)}) with a section, the first half of the 2 MiB block at ${hex(b)}; the next memory region's part of that block, [${hex(addr)}-${hex(next)}), is not section aligned and wants a PTE table, but arm_pte_alloc finds the section in the block's first entry (2-level tables): its BUG_ON(pmd_bad) traps before the exception vectors exist, and the CPU loops on the vector page`,
          );
        ptes.add(b);
      }
      addr = next;
    }
  }
  // Lowmem the remap left without a mapping: each area's cleared PMD blocks, less the pages
  // create_mapping maps again (only the area's own). memblock_alloc zeroes what it hands out
  // through the linear map, so a static_vm or PTE table placed there aborts; before
  // devicemaps_init maps the vectors that is the same silent loop.
  let holes: { start: bigint; end: bigint }[] = [];
  const unmap = (s: bigint, e: bigint) => {
    mapAgain(s, e);
    holes.push({ start: s, end: e });
  };
  const mapAgain = (s: bigint, e: bigint) => {
    holes = holes.flatMap((h) =>
      h.end <= s || e <= h.start
        ? [h]
        : [...(h.start < s ? [{ start: h.start, end: s }] : []), ...(e < h.end ? [{ start: e, end: h.end }] : [])],
    );
  };
  const zeroed = (base: bigint, size: bigint, fn: string, what: string) => {
    // (0: the allocation failed; early_alloc's own panic is not followed here)
    const off = base ? notRam(st, base, size) : undefined;
    if (off)
      throw new BootHang(
        fn,
        `${what} at ${hex(base)}: memblock_alloc zeroes ${off}; the write aborts before the exception vectors exist, and the CPU loops on the vector page`,
      );
    const h = holes.find((x) => base < x.end && x.start < base + size);
    if (h)
      throw new BootHang(
        fn,
        `${what} at ${hex(base)}, which memblock_alloc zeroes through the linear map, but dma_contiguous_remap (arch/arm/mm/dma-mapping.c, from paging_init) cleared the PMD over [${hex(h.start)}-${hex(h.end)}) and maps again only the CMA area's own pages: the write aborts before the exception vectors exist, and the CPU loops on the vector page`,
      );
    return base;
  };
  const tables = new Map<bigint, bigint>();
  st.pteTables = tables;
  for (const b of ptes) tables.set(b, zeroed(early(page), page, 'early_alloc', `map_lowmem's PTE table for the block at ${hex(b)}`));
  /** map_lowmem put a section (no PTE table) at the start of the PMD block `b`. */
  const sectionMapped = (b: bigint): boolean =>
    b < lowmemLimit &&
    !ptes.has(b) &&
    mb.memory.regions.some((r) => !(r.flags & MEMBLOCK_NOMAP) && r.base <= b && b + pi.sectionSize <= r.base + r.size);
  mb.setCurrentLimit(lowmemLimit);
  // dma_contiguous_remap: the areas dma_contiguous_early_fixup() recorded, in order
  const staticVms: { start: bigint; end: bigint }[] = [];
  // the blocks the remap gave a PTE table (by physical address)
  const remapTables = new Set<bigint>();
  for (const [i, area] of dmaContiguousRemapList(st).entries()) {
    // a fixup past the array's end wrote beyond it, and reading that entry again is reported
    dmaMmuRemapReport(st, 'dma_contiguous_remap', i);
    const start = area.base;
    let end = area.base + area.size;
    if (end > lowmemLimit) end = lowmemLimit;
    if (start >= end) continue;
    // It clears the PMDs from `start` in PMD_SIZE steps while below `end`: from an unaligned start
    // the step can pass over the block holding the area's end, which keeps its map_lowmem section.
    // MT_MEMORY_DMA_READY has no section type, so create_mapping wants a PTE table in every block:
    // in one still holding a section arm_pte_alloc's BUG_ON(pmd_bad(*pmd)) fires (same silence).
    const cleared = new Set<bigint>();
    for (let a = start; a < end; a += PMD) cleared.add(roundDown(a, PMD));
    // Clearing a block of the kernel image unmaps the code and stack dma_contiguous_remap runs on:
    // the next fetch or stack access aborts into the vectors not mapped yet (same silence).
    const k = st.result.kernelImage;
    const hit = k && [...cleared].find((b) => b < k.base + k.size && k.base < b + PMD);
    if (k && hit !== undefined)
      throw new BootHang(
        'dma_contiguous_remap',
        `dma_contiguous_remap (arch/arm/mm/dma-mapping.c, from paging_init) clears the PMD at ${hex(hit)} to re-map [${hex(start)}-${hex(end)}) page by page, but it maps the kernel image [${hex(k.base)}-${hex(k.base + k.size)}) it runs from: the next instruction fetch or stack access aborts before the exception vectors exist, and the CPU loops on the vector page`,
      );
    for (const b of cleared) unmap(b, b + PMD);
    zeroed(
      mb.allocOrPanic(pi.staticVmSize, pi.staticVmAlign, 'iotable_init'),
      pi.staticVmSize,
      'iotable_init',
      "iotable_init's struct static_vm",
    );
    for (let b = roundDown(start, PMD); b < end; b += PMD) {
      if (!cleared.has(b) && sectionMapped(b)) {
        throw new BootHang(
          'arm_pte_alloc',
          `dma_contiguous_remap (arch/arm/mm/dma-mapping.c, from paging_init) re-maps [${hex(start)}-${hex(end)}) page by page, but stepping ${hex(PMD)} from its unaligned start it never cleared the block at ${hex(b)}, which map_lowmem mapped with a section: arm_pte_alloc's BUG_ON(pmd_bad) traps before the exception vectors exist, and the CPU loops on the vector page`,
        );
      }
      // arm_pte_alloc allocates only where the PMD is empty: a block the clearing stepped over keeps
      // the PTE table map_lowmem (or an earlier area's remap) gave it, and the area's pages go there
      if (cleared.has(b) || !(ptes.has(b) || remapTables.has(b)))
        tables.set(b, zeroed(early(page), page, 'early_alloc', `the PTE table for the block at ${hex(b)}`));
      remapTables.add(b);
      mapAgain(roundDown(b > start ? b : start, page), roundUp(b + PMD < end ? b + PMD : end, page));
    }
    // iotable_init → add_static_vm_early → vm_area_add_early (mm/vmalloc.c): a static_vm
    // overlapping one already listed is a BUG_ON; the exception vectors are not mapped before
    // devicemaps_init, so the undefined-instruction trap faults on the vector page for ever and
    // the console stays silent. Two recorded areas overlap when a region was fixed up for
    // remapping, then refused by its handler and freed, and the default CMA area was put there.
    const vm = { start: roundDown(start, page), end: roundUp(end, page) };
    const clash = staticVms.find((o) => o.start < vm.end && vm.start < o.end);
    if (clash)
      throw new BootHang(
        'vm_area_add_early',
        `dma_contiguous_remap (arch/arm/mm/dma-mapping.c, from paging_init) maps [${hex(vm.start)}-${hex(vm.end)}) for a CMA area over [${hex(clash.start)}-${hex(clash.end)}), which it already mapped for an earlier dma_contiguous_early_fixup() entry: vm_area_add_early's BUG_ON traps before the exception vectors exist, and the CPU loops on the vector page`,
      );
    staticVms.push(vm);
  }
  earlyFixmapShutdown(st);
  /** An early_alloc() whose table or page is written at once (writeRam: what it overwrites). */
  const writeEarly = (size: bigint, fn: string) => {
    const b = early(size);
    if (b) writeRam(st, b, size, fn);
  };
  // devicemaps_init: the vectors' two pages and their PTE table come before the vectors are mapped
  zeroed(early(2n * page), 2n * page, 'devicemaps_init', "devicemaps_init's vector pages");
  zeroed(early(page), page, 'devicemaps_init', "the vectors' PTE table");
  // mdesc->map_io (./machines.ts): iotable_init's static_vm array, then create_mapping's PTE table
  // for each 2 MiB block of the vmalloc area a mapping lands in (devicemaps_init cleared them all)
  const machine = armMachine(st.ctx.tree);
  if (machine && !machine.mapIo)
    st.ctx.diagnostics.push(
      diag(
        'note',
        'machine-map-io',
        `the kernel boots this tree as '${machine.name}', whose map_io (${machine.source}) maps devices from devicemaps_init: carveout does not model it, so its struct static_vm and PTE tables (a page or more) are reserved beyond the plan's`,
      ),
    );
  const ioTables = new Set<bigint>();
  for (const descs of machine?.mapIo ?? []) {
    const size = pi.staticVmSize * BigInt(descs.length);
    zeroed(mb.allocOrPanic(size, pi.staticVmAlign, 'iotable_init'), size, 'iotable_init', `${machine!.name}'s struct static_vm`);
    for (const d of descs)
      for (let b = roundDown(d.virtual, PMD); b < d.virtual + d.length; b += PMD) {
        if (ioTables.has(b)) continue;
        ioTables.add(b);
        zeroed(early(page), page, 'early_alloc', `the PTE table for ${hex(b)} (${machine!.source})`);
      }
  }
  // devicemaps_init ends with pci_reserve_io (CONFIG_PCI, no NEED_MACH_IO_H: ArmLayout.pciReserveIo):
  // vm_reserve_area_early's struct static_vm for PCI_IO_VIRT_BASE, before kmap_init's tables
  if (pi.pciReserveIo) mb.allocOrPanic(pi.staticVmSize, pi.staticVmAlign, 'vm_reserve_area_early');
  // kmap_init's pkmap PTE table is CONFIG_HIGHMEM's only
  if (st.ctx.profile.arm!.highmem) {
    // kmap_init: early_pte_alloc(pmd_off_k(PKMAP_BASE)), PKMAP_BASE = PAGE_OFFSET - PMD_SIZE. Memory
    // below PHYS_OFFSET (a failed no-map region given back with memblock_add, 5.10's
    // fdt_init_reserved_mem) has linear addresses below PAGE_OFFSET: when map_lowmem mapped the
    // block under PHYS_OFFSET with a section, arm_pte_alloc's BUG_ON(pmd_bad) fires there. The
    // vectors are mapped by then, so the BUG oopses in the idle task. create_mapping refuses a
    // piece whose linear address lies below TASK_SIZE (PAGE_OFFSET - 16 MiB, "BUG: not creating
    // mapping ... in user region"): map_lowmem's piece under the kernel starts at its region's base.
    const pkmap = physOffset - PMD;
    const below = mb.memory.regions.find((r) => r.base <= pkmap && pkmap < r.base + r.size);
    if (below && below.base >= physOffset - TASK_GAP && sectionMapped(pkmap))
      throw new BootPanic(
        'Attempted to kill the idle task!',
        ['Internal error: Oops - BUG: 0 [#1] SMP ARM', 'Kernel panic - not syncing: Attempted to kill the idle task!'],
        'arm_pte_alloc',
        `memblock.memory reaches below PHYS_OFFSET ${hex(physOffset)}, and map_lowmem (arch/arm/mm/mmu.c, from paging_init) mapped [${hex(pkmap)}-${hex(pkmap + pi.sectionSize)}) with a section at its linear address PAGE_OFFSET - PMD_SIZE, which is PKMAP_BASE: kmap_init's early_pte_alloc finds the section there and arm_pte_alloc's BUG_ON(pmd_bad) oopses`,
      );
    // early_pte_alloc allocates only where the PMD is empty: a CMA area the remap mapped in the
    // block below PHYS_OFFSET (a region below RAM, fixed up for remapping) left its PTE table at
    // PKMAP_BASE, which kmap_init takes as it is
    if (!remapTables.has(pkmap)) writeEarly(page, 'kmap_init');
  }
  // kmap_init's fixmap PTE table; then (up to 6.12) paging_init's empty_zero_page
  writeEarly(page, 'paging_init');
  if (pi.zeroPageEarlyAlloc) writeEarly(page, 'paging_init');
  st.unmapped = holes.map((h) => ({ base: h.start, size: h.end - h.start }));
  // bootmem_init (arch/arm/mm/init.c), the end of paging_init: memblock_allow_resize
  mb.allowResize();
}

/**
 * early_fixmap_shutdown (arch/arm/mm/mmu.c, paging_init after dma_contiguous_remap, the same in
 * 5.10 to 7.2) clears the fixmap's PMD, then create_mapping()s the early console's page again
 * (FIX_EARLYCON_MEM_BASE, the one permanent fixmap slot): early_pte_alloc's memblock_alloc prints
 * its memblock=debug line through that console, whose registers lie behind the page just
 * unmapped. The write faults before devicemaps_init has mapped the exception vectors, and the CPU
 * loops on the vector page in silence. Only when the line reaches the console: an MMIO earlycon is
 * on (earlycon.ts) and console_loglevel shows KERN_INFO. Booted: an own 6.12 build's boot with
 * `earlycon=pl011,0x9000000 memblock=debug` falls silent after dma_contiguous_remap's allocations
 * (the lab's 32-bit memblock=debug boots stop at the MEMBLOCK dump before this point, and keep
 * the whole trace from boots without earlycon).
 */
function earlyFixmapShutdown(st: BootState): void {
  const { ctx } = st;
  if (!ctx.cmdline.memblockDebug || !consoleShowsInfo(ctx.cmdline.args)) return;
  const con = mmioEarlycon(ctx.cmdline.args, ctx.tree);
  if (!con) return;
  throw new BootHang(
    'early_fixmap_shutdown',
    `the early console (${con.name}) writes through the fixmap page early_fixmap_shutdown (arch/arm/mm/mmu.c, from paging_init) has just unmapped to map it again, and memblock=debug makes the PTE table that takes print a line first: the console write faults before devicemaps_init has mapped the exception vectors, and the CPU loops on the vector page in silence (without memblock=debug, or without earlycon, the boot goes on)`,
  );
}
