import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import type { KernelCall, KernelLowering } from '../../types';
import { Unsupported } from '../../types';
import { binary, guard, identity, shapeVec, unsqueeze } from './common';

function sameDtype(inputs: ReadonlyArray<Sym | undefined>, call: KernelCall): Sym[] {
  const xs = inputs as Sym[];
  if (xs.length === 0) throw new Unsupported('no inputs');
  // The cpu kernels write every input into an array of the first one's dtype.
  if (call.inputs.some((s) => s!.dtype !== call.inputs[0]!.dtype)) throw new Unsupported('mixed dtypes');
  return xs;
}

function concat(g: GraphBuilder, xs: Sym[], axis: number): Sym {
  if (xs.length === 1) return identity(g, xs[0]);
  return g.op('Concat', xs, { axis }, { dtype: xs[0].dtype, rank: xs[0].rank });
}

export const CONCAT: KernelLowering = {
  kernelName: 'Concat',
  lower(g, inputs, call) {
    const xs = sameDtype(inputs, call);
    const rank = xs[0].rank;
    if (rank === 0 || xs.some((x) => x.rank !== rank)) throw new Unsupported('concat ranks');
    const axis = call.attrs.axis as number;
    if (!Number.isInteger(axis) || axis < -rank || axis >= rank) throw new Unsupported('axis out of range');
    const ax = axis < 0 ? axis + rank : axis;
    if (xs.length === 1) return [identity(g, xs[0])];
    // ORT skips empty inputs unchecked; tfjs requires every input's other dims to match.
    const mask = g.int64s(Array.from({ length: rank }, (_, i) => (i === ax ? 0 : 1)));
    const others = (x: Sym) => binary(g, 'Mul', shapeVec(g, x), mask);
    const first = others(xs[0]);
    const mismatch = g.op('Concat', xs.slice(1).map((x) => binary(g, 'Sub', others(x), first)), { axis: 0 },
      { dtype: 'int64', rank: 1 });
    return [guard(g, concat(g, xs, ax), mismatch)];
  },
};

export const PACK: KernelLowering = {
  kernelName: 'Pack',
  lower(g, inputs, call) {
    const xs = sameDtype(inputs, call);
    const rank = xs[0].rank + 1;
    const a = call.attrs.axis as number;
    const axis = a < 0 ? a + rank : a;
    if (!Number.isInteger(axis) || axis < 0 || axis >= rank) throw new Unsupported('axis out of range');
    return [concat(g, xs.map((x) => unsqueeze(g, x, [axis])), axis)];
  },
};
