import type { BackendValues } from '@tensorflow/tfjs-core';

/** Whether an index along an axis of `dim` entries is out of [0, dim): GatherV2's check. */
export function outsideAxis(values: BackendValues, dim: number): boolean {
  const v = values as ArrayLike<number>;
  for (let i = 0; i < v.length; i++) if (!(v[i] >= 0 && v[i] < dim)) return true;
  return false;
}

/**
 * Whether an index tuple of `sliceRank` components addresses no slice of `shape`: gatherND's and
 * scatterND's check, which bounds the tuple's flat offset over shape[:sliceRank], not each component.
 */
export function outsideSlices(values: BackendValues, sliceRank: number, shape: readonly number[]): boolean {
  if (sliceRank < 1 || sliceRank > shape.length) return false; // the op rejects these shapes itself
  const v = values as ArrayLike<number>;
  const strides = new Array<number>(sliceRank);
  let slices = 1;
  for (let d = sliceRank - 1; d >= 0; d--) {
    strides[d] = slices;
    slices *= shape[d];
  }
  for (let t = 0; t + sliceRank <= v.length; t += sliceRank) {
    let offset = 0;
    for (let d = 0; d < sliceRank; d++) offset += v[t + d] * strides[d];
    if (!(offset >= 0 && offset < slices)) return true;
  }
  return false;
}

/** The components of one index tuple: the last dim of indices of rank 2 or more, else 1 (scatterND). */
export function scatterSliceRank(indicesShape: readonly number[]): number {
  return indicesShape.length > 1 ? indicesShape[indicesShape.length - 1] : 1;
}
