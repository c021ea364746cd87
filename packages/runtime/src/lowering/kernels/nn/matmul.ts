import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import { requireDtypes } from '../../helpers';
import { KernelCall, KernelLowering, Unsupported } from '../../types';
import { applyActivation } from './activation';

/** Swaps the two innermost axes. */
export function transposeInner(g: GraphBuilder, x: Sym): Sym {
  const perm = Array.from({ length: x.rank }, (_, i) => i);
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return g.op('Transpose', [x], { perm }, { dtype: x.dtype, rank: x.rank });
}

/**
 * ONNX MatMul broadcasts batch dims numpy-style, as tfjs's matMul does for compatible batch shapes.
 * int32 products wrap in ORT as tfjs's Int32Array store does (sums stay exact mod 2^32).
 */
function matMul(g: GraphBuilder, a: Sym, b: Sym, call: KernelCall): Sym {
  if (a.rank < 2 || b.rank < 2) throw new Unsupported('matMul below rank 2');
  const ta = call.attrs.transposeA ? transposeInner(g, a) : a;
  const tb = call.attrs.transposeB ? transposeInner(g, b) : b;
  return g.op('MatMul', [ta, tb], {}, { dtype: a.dtype, rank: Math.max(a.rank, b.rank) });
}

export const BATCH_MAT_MUL: KernelLowering = {
  kernelName: 'BatchMatMul',
  inputNames: ['a', 'b'],
  lower(g, [a, b], call) {
    requireDtypes(call, ['float32', 'int32']);
    return [matMul(g, a!, b!, call)];
  },
};

export const FUSED_MAT_MUL: KernelLowering = {
  kernelName: '_FusedMatMul',
  inputNames: ['a', 'b', 'bias', 'preluActivationWeights'],
  lower(g, [a, b, bias, prelu], call) {
    requireDtypes(call, ['float32']);
    let y = matMul(g, a!, b!, call);
    if (bias) y = g.op('Add', [y, bias], {}, { dtype: 'float32', rank: Math.max(y.rank, bias.rank) });
    const { activation, leakyreluAlpha } = call.attrs as { activation?: string; leakyreluAlpha?: number };
    return [applyActivation(g, y, activation, prelu, leakyreluAlpha)];
  },
};
