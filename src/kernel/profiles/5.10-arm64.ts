// Debian linux-image-5.10.0-32-arm64-unsigned 5.10.223-1 (bullseye), 4 KiB pages, 48-bit VA.
// Read from the package's own .config and System.map lines and its measured sizes, all stored in
// data/lab/5.10-arm64.build.json (./lab-measured.ts).
import facts from '../../../data/lab/5.10-arm64.build.json' with { type: 'json' };
import { labProfile } from './lab-measured.js';

export const { profile, lab } = labProfile(facts, '5.10-arm64', 'linux-image-5.10.0-32-arm64-unsigned 5.10.223-1');
