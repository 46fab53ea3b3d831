// Debian linux-image-6.12.95+deb12-arm64-unsigned 6.12.95-1~bpo12+1 (bookworm-backports), 4 KiB
// pages, 52-bit VA with LPA2 (5 levels).
// Read from the package's own .config and System.map lines and its measured sizes, all stored in
// data/lab/6.12-arm64.build.json (./lab-measured.ts).
import facts from '../../../data/lab/6.12-arm64.build.json' with { type: 'json' };
import { labProfile } from './lab-measured.js';

export const { profile, lab } = labProfile(facts, '6.12-arm64', 'linux-image-6.12.95+deb12-arm64-unsigned 6.12.95-1~bpo12+1');
