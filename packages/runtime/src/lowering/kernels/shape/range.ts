import type { DataType } from '@tensorflow/tfjs-core';
import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import type { KernelLowering } from '../../types';
import { Unsupported } from '../../types';
import { lowerableDtype, storedValue } from './common';

/**
 * n values start, start + step, ... accumulated in dtype as the cpu kernels do (ORT's Range adds
 * delta to a running value of type T too). The limit sits half a step past the last value so
 * that ORT's own element count, ceil((limit - start) / delta), is exactly n.
 */
function arange(g: GraphBuilder, start: number, step: number, n: number, dtype: 'float32' | 'int32'): Sym {
  const out = { dtype, rank: 1 };
  if (n === 0 || step === 0) {
    return g.op('Expand', [g.scalar(dtype, start), g.int64s([n])], {}, out);
  }
  if (!Number.isFinite(step) || !Number.isFinite(start)) throw new Unsupported('non-finite range');
  const limit = dtype === 'int32' ? start + n * step : start + (n - 0.5) * step;
  if (dtype === 'int32' && (!Number.isSafeInteger(limit) || Math.abs(limit) >= 2 ** 31)) {
    throw new Unsupported('int32 range overflow');
  }
  if (dtype === 'float32' && Math.ceil(Math.fround(Math.fround(limit) - Math.fround(start)) / Math.fround(step)) !== n) {
    throw new Unsupported('range count not exact in float32');
  }
  return g.op('Range', [g.scalar(dtype, start), g.scalar(dtype, limit), g.scalar(dtype, step)], {}, out);
}

export const RANGE: KernelLowering = {
  kernelName: 'Range',
  inputNames: [],
  lower(g, _inputs, call) {
    const { start, stop } = call.attrs as { start: number; stop: number };
    let step = call.attrs.step as number;
    const dtype = call.attrs.dtype as DataType;
    if (dtype !== 'float32' && dtype !== 'int32') throw new Unsupported(`range dtype ${dtype}`);
    if (dtype === 'int32' && (!Number.isInteger(start) || !Number.isInteger(step))) {
      throw new Unsupported('fractional int32 range');
    }
    // Mirrors rangeImpl, including its count taken before the step's sign is flipped.
    let n = 0;
    if (!(start === stop || (start < stop && step < 0) || (stop < start && step > 1))) {
      n = Math.abs(Math.ceil((stop - start) / step));
      if (stop < start && step === 1) step = -1;
    }
    if (!Number.isSafeInteger(n)) throw new Unsupported('range length');
    return [arange(g, start, step, n, dtype)];
  },
};

export const LIN_SPACE: KernelLowering = {
  kernelName: 'LinSpace',
  inputNames: [],
  lower(g, _inputs, call) {
    const { start, stop, num } = call.attrs as { start: number; stop: number; num: number };
    if (!Number.isInteger(num) || num < 0) throw new Unsupported('linspace num');
    const step = num > 1 ? (stop - start) / (num - 1) : 0;
    return [arange(g, start, step, num, 'float32')];
  },
};

export const FILL: KernelLowering = {
  kernelName: 'Fill',
  inputNames: [],
  lower(g, _inputs, call) {
    const shape = call.attrs.shape as number[];
    const value = call.attrs.value as number | string;
    if (typeof value !== 'number') throw new Unsupported('string fill');
    const dtype = lowerableDtype((call.attrs.dtype as DataType | undefined) ?? 'float32');
    return [g.op('Expand', [g.scalar(dtype, storedValue(value, dtype)), g.int64s(shape)], {},
      { dtype, rank: shape.length })];
  },
};
