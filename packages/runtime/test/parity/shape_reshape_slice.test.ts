import { expectParity, rand, tf } from './harness';

const DTYPES = ['float32', 'int32', 'bool'] as const;
const SHAPES = [[], [0], [5], [3, 4], [2, 0, 3], [2, 3, 4], [2, 1, 3, 2], [1, 2, 1, 3, 2], [2, 1, 2, 1, 2, 2]];

describe('shape: reshape, expandDims', () => {
  for (const dtype of DTYPES) {
    for (const shape of SHAPES) {
      it(`Reshape/ExpandDims ${dtype} ${JSON.stringify(shape)}`, () => {
        const size = shape.reduce((a, b) => a * b, 1);
        expectParity(() => {
          const x = rand(shape, dtype, { seed: 3 });
          const outs = [tf.reshape(x, [size]), tf.reshape(x, [-1]), tf.expandDims(x, 0), tf.expandDims(x, -1)];
          if (size > 0) outs.push(tf.reshape(x, [1, -1, 1]));
          else outs.push(tf.reshape(x, [0, 4]));
          return outs;
        }, { onOrt: ['Reshape', 'ExpandDims'] });
      });
    }
  }
  it('Reshape rejects a size mismatch', () => {
    tf.setBackend('terra');
    expect(() => tf.reshape(tf.ones([2, 3]), [4])).toThrow();
  });
});

describe('shape: slice', () => {
  for (const dtype of DTYPES) {
    it(`Slice ${dtype} ranks 1..6`, () => {
      expectParity(() => [
        tf.slice(rand([7], dtype), [2], [3]),
        tf.slice(rand([7], dtype), 3),
        tf.slice(rand([7], dtype), [0], [0]),
        tf.slice(rand([4, 5], dtype), [1, 2], [-1, 2]),
        tf.slice(rand([4, 5], dtype), [1], [2]),
        tf.slice(rand([3, 4, 5], dtype), [1, 0, 2], [2, -1, 3]),
        tf.slice(rand([2, 3, 4, 5], dtype), [1, 1, 1, 1], [1, 2, 3, 4]),
        tf.slice(rand([2, 3, 2, 3, 2], dtype), [0, 1, 0, 1, 0], [2, 2, 1, 2, 2]),
        tf.slice(rand([2, 3, 2, 3, 2, 2], dtype), [1, 1, 1, 1, 1, 1], [-1, -1, -1, -1, -1, -1]),
        tf.slice(rand([0, 3], dtype), [0, 1], [0, 2]),
      ], { onOrt: ['Slice'] });
    });
  }
  it('Slice overrunning the input throws', () => {
    tf.setBackend('terra');
    expect(() => tf.slice(tf.ones([4, 4]), [2, 0], [3, 4])).toThrow();
  });
  it('Slice gradient', () => {
    expectParity(() => tf.grad((x: tf.Tensor) => tf.sum(tf.square(tf.slice(x, [1, 0], [2, 2]))))(rand([4, 3])),
      { onOrt: ['Slice', 'PadV2'] });
  });
});

describe('shape: stridedSlice', () => {
  const cases: Array<[number[], number[], number[], number[], number[]]> = [
    // shape, begin, end, strides, [beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask]
    [[10], [1], [8], [2], [0, 0, 0, 0, 0]],
    [[10], [8], [1], [-2], [0, 0, 0, 0, 0]],
    [[10], [0], [0], [-1], [1, 1, 0, 0, 0]],
    [[10], [-1], [-11], [-1], [0, 0, 0, 0, 0]],
    [[4, 6], [1, -1], [3, 0], [1, -2], [0, 0, 0, 0, 0]],
    [[4, 6], [1, 2], [3, 5], [1, 1], [0, 0, 0, 0, 1]],
    [[4, 6], [0, 2], [0, 5], [1, 1], [0, 0, 0, 1, 0]],
    [[2, 3, 4], [0, 1], [0, 3], [1, 2], [0, 0, 1, 0, 0]],
    [[2, 3, 4, 5], [1, 0, 0, 4], [2, 3, 4, 0], [1, 1, 2, -1], [2, 2, 0, 0, 0]],
    [[2, 3, 2, 3, 2], [0, 0, 0, 0, 0], [2, 3, 2, 3, 2], [1, 2, 1, 2, 1], [0, 0, 0, 0, 0]],
    [[2, 2, 2, 2, 2, 2], [0, 1, 0, 1, 0, 1], [2, 2, 2, 2, 2, 2], [2, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0]],
    [[3, 4], [0, 0], [3, 4], [1, 1], [0, 0, 0, 0, 0]],
    [[0, 4], [0, 1], [0, 3], [1, 1], [0, 0, 0, 0, 0]],
  ];
  it('StridedSlice with a reversed simple range throws like cpu', () => {
    tf.setBackend('terra');
    expect(() => tf.stridedSlice(tf.ones([10]), [5], [2], [1])).toThrow();
  });
  for (const dtype of DTYPES) {
    for (const [shape, b, e, s, m] of cases) {
      it(`StridedSlice ${dtype} ${JSON.stringify([shape, b, e, s, m])}`, () => {
        expectParity(() => tf.stridedSlice(rand(shape, dtype), b, e, s, ...m), { onOrt: ['StridedSlice'] });
      });
    }
  }
});

describe('shape: transpose, reverse, tile, pad', () => {
  for (const dtype of DTYPES) {
    it(`Transpose ${dtype}`, () => {
      expectParity(() => [
        tf.transpose(rand([3, 4], dtype)),
        tf.transpose(rand([2, 3, 4], dtype), [2, 0, 1]),
        tf.transpose(rand([2, 0, 4], dtype), [1, 2, 0]),
        tf.transpose(rand([2, 1, 3, 2, 2, 1], dtype), [5, 3, 1, 0, 2, 4]),
      ], { onOrt: ['Transpose'] });
    });
    it(`Reverse ${dtype}`, () => {
      expectParity(() => [
        tf.reverse(rand([], dtype)),
        tf.reverse(rand([5], dtype)),
        tf.reverse(rand([0], dtype)),
        tf.reverse(rand([3, 4], dtype), -1),
        tf.reverse(rand([2, 3, 4], dtype), [0, 2]),
        tf.reverse(rand([2, 1, 3, 2, 2, 3], dtype), [1, -1, 3]),
      ], { onOrt: ['Reverse'] });
    });
    it(`Reverse ${dtype} with no axis (every axis), on ORT`, () => {
      expectParity(() => [tf.reverse(rand([5], dtype)), tf.reverse(rand([3, 4], dtype)), tf.reverse(rand([2, 3, 2], dtype))],
        { onlyOrt: ['Reverse'] });
    });
    it(`FlipLeftRight ${dtype}`, () => {
      if (dtype !== 'float32') return;
      expectParity(() => tf.image.flipLeftRight(rand([2, 3, 4, 3], dtype) as tf.Tensor4D),
        { onOrt: ['FlipLeftRight'] });
    });
    it(`Tile ${dtype}`, () => {
      expectParity(() => [
        tf.tile(rand([3], dtype), [2]),
        tf.tile(rand([2, 3], dtype), [1, 3]),
        tf.tile(rand([2, 0], dtype), [2, 2]),
        tf.tile(rand([2, 3], dtype), [0, 2]),
        tf.tile(rand([1, 2, 1, 2, 1, 2], dtype), [2, 1, 3, 1, 2, 1]),
      ], { onOrt: ['Tile'] });
    });
    it(`PadV2 ${dtype}`, () => {
      const c = dtype === 'bool' ? 1 : dtype === 'int32' ? -7 : 2.5;
      expectParity(() => [
        tf.pad(rand([3], dtype), [[1, 2]]),
        tf.pad(rand([2, 3], dtype), [[0, 1], [2, 0]], c),
        tf.pad(rand([0, 2], dtype), [[1, 1], [0, 0]], c),
        tf.pad(rand([1, 2, 1, 2, 1, 2], dtype), [[1, 0], [0, 1], [1, 1], [0, 0], [2, 0], [0, 2]], c),
      ], { onOrt: ['PadV2'] });
    });
    it(`MirrorPad ${dtype}`, () => {
      expectParity(() => [
        tf.mirrorPad(rand([4], dtype), [[2, 3]], 'reflect'),
        tf.mirrorPad(rand([4], dtype), [[4, 3]], 'symmetric'),
        tf.mirrorPad(rand([3, 4], dtype), [[1, 2], [3, 1]], 'reflect'),
        tf.mirrorPad(rand([3, 4], dtype), [[3, 0], [2, 4]], 'symmetric'),
        tf.mirrorPad(rand([2, 3, 2, 3], dtype), [[1, 1], [0, 2], [1, 0], [2, 2]], 'symmetric'),
        tf.mirrorPad(rand([2, 3, 2, 3], dtype), [[1, 1], [0, 2], [1, 0], [2, 2]], 'reflect'),
      ], { onOrt: ['MirrorPad'] });
    });
  }
  it('PadV2 int32 truncates a fractional constant', () => {
    expectParity(() => tf.pad(rand([2, 2], 'int32'), [[1, 1], [1, 1]], -2.7), { onOrt: ['PadV2'] });
  });
  it('gradients of transpose, reverse, tile, pad, mirrorPad', () => {
    expectParity(() => tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.addN([tf.sum(tf.mul(tf.transpose(a, [1, 0, 2]), tf.reverse(b, [0, 2]))),
        tf.sum(tf.square(tf.tile(a, [2, 1, 3]))), tf.sum(tf.pad(b, [[1, 1], [0, 2], [1, 0]]))]))([rand([2, 3, 4], 'float32', { seed: 1 }),
      rand([3, 2, 4], 'float32', { seed: 2 })]), { onOrt: ['Transpose', 'Reverse', 'Tile', 'Slice'] });
    expectParity(() => tf.grad((x: tf.Tensor) => tf.sum(tf.square(tf.mirrorPad(x, [[1, 2], [2, 1]], 'reflect'))))(
      rand([4, 4])));
  });
});
