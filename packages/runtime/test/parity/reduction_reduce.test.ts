import { expectParity, rand, tf } from './harness';

type Axis = number | number[] | null;
type Reducer = (x: tf.Tensor, axis: Axis, keepDims: boolean) => tf.Tensor;

const SHAPES: number[][] = [[], [5], [3, 4], [2, 3, 4], [2, 1, 3, 2], [2, 2, 1, 3, 2], [1, 2, 2, 1, 2, 3]];
const EMPTY: number[][] = [[0], [3, 0], [0, 3], [2, 0, 3]];

/** Axis choices valid for a rank: all, first, last (negative), a pair, none. */
function axesFor(rank: number): Axis[] {
  const out: Axis[] = [null, []];
  if (rank >= 1) out.push(0, -1);
  if (rank >= 3) out.push([0, 2], [-1, 1]);
  return out;
}

const REDUCERS: Array<[string, Reducer, Array<'float32' | 'int32' | 'bool'>]> = [
  ['Sum', (x, a, k) => tf.sum(x, a, k), ['float32', 'int32', 'bool']],
  ['Prod', (x, a, k) => tf.prod(x, a, k), ['float32', 'int32', 'bool']],
  ['Mean', (x, a, k) => tf.mean(x, a, k), ['float32', 'int32']],
  ['Max', (x, a, k) => tf.max(x, a, k), ['float32', 'int32', 'bool']],
  ['Min', (x, a, k) => tf.min(x, a, k), ['float32', 'int32', 'bool']],
  ['All', (x, a, k) => tf.all(x, a, k), ['bool']],
  ['Any', (x, a, k) => tf.any(x, a, k), ['bool']],
];

describe('reductions', () => {
  for (const [kernel, op, dtypes] of REDUCERS) {
    describe(kernel, () => {
      for (const dtype of dtypes) {
        for (const shape of SHAPES) {
          it(`${dtype} ${JSON.stringify(shape)}`, () => {
            const opts = dtype === 'int32' && kernel === 'Prod' ? { min: -3, max: 4 } : {};
            for (const axis of axesFor(shape.length)) {
              for (const keepDims of [false, true]) {
                expectParity(() => op(rand(shape, dtype, { seed: 3, ...opts }), axis, keepDims),
                  { onOrt: [kernel] });
              }
            }
          });
        }
        it(`${dtype} empty`, () => {
          for (const shape of EMPTY) {
            for (const axis of [null, 0, -1, ...(shape.length > 1 ? [[0, 1]] : [])]) {
              for (const keepDims of [false, true]) {
                expectParity(() => op(rand(shape, dtype), axis, keepDims), { onOrt: [kernel] });
              }
            }
          }
        });
      }
    });
  }

  it('Max/Min propagate NaN wherever it is', () => {
    const vals = [NaN, 1, 2, 3, 4, NaN, 5, 6, 7, 8, 9, NaN, NaN, NaN, NaN, 0];
    for (const op of [tf.max, tf.min]) {
      expectParity(() => op(tf.tensor2d(vals, [4, 4]), 1), { onOrt: [] });
      expectParity(() => op(tf.tensor2d(vals, [4, 4]), 0, true));
      expectParity(() => op(tf.tensor1d(vals)));
    }
    expectParity(() => tf.max(tf.tensor2d(vals, [4, 4]), 1), { onOrt: ['Max'] });
    expectParity(() => tf.min(tf.tensor2d(vals, [4, 4]), 1), { onOrt: ['Min'] });
  });

  it('infinities', () => {
    const vals = [Infinity, -Infinity, 1, -Infinity, Infinity, Infinity, 2, 3, -Infinity];
    for (const op of [tf.max, tf.min, tf.sum, tf.mean, tf.prod]) {
      expectParity(() => op(tf.tensor2d(vals, [3, 3]), 1));
    }
  });

  it('int32 wraps around', () => {
    const big = [2147483647, 1, 2147483647, 2147483647, -2147483648, -1];
    expectParity(() => tf.sum(tf.tensor2d(big, [2, 3], 'int32'), 1), { onOrt: ['Sum'] });
    expectParity(() => tf.sum(tf.tensor1d(big, 'int32')), { onOrt: ['Sum'] });
    expectParity(() => tf.prod(tf.tensor2d([100000, 100000, 3, 65536, 65536, 7], [2, 3], 'int32'), 1), { onOrt: ['Prod'] });
    expectParity(() => tf.mean(tf.tensor1d(big, 'int32')), { onOrt: ['Mean'] });
  });

  it('float32 sums accumulate like tfjs-cpu', () => {
    expectParity(() => tf.sum(rand([1000, 300], 'float32', { min: -1, max: 1, seed: 9 }), 1), { onOrt: ['Sum'], rtol: 0, atol: 0 });
    expectParity(() => tf.mean(rand([300, 1000], 'float32', { min: -1, max: 1, seed: 9 }), 0), { onOrt: ['Mean'], rtol: 0, atol: 0 });
  });

  it('gradients', () => {
    const x = (): tf.Tensor => rand([2, 3, 4], 'float32', { min: 0.5, max: 2, seed: 5 });
    const cases: Array<[string, (t: tf.Tensor) => tf.Tensor]> = [
      ['Sum', (t) => tf.sum(t, [0, 2])],
      ['Mean', (t) => tf.mean(t, -1, true)],
      ['Max', (t) => tf.max(t, 1)],
      ['Min', (t) => tf.min(t)],
      ['Prod', (t) => tf.prod(t, 1)],
      ['Cumprod', (t) => tf.prod(t, 2)],
      ['Prod', (t) => tf.prod(t, [0, 2])],
    ];
    for (const [kernel, f] of cases) {
      expectParity(() => tf.grad(f)(x()), { onOrt: [kernel] });
    }
    // Ties in max: every maximal element receives the gradient.
    expectParity(() => tf.grad((t: tf.Tensor) => tf.max(t, 1))(tf.tensor2d([1, 3, 3, 2, 2, 0], [2, 3])), { onOrt: ['Max'] });
  });
});
