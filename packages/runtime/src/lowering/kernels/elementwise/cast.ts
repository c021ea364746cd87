import { tensorProto } from '../../../onnx/graph_builder';
import { cast, shapeOf } from '../../helpers';
import { KernelLowering, Unsupported } from '../../types';
import { UnaryBuild, compare, identity, k, like, toInt32, unaryKernel } from './define';

/** cpu's Cast: to int32 is JS ToInt32 (truncation, wrap-around, NaN to 0), to bool is x != 0. */
const castTo = (to: string): UnaryBuild => (g, x) => {
  if (to === x.dtype) return identity(g, x);
  if (to === 'float32' || (to === 'int32' && x.dtype === 'bool')) return cast(g, x, to);
  if (to === 'int32') return toInt32(g, x);
  if (to === 'bool') {
    if (x.dtype === 'int32') return cast(g, x, 'bool');
    // NaN is != 0, which Cast to bool leaves to the implementation.
    return g.op('Not', [compare(g, 'Equal', x, k(g, x, 0))], {}, like(x, 'bool'));
  }
  throw new Unsupported(`Cast to ${to}`);
};

const castKernel: KernelLowering = {
  kernelName: 'Cast',
  inputNames: ['x'],
  lower(g, [x], call) {
    return [castTo(String(call.attrs.dtype))(g, x!, call)];
  },
};

function filledLike(kernelName: string, value: number): KernelLowering {
  const fill: UnaryBuild = (g, x) => g.op('ConstantOfShape', [shapeOf(g, x)],
    { value: tensorProto('value', x.dtype, [value], [1]) }, like(x));
  return unaryKernel(kernelName, { float32: fill, int32: fill, bool: fill });
}

// Identity stays on cpu: there it shares the input's data (tf.clone relies on that, and the
// engine's leak check inside customGrad counts a copied clone as leaked), a lowering would copy.
export const CAST: KernelLowering[] = [
  castKernel,
  filledLike('ZerosLike', 0),
  filledLike('OnesLike', 1),
];
