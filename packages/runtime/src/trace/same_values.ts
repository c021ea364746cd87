/**
 * Whether two buffers of values are the same, for predictions behind a guard (a feed predicted by
 * value, a shared constant). Large ones are compared as bytes (memcmp): the fills compared every step
 * reach 1 MB, and a JS loop over them cost more than the kernels they feed. Small ones (a learning
 * rate, a scalar per layer: most of the comparisons) are compared element by element with Object.is,
 * which wrapping both in Buffers would cost several times over; it tells 0 from -0 as bytes do, and
 * takes any NaN for any other, as every kernel does.
 */
export function sameValues(a: ArrayLike<number> | ArrayBufferView, b: ArrayLike<number> | ArrayBufferView): boolean {
  if (a.constructor !== b.constructor) return false;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b) && a.byteLength > ELEMENTWISE_BYTES) {
    return a.byteLength === b.byteLength &&
      Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  }
  // Small, or not typed arrays (a string tensor's array of encoded strings): element by element.
  const x = a as ArrayLike<number>;
  const y = b as ArrayLike<number>;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  return true;
}

/** Up to this many bytes, a loop over the elements is cheaper than memcmp through two new Buffers. */
const ELEMENTWISE_BYTES = 256;
