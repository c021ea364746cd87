import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import { cast, requireDtypes, shapeOf } from '../../helpers';
import { KernelLowering, Unsupported } from '../../types';
import { appendAlong, dropLastAlong } from './reduce_util';

/**
 * ORT's TopK crashes the process (SIGFPE) on zero rows with k > 0, so rows are flattened to
 * [rows, n], one dummy row is appended and its result dropped again.
 */
function guardedTopK(g: GraphBuilder, x: Sym, k: number): [Sym, Sym] {
  const rows = appendAlong(g, g.op('Flatten', [x], { axis: x.rank - 1 }, { dtype: x.dtype, rank: 2 }), 0, 0);
  const outs = g.opMulti('TopK', [rows, g.int64s([k])], { axis: -1, largest: 1, sorted: 1 },
    [{ dtype: x.dtype, rank: 2 }, { dtype: 'int64', rank: 2 }]);
  const leading = g.op('Slice', [shapeOf(g, x), g.int64s([0]), g.int64s([x.rank - 1])], {}, { dtype: 'int64', rank: 1 });
  const outShape = g.op('Concat', [leading, g.int64s([k])], { axis: 0 }, { dtype: 'int64', rank: 1 });
  return outs.map((o) => g.op('Reshape', [dropLastAlong(g, o, 0), outShape], { allowzero: 1 },
    { dtype: o.dtype, rank: x.rank })) as [Sym, Sym];
}

/**
 * tfjs orders by value, then by lower index, exactly as ONNX TopK. With sorted=false tfjs returns
 * its selection algorithm's order, which only coincides with the sorted one for k <= 1.
 */
export const TOP_K: KernelLowering = {
  kernelName: 'TopK',
  inputNames: ['x'],
  multiOutput: true,
  lower(g, [x], call) {
    requireDtypes(call, ['float32', 'int32', 'bool']);
    const k = call.attrs.k as number;
    if (x!.rank === 0 || !Number.isInteger(k) || k < 0) throw new Unsupported(`TopK k=${k} rank ${x!.rank}`);
    if (!call.attrs.sorted && k > 1) throw new Unsupported('TopK unsorted');
    const input = x!.dtype === 'bool' ? cast(g, x!, 'int32') : x!;
    const [values, indices] = x!.rank >= 2 && k > 0
      ? guardedTopK(g, input, k)
      : g.opMulti('TopK', [input, g.int64s([k])], { axis: -1, largest: 1, sorted: 1 },
        [{ dtype: input.dtype, rank: input.rank }, { dtype: 'int64', rank: input.rank }]);
    return [cast(g, values, x!.dtype), cast(g, indices, 'int32')];
  },
};
