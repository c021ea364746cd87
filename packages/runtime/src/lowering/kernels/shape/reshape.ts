import type { KernelLowering } from '../../types';
import { Unsupported } from '../../types';
import { unsqueeze } from './common';

export const RESHAPE: KernelLowering = {
  kernelName: 'Reshape',
  inputNames: ['x'],
  shapeAttrs: ['shape'],
  lower(g, [x], call) {
    const shape = call.attrs.shape as number[];
    // tfjs's 0 is a real zero (ONNX allowzero=1), which ONNX forbids next to an inferred -1.
    if (shape.includes(-1) && shape.includes(0)) throw new Unsupported('reshape with 0 and -1');
    if (shape.some((d) => d < -1) || shape.filter((d) => d === -1).length > 1) throw new Unsupported('bad shape');
    return [g.op('Reshape', [x!, call.attrInputs?.shape ?? g.int64s(shape)], { allowzero: 1 }, { dtype: x!.dtype, rank: shape.length })];
  },
};

export const EXPAND_DIMS: KernelLowering = {
  kernelName: 'ExpandDims',
  inputNames: ['input'],
  lower(g, [x], call) {
    const dim = call.attrs.dim as number;
    const axis = dim < 0 ? x!.rank + dim + 1 : dim;
    if (axis < 0 || axis > x!.rank) throw new Unsupported('axis out of range');
    return [unsqueeze(g, x!, [axis])];
  },
};
