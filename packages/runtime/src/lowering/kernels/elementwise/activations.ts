import { backend_util } from '@tensorflow/tfjs-core';
import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import { cast, requireDtypes } from '../../helpers';
import type { KernelLowering } from '../../types';
import {
  UnaryBuild, arith, broadcast, compare, inFloat64, isNan, k, like, op1, un, unaryKernel, where,
} from './define';

/** cpu's Elu, x >= 0 ? x : exp(x) - 1, in float64: in float32 the subtraction cancels near 0. */
const elu: UnaryBuild = (g, x) =>
  where(g, compare(g, 'GreaterOrEqual', x, k(g, x, 0)), x, arith(g, 'Sub', un(g, 'Exp', x), k(g, x, 1)));

/** tfjs's constants are doubles, ONNX Selu's are float attributes, so it is spelled out. */
const selu: UnaryBuild = (g, x) => {
  const pos = arith(g, 'Mul', k(g, x, backend_util.SELU_SCALE), x);
  const neg = arith(g, 'Mul', k(g, x, backend_util.SELU_SCALEALPHA), arith(g, 'Sub', un(g, 'Exp', x), k(g, x, 1)));
  return where(g, compare(g, 'GreaterOrEqual', x, k(g, x, 0)), pos, neg);
};

function clip(g: GraphBuilder, x: Sym, min: number, max: number): Sym {
  return g.op('Clip', [x, k(g, x, min), k(g, x, max)], {}, like(x));
}

const step: Record<'float32' | 'int32', UnaryBuild> = {
  float32: (g, x, call) => {
    const stepped = where(g, compare(g, 'Greater', x, k(g, x, 0)), k(g, x, 1), k(g, x, Number(call.attrs.alpha)));
    return where(g, isNan(g, x), x, stepped);
  },
  // cpu stores alpha into an Int32Array.
  int32: (g, x, call) =>
    where(g, compare(g, 'Greater', x, k(g, x, 0)), k(g, x, 1), k(g, x, Number(call.attrs.alpha) | 0)),
};

const clipByValue: UnaryBuild = (g, x, call) =>
  clip(g, x, Number(call.attrs.clipValueMin), Number(call.attrs.clipValueMax));

/** cpu's LeakyRelu always outputs float32. */
const leakyRelu: UnaryBuild = (g, x, call) =>
  g.op('LeakyRelu', [cast(g, x, 'float32')], { alpha: Number(call.attrs.alpha) }, like(x, 'float32'),
    { floatAttrs: ['alpha'] });

/** cpu's Prelu broadcasts both ways (ONNX PRelu only broadcasts the slope) and outputs float32. */
const prelu: KernelLowering = {
  kernelName: 'Prelu',
  inputNames: ['x', 'alpha'],
  lower(g, [x0, a0], call) {
    requireDtypes(call, ['float32', 'int32']);
    const x = cast(g, x0!, 'float32');
    const a = cast(g, a0!, 'float32');
    const neg = compare(g, 'Less', x, k(g, x, 0));
    return [g.op('Where', [neg, arith(g, 'Mul', x, a), x], {}, broadcast('float32', x, a))];
  },
};

const eluGrad: KernelLowering = {
  kernelName: 'EluGrad',
  inputNames: ['dy', 'y'],
  lower(g, [dy, y], call) {
    requireDtypes(call, ['float32']);
    const scaled = arith(g, 'Mul', dy!, arith(g, 'Add', y!, k(g, y!, 1)));
    return [g.op('Where', [compare(g, 'GreaterOrEqual', y!, k(g, y!, 0)), dy!, scaled], {},
      broadcast('float32', dy!, y!))];
  },
};

export const ACTIVATIONS: KernelLowering[] = [
  unaryKernel('Relu', { float32: op1('Relu'), int32: op1('Relu') }),
  unaryKernel('Relu6', { float32: (g, x) => clip(g, x, 0, 6), int32: (g, x) => clip(g, x, 0, 6) }),
  unaryKernel('Elu', { float32: inFloat64(elu, 'float32'), int32: inFloat64(elu, 'int32') }),
  eluGrad,
  unaryKernel('Selu', { float32: inFloat64(selu, 'float32'), int32: inFloat64(selu, 'int32') }),
  unaryKernel('LeakyRelu', { float32: leakyRelu, int32: leakyRelu }),
  prelu,
  unaryKernel('Step', step),
  // Clamping a float32 to float32-rounded bounds equals cpu's clamping to the double bounds.
  unaryKernel('ClipByValue', { float32: clipByValue, int32: inFloat64(clipByValue, 'int32') }),
];
