import { expectParity, rand, tf } from './harness';

const SHAPES = [[], [0], [7], [3, 4], [2, 1, 3], [2, 1, 3, 1], [1, 2, 1, 3, 1], [2, 1, 3, 1, 2, 2]];
const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 1e-30, -1e-30, 1e-7, -1e-7, 0.5, -0.5, 3.5, 100, -100, 1e30];

type Op = (x: tf.Tensor) => tf.Tensor;


describe('unary math', () => {
  const cases: Array<[string, Op, number, number]> = [
    ['Exp', tf.exp, -5, 5],
    ['Log', tf.log, 0.01, 10],
    ['Sqrt', tf.sqrt, 0, 10],
    ['Rsqrt', tf.rsqrt, 0.01, 10],
    ['Reciprocal', tf.reciprocal, -3, 3],
    ['Tanh', tf.tanh, -5, 5],
    ['Sigmoid', tf.sigmoid, -10, 10],
    ['Sin', tf.sin, -10, 10],
    ['Cos', tf.cos, -10, 10],
    ['Tan', tf.tan, -1.5, 1.5],
    ['Sinh', tf.sinh, -5, 5],
    ['Cosh', tf.cosh, -5, 5],
    ['Asinh', tf.asinh, -10, 10],
    ['Acosh', tf.acosh, 1, 10],
    ['Asin', tf.asin, -1, 1],
    ['Acos', tf.acos, -1, 1],
    ['Atan', tf.atan, -10, 10],
    ['Atanh', tf.atanh, -0.99, 0.99],
    ['Expm1', tf.expm1, -3, 3],
    ['Log1p', tf.log1p, -0.99, 5],
    ['Erf', tf.erf, -3, 3],
    ['Softplus', tf.softplus, -20, 20],
  ];
  for (const [kernel, op, min, max] of cases) {
    describe(kernel, () => {
      for (const shape of SHAPES) {
        it(`float32 rank ${shape.length} ${JSON.stringify(shape)}`, () => {
          expectParity(() => op(rand(shape, 'float32', { min, max, seed: 7 })), { onOrt: [kernel] });
        });
      }
      it('special values', () => {
        expectParity(() => op(tf.tensor1d(SPECIAL)), { onOrt: [kernel] });
      });
    });
  }

  it('Expm1 and Log1p keep precision near 0', () => {
    const x = [1e-12, -1e-12, 3e-6, -3e-6, 9.9e-6, 1.1e-5, 1e-3, -1e-3, 2e-38];
    expectParity(() => [tf.expm1(tf.tensor1d(x)), tf.log1p(tf.tensor1d(x))], { onOrt: ['Expm1', 'Log1p'], rtol: 1e-6, atol: 0 });
  });

  it('Softplus thresholds', () => {
    const t = Math.log(1.1920928955078125e-7) + 2;
    const around = (v: number) => [v, Math.fround(v), Math.fround(v) + 1e-6, Math.fround(v) - 1e-6];
    expectParity(() => tf.softplus(tf.tensor1d([...around(t), ...around(-t)])), { onOrt: ['Softplus'], rtol: 1e-7, atol: 0 });
  });

  it('Erf matches the tfjs approximation closely', () => {
    expectParity(() => tf.erf(rand([200], 'float32', { min: -4, max: 4, seed: 3 })), { onOrt: ['Erf'], rtol: 1e-6, atol: 1e-7 });
  });

  // Kernels whose ops accept int32 tensors; cpu truncates results into an Int32Array.
  const intCases: Array<[string, Op, number, number]> = [
    ['Exp', tf.exp, -10, 10],
    ['Reciprocal', tf.reciprocal, -3, 3],
    ['Asin', tf.asin, -3, 3],
    ['Acos', tf.acos, -3, 3],
    ['Atan', tf.atan, -100, 100],
    ['Atanh', tf.atanh, -3, 3],
    ['Log1p', tf.log1p, -5, 1000000],
    ['Erf', tf.erf, -8, 8],
    ['Softplus', tf.softplus, -30, 30],
  ];
  for (const [kernel, op, min, max] of intCases) {
    it(`${kernel} int32`, () => {
      expectParity(() => op(rand([4, 25], 'int32', { min, max, seed: 5 })), { onOrt: [kernel] });
    });
  }

  it('int32 through direct kernel calls', () => {
    for (const kernel of ['Log', 'Sqrt', 'Rsqrt']) {
      expectParity(() => tf.engine().runKernel(kernel, { x: tf.tensor1d([-4, -1, 0, 1, 2, 4, 15, 16, 17, 1e9, 2147483647], 'int32') }) as tf.Tensor,
        { onOrt: [kernel] });
    }
  });

  it('gradients', () => {
    const x = () => rand([3, 4], 'float32', { min: 0.1, max: 0.9, seed: 11 });
    for (const op of [tf.exp, tf.log, tf.sqrt, tf.rsqrt, tf.tanh, tf.sigmoid, tf.sin, tf.cos, tf.tan, tf.asin, tf.acos,
      tf.atan, tf.sinh, tf.cosh, tf.asinh, tf.atanh, tf.expm1, tf.log1p, tf.erf, tf.softplus, tf.reciprocal]) {
      expectParity(() => tf.grad((t: tf.Tensor) => op(t))(x()), { rtol: 1e-4 });
    }
  });
});
