import { expectParity, rand, tf } from './harness';

describe('BatchMatMul', () => {
  const cases: Array<[number[], number[], boolean, boolean]> = [
    [[3, 4], [4, 5], false, false],
    [[4, 3], [4, 5], true, false],
    [[3, 4], [5, 4], false, true],
    [[4, 3], [5, 4], true, true],
    [[2, 3, 4], [2, 4, 5], false, false],
    [[2, 3, 4], [4, 5], false, false],
    [[3, 4], [2, 4, 5], false, false],
    // tfjs's cpu kernel mis-sizes batch broadcasts where both sides exceed 1 ([2,1] vs [3]), and empty batches.
    [[2, 1, 3, 4], [1, 4, 2], false, false],
    [[1, 2, 1, 3, 4], [2, 1, 2, 4], false, true],
    [[2, 2, 1, 2, 3, 4], [1, 2, 4, 2], false, false],
    [[0, 3, 4], [0, 4, 5], false, false],
    [[3, 0], [0, 5], false, false],
    [[0, 4], [4, 0], false, false],
  ];
  for (const [sa, sb, ta, tb] of cases) {
    it(`${JSON.stringify(sa)} x ${JSON.stringify(sb)} ta=${ta} tb=${tb}`, () => {
      expectParity(() => tf.matMul(rand(sa, 'float32', { seed: 1 }), rand(sb, 'float32', { seed: 2 }), ta, tb),
        { onOrt: ['BatchMatMul'] });
    });
  }
  it('int32, wrapping', () => {
    expectParity(() => tf.matMul(rand([3, 4], 'int32', { seed: 1, min: -2e5, max: 2e5 }),
      rand([4, 2], 'int32', { seed: 2, min: -2e5, max: 2e5 })), { onOrt: ['BatchMatMul'] });
  });
  it('gradients', () => {
    expectParity(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, false, true))(
      [rand([2, 3, 4], 'float32', { seed: 1 }), rand([2, 5, 4], 'float32', { seed: 2 })]), { onOrt: ['BatchMatMul'] });
  });
});

describe('_FusedMatMul', () => {
  const acts = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const;
  for (const activation of acts) {
    it(activation, () => {
      expectParity(() => tf.fused.matMul({
        a: rand([2, 3, 4], 'float32', { seed: 1, min: -4, max: 4 }),
        b: rand([4, 5], 'float32', { seed: 2, min: -4, max: 4 }),
        bias: rand([5], 'float32', { seed: 3 }),
        activation,
        preluActivationWeights: activation === 'prelu' ? rand([5], 'float32', { seed: 4 }) : undefined,
        leakyreluAlpha: 0.3,
      }), { onOrt: ['_FusedMatMul'] });
    });
  }
  it('NaN through relu, relu6', () => {
    const a = tf.tensor2d([NaN, 1, -1, 8], [2, 2]);
    for (const activation of ['relu', 'relu6', 'elu', 'leakyrelu', 'prelu'] as const) {
      expectParity(() => tf.fused.matMul({ a: tf.tensor2d([NaN, 1, -1, 8], [2, 2]), b: tf.eye(2), activation,
        preluActivationWeights: tf.scalar(0.5), leakyreluAlpha: 0.1 }), { onOrt: ['_FusedMatMul'] });
    }
    a.dispose();
  });
  it('no bias, transposed, with grads', () => {
    expectParity(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.fused.matMul({ a, b, transposeA: true,
      bias: tf.ones([1, 5]), activation: 'linear' }))(
      [rand([4, 3], 'float32', { seed: 1 }), rand([4, 5], 'float32', { seed: 2 })]), { onOrt: ['_FusedMatMul'] });
  });
});
