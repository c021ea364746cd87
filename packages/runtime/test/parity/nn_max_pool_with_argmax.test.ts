import { expectParity, rand, randValues, tf } from './harness';

type Pad = 'valid' | 'same' | number;
const CASES: Array<[number[], number | [number, number], number | [number, number], Pad, boolean]> = [
  [[1, 4, 4, 1], 2, 2, 'valid', false],
  [[2, 7, 6, 3], 3, 1, 'same', true],
  [[2, 7, 6, 3], [3, 2], 2, 'same', false],
  [[3, 9, 10, 2], 3, [3, 2], 'valid', true],
  [[2, 6, 7, 2], 3, 2, 1, true],
  [[1, 5, 5, 2], 1, 3, 'same', true],
  [[2, 3, 3, 2], 1, 1, 'valid', true],
];

describe('MaxPoolWithArgmax', () => {
  for (const [xs, fsz, strides, pad, withBatch] of CASES) {
    it(`${JSON.stringify(xs)} f=${JSON.stringify(fsz)} s=${JSON.stringify(strides)} pad=${pad} batch=${withBatch}`, () => {
      expectParity(() => {
        const r = tf.maxPoolWithArgmax(rand(xs, 'float32', { seed: 2 }) as tf.Tensor4D, fsz, strides, pad, withBatch);
        return [r.result, r.indexes];
      }, { onOrt: ['MaxPoolWithArgmax'] });
      expectParity(() => {
        const r = tf.maxPoolWithArgmax(rand(xs, 'int32', { seed: 2, min: -3, max: 3 }) as tf.Tensor4D, fsz, strides, pad,
          withBatch);
        return [r.result, r.indexes];
      }, { onOrt: ['MaxPoolWithArgmax'] });
    });
  }
  it('ties, NaN and -Infinity', () => {
    const vals = randValues([2, 4, 5, 2], 'int32', { seed: 4, min: 0, max: 3 }).map((v, i) =>
      (i % 7 === 0 ? NaN : i % 5 === 0 ? -Infinity : v));
    for (const i of [0, 2, 10, 12]) vals[i] = NaN;
    for (const i of [44, 46, 54, 56]) vals[i] = -Infinity;
    const x = () => tf.tensor4d(vals, [2, 4, 5, 2]);
    expectParity(() => {
      const a = tf.maxPoolWithArgmax(x(), 2, 1, 'valid', true);
      const b = tf.maxPoolWithArgmax(x(), 1, 1, 'valid', false);
      const c = tf.maxPoolWithArgmax(x(), 3, 2, 'same', true);
      return [a.result, a.indexes, b.result, b.indexes, c.result, c.indexes];
    }, { onOrt: ['MaxPoolWithArgmax'] });
  });
  it('big pads and empty input stay exact', () => {
    expectParity(() => {
      const a = tf.maxPoolWithArgmax(rand([1, 4, 4, 1]) as tf.Tensor4D, 2, 1, 3, true);
      const b = tf.maxPoolWithArgmax(rand([0, 4, 4, 1]) as tf.Tensor4D, 2, 1, 'same', true);
      return [a.result, a.indexes, b.result, b.indexes];
    });
  });
});
