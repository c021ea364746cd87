import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import { cast, reshape, requireDtypes } from '../../helpers';
import { KernelLowering, Unsupported } from '../../types';
import { like, shapeOfInput, sizeOf, zeros } from './geometry';

interface CropAndResizeAttrs {
  cropSize: [number, number];
  method: 'bilinear' | 'nearest';
  extrapolationValue: number;
}

const bool = (rank: number) => ({ dtype: 'bool', rank } as const);
const f64 = (rank: number) => ({ dtype: 'float64', rank } as const);
const i64 = (rank: number) => ({ dtype: 'int64', rank } as const);

/**
 * Sample positions along one image axis for every box, [n, crop], in float64 with the cpu kernel's
 * exact operation order (it computes in JS numbers): lo * (size - 1) + i * scale, or the box centre
 * for a crop of 1.
 */
function samplePositions(g: GraphBuilder, lo: Sym, hi: Sym, size: number, crop: number): Sym {
  const last = g.scalar('float64', size - 1);
  if (crop === 1) {
    const mid = g.op('Mul', [g.scalar('float64', 0.5), g.op('Add', [lo, hi], {}, f64(2))], {}, f64(2));
    return g.op('Mul', [mid, last], {}, f64(2));
  }
  const span = g.op('Mul', [g.op('Sub', [hi, lo], {}, f64(2)), last], {}, f64(2));
  const scale = g.op('Div', [span, g.scalar('float64', crop - 1)], {}, f64(2));
  const steps = g.constant('float64', Array.from({ length: crop }, (_, i) => i), [1, crop]);
  return g.op('Add', [g.op('Mul', [lo, last], {}, f64(2)), g.op('Mul', [steps, scale], {}, f64(2))], {}, f64(2));
}

/** Where a position lies outside [0, size - 1] (NaN does not: the cpu kernel then reads NaN). */
function outside(g: GraphBuilder, pos: Sym, size: number): Sym {
  return g.op('Or', [
    g.op('Less', [pos, g.scalar('float64', 0)], {}, bool(2)),
    g.op('Greater', [pos, g.scalar('float64', size - 1)], {}, bool(2)),
  ], {}, bool(2));
}

/** An in-range integer index as int64, 0 where the position is extrapolated or NaN. */
function safeIndex(g: GraphBuilder, idx: Sym, unusable: Sym): Sym {
  return cast(g, g.op('Where', [unusable, g.scalar('float64', 0), idx], {}, f64(2)), 'int64');
}

/** Math.round (halves toward +Infinity) of non-negative positions; x - floor(x) is exact. */
function roundHalfUp(g: GraphBuilder, x: Sym): Sym {
  const fl = g.op('Floor', [x], {}, f64(2));
  const up = g.op('GreaterOrEqual', [g.op('Sub', [x, fl], {}, f64(2)), g.scalar('float64', 0.5)], {}, bool(2));
  return g.op('Add', [fl, cast(g, up, 'float64')], {}, f64(2));
}

/**
 * TF's crop_and_resize as tfjs's cpu kernel computes it: sample points are spread over each box
 * edge to edge (not RoiAlign's averaged bins), positions outside the image take the extrapolation
 * value, boxes whose boxInd is past the batch stay 0, and a negative boxInd or NaN position reads
 * past the image (NaN). Shape-specialized on the image only; the box count stays symbolic. Pixels
 * are gathered from the image flattened to [B*H*W, C] at computed flat indices, then interpolated
 * in float64 and rounded once to float32 as the cpu kernel's Float32Array store does.
 */
export const CROP_AND_RESIZE: KernelLowering = {
  kernelName: 'CropAndResize',
  inputNames: ['image', 'boxes', 'boxInd'],
  shapeSpecialized: true,
  batchAgnosticInputs: [1, 2],
  lower(g, [image, boxes, boxInd], call) {
    requireDtypes(call, ['float32', 'int32', 'bool']);
    const { cropSize, method, extrapolationValue } = call.attrs as unknown as CropAndResizeAttrs;
    const [ch, cw] = cropSize;
    const [B, H, W, C] = shapeOfInput(call, 0);
    const n = shapeOfInput(call, 1)[0];
    if (n === 0 || C === 0) return [zeros(g, [n, ch, cw, C])];
    if (sizeOf([B, H, W]) === 0) throw new Unsupported('CropAndResize of an empty image');

    const bx = cast(g, boxes!, 'float64');
    const col = (i: number) => g.op('Slice', [bx, g.int64s([i]), g.int64s([i + 1]), g.int64s([1])], {}, f64(2));
    const yPos = samplePositions(g, col(0), col(2), H, ch); // [n, ch or 1]
    const xPos = samplePositions(g, col(1), col(3), W, cw); // [n, cw or 1]
    const yOut = outside(g, yPos, H);
    const xOut = outside(g, xPos, W);
    const yNaN = g.op('IsNaN', [yPos], {}, bool(2));
    const xNaN = g.op('IsNaN', [xPos], {}, bool(2));
    const yBad = g.op('Or', [yOut, yNaN], {}, bool(2));
    const xBad = g.op('Or', [xOut, xNaN], {}, bool(2));

    const b = reshape(g, cast(g, boxInd!, 'int64'), [-1, 1, 1]);
    const pastBatch = g.op('GreaterOrEqual', [b, g.scalar('int64', B)], {}, bool(3));
    const negative = g.op('Less', [b, g.scalar('int64', 0)], {}, bool(3));
    const bSafe = g.op('Where', [g.op('Or', [pastBatch, negative], {}, bool(3)), g.scalar('int64', 0), b], {}, i64(3));
    const flat = reshape(g, image!, [B * H * W, C]);
    const toRows = (idx: Sym) => g.op('Unsqueeze', [idx, g.int64s([2])], {}, i64(3));
    const toCols = (idx: Sym) => g.op('Unsqueeze', [idx, g.int64s([1])], {}, i64(3));
    const pixels = (row: Sym, colIdx: Sym) => {
      const rowBase = g.op('Mul', [g.op('Add', [g.op('Mul', [bSafe, g.scalar('int64', H)], {}, i64(3)), toRows(row)], {}, i64(3)),
        g.scalar('int64', W)], {}, i64(3));
      const idx = g.op('Add', [rowBase, toCols(colIdx)], {}, i64(3));
      return cast(g, g.op('Gather', [flat, idx], { axis: 0 }, { dtype: flat.dtype, rank: 4 }), 'float64');
    };

    let value: Sym;
    if (method === 'nearest') {
      value = pixels(safeIndex(g, roundHalfUp(g, yPos), yBad), safeIndex(g, roundHalfUp(g, xPos), xBad));
    } else {
      const top = g.op('Floor', [yPos], {}, f64(2));
      const left = g.op('Floor', [xPos], {}, f64(2));
      const topI = safeIndex(g, top, yBad);
      const bottomI = safeIndex(g, g.op('Ceil', [yPos], {}, f64(2)), yBad);
      const leftI = safeIndex(g, left, xBad);
      const rightI = safeIndex(g, g.op('Ceil', [xPos], {}, f64(2)), xBad);
      const yLerp = reshape(g, g.op('Sub', [yPos, top], {}, f64(2)), [0, -1, 1, 1]);
      const xLerp = reshape(g, g.op('Sub', [xPos, left], {}, f64(2)), [0, 1, -1, 1]);
      const lerp = (a: Sym, z: Sym, t: Sym) =>
        g.op('Add', [a, g.op('Mul', [g.op('Sub', [z, a], {}, f64(4)), t], {}, f64(4))], {}, f64(4));
      const upper = lerp(pixels(topI, leftI), pixels(topI, rightI), xLerp);
      const lower = lerp(pixels(bottomI, leftI), pixels(bottomI, rightI), xLerp);
      value = lerp(upper, lower, yLerp);
    }
    const at4 = (mask: Sym, axis: number) =>
      g.op('Unsqueeze', [mask, g.int64s([axis, 3])], {}, bool(4));
    const readsNaN = g.op('Or', [g.op('Or', [at4(yNaN, 2), at4(xNaN, 1)], {}, bool(4)),
      g.op('Unsqueeze', [negative, g.int64s([3])], {}, bool(4))], {}, bool(4));
    value = g.op('Where', [readsNaN, g.scalar('float64', NaN), value], {}, like(value));
    const extrapolated = g.op('Or', [at4(yOut, 2), at4(xOut, 1)], {}, bool(4));
    value = g.op('Where', [extrapolated, g.scalar('float64', extrapolationValue), value], {}, like(value));
    value = g.op('Where', [g.op('Unsqueeze', [pastBatch, g.int64s([3])], {}, bool(4)), g.scalar('float64', 0), value],
      {}, like(value));
    return [cast(g, value, 'float32')];
  },
};
