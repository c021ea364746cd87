/**
 * Differential testing of the terra backend against tfjs-backend-cpu: the same function of tfjs ops
 * runs on both, values must agree, and the named kernels must have run on ONNX Runtime.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's CommonJS bundle registers no gradients; @tensorflow/tfjs registers them into the same
// global registry, so tf.grad works and the backward kernels get their parity tests.
import '@tensorflow/tfjs';
import { resetStats, stats } from '@terrajs/runtime';

export { tf };

/** A small seeded PRNG (mulberry32), so parity inputs are random but reproducible. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandOptions {
  min?: number;
  max?: number;
  seed?: number;
}

/** Random values in [min, max): float32 uniform, int32 integers, bool coin flips. */
export function randValues(shape: number[], dtype: 'float32' | 'int32' | 'bool' = 'float32', opts: RandOptions = {}): number[] {
  const next = prng(opts.seed ?? 1);
  const n = shape.reduce((a, b) => a * b, 1);
  const min = opts.min ?? (dtype === 'int32' ? -10 : -1);
  const max = opts.max ?? (dtype === 'int32' ? 10 : 1);
  return Array.from({ length: n }, () => {
    const r = next();
    if (dtype === 'bool') return r < 0.5 ? 0 : 1;
    if (dtype === 'int32') return Math.floor(min + r * (max - min));
    return min + r * (max - min);
  });
}

/** A tensor of random values, created on the active backend. */
export function rand(shape: number[], dtype: 'float32' | 'int32' | 'bool' = 'float32', opts: RandOptions = {}): tf.Tensor {
  return tf.tensor(randValues(shape, dtype, opts), shape, dtype);
}

export interface ParityOptions {
  /** Kernels that must have been dispatched to ONNX Runtime on terra. */
  onOrt?: string[];
  /** Kernels that must have run on ONNX Runtime every time (no call on the cpu fallback). */
  onlyOrt?: string[];
  rtol?: number;
  atol?: number;
}

interface Result {
  shape: number[];
  dtype: string;
  values: number[];
}

function runOn(backend: string, fn: () => tf.Tensor | tf.Tensor[]): Result[] {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const out = fn();
    const list = Array.isArray(out) ? out : [out];
    return list.map((t) => ({ shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync() as ArrayLike<number>) }));
  });
}

/** Runs fn on cpu and on terra and asserts equal shapes, dtypes and values (NaN equals NaN). */
export function expectParity(fn: () => tf.Tensor | tf.Tensor[], opts: ParityOptions = {}): void {
  const expected = runOn('cpu', fn);
  resetStats();
  const actual = runOn('terra', fn);
  const s = stats();
  for (const k of opts.onOrt ?? []) {
    const ks = s.byKernel[k];
    if (!ks || ks.ort === 0) {
      throw new Error(`kernel ${k} did not run on ORT: ${JSON.stringify(s.byKernel)}`);
    }
  }
  for (const k of opts.onlyOrt ?? []) {
    const ks = s.byKernel[k];
    if (!ks || ks.ort === 0 || ks.cpu > 0) throw new Error(`kernel ${k} did not always run on ORT: ${JSON.stringify(s.byKernel[k])}`);
  }
  expect(actual.length).toBe(expected.length);
  const rtol = opts.rtol ?? 1e-5;
  const atol = opts.atol ?? 1e-5;
  actual.forEach((a, i) => {
    const e = expected[i];
    expect(a.shape).toEqual(e.shape);
    expect(a.dtype).toBe(e.dtype);
    expect(a.values.length).toBe(e.values.length);
    for (let j = 0; j < e.values.length; j++) {
      const x = a.values[j];
      const y = e.values[j];
      if (Number.isNaN(y) && Number.isNaN(x)) continue;
      if (x === y) continue;
      if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) {
        throw new Error(`output ${i} element ${j}: terra ${x} vs cpu ${y} (shape ${e.shape})`);
      }
    }
  });
}
