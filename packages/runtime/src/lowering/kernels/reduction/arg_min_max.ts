import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import { cast, requireDtypes, shapeOf } from '../../helpers';
import { KernelLowering, Unsupported } from '../../types';
import { appendAlong, reductionAxes } from './reduce_util';

/** True at index 0 of the axis, shaped to broadcast against x along that axis. */
function firstAlong(g: GraphBuilder, x: Sym, axis: number): Sym {
  const n = g.op('Gather', [shapeOf(g, x), g.scalar('int64', axis)], { axis: 0 }, { dtype: 'int64', rank: 0 });
  const index = g.op('Range', [g.scalar('int64', 0), n, g.scalar('int64', 1)], {}, { dtype: 'int64', rank: 1 });
  const first = g.op('Equal', [index, g.scalar('int64', 0)], {}, { dtype: 'bool', rank: 1 });
  const trailing = x.rank - 1 - axis;
  if (trailing === 0) return first;
  const unsqueezeAxes = Array.from({ length: trailing }, (_, i) => i + 1);
  return g.op('Unsqueeze', [first, g.int64s(unsqueezeAxes)], {}, { dtype: 'bool', rank: 1 + trailing });
}

/**
 * tfjs-cpu scans with a strict comparison from the row's first element: ties go to the first
 * occurrence (as ONNX's select_last_index=0), a NaN is never chosen unless it comes first, in
 * which case index 0 wins, and an empty row gives 0. NaNs are therefore replaced by the worst
 * value, or the best one at index 0, and one worst element is appended so that empty rows work.
 */
function argExtremum(kernelName: string, opType: string, isMax: boolean): KernelLowering {
  return {
    kernelName,
    inputNames: ['x'],
    lower(g, [x], call) {
      requireDtypes(call, ['float32', 'int32', 'bool']);
      const axes = reductionAxes(call, 'axis', x!.rank);
      if (x!.rank === 0 || axes.length !== 1) throw new Unsupported(`${kernelName} over ${axes.length} axes`);
      const axis = axes[0];
      let input = x!.dtype === 'bool' ? cast(g, x!, 'int32') : x!;
      let worst: number;
      if (input.dtype === 'float32') {
        worst = isMax ? -Infinity : Infinity;
        const nanValue = g.op('Where', [firstAlong(g, input, axis), g.scalar('float32', -worst), g.scalar('float32', worst)],
          {}, { dtype: 'float32', rank: x!.rank - axis });
        const isNaN = g.op('IsNaN', [input], {}, { dtype: 'bool', rank: x!.rank });
        input = g.op('Where', [isNaN, nanValue, input], {}, { dtype: 'float32', rank: x!.rank });
      } else {
        worst = isMax ? -2147483648 : 2147483647;
      }
      const padded = appendAlong(g, input, axis, worst);
      const index = g.op(opType, [padded], { axis, keepdims: 0, select_last_index: 0 }, { dtype: 'int64', rank: x!.rank - 1 });
      return [cast(g, index, 'int32')];
    },
  };
}

export const ARG_MAX = argExtremum('ArgMax', 'ArgMax', true);
export const ARG_MIN = argExtremum('ArgMin', 'ArgMin', false);
