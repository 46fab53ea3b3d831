// carveout's public library API. The CLI (src/cli) is a thin layer over what is exported here.
// Stages, in pipeline order: source → tree → fdt; loadBoard (tree + blob + platform); board + kernel model → plan; plan → reports.
export * from './diagnostics.js';
export * from './tree/types.js';

// source → tree → FDT (compile, decompile)
export { preprocess, preprocessText, createPreprocessCache, type PreprocessOptions, type PreprocessResult } from './source/preprocess.js';
export { parseDts, parseDtsFile, type ParseOptions, type ParseResult } from './source/parser.js';
export { compileFile, compileString, guessInputFormat, type CompileOptions, type CompileResult } from './compile.js';
export { processChecks, CHECK_TABLE, type CheckFlag, type PhandleStyle } from './tree/checks.js';
export { readDtb, type ReadDtbOptions, type ReadDtbResult, type FdtHeader } from './fdt/reader.js';
export { writeDtb, type WriteDtbOptions } from './fdt/writer.js';
export { writeDts } from './fdt/dts-writer.js';
export * as query from './tree/query.js';
export {
  applyOverlays,
  type ApplyOverlaysOptions,
  type ApplyOverlaysResult,
  type OverlayChange,
  type OverlayInput,
} from './overlay/apply.js';

// a board on its platform (one loader for the CLI, verify, the bench and library users)
export { loadBoard, type Board, type LoadBoardOptions, type Placements } from './board.js';
export {
  memoryBanks,
  parseMemory,
  parseReserve,
  initrdStart,
  mergeBoard,
  virtTree,
  virtLayout,
  VIRT_RAM_BASE,
  type Bank,
  type BootMethod,
  type ExtraReservation,
  type PlatformLayout,
} from './platform/index.js';

// the kernel model (plan)
export { plan, type PlanOptions, type PlanResult, type PlanRegion } from './kernel/plan.js';
export { declareReservedMem, loadHandlers, type ReservedMem, type HandlerKernel, type ReservedMemHandler } from './kernel/handler-api.js';
export { declareEarlyParam, memparse, parseSize, type EarlyParam } from './kernel/cmdline.js';
export { profiles as kernels, getProfile, profileIds, type KernelProfile } from './kernel/profiles/index.js';
