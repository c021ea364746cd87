import type { AttrValue } from './graph_builder';
import type { OnnxDtype } from './dtypes';
import { KnownInput, Shape, broadcastShapes, concatenated, reducedShape, reshaped, shapeRange, squeezed, unsqueezed } from './static_shapes';

/** A small tensor whose values the builder holds: what folding computes with. */
export interface ConstValue {
  readonly dtype: OnnxDtype;
  readonly shape: Shape;
  readonly values: readonly number[];
}

/** Larger results stay nodes: folding is for shape arithmetic, not for materializing data. */
export const MAX_FOLDED_ELEMENTS = 1024;

export interface FoldInput extends KnownInput {
  readonly dtype: OnnxDtype;
}

const INTEGER: ReadonlySet<OnnxDtype> = new Set(['int32', 'int64']);
const REDUCED = new Set(['ReduceSum', 'ReduceProd', 'ReduceMax', 'ReduceMin']);
const DTYPE_OF_CODE: Record<number, OnnxDtype> = { 1: 'float32', 2: 'uint8', 6: 'int32', 7: 'int64', 9: 'bool', 11: 'float64' };

/**
 * The value of a single-output op computed at build time, when its inputs are known constants (or,
 * for Shape, its input's shape is known); undefined if it must stay a node. Arithmetic is folded on
 * integers and booleans only, where JS computes exactly what ONNX Runtime does; float tensors are
 * folded only by ops that move values without computing new ones, so a segment's numbers stay ORT's.
 * Anything out of the ordinary (an overflow, a division by zero, an index out of range, a shape that
 * does not fit) is left to ORT, which then reports it as it would have.
 */
export function foldOp(opType: string, inputs: readonly (FoldInput | null)[],
  attrs: Record<string, AttrValue | undefined>): ConstValue | undefined {
  if (opType === 'Shape') {
    const s = inputs[0]?.shape;
    const dims = s && shapeRange(s.length, attrs);
    return s && dims && { dtype: 'int64', shape: [dims.length], values: dims.map((d) => s[d]) };
  }
  if (opType === 'Size') {
    const s = inputs[0]?.shape;
    return s && { dtype: 'int64', shape: [], values: [s.reduce((a, b) => a * b, 1)] };
  }
  const consts: ConstValue[] = [];
  for (const i of inputs) {
    if (i === null) continue;
    if (!i.values || !i.shape) return undefined;
    consts.push({ dtype: i.dtype, shape: i.shape, values: i.values });
  }
  if (consts.length === 0) return undefined;
  const out = evaluate(opType, consts, inputs, attrs);
  if (!out || out.values.length > MAX_FOLDED_ELEMENTS || !out.values.every((v) => representable(v, out.dtype))) return undefined;
  return out;
}

function evaluate(opType: string, c: readonly ConstValue[], raw: readonly (FoldInput | null)[],
  attrs: Record<string, AttrValue | undefined>): ConstValue | undefined {
  const [a, b] = c;
  switch (opType) {
    case 'Identity': return a;
    case 'Cast': return cast(a, DTYPE_OF_CODE[attrs.to as number]);
    case 'Reshape': {
      const shape = reshaped(a.shape, b.values, attrs.allowzero === 1);
      return shape && { ...a, shape };
    }
    // ORT fails a Squeeze whose axes input is given as absent.
    case 'Squeeze': return raw[1] === null ? undefined : moved(opType, a, b, attrs);
    case 'Unsqueeze': case 'Expand': case 'Transpose': return moved(opType, a, b, attrs);
    case 'Concat': return concat(c, attrs.axis as number);
    case 'Gather': return gather(a, b, (attrs.axis as number | undefined) ?? 0);
    case 'Slice': return slice(c, raw);
    case 'Where': {
      const [cond, x, y] = c;
      if (cond.dtype !== 'bool' || x.dtype !== y.dtype) return undefined;
      return elementwise([cond, x, y], x.dtype, ([k, p, q]) => (k ? p : q));
    }
    case 'Range': {
      const [start, limit, delta] = c.map((v) => v.values[0]);
      if (!INTEGER.has(a.dtype) || delta === 0) return undefined;
      const n = Math.max(Math.ceil((limit - start) / delta), 0);
      if (n > MAX_FOLDED_ELEMENTS) return undefined;
      return { dtype: a.dtype, shape: [n], values: Array.from({ length: n }, (_, i) => start + i * delta) };
    }
    default: return arithmetic(opType, c, attrs);
  }
}

function arithmetic(opType: string, c: readonly ConstValue[], attrs: Record<string, AttrValue | undefined>): ConstValue | undefined {
  const dtype = c[0].dtype;
  const int = INTEGER.has(dtype);
  if (opType.startsWith('Reduce')) return int && REDUCED.has(opType) ? reduce(opType, c[0], c.length > 1 ? c[1].values : [], attrs) : undefined;
  if (c.some((v) => v.dtype !== dtype) || !(int || dtype === 'bool')) return undefined;
  const binary = (f: (x: number, y: number) => number, out: OnnxDtype = dtype) =>
    (c.length === 2 ? elementwise(c, out, ([x, y]) => f(x, y)) : undefined);
  switch (opType) {
    case 'Add': return int ? binary((x, y) => x + y) : undefined;
    case 'Sub': return int ? binary((x, y) => x - y) : undefined;
    case 'Mul': return int ? binary((x, y) => x * y) : undefined;
    case 'Div': return int && c[1].values.every((v) => v !== 0) ? binary((x, y) => Math.trunc(x / y)) : undefined;
    case 'Max': case 'Min': {
      if (!int) return undefined;
      const pick = opType === 'Max' ? Math.max : Math.min;
      return elementwise(c, dtype, (xs) => pick(...xs));
    }
    case 'Neg': return int && c.length === 1 ? elementwise(c, dtype, ([x]) => -x) : undefined;
    case 'Abs': return int && c.length === 1 ? elementwise(c, dtype, ([x]) => Math.abs(x)) : undefined;
    case 'Not': return !int && c.length === 1 ? elementwise(c, dtype, ([x]) => (x ? 0 : 1)) : undefined;
    case 'Equal': return binary((x, y) => (x === y ? 1 : 0), 'bool');
    case 'Less': return int ? binary((x, y) => (x < y ? 1 : 0), 'bool') : undefined;
    case 'Greater': return int ? binary((x, y) => (x > y ? 1 : 0), 'bool') : undefined;
    case 'LessOrEqual': return int ? binary((x, y) => (x <= y ? 1 : 0), 'bool') : undefined;
    case 'GreaterOrEqual': return int ? binary((x, y) => (x >= y ? 1 : 0), 'bool') : undefined;
    case 'And': return int ? undefined : binary((x, y) => x & y);
    case 'Or': return int ? undefined : binary((x, y) => x | y);
    case 'Xor': return int ? undefined : binary((x, y) => x ^ y);
    default: return undefined;
  }
}

/** Whether ORT would hold the number exactly in the dtype (else the fold is not made). */
function representable(v: number, dtype: OnnxDtype): boolean {
  switch (dtype) {
    case 'int64': return Number.isSafeInteger(v);
    case 'int32': return Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff;
    case 'uint8': return Number.isInteger(v) && v >= 0 && v <= 255;
    case 'bool': return v === 0 || v === 1;
    case 'float32': return Number.isNaN(v) || Math.fround(v) === v;
    case 'float64': return true;
  }
}

function cast(a: ConstValue, to: OnnxDtype | undefined): ConstValue | undefined {
  if (!to) return undefined;
  if (to === 'bool') return { dtype: to, shape: a.shape, values: a.values.map((v) => (v !== 0 ? 1 : 0)) };
  if (to === 'float32') return { dtype: to, shape: a.shape, values: a.values.map(Math.fround) };
  if (to === 'float64') return { dtype: to, shape: a.shape, values: a.values };
  // To an integer type only from integers in its range: a float's conversion is ORT's to define.
  if (a.dtype === 'float32' || a.dtype === 'float64') return undefined;
  return { dtype: to, shape: a.shape, values: a.values };
}

/** Numpy-broadcast elementwise map over constants. */
function elementwise(c: readonly ConstValue[], dtype: OnnxDtype, f: (xs: number[]) => number): ConstValue | undefined {
  const shape = broadcastShapes(c.map((v) => v.shape));
  if (!shape) return undefined;
  const strides = c.map((v) => broadcastStrides(v.shape, shape));
  return generate(dtype, shape, (index) => f(c.map((v, k) => v.values[index.reduce((o, i, d) => o + i * strides[k][d], 0)])));
}

/** Strides of `shape` read as broadcast to `to` (0 along broadcast dims). */
function broadcastStrides(shape: Shape, to: Shape): number[] {
  const own = rowMajor(shape);
  return to.map((_, d) => {
    const i = d - (to.length - shape.length);
    return i < 0 || shape[i] === 1 ? 0 : own[i];
  });
}

function rowMajor(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

/** The element of `a` at a multi-index. */
function at(a: ConstValue, index: readonly number[]): number {
  const strides = rowMajor(a.shape);
  return a.values[index.reduce((o, i, d) => o + i * strides[d], 0)];
}

/** A result of `shape` whose element at each multi-index is `f(index)`. */
function generate(dtype: OnnxDtype, shape: Shape, f: (index: number[]) => number): ConstValue | undefined {
  const size = shape.reduce((x, y) => x * y, 1);
  if (size > MAX_FOLDED_ELEMENTS) return undefined;
  const values: number[] = [];
  const index = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < size; flat++) {
    values.push(f(index));
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return { dtype, shape, values };
}

function moved(opType: string, a: ConstValue, b: ConstValue | undefined, attrs: Record<string, AttrValue | undefined>): ConstValue | undefined {
  switch (opType) {
    case 'Unsqueeze': {
      const shape = b && unsqueezed(a.shape, b.values);
      return shape && { ...a, shape };
    }
    case 'Squeeze': {
      const shape = squeezed(a.shape, b?.values ?? []);
      return shape && { ...a, shape };
    }
    case 'Expand': {
      const shape = b && broadcastShapes([a.shape, b.values]);
      if (!shape) return undefined;
      const strides = broadcastStrides(a.shape, shape);
      return generate(a.dtype, shape, (index) => a.values[index.reduce((o, i, d) => o + i * strides[d], 0)]);
    }
    default: {
      const perm = (attrs.perm as number[] | undefined) ?? a.shape.map((_, i) => a.shape.length - 1 - i);
      if (perm.length !== a.shape.length) return undefined;
      return generate(a.dtype, perm.map((p) => a.shape[p]), (index) => {
        const source = new Array<number>(perm.length);
        perm.forEach((p, d) => { source[p] = index[d]; });
        return at(a, source);
      });
    }
  }
}

function concat(c: readonly ConstValue[], axisAttr: number): ConstValue | undefined {
  const shape = concatenated(c.map((v) => v.shape), axisAttr);
  if (!shape || c.some((v) => v.dtype !== c[0].dtype)) return undefined;
  const axis = axisAttr < 0 ? axisAttr + shape.length : axisAttr;
  return generate(c[0].dtype, shape, (index) => {
    let k = index[axis];
    for (const v of c) {
      if (k < v.shape[axis]) return at(v, index.map((x, d) => (d === axis ? k : x)));
      k -= v.shape[axis];
    }
    return NaN;
  });
}

function gather(data: ConstValue, indices: ConstValue, axisAttr: number): ConstValue | undefined {
  const rank = data.shape.length;
  const axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
  if (!INTEGER.has(indices.dtype) || axis < 0 || axis >= rank) return undefined;
  const n = data.shape[axis];
  const idx = indices.values.map((i) => (i < 0 ? i + n : i));
  if (idx.some((i) => i < 0 || i >= n)) return undefined;
  const shape = [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)];
  const q = indices.shape.length;
  const idxStrides = rowMajor(indices.shape);
  return generate(data.dtype, shape, (index) => {
    const i = idx[index.slice(axis, axis + q).reduce((o, x, d) => o + x * idxStrides[d], 0)];
    return at(data, [...index.slice(0, axis), i, ...index.slice(axis + q)]);
  });
}

/** ONNX Slice: starts, ends, optional axes and steps, clamped per axis as the spec says. */
function slice(c: readonly ConstValue[], raw: readonly (FoldInput | null)[]): ConstValue | undefined {
  const data = c[0];
  const starts = raw[1]?.values;
  const ends = raw[2]?.values;
  if (!starts || !ends || starts.length !== ends.length) return undefined;
  const rank = data.shape.length;
  const axes = (raw[3]?.values ?? starts.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a));
  const steps = raw[4]?.values ?? starts.map(() => 1);
  if (axes.some((a) => a < 0 || a >= rank) || new Set(axes).size !== axes.length || steps.some((s) => s === 0)) return undefined;
  const begin = data.shape.map(() => 0);
  const step = data.shape.map(() => 1);
  const shape = [...data.shape];
  axes.forEach((axis, i) => {
    const dim = data.shape[axis];
    const s = steps[i];
    const norm = (v: number) => (v < 0 ? v + dim : v);
    const first = s > 0 ? Math.min(Math.max(norm(starts[i]), 0), dim) : Math.min(Math.max(norm(starts[i]), 0), dim - 1);
    const last = s > 0 ? Math.min(Math.max(norm(ends[i]), 0), dim) : Math.min(Math.max(norm(ends[i]), -1), dim - 1);
    begin[axis] = first;
    step[axis] = s;
    shape[axis] = Math.max(0, Math.ceil((last - first) / s));
  });
  return generate(data.dtype, shape, (index) => at(data, index.map((x, d) => begin[d] + x * step[d])));
}

function reduce(opType: string, a: ConstValue, axes: readonly number[], attrs: Record<string, AttrValue | undefined>): ConstValue | undefined {
  if (axes.length === 0 && attrs.noop_with_empty_axes === 1) return a;
  const shape = reducedShape(a.shape, axes, attrs);
  if (!shape) return undefined;
  const reduced = new Set(axes.length === 0 ? a.shape.map((_, i) => i) : axes.map((x) => (x < 0 ? x + a.shape.length : x)));
  const keep = ((attrs.keepdims as number | undefined) ?? 1) === 1;
  const [init, combine]: [number, (x: number, y: number) => number] = opType === 'ReduceSum' ? [0, (x, y) => x + y]
    : opType === 'ReduceProd' ? [1, (x, y) => x * y]
      : opType === 'ReduceMax' ? [-Infinity, Math.max] : [Infinity, Math.min];
  // An empty max or min has no integer value.
  if ((opType === 'ReduceMax' || opType === 'ReduceMin') && [...reduced].some((d) => a.shape[d] === 0)) return undefined;
  const outIndexDims = a.shape.map((_, d) => d).filter((d) => keep || !reduced.has(d));
  return generate(a.dtype, shape, (index) => {
    const fixed = new Map<number, number>();
    outIndexDims.forEach((d, k) => { if (!reduced.has(d)) fixed.set(d, index[k]); });
    let acc = init;
    const sub = a.shape.map((dim, d) => (reduced.has(d) ? dim : 1));
    generate(a.dtype, sub, (inner) => {
      acc = combine(acc, at(a, inner.map((x, d) => (reduced.has(d) ? x : fixed.get(d)!))));
      return 0;
    });
    return acc;
  });
}
