import type { KernelLowering } from '../../types';
import { Unsupported } from '../../types';
import { BIG, identity, slice, storedValue } from './common';

type Paddings = Array<[number, number]>;

function checkPaddings(paddings: Paddings, rank: number): void {
  if (paddings.length !== rank || paddings.some((p) => p[0] < 0 || p[1] < 0)) throw new Unsupported('paddings');
}

export const PAD_V2: KernelLowering = {
  kernelName: 'PadV2',
  inputNames: ['x'],
  lower(g, [x], call) {
    const paddings = call.attrs.paddings as Paddings;
    checkPaddings(paddings, x!.rank);
    if (x!.rank === 0) return [identity(g, x!)];
    const value = storedValue(call.attrs.constantValue as number, call.inputs[0]!.dtype);
    const pads = [...paddings.map((p) => p[0]), ...paddings.map((p) => p[1])];
    return [g.op('Pad', [x!, g.int64s(pads), g.scalar(x!.dtype, value)], { mode: 'constant' },
      { dtype: x!.dtype, rank: x!.rank })];
  },
};

/**
 * Mirrored borders as reversed slices concatenated around each axis: ONNX Pad has reflect but no
 * symmetric mode (which repeats the edge element), and slices serve every dtype.
 */
export const MIRROR_PAD: KernelLowering = {
  kernelName: 'MirrorPad',
  inputNames: ['x'],
  lower(g, [x], call) {
    const paddings = call.attrs.paddings as Paddings;
    checkPaddings(paddings, x!.rank);
    const offset = call.attrs.mode === 'reflect' ? 1 : 0;
    let y = x!;
    paddings.forEach(([before, after], axis) => {
      const parts = [];
      // Before: elements before-1+offset down to offset; after: the last after ones (skipping the
      // edge for reflect), reversed.
      if (before > 0) parts.push(slice(g, y, [before - 1 + offset], [offset === 1 ? 0 : -BIG], [axis], [-1]));
      parts.push(y);
      if (after > 0) parts.push(slice(g, y, [-1 - offset], [-1 - offset - after], [axis], [-1]));
      if (parts.length > 1) y = g.op('Concat', parts, { axis }, { dtype: x!.dtype, rank: x!.rank });
    });
    return [y === x ? identity(g, x!) : y];
  },
};
