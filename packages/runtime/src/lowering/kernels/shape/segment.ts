import { cast } from '../../helpers';
import type { KernelLowering } from '../../types';
import { Unsupported } from '../../types';
import { dims, reshapeTo, unsqueeze, vec } from './common';

/**
 * The cpu kernel sums mask * x over axis 0 for each segment, with the mask as float32: the result
 * is float32 for every dtype, and a NaN or Inf anywhere in x poisons its column in every segment.
 * A MatMul of the one-hot mask [numSegments, n] with x flattened to [n, rest] is that same masked
 * sum (0 * NaN is NaN there too), without the [numSegments, n, rest] product: the gradient of an
 * embedding lookup (gather) is this kernel with numSegments = the vocabulary.
 */
export const UNSORTED_SEGMENT_SUM: KernelLowering = {
  kernelName: 'UnsortedSegmentSum',
  inputNames: ['x', 'segmentIds'],
  lower(g, [x, ids], call) {
    const n = call.attrs.numSegments as number;
    const sRank = ids!.rank;
    // With segment ids of rank > 1 the cpu kernel lines ids and x up in its own way; leave those to it.
    if (!Number.isInteger(n) || n < 1 || sRank !== 1 || x!.rank < 1 || call.inputs[1]!.dtype !== 'int32') {
      throw new Unsupported('segment sum shapes');
    }
    const segs = g.op('Range', [g.scalar('int32', 0), g.scalar('int32', n), g.scalar('int32', 1)], {},
      { dtype: 'int32', rank: 1 });
    // mask: [numSegments, n] against x flattened to [n, rest].
    const mask = g.op('Equal', [unsqueeze(g, segs, [1]), unsqueeze(g, ids!, [0])], {}, { dtype: 'bool', rank: 2 });
    const flat = g.op('Flatten', [cast(g, x!, 'float32')], { axis: 1 }, { dtype: 'float32', rank: 2 });
    const sums = g.op('MatMul', [cast(g, mask, 'float32'), flat], {}, { dtype: 'float32', rank: 2 });
    return [reshapeTo(g, sums, vec(g, [[n], dims(g, x!, 1)]), x!.rank)];
  },
};
