// Debian linux-image-6.12.95+deb12-arm64-16k-unsigned 6.12.95-1~bpo12+1, 16 KiB pages, 52-bit VA (4 levels).
// Read from the package's own .config and System.map lines and its measured sizes, all stored in
// data/lab/6.12-arm64-16k.build.json (./lab-measured.ts).
import facts from '../../../data/lab/6.12-arm64-16k.build.json' with { type: 'json' };
import { labProfile } from './lab-measured.js';

export const { profile, lab } = labProfile(facts, '6.12-arm64-16k', 'linux-image-6.12.95+deb12-arm64-16k-unsigned 6.12.95-1~bpo12+1');
