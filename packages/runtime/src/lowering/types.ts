import type { BackendValues, DataType, NamedAttrMap } from '@tensorflow/tfjs-core';
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
   * In a shape-general segment, the values of the lowering's shapeAttrs (those given as lists), each an
   * int64 [length] graph value fed per run: the lowering uses them instead of the attrs' numbers.
   */
  readonly attrInputs?: Readonly<Record<string, Sym>>;
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
   * Attrs that are lists of dims or offsets that change with the sizes (Reshape's `shape`, Slice's `begin`
   * and `size`): a shape-general segment takes each one given as a list as an input, so that calls
   * differing in those numbers share one session (call.attrInputs). A -1 stays in the structure.
   */
  readonly shapeAttrs?: readonly string[];
  /**
   * Attrs that are data rather than structure for this call (`ranks`: its inputs' ranks): its outputs'
   * signatures do not depend on their values (Slice's begin, where every size is given). TraceGraph node
   * identity leaves them out, so that a minibatch sliced at another offset is the same call; a segment
   * still bakes them in or takes them per run (shapeAttrs), and run-ahead stops before a node where they
   * changed, and never claims a call whose values differ from those its stretch ran with.
   */
  readonly dataAttrs?: (attrs: NamedAttrMap, ranks: readonly number[]) => readonly string[];
  /**
   * For a kernel that tfjs's cpu kernel makes throw on an input's values (indices out of range): that
   * input, and whether given values fail. ORT fails a segment on them too, but later; co-execution runs
   * a call whose values the host has and that fail on the host instead, where it throws at the call.
   */
  readonly valueCheck?: ValueCheck;
  /** Emits the nodes; throw Unsupported to send this call to the cpu fallback. */
  lower(g: GraphBuilder, inputs: ReadonlyArray<Sym | undefined>, call: KernelCall): Sym[];
}

export interface ValueCheck {
  /** The checked input's name; none for a check of the attrs alone (then `values` is undefined). */
  readonly input?: string;
  /**
   * True where tfjs's kernel may throw on `values` (or on attrs that are data), given every input's shape
   * by name. A false alarm costs a graph break; a miss, an error that comes late (see docs/coexecution.md,
   * kernels that throw).
   */
  fails(values: BackendValues | undefined, shapes: Readonly<Record<string, readonly number[]>>, attrs: NamedAttrMap): boolean;
  /**
   * Where values pass exactly when each is an integer in [0, bound): the bound. Indices known to lie in a
   * range that fits (an argMax's, see coexec/index_range.ts) then pass without being read.
   */
  bound?(shapes: Readonly<Record<string, readonly number[]>>, attrs: NamedAttrMap): number;
}

/** Thrown by a lowering for a call it does not handle: the kernel then runs on tfjs-backend-cpu. */
export class Unsupported extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'Unsupported';
  }
}
