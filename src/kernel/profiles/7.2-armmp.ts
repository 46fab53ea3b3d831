// Debian linux-binary-7.2.13+deb14-armmp 7.2.13-1 (sid, armhf, ARMv7 multiplatform, no LPAE).
// Read from the package's own .config and System.map lines and its measured sizes, all stored in
// data/lab/7.2-armmp.build.json (./lab-measured.ts).
import facts from '../../../data/lab/7.2-armmp.build.json' with { type: 'json' };
import { labProfile } from './lab-measured.js';

export const { profile, lab } = labProfile(facts, '7.2-armmp', 'linux-binary-7.2.13+deb14-armmp 7.2.13-1');
