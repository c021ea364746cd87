import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import { KernelLowering, Unsupported } from '../../types';
import {
  BinaryBuild, arith, binaryKernel, compare, inFloat64Binary, isNan, k, op2, un, where,
} from './define';

const and = (g: GraphBuilder, a: Sym, b: Sym) => compare(g, 'And', a, b);
const or = (g: GraphBuilder, a: Sym, b: Sym) => compare(g, 'Or', a, b);

const floorDiv: BinaryBuild = (g, a, b) => un(g, 'Floor', arith(g, 'Div', a, b));

/** JS's remainder shifted to the divisor's sign: cpu's (rem + b) % b when the signs differ. */
const mod: BinaryBuild = (g, a, b) => {
  const rem = (x: Sym, y: Sym) => g.op('Mod', [x, y], { fmod: 1 }, { dtype: x.dtype, rank: Math.max(x.rank, y.rank) });
  const r = rem(a, b);
  const zero = k(g, a, 0);
  const bothNeg = and(g, compare(g, 'Less', a, zero), compare(g, 'Less', b, zero));
  const bothNonNeg = and(g, compare(g, 'GreaterOrEqual', a, zero), compare(g, 'GreaterOrEqual', b, zero));
  return where(g, or(g, bothNeg, bothNonNeg), r, rem(arith(g, 'Add', r, b), b));
};

/** C's pow gives 1 for pow(1, NaN) and pow(-1, +-Infinity); JS's Math.pow gives NaN. */
const pow: BinaryBuild = (g, a, b) => {
  const p = arith(g, 'Pow', a, b);
  const unitBase = compare(g, 'Equal', un(g, 'Abs', a), k(g, a, 1));
  const infExp = g.op('IsInf', [b], {}, { dtype: 'bool', rank: b.rank });
  const nan = or(g, isNan(g, b), and(g, unitBase, infExp));
  return where(g, nan, k(g, a, NaN), p);
};

const squaredDifference: BinaryBuild = (g, a, b) => {
  const d = arith(g, 'Sub', a, b);
  return arith(g, 'Mul', d, d);
};

/** Math.atan2 from Atan, with the quadrant, signed-zero and double-infinity cases of IEEE atan2. */
const atan2: BinaryBuild = (g, y, x) => {
  const c = (v: number) => k(g, y, v);
  const pi = Math.PI;
  // The sign bit, so that -0 counts as negative (1 / -0 is -Infinity).
  const signNeg = (v: Sym) => or(g, compare(g, 'Less', v, c(0)), compare(g, 'Less', un(g, 'Reciprocal', v), c(0)));
  const yNeg = signNeg(y);
  const q = un(g, 'Atan', arith(g, 'Div', y, x));
  const leftHalf = where(g, yNeg, arith(g, 'Sub', q, c(pi)), arith(g, 'Add', q, c(pi)));
  let r = where(g, compare(g, 'Less', x, c(0)), leftHalf, q);
  const bothZero = where(g, signNeg(x), where(g, yNeg, c(-pi), c(pi)), y);
  const onYAxis = where(g, compare(g, 'Greater', y, c(0)), c(pi / 2),
    where(g, compare(g, 'Less', y, c(0)), c(-pi / 2), where(g, compare(g, 'Equal', y, c(0)), bothZero, y)));
  r = where(g, compare(g, 'Equal', x, c(0)), onYAxis, r);
  const isInf = (v: Sym) => g.op('IsInf', [v], {}, { dtype: 'bool', rank: v.rank });
  const corner = where(g, compare(g, 'Greater', x, c(0)), c(pi / 4), c((3 * pi) / 4));
  const signedCorner = where(g, compare(g, 'Less', y, c(0)), un(g, 'Neg', corner), corner);
  return where(g, and(g, isInf(x), isInf(y)), signedCorner, r);
};

/** cpu accumulates in the output's typed array, i.e. sequential adds in the input dtype. */
const addN: KernelLowering = {
  kernelName: 'AddN',
  lower(g, inputs, call) {
    const xs = inputs.map((x) => x!);
    const dtype = xs[0].dtype;
    if (!['float32', 'int32'].includes(dtype) || xs.some((x) => x.dtype !== dtype)) {
      throw new Unsupported(`AddN on ${call.inputs.map((i) => i?.dtype).join(',')}`);
    }
    let sum = xs.length === 1 ? g.op('Identity', [xs[0]], {}, { dtype, rank: xs[0].rank }) : xs[0];
    for (const x of xs.slice(1)) sum = arith(g, 'Add', sum, x);
    return [sum];
  },
};

export const BINARY_ARITH: KernelLowering[] = [
  binaryKernel('Add', { float32: op2('Add'), int32: op2('Add') }),
  binaryKernel('Sub', { float32: op2('Sub'), int32: op2('Sub') }),
  // An int32 product reaches 2^62: cpu rounds it to a double before wrapping, which int32 Mul would not.
  binaryKernel('Multiply', { float32: op2('Mul'), int32: inFloat64Binary(op2('Mul'), 'int32', { bounded: true }) }),
  binaryKernel('RealDiv', { float32: op2('Div'), int32: inFloat64Binary(op2('Div'), 'int32') }),
  // cpu's FloorDiv outputs int32 for every input dtype.
  binaryKernel('FloorDiv', { float32: inFloat64Binary(floorDiv, 'int32'), int32: inFloat64Binary(floorDiv, 'int32') }),
  binaryKernel('Mod', { float32: inFloat64Binary(mod, 'float32'), int32: inFloat64Binary(mod, 'int32') }),
  binaryKernel('Pow', { float32: inFloat64Binary(pow, 'float32'), int32: inFloat64Binary(pow, 'int32') }),
  binaryKernel('Maximum', { float32: op2('Max'), int32: op2('Max') }),
  binaryKernel('Minimum', { float32: op2('Min'), int32: op2('Min') }),
  binaryKernel('SquaredDifference', {
    float32: squaredDifference, int32: inFloat64Binary(squaredDifference, 'int32'),
  }),
  binaryKernel('Atan2', { float32: atan2 }),
  addN,
];
