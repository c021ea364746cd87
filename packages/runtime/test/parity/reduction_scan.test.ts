import { expectParity, rand, tf } from './harness';

const SHAPES: number[][] = [[5], [3, 4], [2, 3, 4], [2, 1, 3, 2], [2, 2, 1, 3, 2], [1, 2, 2, 1, 2, 3], [9], [2, 17]];
type Scan = (x: tf.Tensor, axis: number, exclusive: boolean, reverse: boolean) => tf.Tensor;

describe('cumulative scans', () => {
  const scans: Array<[string, Scan]> = [
    ['Cumsum', (x, a, e, r) => tf.cumsum(x, a, e, r)],
    ['Cumprod', (x, a, e, r) => tf.cumprod(x, a, e, r)],
  ];
  for (const [kernel, op] of scans) {
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      for (const shape of SHAPES) {
        it(`${kernel} ${dtype} ${JSON.stringify(shape)}`, () => {
          const range = dtype === 'float32' ? { min: -1.5, max: 1.5 } : { min: -3, max: 4 };
          for (let axis = 0; axis < shape.length; axis++) {
            for (const exclusive of [false, true]) {
              for (const reverse of [false, true]) {
                expectParity(() => op(rand(shape, dtype, { ...range, seed: 13 }), axis, exclusive, reverse), { onOrt: [kernel] });
              }
            }
          }
        });
      }
    }

    it(`${kernel} empty`, () => {
      for (const [shape, axis] of [[[0], 0], [[3, 0], 1], [[3, 0], 0], [[0, 3], 1], [[2, 0, 3], 2]] as Array<[number[], number]>) {
        for (const exclusive of [false, true]) {
          expectParity(() => op(rand(shape), axis, exclusive, !exclusive), { onOrt: [kernel] });
        }
      }
    });

    it(`${kernel} int32 wraps around`, () => {
      const v = [2147483647, 2, 3, -2147483648, 65536, 65536, 7, -1];
      for (const reverse of [false, true]) {
        expectParity(() => op(tf.tensor1d(v, 'int32'), 0, false, reverse), { onOrt: [kernel] });
        expectParity(() => op(tf.tensor2d(v, [2, 4], 'int32'), 1, true, reverse), { onOrt: [kernel] });
      }
    });

    it(`${kernel} NaN, infinities, zeros`, () => {
      const v = [1, NaN, 2, Infinity, 0, -Infinity, 3, -0, 2, 0.5, Infinity, 0];
      expectParity(() => op(tf.tensor1d(v), 0, false, false), { onOrt: [kernel] });
      expectParity(() => op(tf.tensor2d(v, [3, 4]), 1, false, true), { onOrt: [kernel] });
      expectParity(() => op(tf.tensor2d(v, [3, 4]), 0, true, false), { onOrt: [kernel] });
    });
  }

  // tfjs's Cumsum gradient transposes its result for non-last axes, so only the last axis is differentiable.
  it('Cumsum gradients', () => {
    for (const [axis, exclusive, reverse] of [[1, false, false], [1, true, false], [1, false, true], [1, true, true]] as Array<[number, boolean, boolean]>) {
      expectParity(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.cumsum(t, axis, exclusive, reverse), rand([3, 4], 'float32', { seed: 3 }))))(
        rand([3, 4], 'float32', { seed: 4 })), { onOrt: ['Cumsum'] });
    }
  });

  it('long Cumprod scans agree to rounding', () => {
    expectParity(() => tf.cumprod(rand([3, 300], 'float32', { min: 0.9, max: 1.1, seed: 21 }), 1), { onOrt: ['Cumprod'], rtol: 1e-5 });
    expectParity(() => tf.cumprod(rand([300, 2], 'float32', { min: 0.9, max: 1.1, seed: 21 }), 0, true, true), { onOrt: ['Cumprod'], rtol: 1e-5 });
    expectParity(() => tf.cumsum(rand([3, 3000], 'float32', { seed: 21 }), 1), { onOrt: ['Cumsum'], rtol: 0, atol: 0 });
  });
});
