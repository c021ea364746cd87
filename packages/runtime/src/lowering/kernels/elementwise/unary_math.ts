import { backend_util } from '@tensorflow/tfjs-core';
import type { Sym } from '../../../onnx/graph_builder';
import type { KernelLowering } from '../../types';
import {
  UnaryBuild, arith, compare, inFloat64, k, op1, un, unaryKernel, viaFloat32ToInt32, where,
} from './define';

/*
 * Transcendental kernels. cpu stores an int32 input's result truncated into an Int32Array, so an
 * int32 input is lowered only where the truncated result cannot depend on last-ulp differences
 * between ORT's math library and V8's: in float64 for correctly rounded ops and for ops whose
 * results stay far from integers, in float32 for ops whose int32 results are a handful of values.
 */

const rsqrt: UnaryBuild = (g, x) => un(g, 'Reciprocal', un(g, 'Sqrt', x));

/** exp(x) - 1 in float64, with a Taylor polynomial where the subtraction would cancel. */
const expm1: UnaryBuild = (g, x) => {
  const small = compare(g, 'Less', un(g, 'Abs', x), k(g, x, 1e-5));
  const poly = arith(g, 'Mul', x, arith(g, 'Add', k(g, x, 1),
    arith(g, 'Mul', x, arith(g, 'Add', k(g, x, 0.5), arith(g, 'Div', x, k(g, x, 6))))));
  const direct = arith(g, 'Sub', un(g, 'Exp', x), k(g, x, 1));
  return where(g, small, poly, direct);
};

/** log(1 + x) in float64, with a Taylor polynomial where 1 + x would lose x's low bits. */
const log1p: UnaryBuild = (g, x) => {
  const small = compare(g, 'Less', un(g, 'Abs', x), k(g, x, 1e-5));
  const poly = arith(g, 'Mul', x, arith(g, 'Sub', k(g, x, 1),
    arith(g, 'Mul', x, arith(g, 'Sub', k(g, x, 0.5), arith(g, 'Div', x, k(g, x, 3))))));
  const direct = un(g, 'Log', arith(g, 'Add', k(g, x, 1), x));
  return where(g, small, poly, direct);
};

/** tfjs's erf is the Abramowitz-Stegun 7.1.26 approximation, not the exact function. */
const erf: UnaryBuild = (g, x) => {
  const c = (v: number) => k(g, x, v);
  const mul = (a: Sym, b: Sym) => arith(g, 'Mul', a, b);
  const add = (a: Sym, b: Sym) => arith(g, 'Add', a, b);
  const v = un(g, 'Abs', x);
  const t = arith(g, 'Div', c(1), add(c(1), mul(c(backend_util.ERF_P), v)));
  let poly = add(mul(c(backend_util.ERF_A5), t), c(backend_util.ERF_A4));
  poly = add(mul(poly, t), c(backend_util.ERF_A3));
  poly = add(mul(poly, t), c(backend_util.ERF_A2));
  poly = add(mul(poly, t), c(backend_util.ERF_A1));
  const e = un(g, 'Exp', mul(un(g, 'Neg', v), v));
  const y = arith(g, 'Sub', c(1), mul(mul(poly, t), e));
  return mul(un(g, 'Sign', x), y);
};

// float32 epsilon's log + 2, as in tfjs's softplus.
const SOFTPLUS_THRESHOLD = Math.log(1.1920928955078125e-7) + 2.0;

/**
 * tfjs's thresholded softplus: exp(x) below the threshold, x above its negation, else
 * log(1 + exp(x)), which loses most digits near the threshold unless computed in float64.
 */
const softplus: UnaryBuild = (g, x) => {
  const ex = un(g, 'Exp', x);
  const mid = un(g, 'Log', arith(g, 'Add', k(g, x, 1), ex));
  const upper = where(g, compare(g, 'Greater', x, k(g, x, -SOFTPLUS_THRESHOLD)), x, mid);
  return where(g, compare(g, 'Less', x, k(g, x, SOFTPLUS_THRESHOLD)), ex, upper);
};

/** (e^x - e^-x) / 2, with a Taylor polynomial where the difference would cancel. */
const sinh: UnaryBuild = (g, x) => {
  const ex = un(g, 'Exp', x);
  const emx = un(g, 'Exp', un(g, 'Neg', x));
  const direct = arith(g, 'Mul', arith(g, 'Sub', ex, emx), k(g, x, 0.5));
  const poly = arith(g, 'Add', x, arith(g, 'Div', arith(g, 'Mul', x, arith(g, 'Mul', x, x)), k(g, x, 6)));
  return where(g, compare(g, 'Less', un(g, 'Abs', x), k(g, x, 1e-5)), poly, direct);
};

const cosh: UnaryBuild = (g, x) =>
  arith(g, 'Mul', arith(g, 'Add', un(g, 'Exp', x), un(g, 'Exp', un(g, 'Neg', x))), k(g, x, 0.5));

/** cpu's 1 / (1 + exp(-x)); ORT's Sigmoid loses the relative precision of tiny results. */
const sigmoid: UnaryBuild = (g, x) =>
  un(g, 'Reciprocal', arith(g, 'Add', k(g, x, 1), un(g, 'Exp', un(g, 'Neg', x))));

const tan: UnaryBuild = (g, x) => arith(g, 'Div', un(g, 'Sin', x), un(g, 'Cos', x));

export const UNARY_MATH: KernelLowering[] = [
  // Exp and Sigmoid are on every training step's hot path: they stay in float32, within an ulp of
  // cpu's correctly rounded results. The others compute in float64 where float32 would lose digits
  // (ORT has no float64 Sinh, Cosh or Tan, so they are spelled out). cpu's Exp always outputs float32.
  unaryKernel('Exp', { float32: op1('Exp'), int32: inFloat64(op1('Exp'), 'float32') }),
  unaryKernel('Log', { float32: op1('Log'), int32: inFloat64(op1('Log'), 'int32') }),
  unaryKernel('Sqrt', { float32: op1('Sqrt'), int32: inFloat64(op1('Sqrt'), 'int32') }),
  unaryKernel('Rsqrt', { float32: rsqrt, int32: inFloat64(rsqrt, 'int32') }),
  unaryKernel('Reciprocal', { float32: op1('Reciprocal'), int32: inFloat64(op1('Reciprocal'), 'int32') }),
  unaryKernel('Tanh', { float32: op1('Tanh') }),
  unaryKernel('Sigmoid', { float32: sigmoid }),
  unaryKernel('Sin', { float32: op1('Sin') }),
  unaryKernel('Cos', { float32: op1('Cos') }),
  unaryKernel('Tan', { float32: inFloat64(tan, 'float32') }),
  unaryKernel('Sinh', { float32: inFloat64(sinh, 'float32') }),
  unaryKernel('Cosh', { float32: inFloat64(cosh, 'float32') }),
  unaryKernel('Asinh', { float32: op1('Asinh') }),
  unaryKernel('Acosh', { float32: op1('Acosh') }),
  unaryKernel('Asin', { float32: op1('Asin'), int32: viaFloat32ToInt32(op1('Asin')) }),
  unaryKernel('Acos', { float32: op1('Acos'), int32: viaFloat32ToInt32(op1('Acos')) }),
  unaryKernel('Atan', { float32: op1('Atan'), int32: viaFloat32ToInt32(op1('Atan')) }),
  unaryKernel('Atanh', { float32: op1('Atanh'), int32: viaFloat32ToInt32(op1('Atanh')) }),
  unaryKernel('Expm1', { float32: inFloat64(expm1, 'float32') }),
  unaryKernel('Log1p', { float32: inFloat64(log1p, 'float32'), int32: inFloat64(log1p, 'int32') }),
  unaryKernel('Erf', { float32: inFloat64(erf, 'float32'), int32: inFloat64(erf, 'int32') }),
  unaryKernel('Softplus', { float32: inFloat64(softplus, 'float32'), int32: inFloat64(softplus, 'int32') }),
];

