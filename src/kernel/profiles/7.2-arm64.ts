// Debian linux-binary-7.2.13+deb14-arm64 7.2.13-1 (sid), 4 KiB pages, 52-bit VA with LPA2 (5 levels).
// Read from the package's own .config and System.map lines and its measured sizes, all stored in
// data/lab/7.2-arm64.build.json (./lab-measured.ts).
import facts from '../../../data/lab/7.2-arm64.build.json' with { type: 'json' };
import { labProfile } from './lab-measured.js';

export const { profile, lab } = labProfile(facts, '7.2-arm64', 'linux-binary-7.2.13+deb14-arm64 7.2.13-1');
