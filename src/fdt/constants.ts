// Flattened device tree format constants: dtc's libfdt/fdt.h and the version table of flattree.c.

/** Header magic, big-endian, at offset 0 (libfdt/fdt.h FDT_MAGIC). */
export const FDT_MAGIC = 0xd00dfeed;

/** Structure block tokens (libfdt/fdt.h). */
export const FDT_BEGIN_NODE = 0x1;
export const FDT_END_NODE = 0x2;
export const FDT_PROP = 0x3;
export const FDT_NOP = 0x4;
export const FDT_END = 0x9;

/** Header sizes per version (libfdt/fdt.h FDT_V1_SIZE … FDT_V17_SIZE). */
export const FDT_V1_SIZE = 7 * 4;
export const FDT_V2_SIZE = FDT_V1_SIZE + 4;
export const FDT_V3_SIZE = FDT_V2_SIZE + 4;
export const FDT_V16_SIZE = FDT_V3_SIZE;
export const FDT_V17_SIZE = FDT_V16_SIZE + 4;

/** Size of one memory reservation entry: two big-endian u64 (struct fdt_reserve_entry). */
export const FDT_RESERVE_ENTRY_SIZE = 16;

/** Byte offsets of the header fields (struct fdt_header). */
export const HDR = {
  magic: 0,
  totalsize: 4,
  off_dt_struct: 8,
  off_dt_strings: 12,
  off_mem_rsvmap: 16,
  version: 20,
  last_comp_version: 24,
  boot_cpuid_phys: 28, // v2+
  size_dt_strings: 32, // v3+
  size_dt_struct: 36, // v17+
} as const;

/** Feature flags of flattree.c's version table (FTF_*). */
export const FTF_FULLPATH = 0x1; // node names in the structure block are full paths (v1-3)
export const FTF_VARALIGN = 0x2; // property values of 8+ bytes are 8-byte aligned (v1-3)
export const FTF_NAMEPROPS = 0x4; // every node carries a "name" property (v1-3)
export const FTF_BOOTCPUID = 0x8;
export const FTF_STRTABSIZE = 0x10;
export const FTF_STRUCTSIZE = 0x20;
export const FTF_NOPS = 0x40;

export interface VersionInfo {
  version: number;
  lastCompVersion: number;
  hdrSize: number;
  flags: number;
}

/** flattree.c `version_table`: the versions dtc can write. */
export const VERSION_TABLE: readonly VersionInfo[] = [
  { version: 1, lastCompVersion: 1, hdrSize: FDT_V1_SIZE, flags: FTF_FULLPATH | FTF_VARALIGN | FTF_NAMEPROPS },
  { version: 2, lastCompVersion: 1, hdrSize: FDT_V2_SIZE, flags: FTF_FULLPATH | FTF_VARALIGN | FTF_NAMEPROPS | FTF_BOOTCPUID },
  {
    version: 3,
    lastCompVersion: 1,
    hdrSize: FDT_V3_SIZE,
    flags: FTF_FULLPATH | FTF_VARALIGN | FTF_NAMEPROPS | FTF_BOOTCPUID | FTF_STRTABSIZE,
  },
  { version: 16, lastCompVersion: 16, hdrSize: FDT_V16_SIZE, flags: FTF_BOOTCPUID | FTF_STRTABSIZE | FTF_NOPS },
  { version: 17, lastCompVersion: 16, hdrSize: FDT_V17_SIZE, flags: FTF_BOOTCPUID | FTF_STRTABSIZE | FTF_STRUCTSIZE | FTF_NOPS },
];

export function versionInfo(version: number): VersionInfo | undefined {
  return VERSION_TABLE.find((v) => v.version === version);
}

/** dtc's default output version (dtc.h DEFAULT_FDT_VERSION). */
export const DEFAULT_FDT_VERSION = 17;

/** Newest version whose layout we understand (libfdt FDT_LAST_SUPPORTED_VERSION). */
export const FDT_LAST_SUPPORTED_VERSION = 17;
