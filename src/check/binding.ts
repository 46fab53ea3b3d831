// Binding rules: what the reserved-memory bindings (dt-schema's reserved-memory/reserved-memory.yaml,
// shared-dma-pool.yaml, restricted-dma-pool.yaml; the kernel's memory-region users) require of the
// tree, checked without a kernel. Where the kernel itself refuses what the binding forbids, the
// rule says what it prints and is an error; the rest the kernel accepts silently (warnings).
import { getProp, nodePath, type Node, type Tree } from '../tree/types.js';
import {
  findByPhandle,
  findNode,
  flag,
  isAvailable,
  isCompatible,
  readCells,
  readU32,
  rootCells,
  strings,
  u32,
  walk,
} from '../tree/query.js';
import type { Rule, RuleContext } from './types.js';

const RMEM = '/reserved-memory';

function reservedMemory(tree: Tree): Node | undefined {
  return findNode(tree, RMEM);
}

/** The line the kernel prints for a /reserved-memory it cannot read, from the first kernel that printed it. */
function unsupportedLine(ctx: RuleContext): { kernelLine?: string; logIndex?: number } {
  for (const r of ctx.runs) {
    const i = r.plan.log.findIndex((l) => l.text.endsWith('Reserved memory: unsupported node format, ignoring'));
    if (i >= 0) return { kernelLine: r.plan.log[i]!.text, logIndex: i };
  }
  return {};
}

/** The cells the kernel reads /reserved-memory children with when it accepts the node: the root's. */
function childCells(tree: Tree): { addressCells: number; sizeCells: number } {
  return rootCells(tree);
}

const hex = (v: bigint): string => `0x${v.toString(16)}`;

export const bindingRules: Rule[] = [
  {
    id: 'reserved-memory-cells',
    level: 'error',
    family: 'binding',
    source: 'drivers/of/of_reserved_mem.c __reserved_mem_check_root; reserved-memory.yaml',
    help: "/reserved-memory's #address-cells and #size-cells must be present and equal to the root's, or the kernel ignores every reserved region.",
    fn(ctx) {
      const rm = reservedMemory(ctx.tree);
      if (!rm) return;
      const root = rootCells(ctx.tree);
      for (const [name, want] of [
        ['#address-cells', root.addressCells],
        ['#size-cells', root.sizeCells],
      ] as const) {
        const have = u32(rm, name);
        if (have === want) continue;
        ctx.report({
          node: rm,
          property: getProp(rm, name) ? name : undefined,
          message:
            have === undefined
              ? `${name} is missing (the root's is ${want}): the kernel ignores all of /reserved-memory`
              : `${name} = <${have}> differs from the root's <${want}>: the kernel ignores all of /reserved-memory`,
          ...unsupportedLine(ctx),
          hint: `${name} = <${want}>; and write the children's reg, size, alignment and alloc-ranges in ${want} cell(s)`,
        });
      }
    },
  },
  {
    id: 'reserved-memory-ranges',
    level: 'error',
    family: 'binding',
    source: 'drivers/of/of_reserved_mem.c __reserved_mem_check_root; reserved-memory.yaml',
    help: '/reserved-memory must have a `ranges` property, or the kernel ignores every reserved region.',
    fn(ctx) {
      const rm = reservedMemory(ctx.tree);
      if (!rm || flag(rm, 'ranges')) return;
      ctx.report({
        node: rm,
        message: '`ranges` is missing: the kernel ignores all of /reserved-memory',
        ...unsupportedLine(ctx),
        hint: 'ranges;',
      });
    },
  },
  {
    id: 'reg-xor-size',
    level: 'warning',
    family: 'binding',
    source: 'reserved-memory.yaml (oneOf reg, size); drivers/of/of_reserved_mem.c fdt_scan_reserved_mem',
    help: 'A reserved-memory child has `reg` (static) or `size` (dynamic), not both and not neither: with both the kernel ignores `size`, with neither it ignores the node.',
    prereqs: ['reserved-memory-cells', 'reserved-memory-ranges'],
    fn(ctx) {
      for (const c of reservedMemory(ctx.tree)?.children ?? []) {
        const reg = getProp(c, 'reg');
        const size = getProp(c, 'size');
        if (reg && size)
          ctx.report({ node: c, property: 'size', message: 'has both reg and size: the kernel places it at reg and ignores size' });
        else if (!reg && !size && !getProp(c, 'iommu-addresses'))
          ctx.report({ node: c, message: 'has neither reg nor size: the kernel skips the node without a word' });
      }
    },
  },
  {
    id: 'size-only-property',
    level: 'warning',
    family: 'binding',
    source: 'drivers/of/of_reserved_mem.c __reserved_mem_alloc_size (read only for dynamic regions)',
    help: '`alignment` and `alloc-ranges` only apply to a region given by `size`; on a `reg` region the kernel ignores them.',
    prereqs: ['reserved-memory-cells', 'reserved-memory-ranges'],
    fn(ctx) {
      for (const c of reservedMemory(ctx.tree)?.children ?? []) {
        if (!getProp(c, 'reg')) continue;
        for (const p of ['alignment', 'alloc-ranges'])
          if (getProp(c, p))
            ctx.report({ node: c, property: p, message: `${p} on a region with reg: the kernel ignores it`, hint: `delete ${p}` });
      }
    },
  },
  {
    id: 'no-map-reusable',
    level: 'warning',
    family: 'binding',
    source: 'reserved-memory.yaml (no-map excludes reusable); kernel/dma/contiguous.c rmem_cma_setup',
    help: '`no-map` and `reusable` contradict each other: memory the kernel may not map cannot be lent to it.',
    prereqs: ['reserved-memory-cells', 'reserved-memory-ranges'],
    fn(ctx) {
      for (const c of reservedMemory(ctx.tree)?.children ?? [])
        if (flag(c, 'no-map') && flag(c, 'reusable'))
          ctx.report({ node: c, property: 'reusable', message: 'has both no-map and reusable' });
    },
  },
  {
    id: 'cma-default-once',
    level: 'warning',
    family: 'binding',
    source: 'shared-dma-pool.yaml linux,cma-default; kernel/dma/contiguous.c rmem_cma_setup (the last one set wins)',
    help: 'Only one region may be `linux,cma-default`: the kernel makes each in turn the default CMA area and keeps the last.',
    prereqs: ['reserved-memory-cells', 'reserved-memory-ranges'],
    fn(ctx) {
      const all = (reservedMemory(ctx.tree)?.children ?? []).filter((c) => isAvailable(c) && flag(c, 'linux,cma-default'));
      for (const c of all.slice(0, -1))
        ctx.report({
          node: c,
          property: 'linux,cma-default',
          message: `${all.length} regions are linux,cma-default; the kernel keeps the last (${all[all.length - 1]!.name}) as the default CMA area`,
        });
    },
  },
  {
    id: 'cma-default-placement',
    level: 'warning',
    family: 'binding',
    source: 'shared-dma-pool.yaml linux,cma-default; kernel/dma/contiguous.c rmem_cma_setup',
    help: '`linux,cma-default` only means something on a reusable `shared-dma-pool`; elsewhere the kernel ignores it.',
    prereqs: ['reserved-memory-cells', 'reserved-memory-ranges'],
    fn(ctx) {
      for (const c of reservedMemory(ctx.tree)?.children ?? []) {
        if (!flag(c, 'linux,cma-default')) continue;
        if (!isCompatible(c, 'shared-dma-pool'))
          ctx.report({
            node: c,
            property: 'linux,cma-default',
            message: 'linux,cma-default on a region that is not a shared-dma-pool: ignored',
          });
        else if (!flag(c, 'reusable'))
          ctx.report({
            node: c,
            property: 'linux,cma-default',
            message: 'linux,cma-default on a shared-dma-pool without reusable: it becomes a coherent pool, not the default CMA area',
            hint: 'add reusable;',
          });
      }
    },
  },
  {
    id: 'restricted-dma-pool-flags',
    level: 'warning',
    family: 'binding',
    source: 'restricted-dma-pool.yaml; kernel/dma/swiotlb.c rmem_swiotlb_setup',
    help: 'A `restricted-dma-pool` may be neither `no-map` nor `reusable` (rmem_swiotlb_setup refuses it, where the kernel has restricted pools).',
    prereqs: ['reserved-memory-cells', 'reserved-memory-ranges'],
    fn(ctx) {
      for (const c of reservedMemory(ctx.tree)?.children ?? []) {
        if (!isCompatible(c, 'restricted-dma-pool')) continue;
        for (const p of ['no-map', 'reusable'])
          if (flag(c, p)) ctx.report({ node: c, property: p, message: `restricted-dma-pool with ${p}`, hint: `delete ${p}` });
      }
    },
  },
  {
    id: 'unit-address-reg',
    level: 'warning',
    family: 'binding',
    source: 'reserved-memory.yaml (unit address of a static allocation); devicetree specification 2.2.1',
    help: "A reserved-memory child's unit address is its `reg` address; a dynamic region (`size`) has none.",
    prereqs: ['reserved-memory-cells', 'reserved-memory-ranges'],
    fn(ctx) {
      const { addressCells } = childCells(ctx.tree);
      for (const c of reservedMemory(ctx.tree)?.children ?? []) {
        const at = c.name.indexOf('@');
        const unit = at < 0 ? undefined : c.name.slice(at + 1);
        const reg = getProp(c, 'reg');
        if (!reg || reg.value.length < 4 * addressCells) {
          if (unit !== undefined && getProp(c, 'size'))
            ctx.report({ node: c, message: `dynamic region (size) with unit address @${unit}: its address is chosen at boot` });
          continue;
        }
        const addr = readCells(reg.value, 0, addressCells);
        const want = addr.toString(16);
        if (unit === undefined)
          ctx.report({ node: c, property: 'reg', message: `static region without unit address`, hint: `${c.name}@${want}` });
        else if (!/^[0-9a-f]+$/.test(unit) || BigInt(`0x${unit}`) !== addr || unit !== want)
          ctx.report({
            node: c,
            property: 'reg',
            message: `unit address @${unit} differs from reg's address ${hex(addr)}`,
            hint: `${c.name.slice(0, at)}@${want}`,
          });
      }
    },
  },
  {
    id: 'memory-region-target',
    level: 'warning',
    family: 'binding',
    source: 'drivers/of/of_reserved_mem.c of_reserved_mem_device_init_by_idx, of_reserved_mem_lookup',
    help: 'Every `memory-region` phandle must name a child of /reserved-memory; otherwise the device gets -ENODEV when its driver asks for the region.',
    fn(ctx) {
      const rm = reservedMemory(ctx.tree);
      for (const n of walk(ctx.tree)) {
        const p = getProp(n, 'memory-region');
        if (!p) continue;
        for (let i = 0; 4 * i + 4 <= p.value.length; i++) {
          const ph = readU32(p.value, 4 * i);
          const t = findByPhandle(ctx.tree, ph);
          if (!t) ctx.report({ node: n, property: 'memory-region', message: `entry ${i}: phandle 0x${ph.toString(16)} names no node` });
          else if (t.parent !== rm || !rm)
            ctx.report({
              node: n,
              property: 'memory-region',
              message: `entry ${i} names ${nodePath(t)}, which is not a child of /reserved-memory`,
            });
        }
        if (p.value.length % 4 !== 0)
          ctx.report({ node: n, property: 'memory-region', message: `length ${p.value.length} is not a multiple of 4` });
      }
    },
  },
  {
    id: 'memory-region-names',
    level: 'warning',
    family: 'binding',
    source: 'drivers/of/of_reserved_mem.c of_reserved_mem_region_to_resource_byname (memory-region-names pairs with memory-region)',
    help: '`memory-region-names` has one name per `memory-region` entry.',
    fn(ctx) {
      for (const n of walk(ctx.tree)) {
        const names = getProp(n, 'memory-region-names');
        if (!names) continue;
        const count = Math.floor((getProp(n, 'memory-region')?.value.length ?? 0) / 4);
        const k = strings(n, 'memory-region-names').length;
        if (k !== count)
          ctx.report({
            node: n,
            property: 'memory-region-names',
            message: `${k} name(s) for ${count} memory-region entr${count === 1 ? 'y' : 'ies'}`,
          });
      }
    },
  },
  {
    id: 'region-unreferenced',
    level: 'warning',
    family: 'binding',
    source: 'kernel/dma/coherent.c, kernel/dma/contiguous.c (a pool serves only the devices that name it)',
    help: 'A DMA pool (shared-dma-pool, restricted-dma-pool) that no `memory-region` names and that is not the default pool is reserved for nobody.',
    prereqs: ['reserved-memory-cells', 'reserved-memory-ranges'],
    fn(ctx) {
      const referenced = new Set<Node>();
      for (const n of walk(ctx.tree)) {
        const p = getProp(n, 'memory-region');
        if (!p) continue;
        for (let i = 0; 4 * i + 4 <= p.value.length; i++) {
          const t = findByPhandle(ctx.tree, readU32(p.value, 4 * i));
          if (t) referenced.add(t);
        }
      }
      for (const c of reservedMemory(ctx.tree)?.children ?? []) {
        if (!isAvailable(c) || referenced.has(c)) continue;
        if (!isCompatible(c, 'shared-dma-pool') && !isCompatible(c, 'restricted-dma-pool')) continue;
        if (flag(c, 'linux,cma-default') || flag(c, 'linux,dma-default')) continue;
        ctx.report({ node: c, message: 'no memory-region names this pool and it is not a default pool: no device can use it' });
      }
    },
  },
];
