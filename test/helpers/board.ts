// Boards written for a test: a DTS file in a fresh temporary directory.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A DTS file holding `text`, in a fresh temporary directory: its path. */
export function dtsFile(text: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'carveout-board-')), 'board.dts');
  writeFileSync(f, text);
  return f;
}

/** A board whose /reserved-memory holds the nodes `nodes` (DTS text), after the root's `rootNodes` (a memory node). */
export function regionBoard(nodes: string, rootNodes = ''): string {
  return dtsFile(
    `/dts-v1/;
/ {
	#address-cells = <2>;
	#size-cells = <2>;
	${rootNodes ? `${rootNodes}\n\t` : ''}reserved-memory {
		#address-cells = <2>;
		#size-cells = <2>;
		ranges;
		${nodes}
	};
};
`,
  );
}

/** A board whose /reserved-memory holds one static no-map region, `name@base`, of `size` bytes. */
export function noMapBoard(name: string, base: bigint, size: bigint): string {
  return regionBoard(`${name}@${base.toString(16)} {
			reg = <0x0 0x${base.toString(16)} 0x0 0x${size.toString(16)}>;
			no-map;
		};`);
}

/** A board whose /reserved-memory holds a lab case's static regions (`name { reg = <…>; }` each), as the lab's tree has them. */
export function caseBoard(c: { regions: { name: string; reg?: [string, string][] }[] }): string {
  const cells = (x: string) => {
    const n = BigInt(x);
    return `0x${(n >> 32n).toString(16)} 0x${(n & 0xffff_ffffn).toString(16)}`;
  };
  return regionBoard(c.regions.map((r) => `${r.name} { reg = <${cells(r.reg![0]![0])} ${cells(r.reg![0]![1])}>; };`).join('\n\t\t'));
}

/** A board with one reusable shared-dma-pool region `name` (`props`: its reg or size/alignment, more flags). */
export function poolBoard(name: string, props: string): string {
  return regionBoard(`${name} {
			compatible = "shared-dma-pool";
			reusable;
			${props}
		};`);
}

/**
 * A board with one static no-map reusable shared-dma-pool `name`@base: rmem_cma_setup and
 * rmem_dma_setup both refuse no-map with reusable (kernel/dma/contiguous.c, coherent.c; 7.2's
 * CMA takes it), so its handler fails and of_reserved_mem gives it back.
 */
export function failingNomapPool(name: string, base: number, size: number): string {
  return regionBoard(`${name}@${base.toString(16)} {
			compatible = "shared-dma-pool";
			reg = <0x0 0x${base.toString(16)} 0x0 0x${size.toString(16)}>;
			no-map;
			reusable;
		};`);
}
