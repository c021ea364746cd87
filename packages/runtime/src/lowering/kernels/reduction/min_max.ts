import { cast, requireDtypes } from '../../helpers';
import type { KernelLowering } from '../../types';
import { anyNaN, fillIfEmpty, identity, reduce, reductionAxes } from './reduce_util';

/**
 * tfjs's Max/Min propagate NaN (ORT's skip it unless it comes first) and give NaN (float32) or 0
 * for an empty row. bool is reduced as uint8.
 */
function extremum(kernelName: string, opType: string, axisAttr: string): KernelLowering {
  return {
    kernelName,
    inputNames: ['x'],
    lower(g, [x], call) {
      requireDtypes(call, ['float32', 'int32', 'bool']);
      const axes = reductionAxes(call, axisAttr, x!.rank);
      if (axes.length === 0) return [identity(g, x!)];
      const keepDims = !!call.attrs.keepDims;
      const input = x!.dtype === 'bool' ? cast(g, x!, 'uint8') : x!;
      let result = reduce(g, opType, input, axes, keepDims);
      if (x!.dtype === 'float32') {
        const nan = g.scalar('float32', NaN);
        result = g.op('Where', [anyNaN(g, x!, axes, keepDims), nan, result], {}, { dtype: 'float32', rank: result.rank });
      }
      result = fillIfEmpty(g, input, result, x!.dtype === 'float32' ? NaN : 0);
      return [cast(g, result, x!.dtype)];
    },
  };
}

export const MAX = extremum('Max', 'ReduceMax', 'reductionIndices');
export const MIN = extremum('Min', 'ReduceMin', 'axis');
