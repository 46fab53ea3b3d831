// Debian linux-image-5.10.0-32-armmp 5.10.223-1 (bullseye, armhf, ARMv7 multiplatform, no LPAE): 32-bit phys_addr_t.
// Read from the package's own .config and System.map lines and its measured sizes, all stored in
// data/lab/5.10-armmp.build.json (./lab-measured.ts).
import facts from '../../../data/lab/5.10-armmp.build.json' with { type: 'json' };
import { labProfile } from './lab-measured.js';

export const { profile, lab } = labProfile(facts, '5.10-armmp', 'linux-image-5.10.0-32-armmp 5.10.223-1');
