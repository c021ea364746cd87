import { cast, requireDtypes } from '../../helpers';
import type { KernelLowering } from '../../types';
import { fillIfEmpty, identity, reduce, reductionAxes } from './reduce_util';

/** All/Any on bool as ReduceMin/ReduceMax over uint8; tfjs-cpu gives false for an empty row. */
function logical(kernelName: string, opType: string): KernelLowering {
  return {
    kernelName,
    inputNames: ['x'],
    lower(g, [x], call) {
      // On int32, tfjs-cpu returns the last operand of its &&/|| chain, not a boolean.
      requireDtypes(call, ['bool']);
      const axes = reductionAxes(call, 'axis', x!.rank);
      if (axes.length === 0) return [identity(g, x!)];
      const bytes = cast(g, x!, 'uint8');
      const result = fillIfEmpty(g, bytes, reduce(g, opType, bytes, axes, !!call.attrs.keepDims), 0);
      return [cast(g, result, 'bool')];
    },
  };
}

export const ALL = logical('All', 'ReduceMin');
export const ANY = logical('Any', 'ReduceMax');
