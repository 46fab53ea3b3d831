// 6.12 arm64 with 64 KiB pages — from the sources only: Debian ships no -64k flavour for
// bookworm-backports, so nothing here was measured. Debian's arm64 config with
// CONFIG_ARM64_64K_PAGES: ARCH_FORCE_MAX_ORDER defaults to 13 (arch/arm64/Kconfig).
import { arm64Profile } from '../arch/arm64/layer.js';
import { linux612 } from '../versions/6.12.js';
import { lab } from './6.12-arm64.js';

if (lab.arch !== 'arm64') throw new Error('6.12-arm64 is an arm64 build');
const build612 = lab.build;

export const profile = arm64Profile(linux612, '6.12-arm64-64k', '(none: linux-source-6.12, Debian arm64 config + CONFIG_ARM64_64K_PAGES)', {
  ...build612,
  config: { ...build612.config, pageSize: 65536, forceMaxOrder: 13 },
  measured: { ...build612.measured, usemapBytesPerSection: 16n }, // mem_section_usage_size() for 512 MiB sections
  measuredFrom: 'the 4 KiB build, data/lab/6.12-arm64.build.json (no 64 KiB boot)',
});
