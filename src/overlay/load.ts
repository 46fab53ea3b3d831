// Overlay and base files for `carveout apply` and loadBoard's `overlays`: a DTB/DTBO is read as
// is; a DTS/DTSO is compiled as the kernel build compiles it (scripts/Makefile.dtbs: its warning
// switches, and -@ for a base that overlays are applied onto, so its labels are in /__symbols__).
import { diag, hasErrors, type Diagnostic } from '../diagnostics.js';
import { compileFile, guessInputFormat, type CompileOptions } from '../compile.js';
import { readInputFile, whyUnreadable } from '../input.js';
import { applyOverlays, type ApplyOverlaysResult } from './apply.js';

export type OverlayFileOptions = Pick<CompileOptions, 'includeDirs' | 'defines' | 'cache' | 'warnings' | 'checkFlags'>;

export interface LoadedBlob {
  blob?: Uint8Array;
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
  return { blob: hasErrors(r.diagnostics) ? undefined : r.dtb, diagnostics: r.diagnostics, files: r.files ?? [path] };
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
  const ovs: { name: string; blob: Uint8Array }[] = [];
  for (const o of overlays) {
    const r = loadBlobFile(o, opts);
    diagnostics.push(...r.diagnostics);
    files.push(...r.files);
    if (r.blob) ovs.push({ name: o, blob: r.blob });
  }
  if (!b.blob || ovs.length < overlays.length) return { diagnostics, changes: [], files };
  const r = applyOverlays(b.blob, ovs, { baseName: base });
  return { ...r, diagnostics: [...diagnostics, ...r.diagnostics], files };
}
