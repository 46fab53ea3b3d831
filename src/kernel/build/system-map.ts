// A kernel build's System.map (scripts/mksysmap: `nm -n vmlinux` filtered): `<address> <type>
// <symbol>` per line, sorted by address.
import { diag, type Diagnostic } from '../../diagnostics.js';

export interface MapSymbol {
  address: bigint;
  type: string;
  name: string;
  line: number;
}

export interface SystemMap {
  file: string;
  /** In file order (by address). */
  symbols: MapSymbol[];
  /** First definition of each name. */
  byName: Map<string, MapSymbol>;
  /** When set, the line of every symbol read through symbol/tableEntries is added (an excerpt keeps those). */
  read?: Set<number>;
}

// nm writes a symbol without a name as `<address> <type> ` (an assembler's local label: arm builds
// have them, e.g. in .text after the spinlock functions): no symbol to read, not a bad line
const LINE = /^([0-9a-fA-F]+) ([A-Za-z?-])(?: (\S*))?\s*$/;

export function readSystemMap(text: string, file: string): { map: SystemMap; diagnostics: Diagnostic[] } {
  const map: SystemMap = { file, symbols: [], byName: new Map() };
  const diagnostics: Diagnostic[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const l = raw.replace(/\r$/, '');
    if (l === '') return;
    const line = i + 1;
    const m = LINE.exec(l);
    if (!m) {
      if (diagnostics.length < 10)
        diagnostics.push(
          diag('error', 'system-map-syntax', `not a System.map line ('<address> <type> <symbol>'): ${JSON.stringify(l.slice(0, 60))}`, {
            file,
            line,
            column: 1,
            endLine: line,
            endColumn: l.length + 1,
          }),
        );
      return;
    }
    if (!m[3]) return;
    const s: MapSymbol = { address: BigInt(`0x${m[1]}`), type: m[2]!, name: m[3]!, line };
    map.symbols.push(s);
    if (!map.byName.has(s.name)) map.byName.set(s.name, s);
  });
  return { map, diagnostics };
}

/** A symbol by name, as the model reads it (noting its line when the reads are being collected). */
export function symbol(m: SystemMap, name: string): MapSymbol | undefined {
  const s = m.byName.get(name);
  if (s) m.read?.add(s.line);
  return s;
}

/**
 * The entries of a linker table: `__<prefix>` symbols from the table's start symbol up to its
 * sentinel, in link order (by address), those `keep` takes (only they are noted as read).
 * RESERVEDMEM_OF_DECLARE(name, compat, init) puts a `__of_table_<name>` entry into
 * `__reservedmem_of_table`, ended by `__rmem_of_table_sentinel` (include/linux/of.h _OF_DECLARE,
 * include/asm-generic/vmlinux.lds.h); __setup() a `__setup_<fn>` between `__setup_start` and
 * `__setup_end` (include/linux/init.h), whose start symbol has the entries' prefix itself.
 */
export function tableEntries(
  m: SystemMap,
  start: string,
  end: string,
  entryPrefix: string,
  keep: (x: MapSymbol) => boolean = () => true,
): MapSymbol[] | undefined {
  const s = symbol(m, start);
  const e = symbol(m, end);
  if (!s || !e) return undefined;
  const entries = m.symbols
    .filter((x) => x !== s && x.name.startsWith(entryPrefix) && x.address >= s.address && x.address < e.address && keep(x))
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  for (const x of entries) m.read?.add(x.line);
  return entries;
}
