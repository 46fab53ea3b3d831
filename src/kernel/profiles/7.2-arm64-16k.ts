// Debian linux-binary-7.2.13+deb14-arm64-16k 7.2.13-1 (sid), 16 KiB pages, 52-bit VA (4 levels).
// Read from the package's own .config and System.map lines and its measured sizes, all stored in
// data/lab/7.2-arm64-16k.build.json (./lab-measured.ts).
import facts from '../../../data/lab/7.2-arm64-16k.build.json' with { type: 'json' };
import { labProfile } from './lab-measured.js';

export const { profile, lab } = labProfile(facts, '7.2-arm64-16k', 'linux-binary-7.2.13+deb14-arm64-16k 7.2.13-1');
