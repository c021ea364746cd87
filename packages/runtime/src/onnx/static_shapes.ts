import type { AttrValue } from './graph_builder';

export type Shape = readonly number[];

/**
 * What the builder knows of an input when it infers an output's shape: its static shape, and its
 * values when it is a small constant (Reshape's target, Squeeze's axes).
 */
export interface KnownInput {
  readonly shape: Shape | undefined;
  readonly values: readonly number[] | undefined;
}

/** Ops whose one output has the shape of their first input. */
const SAME_SHAPE = new Set([
  'Identity', 'Cast', 'Relu', 'Sqrt', 'Exp', 'Log', 'Neg', 'Abs', 'Sigmoid', 'Tanh', 'Reciprocal', 'Floor', 'Ceil',
  'Round', 'Sign', 'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh', 'Erf', 'Not',
  'Softplus', 'Softsign', 'Elu', 'Selu', 'LeakyRelu', 'HardSigmoid', 'IsNaN', 'IsInf', 'Celu', 'Softmax', 'LogSoftmax',
  'Clip',
]);

/** Ops whose output is their inputs broadcast together (numpy rules). */
const BROADCASTING = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Mod', 'Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or',
  'Xor', 'Max', 'Min', 'Sum', 'Mean', 'Where',
]);

const REDUCTIONS = new Set([
  'ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum',
  'ReduceLogSumExp', 'ReduceSumSquare',
]);

/**
 * The static shape of a single-output op's result, where the inputs' shapes (and the small constant
 * inputs that decide it) determine it; undefined where not known or not covered. Only ops whose rule
 * is plain are covered: a wrong shape here would fold wrong constants into a segment.
 */
export function inferShape(opType: string, inputs: readonly (KnownInput | null)[],
  attrs: Record<string, AttrValue | undefined>): Shape | undefined {
  const shape = (i: number) => inputs[i]?.shape;
  const values = (i: number) => inputs[i]?.values;
  if (SAME_SHAPE.has(opType)) return shape(0);
  if (BROADCASTING.has(opType)) {
    const shapes = inputs.map((i) => i?.shape);
    return shapes.every((s): s is Shape => s !== undefined) ? broadcastShapes(shapes) : undefined;
  }
  if (REDUCTIONS.has(opType)) return reducedShape(shape(0), inputs.length > 1 ? values(1) : [], attrs);
  switch (opType) {
    case 'Shape': {
      const s = shape(0);
      return s && [shapeRange(s.length, attrs).length];
    }
    case 'Reshape': {
      const s = shape(0);
      const target = values(1);
      return s && target && reshaped(s, target, attrs.allowzero === 1);
    }
    case 'Unsqueeze': {
      const s = shape(0);
      const axes = values(1);
      return s && axes && unsqueezed(s, axes);
    }
    case 'Squeeze': {
      const s = shape(0);
      const axes = inputs.length > 1 ? values(1) : [];
      return s && axes && squeezed(s, axes);
    }
    case 'Transpose': {
      const s = shape(0);
      const perm = (attrs.perm as number[] | undefined) ?? s?.map((_, i) => s.length - 1 - i);
      return s && perm && perm.length === s.length ? perm.map((p) => s[p]) : undefined;
    }
    case 'Concat': {
      const shapes = inputs.map((i) => i?.shape);
      return shapes.every((s): s is Shape => s !== undefined) ? concatenated(shapes, attrs.axis as number) : undefined;
    }
    case 'Expand': {
      const s = shape(0);
      const target = values(1);
      return s && target && broadcastShapes([s, target]);
    }
    default:
      return undefined;
  }
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function broadcastShapes(shapes: readonly Shape[]): Shape | undefined {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let d = 0; d < rank; d++) {
    let dim = 1;
    for (const s of shapes) {
      const v = s[s.length - rank + d] ?? 1;
      if (v === 1) continue;
      if (dim !== 1 && dim !== v) return undefined;
      dim = v;
    }
    out.push(dim);
  }
  return out;
}

/** The dims Shape's start and end attrs select (negative from the end, clamped). */
export function shapeRange(rank: number, attrs: Record<string, AttrValue | undefined>): number[] {
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const start = clamp((attrs.start as number | undefined) ?? 0);
  const end = clamp((attrs.end as number | undefined) ?? rank);
  const dims: number[] = [];
  for (let d = start; d < end; d++) dims.push(d);
  return dims;
}

/** Reshape's result: 0 copies the input's dim (unless allowzero), one -1 takes what is left. */
export function reshaped(shape: Shape, target: readonly number[], allowzero: boolean): Shape | undefined {
  const size = shape.reduce((a, b) => a * b, 1);
  let inferred = -1;
  let known = 1;
  const out = target.map((t, i) => {
    if (t === 0 && !allowzero) {
      if (i >= shape.length) return NaN;
      known *= shape[i];
      return shape[i];
    }
    if (t === -1) {
      if (inferred >= 0) return NaN;
      inferred = i;
      return -1;
    }
    if (t < 0 || !Number.isInteger(t)) return NaN;
    known *= t;
    return t;
  });
  if (out.some(Number.isNaN)) return undefined;
  if (inferred >= 0) {
    if (known === 0 || size % known !== 0) return undefined;
    out[inferred] = size / known;
  } else if (known !== size) return undefined;
  return out;
}

export function unsqueezed(shape: Shape, axes: readonly number[]): Shape | undefined {
  const rank = shape.length + axes.length;
  const at = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
  if (at.size !== axes.length || [...at].some((a) => a < 0 || a >= rank)) return undefined;
  const out: number[] = [];
  let next = 0;
  for (let d = 0; d < rank; d++) out.push(at.has(d) ? 1 : shape[next++]);
  return out;
}

export function squeezed(shape: Shape, axes: readonly number[]): Shape | undefined {
  const at = new Set(axes.length === 0 ? shape.flatMap((d, i) => (d === 1 ? [i] : []))
    : axes.map((a) => (a < 0 ? a + shape.length : a)));
  if ([...at].some((a) => shape[a] !== 1)) return undefined;
  return shape.filter((_, i) => !at.has(i));
}

export function concatenated(shapes: readonly Shape[], axisAttr: number): Shape | undefined {
  const rank = shapes[0]?.length;
  if (rank === undefined || rank === 0 || shapes.some((s) => s.length !== rank)) return undefined;
  const axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
  if (axis < 0 || axis >= rank) return undefined;
  const out = [...shapes[0]];
  for (const s of shapes.slice(1)) {
    if (s.some((d, i) => i !== axis && d !== out[i])) return undefined;
    out[axis] += s[axis];
  }
  return out;
}

/** A reduction's result over `axes` (empty: all, unless noop_with_empty_axes), keepdims default 1. */
export function reducedShape(shape: Shape | undefined, axes: readonly number[] | undefined,
  attrs: Record<string, AttrValue | undefined>): Shape | undefined {
  if (!shape || !axes) return undefined;
  const keep = ((attrs.keepdims as number | undefined) ?? 1) === 1;
  if (axes.length === 0 && attrs.noop_with_empty_axes === 1) return shape;
  const at = new Set(axes.length === 0 ? shape.map((_, i) => i) : axes.map((a) => (a < 0 ? a + shape.length : a)));
  if ([...at].some((a) => a < 0 || a >= shape.length)) return undefined;
  return keep ? shape.map((d, i) => (at.has(i) ? 1 : d)) : shape.filter((_, i) => !at.has(i));
}
