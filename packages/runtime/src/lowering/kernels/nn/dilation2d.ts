import { backend_util } from '@tensorflow/tfjs-core';
import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import { cast } from '../../helpers';
import { KernelCall, KernelLowering, Unsupported } from '../../types';
import { assertOutShape, like, shapeOfInput, sizeOf, zeros } from './geometry';

type Shape4 = [number, number, number, number];

const F64 = (rank: number) => ({ dtype: 'float64', rank } as const);
const I64 = (rank: number) => ({ dtype: 'int64', rank } as const);

/** Every tap is its own strided Slice; past this the graph would grow too large. */
const MAX_TAPS = 100;

interface DilationAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dilations: number | [number, number];
}

function dilationInfo(call: KernelCall): backend_util.Conv2DInfo {
  const { strides, pad, dilations } = call.attrs as unknown as DilationAttrs;
  const info = backend_util.computeDilation2DInfo(shapeOfInput(call, 0) as Shape4,
    shapeOfInput(call, 1) as [number, number, number], strides, pad, 'NHWC', dilations);
  assertOutShape(info);
  if (info.padInfo.top < 0 || info.padInfo.left < 0) throw new Unsupported('negative padding');
  const taps = info.filterHeight * info.filterWidth;
  if (taps > MAX_TAPS || taps === 0) throw new Unsupported('filter size');
  return info;
}

/** x + filter[i, j] at every output position, per filter tap in row-major order, in float64. */
function tapSums(g: GraphBuilder, x: Sym, filter: Sym, info: backend_util.Conv2DInfo): Sym[] {
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { filterHeight: fh, filterWidth: fw } = info;
  const bottom = Math.max(0, (oh - 1) * sh + (fh - 1) * dh + 1 - info.padInfo.top - info.inHeight);
  const right = Math.max(0, (ow - 1) * sw + (fw - 1) * dw + 1 - info.padInfo.left - info.inWidth);
  let xw = cast(g, x, 'float64');
  if (info.padInfo.top || info.padInfo.left || bottom || right) {
    xw = g.op('Pad', [xw, g.int64s([0, info.padInfo.top, info.padInfo.left, 0, 0, bottom, right, 0]),
      g.scalar('float64', -Infinity)], { mode: 'constant' }, like(xw));
  }
  const fwide = cast(g, filter, 'float64');
  const sums: Sym[] = [];
  for (let i = 0; i < fh; i++) {
    for (let j = 0; j < fw; j++) {
      const window = g.op('Slice', [xw, g.int64s([i * dh, j * dw]), g.int64s([i * dh + (oh - 1) * sh + 1,
        j * dw + (ow - 1) * sw + 1]), g.int64s([1, 2]), g.int64s([sh, sw])], {}, like(xw));
      const tap = g.op('Gather', [g.op('Gather', [fwide, g.scalar('int64', i)], { axis: 0 }, F64(2)),
        g.scalar('int64', j)], { axis: 0 }, F64(1));
      sums.push(g.op('Add', [window, tap], {}, like(xw)));
    }
  }
  return sums;
}

/**
 * Grayscale dilation as tfjs's cpu kernel computes it: the max over the window of x + filter, in JS
 * numbers, starting from Number.MIN_SAFE_INTEGER (not -Infinity: windows without a larger sum,
 * NaN sums included, yield it), stored into x's dtype. It runs in float64, which holds every sum
 * exactly for int32 and rounds once to float32 as the store does. (Not int64 for int32: ORT 1.30's
 * int64 Max returns wrong maxima beyond the int32 range.) One strided slice of the padded input per
 * filter tap; padding is -Infinity, which no sum from it lifts above the start.
 */
export const DILATION_2D: KernelLowering = {
  kernelName: 'Dilation2D',
  inputNames: ['x', 'filter'],
  shapeSpecialized: true,
  batchAgnosticInputs: [0],
  lower(g, [x, filter], call) {
    const [xType, fType] = [call.inputs[0]!.dtype, call.inputs[1]!.dtype];
    const exact = xType === 'float32' || (xType === 'int32' && (fType === 'int32' || fType === 'bool'));
    if (!exact) throw new Unsupported(`Dilation2D of ${xType} with a ${fType} filter`);
    const info = dilationInfo(call);
    if (sizeOf(info.outShape) === 0) return [zeros(g, info.outShape, x!.dtype)];
    const start = g.scalar('float64', Number.MIN_SAFE_INTEGER);
    const taps = tapSums(g, x!, filter!, info).map((sum) => (xType === 'float32'
      // ORT's Max may let NaN through; cpu's `sum > current` never takes it.
      ? g.op('Where', [g.op('IsNaN', [sum], {}, { dtype: 'bool', rank: 4 }), start, sum], {}, like(sum)) : sum));
    const best = g.op('Max', [start, ...taps], {}, like(taps[0]));
    if (xType === 'float32') return [cast(g, best, 'float32')];
    // The Int32Array store wraps modulo 2^32; every step here is exact in float64.
    const t32 = g.scalar('float64', 2 ** 32);
    const turns = g.op('Floor', [g.op('Div', [g.op('Add', [best, g.scalar('float64', 2 ** 31)], {}, like(best)), t32], {},
      like(best))], {}, like(best));
    return [cast(g, g.op('Sub', [best, g.op('Mul', [turns, t32], {}, like(best))], {}, like(best)), 'int32')];
  },
};

/**
 * Index of the winning tap at every output position, as the backprop kernels pick it: the first
 * sum strictly above the running best, which starts at Number.MIN_SAFE_INTEGER (NaN never wins),
 * and `none` where nothing won.
 */
function winningTap(g: GraphBuilder, x: Sym, filter: Sym, info: backend_util.Conv2DInfo, none: number): Sym {
  let best = g.scalar('float64', Number.MIN_SAFE_INTEGER);
  let index = g.scalar('int64', none);
  tapSums(g, x, filter, info).forEach((sum, k) => {
    const better = g.op('Greater', [sum, best], {}, { dtype: 'bool', rank: 4 });
    best = g.op('Where', [better, sum, best], {}, like(sum));
    index = g.op('Where', [better, g.scalar('int64', k), index], {}, I64(4));
  });
  return index;
}

/** Adds dy into a zero tensor of `shape` at flat indices, in dy's NHWC order as the cpu loops add. */
function scatterAdd(g: GraphBuilder, dy: Sym, flatIndex: Sym, shape: number[]): Sym {
  const flat = (t: Sym) => g.op('Reshape', [t, g.int64s([-1])], {}, { dtype: t.dtype, rank: 1 });
  const out = g.op('ScatterElements', [zeros(g, [sizeOf(shape)]), flat(flatIndex), flat(dy)],
    { axis: 0, reduction: 'add' }, { dtype: 'float32', rank: 1 });
  return g.op('Reshape', [out, g.int64s(shape)], {}, { dtype: 'float32', rank: shape.length });
}

const int64Vec = (g: GraphBuilder, values: number[], axis: number) =>
  g.constant('int64', values, [0, 1, 2, 3].map((a) => (a === axis ? values.length : 1)));

function requireFloat32(call: KernelCall, info: backend_util.Conv2DInfo): void {
  if (call.inputs.some((s) => s!.dtype !== 'float32')) throw new Unsupported('dilation grads of non-float32');
  if (shapeOfInput(call, 2).some((d, i) => d !== info.outShape[i])) throw new Unsupported('dy shape');
}

/**
 * dx: each dy lands on its window's winning input pixel, accumulated in float32 in the cpu loop's
 * order (ScatterElements adds in index order). A window without a winner sends dy to its first
 * in-bounds corner, as cpu does.
 */
export const DILATION_2D_BACKPROP_INPUT: KernelLowering = {
  kernelName: 'Dilation2DBackpropInput',
  inputNames: ['x', 'filter', 'dy'],
  shapeSpecialized: true,
  lower(g, [x, filter, dy], call) {
    const info = dilationInfo(call);
    requireFloat32(call, info);
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
    if (sizeOf(info.inShape) === 0 || sizeOf(info.outShape) === 0) return [zeros(g, info.inShape)];
    const hBeg = Array.from({ length: oh }, (_, i) => i * info.strideHeight - info.padInfo.top);
    const wBeg = Array.from({ length: ow }, (_, i) => i * info.strideWidth - info.padInfo.left);
    if (hBeg.some((v) => v >= h) || wBeg.some((v) => v >= w)) throw new Unsupported('window past the input');
    const k = winningTap(g, x!, filter!, info, -1);
    const none = g.op('Less', [k, g.scalar('int64', 0)], {}, { dtype: 'bool', rank: 4 });
    const kSafe = g.op('Where', [none, g.scalar('int64', 0), k], {}, I64(4));
    const taps = Array.from({ length: info.filterHeight * info.filterWidth }, (_, i) => i);
    const offset = (values: number[]) => g.op('Gather', [g.constant('int64', values, [values.length]), kSafe], { axis: 0 },
      I64(4));
    const position = (begins: number[], axis: number, offsets: number[]) => g.op('Where', [none,
      int64Vec(g, begins.map((v) => Math.max(v, 0)), axis),
      g.op('Add', [int64Vec(g, begins, axis), offset(offsets)], {}, I64(4))], {}, I64(4));
    const row = position(hBeg, 1, taps.map((t) => Math.floor(t / info.filterWidth) * info.dilationHeight));
    const col = position(wBeg, 2, taps.map((t) => (t % info.filterWidth) * info.dilationWidth));
    const batch = int64Vec(g, Array.from({ length: n }, (_, i) => i * h), 0);
    const pixel = g.op('Add', [g.op('Mul', [g.op('Add', [batch, row], {}, I64(4)), g.scalar('int64', w)], {}, I64(4)), col],
      {}, I64(4));
    const index = g.op('Add', [g.op('Mul', [pixel, g.scalar('int64', c)], {}, I64(4)),
      int64Vec(g, Array.from({ length: c }, (_, i) => i), 3)], {}, I64(4));
    return [scatterAdd(g, dy!, index, info.inShape)];
  },
};

/** dfilter: each dy lands on its window's winning tap (tap 0 without a winner), accumulated as cpu does. */
export const DILATION_2D_BACKPROP_FILTER: KernelLowering = {
  kernelName: 'Dilation2DBackpropFilter',
  inputNames: ['x', 'filter', 'dy'],
  shapeSpecialized: true,
  lower(g, [x, filter, dy], call) {
    const info = dilationInfo(call);
    requireFloat32(call, info);
    const fShape = shapeOfInput(call, 1);
    if (sizeOf(fShape) === 0 || sizeOf(info.outShape) === 0) return [zeros(g, fShape)];
    const k = winningTap(g, x!, filter!, info, 0);
    const c = info.inChannels;
    const index = g.op('Add', [g.op('Mul', [k, g.scalar('int64', c)], {}, I64(4)),
      int64Vec(g, Array.from({ length: c }, (_, i) => i), 3)], {}, I64(4));
    return [scatterAdd(g, dy!, index, fShape)];
  },
};
