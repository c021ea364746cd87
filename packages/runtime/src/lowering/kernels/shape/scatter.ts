import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import type { KernelLowering } from '../../types';
import { Unsupported } from '../../types';
import { dims, prod, reshapeTo, shapeVec, sliceIndexing, vec } from './common';
import { outsideSlices, scatterSliceRank } from './index_bounds';

/**
 * Writes updates into base (shape `shape`) at tfjs index tuples, on the [numSlices, sliceSize]
 * view so that tfjs's flat-offset addressing holds; ORT's ScatterND rejects offsets out of range.
 */
function scatter(g: GraphBuilder, base: Sym | null, indices: Sym, updates: Sym, shape: Sym, rank: number,
  reduction: 'add' | 'none'): Sym {
  const s = sliceIndexing(g, indices, shape);
  const n = prod(g, dims(g, s.flat, 0));
  const view = vec(g, [s.numSlices, s.sliceSize]);
  const rows = base ? reshapeTo(g, base, view, 2)
    : g.op('Expand', [g.scalar(updates.dtype, 0), view], {}, { dtype: updates.dtype, rank: 2 });
  const updShape = vec(g, [n, s.sliceSize]);
  // A scalar update is written to every addressed element.
  const upd = updates.rank === 0 ? g.op('Expand', [updates, updShape], {}, { dtype: updates.dtype, rank: 2 })
    : reshapeTo(g, updates, updShape, 2);
  const out = g.op('ScatterND', [rows, reshapeTo(g, s.flat, vec(g, [n, [1]]), 2), upd],
    { reduction }, { dtype: updates.dtype, rank: 2 });
  return reshapeTo(g, out, shape, rank);
}

export const SCATTER_ND: KernelLowering = {
  kernelName: 'ScatterNd',
  inputNames: ['indices', 'updates'],
  valueCheck: { input: 'indices', fails: (values, { indices }, attrs) => outsideSlices(values!, scatterSliceRank(indices), attrs.shape as number[]) },
  lower(g, [indices, updates], call) {
    const shape = call.attrs.shape as number[];
    // Duplicate indices add up; bool sums would leave values above 1 on the cpu.
    if (call.inputs[0]!.dtype !== 'int32' || call.inputs[1]!.dtype === 'bool' || shape.length < 1) {
      throw new Unsupported('scatterNd dtypes');
    }
    return [scatter(g, null, indices!, updates!, g.int64s(shape), shape.length, 'add')];
  },
};

export const TENSOR_SCATTER_UPDATE: KernelLowering = {
  kernelName: 'TensorScatterUpdate',
  inputNames: ['tensor', 'indices', 'updates'],
  valueCheck: { input: 'indices', fails: (values, { tensor, indices }) => outsideSlices(values!, scatterSliceRank(indices), tensor) },
  lower(g, [tensor, indices, updates], call) {
    if (call.inputs[1]!.dtype !== 'int32' || call.inputs[2]!.dtype !== call.inputs[0]!.dtype || tensor!.rank < 1) {
      throw new Unsupported('tensorScatterUpdate dtypes');
    }
    return [scatter(g, tensor!, indices!, updates!, shapeVec(g, tensor!), tensor!.rank, 'none')];
  },
};

export const SPARSE_TO_DENSE: KernelLowering = {
  kernelName: 'SparseToDense',
  inputNames: ['sparseIndices', 'sparseValues', 'defaultValue'],
  valueCheck: {
    input: 'sparseIndices',
    fails: (values, { sparseIndices }, attrs) => outsideSlices(values!, scatterSliceRank(sparseIndices), attrs.outputShape as number[]),
  },
  lower(g, [indices, values, defaultValue], call) {
    const shape = call.attrs.outputShape as number[];
    if (call.inputs[0]!.dtype !== 'int32' || call.inputs[2]!.dtype !== call.inputs[1]!.dtype
      || indices!.rank > 2 || values!.rank > 1 || shape.length < 1) {
      throw new Unsupported('sparseToDense inputs');
    }
    const shapeSym = g.int64s(shape);
    const fill = g.op('Expand', [reshapeTo(g, defaultValue!, g.int64s([]), 0), shapeSym], {},
      { dtype: values!.dtype, rank: shape.length });
    return [scatter(g, fill, indices!, values!, shapeSym, shape.length, 'none')];
  },
};
