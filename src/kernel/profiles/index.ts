// Kernel profiles: one build file per kernel id (series × arch × page size × Debian build), each
// composed from the version layer (../versions/), the arch layer (../arch/*/layer.ts) and its facts.
import type { KernelProfile } from './types.js';
import { profile as p61arm64 } from './6.1-arm64.js';
import { profile as p612arm64 } from './6.12-arm64.js';
import { profile as p612arm64_16k } from './6.12-arm64-16k.js';
import { profile as p612arm64_64k } from './6.12-arm64-64k.js';
import { profile as p61armmp } from './6.1-armmp.js';
import { profile as p61armmpLpae } from './6.1-armmp-lpae.js';
import { profile as p612armmp } from './6.12-armmp.js';
import { profile as p612armmpLpae } from './6.12-armmp-lpae.js';

export type { KernelProfile, Arm64Layout, ArmLayout } from './types.js';

export const profiles: Record<string, KernelProfile> = {
  '6.1-arm64': p61arm64,
  '6.12-arm64': p612arm64,
  '6.12-arm64-16k': p612arm64_16k,
  '6.12-arm64-64k': p612arm64_64k,
  '6.1-armmp': p61armmp,
  '6.1-armmp-lpae': p61armmpLpae,
  // not in the lab's core set, but bootable by it (src/verify/kernels.ts)
  '6.12-armmp': p612armmp,
  '6.12-armmp-lpae': p612armmpLpae,
};

/** The profile for a kernel ID, or undefined. */
export function getProfile(id: string): KernelProfile | undefined {
  return Object.hasOwn(profiles, id) ? profiles[id] : undefined;
}

export const profileIds = Object.keys(profiles);
