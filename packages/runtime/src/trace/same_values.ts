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

/**
 * Buffers of one value repeated are predicted and shared up to this size, beyond the small ones:
 * tfjs-core's Mean and Sum gradients write `ones(x.shape)`, as large as the activation, in every step.
 */
export const FILL_BYTES = 1 << 20;

/**
 * Whether every element is the first (a fill of -0 is not one of 0). A large buffer is compared with
 * itself one element on, as bytes (memcmp: 40 us a megabyte here, where a loop took 1.1 ms); byte
 * equality also tells NaN payloads apart, which only makes fewer buffers fills.
 */
export function isFill(v: Float32Array | Int32Array | Uint8Array): boolean {
  if (v.byteLength > ELEMENTWISE_BYTES) {
    const bytes = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    const step = v.BYTES_PER_ELEMENT;
    return bytes.subarray(0, bytes.length - step).equals(bytes.subarray(step));
  }
  const first = v[0];
  for (let i = 1; i < v.length; i++) if (!Object.is(v[i], first)) return false;
  return true;
}
