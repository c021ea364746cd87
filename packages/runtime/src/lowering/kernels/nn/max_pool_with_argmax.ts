import type { Sym } from '../../../onnx/graph_builder';
import { cast, requireDtypes } from '../../helpers';
import { KernelLowering, Unsupported } from '../../types';
import { like, onnxPads, sizeOf, toChannelsFirst, toChannelsLast, windowGeometry, zeros } from './geometry';
import { padsFitWindow, poolInfo } from './pool';

/**
 * Max and first-maximum position of each window (cpu's maxPoolPositions compares with >, from
 * -Infinity: NaN and -Infinity never win; a window without a winner is -Infinity at position -1),
 * as a flat NHWC index with or without the batch. ORT's MaxPool with Indices makes the same choice
 * in float64, where every finite float32 value beats its starting value; its indices are flat NCHW, so
 * they are re-encoded. Unlike MaxPool, no 1x1 shortcut: NaN inputs come out -Infinity.
 */
export const MAX_POOL_WITH_ARGMAX: KernelLowering = {
  kernelName: 'MaxPoolWithArgmax',
  inputNames: ['x'],
  multiOutput: true,
  shapeSpecialized: true,
  batchAgnosticInputs: [0],
  lower(g, [x], call) {
    requireDtypes(call, ['float32', 'int32']);
    const info = poolInfo(call, 0, false);
    const outShape = info.outShape;
    if (sizeOf(outShape) === 0) return [zeros(g, outShape, x!.dtype), zeros(g, outShape, 'int32')];
    const geo = windowGeometry(info);
    if (geo.some((a) => a.crop > 0 || a.cropStart > 0) || !padsFitWindow(info, geo)) throw new Unsupported('pool geometry');
    let xd = cast(g, toChannelsFirst(g, x!), 'float64');
    // ORT's MaxPool lets NaN through; as -Infinity it can no longer win.
    xd = g.op('Where', [g.op('IsNaN', [xd], {}, { dtype: 'bool', rank: 4 }), g.scalar('float64', -Infinity), xd], {},
      like(xd));
    const [maxima, indices] = g.opMulti('MaxPool', [xd], {
      kernel_shape: [info.filterHeight, info.filterWidth],
      strides: [info.strideHeight, info.strideWidth],
      pads: onnxPads(geo),
    }, [like(xd), { dtype: 'int64', rank: 4 }]);
    const none = g.op('Less', [maxima, g.scalar('float64', -Number.MAX_VALUE / 2)], {}, { dtype: 'bool', rank: 4 });
    const values = g.op('Where', [none, g.scalar('float64', -Infinity), maxima], {}, like(maxima));

    const { inHeight: h, inWidth: w, inChannels: c } = info;
    const i64 = (name: string, a: Sym, b: number) => g.op(name, [a, g.scalar('int64', b)], {}, like(a));
    const pixel = i64('Mod', indices, h * w);
    const block = i64('Div', indices, h * w);
    const channel = i64('Mod', block, c);
    const base = (call.attrs.includeBatchInIndex as boolean)
      ? g.op('Add', [i64('Mul', i64('Div', block, c), h * w), pixel], {}, like(pixel)) : pixel;
    let position = g.op('Add', [i64('Mul', base, c), channel], {}, like(pixel));
    position = g.op('Where', [none, g.scalar('int64', -1), position], {}, like(position));
    return [toChannelsLast(g, cast(g, values, x!.dtype)), toChannelsLast(g, cast(g, position, 'int32'))];
  },
};
