import { backend_util } from '@tensorflow/tfjs-core';
import { requireDtypes } from '../../helpers';
import { KernelLowering, Unsupported } from '../../types';
import {
  assertOutShape, cropSpatial, onnxPads, padSpatial, shapeOfInput, sizeOf, toChannelsFirst, toChannelsLast,
  transpose, transposedGeometry, windowGeometry, zeros,
} from './geometry';

type Shape5 = [number, number, number, number, number];

interface Conv3DAttrs {
  strides: number | [number, number, number];
  pad: 'valid' | 'same';
  dilations?: number | [number, number, number];
  inputShape?: Shape5;
  filterShape?: Shape5;
}

/** tfjs's 3D kernels are NDHWC whatever dataFormat says (the op only admits NDHWC). */
function info3d(xShape: number[], fShape: number[], attrs: Conv3DAttrs, dilations: Conv3DAttrs['dilations']) {
  const info = backend_util.computeConv3DInfo(xShape as Shape5, fShape as Shape5, attrs.strides, dilations ?? 1,
    attrs.pad);
  assertOutShape(info);
  return info;
}

const spatial = (info: backend_util.Conv3DInfo) => ({
  inSizes: [info.inDepth, info.inHeight, info.inWidth],
  kernel: [info.filterDepth, info.filterHeight, info.filterWidth],
  strides: [info.strideDepth, info.strideHeight, info.strideWidth],
  dilations: [info.dilationDepth, info.dilationHeight, info.dilationWidth],
});

export const CONV_3D: KernelLowering = {
  kernelName: 'Conv3D',
  inputNames: ['x', 'filter'],
  shapeSpecialized: true,
  lower(g, [x, filter], call) {
    requireDtypes(call, ['float32']);
    const attrs = call.attrs as unknown as Conv3DAttrs;
    const fShape = shapeOfInput(call, 1);
    const xShape = shapeOfInput(call, 0);
    const info = info3d(xShape, fShape, attrs, attrs.dilations);
    if (sizeOf(info.outShape) === 0 || sizeOf(xShape) === 0 || sizeOf(fShape) === 0) return [zeros(g, info.outShape)];
    const s = spatial(info);
    const geo = windowGeometry(info);
    const y = g.op('Conv', [cropSpatial(g, toChannelsFirst(g, x!), geo, s.inSizes), transpose(g, filter!, [4, 3, 0, 1, 2])], {
      kernel_shape: s.kernel, strides: s.strides, dilations: s.dilations, pads: onnxPads(geo),
    }, { dtype: 'float32', rank: 5 });
    return [toChannelsLast(g, y)];
  },
};

/** As Conv2DBackpropInput: the transposed conv of dy, cropped by the forward pads and zero-extended. */
export const CONV_3D_BACKPROP_INPUT: KernelLowering = {
  kernelName: 'Conv3DBackpropInputV2',
  inputNames: ['dy', 'filter'],
  shapeSpecialized: true,
  lower(g, [dy, filter], call) {
    requireDtypes(call, ['float32']);
    const attrs = call.attrs as unknown as Conv3DAttrs;
    const dyShape = shapeOfInput(call, 0);
    const fShape = shapeOfInput(call, 1);
    const info = info3d(attrs.inputShape!, fShape, attrs, 1);
    if (dyShape.some((d, i) => d !== info.outShape[i])) throw new Unsupported('dy does not match the conv output');
    if (sizeOf(info.inShape) === 0 || sizeOf(dyShape) === 0 || sizeOf(fShape) === 0) return [zeros(g, info.inShape)];
    const s = spatial(info);
    const geo = transposedGeometry(info);
    const dx = g.op('ConvTranspose', [toChannelsFirst(g, dy!), transpose(g, filter!, [4, 3, 0, 1, 2])], {
      kernel_shape: s.kernel, strides: s.strides,
      pads: [...geo.map((a) => a.begin), ...geo.map((a) => a.end)],
    }, { dtype: 'float32', rank: 5 });
    return [toChannelsLast(g, padSpatial(g, dx, geo))];
  },
};

/** As Conv2DBackpropFilter: x (channels as batch) correlated with dy (batch as channels), dilated by the stride. */
export const CONV_3D_BACKPROP_FILTER: KernelLowering = {
  kernelName: 'Conv3DBackpropFilterV2',
  inputNames: ['x', 'dy'],
  shapeSpecialized: true,
  lower(g, [x, dy], call) {
    requireDtypes(call, ['float32']);
    const attrs = call.attrs as unknown as Conv3DAttrs;
    const xShape = shapeOfInput(call, 0);
    const dyShape = shapeOfInput(call, 1);
    const fShape = attrs.filterShape!;
    const info = info3d(xShape, fShape, attrs, 1);
    if (dyShape.some((d, i) => d !== info.outShape[i])) throw new Unsupported('dy does not match the conv output');
    if (sizeOf(fShape) === 0 || sizeOf(xShape) === 0 || sizeOf(dyShape) === 0) return [zeros(g, fShape)];
    const s = spatial(info);
    const geo = windowGeometry({
      ...info,
      outDepth: fShape[0], outHeight: fShape[1], outWidth: fShape[2], strideDepth: 1, strideHeight: 1, strideWidth: 1,
      effectiveFilterDepth: (info.outDepth - 1) * info.strideDepth + 1,
      effectiveFilterHeight: (info.outHeight - 1) * info.strideHeight + 1,
      effectiveFilterWidth: (info.outWidth - 1) * info.strideWidth + 1,
    });
    const perm = [4, 0, 1, 2, 3];
    const dw = g.op('Conv', [cropSpatial(g, transpose(g, x!, perm), geo, s.inSizes), transpose(g, dy!, perm)], {
      kernel_shape: [info.outDepth, info.outHeight, info.outWidth],
      dilations: s.strides, strides: [1, 1, 1], pads: onnxPads(geo),
    }, { dtype: 'float32', rank: 5 });
    return [transpose(g, dw, [2, 3, 4, 0, 1])];
  },
};
