import { expectParity, rand, tf } from './harness';

// [x NDHWC, filter [fd, fh, fw, cin, cout], strides, pad, dilations]
const CASES: Array<[number[], number[], number | [number, number, number], 'valid' | 'same', number]> = [
  [[1, 4, 5, 4, 1], [2, 3, 2, 1, 2], 1, 'valid', 1],
  [[2, 5, 4, 6, 2], [3, 3, 3, 2, 3], 1, 'same', 1],
  [[1, 7, 6, 5, 2], [3, 2, 3, 2, 2], 2, 'same', 1],
  [[1, 7, 8, 9, 1], [2, 2, 2, 1, 2], [3, 2, 3], 'same', 1],
  [[1, 7, 8, 9, 1], [2, 3, 2, 1, 2], [3, 2, 2], 'valid', 1],
  [[1, 7, 6, 7, 2], [3, 2, 3, 2, 2], 1, 'same', 2],
  [[0, 4, 4, 4, 2], [2, 2, 2, 2, 2], 1, 'same', 1],
];

describe('Conv3D', () => {
  for (const [xs, fs, strides, pad, dil] of CASES) {
    const name = `${JSON.stringify(xs)} ${JSON.stringify(fs)} s=${JSON.stringify(strides)} ${pad} d=${dil}`;
    it(name, () => {
      expectParity(() => tf.conv3d(rand(xs, 'float32', { seed: 1 }) as tf.Tensor5D, rand(fs, 'float32', { seed: 2 }) as tf.Tensor5D,
        strides, pad, 'NDHWC', dil), { onOrt: ['Conv3D'] });
    });
    if (dil !== 1) continue;
    it(`grads ${name}`, () => {
      expectParity(() => tf.grads((x: tf.Tensor5D, f: tf.Tensor5D) => tf.conv3d(x, f, strides, pad))(
        [rand(xs, 'float32', { seed: 1 }), rand(fs, 'float32', { seed: 2 })]),
      { onOrt: ['Conv3DBackpropInputV2', 'Conv3DBackpropFilterV2'] });
    });
  }
  it('conv3dTranspose', () => {
    expectParity(() => tf.conv3dTranspose(rand([1, 3, 4, 3, 2], 'float32', { seed: 1 }) as tf.Tensor5D,
      rand([2, 3, 2, 3, 2], 'float32', { seed: 2 }) as tf.Tensor5D, [1, 6, 8, 6, 3], 2, 'same'), { onOrt: ['Conv3DBackpropInputV2'] });
  });
});
