import { expectParity, rand, randValues, tf } from './harness';

type F3 = number | [number, number, number];
// [x shape NDHWC, filterSize, strides, pad, rounding, grads on ORT]
const CASES: Array<[number[], F3, F3, 'valid' | 'same' | number, 'floor' | 'round' | 'ceil' | undefined, string[]]> = [
  [[1, 4, 4, 4, 1], 2, 2, 'valid', undefined, ['MaxPool3DGrad', 'AvgPool3DGrad']],
  [[2, 5, 6, 7, 3], 3, 1, 'same', undefined, ['MaxPool3DGrad', 'AvgPool3DGrad']],
  [[1, 5, 6, 7, 2], [2, 3, 3], 2, 'same', undefined, ['MaxPool3DGrad', 'AvgPool3DGrad']],
  [[1, 6, 5, 7, 2], [3, 2, 3], [1, 2, 3], 'valid', undefined, ['AvgPool3DGrad']],
  // The last input row lies in no window, so flipped windows would need a crop: MaxPool3DGrad on cpu.
  [[1, 7, 6, 5, 2], 3, [2, 3, 1], 1, undefined, ['AvgPool3DGrad']],
  [[1, 6, 7, 5, 2], 3, 2, 1, 'ceil', []],
  [[1, 6, 7, 5, 2], 3, 2, 1, 'round', []],
  [[1, 4, 4, 4, 1], 2, 1, 2, undefined, ['AvgPool3DGrad']],
  [[1, 2, 3, 2, 2], 3, 1, 'same', undefined, ['MaxPool3DGrad', 'AvgPool3DGrad']],
  [[2, 3, 3, 3, 2], 1, 1, 'valid', undefined, ['MaxPool3DGrad', 'AvgPool3DGrad']],
  [[2, 3, 3, 3, 2], 1, 2, 'same', undefined, ['MaxPool3DGrad', 'AvgPool3DGrad']],
  [[0, 3, 3, 3, 2], 2, 1, 'same', undefined, []],
];

describe('3D pools', () => {
  for (const [xs, fsz, strides, pad, rounding, gradsOnOrt] of CASES) {
    const name = `${JSON.stringify(xs)} f=${JSON.stringify(fsz)} s=${JSON.stringify(strides)} pad=${pad} ${rounding}`;
    const bigPad = typeof pad === 'number' && pad >= (typeof fsz === 'number' ? fsz : Math.min(...fsz));
    const empty = xs.includes(0);
    const x = () => rand(xs, 'float32', { seed: 3 }) as tf.Tensor5D;
    it(`forward ${name}`, () => {
      expectParity(() => tf.maxPool3d(x(), fsz, strides, pad, rounding), { onOrt: empty ? [] : ['MaxPool3D'] });
      expectParity(() => tf.avgPool3d(x(), fsz, strides, pad, rounding), { onOrt: empty || bigPad ? [] : ['AvgPool3D'] });
    });
    it(`grads ${name}`, () => {
      expectParity(() => [
        tf.grad((t: tf.Tensor5D) => tf.maxPool3d(t, fsz, strides, pad, rounding))(x()),
        tf.grad((t: tf.Tensor5D) => tf.avgPool3d(t, fsz, strides, pad, rounding))(x()),
      ], { onOrt: gradsOnOrt });
    });
  }
  it('rank-4 input', () => {
    expectParity(() => [tf.maxPool3d(rand([4, 5, 6, 2]) as tf.Tensor4D, 2, 1, 'same'),
      tf.avgPool3d(rand([4, 5, 6, 2]) as tf.Tensor4D, 2, 1, 'same')], { onOrt: ['MaxPool3D', 'AvgPool3D'] });
  });
  it('int32 input (max stays on cpu)', () => {
    expectParity(() => tf.maxPool3d(rand([1, 3, 4, 5, 2], 'int32') as tf.Tensor5D, 2, 1, 'valid'));
  });
  it('ties, NaN and -Infinity', () => {
    const vals = randValues([1, 3, 4, 4, 1], 'int32', { seed: 4, min: 0, max: 3 }).map((v, i) =>
      (i % 7 === 0 ? NaN : i % 5 === 0 ? -Infinity : v));
    for (let i = 16; i < 24; i++) vals[i] = NaN;
    for (let i = 40; i < 48; i++) vals[i] = -Infinity;
    for (const i of [0, 1, 4, 5, 16, 17, 20, 21]) vals[i] = NaN;
    for (const i of [26, 27, 30, 31, 42, 43, 46, 47]) vals[i] = -Infinity;
    const x = () => tf.tensor5d(vals, [1, 3, 4, 4, 1]);
    expectParity(() => [
      tf.maxPool3d(x(), 2, 1, 'valid'), tf.maxPool3d(x(), 1, 1, 'valid'), tf.avgPool3d(x(), 2, 2, 'same'),
      tf.grad((t: tf.Tensor5D) => tf.maxPool3d(t, 2, 1, 'valid'))(x()),
      tf.grad((t: tf.Tensor5D) => tf.maxPool3d(t, [1, 2, 2], 1, 'same'))(x()),
      tf.grad((t: tf.Tensor5D) => tf.maxPool3d(t, 3, 2, 'same'))(x()),
      tf.grad((t: tf.Tensor5D) => tf.maxPool3d(t, 1, 1, 'valid'))(x()),
    ], { onOrt: ['MaxPool3D', 'AvgPool3D', 'MaxPool3DGrad'] });
  });
});
