import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import { cast, requireDtypes, shapeOf } from '../../helpers';
import type { KernelLowering } from '../../types';
import { identity, reduce, reductionAxes } from './reduce_util';

/**
 * tfjs-cpu accumulates sums and products in float64 and stores the result in the output dtype,
 * so float32 is reduced in float64 (matching its rounding) and int32/bool in int64, whose
 * truncating cast back to int32 is the same wrap-around as tfjs's store into an Int32Array.
 */
function accumulating(kernelName: string, opType: string): KernelLowering {
  return {
    kernelName,
    inputNames: ['x'],
    lower(g, [x], call) {
      requireDtypes(call, ['float32', 'int32', 'bool']);
      const axes = reductionAxes(call, 'axis', x!.rank);
      const outDtype = x!.dtype === 'float32' ? 'float32' : 'int32';
      if (axes.length === 0) return [x!.dtype === outDtype ? identity(g, x!) : cast(g, x!, outDtype)];
      const wide = cast(g, x!, outDtype === 'float32' ? 'float64' : 'int64');
      return [cast(g, reduce(g, opType, wide, axes, !!call.attrs.keepDims), outDtype)];
    },
  };
}

export const SUM = accumulating('Sum', 'ReduceSum');
export const PROD = accumulating('Prod', 'ReduceProd');

/** The number of elements each output of a reduction over axes gathers, as float32 (tfjs's divisor). */
function reduceSize(g: GraphBuilder, x: Sym, axes: number[]): Sym {
  const dims = g.op('Gather', [shapeOf(g, x), g.int64s(axes)], { axis: 0 }, { dtype: 'int64', rank: 1 });
  return cast(g, g.op('ReduceProd', [dims], { keepdims: 0 }, { dtype: 'int64', rank: 0 }), 'float32');
}

/** tfjs-cpu's Mean divides each float32 element by the count first, then sums (in float64). */
export const MEAN: KernelLowering = {
  kernelName: 'Mean',
  inputNames: ['x'],
  lower(g, [x], call) {
    requireDtypes(call, ['float32', 'int32', 'bool']);
    const axes = reductionAxes(call, 'axis', x!.rank);
    const xf = x!.dtype === 'float32' ? x! : cast(g, x!, 'float32');
    if (axes.length === 0) return [xf === x ? identity(g, xf) : xf];
    const scaled = g.op('Div', [xf, reduceSize(g, x!, axes)], {}, { dtype: 'float32', rank: xf.rank });
    return [cast(g, reduce(g, 'ReduceSum', cast(g, scaled, 'float64'), axes, !!call.attrs.keepDims), 'float32')];
  },
};
