import { expectParity, rand, tf } from './harness';

const MODES: Array<[boolean, boolean]> = [[false, false], [true, false], [false, true]];
const SIZES: Array<[number[], [number, number]]> = [
  [[1, 4, 4, 1], [8, 8]],
  [[2, 3, 5, 2], [7, 4]],
  [[1, 10, 4, 3], [4, 6]],
  [[1, 6, 9, 1], [3, 3]],
  [[1, 3, 3, 2], [1, 1]],
  [[1, 1, 1, 2], [3, 2]],
  [[1, 5, 5, 2], [3, 8]],
  [[1, 3, 3, 1], [9, 2]],
  [[2, 5, 7, 1], [5, 7]],
  [[0, 2, 2, 1], [3, 3]],
];

describe('resize', () => {
  for (const [alignCorners, halfPixel] of MODES) {
    for (const [shape, size] of SIZES) {
      const name = `${JSON.stringify(shape)} -> ${JSON.stringify(size)} align=${alignCorners} half=${halfPixel}`;
      it(`bilinear ${name}`, () => {
        expectParity(() => tf.image.resizeBilinear(rand(shape, 'float32', { seed: 1 }) as tf.Tensor4D, size, alignCorners, halfPixel),
          { onOrt: ['ResizeBilinear'] });
      });
      it(`nearest ${name}`, () => {
        expectParity(() => tf.image.resizeNearestNeighbor(rand(shape, 'float32', { seed: 1 }) as tf.Tensor4D, size, alignCorners, halfPixel),
          { onOrt: ['ResizeNearestNeighbor'] });
      });
      // With alignCorners, a size-1 input axis makes tfjs's cpu nearest gradient loop forever.
      const cpuHangs = alignCorners && (shape[1] === 1 || shape[2] === 1);
      if (!cpuHangs) it(`nearest grad ${name}`, () => {
        expectParity(() => tf.grad((x: tf.Tensor4D) => tf.image.resizeNearestNeighbor(x, size, alignCorners, halfPixel))(
          rand(shape, 'float32', { seed: 1 })), { onOrt: ['ResizeNearestNeighborGrad'] });
      });
      // tfjs's cpu bilinear gradient swaps height and width in its result shape, so tf.grad rejects non-square images.
      if (shape[1] !== shape[2]) continue;
      it(`bilinear grad ${name}`, () => {
        expectParity(() => tf.grad((x: tf.Tensor4D) => tf.image.resizeBilinear(x, size, alignCorners, halfPixel))(
          rand(shape, 'float32', { seed: 1 })), { onOrt: ['ResizeBilinearGrad'] });
      });
    }
  }
  it('int32 images', () => {
    expectParity(() => [
      tf.image.resizeBilinear(rand([1, 3, 4, 2], 'int32', { seed: 1 }) as tf.Tensor4D, [5, 7]),
      tf.image.resizeNearestNeighbor(rand([1, 3, 4, 2], 'int32', { seed: 1 }) as tf.Tensor4D, [5, 7], true),
    ], { onOrt: ['ResizeBilinear', 'ResizeNearestNeighbor'] });
  });
});
