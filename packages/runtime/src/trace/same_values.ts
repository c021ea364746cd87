/**
 * Whether two buffers of values are the same, for predictions behind a guard (a feed predicted by
 * value, a shared constant). Compared as bytes (memcmp): the fills compared every step reach 1 MB, and
 * a JS loop over them cost more than the kernels they feed. Bytes are stricter than number equality
 * only for NaNs of different payloads, which then count as different: a missed prediction, never a
 * wrong one.
 */
export function sameValues(a: ArrayLike<number> | ArrayBufferView, b: ArrayLike<number> | ArrayBufferView): boolean {
  if (a.constructor !== b.constructor || !ArrayBuffer.isView(a) || !ArrayBuffer.isView(b)) return sameNumbers(a, b);
  if (a.byteLength !== b.byteLength) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function sameNumbers(a: unknown, b: unknown): boolean {
  const x = a as ArrayLike<number>;
  const y = b as ArrayLike<number>;
  if (x.constructor !== y.constructor || x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  return true;
}
