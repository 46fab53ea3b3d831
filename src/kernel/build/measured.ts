// What no file of a build states, measured from one `memblock=debug` boot of it: the kernel's own
// allocation lines (mm/memblock.c memblock_dbg: "%s: %llu bytes align=%pa nid=%d from=%pa
// max_addr=%pa %pS" and "%s: [%pa-%pa] %pS") give the sizes its structures have in that build.
// A boot's trace is read as the lab parses a console (src/verify/observation.ts); the structural
// type below is all this needs of it.
import { diag, type Diagnostic } from '../../diagnostics.js';
import { formatPa, hex } from '../memblock.js';

/** One memblock=debug line as parsed from a console. */
export interface TraceLine {
  fn: string;
  op: 'add' | 'remove' | 'reserve' | 'free' | 'alloc' | 'other';
  base?: bigint;
  end?: bigint;
  size?: bigint;
  align?: bigint;
  from?: bigint;
  maxAddr?: bigint;
  nid?: number;
  flags?: number;
  caller: string;
  count?: number;
}

/** What of a boot's console the measurement reads: its trace and memblock_dump_all's memory table. */
export interface MeasuredBootLog {
  memblock: readonly TraceLine[];
  memblockDump?: { memory: readonly { base: bigint; size: bigint; nid?: number }[] };
}

/** The build being measured: its arch, page size and (arm64) its sparse section size. */
export interface MeasureTarget {
  arch: 'arm64' | 'arm';
  pageSize: number;
  physAddrBits: 32 | 64;
  /** SECTION_SIZE_BITS (arm64). */
  sectionSizeBits?: number;
}

/** The sizes a boot shows and no file states. */
export interface MeasuredSizes {
  /** arm64: roundup(sizeof(pg_data_t), SMP_CACHE_BYTES), NODE_DATA's allocation. */
  nodeDataSize?: bigint;
  /** arm64: mem_section_usage_size(), sparse_init_nid's usemap per present section. */
  usemapBytesPerSection?: bigint;
  /** pcpu_setup_first_chunk's allocations (mm/percpu.c), in order. */
  percpuSetup?: bigint[];
  /** pcpu_alloc_first_chunk's allocations for both first chunks, in order. */
  percpuAlloc?: bigint[];
  /** arm: sizeof(struct static_vm), iotable_init's allocation for one map_desc. */
  staticVmSize?: bigint;
}

export type MeasuredName = keyof MeasuredSizes;

/** What each arch measures (the profile layers that take them: arch/arm64/layer.ts, arch/arm/layer.ts). */
export const measuredNames: Record<MeasureTarget['arch'], readonly MeasuredName[]> = {
  arm64: ['nodeDataSize', 'usemapBytesPerSection', 'percpuSetup', 'percpuAlloc'],
  arm: ['staticVmSize', 'percpuSetup', 'percpuAlloc'],
};

/** One size as measured, with the trace lines it was read from (as the kernel prints them). */
export interface Measurement {
  name: MeasuredName;
  value: bigint | bigint[];
  lines: string[];
}

export interface MeasureResult {
  sizes: MeasuredSizes;
  found: Measurement[];
  /** A size the log does not show is a warning naming what was looked for. */
  diagnostics: Diagnostic[];
}

/** The function of a `%pS` caller (`pcpu_fc_alloc+0x8c/0x1b8` → `pcpu_fc_alloc`). */
const fnOf = (caller: string): string => caller.replace(/\+0x[0-9a-f]+\/0x[0-9a-f]+$/, '');

/**
 * Callers that stand for a memblock_alloc() call site the line does not name: 5.10's out-of-line
 * memblock_alloc (include/linux/memblock.h, also as a .constprop clone) and 7.x's
 * memblock_alloc_or_panic (mm/memblock.c __memblock_alloc_or_panic).
 */
const ALLOC_WRAPPER = /^(memblock_alloc(\.constprop\.\d+)?|__memblock_alloc_or_panic)$/;

/**
 * pcpu_fc_alloc's allocation of the first chunk's units (mm/percpu.c): printed from pcpu_fc_alloc
 * (arm64), 5.10's pcpu_dfl_fc_alloc callback (the generic setup_per_cpu_areas), or, where
 * pcpu_fc_alloc is inlined (arm 6.1+), from pcpu_embed_first_chunk — the one of its allocations
 * with a goal (from=__pa(MAX_DMA_ADDRESS), which is never 0 there).
 */
export const isPcpuUnit = (e: Pick<TraceLine, 'caller' | 'from'>): boolean => {
  const fn = fnOf(e.caller);
  return fn === 'pcpu_fc_alloc' || fn === 'pcpu_dfl_fc_alloc' || (fn === 'pcpu_embed_first_chunk' && !!e.from);
};

/** A memblock_alloc_range_nid reservation (the block an allocation got). */
const isAllocReserve = (e: TraceLine | undefined): boolean => e?.op === 'reserve' && fnOf(e.caller) === 'memblock_alloc_range_nid';

/** A trace line as the kernel printed it. */
export function traceText(e: TraceLine, physAddrBits: 32 | 64): string {
  const pa = (x: bigint | undefined) => formatPa(x ?? 0n, physAddrBits);
  if (e.op === 'alloc')
    return `${e.fn}: ${e.size} bytes align=0x${(e.align ?? 0n).toString(16)}${e.nid !== undefined ? ` nid=${e.nid}` : ''} from=${pa(e.from)} max_addr=${pa(e.maxAddr)} ${e.caller}`;
  const nid = e.nid !== undefined ? ` nid=${e.nid} flags=${(e.flags ?? 0).toString(16)}` : '';
  return `${e.fn}: [${pa(e.base)}-${pa(e.end)}]${nid} ${e.caller}`;
}

/**
 * The sizes one boot's trace shows. Each is read from the lines the kernel prints for it:
 *  - NODE_DATA (arm64): alloc_node_data (6.12 drivers/base/arch_numa.c, 7.2 mm/numa.c; 5.10/6.1
 *    setup_node_data) allocates roundup(sizeof(pg_data_t), SMP_CACHE_BYTES) with
 *    memblock_phys_alloc_try_nid, which prints no line of its own: the block is the first
 *    memblock_alloc_range_nid reservation no allocation line announced after unflatten_device_tree's
 *    allocation (drivers/of/fdt.c early_init_dt_alloc_memory_arch; 7.x through
 *    memblock_alloc_or_panic) and before sparse_init's first sparse_index_alloc (mm/sparse.c):
 *    setup_arch unflattens the tree, then bootmem_init runs arch_numa_init and sparse_init;
 *  - the usemap (arm64): sparse_init_nid's first allocation, sparse_early_usemaps_alloc_pgdat_section
 *    (mm/sparse.c), is mem_section_usage_size() * map_count, map_count being the node's present
 *    sections (memblocks_present): those of the memory memblock_dump_all lists at the end of
 *    bootmem_init (arch/arm64/mm/init.c), which sparse_init saw unchanged, on the allocation's node;
 *  - the per-cpu bitmaps: pcpu_embed_first_chunk's unit (pcpu_fc_alloc, isPcpuUnit), then the free of
 *    its unused tail, then pcpu_setup_first_chunk's five memblock_alloc()s (group_offsets,
 *    group_sizes, unit_map, unit_off, pcpu_chunk_lists) and pcpu_alloc_first_chunk's four per chunk
 *    (chunk, alloc_map, bound_map, md_blocks), up to pcpu_free_alloc_info's free (mm/percpu.c);
 *  - struct static_vm (arm): dma_contiguous_remap (arch/arm/mm/dma-mapping.c) calls
 *    iotable_init(&map, 1) per CMA area in lowmem, which allocates sizeof(*svm) * nr aligned to
 *    __alignof__(*svm) (arch/arm/mm/mmu.c): the first allocation iotable_init (or the memblock_alloc
 *    wrapper it calls) prints with an alignment below a page, map_lowmem's early_alloc page tables
 *    being page-aligned.
 * `source` names the log in the diagnostics.
 */
export function measureBoot(target: MeasureTarget, log: MeasuredBootLog, source: string): MeasureResult {
  const t = log.memblock;
  const found: Measurement[] = [];
  const diagnostics: Diagnostic[] = [];
  const text = (e: TraceLine) => traceText(e, target.physAddrBits);
  const missing = (name: MeasuredName, what: string) =>
    diagnostics.push(diag('warning', 'not-measured', `${name}: ${what}`, { file: source, line: 0, column: 0, endLine: 0, endColumn: 0 }));
  if (target.arch === 'arm64') {
    const unflatten = t.findIndex(
      (e) => e.op === 'alloc' && (fnOf(e.caller) === 'early_init_dt_alloc_memory_arch' || ALLOC_WRAPPER.test(fnOf(e.caller))),
    );
    const sparseIndex = t.findIndex((e) => e.op === 'alloc' && fnOf(e.caller) === 'sparse_index_alloc');
    let node = -1;
    for (let i = unflatten + 2; unflatten >= 0 && i < sparseIndex && node < 0; i++)
      if (isAllocReserve(t[i]) && t[i - 1]!.op !== 'alloc') node = i;
    if (node < 0)
      missing(
        'nodeDataSize',
        'no NODE_DATA reservation (a memblock_alloc_range_nid reserve without an allocation line between unflatten_device_tree and sparse_index_alloc)',
      );
    else found.push({ name: 'nodeDataSize', value: t[node]!.size!, lines: [text(t[node]!)] });

    const usemap = t.find((e) => e.op === 'alloc' && fnOf(e.caller) === 'sparse_init_nid');
    const memory = log.memblockDump?.memory;
    if (!usemap) missing('usemapBytesPerSection', 'no sparse_init_nid allocation in the trace');
    else if (!memory?.length || target.sectionSizeBits === undefined)
      missing('usemapBytesPerSection', 'no MEMBLOCK configuration dump: which sections are present is not known');
    else {
      const bits = BigInt(target.sectionSizeBits);
      // the node's own sections (a NUMA boot's first sparse_init_nid is node 0's: its memory rows)
      const own = memory.filter((m) => usemap.nid === undefined || usemap.nid < 0 || m.nid === undefined || m.nid === usemap.nid);
      const sections = new Set<bigint>();
      for (const m of own) for (let s = m.base >> bits; s <= (m.base + m.size - 1n) >> bits; s++) sections.add(s);
      const n = BigInt(sections.size);
      if (usemap.size! % n !== 0n)
        missing('usemapBytesPerSection', `sparse_init_nid's ${usemap.size} bytes are not a multiple of the ${n} present sections`);
      else
        found.push({
          name: 'usemapBytesPerSection',
          value: usemap.size! / n,
          lines: [
            text(usemap),
            ...own.map((m) => `memory [${formatPa(m.base, 64)}-${formatPa(m.base + m.size - 1n, 64)}]: ${n} section(s) of 2^${bits}`),
          ],
        });
    }
  } else {
    const page = BigInt(target.pageSize);
    const svm = t.find(
      (e) => e.op === 'alloc' && (fnOf(e.caller) === 'iotable_init' || ALLOC_WRAPPER.test(fnOf(e.caller))) && (e.align ?? page) < page,
    );
    if (!svm)
      missing('staticVmSize', 'no iotable_init allocation in the trace (no CMA area in lowmem, or the console stopped before paging_init)');
    else found.push({ name: 'staticVmSize', value: svm.size!, lines: [text(svm)] });
  }
  const unit = t.findIndex((e) => e.op === 'alloc' && isPcpuUnit(e));
  const tail = unit < 0 ? -1 : t.findIndex((e, i) => i > unit && e.op === 'free');
  const done = tail < 0 ? -1 : t.findIndex((e, i) => i > tail && e.op === 'free');
  const allocs = done < 0 ? [] : t.slice(tail + 1, done).filter((e) => e.op === 'alloc');
  // pcpu_setup_first_chunk's five, then four per chunk (the first chunk and the reserved one)
  if (allocs.length < 9 || (allocs.length - 5) % 4 !== 0) {
    const why =
      unit < 0 ? 'no pcpu_fc_alloc allocation' : done < 0 ? 'the trace ends inside the per-cpu setup' : `${allocs.length} allocations`;
    missing('percpuSetup', `pcpu_setup_first_chunk/pcpu_alloc_first_chunk not found: ${why}`);
    missing('percpuAlloc', `pcpu_setup_first_chunk/pcpu_alloc_first_chunk not found: ${why}`);
  } else {
    // the unit and the free of its tail mark where pcpu_setup_first_chunk starts, pcpu_free_alloc_info's free where it ends
    const marks = [t[unit]!, t[tail]!].map(text);
    found.push({
      name: 'percpuSetup',
      value: allocs.slice(0, 5).map((e) => e.size!),
      lines: [...marks, ...allocs.slice(0, 5).map(text)],
    });
    found.push({
      name: 'percpuAlloc',
      value: allocs.slice(5).map((e) => e.size!),
      lines: [...marks, ...allocs.slice(5).map(text), text(t[done]!)],
    });
  }
  const sizes: MeasuredSizes = {};
  for (const m of found) Object.assign(sizes, { [m.name]: m.value });
  return { sizes, found, diagnostics };
}

/** One boot's log, named. */
export interface NamedBootLog {
  /** What names the boot in a diagnostic and in the provenance (a lab case id, a console file). */
  source: string;
  log: MeasuredBootLog;
}

/** A size as several boots of one build show it: the first boot's measurement, and any boot that disagrees. */
export interface AgreedMeasurement extends Measurement {
  /** The boot it was read from. */
  source: string;
  /** How many boots show it, all with this value. */
  boots: number;
}

export interface AgreedSizes {
  found: AgreedMeasurement[];
  /** A size some boots measure differently is an error naming them; a size no boot shows is a warning. */
  diagnostics: Diagnostic[];
}

/** A measured value as hex, a list as `[a, b, …]`. */
export function showMeasured(v: bigint | bigint[]): string {
  const h = (x: bigint) => `0x${x.toString(16)}`;
  return Array.isArray(v) ? `[${v.map(h).join(', ')}]` : h(v);
}

const same = (a: bigint | bigint[], b: bigint | bigint[]): boolean => showMeasured(a) === showMeasured(b);

/**
 * The sizes every boot of one build shows: each from the first boot that shows it, checked against
 * all the others (a size is a property of the build, so a boot that reads differently is a
 * measurement error, reported as one).
 */
export function measureBoots(target: MeasureTarget, boots: readonly NamedBootLog[], what: string): AgreedSizes {
  const found = new Map<MeasuredName, AgreedMeasurement>();
  const diagnostics: Diagnostic[] = [];
  const at = { file: what, line: 0, column: 0, endLine: 0, endColumn: 0 };
  for (const b of boots) {
    for (const m of measureBoot(target, b.log, b.source).found) {
      const first = found.get(m.name);
      if (!first) found.set(m.name, { ...m, source: b.source, boots: 1 });
      else if (same(first.value, m.value)) first.boots++;
      else
        diagnostics.push(
          diag(
            'error',
            'measurements-disagree',
            `${m.name}: ${b.source} shows ${showMeasured(m.value)}, ${first.source} ${showMeasured(first.value)}`,
            at,
          ),
        );
    }
  }
  for (const name of measuredNames[target.arch])
    if (!found.has(name)) diagnostics.push(diag('warning', 'not-measured', `${name}: none of ${boots.length} boot(s) shows it`, at));
  return { found: measuredNames[target.arch].flatMap((n) => found.get(n) ?? []), diagnostics };
}

/** Which boot a stored size was read from: a lab record's case, or a measurement boot's command line and RAM. */
export interface MeasuredBoot {
  /** The lab record's case id (absent for a measurement boot of `kernels fetch`). */
  case?: string;
  /** RAM given to QEMU, hex. */
  ram: string;
  /** The kernel command line (with memblock=debug). */
  append: string;
}

/** A size as stored beside the build's other facts: its value, the boot and the lines it was read from. */
export interface StoredSize {
  name: MeasuredName;
  /** Hex, or a list of hex values. */
  value: string | string[];
  boot: MeasuredBoot;
  lines: string[];
}

/** A build's measured sizes with their provenance (data/lab/<id>.build.json, or the kernel cache). */
export interface StoredMeasurement {
  /** The boots: the lab records file, or the measurement boot under QEMU. */
  from: string;
  sizes: StoredSize[];
}

/** The stored form of agreed measurements; `bootOf` names the boot a source stands for. */
export function storedMeasurement(
  from: string,
  found: readonly AgreedMeasurement[],
  bootOf: (source: string) => MeasuredBoot,
): StoredMeasurement {
  return {
    from,
    sizes: found.map((m) => ({
      name: m.name,
      value: Array.isArray(m.value) ? m.value.map(hex) : hex(m.value),
      boot: bootOf(m.source),
      lines: m.lines,
    })),
  };
}

/** The sizes a stored measurement holds. */
export function storedSizes(m: StoredMeasurement): MeasuredSizes {
  const sizes: MeasuredSizes = {};
  for (const s of m.sizes) Object.assign(sizes, { [s.name]: Array.isArray(s.value) ? s.value.map((v) => BigInt(v)) : BigInt(s.value) });
  return sizes;
}

/** Whether a value read from JSON is a stored measurement (stored files are data: checked, not trusted). */
export function isStoredMeasurement(x: unknown): x is StoredMeasurement {
  const isHex = (v: unknown) => typeof v === 'string' && /^0x[0-9a-f]+$/.test(v);
  const names = new Set<string>([...measuredNames.arm64, ...measuredNames.arm]);
  const isSize = (s: unknown): boolean => {
    if (typeof s !== 'object' || s === null) return false;
    const o = s as Record<string, unknown>;
    const b = o.boot as Record<string, unknown> | null;
    return (
      typeof o.name === 'string' &&
      names.has(o.name) &&
      (isHex(o.value) || (Array.isArray(o.value) && o.value.every(isHex))) &&
      typeof b === 'object' &&
      b !== null &&
      typeof b.ram === 'string' &&
      typeof b.append === 'string' &&
      (b.case === undefined || typeof b.case === 'string') &&
      Array.isArray(o.lines) &&
      o.lines.every((l) => typeof l === 'string')
    );
  };
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return typeof o.from === 'string' && Array.isArray(o.sizes) && o.sizes.every(isSize);
}

/** `a`'s sizes, and `b`'s for those `a` lacks (a boot that completes what the records show); the provenance names both. */
export function mergeMeasurements(a: StoredMeasurement | undefined, b: StoredMeasurement): StoredMeasurement {
  if (!a) return b;
  const added = b.sizes.filter((x) => !a.sizes.some((y) => y.name === x.name));
  if (!added.length) return a;
  const names = added.map((x) => x.name);
  // b may be a merge itself ("…; percpuSetup, percpuAlloc from a measurement boot"): the clause
  // that names exactly the sizes taken says where they came from
  const clause = b.from
    .split('; ')
    .map((c) => /^([\w, ]+) from (.+)$/.exec(c))
    .find((x) => x && x[1]!.split(', ').join(',') === names.join(','));
  return { from: `${a.from}; ${names.join(', ')} from ${clause ? clause[2] : b.from}`, sizes: [...a.sizes, ...added] };
}
