import { backend_util } from '@tensorflow/tfjs-core';
import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import { tensorProto } from '../../../onnx/graph_builder';
import type { OnnxDtype } from '../../../onnx/dtypes';
import { KernelCall, Unsupported } from '../../types';

/**
 * Window geometry shared by the conv and pool lowerings. They are shape-specialized: tfjs's
 * output sizes (computeConv2DInfo: 'same', numeric pads measured with the filter height on both
 * axes, dimRoundingMode) need concrete spatial sizes, and reusing tfjs's own arithmetic keeps the
 * ONNX graph in lockstep with the cpu kernels.
 */

type ConvInfo = backend_util.Conv2DInfo | backend_util.Conv3DInfo;

/** The type of a value, for an op whose output matches it (a Sym itself would also carry its name). */
export function like(x: Sym): { dtype: OnnxDtype; rank: number } {
  return { dtype: x.dtype, rank: x.rank };
}

export function shapeOfInput(call: KernelCall, i: number): number[] {
  const shape = call.inputs[i]?.shape;
  if (!shape) throw new Error(`terra: ${call.kernelName} input ${i} has no shape (lowering must be shape-specialized)`);
  return [...shape];
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * A window axis as ONNX sees it: elements to drop from the start (tfjs's 3D 'same' can pad by a
 * negative amount) and from the end, then zero pads before and after.
 */
export interface AxisGeometry {
  cropStart: number;
  begin: number;
  end: number;
  crop: number;
}

/**
 * Pads giving an ONNX floor-mode window op (Conv, pools) exactly `out` windows of extent kEff
 * starting at i * stride - begin. tfjs may ask for fewer windows than its pads admit (rounding
 * modes, the numeric-pad quirk): then the unused input tail is cropped instead of padded.
 */
export function axisGeometry(inSize: number, out: number, kEff: number, stride: number, padBegin: number): AxisGeometry {
  const cropStart = Math.max(0, -padBegin);
  const begin = Math.max(0, padBegin);
  const size = inSize - cropStart;
  const end = (out - 1) * stride + kEff - size - begin;
  if (end >= 0) return { cropStart, begin, end, crop: 0 };
  if (Math.floor((size + begin - kEff) / stride) + 1 === out) return { cropStart, begin, end: 0, crop: 0 };
  return { cropStart, begin, end: 0, crop: -end };
}

/** Per spatial axis (depth, height, width or height, width) geometry of a tfjs conv/pool info. */
export function windowGeometry(info: ConvInfo): AxisGeometry[] {
  const axes: Array<[number, number, number, number, number]> = [];
  if ('inDepth' in info) {
    axes.push([info.inDepth, info.outDepth, info.effectiveFilterDepth, info.strideDepth, info.padInfo.front]);
  }
  axes.push([info.inHeight, info.outHeight, info.effectiveFilterHeight, info.strideHeight, info.padInfo.top]);
  axes.push([info.inWidth, info.outWidth, info.effectiveFilterWidth, info.strideWidth, info.padInfo.left]);
  return axes.map(([i, o, k, s, b]) => axisGeometry(i, o, k, s, b));
}

/** ONNX `pads` attribute: all begins, then all ends. */
export function onnxPads(geo: AxisGeometry[]): number[] {
  return [...geo.map((a) => a.begin), ...geo.map((a) => a.end)];
}

/** Drops the cropped ends of the spatial axes of a channels-first tensor. */
export function cropSpatial(g: GraphBuilder, x: Sym, geo: AxisGeometry[], spatialSizes: number[]): Sym {
  if (geo.every((a) => a.crop === 0 && a.cropStart === 0)) return x;
  const axes = geo.map((_, i) => i + 2);
  const ends = geo.map((a, i) => spatialSizes[i] - a.crop);
  return g.op('Slice', [x, g.int64s(geo.map((a) => a.cropStart)), g.int64s(ends), g.int64s(axes)], {}, like(x));
}

export function toChannelsFirst(g: GraphBuilder, x: Sym): Sym {
  const perm = [0, x.rank - 1, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 1)];
  return g.op('Transpose', [x], { perm }, like(x));
}

export function toChannelsLast(g: GraphBuilder, x: Sym): Sym {
  const perm = [0, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 2), 1];
  return g.op('Transpose', [x], { perm }, like(x));
}

export function transpose(g: GraphBuilder, x: Sym, perm: number[]): Sym {
  return g.op('Transpose', [x], { perm }, like(x));
}

/** A zero tensor of a concrete shape, for calls whose output has no input contribution. */
export function zeros(g: GraphBuilder, shape: readonly number[], dtype: OnnxDtype = 'float32'): Sym {
  return g.op('ConstantOfShape', [g.int64s(shape)], { value: tensorProto('value', dtype, [0], [1]) },
    { dtype, rank: shape.length });
}

/** Zero-extends the spatial axes of a channels-first tensor at their starts and ends. */
export function padSpatial(g: GraphBuilder, x: Sym, geo: Array<{ before: number; after: number }>): Sym {
  if (geo.every((a) => a.before === 0 && a.after === 0)) return x;
  const pads = [0, 0, ...geo.map((a) => a.before), 0, 0, ...geo.map((a) => a.after)];
  return g.op('Pad', [x, g.int64s(pads)], { mode: 'constant' }, like(x));
}

export interface TransposedAxis {
  begin: number;
  end: number;
  before: number;
  after: number;
}

/**
 * Geometry of a transposed window op (ConvTranspose) rebuilding an input axis of size inSize from
 * `out` windows that start at o * stride - padBegin: its pads crop the full transposed result,
 * before/after zero-extend it where no window reached.
 */
export function transposedAxis(inSize: number, out: number, kEff: number, stride: number, padBegin: number): TransposedAxis {
  const full = stride * (out - 1) + kEff;
  const before = Math.max(0, -padBegin);
  const begin = Math.max(0, padBegin);
  if (begin > full) throw new Unsupported('transposed window padding');
  const rest = full - begin - (inSize - before);
  return rest >= 0 ? { begin, end: rest, before, after: 0 } : { begin, end: 0, before, after: -rest };
}

export function transposedGeometry(info: ConvInfo): TransposedAxis[] {
  const axes: Array<[number, number, number, number, number]> = [];
  if ('inDepth' in info) {
    axes.push([info.inDepth, info.outDepth, info.effectiveFilterDepth, info.strideDepth, info.padInfo.front]);
  }
  axes.push([info.inHeight, info.outHeight, info.effectiveFilterHeight, info.strideHeight, info.padInfo.top]);
  axes.push([info.inWidth, info.outWidth, info.effectiveFilterWidth, info.strideWidth, info.padInfo.left]);
  return axes.map(([i, o, k, s, b]) => transposedAxis(i, o, k, s, b));
}

export function assertOutShape(info: ConvInfo): void {
  if (info.outShape.some((d) => !(d >= 0) || !Number.isInteger(d))) throw new Unsupported('invalid output shape');
}
