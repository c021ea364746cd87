import type { DataType } from '@tensorflow/tfjs-core';
import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import { cast } from '../../helpers';
import { Unsupported } from '../../types';

/** A Slice bound past either end of any axis: ONNX clamps it, so it reads as "to the end". */
export const BIG = Number.MAX_SAFE_INTEGER;

const I64 = (rank: number) => ({ dtype: 'int64' as const, rank });

export function identity(g: GraphBuilder, x: Sym): Sym {
  return g.op('Identity', [x], {}, { dtype: x.dtype, rank: x.rank });
}

export function slice(g: GraphBuilder, x: Sym, starts: number[] | Sym, ends: number[] | Sym,
  axes: number[], steps?: number[]): Sym {
  const vec = (v: number[] | Sym) => (Array.isArray(v) ? g.int64s(v) : v);
  const inputs = [x, vec(starts), vec(ends), g.int64s(axes)];
  if (steps) inputs.push(g.int64s(steps));
  return g.op('Slice', inputs, {}, { dtype: x.dtype, rank: x.rank });
}

export function unsqueeze(g: GraphBuilder, x: Sym, axes: number[]): Sym {
  return g.op('Unsqueeze', [x, g.int64s(axes)], {}, { dtype: x.dtype, rank: x.rank + axes.length });
}

export function squeeze(g: GraphBuilder, x: Sym, axes: number[]): Sym {
  return g.op('Squeeze', [x, g.int64s(axes)], {}, { dtype: x.dtype, rank: x.rank - axes.length });
}

export function transpose(g: GraphBuilder, x: Sym, perm: number[]): Sym {
  if (perm.every((p, i) => p === i)) return x;
  return g.op('Transpose', [x], { perm }, { dtype: x.dtype, rank: x.rank });
}

/** Dims start..end of x's shape as an int64 vector. */
export function dims(g: GraphBuilder, x: Sym, start: number, end?: number): Sym {
  return g.op('Shape', [x], { start, end }, I64(1));
}

/** Concatenates int64 vectors; plain numbers become constants. */
export function vec(g: GraphBuilder, parts: Array<Sym | number[]>): Sym {
  const syms = parts.filter((p) => !Array.isArray(p) || p.length > 0)
    .map((p) => (Array.isArray(p) ? g.int64s(p) : p));
  if (syms.length === 1) return syms[0];
  return g.op('Concat', syms, { axis: 0 }, I64(1));
}

export function binary(g: GraphBuilder, op: string, a: Sym, b: Sym): Sym {
  return g.op(op, [a, b], {}, { dtype: a.dtype, rank: Math.max(a.rank, b.rank) });
}

/** Reshape to a computed shape; allowzero because computed dims of 0 are real zeros. */
export function reshapeTo(g: GraphBuilder, x: Sym, shape: Sym, rank: number): Sym {
  return g.op('Reshape', [x, shape], { allowzero: 1 }, { dtype: x.dtype, rank });
}

/** Product of an int64 vector as a 1-element vector (1 for an empty vector). */
export function prod(g: GraphBuilder, v: Sym): Sym {
  return g.op('ReduceProd', [v, g.int64s([0])], { keepdims: 1 }, I64(1));
}

/** Row-major strides of a shape vector, computed in the graph (ONNX has no CumProd). */
export function rowMajorStrides(g: GraphBuilder, shape: Sym): Sym {
  const n = squeeze(g, g.op('Shape', [shape], {}, I64(1)), [0]);
  const r = g.op('Range', [g.scalar('int64', 0), n, g.scalar('int64', 1)], {}, I64(1));
  const later = g.op('Less', [unsqueeze(g, r, [1]), unsqueeze(g, r, [0])], {}, { dtype: 'bool', rank: 2 });
  const m = g.op('Where', [later, unsqueeze(g, shape, [0]), g.scalar('int64', 1)], {}, I64(2));
  return reduceAxis(g, 'ReduceProd', m, 1);
}

/** Reduces one axis away; keepdims then Squeeze because ORT mis-shapes an empty result of keepdims=0. */
export function reduceAxis(g: GraphBuilder, op: 'ReduceSum' | 'ReduceProd', x: Sym, axis: number): Sym {
  return squeeze(g, g.op(op, [x, g.int64s([axis])], { keepdims: 1 }, { dtype: x.dtype, rank: x.rank }), [axis]);
}

/**
 * Returns x (rank >= 1 or a scalar) made to depend on a check that fails the ORT run when any element
 * of `violations` (int64) is nonzero: tfjs validates these shapes and throws where ONNX would not.
 */
export function guard(g: GraphBuilder, x: Sym, violations: Sym): Sym {
  const abs = g.op('Abs', [violations], {}, I64(violations.rank));
  const count = g.op('ReduceSum', [g.op('Reshape', [abs, g.int64s([-1])], {}, I64(1)), g.int64s([0])],
    { keepdims: 1 }, I64(1));
  // A one-element tensor reshaped to 1 + count elements: fine only when count is 0.
  const ok = g.op('Reshape', [g.int64s([0]), binary(g, 'Add', count, g.int64s([1]))], {}, I64(1));
  return reshapeTo(g, x, binary(g, 'Add', shapeVec(g, x), ok), x.rank);
}

/** Negative indices become out of range, so ORT rejects them as tfjs does instead of wrapping. */
export function rejectNegative(g: GraphBuilder, idx: Sym): Sym {
  const neg = g.op('Less', [idx, g.scalar('int64', 0)], {}, { dtype: 'bool', rank: idx.rank });
  return g.op('Where', [neg, g.scalar('int64', BIG), idx], {}, { dtype: idx.dtype, rank: idx.rank });
}

export interface SliceIndexing {
  /** Row index of each index tuple into the tensor viewed as [numSlices, sliceSize]: indices.shape[:-1]. */
  flat: Sym;
  numSlices: Sym;
  sliceSize: Sym;
  /** shape[sliceRank:], the shape of one slice. */
  tail: Sym;
}

/**
 * tfjs gatherND/scatterND address a tensor of `shape` through index tuples of length
 * sliceRank = indices.shape[-1] (1 for rank-1 indices) by the flat offset sum(index * strides),
 * which is valid only in [0, numSlices) even when single components are negative (a rank-0
 * index is one tuple of length 1); this
 * reproduces that offset so Gather/ScatterND on the [numSlices, sliceSize] view match it.
 */
export function sliceIndexing(g: GraphBuilder, indices: Sym, shape: Sym): SliceIndexing {
  const idx = cast(g, indices.rank > 1 ? indices : unsqueeze(g, indices, indices.rank === 0 ? [0, 1] : [1]), 'int64');
  const k = dims(g, idx, -1);
  const head = g.op('Slice', [shape, g.int64s([0]), k], {}, I64(1));
  const tail = g.op('Slice', [shape, k, g.int64s([BIG])], {}, I64(1));
  const offsets = g.op('Mul', [idx, rowMajorStrides(g, head)], {}, I64(idx.rank));
  const flat = reduceAxis(g, 'ReduceSum', offsets, idx.rank - 1);
  return { flat: rejectNegative(g, flat), numSlices: prod(g, head), sliceSize: prod(g, tail), tail };
}

/** The value a tfjs typed array of dtype stores for a number (Int32Array truncates, Uint8Array wraps). */
export function storedValue(value: number, dtype: DataType): number {
  switch (dtype) {
    case 'float32': return Math.fround(value);
    case 'int32': return new Int32Array([value])[0];
    case 'bool': {
      const v = new Uint8Array([value])[0];
      if (v > 1) throw new Unsupported(`bool value ${value}`);
      return v;
    }
    default: throw new Unsupported(`dtype ${dtype}`);
  }
}

export function lowerableDtype(dtype: DataType): 'float32' | 'int32' | 'bool' {
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') throw new Unsupported(`dtype ${dtype}`);
  return dtype;
}

export function shapeVec(g: GraphBuilder, x: Sym): Sym {
  return g.op('Shape', [x], {}, I64(1));
}
