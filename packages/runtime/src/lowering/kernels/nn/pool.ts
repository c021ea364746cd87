import { backend_util, util } from '@tensorflow/tfjs-core';
import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import { cast, requireDtypes, reshape, shapeOf } from '../../helpers';
import { KernelCall, KernelLowering, Unsupported } from '../../types';
import {
  AxisGeometry, assertOutShape, like, cropSpatial, onnxPads, padSpatial, shapeOfInput, sizeOf, toChannelsFirst,
  toChannelsLast, transposedGeometry, windowGeometry, zeros,
} from './geometry';

type Shape4 = [number, number, number, number];

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function poolInfo(call: KernelCall, inputIndex: number, withRounding = true): backend_util.Conv2DInfo {
  const attrs = call.attrs as unknown as PoolAttrs;
  const info = backend_util.computePool2DInfo(shapeOfInput(call, inputIndex) as Shape4, attrs.filterSize,
    attrs.strides, 1, attrs.pad, withRounding ? attrs.dimRoundingMode : undefined);
  assertOutShape(info);
  return info;
}

/** ORT pools reject pads as large as the window. */
export function padsFitWindow(info: backend_util.Conv2DInfo | backend_util.Conv3DInfo, geo: AxisGeometry[]): boolean {
  const k = windowAxes(info).kernel;
  return geo.every((a, i) => a.begin < k[i] && a.end < k[i]);
}

/** tfjs's pools return x itself for a 1x1 window that keeps the shape (even NaN, which max skips). */
function isIdentityPool(info: backend_util.Conv2DInfo): boolean {
  return info.filterHeight === 1 && info.filterWidth === 1 && util.arraysEqual(info.inShape, info.outShape);
}

/**
 * Both pools skip padding as tfjs does: MaxPool never reads pads, AveragePool with
 * count_include_pad=0 divides by the valid count. MaxPool of int32 runs in float64, which is exact.
 */
function pool(g: GraphBuilder, x: Sym, call: KernelCall, kind: 'max' | 'avg'): Sym {
  const info = poolInfo(call, 0);
  if (isIdentityPool(info)) return g.op('Identity', [x], {}, like(x));
  if (sizeOf(info.outShape) === 0) return zeros(g, info.outShape, x.dtype);
  const geo = windowGeometry(info);
  let xc = cropSpatial(g, toChannelsFirst(g, x), geo, [info.inHeight, info.inWidth]);
  let pads = onnxPads(geo);
  if (!padsFitWindow(info, geo)) {
    // Windows lying wholly in padding: tfjs yields -Infinity for max (and NaN for avg, unsupported).
    if (kind === 'avg' || x.dtype !== 'float32') throw new Unsupported('pads as large as the window');
    const padValue = g.scalar('float32', -Infinity);
    xc = g.op('Pad', [xc, g.int64s([0, 0, geo[0].begin, geo[1].begin, 0, 0, geo[0].end, geo[1].end]), padValue],
      { mode: 'constant' }, like(xc));
    pads = [0, 0, 0, 0];
  }
  const attrs = {
    kernel_shape: [info.filterHeight, info.filterWidth],
    strides: [info.strideHeight, info.strideWidth],
    pads,
  };
  let y: Sym;
  if (kind === 'max') {
    // tfjs's max never takes NaN (NaN > m is false); ORT's does.
    if (x.dtype === 'float32') xc = nanToNegInf(g, xc);
    const xf = cast(g, xc, x.dtype === 'int32' ? 'float64' : 'float32');
    y = cast(g, g.op('MaxPool', [xf], attrs, like(xf)), x.dtype);
  } else {
    y = g.op('AveragePool', [xc], { ...attrs, count_include_pad: 0 }, like(xc));
  }
  return toChannelsLast(g, y);
}

export function nanToNegInf(g: GraphBuilder, x: Sym): Sym {
  const nan = g.op('IsNaN', [x], {}, { dtype: 'bool', rank: x.rank });
  return g.op('Where', [nan, g.scalar('float32', -Infinity), x], {}, like(x));
}

/** tfjs's pool grads size windows without dimRoundingMode and read only that much of dy. */
export function requireDyMatches(call: KernelCall, info: backend_util.Conv2DInfo | backend_util.Conv3DInfo): void {
  const dyShape = shapeOfInput(call, 0);
  if (dyShape.some((d, i) => d !== info.outShape[i])) throw new Unsupported('dy does not match the pool output');
}

export const MAX_POOL: KernelLowering = {
  kernelName: 'MaxPool',
  inputNames: ['x'],
  shapeSpecialized: true,
  batchAgnosticInputs: [0],
  lower(g, [x], call) {
    requireDtypes(call, ['float32', 'int32']);
    return [pool(g, x!, call, 'max')];
  },
};

export const AVG_POOL: KernelLowering = {
  kernelName: 'AvgPool',
  inputNames: ['x'],
  shapeSpecialized: true,
  batchAgnosticInputs: [0],
  lower(g, [x], call) {
    requireDtypes(call, ['float32']);
    return [pool(g, x!, call, 'avg')];
  },
};

/**
 * MaxPoolGrad routes each dy to its window's first maximum (tfjs's maxPoolPositions, row-major, ties
 * to the first; NaN never wins). ORT's MaxPool Indices make the same choice; they are flat indices
 * into the NCHW input, so a scatter-add into zeros builds dx. Windows without a maximum (all NaN or
 * -Infinity) pass no gradient. dx takes its shape from the input at run time: the batch stays free.
 */
export const MAX_POOL_GRAD: KernelLowering = {
  kernelName: 'MaxPoolGrad',
  inputNames: ['dy', 'input', 'output'],
  shapeSpecialized: true,
  batchAgnosticInputs: [0, 1, 2],
  lower(g, [dy, input], call) {
    requireDtypes(call, ['float32']);
    const info = poolInfo(call, 1);
    requireDyMatches(call, info);
    const xShape = info.inShape;
    if (sizeOf(xShape) === 0 || sizeOf(info.outShape) === 0) return [zeros(g, xShape)];
    const geo = windowGeometry(info);
    if (geo.some((a) => a.crop > 0 || a.cropStart > 0) || !padsFitWindow(info, geo)) throw new Unsupported('pool geometry');
    const xc = nanToNegInf(g, toChannelsFirst(g, input!));
    const [maxima, indices] = g.opMulti('MaxPool', [xc], {
      kernel_shape: [info.filterHeight, info.filterWidth],
      strides: [info.strideHeight, info.strideWidth],
      pads: onnxPads(geo),
    }, [{ dtype: 'float32', rank: 4 }, { dtype: 'int64', rank: 4 }]);
    const flatIdx = g.op('Reshape', [indices, g.int64s([-1])], {}, { dtype: 'int64', rank: 1 });
    const flatDy = g.op('Reshape', [toChannelsFirst(g, dy!), g.int64s([-1])], {}, { dtype: 'float32', rank: 1 });
    const flatMax = g.op('Reshape', [maxima, g.int64s([-1])], {}, { dtype: 'float32', rank: 1 });
    const none = g.op('Or', [
      g.op('Equal', [flatMax, g.scalar('float32', -Infinity)], {}, { dtype: 'bool', rank: 1 }),
      g.op('Less', [flatIdx, g.scalar('int64', 0)], {}, { dtype: 'bool', rank: 1 }),
    ], {}, { dtype: 'bool', rank: 1 });
    const idx = g.op('Where', [none, g.scalar('int64', 0), flatIdx], {}, like(flatIdx));
    const upd = g.op('Where', [none, g.scalar('float32', 0), flatDy], {}, like(flatDy));
    return [toChannelsLast(g, scatterAddInto(g, xc, idx, upd))];
  },
};

/** Zeros shaped like `shaped` (at run time), with `updates` added at the flat `indices`. */
export function scatterAddInto(g: GraphBuilder, shaped: Sym, indices: Sym, updates: Sym): Sym {
  const shape = shapeOf(g, shaped);
  const flatZeros = reshape(g, g.op('ConstantOfShape', [shape], {}, { dtype: 'float32', rank: shaped.rank }), [-1]);
  const dx = g.op('ScatterElements', [flatZeros, indices, updates], { axis: 0, reduction: 'add' }, { dtype: 'float32', rank: 1 });
  return g.op('Reshape', [dx, shape], {}, { dtype: 'float32', rank: shaped.rank });
}

/** AvgPoolGrad sizes its windows without dimRoundingMode. */
export const AVG_POOL_GRAD: KernelLowering = {
  kernelName: 'AvgPoolGrad',
  inputNames: ['dy', 'input'],
  shapeSpecialized: true,
  batchAgnosticInputs: [0, 1],
  lower(g, [dy], call) {
    requireDtypes(call, ['float32']);
    const info = poolInfo(call, 1, false);
    requireDyMatches(call, info);
    return [spreadAverage(g, dy!, info)];
  },
};

/** Spatial sizes, window sizes and strides of a 2D or 3D pool, outermost axis first. */
export function windowAxes(info: backend_util.Conv2DInfo | backend_util.Conv3DInfo) {
  const is3d = 'inDepth' in info;
  return {
    inSizes: [...(is3d ? [info.inDepth] : []), info.inHeight, info.inWidth],
    outSizes: [...(is3d ? [info.outDepth] : []), info.outHeight, info.outWidth],
    kernel: [...(is3d ? [info.filterDepth] : []), info.filterHeight, info.filterWidth],
    strides: [...(is3d ? [info.strideDepth] : []), info.strideHeight, info.strideWidth],
  };
}

/**
 * dx of an average pool: dy spread evenly over each window, divided by the full window size even
 * where the forward pool averaged fewer (tfjs's cpu kernels do): a transposed conv with a constant
 * kernel, run per channel by folding channels into the batch. The batch is inferred (-1): it stays free.
 */
export function spreadAverage(g: GraphBuilder, dy: Sym, info: backend_util.Conv2DInfo | backend_util.Conv3DInfo): Sym {
  const inShape = info.inShape as number[];
  if (sizeOf(inShape) === 0 || sizeOf(info.outShape) === 0) return zeros(g, inShape);
  const { inSizes, outSizes, kernel, strides } = windowAxes(info);
  const c = inShape[inShape.length - 1];
  const geo = transposedGeometry(info);
  const folded = g.op('Reshape', [toChannelsFirst(g, dy), g.int64s([-1, 1, ...outSizes])], {}, like(dy));
  const k = sizeOf(kernel);
  const weights = g.constant('float32', new Array(k).fill(1 / k), [1, 1, ...kernel]);
  const dx = g.op('ConvTranspose', [folded, weights], {
    kernel_shape: kernel,
    strides,
    pads: [...geo.map((a) => a.begin), ...geo.map((a) => a.end)],
  }, like(dy));
  const full = padSpatial(g, dx, geo);
  return toChannelsLast(g, g.op('Reshape', [full, g.int64s([-1, c, ...inSizes])], {}, like(full)));
}
