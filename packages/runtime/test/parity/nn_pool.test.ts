import { expectParity, rand, tf } from './harness';

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

// [x shape NHWC, filterSize, strides, pad, rounding]
const CASES: Array<[number[], number | [number, number], number | [number, number], Pad, 'floor' | 'round' | 'ceil' | undefined]> = [
  [[1, 4, 4, 1], 2, 2, 'valid', undefined],
  [[2, 7, 6, 3], 3, 1, 'same', undefined],
  [[2, 7, 6, 3], [3, 2], 2, 'same', undefined],
  [[1, 9, 10, 2], 3, 3, 'same', undefined],
  [[1, 8, 9, 2], 2, 2, 'same', undefined],
  [[1, 5, 5, 2], 1, 3, 'same', undefined],
  [[1, 9, 10, 2], 3, [3, 2], 'valid', undefined],
  [[1, 6, 7, 2], 3, 2, 1, undefined],
  [[1, 6, 7, 2], 3, 2, 1, 'ceil'],
  [[1, 6, 7, 2], 3, 2, 1, 'round'],
  [[1, 6, 7, 2], [2, 4], 1, 1, undefined],
  [[2, 6, 7, 2], 3, 2, [[0, 0], [1, 2], [0, 2], [0, 0]], undefined],
  [[1, 5, 5, 1], 2, 1, 2, undefined],
  [[1, 2, 2, 1], 3, 1, 'same', undefined],
  [[1, 3, 3, 2], 1, 1, 'valid', undefined],
  [[0, 5, 5, 2], 3, 1, 'same', undefined],
];

describe('pools', () => {
  for (const [xs, fsz, strides, pad, rounding] of CASES) {
    const name = `${JSON.stringify(xs)} f=${JSON.stringify(fsz)} s=${JSON.stringify(strides)} pad=${JSON.stringify(pad)} ${rounding}`;
    const bigPad = typeof pad === 'number' && pad >= (typeof fsz === 'number' ? fsz : Math.min(...fsz));
    const empty = xs.includes(0);
    it(`MaxPool ${name}`, () => {
      expectParity(() => tf.maxPool(rand(xs, 'float32', { seed: 1 }) as tf.Tensor4D, fsz, strides, pad, rounding),
        { onOrt: ['MaxPool'] });
    });
    it(`AvgPool ${name}`, () => {
      expectParity(() => tf.avgPool(rand(xs, 'float32', { seed: 1 }) as tf.Tensor4D, fsz, strides, pad, rounding),
        { onOrt: bigPad ? [] : ['AvgPool'] });
    });
    // With a rounding mode, tfjs's grads re-derive the window grid without it; those stay on cpu.
    it(`grads ${name}`, () => {
      expectParity(() => [
        tf.grad((x: tf.Tensor4D) => tf.maxPool(x, fsz, strides, pad, rounding))(rand(xs, 'float32', { seed: 1 })),
        tf.grad((x: tf.Tensor4D) => tf.avgPool(x, fsz, strides, pad, rounding))(rand(xs, 'float32', { seed: 1 })),
      ], { onOrt: empty || rounding ? [] : bigPad ? ['AvgPoolGrad'] : ['MaxPoolGrad', 'AvgPoolGrad'] });
    });
  }
  it('MaxPool int32', () => {
    expectParity(() => tf.maxPool(rand([2, 5, 6, 3], 'int32', { seed: 1 }) as tf.Tensor4D, 3, 2, 'same'), { onOrt: ['MaxPool'] });
  });
  it('MaxPool with ties, NaN and -Infinity, and its gradient', () => {
    const vals = [1, 1, NaN, 2, -Infinity, -Infinity, 3, 3, NaN, NaN, 0, 0, 5, 2, 5, 1, -Infinity, NaN, NaN, -Infinity];
    const x = () => tf.tensor4d(vals, [1, 4, 5, 1]);
    expectParity(() => [tf.maxPool(x(), 2, 1, 'valid'), tf.maxPool(x(), 2, 2, 'same'), tf.maxPool(x(), 1, 2, 'same'),
      tf.grad((t: tf.Tensor4D) => tf.maxPool(t, 2, 1, 'valid'))(x()),
      tf.grad((t: tf.Tensor4D) => tf.maxPool(t, 3, 2, 'same'))(x()),
      tf.grad((t: tf.Tensor4D) => tf.maxPool(t, 1, 1, 'valid'))(x())],
    { onOrt: ['MaxPool', 'MaxPoolGrad'] });
  });
});
