import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import { requireDtypes } from '../../helpers';
import type { KernelLowering } from '../../types';

/**
 * tfjs's cpu batchNorm reads each parameter cyclically along x's flat order (param[i % size]),
 * which is broadcasting whenever the parameter's shape is a suffix of x's. Viewing the running
 * value as rows of the parameter's size reproduces exactly that, for any shapes whose size divides x's.
 */
function alongRows(g: GraphBuilder, value: Sym, param: Sym, op: string): Sym {
  const flatParam = g.op('Reshape', [param, g.int64s([-1])], {}, { dtype: 'float32', rank: 1 });
  const size = g.op('Shape', [flatParam], {}, { dtype: 'int64', rank: 1 });
  const rowsShape = g.op('Concat', [g.int64s([-1]), size], { axis: 0 }, { dtype: 'int64', rank: 1 });
  const rows = g.op('Reshape', [value, rowsShape], {}, { dtype: 'float32', rank: 2 });
  return g.op(op, [rows, flatParam], {}, { dtype: 'float32', rank: 2 });
}

export const FUSED_BATCH_NORM: KernelLowering = {
  kernelName: 'FusedBatchNorm',
  inputNames: ['x', 'mean', 'variance', 'offset', 'scale'],
  lower(g, [x, mean, variance, offset, scale], call) {
    requireDtypes(call, ['float32']);
    const eps = (call.attrs.varianceEpsilon as number | undefined) ?? 0.001;
    let y = alongRows(g, x!, mean!, 'Sub');
    if (scale) y = alongRows(g, y, scale, 'Mul');
    const shifted = g.op('Add', [variance!, g.scalar('float32', eps)], {}, { dtype: 'float32', rank: variance!.rank });
    y = alongRows(g, y, g.op('Sqrt', [shifted], {}, { dtype: 'float32', rank: variance!.rank }), 'Div');
    if (offset) y = alongRows(g, y, offset, 'Add');
    return [g.op('Reshape', [y, g.op('Shape', [x!], {}, { dtype: 'int64', rank: 1 })], {}, { dtype: 'float32', rank: x!.rank })];
  },
};
