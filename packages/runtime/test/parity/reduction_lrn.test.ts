import { expectParity, rand, tf } from './harness';

type Params = [number, number, number, number];
const PARAMS: Params[] = [[5, 1, 1, 0.5], [0, 1, 1, 0.5], [1, 2, 0.5, 0.75], [2, 0.5, 0.1, 1], [10, 1, 0.001, 0.75], [3, 1, 2, 2]];

describe('LRN', () => {
  for (const shape of [[1, 2, 2, 5], [2, 3, 3, 8], [1, 1, 1, 1], [2, 2, 6], [1, 2, 3, 17]]) {
    it(`${JSON.stringify(shape)}`, () => {
      for (const [r, bias, alpha, beta] of PARAMS) {
        expectParity(() => tf.localResponseNormalization(rand(shape, 'float32', { min: -2, max: 2, seed: 17 }) as tf.Tensor4D, r, bias, alpha, beta),
          { onOrt: ['LRN'] });
      }
    });

    it(`${JSON.stringify(shape)} gradient`, () => {
      for (const [r, bias, alpha, beta] of PARAMS) {
        const dy = (): tf.Tensor => rand(shape, 'float32', { seed: 19 });
        const f = (x: tf.Tensor): tf.Tensor => tf.sum(tf.mul(tf.localResponseNormalization(x as tf.Tensor4D, r, bias, alpha, beta), dy()));
        expectParity(() => tf.grad(f)(rand(shape, 'float32', { min: -2, max: 2, seed: 17 })), { onOrt: ['LRN', 'LRNGrad'] });
      }
    });
  }

  it('empty', () => {
    for (const shape of [[0, 2, 2, 3], [1, 0, 2, 3], [1, 2, 2, 0]]) {
      expectParity(() => tf.localResponseNormalization(rand(shape) as tf.Tensor4D, 2), { onOrt: ['LRN'] });
      expectParity(() => tf.grad((x: tf.Tensor) => tf.sum(tf.localResponseNormalization(x as tf.Tensor4D, 2)))(rand(shape)), { onOrt: ['LRNGrad'] });
    }
  });
});
