import { expectParity, rand, tf } from './harness';

const SHAPES: number[][] = [[5], [3, 4], [2, 3, 4], [2, 1, 3, 2], [2, 2, 1, 3, 2], [1, 2, 2, 1, 2, 3]];

describe('Softmax', () => {
  for (const shape of SHAPES) {
    it(`${JSON.stringify(shape)}`, () => {
      expectParity(() => tf.softmax(rand(shape, 'float32', { min: -5, max: 5, seed: 2 })), { onOrt: ['Softmax'] });
      expectParity(() => tf.softmax(rand(shape, 'float32', { min: -5, max: 5, seed: 2 }), shape.length - 1), { onOrt: ['Softmax'] });
    });
  }

  it('empty', () => {
    for (const shape of [[0], [0, 3], [3, 0], [2, 0, 3]]) {
      expectParity(() => tf.softmax(rand(shape)), { onOrt: ['Softmax'] });
    }
  });

  it('large logits, infinities and NaN', () => {
    const rows = [[1000, 999, -1000], [Infinity, 1, 2], [-Infinity, -Infinity, 0], [-Infinity, -Infinity, -Infinity],
      [NaN, 1, 2], [Infinity, Infinity, 0], [0, 0, 0]];
    expectParity(() => tf.softmax(tf.tensor2d(rows.flat(), [rows.length, 3])), { onOrt: ['Softmax'] });
  });

  it('gradients', () => {
    const x = (): tf.Tensor => rand([3, 5], 'float32', { min: -3, max: 3, seed: 4 });
    expectParity(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.softmax(t), rand([3, 5], 'float32', { seed: 8 }))))(x()),
      { onOrt: ['Softmax', 'Sum'] });
    expectParity(() => tf.grad((t: tf.Tensor) => tf.sum(tf.logSoftmax(t)))(x()), { onOrt: ['Max', 'Sum'] });
    expectParity(() => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([0, 3, 4], 'int32'), 5), x()), { onOrt: ['Max', 'Sum'] });
  });
});

describe('TopK', () => {
  const topk = (x: tf.Tensor, k: number, sorted = true): tf.Tensor[] => {
    const { values, indices } = tf.topk(x, k, sorted);
    return [values, indices];
  };
  for (const dtype of ['float32', 'int32', 'bool'] as const) {
    for (const shape of SHAPES) {
      it(`${dtype} ${JSON.stringify(shape)}`, () => {
        const n = shape[shape.length - 1];
        for (const k of [...new Set([0, 1, Math.floor(n / 2), n])]) {
          for (const sorted of [true, false]) {
            // Narrow int ranges make ties, which tfjs orders by index.
            expectParity(() => topk(rand(shape, dtype, { min: -3, max: 3, seed: 6 }), k, sorted),
              { onOrt: sorted || k <= 1 ? ['TopK'] : [] });
          }
        }
      });
    }
  }

  it('empty', () => {
    for (const [shape, k] of [[[0], 0], [[3, 0], 0], [[0, 4], 2], [[0, 4], 0], [[2, 0, 4], 3], [[0, 1], 1]] as Array<[number[], number]>) {
      for (const dtype of ['float32', 'int32'] as const) {
        expectParity(() => topk(rand(shape, dtype), k), { onOrt: ['TopK'] });
      }
    }
  });

  // No infinities: tfjs-cpu's selection compares by subtraction, and an infinity minus itself is NaN,
  // which scrambles its result (e.g. top 3 of [Inf, 1, 2, -Inf, 1] has the 1 at index 4).
  it('signed zeros, ties', () => {
    const v = [7, 1, 2, -7, 1, 0, -0, 0, 3, 3];
    expectParity(() => topk(tf.tensor1d(v), 10), { onOrt: ['TopK'] });
    expectParity(() => topk(tf.tensor1d(v), 4), { onOrt: ['TopK'] });
    expectParity(() => topk(tf.tensor2d(v, [2, 5]), 3), { onOrt: ['TopK'] });
    expectParity(() => topk(tf.tensor1d([-2147483648, 2147483647, 0, 2147483647], 'int32'), 3), { onOrt: ['TopK'] });
  });

  it('large rows', () => {
    expectParity(() => topk(rand([4, 2000], 'float32', { seed: 12 }), 50), { onOrt: ['TopK'] });
    expectParity(() => topk(rand([3, 1000], 'int32', { min: -20, max: 20, seed: 12 }), 100), { onOrt: ['TopK'] });
  });
});
