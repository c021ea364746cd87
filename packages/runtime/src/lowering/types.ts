import type { DataType, NamedAttrMap } from '@tensorflow/tfjs-core';
import type { GraphBuilder, Sym } from '../onnx/graph_builder';

/** What a lowering may know about an input: dtype and rank always, the shape only when shape-specialized. */
export interface TensorSpec {
  readonly dtype: DataType;
  readonly rank: number;
  readonly shape?: readonly number[];
}

export interface KernelCall {
  readonly kernelName: string;
  readonly inputs: ReadonlyArray<TensorSpec | undefined>;
  readonly attrs: NamedAttrMap;
  /**
   * In a shape-general segment, the value of the lowering's shapeAttr as an int64 [rank] graph value,
   * fed per run: the lowering uses it instead of the attr's numbers.
   */
  readonly shapeInput?: Sym;
}

/**
 * Turns one tfjs kernel call into ONNX nodes with exactly tfjs's semantics.
 * A lowering depends only on attrs, dtypes and ranks (that is what the session cache keys on),
 * unless it declares itself shape-specialized.
 */
export interface KernelLowering {
  readonly kernelName: string;
  /** The kernel's named inputs in order; omitted for variadic kernels (Concat, Pack, AddN, ...). */
  readonly inputNames?: readonly string[];
  /** The kernel returns a list of tensors rather than one. */
  readonly multiOutput?: boolean;
  /** The emitted graph depends on concrete input shapes, which then join the cache key. */
  readonly shapeSpecialized?: boolean;
  /**
   * With shapeSpecialized: inputs whose leading (batch) dimension the emitted graph does not depend on
   * when no dimension is zero. Their batch stays symbolic and out of the cache key, so a new batch
   * size (an uneven last batch) reuses the session.
   */
  readonly batchAgnosticInputs?: readonly number[];
  /**
   * An attr that is a list of dims the kernel's output takes (Reshape's `shape`): a shape-general segment
   * takes it as an input, so that calls differing in those dims share one session (call.shapeInput).
   */
  readonly shapeAttr?: string;
  /** Emits the nodes; throw Unsupported to send this call to the cpu fallback. */
  lower(g: GraphBuilder, inputs: ReadonlyArray<Sym | undefined>, call: KernelCall): Sym[];
}

/** Thrown by a lowering for a call it does not handle: the kernel then runs on tfjs-backend-cpu. */
export class Unsupported extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'Unsupported';
  }
}
