import { expectParity, rand, tf } from './harness';

const SHAPES = [[], [0], [5], [3, 4], [2, 1, 3], [2, 1, 3, 1], [1, 2, 1, 3, 1], [2, 1, 3, 1, 2, 2]];
const DTYPES = ['float32', 'int32', 'bool'] as const;

describe('cast and fills', () => {
  for (const from of DTYPES) {
    for (const to of DTYPES) {
      for (const shape of SHAPES) {
        it(`Cast ${from} -> ${to} ${JSON.stringify(shape)}`, () => {
          expectParity(() => tf.engine().runKernel('Cast', { x: rand(shape, from, { min: -5, max: 5, seed: 9 }) },
            { dtype: to }) as tf.Tensor, { onOrt: ['Cast'] });
        });
      }
    }
  }

  it('Cast float32 -> int32 truncates, wraps and zeroes non-finite values', () => {
    const x = [NaN, Infinity, -Infinity, 0, -0, 0.5, -0.5, 1.9, -1.9, 2147483520, 2147483648, 3e9, -3e9, 4294967296,
      5e9, -2147483648, -2147483904, 1e20, -1e20, 3.4e38, -3.4e38, 1e-40];
    expectParity(() => tf.cast(tf.tensor1d(x), 'int32'), { onOrt: ['Cast'] });
  });

  it('Cast float32 -> bool is x != 0', () => {
    expectParity(() => tf.cast(tf.tensor1d([NaN, Infinity, 0, -0, 1e-40, -2]), 'bool'), { onOrt: ['Cast'] });
  });

  it('Cast int32 -> bool and float32', () => {
    const x = () => tf.tensor1d([-2147483648, -1, 0, 1, 2147483647, 5], 'int32');
    expectParity(() => [tf.cast(x(), 'bool'), tf.cast(x(), 'float32')], { onOrt: ['Cast'] });
  });

  for (const [kernel, op] of [['ZerosLike', tf.zerosLike], ['OnesLike', tf.onesLike]] as const) {
    for (const dtype of DTYPES) {
      for (const shape of SHAPES) {
        it(`${kernel} ${dtype} ${JSON.stringify(shape)}`, () => {
          expectParity(() => op(rand(shape, dtype, { seed: 4 })), { onOrt: [kernel] });
        });
      }
    }
  }
});
