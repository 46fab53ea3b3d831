// Reserved-memory handlers: the model's RESERVEDMEM_OF_DECLARE (include/linux/of_reserved_mem.h).
//
// In the kernel each declaration puts `{ compatible, setup }` into the `__reservedmem_of_table`
// linker section; __reserved_mem_init_node() (drivers/of/of_reserved_mem.c) walks that table in
// link order, calls every entry whose compatible matches the node, and the first setup returning 0
// wins. Here a handler is a plain value; the table is an array in the same order (built-ins in the
// kernel's link order, then user handlers, which would be drivers linked after kernel/).
import { pathToFileURL } from 'node:url';
import { resolve as resolvePath, extname } from 'node:path';
import { existsSync } from 'node:fs';
import type { Node } from '../tree/types.js';
import type { KernelProfileBase, LogLine } from './context.js';
import { diag, type Diagnostic } from '../diagnostics.js';
import { isEarlyParam, type EarlyParam } from './cmdline.js';

/** The errno values a setup returns, for handler files (negated: `return -EINVAL`). */
export { EBUSY, EINVAL, ENODEV, ENOENT, ENOMEM, ENOSPC } from './errno.js';

/** struct reserved_mem_ops: what a driver gets when a device's `memory-region` is attached. */
export interface ReservedMemOps {
  deviceInit?(rmem: ReservedMem, dev: { path: string }): number;
  deviceRelease?(rmem: ReservedMem, dev: { path: string }): void;
}

/** A /reserved-memory child as a table entry sees it. */
export interface ReservedMemNode {
  /** fdt_get_name(): the node name with its unit address, e.g. `mca@b8000000`. */
  readonly name: string;
  /** Full node path, e.g. `/reserved-memory/mca@b8000000`. */
  readonly path: string;
  /** The node, read-only; prefer the helpers below. */
  readonly node: Node;
  /** of_get_flat_dt_prop(node, name, NULL) != NULL */
  flag(name: string): boolean;
  /** Raw property bytes, or undefined. */
  prop(name: string): Uint8Array | undefined;
  /** The node's `compatible` strings. */
  readonly compatible: readonly string[];
}

/** struct reserved_mem as a handler sees it. */
export interface ReservedMem extends ReservedMemNode {
  readonly base: bigint;
  readonly size: bigint;
  /** Set by setup, like rmem->ops / rmem->priv. */
  ops?: ReservedMemOps;
  priv?: unknown;
}

/** What the kernel lends a setup function: printk, `%pa`, the profile and early-boot state. */
export interface HandlerKernel {
  /** printk at a level; `text` is the whole line including any pr_fmt prefix. */
  printk(text: string, level?: LogLine['level']): void;
  pr_info(text: string): void;
  pr_err(text: string): void;
  pr_warn(text: string): void;
  /** `%pa`: 0x + hex digits at the width of phys_addr_t. */
  pa(x: bigint): string;
  /** `(unsigned long)x / SZ_1M` as the C computes it (cast before the division on 32-bit). */
  mib(x: bigint): bigint;
  readonly profile: HandlerProfile;
  /** Early-boot services the built-in handlers need (CMA bookkeeping, memblock queries). */
  readonly services: HandlerServices;
}

/** The part of the kernel profile (src/kernel/context.ts) a handler may read. */
export type HandlerProfile = Pick<KernelProfileBase, 'id' | 'version' | 'arch' | 'pageSize' | 'physAddrBits' | 'cmaMinAlignmentBytes'>;

export interface HandlerServices {
  /** memblock_is_region_reserved(base, size) */
  isRegionReserved(base: bigint, size: bigint): boolean;
  /** `cma=` was given (size_cmdline != -1 in kernel/dma/contiguous.c). */
  cmaCmdlineGiven(): boolean;
  /** cma_init_reserved_mem(): 0 or -errno, with its own messages. */
  cmaInitReservedMem(base: bigint, size: bigint, name: string): number;
  /** dma_contiguous_default_area = <this region> */
  setDefaultCmaArea(name: string): void;
}

export type ReservedMemSetup = (rmem: ReservedMem, k: HandlerKernel) => number;

/**
 * struct reserved_mem_ops' node_validate (7.2): called before a region is reserved (`align`
 * undefined) or allocated (`align` the alignment asked so far); 0 to go on, -ENODEV when it has no
 * say, another -errno refuses the node. It may return a raised alignment.
 */
export type ReservedMemValidate = (node: ReservedMemNode, k: HandlerKernel, align: bigint | undefined) => { ret: number; align?: bigint };

export const HANDLER_BRAND = Symbol.for('carveout.reservedmem-handler');

export interface ReservedMemHandler {
  /** The declaration's name (first argument of RESERVEDMEM_OF_DECLARE), e.g. `cma`. */
  readonly name: string;
  readonly compatible: string;
  readonly setup: ReservedMemSetup;
  /** node_validate, for series whose table has struct reserved_mem_ops (7.2). */
  readonly validate?: ReservedMemValidate;
  /** Where it came from: `builtin` (kernel/dma/*.c) or the user's file. */
  readonly origin: string;
  readonly [HANDLER_BRAND]: true;
}

/** RESERVEDMEM_OF_DECLARE(name, compatible, setup). */
export function declareReservedMem(name: string, compatible: string, setup: ReservedMemSetup, origin = 'user'): ReservedMemHandler {
  return { name, compatible, setup, origin, [HANDLER_BRAND]: true };
}

export function isReservedMemHandler(x: unknown): x is ReservedMemHandler {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string | symbol, unknown>;
  return typeof o.compatible === 'string' && typeof o.setup === 'function' && (o[HANDLER_BRAND] === true || typeof o.name === 'string');
}

function collect(value: unknown, origin: string, out: ReservedMemHandler[], seen: Set<unknown>, params: EarlyParam[]): void {
  if (seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) {
    for (const v of value) collect(v, origin, out, seen, params);
    return;
  }
  if (isEarlyParam(value)) {
    params.push(value);
    return;
  }
  if (isReservedMemHandler(value)) {
    const h = value as ReservedMemHandler;
    out.push(h[HANDLER_BRAND] ? { ...h, origin } : declareReservedMem(h.name ?? h.compatible, h.compatible, h.setup, origin));
  }
}

/**
 * Load `--handlers FILE` (.js/.mjs, or .ts/.mts through tsx). Handlers are the module's exports
 * that are handler values (or arrays of them), default export first, then named exports in
 * declaration order; exports made with declareEarlyParam() (board code's early_param) are collected into `earlyParams`. Problems are diagnostics, never exceptions.
 */
export async function loadHandlers(
  file: string,
): Promise<{ handlers: ReservedMemHandler[]; earlyParams: EarlyParam[]; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const abs = resolvePath(file);
  const at = { file, line: 0, column: 0, endLine: 0, endColumn: 0 };
  if (!existsSync(abs)) {
    diagnostics.push(diag('error', 'handlers-not-found', `handler file '${file}' not found`, at));
    return { handlers: [], earlyParams: [], diagnostics };
  }
  let mod: Record<string, unknown>;
  try {
    const ext = extname(abs).toLowerCase();
    if (ext === '.ts' || ext === '.mts' || ext === '.cts' || ext === '.tsx') {
      const api = (await import('tsx/esm/api')) as { tsImport: (spec: string, parent: string) => Promise<unknown> };
      mod = (await api.tsImport(pathToFileURL(abs).href, import.meta.url)) as Record<string, unknown>;
    } else {
      mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
    }
  } catch (e) {
    // The whole message: tsx's (esbuild's) first line is only "Transform failed with 1 error:",
    // the file, line and what went wrong follow.
    const msg = (e instanceof Error ? e.message : String(e)).trimEnd();
    diagnostics.push(diag('error', 'handlers-load', `cannot load handler file '${file}': ${msg}`, at));
    return { handlers: [], earlyParams: [], diagnostics };
  }
  const handlers: ReservedMemHandler[] = [];
  const earlyParams: EarlyParam[] = [];
  const seen = new Set<unknown>();
  const walk = (exports: Record<string, unknown>): void => {
    collect(exports.default, file, handlers, seen, earlyParams);
    for (const [k, v] of Object.entries(exports)) if (k !== 'default') collect(v, file, handlers, seen, earlyParams);
  };
  walk(mod);
  // A CommonJS module (a .js file outside "type": "module", or a .ts file tsx compiled as
  // CommonJS) arrives as { default: module.exports }: its exports are module.exports' own
  // properties, and an `export default` compiled to CommonJS is module.exports.default.
  const cjs = mod.default;
  if (typeof cjs === 'object' && cjs !== null && !Array.isArray(cjs) && !isReservedMemHandler(cjs) && !isEarlyParam(cjs))
    walk(cjs as Record<string, unknown>);
  if (handlers.length === 0 && earlyParams.length === 0) {
    // Planning without the file's handlers would be a different plan than the one asked for.
    diagnostics.push(
      diag(
        'error',
        'handlers-empty',
        `handler file '${file}' exports no reserved-memory handler or early parameter (use declareReservedMem / declareEarlyParam)`,
        at,
      ),
    );
  }
  return { handlers, earlyParams, diagnostics };
}
