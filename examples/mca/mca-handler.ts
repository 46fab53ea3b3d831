// The MCA driver's reserved-memory hook, as the kernel would declare it with
//   RESERVEDMEM_OF_DECLARE(mca, "hisi,mca", mca_rmem_setup);
// carveout calls setup() when the kernel would (during early boot, after the region is placed) and
// records what it returns. This one remembers the region's base and size for the driver.
import { declareReservedMem, EINVAL } from '../../src/kernel/handler-api.js';

/** What the driver's probe would later read (exported so scripts can inspect it after a plan). */
export const mcaRegion: { base?: bigint; size?: bigint } = {};

export default declareReservedMem('mca', 'hisi,mca', (rmem, k) => {
  // The hardware wants a 64 MiB window on a 64 MiB boundary and unmapped memory.
  if (rmem.size < 64n << 20n || rmem.base % (64n << 20n) !== 0n || !rmem.flag('no-map')) {
    k.pr_err(`mca: unusable region ${rmem.name} at ${k.pa(rmem.base)}`);
    return -EINVAL;
  }
  mcaRegion.base = rmem.base;
  mcaRegion.size = rmem.size;
  rmem.ops = {
    deviceInit: (_r, dev) => {
      k.pr_info(`mca: ${dev.path} uses ${k.pa(rmem.base)}`);
      return 0;
    },
  };
  k.pr_info(`mca: reserved ${k.mib(rmem.size)} MiB at ${k.pa(rmem.base)}`);
  return 0;
});
