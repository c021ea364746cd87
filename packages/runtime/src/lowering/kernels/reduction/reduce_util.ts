import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import { cast } from '../../helpers';
import { KernelCall, Unsupported } from '../../types';

/**
 * The axes a tfjs reduction reduces, normalized and sorted. tfjs throws on out-of-range axes and
 * treats repeated axes in a backend-specific way, so both stay on the cpu path.
 */
export function reductionAxes(call: KernelCall, attr: string, rank: number): number[] {
  const value = call.attrs[attr] as number | number[] | null | undefined;
  if (value === undefined || value === null) return Array.from({ length: rank }, (_, i) => i);
  const list = Array.isArray(value) ? value : [value];
  const axes = list.map((a) => {
    if (!Number.isInteger(a) || a < -rank || a >= rank) throw new Unsupported(`${call.kernelName} axis ${a} of rank ${rank}`);
    return a < 0 ? a + rank : a;
  });
  if (new Set(axes).size !== axes.length) throw new Unsupported(`${call.kernelName} repeated axes`);
  return axes.sort((a, b) => a - b);
}

export function identity(g: GraphBuilder, x: Sym): Sym {
  return g.op('Identity', [x], {}, { dtype: x.dtype, rank: x.rank });
}

/** An ONNX Reduce* node over the given (non-empty) axes, in x's dtype. */
export function reduce(g: GraphBuilder, opType: string, x: Sym, axes: number[], keepDims: boolean): Sym {
  return g.op(opType, [x, g.int64s(axes)], { keepdims: keepDims ? 1 : 0 },
    { dtype: x.dtype, rank: keepDims ? x.rank : x.rank - axes.length });
}

/**
 * tfjs's max/min/all/any start from the reduced row's first element, so an empty row yields the
 * typed array's reading of `undefined` (NaN for float32, 0 otherwise); ONNX yields the identity
 * element instead. Only rows of an empty x can be empty.
 */
export function fillIfEmpty(g: GraphBuilder, x: Sym, result: Sym, value: number | boolean): Sym {
  const size = g.op('Size', [x], {}, { dtype: 'int64', rank: 0 });
  const empty = g.op('Equal', [size, g.scalar('int64', 0)], {}, { dtype: 'bool', rank: 0 });
  return g.op('Where', [empty, g.scalar(result.dtype, value), result], {}, { dtype: result.dtype, rank: result.rank });
}

/** Whether any element along the axes is NaN (as bool, shaped like the reduction's result). */
export function anyNaN(g: GraphBuilder, x: Sym, axes: number[], keepDims: boolean): Sym {
  const isNaN = cast(g, g.op('IsNaN', [x], {}, { dtype: 'bool', rank: x.rank }), 'uint8');
  return cast(g, reduce(g, 'ReduceMax', isNaN, axes, keepDims), 'bool');
}

/** x with one element of `value` appended along the axis. */
export function appendAlong(g: GraphBuilder, x: Sym, axis: number, value: number): Sym {
  return g.op('Pad', [x, g.int64s([0, 1]), g.scalar(x.dtype, value), g.int64s([axis])], { mode: 'constant' },
    { dtype: x.dtype, rank: x.rank });
}

/** x without its last element along the axis (undoes appendAlong). */
export function dropLastAlong(g: GraphBuilder, x: Sym, axis: number): Sym {
  return g.op('Slice', [x, g.int64s([0]), g.int64s([-1]), g.int64s([axis])], {}, { dtype: x.dtype, rank: x.rank });
}
