import { expectParity, rand, randValues, tf } from './harness';

function boxes(n: number, seed: number, lo = -0.3, hi = 1.3): tf.Tensor2D {
  return tf.tensor2d(randValues([n, 4], 'float32', { seed, min: lo, max: hi }), [n, 4]);
}

describe('CropAndResize', () => {
  const image = (shape: number[], seed = 1) => rand(shape, 'float32', { seed, min: -5, max: 5 }) as tf.Tensor4D;
  for (const method of ['bilinear', 'nearest'] as const) {
    for (const [imShape, crop, n] of [
      [[2, 7, 5, 3], [4, 6], 9],
      [[1, 6, 6, 2], [1, 1], 5],
      [[3, 4, 9, 1], [1, 5], 7],
      [[1, 1, 1, 2], [3, 2], 4],
      [[2, 5, 8, 2], [7, 1], 6],
    ] as Array<[number[], [number, number], number]>) {
      it(`${method} ${JSON.stringify(imShape)} crop ${crop} n=${n}`, () => {
        const ind = tf.tensor1d(randValues([n], 'int32', { seed: 5, min: 0, max: imShape[0] }), 'int32');
        expectParity(() => [
          tf.image.cropAndResize(image(imShape), boxes(n, 2), ind, crop, method, 0),
          tf.image.cropAndResize(image(imShape), boxes(n, 3, 0, 1), ind, crop, method, -2.5),
          // Another box count reuses the session (the box count is symbolic).
          tf.image.cropAndResize(image(imShape), boxes(n + 3, 4), tf.zeros([n + 3], 'int32') as tf.Tensor1D, crop, method, 1),
        ], { onOrt: ['CropAndResize'] });
      });
    }
    it(`${method} edge cases: bad box indices, NaN and infinite boxes, exact halves, flipped boxes`, () => {
      const bx = () => tf.tensor2d([
        0, 0, 1, 1,
        0.25, 0.25, 0.75, 0.75,
        NaN, 0, 1, 1,
        0, NaN, 1, 1,
        -Infinity, 0, 1, 1,
        0, 0, Infinity, 1,
        1, 1, 0, 0,
        -0.5, -0.5, 0.5, 0.5,
        0.125, 0.375, 0.625, 0.875,
        0, 0, 1, 1,
        0, 0, 1, 1,
        2, 2, 3, 3,
      ], [12, 4]);
      const ind = () => tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1, 1, 2, -1, -1], 'int32');
      const im = () => tf.tensor4d([...randValues([2, 5, 3, 2], 'float32', { seed: 9 })].map((v, i) =>
        (i === 7 ? Infinity : i === 20 ? NaN : v)), [2, 5, 3, 2]);
      expectParity(() => [
        tf.image.cropAndResize(im(), bx(), ind(), [3, 3], method, 7),
        tf.image.cropAndResize(im(), bx(), ind(), [1, 1], method, 7),
        tf.image.cropAndResize(im(), bx(), ind(), [5, 2], method, NaN),
      ], { onOrt: ['CropAndResize'] });
    });
  }
  it('int32 and bool images', () => {
    const ind = () => tf.tensor1d([0, 1, 1, 0], 'int32');
    expectParity(() => [
      tf.image.cropAndResize(rand([2, 6, 4, 3], 'int32', { seed: 3 }) as tf.Tensor4D, boxes(4, 1), ind(), [3, 5]),
      tf.image.cropAndResize(rand([2, 6, 4, 3], 'int32', { seed: 3 }) as tf.Tensor4D, boxes(4, 1), ind(), [3, 5], 'nearest'),
      tf.image.cropAndResize(rand([2, 6, 4, 3], 'bool', { seed: 3 }) as tf.Tensor4D, boxes(4, 1), ind(), [3, 5]),
    ], { onOrt: ['CropAndResize'] });
  });
  it('no boxes', () => {
    expectParity(() => tf.image.cropAndResize(image([1, 4, 4, 2]), tf.zeros([0, 4]) as tf.Tensor2D,
      tf.zeros([0], 'int32') as tf.Tensor1D, [2, 3]), { onOrt: ['CropAndResize'] });
  });
});
