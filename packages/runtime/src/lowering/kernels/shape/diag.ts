import type { KernelLowering } from '../../types';
import { binary, reshapeTo, shapeVec, squeeze, unsqueeze, vec } from './common';

export const DIAG: KernelLowering = {
  kernelName: 'Diag',
  inputNames: ['x'],
  lower(g, [x]) {
    const flat = g.op('Reshape', [x!, g.int64s([-1])], {}, { dtype: x!.dtype, rank: 1 });
    const n = squeeze(g, shapeVec(g, flat), [0]);
    const r = g.op('Range', [g.scalar('int64', 0), n, g.scalar('int64', 1)], {}, { dtype: 'int64', rank: 1 });
    const eye = g.op('Equal', [unsqueeze(g, r, [1]), unsqueeze(g, r, [0])], {}, { dtype: 'bool', rank: 2 });
    const row = unsqueeze(g, flat, [0]);
    // ORT's Where has no bool kernel; for bool the diagonal is just eye AND x.
    const square = x!.dtype === 'bool' ? binary(g, 'And', eye, row)
      : g.op('Where', [eye, row, g.scalar(x!.dtype, 0)], {}, { dtype: x!.dtype, rank: 2 });
    const xs = shapeVec(g, x!);
    return [reshapeTo(g, square, vec(g, [xs, xs]), 2 * x!.rank)];
  },
};
