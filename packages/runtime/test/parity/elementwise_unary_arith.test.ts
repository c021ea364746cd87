import { expectParity, rand, tf } from './harness';

const SHAPES = [[], [0], [5], [3, 4], [2, 1, 3], [2, 1, 3, 1], [1, 2, 1, 3, 1], [2, 1, 3, 1, 2, 2]];
const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 1e-30, 3.7, -3.7, 1e30, -1e30];
const INT_EDGES = [-2147483648, -2147483647, 2147483647, -46341, 46341, 65536, 16777217, -16777217, 4097, 0, -1, 1];

type Op = (x: tf.Tensor) => tf.Tensor;

describe('unary arithmetic', () => {
  const cases: Array<[string, Op, Array<'float32' | 'int32' | 'bool'>]> = [
    ['Abs', tf.abs, ['float32', 'int32']],
    ['Neg', tf.neg, ['float32', 'int32']],
    ['Sign', tf.sign, ['float32', 'int32']],
    ['Square', tf.square, ['float32', 'int32']],
    ['Floor', tf.floor, ['float32']],
    ['Ceil', tf.ceil, ['float32']],
    ['Round', tf.round, ['float32', 'int32']],
    ['IsNan', tf.isNaN, ['float32', 'int32', 'bool']],
    ['IsInf', tf.isInf, ['float32', 'int32', 'bool']],
    ['IsFinite', tf.isFinite, ['float32', 'int32', 'bool']],
    ['LogicalNot', tf.logicalNot, ['bool']],
  ];
  for (const [kernel, op, dtypes] of cases) {
    describe(kernel, () => {
      for (const dtype of dtypes) {
        for (const shape of SHAPES) {
          it(`${dtype} rank ${shape.length} ${JSON.stringify(shape)}`, () => {
            expectParity(() => op(rand(shape, dtype, { min: -5, max: 5, seed: 3 })), { onOrt: [kernel] });
          });
        }
      }
      if (dtypes.includes('float32')) {
        it('float32 special values', () => {
          expectParity(() => op(tf.tensor1d(SPECIAL)), { onOrt: [kernel] });
        });
      }
      if (dtypes.includes('int32')) {
        it('int32 edge values', () => {
          expectParity(() => op(tf.tensor1d(INT_EDGES, 'int32')), { onOrt: [kernel] });
        });
      }
    });
  }

  it('Floor and Ceil on int32 through direct kernel calls', () => {
    for (const kernel of ['Floor', 'Ceil']) {
      expectParity(() => tf.engine().runKernel(kernel, { x: tf.tensor1d(INT_EDGES, 'int32') }) as tf.Tensor, { onOrt: [kernel] });
    }
  });

  it('gradients', () => {
    const x = () => rand([3, 4], 'float32', { min: -2, max: 2, seed: 13 });
    for (const op of [tf.abs, tf.neg, tf.sign, tf.square, tf.floor, tf.ceil, tf.round]) {
      expectParity(() => tf.grad((t: tf.Tensor) => op(t))(x()));
    }
  });
});
