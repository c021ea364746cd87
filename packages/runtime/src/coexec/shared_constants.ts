import type { DataType } from '@tensorflow/tfjs-core';
import type { HostData, ValueId } from '../graph_runner/protocol';
import { sameValues } from '../trace/same_values';

/**
 * Small host values (a learning rate, an optimizer's beta, the ones a gradient starts from) are
 * uploaded to the worker once per distinct content and shared, instead of once per tensor: the
 * worker's copy is never modified, and comparing the content is the guard that it did not change.
 */
export const SHARED_CONSTANT_BYTES = 4096;
/** Distinct values shared per signature: a value that changes every time (a step counter) stops being shared. */
const VERSIONS_PER_SIGNATURE = 4;
const MAX_SHARED = 4096;

export class SharedConstants {
  private readonly bySignature = new Map<string, Array<{ values: HostData; id: ValueId }>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  find(dtype: DataType, shape: readonly number[], values: HostData): ValueId | undefined {
    return this.bySignature.get(signature(dtype, shape))?.find((c) => sameValues(c.values, values))?.id;
  }

  /** Shares a value just uploaded under `id`; false if it cannot be shared (it then belongs to its tensor). */
  add(dtype: DataType, shape: readonly number[], values: HostData, id: ValueId): boolean {
    const key = signature(dtype, shape);
    const known = this.bySignature.get(key) ?? [];
    if (known.length >= VERSIONS_PER_SIGNATURE || this.count >= MAX_SHARED) return false;
    known.push({ values: values.slice(), id });
    this.bySignature.set(key, known);
    this.count++;
    return true;
  }
}

function signature(dtype: DataType, shape: readonly number[]): string {
  return `${dtype}[${shape.join(',')}]`;
}
