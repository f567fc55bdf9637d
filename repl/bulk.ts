/**
 * Bulk operations whose stack use stays flat on inputs of any size.
 * Spreading an array into a call (`out.push(...lines)`,
 * `String.fromCharCode(...bytes)`, `Math.max(...widths)`) passes every
 * element as an argument, and V8 gives up past about 100,000 of them with
 * "Maximum call stack size exceeded": a view of 512M or a peek of 2M has
 * more lines or bytes than that.
 * @module
 */

/** Appends every item of `items` to `out`; returns `out`. */
export function pushAll<T>(out: T[], items: Iterable<T>): T[] {
  for (const x of items) out.push(x);
  return out;
}

/** Chunk of bytes turned into a string at once (well below any argument limit). */
const CHUNK = 8192;

/** The bytes as a string of Latin-1 code units (one char per byte). */
export function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += CHUNK) {
    s += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + CHUNK)));
  }
  return s;
}
