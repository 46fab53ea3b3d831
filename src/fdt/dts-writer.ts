// DTS writer (decompiler): `dtc -O dts` as dtc 1.6.1's treesource.c does it (dt_to_source,
// write_tree_source_node, write_propval, guess_value_type).
//
// With type markers (a tree parsed from DTS) values are spelled as the source spelled them;
// without (a tree read from a DTB) the whole value is guessed as a string, cells or bytes.
// References print as the resolved numbers / path strings, as 1.6.1 does; the `phandle`
// properties are in the tree, so the text compiles back to the identical blob.
//
// Where dtc 1.6.1 would print text that does not compile back (a string byte >= 0x80 printed as
// "\xffffff80" through a sign-extended char; a NUL before an octal digit printed as "\0", which
// reads back as one octal escape; or markers that make it abort on an assert), we print correct
// text instead: \xNN, \x00, or the value as guessed from its bytes.
import type { Tree, Node, Property, Marker } from '../tree/types.js';

const isTypeMarker = (t: Marker['type']): boolean => t.startsWith('type-');

const DELIM_START: Record<string, string> = {
  'type-uint8': '[',
  'type-uint16': '/bits/ 16 <',
  'type-uint32': '<',
  'type-uint64': '/bits/ 64 <',
  'type-string': '',
};
const DELIM_END: Record<string, string> = {
  'type-uint8': ']',
  'type-uint16': '>',
  'type-uint32': '>',
  'type-uint64': '>',
  'type-string': '',
};
const WIDTH: Record<string, number> = { 'type-uint8': 1, 'type-uint16': 2, 'type-uint32': 4, 'type-uint64': 8 };

/** C isprint() in the C locale. */
function isprint(c: number): boolean {
  return c >= 0x20 && c <= 0x7e;
}

/** treesource.c isstring(): printable, NUL, or one of \a\b\t\n\v\f\r. */
function isstring(c: number): boolean {
  return isprint(c) || c === 0 || (c >= 7 && c <= 13);
}

const ESCAPES: Record<number, string> = {
  7: '\\a',
  8: '\\b',
  9: '\\t',
  10: '\\n',
  11: '\\v',
  12: '\\f',
  13: '\\r',
  92: '\\\\',
  34: '\\"',
  0: '\\0',
};

/** write_propval_string: `len` bytes ending in NUL, printed as one quoted string. */
function propvalString(v: Uint8Array, start: number, len: number): string {
  if (!len) return '';
  let s = '"';
  const end = start + len - 1;
  for (let i = start; i < end; i++) {
    const c = v[i]!;
    const e = ESCAPES[c];
    // dtc prints NUL as \0 even before a digit 0-7, which its lexer then reads as one octal
    // escape ("a\01" is 'a', 0x01): print \x00 there so the text compiles back.
    if (c === 0 && i + 1 < end && v[i + 1]! >= 0x30 && v[i + 1]! <= 0x37) s += '\\x00';
    else if (e !== undefined) s += e;
    else if (isprint(c)) s += String.fromCharCode(c);
    else s += '\\x' + c.toString(16).padStart(2, '0');
  }
  return s + '"';
}

/** write_propval_int: big-endian items of `width` bytes, space-separated. */
function propvalInt(v: Uint8Array, start: number, len: number, width: number): string {
  const parts: string[] = [];
  const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
  for (let p = start; p < start + len; p += width) {
    switch (width) {
      case 1:
        parts.push(v[p]!.toString(16).padStart(2, '0'));
        break;
      case 2:
        parts.push('0x' + dv.getUint16(p).toString(16).padStart(2, '0'));
        break;
      case 4:
        parts.push('0x' + dv.getUint32(p).toString(16).padStart(2, '0'));
        break;
      default:
        parts.push('0x' + dv.getBigUint64(p).toString(16).padStart(2, '0'));
    }
  }
  return parts.join(' ');
}

/** guess_value_type (dtc 1.6.1): string, 32-bit cells, or bytes, honouring labels inside the value. */
export function guessValueType(prop: Property): Marker['type'] {
  const v = prop.value;
  const len = v.length;
  let nnotstring = 0;
  let nnul = 0;
  for (let i = 0; i < len; i++) {
    const c = v[i]!;
    if (!isstring(c)) nnotstring++;
    if (c === 0) nnul++;
  }
  let nnotstringlbl = 0;
  let nnotcelllbl = 0;
  for (const m of prop.markers) {
    if (m.type !== 'label') continue;
    if (m.offset > 0 && v[m.offset - 1] !== 0) nnotstringlbl++;
    if (m.offset % 4 !== 0) nnotcelllbl++;
  }
  if (len > 0 && v[len - 1] === 0 && nnotstring === 0 && nnul <= len - nnul && nnotstringlbl === 0) return 'type-string';
  if (len % 4 === 0 && nnotcelllbl === 0) return 'type-uint32';
  return 'type-uint8';
}

/** guess_value_type's rule on a slice without labels: string, 32-bit cells or bytes. */
function guessRange(v: Uint8Array, start: number, len: number): Marker['type'] {
  let nnotstring = 0;
  let nnul = 0;
  for (let i = start; i < start + len; i++) {
    if (!isstring(v[i]!)) nnotstring++;
    if (v[i] === 0) nnul++;
  }
  if (len > 0 && v[start + len - 1] === 0 && nnotstring === 0 && nnul <= len - nnul) return 'type-string';
  return len % 4 === 0 ? 'type-uint32' : 'type-uint8';
}

/**
 * write_propval's marker walk. Returns undefined where dtc would trip an assert or print text
 * that does not parse (the caller then falls back to guessing from the bytes).
 */
function walkMarkers(v: Uint8Array, markers: readonly Marker[]): string | undefined {
  const len = v.length;
  let out = '';
  let emit: Marker['type'] | undefined;
  // type_marker_length(m): distance to the next type marker after m (0 if none).
  const nextTypeOffset: (number | undefined)[] = new Array(markers.length);
  let nt: number | undefined;
  for (let i = markers.length - 1; i >= 0; i--) {
    nextTypeOffset[i] = nt;
    if (isTypeMarker(markers[i]!.type)) nt = markers[i]!.offset;
  }
  for (let i = 0; i < markers.length; i++) {
    const m = markers[i]!;
    const next = markers[i + 1];
    if (m.offset < 0 || m.offset > len) return undefined;
    const chunkLen = (next ? next.offset : len) - m.offset;
    if (chunkLen < 0) return undefined;
    const nto = nextTypeOffset[i];
    const dataLen = (nto !== undefined ? nto - m.offset : 0) || len - m.offset;

    if (isTypeMarker(m.type)) {
      emit = m.type;
      out += ' ' + DELIM_START[emit];
    } else if (m.type === 'label') {
      out += ' ' + m.ref + ':';
    } else if (m.offset) {
      out += ' ';
    }
    if (emit === undefined) {
      if (chunkLen !== 0) return undefined; // dtc: assert(chunk_len == 0)
      continue;
    }
    if (emit === 'type-string') {
      if (chunkLen && v[m.offset + chunkLen - 1] !== 0) return undefined;
      out += propvalString(v, m.offset, chunkLen);
    } else {
      const w = WIDTH[emit]!;
      if (chunkLen % w !== 0) return undefined;
      out += propvalInt(v, m.offset, chunkLen, w);
    }
    if (chunkLen === dataLen) {
      out += DELIM_END[emit] + (m.offset + chunkLen === len ? '' : ',');
      emit = undefined;
    }
  }
  if (emit !== undefined) return undefined; // an unclosed '<' or '['
  return out;
}

function byOffset(markers: readonly Marker[]): readonly Marker[] {
  for (let i = 1; i < markers.length; i++) {
    if (markers[i]!.offset < markers[i - 1]!.offset) return [...markers].sort((a, b) => a.offset - b.offset); // stable
  }
  return markers;
}

/** write_propval: ` = value;` or `;` for an empty property. */
export function writePropval(prop: Property): string {
  const v = prop.value;
  if (v.length === 0) return ';\n';
  let markers = byOffset(prop.markers);
  let body: string | undefined;
  const firstType = markers.find((m) => isTypeMarker(m.type));
  if (firstType) {
    // Data before the first type marker (e.g. /incbin/ data, which dtc leaves untyped, then
    // `, <1>`): dtc 1.6.1 would skip or assert on it; give it a type guessed from its own bytes
    // so no byte is lost.
    if (firstType.offset > 0) markers = [{ type: guessRange(v, 0, firstType.offset), offset: 0 }, ...markers];
    body = walkMarkers(v, markers);
  }
  if (body === undefined) {
    // No type information (or unusable): guess, keeping labels (dtc's dummy marker at offset 0).
    const labels = markers.filter((m) => m.type === 'label' && m.offset >= 0 && m.offset <= v.length);
    const guessed: Marker = { type: guessValueType({ ...prop, markers: labels }), offset: 0 };
    body = walkMarkers(v, [guessed, ...labels]) ?? walkMarkers(v, [{ type: 'type-uint8', offset: 0 }, ...labels])!;
  }
  return ' =' + body + ';\n';
}

/** Opening line and properties of one node (write_tree_source_node before its children). */
function writeNodeHead(node: Node, indent: string, out: string[]): void {
  let head = indent;
  for (const l of node.labels) head += l + ': ';
  head += (node.name ? node.name : '/') + ' {\n';
  out.push(head);
  const pindent = indent + '\t';
  for (const prop of node.props) {
    let s = pindent;
    for (const l of prop.labels) s += l + ': ';
    out.push(s + prop.name + writePropval(prop));
  }
}

/** write_tree_source_node, with an explicit stack so a very deep tree cannot overflow the JS stack. */
function writeTree(root: Node, out: string[]): void {
  writeNodeHead(root, '', out);
  const nodes: Node[] = [root];
  const next: number[] = [0];
  while (nodes.length) {
    const top = nodes.length - 1;
    const node = nodes[top]!;
    const i = next[top]!;
    if (i < node.children.length) {
      next[top] = i + 1;
      out.push('\n');
      writeNodeHead(node.children[i]!, '\t'.repeat(nodes.length), out);
      nodes.push(node.children[i]!);
      next.push(0);
    } else {
      out.push('\t'.repeat(top) + '};\n');
      nodes.pop();
      next.pop();
    }
  }
}

/** dt_to_source: the whole tree as DTS text, as `dtc -O dts` prints it. */
export function writeDts(tree: Tree): string {
  // dtc 1.6.1 prints no /plugin/ line even for an overlay (newer dtc does); the text still
  // compiles back to the same blob, since the fixup nodes are already in the tree.
  const out: string[] = ['/dts-v1/;\n\n'];
  for (const re of tree.memreserves) {
    let s = '';
    for (const l of re.labels) s += l + ': ';
    const a = BigInt.asUintN(64, re.address).toString(16).padStart(16, '0');
    const z = BigInt.asUintN(64, re.size).toString(16).padStart(16, '0');
    out.push(`${s}/memreserve/\t0x${a} 0x${z};\n`);
  }
  writeTree(tree.root, out);
  return out.join('');
}
