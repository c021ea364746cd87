/**
 * Whether two buffers of values are the same, for predictions behind a guard (a feed predicted by
 * value, a shared constant). Compared as bytes (memcmp): the fills compared every step reach 1 MB, and
 * a JS loop over them cost more than the kernels they feed. Bytes are stricter than number equality
 * only for NaNs of different payloads, which then count as different: a missed prediction, never a
 * wrong one.
 */
export function sameValues(a: ArrayLike<number> | ArrayBufferView, b: ArrayLike<number> | ArrayBufferView): boolean {
  if (a.constructor !== b.constructor) return false;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    return a.byteLength === b.byteLength &&
      Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  }
  // Not typed arrays (a string tensor's array of encoded strings): element by element.
  const x = a as ArrayLike<number>;
  const y = b as ArrayLike<number>;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  return true;
}
