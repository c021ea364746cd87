import type { BackendValues, DataType, TensorInfo } from '@tensorflow/tfjs-core';
import type { HostData, ValueId } from '../graph_runner/protocol';
import type { PendingBatch } from './pending_batch';
import type { Stretch } from './stretch';
import { Replayed, Thrown } from './thrown';

/**
 * A tfjs-backend-cpu buffer entry, with where co-execution keeps the value while it is not on the
 * host: exactly one of `values`, `worker`, `pending` and `stretch` locates it (`values` and `worker`
 * may both hold once JS has read a worker value).
 */
export interface TerraData {
  values?: BackendValues;
  dtype: DataType;
  refCount: number;
  complexTensorInfos?: { real: TensorInfo; imag: TensorInfo };
  /** The GraphRunner's copy. */
  worker?: ValueId;
  /** The batch that will produce the value, while it is not dispatched. */
  pending?: PendingBatch;
  /** `worker` is a shared constant (see shared_constants.ts): not freed with this buffer. */
  shared?: boolean;
  /** The value is inside a dispatched run-ahead stretch, not among its outputs (recomputed if needed). */
  stretch?: Stretch;
  /** Instead of a value: the kernel it depends on threw on the host; using the buffer throws that error. */
  threw?: Thrown;
}

/** Gives a buffer what a replay or a rebuild found for it: its values, or the error that stands for them. */
export function place(entry: TerraData, r: Replayed): void {
  if (r instanceof Thrown) entry.threw = r;
  else entry.values = r;
}

/** Host values in the typed array the worker protocol carries for the dtype. */
export function toHostData(values: BackendValues, dtype: DataType): HostData {
  if (dtype === 'float32') return values instanceof Float32Array ? values : new Float32Array(values as ArrayLike<number>);
  if (dtype === 'int32') return values instanceof Int32Array ? values : new Int32Array(values as ArrayLike<number>);
  return values instanceof Uint8Array ? values : new Uint8Array(values as ArrayLike<number>);
}
