import { expectParity, rand, tf } from './harness';

const SHAPES: number[][] = [[5], [3, 4], [2, 3, 4], [2, 1, 3, 2], [2, 2, 1, 3, 2], [1, 2, 2, 1, 2, 3]];

describe('ArgMax/ArgMin', () => {
  const ops: Array<[string, (x: tf.Tensor, axis: number) => tf.Tensor]> = [
    ['ArgMax', (x, a) => tf.argMax(x, a)],
    ['ArgMin', (x, a) => tf.argMin(x, a)],
  ];
  for (const [kernel, op] of ops) {
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      for (const shape of SHAPES) {
        it(`${kernel} ${dtype} ${JSON.stringify(shape)}`, () => {
          for (let axis = -shape.length; axis < shape.length; axis++) {
            // Narrow int ranges make ties, which must resolve to the first occurrence.
            expectParity(() => op(rand(shape, dtype, { min: -3, max: 3, seed: 11 }), axis), { onOrt: [kernel] });
          }
        });
      }
    }

    it(`${kernel} empty`, () => {
      for (const [shape, axis] of [[[0], 0], [[3, 0], 1], [[3, 0], 0], [[0, 3], 1], [[0, 3], 0], [[2, 0, 3], 1]] as Array<[number[], number]>) {
        for (const dtype of ['float32', 'int32'] as const) {
          expectParity(() => op(rand(shape, dtype), axis), { onOrt: [kernel] });
        }
      }
    });

    it(`${kernel} NaN and infinities`, () => {
      const rows = [
        [NaN, 1, 2, 3], [1, NaN, 0, 3], [NaN, NaN, 5, -5], [3, 2, NaN, NaN], [NaN, NaN, NaN, NaN],
        [-Infinity, NaN, -Infinity, -Infinity], [Infinity, NaN, Infinity, 1], [-Infinity, -Infinity, -Infinity, -Infinity],
        [Infinity, Infinity, Infinity, Infinity], [0, -0, 0, -0], [2, 2, 2, 2],
      ];
      const x = (): tf.Tensor => tf.tensor2d(rows.flat(), [rows.length, 4]);
      expectParity(() => op(x(), 1), { onOrt: [kernel] });
      expectParity(() => op(x(), 0), { onOrt: [kernel] });
      expectParity(() => op(tf.transpose(x()), 0), { onOrt: [kernel] });
    });

    it(`${kernel} int32 extremes`, () => {
      const v = [-2147483648, 2147483647, -2147483648, 2147483647, 0, -2147483648];
      expectParity(() => op(tf.tensor2d(v, [2, 3], 'int32'), 1), { onOrt: [kernel] });
      expectParity(() => op(tf.tensor1d(v, 'int32'), 0), { onOrt: [kernel] });
    });

    it(`${kernel} gradient is zero`, () => {
      const f = (x: tf.Tensor): tf.Tensor => tf.sum(tf.mul(x, tf.expandDims(tf.cast(op(x, 1), 'float32'), 1)));
      expectParity(() => tf.grad(f)(rand([3, 4])), { onOrt: [kernel] });
    });
  }
});
