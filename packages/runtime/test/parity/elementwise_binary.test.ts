import { expectParity, rand, tf } from './harness';

type Dtype = 'float32' | 'int32' | 'bool';
type Op = (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

// Broadcasting corners: equal shapes, scalar either side, size-1 dims on both sides, different ranks, empty.
const PAIRS: Array<[number[], number[]]> = [
  [[], []], [[5], [5]], [[], [3, 4]], [[3, 4], []], [[3, 1], [1, 4]], [[2, 1, 3], [4, 1]], [[4], [2, 3, 4]],
  [[0], [1]], [[2, 0, 3], [2, 1, 3]], [[2, 1, 3, 1], [1, 2, 1, 4]], [[1, 2, 1, 3, 1], [2, 1, 1, 1, 2]],
  [[2, 1, 3, 1, 2, 1], [1, 2, 1, 2, 1, 2]],
];

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -0.5, 2, -2, 3.7, -3.7, 1e-30, 1e30, -1e30];
const INT_EDGES = [-2147483648, -2147483647, 2147483647, -65536, 65536, 46341, -46341, 7, -7, 3, -3, 2, 1, 0, -1];

function kernelCall(kernel: string): Op {
  return (a, b) => tf.engine().runKernel(kernel, { a, b }) as tf.Tensor;
}

/** All pairs of the given values, as [n, 1] against [1, n]. */
function grid(values: number[], dtype: Dtype): [tf.Tensor, tf.Tensor] {
  return [tf.tensor2d(values, [values.length, 1], dtype), tf.tensor2d(values, [1, values.length], dtype)];
}

const cases: Array<[string, Op, Dtype[], { min?: number; max?: number; bMin?: number; bMax?: number }?]> = [
  ['Add', tf.add, ['float32', 'int32']],
  ['Sub', tf.sub, ['float32', 'int32']],
  ['Multiply', tf.mul, ['float32', 'int32']],
  ['RealDiv', kernelCall('RealDiv'), ['float32', 'int32']],
  ['FloorDiv', tf.floorDiv, ['float32', 'int32']],
  ['Mod', tf.mod, ['float32', 'int32']],
  ['Pow', tf.pow, ['float32', 'int32'], { min: -4, max: 4, bMin: -3, bMax: 4 }],
  ['Maximum', tf.maximum, ['float32', 'int32']],
  ['Minimum', tf.minimum, ['float32', 'int32']],
  ['SquaredDifference', tf.squaredDifference, ['float32', 'int32']],
  ['Atan2', tf.atan2, ['float32']],
  ['Equal', tf.equal, ['float32', 'int32', 'bool']],
  ['NotEqual', tf.notEqual, ['float32', 'int32', 'bool']],
  ['Less', tf.less, ['float32', 'int32', 'bool']],
  ['LessEqual', tf.lessEqual, ['float32', 'int32', 'bool']],
  ['Greater', tf.greater, ['float32', 'int32', 'bool']],
  ['GreaterEqual', tf.greaterEqual, ['float32', 'int32', 'bool']],
  ['LogicalAnd', tf.logicalAnd, ['bool']],
  ['LogicalOr', tf.logicalOr, ['bool']],
  ['BitwiseAnd', tf.bitwiseAnd, ['int32']],
];

describe('binary elementwise', () => {
  for (const [kernel, op, dtypes, range] of cases) {
    describe(kernel, () => {
      for (const dtype of dtypes) {
        for (const [sa, sb] of PAIRS) {
          if (kernel === 'BitwiseAnd' && sa.join() !== sb.join()) continue; // tfjs requires equal shapes
          it(`${dtype} ${JSON.stringify(sa)} x ${JSON.stringify(sb)}`, () => {
            expectParity(() => op(
              rand(sa, dtype, { seed: 1, min: range?.min, max: range?.max }),
              rand(sb, dtype, { seed: 2, min: range?.bMin ?? range?.min, max: range?.bMax ?? range?.max }),
            ), { onOrt: [kernel] });
          });
        }
      }
      if (dtypes.includes('float32')) {
        it('float32 special values', () => {
          expectParity(() => op(...grid(SPECIAL, 'float32')), { onOrt: [kernel] });
        });
      }
      if (dtypes.includes('int32')) {
        it('int32 edge values and wrap-around', () => {
          const [a, b] = grid(INT_EDGES, 'int32');
          expectParity(() => (kernel === 'BitwiseAnd' ? op(tf.tile(a, [1, INT_EDGES.length]), tf.tile(b, [INT_EDGES.length, 1]))
            : op(...grid(INT_EDGES, 'int32'))), { onOrt: [kernel] });
          a.dispose();
          b.dispose();
        });
      }
      if (dtypes.includes('bool')) {
        it('bool all pairs', () => {
          expectParity(() => op(...grid([0, 1], 'bool')), { onOrt: [kernel] });
        });
      }
    });
  }

  it('Pow int32 with large results', () => {
    const bases = [2, -2, 3, -3, 7, 10, 46341, -46341, 1, -1, 0];
    const exps = [0, 1, 2, 3, 10, 20, 31, 32, 33, 35, 40, -1, -2];
    expectParity(() => tf.pow(tf.tensor2d(bases, [bases.length, 1], 'int32'), tf.tensor2d(exps, [1, exps.length], 'int32')),
      { onOrt: ['Pow'] });
  });

  it('Mod and FloorDiv float32 corner cases', () => {
    const a = [5.5, -5.5, 5.5, -5.5, 1e-30, -1e-30, 7, -7, 0, -0, 1e30, 16777217];
    const b = [2, 2, -2, -2, 1, 1, Infinity, -Infinity, -3, 3, 3, 0.1];
    expectParity(() => [tf.mod(tf.tensor1d(a), tf.tensor1d(b)), tf.floorDiv(tf.tensor1d(a), tf.tensor1d(b))],
      { onOrt: ['Mod', 'FloorDiv'] });
  });

  describe('AddN', () => {
    for (const dtype of ['float32', 'int32'] as const) {
      for (const n of [1, 2, 5]) {
        for (const shape of [[], [0], [4], [2, 3], [2, 1, 3, 1, 2, 2]]) {
          it(`${dtype} ${n} x ${JSON.stringify(shape)}`, () => {
            expectParity(() => tf.addN(Array.from({ length: n }, (_, i) => rand(shape, dtype, { seed: i + 1 }))),
              { onOrt: ['AddN'] });
          });
        }
      }
    }
    it('int32 wraps', () => {
      expectParity(() => tf.addN([tf.tensor1d([2147483647, -2147483648], 'int32'), tf.tensor1d([1, -1], 'int32'),
        tf.tensor1d([5, 5], 'int32')]), { onOrt: ['AddN'] });
    });
  });

  describe('Select', () => {
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      for (const shape of [[], [0], [5], [3, 4], [2, 1, 3], [2, 1, 3, 1], [1, 2, 1, 3, 1], [2, 1, 3, 1, 2, 2]]) {
        it(`${dtype} ${JSON.stringify(shape)}`, () => {
          expectParity(() => tf.where(rand(shape, 'bool', { seed: 3 }), rand(shape, dtype, { seed: 4 }), rand(shape, dtype, { seed: 5 })),
            { onOrt: ['Select'] });
        });
      }
    }
    it('through tf.where broadcasting', () => {
      expectParity(() => tf.where(rand([3, 1], 'bool', { seed: 3 }), rand([1, 4], 'float32', { seed: 4 }), rand([], 'float32', { seed: 5 })),
        { onOrt: ['Select'] });
    });
    it('rank-1 condition over rows stays on cpu and agrees with it', () => {
      expectParity(() => tf.engine().runKernel('Select', { condition: tf.tensor1d([1, 0, 1], 'bool'),
        t: rand([3, 2], 'float32', { seed: 1 }), e: rand([3, 2], 'float32', { seed: 2 }) }) as tf.Tensor);
    });
  });

  it('gradients', () => {
    const a = () => rand([2, 1, 3], 'float32', { min: 0.5, max: 2, seed: 21 });
    const b = () => rand([4, 1], 'float32', { min: 0.5, max: 2, seed: 22 });
    const ops: Op[] = [tf.add, tf.sub, tf.mul, tf.div, tf.pow, tf.mod, tf.atan2, tf.floorDiv];
    for (const op of ops) {
      expectParity(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => op(x, y))([a(), b()]), { rtol: 1e-4 });
    }
    // These tfjs gradients do not reduce over broadcast dimensions.
    for (const op of [tf.maximum, tf.minimum, tf.squaredDifference]) {
      expectParity(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => op(x, y))([a(), rand([2, 1, 3], 'float32', { seed: 5 })]));
    }
    expectParity(() => tf.grads((c: tf.Tensor, x: tf.Tensor, y: tf.Tensor) => tf.where(tf.cast(c, 'bool'), x, y))(
      [rand([3, 4], 'int32', { min: 0, max: 2 }), rand([3, 4], 'float32', { seed: 1 }), rand([3, 4], 'float32', { seed: 2 })]));
    expectParity(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.addN([x, y, x]))([rand([3], 'float32'), rand([3], 'float32')]));
  });
});
