import { backend_util } from '@tensorflow/tfjs-core';
import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import { cast, requireDtypes } from '../../helpers';
import { KernelCall, KernelLowering, Unsupported } from '../../types';
import {
  assertOutShape, axisGeometry, cropSpatial, like, onnxPads, shapeOfInput, sizeOf, toChannelsFirst, toChannelsLast,
  windowGeometry, zeros,
} from './geometry';
import { nanToNegInf, padsFitWindow, requireDyMatches, scatterAddInto, spreadAverage, windowAxes } from './pool';

type Shape5 = [number, number, number, number, number];

interface Pool3DAttrs {
  filterSize: number | [number, number, number];
  strides: number | [number, number, number];
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Unlike the 2D grads, tfjs's 3D pool grads size their windows with dimRoundingMode too. */
function pool3dInfo(call: KernelCall, inputIndex: number): backend_util.Conv3DInfo {
  const attrs = call.attrs as unknown as Pool3DAttrs;
  const info = backend_util.computePool3DInfo(shapeOfInput(call, inputIndex) as Shape5, attrs.filterSize,
    attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  assertOutShape(info);
  return info;
}

/**
 * MaxPool3D and AvgPool3D over float32 (an int32 max keeps int32 values under a float32 label on
 * cpu, which a cast cannot reproduce beyond 2^24). Padding is skipped as on cpu; max never takes NaN
 * (NaN > m is false, so an all-NaN window is -Infinity, even for a 1x1x1 window). ORT's AveragePool
 * has no float64 kernel, so avg sums in float32 where cpu sums in JS numbers (within rounding).
 */
function pool3d(g: GraphBuilder, x: Sym, call: KernelCall, kind: 'max' | 'avg'): Sym {
  const info = pool3dInfo(call, 0);
  if (sizeOf(info.outShape) === 0) return zeros(g, info.outShape);
  if (sizeOf(info.inShape) === 0) throw new Unsupported('windows over an empty input');
  const geo = windowGeometry(info);
  const { inSizes, kernel, strides } = windowAxes(info);
  let xc = cropSpatial(g, toChannelsFirst(g, x), geo, inSizes);
  let pads = onnxPads(geo);
  if (kind === 'max') {
    xc = nanToNegInf(g, xc);
    if (!padsFitWindow(info, geo)) {
      // ORT rejects such pads; windows lying wholly in padding are -Infinity on cpu.
      xc = g.op('Pad', [xc, g.int64s([0, 0, ...geo.map((a) => a.begin), 0, 0, ...geo.map((a) => a.end)]),
        g.scalar('float32', -Infinity)], { mode: 'constant' }, like(xc));
      pads = pads.map(() => 0);
    }
    return toChannelsLast(g, g.op('MaxPool', [xc], { kernel_shape: kernel, strides, pads }, like(xc)));
  }
  // Windows wholly in padding average to 0 on cpu; ORT rejects such pads.
  if (!padsFitWindow(info, geo)) throw new Unsupported('pads as large as the window');
  return toChannelsLast(g, g.op('AveragePool', [xc], { kernel_shape: kernel, strides, pads, count_include_pad: 0 },
    like(xc)));
}

export const MAX_POOL_3D: KernelLowering = {
  kernelName: 'MaxPool3D',
  inputNames: ['x'],
  shapeSpecialized: true,
  batchAgnosticInputs: [0],
  lower(g, [x], call) {
    requireDtypes(call, ['float32']);
    return [pool3d(g, x!, call, 'max')];
  },
};

export const AVG_POOL_3D: KernelLowering = {
  kernelName: 'AvgPool3D',
  inputNames: ['x'],
  shapeSpecialized: true,
  batchAgnosticInputs: [0],
  lower(g, [x], call) {
    requireDtypes(call, ['float32']);
    return [pool3d(g, x!, call, 'avg')];
  },
};

/** Reverses the spatial axes of a channels-first tensor of known spatial sizes. */
function flipSpatial(g: GraphBuilder, x: Sym, sizes: number[]): Sym {
  const axes = sizes.map((_, i) => i + 2);
  return g.op('Slice', [x, g.int64s(sizes.map(() => -1)), g.int64s(sizes.map((s) => -s - 1)), g.int64s(axes),
    g.int64s(sizes.map(() => -1))], {}, like(x));
}

/**
 * MaxPool3DGrad routes each dy to its window's LAST maximum (cpu compares with >=, so -Infinity can
 * win and NaN never does; an all-NaN window passes nothing). ORT's MaxPool Indices pick the first
 * maximum, so it runs on the input flipped along every spatial axis (which reverses row-major order
 * inside each window; the flipped grid swaps begin and end pads), in float64 where -Infinity
 * becomes -1e300 (below every float32, above ORT's starting value) and NaN becomes -Infinity.
 * cpu encodes the position inside the window with the height where the width belongs, which decodes
 * back to the maximum itself only for windows as high as they are wide: other windows stay on cpu,
 * as do grids leaving input rows after the last window (the flipped grid would need a crop).
 */
export const MAX_POOL_3D_GRAD: KernelLowering = {
  kernelName: 'MaxPool3DGrad',
  inputNames: ['dy', 'input', 'output'],
  shapeSpecialized: true,
  batchAgnosticInputs: [0, 1, 2],
  lower(g, [dy, input], call) {
    requireDtypes(call, ['float32']);
    const info = pool3dInfo(call, 1);
    requireDyMatches(call, info);
    const inShape = info.inShape as number[];
    if (sizeOf(inShape) === 0 || sizeOf(info.outShape) === 0) return [zeros(g, inShape)];
    if (info.effectiveFilterHeight !== info.effectiveFilterWidth) throw new Unsupported('cpu position quirk');
    const { inSizes, outSizes, kernel, strides } = windowAxes(info);
    const geo = windowGeometry(info);
    const flippedGeo = geo.map((a, i) => {
      const end = (outSizes[i] - 1) * strides[i] + kernel[i] - inSizes[i] - a.begin;
      return { ...axisGeometry(inSizes[i], outSizes[i], kernel[i], strides[i], end), rawEnd: end };
    });
    if ([...geo, ...flippedGeo].some((a) => a.crop > 0 || a.cropStart > 0) || flippedGeo.some((a) => a.rawEnd < 0)
      || !padsFitWindow(info, geo) || !padsFitWindow(info, flippedGeo)) {
      throw new Unsupported('pool geometry');
    }
    const f64 = { dtype: 'float64', rank: 5 } as const;
    const xc = toChannelsFirst(g, input!);
    let xd = cast(g, flipSpatial(g, xc, inSizes), 'float64');
    const negInf = g.scalar('float64', -Infinity);
    xd = g.op('Where', [g.op('Equal', [xd, negInf], {}, { dtype: 'bool', rank: 5 }),
      g.scalar('float64', -1e300), xd], {}, f64);
    xd = g.op('Where', [g.op('IsNaN', [xd], {}, { dtype: 'bool', rank: 5 }), negInf, xd], {}, f64);
    const [maxima, indices] = g.opMulti('MaxPool', [xd], {
      kernel_shape: kernel, strides, pads: onnxPads(flippedGeo),
    }, [f64, { dtype: 'int64', rank: 5 }]);
    const flat = (t: Sym) => g.op('Reshape', [t, g.int64s([-1])], {}, { dtype: t.dtype, rank: 1 });
    const flipped = flat(indices);
    // Back to the unflipped input: within each (batch, channel) block of V voxels, offset v <-> V-1-v.
    const V = sizeOf(inSizes);
    const block = g.op('Mul', [g.op('Div', [flipped, g.scalar('int64', V)], {}, like(flipped)), g.scalar('int64', V)], {},
      like(flipped));
    const index = g.op('Sub', [g.op('Add', [g.op('Add', [block, block], {}, like(block)), g.scalar('int64', V - 1)], {},
      like(block)), flipped], {}, like(block));
    // ORT starts each window below every value it may pick, so a window without one stays below -1e300.
    const none = g.op('Less', [flat(maxima), g.scalar('float64', -1e300)], {}, { dtype: 'bool', rank: 1 });
    const dyFlat = flat(flipSpatial(g, toChannelsFirst(g, dy!), outSizes));
    const safeIndex = g.op('Where', [none, g.scalar('int64', 0), index], {}, like(index));
    const updates = g.op('Where', [none, g.scalar('float32', 0), dyFlat], {}, like(dyFlat));
    return [toChannelsLast(g, scatterAddInto(g, xc, safeIndex, updates))];
  },
};

export const AVG_POOL_3D_GRAD: KernelLowering = {
  kernelName: 'AvgPool3DGrad',
  inputNames: ['dy', 'input'],
  shapeSpecialized: true,
  batchAgnosticInputs: [0, 1],
  lower(g, [dy], call) {
    requireDtypes(call, ['float32']);
    const info = pool3dInfo(call, 1);
    requireDyMatches(call, info);
    return [spreadAverage(g, dy!, info)];
  },
};
