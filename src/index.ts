// carveout's public library API. The CLI (src/cli) is a thin layer over what is exported here.
export * from './diagnostics.js';
export * from './tree/types.js';
