// Kernel rules: what each kernel's simulated boot (plan, src/kernel/plan.ts) says will go wrong.
// A finding is an error when the kernel prints a failure, drops a region or dies; a warning when it
// accepts the tree silently but something is at risk. The kernel line quoted is the one the plan
// predicts, so it is the line the real kernel prints (test/kernel/replay.test.ts holds that).
import { getProp, type Node } from '../tree/types.js';
import { findNode, u32 } from '../tree/query.js';
import { dmaRangesCpuEnd } from '../kernel/of-address.js';
import { isReserveEvent } from '../kernel/memblock.js';
import { BOOT_RISKS, type PlanRegion } from '../kernel/plan.js';
import { isUnknownParamsLine } from '../kernel/start-kernel.js';
import type { KernelRun, Rule, RuleContext } from './types.js';

const hex = (v: bigint): string => `0x${v.toString(16)}`;
const range = (base: bigint, size: bigint): string => `${hex(base)}..${hex(base + size - 1n)}`;

/** The node a plan region (or path) names: the user's tree first, else the tree the kernel booted. */
function nodeOf(ctx: RuleContext, run: KernelRun, path: string): Node | undefined {
  return findNode(ctx.tree, path) ?? (run.board.tree ? findNode(run.board.tree, path) : undefined);
}

/** First log line at or after `from` that satisfies `test`. */
function lineAt(run: KernelRun, test: (text: string) => boolean, from = 0): { kernelLine?: string; logIndex?: number } {
  const log = run.plan.log;
  for (let i = from; i < log.length; i++) if (test(log[i]!.text)) return { kernelLine: log[i]!.text, logIndex: i };
  return {};
}

/** The region a message of the plan names (a word of it is the region's name). */
function regionNamedIn(run: KernelRun, text: string): PlanRegion | undefined {
  const words = new Set(text.split(/[\s(),:'[\]]+/));
  return run.plan.regions.find((x) => words.has(x.name) || text.startsWith(`${x.name} `));
}

const placed = (r: PlanRegion): r is PlanRegion & { base: bigint; size: bigint } =>
  (r.status === 'ok' || r.status === 'no-handler') && r.base !== null && r.size !== null && r.size > 0n;

/** Bytes of [base, base+size) that lie in no memory bank. */
function outsideMemory(run: KernelRun, base: bigint, size: bigint): bigint {
  let inside = 0n;
  for (const b of run.plan.memory) {
    const lo = base > b.base ? base : b.base;
    const hiA = base + size;
    const hiB = b.base + b.size;
    const hi = hiA < hiB ? hiA : hiB;
    if (hi > lo) inside += hi - lo;
  }
  return size - inside;
}

/** The highest CPU address a device's DMA reaches through the `dma-ranges` of the buses above it (of_dma_get_range). */
function busDmaLimit(dev: Node): bigint | undefined {
  let limit: bigint | undefined;
  for (let bus = dev.parent; bus?.parent; bus = bus.parent) {
    const end = dmaRangesCpuEnd(bus, u32(bus.parent, '#address-cells') ?? 2);
    if (end !== undefined && (limit === undefined || end < limit)) limit = end;
  }
  return limit;
}

/** Where /chosen's bootargs was set, for findings caused by the command line. */
function bootargsNode(ctx: RuleContext): { node: Node | undefined; property?: string } {
  const chosen = findNode(ctx.tree, '/chosen');
  return chosen && getProp(chosen, 'bootargs') ? { node: chosen, property: 'bootargs' } : { node: undefined };
}

/** One rule per reason a handler gives before the kernel prints "node X compatible matching fail". */
interface RejectReason {
  id: string;
  re: RegExp;
  source: string;
  help: string;
  property?: string;
  hint?: (run: KernelRun, r: PlanRegion) => string | undefined;
  message: (run: KernelRun, r: PlanRegion) => string;
}

const rejectReasons: RejectReason[] = [
  {
    id: 'cma-alignment',
    re: /^Reserved memory: incorrect alignment of CMA region$/,
    source: 'kernel/dma/contiguous.c rmem_cma_setup (CMA_MIN_ALIGNMENT_BYTES)',
    help: 'A reusable shared-dma-pool must start and end on CMA_MIN_ALIGNMENT_BYTES (pageblock size: 4 MiB with 4K pages, 32 MiB with 16K, 512 MiB with 64K).',
    property: 'reg',
    message: (run, r) =>
      `${r.base !== null && r.size !== null ? `${range(r.base, r.size)} is` : 'the region is'} not aligned to ${hex(cmaAlign(run))} (CMA_MIN_ALIGNMENT_BYTES): the CMA pool is not created`,
    hint: (run) => `align the base and size to ${hex(cmaAlign(run))} (alignment = <${hex(cmaAlign(run))}> for a dynamic region)`,
  },
  {
    id: 'cma-bypassed',
    // 6.12 rmem_cma_setup; 7.2 __rmem_cma_verify_node (node_validate, naming no node)
    re: /^Reserved memory: bypass .* node, using cmdline CMA params instead$|^Skipping dt linux,cma-default node in favor for "cma=" kernel param\.$/,
    source: 'kernel/dma/contiguous.c rmem_cma_setup (cma= on the command line wins over linux,cma-default)',
    help: "`cma=` on the command line replaces the tree's `linux,cma-default` pool: the kernel drops the node.",
    property: 'linux,cma-default',
    message: () => 'cma= on the command line overrides this linux,cma-default pool: the kernel drops the node',
    hint: () => 'remove cma= from the command line, or linux,cma-default from the node',
  },
  {
    id: 'dma-pool-needs-no-map',
    re: /^Reserved memory: regions without no-map are not yet supported$/,
    source: 'kernel/dma/coherent.c rmem_dma_setup (CONFIG_ARM)',
    help: 'On 32-bit ARM a non-reusable shared-dma-pool must be `no-map`.',
    message: () => 'a coherent shared-dma-pool without no-map: 32-bit ARM refuses it',
    hint: () => 'add no-map;',
  },
];

const cmaAlign = (run: KernelRun): bigint => run.profile.cmaMinAlignmentBytes;

/** Each rejected region and the reason line before its "compatible matching fail" (within the handler's lines). */
function rejections(run: KernelRun): { region: PlanRegion; reason?: string; kernelLine?: string; logIndex?: number }[] {
  const out: { region: PlanRegion; reason?: string; kernelLine?: string; logIndex?: number }[] = [];
  const log = run.plan.log;
  for (const r of run.plan.regions) {
    if (r.status !== 'rejected') continue;
    const i = log.findIndex((l) => l.text.endsWith(` node ${r.name} compatible matching fail`));
    let reason: string | undefined;
    for (let j = i - 1; j >= 0 && j >= i - 3; j--) {
      const t = log[j]!.text;
      if (rejectReasons.some((x) => x.re.test(t))) {
        reason = t;
        break;
      }
      if (t.includes('compatible matching fail') || t.includes('initialized node')) break;
    }
    const e: { region: PlanRegion; reason?: string; kernelLine?: string; logIndex?: number } = { region: r };
    if (reason !== undefined) e.reason = reason;
    if (i >= 0) {
      e.kernelLine = log[i]!.text;
      e.logIndex = i;
    } else {
      // refused before the handler ran (7.2 node_validate): no "compatible matching fail", only the reason
      const k = log.findIndex((l) => rejectReasons.some((x) => x.re.test(l.text)));
      if (k >= 0) {
        e.reason = log[k]!.text;
        e.kernelLine = log[k]!.text;
        e.logIndex = k;
      }
    }
    out.push(e);
  }
  return out;
}

const statusRules: {
  id: string;
  status: PlanRegion['status'];
  source: string;
  help: string;
  line: (r: PlanRegion) => (t: string) => boolean;
  property: (r: PlanRegion, line?: string) => string | undefined;
  message: (r: PlanRegion, run: KernelRun) => string;
}[] = [
  {
    id: 'alloc-failed',
    status: 'alloc-failed',
    source: 'drivers/of/of_reserved_mem.c __reserved_mem_alloc_size',
    help: 'The kernel finds no free block of `size` at `alignment` within `alloc-ranges` (or below the memblock limit).',
    line: (r) => (t) => t.includes(`failed to allocate memory for node '${r.name}'`),
    property: () => 'size',
    message: (r) => `cannot allocate ${r.size !== null ? hex(r.size) : 'the size'} for this region (${r.placement})`,
  },
  {
    id: 'reserve-failed',
    status: 'reserve-failed',
    source: 'drivers/of/of_reserved_mem.c __reserved_mem_reserve_reg, early_init_dt_reserve_memory',
    help: 'A static region the kernel cannot reserve (zero size) or cannot make no-map because something already reserved that memory.',
    line: (r) => (t) => t.includes(`failed to reserve memory for node '${r.name}'`),
    property: () => 'reg',
    message: (r) =>
      `cannot reserve ${r.base !== null && r.size !== null ? range(r.base, r.size) : 'reg'}${r.nomap ? ' as no-map: part of it is already reserved (kernel image, DTB, initrd or another region)' : ''}`,
  },
  {
    id: 'invalid-property',
    status: 'invalid',
    source: 'drivers/of/of_reserved_mem.c __reserved_mem_reserve_reg, __reserved_mem_alloc_size',
    help: "A reg, size, alignment or alloc-ranges whose length does not fit /reserved-memory's cells: the kernel skips the node.",
    line: (r) => (t) => /invalid \S+ property in '/.test(t) && t.includes(`'${r.name}'`),
    property: (_r, line) => /invalid (\S+) property/.exec(line ?? '')?.[1],
    message: (r) => `the kernel skips this node: ${r.placement}`,
  },
  {
    id: 'too-many-regions',
    status: 'no-space',
    source:
      'drivers/of/of_reserved_mem.c fdt_reserved_mem_save_node, fdt_init_reserved_mem_node (MAX_RESERVED_REGIONS; 7.2 fdt_scan_reserved_mem: dynamic_nodes[MAX_RESERVED_REGIONS])',
    help: 'More regions than MAX_RESERVED_REGIONS: the kernel drops the rest.',
    // 7.2 skips a dynamic node past the 64th by name; the array's end is one line for all
    line: (r) => (t) =>
      t.endsWith('not enough space for all defined regions.') || t.endsWith(`too many defined dynamic regions, skip '${r.name}'`),
    property: () => undefined,
    message: () => `no slot left for this region (MAX_RESERVED_REGIONS)`,
  },
];

export const kernelRules: Rule[] = [
  {
    id: 'kernel-panic',
    level: 'error',
    family: 'kernel',
    source:
      'src/kernel boot model: boots that die (mm/memblock.c array overflow, faults in the linear map, mm/cma.c cma_activate_area on memory without struct pages, ...)',
    help: 'The kernel would panic or hang with this tree and command line.',
    fn(ctx) {
      for (const run of ctx.runs) {
        const boot = run.plan.boot;
        if (boot.outcome !== 'panic' && boot.outcome !== 'hang') continue;
        const at = lineAt(run, (t) => t.startsWith('Kernel panic - not syncing:'));
        // The region the model blames, when its reason names one.
        const r = regionNamedIn(run, boot.reason ?? '');
        const what = boot.outcome === 'panic' ? `panic${boot.panic ? `: ${boot.panic}` : ''}` : 'hang';
        const kernelLine =
          at.kernelLine ?? (boot.outcome === 'panic' ? `Kernel panic - not syncing: ${boot.panic ?? ''}` : run.plan.log.at(-1)?.text);
        ctx.report({
          node: r ? nodeOf(ctx, run, r.path) : undefined,
          path: r?.path ?? '/',
          ...(r && !r.dynamic ? { property: 'reg' } : {}),
          kernel: run.kernel,
          message: `the kernel would ${what}${boot.function ? ` in ${boot.function}` : ''}${boot.reason ? ` (${boot.reason})` : ''}`,
          // a hang has no panic line: the last line the kernel prints, if it prints any
          ...(kernelLine !== undefined ? { kernelLine } : {}),
          logIndex: at.logIndex ?? run.plan.log.length,
        });
      }
    },
  },
  {
    id: 'boot-at-risk',
    level: 'warning',
    family: 'kernel',
    source:
      "src/kernel boot model (plan.ts BOOT_RISKS): pages memblock_free_all should not hand out (mm/memblock.c), arm's paging_init clearing the kernel's own PMDs (arch/arm/mm/mmu.c), a build's measured out-of-memory boundary and 7.2's 2 MiB pool blocks (src/kernel/oom.ts)",
    help: "The plan predicts the boot lives, but it may die: what decides it is the run's, not the layout's (which allocation first gets freed pages of the image, initrd or DTB, what the TLB holds, which allocation fails first near the out-of-memory boundary). Such layouts were booted and seen both to die and to live.",
    fn(ctx) {
      for (const run of ctx.runs) {
        // a boot the plan says dies is kernel-panic's
        if (run.plan.boot.outcome !== 'ok') continue;
        for (const d of run.plan.diagnostics) {
          if (d.severity !== 'warning' || !BOOT_RISKS.has(d.code)) continue;
          // the region the warning points at (its node's source position), else one it names
          const r =
            run.plan.regions.find((x) => {
              const at = nodeOf(ctx, run, x.path)?.span;
              return d.line > 0 && at !== undefined && at.file === d.file && at.line === d.line && at.column === d.column;
            }) ?? regionNamedIn(run, d.message);
          ctx.report({
            node: r ? nodeOf(ctx, run, r.path) : undefined,
            path: r?.path ?? '/',
            kernel: run.kernel,
            message: `the boot may die (${d.code}): ${d.message}`,
            ...(d.hint !== undefined ? { hint: d.hint } : {}),
          });
        }
      }
    },
  },
  ...statusRules.map(
    (s): Rule => ({
      id: s.id,
      level: 'error',
      family: 'kernel',
      source: s.source,
      help: s.help,
      fn(ctx) {
        for (const run of ctx.runs)
          for (const r of run.plan.regions) {
            if (r.status !== s.status) continue;
            const at = lineAt(run, s.line(r));
            const property = s.property(r, at.kernelLine);
            ctx.report({ node: nodeOf(ctx, run, r.path), path: r.path, property, kernel: run.kernel, message: s.message(r, run), ...at });
          }
      },
    }),
  ),
  {
    id: 'overlap',
    level: 'error',
    family: 'kernel',
    source: 'drivers/of/of_reserved_mem.c __rmem_check_for_overlap',
    help: 'Two reserved regions overlap: the kernel prints "OVERLAP DETECTED!" and both stay reserved over each other.',
    fn(ctx) {
      for (const run of ctx.runs) {
        const log = run.plan.log;
        for (let i = 0; i + 1 < log.length; i++) {
          if (!log[i]!.text.endsWith('OVERLAP DETECTED!')) continue;
          const m = /^(.*) \((0x[0-9a-f]+)--(0x[0-9a-f]+)\) overlaps with (.*) \((0x[0-9a-f]+)--(0x[0-9a-f]+)\)$/.exec(log[i + 1]!.text);
          if (!m) continue;
          const [, a, , , b] = m;
          const ra = run.plan.regions.find((r) => r.name === a);
          const rb = run.plan.regions.find((r) => r.name === b);
          const path = rb?.path ?? ra?.path ?? '/reserved-memory';
          ctx.report({
            node: nodeOf(ctx, run, path),
            path,
            property: 'reg',
            kernel: run.kernel,
            message: `overlaps ${ra?.path ?? a}: ${log[i + 1]!.text}`,
            kernelLine: log[i]!.text,
            logIndex: i,
          });
        }
      }
    },
  },
  ...rejectReasons.map(
    (x): Rule => ({
      id: x.id,
      level: 'error',
      family: 'kernel',
      source: x.source,
      help: x.help,
      fn(ctx) {
        for (const run of ctx.runs)
          for (const j of rejections(run)) {
            if (!j.reason || !x.re.test(j.reason)) continue;
            const hint = x.hint?.(run, j.region);
            ctx.report({
              node: nodeOf(ctx, run, j.region.path),
              path: j.region.path,
              property: x.id === 'cma-alignment' ? (j.region.dynamic ? 'size' : 'reg') : x.property,
              kernel: run.kernel,
              message: x.message(run, j.region),
              ...(j.kernelLine !== undefined
                ? { kernelLine: j.kernelLine === j.reason ? j.kernelLine : `${j.reason}; ${j.kernelLine}` }
                : {}),
              ...(j.logIndex !== undefined ? { logIndex: j.logIndex } : {}),
              ...(hint !== undefined ? { hint } : {}),
            });
          }
      },
    }),
  ),
  {
    id: 'handler-rejected',
    level: 'error',
    family: 'kernel',
    source: 'drivers/of/of_reserved_mem.c fdt_init_reserved_mem_node / fdt_init_reserved_mem (handler returned an error)',
    help: 'The handler for the compatible refused the region (e.g. a shared-dma-pool that is reusable and no-map): the kernel frees it again.',
    fn(ctx) {
      for (const run of ctx.runs)
        for (const j of rejections(run)) {
          if (j.reason) continue;
          const last = j.region.attempts[j.region.attempts.length - 1];
          ctx.report({
            node: nodeOf(ctx, run, j.region.path),
            path: j.region.path,
            property: 'compatible',
            kernel: run.kernel,
            message: `the ${last ? `${last.compatible} handler (${last.handler}) returns ${last.ret}` : 'handler refuses it'}: the region is released`,
            ...(j.kernelLine !== undefined ? { kernelLine: j.kernelLine, logIndex: j.logIndex ?? 0 } : {}),
          });
        }
    },
  },
  {
    id: 'param-to-init',
    level: 'warning',
    family: 'kernel',
    source:
      "init/main.c parse_args, unknown_bootoption, obsolete_checksetup against the build's own __setup table and core params (its System.map)",
    help: 'A word of the command line that no boot parameter of the kernel takes (a typo, a parameter of another kernel or of a module not built in): the kernel does nothing with it but pass it to init, and prints it among the "Unknown kernel command line parameters" (5.11+).',
    fn(ctx) {
      for (const run of ctx.runs) {
        const words = run.plan.diagnostics.filter((d) => d.code === 'param-to-init');
        // every word is on the kernel's one line
        const at = words.length ? lineAt(run, isUnknownParamsLine) : {};
        for (const d of words)
          ctx.report({
            ...bootargsNode(ctx),
            path: '/chosen',
            kernel: run.kernel,
            message: d.message,
            ...(d.hint !== undefined ? { hint: d.hint } : {}),
            ...at,
          });
      }
    },
  },
  {
    id: 'cma-area-failed',
    level: 'error',
    family: 'kernel',
    source: 'mm/cma.c cma_declare_contiguous_nid via kernel/dma/contiguous.c dma_contiguous_reserve',
    help: "The default CMA area (cma= or the kernel's CONFIG_CMA_SIZE_MBYTES) cannot be reserved.",
    fn(ctx) {
      for (const run of ctx.runs) {
        run.plan.log.forEach((l, i) => {
          if (l.level !== 'err' || l.source !== 'cma_declare_contiguous_nid') return;
          ctx.report({
            ...bootargsNode(ctx),
            path: '/chosen',
            kernel: run.kernel,
            message: `the default CMA area fails: ${l.text}`,
            kernelLine: l.text,
            logIndex: i,
          });
        });
      }
    },
  },
  {
    id: 'cma-zone-boundary',
    level: 'error',
    family: 'kernel',
    source:
      'mm/cma.c cma_activate_area (alloc_contig_range needs one zone); zones from arch/arm/mm/init.c, arch/arm64/mm/init.c zone_sizes_init',
    help: 'A CMA area whose pages lie in two zones (lowmem and highmem on 32-bit ARM; ZONE_DMA, DMA32, Normal on arm64): the kernel prints "CMA area … could not be activated" and hands its pages to the page allocator, so the pool is empty.',
    fn(ctx) {
      for (const run of ctx.runs)
        run.plan.log.forEach((l, i) => {
          const m = /^cma: CMA area (.*) could not be activated$/.exec(l.text);
          if (!m) return;
          const r = run.plan.regions.find((x) => x.name === m[1] && placed(x));
          // an area reaching past the end of RAM is cma-area-past-ram's
          if (r && placed(r) && outsideMemory(run, r.base, r.size) > 0n) return;
          const area = r && placed(r) ? r : run.plan.early.find((e) => e.source === 'dma_contiguous_reserve');
          const zones = area ? run.plan.zones.filter((z) => z.base < area.base + area.size && area.base < z.base + z.size) : [];
          const cut = zones[1]?.base;
          const where = area
            ? `${range(area.base, area.size)} lies in ${zones.map((z) => `ZONE_${z.name.toUpperCase()}`).join(' and ')}: `
            : '';
          const at = r
            ? { node: nodeOf(ctx, run, r.path), path: r.path, property: r.dynamic ? 'size' : 'reg' }
            : { ...bootargsNode(ctx), path: '/chosen' };
          ctx.report({
            ...at,
            kernel: run.kernel,
            message: `${where}cma_activate_area gives the whole area back to the page allocator, the pool is empty`,
            kernelLine: l.text,
            logIndex: i,
            ...(cut !== undefined ? { hint: `keep the area entirely below or above ${hex(cut)}` } : {}),
          });
        });
    },
  },
  {
    id: 'cma-area-past-ram',
    level: 'error',
    family: 'kernel',
    source:
      'mm/cma.c cma_activate_area: page_zone(pfn_to_page(pfn)) for every page; FLATMEM mem_map (mm/mm_init.c alloc_node_mem_map) ends with RAM',
    help: "A CMA area that starts in HighMem (32-bit ARM) and reaches past the end of RAM: its pages beyond RAM have no struct pages, and what cma_activate_area reads there as theirs does not say ZONE_HIGHMEM (zeroed memory says ZONE_NORMAL). 5.10 stops and prints 'CMA area … could not be activated' with part of the area already handed out; 6.1 and 6.12 hand every page to the page allocator, those without struct pages too; 7.2 activates memory that is not there. The lab's boots of such areas died on every series after 5.10.",
    fn(ctx) {
      for (const run of ctx.runs)
        for (const r of run.plan.regions) {
          if (!placed(r) || !r.reusable || r.status !== 'ok') continue;
          const zone = run.plan.zones.find((z) => z.base <= r.base && r.base < z.base + z.size);
          if (zone?.name !== 'HighMem' || outsideMemory(run, r.base, r.size) === 0n) continue;
          const at = lineAt(run, (t) => t === `cma: CMA area ${r.name} could not be activated`);
          ctx.report({
            node: nodeOf(ctx, run, r.path),
            path: r.path,
            property: r.dynamic ? 'size' : 'reg',
            kernel: run.kernel,
            message: `${range(r.base, r.size)} starts in ZONE_HIGHMEM and reaches past the end of RAM (${hex(zone.base + zone.size)}), where mem_map has no struct pages for cma_activate_area to read`,
            hint: `keep the area below ${hex(zone.base + zone.size)}`,
            ...at,
          });
        }
    },
  },
  {
    id: 'cma-above-dma-zone',
    level: 'warning',
    family: 'kernel',
    source:
      'kernel/dma/direct.c __dma_direct_alloc_pages (dma_coherent_ok); kernel/dma/contiguous.c dma_contiguous_reserve(arm64_dma_phys_limit); drivers/of/address.c dma-ranges',
    help: "A CMA pool that reaches above what its devices can address: the default pool above ZONE_DMA (the zone the kernel sizes from the dma-ranges and 32 bits, and keeps its own default area in), or a device pool above the dma-ranges of the device's bus. The DMA API drops CMA pages a device cannot address and falls back to other memory, silently.",
    fn(ctx) {
      for (const run of ctx.runs) {
        const dma = run.plan.zones.find((z) => z.name === 'DMA');
        // ZONE_DMA only bounds devices when memory above it is not highmem (arm: lowmem is ZONE_DMA)
        const above = dma && run.plan.zones.some((z) => z.base >= dma.base + dma.size && z.name !== 'HighMem');
        for (const r of run.plan.regions) {
          if (!placed(r) || r.status !== 'ok' || !r.reusable || r.handler !== 'shared-dma-pool') continue;
          const node = nodeOf(ctx, run, r.path);
          const last = r.base + r.size - 1n;
          const property = r.dynamic ? 'size' : 'reg';
          if (dma && above && node && getProp(node, 'linux,cma-default') && last >= dma.base + dma.size)
            ctx.report({
              node,
              path: r.path,
              property,
              kernel: run.kernel,
              message: `the default CMA pool ${range(r.base, r.size)} reaches above ZONE_DMA (ends ${hex(dma.base + dma.size)}): devices limited to that zone (the narrowest dma-ranges, 32-bit DMA masks) get nothing from it; the kernel keeps its own default area below that limit`,
              hint: `place it below ${hex(dma.base + dma.size)}`,
            });
          for (const c of r.consumers) {
            const dev = findNode(run.board.tree ?? ctx.tree, c) ?? findNode(ctx.tree, c);
            const limit = dev ? busDmaLimit(dev) : undefined;
            if (limit === undefined || last <= limit) continue;
            ctx.report({
              node,
              path: r.path,
              property,
              kernel: run.kernel,
              message: `${c} uses this pool but its bus's dma-ranges reach only ${hex(limit)}: the pool ${range(r.base, r.size)} is partly or wholly beyond what the device can address`,
            });
          }
        }
      }
    },
  },
  {
    id: 'crashkernel-failed',
    level: 'error',
    family: 'kernel',
    source: 'kernel/crash_reserve.c reserve_crashkernel_generic; arch/arm/kernel/setup.c reserve_crashkernel',
    help: 'crashkernel= asks for memory the kernel cannot find.',
    fn(ctx) {
      for (const run of ctx.runs)
        run.plan.log.forEach((l, i) => {
          // parse_crashkernel's complaints about the value, and the reservation failing.
          const bad =
            (l.source === 'parse_crashkernel' && l.level === 'warn') ||
            /^crashkernel reservation failed|^cannot allocate crashkernel/.test(l.text);
          if (!bad) return;
          ctx.report({
            ...bootargsNode(ctx),
            path: '/chosen',
            kernel: run.kernel,
            message: l.text,
            kernelLine: l.text,
            logIndex: i,
          });
        });
    },
  },
  {
    id: 'region-outside-memory',
    level: 'warning',
    family: 'kernel',
    source: 'mm/memblock.c memblock_reserve / memblock_mark_nomap (accept ranges that are not memory)',
    help: 'A static region that is wholly or partly outside RAM: the kernel reserves it without a word, and nothing uses the part that is not memory.',
    fn(ctx) {
      for (const run of ctx.runs)
        for (const r of run.plan.regions) {
          if (!placed(r) || r.dynamic) continue;
          const out = outsideMemory(run, r.base, r.size);
          if (out === 0n) continue;
          const mem = /(^|\s)mem=\S+/.test(run.plan.log.find((l) => l.text.startsWith('Kernel command line:'))?.text ?? '')
            ? ' (mem= on the command line limits RAM)'
            : '';
          ctx.report({
            node: nodeOf(ctx, run, r.path),
            path: r.path,
            property: 'reg',
            kernel: run.kernel,
            message: `${range(r.base, r.size)} is ${out === r.size ? 'entirely' : `partly (${hex(out)} bytes)`} outside RAM${mem}`,
          });
        }
    },
  },
  ...(
    [
      [
        'region-over-kernel-image',
        'kernel image',
        'arch/arm64/mm/init.c arm64_memblock_init, arch/arm/mm/init.c arm_memblock_init (memblock_reserve of the image)',
      ],
      ['region-over-initrd', 'initrd', 'init/initramfs.c reserve_initrd_mem; the boot loader places the initrd'],
      ['region-over-dtb', 'DTB', 'arch/arm64/kernel/setup.c setup_machine_fdt; the boot loader places the DTB'],
    ] as const
  ).map(
    ([id, what, source]): Rule => ({
      id,
      level: 'warning',
      family: 'kernel',
      source,
      help: `A mapped static region over the ${what}: the kernel reserves it silently and the owner of the region overwrites the ${what}.`,
      fn(ctx) {
        for (const run of ctx.runs) {
          const at = bootObject(run, what);
          if (!at) continue;
          for (const r of run.plan.regions) {
            if (!placed(r) || r.dynamic) continue;
            if (r.base >= at.base + at.size || at.base >= r.base + r.size) continue;
            ctx.report({
              node: nodeOf(ctx, run, r.path),
              path: r.path,
              property: 'reg',
              kernel: run.kernel,
              message: `${range(r.base, r.size)} covers the ${what} (${range(at.base, at.size)})`,
            });
          }
        }
      },
    }),
  ),
  {
    id: 'kernel-dependent',
    level: 'warning',
    family: 'cross',
    source: 'the plans of every --kernel given',
    help: 'A region that the kernels checked treat differently: placed on some, failed on others.',
    fn(ctx) {
      if (ctx.runs.length < 2) return;
      const byPath = new Map<string, { run: KernelRun; r: PlanRegion }[]>();
      for (const run of ctx.runs)
        for (const r of run.plan.regions) {
          const l = byPath.get(r.path) ?? [];
          l.push({ run, r });
          byPath.set(r.path, l);
        }
      for (const [path, list] of byPath) {
        const good = list.filter((x) => placed(x.r));
        const bad = list.filter((x) => !placed(x.r) && x.r.status !== 'disabled' && x.r.status !== 'ignored');
        if (!good.length || !bad.length) continue;
        const verb = good[0]!.r.dynamic ? 'allocates' : 'reserves';
        ctx.report({
          node: nodeOf(ctx, good[0]!.run, path),
          path,
          message: `${verb} on ${good.map((x) => x.run.kernel).join(', ')}, fails on ${bad.map((x) => `${x.run.kernel} (${x.r.status})`).join(', ')}`,
        });
      }
    },
  },
];

/** Where a kernel's boot put the image, the initrd or the DTB. */
function bootObject(run: KernelRun, what: 'kernel image' | 'initrd' | 'DTB'): { base: bigint; size: bigint } | undefined {
  if (what === 'initrd' || what === 'DTB') {
    const e = run.plan.early.find((x) => x.source === 'platform' && x.name === (what === 'DTB' ? 'dtb' : 'initrd'));
    return e ? { base: e.base, size: e.size } : undefined;
  }
  // The image is the first memblock_reserve the arch's memblock init makes (arm64_memblock_init,
  // arm_memblock_init): `memblock_reserve(__pa_symbol(_text), _end - _text)`.
  for (const ev of run.plan.trace.events) {
    const d = ev.detail as { kind?: string; caller?: string; base?: bigint; size?: bigint };
    if (
      isReserveEvent(ev) &&
      (d.caller === 'arm64_memblock_init' || d.caller === 'arm_memblock_init') &&
      d.base !== undefined &&
      d.size !== undefined
    )
      return { base: d.base, size: d.size };
  }
  return undefined;
}
