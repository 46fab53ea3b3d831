// Overlay and base files for `carveout apply` and loadBoard's `overlays`: a DTB/DTBO is read as
// is; a DTS/DTSO is compiled as the kernel build compiles it (scripts/Makefile.dtbs: its warning
// switches, and -@ for a base that overlays are applied onto, so its labels are in /__symbols__).
import { diag, hasErrors, type Diagnostic } from '../diagnostics.js';
import { compileFile, guessInputFormat, type CompileOptions } from '../compile.js';
import { readInputFile, whyUnreadable } from '../input.js';
import type { Tree } from '../tree/types.js';
import { applyOverlays, type ApplyOverlaysResult, type OverlayChange } from './apply.js';

export type OverlayFileOptions = Pick<CompileOptions, 'includeDirs' | 'defines' | 'cache' | 'warnings' | 'checkFlags'>;

export interface LoadedBlob {
  blob?: Uint8Array;
  /** The tree a source file compiled to (its source positions name the line of a failing reference). */
  tree?: Tree;
  diagnostics: Diagnostic[];
  /** Every file read (the input and its includes). */
  files: string[];
}

/** A blob file's bytes, or a source file compiled (`symbols`: with -@). */
export function loadBlobFile(path: string, opts: OverlayFileOptions = {}, symbols = false): LoadedBlob {
  if (guessInputFormat(path) === 'dtb') {
    try {
      return { blob: new Uint8Array(readInputFile(path)), diagnostics: [], files: [path] };
    } catch (e) {
      const span = { file: path, line: 0, column: 0, endLine: 0, endColumn: 0 };
      return { diagnostics: [diag('error', 'file-not-found', `cannot open '${path}': ${whyUnreadable(e)}`, span)], files: [] };
    }
  }
  const r = compileFile(path, { ...opts, kernelWarnings: true, symbols });
  if (hasErrors(r.diagnostics) || !r.dtb) return { diagnostics: r.diagnostics, files: r.files ?? [path] };
  return { blob: r.dtb, ...(r.tree ? { tree: r.tree } : {}), diagnostics: r.diagnostics, files: r.files ?? [path] };
}

/** `base` with the overlay files applied in order (what `carveout apply` writes). */
export function applyOverlayFiles(
  base: string,
  overlays: readonly string[],
  opts: OverlayFileOptions = {},
): ApplyOverlaysResult & { files: string[] } {
  const b = loadBlobFile(base, opts, true);
  const diagnostics = [...b.diagnostics];
  const files = [...b.files];
  const ovs = loadOverlayFiles(overlays, opts, diagnostics, files);
  if (!b.blob || !ovs) return { diagnostics, changes: [], files };
  const r = applyOverlays(b.blob, ovs, { baseName: base });
  return { ...r, diagnostics: [...diagnostics, ...r.diagnostics], files };
}

/** Every overlay file loaded (diagnostics and files read added to the caller's), or undefined if one failed. */
function loadOverlayFiles(
  overlays: readonly string[],
  opts: OverlayFileOptions,
  diagnostics: Diagnostic[],
  files: string[],
): { name: string; blob: Uint8Array; tree?: Tree }[] | undefined {
  const ovs: { name: string; blob: Uint8Array; tree?: Tree }[] = [];
  for (const o of overlays) {
    const r = loadBlobFile(o, opts);
    diagnostics.push(...r.diagnostics);
    files.push(...r.files);
    if (r.blob) ovs.push({ name: o, blob: r.blob, ...(r.tree ? { tree: r.tree } : {}) });
  }
  return ovs.length === overlays.length ? ovs : undefined;
}

/** A board as loadBoard reads it, before the platform: tree, blob, diagnostics, files. */
export interface BoardInput {
  tree?: Tree;
  blob?: Uint8Array;
  diagnostics: Diagnostic[];
  files: string[];
}

/** Nodes whose changes decide what the kernel reserves: say when an overlay touched them. */
const MEMORY_NODES = /^\/(reserved-memory(\/|$)|memory(@|$)|chosen$)/;

/**
 * The board with the overlay files applied (loadBoard's `overlays`), and one note for each
 * /reserved-memory, /memory or /chosen node an overlay added or changed, naming the overlay and
 * its fragment, so a plan says where a region came from.
 */
export function withOverlays(
  input: BoardInput,
  overlays: readonly string[],
  file: string,
  opts: OverlayFileOptions = {},
): BoardInput & { changes: OverlayChange[] } {
  const diagnostics = [...input.diagnostics];
  const files = [...input.files];
  if (!input.blob || hasErrors(diagnostics)) return { diagnostics, files, changes: [] };
  const ovs = loadOverlayFiles(overlays, opts, diagnostics, files);
  if (!ovs) return { diagnostics, files, changes: [] };
  const r = applyOverlays(input.blob, ovs, { baseName: file });
  diagnostics.push(...r.diagnostics);
  if (!r.tree || !r.blob) return { diagnostics, files, changes: r.changes };
  const seen = new Map<string, { overlay: string; fragment: string; added: boolean; props: string[] }>();
  for (const c of r.changes) {
    if (!MEMORY_NODES.test(c.path)) continue;
    const key = `${c.overlay}\0${c.path}`;
    const e = seen.get(key) ?? { overlay: c.overlay, fragment: c.fragment, added: false, props: [] };
    if (c.kind === 'node-added') e.added = true;
    else if (c.property !== undefined) e.props.push(c.property);
    seen.set(key, e);
  }
  for (const [key, e] of seen) {
    const path = key.slice(key.indexOf('\0') + 1);
    const what = e.added ? `added ${path}` : `changed ${path} (${e.props.join(', ')})`;
    diagnostics.push(
      diag('note', 'overlay-change', `overlay '${e.overlay}' (${e.fragment}) ${what}`, {
        file: e.overlay,
        line: 0,
        column: 0,
        endLine: 0,
        endColumn: 0,
      }),
    );
  }
  return { tree: r.tree, blob: r.blob, diagnostics, files, changes: r.changes };
}
