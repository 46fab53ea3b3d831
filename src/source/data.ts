// Property value building: dtc's `struct data` (data.c) — a growable byte buffer plus markers
// (labels, references, type hints) at byte offsets. The parser appends into one DataBuilder per
// property value, which is equivalent to dtc's data_merge() of the pieces (markers keep their
// relative offsets).
import type { Marker, MarkerType } from '../tree/types.js';
import type { Span } from '../diagnostics.js';

export class DataBuilder {
  buf: Uint8Array;
  len = 0;
  markers: Marker[] = [];

  constructor(initial = 16) {
    this.buf = new Uint8Array(initial);
  }

  private grow(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }

  /** data_add_marker(): a marker at the current end of the data. */
  addMarker(type: MarkerType, ref?: string, span?: Span): void {
    const m: Marker = { type, offset: this.len };
    if (ref !== undefined) m.ref = ref;
    if (span !== undefined) m.span = span;
    this.markers.push(m);
  }

  appendByte(b: number): void {
    if (this.len >= this.buf.length) this.grow(1);
    this.buf[this.len++] = b & 0xff;
  }

  appendBytes(bytes: Uint8Array): void {
    this.grow(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  /**
   * Append a "byte string" held in a JS string whose char codes are byte values (0..255),
   * as the lexer produces for string literals, plus dtc's terminating NUL.
   */
  appendLatin1(s: string, nul: boolean): void {
    const n = s.length;
    this.grow(n + 1);
    const b = this.buf;
    let l = this.len;
    for (let i = 0; i < n; i++) b[l++] = s.charCodeAt(i);
    if (nul) b[l++] = 0;
    this.len = l;
  }

  /** data_append_cell() for a value known to fit in 32 bits (number fast path). */
  appendU32(v: number): void {
    this.grow(4);
    const b = this.buf;
    const l = this.len;
    b[l] = (v >>> 24) & 0xff;
    b[l + 1] = (v >>> 16) & 0xff;
    b[l + 2] = (v >>> 8) & 0xff;
    b[l + 3] = v & 0xff;
    this.len = l + 4;
  }

  /** data_append_integer(): big-endian, `bits` wide, value truncated to that width. */
  appendInteger(v: bigint, bits: number): void {
    if (bits === 32) {
      this.appendU32(Number(v & 0xffffffffn));
      return;
    }
    const n = bits >> 3;
    this.grow(n);
    let x = BigInt.asUintN(bits, v);
    for (let i = n - 1; i >= 0; i--) {
      this.buf[this.len + i] = Number(x & 0xffn);
      x >>= 8n;
    }
    this.len += n;
  }

  /** Chunk that finished values are copied into (see bytes()). */
  private pool = new Uint8Array(0);
  private poolAt = 0;

  /**
   * The value bytes: a copy trimmed to length. Small values are views into a shared 16 KiB
   * chunk rather than a buffer each (an ArrayBuffer per property was ~200 bytes of heap for
   * values of a few bytes); each view owns its bytes (in-place writes such as phandle fix-ups
   * stay inside it), and users honour byteOffset.
   */
  bytes(): Uint8Array {
    const n = this.len;
    if (n > POOL_CHUNK >> 3) return this.buf.slice(0, n);
    if (this.poolAt + n > this.pool.length) {
      this.pool = new Uint8Array(POOL_CHUNK);
      this.poolAt = 0;
    }
    const at = this.poolAt;
    const pool = this.pool,
      buf = this.buf;
    for (let i = 0; i < n; i++) pool[at + i] = buf[i]!;
    this.poolAt = at + n;
    return pool.subarray(at, at + n);
  }

  /** The markers, in an array of their own (the builder's is reused: reset() empties it). */
  takeMarkers(): Marker[] {
    return this.markers.slice();
  }

  /** Start a new value. */
  reset(): void {
    this.len = 0;
    this.markers.length = 0;
  }
}

const POOL_CHUNK = 16384;

/** Encode a JS string as UTF-8 into a string of byte-valued chars (for chars > 0xFF only). */
export function toByteString(s: string): string {
  let wide = false;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0xff) {
      wide = true;
      break;
    }
  }
  if (!wide) return s;
  const bytes = Buffer.from(s, 'utf8');
  return bytes.toString('latin1');
}
