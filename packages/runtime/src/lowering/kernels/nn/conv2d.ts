import { backend_util } from '@tensorflow/tfjs-core';
import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import { requireDtypes } from '../../helpers';
import { KernelCall, KernelLowering, Unsupported } from '../../types';
import { applyActivation } from './activation';
import {
  assertOutShape, like, cropSpatial, onnxPads, shapeOfInput, sizeOf, toChannelsFirst, toChannelsLast, transpose,
  windowGeometry, zeros,
} from './geometry';

export interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
  leakyreluAlpha?: number;
}

/** tfjs depthwise filter [fh, fw, cin, mult] as an ONNX grouped-conv weight [cin * mult, 1, fh, fw]. */
export function depthwiseWeight(g: GraphBuilder, filter: Sym, filterShape: number[]): Sym {
  const [fh, fw, cin, mult] = filterShape;
  const flat = g.op('Reshape', [filter, g.int64s([fh, fw, 1, cin * mult])], {}, like(filter));
  return transpose(g, flat, [3, 2, 0, 1]);
}

/**
 * Conv2D and DepthwiseConv2dNative (channels-first inside). tfjs's depthwise kernels assume NHWC
 * whatever dataFormat says, and reject strides and dilations both above 1.
 */
function conv(g: GraphBuilder, x: Sym, filter: Sym, call: KernelCall, depthwise: boolean): Sym {
  requireDtypes(call, ['float32']);
  const attrs = call.attrs as unknown as ConvAttrs;
  const xShape = shapeOfInput(call, 0);
  const fShape = shapeOfInput(call, 1);
  const channelsLast = depthwise || attrs.dataFormat !== 'NCHW';
  const dilations = attrs.dilations ?? 1;
  if (depthwise && !backend_util.eitherStridesOrDilationsAreOne(attrs.strides, dilations)) {
    throw new Unsupported('depthwise strides and dilations both above 1');
  }
  const info = backend_util.computeConv2DInfo(xShape as [number, number, number, number],
    fShape as [number, number, number, number], attrs.strides, dilations, attrs.pad, attrs.dimRoundingMode,
    depthwise, channelsLast ? 'channelsLast' : 'channelsFirst');
  assertOutShape(info);
  if (sizeOf(info.outShape) === 0 || sizeOf(xShape) === 0 || sizeOf(fShape) === 0) {
    return zeros(g, info.outShape);
  }
  const geo = windowGeometry(info);
  const xc = cropSpatial(g, channelsLast ? toChannelsFirst(g, x) : x, geo, [info.inHeight, info.inWidth]);
  const w = depthwise ? depthwiseWeight(g, filter, fShape) : transpose(g, filter, [3, 2, 0, 1]);
  const y = g.op('Conv', [xc, w], {
    kernel_shape: [info.filterHeight, info.filterWidth],
    strides: [info.strideHeight, info.strideWidth],
    dilations: [info.dilationHeight, info.dilationWidth],
    pads: onnxPads(geo),
    group: depthwise ? info.inChannels : 1,
  }, { dtype: 'float32', rank: 4 });
  return channelsLast ? toChannelsLast(g, y) : y;
}

/** Bias and activation of the fused convs; NCHW aligns rank-1 bias and prelu weights with channels. */
function fusedEpilogue(g: GraphBuilder, y: Sym, bias: Sym | undefined, prelu: Sym | undefined,
  call: KernelCall, nchw: boolean): Sym {
  const attrs = call.attrs as unknown as ConvAttrs;
  const alongChannels = (t: Sym) =>
    (nchw && t.rank === 1 ? g.op('Reshape', [t, g.int64s([-1, 1, 1])], {}, { dtype: t.dtype, rank: 3 }) : t);
  let out = y;
  if (bias) {
    const b = alongChannels(bias);
    out = g.op('Add', [out, b], {}, { dtype: 'float32', rank: Math.max(out.rank, b.rank) });
  }
  const p = prelu && attrs.activation === 'prelu' ? alongChannels(prelu) : prelu;
  return applyActivation(g, out, attrs.activation, p, attrs.leakyreluAlpha);
}

export const CONV_2D: KernelLowering = {
  kernelName: 'Conv2D',
  inputNames: ['x', 'filter'],
  shapeSpecialized: true,
  batchAgnosticInputs: [0],
  lower: (g, [x, filter], call) => [conv(g, x!, filter!, call, false)],
};

export const FUSED_CONV_2D: KernelLowering = {
  kernelName: 'FusedConv2D',
  inputNames: ['x', 'filter', 'bias', 'preluActivationWeights'],
  shapeSpecialized: true,
  batchAgnosticInputs: [0],
  lower(g, [x, filter, bias, prelu], call) {
    const y = conv(g, x!, filter!, call, false);
    return [fusedEpilogue(g, y, bias, prelu, call, call.attrs.dataFormat === 'NCHW')];
  },
};

export const DEPTHWISE_CONV_2D: KernelLowering = {
  kernelName: 'DepthwiseConv2dNative',
  inputNames: ['x', 'filter'],
  shapeSpecialized: true,
  batchAgnosticInputs: [0],
  lower: (g, [x, filter], call) => [conv(g, x!, filter!, call, true)],
};

export const FUSED_DEPTHWISE_CONV_2D: KernelLowering = {
  kernelName: 'FusedDepthwiseConv2D',
  inputNames: ['x', 'filter', 'bias', 'preluActivationWeights'],
  shapeSpecialized: true,
  batchAgnosticInputs: [0],
  lower(g, [x, filter, bias, prelu], call) {
    const y = conv(g, x!, filter!, call, true);
    return [fusedEpilogue(g, y, bias, prelu, call, false)];
  },
};
