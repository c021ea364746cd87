import type { DataType } from '@tensorflow/tfjs-core';
import { cast } from '../../helpers';
import type { KernelLowering } from '../../types';
import { Unsupported } from '../../types';
import { unsqueeze } from './common';

/**
 * The cpu kernel fills a Float32Array whatever the dtype, so on/off values are exact only when they
 * survive float32 and, for int32 or bool, are already integral (or 0/1).
 */
function representable(v: number, dtype: DataType): boolean {
  if (Math.fround(v) !== v && !Number.isNaN(v)) return false;
  if (dtype === 'int32') return Number.isInteger(v) && Math.abs(v) < 2 ** 31;
  if (dtype === 'bool') return v === 0 || v === 1;
  return dtype === 'float32';
}

export const ONE_HOT: KernelLowering = {
  kernelName: 'OneHot',
  inputNames: ['indices'],
  lower(g, [indices], call) {
    const { depth, onValue, offValue } = call.attrs as { depth: number; onValue: number; offValue: number };
    const dtype = call.attrs.dtype as DataType;
    if (call.inputs[0]!.dtype !== 'int32' || !Number.isInteger(depth) || depth < 0
      || !representable(onValue, dtype) || !representable(offValue, dtype)) {
      throw new Unsupported('oneHot attrs');
    }
    const classes = g.op('Range', [g.scalar('int32', 0), g.scalar('int32', depth), g.scalar('int32', 1)], {},
      { dtype: 'int32', rank: 1 });
    // Out-of-range and negative indices match no class, so they get offValue everywhere.
    const hot = g.op('Equal', [unsqueeze(g, indices!, [indices!.rank]), classes], {},
      { dtype: 'bool', rank: indices!.rank + 1 });
    const values = g.op('Where', [hot, g.scalar('float32', onValue), g.scalar('float32', offValue)], {},
      { dtype: 'float32', rank: hot.rank });
    return [cast(g, values, dtype as 'float32')];
  },
};
