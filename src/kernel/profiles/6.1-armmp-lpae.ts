// Debian linux-image-6.1.0-50-armmp-lpae 6.1.176-1 (armhf, LPAE): 64-bit phys_addr_t, 3-level tables.
// Read from the package's own .config and System.map lines and its measured sizes, all stored in
// data/lab/6.1-armmp-lpae.build.json (./lab-measured.ts).
import facts from '../../../data/lab/6.1-armmp-lpae.build.json' with { type: 'json' };
import { labProfile } from './lab-measured.js';

export const { profile, lab } = labProfile(facts, '6.1-armmp-lpae', 'linux-image-6.1.0-50-armmp-lpae 6.1.176-1');
