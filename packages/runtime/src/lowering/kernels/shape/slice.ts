import { slice_util } from '@tensorflow/tfjs-core';
import type { KernelLowering } from '../../types';
import { Unsupported } from '../../types';
import { BIG, slice } from './common';

function padTo(v: number | number[] | undefined | null, rank: number, fill: number): number[] {
  if (v === undefined || v === null) return new Array(rank).fill(fill);
  if (typeof v === 'number') return [v, ...new Array(rank - 1).fill(fill)];
  return [...v, ...new Array(Math.max(0, rank - v.length)).fill(fill)];
}

export const SLICE: KernelLowering = {
  kernelName: 'Slice',
  inputNames: ['x'],
  shapeAttrs: ['begin', 'size'],
  // With every size given, the output's shape is the sizes whatever the offset.
  dataAttrs: (attrs, [rank]) => {
    const size = attrs.size as number | number[];
    return Array.isArray(size) && size.length === rank && size.every((s) => s >= 0) ? ['begin'] : [];
  },
  // An offset that makes the slice overrun its input: tfjs's kernel throws (slice_util.assertParamsValid).
  valueCheck: {
    fails(_, { x }, attrs) {
      try {
        const [begin, size] = slice_util.parseSliceParams({ shape: [...x], rank: x.length } as never, attrs.begin as number[], attrs.size as number[]);
        slice_util.assertParamsValid({ shape: [...x], rank: x.length } as never, begin, size);
        return false;
      } catch {
        return true;
      }
    },
  },
  lower(g, [x], call) {
    const rank = x!.rank;
    if (rank === 0) throw new Unsupported('slice of a scalar');
    // Mirrors slice_util.parseSliceParams, where size -1 means "to the end".
    const begin = padTo(call.attrs.begin as number | number[], rank, 0);
    const size = padTo(call.attrs.size as number | number[], rank, -1);
    if (begin.length !== rank || size.length !== rank) throw new Unsupported('begin/size length');
    if (begin.some((b) => b < 0) || size.some((s) => s < -1)) throw new Unsupported('negative begin or size');
    const axes = begin.map((_, i) => i);
    const fed = call.attrInputs;
    if (fed?.begin || fed?.size) {
      // A shape-general segment: the numbers come per run (tfjs-core's slice op gives both full length,
      // checked in range); which sizes are -1 is part of the segment's structure.
      const given = (name: 'begin' | 'size') => (call.attrs[name] as number[]).length === rank;
      if ((fed.begin && !given('begin')) || (fed.size && !given('size'))) throw new Unsupported('begin/size shorter than the rank');
      const starts = fed.begin ?? g.int64s(begin);
      const sizes = fed.size ?? g.int64s(size);
      const vector = { dtype: 'int64', rank: 1 } as const;
      const toEnd = g.constant('bool', size.map((s) => s === -1), [rank]);
      const ends = g.op('Where', [toEnd, g.int64s(new Array(rank).fill(BIG)), g.op('Add', [starts, sizes], {}, vector)], {}, vector);
      const target = g.op('Where', [toEnd, g.int64s(new Array(rank).fill(0)), sizes], {}, vector);
      return [g.op('Reshape', [slice(g, x!, starts, ends, axes), target], {}, { dtype: x!.dtype, rank })];
    }
    const out = slice(g, x!, begin, begin.map((b, i) => (size[i] === -1 ? BIG : b + size[i])), axes);
    // ONNX clamps a slice that overruns the input where tfjs throws: reshaping to the requested
    // sizes (0 keeps the axis as is) makes ORT reject a clamped result instead.
    return [g.op('Reshape', [out, g.int64s(size.map((s) => (s === -1 ? 0 : s)))], {},
      { dtype: x!.dtype, rank })];
  },
};

export const STRIDED_SLICE: KernelLowering = {
  kernelName: 'StridedSlice',
  inputNames: ['x'],
  shapeSpecialized: true,
  lower(g, [x], call) {
    const a = call.attrs;
    const xShape = call.inputs[0]!.shape as number[];
    const info = slice_util.sliceInfo(xShape, a.begin as number[], a.end as number[], a.strides as number[],
      a.beginMask as number, a.endMask as number, a.ellipsisMask as number, a.newAxisMask as number,
      a.shrinkAxisMask as number);
    const finalShape = info.finalShape;
    let sliced = x!;
    if (!info.isIdentity) {
      if (info.sliceDim0 || info.isSimpleSlice) {
        // The cpu kernel slices with sizes end - begin here and rejects a negative one.
        if (slice_util.computeOutShape(info.begin, info.end, info.strides).some((s) => s < 0)) {
          throw new Unsupported('reversed simple slice');
        }
      }
      const starts: number[] = [];
      const ends: number[] = [];
      const steps: number[] = [];
      info.strides.forEach((s, i) => {
        const b = info.begin[i];
        const e = info.end[i];
        if (s < 0 && b === -1) {
          // sliceInfo's -1 means "before the first element": an empty range.
          starts.push(0); ends.push(0); steps.push(1);
        } else {
          starts.push(b); ends.push(s < 0 && e === -1 ? -BIG : e); steps.push(s);
        }
      });
      sliced = slice(g, x!, starts, ends, xShape.map((_, i) => i), steps);
    }
    return [g.op('Reshape', [sliced, g.int64s(finalShape)], { allowzero: 1 },
      { dtype: x!.dtype, rank: finalShape.length })];
  },
};
