// Kernel profiles: one build file per kernel id (series × arch × page size × Debian build), each
// composed from the version layer (../versions/), the arch layer (../arch/*/layer.ts) and its facts.
// A user's own build is composed the same way from its .config and System.map (../build/).
import type { KernelProfile } from './types.js';
import type { Arm64Build } from '../arch/arm64/layer.js';
import type { ArmBuild } from '../arch/arm/layer.js';
import type { KernelSeries } from '../versions/types.js';
import * as p61arm64 from './6.1-arm64.js';
import * as p612arm64 from './6.12-arm64.js';
import * as p612arm64_16k from './6.12-arm64-16k.js';
import { profile as p612arm64_64k } from './6.12-arm64-64k.js';
import * as p61armmp from './6.1-armmp.js';
import * as p61armmpLpae from './6.1-armmp-lpae.js';
import * as p612armmp from './6.12-armmp.js';
import * as p612armmpLpae from './6.12-armmp-lpae.js';
import * as p510arm64 from './5.10-arm64.js';
import * as p510armmp from './5.10-armmp.js';
import * as p510armmpLpae from './5.10-armmp-lpae.js';
import * as p72arm64 from './7.2-arm64.js';
import * as p72arm64_16k from './7.2-arm64-16k.js';
import * as p72armmp from './7.2-armmp.js';
import * as p72armmpLpae from './7.2-armmp-lpae.js';

export type { KernelProfile, Arm64Layout, ArmLayout } from './types.js';

export const profiles: Record<string, KernelProfile> = {
  '6.1-arm64': p61arm64.profile,
  '6.12-arm64': p612arm64.profile,
  '6.12-arm64-16k': p612arm64_16k.profile,
  '6.12-arm64-64k': p612arm64_64k,
  '6.1-armmp': p61armmp.profile,
  '6.1-armmp-lpae': p61armmpLpae.profile,
  // not in the lab's core set, but bootable by it (src/verify/kernels.ts)
  '6.12-armmp': p612armmp.profile,
  '6.12-armmp-lpae': p612armmpLpae.profile,
  // bullseye's 5.10 and sid's 7.2 (src/verify/kernels.ts)
  '5.10-arm64': p510arm64.profile,
  '5.10-armmp': p510armmp.profile,
  '5.10-armmp-lpae': p510armmpLpae.profile,
  '7.2-arm64': p72arm64.profile,
  '7.2-arm64-16k': p72arm64_16k.profile,
  '7.2-armmp': p72armmp.profile,
  '7.2-armmp-lpae': p72armmpLpae.profile,
};

/** A build the lab booted: its facts, with what was measured from its records. */
export type LabBuild = { id: string; series: KernelSeries; pageSize: number; lpae: boolean } & (
  | { arch: 'arm64'; build: Arm64Build }
  | { arch: 'arm'; build: ArmBuild }
);

/** The measured builds (the 64 KiB one is not: nothing booted it), for what a user's build files do not state. */
export const labBuilds: readonly LabBuild[] = [
  p61arm64.lab,
  p612arm64.lab,
  p612arm64_16k.lab,
  p61armmp.lab,
  p61armmpLpae.lab,
  p612armmp.lab,
  p612armmpLpae.lab,
  p510arm64.lab,
  p510armmp.lab,
  p510armmpLpae.lab,
  p72arm64.lab,
  p72arm64_16k.lab,
  p72armmp.lab,
  p72armmpLpae.lab,
];

/** The profile for a kernel ID, or undefined. */
export function getProfile(id: string): KernelProfile | undefined {
  return Object.hasOwn(profiles, id) ? profiles[id] : undefined;
}

export const profileIds = Object.keys(profiles);
