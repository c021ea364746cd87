import { util } from '@tensorflow/tfjs-core';
import type { KernelLowering } from '../../types';
import { Unsupported } from '../../types';
import { binary, dims, squeeze, vec } from './common';

export const UNPACK: KernelLowering = {
  kernelName: 'Unpack',
  inputNames: ['value'],
  multiOutput: true,
  // The number of outputs is the length of the unpacked axis.
  shapeSpecialized: true,
  lower(g, [x], call) {
    const shape = call.inputs[0]!.shape!;
    const a = call.attrs.axis as number;
    const axis = a < 0 ? a + shape.length : a;
    const num = shape[axis];
    if (num === undefined || num < 1) throw new Unsupported('nothing to unpack');
    const parts = num === 1 ? [x!] : g.opMulti('Split', [x!, g.int64s(new Array(num).fill(1))], { axis },
      new Array(num).fill({ dtype: x!.dtype, rank: x!.rank }));
    return parts.map((p) => squeeze(g, p, [axis]));
  },
};

export const SPLIT_V: KernelLowering = {
  kernelName: 'SplitV',
  inputNames: ['x'],
  multiOutput: true,
  lower(g, [x], call) {
    const rank = x!.rank;
    const a = call.attrs.axis as number;
    if (rank === 0 || a < -rank || a >= rank) throw new Unsupported('axis out of range');
    const axis = util.parseAxisParam(a, new Array(rank).fill(1))[0];
    const spec = call.attrs.numOrSizeSplits as number | number[];
    const dim = dims(g, x!, axis, axis + 1);
    let sizes;
    let count;
    if (typeof spec === 'number') {
      if (!Number.isInteger(spec) || spec < 1) throw new Unsupported('split count');
      count = spec;
      // Equal parts from the actual length: ORT's Split then rejects an uneven split as tfjs does.
      const part = binary(g, 'Div', dim, g.int64s([count]));
      sizes = g.op('Tile', [part, g.int64s([count])], {}, { dtype: 'int64', rank: 1 });
    } else {
      count = spec.length;
      const neg = spec.indexOf(-1);
      // prepareSplitSize's total starts from the first entry, so a leading -1 is miscounted there.
      if (count === 0 || neg === 0 || spec.some((s, i) => s < 0 && i !== neg) || spec.lastIndexOf(-1) !== neg) {
        throw new Unsupported('split sizes');
      }
      if (neg === -1) {
        sizes = g.int64s(spec);
      } else {
        const total = spec.reduce((t, s) => (s > 0 ? t + s : t), 0);
        const rest = binary(g, 'Sub', dim, g.int64s([total]));
        sizes = vec(g, [spec.slice(0, neg), rest, spec.slice(neg + 1)]);
      }
    }
    return g.opMulti('Split', [x!, sizes], { axis }, new Array(count).fill({ dtype: x!.dtype, rank }));
  },
};
