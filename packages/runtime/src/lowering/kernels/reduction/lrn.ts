import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import { requireDtypes, shapeOf } from '../../helpers';
import { KernelCall, KernelLowering, Unsupported } from '../../types';
import { dropLastAlong } from './reduce_util';

interface LrnAttrs {
  depthRadius: number;
  bias: number;
  alpha: number;
  beta: number;
}

function lrnAttrs(call: KernelCall, rank: number): LrnAttrs {
  requireDtypes(call, ['float32']);
  const { depthRadius, bias, alpha, beta } = call.attrs as unknown as LrnAttrs;
  if (rank !== 4 || !Number.isInteger(depthRadius) || depthRadius < 0) {
    throw new Unsupported(`${call.kernelName} depthRadius ${depthRadius} rank ${rank}`);
  }
  return { depthRadius, bias, alpha, beta };
}

/**
 * tfjs's LRN (NHWC): y = x * (bias + alpha * sum(x^2 over channels c-r..c+r))^-beta. ONNX LRN is
 * the same over NCHW channels with window size 2r+1 and alpha divided by the size.
 */
export const LRN: KernelLowering = {
  kernelName: 'LRN',
  inputNames: ['x'],
  lower(g, [x], call) {
    const { depthRadius, bias, alpha, beta } = lrnAttrs(call, x!.rank);
    const size = 2 * depthRadius + 1;
    const nchw = g.op('Transpose', [x!], { perm: [0, 3, 1, 2] }, { dtype: 'float32', rank: 4 });
    const y = g.op('LRN', [nchw], { size, alpha: alpha * size, beta, bias }, { dtype: 'float32', rank: 4 },
      { floatAttrs: ['alpha', 'beta', 'bias'] });
    return [g.op('Transpose', [y], { perm: [0, 2, 3, 1] }, { dtype: 'float32', rank: 4 })];
  },
};

/** Beyond this radius the window-sum convolution's im2col buffer grows too large to be worth it. */
const MAX_GRAD_RADIUS = 32;

/**
 * Sums t (NHWC) over the channel window c-r..c+r, as a 1xK convolution over [1, 1, NHW, C]. ORT's
 * Conv rejects zero rows or columns, so one zero row and column (the column acts as padding) are
 * appended and dropped again.
 */
function channelWindowSum(g: GraphBuilder, t: Sym, radius: number): Sym {
  const rows = g.op('Flatten', [t], { axis: 3 }, { dtype: 'float32', rank: 2 });
  const padded = g.op('Pad', [rows, g.int64s([0, 0, 1, 1]), g.scalar('float32', 0)], { mode: 'constant' },
    { dtype: 'float32', rank: 2 });
  const image = g.op('Unsqueeze', [padded, g.int64s([0, 1])], {}, { dtype: 'float32', rank: 4 });
  const size = 2 * radius + 1;
  const ones = g.constant('float32', new Array<number>(size).fill(1), [1, 1, 1, size]);
  const summed = g.op('Conv', [image, ones], { kernel_shape: [1, size], pads: [0, radius, 0, radius] },
    { dtype: 'float32', rank: 4 });
  const trimmed = dropLastAlong(g, dropLastAlong(g, summed, 3), 2);
  return g.op('Reshape', [trimmed, shapeOf(g, t)], { allowzero: 1 }, { dtype: 'float32', rank: 4 });
}

/**
 * tfjs-cpu's LRNGrad, regrouped: the window is symmetric, so with norm = bias + alpha * S(x^2),
 * dx = dy * norm^-beta - 2 * alpha * beta * x * S(dy * y / norm), S being the channel window sum.
 */
export const LRN_GRAD: KernelLowering = {
  kernelName: 'LRNGrad',
  inputNames: ['x', 'y', 'dy'],
  lower(g, [x, y, dy], call) {
    const { depthRadius, bias, alpha, beta } = lrnAttrs(call, x!.rank);
    if (depthRadius > MAX_GRAD_RADIUS) throw new Unsupported(`LRNGrad depthRadius ${depthRadius}`);
    const f = { dtype: 'float32' as const, rank: 4 };
    const squares = g.op('Mul', [x!, x!], {}, f);
    const scaled = g.op('Mul', [channelWindowSum(g, squares, depthRadius), g.scalar('float32', alpha)], {}, f);
    const norm = g.op('Add', [scaled, g.scalar('float32', bias)], {}, f);
    const direct = g.op('Mul', [dy!, g.op('Pow', [norm, g.scalar('float32', -beta)], {}, f)], {}, f);
    const ratio = g.op('Div', [g.op('Mul', [dy!, y!], {}, f), norm], {}, f);
    const spread = g.op('Mul', [g.op('Mul', [x!, channelWindowSum(g, ratio, depthRadius)], {}, f),
      g.scalar('float32', 2 * alpha * beta)], {}, f);
    return [g.op('Sub', [direct, spread], {}, f)];
  },
};
