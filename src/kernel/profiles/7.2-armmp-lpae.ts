// Debian linux-binary-7.2.13+deb14-armmp-lpae 7.2.13-1 (sid, armhf, LPAE).
// Read from the package's own .config and System.map lines and its measured sizes, all stored in
// data/lab/7.2-armmp-lpae.build.json (./lab-measured.ts).
import facts from '../../../data/lab/7.2-armmp-lpae.build.json' with { type: 'json' };
import { labProfile } from './lab-measured.js';

export const { profile, lab } = labProfile(facts, '7.2-armmp-lpae', 'linux-binary-7.2.13+deb14-armmp-lpae 7.2.13-1');
