import { requireDtypes } from '../../helpers';
import { KernelLowering, Unsupported } from '../../types';

/** tfjs's Softmax is max-shifted exp over the sum, along the last axis only, as ONNX Softmax (opset 13+). */
export const SOFTMAX: KernelLowering = {
  kernelName: 'Softmax',
  inputNames: ['logits'],
  lower(g, [logits], call) {
    requireDtypes(call, ['float32']);
    const rank = logits!.rank;
    const dim = call.attrs.dim === -1 ? rank - 1 : call.attrs.dim;
    if (rank === 0 || dim !== rank - 1) throw new Unsupported(`Softmax along dim ${String(dim)} of rank ${rank}`);
    return [g.op('Softmax', [logits!], { axis: rank - 1 }, { dtype: 'float32', rank })];
  },
};
