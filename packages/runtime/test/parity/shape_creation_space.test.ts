import { expectParity, rand, tf } from './harness';

const DTYPES = ['float32', 'int32', 'bool'] as const;

describe('shape: creation kernels', () => {
  it('Range', () => {
    expectParity(() => [
      tf.range(0, 10),
      tf.range(3, 3),
      tf.range(5, 0),
      tf.range(5, 0.5),
      tf.range(0, 1, 0.1),
      tf.range(-2.5, 7.25, 0.75),
      tf.range(10, -3, -2.5),
      tf.range(5, 0, 0.5),
      tf.range(0, 12, 3, 'int32'),
      tf.range(10, -7, -3, 'int32'),
      tf.range(0, 1000, 1.7),
    ], { onOrt: ['Range'] });
  });
  it('Fill', () => {
    expectParity(() => [
      tf.fill([2, 3], 1.5),
      tf.fill([], -3),
      tf.fill([0, 2], 4),
      tf.fill([2, 1, 2, 1, 2, 1], 7, 'int32'),
      tf.fill([3], -2.7, 'int32'),
      tf.fill([2, 2], 1, 'bool'),
      tf.fill([2, 2], 0, 'bool'),
    ], { onOrt: ['Fill'] });
  });
  it('LinSpace', () => {
    expectParity(() => [
      tf.linspace(0, 1, 11),
      tf.linspace(-3, 7.5, 4),
      tf.linspace(2, 2, 5),
      tf.linspace(5, -5, 1),
      tf.linspace(1, 1000, 777),
    ], { onOrt: ['LinSpace'] });
  });
  for (const dtype of DTYPES) {
    it(`Diag ${dtype}`, () => {
      expectParity(() => [
        tf.diag(rand([4], dtype)),
        tf.diag(rand([2, 3], dtype)),
        tf.diag(rand([1, 2, 2], dtype)),
        tf.diag(rand([0], dtype)),
      ], { onOrt: ['Diag'] });
    });
  }
  it('BroadcastArgs', () => {
    const s = (v: number[]) => tf.tensor1d(v, 'int32');
    expectParity(() => [
      tf.broadcastArgs(s([2, 1, 3]), s([4, 1])),
      tf.broadcastArgs(s([5]), s([])),
      tf.broadcastArgs(s([1, 0]), s([3, 1])),
      tf.broadcastArgs(s([2, 1, 3, 1, 2, 1]), s([1, 4, 1, 5, 1, 6])),
      tf.broadcastArgs(s([1, 6, -1]), s([3, 1, 1, 1])),
      tf.broadcastArgs(s([]), s([])),
    ], { onOrt: ['BroadcastArgs'] });
    tf.setBackend('terra');
    expect(() => tf.broadcastArgs(s([2, 3]), s([4, 3]))).toThrow();
  });
});

describe('shape: space and depth rearrangements', () => {
  for (const dtype of DTYPES) {
    it(`DepthToSpace ${dtype}`, () => {
      if (dtype !== 'float32') return; // the op takes float32 only
      expectParity(() => [
        tf.depthToSpace(rand([1, 2, 3, 8], dtype) as tf.Tensor4D, 2),
        tf.depthToSpace(rand([2, 1, 2, 9], dtype) as tf.Tensor4D, 3),
        tf.depthToSpace(rand([0, 1, 2, 4], dtype) as tf.Tensor4D, 2),
      ], { onOrt: ['DepthToSpace'] });
    });
    it(`SpaceToBatchND ${dtype}`, () => {
      expectParity(() => [
        tf.spaceToBatchND(rand([1, 4, 4, 1], dtype), [2, 2], [[0, 0], [0, 0]]),
        tf.spaceToBatchND(rand([2, 2, 3, 2], dtype), [2, 2], [[1, 1], [2, 3]]),
        tf.spaceToBatchND(rand([2, 6], dtype), [3], [[0, 0]]),
        tf.spaceToBatchND(rand([1, 2, 2, 1, 2, 2], dtype), [2, 1, 2], [[0, 0], [1, 0], [1, 0]]),
      ], { onOrt: ['SpaceToBatchND'] });
    });
    it(`BatchToSpaceND ${dtype}`, () => {
      expectParity(() => [
        tf.batchToSpaceND(rand([4, 1, 1, 1], dtype), [2, 2], [[0, 0], [0, 0]]),
        tf.batchToSpaceND(rand([8, 2, 3, 2], dtype), [2, 2], [[1, 1], [2, 3]]),
        tf.batchToSpaceND(rand([6, 2], dtype), [3], [[1, 2]]),
        tf.batchToSpaceND(rand([4, 2, 2, 1, 2, 2], dtype), [2, 1, 2], [[0, 1], [0, 0], [1, 0]]),
      ], { onOrt: ['BatchToSpaceND'] });
    });
  }
});
