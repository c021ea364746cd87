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
 * argMax's indices are positions along the axis it reduced), or where it rearranges values JS wrote (ids
 * reshaped on the worker). A gather whose indices are bounded so by its axis needs no look at their
 * values to know it will not throw (see CoExecutor.failsCheck).
 */
export function provenIndexBound(from: Provenance, trace: TraceSoFar): number | undefined {
  return boundOf(from, trace, MAX_DEPTH);
}

/** Kernels followed back from the index input: enough for a cast and a reshape or two after an argMax. */
const MAX_DEPTH = 8;

/** Kernels whose output values are some of their first input's values (rearranged, repeated, subset). */
const KEEPS_VALUES = new Set(['Cast', 'ExpandDims', 'Squeeze', 'Reshape', 'Identity', 'Transpose', 'Slice', 'StridedSlice', 'Tile', 'Reverse', 'GatherV2']);

/** Kernels whose output values are some of all their inputs' values. */
const JOINS_VALUES = new Set(['Concat', 'Pack']);

function boundOf(from: Provenance, trace: TraceSoFar, depth: number): number | undefined {
  if (from.kind === 'feed') return writtenBound(trace.feedValues(from.feed));
  if (from.kind !== 'op' || depth === 0) return undefined;
  const k = trace.kernelAt(from.op);
  if (!k || k.path === 'threw') return undefined;
  const first = k.inputs[0];
  switch (k.kernelName) {
    case 'ArgMax':
    case 'ArgMin': {
      const axis = attr(k, 'axis');
      if (first === undefined || typeof axis !== 'number') return undefined;
      return first.shape[axis < 0 ? axis + first.shape.length : axis];
    }
    case 'TopK':
      return from.output === 1 && first !== undefined ? first.shape[first.shape.length - 1] : undefined;
    case 'Range':
      return rangeBound(parseAttrs(k.attrs));
    case 'Fill': {
      const value = attr(k, 'value');
      return typeof value === 'number' ? writtenBound([value]) : undefined;
    }
    case 'ZerosLike':
      return 1;
    case 'OnesLike':
      return 2;
  }
  if (KEEPS_VALUES.has(k.kernelName)) {
    // Cast to a float type could round a fraction into range; from an integer bound it cannot make one.
    if (k.kernelName === 'Cast' && attr(k, 'dtype') !== 'int32') return undefined;
    return first === undefined ? undefined : boundOf(first.from, trace, depth - 1);
  }
  if (JOINS_VALUES.has(k.kernelName)) {
    let bound = 0;
    for (const input of k.inputs) {
      const b = boundOf(input.from, trace, depth - 1);
      if (b === undefined) return undefined;
      bound = Math.max(bound, b);
    }
    return bound;
  }
  return undefined;
}

/** tf.range's values: from start by step up to (not including) stop. */
function rangeBound({ start, stop, step }: Record<string, unknown>): number | undefined {
  if (typeof start !== 'number' || typeof stop !== 'number' || typeof step !== 'number' || step === 0) return undefined;
  const n = Math.max(0, Math.ceil((stop - start) / step));
  if (n === 0) return 0;
  return writtenBound([start, start + (n - 1) * step]);
}

/** One more than the largest of values JS wrote, if all are integers from 0. */
function writtenBound(values: BackendValues | readonly number[] | undefined): number | undefined {
  if (values === undefined || typeof (values as ArrayLike<unknown>)[0] === 'string') return undefined;
  const v = values as ArrayLike<number>;
  let max = -1;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (!(x >= 0) || x !== Math.floor(x)) return undefined;
    if (x > max) max = x;
  }
  return max + 1;
}

function attr(k: TracedKernel, name: string): unknown {
  return parseAttrs(k.attrs)[name];
}
