import { cast } from '../../helpers';
import type { KernelLowering } from '../../types';
import { Unsupported } from '../../types';
import { dims, rejectNegative, reshapeTo, sliceIndexing, transpose, unsqueeze, vec } from './common';
import { outsideAxis, outsideSlices } from './index_bounds';

export const GATHER_V2: KernelLowering = {
  kernelName: 'GatherV2',
  inputNames: ['x', 'indices'],
  valueCheck: {
    input: 'indices',
    fails(values, shapes, attrs) {
      return outsideAxis(values!, this.bound!(shapes, attrs));
    },
    bound({ x }, attrs) {
      const a = attrs.axis as number;
      return x[a < 0 ? a + x.length : a];
    },
  },
  lower(g, [x, indices], call) {
    if (call.inputs[1]!.dtype !== 'int32') throw new Unsupported('indices dtype');
    const xRank = x!.rank;
    const iRank = indices!.rank;
    const a = call.attrs.axis as number;
    if (xRank === 0 || a < -xRank || a >= xRank) throw new Unsupported('axis out of range');
    const axis = a < 0 ? a + xRank : a;
    let b = (call.attrs.batchDims as number | undefined) ?? 0;
    if (b < 0) b += iRank;
    if (b < 0 || b > iRank || b > xRank || axis < b) throw new Unsupported('batchDims');
    // tfjs rejects negative indices where ONNX counts them from the end.
    const idx = rejectNegative(g, cast(g, indices!, 'int64'));
    const outRank = xRank - 1 + iRank - b;
    if (b === 0) return [g.op('Gather', [x!, idx], { axis }, { dtype: x!.dtype, rank: outRank })];
    // With batch dims: bring the gathered axis right after them, GatherND one index per batch
    // entry, then move the gathered dims back to where the axis was.
    const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
    const xt = transpose(g, x!, [...range(0, b), axis, ...range(b, axis), ...range(axis + 1, xRank)]);
    const gathered = g.op('GatherND', [xt, unsqueeze(g, idx, [iRank])], { batch_dims: b },
      { dtype: x!.dtype, rank: outRank });
    const n = iRank - b;
    const outer = axis - b;
    return [transpose(g, gathered, [...range(0, b), ...range(b + n, b + n + outer), ...range(b, b + n),
      ...range(b + n + outer, outRank)])];
  },
};

export const GATHER_ND: KernelLowering = {
  kernelName: 'GatherNd',
  inputNames: ['params', 'indices'],
  valueCheck: { input: 'indices', fails: (values, { params, indices }) => outsideSlices(values!, indices[indices.length - 1], params) },
  // The output rank depends on indices.shape[-1].
  shapeSpecialized: true,
  lower(g, [params, indices], call) {
    const pShape = call.inputs[0]!.shape!;
    const iShape = call.inputs[1]!.shape!;
    if (call.inputs[1]!.dtype !== 'int32' || iShape.length < 1) throw new Unsupported('indices');
    const k = iShape[iShape.length - 1];
    // The cpu kernel rejects an empty params tensor even for an empty gather.
    if (k > pShape.length || pShape.includes(0)) throw new Unsupported('index depth or empty params');
    const s = sliceIndexing(g, indices!, g.int64s(pShape));
    const rows = reshapeTo(g, params!, vec(g, [s.numSlices, s.sliceSize]), 2);
    const picked = g.op('Gather', [rows, s.flat], { axis: 0 }, { dtype: params!.dtype, rank: iShape.length });
    const outRank = iShape.length - 1 + pShape.length - k;
    return [reshapeTo(g, picked, vec(g, [dims(g, indices!, 0, -1), s.tail]), outRank)];
  },
};
