import { expectParity, prng, rand, tf } from './harness';

const DTYPES = ['float32', 'int32', 'bool'] as const;
const idx = (values: number[], shape: number[]) => tf.tensor(values, shape, 'int32');

describe('shape: gather', () => {
  for (const dtype of DTYPES) {
    it(`GatherV2 ${dtype}`, () => {
      expectParity(() => [
        tf.gather(rand([5], dtype), idx([4, 0, 2, 2], [4])),
        tf.gather(rand([5], dtype), idx([3], [])),
        tf.gather(rand([3, 4], dtype), idx([1, 0, 3, 3, 2, 1], [2, 3]), 1),
        tf.gather(rand([3, 4], dtype), idx([], [0]), -1),
        tf.gather(rand([2, 3, 4], dtype), idx([2, 0, 1, 1], [2, 2]), 2, 1),
        tf.gather(rand([2, 3, 4, 2], dtype), idx([2, 0, 1, 1, 0, 0], [2, 3]), 2, 1),
        tf.gather(rand([2, 3, 4], dtype), idx([1, 0, 3, 3, 2, 1, 0, 0, 1, 2, 3, 0], [2, 3, 2]), 2, 2),
        tf.gather(rand([2, 1, 2, 1, 2, 3], dtype), idx([2, 0], [2]), 5),
      ], { onOrt: ['GatherV2'] });
    });
    it(`GatherNd ${dtype}`, () => {
      expectParity(() => [
        tf.gatherND(rand([3, 4], dtype), idx([2, 1, 0, 3], [2, 2])),
        tf.gatherND(rand([3, 4], dtype), idx([2, 0], [2, 1])),
        tf.gatherND(rand([3, 4, 2], dtype), idx([2, 0, 1, 1], [2, 2, 1])),
        tf.gatherND(rand([3, 4], dtype), idx([], [0, 2])),
        tf.gatherND(rand([3, 4], dtype), idx([], [2, 0])),
        // A negative component is fine while the flat offset stays in range, as on cpu.
        tf.gatherND(rand([3, 4], dtype), idx([1, -1], [1, 2])),
        tf.gatherND(rand([2, 1, 2, 1, 2, 2], dtype), idx([1, 0, 1, 0, 1, 1], [1, 6])),
      ], { onOrt: ['GatherNd'] });
    });
  }
  it('gather rejects out-of-range and negative indices', () => {
    tf.setBackend('terra');
    expect(() => tf.gather(tf.ones([3]), idx([3], [1]))).toThrow();
    expect(() => tf.gather(tf.ones([3]), idx([-1], [1]))).toThrow();
    expect(() => tf.gather(tf.ones([3, 2]), idx([1, -1], [2]), 1)).toThrow();
    expect(() => tf.gatherND(tf.ones([3, 2]), idx([0, -1], [1, 2]))).toThrow();
    expect(() => tf.gatherND(tf.ones([3, 2]), idx([3, 0], [1, 2]))).toThrow();
  });
  it('gather gradient (UnsortedSegmentSum)', () => {
    expectParity(() => tf.grad((x: tf.Tensor) => tf.sum(tf.square(tf.gather(x, idx([2, 0, 2, 1], [4]), 1))))(
      rand([3, 4, 2])), { onOrt: ['GatherV2', 'UnsortedSegmentSum'] });
  });
});

describe('shape: scatter', () => {
  for (const dtype of ['float32', 'int32'] as const) {
    it(`ScatterNd ${dtype}`, () => {
      expectParity(() => [
        tf.scatterND(idx([4, 3, 1, 7, 1], [5, 1]), rand([5], dtype), [8]),
        tf.scatterND(idx([0, 2, 1], [3]), rand([3, 2], dtype), [3, 2]),
        tf.scatterND(idx([0, 1, 2, 0, 0, 1], [3, 2]), rand([3, 4], dtype), [3, 2, 4]),
        tf.scatterND(idx([1, -1], [1, 2]), rand([1], dtype), [3, 3]),
        tf.scatterND(idx([], [0, 1]), rand([0], dtype), [3]),
        tf.scatterND(idx([1, 0, 1, 0, 1], [1, 5]), rand([1, 2], dtype), [2, 1, 2, 1, 2, 2]),
      ], { onOrt: ['ScatterNd'] });
    });
  }
  for (const dtype of DTYPES) {
    it(`TensorScatterUpdate ${dtype}`, () => {
      expectParity(() => [
        tf.tensorScatterUpdate(rand([8], dtype, { seed: 2 }), idx([4, 3, 1, 7], [4, 1]), rand([4], dtype)),
        tf.tensorScatterUpdate(rand([3, 4], dtype, { seed: 2 }), idx([2, 0], [2, 1]), rand([2, 4], dtype)),
        tf.tensorScatterUpdate(rand([3, 4], dtype, { seed: 2 }), idx([], [0, 1]), rand([0, 4], dtype)),
        // Duplicates: the last update wins, as on cpu.
        tf.tensorScatterUpdate(rand([5], dtype, { seed: 2 }), idx([1, 1, 3, 1], [4, 1]), rand([4], dtype, { seed: 9 })),
        tf.tensorScatterUpdate(rand([3, 4], dtype, { seed: 2 }), idx([2, 0, 1, 3], [2, 2]), rand([2], dtype)),
      ], { onOrt: ['TensorScatterUpdate'] });
    });
    it(`SparseToDense ${dtype}`, () => {
      const dv = dtype === 'bool' ? 1 : 7;
      expectParity(() => [
        tf.sparseToDense(idx([4, 1, 6], [3]), rand([3], dtype), [8], tf.scalar(dv, dtype)),
        tf.sparseToDense(idx([0, 1, 2, 3], [2, 2]), rand([2], dtype), [3, 4], tf.scalar(dv, dtype)),
        tf.sparseToDense(idx([0, 1, 2, 3], [2, 2]), rand([], dtype), [3, 4]),
        tf.sparseToDense(idx([2], []), rand([], dtype), [4], tf.scalar(dv, dtype)),
        tf.sparseToDense(idx([], [0]), rand([0], dtype), [3], tf.scalar(dv, dtype)),
      ], { onOrt: ['SparseToDense'] });
    });
  }
  it('scatter rejects out-of-range offsets', () => {
    tf.setBackend('terra');
    expect(() => tf.scatterND(idx([5], [1, 1]), tf.ones([1]), [4])).toThrow();
    expect(() => tf.scatterND(idx([0, -1], [1, 2]), tf.ones([1]), [2, 2])).toThrow();
  });
});

describe('shape: unsortedSegmentSum, oneHot', () => {
  for (const dtype of ['float32', 'int32', 'bool'] as const) {
    it(`UnsortedSegmentSum ${dtype}`, () => {
      expectParity(() => [
        tf.unsortedSegmentSum(rand([5], dtype), idx([0, 2, 0, -1, 7], [5]), 3),
        tf.unsortedSegmentSum(rand([4, 3], dtype), idx([1, 1, 0, 1], [4]), 2),
        tf.unsortedSegmentSum(rand([0, 3], dtype), idx([], [0]), 2),
        tf.unsortedSegmentSum(rand([4, 0], dtype), idx([0, 1, 0, 1], [4]), 2),
        tf.unsortedSegmentSum(rand([3, 1, 2, 1, 2, 2], dtype), idx([1, 0, 1], [3]), 3),
      ], { onOrt: ['UnsortedSegmentSum'] });
    });
  }
  it('UnsortedSegmentSum NaN and Infinity poison every segment of their column, as on cpu', () => {
    expectParity(() => [
      tf.unsortedSegmentSum(tf.tensor2d([[1, NaN], [2, 3]]), idx([0, 1], [2]), 3),
      tf.unsortedSegmentSum(tf.tensor2d([[Infinity, 1], [2, -Infinity]]), idx([1, 1], [2]), 2),
    ], { onOrt: ['UnsortedSegmentSum'] });
  });
  it('UnsortedSegmentSum as an embedding gradient: a vocabulary of segments, repeated ids', () => {
    const next = prng(5);
    const ids = Array.from({ length: 96 }, () => Math.floor(next() * 40));
    expectParity(() => [
      tf.unsortedSegmentSum(rand([96, 16]), idx(ids, [96]), 40),
      tf.grad((table: tf.Tensor) => tf.sum(tf.square(tf.gather(table, idx(ids, [8, 12])))))(rand([40, 16])),
    ], { onOrt: ['UnsortedSegmentSum'] });
  });
  for (const [dtype, on, off] of [['int32', 5, -2], ['float32', 0.5, -1.25], ['bool', 1, 0]] as const) {
    it(`OneHot ${dtype}`, () => {
      expectParity(() => [
        tf.oneHot(idx([0, 3, -1, 4, 2], [5]), 4, on, off, dtype),
        tf.oneHot(idx([1], []), 3, on, off, dtype),
        tf.oneHot(idx([], [0]), 3, on, off, dtype),
        tf.oneHot(idx([1, 0, 2, 1, 1, 0, 2, 0], [2, 1, 2, 1, 2]), 3, on, off, dtype),
      ], { onOrt: ['OneHot'] });
    });
  }
});
