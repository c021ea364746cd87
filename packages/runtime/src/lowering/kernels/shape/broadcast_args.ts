import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import { cast } from '../../helpers';
import type { KernelLowering } from '../../types';
import { Unsupported } from '../../types';
import { binary, guard, shapeVec, vec } from './common';

/** s left-padded with ones to length len (both int64 vectors, len of length 1). */
function padOnes(g: GraphBuilder, s: Sym, len: Sym): Sym {
  const missing = binary(g, 'Sub', len, shapeVec(g, s));
  return vec(g, [g.op('Expand', [g.int64s([1]), missing], {}, { dtype: 'int64', rank: 1 }), s]);
}

/** The numpy broadcast of two shape vectors, as the cpu kernel computes it (-1 is just a number there). */
export const BROADCAST_ARGS: KernelLowering = {
  kernelName: 'BroadcastArgs',
  inputNames: ['s0', 's1'],
  lower(g, [s0, s1], call) {
    if (call.inputs.some((s) => s!.dtype !== 'int32') || s0!.rank !== 1 || s1!.rank !== 1) {
      throw new Unsupported('broadcastArgs inputs');
    }
    const a0 = cast(g, s0!, 'int64');
    const b0 = cast(g, s1!, 'int64');
    const len = binary(g, 'Max', shapeVec(g, a0), shapeVec(g, b0));
    const a = padOnes(g, a0, len);
    const b = padOnes(g, b0, len);
    const one = g.int64s([1]);
    const is = (x: Sym, y: Sym) => g.op('Equal', [x, y], {}, { dtype: 'bool', rank: 1 });
    const not = (x: Sym) => g.op('Not', [x], {}, { dtype: 'bool', rank: 1 });
    const out = g.op('Where', [is(a, one), b, a], {}, { dtype: 'int64', rank: 1 });
    const and = (x: Sym, y: Sym) => binary(g, 'And', x, y);
    const clash = and(and(not(is(a, b)), not(is(a, one))), not(is(b, one)));
    return [cast(g, guard(g, out, cast(g, clash, 'int64')), 'int32')];
  },
};
