import type { BackendValues, DataType } from '@tensorflow/tfjs-core';

/** How far a co-executed float value may be from its eager shadow: |actual - eager| <= atol + rtol * |eager|. */
export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

/**
 * The defaults, the project's differential tolerance (fused segments and single-kernel sessions round
 * differently); the shadow restarts from the real values every iteration, so errors do not accumulate.
 */
export const DEFAULT_TOLERANCE: Tolerance = { rtol: 1e-3, atol: 1e-4 };

/** How a value differs from its shadow. */
export interface Difference {
  /** Why: the values, or the number of elements (a shape the prediction got wrong). */
  readonly kind: 'values' | 'size';
  readonly maxAbs: number;
  readonly maxRel: number;
  /** The flat index of the element with the largest difference (the first one outside the tolerance for NaN). */
  readonly element: number;
  readonly actual: number;
  readonly expected: number;
  readonly actualSize: number;
  readonly expectedSize: number;
}

/**
 * Compares a co-executed value with its eager shadow: float32 within the tolerance (NaN equals NaN,
 * an infinity only itself), int32 and bool exactly. Undefined when they agree.
 */
export function compareValues(actual: BackendValues, expected: BackendValues, dtype: DataType, tol: Tolerance): Difference | undefined {
  const a = actual as ArrayLike<number>;
  const e = expected as ArrayLike<number>;
  if (a.length !== e.length) {
    return { kind: 'size', maxAbs: NaN, maxRel: NaN, element: -1, actual: NaN, expected: NaN, actualSize: a.length, expectedSize: e.length };
  }
  const exact = dtype !== 'float32';
  let worst = -1;
  let maxAbs = 0;
  let maxRel = 0;
  let outside = false;
  for (let i = 0; i < a.length; i++) {
    const x = Number(a[i]);
    const y = Number(e[i]);
    if (Object.is(x, y) || x === y || (Number.isNaN(x) && Number.isNaN(y))) continue;
    const abs = Number.isNaN(x) || Number.isNaN(y) ? Infinity : Math.abs(x - y);
    const rel = y === 0 ? Infinity : abs / Math.abs(y);
    // Unequal values of which one is not finite are never close (the tolerance would be infinite).
    const bad = exact || !Number.isFinite(x) || !Number.isFinite(y) || !(abs <= tol.atol + tol.rtol * Math.abs(y));
    if (bad) outside = true;
    if (abs > maxAbs || worst < 0) {
      maxAbs = abs;
      worst = i;
    }
    if (rel > maxRel) maxRel = rel;
  }
  if (!outside) return undefined;
  return {
    kind: 'values', maxAbs, maxRel, element: worst, actual: Number(a[worst]), expected: Number(e[worst]),
    actualSize: a.length, expectedSize: e.length,
  };
}
