import type { KernelLowering } from '../../types';
import { Unsupported } from '../../types';
import { identity } from './common';

export const TILE: KernelLowering = {
  kernelName: 'Tile',
  inputNames: ['x'],
  lower(g, [x], call) {
    const reps = call.attrs.reps as number[];
    if (reps.length !== x!.rank || reps.some((r) => !Number.isInteger(r) || r < 0)) throw new Unsupported('reps');
    if (x!.rank === 0) return [identity(g, x!)];
    return [g.op('Tile', [x!, g.int64s(reps)], {}, { dtype: x!.dtype, rank: x!.rank })];
  },
};
