// What libfdt's read-write functions do to a blob's size when a firmware edits the DTB in place
// (U-Boot's fixups, the EFI stub's update_fdt): new properties and nodes grow the structure block
// by their encoding, and fdt_find_add_string_ appends a property name to the strings block only
// when the block does not already hold it as a NUL-terminated tail of some string.
import { Buffer } from 'node:buffer';
import { HDR } from '../fdt/constants.js';
import { writeDtb } from '../fdt/writer.js';
import { readU32, walk } from '../tree/query.js';
import type { Tree } from '../tree/types.js';

/** A blob's strings block and the end of its used part (off_dt_strings + size_dt_strings). */
export function blobStrings(blob: Uint8Array): { used: bigint; strings: Uint8Array } {
  const offStrings = readU32(blob, HDR.off_dt_strings);
  const sizeStrings = readU32(blob, HDR.size_dt_strings);
  return { used: BigInt(offStrings + sizeStrings), strings: blob.slice(offStrings, offStrings + sizeStrings) };
}

/** fdt_find_add_string_: the strings block after a property called `name` is added. */
export function addString(strings: Uint8Array, name: string): Uint8Array {
  const s = Buffer.from(`${name}\0`, 'latin1');
  if (Buffer.from(strings).indexOf(s) >= 0) return strings;
  return new Uint8Array(Buffer.concat([strings, s]));
}

/** Size of the structure block of a tree (the same for every writer: tags, names and values). */
export function structSize(tree: Tree): bigint {
  return BigInt(readU32(writeDtb(tree), HDR.size_dt_struct));
}

/** The strings block once every property of `after` whose name `before` lacked has been added, in tree order. */
export function stringsAfter(strings: Uint8Array, before: Tree, after: Tree): Uint8Array {
  const had = new Set(walk(before).flatMap((n) => n.props.map((p) => p.name)));
  let out = strings;
  for (const n of walk(after)) for (const p of n.props) if (!had.has(p.name)) out = addString(out, p.name);
  return out;
}
