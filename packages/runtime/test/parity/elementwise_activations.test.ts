import { expectParity, rand, tf } from './harness';

const SHAPES = [[], [0], [5], [3, 4], [2, 1, 3], [2, 1, 3, 1], [1, 2, 1, 3, 1], [2, 1, 3, 1, 2, 2]];
const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -0.5, 5.9, 6, 6.1, 1e-30, -1e-30, -3.7, 1e30, -1e30];

type Op = (x: tf.Tensor) => tf.Tensor;

describe('activations', () => {
  const cases: Array<[string, Op, Array<'float32' | 'int32'>]> = [
    ['Relu', tf.relu, ['float32', 'int32']],
    ['Relu6', tf.relu6, ['float32', 'int32']],
    ['Elu', tf.elu, ['float32']],
    ['Selu', tf.selu, ['float32', 'int32']],
    ['LeakyRelu', (x) => tf.leakyRelu(x, 0.3), ['float32', 'int32']],
    ['Step', (x) => tf.step(x, 0.37), ['float32', 'int32']],
    ['Step', (x) => tf.step(x, -2.7), ['float32', 'int32']],
    ['ClipByValue', (x) => tf.clipByValue(x, -1.5, 2.3), ['float32', 'int32']],
    ['ClipByValue', (x) => tf.clipByValue(x, -Infinity, 0.1), ['float32', 'int32']],
  ];
  cases.forEach(([kernel, op, dtypes], n) => {
    describe(`${kernel} #${n}`, () => {
      for (const dtype of dtypes) {
        for (const shape of SHAPES) {
          it(`${dtype} rank ${shape.length} ${JSON.stringify(shape)}`, () => {
            expectParity(() => op(rand(shape, dtype, { min: -8, max: 8, seed: 5 })), { onOrt: [kernel] });
          });
        }
      }
      it('float32 special values', () => {
        expectParity(() => op(tf.tensor1d(SPECIAL)), { onOrt: [kernel] });
      });
    });
  });

  it('int32 edge values', () => {
    const x = () => tf.tensor1d([-2147483648, -100, -38, -37, -2, -1, 0, 1, 2, 5, 6, 7, 2147483647], 'int32');
    expectParity(() => [tf.relu(x()), tf.relu6(x()), tf.selu(x()), tf.leakyRelu(x(), 0.2), tf.step(x(), 3.5),
      tf.clipByValue(x(), -5.5, 1e12)], { onOrt: ['Relu', 'Relu6', 'Selu', 'LeakyRelu', 'Step', 'ClipByValue'] });
    expectParity(() => tf.engine().runKernel('Elu', { x: x() }) as tf.Tensor, { onOrt: ['Elu'] });
  });

  describe('Prelu', () => {
    const pairs: Array<[number[], number[]]> = [
      [[], []], [[0], [1]], [[5], [5]], [[3, 4], [4]], [[3, 4], [1]], [[2, 1, 3], [2, 3]], [[2, 3], [2, 1, 3]],
      [[2, 1, 3, 1, 2, 2], [3, 1, 1, 2]], [[1, 3], [4, 1]],
    ];
    for (const [xs, as] of pairs) {
      it(`x ${JSON.stringify(xs)} alpha ${JSON.stringify(as)}`, () => {
        expectParity(() => tf.prelu(rand(xs, 'float32', { seed: 1 }), rand(as, 'float32', { seed: 2 })), { onOrt: ['Prelu'] });
      });
    }
    it('int32 and special values', () => {
      expectParity(() => tf.prelu(rand([3, 4], 'int32', { seed: 1 }), rand([4], 'int32', { seed: 2 })), { onOrt: ['Prelu'] });
      expectParity(() => tf.prelu(tf.tensor1d(SPECIAL), tf.scalar(0.25) as unknown as tf.Tensor1D), { onOrt: ['Prelu'] });
    });
  });

  it('gradients', () => {
    const x = () => rand([3, 4], 'float32', { min: -3, max: 8, seed: 13 });
    for (const op of [tf.relu, tf.relu6, tf.elu, tf.selu, (t: tf.Tensor) => tf.leakyRelu(t, 0.1),
      (t: tf.Tensor) => tf.clipByValue(t, -1, 2), (t: tf.Tensor) => tf.prelu(t, tf.tensor1d([0.1, 0.2, 0.3, 0.4])),
      (t: tf.Tensor) => tf.step(t)]) {
      expectParity(() => tf.grad((t: tf.Tensor) => op(t))(x()));
    }
    expectParity(() => tf.grad((t: tf.Tensor) => tf.elu(t))(x()), { onOrt: ['Elu', 'EluGrad'] });
    expectParity(() => tf.grad((t: tf.Tensor) => tf.elu(t))(tf.tensor1d(SPECIAL)), { onOrt: ['EluGrad'] });
  });
});
