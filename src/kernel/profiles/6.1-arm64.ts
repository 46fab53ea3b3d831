// Debian linux-image-6.1.0-50-arm64-unsigned 6.1.176-1 (bookworm), 4 KiB pages, 48-bit VA.
// Read from the package's own .config and System.map lines and its measured sizes, all stored in
// data/lab/6.1-arm64.build.json (./lab-measured.ts).
import facts from '../../../data/lab/6.1-arm64.build.json' with { type: 'json' };
import { labProfile } from './lab-measured.js';

export const { profile, lab } = labProfile(facts, '6.1-arm64', 'linux-image-6.1.0-50-arm64-unsigned 6.1.176-1');
