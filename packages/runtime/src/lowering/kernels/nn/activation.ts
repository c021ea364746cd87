import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import { Unsupported } from '../../types';

/**
 * The epilogue of tfjs's fused kernels (tfjs-backend-cpu utils/fused_utils applyActivation).
 * prelu weights broadcast against x as tfjs's Prelu does, hence Where rather than ONNX PRelu
 * (which only broadcasts the slope towards x).
 */
export function applyActivation(g: GraphBuilder, x: Sym, activation: string | undefined | null,
  preluWeights: Sym | undefined, leakyreluAlpha: number | undefined): Sym {
  const out = { dtype: x.dtype, rank: x.rank };
  switch (activation ?? 'linear') {
    case 'linear':
      return x;
    case 'relu':
      return g.op('Relu', [x], {}, out);
    case 'relu6':
      return g.op('Clip', [x, g.scalar('float32', 0), g.scalar('float32', 6)], {}, out);
    case 'elu':
      return g.op('Elu', [x], { alpha: 1 }, out, { floatAttrs: ['alpha'] });
    case 'sigmoid':
      return g.op('Sigmoid', [x], {}, out);
    case 'leakyrelu':
      // cpu multiplies by an undefined alpha (NaN); not worth imitating.
      if (typeof leakyreluAlpha !== 'number') throw new Unsupported('leakyrelu without alpha');
      return g.op('LeakyRelu', [x], { alpha: leakyreluAlpha }, out, { floatAttrs: ['alpha'] });
    case 'prelu': {
      if (!preluWeights) throw new Unsupported('prelu without weights');
      const rank = Math.max(x.rank, preluWeights.rank);
      const neg = g.op('Less', [x, g.scalar('float32', 0)], {}, { dtype: 'bool', rank: x.rank });
      const scaled = g.op('Mul', [preluWeights, x], {}, { dtype: 'float32', rank });
      return g.op('Where', [neg, scaled, x], {}, { dtype: 'float32', rank });
    }
    default:
      throw new Unsupported(`activation ${activation}`);
  }
}
