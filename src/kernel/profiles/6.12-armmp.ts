// Debian linux-image-6.12.95+deb12-armmp 6.12.95-1~bpo12+1 (armhf, no LPAE).
// Read from the package's own .config and System.map lines and its measured sizes, all stored in
// data/lab/6.12-armmp.build.json (./lab-measured.ts).
import facts from '../../../data/lab/6.12-armmp.build.json' with { type: 'json' };
import { labProfile } from './lab-measured.js';

export const { profile, lab } = labProfile(facts, '6.12-armmp', 'linux-image-6.12.95+deb12-armmp 6.12.95-1~bpo12+1');
