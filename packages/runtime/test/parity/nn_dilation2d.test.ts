import { expectParity, rand, tf } from './harness';

type P2 = number | [number, number];
// [x shape, filter shape, strides, pad, dilations]
const CASES: Array<[number[], number[], P2, 'valid' | 'same', P2]> = [
  [[1, 5, 5, 1], [2, 2, 1], 1, 'valid', 1],
  [[2, 7, 6, 3], [3, 3, 3], 1, 'same', 1],
  [[2, 7, 6, 3], [3, 2, 3], 2, 'same', 1],
  [[1, 9, 10, 2], [2, 3, 2], [3, 2], 'valid', 1],
  [[1, 9, 10, 2], [2, 3, 2], 1, 'same', [2, 3]],
  [[2, 8, 8, 2], [3, 3, 2], 1, 'valid', 2],
  [[1, 3, 3, 2], [1, 1, 2], 1, 'valid', 1],
  [[1, 2, 2, 1], [3, 3, 1], 1, 'same', 1],
  [[6, 5, 2], [2, 2, 2], 1, 'same', 1],
];

describe('Dilation2D', () => {
  for (const [xs, fs, strides, pad, dil] of CASES) {
    it(`${JSON.stringify(xs)} f=${JSON.stringify(fs)} s=${JSON.stringify(strides)} ${pad} d=${JSON.stringify(dil)}`, () => {
      expectParity(() => [
        tf.dilation2d(rand(xs, 'float32', { seed: 1 }) as tf.Tensor4D, rand(fs, 'float32', { seed: 2 }) as tf.Tensor3D,
          strides, pad, dil),
        tf.dilation2d(rand(xs, 'int32', { seed: 1 }) as tf.Tensor4D, rand(fs, 'int32', { seed: 2 }) as tf.Tensor3D,
          strides, pad, dil),
      ], { onOrt: ['Dilation2D'] });
    });
    it(`grads ${JSON.stringify(xs)} f=${JSON.stringify(fs)} s=${JSON.stringify(strides)} ${pad} d=${JSON.stringify(dil)}`, () => {
      // Integer-valued inputs make ties, which both backprops break toward the first tap.
      for (const opts of [{ seed: 1 }, { seed: 4, min: -2, max: 2 }]) {
        expectParity(() => tf.grads((x: tf.Tensor, f: tf.Tensor) => tf.dilation2d(x as tf.Tensor4D, f as tf.Tensor3D,
          strides, pad, dil).square())([
          opts.max ? tf.round(rand(xs, 'float32', opts)) : rand(xs, 'float32', opts),
          opts.max ? tf.round(rand(fs, 'float32', { ...opts, seed: 5 })) : rand(fs, 'float32', { ...opts, seed: 5 })]),
        { onOrt: ['Dilation2DBackpropInput', 'Dilation2DBackpropFilter'] });
      }
    });
  }
  it('grads with NaN and -Infinity (windows without a winner)', () => {
    const x = () => tf.tensor4d([NaN, 1, -Infinity, 2, NaN, NaN, NaN, 3, NaN, NaN, NaN, NaN], [1, 3, 4, 1]);
    const f = () => tf.tensor3d([0, -Infinity, NaN, 1], [2, 2, 1]);
    for (const pad of ['valid', 'same'] as const) {
      expectParity(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.dilation2d(a as tf.Tensor4D, b as tf.Tensor3D, 1, pad)
        .mul(tf.range(1, pad === 'same' ? 13 : 7).reshape(pad === 'same' ? [1, 3, 4, 1] : [1, 2, 3, 1])))([x(), f()]),
      { onOrt: ['Dilation2DBackpropInput', 'Dilation2DBackpropFilter'] });
    }
  });
  it('NaN, infinities, huge values, int32 wrap-around, empty windows', () => {
    const x = () => tf.tensor4d([NaN, 1, -Infinity, 2, Infinity, NaN, -1e30, 3, 0], [1, 3, 3, 1]);
    const f = () => tf.tensor3d([0, -Infinity, NaN, 1], [2, 2, 1]);
    expectParity(() => [
      tf.dilation2d(x(), f(), 1, 'valid'),
      tf.dilation2d(x(), f(), 1, 'same'),
      tf.dilation2d(tf.tensor4d([NaN, NaN, NaN, -1e20], [1, 2, 2, 1]), tf.zeros([1, 1, 1]) as tf.Tensor3D, 1, 'same'),
      tf.dilation2d(tf.tensor4d([2147483647, -2147483648, 5, 7], [1, 2, 2, 1], 'int32'),
        tf.tensor3d([1, 2, -3, 4], [2, 2, 1], 'int32'), 1, 'same'),
      tf.dilation2d(tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1], 'int32'), tf.tensor3d([1, 0, 1, 1], [2, 2, 1], 'bool'), 2,
        'same', 3),
    ], { onOrt: ['Dilation2D'] });
  });
  it('mixed dtypes and empty batch', () => {
    expectParity(() => [
      tf.dilation2d(rand([1, 4, 4, 2], 'int32') as tf.Tensor4D, rand([2, 2, 2]) as tf.Tensor3D, 1, 'same'),
      tf.dilation2d(rand([1, 4, 4, 2]) as tf.Tensor4D, rand([2, 2, 2], 'int32') as tf.Tensor3D, 1, 'same'),
      tf.dilation2d(rand([0, 4, 4, 2]) as tf.Tensor4D, rand([2, 2, 2]) as tf.Tensor3D, 1, 'same'),
    ]);
  });
});
