import { cast } from '../../helpers';
import type { KernelLowering } from '../../types';
import { Unsupported } from '../../types';
import { reduceAxis, unsqueeze } from './common';

/**
 * The cpu kernel sums mask * x over axis 0 for each segment, with the mask as float32: the result
 * is float32 for every dtype, and a NaN or Inf anywhere in x poisons its column in every segment.
 * The same masked product reproduces that.
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
    const trailing = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
    // mask: [numSegments, ...segmentIds.shape, 1...] against x: [1, ...x.shape].
    const mask = g.op('Equal', [unsqueeze(g, segs, trailing(1, sRank)), unsqueeze(g, ids!, [0])], {},
      { dtype: 'bool', rank: sRank + 1 });
    const maskF = unsqueeze(g, cast(g, mask, 'float32'), trailing(sRank + 1, x!.rank - sRank));
    const prod = g.op('Mul', [maskF, unsqueeze(g, cast(g, x!, 'float32'), [0])], {},
      { dtype: 'float32', rank: x!.rank + 1 });
    return [reduceAxis(g, 'ReduceSum', prod, 1)];
  },
};
