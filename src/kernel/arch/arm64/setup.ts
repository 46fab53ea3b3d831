// arch/arm64/kernel/setup.c setup_arch, as far as memory goes: setup_machine_fdt (memory nodes,
// the blob reserved by fixmap_remap_fdt), parse_early_param, efi_init (booted through UEFI),
// arm64_memblock_init, paging_init,
// unflatten_device_tree, bootmem_init, request_standard_resources.
import { earlyParamFault, touch, type BootState } from '../../boot-state.js';
import { earlyInitDtScanMemory, unflattenDeviceTree } from '../../of-fdt.js';
import { efiInit } from '../../efi-init.js';
import { arm64MemblockInit, bootmemInit } from './init.js';
import { sparseInit } from '../../sparse.js';
import { pagingInit } from './mmu.js';
import { calcNrKernelPages } from '../../mm-init.js';
import { parameq } from '../../cmdline.js';
import { diag, type Diagnostic } from '../../../diagnostics.js';
import type { KernelProfile } from '../../profiles/types.js';
import type { BootCpu } from '../../../platform/cpu.js';

/**
 * arm64 early parameters whose effect on memory the model does not follow, and what they change.
 * (Their lines are not "unknown": the kernel takes them.)
 */
const NOT_MODELLED: Record<string, string> = {
  rodata:
    "rodata= sets rodata_full (arch/arm64: parse_rodata, 6.6+ arch_parse_debug_rodata), which decides whether map_mem maps the linear map with pages or blocks: the page tables paging_init allocates, and so every memblock placement after it and the Memory: line, are the build's default's",
  hugetlb_cma:
    "hugetlb_cma= makes arm64_hugetlb_cma_reserve declare CMA areas for gigantic pages (mm/hugetlb.c hugetlb_cma_reserve, aligned to the gigantic page size, per node): carveout does not place them, so what memblock places after bootmem_init's NUMA setup may differ",
};

/**
 * `arm64.nolva` (or its feature form) on the command line, as early_map_kernel's
 * init_feature_override reads /chosen/bootargs (arch/arm64/kernel/pi/idreg-override.c
 * __parse_cmdline: words split at whitespace, `-` read as `_`, up to a lone `--`).
 */
function nolvaGiven(raw: string): boolean {
  for (const word of raw.split(/[ \t\n\r\v\f]+/)) {
    if (word === '--') return false;
    const w = word.replaceAll('-', '_');
    if (w === 'arm64.nolva') return true;
    const m = /^id_aa64mmfr2\.varange=(.*)$/.exec(w);
    if (m && /^(0x0*|0+)$/i.test(m[1]!)) return true;
  }
  return false;
}

/**
 * primary_entry (arch/arm64/kernel/head.S) and early_map_kernel (arch/arm64/kernel/pi/map_kernel.c),
 * before start_kernel: `__enable_mmu` parks a CPU without the build's translation granule in
 * `__no_granule_support` before anything is printed; a build whose VA_BITS exceed VA_BITS_MIN runs
 * with VA_BITS_MIN unless the CPU has FEAT_LPA2 (4K/16K pages) or FEAT_LVA (64K) and the command
 * line does not hide it. Returns the profile the rest of the boot reads.
 */
export function earlyMapKernel(
  profile: KernelProfile,
  cpu: BootCpu | undefined,
  bootargs: string,
): { profile: KernelProfile; diagnostics: Diagnostic[]; hang?: { fn: string; reason: string } } {
  const a = profile.arm64!;
  const diagnostics: Diagnostic[] = [];
  // every Armv8 core has the 4K and 64K granules; the 16K one is optional (ID_AA64MMFR0_EL1.TGran16)
  const granule = profile.pageSize === 16384 ? cpu?.tgran16 : true;
  if (granule === false)
    return {
      profile,
      diagnostics,
      hang: {
        fn: '__no_granule_support',
        reason: `${cpu!.name} has no ${profile.pageSize / 1024}K translation granule (ID_AA64MMFR0_EL1.TGran${profile.pageSize / 1024}), which ${profile.id} is built for: __enable_mmu (arch/arm64/kernel/head.S) parks the CPU in __no_granule_support before the kernel prints anything, earlycon included`,
      },
    };
  if (cpu && granule === undefined)
    diagnostics.push(
      diag(
        'note',
        'cpu-granule-unknown',
        `whether ${cpu.name} has the ${profile.pageSize / 1024}K translation granule ${profile.id} needs is not known to carveout: planned as if it had (without it the kernel never starts: __no_granule_support)`,
      ),
    );
  if (!a.vaBitsMin) return { profile, diagnostics };
  const has = cpu ? cpu[a.vaBitsMin.needs] : true;
  const hidden = profile.series.arm64.nolva && nolvaGiven(bootargs);
  const feature = a.vaBitsMin.needs === 'lpa2' ? 'FEAT_LPA2' : 'FEAT_LVA';
  const min = a.vaBitsMin.layout;
  if (cpu?.from === 'assumed')
    diagnostics.push(
      diag(
        'note',
        'cpu-assumed',
        `the boot CPU ${cpu.compatible ? `('${cpu.compatible}') is not one carveout knows` : 'is not in the tree (no /cpus/cpu@… with a compatible)'}: taken to lack ${feature}, as every Armv8.0 to v9.0 core does, so ${profile.id} runs with ${min.vaBits}-bit virtual addresses; give --cpu (max: a core with ${feature}) to say otherwise`,
      ),
    );
  if (has && !hidden) return { profile, diagnostics };
  const why = hidden ? 'arm64.nolva on the command line hides it' : `${cpu!.name} lacks ${feature}`;
  diagnostics.push(
    diag(
      'note',
      'va-bits-min',
      `${profile.id} is built for ${a.vaBits}-bit virtual addresses but runs with ${min.vaBits} (${why}): ${a.pgtable.levelShifts.length - min.pgtable.levelShifts.length ? 'one page-table level fewer, ' : ''}PHYS_MASK_SHIFT ${min.physMaskShift}, memstart_addr moved down (arch/arm64/kernel/pi/map_kernel.c, arch/arm64/mm/init.c)`,
    ),
  );
  return { profile: { ...profile, arm64: min }, diagnostics };
}

export function setupArch(st: BootState): void {
  const { ctx, layout } = st;
  const mb = ctx.memblock;
  // setup_machine_fdt: memory nodes, then fixmap_remap_fdt() reserves the blob
  earlyInitDtScanMemory(ctx, layout.memory);
  if (layout.dtb) mb.reserve(layout.dtb.base, layout.dtb.size, 'fixmap_remap_fdt');
  // parse_early_param: memblock=debug starts printing from here
  st.setTraceStart(mb.events.length);
  earlyParamFault(st);
  if (layout.efi) efiInit(ctx, layout.efi, 0n); // MIN_MEMBLOCK_ADDR 0 (arch/arm64/include/asm/memory.h)
  for (const { param, val } of ctx.cmdline.args)
    for (const [name, why] of Object.entries(NOT_MODELLED))
      if (parameq(param, name) && val !== undefined) ctx.diagnostics.push(diag('warning', 'param-not-modelled', why));
  arm64MemblockInit(st);
  pagingInit(st);
  unflattenDeviceTree(st);
  const nodes = bootmemInit(st);
  // request_standard_resources: one struct resource (64 bytes) per memory region
  const res = BigInt(mb.memory.regions.length) * 64n;
  touch(st, mb.allocOrPanic(res, 64n, 'setup_arch'), res, 'setup_arch');
  // 7.2: start_kernel → mm_core_init_early → free_area_init → sparse_init
  if (ctx.profile.series.arm64.sparseInit === 'free-area-init') {
    sparseInit(st, nodes);
    calcNrKernelPages(st);
  }
}
