// Board code for the MCA carve-out, as the kernel would write it:
//
//   static phys_addr_t mca_size __initdata;
//   static int __init early_mca_mem(char *p) { mca_size = memparse(p, &p); return 0; }
//   early_param("mca_mem", early_mca_mem);
//   static void __init board_reserve(void)          /* mdesc->reserve, from arm_memblock_init */
//   {
//           phys_addr_t base = memblock_phys_alloc(mca_size, SZ_1M);
//           if (base) mca_set_region(base, mca_size);
//   }
//
// carveout runs the parse at parse_early_param() time and the reserve where the arch calls the
// board's reserve hook (arm: mdesc->reserve() in arm_memblock_init; arm64: right after the kernel
// image is reserved), both before /reserved-memory is scanned.
import { declareEarlyParam } from '../../src/kernel/cmdline.js';

/** What the driver would read at probe time (exported so scripts can look after a plan). */
export const mcaRegion: { base?: bigint; size?: bigint } = {};

export default declareEarlyParam('mca_mem', (val, k) => {
  if (val === undefined) return -22; // `mca_mem` without a value: "Malformed early option"
  const { value: size, end } = k.memparse(val);
  if (!size || end !== val.length) return -22;
  k.atReserve((mb) => {
    const base = mb.physAlloc(size, 1n << 20n); // top-down, below memblock.current_limit
    if (!base) {
      mb.printk('err', `mca: cannot reserve ${size >> 20n} MiB`);
      return;
    }
    mcaRegion.base = base;
    mcaRegion.size = size;
    mb.printk('info', `mca: reserved ${size >> 20n} MiB at 0x${base.toString(16).padStart(8, '0')}`);
    mb.handOff('mca', base, size);
  });
  return 0;
});
