import type { BackendValues } from '@tensorflow/tfjs-core';
import { parseAttrs } from '../lowering/attrs';
import type { Provenance, TracedKernel } from '../trace/trace';

/** The current trace, as far as bounding an index tensor needs it. */
export interface TraceSoFar {
  kernelAt(op: number): TracedKernel | undefined;
  /** The values JS wrote as feed `feed`. */
  feedValues(feed: number): BackendValues | undefined;
}

/**
 * What a trace shows of an index tensor's values without reading them from the worker: an exclusive upper
 * bound U such that every value is an integer in [0, U), where the kernels that made it guarantee one (an
 * argMax's indices are positions along the axis it reduced, an offset JS wrote adds to them), or where it
 * rearranges values JS wrote (ids reshaped on the worker). A gather whose indices are bounded so by its
 * axis needs no look at their values to know it will not throw (see CoExecutor.failsCheck).
 */
export function provenIndexBound(from: Provenance, trace: TraceSoFar): number | undefined {
  const range = rangeOf(from, trace, MAX_DEPTH);
  return range !== undefined && range.lo >= 0 ? range.hi + 1 : undefined;
}

/** Every value is an integer in [lo, hi] (none at all when hi < lo). */
interface Range {
  readonly lo: number;
  readonly hi: number;
}

/** Kernels followed back from the index input: enough for an offset, a cast and a reshape or two after an argMax. */
const MAX_DEPTH = 8;

/** Kernels whose output values are some of their first input's values (rearranged, repeated, subset). */
const KEEPS_VALUES = new Set(['ExpandDims', 'Squeeze', 'Reshape', 'Identity', 'Transpose', 'Slice', 'StridedSlice', 'Tile', 'Reverse', 'GatherV2']);

/** Kernels whose output values are some of all their inputs' values. */
const JOINS_VALUES = new Set(['Concat', 'Pack']);

const EMPTY: Range = { lo: 0, hi: -1 };

function rangeOf(from: Provenance, trace: TraceSoFar, depth: number): Range | undefined {
  if (from.kind === 'feed') return writtenRange(trace.feedValues(from.feed));
  if (from.kind !== 'op' || depth === 0) return undefined;
  const k = trace.kernelAt(from.op);
  if (!k || k.path === 'threw') return undefined;
  const first = k.inputs[0];
  const of = (i: number): Range | undefined => (k.inputs[i] === undefined ? undefined : rangeOf(k.inputs[i].from, trace, depth - 1));
  switch (k.kernelName) {
    case 'ArgMax':
    case 'ArgMin': {
      const axis = attr(k, 'axis');
      if (first === undefined || typeof axis !== 'number') return undefined;
      return positions(first.shape[axis < 0 ? axis + first.shape.length : axis]);
    }
    case 'TopK':
      return from.output === 1 && first !== undefined ? positions(first.shape[first.shape.length - 1]) : undefined;
    case 'Range':
      return tfRange(parseAttrs(k.attrs));
    case 'Fill': {
      const value = attr(k, 'value');
      return typeof value === 'number' ? writtenRange([value]) : undefined;
    }
    case 'ZerosLike':
      return { lo: 0, hi: 0 };
    case 'OnesLike':
      return { lo: 1, hi: 1 };
    // A cast to a float type could round a fraction into range; from an integer range it cannot make one.
    case 'Cast':
      return attr(k, 'dtype') === 'int32' ? of(0) : undefined;
    case 'Add':
      return combine(of(0), of(1), (a, b) => ({ lo: a.lo + b.lo, hi: a.hi + b.hi }));
    case 'Sub':
      return combine(of(0), of(1), (a, b) => ({ lo: a.lo - b.hi, hi: a.hi - b.lo }));
    case 'Maximum':
      return combine(of(0), of(1), (a, b) => ({ lo: Math.max(a.lo, b.lo), hi: Math.max(a.hi, b.hi) }));
    case 'Minimum':
      return combine(of(0), of(1), (a, b) => ({ lo: Math.min(a.lo, b.lo), hi: Math.min(a.hi, b.hi) }));
    case 'ClipByValue': {
      const x = of(0);
      const min = attr(k, 'clipValueMin');
      const max = attr(k, 'clipValueMax');
      if (x === undefined || typeof min !== 'number' || typeof max !== 'number') return undefined;
      // On int32 values a fractional bound clips to a fraction, which is no index: bounds must be integers.
      if (!Number.isInteger(min) || !Number.isInteger(max)) return undefined;
      return { lo: Math.min(Math.max(x.lo, min), max), hi: Math.max(Math.min(x.hi, max), min) };
    }
    case 'Mod': {
      // tf.mod is the floor modulo: by a positive integer c, every value lands in [0, c).
      const c = of(1);
      return c !== undefined && c.lo === c.hi && c.lo > 0 && of(0) !== undefined ? positions(c.lo) : undefined;
    }
  }
  if (KEEPS_VALUES.has(k.kernelName)) return of(0);
  if (JOINS_VALUES.has(k.kernelName)) {
    let joined: Range = EMPTY;
    for (let i = 0; i < k.inputs.length; i++) {
      const r = of(i);
      if (r === undefined) return undefined;
      joined = r.hi < r.lo ? joined : joined.hi < joined.lo ? r : { lo: Math.min(joined.lo, r.lo), hi: Math.max(joined.hi, r.hi) };
    }
    return joined;
  }
  return undefined;
}

/** The positions along an axis of n entries. */
function positions(n: number): Range {
  return { lo: 0, hi: n - 1 };
}

/** Both operands' ranges combined, an empty one staying empty. */
function combine(a: Range | undefined, b: Range | undefined, f: (a: Range, b: Range) => Range): Range | undefined {
  if (a === undefined || b === undefined) return undefined;
  return a.hi < a.lo || b.hi < b.lo ? EMPTY : f(a, b);
}

/** tf.range's values: from start by step up to (not including) stop. */
function tfRange({ start, stop, step }: Record<string, unknown>): Range | undefined {
  if (typeof start !== 'number' || typeof stop !== 'number' || typeof step !== 'number' || step === 0) return undefined;
  const n = Math.max(0, Math.ceil((stop - start) / step));
  return n === 0 ? EMPTY : writtenRange([start, start + (n - 1) * step]);
}

/** The range of values JS wrote, if all are integers. */
function writtenRange(values: BackendValues | readonly number[] | undefined): Range | undefined {
  if (values === undefined || typeof (values as ArrayLike<unknown>)[0] === 'string') return undefined;
  const v = values as ArrayLike<number>;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (!Number.isInteger(x)) return undefined;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return v.length === 0 ? EMPTY : { lo, hi };
}

function attr(k: TracedKernel, name: string): unknown {
  return parseAttrs(k.attrs)[name];
}
