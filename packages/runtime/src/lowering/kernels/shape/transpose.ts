import type { KernelLowering } from '../../types';
import { Unsupported } from '../../types';
import { identity } from './common';

export const TRANSPOSE: KernelLowering = {
  kernelName: 'Transpose',
  inputNames: ['x'],
  lower(g, [x], call) {
    const perm = call.attrs.perm as number[];
    if (perm.length !== x!.rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
      throw new Unsupported('perm');
    }
    if (x!.rank === 0) return [identity(g, x!)];
    return [g.op('Transpose', [x!], { perm }, { dtype: x!.dtype, rank: x!.rank })];
  },
};
