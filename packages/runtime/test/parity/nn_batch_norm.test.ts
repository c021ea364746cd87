import { expectParity, rand, tf } from './harness';

describe('FusedBatchNorm', () => {
  const cases: Array<[number[], number[], boolean, boolean]> = [
    [[2, 3, 4, 5], [5], true, true],
    [[2, 3, 4, 5], [5], false, false],
    [[2, 3, 4, 5], [5], true, false],
    [[2, 3, 4, 5], [1], false, true],
    [[2, 3, 4, 5], [2, 3, 4, 5], true, true],
    [[2, 3, 4, 5], [1, 1, 4, 5], true, true],
    [[2, 3, 4, 6], [1, 3, 1, 1], true, true],
    [[3, 4], [4], true, true],
    [[7], [7], true, true],
    [[2, 4, 3], [3], true, true],
    [[0, 2, 2, 3], [3], true, true],
  ];
  for (const [xs, ps, withScale, withOffset] of cases) {
    it(`${JSON.stringify(xs)} params ${JSON.stringify(ps)} scale=${withScale} offset=${withOffset}`, () => {
      expectParity(() => tf.batchNorm(rand(xs, 'float32', { seed: 1 }), rand(ps, 'float32', { seed: 2 }),
        rand(ps, 'float32', { seed: 3, min: 0, max: 2 }), withOffset ? rand(ps, 'float32', { seed: 4 }) : undefined,
        withScale ? rand(ps, 'float32', { seed: 5 }) : undefined, 0.01), { onOrt: ['FusedBatchNorm'] });
    });
  }
  it('default epsilon, zero variance', () => {
    expectParity(() => tf.batchNorm(rand([2, 3], 'float32', { seed: 1 }), tf.zeros([3]), tf.zeros([3])),
      { onOrt: ['FusedBatchNorm'] });
  });
  it('gradients', () => {
    expectParity(() => tf.grads((x: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) =>
      tf.batchNorm(x, m, v, o, s, 0.1))([rand([2, 3, 2, 4], 'float32', { seed: 1 }), rand([4], 'float32', { seed: 2 }),
      rand([4], 'float32', { seed: 3, min: 0.5, max: 1 }), rand([4], 'float32', { seed: 4 }), rand([4], 'float32', { seed: 5 })]),
    { onOrt: ['FusedBatchNorm'] });
  });
});
