import { expectParity, rand, tf } from './harness';

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

// [x shape NHWC, filter [fh, fw, cin, cout], strides, pad, dilations, rounding]
const CASES: Array<[number[], number[], number | [number, number], Pad, number | [number, number], Rounding]> = [
  [[1, 5, 5, 1], [3, 3, 1, 1], 1, 'valid', 1, undefined],
  [[2, 7, 6, 3], [3, 3, 3, 4], 1, 'same', 1, undefined],
  [[2, 7, 6, 3], [3, 2, 3, 4], 2, 'same', 1, undefined],
  [[1, 8, 9, 2], [2, 2, 2, 3], 2, 'same', 1, undefined],
  [[1, 9, 10, 2], [3, 3, 2, 2], 3, 'same', 1, undefined],
  [[1, 5, 5, 2], [1, 1, 2, 2], 3, 'same', 1, undefined],
  [[1, 9, 10, 2], [3, 3, 2, 2], [3, 2], 'valid', 1, undefined],
  [[1, 9, 8, 2], [3, 2, 2, 3], 1, 'same', 2, undefined],
  [[1, 9, 8, 2], [3, 3, 2, 3], 1, 'valid', [2, 3], undefined],
  [[1, 6, 7, 2], [3, 3, 2, 2], 2, 1, 1, undefined],
  [[1, 6, 7, 2], [3, 3, 2, 2], 2, 2, 1, 'ceil'],
  [[1, 6, 7, 2], [3, 3, 2, 2], 2, 1, 1, 'round'],
  [[1, 6, 7, 2], [2, 4, 2, 2], 1, 1, 1, undefined],
  [[1, 6, 7, 2], [4, 2, 2, 2], 2, 1, 1, undefined],
  [[2, 6, 7, 2], [3, 3, 2, 2], 2, [[0, 0], [1, 2], [0, 3], [0, 0]], 1, undefined],
  [[2, 6, 7, 2], [3, 3, 2, 2], 3, [[0, 0], [2, 0], [1, 1], [0, 0]], 1, 'ceil'],
  [[1, 2, 2, 1], [3, 3, 1, 1], 1, 'same', 1, undefined],
  [[0, 5, 5, 2], [3, 3, 2, 2], 1, 'same', 1, undefined],
  [[1, 5, 5, 0], [3, 3, 0, 2], 1, 'same', 1, undefined],
];

const explicitNCHW = (p: Pad): Pad =>
  (Array.isArray(p) ? [p[0], p[3], p[1], p[2]] : p);

describe('Conv2D', () => {
  for (const [xs, fs, strides, pad, dil, rounding] of CASES) {
    const name = `${JSON.stringify(xs)} ${JSON.stringify(fs)} s=${JSON.stringify(strides)} pad=${JSON.stringify(pad)} d=${JSON.stringify(dil)} ${rounding}`;
    it(name, () => {
      expectParity(() => tf.conv2d(rand(xs, 'float32', { seed: 1 }) as tf.Tensor4D, rand(fs, 'float32', { seed: 2 }) as tf.Tensor4D,
        strides, pad, 'NHWC', dil, rounding), { onOrt: ['Conv2D'] });
    });
    if (!(typeof dil === 'number' && dil === 1) || rounding) continue;
    it(`grads ${name}`, () => {
      expectParity(() => tf.grads((x: tf.Tensor4D, f: tf.Tensor4D) => tf.conv2d(x, f, strides, pad))(
        [rand(xs, 'float32', { seed: 1 }), rand(fs, 'float32', { seed: 2 })]),
      { onOrt: xs.includes(0) ? [] : ['Conv2DBackpropInput', 'Conv2DBackpropFilter'] });
    });
    it(`NCHW ${name}`, () => {
      const [n, h, w, c] = xs;
      expectParity(() => tf.grads((x: tf.Tensor4D, f: tf.Tensor4D) =>
        tf.conv2d(x, f, strides, explicitNCHW(pad) as Pad, 'NCHW'))(
        [rand([n, c, h, w], 'float32', { seed: 1 }), rand(fs, 'float32', { seed: 2 })]).concat(
        [tf.conv2d(rand([n, c, h, w], 'float32', { seed: 1 }) as tf.Tensor4D, rand(fs, 'float32', { seed: 2 }) as tf.Tensor4D,
          strides, explicitNCHW(pad) as Pad, 'NCHW')]));
    });
  }
  it('conv2dTranspose', () => {
    expectParity(() => tf.conv2dTranspose(rand([2, 4, 5, 3], 'float32', { seed: 1 }) as tf.Tensor4D,
      rand([3, 3, 2, 3], 'float32', { seed: 2 }) as tf.Tensor4D, [2, 8, 10, 2], 2, 'same'), { onOrt: ['Conv2DBackpropInput'] });
    expectParity(() => tf.conv2dTranspose(rand([1, 3, 3, 1], 'float32', { seed: 1 }) as tf.Tensor4D,
      rand([2, 2, 2, 1], 'float32', { seed: 2 }) as tf.Tensor4D, [1, 8, 9, 2], 3, 'valid'), { onOrt: ['Conv2DBackpropInput'] });
  });
});

describe('DepthwiseConv2dNative', () => {
  const dcases: Array<[number[], number[], number, Pad, number]> = [
    [[1, 5, 5, 2], [3, 3, 2, 1], 1, 'valid', 1],
    [[2, 7, 6, 3], [3, 3, 3, 2], 2, 'same', 1],
    [[1, 9, 10, 2], [3, 2, 2, 3], 3, 'same', 1],
    [[1, 9, 8, 2], [3, 3, 2, 2], 1, 'same', 2],
    [[1, 6, 7, 2], [3, 3, 2, 2], 2, 1, 1],
    [[2, 6, 7, 2], [3, 3, 2, 1], 2, [[0, 0], [1, 2], [0, 3], [0, 0]], 1],
  ];
  for (const [xs, fs, strides, pad, dil] of dcases) {
    const name = `${JSON.stringify(xs)} ${JSON.stringify(fs)} s=${strides} pad=${JSON.stringify(pad)} d=${dil}`;
    it(name, () => {
      expectParity(() => tf.depthwiseConv2d(rand(xs, 'float32', { seed: 1 }) as tf.Tensor4D,
        rand(fs, 'float32', { seed: 2 }) as tf.Tensor4D, strides, pad, 'NHWC', dil), { onOrt: ['DepthwiseConv2dNative'] });
    });
    if (dil !== 1) continue;
    it(`grads ${name}`, () => {
      expectParity(() => tf.grads((x: tf.Tensor4D, f: tf.Tensor4D) => tf.depthwiseConv2d(x, f, strides, pad))(
        [rand(xs, 'float32', { seed: 1 }), rand(fs, 'float32', { seed: 2 })]),
      { onOrt: ['DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'] });
    });
  }
});

describe('fused convs', () => {
  const acts = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const;
  for (const activation of acts) {
    it(`FusedConv2D ${activation}`, () => {
      expectParity(() => tf.fused.conv2d({
        x: rand([2, 6, 5, 3], 'float32', { seed: 1, min: -2, max: 2 }) as tf.Tensor4D,
        filter: rand([3, 3, 3, 4], 'float32', { seed: 2 }) as tf.Tensor4D,
        strides: 2, pad: 'same', bias: rand([4], 'float32', { seed: 3 }), activation,
        preluActivationWeights: activation === 'prelu' ? rand([4], 'float32', { seed: 4 }) : undefined,
        leakyreluAlpha: 0.3,
      }), { onOrt: ['FusedConv2D'] });
    });
    it(`FusedDepthwiseConv2D ${activation}`, () => {
      expectParity(() => tf.fused.depthwiseConv2d({
        x: rand([2, 6, 5, 3], 'float32', { seed: 1, min: -2, max: 2 }) as tf.Tensor4D,
        filter: rand([3, 3, 3, 2], 'float32', { seed: 2 }) as tf.Tensor4D,
        strides: 1, pad: 'valid', bias: rand([6], 'float32', { seed: 3 }), activation,
        preluActivationWeights: activation === 'prelu' ? rand([6], 'float32', { seed: 4 }) : undefined,
        leakyreluAlpha: 0.3,
      }), { onOrt: ['FusedDepthwiseConv2D'] });
    });
  }
  it('FusedConv2D NCHW with channel bias and prelu', () => {
    expectParity(() => tf.fused.conv2d({
      x: rand([2, 3, 6, 5], 'float32', { seed: 1 }) as tf.Tensor4D,
      filter: rand([3, 3, 3, 4], 'float32', { seed: 2 }) as tf.Tensor4D,
      strides: 1, pad: 'same', dataFormat: 'NCHW', bias: rand([4], 'float32', { seed: 3 }), activation: 'prelu',
      preluActivationWeights: rand([4], 'float32', { seed: 4 }),
    }), { onOrt: ['FusedConv2D'] });
  });
  it('FusedConv2D gradients (linear)', () => {
    expectParity(() => tf.grads((x: tf.Tensor4D, f: tf.Tensor4D, b: tf.Tensor) =>
      tf.fused.conv2d({ x, filter: f, strides: 2, pad: 'same', bias: b }))(
      [rand([2, 6, 5, 3], 'float32', { seed: 1 }), rand([3, 3, 3, 4], 'float32', { seed: 2 }), rand([4], 'float32', { seed: 3 })]),
    { onOrt: ['FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'] });
  });
});
