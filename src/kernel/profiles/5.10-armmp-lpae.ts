// Debian linux-image-5.10.0-32-armmp-lpae 5.10.223-1 (bullseye, armhf, LPAE).
// Read from the package's own .config and System.map lines and its measured sizes, all stored in
// data/lab/5.10-armmp-lpae.build.json (./lab-measured.ts).
import facts from '../../../data/lab/5.10-armmp-lpae.build.json' with { type: 'json' };
import { labProfile } from './lab-measured.js';

export const { profile, lab } = labProfile(facts, '5.10-armmp-lpae', 'linux-image-5.10.0-32-armmp-lpae 5.10.223-1');
