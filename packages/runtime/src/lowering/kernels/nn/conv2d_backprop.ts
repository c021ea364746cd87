import { backend_util } from '@tensorflow/tfjs-core';
import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import { requireDtypes } from '../../helpers';
import { KernelCall, KernelLowering, Unsupported } from '../../types';
import { ConvAttrs, depthwiseWeight } from './conv2d';
import {
  assertOutShape, like, cropSpatial, onnxPads, padSpatial, shapeOfInput, sizeOf, toChannelsFirst, toChannelsLast,
  transpose, transposedGeometry, windowGeometry, zeros,
} from './geometry';

type Shape4 = [number, number, number, number];

interface BackpropAttrs extends ConvAttrs {
  inputShape?: Shape4;
  filterShape?: Shape4;
}

/** tfjs's depthwise backprops size their pads with the dilated filter but then ignore dilation. */
function rejectDilation(attrs: BackpropAttrs): void {
  if (attrs.dilations !== undefined && !backend_util.tupleValuesAreOne(attrs.dilations)) {
    throw new Unsupported('depthwise backprop with dilations');
  }
}

/**
 * The input gradient is the transposed conv of dy: ConvTranspose crops the forward pads off its full
 * result, and zero-extends input rows that no window reached.
 */
function backpropInput(g: GraphBuilder, dy: Sym, filter: Sym, call: KernelCall, depthwise: boolean): Sym {
  requireDtypes(call, ['float32']);
  const attrs = call.attrs as unknown as BackpropAttrs;
  if (depthwise) rejectDilation(attrs);
  const dyShape = shapeOfInput(call, 0);
  const fShape = shapeOfInput(call, 1);
  const channelsLast = depthwise || attrs.dataFormat !== 'NCHW';
  const info = backend_util.computeConv2DInfo(attrs.inputShape!, fShape as Shape4, attrs.strides,
    depthwise ? (attrs.dilations ?? 1) : 1, attrs.pad, attrs.dimRoundingMode, depthwise,
    channelsLast ? 'channelsLast' : 'channelsFirst');
  assertOutShape(info);
  if (dyShape.some((d, i) => d !== info.outShape[i])) throw new Unsupported('dy does not match the conv output');
  if (sizeOf(info.inShape) === 0 || sizeOf(dyShape) === 0 || sizeOf(fShape) === 0) return zeros(g, info.inShape);
  const geo = transposedGeometry(info);
  const w = depthwise ? depthwiseWeight(g, filter, fShape) : transpose(g, filter, [3, 2, 0, 1]);
  const dx = g.op('ConvTranspose', [channelsLast ? toChannelsFirst(g, dy) : dy, w], {
    kernel_shape: [info.filterHeight, info.filterWidth],
    strides: [info.strideHeight, info.strideWidth],
    pads: [...geo.map((a) => a.begin), ...geo.map((a) => a.end)],
    group: depthwise ? info.inChannels : 1,
  }, { dtype: 'float32', rank: 4 });
  const full = padSpatial(g, dx, geo);
  return channelsLast ? toChannelsLast(g, full) : full;
}

/**
 * The filter gradient correlates x with dy: a conv whose batch is x's channels, whose kernel is dy
 * (batch as its input channels) and whose dilation is the forward stride. The batch never enters the
 * graph: it stays free.
 */
function backpropFilter(g: GraphBuilder, x: Sym, dy: Sym, call: KernelCall, depthwise: boolean): Sym {
  requireDtypes(call, ['float32']);
  const attrs = call.attrs as unknown as BackpropAttrs;
  if (depthwise) rejectDilation(attrs);
  const xShape = shapeOfInput(call, 0);
  const dyShape = shapeOfInput(call, 1);
  const fShape = attrs.filterShape!;
  const channelsLast = depthwise || attrs.dataFormat !== 'NCHW';
  const info = backend_util.computeConv2DInfo(xShape as Shape4, fShape, attrs.strides,
    depthwise ? (attrs.dilations ?? 1) : 1, attrs.pad, attrs.dimRoundingMode, depthwise,
    channelsLast ? 'channelsLast' : 'channelsFirst');
  assertOutShape(info);
  if (dyShape.some((d, i) => d !== info.outShape[i])) throw new Unsupported('dy does not match the conv output');
  if (sizeOf(fShape) === 0 || sizeOf(xShape) === 0 || sizeOf(dyShape) === 0) return zeros(g, fShape);
  const [fh, fw, cin, cout] = fShape;
  // Forward windows read x at o * s + k - begin; as a conv over k with kernel dy that is dilation s.
  const geo = windowGeometry({
    ...info,
    outHeight: fh, outWidth: fw, strideHeight: 1, strideWidth: 1,
    effectiveFilterHeight: (info.outHeight - 1) * info.strideHeight + 1,
    effectiveFilterWidth: (info.outWidth - 1) * info.strideWidth + 1,
  });
  const perm = channelsLast ? [3, 0, 1, 2] : [1, 0, 2, 3];
  let xt = cropSpatial(g, transpose(g, x, perm), geo, [info.inHeight, info.inWidth]);
  const dyt = transpose(g, dy, perm);
  if (depthwise) xt = g.op('Reshape', [xt, g.int64s([1, -1, 0, 0])], {}, like(xt));
  let dw = g.op('Conv', [xt, dyt], {
    kernel_shape: [info.outHeight, info.outWidth],
    dilations: [info.strideHeight, info.strideWidth],
    strides: [1, 1],
    pads: onnxPads(geo),
    group: depthwise ? cin : 1,
  }, { dtype: 'float32', rank: 4 });
  if (depthwise) dw = g.op('Reshape', [dw, g.int64s([cin, cout, fh, fw])], {}, like(dw));
  return transpose(g, dw, [2, 3, 0, 1]);
}

export const CONV_2D_BACKPROP_INPUT: KernelLowering = {
  kernelName: 'Conv2DBackpropInput',
  inputNames: ['dy', 'filter'],
  shapeSpecialized: true,
  lower: (g, [dy, filter], call) => [backpropInput(g, dy!, filter!, call, false)],
};

export const CONV_2D_BACKPROP_FILTER: KernelLowering = {
  kernelName: 'Conv2DBackpropFilter',
  inputNames: ['x', 'dy'],
  shapeSpecialized: true,
  batchAgnosticInputs: [0, 1],
  lower: (g, [x, dy], call) => [backpropFilter(g, x!, dy!, call, false)],
};

export const DEPTHWISE_CONV_2D_BACKPROP_INPUT: KernelLowering = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  inputNames: ['dy', 'filter'],
  shapeSpecialized: true,
  lower: (g, [dy, filter], call) => [backpropInput(g, dy!, filter!, call, true)],
};

export const DEPTHWISE_CONV_2D_BACKPROP_FILTER: KernelLowering = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  inputNames: ['x', 'dy'],
  shapeSpecialized: true,
  batchAgnosticInputs: [0, 1],
  lower: (g, [x, dy], call) => [backpropFilter(g, x!, dy!, call, true)],
};
