import { expectParity, rand, tf } from './harness';

describe('unary math', () => {
  const cases: Array<[string, (x: tf.Tensor) => tf.Tensor, number, number]> = [
    ['Exp', tf.exp, -5, 5],
    ['Log', tf.log, 0.01, 10],
    ['Sqrt', tf.sqrt, 0, 10],
    ['Tanh', tf.tanh, -5, 5],
    ['Sigmoid', tf.sigmoid, -10, 10],
  ];
  for (const [kernel, op, min, max] of cases) {
    for (const shape of [[], [0], [7], [3, 4], [2, 1, 3, 1, 2, 2]]) {
      it(`${kernel} rank ${shape.length} ${JSON.stringify(shape)}`, () => {
        expectParity(() => op(rand(shape, 'float32', { min, max, seed: 7 })), { onOrt: [kernel] });
      });
    }
  }
});
