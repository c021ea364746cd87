import { expectParity, rand, tf } from './harness';

const DTYPES = ['float32', 'int32', 'bool'] as const;

describe('shape: concat, pack', () => {
  for (const dtype of DTYPES) {
    it(`Concat ${dtype}`, () => {
      expectParity(() => [
        tf.concat([rand([3], dtype, { seed: 1 }), rand([2], dtype, { seed: 2 })]),
        tf.concat([rand([2, 3], dtype, { seed: 1 }), rand([2, 1], dtype, { seed: 2 }), rand([2, 2], dtype)], -1),
        tf.concat([rand([0, 3], dtype), rand([2, 3], dtype)], 0),
        tf.concat([rand([2, 0], dtype), rand([2, 0], dtype)], 1),
        tf.concat([rand([2, 1, 3, 1, 2, 2], dtype, { seed: 4 }), rand([2, 1, 3, 2, 2, 2], dtype)], 3),
      ], { onOrt: ['Concat'] });
    });
    it(`Pack ${dtype}`, () => {
      expectParity(() => [
        tf.stack([rand([], dtype, { seed: 1 }), rand([], dtype, { seed: 2 })]),
        tf.stack([rand([3], dtype, { seed: 1 })]),
        tf.stack([rand([2, 3], dtype, { seed: 1 }), rand([2, 3], dtype, { seed: 2 })], -1),
        tf.stack([rand([0, 3], dtype), rand([0, 3], dtype)], 1),
        tf.stack([rand([2, 1, 2, 1, 2], dtype, { seed: 3 }), rand([2, 1, 2, 1, 2], dtype)], 2),
      ], { onOrt: ['Pack'] });
    });
    it(`Unpack ${dtype}`, () => {
      expectParity(() => [
        ...tf.unstack(rand([3], dtype)),
        ...tf.unstack(rand([2, 3], dtype), 1),
        ...tf.unstack(rand([1, 4], dtype)),
        ...tf.unstack(rand([2, 0], dtype)),
        ...tf.unstack(rand([2, 1, 2, 1, 2, 3], dtype), -1),
      ], { onOrt: ['Unpack'] });
    });
    it(`SplitV ${dtype}`, () => {
      expectParity(() => [
        ...tf.split(rand([6], dtype), 3),
        ...tf.split(rand([6], dtype), 1),
        ...tf.split(rand([2, 7], dtype), [2, -1, 0, 1], 1),
        ...tf.split(rand([2, 7], dtype), [2, 5], -1),
        ...tf.split(rand([4, 0], dtype), 2),
        ...tf.split(rand([2, 1, 2, 1, 2, 6], dtype), [1, 2, 3], 5),
      ], { onOrt: ['SplitV'] });
    });
  }
  it('Concat rejects mismatched other dims, even on an empty input', () => {
    tf.setBackend('terra');
    expect(() => tf.concat([tf.ones([1, 1, 3]), tf.ones([1, 0, 4])], 1)).toThrow();
    expect(() => tf.concat([tf.ones([1, 2, 2]), tf.ones([2, 2, 3])], 2)).toThrow();
  });
  it('SplitV rejects uneven or mismatched splits', () => {
    tf.setBackend('terra');
    expect(() => tf.split(tf.ones([7]), 2)).toThrow();
    expect(() => tf.split(tf.ones([7]), [2, 3])).toThrow();
  });
  it('gradients of concat, split, stack, unstack', () => {
    expectParity(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => {
      const c = tf.concat([a, b], 1);
      const [p, q] = tf.split(c, [3, 2], 1);
      const s = tf.stack([p, tf.square(p)]);
      const u = tf.unstack(q, 1);
      return tf.addN([tf.sum(tf.square(s)), tf.sum(tf.mul(u[0], u[1]))]);
    })([rand([2, 3], 'float32', { seed: 1 }), rand([2, 2], 'float32', { seed: 2 })]),
    { onOrt: ['Concat', 'SplitV', 'Pack', 'Unpack'] });
  });
});
