import type { DataType } from '@tensorflow/tfjs-core';
import type { GraphBuilder, Sym } from '../onnx/graph_builder';
import type { OnnxDtype } from '../onnx/dtypes';
import { KernelCall, Unsupported } from './types';

/** Inserts a Cast unless x already has the dtype. */
export function cast(g: GraphBuilder, x: Sym, dtype: OnnxDtype): Sym {
  if (x.dtype === dtype) return x;
  return g.op('Cast', [x], { to: onnxTypeCode(dtype) }, { dtype, rank: x.rank });
}

const TYPE_CODES: Record<OnnxDtype, number> = { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9, float64: 11 };

export function onnxTypeCode(dtype: OnnxDtype): number {
  return TYPE_CODES[dtype];
}

/** Normalizes a possibly negative axis (tfjs allows -rank..rank-1). */
export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** Normalizes an axis attr that may be a number, a list or absent (absent means all axes). */
export function normAxes(axis: number | number[] | undefined | null, rank: number): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: rank }, (_, i) => i);
  const list = Array.isArray(axis) ? axis : [axis];
  return [...new Set(list.map((a) => normAxis(a, rank)))].sort((a, b) => a - b);
}

/** The input's shape as an int64 vector (Shape). */
export function shapeOf(g: GraphBuilder, x: Sym): Sym {
  return g.op('Shape', [x], {}, { dtype: 'int64', rank: 1 });
}

/** Reshape to a static target (entries may use 0 = copy, -1 = infer, per ONNX with allowzero=0). */
export function reshape(g: GraphBuilder, x: Sym, dims: readonly number[]): Sym {
  return g.op('Reshape', [x, g.int64s(dims)], {}, { dtype: x.dtype, rank: dims.length });
}

export function requireDtypes(call: KernelCall, allowed: readonly DataType[]): void {
  for (const spec of call.inputs) {
    if (spec && !allowed.includes(spec.dtype)) {
      throw new Unsupported(`${call.kernelName} on ${spec.dtype}`);
    }
  }
}
