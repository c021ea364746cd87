import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import { cast, requireDtypes } from '../../helpers';
import { KernelLowering, Unsupported } from '../../types';
import { like } from './geometry';

interface ResizeAttrs {
  alignCorners: boolean;
  halfPixelCenters: boolean;
  size: [number, number];
}

const F64 = { dtype: 'float64', rank: 0 } as const;
const F64V = { dtype: 'float64', rank: 1 } as const;

/** Size of axis `axis` of x as a float64 scalar. */
function dimOf(g: GraphBuilder, x: Sym, axis: number): Sym {
  const shape = g.op('Shape', [x], { start: axis, end: axis + 1 }, { dtype: 'int64', rank: 1 });
  return cast(g, g.op('Squeeze', [shape, g.int64s([0])], {}, { dtype: 'int64', rank: 0 }), 'float64');
}

/** tfjs's source/destination size ratio; alignCorners measures both sizes minus one when above 1. */
function resizeScale(g: GraphBuilder, inSize: Sym, outSize: Sym, alignCorners: boolean): Sym {
  const one = g.scalar('float64', 1);
  const effective = (n: Sym) => {
    if (!alignCorners) return n;
    const above1 = g.op('Greater', [outSize, one], {}, { dtype: 'bool', rank: 0 });
    return g.op('Where', [above1, g.op('Sub', [n, one], {}, F64), n], {}, F64);
  };
  return g.op('Div', [effective(inSize), effective(outSize)], {}, F64);
}

/**
 * Source index of every output position along one axis, computed in float64 exactly as tfjs's cpu
 * kernels do in JS numbers: ratio = effective in / effective out, then floor or round of ratio * r
 * (plus the half-pixel shift), clamped into the input.
 */
function sourceIndex(g: GraphBuilder, inSize: Sym, outSize: Sym, alignCorners: boolean, halfPixel: boolean,
  clampBelow: boolean): Sym {
  const one = g.scalar('float64', 1);
  const ratio = resizeScale(g, inSize, outSize, alignCorners);
  let r = g.op('Range', [g.scalar('float64', 0), outSize, one], {}, F64V);
  if (halfPixel) r = g.op('Add', [r, g.scalar('float64', 0.5)], {}, F64V);
  let idx = g.op('Mul', [ratio, r], {}, F64V);
  // Math.round rounds halves up, which floor(x + 0.5) matches for these non-negative positions.
  if (alignCorners) idx = g.op('Add', [idx, g.scalar('float64', 0.5)], {}, F64V);
  idx = g.op('Floor', [idx], {}, F64V);
  idx = g.op('Min', [idx, g.op('Sub', [inSize, one], {}, F64)], {}, F64V);
  if (clampBelow) idx = g.op('Max', [idx, g.scalar('float64', 0)], {}, F64V);
  return idx;
}

/** One-hot rows [out, in] of a float64 index vector. */
function oneHot(g: GraphBuilder, idx: Sym, inSize: Sym): Sym {
  const cols = g.op('Range', [g.scalar('float64', 0), inSize, g.scalar('float64', 1)], {}, F64V);
  const col = g.op('Unsqueeze', [cols, g.int64s([0])], {}, { dtype: 'float64', rank: 2 });
  const row = g.op('Unsqueeze', [idx, g.int64s([1])], {}, { dtype: 'float64', rank: 2 });
  return g.op('Equal', [row, col], {}, { dtype: 'bool', rank: 2 });
}

/** dx[b, i, j, d] = sum over r, c of rows[r, i] * dy[b, r, c, d] * cols[c, j]. */
function contract(g: GraphBuilder, dy: Sym, rows: Sym, cols: Sym): Sym {
  return g.op('Einsum', [rows, dy, cols], { equation: 'ri,brcd,cj->bijd' }, { dtype: 'float32', rank: 4 });
}

export const RESIZE_NEAREST_NEIGHBOR: KernelLowering = {
  kernelName: 'ResizeNearestNeighbor',
  inputNames: ['images'],
  lower(g, [images], call) {
    const { alignCorners, halfPixelCenters, size } = call.attrs as unknown as ResizeAttrs;
    if (images!.rank !== 4) throw new Unsupported('resize of a non-4D tensor');
    let y = images!;
    for (const axis of [1, 2]) {
      const outSize = g.scalar('float64', size[axis - 1]);
      const idx = sourceIndex(g, dimOf(g, images!, axis), outSize, alignCorners, halfPixelCenters, halfPixelCenters);
      y = g.op('Gather', [y, cast(g, idx, 'int64')], { axis }, like(y));
    }
    return [y];
  },
};

/**
 * Bilinear resizing is ONNX Resize on the spatial axes; tfjs's three conventions are ONNX's
 * align_corners, half_pixel and asymmetric coordinate transforms (edges clamp alike).
 */
export const RESIZE_BILINEAR: KernelLowering = {
  kernelName: 'ResizeBilinear',
  inputNames: ['images'],
  lower(g, [images], call) {
    requireDtypes(call, ['float32', 'int32']);
    const { alignCorners, halfPixelCenters, size } = call.attrs as unknown as ResizeAttrs;
    if (images!.rank !== 4 || (alignCorners && halfPixelCenters)) throw new Unsupported('resize mode');
    const mode = alignCorners ? 'align_corners' : halfPixelCenters ? 'half_pixel' : 'asymmetric';
    const x = cast(g, images!, 'float32');
    return [g.op('Resize', [x, null, null, g.int64s(size)], {
      mode: 'linear', coordinate_transformation_mode: mode, axes: [1, 2],
    }, like(x))];
  },
};

/** tfjs's cpu nearest-neighbour gradient maps dy back without the half-pixel shift, whatever the forward did. */
export const RESIZE_NEAREST_NEIGHBOR_GRAD: KernelLowering = {
  kernelName: 'ResizeNearestNeighborGrad',
  inputNames: ['images', 'dy'],
  lower(g, [images, dy], call) {
    requireDtypes(call, ['float32']);
    const { alignCorners } = call.attrs as unknown as ResizeAttrs;
    const maps = [1, 2].map((axis) => {
      const inSize = dimOf(g, images!, axis);
      const idx = sourceIndex(g, inSize, dimOf(g, dy!, axis), alignCorners, false, false);
      return cast(g, oneHot(g, idx, inSize), 'float32');
    });
    return [contract(g, dy!, maps[0], maps[1])];
  },
};

/**
 * tfjs's cpu bilinear gradient also ignores halfPixelCenters, and labels its result
 * [batch, width, height, depth] while laying it out as [batch, height, width, depth].
 */
export const RESIZE_BILINEAR_GRAD: KernelLowering = {
  kernelName: 'ResizeBilinearGrad',
  inputNames: ['images', 'dy'],
  lower(g, [images, dy], call) {
    requireDtypes(call, ['float32']);
    const { alignCorners } = call.attrs as unknown as ResizeAttrs;
    const maps = [1, 2].map((axis) => {
      const inSize = dimOf(g, images!, axis);
      const outSize = dimOf(g, dy!, axis);
      const one = g.scalar('float64', 1);
      const scale = resizeScale(g, inSize, outSize, alignCorners);
      const r = g.op('Range', [g.scalar('float64', 0), outSize, one], {}, F64V);
      const src = g.op('Mul', [r, scale], {}, F64V);
      const top = g.op('Floor', [src], {}, F64V);
      const bottom = g.op('Min', [g.op('Ceil', [src], {}, F64V), g.op('Sub', [inSize, one], {}, F64)], {}, F64V);
      const lerp = g.op('Unsqueeze', [g.op('Sub', [src, top], {}, F64V), g.int64s([1])], {}, { dtype: 'float64', rank: 2 });
      const m = { dtype: 'float64', rank: 2 } as const;
      const topW = g.op('Mul', [cast(g, oneHot(g, top, inSize), 'float64'),
        g.op('Sub', [one, lerp], {}, m)], {}, m);
      const bottomW = g.op('Mul', [cast(g, oneHot(g, bottom, inSize), 'float64'), lerp], {}, m);
      return cast(g, g.op('Add', [topW, bottomW], {}, m), 'float32');
    });
    const dx = contract(g, dy!, maps[0], maps[1]);
    const shape = g.op('Shape', [images!], {}, { dtype: 'int64', rank: 1 });
    const swapped = g.op('Gather', [shape, g.int64s([0, 2, 1, 3])], { axis: 0 }, { dtype: 'int64', rank: 1 });
    return [g.op('Reshape', [dx, swapped], {}, like(dx))];
  },
};
