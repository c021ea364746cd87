import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import { cast } from '../../helpers';
import type { KernelLowering } from '../../types';
import {
  UnaryBuild, arith, identity, isNan, k, like, op1, toInt32, un, unaryKernel, where,
} from './define';

// cpu's Abs and Square write int32 results through a Float32Array, rounding them to float32.
const absInt32: UnaryBuild = (g, x) => toInt32(g, un(g, 'Abs', cast(g, x, 'float32')), { bounded: true });
const squareInt32: UnaryBuild = (g, x) => {
  const wide = cast(g, x, 'float64');
  return toInt32(g, cast(g, arith(g, 'Mul', wide, wide), 'float32'), { bounded: true });
};

// tfjs's sign of NaN is 0 (neither comparison holds); ONNX's is NaN.
const signFloat: UnaryBuild = (g, x) => where(g, isNan(g, x), k(g, x, 0), un(g, 'Sign', x));

/** A float predicate; other dtypes hold only finite numbers, so they are widened to float32 first. */
function floatPredicate(kernelName: string, build: UnaryBuild): KernelLowering {
  const widened: UnaryBuild = (g, x, call) => build(g, cast(g, x, 'float32'), call);
  return unaryKernel(kernelName, { float32: build, int32: widened, bool: widened });
}

const isInf = (g: GraphBuilder, x: Sym): Sym => g.op('IsInf', [x], {}, like(x, 'bool'));
const isFinite: UnaryBuild = (g, x) => {
  const bad = g.op('Or', [isNan(g, x), isInf(g, x)], {}, like(x, 'bool'));
  return g.op('Not', [bad], {}, like(x, 'bool'));
};

export const UNARY_ARITH: KernelLowering[] = [
  unaryKernel('Abs', { float32: op1('Abs'), int32: absInt32 }),
  unaryKernel('Neg', { float32: op1('Neg'), int32: op1('Neg') }),
  unaryKernel('Sign', { float32: signFloat, int32: op1('Sign') }),
  unaryKernel('Square', { float32: (g, x) => arith(g, 'Mul', x, x), int32: squareInt32 }),
  unaryKernel('Floor', { float32: op1('Floor'), int32: identity }),
  unaryKernel('Ceil', { float32: op1('Ceil'), int32: identity }),
  // Both round half to even.
  unaryKernel('Round', { float32: op1('Round'), int32: identity }),
  floatPredicate('IsNan', (g, x) => isNan(g, x)),
  floatPredicate('IsInf', isInf),
  floatPredicate('IsFinite', isFinite),
  unaryKernel('LogicalNot', { bool: op1('Not') }),
];
