import type { BackendValues, DataType } from '@tensorflow/tfjs-core';

/**
 * Where a kernel input came from, as DESIGN.md's trace defines it: the output of an earlier kernel
 * of the same trace, a tensor written from JS during the trace (a feed, by position), a registered
 * variable's current value, or a value carried over from before the trace began (by first use).
 */
export type Provenance =
  | { readonly kind: 'op'; readonly op: number; readonly output: number }
  | { readonly kind: 'feed'; readonly feed: number }
  | { readonly kind: 'variable'; readonly name: string }
  | { readonly kind: 'carried'; readonly slot: number };

export interface TensorSig {
  readonly dtype: DataType;
  readonly shape: readonly number[];
}

/** One kernel invocation of a trace. */
export interface TracedKernel {
  readonly index: number;
  /**
   * How many tensors JS had written in the trace before this call. A feed's distance back from a call
   * does not change when the iteration begins with extra writes (an evaluation's inputs), its index does.
   */
  readonly writes: number;
  /** The user-level call path (babel-plugin-terra's site stack), outermost first. */
  readonly sitePath: readonly string[];
  /** The kernel's position among the kernels issued under the same innermost site activation. */
  readonly ordinal: number;
  readonly kernelName: string;
  /** Canonical JSON of the kernel's attrs. */
  readonly attrs: string;
  /** Inputs under the kernel's own input names (optional inputs that were absent are left out). */
  readonly inputs: ReadonlyArray<{ readonly name: string; readonly from: Provenance } & TensorSig>;
  readonly outputs: readonly TensorSig[];
  /**
   * How it executed when recorded: on ONNX Runtime, on the cpu fallback, as a view of its input, lazily;
   * or it threw (tfjs's kernel rejected its inputs, an index out of range or shapes that do not
   * broadcast): then it has no outputs.
   */
  readonly path?: 'ort' | 'cpu' | 'view' | 'lazy' | 'threw';
  /**
   * For each output, how many kernels ran between its creation and its disposal; Infinity if JS read
   * it; absent (undefined) if it outlived the trace.
   */
  lifetimes?: number[];
}

/** A kernel call known before it executes: everything of a TracedKernel but its outputs. */
export type DraftKernel = Omit<TracedKernel, 'outputs' | 'path'>;

/** A tensor JS wrote (tf.tensor, tfjs random ops, ...), in order; `afterKernel` is how many kernels preceded it. */
export interface Feed extends TensorSig {
  readonly index: number;
  readonly afterKernel: number;
  /** The values JS handed in (the backend's own buffer; kept with the trace, not copied). */
  readonly values: BackendValues;
}

/**
 * A value JS read (dataSync, data, array, print, ...); `afterKernel` is how many kernels preceded the
 * read. A value from before the trace that no kernel used yet is `carried` with slot -1.
 */
export interface Fetch {
  readonly from: Provenance;
  readonly afterKernel: number;
}

/** The kernels of one iteration in order, with the JS events between them. */
export interface Trace {
  readonly kernels: readonly TracedKernel[];
  readonly feeds: readonly Feed[];
  readonly fetches: readonly Fetch[];
}
